// Reference geography on the Imports screen (the launch user is an administrator): the kinds are
// listed, the IMD kind says its header is read by column name and that it is administrators'
// only, and the shipped synthetic IMD file imports into the demo as no change at all (it is the
// demo region's own deprivation). Blank lines at its end, skipped on reading, make each run's file
// a new one, so the spec runs again on the same database and touches nothing another spec reads.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { expectAccessible } from '../support/axe';
import { openApp } from './app';

test('the synthetic IMD file is imported on the Imports screen, changing nothing of the demo', async ({ page }) => {
  test.setTimeout(90_000);
  const text = await readFile(join(process.cwd(), 'resources', 'reference', 'geography', 'IoD2025_demo_File_1.csv'), 'latin1');
  const buffer = Buffer.from(text + '\r\n'.repeat(1 + Math.floor(Math.random() * 10_000)), 'latin1');

  await openApp(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Imports' }).click();
  await expect(page.getByRole('heading', { name: 'Imports', level: 1 })).toBeVisible();
  const kind = page.getByLabel('Kind of file');
  for (const code of ['onspd-postcodes', 'imd-lsoa', 'ods-gp-practices', 'gias-schools']) {
    await expect(kind.locator(`option[value="${code}"]`)).toHaveCount(1);
  }
  await kind.selectOption('imd-lsoa');
  await expect(page.getByTestId('import-columns')).toContainText('among any others');
  await expect(page.getByTestId('import-columns')).toContainText('LSOA code (2021)');
  await expect(page.getByTestId('import-administrators-only')).toBeVisible();
  await expectAccessible(page, 'the imports screen with a reference kind');

  await page.getByLabel('File', { exact: true }).setInputFiles({ name: 'IoD2025_demo_File_1.csv', mimeType: 'text/csv', buffer });
  await page.getByTestId('import-start').click();
  const outcome = page.getByTestId('import-outcome');
  await expect(outcome).toBeVisible({ timeout: 60_000 });
  await expect(outcome).toContainText('Applied');
  await expect(outcome).toContainText('310 rows: 310 applied, 0 rejected.');
  await expect(outcome).toContainText('310 unchanged');
  await expectAccessible(page, 'the imports screen with a reference outcome');
});
