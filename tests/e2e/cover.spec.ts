// The COVER return in a real browser, as a child health worker: the quarter's table by local
// authority with each measure against the target, the same figures by practice, the children an
// area did not count with what each is missing, and the return exported as CSV. It only reads,
// and checks the screen against the host's own answer at that moment, so other journeys'
// changes to the demo region do not matter.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { CoverReturn } from '../../main-api/contract/reporting';
import { expectAccessible } from '../support/axe';
import { api, shot, signInAs } from './app';

test('a child health worker produces the COVER return for a quarter, drills down and exports it', async ({ page }) => {
  await signInAs(page, 'child-health', 'Child health');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
  await page.getByTestId('cover-link').click();
  await expect(page.getByRole('heading', { name: 'COVER return', level: 1 })).toBeVisible();

  // The last quarter that has ended is offered first after the current one.
  const quarterText = await page.locator('.n-select:has(#cover-quarter)').innerText();
  const quarter = /(\d{4}-Q[1-4])/.exec(quarterText)![1]!;
  const expected = await api<CoverReturn>(page, 'cover.get', { quarter, by: 'local-authority' });
  expect(expected.areas.length).toBeGreaterThan(1);

  // A table per cohort; the total row's first figure is the host's.
  for (const age of [12, 24, 60]) await expect(page.getByTestId(`cover-table-${age}`)).toBeVisible();
  const total = expected.areas.at(-1)!;
  const first = expected.measures[0]!;
  const f = total.figures.find((x) => x.measureId === first.id)!;
  await expect(page.getByTestId('cover-table-12').getByTestId('cover-total').locator('td').first()).toContainText(
    `${f.numerator} of ${f.denominator}`,
  );
  await expect(page.getByTestId('cover-table-12').getByTestId('cover-row')).toHaveCount(expected.areas.length - 1);
  await expect(page.getByTestId('cover-chart-24')).toBeVisible();
  await expect(page.getByTestId('cover-table-24')).toContainText('MMR (or MMRV), 1 dose');
  await expectAccessible(page, 'COVER return by local authority');
  await shot(page, 'cover-return');

  // The children an area did not count, each with what is missing.
  const at24 = new Set(expected.measures.filter((m) => m.byAgeMonths === 24).map((m) => m.id));
  const area = expected.areas.find(
    (a) => !a.isTotal && a.figures.some((x) => at24.has(x.measureId) && x.denominator !== null && x.numerator !== x.denominator),
  )!;
  await page
    .getByTestId('cover-table-24')
    .getByTestId(`not-counted-${area.groupCode ?? 'none'}`)
    .click();
  const drill = page.getByTestId('cover-drill');
  await expect(drill.getByRole('heading', { name: `Children not counted: ${area.groupName}, immunised by 24 months` })).toBeVisible();
  await expect(drill.getByTestId('cover-drill-total')).toBeVisible();
  const children = drill.getByTestId('cover-child');
  expect(await children.count()).toBeGreaterThan(0);
  await expect(children.first().locator('li').first()).toContainText(/: had \d+ of \d+$/);
  await expect(children.first().getByRole('link')).toHaveAttribute('href', /#\/people\/\d+$/);
  // Only those missing one measure: never more children than missing any.
  const any = await children.count();
  await page.locator('.n-select:has(#cover-drill-measure)').click();
  const short = expected.measures.find((m) => {
    const x = area.figures.find((y) => y.measureId === m.id)!;
    return at24.has(m.id) && x.denominator !== null && x.numerator !== x.denominator;
  })!;
  await page.keyboard.type(short.label);
  await page.keyboard.press('Enter');
  await expect(drill.getByTestId('cover-drill-total')).toBeVisible();
  expect(await children.count()).toBeLessThanOrEqual(any);
  await expectAccessible(page, 'COVER return, children not counted');
  await shot(page, 'cover-not-counted');

  // The return as submitted: one row per area and the total, three columns per measure.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('cover-export').click()]);
  expect(download.suggestedFilename()).toBe(`COVER_${quarter}_local-authority.csv`);
  const lines = readFileSync((await download.path())!, 'utf8')
    .trimEnd()
    .split('\r\n');
  expect(lines[0]!.startsWith('Quarter,Period start,Period end,Area type,Area code,Area name,')).toBe(true);
  expect(lines[0]!.split(',')).toHaveLength(6 + 3 * expected.measures.length);
  expect(lines).toHaveLength(1 + expected.areas.length);

  // By practice: the practices in scope, and the children not registered with one.
  await page.locator('.n-select:has(#cover-by)').click();
  await page.keyboard.type('GP practice');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('cover-drill')).toHaveCount(0);
  await expect(page.getByTestId('cover-table-12').locator('thead th').first()).toHaveText('GP practice');
  await expect(page.getByTestId('cover-table-12').getByTestId('cover-row').first()).toContainText(/[A-Z]\d{5}/);
});
