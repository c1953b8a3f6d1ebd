// Template text in GOV.UK Notify's style, one implementation for the editor, the preview, the
// letter producer and the database's own check (migration 0035 repeats only the field scan):
//   ((first name))                a merge field, filled from the person, campaign, clinic...
//   ((booking link??Book at it))  an optional block: the text shows only when the field has a value
// Field names ignore case, and spaces or underscores between words: ((First_Name)) is ((first name)).
import { MERGE_FIELDS, type MergeField, type MergeValues } from '../vocabulary/letters';

export type TemplatePiece =
  { kind: 'text'; text: string } | { kind: 'field'; field: string } | { kind: 'optional'; field: string; pieces: TemplatePiece[] };

export interface TemplateProblem {
  /** Character offset in the template where the problem starts. */
  at: number;
  message: string;
  /** The field named, when the problem is an unknown field. */
  field?: string;
}

export interface ParsedTemplate {
  pieces: TemplatePiece[];
  problems: TemplateProblem[];
}

const KNOWN = new Set<string>(MERGE_FIELDS);

/** A field name as written, in its one spelling: lower case, single spaces. */
function normaliseField(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, ' ');
}

function isMergeField(name: string): name is MergeField {
  return KNOWN.has(name);
}

/** The index of the )) closing the (( at open, counting nested pairs; -1 when it is never closed. */
function closing(source: string, open: number, end: number): number {
  let depth = 0;
  let i = open;
  while (i < end - 1) {
    if (source.startsWith('((', i)) {
      depth++;
      i += 2;
    } else if (source.startsWith('))', i)) {
      depth--;
      if (depth === 0) return i;
      i += 2;
    } else i++;
  }
  return -1;
}

function parseRange(source: string, from: number, end: number, problems: TemplateProblem[]): TemplatePiece[] {
  const pieces: TemplatePiece[] = [];
  let text = '';
  let i = from;
  while (i < end) {
    let open = source.indexOf('((', i);
    // "(((clinic postcode)))": a bracket written around a field stays text.
    while (open >= 0 && open < end - 2 && source[open + 2] === '(') open++;
    if (open < 0 || open >= end - 1) {
      text += source.slice(i, end);
      break;
    }
    text += source.slice(i, open);
    const close = closing(source, open, end);
    if (close < 0) {
      problems.push({ at: open, message: 'A (( has no matching )): close the field, or remove the brackets.' });
      text += '((';
      i = open + 2;
      continue;
    }
    const inner = source.slice(open + 2, close);
    // The field's name runs to ?? (an optional block) or to the end; nested fields only after ??.
    const q = inner.indexOf('??');
    const name = normaliseField(q < 0 ? inner : inner.slice(0, q));
    if (text) pieces.push({ kind: 'text', text });
    text = '';
    if (name === '') {
      problems.push({ at: open, message: 'An empty (( )): name a merge field inside the brackets.' });
    } else if (!isMergeField(name)) {
      problems.push({ at: open, field: name, message: `Unknown merge field ((${name})).` });
    }
    if (q < 0) pieces.push({ kind: 'field', field: name });
    else pieces.push({ kind: 'optional', field: name, pieces: parseRange(source, open + 2 + q + 2, close, problems) });
    i = close + 2;
  }
  if (text) pieces.push({ kind: 'text', text });
  return pieces;
}

/**
 * Splits a template into text, fields and optional blocks, with every problem found (not just the
 * first). An optional block's text may itself hold fields: ((booking phone?? Phone ((booking phone)).)).
 */
export function parseTemplate(source: string): ParsedTemplate {
  const problems: TemplateProblem[] = [];
  const pieces = parseRange(source, 0, source.length, problems);
  return { pieces, problems };
}

function collectFields(pieces: readonly TemplatePiece[], out: string[]): void {
  for (const p of pieces) {
    if (p.kind === 'text') continue;
    if (!out.includes(p.field)) out.push(p.field);
    if (p.kind === 'optional') collectFields(p.pieces, out);
  }
}

/** The fields a template names, each once, in order of first use. */
export function fieldsOf(source: string): string[] {
  const out: string[] = [];
  collectFields(parseTemplate(source).pieces, out);
  return out;
}

/** The unknown fields a template names (empty when all are known). */
export function unknownFields(source: string): string[] {
  return fieldsOf(source).filter((f) => !isMergeField(f));
}

/**
 * Fills a template. A field with no value is left empty; an optional block shows its text only
 * when its field has a value. Throws on a template with problems: those are refused on save.
 */
export function mergeTemplate(source: string, values: MergeValues): string {
  const parsed = parseTemplate(source);
  if (parsed.problems.length > 0) throw new Error(parsed.problems.map((p) => p.message).join(' '));
  return mergePieces(parsed.pieces, values);
}

/** mergeTemplate for pieces already parsed (a batch parses each template once). */
export function mergePieces(pieces: readonly TemplatePiece[], values: MergeValues): string {
  let out = '';
  for (const p of pieces) {
    if (p.kind === 'text') out += p.text;
    else {
      const v = values[p.field as MergeField]?.trim() ?? '';
      if (p.kind === 'field') out += v;
      else if (v !== '') out += mergePieces(p.pieces, values);
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------
// Text message length. GSM 03.38's default alphabet costs one unit a character and its
// extension table two; any other character makes the whole message Unicode (UCS-2), counted in
// UTF-16 units. One part holds 160 GSM units or 70 Unicode; a longer message is split into parts
// of 153 or 67 (the rest carries the joining header). Notify refuses a text over 918 characters.

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '^{}\\[~]|€\f';
const BASIC = new Set(GSM_BASIC);
const EXTENSION = new Set(GSM_EXTENSION);

/** Notify's longest text message, in characters. */
export const SMS_MAX_CHARACTERS = 918;

export interface SmsLength {
  encoding: 'GSM' | 'UNICODE';
  /** Characters as a reader counts them. */
  characters: number;
  /** Units the network counts: GSM septets (extension characters two) or UTF-16 units. */
  units: number;
  parts: number;
  /** Characters (or units) left before the next part begins. */
  leftInPart: number;
  tooLong: boolean;
  /** Characters that forced Unicode, each once (empty for GSM). */
  unicodeCharacters: string[];
}

export function smsLength(text: string): SmsLength {
  let gsmUnits = 0;
  const unicode: string[] = [];
  for (const ch of text) {
    if (BASIC.has(ch)) gsmUnits += 1;
    else if (EXTENSION.has(ch)) gsmUnits += 2;
    else if (!unicode.includes(ch)) unicode.push(ch);
  }
  const characters = [...text].length;
  const encoding = unicode.length === 0 ? 'GSM' : 'UNICODE';
  const units = encoding === 'GSM' ? gsmUnits : text.length;
  const single = encoding === 'GSM' ? 160 : 70;
  const each = encoding === 'GSM' ? 153 : 67;
  const parts = units === 0 ? 0 : units <= single ? 1 : Math.ceil(units / each);
  const capacity = parts <= 1 ? single : parts * each;
  return {
    encoding,
    characters,
    units,
    parts,
    leftInPart: capacity - units,
    tooLong: characters > SMS_MAX_CHARACTERS,
    unicodeCharacters: unicode,
  };
}
