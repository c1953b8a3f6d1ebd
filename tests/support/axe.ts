// The accessibility check of the end-to-end suite: axe-core against WCAG 2.2 A and AA on what
// the page shows now (a screen, or a screen with a dialog open). Every spec calls it on each
// screen and dialog it reaches, so a regression names the screen it happened on.
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Fails with each violation's rule, impact and the first offending elements. */
export async function expectAccessible(page: Page, where: string, options: { include?: string } = {}): Promise<void> {
  let builder = new AxeBuilder({ page }).withTags(TAGS);
  if (options.include) builder = builder.include(options.include);
  const { violations } = await builder.analyze();
  const summary = violations.map(
    (v) =>
      `${v.id} (${v.impact ?? 'unknown'}): ${v.help}\n    ${v.nodes
        .slice(0, 3)
        .map((n) => n.target.join(' '))
        .join('\n    ')}`,
  );
  expect(summary, `accessibility violations on ${where}`).toEqual([]);
}
