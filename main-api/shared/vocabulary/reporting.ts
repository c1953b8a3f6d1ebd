// Reporting: how aggregates are grouped, and the one rule for small numbers. The database
// applies the rule (ims.small_number, migrations/0026) before any figure leaves it; the screen
// and any export explain it in these words. tests/integration/analyst-aggregates.test.ts compares the numbers.
import type { z } from 'zod';
import { codeSet } from './code-set';

/** What a coverage table is broken down by. */
export const [COVERAGE_GROUPINGS, CoverageGrouping, COVERAGE_GROUPING_LABELS] = codeSet({
  practice: 'GP practice',
  'local-authority': 'Local authority',
});
export type CoverageGrouping = z.infer<typeof CoverageGrouping>;

/**
 * Counts from 1 to SUPPRESS_UP_TO are not shown; other counts are rounded to the nearest
 * ROUND_TO (NHS England's rule for Hospital Episode Statistics). 0 is shown as it is.
 */
export const SMALL_NUMBERS = { SUPPRESS_UP_TO: 7, ROUND_TO: 5 } as const;

/** What a table shows in place of a suppressed figure. */
export const SUPPRESSED_MARKER = '*';

/** The rule in words, beside every table that applies it. */
export const SMALL_NUMBER_RULE =
  `${SUPPRESSED_MARKER} means a figure is hidden so that nobody can be identified: counts from 1 to ${SMALL_NUMBERS.SUPPRESS_UP_TO} ` +
  `are not shown, and other counts are rounded to the nearest ${SMALL_NUMBERS.ROUND_TO}. Where a group is that small, or ` +
  `${SMALL_NUMBERS.SUPPRESS_UP_TO} or fewer of its people were not vaccinated, its other figures are hidden too. Totals are ` +
  'rounded from the exact counts, so they may differ slightly from the sum of the rows, and a hidden figure cannot be worked out from them.';

/**
 * The national target for each routine childhood vaccination in the COVER return (WHO and
 * UKHSA: 95% of children), drawn on the return's chart.
 */
export const COVER_TARGET_PERCENT = 95;
