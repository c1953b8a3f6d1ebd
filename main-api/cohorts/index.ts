// Cohorts: who to count and invite. Definitions (format, checks, plain-English description),
// counts within the user's scope, and saved versioned definitions.
import type { CohortHandlers } from '../contract/cohorts';
import type { Registration, UserContext } from '../platform/registration';
import { createCohortHandlers } from './cohorts.service';

export { cohortAsJson, describeCohort, parseCohortFile } from './cohort-definition.rules';
export { createCohortHandlers, knownCampaigns } from './cohorts.service';

export function register(ctx: UserContext): Registration<keyof CohortHandlers> {
  return { handlers: createCohortHandlers(ctx.ds) };
}
