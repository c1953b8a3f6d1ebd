// What a correction changed: an earlier version of a vaccination against the version that
// replaced it, detail by detail, in the vocabulary's words and the short date style, so the
// history can say "Batch: AB123 → AB124; Date: 01/02/2026 → 02/02/2026" under the old version.
import type { VaccinationEvent } from '../../../../main-api/contract/vaccination';
import { formatShortDate } from '../../../../main-api/shared/calendar/dates';
import { routeLabel, siteLabel } from '../../../../main-api/shared/vocabulary/sites';
import {
  EVENT_FIELD_LABELS,
  LEGAL_BASIS_LABELS,
  NOT_GIVEN_REASON_LABELS,
  OUTCOME_LABELS,
  PERFORMER_HEADINGS,
  sourceLabel,
} from '../../../../main-api/shared/vocabulary/vaccination';
import { doseAmountText, performerText, productLabel } from './vaccination';

/** One detail of an event as people read it; null when the event does not record it. */
interface Fact {
  key: string;
  label: string;
  value: string | null;
}

const NOT_RECORDED = 'not recorded';

const fact = (key: keyof typeof EVENT_FIELD_LABELS, value: string | null): Fact => ({ key, label: EVENT_FIELD_LABELS[key], value });

/** The details a correction can touch, each as it reads on the screen, in the history's order. */
function facts(e: VaccinationEvent): Fact[] {
  return [
    fact('outcome', OUTCOME_LABELS[e.outcome]),
    fact('notGivenReason', e.notGivenReason ? NOT_GIVEN_REASON_LABELS[e.notGivenReason] : null),
    fact('occurredOn', formatShortDate(e.occurredOn)),
    fact('product', e.product ? productLabel(e.product) : null),
    fact('doseSequence', e.doseSequence === null ? null : String(e.doseSequence)),
    fact('batchNumber', e.batchNumber),
    fact('expiryDate', e.expiryDate ? formatShortDate(e.expiryDate) : null),
    fact('site', e.site ? siteLabel(e.site) : null),
    fact('route', e.route ? routeLabel(e.route) : null),
    fact('doseAmount', doseAmountText(e)),
    // Who gave it and who offered it are one column: the outcome decides its name.
    { key: 'performer', label: PERFORMER_HEADINGS[e.outcome], value: performerText(e) },
    fact('source', sourceLabel(e)),
    fact('location', e.location ? e.location.code : null),
    fact('programme', e.programmeName),
    fact('legalBasis', e.legalBasis ? LEGAL_BASIS_LABELS[e.legalBasis] : null),
    fact('notes', e.notes),
  ];
}

export interface VersionChange {
  label: string;
  before: string;
  after: string;
}

/** The details that differ between an earlier version and the one that replaced it, in the history's order. */
export function versionChanges(earlier: VaccinationEvent, later: VaccinationEvent): VersionChange[] {
  const before = new Map(facts(earlier).map((f) => [f.key, f.value]));
  return facts(later).flatMap((f) => {
    const was = before.get(f.key) ?? null;
    return was === f.value ? [] : [{ label: f.label, before: was ?? NOT_RECORDED, after: f.value ?? NOT_RECORDED }];
  });
}

/** "Batch: AB123 → AB124; Date: 01/02/2026 → 02/02/2026", or null when nothing that shows changed. */
export function describeChanges(changes: readonly VersionChange[]): string | null {
  return changes.length === 0 ? null : changes.map((c) => `${c.label}: ${c.before} → ${c.after}`).join('; ');
}

/**
 * What each earlier version of a vaccination changed into: the version named by its
 * supersededById, found among all the versions shown; null when that version is not among them.
 */
export function changesOfEarlier(earlier: VaccinationEvent, versions: readonly VaccinationEvent[]): string | null {
  const next = versions.find((v) => v.id === earlier.supersededById);
  return next ? describeChanges(versionChanges(earlier, next)) : null;
}
