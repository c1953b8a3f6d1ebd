import { defineStore } from 'pinia';
import { api } from '../transport';

/** Whether the database (or the host in front of it) can be reached. */
export const useConnectionStore = defineStore('connection', {
  state: () => ({
    lost: false,
    reason: '',
    retrying: false,
    retryMessage: '',
    /** Bumped on each recovery so the screen underneath reloads its data. */
    recoveries: 0,
  }),
  actions: {
    markLost(reason: string) {
      this.lost = true;
      this.reason = reason;
      this.retryMessage = '';
    },
    async retry(): Promise<boolean> {
      this.retrying = true;
      this.retryMessage = '';
      try {
        // Called directly, not through call(): a failure here must not re-enter markLost.
        const result = await api['health.check']({});
        if (result.ok) {
          this.lost = false;
          this.reason = '';
          this.recoveries += 1;
          return true;
        }
        this.retryMessage =
          result.error.code === 'UNAVAILABLE' ? 'Still cannot reach the database. Try again in a moment.' : result.error.message;
        return false;
      } finally {
        this.retrying = false;
      }
    },
  },
});
