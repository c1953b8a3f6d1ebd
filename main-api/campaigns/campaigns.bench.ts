// Confirming a regional cohort's invitations, for `npm run bench`: a coordinator scoped to the
// ICB confirms the people aged 65 or over (a flu cohort) as one batch in daily waves of 20,000,
// then releases the first wave (its 20,000 pending invitation messages), inside a transaction
// rolled back afterwards; beside it, in the same run, a plain INSERT of one unindexed row per
// member into a scratch table (the floor for writing that many rows here). Target: 200,000
// invitations confirmed in at most 5 s.
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { BatchConfirmResult } from '../contract/campaigns';
import { CohortDefinition } from '../contract/cohorts';
import { inTransaction, query, withClient } from '../platform/db/database';
import { CampaignsRepository } from './campaigns.repository';

const BENCH_COHORT = CohortDefinition.parse({
  format: 1,
  name: 'Flu 2026-27: 65 and over',
  campaign: 'FLU_2026_27',
  referenceDate: '2027-03-31',
  criteria: { age: { min: 65 } },
  exclusions: { invitedWithinDays: 0, optedOutOfEveryChannel: false, noUsableContact: false },
});

export interface ConfirmBenchResult {
  invited: number;
  confirmMs: number;
  /** Messages made by releasing the first wave, and how long that took. */
  released: number;
  releaseMs: number;
  baselineMs: number;
}

/** One confirmation as the user (rolled back), and the plain insert of as many rows as the owner (rolled back). */
export async function benchConfirm(owner: DataSource, user: DataSource, organisationCode: string): Promise<ConfirmBenchResult> {
  const code = `BENCH-${Date.now() % 1_000_000}`;
  await user.transaction((tx) =>
    CampaignsRepository.save(tx, {
      code,
      name: 'Benchmark flu',
      programmeCode: 'FLU_2026_27',
      organisationCode,
      channels: ['LETTER', 'EMAIL', 'SMS'],
      bookingRoute: 'NATIONAL',
      bookingUrl: null,
      bookingPhone: null,
      recallSeries: [],
      templates: [{ purpose: 'INVITATION', channel: 'SMS', templateName: 'bench-sms', templateVersion: 1 }],
      reminderRules: [],
    }),
  );
  const repo = new CampaignsRepository(user);
  const batchId = await repo.draft(code, BENCH_COHORT, randomUUID());
  let result: BatchConfirmResult | null = null;
  let confirmMs = 0;
  let released = 0;
  let releaseMs = 0;
  await withClient(user, (c) =>
    inTransaction(
      c,
      async () => {
        const t = performance.now();
        result = await new CampaignsRepository(c).confirm(batchId, {
          mode: 'per-day',
          cap: 20_000,
          startOn: '2026-10-01',
          leadDays: 0,
          priority: 'oldest',
          practiceOrder: [],
        });
        confirmMs = performance.now() - t;
        const r = performance.now();
        released = await new CampaignsRepository(c).release(code, '2026-10-01');
        releaseMs = performance.now() - r;
      },
      { rollback: true },
    ),
  );
  const invited = (result as BatchConfirmResult | null)?.invited ?? 0;
  let baselineMs = 0;
  await withClient(owner, (c) =>
    inTransaction(
      c,
      async () => {
        const t = performance.now();
        await query(
          c,
          `CREATE TEMP TABLE bench_scratch ON COMMIT DROP AS
           SELECT p.id AS person_id, 1 AS wave, date '2026-10-01' AS release_on, 'SMS'::text AS channel, gen_random_uuid() AS reference
           FROM ims.person p ORDER BY p.id LIMIT $1`,
          [invited],
        );
        baselineMs = performance.now() - t;
      },
      { rollback: true },
    ),
  );
  return { invited, confirmMs, released, releaseMs, baselineMs };
}
