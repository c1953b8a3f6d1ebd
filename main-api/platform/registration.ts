// How a domain plugs into the host: given the signed-in user's context, it returns the handlers
// for its channels and any background jobs. The host composes domains and knows no domain rules.
import type { DataSource } from 'typeorm';
import type { Handlers, UserChannel } from '../contract/contract';

export type Logger = (message: string, error?: unknown) => void;

/** What every domain receives when a user signs in. */
export interface UserContext {
  /** The signed-in user's own connection pool: every query runs as their database role. */
  ds: DataSource;
  log: Logger;
  /** Today's date in England (YYYY-MM-DD); the only source of "today" for services. */
  today: () => string;
}

/** Work the host runs in the background while the user is signed in (for example a queue drain). */
export interface Job {
  name: string;
  /** How often to run, in milliseconds. */
  everyMs: number;
  run: () => Promise<void>;
}

export interface Registration<C extends UserChannel> {
  handlers: Pick<Handlers, C>;
  jobs?: Job[];
}
