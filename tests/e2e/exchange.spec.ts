// Vaccination exchange in a real browser: a FHIR bundle pasted into the import screen, where one
// dose's person is certain (recorded) and the other's is doubtful (a twin, sent without an NHS
// number); the reviewer compares the details side by side, attaches it to the right twin, and
// finds the dose on her record. The people are this spec's own, registered through the review
// queue first (NHS numbers of a 999 stem range the demo region never reaches).
import { expect, test } from '@playwright/test';
import { immunization, bundle } from '../../main-api/exchange/exchange.fixtures';
import { nhsCheckDigit } from '../../main-api/shared/identifiers/nhs-number';
import { api, openApp, shot } from './app';
import { expectAccessible } from '../support/axe';

interface ImportOut {
  results: { outcome: string; reviewId: number | null; personId: number | null }[];
}

/** A valid synthetic NHS number from a stem range of this spec's own. */
function nhs(n: number): string {
  for (let stem = 999_888_000 + n * 10; ; stem++) {
    const check = nhsCheckDigit(String(stem));
    if (check !== null) return `${stem}${check}`;
  }
}

const run = Date.now().toString(36);
const TWINS = { family: 'Exchangeby', birthDate: '2019-06-10', postcode: 'ME15 6AB' };
const rowan = { ...TWINS, given: 'Rowan', nhsNumber: nhs(1) };
const robin = { ...TWINS, given: 'Robin', nhsNumber: nhs(2) };

test('a doubtful match is reviewed side by side, attached, and found on the record', async ({ page }) => {
  test.setTimeout(90_000);
  await openApp(page);

  // The twins join the register through the queue: neither NHS number is known yet.
  const setup = await api<ImportOut>(page, 'exchange.fhir.import', {
    text: JSON.stringify(
      bundle([
        immunization({ ...rowan, id: `e2e-${run}-rowan-1`, gender: 'female' }),
        immunization({ ...robin, id: `e2e-${run}-robin-1`, gender: 'female' }),
      ]),
    ),
  });
  for (const r of setup.results) {
    if (r.outcome === 'REVIEW') await api(page, 'exchange.review.decide', { id: r.reviewId, decision: 'NEW_PERSON' });
  }

  // The import screen: Robin's second dose with her NHS number, and Rowan's without one.
  await page.goto('/#/imports/fhir');
  await expect(page.getByRole('heading', { name: 'Import vaccinations (FHIR)' })).toBeVisible();
  const file = bundle([
    immunization({ ...robin, id: `e2e-${run}-robin-2`, dose: 2, occurrence: '2021-09-01', expiry: '2022-06-01', batch: 'E2E-ROBIN-2' }),
    immunization({
      ...rowan,
      nhsNumber: null,
      id: `e2e-${run}-rowan-2`,
      dose: 2,
      occurrence: '2021-09-02',
      expiry: '2022-06-01',
      batch: `E2E-ROWAN-${run}`,
    }),
  ]);
  await page.getByTestId('fhir-text').fill(JSON.stringify(file, null, 1));
  await expectAccessible(page, 'the FHIR import screen');
  await page.getByTestId('fhir-import').click();
  await expect(page.getByTestId(`fhir-result-e2e-${run}-robin-2`)).toContainText('Recorded');
  await expect(page.getByTestId(`fhir-result-e2e-${run}-rowan-2`)).toContainText('Waiting for review');
  await shot(page, 'exchange-import');
  await expectAccessible(page, 'the FHIR import results');

  // The review queue: both twins side by side with what was sent; neither was attached.
  await page.getByTestId('fhir-go-review').click();
  await page.getByTestId(`review-item-e2e-${run}-rowan-2`).click();
  const detail = page.getByTestId('review-detail');
  await expect(detail).toContainText('Exchangeby');
  const compare = page.getByTestId('review-compare');
  await expect(compare).toContainText('Rowan');
  await expect(compare).toContainText('Robin');
  await expect(detail).toContainText('twin');
  await shot(page, 'exchange-review');
  await expectAccessible(page, 'the review queue');

  // Attach to Rowan, from the keyboard.
  const accept = detail.getByRole('button', { name: /^Attach to EXCHANGEBY, Rowan|^Attach to .*Rowan/ });
  await accept.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('review-done')).toContainText('Rowan');

  // The dose is on Rowan's record, and not on Robin's.
  await page.getByTestId('review-open-record').click();
  await expect(page.getByTestId('record-name')).toContainText('Rowan');
  await expect(page.getByTestId('timeline')).toContainText(`E2E-ROWAN-${run}`);
  await shot(page, 'exchange-record');
  await expectAccessible(page, "the person's record after the review");
});
