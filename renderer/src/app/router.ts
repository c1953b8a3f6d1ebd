import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router';
import { sections } from '../shell/sections';
import PeopleSearch from '../features/people/PeopleSearch.vue';
import PersonRecord from '../features/people/PersonRecord.vue';
import NotAvailable from '../shell/NotAvailable.vue';
import NotFound from '../shell/NotFound.vue';

// Screens are bundled, not loaded on demand: a chunk fetched lazily would fail exactly
// when the host has gone, and the window would go blank instead of saying so.

export function createAppRouter() {
  const routes: RouteRecordRaw[] = [
    { path: '/', redirect: '/people' },
    { path: '/people', name: 'people', component: PeopleSearch, meta: { section: 'people' } },
    {
      path: '/people/:id(\\d+)',
      name: 'person',
      component: PersonRecord,
      props: (route) => ({ id: Number(route.params.id) }),
      meta: { section: 'people' },
    },
    ...sections
      .filter((s) => !s.available)
      .map<RouteRecordRaw>((s) => ({
        path: s.path,
        name: s.key,
        component: NotAvailable,
        props: { section: s.key },
        meta: { section: s.key },
      })),
    { path: '/:rest(.*)*', name: 'not-found', component: NotFound },
  ];
  return createRouter({ history: createWebHashHistory(), routes });
}
