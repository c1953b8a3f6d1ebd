// The record page's forecast (one row per vaccination, later programmes on request, rule codes
// only in rule details) and the printed record in a browser (a download, since a browser page
// cannot reach the host's printer), each with the accessibility check.
import { readFileSync } from 'node:fs';
import { expect, test, type APIRequestContext } from '@playwright/test';
import type { Output } from '../../main-api/contract/contract';
import { expectAccessible } from '../support/axe';
import { asOwner } from './embedded-database';
import { E2E_TOKEN } from './env';
import { openApp, shot } from './app';

/** One contract call over the loopback host, as the page makes it. */
async function api<T>(request: APIRequestContext, channel: string, input: unknown): Promise<T> {
  const response = await request.post(`/api/${channel}`, { data: input, headers: { Authorization: `Bearer ${E2E_TOKEN}` } });
  const body = (await response.json()) as { ok: boolean; value?: T; error?: unknown };
  expect(body.ok, JSON.stringify(body.error)).toBe(true);
  return body.value as T;
}

const monthsOld = (dob: string): number => {
  const [y, m] = dob.split('-').map(Number) as [number, number];
  const now = new Date();
  return (now.getUTCFullYear() - y) * 12 + (now.getUTCMonth() + 1 - m);
};

/** A child under two with a vaccination given, so the forecast has upcoming visits and history. */
async function youngChild(request: APIRequestContext): Promise<{ id: number; eventId: number; given: string }> {
  for (const text of ['Smith', 'Jones', 'Williams', 'Taylor', 'Brown', 'Davies', 'Evans', 'Wilson']) {
    const found = await api<Output<'person.search'>>(request, 'person.search', { text, limit: 100 });
    for (const p of found.results.filter((x) => monthsOld(x.dateOfBirth) >= 6 && monthsOld(x.dateOfBirth) < 24)) {
      const history = await api<Output<'vaccination.history'>>(request, 'vaccination.history', { personId: p.id });
      const given = history.events.find((e) => e.status === 'ACTIVE' && e.outcome === 'GIVEN');
      if (given) return { id: p.id, eventId: given.id, given: given.occurredOn };
    }
  }
  throw new Error('No child under two with a vaccination given was found in the demo region');
}

test('the forecast shows one row per vaccination, later programmes on request, rule codes only in details', async ({ page, request }) => {
  const child = await youngChild(request);
  await openApp(page);
  await page.goto(`/#/people/${child.id}`);
  const forecast = page.getByTestId('forecast');
  await expect(forecast).toContainText('As of');
  await expectAccessible(page, 'the forecast on the record page', { include: '[data-testid=forecast]' });

  // No vaccination twice: each row is one series or several one dose satisfies.
  const shown = await forecast
    .getByTestId('forecast-row')
    .evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-series'), r.getAttribute('data-status')] as const));
  const keys = shown.map(([series]) => series);
  expect(new Set(keys).size).toBe(keys.length);
  expect(keys).not.toContain('VARICELLA');
  // For a child born since July 2024 the Hib dose after the first birthday is the 18-month
  // 6-in-1: the engine may list it, but never as a second vaccination to give.
  const hibAfterOne = shown.find(([series]) => series === 'HIB-AFTER-1');
  expect(['DUE', 'OVERDUE', 'UPCOMING']).not.toContain(hibAfterOne?.[1]);

  // Adult programmes decades away wait behind "Show later programmes".
  const later = forecast.getByTestId('forecast-later');
  await expect(later).toBeVisible();
  await expect(forecast.getByTestId('forecast-later-row')).toHaveCount(0);
  await expect(forecast.getByTestId('forecast-row').filter({ hasText: /^Upcoming\s*Shingles/ })).toHaveCount(0);
  const show = later.getByTestId('show-later');
  await expect(show).toHaveAttribute('aria-expanded', 'false');
  await show.click();
  await expect(show).toHaveAttribute('aria-expanded', 'true');
  await expect(forecast.getByTestId('forecast-later-row').filter({ hasText: 'Shingles' })).toHaveCount(1);
  await expectAccessible(page, 'the forecast with later programmes shown', { include: '[data-testid=forecast]' });

  // A row opens to its explanation in plain words; the rule codes wait in its rule details.
  const row = forecast.getByTestId('forecast-row').first();
  await row.locator('summary').click();
  await expect(row.locator('.explanation li').first()).toBeVisible();
  await expect(row).not.toContainText(/\(rules? [A-Z]|v20\d\d-\d\d\)/);
  await row.getByTestId('rule-details-toggle').click();
  await expect(row.getByTestId('rule-details')).toContainText(/rules? [A-Z0-9-]+.* v20\d\d-\d\d/);
  await expectAccessible(page, 'a forecast row with its rule details', { include: '[data-testid=forecast]' });
  await shot(page, 'forecast-rows');
});

test('in a browser the record downloads as a PDF, with a reaction on it, and the flow passes the accessibility check', async ({
  page,
  request,
}) => {
  const child = await youngChild(request);
  // A reaction on the child's dose, so the printed record has one to show.
  await api(request, 'reaction.record', {
    eventId: child.eventId,
    onsetAt: `${child.given}T18:00:00.000Z`,
    reactionCode: 'FEVER',
    description: 'Settled with paracetamol',
    seriousness: 'NOT_SERIOUS',
    outcome: 'RECOVERED',
    reporter: 'Parent',
  });
  await page.goto(`/#token=${E2E_TOKEN}`);
  await expect(page.locator('#person-search')).toBeVisible({ timeout: 60_000 });
  await page.goto(`/#/people/${child.id}`);
  await expect(page.getByTestId('record-name')).toBeVisible();

  const button = page.getByTestId('print-record');
  await expect(button).toHaveText('Download record (PDF)');
  await expect(button).toHaveAttribute('data-action', 'download');
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  expect(download.suggestedFilename()).toMatch(/^vaccination-record-.+-\d{10}-\d{4}-\d{2}-\d{2}\.pdf$/);
  const pdf = readFileSync(await download.path());
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  await expect(button).toBeEnabled();
  await expectAccessible(page, 'the record page after downloading the record', { include: '[data-testid=print-record]' });
  await expectAccessible(page, 'the forecast beside the print button', { include: '[data-testid=forecast]' });
  await shot(page, 'print-download');
});

test('a live vaccine held back for a clinician shows as needing assessment, with the reason in plain words', async ({ page }) => {
  // A baby of 3 to 9 months with no MMR yet, recorded as immunosuppressed from birth.
  const [baby] = await asOwner<{ id: string }>(
    `SELECT p.id::text FROM ims.person p
      WHERE p.date_of_death IS NULL AND p.date_of_birth BETWEEN current_date - 270 AND current_date - 90
        AND NOT EXISTS (SELECT 1 FROM ims.clinical_flag f WHERE f.person_id = p.id AND f.flag_code = 'IMMUNOSUPPRESSION')
      ORDER BY p.id LIMIT 1`,
  );
  expect(baby, 'a baby of 3 to 9 months in the demo region').toBeDefined();
  await asOwner(
    `INSERT INTO ims.clinical_flag (person_id, flag_code, from_date, source)
     SELECT id, 'IMMUNOSUPPRESSION', date_of_birth, 'e2e' FROM ims.person WHERE id = ${Number(baby!.id)}`,
  );
  await openApp(page);
  await page.goto(`/#/people/${baby!.id}`);
  const section = page.getByTestId('forecast-assessment');
  await expect(section).toContainText('Needs clinical assessment first');
  const mmr = section.locator('[data-testid=forecast-row][data-series=MMR]');
  await expect(mmr).toHaveAttribute('data-status', 'NEEDS_ASSESSMENT');
  // The reason is on the row before it is opened, in words, without codes.
  await expect(mmr.getByTestId('forecast-note')).toBeVisible();
  await expect(mmr.getByTestId('forecast-note')).toContainText(
    'A clinician must assess this person before it is given: MMR and MMRV are live',
  );
  await expect(mmr).not.toContainText(/IMMUNOSUPPRESSION|NEEDS_ASSESSMENT/);
  // Inactivated vaccines are not held back.
  await expect(page.getByTestId('forecast-assessment').locator('[data-series=SIX-IN-1]')).toHaveCount(0);
  await expectAccessible(page, 'the forecast with a row needing clinical assessment', { include: '[data-testid=forecast]' });
  await shot(page, 'forecast-needs-assessment');
});
