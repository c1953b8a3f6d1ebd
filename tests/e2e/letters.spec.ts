// Letters in a real browser, as an immunisation coordinator: a letter campaign whose invitations
// are confirmed through the host's API, then, on screen, a template written (an unknown merge
// field named as it is typed, a text message's length counted), saved as version 1, previewed
// with a real person (the letter opens as a PDF), and the campaign's letters produced with a
// progress bar until done, the first file opened as a PDF.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { expectAccessible } from '../support/axe';
import { api, shot, signInAs } from './app';

/**
 * Chooses the template's channel by typing into its list, and checks it took: typed before the
 * list is ready, the letters are lost and Enter keeps whatever option is highlighted.
 */
async function chooseChannel(page: Page, label: string): Promise<void> {
  const select = page.locator('.n-select:has(#template-channel)');
  await expect(async () => {
    await select.click();
    await page.keyboard.type(label);
    await page.keyboard.press('Enter');
    await expect(select).toContainText(label, { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
}

/** The bytes a download click saved. */
async function downloaded(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  return { name: download.suggestedFilename(), bytes: readFileSync((await download.path())!) };
}

test('a coordinator writes a letter template, previews it with a real person and produces the letters', async ({ page }) => {
  test.setTimeout(300_000);
  await signInAs(page, 'coordinator', 'Immunisation coordinator');
  const state = await api<{ session: { organisations: { code: string }[]; today: string } }>(page, 'session.state', {});
  const today = state.session.today;
  await api(page, 'campaign.save', {
    code: 'FLU26-LETTERS',
    name: 'Flu 2026-27, by letter',
    programmeCode: 'FLU_2026_27',
    organisationCode: state.session.organisations[0]!.code,
    channels: ['LETTER'],
    bookingRoute: 'PHONE',
    bookingPhone: '01622 123456',
    reminderRules: [],
  });
  const draft = await api<{ batchId: number; toInvite: number }>(page, 'campaign.batch.draft', {
    campaignCode: 'FLU26-LETTERS',
    draftKey: randomUUID(),
    definition: {
      format: 1,
      name: 'Aged 85 and over',
      campaign: 'FLU_2026_27',
      referenceDate: today,
      criteria: { age: { min: 85 } },
      // Journeys running beside this one invite people for the programme too: none of them count here.
      exclusions: { invitedWithinDays: 0 },
    },
  });
  expect(draft.toInvite).toBeGreaterThan(0);
  await api(page, 'campaign.batch.confirm', { batchId: draft.batchId, plan: { mode: 'per-day', cap: 100000, startOn: today } });
  const someone = (await api<{ results: { id: number }[] }>(page, 'person.search', { text: 'Smith', limit: 1 })).results[0]!;

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
  await page.getByRole('button', { name: 'Open Flu 2026-27, by letter' }).click();
  const letters = page.getByTestId('campaign-letters');
  await expect(letters).toContainText('No templates yet.');

  // A new template: an unknown field is named as it is typed; a text message is counted.
  await letters.getByTestId('new-template').click();
  const editor = page.getByTestId('template-editor');
  await page.locator('#template-name').fill('flu-invitation-letter');
  await page.locator('#template-subject').fill('Your free flu vaccination');
  await page.locator('#template-body').fill('Dear ((first name)), bring your ((shoe size)).');
  await expect(editor.getByTestId('template-problems')).toContainText('Unknown merge field ((shoe size)).');
  await expect(editor.getByTestId('save-template')).toBeDisabled();
  await expectAccessible(page, 'a template with an unknown field');
  await chooseChannel(page, 'Text');
  await page.locator('#template-body').fill(`Hello ((first name)), ${'a'.repeat(150)}`);
  await expect(editor.getByTestId('sms-length')).toContainText('2 text messages');
  await chooseChannel(page, 'Letter');
  await page
    .locator('#template-body')
    .fill(
      'Dear ((first name)) ((last name)),\n\nYou can have a free flu vaccination at your practice, ((practice)).\n\n((booking phone??Phone ((booking phone)) to book.))\n\nYour NHS number is ((nhs number)).',
    );
  await expect(editor.getByTestId('template-problems')).toHaveCount(0);
  await editor.getByTestId('save-template').click();
  await expect(editor.getByTestId('template-saved')).toHaveText('Saved as version 1 of flu-invitation-letter.');
  await expect(letters.getByTestId('template-list')).toContainText('version 1');

  // Previewed with a real person: merged text, and the letter as a PDF.
  await page.locator('#preview-person').fill(String(someone.id));
  await editor.getByTestId('preview-template').click();
  const preview = editor.getByTestId('template-preview');
  await expect(preview).toContainText('Phone 01622 123456 to book.');
  await expect(preview).toContainText(/Your NHS number is \d{3} \d{3} \d{4}\./);
  await expectAccessible(page, 'a template previewed with a person');
  await shot(page, 'letter-template-preview');
  const previewPdf = await downloaded(page, () => preview.getByTestId('open-preview-pdf').click());
  expect(previewPdf.name).toMatch(/^preview-FLU26-LETTERS-\d+\.pdf$/);
  expect(previewPdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');

  // The campaign's letters produced, with progress, and the first file opened.
  const production = page.getByTestId('letter-production');
  await page.locator('#production-per-file').fill('20');
  await page.locator('#production-per-file').press('Tab');
  await production.getByTestId('produce-letters').click();
  const progress = production.getByTestId('production-progress');
  await expect(progress).toBeVisible();
  await expect(progress.getByRole('progressbar')).toBeVisible();
  await expect(progress.getByRole('status')).toContainText(/^Done: .* letters/, { timeout: 180_000 });
  await expect(progress.getByRole('status')).toContainText(`of ${draft.toInvite} letters`);
  await expect(progress.getByTestId('production-files')).toContainText('letters-0001.pdf');
  await expectAccessible(page, 'letters produced');
  await shot(page, 'letters-produced');
  const file = await downloaded(page, () => progress.getByTestId('open-file-1').click());
  expect(file.name).toBe('letters-0001.pdf');
  expect(file.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
});
