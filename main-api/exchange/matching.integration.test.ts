// The database's copy of the matching rules (ims.match_people, migration 0040) gives the same
// candidates, points and decisions as matching.rules.ts over the shared cases, all matched in
// one set-based call as a staging table's rows would be.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/db';
import { CASES, REGISTER } from './matching.cases';
import { decide } from './matching.rules';

interface Row {
  row_no: number;
  person_id: string;
  points: number;
  family_points: number;
  given_points: number;
  dob_points: number;
  sex_points: number;
  postcode_points: number;
  nhs: string;
  twin: boolean;
  certain: boolean;
}

describe('matching in the database', () => {
  let db: TestDatabase;
  let rows: Row[];

  beforeAll(async () => {
    db = await createTestDatabase();
    for (const p of REGISTER)
      await db.query(
        `INSERT INTO ims.person (id, nhs_number, given_name, family_name, date_of_birth, gender_code, postcode) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [p.personId, p.nhsNumber, p.givenName, p.familyName, p.dateOfBirth, p.genderCode, p.postcode],
      );
    // The cases as a staging table, matched in one statement.
    await db.query(`CREATE TABLE staging (row_no int, nhs text, family text, given text, dob date, sex text, pc text)`);
    for (const [i, c] of CASES.entries())
      await db.query(`INSERT INTO staging VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
        i,
        c.input.nhsNumber,
        c.input.familyName,
        c.input.givenName,
        c.input.dateOfBirth,
        c.input.genderCode,
        c.input.postcode,
      ]);
    rows = (
      await db.query<Row>(
        `SELECT * FROM ims.match_people(ARRAY(SELECT ROW(row_no, nhs, family, given, dob, sex, pc)::ims.match_input FROM staging))`,
      )
    ).rows;
  });

  afterAll(async () => {
    await db?.drop();
  });

  it.each(CASES.map((c, i) => [c.name, i] as const))('%s: the same as the rules', (_name, i) => {
    const expected = decide(CASES[i]!.input, REGISTER)
      .map((s) => ({ personId: s.personId, points: s.points, nhs: s.nhs, twin: s.twin, certain: s.certain, parts: s.parts }))
      .sort((a, b) => a.personId - b.personId);
    const actual = rows
      .filter((r) => r.row_no === i)
      .map((r) => ({
        personId: Number(r.person_id),
        points: r.points,
        nhs: r.nhs,
        twin: r.twin,
        certain: r.certain,
        parts: {
          familyName: r.family_points,
          givenName: r.given_points,
          dateOfBirth: r.dob_points,
          gender: r.sex_points,
          postcode: r.postcode_points,
        },
      }))
      .sort((a, b) => a.personId - b.personId);
    expect(actual).toEqual(expected);
    expect(actual.find((a) => a.certain)?.personId ?? null).toBe(CASES[i]!.certain);
  });

  it('is not callable by application users directly', async () => {
    const r = await db.query(`SELECT has_function_privilege('ims_child_health', 'ims.match_people(ims.match_input[])', 'EXECUTE') AS ok`);
    expect(r.rows[0]!.ok).toBe(false);
  });
});
