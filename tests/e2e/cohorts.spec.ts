// The cohort builder in a real browser, as an immunisation coordinator: build a cohort, see it
// counted and the count follow a change, break it down, download the LSOA figures, save it and
// reopen it from the list. The launch link signs in as the host's owner; the session is narrowed
// to a coordinator's on its way to the page, so the screen offers what a coordinator sees.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { expectAccessible } from '../support/axe';
import { shot, signInAs } from './app';

test.describe.configure({ mode: 'serial' });

/** The Save button of the open save dialog. */
async function confirmSave(page: Page): Promise<void> {
  await page.getByRole('dialog', { name: /^Save/ }).getByRole('button', { name: 'Save', exact: true }).click();
}

const total = async (page: Page): Promise<number> => Number((await page.getByTestId('count-total').innerText()).replace(/,/g, ''));

/** Waits for the count to settle (no request out) and gives the total. */
async function settledTotal(page: Page): Promise<number> {
  await expect(page.getByTestId('count-total')).toBeVisible();
  await expect(page.getByTestId('counting')).toHaveCount(0);
  return total(page);
}

test('a coordinator builds a cohort, sees it counted and broken down, and saves it', async ({ page }) => {
  // A long journey: each change waits for its count.
  test.setTimeout(240_000);
  await signInAs(page, 'coordinator', 'Immunisation coordinator');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cohorts' }).click();
  await expect(page.getByRole('heading', { name: 'New cohort' })).toBeVisible();
  // Other journeys may have saved cohorts in this database already: count them once loaded.
  await expect(page.getByTestId('saved-cohorts')).not.toContainText('Loading');
  const savedBefore = await page.getByTestId('saved-row').count();
  if (savedBefore === 0) await expect(page.getByTestId('saved-cohorts')).toContainText('No cohorts have been saved yet');

  // A new cohort starts with an age criterion that needs a value: no count until it has one.
  const age = page.getByTestId('criterion-age');
  await expect(page.getByTestId('count-waiting')).toContainText('Finish the criteria');
  await expect(age).toContainText('Give min, max or both');

  await age.getByLabel('At least').fill('65');
  await age.getByLabel('At least').press('Tab');
  const over65 = await settledTotal(page);
  const matched65 = Number((await page.getByTestId('count-matched').innerText()).replace(/,/g, ''));
  expect(matched65).toBeGreaterThan(0);
  expect(over65).toBeLessThanOrEqual(matched65);
  await expect(page.getByTestId('count-description')).toContainText('aged 65 or over');
  await expect(page.getByTestId('exclusion-deceased')).toContainText('Have died');
  for (const b of ['localAuthority', 'ageBand', 'sex', 'imdDecile']) await expect(page.getByTestId(`breakdown-${b}`)).toBeVisible();
  await expect(page.getByTestId('breakdown-ageBand')).toContainText('65 to 74');

  // A mistake is named at its field and stops the count; mending it counts again.
  await age.getByLabel('At most').fill('60');
  await age.getByLabel('At most').press('Tab');
  await expect(age).toContainText('min is more than max');
  await expect(page.getByTestId('count-waiting')).toBeVisible();
  await age.getByLabel('At most').fill('');
  await age.getByLabel('At most').press('Tab');

  // Changing a criterion changes the count.
  await age.getByLabel('At least').fill('80');
  await age.getByLabel('At least').press('Tab');
  await expect.poll(() => settledTotal(page)).not.toBe(over65);
  await expect(page.getByTestId('count-description')).toContainText('aged 80 or over');
  await age.getByLabel('At least').fill('65');
  await age.getByLabel('At least').press('Tab');
  await expect.poll(() => settledTotal(page)).toBe(over65);

  // Turning an exclusion off can only add people back.
  await page.getByTestId('exclude-noUsableContact').click();
  await expect.poll(() => settledTotal(page)).toBeGreaterThanOrEqual(over65);
  await expect(page.getByTestId('exclusion-noUsableContact')).toHaveCount(0);
  await page.getByTestId('exclude-noUsableContact').click();
  await expect.poll(() => settledTotal(page)).toBe(over65);

  // The LSOA breakdown, for a map, downloads as CSV.
  await page.locator('.n-select:has(#cohort-breakdowns)').click();
  await page.keyboard.type('LSOA');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
  const lsoa = page.getByTestId('breakdown-lsoa');
  await expect(lsoa).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent('download'), lsoa.getByTestId('lsoa-csv').click()]);
  expect(download.suggestedFilename()).toMatch(/-lsoa\.csv$/);
  const csv = readFileSync((await download.path())!, 'utf8');
  expect(csv.split('\r\n')[0]).toBe('code,label,count');
  const rows = csv.trim().split('\r\n').slice(1);
  expect(rows.reduce((n, line) => n + Number(line.slice(line.lastIndexOf(',') + 1)), 0)).toBe(over65);

  await expectAccessible(page, 'the cohort builder with a count');
  await shot(page, 'cohort-builder');

  // Save it with a name and a note.
  await page.locator('#cohort-name').fill('Aged 65 and over');
  await page.getByTestId('save-cohort').click();
  const form = page.getByTestId('save-form');
  await expect(page.locator('#save-name')).toHaveValue('Aged 65 and over');
  await page.locator('#save-note').fill('First version for the flu letters');
  await expectAccessible(page, 'the save dialog', { include: '.n-modal' });
  await confirmSave(page);
  await expect(form).toHaveCount(0);
  await expect(page.getByTestId('saved-message')).toContainText('version 1');
  await expect(page).toHaveURL(/#\/cohorts\/saved\/\d+$/);
  await expect(page.getByTestId('saved-row')).toHaveCount(savedBefore + 1);
  await expect(page.getByTestId('saved-row').filter({ hasText: 'Aged 65 and over' })).toHaveCount(1);
  await expect(page.getByTestId('cohort-history')).toContainText('First version for the flu letters');

  // A second version, then the first opened again from the history.
  await age.getByLabel('At least').fill('70');
  await age.getByLabel('At least').press('Tab');
  await expect(page.getByTestId('cohort-status')).toContainText('Changed since opening');
  await page.getByTestId('save-cohort').click();
  await page.locator('#save-note').fill('From 70');
  await confirmSave(page);
  await expect(page.getByTestId('saved-message')).toContainText('version 2');
  await page.getByRole('button', { name: 'Open version 1' }).click();
  await expect(page.getByTestId('cohort-status')).toContainText('version 1 of 2');
  await expect(page.getByTestId('criterion-age').getByLabel('At least')).toHaveValue('65');
  await expect.poll(() => settledTotal(page)).toBe(over65);

  // Saving from version 1 now that version 2 exists is explained, with a way to the latest.
  await page.getByTestId('save-cohort').click();
  await confirmSave(page);
  await expect(page.getByTestId('save-conflict')).toBeVisible();
  await expectAccessible(page, 'the cohort builder after a conflicting save');
  await page.getByTestId('reload-latest').click();
  await expect(page.getByTestId('cohort-status')).toContainText('version 2 (the latest)');
  await expect(page.getByTestId('criterion-age').getByLabel('At least')).toHaveValue('70');

  // The same name cannot be taken twice: the dialog says so at the name.
  await page.getByTestId('duplicate-cohort').click();
  await page.locator('#save-name').fill('Aged 65 and over');
  await confirmSave(page);
  await expect(page.getByTestId('save-form')).toContainText(/name/i);
  await expect(page.getByTestId('save-errors')).toBeVisible();
  await page.locator('#save-name').fill('Aged 70 and over');
  await confirmSave(page);
  await expect(page.getByTestId('saved-row')).toHaveCount(savedBefore + 2);
  await shot(page, 'cohort-saved');
});

test('criteria in groups, chosen by keyboard, and a campaign that leaves out those already vaccinated', async ({ page }) => {
  test.setTimeout(120_000);
  await signInAs(page, 'coordinator', 'Immunisation coordinator');
  await page.goto('/#/cohorts');
  await page.getByRole('button', { name: 'New cohort' }).click();
  await expect(page.getByRole('heading', { name: 'New cohort' })).toBeVisible();
  await page.getByTestId('criterion-age').getByLabel('At least').fill('18');

  // A campaign: its exclusion is offered, on, and counted.
  await expect(page.getByTestId('exclude-alreadyVaccinated')).toHaveCount(0);
  await page.locator('.n-select:has(#cohort-campaign)').click();
  await page.keyboard.type('FLU_2026_27');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('exclude-alreadyVaccinated')).toBeVisible();
  await expect(page.getByTestId('exclusion-alreadyVaccinated')).toContainText('Already vaccinated in the campaign');
  const adults = await settledTotal(page);

  // A group of either of two things, built from the keyboard: the added field takes the cursor.
  await page.getByTestId('criteria-root').getByRole('button', { name: 'Add a group' }).click();
  const group = page.getByTestId('criteria-group');
  await expect(group).toContainText('A group needs at least one member');
  await group.locator('.n-select:has([id$="-add"])').click();
  await page.keyboard.type('Clinical');
  await page.keyboard.press('Enter');
  const flags = group.getByTestId('criterion-flags');
  await expect(flags).toContainText('Give codes or categories');
  await flags.locator('.n-select:has([id$="-categories"])').click();
  await page.keyboard.type('Risk');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
  await expect(flags).not.toContainText('Give codes or categories');
  await group.locator('.n-select:has([id$="-add"])').click();
  await page.keyboard.type('Age');
  await page.keyboard.press('Enter');
  await group.getByTestId('criterion-age').getByLabel('At least').fill('65');
  await group.getByTestId('criterion-age').getByLabel('At least').press('Tab');
  await expect(page.getByTestId('count-description')).toContainText('risk group');
  await expect.poll(() => settledTotal(page)).toBeLessThan(adults);
  await expectAccessible(page, 'the cohort builder with groups and a campaign');
  await shot(page, 'cohort-groups');
});

test('an analyst is not offered cohorts, which count people exactly', async ({ page }) => {
  await signInAs(page, 'analyst', 'Analyst (read only)');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Reports' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Cohorts' })).toHaveCount(0);
  await page.goto('/#/cohorts');
  await expect(page).toHaveURL(/#\/reports$/);
});
