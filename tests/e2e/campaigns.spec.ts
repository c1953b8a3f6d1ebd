// Campaigns in a real browser, as an immunisation coordinator: a campaign set up and a batch
// drafted through the host's API (as the set-up screens to come will), then the campaign list,
// the campaign with its funnel, batches and reminder rules, a what-if of releasing the batch in
// waves, and the invitations section of a person's record.
import { randomUUID } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { capabilitiesOf } from '../../main-api/shared/vocabulary/roles';
import { expectAccessible } from '../support/axe';
import { E2E_TOKEN } from './env';
import { shot } from './app';

test.describe.configure({ mode: 'serial' });

async function api<T>(page: Page, channel: string, input: unknown): Promise<T> {
  const response = await page.request.post(`/api/${channel}`, { headers: { Authorization: `Bearer ${E2E_TOKEN}` }, data: input });
  const body = (await response.json()) as { ok: boolean; value: T; error?: { message: string } };
  expect(body.ok, `${channel}: ${body.error?.message ?? ''}`).toBe(true);
  return body.value;
}

async function signInAsCoordinator(page: Page): Promise<void> {
  await page.route('**/api/session.state', async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    if (body.ok && body.value.state === 'signed-in')
      Object.assign(body.value.session, {
        roles: ['Immunisation coordinator'],
        roleCodes: ['coordinator'],
        capabilities: capabilitiesOf(['coordinator']),
      });
    await route.fulfill({ response, json: body });
  });
  await page.goto(`/#token=${E2E_TOKEN}`);
  await expect(page.locator('#person-search')).toBeVisible({ timeout: 60_000 });
}

test('a coordinator sees a campaign, its batch and reminders, and plans the waves', async ({ page }) => {
  test.setTimeout(180_000);
  await signInAsCoordinator(page);
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
  await signInAsCoordinator(page);
  await page.locator('#person-search').fill('Smith');
  await page.locator('#person-search').press('Enter');
  await page.getByTestId('result-row').first().click();
  const section = page.getByRole('region', { name: 'Invitations and messages' });
  await expect(section.getByTestId('person-campaigns')).toBeVisible();
  await expect(section).toContainText(/No invitations, messages or bookings for this person\.|Invitations|Messages/);
  await expectAccessible(page, 'a record with its invitations section');
});
