// A host whose database cannot be reached shows why, with Try again, never a blank window.
import { expect, test } from '@playwright/test';
import { E2E_TOKEN, E2E_UNREACHABLE_URL } from './env';
import { expectAccessible } from '../support/axe';

test('an unreachable database shows the start-failure screen, and Try again asks again', async ({ page }) => {
  await page.goto(`${E2E_UNREACHABLE_URL}/#token=${E2E_TOKEN}`);
  await expect(page.getByRole('heading', { name: 'The application could not start' })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('alert')).toContainText('The database cannot be reached');
  await expectAccessible(page, 'the start-failure screen');

  const retried = page.waitForRequest((r) => r.url().endsWith('/api/session.state') && r.postDataJSON()?.retry === true);
  await page.getByRole('button', { name: 'Try again' }).click();
  await retried;
  // The fresh attempt fails the same way and says so again.
  await expect(page.getByRole('heading', { name: 'The application could not start' })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('alert')).toContainText('The database cannot be reached');
});
