// The record page arranged for the work: what is due and the history first, within the first
// screen; the keyboard lands on the record's name and comes back to what opened a form; a person
// who has died cannot be given a new vaccination; and the page passes the accessibility check
// and reflows at 200% zoom.
import { expect, test, type Page } from '@playwright/test';
import { expectAccessible } from '../support/axe';
import { asOwner } from './embedded-database';
import { E2E_TOKEN } from './env';

async function openFirstSmith(page: Page): Promise<void> {
  await page.goto(`/#token=${E2E_TOKEN}`);
  const box = page.locator('#person-search');
  await expect(box).toBeVisible({ timeout: 60_000 });
  await box.fill('Smith');
  await box.press('Enter');
  await expect(page.getByTestId('result-row').first()).toBeVisible();
  // Keyboard only: down into the results, Enter to open.
  await box.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('record-name')).toBeVisible();
}

test('what is due and the history come first, within the first screen, and the keyboard starts at the name', async ({ page }) => {
  await openFirstSmith(page);
  await expect(page.getByTestId('record-name')).toBeFocused();

  const forecast = page.getByRole('region', { name: 'Forecast' });
  const history = page.getByRole('region', { name: 'Vaccination history' });
  const demographics = page.getByRole('region', { name: 'Demographics' });
  await expect(forecast.getByTestId('forecast')).toContainText('As of');
  // Within the first screen at 1280 x 800, without scrolling.
  await expect(forecast.getByRole('heading', { name: 'Forecast' })).toBeInViewport();
  expect((await forecast.boundingBox())!.y).toBeLessThan(400);
  // In reading order: forecast, history, then the person's details (beside them on this width).
  const order = await page.evaluate(() =>
    ['forecast', 'vaccination-history', 'demographics', 'contact', 'flags', 'staff'].map((id) =>
      Array.from(document.querySelectorAll('section[id]')).findIndex((s) => s.id === id),
    ),
  );
  expect(order.slice(0, 3)).toEqual([...order.slice(0, 3)].sort((a, b) => a - b));
  expect(Math.max(order[0]!, order[1]!)).toBeLessThan(Math.min(...order.slice(2)));
  const [f, d] = [(await forecast.boundingBox())!, (await demographics.boundingBox())!];
  expect(d.x).toBeGreaterThan(f.x + f.width - 1);
  await expect(history).toBeVisible();
  await expectAccessible(page, 'the record page');

  await page.setViewportSize({ width: 640, height: 400 });
  const root = await page.evaluate(() => [document.scrollingElement!.scrollWidth, document.scrollingElement!.clientWidth]);
  expect(root[0], 'no horizontal scrolling on the record at 640 px').toBeLessThanOrEqual(root[1]!);
  await expectAccessible(page, 'the record page at 640 px');
});

test('closing the recording form puts the keyboard back on the button that opened it', async ({ page }) => {
  await openFirstSmith(page);
  const button = page.getByTestId('record-vaccination');
  await button.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('record-drawer')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('record-drawer')).toHaveCount(0);
  await expect(button).toBeFocused();
});

test('a person who has died: Record vaccination is off and says why, and R does not open the form', async ({ page }) => {
  const [dead] = await asOwner<{ id: string }>(`SELECT id::text FROM ims.person WHERE date_of_death IS NOT NULL ORDER BY id LIMIT 1`);
  expect(dead, 'the demo region holds a person who has died').toBeTruthy();
  await page.goto(`/#token=${E2E_TOKEN}`);
  await expect(page.locator('#person-search')).toBeVisible({ timeout: 60_000 });
  await page.evaluate((id) => (window.location.hash = `#/people/${id}`), dead!.id);
  await expect(page.getByTestId('deceased-banner')).toBeVisible();

  const button = page.getByTestId('record-vaccination');
  await expect(button).toBeDisabled();
  await expect(button).toHaveAccessibleDescription('No vaccination can be recorded: this person has died.');
  await page.getByTestId('record-name').focus();
  await page.keyboard.press('r');
  await expect(page.getByTestId('record-drawer')).toHaveCount(0);
  await expectAccessible(page, 'the record of a person who has died');
});
