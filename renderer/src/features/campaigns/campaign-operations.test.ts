import { describe, expect, it } from 'vitest';
import type { CampaignDetail } from '../../../../main-api/contract/campaigns';
import {
  exportBatchOptions,
  exportWording,
  fileSize,
  importWording,
  normalisePostcode,
  normaliseSiteCode,
  normaliseTime,
  recallWording,
  rejectedRows,
  sessionOptions,
  sessionRows,
  slotsByDay,
} from './campaign-operations';

const clinics: CampaignDetail['clinics'] = [
  {
    id: 1,
    name: 'Village hall',
    siteCode: null,
    postcode: 'ME1 1AA',
    sessions: [
      { id: 11, date: '2026-10-21', startsAt: '13:00', endsAt: '16:00', slots: 20 },
      { id: 10, date: '2026-10-21', startsAt: '09:00', endsAt: '12:00', slots: 30 },
    ],
  },
  {
    id: 2,
    name: 'Abbey surgery',
    siteCode: 'G82001',
    postcode: null,
    sessions: [{ id: 20, date: '2026-10-20', startsAt: '09:00', endsAt: '12:00', slots: 15 }],
  },
  { id: 3, name: 'Empty clinic', siteCode: null, postcode: null, sessions: [] },
];

describe('clinics and sessions', () => {
  it('adds up sessions, clinics and slots by day, in day order', () => {
    expect(slotsByDay(clinics)).toEqual([
      { date: '2026-10-20', sessions: 1, clinics: 1, slots: 15 },
      { date: '2026-10-21', sessions: 2, clinics: 1, slots: 50 },
    ]);
    expect(slotsByDay([])).toEqual([]);
  });

  it('lists every session by day and start, and offers those from a day on to book into', () => {
    expect(sessionRows(clinics).map((s) => s.id)).toEqual([20, 10, 11]);
    const options = sessionOptions(clinics, '2026-10-21');
    expect(options.map((o) => o.value)).toEqual([10, 11]);
    expect(options[0]!.label).toBe('21/10/2026 09:00–12:00, Village hall');
  });

  it('reads postcodes, site codes and times as people type them', () => {
    expect(normalisePostcode('me141xx')).toBe('ME14 1XX');
    expect(normalisePostcode(' me14  1xx ')).toBe('ME14 1XX');
    expect(normalisePostcode('')).toBeNull();
    expect(normalisePostcode('nowhere')).toBe('NOWHERE');
    expect(normaliseSiteCode(' g82001 ')).toBe('G82001');
    expect(normaliseSiteCode('  ')).toBeNull();
    expect(['9', '9:30', '0930', '09.30', '17:05', '24:00', 'noon'].map(normaliseTime)).toEqual([
      '09:00',
      '09:30',
      '09:30',
      '09:30',
      '17:05',
      '24:00',
      'noon',
    ]);
  });
});

describe('operations', () => {
  it('offers confirmed batches to export, not drafts', () => {
    const batch = (id: number, status: 'DRAFT' | 'CONFIRMED') => ({
      id,
      status,
      cohortName: `Cohort ${id}`,
      createdBy: 'A',
      createdAt: '2026-10-01T09:00:00Z',
      confirmedAt: null,
      invited: null,
    });
    expect(exportBatchOptions([batch(1, 'DRAFT'), batch(2, 'CONFIRMED')])).toEqual([{ value: 2, label: 'Cohort 2 (batch 2)' }]);
  });

  it('says what an export did, and when there was nothing to export', () => {
    const o = { purpose: 'INVITATION' as const, channel: 'SMS' as const, dueBy: '2026-10-21', markSent: true };
    expect(exportWording({ rows: 0, fileName: 'f.csv' }, o)).toBe(
      'Nothing to export: no invitations by text message are waiting to be sent up to 21/10/2026.',
    );
    expect(exportWording({ rows: 1200, fileName: 'f.csv' }, o)).toBe('1,200 messages exported to f.csv, and marked as sent.');
    expect(exportWording({ rows: 1, fileName: 'f.csv' }, { ...o, markSent: false })).toBe(
      '1 message exported to f.csv (still waiting to be sent).',
    );
    expect(recallWording(0)).toMatch(/unchanged/);
    expect(recallWording(1)).toBe('1 person entered the recall queue.');
    expect(recallWording(2500)).toBe('2,500 people entered the recall queue.');
  });

  it("lists a refused import's rows with their numbers, fields and reasons", () => {
    expect(
      rejectedRows({
        code: 'VALIDATION',
        message: '2 rows',
        details: {
          kind: 'rows',
          rows: [
            { row: 0, field: null, message: 'The header must name …' },
            { row: 3, field: 'nhsNumber', message: 'An NHS number has 10 digits.' },
            { row: 4, field: 'somethingElse', message: 'x' },
          ],
        },
      }),
    ).toEqual([
      { row: 'Header', field: '—', reason: 'The header must name …' },
      { row: '3', field: 'NHS number', reason: 'An NHS number has 10 digits.' },
      { row: '4', field: 'somethingElse', reason: 'x' },
    ]);
    expect(rejectedRows({ code: 'FORBIDDEN', message: 'No' })).toEqual([]);
    expect(rejectedRows(null)).toEqual([]);
    expect(importWording({ added: 1, updated: 0, followUps: 0 })).toBe('1 booking added, 0 bookings updated.');
    expect(importWording({ added: 3, updated: 2, followUps: 1 })).toBe(
      '3 bookings added, 2 bookings updated; 1 missed-appointment follow-up to send.',
    );
    expect([12, 2048, 3 * 1024 * 1024].map(fileSize)).toEqual(['12 bytes', '2 KB', '3.0 MB']);
  });
});
