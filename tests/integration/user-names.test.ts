// One user, one name: whoever signs in, records, corrects, withdraws or opens a record is shown
// by the user directory's display name on every channel that names them, and a role with no
// directory entry (the schema owner, loading data) by its login role name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdverseReaction, VaccinationEvent, VaccinationHistory } from '../../main-api/contract/vaccination';
import type { PersonRecord } from '../../main-api/contract/people';
import { createVaccinationHandlers } from '../../main-api/vaccination/vaccination.service';
import { PersonRepository } from '../../main-api/people/person.repository';
import { PersonService } from '../../main-api/people/person.service';
import { addUser } from '../../main-api/administration/users.service';
import { PRODUCT } from '../../main-api/shared/vocabulary/products';
import { SessionRepository } from '../../main-api/administration/session.repository';
import { createTestDatabase, uniqueName } from '../support/db';
import { addPerson, call, nhsSequence, TWO_PRACTICES_SQL, userConnections, value } from '../support/fixtures';

const TODAY = '2025-10-15';
const nhs = nhsSequence(999_300_000, 11);

/** A database with a child at G82001 and a nurse there whose directory entry names her Nia Nurse. */
async function openWorld() {
  const db = await createTestDatabase();
  const connections = userConnections(db);
  await db.query(TWO_PRACTICES_SQL);
  const child = await addPerson(db, {
    nhsNumber: nhs(1),
    givenName: 'Ada',
    familyName: 'Names',
    dateOfBirth: '2024-01-10',
    practiceCode: 'G82001',
  });
  const nurse = await addUser(db.url, { name: uniqueName('nurse'), role: 'child-health', orgs: ['G82001'], displayName: 'Nia Nurse' });
  const ds = await connections.open(nurse);
  const close = async (): Promise<void> => {
    await connections.closeAll();
    await db.drop();
  };
  return { db, child, nurse, ds, handlers: createVaccinationHandlers(ds, () => TODAY), close };
}

describe('the name a user is shown by', () => {
  let world: Awaited<ReturnType<typeof openWorld>>;
  beforeAll(async () => {
    world = await openWorld();
  });
  afterAll(() => world.close());

  it('is the display name when signed in, recording, correcting, withdrawing, reporting a reaction and viewing', async () => {
    const session = await new SessionRepository(world.ds).sessionInfo('embedded', { host: 'h', database: 'd' }, 'test', TODAY);
    expect(session).toMatchObject({ user: world.nurse.name, displayName: 'Nia Nurse' });

    const dose = {
      personId: world.child,
      programmeCode: 'ROUTINE_CHILDHOOD',
      outcome: 'GIVEN',
      occurredOn: '2025-10-14',
      productCode: PRODUCT.MMRVAXPRO,
      batch: { batchNumber: 'NM0001', expiryDate: '2026-06-30' },
    };
    const first = await value<VaccinationEvent>(call(world.handlers, 'vaccination.record', dose));
    expect(first.recordedBy).toBe('Nia Nurse');
    const corrected = await value<VaccinationEvent>(
      call(world.handlers, 'vaccination.correct', { eventId: first.id, changes: { doseSequence: 1 }, reason: 'Dose number missed' }),
    );
    const reaction = await value<AdverseReaction>(
      call(world.handlers, 'reaction.record', {
        eventId: corrected.id,
        onsetAt: '2025-10-14T15:00:00Z',
        reactionCode: 'FEVER',
        seriousness: 'NOT_SERIOUS',
        outcome: 'RECOVERED',
        reporter: 'Parent',
      }),
    );
    expect(reaction.recordedBy).toBe('Nia Nurse');
    const second = await value<VaccinationEvent>(
      call(world.handlers, 'vaccination.record', {
        ...dose,
        occurredOn: '2025-10-13',
        batch: { batchNumber: 'NM0002', expiryDate: '2026-06-30' },
      }),
    );
    await value(call(world.handlers, 'vaccination.markEnteredInError', { eventId: second.id, reason: 'Wrong child' }));

    const history = await value<VaccinationHistory>(call(world.handlers, 'vaccination.history', { personId: world.child }));
    const byId = new Map(history.events.map((e) => [e.id, e]));
    expect(byId.get(first.id)).toMatchObject({ status: 'SUPERSEDED', recordedBy: 'Nia Nurse', statusChangedBy: 'Nia Nurse' });
    expect(byId.get(corrected.id)).toMatchObject({ status: 'ACTIVE', recordedBy: 'Nia Nurse', statusChangedBy: null });
    expect(byId.get(second.id)).toMatchObject({ status: 'ENTERED_IN_ERROR', statusChangedBy: 'Nia Nurse' });
    expect(history.reactions.map((r) => r.recordedBy)).toEqual(['Nia Nurse']);

    const people = new PersonService(new PersonRepository(world.ds), () => TODAY);
    const record = (await people.open({ id: world.child })) as PersonRecord;
    expect(record.recentViews.map((v) => v.viewedBy)).toEqual(['Nia Nurse']);
    // The login role's name never shows where the user is named.
    expect(JSON.stringify({ history, record })).not.toContain(world.nurse.name);
  });

  it('falls back to the login role name for a role the directory does not know', async () => {
    const owner = (await world.db.query<{ name: string }>(`SELECT current_user AS name`)).rows[0]!.name;
    // As a bulk load writes: the owner's own connection, with no directory entry.
    const loaded = await world.db.query<{ id: string }>(
      `INSERT INTO ims.vaccination_event (person_id, programme_code, outcome, occurred_on, product_code, primary_source, source_system, source_id)
       VALUES ($1, 'ROUTINE_CHILDHOOD', 'GIVEN', '2025-01-12', $2, false, 'LOAD', 'names-1') RETURNING id`,
      [world.child, PRODUCT.MMRVAXPRO],
    );
    const history = await value<VaccinationHistory>(call(world.handlers, 'vaccination.history', { personId: world.child }));
    expect(history.events.find((e) => e.id === Number(loaded.rows[0]!.id))?.recordedBy).toBe(owner);
  });
});
