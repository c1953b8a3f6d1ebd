// SQL for movers in and out, run as the signed-in user through the audited api functions of
// migration 0043: the arrival is read and written only for a person in the user's scope.
import { userDisplayName } from '../administration';
import { queryOne, type Queryable } from '../platform/db/database';

export interface ArrivalRow {
  arrivedOn: string;
  fromCountry: string | null;
  fromArea: string | null;
  recordedBy: string;
  recordedAt: string;
}

/** Why the arrival is read, as the audit records it. */
export type ArrivalPurpose = 'catch-up plan' | 'transfer summary';

export class MoversRepository {
  constructor(private readonly db: Queryable) {}

  /** The person's arrival; null when none is recorded, or the person is absent or out of scope. */
  arrival(personId: number, purpose: ArrivalPurpose): Promise<ArrivalRow | null> {
    return queryOne<ArrivalRow>(
      this.db,
      `SELECT a.arrived_on AS "arrivedOn", a.from_country AS "fromCountry", a.from_area AS "fromArea",
              ${userDisplayName('a.recorded_by')} AS "recordedBy", a.recorded_at AS "recordedAt"
       FROM api.person_arrival($1, $2) a`,
      [personId, purpose],
    );
  }

  /** Records or replaces the arrival; the database refuses a person out of scope and a role that may not record. */
  async setArrival(personId: number, arrivedOn: string, fromCountry: string | null, fromArea: string | null): Promise<void> {
    await queryOne(this.db, `SELECT api.person_arrival_set($1, $2::date, $3, $4)`, [personId, arrivedOn, fromCountry, fromArea]);
  }
}
