// The import pipeline against a real database, as real login roles: demographic full loads and
// nightly deltas applied whole or not at all; every malformed file refused or its rows rejected
// with their row, field and reason; re-runs change nothing; a killed import leaves nothing; the
// threshold; NHS number supersession with the records merged; deaths and removals; refusals.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../administration/users.service';
import { openDataSource } from '../platform/db/datasource';
import { createTestDatabase, uniqueName, type TestDatabase } from '../../tests/support/db';
import { dropRoles, nhsSequence, TWO_PRACTICES_SQL, userConnections, type UserConnections } from '../../tests/support/fixtures';
import { FEED_KIND_DEFINITIONS } from './kinds';
import { finishImport, importRejects } from './feeds.repository';
import { runImport } from './import.service';
import type { FeedKindCode } from '../shared/vocabulary/feeds';
import { STAFF_GROUPS } from '../shared/vocabulary/people';

const nhs = nhsSequence(999_810_000, 11);
const PASSWORD = 'feeds-password';
const TODAY = '2026-11-30';
const FULL = FEED_KIND_DEFINITIONS['demographics-full'].columns.join('|');
const DELTA = FEED_KIND_DEFINITIONS['demographics-delta'].columns.join('|');

/** A full-load row: nhs|family|given|other|dob|gender|postcode|a1|a2|a3|town|practice|ethnic|dod */
function fullRow(n: string, over: Partial<Record<string, string>> = {}): string {
  const v = {
    nhs_number: n,
    family_name: 'Feed',
    given_name: 'Person',
    other_given_names: '',
    date_of_birth: '2015-03-04',
    gender: '2',
    postcode: 'ME14 1AA',
    address_line1: '1 High Street',
    address_line2: '',
    address_line3: '',
    town: 'Maidstone',
    practice_code: 'G82001',
    ethnic_category: 'A',
    date_of_death: '',
    ...over,
  };
  return FEED_KIND_DEFINITIONS['demographics-full'].columns.map((c) => v[c as keyof typeof v] ?? '').join('|');
}

function deltaRow(id: string, type: string, n: string, over: Partial<Record<string, string>> = {}): string {
  const v: Record<string, string> = { record_id: id, change_type: type, nhs_number: n, ...over };
  return FEED_KIND_DEFINITIONS['demographics-delta'].columns.map((c) => v[c] ?? '').join('|');
}

describe('feed imports', () => {
  let db: TestDatabase;
  let connections: UserConnections;
  let owner: DataSource;
  let admin: DataSource;
  let coordinator: DataSource;
  let analyst: DataSource;
  const names = { admin: uniqueName('t_feed_admin'), coordinator: uniqueName('t_feed_coord'), analyst: uniqueName('t_feed_an') };
  const dir = mkdtempSync(join(tmpdir(), 'ims-feeds-'));
  let fileNo = 0;

  function file(text: string | Buffer, name = `file-${++fileNo}.txt`): { path: string; name: string } {
    const path = join(dir, name);
    writeFileSync(path, text);
    return { path, name };
  }
  const run = (ds: DataSource, kind: FeedKindCode, f: { path: string; name: string }, maxRejectPercent?: number) =>
    runImport(ds, { kind, path: f.path, fileName: f.name, today: TODAY, maxRejectPercent });
  const person = async (n: string) =>
    (await db.query(`SELECT * FROM ims.person WHERE nhs_number = $1`, [n])).rows[0] as Record<string, unknown> | undefined;
  const personCount = async () => Number((await db.query(`SELECT count(*) AS n FROM ims.person`)).rows[0]!.n);

  beforeAll(async () => {
    db = await createTestDatabase();
    connections = userConnections(db);
    await db.query(TWO_PRACTICES_SQL);
    await addUser(db.url, { name: names.admin, role: 'administrator', orgs: ['Y59'], password: PASSWORD });
    await addUser(db.url, { name: names.coordinator, role: 'coordinator', orgs: ['G82001'], password: PASSWORD });
    await addUser(db.url, { name: names.analyst, role: 'analyst', orgs: ['Y59'], password: PASSWORD });
    admin = await connections.open({ name: names.admin, password: PASSWORD });
    coordinator = await connections.open({ name: names.coordinator, password: PASSWORD });
    analyst = await connections.open({ name: names.analyst, password: PASSWORD });
    owner = await openDataSource(db.url);
  });

  afterAll(async () => {
    await connections?.closeAll();
    await owner?.destroy();
    await db?.drop();
    await dropRoles(Object.values(names));
  });

  it('knows the same kinds and columns as the database', async () => {
    const kinds = await db.query<{ code: string; columns: string[] }>(`SELECT code, columns FROM ims.feed_kind ORDER BY code`);
    expect(Object.fromEntries(kinds.rows.map((k) => [k.code, k.columns]))).toEqual(
      Object.fromEntries(Object.values(FEED_KIND_DEFINITIONS).map((k) => [k.code, [...k.columns]])),
    );
  });

  it('applies a full load as the signed-in user, audited and queued for the schedule status', async () => {
    const rows = [fullRow(nhs(1)), fullRow(nhs(2), { family_name: 'Second', gender: '1' }), fullRow(nhs(3), { postcode: 'me141aa' })];
    const summary = await run(admin, 'demographics-full', file([FULL, ...rows].join('\r\n') + '\r\n'));
    expect(summary).toMatchObject({
      status: 'APPLIED',
      rowsTotal: 3,
      rowsRejected: 0,
      rowsApplied: 3,
      lineEnding: 'CRLF',
      delimiter: 'pipe',
    });
    expect(summary.counts).toMatchObject({ added: 3, updated: 0 });
    expect(await person(nhs(3))).toMatchObject({ postcode: 'ME14 1AA', practice_code: 'G82001', registration_status: 'REGISTERED' });
    const audit = await db.query(`SELECT DISTINCT actor FROM audit.change_log WHERE table_name = 'ims.person' AND operation = 'INSERT'`);
    expect(audit.rows.map((r) => r.actor)).toContain(names.admin);
    const id = (await person(nhs(1)))!.id;
    expect((await db.query(`SELECT 1 FROM ims.series_status_stale WHERE person_id = $1`, [id])).rowCount).toBe(1);
    const contact = await db.query(`SELECT address_line1, town FROM ims.contact_details WHERE person_id = $1`, [id]);
    expect(contact.rows[0]).toEqual({ address_line1: '1 High Street', town: 'Maidstone' });
  });

  it('re-running an applied file changes nothing', async () => {
    const text = [FULL, fullRow(nhs(4))].join('\n');
    const first = await run(admin, 'demographics-full', file(text));
    expect(first.status).toBe('APPLIED');
    const before = Number((await db.query(`SELECT count(*) AS n FROM audit.change_log`)).rows[0]!.n);
    const again = await run(admin, 'demographics-full', file(text));
    expect(again).toMatchObject({ status: 'ALREADY_APPLIED', sameAs: first.id, rowsApplied: 0 });
    // The same rows in another file (another checksum) are applied as no change at all.
    const same = await run(admin, 'demographics-full', file(text + '\n'));
    expect(same.counts).toMatchObject({ added: 0, updated: 0, unchanged: 1 });
    const changes = await db.query(
      `SELECT count(*) AS n FROM audit.change_log WHERE id > $1 AND table_name IN ('ims.person', 'ims.contact_details')`,
      [before],
    );
    expect(Number(changes.rows[0]!.n)).toBe(0);
  });

  it('reads CSV with quoted values, a BOM and Windows-1252 text', async () => {
    const header = FEED_KIND_DEFINITIONS['demographics-full'].columns.join(',');
    const csv = `${header}\n${nhs(5)},"O""Brien","Siobhán",,2014-01-02,2,ME14 1AA,"Flat 2, The Mill","line
two",,Maidstone,G82001,,\n`;
    const utf8 = await run(admin, 'demographics-full', file(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv, 'utf8')])));
    expect(utf8).toMatchObject({ status: 'APPLIED', encoding: 'utf-8-bom', delimiter: 'comma', lineEnding: 'LF' });
    expect(await person(nhs(5))).toMatchObject({ family_name: 'O"Brien', given_name: 'Siobhán' });
    const cp1252 = Buffer.from(csv.replace(nhs(5), nhs(6)).replace('Siobhán', 'Zoë'), 'latin1');
    const win = await run(admin, 'demographics-full', file(cp1252));
    expect(win).toMatchObject({ status: 'APPLIED', encoding: 'windows-1252' });
    expect(await person(nhs(6))).toMatchObject({ given_name: 'Zoë' });
  });

  it('numbers rows the same way across chunks, whether a line is plain or needs reading', async () => {
    // About 1.5 MB: the file is read in 1 MB chunks, so most lines take the plain path.
    const rows: string[] = [];
    for (let i = 1; i <= 12_000; i++) {
      const n = nhs(1000 + i);
      if (i === 11_000) rows.push(fullRow(n, { address_line1: '"Flat 1, The ""Old"" Mill"' }));
      else if (i === 11_500) rows.push(fullRow(n, { gender: 'Q' }));
      else if (i === 11_900) rows.push(fullRow(n).split('|').slice(0, 4).join('|'));
      else rows.push(fullRow(n, { address_line1: `${i} Long Road Name To Make The Line Longer And The File Bigger` }));
      if (i === 11_700) rows.push('');
    }
    const summary = await run(owner, 'demographics-full', file([FULL, ...rows].join('\r\n') + '\r\n'), 1);
    expect(summary).toMatchObject({ status: 'APPLIED', rowsTotal: 12_000, rowsRejected: 2, rowsApplied: 11_998 });
    expect((await importRejects(owner, summary.id)).map((r) => [r.row, r.field])).toEqual([
      [11_500, 'gender'],
      [11_900, null],
    ]);
    const quoted = await db.query(
      `SELECT c.address_line1 FROM ims.contact_details c JOIN ims.person p ON p.id = c.person_id WHERE p.nhs_number = $1`,
      [nhs(1000 + 11_000)],
    );
    expect(quoted.rows[0]!.address_line1).toBe('Flat 1, The "Old" Mill');
  });

  it('reads UTF-8 as bytes: a character cut by the 1 MB read stays whole; bad UTF-8 later refuses the file', async () => {
    // Plain rows up to just before 1 MB, then a row whose family name (50 two-byte characters)
    // the first megabyte ends inside, in the middle of a character.
    const name = 'ë'.repeat(50);
    const lines = [FULL];
    let bytes = Buffer.byteLength(FULL) + 1;
    const target = (1 << 20) - 11 - 51;
    for (let i = 0; bytes < target - 400; i++) {
      const line = fullRow(nhs(2000 + i), { address_line1: `${i} A Road Long Enough To Fill The First Megabyte Quickly` });
      lines.push(line);
      bytes += Buffer.byteLength(line) + 1;
    }
    const pad = fullRow(nhs(1999), { address_line1: '' });
    lines.push(fullRow(nhs(1999), { address_line1: 'x'.repeat(target - bytes - Buffer.byteLength(pad) - 1) }));
    lines.push(fullRow(nhs(1998), { family_name: name }), fullRow(nhs(1997)));
    const text = Buffer.from(lines.join('\n') + '\n', 'utf8');
    expect(text.subarray((1 << 20) - 1, (1 << 20) + 1)).toEqual(Buffer.from('ë'));
    const summary = await run(owner, 'demographics-full', file(text));
    expect(summary).toMatchObject({ status: 'APPLIED', encoding: 'utf-8', rowsTotal: lines.length - 1, rowsRejected: 0 });
    expect(await person(nhs(1998))).toMatchObject({ family_name: name });

    // Beyond the first 64 KB that decide the encoding, a byte UTF-8 never has.
    const good = Array.from({ length: 1200 }, (_, i) => fullRow(nhs(3000 + i))).join('\n');
    const broken = Buffer.concat([
      Buffer.from(`${FULL}\n${good}\n`),
      Buffer.from(fullRow(nhs(4300), { family_name: 'Zo\u00eb' }), 'latin1'),
    ]);
    const before = await personCount();
    const refused = await run(owner, 'demographics-full', file(broken));
    expect(refused).toMatchObject({ status: 'FILE_REFUSED' });
    expect(refused.message).toMatch(/not valid UTF-8/);
    expect(await personCount()).toBe(before);
  });

  it('reads a file with CR line endings, a quoted value holding one', async () => {
    const rows = [fullRow(nhs(1990)), fullRow(nhs(1991), { address_line1: '"Flat 3\rThe Mill"' }), fullRow(nhs(1992), { gender: 'Q' })];
    const summary = await run(owner, 'demographics-full', file([FULL, ...rows].join('\r') + '\r'), 50);
    expect(summary).toMatchObject({ status: 'APPLIED', lineEnding: 'CR', rowsTotal: 3, rowsRejected: 1, rowsApplied: 2 });
    expect((await importRejects(owner, summary.id)).map((r) => [r.row, r.field])).toEqual([[3, 'gender']]);
    const id = (await person(nhs(1991)))!.id;
    const contact = await db.query(`SELECT address_line1 FROM ims.contact_details WHERE person_id = $1`, [id]);
    expect(contact.rows[0]!.address_line1).toBe('Flat 3\rThe Mill');
  });

  describe('files refused whole, nothing applied', () => {
    const cases: [string, string | Buffer, RegExp][] = [
      ['an empty file', '', /empty/],
      ['a misspelt column', FULL.replace('given_name', 'givenname') + `\n${fullRow(nhs(20))}`, /Column 3 .*"givenname".*given_name/],
      ['columns in another order', FULL.replace('family_name|given_name', 'given_name|family_name') + `\n${fullRow(nhs(20))}`, /Column 2/],
      ['a missing column', FULL.replace('|date_of_death', '') + `\n${fullRow(nhs(20))}`, /13 columns; .* 14/],
      ['a header and no rows', FULL + '\n', /no rows/],
      ['a binary file', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x14]), /NUL byte/],
      ['UTF-16', Buffer.from('\ufeff' + FULL, 'utf16le'), /UTF-16/],
      ['a quote never closed', `${FULL}\n${fullRow(nhs(20)).replace('Feed', '"Feed')}\n${fullRow(nhs(21))}\n`, /never closed/],
    ];
    for (const [what, text, reason] of cases) {
      it(`refuses ${what}`, async () => {
        const before = await personCount();
        const summary = await run(admin, 'demographics-full', file(text));
        expect(summary.status).toBe('FILE_REFUSED');
        expect(summary.message).toMatch(reason);
        expect(await personCount()).toBe(before);
        expect((await db.query(`SELECT to_regclass($1) AS t`, [`feed_stage.import_${summary.id}`])).rows[0]!.t).toBeNull();
      });
    }
  });

  // A school's class list (the kind's own checks: main-api/feeds/class-list.integration.test.ts).
  describe('class lists refused whole, nothing applied', () => {
    const header = FEED_KIND_DEFINITIONS['class-list'].columns.join(',');
    const row = 'Malformed,Mia,2014-01-15,,ME1 1AA,136001,8,,,,,,,,';
    const cases: [string, string | Buffer, RegExp][] = [
      ['a header of another kind', `${FULL}\n${row}\n`, /Column 1 /],
      ['parent columns missing', header.replace(/,parent2_[a-z]+/g, '') + `\n${row}\n`, /11 columns; .* 15/],
      ['a header and no rows', header + '\r\n', /no rows/],
      ['a spreadsheet saved as UTF-16', Buffer.from('\ufeff' + header + '\n' + row, 'utf16le'), /UTF-16/],
      ['a quote never closed', `${header}\n"Malformed,Mia,2014-01-15\n`, /never closed/],
    ];
    for (const [what, text, reason] of cases) {
      it(`refuses ${what}`, async () => {
        const summary = await run(admin, 'class-list', file(text));
        expect(summary.status).toBe('FILE_REFUSED');
        expect(summary.message).toMatch(reason);
        expect((await db.query(`SELECT count(*) AS n FROM ims.exchange_review WHERE import_id = $1`, [summary.id])).rows[0]!.n).toBe('0');
      });
    }
  });

  describe('rows rejected with their row, field and reason', () => {
    const cases: [string, string, string, RegExp][] = [
      ['a wrong check digit', fullRow(nhs(30).slice(0, 9) + String((Number(nhs(30)[9]) + 1) % 10)), 'nhs_number', /check digit/],
      ['an impossible date', fullRow(nhs(31), { date_of_birth: '2023-02-30' }), 'date_of_birth', /not a real date/],
      ['a future date of birth', fullRow(nhs(32), { date_of_birth: '2027-01-01' }), 'date_of_birth', /future/],
      ['an unknown gender code', fullRow(nhs(33), { gender: 'F' }), 'gender', /Unknown gender code F/],
      ['an unknown practice', fullRow(nhs(34), { practice_code: 'X99999' }), 'practice_code', /Unknown GP practice X99999/],
      ['a missing family name', fullRow(nhs(35), { family_name: '' }), 'family_name', /required/],
      ['an invalid postcode', fullRow(nhs(36), { postcode: 'NOT A CODE' }), 'postcode', /not a valid UK postcode/],
      ['death before birth', fullRow(nhs(37), { date_of_death: '2010-01-01' }), 'date_of_death', /before the date of birth/],
      ['an unknown ethnic category', fullRow(nhs(38), { ethnic_category: 'Q' }), 'ethnic_category', /Unknown ethnic category/],
      ['too few values', fullRow(nhs(39)).split('|').slice(0, 5).join('|'), '', /5 values; the header has 14/],
      ['a stray quote', fullRow(nhs(40), { family_name: 'Fe"ed' }), '', /quote inside a value/],
    ];
    for (const [what, bad, field, reason] of cases) {
      it(`rejects ${what} and applies the rest`, async () => {
        const good = nhs(60 + cases.findIndex((c) => c[0] === what));
        const summary = await run(admin, 'demographics-full', file([FULL, fullRow(good), bad].join('\n')), 50);
        expect(summary).toMatchObject({ status: 'APPLIED', rowsTotal: 2, rowsRejected: 1, rowsApplied: 1 });
        const rejects = await importRejects(admin, summary.id);
        expect(rejects.map((r) => r.row)).toEqual(rejects.map(() => 2));
        expect(rejects.some((r) => (r.field ?? '') === field && reason.test(r.reason))).toBe(true);
        expect(await person(good)).toBeDefined();
      });
    }

    it('rejects a repeated NHS number after its first row', async () => {
      const summary = await run(
        admin,
        'demographics-full',
        file([FULL, fullRow(nhs(41)), fullRow(nhs(42)), fullRow(nhs(41), { family_name: 'Twice' })].join('\n')),
        50,
      );
      const rejects = await importRejects(admin, summary.id);
      expect(rejects).toEqual([{ row: 3, field: 'nhs_number', reason: 'The NHS number is repeated (first on row 1).' }]);
      expect((await person(nhs(41)))!.family_name).toBe('Feed');
    });
  });

  it('refuses the whole file when rejects pass the threshold, keeping the report', async () => {
    const before = await personCount();
    const summary = await run(admin, 'demographics-full', file([FULL, fullRow(nhs(43)), fullRow(nhs(44), { gender: 'X' })].join('\n')), 10);
    expect(summary).toMatchObject({ status: 'OVER_THRESHOLD', rowsRejected: 1, rowsApplied: 0 });
    expect(summary.message).toMatch(/1 of 2 rows were rejected, more than the 10% allowed/);
    expect(await personCount()).toBe(before);
    expect(await importRejects(admin, summary.id)).toHaveLength(1);
  });

  it('refuses a load whose rows are not numbered 1 to the row count, each once', async () => {
    const before = await personCount();
    for (const numbers of [
      [1, 1],
      [2, 3],
    ]) {
      const opened = await admin.query(`SELECT api.feed_open('demographics-full', 'numbers.txt', 10, 5) AS r`);
      const { importId, stage } = opened[0].r as { importId: number; stage: string };
      await admin.query(`INSERT INTO ${stage} (row_no, nhs_number) VALUES ($1, $2), ($3, $4)`, [numbers[0], nhs(47), numbers[1], nhs(48)]);
      const facts = { checksum: 'a'.repeat(63) + String(numbers[1]), encoding: 'utf-8', lineEnding: 'LF', delimiter: 'pipe' };
      const summary = await finishImport(admin, importId, 2, facts, TODAY);
      expect(summary.status).toBe('FILE_REFUSED');
      expect(summary.message).toMatch(/numbers 1 to the row count/);
    }
    expect(await personCount()).toBe(before);
  });

  it('leaves nothing of a killed import, and the file runs again', async () => {
    const text = [FULL, fullRow(nhs(45)), fullRow(nhs(46))].join('\n');
    // The connection dies after the load and before the finish: the import is abandoned.
    const killer = await openDataSource(db.urlAs(names.admin, PASSWORD));
    const opened = await killer.query(`SELECT api.feed_open('demographics-full', 'killed.txt', 10, 5) AS r`);
    const importId = opened[0].r.importId as number;
    await killer.query(`INSERT INTO feed_stage.import_${importId} (nhs_number) VALUES ($1)`, [nhs(45)]);
    await db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1`, [names.admin]);
    await killer.destroy().catch(() => {});
    await new Promise((r) => setTimeout(r, 200));
    const again = await run(owner, 'demographics-full', file(text));
    expect(again.status).toBe('APPLIED');
    const killed = await db.query(`SELECT status FROM ims.feed_import WHERE id = $1`, [importId]);
    expect(killed.rows[0]!.status).toBe('ABANDONED');
    expect((await db.query(`SELECT to_regclass($1) AS t`, [`feed_stage.import_${importId}`])).rows[0]!.t).toBeNull();
    // The pooled admin connections were terminated too: reopen for the tests after this one.
    admin = await connections.open({ name: names.admin, password: PASSWORD });
  });

  it('cancels an import: nothing applied', async () => {
    const controller = new AbortController();
    controller.abort();
    const summary = await runImport(admin, {
      kind: 'demographics-full',
      path: file([FULL, fullRow(nhs(47))].join('\n')).path,
      fileName: 'cancelled.txt',
      today: TODAY,
      signal: controller.signal,
    });
    expect(summary.status).toBe('CANCELLED');
    expect(await person(nhs(47))).toBeUndefined();
  });

  it('applies a delta: registrations, names, addresses, practices, deaths and removals', async () => {
    await run(
      admin,
      'demographics-full',
      file([FULL, fullRow(nhs(100)), fullRow(nhs(101)), fullRow(nhs(102)), fullRow(nhs(103)), fullRow(nhs(104))].join('\n')),
    );
    const delta = [
      DELTA,
      deltaRow('d1', 'NEW', nhs(105), {
        family_name: 'Newborn',
        given_name: 'Baby',
        date_of_birth: '2026-11-20',
        gender: '1',
        practice_code: 'G82002',
        postcode: 'ME15 6AA',
      }),
      deltaRow('d2', 'NAME', nhs(100), { family_name: 'Renamed', given_name: 'Person' }),
      deltaRow('d3', 'ADDRESS', nhs(101), { postcode: 'ME15 7BB', address_line1: '9 New Road', town: 'Maidstone' }),
      deltaRow('d4', 'PRACTICE', nhs(102), { practice_code: 'G82002' }),
      deltaRow('d5', 'DEATH', nhs(103), { date_of_death: '2026-11-28' }),
      deltaRow('d6', 'REMOVAL', nhs(104), { effective_date: '2026-11-29' }),
      deltaRow('d7', 'MARRIAGE', nhs(100)),
      deltaRow('d8', 'NAME', nhs(199), { family_name: 'Nobody', given_name: 'X' }),
    ].join('\n');
    const summary = await run(admin, 'demographics-delta', file(delta), 50);
    expect(summary).toMatchObject({ status: 'APPLIED', rowsTotal: 8, rowsRejected: 2, rowsApplied: 6 });
    expect(summary.counts).toMatchObject({ new: 1, name: 1, address: 1, practice: 1, death: 1, removal: 1 });
    expect(await person(nhs(105))).toMatchObject({ family_name: 'Newborn', practice_code: 'G82002' });
    expect(await person(nhs(100))).toMatchObject({ family_name: 'Renamed' });
    expect(await person(nhs(101))).toMatchObject({ postcode: 'ME15 7BB' });
    expect(await person(nhs(102))).toMatchObject({ practice_code: 'G82002' });
    expect(await person(nhs(103))).toMatchObject({ registration_status: 'DECEASED' });
    expect(String((await person(nhs(103)))!.date_of_death)).toBeTruthy();
    expect(await person(nhs(104))).toMatchObject({ registration_status: 'DEREGISTERED', practice_code: 'G82001' });
    const rejects = await importRejects(admin, summary.id);
    expect(rejects).toEqual([
      { row: 7, field: 'change_type', reason: expect.stringMatching(/Unknown change type MARRIAGE/) },
      { row: 8, field: 'nhs_number', reason: 'This NHS number is not on the register, or is not available to you.' },
    ]);
    // The same changes in another file: every row's key was applied, so nothing happens.
    const again = await run(admin, 'demographics-delta', file(delta + '\n'), 50);
    expect(again).toMatchObject({ status: 'APPLIED', rowsApplied: 0 });
  });

  it('supersedes an NHS number: renumbers, or merges two records keeping the history', async () => {
    await run(admin, 'demographics-full', file([FULL, fullRow(nhs(110)), fullRow(nhs(111)), fullRow(nhs(112))].join('\n')));
    const retired = (await person(nhs(111)))!.id as string;
    const survivor = (await person(nhs(112)))!.id as string;
    await db.query(
      `INSERT INTO ims.vaccination_event (person_id, programme_code, outcome, not_given_reason, occurred_on, primary_source)
       SELECT $1, code, 'NOT_GIVEN', 'DECLINED', '2026-01-10', false FROM ims.programme ORDER BY code LIMIT 1`,
      [retired],
    );
    await db.query(`INSERT INTO ims.clinical_flag (person_id, flag_code, from_date, source) VALUES ($1, 'CARER', '2025-01-01', 'test')`, [
      retired,
    ]);
    const delta = [
      DELTA,
      deltaRow('s1', 'SUPERSEDE', nhs(110), { new_nhs_number: nhs(113) }),
      deltaRow('s2', 'SUPERSEDE', nhs(111), { new_nhs_number: nhs(112) }),
    ].join('\n');
    const summary = await run(admin, 'demographics-delta', file(delta));
    expect(summary).toMatchObject({ status: 'APPLIED', rowsApplied: 2 });
    expect(summary.counts).toMatchObject({ renumbered: 1, merged: 1 });
    expect(await person(nhs(110))).toBeUndefined();
    expect(await person(nhs(113))).toBeDefined();
    const events = await db.query(`SELECT person_id FROM ims.vaccination_event WHERE occurred_on = '2026-01-10'`);
    expect(events.rows.map((r) => String(r.person_id))).toEqual([String(survivor)]);
    const flags = await db.query(`SELECT person_id FROM ims.clinical_flag WHERE flag_code = 'CARER'`);
    expect(flags.rows.map((r) => String(r.person_id))).toEqual([String(survivor)]);
    expect(await person(nhs(111))).toMatchObject({ registration_status: 'DEREGISTERED' });
    const history = await db.query(`SELECT nhs_number, replaced_by, person_id FROM ims.person_nhs_number_history ORDER BY nhs_number`);
    expect(history.rows.map((r) => [r.nhs_number, r.replaced_by])).toEqual([
      [nhs(110), nhs(113)],
      [nhs(111), nhs(112)],
    ]);
    const merge = await db.query(`SELECT retired_person_id, surviving_person_id FROM ims.person_merge`);
    expect(merge.rows).toEqual([{ retired_person_id: retired, surviving_person_id: survivor }]);
    // Outside a merge a recorded vaccination still cannot move.
    await expect(db.query(`UPDATE ims.vaccination_event SET person_id = $1 WHERE person_id = $2`, [retired, survivor])).rejects.toThrow(
      /cannot be edited/,
    );
  });

  it('imports clinical flags: added once, end dates brought up to date, bad rows rejected', async () => {
    await run(admin, 'demographics-full', file([FULL, fullRow(nhs(130)), fullRow(nhs(131))].join('\n')));
    const header = FEED_KIND_DEFINITIONS['clinical-flags'].columns.join('|');
    const text = [
      header,
      `${nhs(130)}|DIABETES|2020-01-01||Type 2`,
      `${nhs(131)}|ASTHMA|2020-01-01||`,
      `${nhs(131)}|CARER|2030-01-01||`,
      `${nhs(199)}|CARER|2020-01-01||`,
    ].join('\n');
    const first = await run(admin, 'clinical-flags', file(text), 100);
    expect(first).toMatchObject({ status: 'APPLIED', rowsApplied: 1, rowsRejected: 3 });
    expect((await importRejects(admin, first.id)).map((r) => [r.row, r.field])).toEqual([
      [2, 'flag_code'],
      [3, 'from_date'],
      [4, 'nhs_number'],
    ]);
    const again = await run(admin, 'clinical-flags', file(`${header}\n${nhs(130)}|DIABETES|2020-01-01|2025-06-30|Type 2\n`));
    expect(again.counts).toMatchObject({ added: 0, updated: 1 });
    const flags = await db.query(
      `SELECT flag_code, to_date::text AS to_date FROM ims.clinical_flag f JOIN ims.person p ON p.id = f.person_id WHERE p.nhs_number = $1`,
      [nhs(130)],
    );
    expect(flags.rows).toEqual([{ flag_code: 'DIABETES', to_date: '2025-06-30' }]);
  });

  it('imports a staff list for every staff group the register knows', async () => {
    const people = STAFF_GROUPS.map((_, i) => nhs(140 + i));
    await run(admin, 'demographics-full', file([FULL, ...people.map((n) => fullRow(n, { date_of_birth: '1980-01-01' }))].join('\n')));
    const header = FEED_KIND_DEFINITIONS['staff-list'].columns.join('|');
    const rows = STAFF_GROUPS.map((g, i) => `${people[i]}|QKS|Ward ${i}|${g}|Role|${i % 2 ? 'Y' : 'N'}|2024-04-01|`);
    const summary = await run(
      admin,
      'staff-list',
      file([header, ...rows, `${people[0]}|QKS||NURSING|Nurse|maybe|2024-04-01|`].join('\n')),
      50,
    );
    expect(summary).toMatchObject({ status: 'APPLIED', rowsApplied: STAFF_GROUPS.length, rowsRejected: 1 });
    expect((await importRejects(admin, summary.id)).map((r) => r.field)).toEqual(expect.arrayContaining(['frontline', 'employer_code']));
    const count = await db.query(`SELECT count(*)::int AS n FROM ims.staff_record WHERE employer_code = 'QKS'`);
    expect(count.rows[0]!.n).toBe(STAFF_GROUPS.length);
  });

  it("refuses a role without the capability, and rejects rows outside a coordinator's scope", async () => {
    await expect(run(analyst, 'demographics-full', file([FULL, fullRow(nhs(120))].join('\n')))).rejects.toThrow(
      /permission denied for function feed_open|may not import/,
    );
    const summary = await run(
      coordinator,
      'demographics-full',
      file([FULL, fullRow(nhs(121)), fullRow(nhs(122), { practice_code: 'G82002' })].join('\n')),
      50,
    );
    expect(summary).toMatchObject({ status: 'APPLIED', rowsRejected: 1 });
    expect(await importRejects(coordinator, summary.id)).toEqual([
      { row: 2, field: 'practice_code', reason: 'Practice G82002 is outside your organisations.' },
    ]);
    expect(await person(nhs(122))).toBeUndefined();
    // Another user's rejects are not theirs to read.
    const other = await run(admin, 'demographics-full', file([FULL, fullRow(nhs(123), { gender: 'Z' }), fullRow(nhs(124))].join('\n')), 50);
    await expect(importRejects(coordinator, other.id)).rejects.toThrow(/no import/);
    // Nor may they write into another import's staging table.
    const opened = await admin.query(`SELECT api.feed_open('demographics-full', 'x.txt', 1, 5) AS r`);
    await expect(coordinator.query(`INSERT INTO ${opened[0].r.stage} (nhs_number) VALUES ($1)`, [nhs(125)])).rejects.toThrow(
      /permission denied/,
    );
  });
});
