// Rule files imported by administrators: campaign and schedule files added or replaced without
// a release, previewed, then put in force from an effective date (migration 0033). The engine's
// rule set on a day is decided in the schedule domain (rule-set.ts); this domain keeps the versions.
import type { RuleHandlers } from '../contract/rules';
import type { Registration, UserContext } from '../platform/registration';
import { isPermissionDenied } from '../platform/db/errors';
import { RuleFilesRepository } from './rule-files.repository';
import { createRuleHandlers } from './rule-files.service';

export { activateRuleFile, checkedRuleFile, importRuleFile, listRuleFiles, withdrawRuleFile } from './rule-files.service';

/** How often a signed-in user's background job looks for versions whose effective date has come. */
const QUEUE_DUE_EVERY_MS = 5 * 60_000;

export function register(ctx: UserContext): Registration<keyof RuleHandlers> {
  return {
    handlers: createRuleHandlers(ctx.ds, ctx.today),
    jobs: [
      {
        // A version activated ahead of its date changes people's status only when the day comes:
        // then the people it reaches are queued, and the status drain recomputes them.
        name: 'rule files coming into force',
        everyMs: QUEUE_DUE_EVERY_MS,
        run: async () => {
          try {
            await new RuleFilesRepository(ctx.ds).queueDue(ctx.today());
          } catch (error) {
            // An analyst may not call it (0026: aggregates only); others' jobs do the queuing.
            if (!isPermissionDenied(error)) throw error;
          }
        },
      },
    ],
  };
}
