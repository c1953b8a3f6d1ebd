// Sending in a real browser against the fake GOV.UK Notify on loopback (started here; nothing
// leaves the machine): an administrator points the sending settings at it, a batch of invitations
// is confirmed, the campaign page sends the due messages with progress, Notify "delivers" them,
// and the delivery statuses arrive on the campaign page and on a person's record.
import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { expectAccessible } from '../support/axe';
import { startFakeNotify, type FakeNotify } from '../support/fake-notify';
import { api, openApp, shot } from './app';

test.describe.configure({ mode: 'serial' });

const SMS_TEMPLATE = '44444444-4444-4444-8444-444444444444';
const EMAIL_TEMPLATE = '55555555-5555-4555-8555-555555555555';

let fake: FakeNotify;

test.beforeAll(async () => {
  fake = await startFakeNotify({ templates: [SMS_TEMPLATE, EMAIL_TEMPLATE] });
});

test.afterAll(async () => {
  await fake?.close();
});

test('a batch is sent through Notify and its delivery statuses arrive on the campaign page and the record', async ({ page }) => {
  test.setTimeout(240_000);
  await openApp(page);
  await api(page, 'sending.settings.save', {
    provider: 'NOTIFY',
    notifyBaseUrl: fake.url,
    notifyApiKey: fake.apiKey,
    templates: [
      { templateName: null, purpose: 'INVITATION', channel: 'SMS', notifyTemplateId: SMS_TEMPLATE },
      { templateName: null, purpose: 'INVITATION', channel: 'EMAIL', notifyTemplateId: EMAIL_TEMPLATE },
    ],
    ratePerMinute: 3000,
  });

  // The settings screen says the key is set and never shows it.
  await page.goto('/#/settings/sending');
  await expect(page.getByRole('heading', { name: 'Sending settings' })).toBeVisible();
  await expect(page.locator('#notify-key')).toHaveAttribute('placeholder', 'Set: leave empty to keep it');
  await expect(page.locator('body')).not.toContainText(fake.apiKey.slice(-36));
  await expectAccessible(page, 'the sending settings');

  const state = await api<{ session: { organisations: { code: string }[]; today: string } }>(page, 'session.state', {});
  const today = state.session.today;
  await api(page, 'campaign.save', {
    code: 'FLU26-SEND',
    name: 'Flu 2026-27, sent through Notify',
    programmeCode: 'FLU_2026_27',
    organisationCode: state.session.organisations[0]!.code,
    channels: ['SMS', 'EMAIL', 'LETTER'],
    bookingRoute: 'NATIONAL',
    reminderRules: [],
  });
  const preview = await api<{ batchId: number; toInvite: number }>(page, 'campaign.batch.draft', {
    campaignCode: 'FLU26-SEND',
    draftKey: randomUUID(),
    definition: {
      format: 1,
      name: 'Aged 70 to 72',
      campaign: 'FLU_2026_27',
      referenceDate: today,
      criteria: { age: { min: 70, max: 72 } },
      // Journeys running beside this one invite people for the programme too: none of them count here.
      exclusions: { invitedWithinDays: 0 },
    },
  });
  expect(preview.toInvite).toBeGreaterThan(0);
  await api(page, 'campaign.batch.confirm', { batchId: preview.batchId, plan: { mode: 'per-day', cap: 100000, startOn: today } });

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
  await page.getByRole('button', { name: 'Open Flu 2026-27, sent through Notify' }).click();
  // The wave planned for today is released by the daily run: its messages are made.
  await page.getByTestId('run-reminders').click();
  await expect(page.getByText(/^[1-9][\d,]* invitations? released, /)).toBeVisible();
  const messages = page.getByTestId('campaign-messages');
  await page.reload();
  await expect(messages.getByTestId('message-counts')).toContainText('Waiting to be sent');

  await messages.getByTestId('send-messages').click();
  await expect(messages.getByTestId('send-progress')).toContainText(/^Finished: /, { timeout: 120_000 });
  expect(fake.notifications.length).toBeGreaterThan(0);
  // Each went once, with its own reference.
  expect(new Set(fake.notifications.map((n) => n.reference)).size).toBe(fake.notifications.length);
  await expect(messages.getByTestId('message-counts')).toContainText('Sent: accepted by notify');

  // Notify delivers them; asking Notify brings the statuses in.
  await fake.deliverAll();
  await messages.getByTestId('check-delivery').click();
  await expect(messages.getByTestId('poll-result')).toContainText('checked with Notify');
  await expect(messages.getByTestId('message-counts')).toContainText('Sent: delivered');
  await expectAccessible(page, 'a campaign with its messages sent and delivered');
  await shot(page, 'campaign-messages');

  // The record of someone who was texted or emailed shows the delivery.
  const delivered = fake.notifications.find((n) => n.status === 'delivered')!;
  const nhsNumber = delivered.personalisation['nhs number']!.replace(/\s/g, '');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'People' }).click();
  await page.locator('#person-search').fill(nhsNumber);
  await page.locator('#person-search').press('Enter');
  await page.getByTestId('result-row').first().click();
  const section = page.getByRole('region', { name: 'Invitations and messages' });
  await expect(section.getByTestId('person-communications')).toContainText('(delivered)');
  await expectAccessible(page, 'a record with a delivered message');
});
