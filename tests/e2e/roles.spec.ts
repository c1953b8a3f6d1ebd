// What a role may do decides what the screen offers. The launch link signs in as the host's
// owner, so the session the host reports is narrowed here to an analyst's on its way to the
// page: the screen must take its cue from the session's capabilities alone.
import { expect, test } from '@playwright/test';
import { E2E_TOKEN } from './env';

test('an analyst sees a record without the buttons to record, correct or print', async ({ page }) => {
  await page.route('**/api/session.state', async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    if (body.ok && body.value.state === 'signed-in') {
      Object.assign(body.value.session, { roles: ['Analyst (read only)'], roleCodes: ['analyst'], capabilities: ['record.view'] });
    }
    await route.fulfill({ response, json: body });
  });
  await page.goto(`/#token=${E2E_TOKEN}`);
  await expect(page.locator('#person-search')).toBeVisible({ timeout: 60_000 });
  await page.locator('#person-search').fill('Smith');
  await page.locator('#person-search').press('Enter');
  await page.getByTestId('result-row').first().click();

  await expect(page.getByTestId('record-name')).toBeVisible();
  await expect(page.getByTestId('forecast')).toContainText('As of');
  const history = page.getByRole('region', { name: 'Vaccination history' });
  await expect(history.getByTestId('timeline').or(history.getByTestId('history-empty'))).toBeVisible();

  await expect(page.getByTestId('record-vaccination')).toHaveCount(0);
  await expect(page.getByTestId('print-record')).toHaveCount(0);
  await expect(history.getByRole('button', { name: 'Correct' })).toHaveCount(0);
  await expect(history.getByRole('button', { name: 'Record reaction' })).toHaveCount(0);
  // Nor does the keyboard shortcut open the form.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('r');
  await expect(page.getByTestId('record-drawer')).toHaveCount(0);
});
