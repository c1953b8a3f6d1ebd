// Words for cohort counts: the breakdowns a count can be split by, the age bands, and the
// exclusions in the order the database applies them (migrations/0031_cohort_counts.sql holds the
// same band starts and exclusion order; cohort-count.integration.test.ts compares them).
import type { z } from 'zod';
import { codeSet } from './code-set';

export const [COHORT_BREAKDOWNS, CohortBreakdown, COHORT_BREAKDOWN_LABELS] = codeSet({
  region: 'Region',
  localAuthority: 'Local authority',
  postcodeDistrict: 'Postcode district',
  practice: 'GP practice',
  school: 'School',
  ageBand: 'Age band',
  sex: 'Sex',
  ethnicity: 'Ethnicity',
  imdDecile: 'IMD decile',
  lsoa: 'LSOA (for a map)',
});
export type CohortBreakdown = z.infer<typeof CohortBreakdown>;

/** Age bands in whole years on the definition's reference date: each from its start to the next one's. */
export const AGE_BAND_STARTS = [0, 5, 12, 18, 50, 65, 75, 85] as const;
export function ageBandLabel(index: number): string {
  const from = AGE_BAND_STARTS[index];
  const next = AGE_BAND_STARTS[index + 1];
  if (from === undefined) return 'Unknown';
  return next === undefined ? `${from} and over` : `${from} to ${next - 1}`;
}

export const [COHORT_EXCLUSIONS, CohortExclusion, COHORT_EXCLUSION_LABELS] = codeSet({
  deceased: 'Have died',
  noLongerRegistered: 'No longer registered with a GP practice',
  alreadyVaccinated: 'Already vaccinated in the campaign',
  optedOutOfEveryChannel: 'Opted out of every channel we could use',
  noUsableContact: 'No usable contact details',
  invitedWithinDays: 'Invited for the campaign recently',
});
export type CohortExclusion = z.infer<typeof CohortExclusion>;
