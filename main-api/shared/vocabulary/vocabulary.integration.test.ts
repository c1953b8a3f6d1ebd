// The code sets in SQL and in TypeScript are one vocabulary: every list a CHECK constraint
// allows, and every reference table of codes, must match the sets in this folder exactly, so
// a migration and the application cannot drift apart unnoticed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/db';
import { ANTIGEN_CODES, ANTIGEN_LABELS } from './antigens';
import {
  BATCH_STATUSES,
  BOOKING_ROUTES,
  BOOKING_SOURCES,
  BOOKING_STATUSES,
  COMMUNICATION_PURPOSES,
  COMMUNICATION_STATUSES,
  STORED_COMMUNICATION_PURPOSES,
} from './campaigns';
import { CALL_OUTCOMES, CHILD_ACTION_KINDS, CHILD_STATUSES, CLOSING_ACTIONS, DECLINE_REASONS, WORKLIST_GROUPINGS } from './child-health';
import { CONTACT_CHANNELS } from './contact';
import {
  LETTER_LANGUAGES,
  LETTER_OUTPUT_STATUSES,
  LETTER_RUN_LAYOUTS,
  LETTER_RUN_STATUSES,
  MERGE_FIELDS,
  STANDING_TEMPLATE_PURPOSES,
  MERGE_FIELD_LABELS,
  TEMPLATE_PURPOSES,
} from './letters';
import { DELIVERY_STATUSES, PROVIDERS } from './sending';
import { REVIEW_KINDS, REVIEW_STATUSES, V5_ACTIONS } from './exchange';
import { RULE_FILE_KINDS, RULE_FILE_STATUSES } from './rule-files';
import { ETHNIC_CATEGORIES, ETHNIC_CATEGORY_LABELS } from './ethnicity';
import { FLAG_CATEGORIES, FLAG_CATEGORY_OF, FLAG_CODES, FLAG_LABELS } from './flags';
import { ORGANISATION_TYPES, PRACTICE_STATUSES, SCHOOL_PHASES } from './organisations';
import { GENDER_CODES, REGISTRATION_STATUSES, STAFF_GROUPS } from './people';
import { IMPORT_STATUSES } from './feeds';
import { REACTION_CODES, REACTION_OUTCOMES, SERIOUSNESS } from './reactions';
import { STATUS_ROW_KINDS, STORED_STATUSES } from './schedule';
import { PRODUCT } from './products';
import { ROUTE_CODES, routeCoding, type RouteCode } from './sites';
import {
  EVENT_STATUSES,
  LEGAL_BASES,
  LOCATION_TYPES,
  NOT_GIVEN_REASONS,
  OUTCOMES,
  PROCEDURE_DOSES,
  PRODUCT_CODE_STATUSES,
  PROGRAMME_KINDS,
  REPORT_SOURCES,
  BATCH_SHELF_LIFE_YEARS,
} from './vaccination';
import { CONSENT_REFUSAL_REASONS, CONSENT_RESPONSES, GILLICK_OUTCOMES, SESSION_OUTCOMES } from './schools';

/** Each column whose CHECK constraint lists its allowed codes, and the set it must equal. */
const CODE_SETS: Record<string, readonly string[]> = {
  'ims.organisation.org_type': ORGANISATION_TYPES,
  'ims.school.phase': SCHOOL_PHASES,
  'ims.gp_practice.status_code': PRACTICE_STATUSES,
  'ims.person.gender_code': GENDER_CODES,
  'ims.person.registration_status': REGISTRATION_STATUSES,
  'ims.feed_import.status': IMPORT_STATUSES,
  'ims.contact_details.preferred_channel': CONTACT_CHANNELS,
  'ims.flag_type.category': FLAG_CATEGORIES,
  'ims.staff_record.staff_group': STAFF_GROUPS,
  'ims.programme.kind': PROGRAMME_KINDS,
  'ims.vaccine_product.code_status': PRODUCT_CODE_STATUSES,
  'ims.product_procedure.applies_to': PROCEDURE_DOSES,
  'ims.vaccination_event.outcome': OUTCOMES,
  'ims.vaccination_event.not_given_reason': NOT_GIVEN_REASONS,
  'ims.vaccination_event.location_type': LOCATION_TYPES,
  'ims.vaccination_event.legal_basis': LEGAL_BASES,
  'ims.vaccination_event.status': EVENT_STATUSES,
  'ims.vaccination_event.reported_by': REPORT_SOURCES,
  'ims.adverse_reaction.reaction_code': REACTION_CODES,
  'ims.adverse_reaction.seriousness': SERIOUSNESS,
  'ims.adverse_reaction.outcome': REACTION_OUTCOMES,
  'ims.series_status.kind': STATUS_ROW_KINDS,
  'ims.series_status.status': STORED_STATUSES,
  'ims.campaign.booking_route': BOOKING_ROUTES,
  'ims.campaign_template.purpose': COMMUNICATION_PURPOSES,
  'ims.campaign_template.channel': CONTACT_CHANNELS,
  'ims.campaign_reminder_rule.channel': CONTACT_CHANNELS,
  'ims.invitation_batch.status': BATCH_STATUSES,
  'ims.invitation.channel': CONTACT_CHANNELS,
  'ims.booking.status': BOOKING_STATUSES,
  'ims.booking.source': BOOKING_SOURCES,
  'ims.communication.purpose': STORED_COMMUNICATION_PURPOSES,
  'ims.school_session_child.response': CONSENT_RESPONSES,
  'ims.school_session_child.refusal_reason': CONSENT_REFUSAL_REASONS,
  'ims.school_session_child.gillick_outcome': GILLICK_OUTCOMES,
  'ims.school_session_child.outcome': SESSION_OUTCOMES,
  'ims.communication.channel': CONTACT_CHANNELS,
  'ims.communication.status': COMMUNICATION_STATUSES,
  'ims.communication.provider': PROVIDERS,
  'ims.communication.delivery_status': DELIVERY_STATUSES,
  'ims.rule_file_version.kind': RULE_FILE_KINDS,
  'ims.rule_file_version.status': RULE_FILE_STATUSES,
  'ims.contact_details.preferred_language': LETTER_LANGUAGES,
  'ims.message_template.purpose': TEMPLATE_PURPOSES,
  'ims.message_template.channel': CONTACT_CHANNELS,
  'ims.standing_template.purpose': STANDING_TEMPLATE_PURPOSES,
  'ims.standing_template.channel': CONTACT_CHANNELS,
  'ims.letter_run.layout': LETTER_RUN_LAYOUTS,
  'ims.letter_run.purpose': COMMUNICATION_PURPOSES,
  'ims.letter_run.status': LETTER_RUN_STATUSES,
  'ims.letter_output.status': LETTER_OUTPUT_STATUSES,
  'ims.letter_output.language': LETTER_LANGUAGES,
  'ims.child_status.status': CHILD_STATUSES,
  'ims.worklist.group_by': WORKLIST_GROUPINGS,
  'ims.child_action.kind': CHILD_ACTION_KINDS,
  'ims.child_action.call_outcome': CALL_OUTCOMES,
  'ims.child_action.decline_reason': DECLINE_REASONS,
  'ims.worklist_member.closed_kind': CLOSING_ACTIONS,
  'ims.exchange_review.status': REVIEW_STATUSES,
  'ims.exchange_review.item_kind': REVIEW_KINDS,
  'ims.exchange_sent.action': V5_ACTIONS,
};

/** Lists in CHECK constraints that are not codes the application shows, sends or stores itself. */
const NOT_VOCABULARY = new Set([
  // What statement the audit trigger saw: written by the database, read by support staff.
  'audit.change_log.operation',
  // The COVER ages in months (12, 24, 60), numbers rather than codes: the measures file and its
  // table are compared in main-api/reporting's own test.
  'ims.cover_measure.by_age_months',
]);

interface Check {
  table: string;
  definition: string;
}

const sorted = (values: Iterable<string>): string[] => [...values].sort();

/** The quoted literals in a piece of a constraint, unescaped. */
function literals(text: string): string[] {
  return [...text.matchAll(/'((?:[^']|'')*)'::text/g)].map((m) => (m[1] as string).replace(/''/g, "'"));
}

/** "col IN (...)" as PostgreSQL prints it back: the column and its codes, or null for any other rule. */
function wholeList(definition: string): { column: string; codes: string[] } | null {
  const m = /^CHECK \(\((\w+) = ANY \(ARRAY\[(.*)\]\)\)\)$/.exec(definition);
  return m ? { column: m[1] as string, codes: literals(m[2] as string) } : null;
}

describe('the vocabulary and the database', () => {
  let db: TestDatabase;
  let checks: Check[];

  beforeAll(async () => {
    db = await createTestDatabase();
    // Partitions repeat their parent's constraints, so only ordinary and partitioned tables count.
    const r = await db.query<Check>(
      `SELECT n.nspname || '.' || c.relname AS table, pg_get_constraintdef(k.oid) AS definition
         FROM pg_constraint k
         JOIN pg_class c ON c.oid = k.conrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE k.contype = 'c' AND n.nspname IN ('ims', 'audit') AND NOT c.relispartition
        ORDER BY 1, 2`,
    );
    checks = r.rows;
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('allows exactly the codes of each set in the column that stores them', () => {
    const found = new Map<string, string[]>();
    for (const c of checks) {
      const list = wholeList(c.definition);
      if (list) found.set(`${c.table}.${list.column}`, list.codes);
    }
    const expected = Object.fromEntries(Object.entries(CODE_SETS).map(([column, codes]) => [column, sorted(codes)]));
    const actual = Object.fromEntries(
      [...found].filter(([column]) => !NOT_VOCABULARY.has(column)).map(([column, codes]) => [column, sorted(codes)]),
    );
    // Equal maps: a new list in a migration needs a set here, and a set here needs its column.
    expect(actual).toEqual(expected);
  });

  it('names only known codes in the other rules about a coded column', () => {
    const strays: string[] = [];
    for (const c of checks) {
      if (wholeList(c.definition)) continue;
      // Pieces such as (outcome = 'NOT_GIVEN'::text) or (kind <> ALL (ARRAY['SEASONAL_FLU'::text, ...])).
      for (const m of c.definition.matchAll(/\((\w+) (?:=|<>) (?:ANY|ALL)? ?\(?(?:ARRAY\[)?((?:'(?:[^']|'')*'::text(?:, )?)+)/g)) {
        const codes = CODE_SETS[`${c.table}.${m[1]}`];
        if (!codes) continue;
        for (const code of literals(m[2] as string)) if (!codes.includes(code)) strays.push(`${c.table}: ${code} in ${c.definition}`);
      }
    }
    expect(strays).toEqual([]);
  });

  it('finds the rules it checks, so a change in how PostgreSQL prints them cannot pass unnoticed', () => {
    const compound = checks.filter(
      (c) => c.table === 'ims.adverse_reaction' && c.definition.includes("'FATAL'::text") && !wholeList(c.definition),
    );
    expect(compound).toHaveLength(1);
    expect(checks.filter((c) => wholeList(c.definition) !== null).length).toBeGreaterThanOrEqual(Object.keys(CODE_SETS).length);
  });

  it('holds the same antigens, with the same names, as the engine and the printed record', async () => {
    const r = await db.query<{ code: string; name: string }>(`SELECT code, name FROM ims.antigen ORDER BY code`);
    expect(r.rows).toEqual(sorted(ANTIGEN_CODES).map((code) => ({ code, name: ANTIGEN_LABELS[code as keyof typeof ANTIGEN_LABELS] })));
  });

  it('holds the same merge fields, with the same labels, as the template parser', async () => {
    const r = await db.query<{ code: string; label: string }>(`SELECT code, label FROM ims.merge_field ORDER BY code`);
    expect(Object.fromEntries(r.rows.map((x) => [x.code, x.label]))).toEqual(
      Object.fromEntries(MERGE_FIELDS.map((f) => [f, MERGE_FIELD_LABELS[f]])),
    );
  });

  it('holds the same ethnic categories, with the same labels, as cohort definitions', async () => {
    const r = await db.query<{ code: string; label: string }>(`SELECT code, label FROM ims.ethnic_category ORDER BY code`);
    expect(Object.fromEntries(r.rows.map((x) => [x.code, x.label]))).toEqual(
      Object.fromEntries(ETHNIC_CATEGORIES.map((c) => [c, ETHNIC_CATEGORY_LABELS[c]])),
    );
  });

  it('holds the same clinical flags, labels and categories as the eligibility rules', async () => {
    const r = await db.query<{ code: string; label: string; category: string }>(
      `SELECT code, label, category FROM ims.flag_type ORDER BY code`,
    );
    expect(r.rows).toEqual(
      sorted(FLAG_CODES).map((code) => {
        const flag = code as keyof typeof FLAG_LABELS;
        return { code, label: FLAG_LABELS[flag], category: FLAG_CATEGORY_OF[flag] };
      }),
    );
  });

  it('gives every product a default route from the route list, with its SNOMED term', async () => {
    const r = await db.query<{ code: string; term: string }>(
      `SELECT DISTINCT default_route_code AS code, default_route_term AS term FROM ims.vaccine_product ORDER BY 1`,
    );
    expect(r.rows.length).toBeGreaterThan(0);
    for (const route of r.rows) {
      expect(ROUTE_CODES as readonly string[]).toContain(route.code);
      expect(route.term).toBe(routeCoding(route.code as RouteCode).term);
    }
  });

  it('names, in PRODUCT, only products the database holds', async () => {
    const r = await db.query<{ code: string }>(`SELECT code FROM ims.vaccine_product WHERE code = ANY($1)`, [Object.values(PRODUCT)]);
    expect(sorted(Object.values(PRODUCT)).filter((code) => !r.rows.some((row) => row.code === code))).toEqual([]);
  });

  it('holds the same longest shelf life for a batch as the service and the screen', async () => {
    const r = await db.query<{ name: string; src: string }>(
      `SELECT proname AS name, prosrc AS src FROM pg_proc
       WHERE proname IN ('batch_expiry_plausible', 'vaccination_event_expiry_plausible') ORDER BY 1`,
    );
    expect(r.rows.map((f) => f.name)).toEqual(['batch_expiry_plausible', 'vaccination_event_expiry_plausible']);
    for (const f of r.rows) {
      expect(f.src.match(/interval '(\d+) years'/g), f.name).toEqual([`interval '${BATCH_SHELF_LIFE_YEARS} years'`]);
    }
  });
});
