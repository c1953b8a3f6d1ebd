import { describe, expect, it } from 'vitest';
import { sampleVaccinationEvent } from '../../../../tests/support/vaccination-event';
import { siteCoding } from '../../../../main-api/shared/vocabulary/sites';
import { changesOfEarlier, describeChanges, versionChanges } from './version-changes';

// A dose and its correction as the history holds them: the old version superseded by the new.
const original = sampleVaccinationEvent({
  id: 10,
  occurredOn: '2026-02-01',
  batchNumber: 'AB123',
  expiryDate: '2027-03-31',
  site: siteCoding('61396006'),
  status: 'SUPERSEDED',
  supersededById: 11,
});
const corrected = sampleVaccinationEvent({
  ...original,
  id: 11,
  occurredOn: '2026-02-02',
  batchNumber: 'AB124',
  status: 'ACTIVE',
  supersedesId: 10,
  supersededById: null,
});

describe('what a correction changed', () => {
  it('lists only the details that differ, in the short date style and the history order', () => {
    expect(versionChanges(original, corrected)).toEqual([
      { label: 'Date', before: '01/02/2026', after: '02/02/2026' },
      { label: 'Batch', before: 'AB123', after: 'AB124' },
    ]);
    expect(describeChanges(versionChanges(original, corrected))).toBe('Date: 01/02/2026 → 02/02/2026; Batch: AB123 → AB124');
  });

  it("names codes in the vocabulary's words, and a detail added or removed as not recorded", () => {
    const moved = { ...corrected, occurredOn: original.occurredOn, batchNumber: original.batchNumber, site: siteCoding('11207009') };
    expect(describeChanges(versionChanges(original, moved))).toBe('Site: Left thigh → Right thigh');
    const noted = { ...original, notes: 'Given in clinic', site: null };
    expect(describeChanges(versionChanges(original, noted))).toBe('Site: Left thigh → not recorded; Notes: not recorded → Given in clinic');
  });

  it('words a dose amount and who gave it as the history does', () => {
    const measured = { ...original, doseAmount: 0.5, doseUnit: { code: '258773002', term: 'Millilitre' } };
    const named = { ...measured, doseAmount: 0.2, performer: { name: 'Jo Nurse', role: 'Registered nurse' } };
    expect(describeChanges(versionChanges(measured, named))).toBe(
      'Dose: 0.5 ml → 0.2 ml; Given by: not recorded → Jo Nurse (Registered nurse)',
    );
  });

  it('says nothing when nothing shown has changed', () => {
    expect(describeChanges(versionChanges(original, { ...original, id: 12, recordedAt: '2026-03-01T09:00:00Z' }))).toBeNull();
  });

  it('finds the version that replaced an earlier one among those shown, through a chain of corrections', () => {
    const third = { ...corrected, id: 12, doseSequence: 2, supersedesId: 11 };
    const second = { ...corrected, status: 'SUPERSEDED' as const, supersededById: 12 };
    const versions = [third, second, original];
    expect(changesOfEarlier(original, versions)).toBe('Date: 01/02/2026 → 02/02/2026; Batch: AB123 → AB124');
    expect(changesOfEarlier(second, versions)).toBe('Dose number: 1 → 2');
    // The replacing version is out of sight (another user's scope, say): nothing is claimed.
    expect(changesOfEarlier(original, [original])).toBeNull();
  });
});
