// The printable record through the host's full set of user handlers, as a scoped user.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRODUCT } from '../shared/vocabulary/products';
import { addUser } from '../administration/users.service';
import { dispatch } from '../host/dispatch';
import { userHandlers } from '../host/host';
import type { Handlers } from '../contract/contract';
import { uniqueName, type TestDatabase } from '../../tests/support/db';
import { addPerson, nhsSequence, twoPracticeDatabase } from '../../tests/support/fixtures';
import type { UserConnections } from '../../tests/support/fixtures';
import { givenHereInput } from '../../tests/support/vaccination-event';

const nhs = nhsSequence(999_300_000, 11);

describe('printable vaccination record, and the status kept after recording', () => {
  let db: TestDatabase;
  let connections: UserConnections;
  let handlers: Handlers;
  let child: number;
  let outsider: number;

  beforeAll(async () => {
    ({ db, connections } = await twoPracticeDatabase());
    const insert = (i: number, practiceCode: string) =>
      addPerson(db, {
        nhsNumber: nhs(i),
        givenName: 'Zoë',
        familyName: 'Ng',
        dateOfBirth: '2024-01-10',
        postcode: 'ME14 1AA',
        practiceCode,
      });
    child = await insert(1, 'G82001');
    outsider = await insert(2, 'G82002');
    await db.query(`INSERT INTO ims.contact_details (person_id, address_line1, town) VALUES ($1, '1 High Street', 'Maidstone')`, [child]);
    await db.query(`INSERT INTO ims.batch (product_code, batch_number, expiry_date) VALUES ($1, 'AB1234', '2027-01-31')`, [
      PRODUCT.MMRVAXPRO,
    ]);
    const nurse = await addUser(db.url, { name: uniqueName('nurse'), role: 'child-health', orgs: ['G82001'] });
    handlers = userHandlers(await connections.open(nurse)) as Handlers;
  });

  afterAll(async () => {
    await connections.closeAll();
    await db.drop();
  });

  it('produces a PDF of the history and audits the print', async () => {
    const recorded = await dispatch(handlers, 'vaccination.record', givenHereInput(child, PRODUCT.MMRVAXPRO, 'AB1234', '2025-01-12'));
    expect(recorded.ok, JSON.stringify(recorded)).toBe(true);
    // Recording keeps the maintained schedule status current for worklists.
    const status = await db.query(`SELECT count(*)::int AS n FROM ims.series_status WHERE person_id = $1`, [child]);
    expect(status.rows[0]!.n).toBeGreaterThan(0);

    const r = await dispatch(handlers, 'record.printable', { personId: child });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (!r.ok) return;
    const doc = r.value as { fileName: string; base64: string; contentType: string };
    expect(doc.contentType).toBe('application/pdf');
    expect(doc.fileName).toMatch(/^vaccination-record-Ng-Zoe-\d{10}-\d{4}-\d{2}-\d{2}\.pdf$/);
    const pdf = Buffer.from(doc.base64, 'base64');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(5_000);
    const views = await db.query(`SELECT purpose FROM audit.record_view WHERE person_id = $1`, [child]);
    expect(views.rows.map((v) => v.purpose)).toContain('print');
  });

  it('refuses a person outside the user scope', async () => {
    const r = await dispatch(handlers, 'record.printable', { personId: outsider });
    expect(r).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});
