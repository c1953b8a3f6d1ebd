import { describe, expect, it } from 'vitest';
import { personalisation, plainEmail } from './sender.service';
import type { ClaimedMessage } from './sending.repository';

const base: ClaimedMessage = {
  id: 1,
  reference: '0b8f3c1e-2f4a-4c6b-9d1e-5a7b9c0d1e2f',
  purpose: 'CONSENT_REQUEST',
  channel: 'EMAIL',
  templateName: 'consent-request-email',
  templateVersion: 1,
  attempts: 1,
  personId: 7,
  nhsNumber: '9990001234',
  givenName: 'Ava',
  familyName: 'Pupil',
  email: 'parent@example.org',
  mobile: null,
  addressLine1: null,
  addressLine2: null,
  addressLine3: null,
  town: null,
  postcode: null,
  campaignName: 'Child health',
  schoolName: 'Oakwood School',
  sessionDate: '2026-11-09',
  schoolProgramme: 'HPV',
  consentLink: 'https://consent.example.nhs.uk',
  consentPhone: '01622 000000',
  organisationName: 'Kent School Immunisations',
};

describe('what a message of no campaign says', () => {
  it("gives Notify the school's and the service's personalisation", () => {
    expect(personalisation(base, '')).toMatchObject({
      'first name': 'Ava',
      school: 'Oakwood School',
      'session date': '9 November 2026',
      'school programme': 'HPV',
      'consent link': 'https://consent.example.nhs.uk',
      'consent phone': '01622 000000',
      organisation: 'Kent School Immunisations',
    });
  });

  it('writes a consent request, a reminder and an overdue notice as plain email for a mail server', () => {
    const request = plainEmail(base, '');
    expect(request.subject).toBe("Consent for Ava's vaccination");
    expect(request.body).toContain('The school immunisation team will offer Ava the HPV vaccination at Oakwood School on 9 November 2026.');
    expect(request.body).toContain(
      'Please give or refuse consent online at https://consent.example.nhs.uk or by calling 01622 000000 before the session.',
    );
    expect(request.body.endsWith('Kent School Immunisations')).toBe(true);
    const reminder = plainEmail({ ...base, purpose: 'CONSENT_REMINDER', consentLink: null }, '');
    expect(reminder.subject).toBe("Reminder: consent for Ava's vaccination");
    expect(reminder.body).toContain("We have not yet had your answer about Ava's HPV vaccination");
    expect(reminder.body).toContain('Please give or refuse consent by calling 01622 000000 before the session.');
    expect(plainEmail({ ...base, purpose: 'CHILD_OVERDUE', schoolName: null }, '').subject).toBe('Ava is due vaccinations');
  });

  it("keeps a campaign's email as it was", () => {
    const invite = plainEmail({ ...base, purpose: 'INVITATION', campaignName: 'Flu 2026' }, 'Call 0300 to book');
    expect(invite.subject).toBe('Flu 2026: invitation');
    expect(invite.body).toContain('Call 0300 to book.');
  });
});
