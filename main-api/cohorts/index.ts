// Cohorts: who to count and invite. Today the definition format, its checks and its plain-English
// description; counting comes with the api functions that run it.
export { cohortAsJson, describeCohort, parseCohortFile } from './cohort-definition.rules';
