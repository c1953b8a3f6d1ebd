import { describe, expect, it } from 'vitest';
import { sampleVaccinationEvent } from '../../tests/support/vaccination-event';
import { mergeCorrection } from './vaccination.service';

const event = sampleVaccinationEvent({
  id: 10,
  occurredAt: '2025-01-12T09:00:00.000Z',
  occurredOn: '2025-01-12',
  product: { code: '45525711000001102', name: 'Priorix Tetra', shortName: 'Priorix-Tetra', vaccineType: 'MMRV' },
  antigens: ['MEASLES', 'MUMPS', 'RUBELLA', 'VARICELLA'],
  batchId: 5,
  batchNumber: 'PT0001',
  expiryDate: '2025-06-30',
  site: { code: '368208006', term: 'Left upper arm structure' },
  route: { code: '78421000', term: 'Intramuscular route' },
  doseAmount: 0.5,
  doseUnit: { code: '258773002', term: 'Millilitre' },
  performer: { name: 'Jo Nurse', role: null },
  organisationCode: 'G82001',
  legalBasis: 'PGD',
  sourceId: 'abc',
  recordedAt: '2025-01-12T09:05:00.000Z',
});

describe('mergeCorrection', () => {
  it('keeps everything not changed, including the linked batch', () => {
    const d = mergeCorrection(event, { site: { code: '61396006', term: 'Left thigh' } });
    expect(d).toMatchObject({
      site: { code: '61396006' },
      batch: { id: 5 },
      occurredAt: '2025-01-12T09:00:00.000Z',
      occurredOn: '2025-01-12',
      route: event.route,
      doseAmount: 0.5,
      performer: event.performer,
      legalBasis: 'PGD',
    });
  });

  it('drops the batch and product defaults when the product changes', () => {
    const d = mergeCorrection(event, { productCode: '13968211000001108' });
    expect(d).toMatchObject({ productCode: '13968211000001108', batch: null, route: null, doseAmount: null, doseUnit: null });
  });

  it('drops the batch when the dose is corrected to not given', () => {
    const d = mergeCorrection(event, { outcome: 'NOT_GIVEN', notGivenReason: 'DECLINED' });
    expect(d).toMatchObject({ outcome: 'NOT_GIVEN', notGivenReason: 'DECLINED', batch: null });
  });

  it('drops the old time when only the date changes, and derives the date when only the time changes', () => {
    expect(mergeCorrection(event, { occurredOn: '2025-01-11' })).toMatchObject({ occurredOn: '2025-01-11', occurredAt: null });
    expect(mergeCorrection(event, { occurredAt: '2025-01-11T10:00:00Z' })).toMatchObject({
      occurredOn: null,
      occurredAt: '2025-01-11T10:00:00Z',
    });
  });

  it('keeps a reported batch recorded as text', () => {
    const reported = { ...event, batchId: null, batchNumber: 'X1', expiryDate: null, primarySource: false };
    expect(mergeCorrection(reported, { notes: 'from the red book' }).batch).toEqual({ batchNumber: 'X1' });
  });
});
