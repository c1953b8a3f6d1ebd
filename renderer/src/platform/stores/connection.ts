import { defineStore } from 'pinia';
import { api } from '../transport';

/** Said once Retry (or the check at opening) found the embedded database stopped and started it. */
const RESTARTED_NOTICE = 'The database on this computer had stopped. The application has started it again; you can carry on.';

/** What to do when the application's own database cannot be started again by Retry. */
const EMBEDDED_ADVICE =
  'Still cannot reach the database. Close the application and open it again. If that does not help, restart the computer; if it still fails, contact your IT service desk.';

/** Whether the database (or the host in front of it) can be reached. */
export const useConnectionStore = defineStore('connection', {
  state: () => ({
    lost: false,
    reason: '',
    retrying: false,
    retryMessage: '',
    /** A calm line for the screen after a recovery worth telling (the database was restarted). */
    notice: '',
    /** Bumped on each recovery so the screen underneath reloads its data. */
    recoveries: 0,
  }),
  actions: {
    markLost(reason: string) {
      this.lost = true;
      this.reason = reason;
      this.retryMessage = '';
    },
    /**
     * Asks the host whether the database answers, as soon as a session opens: a database that
     * is down shows the lost-connection state at once, not at the first thing the user does.
     */
    async check(): Promise<void> {
      const result = await api['health.check']({});
      if (result.ok) {
        if (result.value.restarted) this.notice = RESTARTED_NOTICE;
      } else if (result.error.code === 'UNAVAILABLE') {
        this.markLost(result.error.message);
      }
    },
    /** embedded: the database is the application's own, so the advice is about the application. */
    async retry(embedded = false): Promise<boolean> {
      this.retrying = true;
      this.retryMessage = '';
      try {
        // Called directly, not through call(): a failure here must not re-enter markLost.
        const result = await api['health.check']({});
        if (result.ok) {
          this.lost = false;
          this.reason = '';
          this.notice = result.value.restarted ? RESTARTED_NOTICE : '';
          this.recoveries += 1;
          return true;
        }
        const { code, message } = result.error;
        if (code !== 'UNAVAILABLE') this.retryMessage = message;
        else if (!embedded) this.retryMessage = 'Still cannot reach the database. Try again in a moment.';
        else {
          // What happened (for instance, it would not start again) goes in the details line.
          this.reason = message;
          this.retryMessage = EMBEDDED_ADVICE;
        }
        return false;
      } finally {
        this.retrying = false;
      }
    },
  },
});
