import { describe, expect, it } from 'vitest';
import type { LetterCampaign, LetterPerson, MessageTemplate } from '../contract/letters';
import { addressBlock, languageFor, mergeValuesFor, prepareLetter, templateIndex, type PlannedLetter } from './letter.rules';

const person: LetterPerson = {
  personId: 7,
  nhsNumber: '9990001234',
  givenName: 'Ada',
  familyName: 'Lovelace',
  dateOfBirth: '1950-03-05',
  addressLines: ['12 Ockham Road', 'Ashford'],
  postcode: 'TN27 0AA',
  preferredLanguage: null,
  largePrint: false,
  practiceName: 'Alpha Surgery',
  appointmentDate: null,
  appointmentClinic: null,
  appointmentClinicPostcode: null,
  dueDate: '2026-11-30',
};

const campaign: LetterCampaign = {
  code: 'FLU',
  name: 'Flu 2026 to 2027',
  organisationCode: 'QKS',
  organisationName: 'Kent and Medway ICB',
  bookingRoute: 'LOCAL_LINK',
  bookingUrl: 'https://book.example.nhs.uk',
  bookingPhone: '01622 123456',
  clinicName: 'Maidstone clinic',
  clinicPostcode: 'ME14 1XX',
};

const template: MessageTemplate = {
  name: 'letter',
  version: 3,
  purpose: 'INVITATION',
  channel: 'LETTER',
  subject: 'Your vaccination, ((first name))',
  body: 'Dear ((full name)),((booking link?? Book at ((booking link)).))((booking phone?? Phone ((booking phone)).))',
  variants: { cy: { subject: 'Eich brechiad', body: 'Annwyl ((first name)), erbyn ((due date)).' } },
  createdBy: 'x',
  createdAt: '2026-09-01T00:00:00Z',
  inUse: true,
};

const planned = (over: Partial<PlannedLetter> = {}, p: Partial<LetterPerson> = {}): PlannedLetter => ({
  communicationId: 1,
  reference: 'ref',
  seq: 1,
  purpose: 'INVITATION',
  templateName: 'letter',
  templateVersion: 3,
  person: { ...person, ...p },
  ...over,
});

describe('merge values', () => {
  it('fills each field from the person, the campaign and the day', () => {
    const v = mergeValuesFor(person, campaign, '2026-10-05');
    expect(v).toMatchObject({
      'full name': 'Ada Lovelace',
      'nhs number': '999 000 1234',
      'date of birth': '5 March 1950',
      address: '12 Ockham Road, Ashford, TN27 0AA',
      'booking link': 'https://book.example.nhs.uk',
      // The phone is only for a campaign booked by phone.
      'booking phone': '',
      clinic: 'Maidstone clinic',
      'due date': '30 November 2026',
      'letter date': '5 October 2026',
      organisation: 'Kent and Medway ICB',
    });
    expect(
      mergeValuesFor({ ...person, appointmentClinic: 'Village hall', appointmentClinicPostcode: 'ME1 1AA' }, campaign, '2026-10-05'),
    ).toMatchObject({
      clinic: 'Village hall',
      'clinic postcode': 'ME1 1AA',
    });
    expect(mergeValuesFor(person, campaign, '2026-10-05', 'cy')['letter date']).toBe('5 Hydref 2026');
  });

  it("fills a school message's fields from the child's session and the service's contact, and leaves them empty otherwise", () => {
    const school = { ...person, schoolName: 'Oakwood School', sessionDate: '2026-11-09', schoolProgramme: 'HPV' };
    const service = { ...campaign, consentLink: 'https://consent.example.nhs.uk', consentPhone: '01622 000000' };
    expect(mergeValuesFor(school, service, '2026-10-05')).toMatchObject({
      school: 'Oakwood School',
      'session date': '9 November 2026',
      'school programme': 'HPV',
      'consent link': 'https://consent.example.nhs.uk',
      'consent phone': '01622 000000',
    });
    expect(mergeValuesFor(person, campaign, '2026-10-05')).toMatchObject({
      school: '',
      'session date': '',
      'school programme': '',
      'consent link': '',
      'consent phone': '',
    });
  });

  it('gives Welsh to people who prefer it when the template has it', () => {
    expect(languageFor({ preferredLanguage: 'cy' }, template)).toBe('cy');
    expect(languageFor({ preferredLanguage: 'cy' }, { variants: {} })).toBe('en');
    expect(languageFor({ preferredLanguage: null }, template)).toBe('en');
  });
});

describe('address block', () => {
  it('is the name, the address lines and the postcode', () => {
    expect(addressBlock(person)).toEqual({ ok: true, lines: ['Ada Lovelace', '12 Ockham Road', 'Ashford', 'TN27 0AA'] });
  });

  it('refuses what Notify would', () => {
    expect(addressBlock({ ...person, postcode: null })).toMatchObject({ ok: false, reason: 'The address has no postcode.' });
    expect(addressBlock({ ...person, addressLines: [] })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('at least one line'),
    });
    expect(addressBlock({ ...person, addressLines: ['1', '2', '3', '4', '5', '6'] })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('8 lines'),
    });
    expect(addressBlock({ ...person, addressLines: ['=1 Road'] })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('starts with “=”'),
    });
  });
});

describe('preparing a letter', () => {
  const index = templateIndex([template]);

  it('merges the template in the person’s language', () => {
    const en = prepareLetter(planned(), index, campaign, '2026-10-05', false);
    expect(en).toMatchObject({
      ok: true,
      language: 'en',
      draw: { subject: 'Your vaccination, Ada', body: 'Dear Ada Lovelace, Book at https://book.example.nhs.uk.' },
    });
    const cy = prepareLetter(planned({}, { preferredLanguage: 'cy', largePrint: true }), index, campaign, '2026-10-05', false);
    expect(cy).toMatchObject({ ok: true, language: 'cy', largePrint: true, draw: { body: 'Annwyl Ada, erbyn 30 Tachwedd 2026.' } });
  });

  it('says why a letter cannot be made, naming the person', () => {
    expect(prepareLetter(planned({ templateName: null, templateVersion: null }), index, campaign, '2026-10-05', false)).toEqual({
      ok: false,
      communicationId: 1,
      personId: 7,
      reason: 'No letter template is in use for invitation letters.',
    });
    expect(prepareLetter(planned({ templateVersion: 9 }), index, campaign, '2026-10-05', false)).toMatchObject({
      ok: false,
      reason: 'Template letter version 9 does not exist.',
    });
    expect(prepareLetter(planned({}, { postcode: null }), index, campaign, '2026-10-05', false)).toMatchObject({ ok: false, personId: 7 });
  });
});
