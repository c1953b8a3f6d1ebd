// Ties the remembered sign-in (credentials.ts) to the host: store or forget after a sign-in,
// and forget as soon as a password is rejected so a stale one is never retried.
import type { Handlers } from '../../main-api/contract/contract';
import { AppError } from '../../main-api/contract/result';
import { classifyDatabaseError } from '../../main-api/platform/db/errors';
import type { CredentialStore } from './credentials';

export function isAuthFailure(error: unknown): boolean {
  if (error instanceof AppError) return error.code === 'UNAUTHENTICATED';
  return classifyDatabaseError(error)?.code === 'UNAUTHENTICATED';
}

/** For Host.onLogin: called after a successful sign-in to the server at serverUrl. */
export function rememberOnLogin(store: CredentialStore, serverUrl: string) {
  return (user: string, password: string, remember: boolean): void => {
    // Unticking "remember" also removes what was remembered before.
    if (remember) store.remember(serverUrl, { user, password });
    else store.forget();
  };
}

/** Wraps session.login so a rejected password deletes the remembered one. */
export function forgetOnFailedLogin(handlers: Handlers, store: CredentialStore): Handlers {
  return {
    ...handlers,
    'session.login': async (input) => {
      try {
        return await handlers['session.login'](input);
      } catch (error) {
        if (isAuthFailure(error)) store.forget();
        throw error;
      }
    },
  };
}
