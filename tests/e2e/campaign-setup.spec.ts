// Setting up and running a campaign in a real browser, as an immunisation coordinator: the
// campaign made through its form (refused fields first, then a code that is taken), changed,
// given a clinic and a session, a booking recorded by hand that moves the funnel, a booking file
// with a bad row refused row by row, the GOV.UK Notify file exported and marked as sent, and
// recall run. Each screen and state is checked with axe.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { expectAccessible } from '../support/axe';
import { api, shot, signInAs } from './app';

test.describe.configure({ mode: 'serial' });

const CODE = 'FLU26-FORM';
const NAME = 'Flu 2026-27, set up in the form';

/** Chooses an option of a drop-down by typing part of its label. */
async function choose(page: Page, id: string, text: string): Promise<void> {
  await page.locator(`.n-select:has(#${id})`).click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

const ddmmyyyy = (iso: string): string => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

interface Found {
  id: number;
  nhsNumber: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  dateOfDeath: string | null;
}

test('a coordinator sets up a campaign in the form, then changes it', async ({ page }) => {
  test.setTimeout(180_000);
  await signInAs(page, 'coordinator', 'Immunisation coordinator');
  const state = await api<{ session: { organisations: { code: string; name: string }[] } }>(page, 'session.state', {});
  const organisation = state.session.organisations[0]!;

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
  await page.getByTestId('new-campaign').click();
  await expect(page).toHaveURL(/#\/campaigns\/new$/);
  await expect(page.getByRole('heading', { name: 'New campaign' })).toBeFocused();
  await expectAccessible(page, 'a new campaign form');

  // Saved empty: each field says what it needs, and the cursor goes to the first.
  await page.getByTestId('setup-save').click();
  const errors = page.getByTestId('setup-errors');
  await expect(errors).toBeVisible();
  await expect(errors).toContainText('Choose the programme');
  await page.locator('#setup-name').fill(NAME);
  await page.getByTestId('setup-save').click();
  await expect(errors).toContainText('Choose the programme');
  await choose(page, 'setup-programme', 'FLU_2026_27');
  if (state.session.organisations.length > 1) await choose(page, 'setup-organisation', organisation.code);
  // A code the contract refuses, beside its field.
  await page.locator('#setup-code').fill('9 lives');
  await page.getByTestId('setup-save').click();
  await expect(errors).toContainText('Capital letters, digits, - and _');
  await expect(page.locator('#setup-code')).toBeFocused();
  await expectAccessible(page, 'a new campaign form with its errors');
  await shot(page, 'campaign-setup-errors');

  // Typed in lower case, written as the contract wants it.
  await page.locator('#setup-code').fill('flu26-form');
  await page.getByTestId('setup-channel-EMAIL').check();
  await page.getByTestId('setup-route-PHONE').check();
  await page.getByTestId('setup-save').click();
  await expect(errors).toContainText('Give the booking phone number');
  await page.locator('#setup-booking-phone').fill('0300 123 4567');
  await page.locator('#setup-template\\:INVITATION\\/SMS\\:name').fill('flu-invite-sms');
  await page.locator('#setup-template\\:INVITATION\\/SMS\\:version').fill('2');
  await page.locator('#setup-template\\:REMINDER\\/LETTER\\:name').fill('flu-reminder-letter');
  await page.getByTestId('setup-add-reminder').click();
  await expect(page.locator('#setup-reminder\\:0\\:days')).toBeFocused();
  await page.getByTestId('setup-add-reminder').click();
  await page.locator('#setup-reminder\\:1\\:days').fill('14');
  await page.getByTestId('setup-save').click();
  await expect(errors).toContainText('One reminder per day count');
  await page.getByRole('button', { name: 'Remove reminder 2' }).click();
  await expectAccessible(page, 'a filled campaign form');
  await shot(page, 'campaign-setup-filled');
  await page.keyboard.press('Control+Enter');

  await expect(page).toHaveURL(new RegExp(`#/campaigns/${CODE}$`));
  const detail = page.getByTestId('campaign-detail');
  await expect(detail).toContainText(NAME);
  await expect(detail).toContainText('Phone number (0300 123 4567)');
  await expect(page.getByTestId('campaign-templates')).toContainText('invitation by text message: flu-invite-sms v2');
  await expect(page.getByTestId('reminder-rules')).toContainText('14 days after the invitation, by text message');

  // A second campaign with the code is refused, not saved over the first.
  await page.goto('/#/campaigns/new');
  await page.locator('#setup-code').fill(CODE);
  await page.locator('#setup-name').fill('Another');
  await choose(page, 'setup-programme', 'FLU_2026_27');
  if (state.session.organisations.length > 1) await choose(page, 'setup-organisation', organisation.code);
  await page.getByTestId('setup-save').click();
  await expect(page.getByTestId('setup-conflict')).toContainText(`There is a campaign ${CODE} already`);
  await expectAccessible(page, 'a new campaign whose code is taken');
  await shot(page, 'campaign-setup-conflict');
  await page
    .getByTestId('setup-conflict')
    .getByRole('link', { name: `Open ${CODE}` })
    .click();
  await expect(detail).toContainText(NAME);

  // Changed: the form holds the campaign; a reminder removed goes.
  await page.getByTestId('change-setup').click();
  await expect(page).toHaveURL(new RegExp(`#/campaigns/${CODE}/set-up$`));
  await expect(page.locator('#setup-name')).toHaveValue(NAME);
  await expect(page.locator('#setup-booking-phone')).toHaveValue('0300 123 4567');
  await expect(page.locator('#setup-template\\:INVITATION\\/SMS\\:name')).toHaveValue('flu-invite-sms');
  await expect(page.locator('#setup-code')).toHaveCount(0);
  await expectAccessible(page, 'a campaign form for a change');
  await shot(page, 'campaign-setup-change');
  await page.getByRole('button', { name: 'Remove reminder 1' }).click();
  await expect(page.getByTestId('setup-no-reminders')).toBeVisible();
  await page.getByTestId('setup-save').click();
  await expect(page).toHaveURL(new RegExp(`#/campaigns/${CODE}$`));
  await expect(page.getByText('No reminders are set for this campaign.')).toBeVisible();
});

test('a coordinator adds a clinic and a session, records and imports bookings, exports for Notify and runs recall', async ({ page }) => {
  test.setTimeout(240_000);
  await signInAs(page, 'coordinator', 'Immunisation coordinator');
  const state = await api<{ session: { today: string } }>(page, 'session.state', {});
  const today = state.session.today;
  const smiths = (await api<{ results: Found[] }>(page, 'person.search', { text: 'Smith', limit: 100 })).results.filter(
    (p) => p.dateOfDeath === null,
  );
  expect(smiths.length).toBeGreaterThan(2);

  await page.goto(`/#/campaigns/${CODE}`);
  const clinics = page.getByTestId('campaign-clinics');
  await expect(clinics.getByTestId('clinics-empty')).toBeVisible();
  await expectAccessible(page, 'a campaign with no clinics');

  // A clinic, its postcode typed loosely.
  await page.locator('#clinic-name').fill('Village hall');
  await page.locator('#clinic-postcode').fill('me14 1xx');
  await page.locator('#clinic-postcode').press('Enter');
  await expect(clinics.getByTestId('add-clinic-done')).toHaveText('Clinic Village hall added.');
  await expect(clinics.getByTestId('clinic-list')).toContainText('Village hall · ME14 1XX · 0 sessions');
  await expect(clinics.getByTestId('sessions-empty')).toBeVisible();

  // A session that ends before it starts is refused beside its field; then a good one.
  const day = addDays(today, 7);
  await page.locator('#session-date').fill(ddmmyyyy(day));
  await page.locator('#session-start').fill('13:00');
  await page.locator('#session-end').fill('9');
  await page.getByTestId('add-session-save').click();
  await expect(clinics.getByTestId('add-session-errors')).toContainText('Ends after it starts');
  await expectAccessible(page, 'a session refused');
  await page.locator('#session-start').fill('9');
  await page.locator('#session-end').fill('12:30');
  await page.locator('#session-slots').fill('40');
  await page.getByTestId('add-session-save').click();
  await expect(clinics.getByTestId('add-session-done')).toContainText('09:00–12:30 added to Village hall');
  await expect(clinics.getByTestId('slots-by-day')).toContainText('40');
  await expect(clinics.getByTestId('session-table')).toContainText('Village hall');
  await expectAccessible(page, 'a campaign with a clinic and a session');
  await shot(page, 'campaign-clinics');

  // A booking by hand moves the funnel's Booked step.
  const funnelBooked = page.getByTestId('campaign-funnel').getByRole('row', { name: /^Booked/ });
  await expect(funnelBooked).toContainText('0');
  const booking = page.getByTestId('record-booking');
  await page.locator('#booking-nhs').fill('123');
  await page.locator('#booking-nhs').press('Enter');
  await expect(booking).toContainText('An NHS number has 10 digits.');
  const person = smiths[0]!;
  await page.locator('#booking-nhs').fill(person.nhsNumber);
  await page.locator('#booking-nhs').press('Enter');
  await expect(booking.getByTestId('booking-person')).toContainText(`${person.givenName} ${person.familyName}`);
  await expect(page.locator('#booking-session')).toBeFocused();
  await page.keyboard.type(ddmmyyyy(day));
  await page.keyboard.press('Enter');
  await expect(page.locator('#booking-date')).toHaveValue(ddmmyyyy(day));
  await expectAccessible(page, 'recording a booking');
  await page.getByTestId('booking-save').click();
  await expect(booking.getByTestId('booking-done')).toContainText(`Booked: ${person.givenName} ${person.familyName}`);
  await expect(funnelBooked).toContainText('1');
  await shot(page, 'campaign-booking');

  // A booking file with a bad row: every bad row listed, nothing imported.
  const good = smiths[1]!;
  const csv = [
    'nhs_number,date,status,reference',
    `${good.nhsNumber},${day},booked,E2E-1`,
    `123,${day},booked,E2E-2`,
    `${good.nhsNumber},31/02/2026,booked,E2E-3`,
  ].join('\n');
  await page.getByTestId('import-file').setInputFiles({ name: 'bookings.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page.getByTestId('import-chosen')).toContainText('bookings.csv');
  await page.getByTestId('import-run').click();
  await expect(page.getByTestId('import-error')).toContainText('nothing was imported');
  const rows = page.getByTestId('import-rows');
  await expect(rows.getByRole('row', { name: /^2 NHS number/ })).toContainText('An NHS number has 10 digits.');
  await expect(rows.getByRole('row', { name: /^3 Date/ })).toContainText('Not a real date');
  await expect(rows.locator('tbody tr')).toHaveCount(2);
  await expect(funnelBooked).toContainText('1');
  await expectAccessible(page, 'a booking file refused row by row');
  await shot(page, 'campaign-import-refused');
  // Corrected, it goes in.
  const fixed = ['nhs_number,date,status,reference', `${good.nhsNumber},${ddmmyyyy(day)},booked,E2E-1`].join('\n');
  await page.getByTestId('import-file').setInputFiles({ name: 'bookings-fixed.csv', mimeType: 'text/csv', buffer: Buffer.from(fixed) });
  await page.getByTestId('import-run').click();
  await expect(page.getByTestId('import-done')).toHaveText('1 booking added, 0 bookings updated.');
  await expect(funnelBooked).toContainText('2');

  // Invitations to export: a small cohort drafted and confirmed through the host's API.
  const preview = await api<{ batchId: number; toInvite: number; byChannel: Record<string, number> }>(page, 'campaign.batch.draft', {
    campaignCode: CODE,
    draftKey: randomUUID(),
    definition: {
      format: 1,
      name: 'Born within two months of a Smith',
      campaign: 'FLU_2026_27',
      referenceDate: today,
      criteria: { dateOfBirth: { from: addDays(person.dateOfBirth, -60), to: addDays(person.dateOfBirth, 60) } },
      // Journeys running beside this one invite people for the programme too: none of them count here.
      exclusions: { invitedWithinDays: 0 },
    },
  });
  await api(page, 'campaign.batch.confirm', { batchId: preview.batchId, plan: { mode: 'per-day', cap: 100000, startOn: today } });
  const [channel, count] = Object.entries(preview.byChannel).sort((a, b) => b[1] - a[1])[0]!;
  expect(count).toBeGreaterThan(0);
  const channelLabel = { LETTER: 'Letter', EMAIL: 'Email', SMS: 'Text message' }[channel]!;
  await page.reload();
  await expect(page.getByTestId('campaign-operations')).toBeVisible();
  await choose(page, 'export-channel', channelLabel);
  await page.getByTestId('export-start').click();
  await expect(page.getByRole('heading', { name: 'Mark the exported messages as sent?' })).toBeFocused();
  await expectAccessible(page, 'the Notify export asking to mark as sent');
  await shot(page, 'campaign-export-confirm');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-confirm-yes').click()]);
  expect(download.suggestedFilename()).toBe(`${CODE}-INVITATION-${channel}-${today}.csv`);
  const file = readFileSync((await download.path())!, 'utf8');
  expect(file.split(/\r?\n/)[0]).toMatch(
    channel === 'SMS' ? /^phone number,/ : channel === 'EMAIL' ? /^email address,/ : /^address line 1,/,
  );
  // The wave is released as it is exported: those of the cohort who have booked since (the Smiths
  // above, if the cohort holds them) are not written to.
  const exported = file.trimEnd().split(/\r?\n/).length - 1;
  expect(exported).toBeGreaterThan(0);
  expect(exported).toBeLessThanOrEqual(count);
  await expect(page.getByTestId('export-done')).toContainText(`${exported === 1 ? '1 message' : `${exported} messages`} exported to`);
  // Marked as sent: the next export has nothing.
  await page.getByTestId('export-start').click();
  await page.getByTestId('export-confirm-yes').click();
  await expect(page.getByTestId('export-done')).toContainText('Nothing to export');

  await page.getByTestId('run-recall').click();
  await expect(page.getByTestId('recall-done')).toContainText(/recall queue/);
  await expectAccessible(page, 'a campaign after export and recall');
  await shot(page, 'campaign-operations');
});

test('child health reads a campaign but is offered none of its set-up or operations', async ({ page }) => {
  await signInAs(page, 'child-health', 'Child health');
  await page.goto(`/#/campaigns/${CODE}`);
  await expect(page.getByTestId('campaign-clinics')).toContainText('Village hall');
  await expect(page.getByTestId('new-campaign')).toHaveCount(0);
  await expect(page.getByTestId('change-setup')).toHaveCount(0);
  await expect(page.getByTestId('add-clinic')).toHaveCount(0);
  await expect(page.getByTestId('campaign-operations')).toHaveCount(0);
  await expect(page.getByTestId('record-booking')).toHaveCount(0);
  await expect(page.getByTestId('import-bookings')).toHaveCount(0);
  await page.goto(`/#/campaigns/${CODE}/set-up`);
  await expect(page.getByTestId('setup-not-allowed')).toBeVisible();
  await expectAccessible(page, 'the set-up screen for a role that may not run campaigns');
});
