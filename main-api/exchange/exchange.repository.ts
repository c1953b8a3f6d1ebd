// All of the exchange domain's SQL. Every statement calls an api function of migration 0040,
// which checks the caller's role and scope and audits; this file binds values and turns the
// functions' refusals into the contract's errors. Runs on the signed-in user's connection, or
// the owner's for the command line.
import type { ReviewDecision, ReviewItem } from '../contract/exchange';
import { withRefusals } from '../platform/db/errors';
import { query, queryOne, type Queryable } from '../platform/db/database';
import type { ImportOutcome, V5Action } from '../shared/vocabulary/exchange';
import type { ExportEvent, ExportPerson, ExportReaction } from './fhir-export.rules';
import type { IncomingImmunization } from './fhir-import.rules';
import type { V5Source } from './v5-file.rules';

function mapped<T>(work: Promise<T>): Promise<T> {
  return withRefusals(work, {
    P0002: 'NOT_FOUND',
    '42501': 'FORBIDDEN',
    '23505': 'CONFLICT',
    '55000': 'CONFLICT',
    '55P03': 'CONFLICT',
    '23514': 'VALIDATION',
    '23503': 'VALIDATION',
    '22023': 'VALIDATION',
    '22007': 'VALIDATION',
    '22008': 'VALIDATION',
  });
}

async function one<T>(db: Queryable, sql: string, params: unknown[]): Promise<T> {
  const row = await mapped(queryOne<{ v: T }>(db, sql, params));
  return row!.v;
}

export interface ImportAnswer {
  outcome: ImportOutcome;
  personId?: number;
  eventId?: number;
  reviewId?: number;
  reason?: string;
}

export interface ClaimedRow {
  action: V5Action;
  held: string | null;
  row: V5Source;
}

export class ExchangeRepository {
  constructor(private readonly db: Queryable) {}

  importEvent(item: IncomingImmunization, hash: string): Promise<ImportAnswer> {
    return one(this.db, 'SELECT api.exchange_import_event($1::jsonb, $2::jsonb, $3, $4) AS v', [
      JSON.stringify(item.person),
      JSON.stringify(item.event),
      hash,
      item.enteredInError,
    ]);
  }

  reviewQueue(status: string, limit: number): Promise<ReviewItem[]> {
    return one(this.db, 'SELECT api.exchange_review_queue($1, $2) AS v', [status, limit]);
  }

  reviewItem(id: number): Promise<ReviewItem> {
    return one(this.db, 'SELECT api.exchange_review_item($1) AS v', [id]);
  }

  decide(d: ReviewDecision): Promise<ReviewItem> {
    return one(this.db, 'SELECT api.exchange_review_decide($1, $2, $3, $4) AS v', [d.id, d.decision, d.personId, d.note]);
  }

  /** A person's (or an organisation's period's) events; null when the person is not available. */
  fhirEvents(
    by: { personId: number } | { org: string; from: string; to: string },
  ): Promise<{ persons: ExportPerson[]; events: ExportEvent[]; reactions: ExportReaction[] } | null> {
    const args = 'personId' in by ? [by.personId, null, null, null] : [null, by.org, by.from, by.to];
    return one(this.db, 'SELECT api.exchange_fhir_events($1, $2, $3::date, $4::date) AS v', args);
  }

  /** Claims a channel's unsent rows and marks them sent, in the caller's transaction. */
  async claim(kind: 'V5' | 'GP', code: string, fileStamp: string): Promise<ClaimedRow[]> {
    const rows = await mapped(
      query<{ action: V5Action; held: string | null; row_data: V5Source }>(
        this.db,
        'SELECT action, held, row_data FROM api.exchange_export_claim($1, $2, $3)',
        [kind, code, fileStamp],
      ),
    );
    return rows.map((r) => ({ action: r.action, held: r.held, row: r.row_data }));
  }

  async practicesDue(): Promise<string[]> {
    const rows = await mapped(query<{ practice_code: string }>(this.db, 'SELECT practice_code FROM api.exchange_gp_practices_due()'));
    return rows.map((r) => r.practice_code);
  }
}
