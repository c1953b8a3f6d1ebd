// The product's roles: one code set, with the group role each maps to in the database, the words
// people see, and what each role may do. The screen hides what a role cannot do; the database
// refuses it regardless (grants on the group roles in migrations/0002_security.sql).
import { z } from 'zod';
import { codeSet } from './code-set';

export const [ROLE_CODES, RoleCode, ROLE_LABELS] = codeSet({
  administrator: 'Administrator',
  coordinator: 'Immunisation coordinator',
  'child-health': 'Child health',
  'occupational-health': 'Occupational health',
  analyst: 'Analyst (read only)',
});
export type RoleCode = z.infer<typeof RoleCode>;

/** The PostgreSQL group role behind each product role. */
export const ROLE_GROUP: Record<RoleCode, string> = {
  administrator: 'ims_administrator',
  coordinator: 'ims_coordinator',
  'child-health': 'ims_child_health',
  'occupational-health': 'ims_occupational_health',
  analyst: 'ims_analyst',
};

const ROLE_OF_GROUP = new Map(Object.entries(ROLE_GROUP).map(([role, group]) => [group, role as RoleCode]));

/** The product role for a database group role name, or null for a role that is not one of ours. */
export function roleOfGroup(group: string): RoleCode | null {
  return ROLE_OF_GROUP.get(group) ?? null;
}

// campaigns.view: campaigns and a person's invitations and messages; campaigns.run: set up
// campaigns, confirm invitations, run reminders and recall, record and import bookings (0032).
// letters.manage: write a campaign's letter, email and text templates and produce its letters
// (0035); reading and previewing templates goes with campaigns.view.
// feeds.import: import files from other systems (demographic feeds, ...) through api.feed_* (0039).
// child-health.worklists: the child register, worklists of overdue children, actions on a child
// and the did-not-attend list (0041).
// schools.run: plan school sessions, record consent and the day's outcomes (0070).
// cohort.count: exact counts of people matching a cohort definition (api.cohort_count, 0031).
const CAPABILITIES = [
  'record.view',
  'vaccination.record',
  'record.print',
  'coverage.view',
  'cohort.count',
  'users.manage',
  'rules.manage',
  'campaigns.view',
  'campaigns.run',
  'letters.manage',
  'sending.configure',
  'feeds.import',
  'child-health.worklists',
  'schools.run',
] as const;
export const Capability = z.enum(CAPABILITIES);
export type Capability = z.infer<typeof Capability>;

const CAN: Record<RoleCode, readonly Capability[]> = {
  // Importing and activating rule files (campaigns, schedules): migration 0033 allows no one else.
  administrator: [
    'record.view',
    'vaccination.record',
    'record.print',
    'coverage.view',
    'cohort.count',
    'users.manage',
    'rules.manage',
    'campaigns.view',
    'campaigns.run',
    'letters.manage',
    // How messages leave: the Notify key, template ids, the mail server (api.sending_settings_check, 0036).
    'sending.configure',
    'feeds.import',
    'child-health.worklists',
    'schools.run',
  ],
  coordinator: [
    'record.view',
    'vaccination.record',
    'record.print',
    'coverage.view',
    'cohort.count',
    'campaigns.view',
    'campaigns.run',
    'letters.manage',
    'feeds.import',
  ],
  // Child health departments receive the demographic feeds; ims.may_import_feeds (0039) allows the same three roles.
  'child-health': [
    'record.view',
    'vaccination.record',
    'record.print',
    'coverage.view',
    'cohort.count',
    'campaigns.view',
    'child-health.worklists',
    'feeds.import',
    'schools.run',
  ],
  'occupational-health': ['record.view', 'vaccination.record', 'record.print', 'coverage.view', 'cohort.count', 'campaigns.view'],
  // Aggregates with small numbers suppressed, never rows about people (issue 7); a cohort count
  // is exact and unsuppressed, so analysts have none (api.cohort_count is not granted to them).
  analyst: ['coverage.view'],
};

/** What a person holding these roles may do: the union over their roles, in a stable order. */
export function capabilitiesOf(roles: readonly RoleCode[]): Capability[] {
  const held = new Set(roles.flatMap((r) => CAN[r]));
  return CAPABILITIES.filter((c) => held.has(c));
}
