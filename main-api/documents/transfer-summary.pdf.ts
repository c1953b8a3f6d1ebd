// A transfer summary for a child moving out of the area: the whole record a receiving child
// health service or GP needs to carry on (history, where each course stands, what is
// outstanding, reactions, flags). Pure: the caller maps the record onto the input.
import type { Content, TableCell } from 'pdfmake/interfaces';
import type { CatchUpPlanView } from '../contract/movers';
import { renderPdf } from '../platform/pdf/render';
import { formatLongDate, formatShortDate } from '../shared/calendar/dates';
import { SERIES_STATUS_LABELS, type SeriesStatus } from '../shared/vocabulary/schedule';
import { arrivalText } from './catch-up-plan.pdf';
import {
  cell,
  givenSection,
  headerCell,
  notGivenSection,
  personDocument,
  reactionsSection,
  sectionHeading,
  t,
  tableLayout,
  type PrintableRecordInput,
  type RenderOptions,
} from './printable-record.pdf';

export interface TransferSummaryInput extends Omit<PrintableRecordInput, 'dueNext'> {
  /** Where each course stands, in the forecast's order (one row per vaccination the child would receive). */
  status: { vaccination: string; alsoCountsFor: string[]; status: SeriesStatus; dosesCounted: number; next: string | null }[];
  /** The catch-up plan for what is outstanding. */
  plan: CatchUpPlanView;
  flags: { label: string; category: string; fromDate: string; toDate: string | null }[];
  practice: string | null;
  rulesVersion: string;
}

function statusSection(input: TransferSummaryInput): Content[] {
  const body: TableCell[][] = [['Vaccination', 'Doses that count', 'Status', 'Next'].map(headerCell)];
  for (const s of input.status) {
    const also = s.alsoCountsFor.length ? [{ text: t(`Also counts for: ${s.alsoCountsFor.join(', ')}`), color: '#4C6272' }] : [];
    body.push([
      { stack: [{ text: t(s.vaccination) }, ...also] },
      cell(String(s.dosesCounted), { alignment: 'center' }),
      cell(SERIES_STATUS_LABELS[s.status]),
      cell(s.next),
    ]);
  }
  return [
    sectionHeading(
      'Schedule status',
      `Where each course stands on ${formatLongDate(input.issuedOn)} (${input.rulesVersion}), counting doses as the routine schedule does. The outstanding doses below follow the catch-up guidance, which also counts doses of a vaccine given abroad that lacks one of a course's parts (a 5-in-1 towards the 6-in-1).`,
    ),
    input.status.length === 0
      ? { text: 'No routine courses apply.', style: 'body' }
      : { table: { headerRows: 1, dontBreakRows: true, widths: ['*', 60, 90, 150], body }, layout: tableLayout, style: 'table' },
  ];
}

function outstandingSection(input: TransferSummaryInput): Content[] {
  const plan = input.plan;
  const heading = sectionHeading(
    'Outstanding doses',
    `The catch-up plan on ${formatLongDate(plan.asOf)} (${plan.rules}): visits at least four weeks apart, courses resumed and never restarted.`,
  );
  const rows: TableCell[][] = [['Earliest date', 'Vaccines', 'Why'].map(headerCell)];
  for (const v of plan.visits)
    rows.push([
      { text: formatShortDate(v.date), noWrap: true },
      { stack: v.doses.map((d) => ({ text: t(`${d.product} (${d.name} dose ${d.dose})`) })) },
      { stack: v.doses.map((d) => ({ text: t(d.why[0] ?? '') })) },
    ]);
  const notPlanned = [
    ...plan.notPlanned.map((n) => `${n.name}: ${n.reason}`),
    ...plan.needsAssessment.map((n) => `${n.name}: ${n.reason}`),
  ];
  return [
    heading,
    plan.visits.length === 0
      ? { text: 'Nothing is due or overdue.', style: 'body' }
      : { table: { headerRows: 1, dontBreakRows: true, widths: [60, 160, '*'], body: rows }, layout: tableLayout, style: 'table' },
    ...(notPlanned.length > 0
      ? [
          { text: 'Not planned:', bold: true, margin: [0, 6, 0, 2] as [number, number, number, number] },
          { ul: notPlanned.map((n) => ({ text: t(n) })), style: 'table' },
        ]
      : []),
  ];
}

function flagsSection(input: TransferSummaryInput): Content[] {
  const heading = sectionHeading('Clinical flags', 'Risk groups and other conditions recorded, which change what is offered.');
  if (input.flags.length === 0) return [heading, { text: 'No clinical flags are recorded.', style: 'body' }];
  const body: TableCell[][] = [['Flag', 'Category', 'From', 'To'].map(headerCell)];
  for (const f of input.flags)
    body.push([
      cell(f.label),
      cell(f.category),
      { text: formatShortDate(f.fromDate), noWrap: true },
      cell(f.toDate ? formatShortDate(f.toDate) : 'Ongoing'),
    ]);
  return [
    heading,
    { table: { headerRows: 1, dontBreakRows: true, widths: ['*', 120, 60, 60], body }, layout: tableLayout, style: 'table' },
  ];
}

function buildTransferSummaryDocument(input: TransferSummaryInput, options: RenderOptions = {}) {
  const arrived = arrivalText(input.plan.arrival);
  const rows: [string, string][] = [];
  if (input.practice) rows.push(['GP practice', input.practice]);
  if (arrived) rows.push(['Moved in', arrived]);
  return personDocument(
    input,
    {
      title: 'Immunisation transfer summary',
      panelRows: rows,
      footerNote: `The record held on ${formatLongDate(input.issuedOn)}, for the receiving child health service and GP. Check it against the parent-held record (red book).`,
    },
    [
      ...statusSection(input),
      ...outstandingSection(input),
      ...givenSection({ ...input, dueNext: [] }),
      ...notGivenSection({ ...input, dueNext: [] }),
      ...reactionsSection({ ...input, dueNext: [] }),
      ...(input.reactions.length === 0
        ? [sectionHeading('Reactions after vaccination'), { text: 'No reactions are recorded.', style: 'body' }]
        : []),
      ...flagsSection(input),
    ],
    options,
  );
}

export async function renderTransferSummaryPdf(input: TransferSummaryInput, options: RenderOptions = {}): Promise<Buffer> {
  return renderPdf(buildTransferSummaryDocument(input, options));
}
