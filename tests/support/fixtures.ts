// Fixtures shared by the integration tests: synthetic NHS numbers, the small organisation tree
// most tests need, application connections as scoped users, and calls through dispatch().
import pg from 'pg';
import { inject } from 'vitest';
import type { DataSource } from 'typeorm';
import type { Handlers } from '../../main-api/contract/contract';
import type { Result } from '../../main-api/contract/result';
import { nhsCheckDigit } from '../../main-api/shared/identifiers/nhs-number';
import { dispatch } from '../../main-api/host/dispatch';
import { openDataSource } from '../../main-api/platform/db/datasource';
import { createTestDatabase, type TestDatabase } from './db';

/**
 * Valid synthetic NHS numbers (999 range): the n-th is the first valid one at or after
 * base + n * step. Each file uses its own base so its people are easy to tell apart.
 */
export function nhsSequence(base: number, step: number): (n: number) => string {
  return (n) => {
    for (let stem = base + n * step; ; stem++) {
      const check = nhsCheckDigit(String(stem));
      if (check !== null) return `${stem}${check}`;
    }
  };
}

/** Region Y59 > ICB QKS > practices G82001 and G82002 (as GP practices). */
export const TWO_PRACTICES_SQL = `
  INSERT INTO ims.organisation (code, name, org_type, parent_code) VALUES
    ('Y59', 'South East', 'REGION', NULL), ('QKS', 'Kent and Medway ICB', 'ICB', 'Y59'),
    ('G82001', 'Alpha Surgery', 'GP', 'QKS'), ('G82002', 'Beta Practice', 'GP', 'QKS');
  INSERT INTO ims.gp_practice (code) VALUES ('G82001'), ('G82002');`;

export interface PersonFixture {
  nhsNumber: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  practiceCode: string;
  postcode?: string;
}

/** Registers a person directly (as the owner) and returns the new id. */
export async function addPerson(db: TestDatabase, p: PersonFixture): Promise<number> {
  const r = await db.query<{ id: string }>(
    `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code, postcode)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [p.nhsNumber, p.givenName, p.familyName, p.dateOfBirth, p.practiceCode, p.postcode ?? null],
  );
  return Number(r.rows[0]!.id);
}

/**
 * A plain pg connection as whoever the URL names (db.urlAs(...) for a login role): the
 * security tests talk to the database exactly as a tampered client could. Close it with end().
 */
export async function connectAs(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  // As for the test database's own pool (db.ts): a lost idle connection is reported, and the
  // next query on it fails its test.
  client.on('error', (e) => console.error(`test connection ${client.user ?? ''}: lost:`, e.message));
  await client.connect();
  return client;
}

/** Runs work on a plain pg connection of its own, closed afterwards. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connectAs(url);
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface LoginUser {
  name: string;
  password: string;
}

export interface UserConnections {
  open: (user: LoginUser) => Promise<DataSource>;
  closeAll: () => Promise<void>;
}

/** Application connections opened as login roles, all closed together after the file. */
export function userConnections(db: TestDatabase): UserConnections {
  const sources: DataSource[] = [];
  return {
    async open(user) {
      const ds = await openDataSource(db.urlAs(user.name, user.password));
      sources.push(ds);
      return ds;
    },
    async closeAll() {
      for (const s of sources.splice(0)) await s.destroy();
    },
  };
}

/**
 * One request through the host's own boundary (input and output parsing, errors as values).
 * Tests build only the handlers they exercise; a channel without one fails as INTERNAL.
 */
export function call(handlers: Partial<Handlers>, channel: string, input: unknown): Promise<Result<unknown>> {
  return dispatch(handlers as Handlers, channel, input, (message, error) => console.error(message, error));
}

/** The value of a successful result; a failure fails the test with its code and message. */
export async function value<T>(result: Promise<Result<unknown>>): Promise<T> {
  const r = await result;
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

/** Drops login roles a test made (roles are server-wide, so they outlive the test's database). */
export async function dropRoles(roles: readonly string[]): Promise<void> {
  const su = await connectAs(inject('adminUrl'));
  try {
    for (const r of roles) await su.query(`DROP ROLE IF EXISTS ${su.escapeIdentifier(r)}`);
  } finally {
    await su.end();
  }
}

/**
 * The start of most integration files: a fresh database holding the two-practice tree, and a
 * set of application connections as login roles on it. Close with connections.closeAll() and
 * db.drop() after the file.
 */
export async function twoPracticeDatabase(): Promise<{ db: TestDatabase; connections: UserConnections }> {
  const db = await createTestDatabase();
  await db.query(TWO_PRACTICES_SQL);
  return { db, connections: userConnections(db) };
}
