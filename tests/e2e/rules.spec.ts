// The rule files screen (administrators; the launch link signs in as this computer's
// administrator): a bad file shows every mistake and stores nothing, a good one shows the
// preview with counts and examples, activating it puts it in force, and withdrawing it brings
// back the shipped rules. Each state with the accessibility check.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { expectAccessible } from '../support/axe';
import { openApp, shot } from './app';

const FLU = new URL('../../resources/schedule/flu-2026-27.json', import.meta.url);
const flu = () => JSON.parse(readFileSync(FLU, 'utf8')) as Record<string, unknown>;

/** This season's flu without the school-age criterion: school children would lose their flu row. */
function withoutSchoolChildren(): Buffer {
  const json = flu() as { version: string; criteria: { id: string }[] };
  json.version = '2026-27-e2e';
  json.criteria = json.criteria.filter((c) => c.id !== 'FLU-SCHOOL');
  return Buffer.from(JSON.stringify(json, null, 2));
}

function withMistakes(): Buffer {
  const json = flu();
  json.startDate = '2026-02-30';
  json.antigens = ['NOT_AN_ANTIGEN'];
  return Buffer.from(JSON.stringify(json));
}

test('an administrator imports a rule file, sees the preview, activates it and withdraws it', async ({ page }) => {
  test.setTimeout(120_000);
  await openApp(page);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Rule files' }).click();
  await expect(page.getByRole('heading', { name: 'Rule files', level: 1 })).toBeVisible();
  await expect(page.getByText('No rule files have been imported')).toBeVisible();
  await expectAccessible(page, 'the rule files screen, nothing imported');

  // A file with mistakes: each is named with its field, and nothing is stored.
  const file = page.getByLabel('Rule file (JSON)');
  await file.setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: withMistakes() });
  await page.getByTestId('rules-check').click();
  const errors = page.getByTestId('rules-errors');
  await expect(errors).toContainText('startDate:');
  await expect(errors).toContainText('antigens[0]:');
  await expect(errors).toContainText('nothing was stored');
  await expectAccessible(page, 'the rule files screen with a refused file');
  await expect(page.getByText('No rule files have been imported')).toBeVisible();

  // A good file: the preview's counts and a few people's before and after, with the reasons.
  await file.setInputFiles({ name: 'flu-2026-27-e2e.json', mimeType: 'application/json', buffer: withoutSchoolChildren() });
  await page.getByTestId('rules-check').click();
  const preview = page.getByTestId('rules-preview');
  await expect(preview).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('rules-headline')).toContainText('would change status');
  await expect(page.getByTestId('rules-transitions')).toContainText('Not listed');
  // A school child who would no longer be offered flu, and why they are now.
  const example = page.getByTestId('rules-example').filter({ hasText: 'becomes Not listed' }).first();
  await expect(example).toBeVisible();
  await example.getByText('Why').first().click();
  await expect(example).toContainText('School age');
  await expect(page.getByTestId('rules-version')).toHaveCount(1);
  await expect(page.getByTestId('rules-version').first()).toContainText('Previewed');
  await expectAccessible(page, 'the rule file preview');
  await shot(page, 'rule-file-preview');

  // Activated from the keyboard.
  await page.getByTestId('rules-activate').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('rules-done')).toContainText('is in force');
  const row = page.getByTestId('rules-version').first();
  await expect(row).toContainText('Active');
  await expect(row).toContainText('In use today');
  await expectAccessible(page, 'the rule files screen after activating');

  // Withdrawn again, so the specs after this one see the shipped rules.
  await row.getByRole('button', { name: /Withdraw version/ }).click();
  await expect(page.getByTestId('rules-done')).toContainText('is withdrawn');
  await expect(page.getByTestId('rules-version').first()).toContainText('Withdrawn');
});
