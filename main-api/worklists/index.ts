// Child health worklists: the child register with each child's schedule status, worklists of
// overdue children tracked to zero, actions on a child, and the did-not-attend follow-up list.
import type { WorklistHandlers } from '../contract/worklists';
import type { Registration, UserContext } from '../platform/registration';
import { effectiveRulesOn } from '../schedule';
import { createWorklistHandlers } from './worklists.service';

export { createWorklistHandlers } from './worklists.service';

export function register(ctx: UserContext): Registration<keyof WorklistHandlers> {
  return { handlers: createWorklistHandlers(ctx.ds, effectiveRulesOn(ctx.ds), ctx.today) };
}
