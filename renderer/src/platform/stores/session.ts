import { defineStore } from 'pinia';
import type { SessionInfo } from '../../../../main-api/contract/session';
import { api, transportKind } from '../transport';
import { useConnectionStore } from './connection';

export type SessionPhase = 'loading' | 'starting' | 'needs-credentials' | 'signed-in' | 'link-expired' | 'failed';

const POLL_MS = 500;
let pollTimer: ReturnType<typeof setTimeout> | null = null;

export const useSessionStore = defineStore('session', {
  state: () => ({
    phase: 'loading' as SessionPhase,
    startingMessage: '',
    startingProgress: null as number | null,
    server: '',
    rememberedUser: null as string | null,
    session: null as SessionInfo | null,
    failure: '',
  }),
  actions: {
    /**
     * Asks the main process where it is; while it is still starting, asks again every 500 ms.
     * retry: after a failed start, ask it to try again (the Try again button).
     */
    async boot(retry = false): Promise<void> {
      if (pollTimer) {
        clearTimeout(pollTimer);
        pollTimer = null;
      }
      const result = await api['session.state']({ retry });
      if (!result.ok) {
        const { code, message } = result.error;
        if (code === 'UNAVAILABLE') {
          useConnectionStore().markLost(message);
        } else if (code === 'UNAUTHENTICATED' && transportKind() === 'http') {
          // In a browser the only credential is the launch link's token.
          this.phase = 'link-expired';
        } else {
          this.phase = 'failed';
          this.failure = message;
        }
        return;
      }
      const state = result.value;
      switch (state.state) {
        case 'starting':
          this.phase = 'starting';
          this.startingMessage = state.message;
          this.startingProgress = state.progress;
          pollTimer = setTimeout(() => void this.boot(), POLL_MS);
          break;
        case 'needs-credentials':
          this.phase = 'needs-credentials';
          this.server = state.server;
          this.rememberedUser = state.rememberedUser;
          this.session = null;
          break;
        case 'signed-in':
          this.phase = 'signed-in';
          this.session = state.session;
          break;
        case 'failed':
          // The host could not start (database unreachable, upgrade needed): say why, offer retry.
          this.phase = 'failed';
          this.failure = state.message;
          this.session = null;
          break;
        default: {
          const unhandled: never = state;
          throw new Error(`Unknown session state ${JSON.stringify(unhandled)}`);
        }
      }
    },
    /** Returns an error message for the form, or null when signed in. */
    async login(user: string, password: string, remember: boolean): Promise<string | null> {
      const result = await api['session.login']({ user, password, remember });
      if (result.ok) {
        this.session = result.value;
        this.phase = 'signed-in';
        return null;
      }
      const { code, message } = result.error;
      if (code === 'UNAVAILABLE') {
        useConnectionStore().markLost(message);
        return null;
      }
      if (code === 'UNAUTHENTICATED') return 'The user name or password is not right. Check them and try again.';
      return message;
    },
  },
});
