// Arimo (metric-compatible with Arial, SIL OFL) is shipped by @fontsource as one file per Unicode
// subset. pdfmake draws each text run with a single font file and has no glyph fallback, so text
// is split into runs and each run is given the family whose subset covers its characters. Without
// this, a name such as "Łucja Dvořák" would print with missing letters.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';

type Range = readonly [number, number];

interface Subset {
  family: string;
  file: string;
  ranges: readonly Range[];
}

// Ranges follow the unicode-range of each @fontsource/arimo subset stylesheet.
const SUBSETS: readonly Subset[] = [
  {
    family: 'Arimo',
    file: 'latin',
    ranges: [
      [0x0000, 0x00ff],
      [0x0131, 0x0131],
      [0x0152, 0x0153],
      [0x02bb, 0x02bc],
      [0x02c6, 0x02c6],
      [0x02da, 0x02da],
      [0x02dc, 0x02dc],
      [0x0304, 0x0304],
      [0x0308, 0x0308],
      [0x0329, 0x0329],
      [0x2000, 0x206f],
      [0x20ac, 0x20ac],
      [0x2122, 0x2122],
      [0x2191, 0x2191],
      [0x2193, 0x2193],
      [0x2212, 0x2212],
      [0x2215, 0x2215],
      [0xfeff, 0xfeff],
      [0xfffd, 0xfffd],
    ],
  },
  {
    family: 'ArimoLatinExt',
    file: 'latin-ext',
    ranges: [
      [0x0100, 0x02ba],
      [0x02bd, 0x02c5],
      [0x02c7, 0x02cc],
      [0x02ce, 0x02d7],
      [0x02dd, 0x02ff],
      [0x1d00, 0x1dbf],
      [0x1e00, 0x1e9f],
      [0x1ef2, 0x1eff],
      [0x2020, 0x2020],
      [0x20a0, 0x20ab],
      [0x20ad, 0x20c0],
      [0x2113, 0x2113],
      [0x2c60, 0x2c7f],
      [0xa720, 0xa7ff],
    ],
  },
  {
    family: 'ArimoVietnamese',
    file: 'vietnamese',
    ranges: [
      [0x0300, 0x0303],
      [0x0309, 0x0309],
      [0x0323, 0x0323],
      [0x1ea0, 0x1ef9],
    ],
  },
  {
    family: 'ArimoGreek',
    file: 'greek',
    ranges: [
      [0x0370, 0x03ff],
      [0x1f00, 0x1fff],
    ],
  },
  {
    family: 'ArimoCyrillic',
    file: 'cyrillic',
    ranges: [
      [0x0400, 0x045f],
      [0x0460, 0x052f],
      [0x2116, 0x2116],
    ],
  },
];

export const BASE_FAMILY = 'Arimo';

interface FontDescriptor {
  normal: string;
  bold: string;
  italics: string;
  bolditalics: string;
}

/** Font dictionary for pdfmake; the values are keys into the in-memory file store below. */
export function fontDescriptors(): Record<string, FontDescriptor> {
  const out: Record<string, FontDescriptor> = {};
  for (const s of SUBSETS) {
    out[s.family] = {
      normal: `arimo-${s.file}-400-normal.woff`,
      bold: `arimo-${s.file}-700-normal.woff`,
      italics: `arimo-${s.file}-400-italic.woff`,
      bolditalics: `arimo-${s.file}-700-italic.woff`,
    };
  }
  return out;
}

const require = createRequire(import.meta.url);
const cache = new Map<string, Buffer>();

function isFontKey(name: string): boolean {
  return /^arimo-[a-z-]+-[47]00-(normal|italic)\.woff$/.test(name);
}

/**
 * Unwraps a WOFF 1 file into the plain TrueType font inside it. The PDF engine can read WOFF, but
 * it inflates every table in JavaScript for every document (about a quarter of a second per
 * record); Node's zlib does it once here, and each later record parses the font directly.
 */
export function woffToSfnt(woff: Buffer): Buffer {
  if (woff.toString('latin1', 0, 4) !== 'wOFF') throw new Error('Not a WOFF font');
  const numTables = woff.readUInt16BE(12);
  const tables: { tag: number; checksum: number; data: Buffer }[] = [];
  for (let i = 0; i < numTables; i++) {
    const e = 44 + i * 20;
    const offset = woff.readUInt32BE(e + 4);
    const compLength = woff.readUInt32BE(e + 8);
    const origLength = woff.readUInt32BE(e + 12);
    const raw = woff.subarray(offset, offset + compLength);
    const data = compLength < origLength ? inflateSync(raw) : raw;
    if (data.length !== origLength) throw new Error('Corrupt WOFF table');
    tables.push({ tag: woff.readUInt32BE(e), checksum: woff.readUInt32BE(e + 16), data });
  }
  let pow = 1;
  while (pow * 2 <= numTables) pow *= 2;
  const headerLength = 12 + 16 * numTables;
  const padded = (n: number): number => (n + 3) & ~3;
  const total = tables.reduce((sum, tb) => sum + padded(tb.data.length), headerLength);
  const out = Buffer.alloc(total);
  out.writeUInt32BE(woff.readUInt32BE(4), 0); // the wrapped font's own version tag
  out.writeUInt16BE(numTables, 4);
  out.writeUInt16BE(pow * 16, 6);
  out.writeUInt16BE(Math.log2(pow), 8);
  out.writeUInt16BE(numTables * 16 - pow * 16, 10);
  let offset = headerLength;
  tables.forEach((tb, i) => {
    const r = 12 + i * 16;
    out.writeUInt32BE(tb.tag, r);
    out.writeUInt32BE(tb.checksum, r + 4);
    out.writeUInt32BE(offset, r + 8);
    out.writeUInt32BE(tb.data.length, r + 12);
    tb.data.copy(out, offset);
    offset += padded(tb.data.length);
  });
  return out;
}

/**
 * The minimal file system pdfmake asks for fonts. Files are read lazily (only the subsets a record
 * uses) and kept for later records, so no disk access is allowed through pdfmake itself.
 */
export const fontFiles = {
  existsSync(name: string): boolean {
    return isFontKey(name);
  },
  readFileSync(name: string): Buffer {
    if (!isFontKey(name)) throw new Error(`Unknown font file: ${name}`);
    let buf = cache.get(name);
    if (!buf) {
      buf = woffToSfnt(readFileSync(require.resolve(`@fontsource/arimo/files/${name}`)));
      cache.set(name, buf);
    }
    return buf;
  },
};

function familyFor(cp: number): string {
  for (const s of SUBSETS) {
    for (const [lo, hi] of s.ranges) if (cp >= lo && cp <= hi) return s.family;
  }
  // Nothing in Arimo covers it (e.g. CJK); the base font prints its placeholder glyph.
  return BASE_FAMILY;
}

export interface FontRun {
  text: string;
  font?: string;
}

/**
 * Splits text into runs by the Arimo subset that can draw them. Returns the plain string when it
 * is all in the base subset, which is nearly always, so the common case allocates nothing.
 */
export function fontRuns(input: string): string | FontRun[] {
  const text = input.normalize('NFC');
  // eslint-disable-next-line no-control-regex
  if (/^[\u0000-\u00ff]*$/.test(text)) return text;
  const runs: FontRun[] = [];
  let current = '';
  let currentFamily = BASE_FAMILY;
  for (const ch of text) {
    // Every character goes to the family that has it: the subset files do not share glyphs,
    // not even the space, so a run never borrows neutral characters from its neighbours.
    const family = familyFor(ch.codePointAt(0) ?? 0);
    if (family !== currentFamily && current !== '') {
      runs.push(currentFamily === BASE_FAMILY ? { text: current } : { text: current, font: currentFamily });
      current = '';
    }
    currentFamily = family;
    current += ch;
  }
  if (current !== '') runs.push(currentFamily === BASE_FAMILY ? { text: current } : { text: current, font: currentFamily });
  return runs;
}

/** The font file (a key for fontFiles) of a family's upright regular or bold face. */
export function fontFileOf(family: string, bold: boolean): string {
  descriptors ??= fontDescriptors();
  const d = descriptors[family] ?? descriptors[BASE_FAMILY]!;
  return bold ? d.bold : d.normal;
}
let descriptors: Record<string, FontDescriptor> | null = null;
