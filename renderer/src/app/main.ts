import { createApp } from 'vue';
import { createPinia } from 'pinia';
import '@fontsource/arimo/latin-400.css';
import '@fontsource/arimo/latin-700.css';
import './styles.css';
import App from './App.vue';
import { createAppRouter } from './router';
import { captureLaunchToken } from '../platform/transport';

// The launch token sits in the URL fragment, which the hash router also reads: take it first.
if (!window.ims) captureLaunchToken(window);

createApp(App).use(createPinia()).use(createAppRouter()).mount('#app');
