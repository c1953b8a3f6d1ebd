// The Imports screen takes an NHS vaccination batch file (v5): its national header is shown, a
// file whose rows cannot be matched to anyone is taken with every row rejected, and the sender's
// acknowledgements (InfAck, BusAck, totals) are downloaded. Its NHS numbers are random, high in
// the 999 range and never registered, so nothing another spec uses is read or changed.
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { V5_HEADER } from '../../main-api/feeds/vaccination-batch.rules';
import { nhsCheckDigit } from '../../main-api/shared/identifiers/nhs-number';
import { expectAccessible } from '../support/axe';
import { openApp, shot } from './app';

function unregistered(): string {
  for (let stem = 999_990_000 + Math.floor(Math.random() * 9_000); ; stem++) {
    const check = nhsCheckDigit(String(stem));
    if (check !== null) return `${stem}${check}`;
  }
}

function batchFile(run: string): Buffer {
  const row = (id: string) => {
    const v: Partial<Record<(typeof V5_HEADER)[number], string>> = {
      NHS_NUMBER: unregistered(),
      PERSON_FORENAME: 'Ella',
      PERSON_SURNAME: 'Batch',
      PERSON_DOB: '20200115',
      PERSON_GENDER_CODE: '2',
      PERSON_POSTCODE: 'ME14 1AA',
      DATE_AND_TIME: '20261020T10300001',
      SITE_CODE: 'G89001',
      SITE_CODE_TYPE_URI: 'https://fhir.nhs.uk/Id/ods-organization-code',
      UNIQUE_ID: id,
      UNIQUE_ID_URI: 'https://e2e.example/ids',
      ACTION_FLAG: 'new',
      RECORDED_DATE: '20261020',
      PRIMARY_SOURCE: 'FALSE',
      VACCINATION_PROCEDURE_CODE: '38598009',
      LOCATION_CODE: 'G89001',
      LOCATION_CODE_TYPE_URI: 'https://fhir.nhs.uk/Id/ods-organization-code',
    };
    return V5_HEADER.map((c) => `"${v[c] ?? ''}"`).join('|');
  };
  return Buffer.from([V5_HEADER.join('|'), row(`${run}-1`), row(`${run}-2`)].join('\r\n') + '\r\n');
}

test('a vaccination batch file is imported and its acknowledgements downloaded', async ({ page }) => {
  test.setTimeout(40_000);
  const run = `e2e-${Math.random().toString(36).slice(2, 8)}`;
  await openApp(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Imports' }).click();
  await page.getByLabel('Kind of file').selectOption('vaccination-batch-v5');
  await expect(page.getByTestId('import-columns')).toContainText('NHS_NUMBER|PERSON_FORENAME|PERSON_SURNAME');
  const name = 'MMR_Vaccinations_v5_G89001_20261130T10000000.csv';
  await page.getByLabel('File', { exact: true }).setInputFiles({ name, mimeType: 'text/csv', buffer: batchFile(run) });
  await page.getByTestId('import-start').click();

  const outcome = page.getByTestId('import-outcome');
  await expect(outcome).toBeVisible({ timeout: 20_000 });
  await expect(outcome).toContainText('2 rows: 0 applied, 2 rejected.');
  await expectAccessible(page, 'the imports screen after a vaccination batch file');
  await shot(page, 'imports-vaccination-batch');

  const downloads: { name: string; text: string }[] = [];
  page.on('download', (d) => {
    void d.path().then(async (p) => downloads.push({ name: d.suggestedFilename(), text: await readFile(p!, 'utf8') }));
  });
  await page.getByTestId('import-download-acknowledgements').click();
  await expect.poll(() => downloads.length, { timeout: 10_000 }).toBe(3);
  const byKind = (kind: string) => downloads.find((d) => d.name.includes(`_${kind}_`))!;
  expect(byKind('InfAck').name).toMatch(/^MMR_Vaccinations_v5_G89001_20261130T10000000_InfAck_\d{8}T\d{8}\.csv$/);
  expect(byKind('InfAck').text.split('\r\n')[1]).toMatch(/\|Success\|Information\|OK\|20013\|/);
  const bus = byKind('BusAck').text.split('\r\n');
  expect(bus[1]).toContain(`|${run}-1^https://e2e.example/ids||NHS_NUMBER: This NHS number is not on the register`);
  expect(bus[2]).toMatch(/^IMS-IMPORT-\d+\^2\|/);
  expect(JSON.parse(byKind('Summary').text)).toMatchObject({ totals: { records: 2, succeeded: 0, failed: 2 } });
});
