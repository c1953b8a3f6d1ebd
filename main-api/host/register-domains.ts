// The composition root for a signed-in user: every domain's handlers and jobs, merged. The host
// knows which domains exist, never their rules.
import type { Handlers, UserChannel } from '../contract/contract';
import type { Job, UserContext } from '../platform/registration';
import * as people from '../people';
import * as vaccination from '../vaccination';
import * as forecast from '../forecast';
import * as documents from '../documents';
import { refreshPersonStatusNow } from '../schedule-status';
import { scheduleRules } from '../schedule';

export interface UserServices {
  handlers: Pick<Handlers, UserChannel>;
  jobs: Job[];
}

export function registerDomains(ctx: UserContext): UserServices {
  const parts = [people.register(ctx), vaccination.register(ctx), forecast.register(ctx), documents.register(ctx)];
  const handlers = Object.assign({}, ...parts.map((p) => p.handlers)) as Pick<Handlers, UserChannel>;

  // The maintained status (worklists, cohorts) follows every change to a person's history. It is
  // derived data: if refreshing it fails the record still stands, and the nightly refresh repairs it.
  for (const channel of vaccination.HISTORY_WRITES) {
    const write = handlers[channel] as (input: unknown) => Promise<{ personId: number }>;
    (handlers as Record<string, unknown>)[channel] = async (input: unknown) => {
      const event = await write(input);
      await refreshPersonStatusNow(ctx.ds, event.personId, ctx.today(), scheduleRules()).catch((error: unknown) =>
        ctx.log(`Could not refresh the schedule status of person ${event.personId}`, error),
      );
      return event;
    };
  }
  return { handlers, jobs: parts.flatMap((p) => p.jobs ?? []) };
}
