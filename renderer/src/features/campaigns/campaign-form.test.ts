import { describe, expect, it } from 'vitest';
import { CampaignSaveInput, type CampaignDetail } from '../../../../main-api/contract/campaigns';
import type { Programme } from '../../../../main-api/contract/vaccination';
import {
  campaignCode,
  campaignFieldOf,
  campaignProgrammes,
  emptyCampaignForm,
  flatValues,
  formFromDetail,
  formIssues,
  newReminder,
  organisationOptions,
  placeRefusal,
  reminderField,
  saveInput,
  templateField,
  templateKeysSent,
} from './campaign-form';

const detail: CampaignDetail = {
  code: 'FLU26-MEDWAY',
  name: 'Flu 2026-27, Medway',
  programmeCode: 'FLU_2026_27',
  organisationCode: 'QKS',
  channels: ['LETTER', 'SMS'],
  bookingRoute: 'PHONE',
  bookingUrl: null,
  bookingPhone: '0300 123 4567',
  recallSeries: ['covid-primary', 'flu-child-2'],
  templates: [
    { purpose: 'INVITATION', channel: 'SMS', templateName: 'flu-invite-sms', templateVersion: 3 },
    { purpose: 'REMINDER', channel: 'LETTER', templateName: 'flu-reminder-letter', templateVersion: 1 },
  ],
  reminderRules: [
    { id: 1, daysAfterInvitation: 14, channel: 'SMS', active: true },
    { id: 2, daysAfterInvitation: 21, channel: 'LETTER', active: false },
  ],
  clinics: [],
  batches: [],
  funnel: { eligible: 0, invited: 0, reminded: 0, booked: 0, attended: 0, didNotAttend: 0, vaccinated: 0 },
};

describe('the campaign set-up form', () => {
  it('starts a new campaign with the one organisation in scope, and none chosen among several', () => {
    expect(emptyCampaignForm([{ code: 'QKS' }]).organisationCode).toBe('QKS');
    expect(emptyCampaignForm([{ code: 'QKS' }, { code: 'G82001' }]).organisationCode).toBeNull();
    expect(emptyCampaignForm([]).reminderRules).toEqual([]);
  });

  it('fills from a campaign and saves it back unchanged, leaving retired reminder rules out', () => {
    const form = formFromDetail(detail);
    expect(form.reminderRules.map((r) => r.daysAfterInvitation)).toEqual([14]);
    expect(form.recallSeries).toBe('covid-primary, flu-child-2');
    const input = saveInput(form, false);
    expect(CampaignSaveInput.parse(input)).toEqual({
      code: 'FLU26-MEDWAY',
      name: 'Flu 2026-27, Medway',
      programmeCode: 'FLU_2026_27',
      organisationCode: 'QKS',
      channels: ['LETTER', 'SMS'],
      bookingRoute: 'PHONE',
      bookingUrl: null,
      bookingPhone: '0300 123 4567',
      recallSeries: ['covid-primary', 'flu-child-2'],
      templates: detail.templates,
      reminderRules: [{ daysAfterInvitation: 14, channel: 'SMS' }],
      create: false,
    });
  });

  it('sends only the booking detail of the route chosen, and only templates of the channels chosen', () => {
    const form = formFromDetail(detail);
    form.bookingRoute = 'NATIONAL';
    form.channels = ['LETTER'];
    const input = saveInput(form, true);
    expect(input.bookingPhone).toBeNull();
    expect(input.create).toBe(true);
    expect(input.templates.map((t) => `${t.purpose}/${t.channel}`)).toEqual(['REMINDER/LETTER']);
    // A name of spaces is no template.
    form.templates['INVITATION/LETTER']!.templateName = '   ';
    expect(templateKeysSent(form)).toEqual(['REMINDER/LETTER']);
  });

  it('names what it cannot send: no programme, no organisation, a blank version or day count', () => {
    const form = emptyCampaignForm([]);
    form.channels = ['SMS'];
    form.templates['INVITATION/SMS'] = { templateName: 'invite', templateVersion: null };
    form.reminderRules = [newReminder(null)];
    expect(formIssues(form).map((i) => i.field)).toEqual([
      'programmeCode',
      'organisationCode',
      templateField('INVITATION/SMS', 'version'),
      reminderField(0, 'days'),
    ]);
  });

  it("places the contract's messages on the cells and rows they are about", () => {
    const form = formFromDetail(detail);
    form.reminderRules.push(newReminder(14, 'LETTER'));
    const input = saveInput(form, false);
    const parsed = CampaignSaveInput.safeParse({ ...input, recallSeries: ['bad id!'] });
    expect(parsed.success).toBe(false);
    const to = campaignFieldOf(form);
    const fields = parsed.error!.issues.map((i) => to({ field: i.path.join('.'), message: i.message }));
    expect(fields).toEqual(expect.arrayContaining(['recallSeries', reminderField(1, 'days')]));
    // The second template sent is the reminder letter (purposes in order, then channels).
    expect(to({ field: 'templates.1.templateName', message: 'x' })).toBe(templateField('REMINDER/LETTER', 'name'));
    expect(to({ field: 'templates.0.templateVersion', message: 'x' })).toBe(templateField('INVITATION/SMS', 'version'));
    expect(to({ field: 'templates.9.templateName', message: 'x' })).toBeNull();
    expect(to({ field: 'bookingPhone', message: 'x' })).toBeNull();
    expect(Object.keys(flatValues(form))).toEqual(
      expect.arrayContaining(['bookingPhone', templateField('REMINDER/LETTER', 'name'), reminderField(1, 'days')]),
    );
  });

  it('offers active seasonal programmes, and keeps a campaign’s own programme and organisation on the list', () => {
    const p = (code: string, kind: Programme['kind'], active = true): Programme => ({
      code,
      name: code,
      kind,
      campaign: null,
      startDate: null,
      endDate: null,
      active,
    });
    const all = [
      p('FLU_2026_27', 'SEASONAL_FLU'),
      p('COVID19_AUTUMN_2026', 'COVID19'),
      p('ROUTINE', 'ROUTINE_CHILDHOOD'),
      p('FLU_2025_26', 'SEASONAL_FLU', false),
    ];
    expect(campaignProgrammes(all, null).map((o) => o.value)).toEqual(['FLU_2026_27', 'COVID19_AUTUMN_2026']);
    expect(campaignProgrammes(all, 'FLU_2025_26').map((o) => o.value)).toContain('FLU_2025_26');
    expect(organisationOptions([{ code: 'QKS', name: 'Kent' }], 'G82001').map((o) => o.value)).toEqual(['QKS', 'G82001']);
    expect(organisationOptions([{ code: 'QKS', name: 'Kent' }], 'QKS')).toEqual([{ value: 'QKS', label: 'Kent (QKS)' }]);
  });

  it('writes a typed code as the contract wants it', () => {
    expect(campaignCode(' flu26 medway ')).toBe('FLU26-MEDWAY');
  });

  it("places the database's refusals on the programme and the organisation", () => {
    const programme = placeRefusal({
      code: 'VALIDATION',
      message: 'The database refused the change: Name an active seasonal programme (for example FLU_2026_27).',
    });
    expect(programme?.details).toEqual({ kind: 'fields', fields: [{ field: 'programmeCode', message: programme!.message }] });
    const forbidden = placeRefusal({ code: 'FORBIDDEN', message: 'You do not have permission to do that.' });
    expect(forbidden?.details?.kind === 'fields' && forbidden.details.fields[0]!.field).toBe('organisationCode');
    const conflict = { code: 'CONFLICT' as const, message: 'Taken' };
    expect(placeRefusal(conflict)).toBe(conflict);
    expect(placeRefusal(null)).toBeNull();
    const elsewhere = { code: 'NOT_FOUND' as const, message: 'No campaign FLU-X is available to you.' };
    expect(placeRefusal(elsewhere, true)?.details).toEqual({
      kind: 'fields',
      fields: [{ field: 'code', message: 'This code cannot be used for a new campaign: choose another.' }],
    });
    expect(placeRefusal(elsewhere, false)).toBe(elsewhere);
  });
});
