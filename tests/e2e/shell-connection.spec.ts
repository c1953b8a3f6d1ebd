// The database going away under the application: found as the window opens, not at the first
// click; and the embedded database, the application's own, started again by Retry.
import { expect, test } from '@playwright/test';
import { expectAccessible } from '../support/axe';
import { asOwner, stopDatabase } from './embedded-database';
import { E2E_TOKEN } from './env';

test.describe.configure({ mode: 'serial' });

// The embedded database has no network or server for the user to check.
const NOT_FOR_THIS_COMPUTER = /network|server/i;

test('a database that refuses connections shows the lost-connection state as the window opens', async ({ page }) => {
  await asOwner(`ALTER DATABASE ims ALLOW_CONNECTIONS false`, 'postgres');
  try {
    await asOwner(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'ims'`, 'postgres');
    await page.goto(`/#token=${E2E_TOKEN}`);
    const lost = page.getByTestId('connection-lost');
    await expect(lost).toBeVisible({ timeout: 60_000 });
    await expect(lost).toContainText('Cannot reach the database');
    await expect(lost).not.toContainText(NOT_FOR_THIS_COMPUTER);
    await expectAccessible(page, 'the lost-connection dialog');

    await lost.getByRole('button', { name: 'Retry' }).click();
    await expect(page.getByTestId('retry-message')).toContainText('Close the application and open it again');
    await expect(lost).not.toContainText(NOT_FOR_THIS_COMPUTER);
    await page.setViewportSize({ width: 640, height: 400 });
    expect(await page.evaluate(() => document.scrollingElement!.scrollWidth <= document.scrollingElement!.clientWidth)).toBe(true);
    await expectAccessible(page, 'the lost-connection dialog at 640 px');
  } finally {
    await asOwner(`ALTER DATABASE ims ALLOW_CONNECTIONS true`, 'postgres');
  }
  await page.getByTestId('connection-lost').getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByTestId('connection-lost')).toHaveCount(0);
  await expect(page.locator('#person-search')).toBeVisible();
});

test('an embedded database stopped under the application is started again by Retry, which says so', async ({ page }) => {
  await page.goto(`/#token=${E2E_TOKEN}`);
  await expect(page.locator('#person-search')).toBeVisible({ timeout: 60_000 });
  await stopDatabase();

  await page.locator('#person-search').fill('Smith');
  await page.locator('#person-search').press('Enter');
  const lost = page.getByTestId('connection-lost');
  await expect(lost).toBeVisible();
  await expect(lost).not.toContainText(NOT_FOR_THIS_COMPUTER);
  await expect(page.getByTestId('connection-lost-advice')).toContainText('starts it again if it has stopped');

  await lost.getByRole('button', { name: 'Retry' }).click();
  await expect(lost).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByTestId('connection-notice')).toContainText('The database on this computer had stopped');
  await expect(page.getByTestId('interpreted-as')).toContainText('SMITH');
  await expectAccessible(page, 'the search page with the restart notice');
});
