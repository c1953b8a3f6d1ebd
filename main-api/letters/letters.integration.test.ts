// Letters as real login roles: a coordinator writes versioned templates (unknown merge fields
// refused by the contract and, behind it, by the database), previews one with a real person in
// scope (an audited read; a person out of scope is refused), and produces a campaign's letters in
// worker threads; a run stopped after a file is written but before it is recorded resumes
// without producing any letter twice, and a letter that cannot be made is reported with the
// person and the reason while the rest go on.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { addUser } from '../administration/users.service';
import type { MessageTemplate, Preview, ProductionProgress } from '../contract/letters';
import { extractPdfPages } from '../platform/pdf/pdf-text';
import { createTestDatabase, uniqueName, type TestDatabase } from '../../tests/support/db';
import { call, dropRoles, nhsSequence, userConnections, value, type UserConnections } from '../../tests/support/fixtures';
import { letterReader } from '../sending';
import { countPages } from './letter.pdf';
import { createLetterHandlers } from './letters.service';
import { MANIFEST, startProduction } from './production.service';

const nhs = nhsSequence(999_630_000, 7);
const PASSWORD = 'letters-test-password';
const TODAY = '2026-10-05';

const TREE = `
INSERT INTO ims.organisation (code, name, org_type, parent_code) VALUES
  ('Y59', 'South East', 'REGION', NULL), ('QKS', 'Kent and Medway ICB', 'ICB', 'Y59'),
  ('G82001', 'Alpha Surgery', 'GP', 'QKS'), ('G82002', 'Beta Practice', 'GP', 'QKS'),
  ('Y60', 'Elsewhere', 'REGION', NULL), ('G99001', 'Far Surgery', 'GP', 'Y60');
INSERT INTO ims.gp_practice (code) VALUES ('G82001'), ('G82002'), ('G99001');
INSERT INTO ims.campaign (id, code, name, programme_code, organisation_code, channels, booking_route, booking_phone)
  VALUES (1, 'FLU-LETTERS', 'Flu 2026 to 2027', 'FLU_2026_27', 'QKS', ARRAY['LETTER', 'SMS'], 'PHONE', '01622 123456');
INSERT INTO ims.clinic (campaign_id, name, postcode) VALUES (1, 'Maidstone clinic', 'ME14 1XX');
INSERT INTO ims.invitation_batch (id, campaign_id, draft_key, definition)
  VALUES (1, 1, gen_random_uuid(), '{"format": 1, "name": "Letters", "referenceDate": "2026-08-31", "criteria": {}}');
`;

type Handlers = ReturnType<typeof createLetterHandlers>;

const INVITATION =
  'Dear ((first name)) ((last name)),\n\nYou are invited for your flu vaccination at ((clinic)).((booking phone?? Phone ((booking phone)) to book.))';

describe('letters', () => {
  let db: TestDatabase;
  let connections: UserConnections;
  const names = { coord: uniqueName('t_let_coord'), far: uniqueName('t_let_far'), nurse: uniqueName('t_let_nurse') };
  let coordDs: DataSource;
  let coord: Handlers;
  let far: Handlers;
  let nurse: Handlers;
  const outDir = mkdtempSync(join(tmpdir(), 'ims-letters-test-'));
  let n = 0;

  /** People with pending invitation letters; returns their ids. */
  async function addLetterPeople(
    count: number,
    practice: string,
    address: Partial<Record<'line1' | 'postcode', string>> = {},
  ): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < count; i++) {
      const r = await db.query<{ id: string }>(
        `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code, postcode)
         VALUES ($1, 'Given', $2, '1950-01-01', $3, $4) RETURNING id`,
        [nhs(++n), `Family${String(n).padStart(3, '0')}`, practice, address.postcode ?? 'ME14 1AA'],
      );
      const id = Number(r.rows[0]!.id);
      ids.push(id);
      await db.query(
        `INSERT INTO ims.contact_details (person_id, address_line1, town, preferred_channel, preferred_language) VALUES ($1, $2, 'Maidstone', 'LETTER', $3)`,
        [id, address.line1 ?? `${n} High Street`, n % 5 === 0 ? 'cy' : null],
      );
      await db.query(
        `WITH i AS (INSERT INTO ims.invitation (campaign_id, person_id, batch_id, wave, planned_release_on, channel)
                    VALUES (1, $1, 1, 1, '2026-10-01', 'LETTER') RETURNING id)
         INSERT INTO ims.communication (person_id, campaign_id, invitation_id, purpose, channel) SELECT $1, 1, i.id, 'INVITATION', 'LETTER' FROM i`,
        [id],
      );
    }
    return ids;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    connections = userConnections(db);
    await db.query(TREE);
    await addUser(db.url, { name: names.coord, role: 'coordinator', orgs: ['QKS'], password: PASSWORD });
    await addUser(db.url, { name: names.far, role: 'coordinator', orgs: ['G99001'], password: PASSWORD });
    await addUser(db.url, { name: names.nurse, role: 'child-health', orgs: ['G82001'], password: PASSWORD });
    coordDs = await connections.open({ name: names.coord, password: PASSWORD });
    coord = createLetterHandlers(
      coordDs,
      () => TODAY,
      () => outDir,
    );
    far = createLetterHandlers(
      await connections.open({ name: names.far, password: PASSWORD }),
      () => TODAY,
      () => outDir,
    );
    nurse = createLetterHandlers(
      await connections.open({ name: names.nurse, password: PASSWORD }),
      () => TODAY,
      () => outDir,
    );
  });

  afterAll(async () => {
    await connections?.closeAll();
    await db?.drop();
    await dropRoles(Object.values(names));
  });

  it('saves templates as versions, keeping the old ones, and puts the one asked for into use', async () => {
    const v1 = await value<MessageTemplate>(
      call(coord, 'letters.template.save', {
        campaignCode: 'FLU-LETTERS',
        name: 'flu-invitation-letter',
        purpose: 'INVITATION',
        channel: 'LETTER',
        subject: 'Your flu vaccination',
        body: 'Dear ((first name)),\n\nFirst draft.',
        use: true,
      }),
    );
    expect(v1).toMatchObject({ version: 1, inUse: true, createdBy: names.coord });
    const v2 = await value<MessageTemplate>(
      call(coord, 'letters.template.save', {
        campaignCode: 'FLU-LETTERS',
        name: 'flu-invitation-letter',
        purpose: 'INVITATION',
        channel: 'LETTER',
        subject: 'Your flu vaccination',
        body: INVITATION,
        variants: {
          cy: {
            subject: 'Eich brechiad ffliw',
            body: 'Annwyl ((first name)),\n\nFe’ch gwahoddir i gael eich brechiad ffliw yn ((clinic)).',
          },
        },
        basedOn: 1,
        use: true,
      }),
    );
    expect(v2).toMatchObject({ version: 2, inUse: true });
    // Someone still editing version 1 cannot overwrite version 2.
    const stale = await call(coord, 'letters.template.save', {
      campaignCode: 'FLU-LETTERS',
      name: 'flu-invitation-letter',
      purpose: 'INVITATION',
      channel: 'LETTER',
      subject: 'Old',
      body: 'Old text',
      basedOn: 1,
    });
    expect(stale).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringContaining('Version 2') } });
    const all = await value<MessageTemplate[]>(call(nurse, 'letters.templates', { campaignCode: 'FLU-LETTERS' }));
    expect(all.map((t) => [t.version, t.inUse])).toEqual([
      [2, true],
      [1, false],
    ]);
    // The campaign's two versions (the standing templates shipped by migration 0078 were audited too).
    const audited = await db.query(
      `SELECT count(*)::int AS n FROM audit.change_log WHERE table_name = 'ims.message_template' AND new_row->>'campaign_id' IS NOT NULL`,
    );
    expect(audited.rows[0]!.n).toBe(2);
    // Child health staff read templates but do not write them.
    const refused = await call(nurse, 'letters.template.save', {
      campaignCode: 'FLU-LETTERS',
      name: 'nurse-letter',
      purpose: 'INVITATION',
      channel: 'LETTER',
      body: 'Hello',
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('refuses a template naming an unknown field, naming the field, in the application and in the database', async () => {
    const r = await call(coord, 'letters.template.save', {
      campaignCode: 'FLU-LETTERS',
      name: 'bad-text',
      purpose: 'REMINDER',
      channel: 'SMS',
      body: 'Hi ((first name)), bring your ((shoe size)).',
    });
    expect(r).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(JSON.stringify(r)).toContain('Unknown merge field ((shoe size))');

    // A client that skips the application's check meets the database's.
    const direct = await coordDs
      .query(
        `SELECT api.message_template_save('FLU-LETTERS', 'bad-text', 'REMINDER', 'SMS', NULL, 'Bring your ((Shoe_Size))', '{}', NULL, false)`,
      )
      .then(
        () => 'saved',
        (e: Error) => e.message,
      );
    expect(direct).toBe('Unknown merge field ((shoe size)).');
    const nested = await coordDs
      .query(
        `SELECT api.message_template_save('FLU-LETTERS', 'bad-text', 'REMINDER', 'SMS', NULL, '((booking phone?? Call ((shoe size)).))', '{}', NULL, false)`,
      )
      .then(
        () => 'saved',
        (e: Error) => e.message,
      );
    expect(nested).toBe('Unknown merge field ((shoe size)).');
    const inVariant = await db
      .query(
        `INSERT INTO ims.message_template (campaign_id, name, version, purpose, channel, body, variants)
         VALUES (1, 'bad-welsh', 1, 'INVITATION', 'SMS', 'Hi ((first name))', '{"cy": {"body": "Helo ((enw cyntaf))"}}')`,
      )
      .then(
        () => 'saved',
        (e: Error) => e.message,
      );
    expect(inVariant).toBe('Unknown merge field ((enw cyntaf)).');
  });

  it('previews a template with a real person in scope, audited, and refuses one out of scope', async () => {
    const [inside] = await addLetterPeople(1, 'G82001');
    const [outside] = await addLetterPeople(1, 'G99001', { postcode: 'TN1 1AA' });
    const before = await db.query(`SELECT count(*)::int AS n FROM audit.record_view WHERE person_id = $1 AND actor = $2`, [
      inside,
      names.nurse,
    ]);
    const p = await value<Preview>(
      call(nurse, 'letters.preview', {
        campaignCode: 'FLU-LETTERS',
        personId: inside,
        channel: 'LETTER',
        subject: 'Your flu vaccination',
        body: INVITATION,
      }),
    );
    expect(p.text).toMatch(
      /^Dear Given Family\d+,\n\nYou are invited for your flu vaccination at Maidstone clinic\. Phone 01622 123456 to book\.$/,
    );
    expect(p.addressProblem).toBeNull();
    const pages = extractPdfPages(Buffer.from(p.pdf!.base64, 'base64'));
    expect(pages).toHaveLength(1);
    expect(pages[0]!.join('\n')).toContain('Maidstone clinic');
    const after = await db.query(`SELECT count(*)::int AS n FROM audit.record_view WHERE person_id = $1 AND actor = $2`, [
      inside,
      names.nurse,
    ]);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n + 1);

    const sms = await value<Preview>(
      call(nurse, 'letters.preview', {
        campaignCode: 'FLU-LETTERS',
        personId: inside,
        channel: 'SMS',
        body: 'Hi ((first name)), book on ((booking phone)).',
      }),
    );
    expect(sms.sms).toMatchObject({ encoding: 'GSM', parts: 1, characters: sms.text.length });
    expect(sms.pdf).toBeNull();

    const refused = await call(nurse, 'letters.preview', { campaignCode: 'FLU-LETTERS', personId: outside, channel: 'SMS', body: 'Hi' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const elsewhere = await call(far, 'letters.preview', { campaignCode: 'FLU-LETTERS', personId: inside, channel: 'SMS', body: 'Hi' });
    expect(elsewhere).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('produces every pending letter once, resuming a run stopped between writing a file and recording it', async () => {
    await db.query(`UPDATE ims.communication SET status = 'SENT', status_at = now(), sent_at = now()`); // the preview's people
    await addLetterPeople(9, 'G82002');
    const [bad] = await addLetterPeople(1, 'G82001', { line1: '(care of) the warden' });
    const pending = 10;

    // First attempt: stops after file 2 is on disk but before the database hears of it.
    const first = await startProduction(
      coordDs,
      { campaignCode: 'FLU-LETTERS', layout: 'BATCH', perFile: 3, purpose: null, dueBy: TODAY, largePrint: false },
      {
        outDir,
        today: TODAY,
        workers: 2,
        afterWrite: (fileNo) => {
          if (fileNo === 2) throw new Error('power cut');
        },
      },
    );
    const stopped = await first.done;
    if (stopped.error && !stopped.error.includes('power cut')) throw new Error(stopped.error);
    expect(stopped).toMatchObject({ state: 'failed', error: expect.stringContaining('power cut') });
    const planned = await db.query(`SELECT status, count(*)::int AS n FROM ims.letter_output WHERE run_id = $1 GROUP BY status`, [
      first.runId,
    ]);
    expect(planned.rows.find((r) => r.status === 'PLANNED')).toBeDefined();

    // Started again: the same run resumes, drawing the unrecorded file again under the same name.
    const progress: ProductionProgress[] = [];
    const second = await startProduction(
      coordDs,
      { campaignCode: 'FLU-LETTERS', layout: 'BATCH', perFile: 3, purpose: null, dueBy: TODAY, largePrint: false },
      { outDir, today: TODAY, workers: 2, onProgress: (p) => progress.push(p) },
    );
    expect(second.runId).toBe(first.runId);
    const end = await second.done;
    expect(end).toMatchObject({ state: 'done', resumed: true, produced: pending - 1, failed: 1, total: pending });
    expect(end.failures).toEqual([
      { communicationId: expect.any(Number), personId: bad, reason: expect.stringContaining('starts with “(”') },
    ]);
    expect(progress.some((p) => p.state === 'running' && p.lettersPerSecond > 0)).toBe(true);

    // Each letter in exactly one file, recorded once, with its template version.
    const outputs = await db.query(
      `SELECT o.status, o.file_no, o.first_page, o.language, m.template_name, m.template_version, m.status AS comm
         FROM ims.letter_output o JOIN ims.communication m ON m.id = o.communication_id WHERE o.run_id = $1 ORDER BY o.file_no, o.seq`,
      [first.runId],
    );
    expect(outputs.rows).toHaveLength(pending);
    const produced = outputs.rows.filter((r) => r.status === 'PRODUCED');
    expect(produced.every((r) => r.template_name === 'flu-invitation-letter' && r.template_version === 2 && r.comm === 'SENT')).toBe(true);
    expect(produced.some((r) => r.language === 'cy')).toBe(true);

    // Files of 3 by family name: the refused letter (the last name) was alone in file 4, so it has no PDF.
    const files = readdirSync(second.folder).sort();
    expect(files).toEqual(['letters-0001.pdf', 'letters-0002.pdf', 'letters-0003.pdf', MANIFEST]);
    const manifest = readFileSync(join(second.folder, MANIFEST), 'utf8').trim().split('\n');
    expect(manifest[0]).toBe('file,page,pages,reference,person id,nhs number,name,address,postcode');
    const people = manifest.slice(1).map((l) => l.split(',')[4]);
    expect(people).toHaveLength(pending - 1);
    expect(new Set(people).size).toBe(pending - 1);
    let pagesInFiles = 0;
    for (const f of files.filter((x) => x.endsWith('.pdf'))) pagesInFiles += countPages(readFileSync(join(second.folder, f)));
    expect(pagesInFiles).toBe(pending - 1);
    // Manifest pages point at each letter's own page in its file.
    const row = manifest[1]!.split(',');
    const text = extractPdfPages(readFileSync(join(second.folder, row[0]!)));
    expect(text[Number(row[1]) - 1]!.join(' ')).toContain(row[6]);

    // A later run finds nothing left but the failed letter, which it reports again.
    const again = await startProduction(
      coordDs,
      { campaignCode: 'FLU-LETTERS', layout: 'BATCH', perFile: 3, purpose: null, dueBy: TODAY, largePrint: false },
      { outDir, today: TODAY, workers: 0 },
    );
    expect(again.runId).not.toBe(first.runId);
    expect(await again.done).toMatchObject({ state: 'done', produced: 0, failed: 1 });
    expect(existsSync(join(again.folder, 'letters-0001.pdf'))).toBe(false);
  });

  it('cancels a run, returning the letters it had not drawn to the pool', async () => {
    await addLetterPeople(6, 'G82001');
    const run = await startProduction(
      coordDs,
      { campaignCode: 'FLU-LETTERS', layout: 'PER_LETTER', perFile: 2, purpose: null, dueBy: TODAY, largePrint: true },
      { outDir, today: TODAY, workers: 1 },
    );
    run.cancel();
    const end = await run.done;
    expect(end.state).toBe('cancelled');
    const left = await db.query(`SELECT count(*)::int AS n FROM ims.letter_output WHERE run_id = $1 AND status = 'PLANNED'`, [run.runId]);
    expect(left.rows[0]!.n).toBe(0);
    const produced = await db.query(`SELECT count(*)::int AS n FROM ims.letter_output WHERE run_id = $1 AND status = 'PRODUCED'`, [
      run.runId,
    ]);
    const pdfs = readdirSync(run.folder).filter((f) => f.endsWith('.pdf'));
    expect(pdfs).toHaveLength(produced.rows[0]!.n);
    // What was not produced is produced by the next run, once each, one PDF per letter.
    const next = await startProduction(
      coordDs,
      { campaignCode: 'FLU-LETTERS', layout: 'PER_LETTER', perFile: 2, purpose: null, dueBy: TODAY, largePrint: true },
      { outDir, today: TODAY, workers: 1 },
    );
    const done = await next.done;
    expect(done.produced + produced.rows[0]!.n).toBe(6);
    const first = readdirSync(next.folder).find((f) => f.endsWith('.pdf'))!;
    const pages = extractPdfPages(readFileSync(join(next.folder, first)));
    expect(pages.length).toBeGreaterThanOrEqual(1);
    // The sender finds each letter where production put it, by the communication's reference.
    const refs = await db.query<{ reference: string }>(
      `SELECT c.reference::text AS reference FROM ims.letter_output o JOIN ims.communication c ON c.id = o.communication_id
        WHERE o.run_id = $1 AND o.status = 'PRODUCED'`,
      [next.runId],
    );
    expect(refs.rows.length).toBe(done.produced);
    const read = letterReader(outDir);
    for (const { reference } of refs.rows) {
      expect((await read(reference))?.equals(readFileSync(join(next.folder, `${reference}.pdf`)))).toBe(true);
    }
  });
});
