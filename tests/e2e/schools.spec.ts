// School sessions in a real browser, as child health: a school of its own with three Year 9
// pupils (made as the database owner), a MenACWY session planned on screen, a parent's consent
// recorded and the expected numbers following, an outcome recorded, and the child's record
// showing its School consent section.
import { expect, test } from '@playwright/test';
import { nhsCheckDigit } from '../../main-api/shared/identifiers/nhs-number';
import { expectAccessible } from '../support/axe';
import { api, shot, signInAs } from './app';
import { asOwner } from './embedded-database';

const URN = '199731';

/** Valid synthetic NHS numbers of this spec's own (999 731 ...). */
function nhsNumbers(count: number): string[] {
  const out: string[] = [];
  for (let stem = 999_731_000; out.length < count; stem++) {
    const check = nhsCheckDigit(String(stem));
    if (check !== null) out.push(`${stem}${check}`);
  }
  return out;
}

test('child health plans a school session, records consent and an outcome', async ({ page }) => {
  test.setTimeout(120_000);
  await signInAs(page, 'child-health', 'Child health');
  const state = await api<{ session: { today: string } }>(page, 'session.state', {});
  const today = state.session.today;
  // Pupils registered like someone the launch user can already see, so they are in scope.
  const [like] = await asOwner<{ practice_code: string; la_code: string }>(
    `SELECT practice_code, la_code FROM ims.person WHERE practice_code IS NOT NULL AND la_code IS NOT NULL ORDER BY id LIMIT 1`,
  );
  await asOwner(`INSERT INTO ims.school (urn, name, phase, la_code) VALUES ('${URN}', 'Orchard Spec Academy', 'SECONDARY', '${like!.la_code}')
                 ON CONFLICT DO NOTHING`);
  const names = ['Amira', 'Bilal', 'Chloe'];
  const numbers = nhsNumbers(names.length);
  await asOwner(
    `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code, la_code, postcode, school_urn, year_group)
     VALUES ${names.map((n, i) => `('${numbers[i]}', '${n}', 'Schoolspec', '2012-03-0${i + 1}', '${like!.practice_code}', '${like!.la_code}', 'ME1 1AA', '${URN}', 9)`).join(', ')}
     ON CONFLICT (nhs_number) DO NOTHING`,
  );

  await page.goto(`${new URL(page.url()).origin}/#/child-health/schools`);
  await expect(page.getByRole('heading', { name: 'School sessions' })).toBeVisible();
  await page.locator('#plan-urn').fill(URN);
  await page.locator('.n-select:has(#plan-programme)').click();
  await page.locator('.n-base-select-option', { hasText: 'MenACWY' }).click();
  await page.locator('#plan-date').fill(today);
  await page.getByTestId('plan-session').click();

  const session = page.getByTestId('school-session');
  const expected = session.getByTestId('expected-numbers');
  await expect(expected).toContainText('Expected on the day: 0 of 3 children');
  await expect(session.getByTestId('session-children')).toContainText('SCHOOLSPEC, Bilal');

  // Amira's parent gives consent: the expected number follows.
  await session.getByRole('button', { name: 'Record for Amira Schoolspec' }).click();
  await page.locator('#consent-respondent').fill('Mrs Schoolspec');
  await page.getByTestId('save-consent').click();
  await expect(expected).toContainText('Expected on the day: 1 of 3 children');
  await expect(expected).toContainText('not returned 2');
  // The sessions list follows: children, given, refused, not returned.
  await expect(
    page
      .getByTestId('school-sessions')
      .getByRole('row', { name: /Orchard Spec Academy/ })
      .getByRole('cell'),
  ).toHaveText([/^\d{2}\/\d{2}\/\d{4}$/, /Orchard Spec Academy/, 'MenACWY', '3', '1', '0', '2', /Open/]);
  await expectAccessible(page, 'a school session with a child open');
  await shot(page, 'school-session');

  // Bilal is absent on the day.
  await session.getByRole('button', { name: 'Record for Bilal Schoolspec' }).click();
  await page.locator('.n-select:has(#outcome)').click();
  await page.locator('.n-base-select-option', { hasText: 'Absent' }).click();
  await page.getByTestId('save-outcome').click();
  await expect(session.getByTestId('session-children').getByRole('row', { name: /Bilal/ })).toContainText('Absent');

  // On Amira's record.
  const [amira] = await asOwner<{ id: string }>(`SELECT id::text FROM ims.person WHERE nhs_number = '${numbers[0]}'`);
  await page.goto(`${new URL(page.url()).origin}/#/people/${amira!.id}`);
  await expect(page.getByTestId('person-school-consent')).toContainText('MenACWY at Orchard Spec Academy');
  await expect(page.getByTestId('person-school-consent')).toContainText('consent given by Mrs Schoolspec');
});
