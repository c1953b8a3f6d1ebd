// The search screen in a real browser on the demo region: dates typed as people type them, a
// postcode alone, sound-alike surnames marked as near matches, paging, advice that fits the
// search, rows that show they open a record, and Back to search returning to the same place.
import { expect, test, type Page } from '@playwright/test';
import { expectAccessible } from '../support/axe';
import { openApp, shot } from './app';

// Several searches and accessibility scans each, on a machine shared with other work.
test.describe.configure({ mode: 'serial', timeout: 180_000 });

async function search(page: Page, text: string): Promise<void> {
  const box = page.locator('#person-search');
  await box.fill(text);
  await box.press('Enter');
  await expect(page.getByTestId('interpreted-as').or(page.getByTestId('search-error'))).toBeVisible();
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

test('a surname with a date of birth typed as people type it, and the first letters of a surname', async ({ page }) => {
  await openApp(page);
  await search(page, 'Smith');
  const first = page.getByTestId('result-row').first();
  await expect(first).toBeVisible();
  const nhs = (await first.getByTestId('result-nhs').innerText()).trim();
  const dob = (await first.locator('td').nth(2).innerText()).slice(0, 10); // dd/mm/yyyy
  const [dd, mm, yyyy] = dob.split('/') as [string, string, string];
  const forms = [
    `Smith ${dd}/${mm}/${yyyy.slice(2)}`,
    `Smith ${Number(dd)} ${MONTHS[Number(mm) - 1]} ${yyyy}`,
    `Smith ${dd}${mm}${yyyy}`,
    `smi ${dob}`,
  ];
  for (const text of forms) {
    await search(page, text);
    await expect(page.getByTestId('search-error'), text).toHaveCount(0);
    await expect(page.getByTestId('result-nhs').filter({ hasText: nhs }), text).toHaveCount(1);
  }
});

test('a postcode alone finds everyone there', async ({ page }) => {
  await openApp(page);
  await search(page, 'Smith');
  const postcode = (await page.getByTestId('result-row').first().locator('td').nth(3).innerText()).trim();
  expect(postcode).toMatch(/^[A-Z]{1,2}\d[\dA-Z]? \d[A-Z]{2}$/);
  await search(page, postcode);
  await expect(page.getByTestId('interpreted-as')).toContainText(`Everyone in postcode ${postcode}`);
  const postcodes = await page.getByTestId('result-row').locator('td:nth-child(4)').allInnerTexts();
  expect(postcodes.length).toBeGreaterThan(0);
  expect(new Set(postcodes.map((p) => p.trim()))).toEqual(new Set([postcode]));
});

test('sound-alike surnames are offered apart and marked as near matches', async ({ page }) => {
  await openApp(page);
  // The demo region has Smiths and no Smyths.
  await search(page, 'Smyth');
  await expect(page.getByTestId('no-results')).toContainText('No one matches this search.');
  const near = page.getByTestId('near-matches');
  await expect(near.getByRole('heading', { name: 'Similar-sounding names' })).toBeVisible();
  await expect(near).toContainText('spelled differently from SMYTH but sound like it');
  const rows = near.getByTestId('near-row');
  await expect(rows.first()).toContainText('SMITH');
  await expect(rows.first()).toContainText('Sounds like SMYTH');
  // The keyboard reaches them as it reaches matches.
  await page.locator('#person-search').press('ArrowDown');
  await expect(rows.first()).toBeFocused();
  await shot(page, 'search-near-matches');
  await expectAccessible(page, 'search results');
});

test('an NHS number that finds no one is not advised about spelling or dates of birth', async ({ page }) => {
  await openApp(page);
  await search(page, '943 476 5919'); // valid, and outside the demo region's 999 range
  const advice = page.getByTestId('no-results-advice');
  await expect(advice).toContainText('NHS number');
  await expect(advice).not.toContainText('spelling');
  await expect(advice).not.toContainText('Check the date of birth');
  await expectAccessible(page, 'search with no results');
});

test('results page with a count, rows show they open, and Back to search returns to the same row', async ({ page }) => {
  await openApp(page);
  await expectAccessible(page, 'search screen');
  // A surname prefix with more than one page of people in the demo region.
  let text = '';
  for (const candidate of ['Sm', 'Ba', 'Ha', 'Wa', 'Ma', 'Co', 'Wi']) {
    await search(page, candidate);
    if (await page.getByTestId('pager').isVisible()) {
      text = candidate;
      break;
    }
  }
  expect(text, 'a prefix with more than 50 people').not.toBe('');
  await expect(page.getByTestId('result-count')).toHaveText(/^1–50 of [\d,]+ people$/);
  await expect(page.getByTestId('result-row')).toHaveCount(50);
  await expect(page.getByTestId('previous-page')).toBeDisabled();
  await expectAccessible(page, 'search results');

  // Each row says that it opens a record: its name is a link to it.
  const firstRow = page.getByTestId('result-row').first();
  await expect(firstRow.getByRole('link')).toHaveAttribute('href', /#\/people\/\d+$/);

  await page.getByTestId('next-page').click();
  await expect(page.getByTestId('result-count')).toHaveText(/^51–\d+ of [\d,]+ people$/);
  await expect(page.getByTestId('page-of')).toHaveText(/^Page 2 of \d+\+?$/);
  const rows = page.getByTestId('result-row');
  await expect(rows.first()).toBeFocused();
  await rows.first().press('ArrowDown');
  await rows.nth(1).press('ArrowDown');
  await expect(rows.nth(2)).toBeFocused();
  const chosen = (await rows.nth(2).getByTestId('result-nhs').innerText()).trim();
  await shot(page, 'search-page-2');
  await rows.nth(2).press('Enter');
  await expect(page.getByTestId('record-nhs')).toHaveText(chosen);

  await page.getByRole('button', { name: '← Back to search' }).click();
  await expect(page.getByTestId('interpreted-as')).toContainText(`Surname starting ${text.toUpperCase()}`);
  await expect(page.getByTestId('page-of')).toHaveText(/^Page 2 of/);
  await expect(page.locator('#person-search')).toHaveValue(text);
  await expect(rows.nth(2)).toBeFocused();
  await expect(rows.nth(2).getByTestId('result-nhs')).toHaveText(chosen);
});
