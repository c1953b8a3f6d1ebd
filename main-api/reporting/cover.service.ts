// The COVER return: checks the question, asks the database for the figures (counted within the
// caller's scope and audited there), lays them out one row per area with a figure per measure,
// and writes the CSV the return is submitted as. The children not counted come from the
// database too, as an audited look at their records.
import { fieldError } from '../contract/result';
import type { CoverArea, CoverExport, CoverInput, CoverNotCounted, CoverNotCountedInput, CoverReturn } from '../contract/reporting';
import { withRefusals } from '../platform/db/errors';
import { describeQuarter, quarterDays } from '../shared/calendar/quarters';
import { COVER_TARGET_PERCENT } from '../shared/vocabulary/reporting';
import { coverCsv, coverFileName } from './cover-export.rules';
import { measureApplies } from './cover-measures.rules';
import type { CoverRepository } from './cover.repository';

const REFUSALS = { '42501': 'FORBIDDEN', '22023': 'VALIDATION' } as const;
const REFUSED = { '42501': 'Only those who may read records see which children were not counted.' };

function checkedQuarter(quarter: string, today: string): { from: string; to: string } {
  const days = quarterDays(quarter);
  if (!days) throw fieldError('quarter', 'Write the quarter as YYYY-Qn, e.g. 2026-Q3 for July to September 2026.');
  if (days.from > today) {
    throw fieldError('quarter', `${describeQuarter(quarter)} has not started: nobody has reached a birthday in it yet.`);
  }
  return days;
}

export async function coverReturn(repo: CoverRepository, input: CoverInput, today: string): Promise<CoverReturn> {
  const { from, to } = checkedQuarter(input.quarter, today);
  const [allMeasures, rows] = await Promise.all([repo.measures(), repo.figures(from, input.by)]);
  const measures = allMeasures.filter((m) => measureApplies(m, from, to));
  const areas: CoverArea[] = [];
  const byKey = new Map<string, { area: CoverArea; figures: Map<string, CoverArea['figures'][number]> }>();
  for (const r of rows) {
    const key = `${r.isTotal}|${r.groupCode ?? ''}`;
    let entry = byKey.get(key);
    if (!entry) {
      entry = { area: { groupCode: r.groupCode, groupName: r.groupName, isTotal: r.isTotal, figures: [] }, figures: new Map() };
      byKey.set(key, entry);
      areas.push(entry.area);
    }
    entry.figures.set(r.measureId, { measureId: r.measureId, denominator: r.denominator, numerator: r.numerator, percent: r.percent });
  }
  for (const { area, figures } of byKey.values()) {
    area.figures = measures.map((m) => figures.get(m.id) ?? { measureId: m.id, denominator: 0, numerator: 0, percent: null });
  }
  return {
    quarter: input.quarter,
    from,
    to,
    by: input.by,
    complete: to < today,
    // No rows at all: nobody in scope reached a birthday; an analyst's figures say so themselves.
    exact: rows.length === 0 ? true : rows[0]!.exact,
    target: COVER_TARGET_PERCENT,
    measures,
    areas,
  };
}

export async function coverExport(repo: CoverRepository, input: CoverInput, today: string): Promise<CoverExport> {
  const ret = await coverReturn(repo, input, today);
  return { fileName: coverFileName(ret), csv: coverCsv(ret), rows: ret.areas.length };
}

export async function coverNotCounted(repo: CoverRepository, input: CoverNotCountedInput, today: string): Promise<CoverNotCounted> {
  const { from } = checkedQuarter(input.quarter, today);
  if (input.noGroup && input.groupCode !== null) {
    throw fieldError('groupCode', 'Ask for one area, or for the children with none, not both.');
  }
  return withRefusals(
    repo.notCounted(from, input.by, input.groupCode, input.noGroup, input.ageMonths, input.measureId, input.limit),
    REFUSALS,
    REFUSED,
  );
}
