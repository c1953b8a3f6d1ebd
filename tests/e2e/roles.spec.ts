// What a role may do decides what the screen offers. The launch link signs in as the host's
// owner, so the session the host reports is narrowed here on its way to the page: the screen
// must take its cue from the session's capabilities alone. (The database refuses regardless:
// tests/integration.)
import { expect, test, type Page } from '@playwright/test';
import { expectAccessible } from '../support/axe';
import { E2E_TOKEN } from './env';
import { shot } from './app';

/** Narrows the signed-in session the host reports to these roles and capabilities. */
async function narrowSession(page: Page, session: { roles: string[]; roleCodes: string[]; capabilities: string[] }): Promise<void> {
  await page.route('**/api/session.state', async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    if (body.ok && body.value.state === 'signed-in') Object.assign(body.value.session, session);
    await route.fulfill({ response, json: body });
  });
}

test('someone who may only view records sees a record without the buttons to record, correct or print', async ({ page }) => {
  await narrowSession(page, { roles: ['Viewer'], roleCodes: [], capabilities: ['record.view'] });
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

test("an analyst starts on Reports, is offered no one's record, and reads suppressed coverage figures", async ({ page }) => {
  await narrowSession(page, { roles: ['Analyst (read only)'], roleCodes: ['analyst'], capabilities: ['coverage.view'] });
  await page.goto(`/#token=${E2E_TOKEN}`);
  await expect(page.getByRole('heading', { name: 'Vaccination coverage' })).toBeVisible({ timeout: 60_000 });
  await expect(page).toHaveURL(/#\/reports$/);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Reports' })).toHaveAttribute('aria-current', 'page');
  await expect(nav.getByRole('link', { name: 'People' })).toHaveCount(0);
  // Rule files are for administrators only.
  await expect(nav.getByRole('link', { name: 'Rule files' })).toHaveCount(0);
  await expect(page.locator('#person-search')).toHaveCount(0);

  // The demonstration region's children: a table with a total row, and the rule that hides small numbers.
  await expect(page.getByTestId('suppression-rule')).toContainText('7');
  const table = page.getByTestId('coverage-table').or(page.getByText('Nobody in your organisations reached that age'));
  await expect(table).toBeVisible();
  await expectAccessible(page, 'the coverage report');
  await shot(page, 'coverage-report');
  // Going to People by its address leads back to Reports.
  await page.goto(`/#/people`);
  await expect(page).toHaveURL(/#\/reports$/);
});
