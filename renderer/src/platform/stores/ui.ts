import { defineStore } from 'pinia';

/** Small cross-screen requests, such as "put the cursor in the search box". */
export const useUiStore = defineStore('ui', {
  state: () => ({ focusSearchRequests: 0 }),
  actions: {
    requestSearchFocus() {
      this.focusSearchRequests += 1;
    },
  },
});
