import { describe, expect, it } from 'vitest';
import type { VaccinationHistory } from '../contract/vaccination';
import { sampleAdverseReaction, sampleVaccinationEvent } from '../../tests/support/vaccination-event';
import { toForecastView } from '../forecast/forecast.service';
import { forecast, scheduleRules, type PersonInput } from '../schedule';
import { extractPdfPages } from '../platform/pdf/pdf-text';
import { buildRecordDocument, renderVaccinationRecordPdf } from './printable-record.pdf';
import { dueNextFrom, toPrintableInput } from './printable-record.service';
import { sourceLabel } from '../shared/vocabulary/vaccination';

const base = sampleVaccinationEvent({
  personId: 7,
  product: { code: 'P1', name: 'MMRvaxPRO', shortName: 'MMRvaxPRO', vaccineType: 'MMR' },
  antigens: ['MEASLES', 'MUMPS'],
  batchId: 3,
  batchNumber: 'AB1',
  expiryDate: '2026-01-01',
  site: { code: '61396006', term: 'Left thigh structure' },
  doseAmount: 0.5,
  performer: { name: 'Jo Nurse', role: null },
  legalBasis: 'PGD',
  sourceId: 'x1',
});

describe('toPrintableInput', () => {
  it('prints only active events, splits given and not given, and names antigens', () => {
    const history: VaccinationHistory = {
      events: [
        base,
        { ...base, id: 2, status: 'SUPERSEDED', batchNumber: 'OLD' },
        { ...base, id: 3, outcome: 'NOT_GIVEN', notGivenReason: 'DECLINED', product: null, antigens: [] },
        { ...base, id: 4, primarySource: false, sourceSystem: 'GP system', occurredOn: '2024-12-01' },
      ],
      reactions: [sampleAdverseReaction({ personId: 7 }), sampleAdverseReaction({ id: 2, personId: 7, eventId: 2, reactionCode: 'RASH' })],
    };
    const input = toPrintableInput({
      issuedOn: '2025-02-01',
      issuer: { name: 'Alpha Surgery', code: 'G82001' },
      person: { nhsNumber: '9990000018', givenName: 'Zoë', familyName: 'Ng', dateOfBirth: '2024-01-10', postcode: 'ME14 1AA' },
      addressLines: ['1 High Street'],
      history,
      dueNext: [],
    });
    expect(input.given.map((g) => g.batchNumber)).toEqual(['AB1', 'AB1']);
    expect(input.given[0]).toMatchObject({ antigens: ['Measles', 'Mumps'], source: { primarySource: true }, site: 'Left thigh' });
    expect(input.given[1]).toMatchObject({ source: { primarySource: false, sourceSystem: 'GP system', reportedBy: null } });
    expect(input.notGiven).toEqual([{ date: '2025-01-12', product: null, reason: 'DECLINED', offeredBy: 'Jo Nurse' }]);
    expect(input.reactions).toEqual([
      {
        onset: '2025-01-12',
        reaction: 'FEVER',
        description: null,
        seriousness: 'NOT_SERIOUS',
        outcome: 'RECOVERED',
        vaccine: { date: '2025-01-12', product: 'MMRvaxPRO' },
        yellowCard: null,
      },
    ]);
  });
});

describe('reaction onset on the printed record', () => {
  it('is the date in England, not in UTC', () => {
    const input = toPrintableInput({
      issuedOn: '2026-06-10',
      issuer: { name: 'Alpha Surgery', code: 'G82001' },
      person: { nhsNumber: '9990000018', givenName: 'A', familyName: 'B', dateOfBirth: '2024-01-10', postcode: null },
      addressLines: [],
      history: {
        events: [base],
        reactions: [sampleAdverseReaction({ personId: 7, onsetAt: '2026-06-03T23:30:00.000Z' })],
      },
      dueNext: [],
    });
    expect(input.reactions[0]?.onset).toBe('2026-06-04');
  });
});

describe('sites and reactions on the printed record', () => {
  const printed = (history: VaccinationHistory) =>
    toPrintableInput({
      issuedOn: '2026-06-10',
      issuer: { name: 'Alpha Surgery', code: 'G82001' },
      person: { nhsNumber: '9990000018', givenName: 'A', familyName: 'B', dateOfBirth: '2024-01-10', postcode: null },
      addressLines: [],
      history,
      dueNext: [],
    });

  it('names a listed site in plain words and keeps another system’s own term for any other', () => {
    const input = printed({
      events: [
        { ...base, site: { code: '368209003', term: 'Right upper arm structure' } },
        { ...base, id: 5, site: { code: '91775009', term: 'Left shoulder region structure' } },
      ],
      reactions: [],
    });
    expect(input.given.map((g) => g.site)).toEqual(['Right upper arm', 'Left shoulder region structure']);
  });

  it('passes the reaction code and what the reporter wrote, for the document to word', () => {
    const input = printed({
      events: [base],
      reactions: [
        sampleAdverseReaction({
          personId: 7,
          onsetAt: '2026-06-03T10:00:00.000Z',
          reactionCode: 'OTHER',
          description: 'Swollen leg',
          outcome: 'RECOVERING',
        }),
      ],
    });
    expect(input.reactions).toEqual([
      {
        onset: '2026-06-03',
        reaction: 'OTHER',
        description: 'Swollen leg',
        seriousness: 'NOT_SERIOUS',
        outcome: 'RECOVERING',
        vaccine: { date: '2025-01-12', product: 'MMRvaxPRO' },
        yellowCard: null,
      },
    ]);
  });

  it('keeps a reaction recorded before its dose was corrected, with the corrected dose; drops one on a dose entered in error', () => {
    const reaction = (id: number, eventId: number) => ({
      id,
      personId: 7,
      eventId,
      onsetAt: '2025-01-13T09:00:00.000Z',
      reactionCode: 'RASH' as const,
      description: null,
      seriousness: 'NOT_SERIOUS' as const,
      outcome: 'RECOVERED' as const,
      reporter: 'Parent',
      reportedToMhra: true,
      yellowCardReference: 'YC-1',
      recordedBy: 'n',
      recordedAt: 'x',
    });
    const input = printed({
      events: [
        // Corrected twice: 10 -> 11 -> 12; the current version was given on the 14th.
        { ...base, id: 12, occurredOn: '2025-01-14', supersedesId: 11 },
        { ...base, id: 11, status: 'SUPERSEDED', supersedesId: 10, supersededById: 12 },
        { ...base, id: 10, status: 'SUPERSEDED', supersededById: 11 },
        { ...base, id: 20, status: 'ENTERED_IN_ERROR' },
      ],
      reactions: [reaction(1, 10), reaction(2, 20)],
    });
    expect(input.reactions).toEqual([
      expect.objectContaining({
        reaction: 'RASH',
        vaccine: { date: '2025-01-14', product: 'MMRvaxPRO' },
        yellowCard: { reference: 'YC-1' },
      }),
    ]);
  });
});

describe("dueNextFrom on the engine's forecast with the shipped rules", () => {
  const rules = scheduleRules();
  // Born 1 March 2020, immunosuppressed since 2024, never given MMR; seen on 1 October 2025.
  const person: PersonInput = { dateOfBirth: '2020-03-01', flags: [{ code: 'IMMUNOSUPPRESSION', from: '2024-01-10', to: null }] };
  const view = toForecastView(
    { personId: 1, person, events: [], productNames: new Map() },
    forecast(rules, person, [], '2025-10-01'),
    rules,
  );
  const due = dueNextFrom(view);

  it('lists a live vaccine that needs a clinical assessment, with the reason, and flu with what to offer instead', () => {
    const mmr = due.find((d) => d.kind === 'SERIES' && d.status === 'NEEDS_ASSESSMENT' && d.vaccination === 'MMR(V)');
    expect(mmr?.note).toMatch(/^A clinician must assess this person before it is given: MMR and MMRV are live vaccines/);
    const flu = due.find((d) => d.kind === 'CAMPAIGN' && d.vaccination.startsWith('Flu'));
    expect(flu).toMatchObject({ status: 'DUE', product: null });
    expect(flu?.note).toMatch(/^Offer an injected inactivated flu vaccine instead of the nasal spray: /);
  });

  it('prints both in plain words, without codes', async () => {
    const record = toPrintableInput({
      issuedOn: '2025-10-01',
      issuer: { name: 'Alpha Surgery', code: 'G82001' },
      person: { nhsNumber: '9990000018', givenName: 'Ada', familyName: 'Ng', dateOfBirth: '2020-03-01', postcode: null },
      addressLines: [],
      history: { events: [], reactions: [] },
      dueNext: due,
    });
    // One string per printed line, as the table wraps it: the phrases below fit on one line.
    const squash = (s: string): string => s.replace(/\s+/g, '');
    const lines = extractPdfPages(await renderVaccinationRecordPdf(record, { compress: false }))
      .flat()
      .map(squash);
    const printed = (phrase: string): boolean => lines.some((l) => l.includes(squash(phrase)));
    for (const phrase of [
      'Needs clinical',
      'A clinician must assess this person before it is given:',
      'MMR and MMRV are live vaccines',
      'Eligible now',
      'Offer an injected inactivated flu vaccine instead of the',
      "nasal spray: the children's nasal spray (LAIV) is a live",
    ])
      expect(printed(phrase), phrase).toBe(true);
    expect(lines.join(' ')).not.toMatch(/IMMUNOSUPPRESSION|NEEDS_ASSESSMENT/);
  });
});

describe('who gave, reported or offered a vaccination, on the printed record', () => {
  it('says who reported a dose recorded here from elsewhere and who gave it, and who offered one not given', async () => {
    // As the recording form saves them: a reported dose's source system is this application.
    const fromGp = {
      ...base,
      id: 11,
      primarySource: false,
      sourceSystem: 'IMS',
      reportedBy: { kind: 'GP' as const, name: 'Marston Surgery' },
    };
    const fromRedBook = {
      ...base,
      id: 12,
      occurredOn: '2024-06-01',
      primarySource: false,
      sourceSystem: 'IMS',
      performer: null,
      reportedBy: { kind: 'PARENT_HELD_RECORD' as const, name: null },
    };
    const declined = {
      ...base,
      id: 13,
      occurredOn: '2024-09-01',
      outcome: 'NOT_GIVEN' as const,
      notGivenReason: 'DECLINED' as const,
      performer: { name: 'Sam Offerer', role: null },
    };
    const input = toPrintableInput({
      issuedOn: '2025-02-01',
      issuer: { name: 'Alpha Surgery', code: 'G82001' },
      person: { nhsNumber: '9990000018', givenName: 'A', familyName: 'B', dateOfBirth: '2024-01-10', postcode: null },
      addressLines: [],
      history: { events: [fromGp, fromRedBook, declined], reactions: [] },
      dueNext: [],
    });
    // The words of every cell, whole, and the lines the PDF prints (wrapped cells interleave).
    const words = JSON.stringify(buildRecordDocument(input).content);
    const lines = extractPdfPages(await renderVaccinationRecordPdf(input, { compress: false })).flat();
    const text = lines.join('\n');
    // The same words as the history on the screen.
    expect(words).toContain(sourceLabel(fromGp));
    expect(sourceLabel(fromGp)).toBe('Reported by Marston Surgery (GP practice)');
    expect(words).toContain('Reported by parent-held record (red book)');
    expect(words).not.toContain('Reported by IMS');
    expect(text).toContain('Reported by');
    // Who gave the GP's dose is known; the red book's is not, and nobody is named for it.
    expect(lines.find((l) => l.includes('2024-06-01') || l.startsWith('01/06/2024'))).not.toContain('Jo Nurse');
    expect(text).toContain('Jo Nurse');
    expect(lines).toContain('Date Vaccine Reason Offered by');
    expect(lines.some((l) => l.includes('Declined') && l.includes('Sam Offerer'))).toBe(true);
  });
});
