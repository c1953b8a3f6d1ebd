// Child health in a real browser, as the launch user: the register filtered to one practice, a
// worklist made of its overdue children, a decline recorded on one child from the worklist, and
// the open count falling by one; the decline then shows on the child's record. An overdue letter
// to another child waits with the child health messages, to be sent from Child health > Messages.
import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { expectAccessible } from '../support/axe';
import { api, openApp, shot } from './app';

interface Counts {
  channel: string;
  status: string;
  count: number;
}
interface Page1 {
  rows: { personId: number; practiceCode: string | null; givenName: string; familyName: string }[];
}

test('a worklist of overdue children falls by one when a decline is recorded', async ({ page }) => {
  test.setTimeout(90_000);
  await openApp(page);
  // A practice with overdue children in the demo region, found as the screen would find them.
  const overdue = await api<Page1>(page, 'childHealth.register.page', { filter: { statuses: ['OVERDUE'] }, sort: 'overdue', limit: 1 });
  const practice = overdue.rows[0]!.practiceCode!;

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Child health' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Child health' })).toBeVisible();
  await page.locator('#filter-practices').fill(practice);
  await page.locator('.n-select:has(#filter-statuses)').click();
  await page.keyboard.type('Overdue');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
  await page.getByTestId('register-apply').click();
  await expect(page.getByTestId('register-rows')).toBeVisible();
  await expect(page.getByTestId('register-counts')).toContainText('0 due');
  await expectAccessible(page, 'the child register');
  await shot(page, 'child-register');

  const name = `E2E overdue ${randomUUID().slice(0, 8)}`;
  await page.locator('#worklist-name').fill(name);
  await page.getByTestId('worklist-create').click();
  await expect(page).toHaveURL(/#\/child-health\/worklists\/\d+$/);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  const openCount = Number(await page.getByTestId('worklist-open').textContent());
  expect(openCount).toBeGreaterThan(0);

  const first = page.getByTestId('worklist-rows').locator('tbody tr').first();
  await first.getByText('Why').click();
  await expect(first.locator('details.why li').first()).toBeVisible();
  await expectAccessible(page, 'a worklist');
  const childLink = first.locator('th a');
  const childName = (await childLink.textContent())!.trim();
  const childHref = (await childLink.getAttribute('href'))!;
  await first.getByRole('button', { name: /^Record a decline/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Record a decline' });
  await expect(dialog).toBeVisible();
  await page.locator('.n-select:has(#action-decline-reason)').click();
  await page.keyboard.type('Personal');
  await page.keyboard.press('Enter');
  await page.locator('#action-note').fill('Parent prefers to wait until next year');
  await expectAccessible(page, 'the decline dialog');
  await page.getByTestId('child-action-save').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('worklist-open')).toHaveText(String(openCount - 1));
  await expect(page.getByTestId('worklist-progress')).toContainText('1 declined');
  await expect(page.getByTestId('worklist-actions')).toContainText('Declined: 1');
  await expect(page.getByTestId('worklist-rows')).not.toContainText(childName);
  await shot(page, 'child-worklist');

  // An overdue letter to the next child: made for the sender (other journeys may add messages too).
  const waitingLetters = async () =>
    (await api<Counts[]>(page, 'communications.counts', { campaignCode: null }))
      .filter((c) => c.channel === 'LETTER' && c.status === 'PENDING')
      .reduce((a, c) => a + c.count, 0);
  const lettersBefore = await waitingLetters();
  const next = page.getByTestId('worklist-rows').locator('tbody tr').first();
  await next.getByRole('button', { name: /^Send overdue letter/ }).click();
  const letterDialog = page.getByRole('dialog', { name: 'Send overdue letter' });
  await expect(letterDialog).toBeVisible();
  await page.getByTestId('child-action-save').click();
  await expect(letterDialog).toBeHidden();
  await expect(page.getByTestId('worklist-actions')).toContainText('Overdue letter sent: 1');
  expect(await waitingLetters()).toBeGreaterThan(lettersBefore);

  // The worklist list shows it one down, and the decline is on the child's record.
  await page.getByRole('link', { name: 'Back to the worklists' }).click();
  await expect(page.getByTestId('worklist-list')).toContainText(name);
  await page.locator('.n-tabs-tab', { hasText: 'Messages' }).click();
  await expect(page.getByTestId('message-counts')).toContainText('Letter');
  await expect(page.getByTestId('message-totals')).toContainText('waiting');
  await expect(page.getByTestId('send-messages')).toBeVisible();
  // Their standing templates, editable and producible as letters from the same tab.
  await expect(page.getByTestId('template-list')).toContainText('child-overdue-letter');
  await expect(page.getByTestId('letter-production')).toBeVisible();
  await expectAccessible(page, 'the child health messages');
  await shot(page, 'child-messages');
  await page.goto(page.url().replace(/#.*$/, childHref));
  await expect(page.getByTestId('person-child-actions')).toContainText('Declined: personal choice');
  await expect(page.getByTestId('person-child-actions')).toContainText('Parent prefers to wait until next year');
});
