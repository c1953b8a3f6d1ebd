// Letters as PDF: A4 portrait with the postal address where GOV.UK Notify's precompiled-letter
// specification puts it (so the same page fits a window envelope and passes Notify's checks),
// the organisation's letterhead and logo, the embedded Arimo font, page numbers on letters of
// more than one page, and a large-print variant. Many letters go in one document (a mailing
// house's file), each starting on a new page; the page each starts on is read back from the
// layout so that page numbers count within a letter and the manifest can point at it.
// Pure main-process code: nothing here reads the database.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Content, TDocumentDefinitions } from 'pdfmake/interfaces';
import { BASE_FAMILY, fontRuns } from '../platform/pdf/fonts';
import { renderPdf } from '../platform/pdf/render';
import { resourcesDir } from '../platform/paths';
import { formatLongDate, formatLongDateWelsh } from '../shared/calendar/dates';
import { formatNhsNumber } from '../shared/identifiers/nhs-number';
import type { LetterLanguage } from '../shared/vocabulary/letters';
import { LETTER_WORDS } from './letter.rules';

/** Millimetres to PDF points. */
export const mm = (v: number): number => (v * 72) / 25.4;

/**
 * Notify's precompiled letter, in millimetres: A4 portrait; nothing printed within 15 mm of the
 * left and right edges or 5 mm of the top and bottom; the address block 24.6 mm from the left and
 * 39.5 mm from the top, 95.4 mm by 26.8 mm; the body no higher than 95 mm from the top on page 1.
 */
export const PRECOMPILED = {
  page: { width: 210, height: 297 },
  margin: { side: 15, topBottom: 5 },
  address: { left: 24.6, top: 39.5, width: 95.4, height: 26.8 },
  bodyTop: 95,
} as const;

// This product's margins sit inside Notify's: body text 20 mm from each side, the footer's page
// number 10 mm above the bottom edge.
const MARGIN = { left: 20, right: 20, top: 15, bottom: 18 };
const LOGO_SIZE = 18;

const BLUE = '#005EB8';
const TEXT = '#212B32';
const GREY = '#4C6272';

export interface LetterToDraw {
  /** The person's NHS number (printed in the reference block). */
  nhsNumber: string;
  /** Checked address block lines (letter.rules addressBlock). */
  address: string[];
  language: LetterLanguage;
  largePrint: boolean;
  /** The merged heading, if any, and body (blank lines between paragraphs; '# ' headings, '* ' bullets). */
  subject: string | null;
  body: string;
  /** The letter's date, YYYY-MM-DD. */
  date: string;
}

export interface Letterhead {
  organisationName: string;
}

export interface LetterPlacement {
  /** Page of the file the letter starts on (1-based). */
  firstPage: number;
  pages: number;
}

let logoDataUrl: string | null = null;

/** The letterhead mark (resources/letters/logo.png), read once. */
function logo(): string {
  logoDataUrl ??= `data:image/png;base64,${readFileSync(join(resourcesDir(), 'letters', 'logo.png')).toString('base64')}`;
  return logoDataUrl;
}

const t = (s: string) => fontRuns(s);

/** The body's blocks: '# ' headings, runs of '* ' or '- ' lines as bullets, other blocks as paragraphs. */
function bodyContent(body: string, large: boolean): Content[] {
  const out: Content[] = [];
  for (const block of body.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/)) {
    const text = block.trim();
    if (text === '') continue;
    if (text.startsWith('# ')) {
      out.push({ text: t(text.slice(2).trim()), bold: true, fontSize: large ? 19 : 13, margin: [0, 6, 0, 4] });
      continue;
    }
    const lines = text.split('\n');
    if (lines.every((l) => /^\s*[*-] /.test(l))) {
      out.push({ ul: lines.map((l) => ({ text: t(l.replace(/^\s*[*-] /, '')) })), margin: [0, 0, 0, large ? 10 : 7] });
      continue;
    }
    out.push({ text: t(lines.join('\n')), margin: [0, 0, 0, large ? 10 : 7] });
  }
  return out;
}

/** Content placed at a point and kept within a width (an absolutely placed node is not, by itself). */
function boxed(x: number, y: number, width: number, content: Content): Content {
  return { absolutePosition: { x, y }, columns: [{ width, stack: [content] }] } as Content;
}

function oneLetter(letter: LetterToDraw, head: Letterhead, last: boolean, firstNodes: object[]): Content[] {
  const words = LETTER_WORDS[letter.language];
  const date = letter.language === 'cy' ? formatLongDateWelsh(letter.date) : formatLongDate(letter.date);
  const infoSize = letter.largePrint ? 12 : 9.5;
  const first = bodyContent(letter.body, letter.largePrint);
  const heading: Content[] = letter.subject
    ? [{ text: t(letter.subject), bold: true, fontSize: letter.largePrint ? 21 : 14, color: TEXT, margin: [0, 0, 0, 8] }]
    : [];
  const flow = [...heading, ...first, { text: t(head.organisationName), bold: true, margin: [0, 6, 0, 0] } as Content];
  // The first flow node starts the letter: the layout writes where it landed on it (read back for
  // page numbers); its top margin puts the body at Notify's 95 mm. The last ends the page, so the
  // next letter starts on a new one.
  const top = mm(PRECOMPILED.bodyTop + 1 - MARGIN.top); // 1 mm clear of the line, for the glyphs' ascent
  const firstNode = flow[0] as Content & { margin?: number[] };
  const m = firstNode.margin ?? [0, 0, 0, 0];
  Object.assign(firstNode, { margin: [m[0], top, m[2], m[3]] });
  firstNodes.push(firstNode);
  if (!last) Object.assign(flow[flow.length - 1] as object, { pageBreak: 'after' });

  return [
    // Letterhead: the organisation beside its mark, top right.
    { image: 'logo', width: mm(LOGO_SIZE), height: mm(LOGO_SIZE), absolutePosition: { x: mm(210 - MARGIN.right - LOGO_SIZE), y: mm(10) } },
    boxed(mm(100), mm(12), mm(210 - MARGIN.right - LOGO_SIZE - 4 - 100), {
      text: t(head.organisationName),
      alignment: 'right',
      bold: true,
      fontSize: 12,
      color: BLUE,
    }),
    // The postal address, alone in Notify's address block (fixed size: it must fit 7 lines).
    boxed(mm(PRECOMPILED.address.left), mm(PRECOMPILED.address.top), mm(PRECOMPILED.address.width), {
      stack: letter.address.map((line) => ({ text: t(line) })),
      fontSize: 9.5,
      lineHeight: 1,
      color: '#000000',
    }),
    // Date and reference, right of the address block.
    boxed(mm(130), mm(PRECOMPILED.address.top), mm(210 - MARGIN.right - 130), {
      fontSize: infoSize,
      color: TEXT,
      stack: [
        { text: [{ text: `${words.date}: `, color: GREY }, date] },
        { text: [{ text: `${words.nhsNumber}: `, color: GREY }, formatNhsNumber(letter.nhsNumber)], margin: [0, 2, 0, 0] },
      ],
    }),
    {
      stack: flow,
      fontSize: letter.largePrint ? 16 : 11,
      lineHeight: letter.largePrint ? 1.3 : 1.2,
    },
  ];
}

interface LettersDocument {
  doc: TDocumentDefinitions;
  /** After the document is laid out: the page each letter starts on. */
  starts: () => number[];
}

/** The page a laid-out node starts on: pdfmake records each node's positions on the node itself. */
function pageOf(node: object): number {
  return (node as { positions?: { pageNumber: number }[] }).positions?.[0]?.pageNumber ?? 0;
}

function buildLettersDocument(letters: readonly LetterToDraw[], head: Letterhead, options: { compress?: boolean } = {}): LettersDocument {
  const firstNodes: object[] = [];
  const content = letters.flatMap((l, i) => oneLetter(l, head, i === letters.length - 1, firstNodes));
  // Footers are laid out after the body, so by then every letter's first node knows its page.
  const startsNow = (): number[] => firstNodes.map(pageOf);
  let cached: number[] | null = null;
  const startOf = (page: number, starts: number[]): number => {
    // The last letter starting at or before the page (starts ascend).
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= page) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const doc: TDocumentDefinitions = {
    pageSize: 'A4',
    pageOrientation: 'portrait',
    pageMargins: [mm(MARGIN.left), mm(MARGIN.top), mm(MARGIN.right), mm(MARGIN.bottom)],
    compress: options.compress ?? true,
    language: letters[0]?.language === 'cy' ? 'cy' : 'en-GB',
    info: {
      title: `Letters from ${head.organisationName}`,
      author: head.organisationName,
      creator: 'Immunisation Management System',
      producer: 'Immunisation Management System',
    },
    images: { logo: logo() },
    footer: (currentPage, pageCount) => {
      if (currentPage === 1 || cached === null) cached = startsNow();
      const starts = cached;
      const i = startOf(currentPage, starts);
      const first = starts[i] ?? 1;
      const pages = (i + 1 < starts.length ? (starts[i + 1] ?? pageCount + 1) : pageCount + 1) - first;
      const letter = letters[i];
      if (!letter || pages <= 1) return null;
      return {
        text: LETTER_WORDS[letter.language].page(currentPage - first + 1, pages),
        alignment: 'right',
        fontSize: letter.largePrint ? 14 : 9,
        color: GREY,
        margin: [mm(MARGIN.left), mm(6), mm(MARGIN.right), 0],
      };
    },
    content,
    defaultStyle: { font: BASE_FAMILY, fontSize: 11, color: TEXT },
  };
  return { doc, starts: () => firstNodes.map(pageOf) };
}

/** Draws letters into one PDF and answers where each starts and how many pages it has. */
export async function renderLetters(
  letters: readonly LetterToDraw[],
  head: Letterhead,
  options: { compress?: boolean } = {},
): Promise<{ pdf: Buffer; placements: LetterPlacement[]; pageCount: number }> {
  const built = buildLettersDocument(letters, head, options);
  const pdf = await renderPdf(built.doc);
  const starts = built.starts();
  const pageCount = countPages(pdf);
  const placements = starts.map((first, i) => ({
    firstPage: first,
    pages: (i + 1 < starts.length ? (starts[i + 1] ?? 0) : pageCount + 1) - first,
  }));
  return { pdf, placements, pageCount };
}

/** Pages in a PDF this module made (its page tree's count). */
export function countPages(pdf: Buffer): number {
  const m = /\/Type \/Pages\b[\s\S]*?\/Count (\d+)/.exec(pdf.toString('latin1'));
  return m ? Number(m[1]) : 0;
}
