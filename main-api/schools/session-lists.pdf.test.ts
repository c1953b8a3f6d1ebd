import { describe, expect, it } from 'vitest';
import type { SchoolSessionDetail, SessionChild } from '../contract/schools';
import { renderSessionLists, sessionListsDocument } from './session-lists.pdf';

const base: SessionChild = {
  personId: 1,
  nhsNumber: '9990000018',
  givenName: 'Ava',
  familyName: 'Pupil',
  dateOfBirth: '2013-01-15',
  yearGroup: 8,
  response: 'GIVEN',
  refusalReason: null,
  respondent: 'Ann Pupil',
  responseNotes: null,
  gillickOutcome: null,
  gillickAssessedBy: null,
  gillickNotes: null,
  consent: 'GIVEN',
  outcome: null,
  vaccinationEventId: null,
  outcomeNotes: null,
  requested: true,
  reminded: false,
};

const detail: SchoolSessionDetail = {
  session: {
    id: 7,
    schoolUrn: '136001',
    schoolName: 'Hill Academy',
    programme: 'HPV',
    date: '2026-10-08',
    children: 3,
    consentGiven: 2,
    consentRefused: 1,
    notReturned: 0,
    vaccinated: 0,
    outcomesRecorded: 0,
  },
  children: [
    base,
    {
      ...base,
      personId: 2,
      givenName: 'Ben',
      response: 'REFUSED',
      refusalReason: 'PERSONAL_CHOICE',
      gillickOutcome: 'COMPETENT_CONSENTS',
      gillickAssessedBy: 'Jo Smith',
    },
    { ...base, personId: 3, givenName: 'Cal', response: 'REFUSED', refusalReason: 'MEDICAL_REASONS', consent: 'REFUSED' },
  ],
};

describe("the day's lists", () => {
  it('lists the children under consent given, refused and not returned, with the reason or the child’s own consent', () => {
    const text = JSON.stringify(sessionListsDocument(detail).content);
    expect(text).toContain('Consent given (2)');
    expect(text).toContain('Consent refused (1)');
    expect(text).toContain('Consent not returned (0)');
    expect(text).toContain('Own consent: Competent, and consents (assessed by Jo Smith)');
    expect(text).toContain('Medical reasons');
    expect(text).toContain('HPV session, 8 October 2026');
  });

  it('renders a PDF', async () => {
    const pdf = await renderSessionLists(detail);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  });
});
