// The composition root for a signed-in user: every domain's handlers and jobs, merged. The host
// knows which domains exist, never their rules.
import type { Handlers, UserChannel } from '../contract/contract';
import type { Job, UserContext } from '../platform/registration';
import * as people from '../people';
import * as vaccination from '../vaccination';
import * as forecast from '../forecast';
import * as documents from '../documents';
import * as reporting from '../reporting';
import * as cohorts from '../cohorts';
import * as rules from '../rules';
import * as campaigns from '../campaigns';
import * as letters from '../letters';
import * as sending from '../sending';
import * as movers from '../movers';
import * as feeds from '../feeds';
import * as worklists from '../worklists';
import * as schools from '../schools';
import * as exchange from '../exchange';
import * as scheduleStatus from '../schedule-status';

export interface UserServices {
  handlers: Pick<Handlers, UserChannel>;
  jobs: Job[];
}

export function registerDomains(ctx: UserContext): UserServices {
  const parts = [
    people.register(ctx),
    vaccination.register(ctx),
    forecast.register(ctx),
    documents.register(ctx),
    reporting.register(ctx),
    rules.register(ctx),
    cohorts.register(ctx),
    campaigns.register(ctx),
    letters.register(ctx),
    sending.register(ctx),
    movers.register(ctx),
    feeds.register(ctx),
    worklists.register(ctx),
    schools.register(ctx),
    exchange.register(ctx),
  ];
  const handlers = Object.assign({}, ...parts.map((p) => p.handlers)) as Pick<Handlers, UserChannel>;

  // The database notes whose schedule status any write may have changed (worklists and cohorts
  // read it). Draining that after every call, whatever the channel and however it ended, means
  // no list of which channels write: a new writer is covered without anyone remembering to add
  // it. With nothing queued, a drain is one short transaction.
  const status = scheduleStatus.register(ctx);
  for (const [channel, handle] of Object.entries(handlers) as [string, (input: unknown) => Promise<unknown>][]) {
    (handlers as Record<string, unknown>)[channel] = async (input: unknown) => {
      try {
        return await handle(input);
      } finally {
        await status.afterCall();
      }
    };
  }
  return { handlers, jobs: [...parts.flatMap((p) => p.jobs ?? []), ...status.jobs] };
}
