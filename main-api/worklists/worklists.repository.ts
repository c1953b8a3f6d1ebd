// The child health worklists' SQL, run as the signed-in user's role: everything comes from the
// api schema's functions (migration 0041), which check the request again, apply the user's
// scope and audit each child's read.
import type { ChildFilter, ChildRow, WorklistSummary } from '../contract/worklists';
import { query, queryOne, type Queryable } from '../platform/db/database';
import { withRefusals } from '../platform/db/errors';
import type { ChildSort, ChildActionKind, CallOutcome, DeclineReason } from '../shared/vocabulary/child-health';
import type { CommunicationStatus } from '../shared/vocabulary/campaigns';
import type { ContactChannel } from '../shared/vocabulary/contact';

/** The functions' own refusals, in their own words. */
function refusals<T>(work: Promise<T>): Promise<T> {
  return withRefusals(
    work,
    { P0002: 'NOT_FOUND', '42501': 'FORBIDDEN', '22023': 'VALIDATION' },
    { P0002: 'Not available to you.', '42501': 'Your role may not use the child health worklists.' },
  );
}

type Cursor = (string | number)[];

export interface RawWorklistView {
  worklist: {
    id: number;
    name: string;
    groupBy: 'PRACTICE' | 'SCHOOL';
    assignedTo: string | null;
    createdBy: string;
    createdOn: string;
    filter: Record<string, unknown>;
  };
  counts: {
    members: number;
    open: number;
    noLongerOverdue: number;
    closed: Partial<Record<ChildActionKind, number>>;
    actions: Partial<Record<ChildActionKind, number>>;
  };
  groups: { key: string; label: string; members: number; open: number }[];
  rows: (ChildRow & { groupKey: string })[];
  next: Cursor | null;
}

export interface RawDnaRow extends ChildRow {
  bookingId: number;
  missedOn: string;
  campaignName: string;
  daysSinceMissed: number;
  followUpStatus: CommunicationStatus | null;
  lettersSince: number;
  callsSince: number;
  lastCallOutcome: CallOutcome | null;
  referredToGp: boolean;
}

export interface ActionToRecord {
  personId: number;
  worklistId: number | null;
  bookingId: number | null;
  kind: ChildActionKind;
  callOutcome: CallOutcome | null;
  declineReason: DeclineReason | null;
  note: string | null;
}

export class WorklistRepository {
  constructor(private readonly db: Queryable) {}

  async registerPage(
    filter: ChildFilter,
    sort: ChildSort,
    descending: boolean,
    after: Cursor | null,
    limit: number,
    today: string,
  ): Promise<{ rows: ChildRow[]; next: Cursor | null }> {
    const row = await refusals(
      queryOne<{ r: { rows: ChildRow[]; next: Cursor | null } }>(
        this.db,
        'SELECT api.child_register_page($1::jsonb, $2, $3, $4::jsonb, $5, $6::date) AS r',
        [JSON.stringify(filter), sort, descending, after === null ? null : JSON.stringify(after), limit, today],
      ),
    );
    return row!.r;
  }

  async registerCounts(filter: ChildFilter, today: string): Promise<Record<string, number>> {
    const row = await refusals(
      queryOne<{ r: Record<string, number> }>(this.db, 'SELECT api.child_register_counts($1::jsonb, $2::date) AS r', [
        JSON.stringify(filter),
        today,
      ]),
    );
    return row!.r;
  }

  async registerExport(filter: ChildFilter, sort: ChildSort, today: string, limit: number): Promise<ChildRow[]> {
    const rows = await refusals(
      query<{ r: ChildRow }>(this.db, 'SELECT r FROM api.child_register_export($1::jsonb, $2, $3::date, $4) AS r', [
        JSON.stringify(filter),
        sort,
        today,
        limit,
      ]),
    );
    return rows.map((x) => x.r);
  }

  async list(): Promise<WorklistSummary[]> {
    const row = await refusals(queryOne<{ r: WorklistSummary[] }>(this.db, 'SELECT api.worklists() AS r'));
    return row!.r;
  }

  async assignees(): Promise<{ roleName: string; displayName: string }[]> {
    const row = await refusals(
      queryOne<{ r: { roleName: string; displayName: string }[] }>(this.db, 'SELECT api.worklist_assignees() AS r'),
    );
    return row!.r;
  }

  async create(
    name: string,
    filter: ChildFilter,
    groupBy: string,
    assignTo: string | null,
    today: string,
  ): Promise<{ id: number; members: number }> {
    const row = await refusals(
      queryOne<{ r: { id: number; members: number } }>(this.db, 'SELECT api.worklist_create($1, $2::jsonb, $3, $4, $5::date) AS r', [
        name,
        JSON.stringify(filter),
        groupBy,
        assignTo,
        today,
      ]),
    );
    return row!.r;
  }

  async assign(id: number, assignTo: string | null): Promise<void> {
    await refusals(query(this.db, 'SELECT api.worklist_assign($1, $2)', [id, assignTo]));
  }

  async open(id: number, group: string | null, after: Cursor | null, limit: number, today: string): Promise<RawWorklistView> {
    const row = await refusals(
      queryOne<{ r: RawWorklistView }>(this.db, 'SELECT api.worklist_open($1, $2, $3::jsonb, $4, $5::date) AS r', [
        id,
        group,
        after === null ? null : JSON.stringify(after),
        limit,
        today,
      ]),
    );
    return row!.r;
  }

  async recordAction(
    a: ActionToRecord,
  ): Promise<{ id: number; communicationId: number | null; channel: ContactChannel | null; closedOn: number }> {
    const row = await refusals(
      queryOne<{ r: { id: number; communicationId: number | null; channel: ContactChannel | null; closedOn: number } }>(
        this.db,
        'SELECT api.child_action_record($1, $2, $3, $4, $5, $6, $7) AS r',
        [a.personId, a.worklistId, a.bookingId, a.kind, a.callOutcome, a.declineReason, a.note],
      ),
    );
    return row!.r;
  }

  /** A child's actions, or null when the person is not available to the caller. */
  async personActions(personId: number): Promise<unknown[] | null> {
    const row = await refusals(
      queryOne<{ r: unknown[] | null }>(this.db, 'SELECT api.person_child_actions($1, $2) AS r', [personId, 'child health actions']),
    );
    return row?.r ?? null;
  }

  async dnaPage(after: Cursor | null, limit: number, today: string): Promise<{ rows: RawDnaRow[]; next: Cursor | null }> {
    const row = await refusals(
      queryOne<{ r: { rows: RawDnaRow[]; next: Cursor | null } }>(this.db, 'SELECT api.did_not_attend_page($1::jsonb, $2, $3::date) AS r', [
        after === null ? null : JSON.stringify(after),
        limit,
        today,
      ]),
    );
    return row!.r;
  }
}
