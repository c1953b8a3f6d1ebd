// A mover in: a three-year-old arrived from abroad with one DTaP/IPV/Hib dose. The record page's
// catch-up plan resumes the course rather than restarting it; the move in is recorded from the
// panel; the plan and the transfer summary download as PDFs in a browser. Each step passes the
// accessibility check. The child is this spec's own (its own NHS number), so no other spec's
// data is touched.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { nhsCheckDigit } from '../../main-api/shared/identifiers/nhs-number';
import { PRODUCT } from '../../main-api/shared/vocabulary/products';
import { expectAccessible } from '../support/axe';
import { asOwner } from './embedded-database';
import { api, openApp, shot } from './app';

function nhsNumber(stem: number): string {
  for (let s = stem; ; s++) {
    const check = nhsCheckDigit(String(s));
    if (check !== null) return `${s}${check}`;
  }
}

/** Today less whole years and days, as YYYY-MM-DD (UTC is close enough for an age of years). */
function daysAgo(years: number, days = 0): string {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() - years);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

test('a child from abroad with one 5-in-1 dose gets a catch-up plan that resumes the course, printed for the family', async ({ page }) => {
  const nhs = nhsNumber(999_404_300);
  const [child] = await asOwner<{ id: string }>(
    `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, gender_code, postcode, practice_code)
     SELECT '${nhs}', 'Zofia', 'Mover', DATE '${daysAgo(3)}', '2', 'ME14 1AA',
            (SELECT practice_code FROM ims.person WHERE practice_code IS NOT NULL ORDER BY id LIMIT 1)
     ON CONFLICT (nhs_number) DO UPDATE SET given_name = EXCLUDED.given_name
     RETURNING id::text`,
  );
  const personId = Number(child!.id);
  await asOwner(`DELETE FROM ims.person_arrival WHERE person_id = ${personId}`);
  // The overseas record: one DTaP/IPV/Hib dose at about 3 months (idempotent by its source id).
  await api(page, 'vaccination.record', {
    personId,
    programmeCode: 'ROUTINE_CHILDHOOD',
    outcome: 'GIVEN',
    occurredOn: daysAgo(2, 270),
    productCode: PRODUCT.DTAP_IPV_HIB,
    primarySource: false,
    reportedBy: { kind: 'OVERSEAS', name: 'Poland' },
    source: { system: 'E2E-MOVERS', id: `${nhs}-1` },
  });

  await openApp(page);
  await page.goto(`/#/people/${personId}`);
  const panel = page.getByTestId('catch-up-panel');
  await expect(panel.getByTestId('catch-up-visits')).toBeVisible();
  await expect(panel.getByTestId('arrival-summary')).toHaveText('No move in is recorded.');
  // Resumed, never restarted: the first visit gives the second 6-in-1 dose.
  const first = panel.getByTestId('catch-up-visit-1');
  await expect(first).toContainText('6-in-1 (DTaP/IPV/Hib/HepB), dose 2');
  await expect(first).toContainText('also counts for Hib booster after the first birthday');
  await expect(panel.getByTestId('catch-up-credited')).toContainText('counts as a 6-in-1 (DTaP/IPV/Hib/HepB) dose in this plan');
  // Rotavirus, PCV and MenB are past their upper ages, and the plan says so.
  await expect(panel.getByTestId('catch-up-left-out')).toContainText('Rotavirus');
  await first.locator('details.why summary').first().click();
  await expect(first.locator('details.why li').first()).toContainText('Next: dose 2 (6-in-1)');
  await expectAccessible(page, 'the catch-up plan on the record page', { include: '[data-testid=catch-up-panel]' });

  // The move in, recorded from the panel.
  await panel.getByTestId('record-arrival').click();
  const modal = page.getByTestId('arrival-modal');
  await expect(modal).toBeVisible();
  await page.locator('#arrival-date').fill('01/09/2025');
  await page.locator('#arrival-country').focus();
  await page.keyboard.type('Polan');
  await page.keyboard.press('Enter');
  await page.locator('#arrival-area').fill('Gdańsk');
  await expectAccessible(page, 'the move-in form', { include: '[data-testid=arrival-modal]' });
  await page.getByTestId('save-arrival').click();
  await expect(modal).toBeHidden();
  await expect(panel.getByTestId('arrival-summary')).toHaveText('Moved in on 01/09/2025 from Poland (Gdańsk).');

  // The plan and the transfer summary, downloaded in a browser.
  for (const [testid, name] of [
    ['print-catch-up-plan', /^catch-up-plan-Mover-Zofia-\d{10}-\d{4}-\d{2}-\d{2}\.pdf$/],
    ['print-transfer-summary', /^transfer-summary-Mover-Zofia-\d{10}-\d{4}-\d{2}-\d{2}\.pdf$/],
  ] as const) {
    const button = panel.getByTestId(testid);
    await expect(button).toHaveAttribute('data-action', 'download');
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toMatch(name);
    expect(
      readFileSync(await download.path())
        .subarray(0, 5)
        .toString('latin1'),
    ).toBe('%PDF-');
    await expect(button).toBeEnabled();
  }
  await panel.scrollIntoViewIfNeeded();
  await shot(page, 'movers-catch-up-plan');
});
