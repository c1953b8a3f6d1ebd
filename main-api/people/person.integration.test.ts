// The person register through the application's own handlers, connected as scoped login roles.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../host/dispatch';
import { PersonRepository } from './person.repository';
import { PersonService } from './person.service';
import type { Handlers } from '../contract/contract';
import { addUser } from '../administration/users.service';
import { createTestDatabase, uniqueName, type TestDatabase } from '../../tests/support/db';
import { nhsSequence, TWO_PRACTICES_SQL, userConnections, type LoginUser } from '../../tests/support/fixtures';

const nhs = nhsSequence(999_000_000, 7);

describe('person search and record', () => {
  let db: TestDatabase;
  let connections: ReturnType<typeof userConnections>;
  let adminHandlers: Handlers;
  let scopedHandlers: Handlers;
  const ids: Record<string, number> = {};

  async function handlersFor(user: LoginUser): Promise<Handlers> {
    const people = new PersonService(new PersonRepository(await connections.open(user)), () => '2026-02-28');
    return {
      'person.search': (i) => people.search(i),
      'person.open': (i) => people.open(i),
    } as Handlers;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    connections = userConnections(db);
    await db.query(`${TWO_PRACTICES_SQL}
      INSERT INTO ims.local_authority (code, name, icb_code, region_code) VALUES ('E07000110', 'Maidstone', 'QKS', 'Y59');`);
    const people: [string, string, string, string, string, string][] = [
      ['alpha1', 'Amelia', 'Smith', '2019-03-01', 'ME14 1AA', 'G82001'],
      ['alpha2', 'Oliver', 'Smith', '2019-03-01', 'ME14 1AB', 'G82001'],
      ['alpha3', 'Ava', 'Smithson', '1950-07-12', 'ME15 6XY', 'G82001'],
      ['beta1', 'Noah', 'Smith', '2019-03-01', 'CT9 2AB', 'G82002'],
    ];
    for (const [i, [key, given, family, dob, pc, practice]] of people.entries()) {
      const r = await db.query(
        `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, gender_code, postcode, practice_code)
         VALUES ($1, $2, $3, $4, '2', $5, $6) RETURNING id`,
        [nhs(i + 1), given, family, dob, pc, practice],
      );
      ids[key] = Number(r.rows[0]!.id);
    }
    const admin = await addUser(db.url, { name: uniqueName('admin'), role: 'administrator', orgs: ['Y59'] });
    const scoped = await addUser(db.url, {
      name: uniqueName('coord'),
      role: 'coordinator',
      orgs: ['G82001'],
      displayName: 'Casey Coordinator',
    });
    adminHandlers = await handlersFor(admin);
    scopedHandlers = await handlersFor(scoped);
  });

  afterAll(async () => {
    await connections.closeAll();
    await db.drop();
  });

  it('finds by NHS number with spaces', async () => {
    const n = nhs(1);
    const r = await dispatch(adminHandlers, 'person.search', { text: `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}` });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const v = r.value as { results: { id: number }[]; interpretedAs: string };
    expect(v.results.map((p) => p.id)).toEqual([ids.alpha1]);
    expect(v.interpretedAs).toMatch(/^NHS number \d{3} \d{3} \d{4}$/);
  });

  it('says an invalid check digit is invalid', async () => {
    const n = nhs(1);
    const wrong = n.slice(0, 9) + String((Number(n[9]) + 1) % 10);
    const r = await dispatch(adminHandlers, 'person.search', { text: wrong });
    expect(r).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(!r.ok && r.error.message).toMatch(/not a valid NHS number/);
  });

  it('finds by surname and date of birth, and a scoped user sees only their practice', async () => {
    const all = await dispatch(adminHandlers, 'person.search', { text: 'smith 01/03/2019' });
    const mine = await dispatch(scopedHandlers, 'person.search', { text: 'smith 01/03/2019' });
    const names = (r: typeof all) => (r.ok ? (r.value as { results: { givenName: string }[] }).results.map((p) => p.givenName) : []);
    expect(names(all)).toEqual(['Amelia', 'Noah', 'Oliver']);
    expect(names(mine)).toEqual(['Amelia', 'Oliver']);
  });

  it('finds a partial name within a postcode sector and district', async () => {
    const sector = await dispatch(adminHandlers, 'person.search', { text: 'smi ME14 1' });
    expect(sector.ok && (sector.value as { results: unknown[] }).results).toHaveLength(2);
    const district = await dispatch(adminHandlers, 'person.search', { text: 'ava ME15' });
    expect(district.ok && (district.value as { results: { familyName: string }[] }).results.map((p) => p.familyName)).toEqual(['Smithson']);
  });

  it('reports truncation when more match than the limit', async () => {
    const r = await dispatch(adminHandlers, 'person.search', { text: 'smi', limit: 2 });
    expect(r.ok && (r.value as { truncated: boolean }).truncated).toBe(true);
  });

  it('opens a record, audits the opening and shows who viewed it', async () => {
    const r = await dispatch(scopedHandlers, 'person.open', { id: ids.alpha1 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const rec = r.value as { person: { familyName: string; dateOfBirth: string; ageYears: number }; recentViews: { viewedBy: string }[] };
    expect(rec.person.familyName).toBe('Smith');
    expect(rec.person.dateOfBirth).toBe('2019-03-01');
    // The age is on the host's England date (the day before the seventh birthday), not the database's clock.
    expect(rec.person.ageYears).toBe(6);
    // Shown by the viewer's display name, which a coordinator may read for any colleague.
    expect(rec.recentViews.map((v) => v.viewedBy)).toEqual(['Casey Coordinator']);
    const audit = await db.query(`SELECT count(*)::int AS n FROM audit.record_view WHERE person_id = $1`, [ids.alpha1]);
    expect(audit.rows[0]!.n).toBe(1);
  });

  it('refuses to open a record outside the user scope, and writes no view', async () => {
    const r = await dispatch(scopedHandlers, 'person.open', { id: ids.beta1 });
    expect(r).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const audit = await db.query(`SELECT count(*)::int AS n FROM audit.record_view WHERE person_id = $1`, [ids.beta1]);
    expect(audit.rows[0]!.n).toBe(0);
  });
});
