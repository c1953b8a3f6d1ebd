// Template text in GOV.UK Notify's style, one implementation for the editor, the preview, the
// letter producer and the database's own check (migration 0035 repeats only the field scan):
//   ((first name))                a merge field, filled from the person, campaign, clinic...
//   ((booking link??Book at it))  an optional block: the text shows only when the field has a value
// Field names ignore case, and spaces or underscores between words: ((First_Name)) is ((first name)).
import { MERGE_FIELDS, type MergeField, type MergeValues } from '../vocabulary/letters';

export type TemplatePiece =
  { kind: 'text'; text: string } | { kind: 'field'; field: string } | { kind: 'optional'; field: string; text: string };

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
export function normaliseField(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, ' ');
}

export function isMergeField(name: string): name is MergeField {
  return KNOWN.has(name);
}

/** Splits a template into text, fields and optional blocks, with every problem found (not just the first). */
export function parseTemplate(source: string): ParsedTemplate {
  const pieces: TemplatePiece[] = [];
  const problems: TemplateProblem[] = [];
  let text = '';
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('((', i);
    if (open < 0) {
      text += source.slice(i);
      break;
    }
    text += source.slice(i, open);
    const close = source.indexOf('))', open + 2);
    const nextOpen = source.indexOf('((', open + 2);
    if (close < 0 || (nextOpen >= 0 && nextOpen < close)) {
      problems.push({ at: open, message: 'A (( has no matching )): close the field, or remove the brackets.' });
      text += '((';
      i = open + 2;
      continue;
    }
    const inner = source.slice(open + 2, close);
    const q = inner.indexOf('??');
    const rawName = q < 0 ? inner : inner.slice(0, q);
    const name = normaliseField(rawName);
    if (text) pieces.push({ kind: 'text', text });
    text = '';
    if (name === '') {
      problems.push({ at: open, message: 'An empty (( )): name a merge field inside the brackets.' });
    } else if (!isMergeField(name)) {
      problems.push({ at: open, field: name, message: `Unknown merge field ((${name})).` });
    }
    pieces.push(q < 0 ? { kind: 'field', field: name } : { kind: 'optional', field: name, text: inner.slice(q + 2) });
    i = close + 2;
  }
  if (text) pieces.push({ kind: 'text', text });
  return { pieces, problems };
}

/** The fields a template names, each once, in order of first use. */
export function fieldsOf(source: string): string[] {
  const out: string[] = [];
  for (const p of parseTemplate(source).pieces) if (p.kind !== 'text' && !out.includes(p.field)) out.push(p.field);
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
      else if (v !== '') out += p.text;
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
