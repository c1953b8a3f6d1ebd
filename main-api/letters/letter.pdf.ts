// Letters as PDF: A4 portrait with the postal address where GOV.UK Notify's precompiled-letter
// specification puts it (so the same page fits a window envelope and passes Notify's checks),
// the organisation's letterhead and logo, the embedded Arimo font, page numbers on letters of
// more than one page, and a large-print variant. Many letters go in one document (a mailing
// house's file), each starting on a new page.
//
// Drawn with the PDF engine (pdfkit) directly rather than through a layout engine: a letter is
// laid out first (lines wrapped from cached word widths, then cut into pages), so its page count
// is known before it is drawn and its page numbers are written as it goes. One document holds the
// whole file: each font is embedded (subset) and the logo stored once per file, and each letter
// adds only its pages' text. Pure main-process code: nothing here reads the database.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync, type ZlibOptions } from 'node:zlib';
import PDFDocument from 'pdfkit';
import { BASE_FAMILY, fontFileOf, fontFiles, fontRuns } from '../platform/pdf/fonts';
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

// This product's margins sit inside Notify's: body text 20 mm from each side, 15 mm from the top
// and 18 mm from the bottom; the page number 12 mm above the bottom edge.
const MARGIN = { left: 20, right: 20, top: 15, bottom: 18 };
const LOGO_SIZE = 18;
const PAGE_W = mm(PRECOMPILED.page.width);
const PAGE_H = mm(PRECOMPILED.page.height);
const BODY_X = mm(MARGIN.left);
const BODY_W = PAGE_W - mm(MARGIN.left) - mm(MARGIN.right);
const BODY_BOTTOM = PAGE_H - mm(MARGIN.bottom);
/** Page 1's body starts 1 mm below Notify's line, clear of it with the glyphs' ascent. */
const FIRST_BODY_TOP = mm(PRECOMPILED.bodyTop + 1);
const NEXT_BODY_TOP = mm(MARGIN.top);

const BLUE = '#005EB8';
const TEXT = '#212B32';
const GREY = '#4C6272';
const BLACK = '#000000';

// Arimo's vertical metrics (2048 units to the em): ascender 1854, descender 434. A line is the
// glyphs' full height times the style's line spacing; the baseline sits an ascent below its top.
const ASCENT = 1854 / 2048;
const FONT_LINE = (1854 + 434) / 2048;

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

let logoBytes: Buffer | null = null;

/** The letterhead mark (resources/letters/logo.png), read once. */
function logo(): Buffer {
  logoBytes ??= readFileSync(join(resourcesDir(), 'letters', 'logo.png'));
  return logoBytes;
}

interface PngImageLike {
  imgData: Buffer | null;
  alphaChannel?: Buffer;
  splitAlphaChannel(): void;
  finalize(): void;
}

/** The logo's colour and transparency, deflated, once the engine has split them (once a thread). */
let logoParts: { imgData: Buffer; alpha: Buffer } | null = null;

/**
 * The logo as an image of the document. The engine splits a PNG's transparency from its colour
 * for each document (inflating and deflating the picture again); the parts of the first are kept
 * and given to the next.
 */
function logoFor(doc: PDFKit.PDFDocument): unknown {
  const image = (doc as unknown as { openImage(src: Buffer): PngImageLike }).openImage(logo());
  const parts = logoParts;
  if (parts) {
    image.splitAlphaChannel = function (this: PngImageLike) {
      this.imgData = parts.imgData;
      this.alphaChannel = parts.alpha;
      this.finalize();
    };
  } else {
    const finalize = image.finalize.bind(image);
    image.finalize = () => {
      if (image.imgData && image.alphaChannel) logoParts ??= { imgData: image.imgData, alpha: image.alphaChannel };
      finalize();
    };
  }
  return image;
}

/** A word shaped in a face: its glyphs (ids in the font file), their advances and kerning (1/1000 em). */
interface Shaped {
  ids: number[];
  advances: number[];
  kerns: number[];
  codePoints: number[][];
}

const shapedWords = new Map<string, Map<string, Shaped>>();

interface ParsedFont {
  unitsPerEm: number;
  glyphForCodePoint(cp: number): { id: number; advanceWidth: number };
}

const plainGlyphs = new Map<string, Map<number, { id: number; advance: number }>>();

/** A printable ASCII character's glyph and advance (1/1000 em) in a face. */
function plainGlyph(face: string, font: EmbeddedFontLike, cp: number): { id: number; advance: number } {
  let known = plainGlyphs.get(face);
  if (!known) plainGlyphs.set(face, (known = new Map()));
  let g = known.get(cp);
  if (!g) {
    const parsed = font.font as ParsedFont;
    const glyph = parsed.glyphForCodePoint(cp);
    g = { id: glyph.id, advance: (glyph.advanceWidth * 1000) / parsed.unitsPerEm };
    known.set(cp, g);
  }
  return g;
}

/**
 * A word shaped once per thread (the engine would shape it again in every document). Words of
 * printable ASCII, nearly every word of an English letter, are set glyph by glyph from the
 * character map, without kerning (as word processors set text by default): shaping each new name
 * and number was a fifth of a letter's time. Other words go through the font's shaping.
 */
function shape(face: string, font: EmbeddedFontLike, word: string): Shaped {
  let known = shapedWords.get(face);
  if (!known) shapedWords.set(face, (known = new Map()));
  let s = known.get(word);
  if (!s) {
    if (known.size >= WIDTHS_KEPT) known.clear();
    if (/^[\x20-\x7e]*$/.test(word)) {
      s = { ids: [], advances: [], kerns: [], codePoints: [] };
      for (let i = 0; i < word.length; i++) {
        const cp = word.charCodeAt(i);
        const g = plainGlyph(face, font, cp);
        s.ids.push(g.id);
        s.advances.push(g.advance);
        s.kerns.push(0);
        s.codePoints.push([cp]);
      }
      known.set(word, s);
      return s;
    }
    const run = font.layoutRun(word);
    s = {
      ids: run.glyphs.map((g) => g.id),
      advances: run.positions.map((p) => p.advanceWidth),
      kerns: run.positions.map((p) => p.xAdvance - p.advanceWidth),
      codePoints: run.glyphs.map((g) => g.codePoints),
    };
    known.set(word, s);
  }
  return s;
}

// ---- Measuring ---------------------------------------------------------------------------------

interface Piece {
  text: string;
  family: string;
}

/** A run of text in one font, placed on its line (x from the line's left). */
interface Segment extends Piece {
  x: number;
}

interface Style {
  size: number;
  bold: boolean;
  color: string;
}

/** Widths at 1 pt of words already measured, per font face (the same for every document). */
const widths = new Map<string, Map<string, number>>();
const WIDTHS_KEPT = 50_000;

interface FontLike {
  widthOfString(text: string, size: number): number;
}

interface EmbeddedFontLike extends FontLike {
  id: string;
  /** The parsed font file. */
  font: unknown;
  ref(): unknown;
  layoutRun(text: string): {
    glyphs: { id: number; codePoints: number[] }[];
    positions: { xAdvance: number; advanceWidth: number }[];
  };
  subset: { includeGlyph(id: number): number };
  widths: number[];
  unicode: number[][];
}

type EmbeddedFontClass = new (doc: PDFKit.PDFDocument, parsed: unknown, id: string) => EmbeddedFontLike;

/** Each font file parsed once per thread, with the engine's class for a document's use of it. */
const parsedFaces = new Map<string, { Font: EmbeddedFontClass; parsed: unknown }>();

/** What the drawing below reaches inside the PDF engine's document. */
interface PdfKitInternals {
  _font: EmbeddedFontLike;
  _fontFamilies: Record<string, EmbeddedFontLike>;
  _fontCount: number;
  page?: { fonts: Record<string, unknown>; content: { buffer: Buffer[]; compress: boolean; data: { Filter?: string } } };
  addContent(data: string): void;
}

/**
 * A page's content is deflated with a small window: the engine's default (zlib's 32 KB window,
 * level 6) spends most of its time setting up for a stream of a few kilobytes, a third of the
 * time of the whole letter; this takes a tenth of that, for a file about a seventh larger.
 */
const PAGE_DEFLATE: ZlibOptions = { level: 1, windowBits: 11, memLevel: 5 };

/** A number as the PDF engine writes one (at most two decimals). */
const num = (v: number): string => String(Math.round(v * 100) / 100);

const rgbs = new Map<string, string>();
/** '#RRGGBB' as the three fractions of a PDF colour operator. */
function rgb(hex: string): string {
  let c = rgbs.get(hex);
  if (!c) {
    c = [1, 3, 5].map((i) => num(parseInt(hex.slice(i, i + 2), 16) / 255)).join(' ');
    rgbs.set(hex, c);
  }
  return c;
}

/** The file's document and the faces it has opened. */
class Sheet {
  readonly doc: PDFKit.PDFDocument;
  private readonly faces = new Set<string>();
  private logoImage: unknown = null;
  private face = '';
  private size = 0;
  private color = '';

  constructor(
    doc: PDFKit.PDFDocument,
    private readonly compress: boolean,
  ) {
    this.doc = doc;
  }

  /** Compresses the page being drawn, before the engine writes it out (at the next page or the end). */
  seal(): void {
    const content = (this.doc as unknown as PdfKitInternals).page?.content;
    if (!this.compress || !content || content.buffer.length === 0) return;
    content.buffer = [deflateSync(Buffer.concat(content.buffer), PAGE_DEFLATE)];
    content.compress = false;
    content.data.Filter = 'FlateDecode';
  }

  addPage(): void {
    this.seal();
    this.doc.addPage({ size: 'A4', layout: 'portrait', margin: 0 });
  }

  /**
   * Makes a face current, added to the document the first time it is used. The parsed font
   * (glyphs, shaping tables) is shared by every document of this thread; each document keeps its
   * own subset of it, so a document of one letter costs no parsing of the font.
   */
  use(family: string, bold: boolean, size: number): void {
    const key = fontFileOf(family, bold);
    if (this.face !== key) {
      if (!this.faces.has(key)) {
        this.faces.add(key);
        this.doc.registerFont(key, fontFiles.readFileSync(key));
        const known = parsedFaces.get(key);
        const doc = this.doc as unknown as PdfKitInternals;
        if (known) doc._fontFamilies[key] = new known.Font(this.doc, known.parsed, `F${++doc._fontCount}`);
      }
      this.doc.font(key);
      this.face = key;
      if (!parsedFaces.has(key)) {
        const font = (this.doc as unknown as PdfKitInternals)._font;
        parsedFaces.set(key, { Font: font.constructor as EmbeddedFontClass, parsed: font.font });
      }
    }
    if (this.size !== size) {
      this.doc.fontSize(size);
      this.size = size;
    }
  }

  fill(color: string): void {
    if (this.color !== color) {
      this.doc.fillColor(color);
      this.color = color;
    }
  }

  width(piece: Piece, bold: boolean): number {
    const key = fontFileOf(piece.family, bold);
    let known = widths.get(key);
    if (!known) widths.set(key, (known = new Map()));
    let w = known.get(piece.text);
    if (w === undefined) {
      // Names and numbers make most words new: the cache is let go now and then, not grown for ever.
      if (known.size >= WIDTHS_KEPT) known.clear();
      this.use(piece.family, bold, this.size || 10);
      const shaped = shape(key, (this.doc as unknown as PdfKitInternals)._font, piece.text);
      w = 0;
      for (let i = 0; i < shaped.ids.length; i++) w += shaped.advances[i]! + shaped.kerns[i]!;
      w /= 1000;
      known.set(piece.text, w);
    }
    return w;
  }

  /**
   * Writes a line's runs (baselines at y) as one text object. Each word is encoded once per file
   * through the font (which records the glyph for the embedded subset and the text map) and kept
   * as its TJ operand, kerning included, so a letter only joins words already known.
   */
  drawLine(x: number, baseline: number, segments: readonly Segment[], style: Style): void {
    const doc = this.doc as unknown as PdfKitInternals;
    // One text object a run, as the engine writes its own: the page's drawing space is flipped
    // (y down), so each line is drawn in the PDF's own (y up) and the state restored after.
    const page = doc.page;
    if (!page) throw new Error('A letter line drawn before its page.');
    const ops = [`q\n1 0 0 -1 0 ${num(PAGE_H)} cm\n${rgb(style.color)} rg`];
    for (const seg of segments) {
      this.use(seg.family, style.bold, style.size);
      const font = doc._font;
      page.fonts[font.id] ??= font.ref();
      ops.push('BT', `1 0 0 1 ${num(x + seg.x)} ${num(PAGE_H - baseline)} Tm`, `/${font.id} ${num(style.size)} Tf`);
      ops.push(`[${this.runCode(font, seg.text)}] TJ`, 'ET');
    }
    ops.push('Q');
    doc.addContent(ops.join('\n'));
  }

  private readonly codes = new Map<string, Map<string, string>>();
  private readonly runCodes = new Map<string, string>();

  /** A run's TJ operand (the same line of a template recurs in every letter of the file). */
  private runCode(font: EmbeddedFontLike, text: string): string {
    const key = `${font.id}\u0000${text}`;
    let c = this.runCodes.get(key);
    if (c === undefined) {
      const codes: string[] = [];
      const words = text.split(' ');
      for (let i = 0; i < words.length; i++) {
        if (i > 0) codes.push(this.code(font, ' '));
        if (words[i] !== '') codes.push(this.code(font, words[i]!));
      }
      c = codes.join(' ');
      if (this.runCodes.size >= WIDTHS_KEPT) this.runCodes.clear();
      this.runCodes.set(key, c);
    }
    return c;
  }

  /** A word's TJ operand in a font of this document: glyph ids in hex, kerning between them. */
  private code(font: EmbeddedFontLike, word: string): string {
    let known = this.codes.get(font.id);
    if (!known) this.codes.set(font.id, (known = new Map()));
    let c = known.get(word);
    if (c === undefined) {
      const shaped = shape(this.face, font, word);
      let hex = '';
      const parts: string[] = [];
      for (let i = 0; i < shaped.ids.length; i++) {
        // The glyph joins this document's subset of the font, with its width and its text.
        const gid = font.subset.includeGlyph(shaped.ids[i]!);
        font.widths[gid] ??= shaped.advances[i]!;
        font.unicode[gid] ??= shaped.codePoints[i]!;
        hex += `000${gid.toString(16)}`.slice(-4);
        const kern = shaped.kerns[i]!;
        if (kern !== 0 && i < shaped.ids.length - 1) {
          parts.push(`<${hex}> ${num(-kern)}`);
          hex = '';
        }
      }
      if (hex !== '') parts.push(`<${hex}>`);
      c = parts.join(' ');
      known.set(word, c);
    }
    return c;
  }

  drawLogo(x: number, y: number, size: number): void {
    // Opened once per document: its image object is written once and each page refers to it.
    this.logoImage ??= logoFor(this.doc);
    this.doc.image(this.logoImage as Buffer, x, y, { width: size, height: size });
  }
}

/** Text split into the Arimo subset files that can draw it. */
function pieces(text: string): Piece[] {
  const runs = fontRuns(text);
  if (typeof runs === 'string') return [{ text: runs, family: BASE_FAMILY }];
  return runs.map((r) => ({ text: r.text, family: r.font ?? BASE_FAMILY }));
}

interface Word {
  pieces: Piece[];
  width: number;
}

/** The words of a line of text (spaces are always in the base font, so words split only there). */
function wordsOf(sheet: Sheet, text: string, bold: boolean, size: number): Word[] {
  const out: Word[] = [];
  let current: Piece[] = [];
  const flush = () => {
    if (current.length === 0) return;
    out.push({ pieces: current, width: current.reduce((s, p) => s + sheet.width(p, bold) * size, 0) });
    current = [];
  };
  for (const p of pieces(text)) {
    if (p.family !== BASE_FAMILY) {
      current.push(p);
      continue;
    }
    const parts = p.text.split(' ');
    parts.forEach((part, i) => {
      if (i > 0) flush();
      if (part !== '') current.push({ text: part, family: p.family });
    });
  }
  flush();
  return out;
}

/** A word too wide for any line, cut into pieces that fit (by characters). */
function cutWord(sheet: Sheet, word: Word, bold: boolean, size: number, width: number): Word[] {
  const out: Word[] = [];
  let current: Piece[] = [];
  let w = 0;
  for (const p of word.pieces) {
    for (const ch of p.text) {
      const cw = sheet.width({ text: ch, family: p.family }, bold) * size;
      if (w + cw > width && current.length > 0) {
        out.push({ pieces: current, width: w });
        current = [];
        w = 0;
      }
      const last = current[current.length - 1];
      if (last && last.family === p.family) last.text += ch;
      else current.push({ text: ch, family: p.family });
      w += cw;
    }
  }
  if (current.length > 0) out.push({ pieces: current, width: w });
  return out;
}

/** Wraps text to a width: each line as its runs, neighbours in one font joined with their spaces. */
type Wrapped = readonly { readonly segments: readonly Segment[]; readonly width: number }[];

/** Paragraphs already wrapped (a template's paragraphs without merge fields recur in every letter). */
const wrapped = new Map<string, Wrapped>();
const PARAGRAPHS_KEPT = 2_000;

function wrap(sheet: Sheet, text: string, style: Style, width: number): Wrapped {
  const key = `${style.size}|${style.bold ? 1 : 0}|${width}|${text}`;
  let lines = wrapped.get(key);
  if (!lines) {
    lines = wrapAnew(sheet, text, style, width);
    if (wrapped.size >= PARAGRAPHS_KEPT) wrapped.clear();
    wrapped.set(key, lines);
  }
  return lines;
}

function wrapAnew(sheet: Sheet, text: string, style: Style, width: number): { segments: Segment[]; width: number }[] {
  const space = sheet.width({ text: ' ', family: BASE_FAMILY }, style.bold) * style.size;
  const lines: { segments: Segment[]; width: number }[] = [];
  for (const hard of text.split('\n')) {
    const words = wordsOf(sheet, hard, style.bold, style.size).flatMap((w) =>
      w.width > width ? cutWord(sheet, w, style.bold, style.size, width) : [w],
    );
    let line: Word[] = [];
    let lineWidth = 0;
    const emit = () => {
      const segments: Segment[] = [];
      let x = 0;
      line.forEach((w, i) => {
        if (i > 0) {
          const last = segments[segments.length - 1]!;
          if (last.family === BASE_FAMILY) last.text += ' ';
          else segments.push({ text: ' ', family: BASE_FAMILY, x });
          x += space;
        }
        for (const p of w.pieces) {
          const last = segments[segments.length - 1];
          if (last && last.family === p.family) last.text += p.text;
          else segments.push({ text: p.text, family: p.family, x });
          x += sheet.width(p, style.bold) * style.size;
        }
      });
      lines.push({ segments, width: x });
    };
    for (const w of words) {
      const next = line.length === 0 ? w.width : lineWidth + space + w.width;
      if (line.length > 0 && next > width) {
        emit();
        line = [w];
        lineWidth = w.width;
      } else {
        line.push(w);
        lineWidth = next;
      }
    }
    if (line.length > 0 || words.length === 0) emit();
  }
  return lines;
}

// ---- Layout ------------------------------------------------------------------------------------

/** One line of the letter's body, laid out: space above it, its height, what it draws. */
interface BodyLine {
  before: number;
  height: number;
  style: Style;
  indent: number;
  segments: readonly Segment[];
  bullet: boolean;
}

interface LaidOut {
  /** Page index within the letter (0-based) and top of each body line. */
  placed: { page: number; top: number; line: BodyLine }[];
  pages: number;
}

function bodyLines(sheet: Sheet, letter: LetterToDraw, head: Letterhead): BodyLine[] {
  const large = letter.largePrint;
  const size = large ? 16 : 11;
  const spacing = large ? 1.3 : 1.2;
  const after = large ? 10 : 7;
  const out: BodyLine[] = [];
  const block = (text: string, style: Style, before: number, afterBlock: number, indent = 0, bullet = false) => {
    const lines = wrap(sheet, text, style, BODY_W - indent);
    lines.forEach((l, i) =>
      out.push({
        before: i === 0 ? before : 0,
        height: style.size * FONT_LINE * spacing,
        style,
        indent,
        segments: l.segments,
        bullet: bullet && i === 0,
      }),
    );
    return afterBlock;
  };
  const plain: Style = { size, bold: false, color: TEXT };
  let pending = 0; // space owed below the previous block
  if (letter.subject) pending = block(letter.subject, { size: large ? 21 : 14, bold: true, color: TEXT }, 0, 8);
  for (const raw of letter.body.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/)) {
    const text = raw.trim();
    if (text === '') continue;
    if (text.startsWith('# ')) {
      pending = block(text.slice(2).trim(), { size: large ? 19 : 13, bold: true, color: TEXT }, pending + 6, 4);
      continue;
    }
    const lines = text.split('\n');
    if (lines.every((l) => /^\s*[*-] /.test(l))) {
      const indent = large ? 16 : 12;
      lines.forEach((l, i) => {
        block(l.replace(/^\s*[*-] /, ''), plain, i === 0 ? pending : 0, 0, indent, true);
      });
      pending = after;
      continue;
    }
    pending = block(lines.join('\n'), plain, pending, after);
  }
  block(head.organisationName, { size, bold: true, color: TEXT }, pending + 6, 0);
  return out;
}

/** Cuts the body into pages: a line that would cross the bottom margin starts the next page. */
function paginate(lines: BodyLine[]): LaidOut {
  const placed: LaidOut['placed'] = [];
  let page = 0;
  let y = FIRST_BODY_TOP;
  let atTop = true;
  for (const line of lines) {
    const before = atTop ? 0 : line.before;
    if (!atTop && y + before + line.height > BODY_BOTTOM) {
      page++;
      y = NEXT_BODY_TOP;
      atTop = true;
    }
    if (!atTop) y += line.before;
    placed.push({ page, top: y, line });
    y += line.height;
    atTop = false;
  }
  return { placed, pages: page + 1 };
}

// ---- Drawing -----------------------------------------------------------------------------------

function drawLine(sheet: Sheet, x: number, baseline: number, segments: readonly Segment[], style: Style): void {
  if (segments.length > 0) sheet.drawLine(x, baseline, segments, style);
}

/** Text kept to one line's runs, drawn right-aligned to a right edge. */
function drawRight(sheet: Sheet, text: string, style: Style, right: number, top: number, width: number): void {
  for (const [i, l] of wrap(sheet, text, style, width).entries()) {
    drawLine(sheet, right - l.width, top + style.size * ASCENT + i * style.size * FONT_LINE, l.segments, style);
  }
}

/** Draws one letter from a new page; answers its page count. */
function drawLetter(sheet: Sheet, letter: LetterToDraw, head: Letterhead): number {
  const words = LETTER_WORDS[letter.language];
  const doc = sheet.doc;
  const laid = paginate(bodyLines(sheet, letter, head));
  let page = -1;
  const newPage = () => {
    sheet.addPage();
    page++;
    if (laid.pages > 1) {
      const size = letter.largePrint ? 14 : 9;
      drawRight(
        sheet,
        words.page(page + 1, laid.pages),
        { size, bold: false, color: GREY },
        PAGE_W - mm(MARGIN.right),
        PAGE_H - mm(12),
        BODY_W,
      );
    }
  };
  newPage();

  // Letterhead: the organisation beside its mark, top right.
  const logoX = PAGE_W - mm(MARGIN.right) - mm(LOGO_SIZE);
  sheet.drawLogo(logoX, mm(10), mm(LOGO_SIZE));
  drawRight(sheet, head.organisationName, { size: 12, bold: true, color: BLUE }, logoX - mm(4), mm(12), logoX - mm(4) - mm(100));

  // The postal address, alone in Notify's address block (single spaced: seven lines fit).
  const addr: Style = { size: 9.5, bold: false, color: BLACK };
  let y = mm(PRECOMPILED.address.top) + 0.25;
  for (const line of letter.address) {
    for (const l of wrap(sheet, line, addr, mm(PRECOMPILED.address.width))) {
      drawLine(sheet, mm(PRECOMPILED.address.left), y + addr.size * ASCENT, l.segments, addr);
      y += addr.size * FONT_LINE;
    }
  }

  // Date and reference, right of the address block.
  const infoSize = letter.largePrint ? 12 : 9.5;
  const date = letter.language === 'cy' ? formatLongDateWelsh(letter.date) : formatLongDate(letter.date);
  const infoX = mm(130);
  const infoW = PAGE_W - mm(MARGIN.right) - infoX;
  y = mm(PRECOMPILED.address.top);
  for (const [label, value, gap] of [
    [`${words.date}: `, date, 0],
    [`${words.nhsNumber}: `, formatNhsNumber(letter.nhsNumber), 2],
  ] as const) {
    y += gap;
    const labelStyle: Style = { size: infoSize, bold: false, color: GREY };
    const valueStyle: Style = { size: infoSize, bold: false, color: TEXT };
    const [labelLine] = wrap(sheet, label.trimEnd(), labelStyle, infoW);
    const labelWidth = sheet.width({ text: label, family: BASE_FAMILY }, false) * infoSize;
    const valueLines = wrap(sheet, value, valueStyle, infoW);
    const sameLine = labelWidth + (valueLines[0]?.width ?? 0) <= infoW;
    drawLine(sheet, infoX, y + infoSize * ASCENT, labelLine?.segments ?? [], labelStyle);
    if (!sameLine) y += infoSize * FONT_LINE;
    valueLines.forEach((l, i) => {
      drawLine(sheet, infoX + (sameLine && i === 0 ? labelWidth : 0), y + infoSize * ASCENT, l.segments, valueStyle);
      y += infoSize * FONT_LINE;
    });
  }

  // The body, page by page.
  for (const { page: p, top, line } of laid.placed) {
    while (page < p) newPage();
    const s = line.style;
    // The glyphs sit at the top of their line; the line's extra spacing falls below them.
    const baseline = top + s.size * ASCENT;
    if (line.bullet) {
      sheet.fill(s.color);
      doc.circle(BODY_X + line.indent / 3, baseline - s.size * 0.3, s.size * 0.14).fill();
    }
    drawLine(sheet, BODY_X + line.indent, baseline, line.segments, s);
  }
  return laid.pages;
}

function newDocument(letters: readonly LetterToDraw[], head: Letterhead, compress: boolean): PDFKit.PDFDocument {
  return new PDFDocument({
    autoFirstPage: false,
    size: 'A4',
    margin: 0,
    compress,
    lang: letters[0]?.language === 'cy' ? 'cy' : 'en-GB',
    displayTitle: true,
    // No default face: only the Arimo files a letter uses are named (and embedded) in the file.
    font: null as unknown as string,
    info: {
      Title: `Letters from ${head.organisationName}`,
      Author: head.organisationName,
      Creator: 'Immunisation Management System',
      Producer: 'Immunisation Management System',
    },
  });
}

/** The document's bytes, collected as it writes them; settles after doc.end(). */
function collect(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

/**
 * Draws letters into one PDF and answers where each starts and how many pages it has. A letter
 * that cannot be drawn throws before anything of it reaches the page only if it fails in layout;
 * callers that must isolate a bad letter draw it alone first (letter-file.ts).
 */
export async function renderLetters(
  letters: readonly LetterToDraw[],
  head: Letterhead,
  options: { compress?: boolean } = {},
): Promise<{ pdf: Buffer; placements: LetterPlacement[]; pageCount: number }> {
  const doc = newDocument(letters, head, options.compress ?? true);
  const done = collect(doc);
  const compress = options.compress ?? true;
  const sheet = new Sheet(doc, compress);
  const placements: LetterPlacement[] = [];
  let pageCount = 0;
  try {
    for (const letter of letters) {
      const pages = drawLetter(sheet, letter, head);
      placements.push({ firstPage: pageCount + 1, pages });
      pageCount += pages;
    }
  } catch (error) {
    doc.end();
    await done.catch(() => undefined);
    throw error;
  }
  sheet.seal();
  doc.end();
  const pdf = await done;
  return { pdf, placements, pageCount };
}

/** Pages in a PDF this module made (its page tree's count). */
export function countPages(pdf: Buffer): number {
  const m = /\/Type \/Pages\b[\s\S]*?\/Count (\d+)/.exec(pdf.toString('latin1'));
  return m ? Number(m[1]) : 0;
}
