// SQL for the printable record beyond the person and their history: who issues it. Runs as the
// signed-in user.
import { queryOne, type Queryable } from '../platform/db/database';

export interface Issuer {
  code: string;
  name: string;
}

export class PrintableRecordRepository {
  constructor(private readonly db: Queryable) {}

  /** The first organisation (by name) in the signed-in user's scope; null for none. */
  issuer(): Promise<Issuer | null> {
    return queryOne<Issuer>(this.db, `SELECT code, name FROM api.my_organisations() LIMIT 1`);
  }
}
