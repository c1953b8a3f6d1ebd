// A school's class list in a real browser: a child of this spec's own is on the register at one
// school, and the other school's class list names her with a given name spelt differently and
// no NHS number (a doubtful match). The list is imported on the Imports screen, the row waits
// for review; the reviewer compares it side by side, attaches it to her, and her record shows the
// new school and year group. Names and NHS numbers are new on each run, so no other spec's
// children (or an earlier run's) are touched.
import { expect, test } from '@playwright/test';
import { FEED_KIND_DEFINITIONS } from '../../main-api/feeds/kinds';
import { nhsCheckDigit } from '../../main-api/shared/identifiers/nhs-number';
import { expectAccessible } from '../support/axe';
import { api, openApp, shot } from './app';
import { asOwner } from './embedded-database';

const OLD_URN = '199771';
const NEW_URN = '199772';

function nhsNumber(): string {
  for (let stem = 999_771_000 + Math.floor(Math.random() * 20_000); ; stem++) {
    const check = nhsCheckDigit(String(stem));
    if (check !== null) return `${stem}${check}`;
  }
}

/** Letters only: the matcher compares names by their letters. */
const tag = Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
const family = `Classpec${tag}`;
// A postcode of this run's own, so no earlier run's child is a candidate too.
const postcode = `ME1 ${Math.floor(Math.random() * 10)}${tag.slice(0, 2).toUpperCase()}`;

test('a class list with a doubtful match is imported, reviewed and accepted', async ({ page }) => {
  test.setTimeout(120_000);
  await openApp(page);
  const { session } = await api<{ session: { today: string } }>(page, 'session.state', {});
  const [y, m] = session.today.split('-').map(Number) as [number, number];
  // Born in January twelve years before the school year began: Year 8 today.
  const schoolYearStart = m >= 9 ? y : y - 1;
  const dob = `${schoolYearStart - 12}-01-15`;

  const [like] = await asOwner<{ practice_code: string; la_code: string }>(
    `SELECT practice_code, la_code FROM ims.person WHERE practice_code IS NOT NULL AND la_code IS NOT NULL ORDER BY id LIMIT 1`,
  );
  await asOwner(`INSERT INTO ims.school (urn, name, phase, la_code) VALUES
                   ('${OLD_URN}', 'Old Oak Spec School', 'SECONDARY', '${like!.la_code}'),
                   ('${NEW_URN}', 'New Elm Spec Academy', 'SECONDARY', '${like!.la_code}')
                 ON CONFLICT DO NOTHING`);
  const [mia] = await asOwner<{ id: string }>(
    `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, gender_code, practice_code, la_code, postcode, school_urn, year_group)
     VALUES ('${nhsNumber()}', 'Mia', '${family}', '${dob}', '2', '${like!.practice_code}', '${like!.la_code}', '${postcode}', '${OLD_URN}', 7)
     RETURNING id::text`,
  );

  const columns = FEED_KIND_DEFINITIONS['class-list'].columns;
  const row: Record<string, string> = {
    family_name: family,
    given_name: 'Mya',
    date_of_birth: dob,
    postcode,
    school_urn: NEW_URN,
    year_group: 'Year 8',
    parent1_name: `Sam ${family}`,
    parent1_relationship: 'Mother',
    parent1_phone: '07700 900771',
  };
  const csv = [columns.join(','), columns.map((c) => row[c] ?? '').join(',')].join('\r\n') + '\r\n';

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Imports' }).click();
  await expect(page.getByRole('heading', { name: 'Imports', level: 1 })).toBeVisible();
  await page.getByLabel('Kind of file').selectOption('class-list');
  await expect(page.getByTestId('import-columns')).toContainText('family_name|given_name|date_of_birth|nhs_number');
  await page
    .getByLabel('File', { exact: true })
    .setInputFiles({ name: `class-${tag}.csv`, mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByTestId('import-start').click();
  const outcome = page.getByTestId('import-outcome');
  await expect(outcome).toContainText('Applied', { timeout: 60_000 });
  await expect(outcome).toContainText('1 rows: 0 applied, 0 rejected, 1 waiting for review.');
  await expect(outcome).toContainText('1 waiting for review');
  await expect(page.getByTestId('import-review-waiting')).toContainText('One row waits for review');
  await expectAccessible(page, 'the imports screen after a class list');
  await shot(page, 'class-list-imported');

  // The queue: the row beside Mia, the school and year group compared; nothing applied yet.
  await page.getByTestId('import-review-link').click();
  await page.getByTestId(`review-item-${family.toUpperCase()}|MYA|${dob}`).click();
  const detail = page.getByTestId('review-detail');
  await expect(detail.getByRole('heading', { level: 2 })).toContainText('New Elm Spec Academy class list');
  await expect(page.getByTestId('review-reason')).toContainText('not certainly the same child');
  await expect(page.getByTestId('review-source')).toContainText(`Parent 1: Sam ${family}, Mother, 07700900771.`);
  const compare = page.getByTestId('review-compare');
  await expect(compare.getByRole('row', { name: /^School/ })).toContainText('New Elm Spec Academy (199772)');
  await expect(compare.getByRole('row', { name: /^School/ })).toContainText('Old Oak Spec School (199771)');
  await expect(compare.getByRole('row', { name: /^Given name/ })).toContainText('partly agrees');
  await expectAccessible(page, 'the review queue with a class-list row');
  await shot(page, 'class-list-review');

  await expect(page.getByTestId('candidate-head-0')).toContainText('Mia');
  await expect(page.getByTestId('candidate-head-1')).toHaveCount(0);
  await page.getByTestId('review-accept-0').click();
  await expect(page.getByTestId('review-done')).toContainText('Mia');
  await page.getByTestId('review-open-record').click();
  await expect(page).toHaveURL(new RegExp(`/people/${mia!.id}$`));
  await expect(page.getByTestId('record-name')).toContainText('Mia');
  await expect(page.getByText('New Elm Spec Academy, Year 8', { exact: true })).toBeVisible();
  // The move and the parent the school gave, in the record's own section.
  await expect(page.getByTestId('school-moves')).toContainText('moved from Old Oak Spec School, Year 7 to New Elm Spec Academy, Year 8');
  await expect(page.getByTestId('school-parents')).toContainText(`Sam ${family}, Mother, 07700900771`);
  await expectAccessible(page, "the child's record after the class list");

  // The move was logged on the child.
  const moves = await asOwner<{ from_urn: string; to_urn: string }>(
    `SELECT from_urn, to_urn FROM ims.school_move WHERE person_id = ${Number(mia!.id)}`,
  );
  expect(moves).toEqual([{ from_urn: OLD_URN, to_urn: NEW_URN }]);
});
