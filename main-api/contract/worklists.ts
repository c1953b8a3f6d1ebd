// Channels for child health: the child register (filtered, sorted, paged by keyset, counted and
// exported), worklists of overdue children tracked to zero, actions on a child, a child's
// actions on their record, and the did-not-attend follow-up list. Child health staff and
// administrators, within their scope (migration 0041); a child's actions on their record are
// read by every role that reads records.
import { z } from 'zod';
import { isoDate, type HandlersOf } from './common';
import {
  CallOutcome,
  ChildActionKind,
  ChildAgeBand,
  ChildSort,
  ChildStatus,
  DeclineReason,
  DnaNextAction,
  WorklistGrouping,
} from '../shared/vocabulary/child-health';
import { ContactChannel } from '../shared/vocabulary/contact';
import { CommunicationStatus } from '../shared/vocabulary/campaigns';

const MAX_CODES = 500;

/** A list of codes, each once (a repeated code is dropped). */
const codes = <T extends z.ZodType<string | number>>(code: T) =>
  z
    .array(code)
    .min(1, 'List at least one')
    .max(MAX_CODES, `List at most ${MAX_CODES}`)
    .transform((list) => [...new Set(list)]);

const pattern = (re: RegExp, what: string, max: number) =>
  z
    .string()
    .max(max, { message: `Not ${what}`, abort: true })
    .regex(re, `Not ${what}`);

const OdsCode = pattern(/^[A-Z0-9]{3,8}$/, 'an ODS code (3 to 8 capital letters or digits)', 8);
const LocalAuthorityCode = pattern(/^[EW]0[6-9][0-9]{6}$/, 'a local authority code (e.g. E06000035)', 9);
const PostcodeDistrict = pattern(/^[A-Z]{1,2}[0-9][0-9A-Z]?$/, 'a postcode district (e.g. ME1, SW1A)', 4);
const SchoolUrn = pattern(/^[0-9]{6,7}$/, 'a school URN (6 or 7 digits)', 7);
const YearGroup = z.number().int().min(-1, 'Year groups run from -1 (nursery) to 14').max(14, 'Year groups run from -1 (nursery) to 14');
const Days = z.number().int().min(0, 'At least 0 days').max(99_999, 'At most 99,999 days');

/**
 * Which children: every field narrows the list; a field left out does not. Locality is the local
 * authority or the postcode district (the register records no health visitor area).
 */
export const ChildFilter = z
  .object({
    practices: codes(OdsCode).optional(),
    localAuthorities: codes(LocalAuthorityCode).optional(),
    districts: codes(PostcodeDistrict).optional(),
    schools: codes(SchoolUrn).optional(),
    yearGroups: codes(YearGroup).optional(),
    ageBands: codes(ChildAgeBand).optional(),
    statuses: codes(ChildStatus).optional(),
    minDaysOverdue: Days.optional(),
    maxDaysOverdue: Days.optional(),
  })
  .strict()
  .refine((f) => f.minDaysOverdue === undefined || f.maxDaysOverdue === undefined || f.minDaysOverdue <= f.maxDaysOverdue, {
    message: 'The fewest days overdue cannot be more than the most',
    path: ['maxDaysOverdue'],
  });
export type ChildFilter = z.infer<typeof ChildFilter>;

/** A page's position: the last row's sort keys, as the previous page gave them. */
const Cursor = z.array(z.union([z.string().max(100), z.number()])).max(3);
const PersonId = z.number().int().positive();
const Count = z.number().int().nonnegative();
const PageSize = z.number().int().min(1).max(500).default(50);

const OwedDose = z.object({
  seriesId: z.string(),
  name: z.string(),
  status: z.enum(['OVERDUE', 'DUE']),
  dose: z.number().int().nullable(),
  dueDate: isoDate.nullable(),
  overdueFrom: isoDate.nullable(),
});

export const ChildRow = z.object({
  personId: PersonId,
  nhsNumber: z.string(),
  givenName: z.string(),
  familyName: z.string(),
  dateOfBirth: isoDate,
  practiceCode: z.string().nullable(),
  practiceName: z.string().nullable(),
  localAuthority: z.string().nullable(),
  postcodeDistrict: z.string().nullable(),
  schoolUrn: z.string().nullable(),
  schoolName: z.string().nullable(),
  yearGroup: z.number().int().nullable(),
  status: ChildStatus,
  overdueFrom: isoDate.nullable(),
  daysOverdue: z.number().int().nullable(),
  owed: z.array(OwedDose),
});
export type ChildRow = z.infer<typeof ChildRow>;

const RegisterPage = z.object({ rows: z.array(ChildRow), next: Cursor.nullable() });

const RegisterCounts = z.object({ total: Count, OVERDUE: Count, DUE: Count, INCOMPLETE: Count, COMPLETE: Count });

const WorklistId = z.number().int().positive();
const RoleName = z
  .string()
  .max(63, 'At most 63 characters')
  .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'A user name');

export const WorklistSummary = z.object({
  id: WorklistId,
  name: z.string(),
  groupBy: WorklistGrouping,
  assignedTo: z.string().nullable(),
  createdBy: z.string(),
  createdOn: isoDate,
  members: Count,
  open: Count,
});
export type WorklistSummary = z.infer<typeof WorklistSummary>;

/** Why a dose is owed, in the schedule engine's own words, per overdue series. */
const OwedWhy = z.object({ seriesId: z.string(), name: z.string(), explanation: z.array(z.string()) });

export const WorklistRow = ChildRow.extend({ groupKey: z.string(), why: z.array(OwedWhy) });
export type WorklistRow = z.infer<typeof WorklistRow>;

export const WorklistView = z.object({
  worklist: z.object({
    id: WorklistId,
    name: z.string(),
    groupBy: WorklistGrouping,
    assignedTo: z.string().nullable(),
    createdBy: z.string(),
    createdOn: isoDate,
    filter: z.record(z.string(), z.unknown()),
  }),
  counts: z.object({
    members: Count,
    open: Count,
    noLongerOverdue: Count,
    /** Members closed by an action, by its kind. */
    closed: z.partialRecord(ChildActionKind, Count),
    /** Actions recorded from this worklist, by kind. */
    actions: z.partialRecord(ChildActionKind, Count),
  }),
  groups: z.array(z.object({ key: z.string(), label: z.string(), members: Count, open: Count })),
  rows: z.array(WorklistRow),
  next: Cursor.nullable(),
});
export type WorklistView = z.infer<typeof WorklistView>;

const Note = z
  .string()
  .max(1000, 'At most 1,000 characters')
  // eslint-disable-next-line no-control-regex -- tabs and new lines are text; other control characters are not
  .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), 'No control characters');

const ChildActionInput = z
  .object({
    personId: PersonId,
    worklistId: WorklistId.nullable().default(null),
    bookingId: z.number().int().positive().nullable().default(null),
    kind: ChildActionKind,
    callOutcome: CallOutcome.nullable().default(null),
    declineReason: DeclineReason.nullable().default(null),
    note: Note.nullable().default(null),
  })
  .superRefine((a, ctx) => {
    if (a.kind === 'CALL' && a.callOutcome === null)
      ctx.addIssue({ code: 'custom', path: ['callOutcome'], message: 'Choose how the call went' });
    if (a.kind !== 'CALL' && a.callOutcome !== null)
      ctx.addIssue({ code: 'custom', path: ['callOutcome'], message: 'Only a call has an outcome' });
    if (a.kind === 'DECLINE' && a.declineReason === null)
      ctx.addIssue({ code: 'custom', path: ['declineReason'], message: 'Choose the reason given' });
    if (a.kind !== 'DECLINE' && a.declineReason !== null)
      ctx.addIssue({ code: 'custom', path: ['declineReason'], message: 'Only a decline has a reason' });
    const needsNote = a.kind === 'CONTRAINDICATED' || a.kind === 'REFER_GP' || a.declineReason === 'OTHER';
    if (needsNote && (a.note ?? '').trim() === '') ctx.addIssue({ code: 'custom', path: ['note'], message: 'Say why' });
  });

const ChildActionResult = z.object({
  id: z.number().int().positive(),
  communicationId: z.number().int().positive().nullable(),
  channel: ContactChannel.nullable(),
  /** Worklists the child was closed on. */
  closedOn: Count,
});

export const ChildActionView = z.object({
  id: z.number().int().positive(),
  kind: ChildActionKind,
  callOutcome: CallOutcome.nullable(),
  declineReason: DeclineReason.nullable(),
  note: z.string().nullable(),
  series: z.array(z.string()),
  worklistId: z.number().int().nullable(),
  worklistName: z.string().nullable(),
  bookingId: z.number().int().nullable(),
  communicationId: z.number().int().nullable(),
  channel: ContactChannel.nullable(),
  communicationStatus: CommunicationStatus.nullable(),
  recordedBy: z.string(),
  recordedAt: z.string(),
});
export type ChildActionView = z.infer<typeof ChildActionView>;

export const DnaRow = ChildRow.extend({
  bookingId: z.number().int().positive(),
  missedOn: isoDate,
  campaignName: z.string(),
  daysSinceMissed: Count,
  followUpStatus: CommunicationStatus.nullable(),
  lettersSince: Count,
  callsSince: Count,
  lastCallOutcome: CallOutcome.nullable(),
  referredToGp: z.boolean(),
  nextAction: DnaNextAction,
});
export type DnaRow = z.infer<typeof DnaRow>;

export const worklistChannels = {
  'childHealth.register.page': {
    input: z.object({
      filter: ChildFilter.default({}),
      sort: ChildSort.default('overdue'),
      descending: z.boolean().default(false),
      after: Cursor.nullable().default(null),
      limit: PageSize,
    }),
    output: RegisterPage,
  },
  'childHealth.register.counts': { input: z.object({ filter: ChildFilter.default({}) }), output: RegisterCounts },
  /** The matching children as CSV (at most 100,000 rows), every row's read audited. */
  'childHealth.register.export': {
    input: z.object({ filter: ChildFilter.default({}), sort: ChildSort.default('overdue') }),
    output: z.object({ fileName: z.string(), csv: z.string(), rows: Count }),
  },
  'worklists.list': { input: z.object({}), output: z.array(WorklistSummary) },
  'worklists.assignees': { input: z.object({}), output: z.array(z.object({ roleName: z.string(), displayName: z.string() })) },
  /** A worklist of the overdue children matching the filter in the caller's scope (statuses are set to overdue). */
  'worklists.create': {
    input: z.object({
      name: z.string().trim().min(1, 'Name the worklist').max(120, 'At most 120 characters'),
      filter: ChildFilter.default({}),
      groupBy: WorklistGrouping.default('PRACTICE'),
      assignTo: RoleName.nullable().default(null),
    }),
    output: z.object({ id: WorklistId, members: Count }),
  },
  'worklists.assign': { input: z.object({ id: WorklistId, assignTo: RoleName.nullable() }), output: z.object({ id: WorklistId }) },
  'worklists.open': {
    input: z.object({
      id: WorklistId,
      group: z.string().max(16).nullable().default(null),
      after: Cursor.nullable().default(null),
      limit: PageSize,
    }),
    output: WorklistView,
  },
  'childHealth.action.record': { input: ChildActionInput, output: ChildActionResult },
  'childHealth.person.actions': { input: z.object({ personId: PersonId }), output: z.array(ChildActionView) },
  'childHealth.dna.page': {
    input: z.object({ after: Cursor.nullable().default(null), limit: PageSize }),
    output: z.object({ rows: z.array(DnaRow), next: Cursor.nullable() }),
  },
} as const;

export type WorklistHandlers = HandlersOf<typeof worklistChannels>;
