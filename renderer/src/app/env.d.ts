/// <reference types="vite/client" />
import type { Api } from '../../../main-api/contract/contract';

declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

declare global {
  interface Window {
    /** Set by the Electron preload; absent when the renderer runs in a browser. */
    ims?: Api;
  }
}

export {};
