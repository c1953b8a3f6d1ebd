// Pure rules for recording vaccinations: dates in England, expiry, consistency of a record.
// No database and no schedule logic here (the schedule engine gives warnings separately).
import { AppError } from '../contract/result';

const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The calendar date in England at an instant (clinical dates follow UK local time). */
export function londonDate(instant: string | Date): string {
  const d = typeof instant === 'string' ? new Date(instant) : instant;
  if (Number.isNaN(d.getTime())) throw new AppError('VALIDATION', `"${String(instant)}" is not a date and time.`);
  const parts = Object.fromEntries(londonParts.formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

export function todayInLondon(now: Date = new Date()): string {
  return londonDate(now);
}

/** Formats 'YYYY-MM-DD' as '1 October 2025' for messages, without a local-time Date. */
export function displayDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  return `${d} ${months[(m ?? 1) - 1]} ${y}`;
}

/**
 * Settles the clinical date from what was entered: the date alone, the moment alone (its date
 * in England), or both when they agree.
 */
export function resolveOccurrence(occurredAt: string | null, occurredOn: string | null): { occurredAt: string | null; occurredOn: string } {
  if (occurredAt === null && occurredOn === null) {
    throw new AppError('VALIDATION', 'Enter the date of the vaccination.', { field: 'occurredOn' });
  }
  if (occurredAt === null) return { occurredAt: null, occurredOn: occurredOn as string };
  const derived = londonDate(occurredAt);
  if (occurredOn !== null && occurredOn !== derived) {
    throw new AppError('VALIDATION', `The time given falls on ${displayDate(derived)} in England, not ${displayDate(occurredOn)}.`, {
      field: 'occurredAt',
    });
  }
  return { occurredAt, occurredOn: derived };
}

export function checkDateAllowed(
  occurredOn: string,
  today: string,
  person: { dateOfBirth: string; dateOfDeath: string | null },
): void {
  if (occurredOn > today) {
    throw new AppError('VALIDATION', `The vaccination date ${displayDate(occurredOn)} is in the future.`, { field: 'occurredOn' });
  }
  if (occurredOn < person.dateOfBirth) {
    throw new AppError('VALIDATION', `The vaccination date ${displayDate(occurredOn)} is before the date of birth (${displayDate(person.dateOfBirth)}).`, {
      field: 'occurredOn',
    });
  }
  if (person.dateOfDeath !== null && occurredOn > person.dateOfDeath) {
    throw new AppError('VALIDATION', `The vaccination date ${displayDate(occurredOn)} is after the date of death (${displayDate(person.dateOfDeath)}).`, {
      field: 'occurredOn',
    });
  }
}

/** Expired vaccine is never recorded as given: the batch must be in date on the day. */
export function checkNotExpired(batchNumber: string, expiryDate: string, occurredOn: string): void {
  if (expiryDate < occurredOn) {
    throw new AppError(
      'VALIDATION',
      `Batch ${batchNumber} expired on ${displayDate(expiryDate)}, before the vaccination date ${displayDate(occurredOn)}. Check the batch number, or record the dose as not given.`,
      { field: 'batch', expiryDate, occurredOn },
    );
  }
}

export interface OutcomeShape {
  outcome: 'GIVEN' | 'NOT_GIVEN';
  notGivenReason: string | null;
  productCode: string | null;
  hasBatch: boolean;
  primarySource: boolean;
}

/** Checks the parts of a record that depend on whether the dose was given. */
export function checkOutcome(r: OutcomeShape): void {
  if (r.outcome === 'NOT_GIVEN') {
    if (r.notGivenReason === null) {
      throw new AppError('VALIDATION', 'Say why the vaccination was not given.', { field: 'notGivenReason' });
    }
    if (r.hasBatch) {
      throw new AppError('VALIDATION', 'A vaccination that was not given has no batch.', { field: 'batch' });
    }
    return;
  }
  if (r.notGivenReason !== null) {
    throw new AppError('VALIDATION', 'A reason for not vaccinating applies only when the vaccination was not given.', { field: 'notGivenReason' });
  }
  if (r.productCode === null) {
    throw new AppError('VALIDATION', 'Choose the vaccine product given.', { field: 'productCode' });
  }
  if (r.primarySource && !r.hasBatch) {
    throw new AppError('VALIDATION', 'Enter the batch number and expiry date of the vaccine given.', { field: 'batch' });
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
    throw new AppError('VALIDATION', 'Describe the reaction when it is not one of the listed kinds.', { field: 'description' });
  }
  if (r.yellowCardReference !== null && !r.reportedToMhra) {
    throw new AppError('VALIDATION', 'A Yellow Card reference means the reaction was reported to the MHRA; tick "reported".', {
      field: 'reportedToMhra',
    });
  }
  if ((r.seriousness === 'FATAL') !== (r.outcome === 'FATAL')) {
    throw new AppError('VALIDATION', 'A fatal reaction must have both seriousness and outcome "fatal".', { field: 'outcome' });
  }
}

/** Picks the SNOMED procedure code for a dose: the dose-specific code, else the general one. */
export function procedureFor<P extends { appliesTo: 'DOSE_1' | 'DOSE_2' | 'OTHER' }>(procedures: P[], doseSequence: number | null): P | null {
  const specific = doseSequence === 1 ? 'DOSE_1' : doseSequence === 2 ? 'DOSE_2' : null;
  return (
    (specific && procedures.find((p) => p.appliesTo === specific)) ||
    procedures.find((p) => p.appliesTo === 'OTHER') ||
    (doseSequence === null ? (procedures.find((p) => p.appliesTo === 'DOSE_1') ?? null) : null)
  );
}
