// The clinical journey in a real browser: open a young child's record, read the forecast,
// record a dose with a new batch, see the history and forecast change, meet the schedule's
// warnings and the expired-batch refusal, record a reaction, and download the printable record.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { E2E_TOKEN } from './env';
import { shot } from './app';
import { expectAccessible } from '../support/axe';

test.describe.configure({ mode: 'serial' });

const pad = (n: number) => String(n).padStart(2, '0');
function typed(d: Date): string {
  return `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()}`;
}

/** The axe check of an open dialog or drawer: the dialog itself (the screen under it has its own checks). */
const DIALOG = { include: '[role="dialog"]' };

/** Opens a Naive UI select and clicks the option with exactly this text. */
async function pick(page: Page, select: string, option: string): Promise<void> {
  await page.locator(select).click();
  await page.locator('.n-base-select-option', { hasText: new RegExp(`^${option}$`) }).click();
}

/** Kinds of vaccine the engine names that the product list can find by typing them. */
const TYPEABLE = ['MMR', 'MMRV', 'MenB', 'PCV', '6-in-1'];

/** The child the tests work on, found once: its record and a series due for a typeable dose. */
const chosen = { url: '', seriesId: '', productText: '', kind: '' };

async function dueTypeableSeries(page: Page): Promise<{ seriesId: string; productText: string; kind: string } | null> {
  const forecast = page.getByTestId('forecast');
  await expect(forecast).toContainText('As of');
  const rows = forecast.getByTestId('forecast-attention').getByTestId('forecast-row');
  const found: { seriesId: string; next: string }[] = [];
  for (let i = 0; i < (await rows.count()); i += 1) {
    const next = (await rows.nth(i).getAttribute('data-next-product')) ?? '';
    const seriesId = (await rows.nth(i).getAttribute('data-series')) ?? '';
    if (TYPEABLE.includes(next)) found.push({ seriesId, next });
  }
  found.sort((a, b) => TYPEABLE.indexOf(a.next) - TYPEABLE.indexOf(b.next));
  const best = found[0];
  return best ? { seriesId: best.seriesId, productText: best.next.toLowerCase(), kind: best.next } : null;
}

/**
 * Opens a child aged one to four who has a dose due, trying common surnames. The demo gives
 * most children a history, so the first child found may well be up to date.
 */
async function openYoungChild(page: Page): Promise<void> {
  await page.goto(`/#token=${E2E_TOKEN}`);
  await expect(page.locator('#person-search')).toBeVisible({ timeout: 60_000 });
  if (chosen.url) {
    await page.goto(chosen.url);
    await expect(page.getByTestId('record-name')).toBeVisible();
    await expect(page.getByTestId('forecast')).toContainText('As of');
    return;
  }
  const surnames = [
    'Smith',
    'Jones',
    'Williams',
    'Taylor',
    'Brown',
    'Davies',
    'Evans',
    'Wilson',
    'Thomas',
    'Johnson',
    'Roberts',
    'Wright',
    'Walker',
    'Robinson',
    'Wood',
    'Thompson',
    'White',
    'Hughes',
    'Green',
    'Hall',
  ];
  for (const surname of surnames) {
    const box = page.locator('#person-search');
    await box.fill(surname);
    await box.press('Enter');
    await expect(page.getByTestId('interpreted-as')).toContainText(surname.toUpperCase());
    const rows = page.getByTestId('result-row');
    const count = await rows.count();
    for (let i = 0; i < count; i += 1) {
      const row = rows.nth(i);
      const text = (await row.textContent()) ?? '';
      // "(2 years)", "(18 months)": old enough for first-birthday doses, young enough to be due.
      const m = /\((\d+) (years?|months?)\)/.exec(text);
      if (!m || text.includes('Deceased')) continue;
      const n = Number(m[1]);
      const months = m[2]!.startsWith('year') ? n * 12 : n;
      if (months < 13 || months >= 60) continue;
      await row.click();
      await expect(page.getByTestId('record-name')).toBeVisible();
      const due = await dueTypeableSeries(page);
      if (due) {
        chosen.url = page.url().replace(/^https?:\/\/[^/]+/, '');
        chosen.seriesId = due.seriesId;
        chosen.productText = due.productText;
        chosen.kind = due.kind;
        return;
      }
      await page.getByRole('button', { name: '← Back to search' }).click();
      await expect(page.getByTestId('interpreted-as')).toContainText(surname.toUpperCase());
    }
  }
  throw new Error('No child aged one to four with a dose due was found in the demo region');
}

test('record a dose for a due series; history, forecast, warnings, expired batch, reaction', async ({ page }) => {
  // The clerk's whole journey in one test, a minute on a quiet machine: room for a busy one.
  test.slow();
  await openYoungChild(page);

  // The forecast loads with something to act on.
  const forecast = page.getByTestId('forecast');
  const seriesId = chosen.seriesId;
  const row = forecast.locator(`[data-testid="forecast-row"][data-series="${seriesId}"]`);
  const before = { status: await row.getAttribute('data-status'), dose: await row.getAttribute('data-next-dose') };
  expect(['DUE', 'OVERDUE']).toContain(before.status);
  // Each row opens to show the engine's explanation.
  await row.locator('summary').click();
  await expect(row.locator('.explanation li').first()).toBeVisible();
  const entriesBefore = await page.getByTestId('timeline-entry').count();
  await shot(page, 'vacc-record-before');

  // "R" opens the form with today's date in the first field.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('r');
  const drawer = page.getByTestId('record-drawer');
  await expect(drawer).toBeVisible();
  await expect(page.locator('#vacc-date')).toBeFocused();
  const today = typed(new Date());
  await expect(page.locator('#vacc-date')).toHaveValue(today);

  // Keyboard: the product by typing its kind (e.g. "mmr") and Enter.
  await page.locator('#vacc-product').focus();
  await page.keyboard.type(chosen.productText);
  await page.keyboard.press('Enter');
  await expect(drawer.getByTestId('product-select')).toContainText(`(${chosen.kind})`);
  // Route and dose came from the product; a new batch asks for its expiry.
  await expect(drawer.locator('#vacc-amount')).toHaveValue('0.5');
  const batch = `E2E${Date.now() % 1_000_000}`;
  await page.locator('#vacc-batch').fill(batch);
  const nextYear = new Date();
  nextYear.setFullYear(nextYear.getFullYear() + 1);
  await page.locator('#vacc-expiry').fill(typed(nextYear));
  await page.locator('#vacc-site').focus();
  await page.keyboard.type('left th');
  await page.keyboard.press('Enter');
  await shot(page, 'vacc-form');
  await page.locator('#vacc-expiry').press('Control+Enter');
  // A product covering more than the due series (MMRV when MMR is complete) draws a warning;
  // then Ctrl+Enter alone does not save, and "Save anyway" is the deliberate second step.
  const saveAnyway = page.getByTestId('save-anyway');
  // Either the warning asks for "Save anyway", or (no warning for this child) the dose is recorded.
  await expect(saveAnyway.or(page.locator('.n-message', { hasText: 'Recorded' })).first()).toBeVisible();
  await page.waitForLoadState('networkidle');
  if (await saveAnyway.isVisible()) {
    await page.locator('#vacc-expiry').press('Control+Enter');
    await expect(drawer).toBeVisible();
    await saveAnyway.click();
  }

  // Saved: the drawer closes, the timeline shows the dose, the forecast has moved on.
  await expect(drawer).toBeHidden();
  await expect(page.locator('.n-message')).toContainText('Recorded');
  const entry = page.getByTestId('timeline-entry').first();
  await expect(entry).toContainText(today);
  await expect(entry).toContainText(batch);
  await expect(entry.getByTestId('event-source')).toHaveText('Given here');
  await expect(page.getByTestId('timeline-entry')).toHaveCount(entriesBefore + 1);
  // The series has moved on: another status, or the next dose number.
  await expect(async () => {
    const now = { status: await row.getAttribute('data-status'), dose: await row.getAttribute('data-next-dose') };
    expect(now).not.toEqual(before);
  }).toPass();
  if (!(await row.evaluate((el) => (el as HTMLDetailsElement).open))) await row.locator('summary').click();
  await expect(row).toContainText(`Last dose ${today}`);
  await shot(page, 'vacc-record-after');

  // The same product again today: the engine warns, and saving needs a second, deliberate step.
  await page.getByTestId('record-vaccination').click();
  await expect(page.locator('#vacc-date')).toBeFocused();
  await page.locator('#vacc-product').focus();
  await page.keyboard.type(chosen.productText);
  await page.keyboard.press('Enter');
  const warnings = drawer.getByTestId('dose-warning');
  await expect(warnings.first()).toBeVisible();
  const codes = await warnings.evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
  expect(codes.some((c) => c === 'LIKELY_DUPLICATE' || c === 'TOO_SOON_AFTER_PREVIOUS')).toBe(true);
  await expect(page.getByTestId('save-anyway')).toBeVisible();
  await expect(page.getByTestId('save-vaccination')).toHaveCount(0);

  // An expired batch is refused by the server, in its own words.
  await page.locator('#vacc-batch').fill(`OLD${Date.now() % 1_000_000}`);
  await page.locator('#vacc-expiry').fill('01/01/2020');
  await page.getByTestId('save-anyway').click();
  await expect(drawer).toContainText('expired on 1 January 2020, before the vaccination date');
  await shot(page, 'vacc-warnings-expired');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(drawer).toBeHidden();
  await expect(page.getByTestId('timeline-entry')).toHaveCount(entriesBefore + 1);

  // A reaction recorded against the dose shows on its row, seriousness highlighted.
  await entry.getByRole('button', { name: 'Record reaction' }).click();
  const modal = page.getByTestId('reaction-modal');
  await expect(modal).toBeVisible();
  await expectAccessible(page, 'the reaction dialog', DIALOG);
  // No time: the dose's own time is taken, which is never in the future whenever the suite runs.
  await page.locator('#reaction-time').fill('');
  // Saved without the kind of reaction: the cursor goes to that field, and its message goes once it is chosen.
  await page.getByTestId('save-reaction').click();
  await expect(page.locator('#reaction-code')).toBeFocused();
  await expect(page.getByTestId('reaction-error')).toContainText('Choose the kind of reaction');
  await expectAccessible(page, 'the reaction dialog with an error', DIALOG);
  await pick(page, '#reaction-code', 'Fever');
  await expect(page.getByTestId('reaction-error')).toHaveCount(0);
  await pick(page, '#reaction-seriousness', 'Needed hospital care');
  await pick(page, '#reaction-outcome', 'Recovering');
  await page.getByTestId('save-reaction').click();
  await expect(modal).toBeHidden();
  await expect(entry.getByTestId('reaction')).toHaveAttribute('data-seriousness', 'HOSPITALISED');
  await expect(entry.getByTestId('reaction')).toContainText('Fever');
  await shot(page, 'vacc-reaction');
});

test('the printable record downloads as a PDF named by the server', async ({ page }) => {
  await openYoungChild(page);
  const nhs = ((await page.getByTestId('record-nhs').textContent()) ?? '').replace(/\s/g, '');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('print-record').click()]);
  // The name is the server's: it carries the NHS number and the date of issue.
  expect(download.suggestedFilename()).toMatch(new RegExp(`^vaccination-record-.+-${nhs}-\\d{4}-\\d{2}-\\d{2}\\.pdf$`));
  const path = await download.path();
  const head = readFileSync(path).subarray(0, 4).toString('latin1');
  expect(head).toBe('%PDF');
});

test('a correction keeps the earlier version; entered in error stays, struck through with its reason', async ({ page }) => {
  // Two dialogs, each checked for accessibility as it opens and with an error: room for a busy machine.
  test.slow();
  await openYoungChild(page);
  const entry = page.getByTestId('timeline-entry').first();

  await entry.getByRole('button', { name: 'Correct' }).click();
  await expect(page.getByTestId('event-change-modal')).toBeVisible();
  await expectAccessible(page, 'the correction dialog', DIALOG);
  await pick(page, '#correct-site', 'Right thigh');
  await page.locator('#change-reason').fill('Site recorded on the wrong side');
  await page.getByTestId('save-change').click();
  await expect(page.getByTestId('event-change-modal')).toBeHidden();
  await expect(entry).toContainText('Right thigh');
  await expect(entry).toContainText('Correction: Site recorded on the wrong side');
  await entry.getByText('Earlier versions (1)').click();
  await expect(entry.getByTestId('earlier-version')).toBeVisible();
  // The earlier version says what the correction changed, in the screen's words.
  await expect(entry.getByTestId('version-changes')).toHaveText('Changed: Site: Left thigh → Right thigh');
  // The reaction recorded before the correction stays with the vaccination.
  await expect(entry.getByTestId('reaction')).toContainText('Fever');

  await entry.getByRole('button', { name: 'Mark entered in error' }).click();
  await expect(page.getByTestId('event-change-modal')).toBeVisible();
  await expectAccessible(page, 'the entered-in-error dialog', DIALOG);
  await page.getByTestId('save-change').click();
  await expect(page.getByTestId('change-error')).toContainText('Say why');
  // The cursor is put in the reason, the field the message is about.
  await expect(page.locator('#change-reason')).toBeFocused();
  await expectAccessible(page, 'the entered-in-error dialog with an error', DIALOG);
  await page.locator('#change-reason').fill('Recorded against the wrong child');
  await page.getByTestId('save-change').click();
  await expect(page.getByTestId('event-change-modal')).toBeHidden();
  await expect(entry).toHaveAttribute('data-status', 'ENTERED_IN_ERROR');
  await expect(entry.getByTestId('error-reason')).toContainText('Recorded against the wrong child');
  await expect(entry.getByRole('button', { name: 'Correct' })).toHaveCount(0);
  await shot(page, 'vacc-entered-in-error');
});

test('a refused save leads to the first field in error; a message goes when its field is fixed or no longer shown', async ({ page }) => {
  // Each variant of the form is checked for accessibility: room for a busy machine.
  test.slow();
  await openYoungChild(page);
  // A short window, so the last fields of the form start out of sight.
  await page.setViewportSize({ width: 1280, height: 600 });
  await page.getByTestId('record-vaccination').click();
  const drawer = page.getByTestId('record-drawer');
  await expect(page.locator('#vacc-date')).toBeFocused();
  await expectAccessible(page, 'the recording form, given here', DIALOG);

  // A dose reported from elsewhere, saved without saying who reported it: the field is near the foot.
  await page.locator('#vacc-product').focus();
  await page.keyboard.type(chosen.productText);
  await page.keyboard.press('Enter');
  await expect(drawer.getByTestId('product-select')).toContainText(`(${chosen.kind})`);
  await drawer.getByText('Reported from elsewhere').click();
  await expectAccessible(page, 'the recording form, reported from elsewhere', DIALOG);
  // The product given today already draws warnings: then Save reads "Save anyway", and checks the form first all the same.
  const save = page.getByTestId('save-vaccination').or(page.getByTestId('save-anyway'));
  await page.locator('#vacc-date').focus();
  await save.click();
  const reporter = page.locator('#vacc-reported-by');
  await expect(reporter).toBeFocused();
  await expect(reporter).toBeInViewport();
  await expect(drawer.getByTestId('save-error')).toContainText('Say who reported this vaccination');
  await expectAccessible(page, 'the recording form with an error', DIALOG);
  await shot(page, 'vacc-first-error');

  // Given here after all: the reporter's field goes, and its message with it.
  await drawer.getByText('Given by this service').click();
  await expect(reporter).toHaveCount(0);
  await expect(drawer.getByTestId('save-error')).toHaveCount(0);

  // Not given, saved without a reason: the cursor goes to the reason; choosing one clears its message.
  await drawer.getByText('Not given', { exact: true }).click();
  await expectAccessible(page, 'the recording form, not given', DIALOG);
  await save.click();
  await expect(page.locator('#vacc-reason')).toBeFocused();
  await expect(drawer.getByTestId('save-error')).toContainText('Say why the vaccination was not given');
  await page.keyboard.type('declined');
  await page.keyboard.press('Enter');
  await expect(drawer.getByTestId('save-error')).toHaveCount(0);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(drawer).toBeHidden();
});

test('a form half filled in survives a lost connection, and the screen under it reloads after Retry', async ({ page }) => {
  await openYoungChild(page);
  await page.getByTestId('record-vaccination').click();
  const drawer = page.getByTestId('record-drawer');
  await expect(drawer).toBeVisible();
  await page.locator('#vacc-notes').fill('Typed before the outage');
  await page.waitForLoadState('networkidle');

  // Every request now fails at network level; choosing a product asks for its batches.
  await page.route('**/api/**', (route) => route.abort('connectionrefused'));
  await page.locator('#vacc-product').focus();
  await page.keyboard.type(chosen.productText);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('connection-lost')).toContainText('Cannot reach the database');
  await shot(page, 'vacc-connection-lost');

  await page.unroute('**/api/**');
  const reloaded = page.waitForRequest((r) => r.url().endsWith('/api/vaccination.history'));
  await page.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByTestId('connection-lost')).toHaveCount(0);
  await reloaded;
  await expect(drawer).toBeVisible();
  await expect(page.locator('#vacc-notes')).toHaveValue('Typed before the outage');
  await expect(drawer.getByTestId('product-select')).toContainText(`(${chosen.kind})`);
  // The failed dose check was asked again, so no stale error is left on the form.
  await expect(drawer.getByTestId('save-error')).toHaveCount(0);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(drawer).toBeHidden();
});

/** Calls the host's contract directly, as the browser does, to set up data a test needs. */
async function apiCall<T>(page: Page, channel: string, input: unknown): Promise<T> {
  const response = await page.request.post(`/api/${channel}`, {
    headers: { Authorization: `Bearer ${E2E_TOKEN}` },
    data: input,
  });
  const body = (await response.json()) as { ok: boolean; value?: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${channel}: ${body.error?.message}`);
  return body.value as T;
}

/** A batch of the chosen kind of vaccine in stock, made for the test: its product and number. */
async function stockBatch(page: Page): Promise<{ productCode: string; batchNumber: string; expiryDate: string }> {
  const products = await apiCall<{ code: string; vaccineType: string; shortName: string }[]>(page, 'product.list', {});
  const typedKind = chosen.productText.toLowerCase();
  const product = products.find((p) => p.vaccineType.toLowerCase() === typedKind) ?? products.find((p) => p.vaccineType === chosen.kind);
  if (!product) throw new Error(`No product of kind ${chosen.kind}`);
  const next = new Date();
  next.setFullYear(next.getFullYear() + 1);
  const expiryDate = next.toISOString().slice(0, 10);
  const batchNumber = `KB${Date.now() % 10_000_000}`;
  await apiCall(page, 'batch.add', { productCode: product.code, batchNumber, expiryDate });
  return { productCode: product.code, batchNumber, expiryDate };
}

test('keyboard only: Tab to the product and type it, pick a batch from the list with the arrow keys, save', async ({ page }) => {
  await openYoungChild(page);
  const stock = await stockBatch(page);
  const entriesBefore = await page.getByTestId('timeline-entry').count();

  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('r');
  const drawer = page.getByTestId('record-drawer');
  await expect(page.locator('#vacc-date')).toBeFocused();
  // Date, then the outcome, then the product: reached with Tab and typed into at once.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.type(chosen.productText);
  await page.keyboard.press('Enter');
  await expect(drawer.getByTestId('product-select')).toContainText(`(${chosen.kind})`);
  await shot(page, 'vacc-keyboard-product');

  // The batch list offers the stocked batch; arrow down to it and Enter.
  await page.locator('#vacc-batch').focus();
  await page.keyboard.type(stock.batchNumber.slice(0, 4));
  const option = page.locator('.n-base-select-option', { hasText: stock.batchNumber });
  await expect(option).toBeVisible();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  // The field holds the batch number exactly; the expiry is the batch's, not asked for.
  await expect(page.locator('#vacc-batch')).toHaveValue(stock.batchNumber);
  await expect(page.locator('#vacc-expiry')).toHaveCount(0);
  await expect(drawer.getByTestId('batch-expiry')).not.toContainText('Fills in');
  await shot(page, 'vacc-keyboard-batch');

  await page.keyboard.press('Control+Enter');
  const saveAnyway = page.getByTestId('save-anyway');
  // Either the warning asks for "Save anyway", or (no warning for this child) the dose is recorded.
  await expect(saveAnyway.or(page.locator('.n-message', { hasText: 'Recorded' })).first()).toBeVisible();
  await page.waitForLoadState('networkidle');
  if (await saveAnyway.isVisible()) {
    await saveAnyway.focus();
    await page.keyboard.press('Enter');
  }
  await expect(drawer).toBeHidden();
  await expect(page.getByTestId('timeline-entry')).toHaveCount(entriesBefore + 1);
  const entry = page.getByTestId('timeline-entry').first();
  // Saved with the batch's own number, once, not "..., EXPIRES ...".
  await expect(entry).toContainText(`${stock.batchNumber}, expires`);
  await expect(entry).not.toContainText('EXPIRES');
  // Recorded by the signed-in user under the name the top bar shows, not the login role's name.
  const me = page.getByTestId('signed-in-user');
  const shownName = ((await me.locator('strong').textContent()) ?? '').trim();
  const roleName = (await me.getAttribute('data-user')) ?? '';
  expect(shownName).not.toBe(roleName);
  await expect(entry).toContainText(`by ${shownName}`);
  await expect(entry).not.toContainText(`by ${roleName}`);
});

test('a save whose answer is lost with the connection keeps the form, and is saved once after Retry', async ({ page }) => {
  await openYoungChild(page);
  const stock = await stockBatch(page);
  const entries = page.getByTestId('timeline-entry');
  const entriesBefore = await entries.count();
  await page.getByTestId('record-vaccination').click();
  const drawer = page.getByTestId('record-drawer');
  await page.locator('#vacc-product').focus();
  await page.keyboard.type(chosen.productText);
  await page.keyboard.press('Enter');
  await page.locator('#vacc-batch').fill(stock.batchNumber);
  await page.locator('#vacc-notes').fill('Saved during an outage');
  await page.waitForLoadState('networkidle');

  // The worst case for sending again: the dose reaches the database, the answer never comes back.
  await page.route('**/api/vaccination.record', async (route) => {
    await route.fetch();
    await route.abort('connectionreset');
  });
  // Today's earlier doses may draw warnings: then "Save anyway" is the button that saves.
  const saveAnyway = page.getByTestId('save-anyway');
  if (await saveAnyway.isVisible()) await saveAnyway.click();
  else await page.getByTestId('save-vaccination').click();
  await expect(page.getByTestId('connection-lost').or(saveAnyway).first()).toBeVisible();
  if (await saveAnyway.isVisible()) await saveAnyway.click();
  await expect(page.getByTestId('connection-lost')).toBeVisible();
  // The form is still there under the outage screen, as typed.
  await expect(page.locator('#vacc-notes')).toHaveValue('Saved during an outage');
  await shot(page, 'vacc-save-lost');

  await page.unroute('**/api/vaccination.record');
  await page.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByTestId('connection-lost')).toHaveCount(0);
  // Sent again with the same identity: recorded, and recorded once.
  await expect(drawer).toBeHidden();
  await expect(entries).toHaveCount(entriesBefore + 1);
  await expect(entries.first()).toContainText('Saved during an outage');
  await page.reload();
  await expect(page.getByTestId('record-name')).toBeVisible();
  await expect(entries).toHaveCount(entriesBefore + 1);
});
