// School class lists through the import pipeline, as real login roles: certain matches applied
// (school, year group, parents; contacts filled only where empty), a school move logged and
// counted, doubtful, unmatched and twin rows sent to the review queue, a reviewer's accept
// applying the row, each rejection reason, and re-runs that change nothing.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../administration/users.service';
import type { ReviewItem } from '../contract/exchange';
import type { PersonClassList } from '../contract/schools';
import { createSchoolHandlers } from '../schools/schools.service';
import { createExchangeHandlers } from '../exchange/exchange.service';
import { createTestDatabase, uniqueName, type TestDatabase } from '../../tests/support/db';
import {
  TWO_PRACTICES_SQL,
  call,
  dropRoles,
  nhsSequence,
  userConnections,
  value,
  type UserConnections,
} from '../../tests/support/fixtures';
import { FEED_KIND_DEFINITIONS } from './kinds';
import { importRejects } from './feeds.repository';
import { runImport } from './import.service';

const nhs = nhsSequence(999_640_000, 13);
const TODAY = '2026-11-30';
const COLUMNS = FEED_KIND_DEFINITIONS['class-list'].columns;
const HEADER = COLUMNS.join(',');
const HILL = '136101';
const VALE = '136102';

const SETUP = `${TWO_PRACTICES_SQL}
  INSERT INTO ims.local_authority (code, name, icb_code, region_code) VALUES ('E06000035', 'Medway', 'QKS', 'Y59');
  INSERT INTO ims.school (urn, name, phase, la_code) VALUES ('${HILL}', 'Hill Academy', 'SECONDARY', 'E06000035'),
                                                           ('${VALE}', 'Vale School', 'SECONDARY', 'E06000035');`;

// Born January 2014: Year 8 in the school year from September 2026.
const CHILDREN = [
  { key: 'ava', given: 'Ava', family: 'Pupil', dob: '2014-01-15', postcode: 'ME1 1AA', school: HILL, year: 8 },
  { key: 'ben', given: 'Ben', family: 'Carter', dob: '2014-02-10', postcode: 'ME1 2BB', school: null, year: null },
  { key: 'cal', given: 'Callum', family: 'Smith', dob: '2014-04-01', postcode: 'ME1 3CC', school: null, year: null },
  { key: 'dee', given: 'Dee', family: 'Twin', dob: '2014-03-03', postcode: 'ME1 4DD', school: null, year: null },
  { key: 'eli', given: 'Eli', family: 'Twin', dob: '2014-03-03', postcode: 'ME1 4DD', school: null, year: null },
] as const;

type Row = Partial<Record<(typeof COLUMNS)[number], string>>;
const line = (v: Row) => COLUMNS.map((c) => v[c] ?? '').join(',');

describe('class list imports', () => {
  let db: TestDatabase;
  let connections: UserConnections;
  let nurse: DataSource;
  let coordinator: DataSource;
  const ids: Record<string, number> = {};
  const names = { nurse: uniqueName('cl_nurse'), coordinator: uniqueName('cl_coord') };
  const dir = mkdtempSync(join(tmpdir(), 'ims-class-list-'));
  let fileNo = 0;
  const file = (text: string) => {
    const name = `class-${++fileNo}.csv`;
    writeFileSync(join(dir, name), text);
    return { path: join(dir, name), fileName: name };
  };
  const run = (ds: DataSource, rows: Row[], maxRejectPercent = 100, text?: string) =>
    runImport(ds, { kind: 'class-list', ...file(text ?? [HEADER, ...rows.map(line)].join('\n') + '\n'), today: TODAY, maxRejectPercent });
  const person = async (key: string) =>
    (await db.query(`SELECT school_urn, year_group FROM ims.person WHERE id = $1`, [ids[key]])).rows[0] as {
      school_urn: string | null;
      year_group: number | null;
    };
  const pending = async () =>
    (
      await db.query(
        `SELECT source_id, reason, class_row FROM ims.exchange_review WHERE item_kind = 'CLASS_LIST' AND status = 'PENDING' ORDER BY row_no`,
      )
    ).rows as { source_id: string; reason: string; class_row: { schoolUrn: string; yearGroup: number } }[];

  // The list from Vale School: Ava (by NHS number: she has moved from Hill Academy), Ben
  // (certain without an NHS number), Calum (a doubtful spelling), Dee Twin (a twin), someone
  // unknown.
  const vale = (): Row[] => [
    {
      family_name: 'Pupil',
      given_name: 'Ava',
      date_of_birth: '2014-01-15',
      nhs_number: nhs(0),
      postcode: 'ME1 1AA',
      school_urn: VALE,
      year_group: 'Year 8',
      parent1_name: 'Pat Pupil',
      parent1_relationship: 'Mother',
      parent1_phone: '07700 900999',
    },
    {
      family_name: 'Carter',
      given_name: 'Ben',
      date_of_birth: '2014-02-10',
      postcode: 'me12bb',
      school_urn: VALE,
      year_group: '9',
      parent1_name: 'Mary Carter',
      parent1_relationship: 'Mother',
      parent1_phone: '+44 7700 900123',
      parent1_email: 'mary@example.org',
      parent2_name: 'Joe Carter',
      parent2_relationship: 'Father',
      parent2_phone: '01634 000111',
    },
    { family_name: 'Smith', given_name: 'Calum', date_of_birth: '2014-04-01', postcode: 'ME1 3CC', school_urn: VALE, year_group: 'Y8' },
    { family_name: 'Twin', given_name: 'Dee', date_of_birth: '2014-03-03', postcode: 'ME1 4DD', school_urn: VALE, year_group: '8' },
    { family_name: 'Nobody', given_name: 'Zed', date_of_birth: '2014-05-05', postcode: 'ME1 9ZZ', school_urn: VALE, year_group: '8' },
  ];

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.query(SETUP);
    for (const [n, c] of CHILDREN.entries()) {
      const r = await db.query<{ id: string }>(
        `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code, la_code, postcode, school_urn, year_group)
         VALUES ($1, $2, $3, $4, 'G82001', 'E06000035', $5, $6, $7) RETURNING id`,
        [nhs(n), c.given, c.family, c.dob, c.postcode, c.school, c.year],
      );
      ids[c.key] = Number(r.rows[0]!.id);
    }
    await db.query(`INSERT INTO ims.contact_details (person_id, mobile, preferred_channel) VALUES ($1, '07700900001', 'SMS')`, [ids.ava]);
    connections = userConnections(db);
    nurse = await connections.open(await addUser(db.url, { name: names.nurse, role: 'child-health', orgs: ['QKS'] }));
    coordinator = await connections.open(await addUser(db.url, { name: names.coordinator, role: 'coordinator', orgs: ['QKS'] }));
  });

  afterAll(async () => {
    await connections?.closeAll();
    await db?.drop();
    await dropRoles(Object.values(names));
  });

  it('knows the kind and its columns', async () => {
    const k = await db.query(`SELECT columns FROM ims.feed_kind WHERE code = 'class-list'`);
    expect(k.rows[0]!.columns).toEqual([...COLUMNS]);
  });

  it('applies certain matches, moves a school, and sends doubtful, twin and unknown rows to review', async () => {
    const summary = await run(nurse, vale(), 5);
    expect(summary).toMatchObject({ status: 'APPLIED', rowsTotal: 5, rowsRejected: 0, rowsApplied: 2 });
    expect(summary.counts).toMatchObject({
      applied: 2,
      review: 3,
      schoolMoves: 1,
      schoolSet: 1,
      yearOutOfStep: 1,
      parentsSaved: 3,
      contactsAdded: 1,
      contactsKept: 1,
    });
    expect(await person('ava')).toEqual({ school_urn: VALE, year_group: 8 });
    // The child register and worklists by school follow through the status queue.
    expect((await db.query(`SELECT 1 FROM ims.series_status_stale WHERE person_id = $1`, [ids.ava])).rowCount).toBe(1);
    expect(await person('ben')).toEqual({ school_urn: VALE, year_group: 9 });
    expect(await person('cal')).toEqual({ school_urn: null, year_group: null });
    expect(await person('dee')).toEqual({ school_urn: null, year_group: null });

    // The move is logged on the child, as the signed-in user, and read back for the record.
    const moves = await db.query(`SELECT from_urn, to_urn, recorded_by, import_id FROM ims.school_move WHERE person_id = $1`, [ids.ava]);
    expect(moves.rows).toEqual([{ from_urn: HILL, to_urn: VALE, recorded_by: names.nurse, import_id: String(summary.id) }]);
    const details = await value<PersonClassList>(
      call(
        createSchoolHandlers(nurse, () => TODAY),
        'schools.person.classList',
        { personId: ids.ava },
      ),
    );
    expect(details.moves[0]).toMatchObject({ fromName: 'Hill Academy', toName: 'Vale School' });
    expect(details.parents).toEqual([
      { position: 1, name: 'Pat Pupil', relationship: 'Mother', phone: '07700900999', email: null, schoolUrn: VALE },
    ]);
    const audit = await db.query(`SELECT DISTINCT actor FROM audit.change_log WHERE table_name = 'ims.person' AND operation = 'UPDATE'`);
    expect(audit.rows.map((r) => r.actor)).toContain(names.nurse);

    // Contacts: Ava's mobile stays as it was; Ben had none, so the school's are his now.
    const contacts = await db.query(
      `SELECT person_id, mobile, landline, email FROM ims.contact_details WHERE person_id = ANY ($1) ORDER BY person_id`,
      [[ids.ava, ids.ben]],
    );
    expect(contacts.rows).toEqual([
      { person_id: String(ids.ava), mobile: '07700900001', landline: null, email: null },
      { person_id: String(ids.ben), mobile: '07700900123', landline: '01634000111', email: 'mary@example.org' },
    ]);

    const waiting = await pending();
    expect(waiting.map((w) => w.reason)).toEqual([
      'The details are like those of a child on the register, but not certainly the same child.',
      'Twins: more than one child born that day shares the address or surname. Choose the child.',
      'No child on the register that you can see matches these details.',
    ]);
    expect(waiting[0]!.class_row).toMatchObject({ schoolUrn: VALE, yearGroup: 8 });
  });

  it('re-running the file, or the same rows in another file, changes nothing', async () => {
    const rows = vale();
    const text = [HEADER, ...rows.map(line)].join('\n') + '\n';
    const before = Number((await db.query(`SELECT max(id) AS n FROM audit.change_log`)).rows[0]!.n);
    const same = await run(nurse, rows, 5, text);
    expect(same.status).toBe('ALREADY_APPLIED');
    // Another checksum (a blank line more): read and applied, and nothing differs.
    const again = await run(nurse, rows, 5, text + '\n');
    expect(again.status).toBe('APPLIED');
    expect(again.counts).toMatchObject({ schoolMoves: 0, schoolSet: 0, yearChanged: 0, parentsSaved: 0, contactsAdded: 0, review: 3 });
    const changes = await db.query(`SELECT DISTINCT table_name FROM audit.change_log WHERE id > $1 AND table_name <> 'ims.feed_import'`, [
      before,
    ]);
    expect(changes.rows).toEqual([]);
    expect(await pending()).toHaveLength(3);
  });

  it('shows a doubtful row beside its candidate; accepting it applies the row, and the next list goes to the same child', async () => {
    const exchange = createExchangeHandlers(nurse, () => TODAY);
    const queue = await value<ReviewItem[]>(call(exchange, 'exchange.review.list', {}));
    const calum = queue.find((i) => i.incoming.givenName === 'Calum')!;
    expect(calum).toMatchObject({
      kind: 'CLASS_LIST',
      event: null,
      classList: { schoolUrn: VALE, schoolName: 'Vale School', yearGroup: 8 },
    });
    expect(calum.candidates.map((c) => [c.personId, c.schoolUrn, c.yearGroup])).toEqual([[ids.cal, null, null]]);
    const twin = queue.find((i) => i.incoming.givenName === 'Dee')!;
    expect(twin.candidates.map((c) => c.personId).sort()).toEqual([ids.dee, ids.eli].sort());

    const decided = await value<ReviewItem>(
      call(exchange, 'exchange.review.decide', { id: calum.id, decision: 'ACCEPT', personId: ids.cal }),
    );
    expect(decided).toMatchObject({ status: 'ACCEPTED', personId: ids.cal });
    expect(await person('cal')).toEqual({ school_urn: VALE, year_group: 8 });

    const next = await run(nurse, [vale()[2]!]);
    expect(next.counts).toMatchObject({ applied: 1, matchedBefore: 1, review: 0 });
    expect((await pending()).map((w) => w.source_id)).not.toContain('SMITH|CALUM|2014-04-01');
  });

  it('registers a child new to the register from a row with an NHS number, refuses one without, and rejects a row', async () => {
    const exchange = createExchangeHandlers(nurse, () => TODAY);
    const newcomer = nhs(20);
    await run(nurse, [
      { family_name: 'Newby', given_name: 'Nell', date_of_birth: '2014-09-09', nhs_number: newcomer, school_urn: HILL, year_group: '7' },
    ]);
    const queue = await value<ReviewItem[]>(call(exchange, 'exchange.review.list', {}));
    const nell = queue.find((i) => i.incoming.givenName === 'Nell')!;
    expect(nell.reason).toBe('No child on the register has this NHS number.');
    const made = await value<ReviewItem>(call(exchange, 'exchange.review.decide', { id: nell.id, decision: 'NEW_PERSON' }));
    expect(made.status).toBe('NEW_PERSON');
    const row = await db.query(`SELECT school_urn, year_group, la_code, registration_status FROM ims.person WHERE nhs_number = $1`, [
      newcomer,
    ]);
    expect(row.rows).toEqual([{ school_urn: HILL, year_group: 7, la_code: 'E06000035', registration_status: 'UNREGISTERED' }]);

    const zed = queue.find((i) => i.incoming.givenName === 'Zed')!;
    const refused = await call(exchange, 'exchange.review.decide', { id: zed.id, decision: 'NEW_PERSON' });
    expect(refused).toMatchObject({ ok: false, error: { message: expect.stringMatching(/needs a valid NHS number/) } });
    const rejected = await value<ReviewItem>(call(exchange, 'exchange.review.decide', { id: zed.id, decision: 'REJECT' }));
    expect(rejected.status).toBe('REJECTED');
  });

  describe('rows rejected with their row, field and reason', () => {
    const ok: Row = { family_name: 'Reject', given_name: 'Rita', date_of_birth: '2014-06-06', school_urn: VALE, year_group: '8' };
    const cases: [string, Row, string, RegExp][] = [
      ['a wrong NHS check digit', { nhs_number: '9434765918' }, 'nhs_number', /check digit/],
      ['a date of birth that does not exist', { date_of_birth: '2014-02-30' }, 'date_of_birth', /not a real date/],
      ['a date of birth in the future', { date_of_birth: '2027-01-01' }, 'date_of_birth', /future/],
      ['a year group that does not fit the age', { year_group: '3' }, 'year_group', /would be in Year 8, not Year 3/],
      ['a year group that is not one', { year_group: 'Year 15' }, 'year_group', /N, R or 1 to 14/],
      ['an unknown school', { school_urn: '999111' }, 'school_urn', /Unknown school URN 999111/],
      ['a parent phone that is not a number', { parent1_name: 'P', parent1_phone: '12345' }, 'parent1_phone', /UK number/],
      ['an email without its parent', { parent2_email: 'x@example.org' }, 'parent2_name', /without their name/],
      ['a missing family name', { family_name: '' }, 'family_name', /required/],
    ];
    for (const [what, over, field, reason] of cases) {
      it(`rejects ${what}`, async () => {
        const summary = await run(nurse, [{ ...ok, ...over }]);
        expect(summary.rowsRejected).toBe(1);
        const rejects = await importRejects(nurse, summary.id);
        expect(rejects.map((r) => [r.row, r.field])).toContainEqual([1, field]);
        expect(rejects.find((r) => r.field === field)!.reason).toMatch(reason);
      });
    }

    it('rejects the same child twice in the file after its first row', async () => {
      const summary = await run(nurse, [ok, { ...ok, postcode: 'ME1 1AA' }]);
      const rejects = await importRejects(nurse, summary.id);
      expect(rejects.map((r) => [r.row, r.field, r.reason])).toEqual([[2, 'given_name', 'The same child is repeated (first on row 1).']]);
    });
  });

  it('keeps hostile names as plain text through matching and into the review queue', async () => {
    const names = ["x'); DROP TABLE ims.person; --", '$$; SELECT 1; $$', '=HYPERLINK("x")', 'Zoë <b>'];
    const rows = names.map((n, i) => ({
      family_name: n,
      given_name: n,
      date_of_birth: `2014-07-0${i + 1}`,
      school_urn: HILL,
      year_group: '8',
    }));
    const quoted = rows.map((r) => COLUMNS.map((c) => `"${(r[c as keyof typeof r] ?? '').replace(/"/g, '""')}"`).join(','));
    const summary = await run(nurse, [], 100, [HEADER, ...quoted].join('\n'));
    expect(summary).toMatchObject({ status: 'APPLIED', rowsRejected: 0 });
    expect(summary.counts).toMatchObject({ review: names.length, applied: 0 });
    const kept = await db.query(`SELECT incoming->>'familyName' AS f FROM ims.exchange_review WHERE import_id = $1 ORDER BY row_no`, [
      summary.id,
    ]);
    expect(kept.rows.map((r) => r.f)).toEqual(names);
    expect((await db.query(`SELECT to_regclass('ims.person') AS t`)).rows[0]!.t).toBe('ims.person');
  });

  it("rejects a school outside the importer's reach: coordinators do not run schools", async () => {
    const summary = await run(coordinator, [vale()[1]!]);
    const rejects = await importRejects(coordinator, summary.id);
    expect(rejects.map((r) => [r.field, r.reason])).toEqual([['school_urn', `The school ${VALE} is not available to you.`]]);
  });
});
