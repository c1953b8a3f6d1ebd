// The people journey in a real browser: launch link, search, open a record, audit trail,
// client-side NHS number checking, and a rejected launch link.
import { expect, test, type Page } from '@playwright/test';
import { checkNhsNumber } from '../../main-api/shared/identifiers/nhs-number';
import { E2E_TOKEN } from './env';
import { openApp, shot } from './app';

test.describe.configure({ mode: 'serial' });

async function search(page: Page, text: string): Promise<void> {
  const box = page.locator('#person-search');
  await box.fill(text);
  await box.press('Enter');
}

test('the launch link signs in, and the token leaves the address bar', async ({ page }) => {
  await openApp(page);
  expect(page.url()).not.toContain(E2E_TOKEN);
  await expect(page.getByTestId('connection')).toHaveText('Embedded database on this computer');
  await expect(page.getByRole('navigation', { name: 'Main' })).toContainText('Administration');
  // Sections not built yet say so instead of showing a blank page.
  await page.getByRole('link', { name: 'Staff' }).click();
  await expect(page.getByTestId('not-available')).toContainText('Staff is not available yet in this version.');
  // '/' brings the cursor back to the person search from anywhere.
  await page.locator('body').press('/');
  await expect(page.locator('#person-search')).toBeFocused();
  await shot(page, 'shell');
});

test('search by surname, then by NHS number, and open the record', async ({ page }) => {
  await openApp(page);
  const user = await page.getByTestId('signed-in-user').getAttribute('data-user');
  expect(user).toBeTruthy();

  // Find a surname that the demo region holds: Smith is the commonest surname in England.
  let surname = 'Smith';
  await search(page, surname);
  await expect(page.getByTestId('interpreted-as')).toContainText('SMITH');
  const rows = page.getByTestId('result-row');
  if ((await rows.count()) === 0) {
    // Fall back to a two-letter prefix that some surname is bound to start with.
    surname = 'Ha';
    await search(page, surname);
    await expect(rows.first()).toBeVisible();
  }
  await expect(rows.first()).toBeVisible();
  await shot(page, 'search-surname');

  const nhsText = (await rows.first().getByTestId('result-nhs').textContent())?.trim() ?? '';
  expect(nhsText).toMatch(/^\d{3} \d{3} \d{4}$/);
  expect(checkNhsNumber(nhsText).valid).toBe(true);

  // The same number, typed with spaces, finds exactly that person.
  await search(page, nhsText);
  await expect(page.getByTestId('interpreted-as')).toContainText(`NHS number ${nhsText}`);
  await expect(rows).toHaveCount(1);
  await expect(rows.first().getByTestId('result-nhs')).toHaveText(nhsText);

  // Keyboard only: down into the results, Enter to open.
  await page.locator('#person-search').press('ArrowDown');
  await expect(rows.first()).toBeFocused();
  await rows.first().press('Enter');

  await expect(page).toHaveURL(/#\/people\/\d+$/);
  await expect(page.getByTestId('record-nhs')).toHaveText(nhsText);
  const demographics = page.getByRole('region', { name: 'Demographics' });
  await expect(demographics).toContainText('Date of birth');
  await expect(demographics).toContainText(nhsText);
  await expect(page.getByRole('region', { name: 'Vaccination history' })).toBeVisible();

  // Opening the record was audited, and the record says so.
  const views = page.getByRole('region', { name: 'Who viewed this record' });
  const displayName = await page.getByTestId('signed-in-user').locator('strong').innerText();
  await expect(views.getByTestId('recent-views')).toContainText(displayName);
  await shot(page, 'record');

  // Back returns to the same search results.
  await page.getByRole('button', { name: '← Back to search' }).click();
  await expect(page.getByTestId('interpreted-as')).toContainText(`NHS number ${nhsText}`);
});

test('a mistyped NHS number is caught before searching', async ({ page }) => {
  await openApp(page);
  const box = page.locator('#person-search');
  await box.fill('943 476 591');
  await expect(page.getByTestId('search-error')).toHaveCount(0);
  await box.pressSequentially('8');
  await expect(page.getByTestId('search-error')).toHaveText('943 476 5918 is not a valid NHS number: the check digit does not match.');
  await box.press('Enter');
  await expect(page.getByTestId('search-results')).toHaveCount(0);
  await expect(page.getByTestId('interpreted-as')).toHaveCount(0);
  await shot(page, 'invalid-nhs');
});

test('a search the server cannot read shows its message in place', async ({ page }) => {
  await openApp(page);
  await search(page, 'Smith 31/02/2019');
  await expect(page.getByTestId('search-error')).toContainText('31/02/2019 is not a real date');
});

test('when the host stops answering, the window says so and Retry restores the screen', async ({ page }) => {
  await openApp(page);
  await search(page, 'Smith');
  await expect(page.getByTestId('interpreted-as')).toBeVisible();
  // Every request now fails at network level, as when the host process has gone.
  await page.route('**/api/**', (route) => route.abort('connectionrefused'));
  await search(page, 'Jones');
  await expect(page.getByTestId('connection-lost')).toContainText('Cannot reach the database');
  await page.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByTestId('retry-message')).toContainText('Still cannot reach the database');
  await shot(page, 'connection-lost');
  await page.unroute('**/api/**');
  await page.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByTestId('connection-lost')).toHaveCount(0);
  await expect(page.getByTestId('interpreted-as')).toContainText('JONES');
});

test('a link with the wrong token shows that it has expired, not a blank page', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('/#token=not-the-right-token');
  await expect(page.getByTestId('link-expired')).toHaveText('This link has expired or is not valid');
  expect(page.url()).not.toContain('not-the-right-token');
  await shot(page, 'link-expired');
  await context.close();
});
