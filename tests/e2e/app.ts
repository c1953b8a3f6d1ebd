// What every end-to-end spec does to reach the application: open the launch link and wait for
// the signed-in shell (as the launch user, or seen as another role), call a channel of the host
// directly to set data up, and keep a screenshot when IMS_E2E_SCREENSHOTS names a folder.
import { expect, type Page } from '@playwright/test';
import { capabilitiesOf } from '../../main-api/shared/vocabulary/roles';
import type { RoleCode } from '../../main-api/shared/vocabulary/roles';
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

/**
 * Signs in through the launch link, with the session answered as if the user held one role: the
 * screens offer what that role may do (the host still acts as the launch user).
 */
export async function signInAs(page: Page, role: RoleCode, label: string): Promise<void> {
  await page.route('**/api/session.state', async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    if (body.ok && body.value.state === 'signed-in')
      Object.assign(body.value.session, { roles: [label], roleCodes: [role], capabilities: capabilitiesOf([role]) });
    await route.fulfill({ response, json: body });
  });
  await page.goto(`/#token=${E2E_TOKEN}`);
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible({ timeout: 60_000 });
}

/** Calls a channel of the host as the launch user, and answers its value (a refusal fails the test). */
export async function api<T>(page: Page, channel: string, input: unknown): Promise<T> {
  const response = await page.request.post(`/api/${channel}`, { headers: { Authorization: `Bearer ${E2E_TOKEN}` }, data: input });
  const body = (await response.json()) as { ok: boolean; value: T; error?: { message: string } };
  expect(body.ok, `${channel}: ${body.error?.message ?? ''}`).toBe(true);
  return body.value;
}
