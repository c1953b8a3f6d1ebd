import { describe, expect, it } from 'vitest';
import { sampleAdverseReaction, sampleVaccinationEvent } from '../../../../tests/support/vaccination-event';
import { NO_NEXT_DOSE, type CampaignView, type SeriesView } from '../../../../main-api/contract/forecast';
import type { AdverseReaction, Batch, Product, Programme, VaccinationEvent } from '../../../../main-api/contract/vaccination';
import { validationError, placeError, stillStanding } from '../../platform/form';
import {
  base64ToBytes,
  changedFields,
  buildRecordInput,
  buildTimeline,
  defaultProgramme,
  emptyForm,
  fieldsShown,
  findBatch,
  productDefaults,
  productMatches,
  rankProducts,
  sortCampaigns,
  suggestedDose,
  batchSuggestions,
  pickBatch,
  withPrimarySource,
} from './vaccination';

function series(over: Partial<SeriesView> & Pick<SeriesView, 'seriesId' | 'status'>): SeriesView {
  return {
    name: over.seriesId,
    kind: 'course',
    vaccineGroup: over.seriesId,
    rules: 'ENG-ROUTINE v2025-26',
    ...NO_NEXT_DOSE,
    explanation: [],
    dosesCounted: [],
    dosesIgnored: [],
    ...over,
  };
}

const mmr: Product = {
  code: '34925111000001104',
  codeStatus: 'CONFIRMED',
  name: 'Priorix vaccine powder and solvent',
  shortName: 'Priorix',
  manufacturer: 'GSK',
  vaccineType: 'MMR',
  antigens: [],
  defaultRoute: { code: '78421000', term: 'Intramuscular route' },
  defaultDoseAmount: 0.5,
  doseUnit: { code: '258773002', term: 'Millilitre' },
  procedures: [],
  active: true,
};
const rotarix: Product = {
  ...mmr,
  code: '34609911000001106',
  shortName: 'Rotarix',
  name: 'Rotarix oral',
  vaccineType: 'Rotavirus',
  defaultRoute: { code: '26643006', term: 'Oral route' },
  defaultDoseAmount: 1.5,
};
const fluenz: Product = {
  ...mmr,
  code: '43208811000001106',
  shortName: 'Fluenz',
  name: 'Fluenz nasal',
  vaccineType: 'Flu (LAIV)',
  defaultRoute: { code: '46713006', term: 'Nasal route' },
};

const programmes: Programme[] = [
  { code: 'ROUTINE_CHILDHOOD', name: 'Routine', kind: 'ROUTINE_CHILDHOOD', campaign: null, startDate: null, endDate: null, active: true },
  {
    code: 'FLU_2024_25',
    name: 'Flu 24-25',
    kind: 'SEASONAL_FLU',
    campaign: '2024-25',
    startDate: '2024-09-01',
    endDate: '2025-03-31',
    active: true,
  },
  {
    code: 'FLU_2025_26',
    name: 'Flu 25-26',
    kind: 'SEASONAL_FLU',
    campaign: '2025-26',
    startDate: '2025-09-01',
    endDate: '2026-03-31',
    active: true,
  },
];

function event(over: Partial<VaccinationEvent> & Pick<VaccinationEvent, 'id'>): VaccinationEvent {
  return sampleVaccinationEvent({
    occurredOn: '2025-01-01',
    product: { code: mmr.code, name: mmr.name, shortName: 'Priorix', vaccineType: 'MMR' },
    antigens: [],
    recordedAt: '2025-01-01T10:00:00Z',
    ...over,
  });
}

describe('sortCampaigns', () => {
  it('lists campaigns the person is eligible for first', () => {
    const c = (campaignId: string, status: CampaignView['status']): CampaignView => ({
      campaignId,
      name: campaignId,
      version: '1',
      eligible: status !== 'NOT_ELIGIBLE',
      eligibleFrom: null,
      status,
      reasons: [],
      explanation: [],
      plain: { reasons: [], explanation: [] },
      givenOn: null,
      offer: null,
      caution: null,
      note: null,
    });
    expect(sortCampaigns([c('COVID', 'NOT_ELIGIBLE'), c('FLU', 'DUE'), c('X', 'GIVEN')]).map((x) => x.campaignId)).toEqual([
      'FLU',
      'X',
      'COVID',
    ]);
  });
});

describe('suggestedDose and product defaults', () => {
  const open = [
    series({ seriesId: 'MMR', status: 'DUE', nextDose: 2, nextProduct: 'MMR' }),
    series({ seriesId: 'ROTA', status: 'COMPLETE', nextDose: null, nextProduct: null }),
  ];
  it('prefills the next dose of a series the product belongs to', () => {
    expect(suggestedDose(open, mmr)).toBe(2);
    expect(suggestedDose(open, rotarix)).toBeNull();
    expect(suggestedDose(open, null)).toBeNull();
    const shingles = [series({ seriesId: 'SHINGLES', status: 'UPCOMING', nextDose: 1, nextProduct: 'Shingrix' })];
    expect(suggestedDose(shingles, { vaccineType: 'Shingles', shortName: 'Shingrix' })).toBe(1);
  });
  it('takes route, amount, site and programme from the product', () => {
    expect(productDefaults(rotarix, open, programmes, '2025-10-01')).toEqual({
      routeCode: '26643006',
      doseAmount: 1.5,
      doseSequence: null,
      programmeCode: 'ROUTINE_CHILDHOOD',
      siteCode: '123851003',
    });
    expect(productDefaults(mmr, open, programmes, '2025-10-01').doseSequence).toBe(2);
    // The site follows from the route's code: nose for a nasal vaccine, none for an injection.
    expect(productDefaults(fluenz, open, programmes, '2025-10-01').siteCode).toBe('279549004');
    expect(productDefaults(mmr, open, programmes, '2025-10-01').siteCode).toBeNull();
  });
  it('chooses the flu campaign running on the day', () => {
    expect(defaultProgramme(fluenz, programmes, '2025-10-01')).toBe('FLU_2025_26');
    expect(defaultProgramme(fluenz, programmes, '2024-10-01')).toBe('FLU_2024_25');
    expect(defaultProgramme(fluenz, programmes, '2025-06-01')).toBeNull();
  });
  it('finds products by short name, kind or full name', () => {
    expect(productMatches(mmr, 'mmr')).toBe(true);
    expect(productMatches(mmr, 'prior')).toBe(true);
    expect(productMatches(rotarix, 'mmr')).toBe(false);
  });
  it('offers the kind typed exactly before names that merely start the same', () => {
    const mmrvaxpro = { ...mmr, shortName: 'MMRvaxPRO', vaccineType: 'MMR' };
    const proquad = { ...mmr, shortName: 'ProQuad', vaccineType: 'MMRV' };
    const list = [mmr, mmrvaxpro, proquad, rotarix];
    expect(rankProducts(list, 'mmrv').map((p) => p.shortName)).toEqual(['ProQuad', 'MMRvaxPRO']);
    expect(rankProducts(list, 'mmr').map((p) => p.shortName)).toEqual(['Priorix', 'MMRvaxPRO', 'ProQuad']);
    expect(rankProducts(list, '').length).toBe(4);
  });
});

describe('buildTimeline', () => {
  it('orders newest first and tucks corrected versions under their replacement', () => {
    const events = [
      event({ id: 1, occurredOn: '2024-05-01', status: 'SUPERSEDED', supersededById: 3 }),
      event({ id: 2, occurredOn: '2025-02-01' }),
      event({ id: 3, occurredOn: '2024-05-02', supersedesId: 1, changeReason: 'Wrong date', recordedAt: '2025-03-01T10:00:00Z' }),
      event({ id: 4, occurredOn: '2023-01-01', status: 'ENTERED_IN_ERROR', statusReason: 'Wrong person' }),
    ];
    const reactions: AdverseReaction[] = [sampleAdverseReaction({ id: 9, onsetAt: '2024-05-01T12:00:00Z' })];
    const t = buildTimeline(events, reactions);
    expect(t.map((e) => e.event.id)).toEqual([2, 3, 4]);
    expect(t[1]!.earlier.map((e) => e.id)).toEqual([1]);
    // A reaction recorded before a correction stays with the vaccination.
    expect(t[1]!.reactions.map((r) => r.id)).toEqual([9]);
    expect(t[0]!.reactions).toEqual([]);
  });
});

describe('buildRecordInput', () => {
  const batches: Batch[] = [
    {
      id: 7,
      productCode: mmr.code,
      batchNumber: 'AB123',
      expiryDate: '2026-01-01',
      expired: false,
      organisationCode: null,
      receivedOn: null,
    },
  ];
  const ctx = { personId: 42, products: [mmr, rotarix], batches, today: '2025-12-01' };
  const filled = () => ({
    ...emptyForm('2025-10-01', 'Sam Nurse'),
    productCode: mmr.code,
    ...productDefaults(mmr, [], programmes, '2025-10-01'),
    siteCode: '368208006',
  });

  it('uses an existing batch when the typed number matches one', () => {
    expect(findBatch(batches, ' ab123 ')?.id).toBe(7);
    const r = buildRecordInput({ ...filled(), batchNumber: 'ab123' }, ctx);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.input.batch).toEqual({ id: 7, batchNumber: 'AB123' });
    expect(r.input.occurredOn).toBe('2025-10-01');
    expect(r.input.site?.term).toBe('Left upper arm structure');
    expect(r.input.route?.code).toBe('78421000');
    expect(r.input.doseUnit?.term).toBe('Millilitre');
    expect(r.input.performer).toEqual({ name: 'Sam Nurse', role: null });
    expect(r.input.source).toBeNull();
  });

  it('asks for the expiry of a new batch given here', () => {
    const r = buildRecordInput({ ...filled(), batchNumber: 'NEW1' }, ctx);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.field)).toEqual(['batchExpiry']);
    const r2 = buildRecordInput({ ...filled(), batchNumber: 'new1', batchExpiry: '31/12/2026' }, ctx);
    expect(r2.ok && r2.input.batch).toEqual({ batchNumber: 'NEW1', expiryDate: '2026-12-31' });
  });

  it('records a reported dose with who reported it, not the signed-in user as vaccinator, and no legal basis', () => {
    const reported = withPrimarySource({ ...filled(), legalBasis: 'PGD' }, false, 'Sam Nurse');
    expect(reported.performerName).toBe('');
    const missing = buildRecordInput(reported, ctx);
    expect(!missing.ok && missing.problems.map((p) => p.field)).toEqual(['reportedBy']);
    const r = buildRecordInput({ ...reported, reportedBy: 'GP', reportedByName: ' Marston Surgery ' }, ctx);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.input.reportedBy).toEqual({ kind: 'GP', name: 'Marston Surgery' });
    expect(r.input.performer).toBeNull();
    expect(r.input.primarySource).toBe(false);
    expect(r.input.source).toBeNull();
    expect(r.input.batch).toBeNull();
    expect(r.input.legalBasis).toBeNull();
    // Back to "given here": the signed-in user is the vaccinator again; a typed name would stay.
    expect(withPrimarySource(reported, true, 'Sam Nurse').performerName).toBe('Sam Nurse');
    expect(withPrimarySource({ ...filled(), performerName: 'Dr Who' }, false, 'Sam Nurse').performerName).toBe('Dr Who');
  });

  it('refuses a new batch expiring implausibly late, in the words the service uses', () => {
    const r = buildRecordInput({ ...filled(), batchNumber: 'NEW1', batchExpiry: '31/12/9999' }, ctx);
    expect(!r.ok && r.problems).toEqual([
      {
        field: 'batchExpiry',
        message:
          'Batch NEW1 cannot expire on 31 December 9999: that is more than 5 years after the vaccination date (1 October 2025). Check the expiry date on the vial.',
      },
    ]);
    expect(buildRecordInput({ ...filled(), batchNumber: 'NEW1', batchExpiry: '01/10/2030' }, ctx).ok).toBe(true);
  });

  it('a batch picked from the list is that batch, exactly: its number in the field, its id sent', () => {
    const suggestions = batchSuggestions(batches, 'ab');
    expect(suggestions).toEqual([{ label: 'AB123', value: '7', detail: 'expires 01/01/2026' }]);
    const picked = pickBatch({ ...filled(), batchNumber: 'ab', batchExpiry: '01/01/2030' }, batches, suggestions[0]!.value);
    expect(picked).toMatchObject({ batchId: 7, batchNumber: 'AB123', batchExpiry: '' });
    const r = buildRecordInput(picked, ctx);
    expect(r.ok && r.input.batch).toEqual({ id: 7, batchNumber: 'AB123' });
    // Typing over a picked batch makes it a typed number again.
    const retyped = buildRecordInput({ ...picked, batchNumber: 'ZZ9', batchExpiry: '31/12/2026' }, ctx);
    expect(retyped.ok && retyped.input.batch).toEqual({ batchNumber: 'ZZ9', expiryDate: '2026-12-31' });
  });

  it('a dose not given has no reporter: it was offered here', () => {
    const r = buildRecordInput(
      {
        ...emptyForm('2025-10-01', 'Sam Nurse'),
        outcome: 'NOT_GIVEN',
        notGivenReason: 'DECLINED',
        programmeCode: 'ROUTINE_CHILDHOOD',
        primarySource: false,
      },
      ctx,
    );
    expect(r.ok && r.input).toMatchObject({ primarySource: true, reportedBy: null, performer: { name: 'Sam Nurse', role: null } });
  });

  it('needs a reason and no product details when not given', () => {
    const base = { ...emptyForm('2025-10-01', ''), outcome: 'NOT_GIVEN' as const, programmeCode: 'ROUTINE_CHILDHOOD' };
    const r = buildRecordInput(base, ctx);
    expect(!r.ok && r.problems.map((p) => p.field)).toEqual(['notGivenReason']);
    const r2 = buildRecordInput({ ...base, notGivenReason: 'DECLINED', siteCode: '368208006' }, ctx);
    expect(r2.ok).toBe(true);
    if (!r2.ok) return;
    expect(r2.input).toMatchObject({
      outcome: 'NOT_GIVEN',
      notGivenReason: 'DECLINED',
      batch: null,
      site: null,
      performer: null,
      productCode: null,
    });
  });

  it('refuses a date that cannot be read', () => {
    const r = buildRecordInput({ ...filled(), date: '31/02/2025', batchNumber: 'AB123' }, ctx);
    expect(!r.ok && r.problems[0]?.field).toBe('date');
  });
});

describe('fieldsShown', () => {
  const form = { ...emptyForm('2025-10-01', 'Sam Nurse'), productCode: mmr.code, batchNumber: 'NEW1' };
  /** The messages of a failed save that still stand once the form has become `after`. */
  const standing = (failed: typeof form, problems: { field: string; message: string }[], after: typeof form, newBatch = true) =>
    stillStanding(placeError(validationError(problems), fieldsShown(failed, newBatch)).placed, fieldsShown(after, newBatch)).map(
      (p) => p.field,
    );

  it('shows a reason for a dose not given, a reporter for one given elsewhere, and an expiry only for a new batch', () => {
    expect(Object.keys(fieldsShown({ ...form, outcome: 'NOT_GIVEN' }, true))).toContain('notGivenReason');
    expect(Object.keys(fieldsShown({ ...form, outcome: 'NOT_GIVEN' }, true))).not.toContain('batchNumber');
    expect(Object.keys(fieldsShown(form, true))).toEqual(expect.arrayContaining(['batchNumber', 'batchExpiry', 'legalBasis']));
    expect(Object.keys(fieldsShown(form, false))).not.toContain('batchExpiry');
    const elsewhere = Object.keys(fieldsShown({ ...form, primarySource: false }, false));
    expect(elsewhere).toEqual(expect.arrayContaining(['reportedBy', 'reportedByName']));
    expect(elsewhere).not.toContain('legalBasis');
  });

  it('lets a message go when its field is corrected or no longer shown, and keeps the others', () => {
    const notGiven = { ...form, outcome: 'NOT_GIVEN' as const };
    const problems = [
      { field: 'notGivenReason', message: 'Say why the vaccination was not given.' },
      { field: 'programmeCode', message: 'Choose the programme.' },
    ];
    // Switched back to Given: the reason field goes, and its message with it.
    expect(standing(notGiven, problems, form)).toEqual(['programmeCode']);
    // A reason chosen: that message goes; the programme's stays until it is chosen.
    expect(standing(notGiven, problems, { ...notGiven, notGivenReason: 'DECLINED' })).toEqual(['programmeCode']);
    expect(standing(notGiven, problems, { ...notGiven, notGivenReason: 'DECLINED', programmeCode: 'ROUTINE_CHILDHOOD' })).toEqual([]);
    // Nothing changed: everything still stands.
    expect(standing(notGiven, problems, notGiven)).toEqual(['notGivenReason', 'programmeCode']);
    // An existing batch picked: the new batch's expiry is no longer asked for.
    const expiry = [{ field: 'batchExpiry', message: 'This is a new batch: enter its expiry date from the pack.' }];
    expect(stillStanding(placeError(validationError(expiry), fieldsShown(form, true)).placed, fieldsShown(form, false))).toEqual([]);
  });
});

describe('base64ToBytes', () => {
  it('decodes the PDF header', () => {
    expect(Array.from(base64ToBytes(btoa('%PDF-1.7')).slice(0, 4))).toEqual([37, 80, 68, 70]);
  });
});

describe('changedFields', () => {
  it('keeps only what changed', () => {
    expect(changedFields({ a: 1, b: { c: 'x' }, d: null }, { a: 1, b: { c: 'y' }, d: null })).toEqual({ b: { c: 'y' } });
    expect(changedFields({ a: 1 }, { a: 1 })).toEqual({});
  });
});
