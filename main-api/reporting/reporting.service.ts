// Aggregate reports: vaccination coverage of a birth cohort at an age, by practice or local
// authority, within the user's scope. The database does the counting and the suppression; this
// checks the question and names what is wrong with it.
import type { DataSource } from 'typeorm';
import { fieldError } from '../contract/result';
import type { CoverageInput, CoverageReport, ReportingHandlers } from '../contract/reporting';
import { addMonthsDays, formatDay, formatLongDate, requireDay } from '../shared/calendar/dates';
import { todayInLondon } from '../shared/calendar/england';
import { ReportingRepository } from './reporting.repository';
import { CoverRepository } from './cover.repository';
import { coverExport, coverNotCounted, coverReturn } from './cover.service';

async function coverage(repo: ReportingRepository, input: CoverageInput, today: string): Promise<CoverageReport> {
  if (input.cohortFrom > today) {
    throw fieldError(
      'cohortFrom',
      `The period starts on ${formatLongDate(input.cohortFrom)}, after today: nobody has reached the age in it yet.`,
    );
  }
  const cohortTo = formatDay(addMonthsDays(requireDay(input.cohortFrom), input.cohortMonths, -1));
  return { rows: await repo.coverage(input), cohortTo };
}

/** The handlers for the reporting channels, bound to a signed-in user's connection. */
export function createReportingHandlers(ds: DataSource, today: () => string = () => todayInLondon()): ReportingHandlers {
  const repo = new ReportingRepository(ds);
  const cover = new CoverRepository(ds);
  return {
    'coverage.get': (i) => coverage(repo, i, today()),
    'cover.get': (i) => coverReturn(cover, i, today()),
    'cover.export': (i) => coverExport(cover, i, today()),
    'cover.notCounted': (i) => coverNotCounted(cover, i, today()),
  };
}
