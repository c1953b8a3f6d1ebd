// Pure rules for recording vaccinations: dates in England, expiry, consistency of a record.
// No database and no schedule logic here (the schedule engine gives warnings separately).
import { implausibleExpiry, type Outcome, type ProcedureDose } from '../shared/vocabulary/vaccination';
import { fieldError } from '../contract/result';
import { formatLongDate } from '../shared/calendar/dates';
import { londonDate } from '../shared/calendar/england';

/**
 * Settles the clinical date from what was entered: the date alone, the moment alone (its date
 * in England), or both when they agree.
 */
export function resolveOccurrence(occurredAt: string | null, occurredOn: string | null): { occurredAt: string | null; occurredOn: string } {
  if (occurredAt === null && occurredOn === null) {
    throw fieldError('occurredOn', 'Enter the date of the vaccination.');
  }
  if (occurredAt === null) return { occurredAt: null, occurredOn: occurredOn as string };
  const derived = londonDate(occurredAt);
  if (occurredOn !== null && occurredOn !== derived) {
    throw fieldError('occurredAt', `The time given falls on ${formatLongDate(derived)} in England, not ${formatLongDate(occurredOn)}.`);
  }
  return { occurredAt, occurredOn: derived };
}

export function checkDateAllowed(occurredOn: string, today: string, person: { dateOfBirth: string; dateOfDeath: string | null }): void {
  if (occurredOn > today) {
    throw fieldError('occurredOn', `The vaccination date ${formatLongDate(occurredOn)} is in the future.`);
  }
  if (occurredOn < person.dateOfBirth) {
    throw fieldError(
      'occurredOn',
      `The vaccination date ${formatLongDate(occurredOn)} is before the date of birth (${formatLongDate(person.dateOfBirth)}).`,
    );
  }
  if (person.dateOfDeath !== null && occurredOn > person.dateOfDeath) {
    throw fieldError(
      'occurredOn',
      `The vaccination date ${formatLongDate(occurredOn)} is after the date of death (${formatLongDate(person.dateOfDeath)}).`,
    );
  }
}

/** Expired vaccine is never recorded as given: the batch must be in date on the day. */
export function checkNotExpired(batchNumber: string, expiryDate: string, occurredOn: string): void {
  if (expiryDate < occurredOn) {
    throw fieldError(
      'batch',
      `Batch ${batchNumber} expired on ${formatLongDate(expiryDate)}, before the vaccination date ${formatLongDate(occurredOn)}. Check the batch number, or record the dose as not given.`,
    );
  }
}

/**
 * An expiry further ahead than any vaccine keeps (31/12/9999) is a typing slip, not a batch
 * (the rule and its words: implausibleExpiry, shared with the form). The database holds the
 * same rule (0026).
 */
export function checkExpiryPlausible(
  field: string,
  batchNumber: string,
  expiryDate: string,
  onDate: string,
  what: 'vaccination date' | 'day it is added',
): void {
  const message = implausibleExpiry(batchNumber, expiryDate, onDate, what);
  if (message !== null) throw fieldError(field, message);
}

export interface OutcomeShape {
  outcome: Outcome;
  notGivenReason: string | null;
  productCode: string | null;
  hasBatch: boolean;
  primarySource: boolean;
}

/** Checks the parts of a record that depend on whether the dose was given. */
export function checkOutcome(r: OutcomeShape): void {
  if (r.outcome === 'NOT_GIVEN') {
    if (r.notGivenReason === null) {
      throw fieldError('notGivenReason', 'Say why the vaccination was not given.');
    }
    if (r.hasBatch) {
      throw fieldError('batch', 'A vaccination that was not given has no batch.');
    }
    return;
  }
  if (r.notGivenReason !== null) {
    throw fieldError('notGivenReason', 'A reason for not vaccinating applies only when the vaccination was not given.');
  }
  if (r.productCode === null) {
    throw fieldError('productCode', 'Choose the vaccine product given.');
  }
  if (r.primarySource && !r.hasBatch) {
    throw fieldError('batch', 'Enter the batch number and expiry date of the vaccine given.');
  }
}

/**
 * A dose given elsewhere says who reported it; one given here has no reporter. `required` is
 * false only when correcting a record made before reporters were kept, which may stay silent.
 */
export function checkReporter(primarySource: boolean, reportedBy: { kind: string } | null, required: boolean): void {
  if (primarySource && reportedBy !== null) {
    throw fieldError('reportedBy', 'Only a vaccination given elsewhere has a reporter.');
  }
  if (!primarySource && reportedBy === null && required) {
    throw fieldError('reportedBy', 'Say who reported this vaccination: a parent-held record, the GP practice or another provider.');
  }
}

/** A reaction is recorded after it started: an onset after today (in England) is a typing mistake. */
export function checkOnsetNotFuture(onsetAt: string, today: string): void {
  const onsetOn = londonDate(onsetAt);
  if (onsetOn > today) {
    throw fieldError('onsetAt', `The reaction cannot have started in the future (${formatLongDate(onsetOn)}).`);
  }
}

export interface ReactionShape {
  reactionCode: string;
  description: string | null;
  seriousness: string;
  outcome: string;
  reportedToMhra: boolean;
  yellowCardReference: string | null;
}

export function checkReaction(r: ReactionShape): void {
  if (r.reactionCode === 'OTHER' && !r.description) {
    throw fieldError('description', 'Describe the reaction when it is not one of the listed kinds.');
  }
  if (r.yellowCardReference !== null && !r.reportedToMhra) {
    throw fieldError('reportedToMhra', 'A Yellow Card reference means the reaction was reported to the MHRA; tick "reported".');
  }
  if ((r.seriousness === 'FATAL') !== (r.outcome === 'FATAL')) {
    throw fieldError('outcome', 'A fatal reaction must have both seriousness and outcome "fatal".');
  }
}

/** Picks the SNOMED procedure code for a dose: the dose-specific code, else the general one. */
export function procedureFor<P extends { appliesTo: ProcedureDose }>(procedures: P[], doseSequence: number | null): P | null {
  const specific = doseSequence === 1 ? 'DOSE_1' : doseSequence === 2 ? 'DOSE_2' : null;
  return (
    (specific && procedures.find((p) => p.appliesTo === specific)) ||
    procedures.find((p) => p.appliesTo === 'OTHER') ||
    (doseSequence === null ? (procedures.find((p) => p.appliesTo === 'DOSE_1') ?? null) : null)
  );
}
