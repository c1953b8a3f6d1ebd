// The one contract between renderer and main process. Every transport (Electron IPC,
// loopback HTTP) is generated from this map; nothing else may define a channel.
import { z } from 'zod';
import * as S from './schemas';
import type { Result } from './result';
import { vaccinationChannels } from './vaccination';
import { recordChannels } from './documents';
import { forecastChannels } from './forecast';

export const contract = {
  /** retry: after a failed start, make a fresh attempt (the start-failure screen's Try again). */
  'session.state': { input: z.object({ retry: z.boolean().default(false) }), output: S.SessionState },
  'session.login': { input: S.LoginInput, output: S.SessionInfo },
  'health.check': { input: z.object({}), output: S.Health },
  'person.search': { input: S.PersonSearchInput, output: S.PersonSearchResult },
  'person.open': { input: z.object({ id: z.number().int() }), output: S.PersonRecord },
  ...vaccinationChannels,
  ...forecastChannels,
  ...recordChannels,
} as const;

/** Channels that need a signed-in user; the host forwards them to that user's services. */
export type UserChannel = Exclude<Channel, 'session.state' | 'session.login' | 'health.check'>;

export type Contract = typeof contract;
export type Channel = keyof Contract;
export type Input<C extends Channel> = z.input<Contract[C]['input']>;
export type ParsedInput<C extends Channel> = z.output<Contract[C]['input']>;
export type Output<C extends Channel> = z.output<Contract[C]['output']>;

/** What the renderer calls: one async function per channel. */
export type Api = { [C in Channel]: (input: Input<C>) => Promise<Result<Output<C>>> };

/** What the main process implements: services throw AppError or return the output. */
export type Handlers = { [C in Channel]: (input: ParsedInput<C>) => Promise<Output<C>> };

export const channels = Object.keys(contract) as Channel[];
