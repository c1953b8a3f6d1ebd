// The Imports screen (the launch user is an administrator): a nightly demographic delta with two
// bad rows is chosen and imported, its progress followed to the outcome, the two rejected rows
// downloaded as a CSV report, and the import listed in the history. Each state with the
// accessibility check. Its people are new registrations with NHS numbers at the top of the 999
// range, so no other spec's people are touched.
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { nhsCheckDigit } from '../../main-api/shared/identifiers/nhs-number';
import { FEED_KIND_DEFINITIONS } from '../../main-api/feeds/kinds';
import { expectAccessible } from '../support/axe';
import { openApp, shot } from './app';

const ROWS = 3000;

/** Valid NHS numbers from a stem high in the 999 range, different on each run. */
function numbers(count: number): string[] {
  const out: string[] = [];
  for (let stem = 999_950_000 + Math.floor(Math.random() * 30_000); out.length < count; stem++) {
    const check = nhsCheckDigit(String(stem));
    if (check !== null) out.push(`${stem}${check}`);
  }
  return out;
}

function deltaFile(): Buffer {
  const columns = FEED_KIND_DEFINITIONS['demographics-delta'].columns;
  const run = Math.random().toString(36).slice(2, 8);
  const lines = [columns.join('|')];
  numbers(ROWS).forEach((nhs, i) => {
    const v: Record<string, string> = {
      record_id: `e2e-${run}-${i}`,
      change_type: 'NEW',
      nhs_number: nhs,
      family_name: 'Importer',
      given_name: `Child${i}`,
      date_of_birth: '2026-09-01',
      gender: String(1 + (i % 2)),
      postcode: 'ME14 1AA',
      address_line1: `${i} Feed Street`,
      practice_code: 'G89001',
    };
    // Row 10: a wrong check digit; row 20: a date that does not exist.
    if (i === 9) v.nhs_number = nhs.slice(0, 9) + String((Number(nhs[9]) + 1) % 10);
    if (i === 19) v.date_of_birth = '2026-02-30';
    lines.push(columns.map((c) => v[c] ?? '').join('|'));
  });
  return Buffer.from(lines.join('\r\n') + '\r\n');
}

test('a delta is imported with progress, its rejected rows reported and downloaded', async ({ page }) => {
  test.setTimeout(90_000);
  await openApp(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Imports' }).click();
  await expect(page.getByRole('heading', { name: 'Imports', level: 1 })).toBeVisible();
  await expectAccessible(page, 'the imports screen');

  await page.getByLabel('Kind of file').selectOption('demographics-delta');
  await expect(page.getByTestId('import-columns')).toContainText('record_id|change_type|nhs_number');
  await page.getByLabel('File', { exact: true }).setInputFiles({ name: 'delta-e2e.txt', mimeType: 'text/plain', buffer: deltaFile() });
  await expect(page.getByTestId('import-chosen')).toContainText('delta-e2e.txt');
  await page.getByTestId('import-start').click();

  const progress = page.getByTestId('import-progress');
  await expect(progress).toBeVisible();
  // The progress line (rows, rate, time left) gives way to the outcome when the import ends.
  await expect(page.getByTestId('import-progress-text').or(page.getByTestId('import-outcome'))).toContainText(/rows/);
  const outcome = page.getByTestId('import-outcome');
  await expect(outcome).toBeVisible({ timeout: 60_000 });
  await expect(outcome).toContainText('Applied');
  await expect(outcome).toContainText(`${ROWS.toLocaleString('en-GB')} rows: ${(ROWS - 2).toLocaleString('en-GB')} applied, 2 rejected.`);
  await expect(outcome).toContainText(`${(ROWS - 2).toLocaleString('en-GB')} new registrations`);
  await expectAccessible(page, 'the imports screen with an outcome');
  await shot(page, 'imports-outcome');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('import-download-rejects').click()]);
  expect(download.suggestedFilename()).toBe('delta-e2e-rejected-rows.csv');
  const csv = await readFile((await download.path())!, 'utf8');
  expect(csv.split('\r\n')).toEqual([
    'row,field,reason',
    "10,nhs_number,The NHS number's check digit is wrong.",
    '20,date_of_birth,The date of birth is not a real date written YYYY-MM-DD.',
    '',
  ]);

  const history = page.getByTestId('import-history');
  await expect(history.getByRole('row', { name: /delta-e2e\.txt/ }).first()).toContainText('Applied');
});
