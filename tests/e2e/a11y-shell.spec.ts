// The accessibility check (axe, WCAG 2.2 AA) on the shell's screens, and reflow: at 640 CSS px
// wide (a 1280 px window at 200% zoom) nothing needs scrolling sideways (WCAG 1.4.10).
// The start-up and sign-in screens are reached by answering session.state as a starting host,
// or a shared server waiting for a password, would: the end-to-end host is neither.
import { expect, test, type Page } from '@playwright/test';
import { expectAccessible } from '../support/axe';
import { E2E_TOKEN } from './env';
import { openApp } from './app';

/** The screen fits its window's width: the page never scrolls sideways. */
async function expectReflow(page: Page, where: string): Promise<void> {
  const { scrollWidth, clientWidth } = await page.evaluate(() => {
    const root = document.scrollingElement!;
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth };
  });
  expect(scrollWidth, `horizontal scrolling on ${where}`).toBeLessThanOrEqual(clientWidth);
}

async function atZoom200(page: Page, where: string): Promise<void> {
  await page.setViewportSize({ width: 640, height: 400 });
  await expectReflow(page, `${where} at 640 px`);
  await expectAccessible(page, `${where} at 640 px`);
}

function answerSessionState(page: Page, value: unknown): Promise<unknown> {
  return page.route('**/api/session.state', (route) => route.fulfill({ json: { ok: true, value } }));
}

test('the search page: a skip link first, no violations, and it reflows at 200% zoom', async ({ page }) => {
  await openApp(page);
  const skip = page.getByRole('link', { name: 'Skip to main content' });
  // The first stop of the keyboard on the page, and visible when it has focus.
  const first = await page.evaluate(() => document.querySelector('a[href], button, input, [tabindex]:not([tabindex="-1"])')?.textContent);
  expect(first).toBe('Skip to main content');
  await skip.focus();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('main')).toBeFocused();
  await expect(page).toHaveURL(/#\/people$/);
  await expectAccessible(page, 'the search page');

  await page.locator('#person-search').fill('Smith');
  await page.locator('#person-search').press('Enter');
  await expect(page.getByTestId('result-row').first()).toBeVisible();
  await expectAccessible(page, 'the search results');
  await atZoom200(page, 'the search results');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'People' })).toHaveAttribute(
    'aria-current',
    'page',
  );
});

test('every control shows where the keyboard is', async ({ page }) => {
  await openApp(page);
  await page.locator('#person-search').focus();
  await page.keyboard.press('Shift+Tab');
  const link = page.getByRole('link', { name: 'Administration' });
  await expect(link).toBeFocused();
  const outline = await link.evaluate((el) => getComputedStyle(el));
  expect(outline.outlineStyle).toBe('solid');
  expect(parseFloat(outline.outlineWidth)).toBeGreaterThanOrEqual(2);
});

test('the start-up screen: no violations, and the progress bar shows its whole label', async ({ page }) => {
  await answerSessionState(page, {
    state: 'starting',
    message: 'Building the demonstration region: vaccination histories…',
    progress: 0.42,
  });
  await page.goto(`/#token=${E2E_TOKEN}`);
  await expect(page.getByTestId('starting-message')).toContainText('vaccination histories');
  const label = page.getByRole('progressbar');
  await expect(label).toContainText('42%');
  const indicator = page.getByText('42%', { exact: true });
  await expect(indicator).toBeVisible();
  const clipped = await indicator.evaluate((el) => el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1);
  expect(clipped, 'the whole label shows').toBe(false);
  await expectAccessible(page, 'the start-up screen');
  await atZoom200(page, 'the start-up screen');
});

test('the sign-in screen: no violations, no kit placeholder text, and it reflows', async ({ page }) => {
  await answerSessionState(page, { state: 'needs-credentials', server: 'db.example.nhs.uk', rememberedUser: null });
  await page.goto(`/#token=${E2E_TOKEN}`);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByLabel('User name', { exact: true })).toBeFocused();
  await expect(page.getByLabel('User name', { exact: true })).not.toHaveAttribute('placeholder', /Please/);
  await expect(page.getByLabel('Password', { exact: true })).not.toHaveAttribute('placeholder', /Please/);
  await expectAccessible(page, 'the sign-in screen');
  await atZoom200(page, 'the sign-in screen');
});
