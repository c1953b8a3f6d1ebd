// Person search as real login roles: dates as typed, a postcode alone, paging with a count, and
// sound-alike surnames offered apart from the matches. What the application shows a user must
// be exactly what that user's role can read with plain SQL, near matches included.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Output } from '../contract/contract';
import { addUser } from '../administration/users.service';
import { PersonRepository } from './person.repository';
import { PersonService } from './person.service';
import { createTestDatabase, uniqueName, type TestDatabase } from '../../tests/support/db';
import { call, nhsSequence, TWO_PRACTICES_SQL, userConnections, value, withClient, type LoginUser } from '../../tests/support/fixtures';
import type { Handlers } from '../contract/contract';

const nhs = nhsSequence(999_100_000, 11);
type SearchOutput = Output<'person.search'>;

describe('person search results as login roles', () => {
  let db: TestDatabase;
  let connections: ReturnType<typeof userConnections>;
  let admin: LoginUser;
  let scoped: LoginUser;
  let asAdmin: Partial<Handlers>;
  let asScoped: Partial<Handlers>;

  const handlersFor = async (user: LoginUser): Promise<Partial<Handlers>> => {
    const people = new PersonService(new PersonRepository(await connections.open(user)), () => '2026-12-01');
    return { 'person.search': (i) => people.search(i) };
  };
  const search = (handlers: Partial<Handlers>, input: { text: string; page?: number; limit?: number }) =>
    value<SearchOutput>(call(handlers, 'person.search', input));
  const names = (rows: SearchOutput['results']) => rows.map((p) => `${p.givenName} ${p.familyName}`);

  beforeAll(async () => {
    db = await createTestDatabase();
    connections = userConnections(db);
    await db.query(TWO_PRACTICES_SQL);
    const people: [string, string, string, string, string][] = [
      ['Amelia', 'Smith', '2021-02-26', 'ME14 1QR', 'G82001'],
      ['Oliver', 'Smyth', '2021-02-26', 'ME14 1QR', 'G82001'],
      ['Noah', 'Smith', '2021-02-26', 'CT9 2AB', 'G82002'], // outside the scoped user's practice
      ['Isla', 'Thompson', '2018-05-04', 'ME14 1QS', 'G82001'],
      ['Jack', 'Thomson', '2018-05-04', 'ME15 6XY', 'G82001'],
      ['Ruby', 'Smithson', '2021-02-26', 'ME15 6XY', 'G82001'],
    ];
    // Sixty Joneses, for paging.
    for (let i = 0; i < 60; i++) people.push([`Child${String(i).padStart(2, '0')}`, 'Jones', '2015-01-01', 'ME16 8AA', 'G82001']);
    for (const [i, [given, family, dob, postcode, practice]] of people.entries()) {
      await db.query(
        `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, postcode, practice_code) VALUES ($1, $2, $3, $4, $5, $6)`,
        [nhs(i + 1), given, family, dob, postcode, practice],
      );
    }
    admin = await addUser(db.url, { name: uniqueName('admin'), role: 'administrator', orgs: ['Y59'] });
    scoped = await addUser(db.url, { name: uniqueName('coord'), role: 'coordinator', orgs: ['G82001'] });
    asAdmin = await handlersFor(admin);
    asScoped = await handlersFor(scoped);
  });

  afterAll(async () => {
    await connections.closeAll();
    await db.drop();
  });

  it.each(['Smith 26/02/21', 'Smith 26 Feb 2021', 'Smith 26022021'])('finds a surname with the date of birth typed as %s', async (text) => {
    const r = await search(asAdmin, { text });
    expect(r.kind).toBe('surname-dob');
    // Smithson starts with "Smith", so it is a match; Smyth only sounds like it.
    expect(names(r.results)).toEqual(['Amelia Smith', 'Noah Smith', 'Ruby Smithson']);
    expect(r.nearMatches?.soundsLike).toBe('Smith');
    expect(names(r.nearMatches?.results ?? [])).toEqual(['Oliver Smyth']);
  });

  it('finds the first letters of a surname with a date of birth', async () => {
    const r = await search(asScoped, { text: 'smy 26/02/2021' });
    expect(names(r.results)).toEqual(['Oliver Smyth']);
  });

  it('offers sound-alike surnames apart from the matches: Thomson for Thompson', async () => {
    const r = await search(asAdmin, { text: 'Thompson' });
    expect(names(r.results)).toEqual(['Isla Thompson']);
    expect(names(r.nearMatches?.results ?? [])).toEqual(['Jack Thomson']);
    expect(r.nearMatches?.more).toBe(false);
    const back = await search(asAdmin, { text: 'Thomson 04/05/2018' });
    expect(names(back.results)).toEqual(['Jack Thomson']);
    expect(names(back.nearMatches?.results ?? [])).toEqual(['Isla Thompson']);
  });

  it('never offers a near match the user may not see', async () => {
    const r = await search(asScoped, { text: 'Smyth 26/02/2021' });
    expect(names(r.results)).toEqual(['Oliver Smyth']);
    expect(names(r.nearMatches?.results ?? [])).toEqual(['Amelia Smith']); // not Noah, at G82002
  });

  it('shows a user exactly the sound-alikes in their scope, and nothing more', async () => {
    const r = await search(asScoped, { text: 'Smyth' });
    const shown = [...r.results, ...(r.nearMatches?.results ?? [])].map((p) => p.nhsNumber).sort();
    // The user's scope as the database works it out for them; the register as the owner reads it.
    const scope = await withClient(
      db.urlAs(scoped.name, scoped.password),
      async (c) =>
        (await c.query(`SELECT ims.scope_practices() AS practices, ims.scope_local_authorities() AS las`)).rows[0] as {
          practices: string[];
          las: string[];
        },
    );
    const readable = (
      await db.query<{ nhs_number: string }>(
        `SELECT nhs_number FROM ims.person
         WHERE family_name_sound = ims.name_sound_key('Smyth') AND (practice_code = ANY ($1) OR la_code = ANY ($2)) ORDER BY 1`,
        [scope.practices, scope.las],
      )
    ).rows.map((row) => row.nhs_number);
    expect(shown).toEqual(readable);
    expect(shown).toHaveLength(2);
  });

  it('finds everyone at a postcode, or in a sector, with no name', async () => {
    const full = await search(asAdmin, { text: 'ME14 1QR' });
    expect(full.kind).toBe('postcode');
    expect(names(full.results)).toEqual(['Amelia Smith', 'Oliver Smyth']);
    const sector = await search(asAdmin, { text: 'me14 1' });
    expect(names(sector.results)).toEqual(['Amelia Smith', 'Oliver Smyth', 'Isla Thompson']);
    expect(sector.nearMatches).toBeNull();
  });

  it('pages through the matches with a count', async () => {
    const first = await search(asScoped, { text: 'Jones', limit: 25 });
    expect(first.results).toHaveLength(25);
    expect(first.total).toEqual({ count: 60, atLeast: false });
    expect(first.truncated).toBe(true);
    const third = await search(asScoped, { text: 'Jones', limit: 25, page: 3 });
    expect(third.page).toBe(3);
    expect(names(third.results)).toEqual(Array.from({ length: 10 }, (_, i) => `Child${50 + i} Jones`));
    expect(third.truncated).toBe(false);
    // The last page's count comes from the page itself; a page past the end still counts them all.
    expect(third.total).toEqual({ count: 60, atLeast: false });
    const beyond = await search(asScoped, { text: 'Jones', limit: 25, page: 4 });
    expect(beyond.results).toEqual([]);
    expect(beyond.total).toEqual({ count: 60, atLeast: false });
    // Pages do not overlap or skip anyone.
    const second = await search(asScoped, { text: 'Jones', limit: 25, page: 2 });
    const all = [...first.results, ...second.results, ...third.results].map((p) => p.id);
    expect(new Set(all).size).toBe(60);
  });

  it('says the search was an NHS number, so the screen can advise on that', async () => {
    const r = await search(asAdmin, { text: '943 476 5919' });
    expect(r.kind).toBe('nhs-number');
    expect(r.results).toEqual([]);
    expect(r.total).toEqual({ count: 0, atLeast: false });
  });
});
