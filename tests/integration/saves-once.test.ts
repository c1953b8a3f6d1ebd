// A save from a form is recorded once (issue 7: "a double-clicked save records the same dose
// twice"): each form sends an idempotency key, the database keeps it per user (0026), and a
// repeat, one after the other or at the same moment, is answered as the first save was. A key
// is compared only with the caller's own, so another user's use of it says nothing.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../main-api/administration/users.service';
import type { AdverseReaction, Batch, VaccinationEvent, VaccinationHandlers } from '../../main-api/contract/vaccination';
import { createVaccinationHandlers } from '../../main-api/vaccination/vaccination.service';
import { PRODUCT } from '../../main-api/shared/vocabulary/products';
import { uniqueName, type TestDatabase } from '../support/db';
import {
  addPerson,
  call,
  connectAs,
  dropRoles,
  nhsSequence,
  twoPracticeDatabase,
  value,
  type LoginUser,
  type UserConnections,
} from '../support/fixtures';
import { givenHereInput } from '../support/vaccination-event';

const TODAY = '2025-10-15';
const nhs = nhsSequence(999_760_000, 29);

describe('a save from a form is recorded once', () => {
  let db: TestDatabase;
  let connections: UserConnections;
  const users: Record<'nurse' | 'other' | 'analyst', LoginUser> = {} as never;
  let nurse: VaccinationHandlers; // child health at G82001
  let nurseAgain: VaccinationHandlers; // the same user on a second connection pool (a second window)
  let other: VaccinationHandlers; // coordinator at G82002
  let alpha: number; // at G82001
  let beta: number; // at G82002

  const count = async (sql: string, params: unknown[] = []): Promise<number> =>
    (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params)).rows[0]!.n;
  const eventsOf = (personId: number): Promise<number> => count(`ims.vaccination_event WHERE person_id = $1`, [personId]);

  beforeAll(async () => {
    ({ db, connections } = await twoPracticeDatabase());
    alpha = await addPerson(db, {
      nhsNumber: nhs(1),
      givenName: 'Alpha',
      familyName: 'Once',
      dateOfBirth: '2024-01-10',
      practiceCode: 'G82001',
    });
    beta = await addPerson(db, {
      nhsNumber: nhs(2),
      givenName: 'Beta',
      familyName: 'Once',
      dateOfBirth: '2024-02-10',
      practiceCode: 'G82002',
    });
    await db.query(`INSERT INTO ims.batch (product_code, batch_number, expiry_date) VALUES ($1, 'ONCE1', '2026-06-30')`, [
      PRODUCT.MMRVAXPRO,
    ]);
    users.nurse = await addUser(db.url, { name: uniqueName('t_once_nurse'), role: 'child-health', orgs: ['G82001'] });
    users.other = await addUser(db.url, { name: uniqueName('t_once_coord'), role: 'coordinator', orgs: ['G82002'] });
    users.analyst = await addUser(db.url, { name: uniqueName('t_once_analyst'), role: 'analyst', orgs: ['Y59'] });
    nurse = createVaccinationHandlers(await connections.open(users.nurse), () => TODAY);
    nurseAgain = createVaccinationHandlers(await connections.open(users.nurse), () => TODAY);
    other = createVaccinationHandlers(await connections.open(users.other), () => TODAY);
  });

  afterAll(async () => {
    await connections?.closeAll();
    await db?.drop();
    await dropRoles(Object.values(users).map((u) => u.name));
  });

  it('answers a repeated recording with the first one, one after the other', async () => {
    const key = randomUUID();
    const input = givenHereInput(alpha, PRODUCT.MMRVAXPRO, 'ONCE1', '2025-10-01', { idempotencyKey: key });
    const before = await eventsOf(alpha);
    const first = await value<VaccinationEvent>(call(nurse, 'vaccination.record', input));
    const again = await value<VaccinationEvent>(call(nurse, 'vaccination.record', input));
    expect(again).toEqual(first);
    expect(await eventsOf(alpha)).toBe(before + 1);
    // A new form (a new key) with the same details is a second dose, for the engine to warn about.
    const second = await value<VaccinationEvent>(call(nurse, 'vaccination.record', { ...input, idempotencyKey: randomUUID() }));
    expect(second.id).not.toBe(first.id);
    expect(await eventsOf(alpha)).toBe(before + 2);
  });

  it('records once when the same form is sent twice at the same moment', async () => {
    const key = randomUUID();
    const input = givenHereInput(alpha, PRODUCT.MMRVAXPRO, 'ONCE1', '2025-10-02', { idempotencyKey: key });
    const before = await eventsOf(alpha);
    const answers = await Promise.all([
      value<VaccinationEvent>(call(nurse, 'vaccination.record', input)),
      value<VaccinationEvent>(call(nurseAgain, 'vaccination.record', input)),
      value<VaccinationEvent>(call(nurse, 'vaccination.record', input)),
    ]);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(await eventsOf(alpha)).toBe(before + 1);
    expect(await count(`ims.form_save WHERE actor = $1 AND save_key = $2`, [users.nurse.name, key])).toBe(1);
  });

  it('refuses a key sent again with different details, and saves after a refused first try', async () => {
    const key = randomUUID();
    const input = givenHereInput(alpha, PRODUCT.MMRVAXPRO, 'ONCE1', '2025-10-03', { idempotencyKey: key });
    // Refused by the service: the claim goes with the failed transaction, so the fixed form saves.
    const refused = await call(nurse, 'vaccination.record', { ...input, occurredOn: '2030-01-01' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const saved = await value<VaccinationEvent>(call(nurse, 'vaccination.record', input));
    const changed = await call(nurse, 'vaccination.record', { ...input, notes: 'changed after saving' });
    expect(changed).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringMatching(/already saved/) } });
    expect(await value<VaccinationEvent>(call(nurse, 'vaccination.record', input))).toEqual(saved);
  });

  it('answers a repeated correction, entered-in-error, reaction and batch as the first', async () => {
    const given = await value<VaccinationEvent>(
      call(nurse, 'vaccination.record', givenHereInput(alpha, PRODUCT.MMRVAXPRO, 'ONCE1', '2025-10-04', { idempotencyKey: randomUUID() })),
    );
    const correction = { eventId: given.id, changes: { notes: 'Left thigh, checked' }, reason: 'typo', idempotencyKey: randomUUID() };
    const corrected = await Promise.all([
      value<VaccinationEvent>(call(nurse, 'vaccination.correct', correction)),
      value<VaccinationEvent>(call(nurseAgain, 'vaccination.correct', correction)),
    ]);
    expect(corrected[1]).toEqual(corrected[0]);
    expect(await count(`ims.vaccination_event WHERE supersedes_id = $1`, [given.id])).toBe(1);

    const reactionInput = {
      eventId: corrected[0].id,
      onsetAt: '2025-10-04T15:00:00Z',
      reactionCode: 'FEVER',
      seriousness: 'NOT_SERIOUS',
      outcome: 'RECOVERED',
      reporter: 'Parent',
      idempotencyKey: randomUUID(),
    };
    const reactions = await Promise.all([
      value<AdverseReaction>(call(nurse, 'reaction.record', reactionInput)),
      value<AdverseReaction>(call(nurseAgain, 'reaction.record', reactionInput)),
    ]);
    expect(reactions[1]).toEqual(reactions[0]);
    expect(await count(`ims.adverse_reaction WHERE vaccination_event_id = $1`, [corrected[0].id])).toBe(1);

    const withdrawal = { eventId: corrected[0].id, reason: 'wrong person', idempotencyKey: randomUUID() };
    const withdrawn = await value<VaccinationEvent>(call(nurse, 'vaccination.markEnteredInError', withdrawal));
    expect(withdrawn.status).toBe('ENTERED_IN_ERROR');
    // Before keys, the second click answered CONFLICT ("was marked as entered in error").
    expect(await value<VaccinationEvent>(call(nurse, 'vaccination.markEnteredInError', withdrawal))).toEqual(withdrawn);

    const batch = { productCode: PRODUCT.MMRVAXPRO, batchNumber: 'ONCE2', expiryDate: '2026-09-30', idempotencyKey: randomUUID() };
    const batches = await Promise.all([value<Batch>(call(nurse, 'batch.add', batch)), value<Batch>(call(nurseAgain, 'batch.add', batch))]);
    expect(batches[1]).toEqual(batches[0]);
    // Without a key the second is still the duplicate it always was.
    expect(await call(nurse, 'batch.add', { ...batch, idempotencyKey: undefined })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
  });

  describe("another user's use of a key says nothing", () => {
    it('saves afresh for another user with the same key, and answers an out-of-scope request as without it', async () => {
      const key = randomUUID();
      const mine = givenHereInput(alpha, PRODUCT.MMRVAXPRO, 'ONCE1', '2025-10-05', { idempotencyKey: key });
      const first = await value<VaccinationEvent>(call(nurse, 'vaccination.record', mine));

      // The coordinator at G82002 sends the nurse's whole request, key and all: the answer for a
      // person out of scope, word for word the same as with a key nobody used.
      const withUsedKey = await call(other, 'vaccination.record', mine);
      const withFreshKey = await call(other, 'vaccination.record', { ...mine, idempotencyKey: randomUUID() });
      expect(withUsedKey).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      expect(withUsedKey).toEqual(withFreshKey);

      // ... and the nurse's key with their own person: a new dose, not the nurse's.
      const theirs = await value<VaccinationEvent>(
        call(other, 'vaccination.record', givenHereInput(beta, PRODUCT.MMRVAXPRO, 'ONCE1', '2025-10-05', { idempotencyKey: key })),
      );
      expect(theirs.id).not.toBe(first.id);
      expect(theirs.personId).toBe(beta);
    });

    it('gives plain SQL the same answer for a key another user used as for a new one', async () => {
      const used = randomUUID();
      await value<VaccinationEvent>(
        call(nurse, 'vaccination.record', givenHereInput(alpha, PRODUCT.MMRVAXPRO, 'ONCE1', '2025-10-06', { idempotencyKey: used })),
      );
      const digest = 'a'.repeat(64);
      const coordinator = await connectAs(db.urlAs(users.other.name, users.other.password));
      try {
        const probe = async (key: string) => {
          await coordinator.query('BEGIN');
          try {
            return (await coordinator.query(`SELECT * FROM api.save_begin($1, $2)`, [key, digest])).rows;
          } finally {
            await coordinator.query('ROLLBACK');
          }
        };
        expect(await probe(used)).toEqual(await probe(randomUUID()));
        expect(await probe(used)).toEqual([{ first_save: true, same_request: true, result_id: null }]);
        for (const sql of [`SELECT * FROM ims.form_save`, `UPDATE ims.form_save SET result_id = 1`]) {
          await expect(coordinator.query(sql), sql).rejects.toMatchObject({ code: '42501' });
        }
      } finally {
        await coordinator.end();
      }
    });

    it('claims nothing for an analyst, who saves nothing', async () => {
      const analyst = await connectAs(db.urlAs(users.analyst.name, users.analyst.password));
      try {
        await expect(analyst.query(`SELECT * FROM api.save_begin($1, $2)`, [randomUUID(), 'a'.repeat(64)])).rejects.toMatchObject({
          code: '42501',
        });
      } finally {
        await analyst.end();
      }
    });
  });
});
