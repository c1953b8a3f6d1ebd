// One user, one name: whoever signs in, records, corrects, withdraws or opens a record is shown
// by the user directory's display name on every channel that names them, and a role with no
// directory entry (the schema owner, loading data) by its login role name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import type { AdverseReaction, VaccinationEvent, VaccinationHandlers, VaccinationHistory } from '../../main-api/contract/vaccination';
import type { PersonRecord } from '../../main-api/contract/people';
import { createVaccinationHandlers } from '../../main-api/vaccination/vaccination.service';
import { PersonRepository } from '../../main-api/people/person.repository';
import { PersonService } from '../../main-api/people/person.service';
import { addUser } from '../../main-api/administration/users.service';
import { SessionRepository } from '../../main-api/administration/session.repository';
import { createTestDatabase, uniqueName, type TestDatabase } from '../support/db';
import { addPerson, call, nhsSequence, TWO_PRACTICES_SQL, userConnections, value, type LoginUser } from '../support/fixtures';

const TODAY = '2025-10-15';
const MMRVAXPRO = '13968211000001108';
const nhs = nhsSequence(999_300_000, 11);

describe('the name a user is shown by', () => {
  let db: TestDatabase;
  let connections: ReturnType<typeof userConnections>;
  let nurse: LoginUser;
  let nurseDs: DataSource;
  let handlers: VaccinationHandlers;
  let child: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    connections = userConnections(db);
    await db.query(TWO_PRACTICES_SQL);
    child = await addPerson(db, {
      nhsNumber: nhs(1),
      givenName: 'Ada',
      familyName: 'Names',
      dateOfBirth: '2024-01-10',
      practiceCode: 'G82001',
    });
    nurse = await addUser(db.url, { name: uniqueName('nurse'), role: 'child-health', orgs: ['G82001'], displayName: 'Nia Nurse' });
    nurseDs = await connections.open(nurse);
    handlers = createVaccinationHandlers(nurseDs, () => TODAY);
  });

  afterAll(async () => {
    await connections.closeAll();
    await db.drop();
  });

  it('is the display name when signed in, recording, correcting, withdrawing, reporting a reaction and viewing', async () => {
    const session = await new SessionRepository(nurseDs).sessionInfo('embedded', { host: 'h', database: 'd' }, 'test', TODAY);
    expect(session).toMatchObject({ user: nurse.name, displayName: 'Nia Nurse' });

    const dose = {
      personId: child,
      programmeCode: 'ROUTINE_CHILDHOOD',
      outcome: 'GIVEN',
      occurredOn: '2025-10-14',
      productCode: MMRVAXPRO,
      batch: { batchNumber: 'NM0001', expiryDate: '2026-06-30' },
    };
    const first = await value<VaccinationEvent>(call(handlers, 'vaccination.record', dose));
    expect(first.recordedBy).toBe('Nia Nurse');
    const corrected = await value<VaccinationEvent>(
      call(handlers, 'vaccination.correct', { eventId: first.id, changes: { doseSequence: 1 }, reason: 'Dose number missed' }),
    );
    const reaction = await value<AdverseReaction>(
      call(handlers, 'reaction.record', {
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
      call(handlers, 'vaccination.record', {
        ...dose,
        occurredOn: '2025-10-13',
        batch: { batchNumber: 'NM0002', expiryDate: '2026-06-30' },
      }),
    );
    await value(call(handlers, 'vaccination.markEnteredInError', { eventId: second.id, reason: 'Wrong child' }));

    const history = await value<VaccinationHistory>(call(handlers, 'vaccination.history', { personId: child }));
    const byId = new Map(history.events.map((e) => [e.id, e]));
    expect(byId.get(first.id)).toMatchObject({ status: 'SUPERSEDED', recordedBy: 'Nia Nurse', statusChangedBy: 'Nia Nurse' });
    expect(byId.get(corrected.id)).toMatchObject({ status: 'ACTIVE', recordedBy: 'Nia Nurse', statusChangedBy: null });
    expect(byId.get(second.id)).toMatchObject({ status: 'ENTERED_IN_ERROR', statusChangedBy: 'Nia Nurse' });
    expect(history.reactions.map((r) => r.recordedBy)).toEqual(['Nia Nurse']);

    const people = new PersonService(new PersonRepository(nurseDs), () => TODAY);
    const record = (await people.open({ id: child })) as PersonRecord;
    expect(record.recentViews.map((v) => v.viewedBy)).toEqual(['Nia Nurse']);
    // The login role's name never shows where the user is named.
    expect(JSON.stringify({ history, record })).not.toContain(nurse.name);
  });

  it('falls back to the login role name for a role the directory does not know', async () => {
    const owner = (await db.query<{ name: string }>(`SELECT current_user AS name`)).rows[0]!.name;
    // As a bulk load writes: the owner's own connection, with no directory entry.
    const loaded = await db.query<{ id: string }>(
      `INSERT INTO ims.vaccination_event (person_id, programme_code, outcome, occurred_on, product_code, primary_source, source_system, source_id)
       VALUES ($1, 'ROUTINE_CHILDHOOD', 'GIVEN', '2025-01-12', $2, false, 'LOAD', 'names-1') RETURNING id`,
      [child, MMRVAXPRO],
    );
    const history = await value<VaccinationHistory>(call(handlers, 'vaccination.history', { personId: child }));
    expect(history.events.find((e) => e.id === Number(loaded.rows[0]!.id))?.recordedBy).toBe(owner);
  });
});
