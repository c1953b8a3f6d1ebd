// What every end-to-end spec does to reach the application: open the launch link and wait for
// the signed-in shell, and keep a screenshot when IMS_E2E_SCREENSHOTS names a folder.
import { expect, type Page } from '@playwright/test';
import { E2E_TOKEN } from './env';

const SHOTS = process.env.IMS_E2E_SCREENSHOTS;

export async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

/** Opens the launch link and waits for the signed-in shell. */
export async function openApp(page: Page): Promise<void> {
  await page.goto(`/#token=${E2E_TOKEN}`);
  await expect(page.locator('#person-search')).toBeVisible({ timeout: 60_000 });
}
