// What counts in the COVER return, as data: resources/coverage/cover-measures.json, checked
// here. Migration 0042 holds the same measures in ims.cover_measure (a test compares them), and
// the database counts from that table, so the screen, the export and psql agree on one definition.
import { z } from 'zod';
import { ANTIGEN_CODES } from '../shared/vocabulary/antigens';
import { addMonthsDays, formatDay, requireDay } from '../shared/calendar/dates';

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

/** `12m`, `24m`, `3y`, `5y`: whole months or years, as the schedule writes ages. */
const AgeText = z.string().regex(/^\d{1,3}[my]$/, 'an age such as 12m or 5y');

/** The months in an age written as `12m` or `5y`. */
export function ageInMonths(age: string): number {
  const n = Number(age.slice(0, -1));
  return age.endsWith('y') ? n * 12 : n;
}

/** The cohorts a COVER return reports on: children reaching 12 months, 24 months and 5 years. */
const COVER_AGES = ['12m', '24m', '5y'] as const;

const Measure = z
  .object({
    id: z.string().regex(/^[0-9A-Z_]{3,40}$/, 'capitals, digits and underscores (it heads the export columns)'),
    label: z.string().min(3).max(120),
    /** A dose counts when its product protects against every one of these. */
    antigens: z.array(z.enum(ANTIGEN_CODES)).min(1),
    doses: z.number().int().min(1).max(6),
    /** Doses count from this age (none before it): boosters and MMR count from the first birthday. */
    fromAge: AgeText.optional(),
    /** The cohort: children reaching this age in the quarter, and the age by which the doses count. */
    byAge: z.enum(COVER_AGES),
    bornFrom: isoDay.optional(),
    bornTo: isoDay.optional(),
    notes: z.string().optional(),
  })
  .strict()
  .refine((m) => m.fromAge === undefined || ageInMonths(m.fromAge) < ageInMonths(m.byAge), {
    message: 'fromAge must be younger than byAge',
    path: ['fromAge'],
  })
  .refine((m) => m.bornFrom === undefined || m.bornTo === undefined || m.bornFrom <= m.bornTo, {
    message: 'bornFrom must not be after bornTo',
    path: ['bornTo'],
  });

export const CoverMeasuresFile = z
  .object({
    kind: z.literal('cover-measures'),
    id: z.string().min(1),
    version: z.string().min(1),
    name: z.string().min(1),
    effectiveFrom: isoDay,
    source: z.string().min(1),
    notes: z.string().optional(),
    measures: z.array(Measure).min(1),
  })
  .strict()
  .refine((f) => new Set(f.measures.map((m) => m.id)).size === f.measures.length, {
    message: 'each measure id once',
    path: ['measures'],
  });
export type CoverMeasuresFile = z.infer<typeof CoverMeasuresFile>;

/** One measure as the database holds it (ims.cover_measure). */
export interface CoverMeasureRow {
  id: string;
  label: string;
  antigens: string[];
  doses: number;
  fromAgeMonths: number;
  byAgeMonths: number;
  bornFrom: string | null;
  bornTo: string | null;
  sortOrder: number;
}

/** Checks a measures file, naming each mistake with its field. */
export function parseCoverMeasures(text: string): { ok: true; file: CoverMeasuresFile } | { ok: false; errors: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, errors: [`not JSON: ${(error as Error).message}`] };
  }
  const r = CoverMeasuresFile.safeParse(json);
  if (r.success) return { ok: true, file: r.data };
  return { ok: false, errors: r.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`) };
}

/** The file's measures as table rows, in the file's order. */
export function measureRows(file: CoverMeasuresFile): CoverMeasureRow[] {
  return file.measures.map((m, i) => ({
    id: m.id,
    label: m.label,
    antigens: [...m.antigens].sort(),
    doses: m.doses,
    fromAgeMonths: m.fromAge ? ageInMonths(m.fromAge) : 0,
    byAgeMonths: ageInMonths(m.byAge),
    bornFrom: m.bornFrom ?? null,
    bornTo: m.bornTo ?? null,
    sortOrder: i + 1,
  }));
}

/**
 * Whether a measure applies to anyone reaching its age from `from` to `to` (inclusive): its
 * birth cohorts overlap the days those children were born. The return shows only these, so a
 * quarter after a schedule change shows the new measures and not the old.
 */
export function measureApplies(
  m: { byAgeMonths: number; bornFrom: string | null; bornTo: string | null },
  from: string,
  to: string,
): boolean {
  // Born from exactly `age` months before the first day; up to the day before `age` months before
  // the day after the last (31 January reaches 1 month on 28 February, as in the database).
  const first = formatDay(addMonthsDays(requireDay(from), -m.byAgeMonths, 0));
  const last = formatDay(addMonthsDays(requireDay(to) + 1, -m.byAgeMonths, -1));
  return (m.bornFrom === null || m.bornFrom <= last) && (m.bornTo === null || m.bornTo >= first);
}
