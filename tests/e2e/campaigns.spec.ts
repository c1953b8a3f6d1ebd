// Campaigns in a real browser, as an immunisation coordinator: a campaign set up and a batch
// drafted through the host's API (campaign-setup.spec.ts sets one up through its form), then the campaign list,
// the campaign with its funnel, batches and reminder rules, a what-if of releasing the batch in
// waves, and the invitations section of a person's record.
import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { expectAccessible } from '../support/axe';
import { api, shot, signInAs } from './app';

test.describe.configure({ mode: 'serial' });

test('a coordinator sees a campaign, its batch and reminders, and plans the waves', async ({ page }) => {
  test.setTimeout(180_000);
  await signInAs(page, 'coordinator', 'Immunisation coordinator');
  const state = await api<{ session: { organisations: { code: string }[]; today: string } }>(page, 'session.state', {});
  const organisationCode = state.session.organisations[0]!.code;
  await api(page, 'campaign.save', {
    code: 'FLU26-E2E',
    name: 'Flu 2026-27, end-to-end',
    programmeCode: 'FLU_2026_27',
    organisationCode,
    channels: ['LETTER', 'SMS'],
    bookingRoute: 'NATIONAL',
    reminderRules: [{ daysAfterInvitation: 14, channel: 'SMS' }],
  });
  const preview = await api<{ toInvite: number }>(page, 'campaign.batch.draft', {
    campaignCode: 'FLU26-E2E',
    draftKey: randomUUID(),
    definition: {
      format: 1,
      name: 'Aged 80 and over',
      campaign: 'FLU_2026_27',
      referenceDate: state.session.today,
      criteria: { age: { min: 80 } },
      // Other journeys invite people for this programme at the same time: none of them count here.
      exclusions: { invitedWithinDays: 0 },
    },
  });

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
  await expect(page.getByTestId('campaign-list')).toContainText('Flu 2026-27, end-to-end');
  await page.getByRole('button', { name: 'Open Flu 2026-27, end-to-end' }).click();
  await expect(page).toHaveURL(/#\/campaigns\/FLU26-E2E$/);
  const detail = page.getByTestId('campaign-detail');
  await expect(detail).toContainText('National booking service');
  await expect(page.getByTestId('campaign-funnel')).toContainText('Eligible (confirmed cohorts)');
  await expect(page.getByTestId('campaign-funnel')).toContainText('Vaccinated since invited');
  await expect(page.getByTestId('campaign-batches')).toContainText('Aged 80 and over');
  await expect(page.getByTestId('reminder-rules')).toContainText('14 days after the invitation, by text message');

  // The what-if: 50 people a day.
  await page.locator('.n-select:has(#plan-batch)').click();
  await page.keyboard.type('Aged 80');
  await page.keyboard.press('Enter');
  await page.locator('#plan-cap').fill('50');
  await page.locator('#plan-cap').press('Tab');
  await page.getByTestId('plan-waves').click();
  const waves = Math.ceil(preview.toInvite / 50);
  await expect(page.getByTestId('wave-summary')).toContainText(`${preview.toInvite.toLocaleString('en-GB')} people in ${waves} waves`);
  await expectAccessible(page, 'a campaign with a wave plan');
  await shot(page, 'campaign');
});

test("a person's record has an invitations and messages section", async ({ page }) => {
  await signInAs(page, 'coordinator', 'Immunisation coordinator');
  await page.locator('#person-search').fill('Smith');
  await page.locator('#person-search').press('Enter');
  await page.getByTestId('result-row').first().click();
  const section = page.getByRole('region', { name: 'Invitations and messages' });
  await expect(section.getByTestId('person-campaigns')).toBeVisible();
  await expect(section).toContainText(/No invitations, messages or bookings for this person\.|Invitations|Messages/);
  await expectAccessible(page, 'a record with its invitations section');
});

interface Found {
  id: number;
  nhsNumber: string;
  dateOfBirth: string;
  dateOfDeath: string | null;
}

/** Whole years from a date of birth to a day, both ISO dates. */
function ageOn(dateOfBirth: string, day: string): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

test('a coordinator invites a saved cohort in waves and sees the invitation on a record', async ({ page }) => {
  test.setTimeout(240_000);
  await signInAs(page, 'coordinator', 'Immunisation coordinator');
  const state = await api<{ session: { organisations: { code: string }[]; today: string } }>(page, 'session.state', {});
  const today = state.session.today;
  await api(page, 'campaign.save', {
    code: 'FLU26-INVITE',
    name: 'Flu 2026-27, invited in waves',
    programmeCode: 'FLU_2026_27',
    organisationCode: state.session.organisations[0]!.code,
    channels: ['LETTER', 'SMS'],
    bookingRoute: 'NATIONAL',
    reminderRules: [],
  });
  // A cohort of one year of age, the age of a living Smith in scope: a few demo people.
  const smiths = (await api<{ results: Found[] }>(page, 'person.search', { text: 'Smith', limit: 100 })).results.filter(
    (p) => p.dateOfDeath === null && ageOn(p.dateOfBirth, today) >= 18,
  );
  expect(smiths.length).toBeGreaterThan(0);
  const age = ageOn(smiths[0]!.dateOfBirth, today);
  const cohortName = `Aged ${age}, end-to-end`;
  await api(page, 'cohorts.saved.save', {
    definition: {
      format: 1,
      name: cohortName,
      campaign: 'FLU_2026_27',
      referenceDate: today,
      criteria: { age: { min: age, max: age } },
      // Journeys running beside this one invite people for the programme too: none of them count here.
      exclusions: { invitedWithinDays: 0 },
    },
  });

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
  await page.getByRole('button', { name: 'Open Flu 2026-27, invited in waves' }).click();
  await expect(page.getByTestId('campaign-detail')).toBeVisible();

  // Choose the cohort and draft the batch.
  await page.getByTestId('invite-cohort').click();
  const flow = page.getByTestId('invite-flow');
  await expect(flow.getByRole('heading', { name: 'Invite a cohort' })).toBeFocused();
  await expectAccessible(page, 'inviting a cohort: choosing the cohort');
  await page.locator('.n-select:has(#invite-cohort-choice)').click();
  await page.keyboard.type(cohortName);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('invite-draft')).toBeEnabled();
  await expect(page.getByTestId('invite-programme-note')).toHaveCount(0);
  // A double click drafts one batch.
  await page.getByTestId('invite-draft').dblclick();
  const preview = page.getByTestId('invite-preview');
  await expect(preview).toContainText('Members in your scope');
  const toInvite = Number(
    (await preview
      .getByRole('row', { name: /^To invite \d/ })
      .getByRole('cell')
      .textContent())!.replace(/,/g, ''),
  );
  expect(toInvite).toBeGreaterThan(0);
  await expectAccessible(page, 'inviting a cohort: the preview');

  // Two people a day: the what-if's waves, then the confirmation.
  await page.locator('#invite-cap').fill('2');
  await page.locator('#invite-cap').press('Tab');
  await page.getByTestId('invite-plan').click();
  const waves = Math.ceil(toInvite / 2);
  const wavesText = waves === 1 ? '1 wave' : `${waves} waves`;
  await expect(page.getByTestId('invite-wave-summary')).toContainText(`${toInvite} people in ${waves} waves`);
  await expectAccessible(page, 'inviting a cohort: the waves');
  await shot(page, 'invite-cohort-waves');
  await page.getByTestId('invite-next').click();
  const people = toInvite === 1 ? '1 person' : `${toInvite} people`;
  await expect(page.getByTestId('invite-confirm')).toContainText(`Invite ${people} in ${wavesText}?`);
  await expect(page.getByRole('heading', { name: 'Confirm the invitations' })).toBeFocused();
  await expectAccessible(page, 'inviting a cohort: the confirmation');
  await page.getByTestId('invite-confirm-yes').dblclick();
  await expect(page.getByTestId('invite-result')).toContainText(`${people} invited in ${wavesText}; `);
  await expectAccessible(page, 'inviting a cohort: the result');
  await shot(page, 'invite-cohort-result');
  const batchRow = page.getByTestId('campaign-batches').getByRole('row', { name: new RegExp(cohortName) });
  await expect(batchRow).toContainText('Confirmed');
  await expect(page.getByTestId('campaign-batches').locator('tbody tr')).toHaveCount(1);
  await expect(batchRow).toContainText(String(toInvite));
  await expect(page.getByTestId('campaign-funnel').getByRole('row', { name: /^Invited/ })).toContainText(String(toInvite));
  await expect(page.getByTestId('campaign-list').getByRole('row', { name: /invited in waves/ })).toContainText(String(toInvite));
  await expect(page.getByTestId('invite-result')).toContainText(/Released (from|on) /);

  // One of the invited people, found among the Smiths of that age, and their record.
  let invited: Found | undefined;
  for (const p of smiths.filter((s) => ageOn(s.dateOfBirth, today) === age)) {
    const record = await api<{ invitations: { campaignCode: string }[] }>(page, 'campaign.person.record', { personId: p.id });
    if (record.invitations.some((i) => i.campaignCode === 'FLU26-INVITE')) {
      invited = p;
      break;
    }
  }
  expect(invited, 'an invited Smith').toBeDefined();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'People' }).click();
  await page.locator('#person-search').fill(invited!.nhsNumber);
  await page.locator('#person-search').press('Enter');
  await page.getByTestId('result-row').first().click();
  const section = page.getByRole('region', { name: 'Invitations and messages' });
  await expect(section.getByTestId('person-invitations')).toContainText('Flu 2026-27, invited in waves');
  await expectAccessible(page, 'a record with a campaign invitation');
});
