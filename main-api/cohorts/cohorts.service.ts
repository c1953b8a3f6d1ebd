// Cohorts: counting a definition (with its exclusions and breakdowns) and saved, versioned
// definitions. The database checks the definition again and does the counting within the
// user's scope; this names the figures in the product's words.
import type { DataSource } from 'typeorm';
import { CohortDefinition, type CohortCount, type CohortHandlers, type SavedCohort } from '../contract/cohorts';
import { AppError, conflictWith, fieldError } from '../contract/result';
import { GENDER_LABELS, type GenderCode } from '../shared/vocabulary/people';
import {
  COHORT_EXCLUSIONS,
  COHORT_EXCLUSION_LABELS,
  ageBandLabel,
  type CohortBreakdown,
  type CohortExclusion,
} from '../shared/vocabulary/cohorts';
import { scheduleRules } from '../schedule';
import { describeCohort } from './cohort-definition.rules';
import { CohortRepository, type RawCount } from './cohorts.repository';

/** The campaigns the loaded rules know, by code, with their names. */
export function knownCampaigns(): Map<string, string> {
  return new Map(scheduleRules().campaigns.map((c) => [c.id, c.name]));
}

/** The exclusions a definition applies, as the database decides them (0031, ims.cohort_plan). */
function exclusionsApplied(def: CohortDefinition): CohortExclusion[] {
  const x = def.exclusions;
  return COHORT_EXCLUSIONS.filter((kind) =>
    kind === 'invitedWithinDays' ? x.invitedWithinDays > 0 && def.campaign !== undefined : x[kind] === true,
  );
}

const NOT_KNOWN = 'Not known';

function label(kind: CohortBreakdown, code: string | null, dbLabel: string | null): string {
  if (code === null) return NOT_KNOWN;
  switch (kind) {
    case 'sex':
      return GENDER_LABELS[code as GenderCode] ?? code;
    case 'ageBand':
      return ageBandLabel(Number(code) - 1);
    case 'imdDecile':
      return code === '1' ? 'Decile 1 (most deprived)' : code === '10' ? 'Decile 10 (least deprived)' : `Decile ${code}`;
    default:
      return dbLabel ?? code;
  }
}

/** Bands, deciles and sexes in their own order; places largest first (as the database sorts them). */
const NATURAL_ORDER: readonly CohortBreakdown[] = ['ageBand', 'imdDecile', 'sex'];

function namedCount(def: CohortDefinition, raw: RawCount, campaigns: ReadonlyMap<string, string>): CohortCount {
  const bucket = (n: number): number => Number(raw.buckets[String(n)] ?? 0);
  const applied = exclusionsApplied(def);
  const matched = Object.values(raw.buckets).reduce((sum, n) => sum + Number(n), 0);
  const breakdowns: CohortCount['breakdowns'] = {};
  for (const [kind, rows] of Object.entries(raw.breakdowns) as [CohortBreakdown, NonNullable<RawCount['breakdowns'][CohortBreakdown]>][]) {
    const named = rows.map((r) => ({ code: r.code, label: label(kind, r.code, r.label), count: Number(r.count) }));
    if (NATURAL_ORDER.includes(kind))
      named.sort((a, b) => (a.code === null ? 1 : b.code === null ? -1 : Number(a.code) - Number(b.code) || a.code.localeCompare(b.code)));
    breakdowns[kind] = named;
  }
  return {
    matched,
    count: bucket(0),
    exclusions: applied.map((kind) => ({ kind, label: COHORT_EXCLUSION_LABELS[kind], count: bucket(COHORT_EXCLUSIONS.indexOf(kind) + 1) })),
    breakdowns,
    description: describeCohort(def, campaigns),
    method: raw.method,
  };
}

function sqlState(error: unknown): string | undefined {
  const e = error as { code?: string; driverError?: { code?: string } };
  return e?.driverError?.code ?? e?.code;
}

/** The handlers for the cohort channels, bound to a signed-in user's connection. */
export function createCohortHandlers(ds: DataSource): CohortHandlers {
  const repo = new CohortRepository(ds);
  return {
    'cohorts.count': async ({ definition, breakdowns }) =>
      namedCount(definition, await repo.count(definition, breakdowns), knownCampaigns()),
    'cohorts.saved.list': async () =>
      (await repo.list()).map((r) => ({ ...r, id: Number(r.id), savedAt: new Date(r.savedAt).toISOString() })),
    'cohorts.saved.get': async ({ id, version }) => {
      const row = await repo.get(id, version ?? null);
      if (!row)
        throw new AppError(
          'NOT_FOUND',
          version ? `There is no version ${version} of that saved definition.` : 'There is no such saved definition.',
        );
      const parsed = CohortDefinition.safeParse(row.definition);
      if (!parsed.success) throw new AppError('INTERNAL', 'The saved definition can no longer be read.');
      const result: SavedCohort = {
        id: Number(row.id),
        name: row.name,
        latest: row.latest,
        version: row.version,
        definition: parsed.data,
        description: describeCohort(parsed.data, knownCampaigns()),
        history: row.history.map((h) => ({ ...h, savedAt: new Date(h.savedAt).toISOString() })),
      };
      return result;
    },
    'cohorts.saved.save': async ({ id, baseVersion, definition, note }) => {
      if (id !== undefined && baseVersion === undefined) throw fieldError('baseVersion', 'Say which version the change was made to');
      try {
        const saved = await repo.save(id ?? null, baseVersion ?? null, definition, note ?? null);
        return { id: Number(saved.id), version: saved.version, name: saved.name, note: saved.note };
      } catch (error) {
        const state = sqlState(error);
        if (state === '23505') throw fieldError('definition.name', 'Another saved definition has that name');
        if (state === '40001')
          throw conflictWith(
            'Someone saved this definition since you opened it: open the latest version and make your change again.',
            id ?? null,
          );
        if (state === 'P0002') throw new AppError('NOT_FOUND', 'There is no such saved definition.');
        throw error;
      }
    },
  };
}
