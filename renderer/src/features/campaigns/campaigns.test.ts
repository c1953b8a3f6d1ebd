import { describe, expect, it } from 'vitest';
import {
  bookedShare,
  clinicCapacity,
  cohortCampaignNote,
  confirmQuestion,
  confirmWording,
  dailyRunWording,
  defaultPlan,
  funnelSteps,
  planInput,
  previewRows,
  wavesSpan,
} from './campaigns';

describe('campaign figures', () => {
  it('gives each funnel step its share of those eligible, or of those invited without a confirmed cohort', () => {
    const f = { eligible: 400, invited: 200, reminded: 100, booked: 50, attended: 40, didNotAttend: 10, vaccinated: 60 };
    expect(funnelSteps(f).map((s) => [s.label, s.percent])).toEqual([
      ['Eligible (confirmed cohorts)', 100],
      ['Invited', 50],
      ['Reminded', 25],
      ['Booked', 13],
      ['Attended', 10],
      ['Did not attend', 3],
      ['Vaccinated since invited', 15],
    ]);
    expect(funnelSteps({ ...f, eligible: 0 })[3]!.percent).toBe(25);
    expect(funnelSteps({ ...f, eligible: 0, invited: 0 })[3]!.percent).toBeNull();
    expect(bookedShare({ invited: 200, booked: 50 })).toBe(25);
    expect(bookedShare({ invited: 0, booked: 0 })).toBeNull();
  });

  it('counts the slots of sessions from a day on', () => {
    const session = (date: string, slots: number) => ({ id: 1, date, startsAt: '09:00', endsAt: '12:00', slots });
    const clinics = [
      { id: 1, name: 'A', siteCode: null, postcode: null, sessions: [session('2026-10-01', 100), session('2026-12-10', 80)] },
      { id: 2, name: 'B', siteCode: null, postcode: null, sessions: [session('2026-12-02', 40)] },
    ];
    expect(clinicCapacity(clinics, '2026-12-02')).toEqual({ sessions: 2, slots: 120 });
  });

  it('sends only what the release mode and priority use', () => {
    const f = { ...defaultPlan('2026-12-02'), priority: 'practice-order' as const, practiceOrder: 'g89001, g89002 G89001' };
    expect(planInput(f)).toEqual({
      mode: 'per-day',
      cap: 500,
      startOn: '2026-12-02',
      leadDays: 0,
      priority: 'practice-order',
      practiceOrder: ['G89001', 'G89002', 'G89001'],
    });
    expect(planInput({ ...defaultPlan('2026-12-02'), mode: 'clinic' })).toMatchObject({ cap: null, leadDays: 7, practiceOrder: [] });
  });
});

describe('inviting a cohort', () => {
  it('warns only when the cohort was built for another programme', () => {
    expect(cohortCampaignNote('FLU_2026_27', 'FLU_2026_27')).toBeNull();
    expect(cohortCampaignNote('COVID_AUT26', 'FLU_2026_27')).toContain('built for COVID_AUT26, but the campaign is for FLU_2026_27');
    expect(cohortCampaignNote(null, 'FLU_2026_27')).toContain('names no programme');
  });

  it('lists the preview in order and asks about those who will be invited', () => {
    const p = { members: 10, alreadyInvited: 2, noUsableChannel: 1, toInvite: 7 };
    expect(previewRows(p).map((r) => r.count)).toEqual([10, 2, 1, 7]);
    expect(confirmQuestion(7, null)).toBe('Invite 7 people?');
    expect(confirmQuestion(7, { totalWaves: 4, leftOver: 0 })).toBe('Invite 7 people in 4 waves?');
    expect(confirmQuestion(7, { totalWaves: 1, leftOver: 6 })).toBe(
      "Invite 1 person in 1 wave? 6 people beyond the clinics' slots will be left for a later batch.",
    );
  });

  it('says what a confirmation did', () => {
    const r = {
      batchId: 3,
      members: 10,
      invited: 5,
      alreadyInvited: 2,
      noUsableChannel: 1,
      leftOver: 0,
      waves: [
        { wave: 1, releaseOn: '2026-12-02', people: 2 },
        { wave: 2, releaseOn: '2026-12-03', people: 2 },
        { wave: 3, releaseOn: '2026-12-04', people: 1 },
      ],
      repeated: false,
    };
    expect(confirmWording(r)).toBe(
      "5 people invited in 3 waves; each wave's messages are made on its release day. Not invited: 2 people already invited, 1 person with no usable channel.",
    );
    expect(confirmWording({ ...r, alreadyInvited: 0, noUsableChannel: 0, invited: 1, waves: [r.waves[0]!] })).toBe(
      "1 person invited in 1 wave; each wave's messages are made on its release day.",
    );
    expect(wavesSpan(r.waves)).toBe('Released from 02/12/2026 to 04/12/2026.');
    expect(wavesSpan([r.waves[1]!])).toBe('Released on 03/12/2026.');
    expect(wavesSpan([])).toBeNull();
    expect(dailyRunWording({ released: 20000, reminders: 1 })).toBe('20,000 invitations released, 1 reminder made.');
    expect(dailyRunWording({ released: 1, reminders: 0 })).toBe('1 invitation released, 0 reminders made.');
    expect(dailyRunWording({ released: 0, reminders: 2, consentReminders: 1 })).toBe(
      '0 invitations released, 2 reminders made, 1 school consent reminder made.',
    );
    expect(dailyRunWording({ released: 0, reminders: 0, consentReminders: null })).toBe('0 invitations released, 0 reminders made.');
    expect(confirmWording({ ...r, repeated: true })).toBe(
      'This batch had been confirmed already: nothing new was made (it invited 5 people).',
    );
  });
});
