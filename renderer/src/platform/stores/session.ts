import { defineStore } from 'pinia';
import type { SessionInfo } from '../../../../main-api/contract/session';
import type { ApiError } from '../../../../main-api/contract/result';
import type { Capability, RoleCode } from '../../../../main-api/shared/vocabulary/roles';
import { api, transportKind } from '../transport';
import { useConnectionStore } from './connection';

export type SessionPhase = 'loading' | 'starting' | 'needs-credentials' | 'signed-in' | 'link-expired' | 'failed';

const POLL_MS = 500;
let pollTimer: ReturnType<typeof setTimeout> | null = null;

/**
 * Whether the signed-in user may do something. The screen uses it to hide what a role cannot
 * do; the database refuses it regardless, so this is about clutter, not security.
 */
export function sessionCan(session: Pick<SessionInfo, 'capabilities'> | null, capability: Capability): boolean {
  return session?.capabilities.includes(capability) ?? false;
}

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
  getters: {
    capabilities: (state): readonly Capability[] => state.session?.capabilities ?? [],
    roleCodes: (state): readonly RoleCode[] => state.session?.roleCodes ?? [],
    can:
      (state) =>
      (capability: Capability): boolean =>
        sessionCan(state.session, capability),
    /** England's date, from the main process: the default for every date the user enters. */
    today: (state): string => state.session?.today ?? '',
  },
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
          // The host keeps the session while the database is away: find out now, not at the first click.
          await useConnectionStore().check();
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
    /**
     * Asks the main process for today's date again, so a screen left open past midnight
     * defaults to the new day. Called when a form opens; a failure keeps the date it had.
     */
    async refreshToday(): Promise<string> {
      const result = await api['health.check']({});
      if (result.ok && this.session && this.session.today !== result.value.today) this.session.today = result.value.today;
      return this.today;
    },
    /** Returns the error for the form, or null when signed in (or when the connection is lost). */
    async login(user: string, password: string, remember: boolean): Promise<ApiError | null> {
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
      // Never which of the two was wrong.
      if (code === 'UNAUTHENTICATED') return { code, message: 'The user name or password is not right. Check them and try again.' };
      return result.error;
    },
  },
});
