// A child's catch-up plan as a PDF, for the family and the GP: the visits in order with the
// earliest date of each, the vaccines at each and why, what is left out and why. Pure: the
// caller maps the plan and the person onto the input; nothing here reads the database.
import type { Content, TableCell } from 'pdfmake/interfaces';
import type { CatchUpPlanView } from '../contract/movers';
import { renderPdf } from '../platform/pdf/render';
import { formatLongDate, formatShortDate } from '../shared/calendar/dates';
import { SERIES_STATUS_LABELS } from '../shared/vocabulary/schedule';
import {
  cell,
  headerCell,
  personDocument,
  sectionHeading,
  t,
  tableLayout,
  type DocumentHead,
  type RenderOptions,
} from './printable-record.pdf';

export interface CatchUpPlanInput extends DocumentHead {
  plan: CatchUpPlanView;
}

/** How the person came to need a plan, for the panel: '12 January 2026 from Poland (Warsaw)'. */
export function arrivalText(arrival: CatchUpPlanView['arrival']): string | null {
  if (!arrival) return null;
  const from = [arrival.fromCountryName ?? arrival.fromCountry, arrival.fromArea].filter((x): x is string => !!x);
  const where = from.length === 2 ? `${from[0]} (${from[1]})` : (from[0] ?? '');
  return `${formatLongDate(arrival.arrivedOn)}${where ? ` from ${where}` : ''}`;
}

function visitsSection(plan: CatchUpPlanView): Content[] {
  const heading = sectionHeading(
    'Visits',
    'Each visit is at least four weeks after the one before; a visit can be later than its date, but not earlier. Vaccines listed together are given at the same visit.',
  );
  if (plan.visits.length === 0) return [heading, { text: 'Nothing is due or overdue: no catch-up visits are needed.', style: 'body' }];
  const body: TableCell[][] = [['Visit', 'Earliest date', 'Vaccine', 'Why'].map(headerCell)];
  // Rows are shaded by visit, not by row, so a visit's vaccines read as one group.
  const visitOfRow: number[] = [-1];
  plan.visits.forEach((v, i) => {
    v.doses.forEach((d, j) => {
      visitOfRow.push(i);
      const also = d.alsoCountsFor.length > 0 ? [{ text: t(`Also counts for: ${d.alsoCountsFor.join(', ')}`), color: '#4C6272' }] : [];
      body.push([
        j === 0 ? { text: String(i + 1), bold: true, rowSpan: v.doses.length } : {},
        j === 0 ? { text: formatLongDate(v.date), bold: true, rowSpan: v.doses.length } : {},
        { stack: [{ text: t(d.product), bold: true }, { text: t(`${d.name}, dose ${d.dose}`) }, ...also] },
        { stack: d.why.map((w) => ({ text: t(w) })) },
      ]);
    });
  });
  const layout = {
    ...tableLayout,
    hLineWidth: (row: number) => (row === 0 || (row < visitOfRow.length && visitOfRow[row] === visitOfRow[row - 1]) ? 0 : 0.5),
    fillColor: (row: number) => (row > 0 && (visitOfRow[row] ?? 0) % 2 === 1 ? '#F7F9FA' : null),
  };
  return [heading, { table: { headerRows: 1, dontBreakRows: true, widths: [28, 70, 120, '*'], body }, layout, style: 'table' }];
}

function leftOutSection(plan: CatchUpPlanView): Content[] {
  const rows: TableCell[][] = [];
  for (const n of plan.notPlanned) rows.push([cell(n.name), cell(SERIES_STATUS_LABELS[n.status]), cell(n.reason)]);
  for (const n of plan.needsAssessment) rows.push([cell(n.name), cell(SERIES_STATUS_LABELS.NEEDS_ASSESSMENT), cell(n.reason)]);
  if (rows.length === 0) return [];
  return [
    sectionHeading('Not in the plan', 'Vaccines that are not planned, and why.'),
    {
      table: { headerRows: 1, dontBreakRows: true, widths: [130, 90, '*'], body: [['Vaccine', 'Status', 'Why'].map(headerCell), ...rows] },
      layout: tableLayout,
      style: 'table',
    },
  ];
}

function notCountedSection(plan: CatchUpPlanView): Content[] {
  if (plan.notCounted.length === 0) return [];
  const body: TableCell[][] = [['Date', 'Course', 'Why it does not count'].map(headerCell)];
  for (const n of plan.notCounted) body.push([{ text: formatShortDate(n.date), noWrap: true }, cell(n.name), cell(n.reason)]);
  return [
    sectionHeading('Doses that do not count', 'Doses in the history that cannot count towards a course, so the plan gives them again.'),
    { table: { headerRows: 1, dontBreakRows: true, widths: [50, 130, '*'], body }, layout: tableLayout, style: 'table' },
  ];
}

function thenSection(plan: CatchUpPlanView): Content[] {
  if (plan.then.length === 0) return [];
  const body: TableCell[][] = [['Vaccine', 'Dose', 'Due'].map(headerCell)];
  for (const n of plan.then) body.push([cell(n.name), cell(String(n.dose)), { text: formatLongDate(n.dueDate), noWrap: true }]);
  return [
    sectionHeading('Afterwards, on the routine schedule', 'Due after the catch-up visits; the child health team will invite the child.'),
    { table: { headerRows: 1, dontBreakRows: true, widths: ['*', 40, 110], body }, layout: tableLayout, style: 'table' },
  ];
}

function basisSection(plan: CatchUpPlanView): Content[] {
  return [sectionHeading('How this plan was made'), { ul: plan.explanation.map((e) => ({ text: t(e) })), style: 'table' }];
}

function buildCatchUpPlanDocument(input: CatchUpPlanInput, options: RenderOptions = {}) {
  const arrived = arrivalText(input.plan.arrival);
  return personDocument(
    input,
    {
      title: 'Catch-up vaccination plan',
      panelRows: [...(arrived ? ([['Arrived', arrived]] as [string, string][]) : []), ['Plan made on', formatLongDate(input.plan.asOf)]],
      footerNote: `Worked out on ${formatLongDate(input.plan.asOf)} from the vaccinations recorded, under ${input.plan.rules}. A dose given elsewhere and not yet recorded changes the plan: tell the child health team.`,
    },
    [
      ...visitsSection(input.plan),
      ...leftOutSection(input.plan),
      ...notCountedSection(input.plan),
      ...thenSection(input.plan),
      ...basisSection(input.plan),
    ],
    options,
  );
}

export async function renderCatchUpPlanPdf(input: CatchUpPlanInput, options: RenderOptions = {}): Promise<Buffer> {
  return renderPdf(buildCatchUpPlanDocument(input, options));
}
