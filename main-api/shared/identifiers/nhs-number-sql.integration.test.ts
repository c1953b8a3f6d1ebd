// The database's NHS number check agrees with the application's on every kind of input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidNhsNumber } from './nhs-number';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/db';

describe('ims.nhs_number_valid', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('matches the TypeScript rule for 20,000 consecutive numbers, including check digits of 10 and 11', async () => {
    const candidates: string[] = [];
    for (let stem = 999_000_000; stem < 999_002_000; stem++) for (let d = 0; d <= 9; d++) candidates.push(`${stem}${d}`);
    const { rows } = await db.query<{ n: string; ok: boolean }>(`SELECT n, ims.nhs_number_valid(n) AS ok FROM unnest($1::text[]) AS n`, [
      candidates,
    ]);
    const mismatches = rows.filter((r) => r.ok !== isValidNhsNumber(r.n));
    expect(mismatches).toEqual([]);
    expect(rows.filter((r) => r.ok).length).toBeGreaterThan(1_500);
  });

  it('refuses wrong shapes', async () => {
    const { rows } = await db.query<{ ok: boolean }>(
      `SELECT ims.nhs_number_valid(n) AS ok FROM unnest(ARRAY['943476591', '94347659190', '943476591X', ' 943476591', '']) AS n`,
    );
    expect(rows.map((r) => r.ok)).toEqual([false, false, false, false, false]);
    const good = await db.query(`SELECT ims.nhs_number_valid('9434765919') AS ok`);
    expect(good.rows[0]!.ok).toBe(true);
  });
});
