// Person search by an NHS number that was superseded (migration 0079), as real login roles: the
// nightly demographic update renumbers one person and merges two records of another; searching
// the old number finds the person as they are now and says it was a previous number. Someone
// outside the searcher's scope is found by neither number, and the answer is the one a number
// nobody has gets: the searcher learns nothing.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../administration/users.service';
import { FEED_KIND_DEFINITIONS } from '../feeds/kinds';
import { runImport } from '../feeds/import.service';
import { openDataSource } from '../platform/db/datasource';
import { createTestDatabase, uniqueName, type TestDatabase } from '../../tests/support/db';
import { dropRoles, nhsSequence, TWO_PRACTICES_SQL, userConnections, type UserConnections } from '../../tests/support/fixtures';
import { PersonRepository } from './person.repository';
import { PersonService } from './person.service';

const nhs = nhsSequence(999_850_000, 23);
const PASSWORD = 'previous-number-password';
const TODAY = '2026-11-30';

describe('search by a superseded NHS number', () => {
  let db: TestDatabase;
  let connections: UserConnections;
  let owner: DataSource;
  const names = { here: uniqueName('t_pn_here'), there: uniqueName('t_pn_there'), analyst: uniqueName('t_pn_an') };
  const search: Record<keyof typeof names, PersonService> = {} as never;
  const dir = mkdtempSync(join(tmpdir(), 'ims-pn-'));
  let fileNo = 0;

  function load(kind: 'demographics-full' | 'demographics-delta', rows: Record<string, string>[]) {
    const columns = FEED_KIND_DEFINITIONS[kind].columns;
    const path = join(dir, `${++fileNo}.txt`);
    writeFileSync(path, [columns.join('|'), ...rows.map((r) => columns.map((c) => r[c] ?? '').join('|'))].join('\n'));
    return runImport(owner, { kind, path, fileName: `${fileNo}.txt`, today: TODAY });
  }
  const person = (n: string, given: string, practice: string) => ({
    nhs_number: n,
    family_name: 'Renumber',
    given_name: given,
    date_of_birth: '2016-05-06',
    gender: '1',
    postcode: 'ME14 1AA',
    address_line1: '1 High Street',
    town: 'Maidstone',
    practice_code: practice,
    ethnic_category: 'A',
  });
  const find = (who: keyof typeof names, text: string) => search[who].search({ text, page: 1, limit: 25 });

  beforeAll(async () => {
    db = await createTestDatabase();
    connections = userConnections(db);
    await db.query(TWO_PRACTICES_SQL);
    owner = await openDataSource(db.url);
    const full = await load('demographics-full', [
      person(nhs(1), 'Rena', 'G82001'),
      person(nhs(3), 'Mert', 'G82001'),
      person(nhs(4), 'Mert', 'G82001'),
      person(nhs(5), 'Far', 'G82002'),
    ]);
    expect(full.status).toBe('APPLIED');
    const delta = await load('demographics-delta', [
      { record_id: 'r1', change_type: 'SUPERSEDE', nhs_number: nhs(1), new_nhs_number: nhs(2) },
      { record_id: 'r2', change_type: 'SUPERSEDE', nhs_number: nhs(3), new_nhs_number: nhs(4) },
      { record_id: 'r3', change_type: 'SUPERSEDE', nhs_number: nhs(5), new_nhs_number: nhs(6) },
    ]);
    expect(delta.counts).toMatchObject({ renumbered: 2, merged: 1 });
    await addUser(db.url, { name: names.here, role: 'coordinator', orgs: ['G82001'], password: PASSWORD });
    await addUser(db.url, { name: names.there, role: 'coordinator', orgs: ['G82002'], password: PASSWORD });
    await addUser(db.url, { name: names.analyst, role: 'analyst', orgs: ['Y59'], password: PASSWORD });
    for (const key of Object.keys(names) as (keyof typeof names)[]) {
      const ds = await connections.open({ name: names[key], password: PASSWORD });
      search[key] = new PersonService(new PersonRepository(ds), () => TODAY);
    }
  });

  afterAll(async () => {
    await connections?.closeAll();
    await owner?.destroy();
    await db?.drop();
    await dropRoles(Object.values(names));
  });

  it('finds a renumbered person by the old number, with the current number, saying it was a previous one', async () => {
    const answer = await find('here', nhs(1));
    expect(answer.results.map((p) => [p.givenName, p.nhsNumber])).toEqual([['Rena', nhs(2)]]);
    expect(answer.previousNhsNumber).toBe(nhs(1));
    expect(answer.total).toEqual({ count: 1, atLeast: false });
    // By the current number: the same person, and no word of a previous number.
    const current = await find('here', nhs(2));
    expect(current.results.map((p) => p.id)).toEqual(answer.results.map((p) => p.id));
    expect(current.previousNhsNumber).toBeNull();
  });

  it('finds the surviving record of a merge by the retired record’s number, not the retired record', async () => {
    const answer = await find('here', nhs(3));
    expect(answer.results.map((p) => p.nhsNumber)).toEqual([nhs(4)]);
    expect(answer.previousNhsNumber).toBe(nhs(3));
  });

  it('tells a user outside the person’s scope nothing: the answer of a number nobody has', async () => {
    const outside = await find('here', nhs(5));
    const nobody = await find('here', nhs(20));
    const strip = ({ interpretedAs: _a, ...rest }: typeof outside) => rest;
    expect(strip(outside)).toEqual(strip(nobody));
    expect(outside.results).toEqual([]);
    expect(outside.previousNhsNumber).toBeNull();
    // The person's own practice finds them by either number.
    expect((await find('there', nhs(5))).results.map((p) => p.nhsNumber)).toEqual([nhs(6)]);
    // An analyst may not search people at all.
    await expect(find('analyst', nhs(5))).rejects.toThrow(/permission denied/);
  });
});
