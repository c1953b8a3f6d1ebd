// The COVER return as a CSV file (docs/cover.md): one row per area, then the total; for each
// measure its denominator, numerator and percentage. A suppressed figure (an analyst's
// return) is the marker the screen uses.
import type { CoverReturn } from '../contract/reporting';
import { COVERAGE_GROUPING_LABELS, SUPPRESSED_MARKER } from '../shared/vocabulary/reporting';

/** A CSV cell: quoted when it holds a comma, quote or line break; a leading =+-@ is defused for spreadsheets. */
function cell(value: string | number | null): string {
  if (value === null) return SUPPRESSED_MARKER;
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The file's columns: the area, then three per measure named by the measure's id. */
function coverCsvHeader(ret: Pick<CoverReturn, 'measures'>): string[] {
  return [
    'Quarter',
    'Period start',
    'Period end',
    'Area type',
    'Area code',
    'Area name',
    ...ret.measures.flatMap((m) => [`${m.id} denominator`, `${m.id} numerator`, `${m.id} %`]),
  ];
}

export function coverCsv(ret: CoverReturn): string {
  const lines = [coverCsvHeader(ret).map(cell).join(',')];
  for (const area of ret.areas) {
    const figures = new Map(area.figures.map((f) => [f.measureId, f]));
    const row: (string | number | null)[] = [
      ret.quarter,
      ret.from,
      ret.to,
      area.isTotal ? 'Total' : COVERAGE_GROUPING_LABELS[ret.by],
      area.groupCode ?? '',
      area.groupName,
    ];
    for (const m of ret.measures) {
      const f = figures.get(m.id);
      if (!f) row.push(0, 0, '');
      else row.push(f.denominator, f.numerator, f.denominator === 0 ? '' : f.percent === null ? null : f.percent.toFixed(1));
    }
    lines.push(row.map(cell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** `COVER_2026-Q3_local-authority.csv` */
export function coverFileName(ret: Pick<CoverReturn, 'quarter' | 'by'>): string {
  return `COVER_${ret.quarter}_${ret.by}.csv`;
}
