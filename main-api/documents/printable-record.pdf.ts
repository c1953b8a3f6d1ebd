// A person's vaccination record as a PDF, for a parent, school or employer. Pure main-process
// code: the caller maps database rows into PrintableRecordInput; nothing here reads the database.
import type { Content, ContextPageSize, TableCell, TDocumentDefinitions } from 'pdfmake/interfaces';
import { formatNhsNumber } from '../shared/identifiers/nhs-number';
import { BASE_FAMILY, fontRuns } from '../platform/pdf/fonts';
import { renderPdf } from '../platform/pdf/render';
import { formatLongDate, formatShortDate } from '../shared/calendar/dates';
import {
  REACTION_LABELS,
  REACTION_OUTCOME_LABELS,
  SERIOUSNESS_LABELS,
  type ReactionCode,
  type ReactionOutcome,
  type Seriousness,
} from '../shared/vocabulary/reactions';
import { CAMPAIGN_STATUS_LABELS, SERIES_STATUS_LABELS, type CampaignStatus, type SeriesStatus } from '../shared/vocabulary/schedule';
import { NOT_GIVEN_REASON_LABELS, PERFORMER_HEADINGS, sourceLabel, type NotGivenReason } from '../shared/vocabulary/vaccination';

/** Given here, or reported from elsewhere and by whom. */
type RecordSource = Parameters<typeof sourceLabel>[0];

export interface PrintableRecordInput {
  issuedOn: string; // YYYY-MM-DD
  issuer: { name: string; code: string };
  person: {
    nhsNumber: string;
    givenName: string;
    familyName: string;
    dateOfBirth: string;
    addressLines: string[];
    postcode: string | null;
  };
  given: {
    date: string;
    product: string;
    antigens: string[];
    doseNumber: number | null;
    batchNumber: string | null;
    site: string | null;
    /** Who gave it: for a dose reported from elsewhere, only when the report names them. */
    performer: string | null;
    location: string | null;
    /** Where the record came from, worded by the vocabulary as on the screen. */
    source: RecordSource;
  }[];
  // Codes, not words: the document prints each in the vocabulary's words, so a code never shows.
  notGiven: { date: string; product: string | null; reason: NotGivenReason; offeredBy: string | null }[];
  reactions: {
    onset: string;
    reaction: ReactionCode;
    description: string | null;
    seriousness: Seriousness;
    outcome: ReactionOutcome;
    /** The dose it followed (its current version, after any correction). */
    vaccine: { date: string; product: string | null };
    /** Reported to the MHRA's Yellow Card scheme, with its reference when known; null when not reported. */
    yellowCard: { reference: string | null } | null;
  }[];
  /** The forecast's rows due, overdue or due within a year, most urgent first, then the seasonal campaigns open to the person. */
  dueNext: DueNextItem[];
}

/** A status is printed in its own vocabulary's words: a campaign's DUE reads 'Eligible now'. */
export type DueNextItem = {
  vaccination: string;
  alsoCountsFor: string[];
  product: string | null;
  dueDate: string | null;
  /** A caution in plain words (a clinician assesses first, or what is offered instead); null when none. */
  note: string | null;
} & ({ kind: 'SERIES'; status: SeriesStatus } | { kind: 'CAMPAIGN'; status: CampaignStatus });

export interface RenderOptions {
  /** Leave page streams uncompressed, so tests can read the drawing operators. */
  compress?: boolean;
}

const BLUE = '#005EB8';
const TEXT = '#212B32';
const GREY = '#4C6272';
const PANEL = '#F0F4F5';
const RULE = '#D8DDE0';
const STRIPE = '#F7F9FA';
const NOT_RECORDED = '–';

const PAGE_MARGINS: [number, number, number, number] = [40, 44, 40, 70];

/** User-supplied text, split into font runs so accented and non-Latin letters print. */
export function t(value: string): Content {
  const runs = fontRuns(value);
  return typeof runs === 'string' ? runs : runs.map((r) => (r.font ? { text: r.text, font: r.font } : r.text));
}

export function cell(value: string | null | undefined, extra: Record<string, unknown> = {}): TableCell {
  const v = value?.trim();
  if (!v) return { text: NOT_RECORDED, color: GREY, ...extra };
  return { text: t(v), ...extra } as TableCell;
}

export function headerCell(label: string): TableCell {
  return { text: label, bold: true, color: '#FFFFFF', fillColor: BLUE };
}

function fullName(person: PrintableRecordInput['person']): string {
  return [person.givenName.trim(), person.familyName.trim()].filter((s) => s !== '').join(' ');
}

function givenBy(g: PrintableRecordInput['given'][number]): TableCell {
  const who = g.performer?.trim();
  const where = g.location?.trim();
  if (!who && !where) return cell(null);
  const lines: Content[] = [];
  if (who) lines.push({ text: t(who) });
  if (where) lines.push({ text: t(where), color: GREY });
  return { stack: lines };
}

// Chronological order reads like the child health record; ties keep the caller's order.
function byDate<T>(rows: readonly T[], key: (row: T) => string | null): T[] {
  return rows
    .map((row, i) => ({ row, i, k: key(row) }))
    .sort((a, b) => {
      if (a.k === b.k) return a.i - b.i;
      if (a.k === null) return 1;
      if (b.k === null) return -1;
      return a.k < b.k ? -1 : 1;
    })
    .map((x) => x.row);
}

export const tableLayout = {
  hLineWidth: (i: number) => (i === 0 ? 0 : 0.5),
  vLineWidth: () => 0,
  hLineColor: () => RULE,
  paddingLeft: () => 4,
  paddingRight: () => 4,
  paddingTop: () => 3,
  paddingBottom: () => 3,
  fillColor: (row: number) => (row > 0 && row % 2 === 0 ? STRIPE : null),
};

export function sectionHeading(text: string, note?: string): Content {
  return {
    stack: [
      { text, style: 'h2' },
      ...(note ? [{ text: note, style: 'note', margin: [0, 1, 0, 0] as [number, number, number, number] }] : []),
    ],
    margin: [0, 16, 0, 6],
    headlineLevel: 1,
  };
}

// A section heading needs room for itself, the table header and a row or two below it;
// otherwise it would sit alone at the foot of a page with its table on the next.
const HEADING_ROOM = 100;

interface PageBreakNode {
  headlineLevel?: number;
  startPosition?: { verticalRatio?: number; pageInnerHeight?: number };
}

export function breakBeforeHeading(node: PageBreakNode): boolean {
  if (node.headlineLevel !== 1 || !node.startPosition) return false;
  const { verticalRatio = 0, pageInnerHeight = 0 } = node.startPosition;
  return (1 - verticalRatio) * pageInnerHeight < HEADING_ROOM;
}

export function givenSection(input: PrintableRecordInput): Content[] {
  const given = byDate(input.given, (g) => g.date);
  const heading = sectionHeading(
    'Vaccinations given',
    given.length === 0 ? undefined : `${given.length} ${given.length === 1 ? 'vaccination' : 'vaccinations'} recorded, oldest first.`,
  );
  if (given.length === 0) {
    return [heading, { text: 'No vaccinations are recorded.', style: 'body' }];
  }
  const body: TableCell[][] = [
    ['Date', 'Vaccine', 'Protects against', 'Dose', 'Batch', 'Site', `${PERFORMER_HEADINGS.GIVEN} / where`, 'Source'].map(headerCell),
  ];
  for (const g of given) {
    body.push([
      { text: formatShortDate(g.date), noWrap: true },
      cell(g.product, { bold: true }),
      cell(
        g.antigens
          .map((a) => a.trim())
          .filter((a) => a !== '')
          .join(', '),
      ),
      cell(g.doseNumber === null ? null : String(g.doseNumber), { alignment: 'center' }),
      // A batch number is read against recall notices character by character: never wrapped.
      cell(g.batchNumber, { noWrap: true }),
      cell(g.site),
      givenBy(g),
      cell(sourceLabel(g.source)),
    ]);
  }
  return [
    heading,
    {
      table: {
        headerRows: 1,
        dontBreakRows: true,
        // The batch column takes the width of its longest number ('auto' with noWrap).
        widths: [50, 74, '*', 24, 'auto', 48, '*', 62],
        body,
      },
      layout: tableLayout,
      style: 'table',
    },
    { text: `${NOT_RECORDED} means the detail was not recorded.`, style: 'note', margin: [0, 4, 0, 0] },
  ];
}

export function notGivenSection(input: PrintableRecordInput): Content[] {
  if (input.notGiven.length === 0) return [];
  const body: TableCell[][] = [['Date', 'Vaccine', 'Reason', PERFORMER_HEADINGS.NOT_GIVEN].map(headerCell)];
  for (const n of byDate(input.notGiven, (r) => r.date)) {
    body.push([
      { text: formatShortDate(n.date), noWrap: true },
      cell(n.product),
      cell(NOT_GIVEN_REASON_LABELS[n.reason]),
      cell(n.offeredBy),
    ]);
  }
  return [
    sectionHeading('Vaccinations not given', 'Occasions when a vaccination was offered or due but was not given.'),
    { table: { headerRows: 1, dontBreakRows: true, widths: [50, 140, '*', 120], body }, layout: tableLayout, style: 'table' },
  ];
}

/** The kind of reaction, then what the reporter wrote about it, if anything. */
function reactionText(r: Pick<PrintableRecordInput['reactions'][number], 'reaction' | 'description'>): string {
  const detail = r.description?.trim();
  return detail ? `${REACTION_LABELS[r.reaction]}: ${detail}` : REACTION_LABELS[r.reaction];
}

function afterVaccine(v: PrintableRecordInput['reactions'][number]['vaccine']): TableCell {
  const product = v.product?.trim();
  return {
    stack: [
      product ? { text: t(product) } : { text: NOT_RECORDED, color: GREY },
      { text: `given ${formatShortDate(v.date)}`, color: GREY, noWrap: true },
    ],
  };
}

// A Yellow Card reference is quoted to the MHRA as written, so like a batch number it stays whole.
function yellowCard(y: PrintableRecordInput['reactions'][number]['yellowCard']): TableCell {
  if (!y) return cell('Not reported');
  const ref = y.reference?.trim();
  return ref ? { stack: ['Reported', { text: t(ref), noWrap: true }] } : cell('Reported');
}

export function reactionsSection(input: PrintableRecordInput): Content[] {
  if (input.reactions.length === 0) return [];
  const body: TableCell[][] = [['Onset', 'After', 'Reaction', 'How serious', 'Outcome', 'Yellow Card'].map(headerCell)];
  for (const r of byDate(input.reactions, (x) => x.onset)) {
    body.push([
      { text: formatShortDate(r.onset), noWrap: true },
      afterVaccine(r.vaccine),
      cell(reactionText(r)),
      cell(SERIOUSNESS_LABELS[r.seriousness]),
      cell(REACTION_OUTCOME_LABELS[r.outcome]),
      yellowCard(r.yellowCard),
    ]);
  }
  return [
    sectionHeading('Reactions after vaccination', 'Every reaction recorded after a vaccination, oldest first.'),
    {
      table: { headerRows: 1, dontBreakRows: true, widths: [50, 80, '*', 70, 70, 'auto'], body },
      layout: tableLayout,
      style: 'table',
    },
  ];
}

function dueSection(input: PrintableRecordInput): Content[] {
  if (input.dueNext.length === 0) return [];
  const body: TableCell[][] = [['Vaccination', 'Vaccine offered', 'Due date', 'Status'].map(headerCell)];
  // In the forecast's order (overdue, due, then upcoming by date), as on the screen.
  for (const d of input.dueNext) {
    const also = d.alsoCountsFor.length ? [{ text: t(`Also counts for: ${d.alsoCountsFor.join(', ')}`), color: GREY }] : [];
    const note = d.note ? [{ text: t(d.note), bold: true }] : [];
    body.push([
      { stack: [{ text: t(d.vaccination) }, ...also, ...note] },
      cell(d.product),
      d.dueDate ? { text: formatLongDate(d.dueDate), noWrap: true } : cell(null),
      cell(d.kind === 'SERIES' ? SERIES_STATUS_LABELS[d.status] : CAMPAIGN_STATUS_LABELS[d.status]),
    ]);
  }
  return [
    sectionHeading(
      'Due next',
      `Based on the records above on ${formatLongDate(input.issuedOn)}: what is due or overdue, what a clinician must assess first, what falls due within a year, and the seasonal vaccinations offered.`,
    ),
    { table: { headerRows: 1, dontBreakRows: true, widths: ['*', 90, 90, 80], body }, layout: tableLayout, style: 'table' },
  ];
}

function personPanel(input: DocumentHead, extra: [string, string][] = []): Content {
  const p = input.person;
  const address = [...p.addressLines, p.postcode ?? ''].map((l) => l.trim()).filter((l) => l !== '');
  const label = (text: string): TableCell => ({ text, style: 'label' });
  const rows: TableCell[][] = [
    [label('Name'), { text: t(fullName(p)), bold: true, fontSize: 13 }],
    [label('Date of birth'), { text: formatLongDate(p.dateOfBirth), bold: true }],
    [label('NHS number'), { text: formatNhsNumber(p.nhsNumber), bold: true }],
    [label('Address'), address.length === 0 ? cell(null) : { stack: address.map((l) => ({ text: t(l) })) }],
    ...extra.map(([k, v]): TableCell[] => [label(k), cell(v)]),
  ];
  return {
    table: { widths: [90, '*'], body: rows },
    layout: {
      hLineWidth: () => 0,
      vLineWidth: (i: number) => (i === 0 ? 3 : 0),
      vLineColor: () => BLUE,
      fillColor: () => PANEL,
      paddingLeft: (i: number) => (i === 0 ? 10 : 4),
      paddingRight: () => 6,
      paddingTop: (i: number) => (i === 0 ? 8 : 2),
      paddingBottom: (i: number, node: { table: { body: unknown[] } }) => (i === node.table.body.length - 1 ? 8 : 2),
    },
    margin: [0, 10, 0, 0],
  };
}

function masthead(input: DocumentHead, title: string): Content[] {
  return [
    {
      columns: [
        {
          width: '*',
          stack: [
            { text: t(input.issuer.name), bold: true, fontSize: 12 },
            { text: ['ODS code ', { text: t(input.issuer.code) }], color: GREY, fontSize: 9, margin: [0, 2, 0, 0] },
          ],
        },
        {
          width: 'auto',
          alignment: 'right',
          stack: [
            { text: 'Date issued', color: GREY, fontSize: 9 },
            { text: formatLongDate(input.issuedOn), bold: true, fontSize: 11, margin: [0, 2, 0, 0] },
          ],
        },
      ],
    },
    { canvas: [{ type: 'line', x1: 0, y1: 0, x2: 515, y2: 0, lineWidth: 2, lineColor: BLUE }], margin: [0, 8, 0, 0] },
    { text: title, style: 'title' },
  ];
}

/** What every person's document starts with: who issues it, when, and whose it is. */
export type DocumentHead = Pick<PrintableRecordInput, 'issuedOn' | 'issuer' | 'person'>;

/** The pdfmake document for a record; pure, so its content can be checked without rendering. */
export function buildRecordDocument(input: PrintableRecordInput, options: RenderOptions = {}): TDocumentDefinitions {
  return personDocument(
    input,
    { title: 'Vaccination record' },
    [...givenSection(input), ...notGivenSection(input), ...reactionsSection(input), ...dueSection(input)],
    options,
  );
}

/**
 * A document about one person, in the record's layout: masthead, the person's panel (with any
 * extra rows), the given sections, and on every page the running header and footer naming them.
 */
export function personDocument(
  input: DocumentHead,
  head: { title: string; panelRows?: [string, string][]; footerNote?: string },
  sections: Content[],
  options: RenderOptions = {},
): TDocumentDefinitions {
  const title = head.title;
  const issued = formatLongDate(input.issuedOn);
  const name = fullName(input.person);
  const nhs = formatNhsNumber(input.person.nhsNumber);
  const orgLabel = `${input.issuer.name} (${input.issuer.code})`;

  // Pages of a long record can be separated, so every page after the first says whose it is.
  const header = (currentPage: number): Content | null =>
    currentPage === 1
      ? null
      : {
          columns: [
            { text: [`${title}: `, { text: t(name), bold: true }, `, NHS number ${nhs}`], width: '*' },
            { text: `Issued ${issued}`, width: 'auto', alignment: 'right' },
          ],
          fontSize: 8,
          color: GREY,
          margin: [PAGE_MARGINS[0], 20, PAGE_MARGINS[2], 0],
        };

  const footer = (currentPage: number, pageCount: number, pageSize: ContextPageSize): Content => ({
    margin: [PAGE_MARGINS[0], 14, PAGE_MARGINS[2], 0],
    stack: [
      {
        canvas: [
          { type: 'line', x1: 0, y1: 0, x2: pageSize.width - PAGE_MARGINS[0] - PAGE_MARGINS[2], y2: 0, lineWidth: 0.5, lineColor: RULE },
        ],
      },
      {
        margin: [0, 5, 0, 0],
        columns: [
          {
            width: '*',
            fontSize: 7.5,
            color: GREY,
            stack: [
              { text: ['Produced by the Immunisation Management System on ', issued, ' for ', { text: t(orgLabel) }, '.'] },
              {
                text:
                  head.footerNote ??
                  `It reflects the records held on ${issued}; vaccinations given elsewhere and not reported here may not be shown.`,
                margin: [0, 1, 0, 0],
              },
            ],
          },
          { width: 55, text: `Page ${currentPage} of ${pageCount}`, alignment: 'right', fontSize: 8, bold: true, color: TEXT },
        ],
        columnGap: 10,
      },
    ],
  });

  return {
    pageSize: 'A4',
    pageOrientation: 'portrait',
    pageMargins: PAGE_MARGINS,
    compress: options.compress ?? true,
    language: 'en-GB',
    info: {
      title: `${title}: ${name}`,
      author: input.issuer.name,
      subject: `${title} for NHS number ${nhs}, issued ${issued}`,
      creator: 'Immunisation Management System',
      producer: 'Immunisation Management System',
    },
    header,
    footer,
    pageBreakBefore: (node) => breakBeforeHeading(node as PageBreakNode),
    content: [...masthead(input, title), personPanel(input, head.panelRows), ...sections],
    defaultStyle: { font: BASE_FAMILY, fontSize: 10, color: TEXT, lineHeight: 1.15 },
    styles: {
      title: { fontSize: 22, bold: true, color: TEXT, margin: [0, 14, 0, 0] },
      h2: { fontSize: 13, bold: true, color: BLUE },
      label: { fontSize: 9, color: GREY, margin: [0, 1, 0, 0] },
      note: { fontSize: 8, color: GREY },
      body: { fontSize: 10 },
      table: { fontSize: 8, lineHeight: 1.1 },
    },
  };
}

export async function renderVaccinationRecordPdf(input: PrintableRecordInput, options: RenderOptions = {}): Promise<Buffer> {
  return renderPdf(buildRecordDocument(input, options));
}
