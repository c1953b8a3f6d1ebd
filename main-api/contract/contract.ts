// The one contract between renderer and main process: the union of every domain's channel
// file. Every transport (Electron IPC, loopback HTTP) is generated from this map; nothing else
// may define a channel.
import type { z } from 'zod';
import type { Result } from './result';
import { sessionChannels } from './session';
import { peopleChannels } from './people';
import { vaccinationChannels } from './vaccination';
import { forecastChannels } from './forecast';
import { documentChannels } from './documents';
import { reportingChannels } from './reporting';
import { cohortChannels } from './cohorts';
import { ruleChannels } from './rules';
import { campaignChannels } from './campaigns';
import { letterChannels } from './letters';
import { sendingChannels } from './sending';
import { moverChannels } from './movers';
import { feedChannels } from './feeds';
import { worklistChannels } from './worklists';
import { schoolChannels } from './schools';
import { exchangeChannels } from './exchange';

export const contract = {
  ...sessionChannels,
  ...peopleChannels,
  ...vaccinationChannels,
  ...forecastChannels,
  ...documentChannels,
  ...reportingChannels,
  ...cohortChannels,
  ...ruleChannels,
  ...campaignChannels,
  ...letterChannels,
  ...sendingChannels,
  ...moverChannels,
  ...feedChannels,
  ...worklistChannels,
  ...schoolChannels,
  ...exchangeChannels,
} as const;

/** Channels that need a signed-in user; the host forwards them to that user's services. */
export type UserChannel = Exclude<Channel, keyof typeof sessionChannels>;

type Contract = typeof contract;
export type Channel = keyof Contract;
export type Input<C extends Channel> = z.input<Contract[C]['input']>;
export type ParsedInput<C extends Channel> = z.output<Contract[C]['input']>;
export type Output<C extends Channel> = z.output<Contract[C]['output']>;

/** What the renderer calls: one async function per channel. */
export type Api = { [C in Channel]: (input: Input<C>) => Promise<Result<Output<C>>> };

/** What the main process implements: services throw AppError or return the output. */
export type Handlers = { [C in Channel]: (input: ParsedInput<C>) => Promise<Output<C>> };

export const channels = Object.keys(contract) as Channel[];
