// The hostile-input sweep (issue 7): every channel of the contract, through the real loopback
// HTTP host, as a signed-in coordinator, with what a tampered client could send. Every answer
// must be a Result whose error code is one of the closed set and never INTERNAL, the
// connection must never drop, and a refused request must leave the database exactly as it was.
// The channels come from the contract itself, so a new channel is swept without anyone adding
// it here; one without a valid example (below) fails the first test.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../main-api/administration/users.service';
import { channels, contract, type Channel, type Input } from '../../main-api/contract/contract';
import { ERROR_CODES } from '../../main-api/contract/result';
import { resourcesDir } from '../../main-api/platform/paths';
import { refreshAllStatuses } from '../../main-api/schedule-status';
import { todayInLondon } from '../../main-api/shared/calendar/england';
import { PRODUCT } from '../../main-api/shared/vocabulary/products';
import { SendingSettingsInput } from '../../main-api/contract/sending';
import { SendingSettingsStore } from '../../main-api/sending';
import { startFakeNotify, type FakeNotify } from '../support/fake-notify';
import { createTestDatabase, uniqueName, type TestDatabase } from '../support/db';
import { dropRoles, nhsSequence, TWO_PRACTICES_SQL } from '../support/fixtures';
import { changedParts, fingerprint } from '../support/fingerprint';
import { immunization } from '../../main-api/exchange/exchange.fixtures';
import { FEED_KIND_DEFINITIONS } from '../../main-api/feeds/kinds';
import { createHost, type Host } from '../../main-api/host/host';
import { startHttpHost, type HttpHost } from '../../main-api/host/http-server';

const nhs = nhsSequence(999_800_000, 29);
const PASSWORD = 'hostile-input-password';

// The coordinator's scope is G82001: persons 1 (read) and 3 (written to, with a pool of events
// to correct, withdraw and react to); person 2 at G82002 is outside it.
const FIXTURE = `
${TWO_PRACTICES_SQL}
INSERT INTO ims.person (id, nhs_number, given_name, family_name, date_of_birth, practice_code) VALUES
  (1, '${nhs(1)}', 'Amy', 'Inside', '2020-01-01', 'G82001'),
  (2, '${nhs(2)}', 'Cat', 'Outside', '2020-03-03', 'G82002'),
  (3, '${nhs(3)}', 'Pat', 'Pool', '2020-04-04', 'G82001');
SELECT setval(pg_get_serial_sequence('ims.person', 'id'), 100);
INSERT INTO ims.batch (id, product_code, batch_number, expiry_date) VALUES (1, '${PRODUCT.MMRVAXPRO}', 'AB1', '2026-01-01');
SELECT setval(pg_get_serial_sequence('ims.batch', 'id'), 100);
INSERT INTO ims.vaccination_event (id, person_id, programme_code, outcome, occurred_on, product_code, batch_id, primary_source, source_system, source_id) VALUES
  (1, 1, 'ROUTINE_CHILDHOOD', 'GIVEN', '2021-02-01', '${PRODUCT.MMRVAXPRO}', 1, true, 'GP', 'inside-1'),
  (2, 2, 'ROUTINE_CHILDHOOD', 'GIVEN', '2021-03-01', '${PRODUCT.MMRVAXPRO}', 1, true, 'GP', 'outside-1');
INSERT INTO ims.vaccination_event (id, person_id, programme_code, outcome, occurred_on, product_code, batch_id, primary_source, source_system, source_id)
  SELECT n, 3, 'ROUTINE_CHILDHOOD', 'GIVEN', '2021-05-01', '${PRODUCT.MMRVAXPRO}', 1, true, 'POOL', n::text FROM generate_series(10, 400) AS n;
SELECT setval(pg_get_serial_sequence('ims.vaccination_event', 'id'), 1000);
INSERT INTO ims.contact_details (person_id, mobile, preferred_channel) VALUES (1, '07700900111', 'SMS');
INSERT INTO ims.campaign (id, code, name, programme_code, organisation_code, channels, booking_route)
  VALUES (1, 'SWEEP-FLU', 'Sweep flu', 'FLU_2026_27', 'G82001', ARRAY['SMS', 'LETTER'], 'NATIONAL');
INSERT INTO ims.campaign (id, code, name, programme_code, organisation_code, channels, booking_route)
  VALUES (2, 'SWEEP-SEND', 'Sweep sending', 'FLU_2026_27', 'G82001', ARRAY['SMS', 'EMAIL'], 'NATIONAL');
INSERT INTO ims.clinic (id, campaign_id, name) VALUES (1, 1, 'Sweep clinic');
INSERT INTO ims.clinic_session (clinic_id, session_date, starts_at, ends_at, slots) VALUES (1, '2026-10-14', '09:00', '12:00', 20);
INSERT INTO ims.invitation_batch (id, campaign_id, draft_key, definition)
  VALUES (1, 1, gen_random_uuid(), '{"format": 1, "name": "Sweep", "referenceDate": "2026-08-31", "criteria": {"practice": ["G82001"]}}');
SELECT setval(pg_get_serial_sequence('ims.campaign', 'id'), 100), setval(pg_get_serial_sequence('ims.clinic', 'id'), 100),
  setval(pg_get_serial_sequence('ims.invitation_batch', 'id'), 100);
`;

const SWEEP_DELTA =
  'record_id|change_type|nhs_number|new_nhs_number|family_name|given_name|other_given_names|date_of_birth|gender|postcode|' +
  'address_line1|address_line2|address_line3|town|practice_code|effective_date|date_of_death\nsweep-1|NAME|9990000018||Sweep|Name|||||||||||\n';
// Channels the sweep's coordinator may not use: they answer FORBIDDEN, whatever the input.
const FORBIDDEN_TO_SWEEP = new Set<Channel>([
  'rules.import',
  'rules.activate',
  'rules.withdraw',
  'sending.settings.get',
  'sending.settings.save',
  // Child health staff and administrators (0041).
  'childHealth.register.page',
  'childHealth.register.counts',
  'childHealth.register.export',
  'worklists.list',
  'worklists.assignees',
  'worklists.create',
  'worklists.assign',
  'worklists.open',
  'childHealth.action.record',
  'childHealth.dna.page',
  // School sessions: child health staff and administrators (0070).
  'schools.sessions.list',
  'schools.sessions.plan',
  'schools.sessions.get',
  'schools.sessions.refresh',
  'schools.consent.record',
  'schools.gillick.record',
  'schools.reminders.run',
  'schools.outcome.record',
  'schools.sessions.pdf',
]);
const FLU_FILE = readFileSync(join(resourcesDir(), 'schedule', 'flu-2026-27.json'), 'utf8');

// ------------------------------------------------------------------------------------------
// What a tampered client sends

const LONG = 'A'.repeat(10_001);
const DEEP = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
/** Own properties named __proto__ and constructor, as JSON.parse makes them. */
const PROTO = JSON.parse('{"__proto__":{"polluted":"yes"}}') as unknown;
const CONSTRUCTOR = JSON.parse('{"constructor":{"prototype":{"polluted":"yes"}}}') as unknown;
const SQL = ["' OR '1'='1", "x'); DROP TABLE ims.person; --", '$$; DROP TABLE ims.person; $$', "'; COPY ims.person TO PROGRAM 'id'; --"];

/** Values put in place of each field (and of each part of a nested one). */
const VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  2 ** 31,
  2 ** 53 + 2,
  1e308,
  -1e308,
  '',
  ' ',
  '\u0000',
  'nul\u0000byte',
  LONG,
  ...SQL,
  '2025-02-30',
  '2025-13-01',
  '0000-00-00',
  '2025-02-30T10:00:00Z',
  [],
  [1, 2],
  {},
  PROTO,
  CONSTRUCTOR,
];

/** JSON tokens that JSON.stringify cannot produce, spliced into a body in place of a field. */
const RAW = ['NaN', 'Infinity', '-Infinity', '1e999', '-1e999', '123456789012345678901234567890', '"\\ud800"', 'undefined', DEEP];
const RAW_MARK = '__raw_token__';

/** Whole bodies, whatever the channel. */
const BODIES = [
  'null',
  '[]',
  '"text"',
  '42',
  'true',
  'not json',
  '{',
  '{"a":1,}',
  "{'a': 1}",
  '<request/>',
  'personId=1&id=1',
  '\u0000',
  '\ufeff{}',
  DEEP,
  '{"__proto__":{"polluted":"yes"}}',
  '{"constructor":{"prototype":{"polluted":"yes"}}}',
];

const CONTENT_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', ''];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Paths to every field of a valid input, nested objects included. */
function paths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([key, v]) => [[...prefix, key], ...paths(v, [...prefix, key])]);
}

/** A copy of input with the field at path replaced (or removed, for undefined). */
function withField(input: unknown, path: string[], replacement: unknown): Json {
  const copy = structuredClone(input) as Record<string, Json>;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, Json>;
  const last = path[path.length - 1]!;
  if (replacement === undefined) delete at[last];
  else Object.defineProperty(at, last, { value: replacement, enumerable: true, writable: true, configurable: true });
  return copy;
}

interface Probe {
  label: string;
  body: string;
  contentType?: string;
  /** A string the request offers as data: if the request writes, the answer must give it back as sent. */
  text?: string;
  /** Not a request at all (not JSON, not an object, not sent as JSON): it must be refused. */
  refuse?: boolean;
}

/** Whether a body is JSON for an object (or null, which stands for no input). */
function isObjectBody(body: string): boolean {
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed === null || (typeof parsed === 'object' && !Array.isArray(parsed));
  } catch {
    return false;
  }
}

/**
 * Whether the host refuses a request before any handler runs, as the host decides it: a content
 * type other than JSON, a body that is not JSON, or input the channel's schema refuses.
 */
function refusedAtBoundary(channel: Channel, body: string, contentType: string | undefined): boolean {
  if (contentType !== undefined) return true;
  let input: unknown;
  try {
    input = body ? JSON.parse(body) : {};
  } catch {
    return true;
  }
  return !contract[channel].input.safeParse(input ?? {}).success;
}

function probesFor(valid: unknown): Probe[] {
  const body = JSON.stringify(valid);
  const probes: Probe[] = BODIES.map((b) => ({ label: `body ${b.slice(0, 40)}`, body: b, refuse: !isObjectBody(b) }));
  for (const type of CONTENT_TYPES) probes.push({ label: `content type "${type}"`, body, contentType: type, refuse: true });
  const inner = body === '{}' ? '' : `,${body.slice(1, -1)}`;
  probes.push(
    { label: 'extra field', body: JSON.stringify({ ...(valid as object), extra: LONG, id: 1, role_name: 'postgres' }) },
    { label: '__proto__ key', body: `{"__proto__":{"polluted":"yes","isAdmin":true}${inner}}` },
    { label: 'constructor key', body: `{"constructor":{"prototype":{"polluted":"yes"}}${inner}}` },
  );
  for (const path of paths(valid)) {
    const where = path.join('.');
    probes.push({ label: `${where} missing`, body: JSON.stringify(withField(valid, path, undefined)) });
    for (const v of VALUES) {
      probes.push({
        label: `${where} = ${JSON.stringify(v)?.slice(0, 40)}`,
        body: JSON.stringify(withField(valid, path, v)),
        text: typeof v === 'string' ? v : undefined,
      });
    }
    for (const raw of RAW) {
      probes.push({
        label: `${where} = ${raw.slice(0, 20)}`,
        body: JSON.stringify(withField(valid, path, RAW_MARK)).replace(`"${RAW_MARK}"`, raw),
      });
    }
  }
  return probes;
}

// ------------------------------------------------------------------------------------------

const CODES = new Set<string>(ERROR_CODES.filter((c) => c !== 'INTERNAL'));

/**
 * The sweep, in parts that run side by side (one test file each): part `shard` of `shards` takes
 * every shards-th channel of the contract. The first part also checks every channel's valid
 * example; the last, hostile channel names.
 */
export function sweepHostileInput(shard: number, shards: number): void {
  describe(`hostile input on every channel (part ${shard + 1} of ${shards}), through the loopback host`, () => {
    let db: TestDatabase;
    let host: Host;
    let http: HttpHost;
    const name = uniqueName('t_sweep');
    /** What the host logged: an unexpected failure's cause, shown beside the probe that caused it. */
    const logged: string[] = [];
    /** Where letter production writes during the sweep (never the user's own folder). */
    const lettersFolder = mkdtempSync(join(tmpdir(), 'ims-sweep-letters-'));
    let notify: FakeNotify;
    let sendingDir: string;
    let savedSendingDir: string | undefined;

    /** The lowest event of the pool still active: something to correct, withdraw or react to. */
    const poolEvent = async (): Promise<number> =>
      Number(
        (await db.query(`SELECT min(id) AS id FROM ims.vaccination_event WHERE source_system = 'POOL' AND status = 'ACTIVE'`)).rows[0]!.id,
      );

    /** A valid input for every channel: the type makes a new channel name one, and the first test checks. */
    const examples: { [C in Channel]: () => Promise<Input<C>> } = {
      'session.state': async () => ({ retry: false }),
      'session.login': async () => ({ user: name, password: PASSWORD, remember: false }),
      'health.check': async () => ({}),
      'person.search': async () => ({ text: 'Inside', limit: 10, page: 1 }),
      'person.open': async () => ({ id: 1 }),
      'programme.list': async () => ({ includeInactive: false }),
      'product.list': async () => ({ includeInactive: false }),
      'batch.list': async () => ({ productCode: PRODUCT.MMRVAXPRO, onDate: '2025-01-10' }),
      'batch.add': async () => ({
        productCode: PRODUCT.MMRVAXPRO,
        batchNumber: 'SWEEP-1',
        expiryDate: '2031-01-01',
        receivedOn: '2025-01-01',
      }),
      'vaccination.record': async () => ({
        personId: 3,
        programmeCode: 'ROUTINE_CHILDHOOD',
        outcome: 'GIVEN',
        occurredOn: '2025-01-10',
        doseSequence: 2,
        productCode: PRODUCT.MMRVAXPRO,
        batch: { batchNumber: 'AB1' },
        site: { code: '61396006', term: 'Left thigh' },
        doseAmount: 0.5,
        performer: { name: 'Jo Nurse', role: 'Registered nurse' },
        legalBasis: 'PGD',
        notes: 'Given at clinic',
      }),
      'vaccination.correct': async () => ({
        eventId: await poolEvent(),
        changes: { doseSequence: 2, notes: 'Second dose' },
        reason: 'Wrong dose number',
      }),
      'vaccination.markEnteredInError': async () => ({ eventId: await poolEvent(), reason: 'Recorded for the wrong child' }),
      'vaccination.history': async () => ({ personId: 1 }),
      'coverage.get': async () => ({
        antigen: 'MEASLES',
        doses: 2,
        ageMonths: 60,
        cohortFrom: '2026-07-01',
        cohortMonths: 3,
        groupBy: 'practice',
      }),
      'cover.get': async () => ({ quarter: '2026-Q3', by: 'local-authority' }),
      'cover.export': async () => ({ quarter: '2026-Q3', by: 'practice' }),
      'cover.notCounted': async () => ({
        quarter: '2026-Q3',
        by: 'practice',
        groupCode: 'G82001',
        ageMonths: 60,
        measureId: '5Y_MMR2',
        limit: 50,
      }),
      'reaction.record': async () => ({
        eventId: await poolEvent(),
        onsetAt: '2021-05-01T15:00:00Z',
        reactionCode: 'FEVER',
        description: 'Mild fever',
        seriousness: 'NOT_SERIOUS',
        outcome: 'RECOVERED',
        reporter: 'Parent',
      }),
      'forecast.get': async () => ({ personId: 1, on: '2025-01-10' }),
      'vaccination.check': async () => ({ personId: 1, date: '2025-01-10', productCode: PRODUCT.MMRVAXPRO }),
      'record.printable': async () => ({ personId: 1 }),
      'record.print': async () => ({ personId: 1 }),
      'movers.arrival.set': async () => ({ personId: 1, arrivedOn: '2025-01-10', fromCountry: 'PL', fromArea: 'Warsaw' }),
      'movers.plan.get': async () => ({ personId: 1 }),
      'movers.plan.pdf': async () => ({ personId: 1 }),
      'movers.transfer.pdf': async () => ({ personId: 1 }),
      'movers.plan.print': async () => ({ personId: 1 }),
      'movers.transfer.print': async () => ({ personId: 1 }),
      'campaign.list': async () => ({}),
      'campaign.get': async () => ({ code: 'SWEEP-FLU' }),
      'campaign.save': async () => ({
        code: 'SWEEP-FLU',
        name: 'Sweep flu',
        programmeCode: 'FLU_2026_27',
        organisationCode: 'G82001',
        channels: ['SMS', 'LETTER'],
        bookingRoute: 'PHONE',
        bookingPhone: '0300 123 4567',
        templates: [{ purpose: 'INVITATION', channel: 'SMS', templateName: 'flu-invite', templateVersion: 1 }],
        reminderRules: [{ daysAfterInvitation: 14, channel: 'SMS' }],
      }),
      'campaign.clinic.save': async () => ({ campaignCode: 'SWEEP-FLU', name: 'Village hall', siteCode: 'G82001', postcode: 'ME1 1AA' }),
      'campaign.session.save': async () => ({ clinicId: 1, date: '2026-10-21', startsAt: '09:00', endsAt: '12:00', slots: 30 }),
      'campaign.batch.draft': async () => ({
        campaignCode: 'SWEEP-FLU',
        definition: { format: 1, name: 'Sweep draft', referenceDate: '2026-08-31', criteria: { practice: ['G82001'] } },
        draftKey: randomUUID(),
      }),
      'campaign.batch.preview': async () => ({ batchId: 1 }),
      'campaign.waves.plan': async () => ({ batchId: 1, plan: { mode: 'per-day', cap: 10, startOn: '2026-10-01', priority: 'oldest' } }),
      'campaign.batch.confirm': async () => ({
        batchId: 1,
        plan: { mode: 'per-week', cap: 10, startOn: '2026-10-01', priority: 'most-deprived' },
      }),
      'campaign.person.record': async () => ({ personId: 1 }),
      'campaign.notify.export': async () => ({
        campaignCode: 'SWEEP-FLU',
        channel: 'SMS',
        purpose: 'INVITATION',
        dueBy: '2026-12-31',
        markSent: true,
      }),
      'campaign.reminders.run': async () => ({ campaignCode: 'SWEEP-FLU' }),
      'campaign.recall.run': async () => ({ campaignCode: 'SWEEP-FLU' }),
      'campaign.booking.record': async () => ({
        campaignCode: 'SWEEP-FLU',
        personId: 1,
        bookedFor: '2026-11-20',
        status: 'BOOKED',
        reference: 'SWEEP-1',
      }),
      'campaign.bookings.import': async () => ({
        campaignCode: 'SWEEP-FLU',
        csv: `nhs_number,date,status,reference\n${nhs(1)},2026-11-21,DID_NOT_ATTEND,SWEEP-IMPORT-1\n`,
      }),
      'cohorts.count': async () => ({
        definition: {
          format: 1,
          name: 'Sweep cohort',
          campaign: 'FLU_2026_27',
          referenceDate: '2027-03-31',
          criteria: { any: [{ age: { min: 65 } }, { flags: { categories: ['RISK_GROUP'] } }] },
        },
        breakdowns: ['localAuthority', 'ageBand'],
      }),
      'cohorts.saved.list': async () => ({}),
      'cohorts.saved.get': async () => {
        const saved = await db.query<{ id: string }>(`SELECT id FROM ims.cohort_definition ORDER BY id LIMIT 1`);
        if (saved.rows[0]) return { id: Number(saved.rows[0].id) };
        const made = await db.query<{ id: string }>(`INSERT INTO ims.cohort_definition (name) VALUES ('Sweep example') RETURNING id`);
        await db.query(
          `INSERT INTO ims.cohort_definition_version (definition_id, version, definition)
         VALUES ($1, 1, '{"format":1,"name":"Sweep example","referenceDate":"2027-03-31","criteria":{"gender":["1"]}}')`,
          [made.rows[0]!.id],
        );
        return { id: Number(made.rows[0]!.id) };
      },
      'cohorts.saved.save': async () => ({
        definition: { format: 1, name: 'Sweep saved cohort', referenceDate: '2027-03-31', criteria: { gender: ['2'] } },
        note: 'First version',
      }),
      'rules.list': async () => ({}),
      'rules.import': async () => ({ fileName: 'flu-2026-27.json', text: FLU_FILE, effectiveFrom: '2026-12-01' }),
      'rules.activate': async () => ({ version: 1 }),
      'rules.withdraw': async () => ({ version: 1 }),
      'letters.templates': async () => ({ campaignCode: 'SWEEP-FLU' }),
      'letters.template.save': async () => ({
        campaignCode: 'SWEEP-FLU',
        name: 'sweep-letter',
        purpose: 'INVITATION',
        channel: 'LETTER',
        subject: 'Your flu vaccination',
        body: 'Dear ((first name)),\n\nBook by ((booking route)).((booking phone?? Or phone us.))',
      }),
      'letters.preview': async () => ({
        campaignCode: 'SWEEP-FLU',
        personId: 1,
        channel: 'LETTER',
        subject: 'Your flu vaccination',
        body: 'Dear ((first name)), your NHS number is ((nhs number)).',
      }),
      'letters.runs': async () => ({ campaignCode: 'SWEEP-FLU' }),
      'letters.production.start': async () => ({ campaignCode: 'SWEEP-FLU', dueBy: '2026-10-31', perFile: 10 }),
      'letters.production.progress': async () => ({ runId: await producedRun() }),
      'letters.production.cancel': async () => ({ runId: await producedRun() }),
      'letters.production.file': async () => ({ runId: await producedRun(), fileNo: 1 }),
      // Sending runs against the fake Notify, for a campaign with nothing to send (a run in the
      // background must not write while later probes are checked).
      'sending.settings.get': async () => ({}),
      'sending.settings.save': async () => ({ provider: 'NOTIFY', notifyBaseUrl: notify.url, notifyApiKey: notify.apiKey }),
      'communications.send': async () => ({ campaignCode: 'SWEEP-SEND', limit: 10 }),
      'communications.send.progress': async () => ({ runId: await sendRun() }),
      'communications.send.cancel': async () => ({ runId: await sendRun() }),
      'communications.poll': async () => ({ campaignCode: 'SWEEP-SEND' }),
      'communications.counts': async () => ({ campaignCode: 'SWEEP-SEND' }),
      'feeds.kinds': async () => ({}),
      'feeds.upload': async () => ({ uploadId: null, fileName: 'sweep.txt', base64: Buffer.from(SWEEP_DELTA).toString('base64') }),
      'feeds.start': async () => ({ uploadId: await feedUpload(), kind: 'demographics-delta' }),
      'feeds.progress': async () => ({ jobId: await feedJob() }),
      'feeds.cancel': async () => ({ jobId: await feedJob() }),
      'feeds.history': async () => ({ limit: 10 }),
      'feeds.rejects': async () => ({ importId: await feedImport() }),
      'childHealth.register.page': async () => ({
        filter: { practices: ['G82001'], statuses: ['OVERDUE'], ageBands: ['1_TO_4'], minDaysOverdue: 10 },
        sort: 'overdue',
        descending: false,
        after: [1, '2026-01-01', 5],
        limit: 10,
      }),
      'childHealth.register.counts': async () => ({ filter: { schools: ['118000'], yearGroups: [3] } }),
      'childHealth.register.export': async () => ({ filter: { districts: ['ME1'] }, sort: 'name' }),
      'worklists.list': async () => ({}),
      'worklists.assignees': async () => ({}),
      'worklists.create': async () => ({ name: 'Sweep worklist', filter: { practices: ['G82001'] }, groupBy: 'PRACTICE', assignTo: null }),
      'worklists.assign': async () => ({ id: 1, assignTo: null }),
      'worklists.open': async () => ({ id: 1, group: 'G82001', after: ['G82001', '2026-01-01', 3], limit: 10 }),
      'childHealth.action.record': async () => ({ personId: 3, kind: 'DECLINE', declineReason: 'OTHER', note: 'Family says no' }),
      'childHealth.person.actions': async () => ({ personId: 3 }),
      'childHealth.dna.page': async () => ({ after: ['2026-10-01', 4], limit: 10 }),
      // The sweep's coordinator runs no school sessions: these answer FORBIDDEN, never INTERNAL.
      'schools.sessions.list': async () => ({ from: '2026-09-01' }),
      'schools.sessions.plan': async () => ({ schoolUrn: '100001', programme: 'HPV', date: '2030-10-01' }),
      'schools.sessions.get': async () => ({ id: 1 }),
      'schools.sessions.refresh': async () => ({ id: 1 }),
      'schools.consent.record': async () => ({
        sessionId: 1,
        personId: 1,
        response: 'REFUSED',
        refusalReason: 'OTHER',
        respondent: 'A Parent',
      }),
      'schools.gillick.record': async () => ({ sessionId: 1, personId: 1, outcome: 'NOT_COMPETENT', assessedBy: 'Jo Nurse' }),
      'schools.reminders.run': async () => ({ sessionId: 1 }),
      'schools.outcome.record': async () => ({ sessionId: 1, personId: 1, outcome: 'ABSENT' }),
      'schools.sessions.pdf': async () => ({ id: 1 }),
      'schools.person': async () => ({ personId: 1 }),
      'schools.person.classList': async () => ({ personId: 1 }),
      'exchange.fhir.import': async () => ({
        text: JSON.stringify(
          immunization({ id: `sweep-${randomUUID()}`, nhsNumber: nhs(1), family: 'Inside', given: 'Amy', birthDate: '2020-01-01' }),
        ),
      }),
      'exchange.review.list': async () => ({ status: 'PENDING', limit: 10 }),
      'exchange.review.get': async () => ({ id: await reviewItem() }),
      'exchange.review.decide': async () => ({ id: await reviewItem(), decision: 'ACCEPT', personId: 1, note: 'Same child' }),
      'exchange.fhir.export': async () => ({ personId: 1, includeNotGiven: true, includeReactions: true }),
      'feeds.acknowledgements': async () => ({ importId: await feedImport() }),
    };

    /** A new incoming vaccination waiting for review (a doubtful match for person 1). */
    async function reviewItem(): Promise<number> {
      const made = await db.query<{ id: string }>(
        `INSERT INTO ims.exchange_review (source_system, source_id, incoming, event, payload_hash, reason, scope_orgs)
       VALUES ('https://supplier.example/sweep', gen_random_uuid()::text,
               jsonb_build_object('nhsNumber', NULL, 'familyName', 'Inside', 'givenName', 'A', 'dateOfBirth', '2020-01-01', 'genderCode', '0', 'postcode', NULL),
               jsonb_build_object('source_system', 'https://supplier.example/sweep', 'source_id', gen_random_uuid()::text,
                 'programme_code', 'ROUTINE_CHILDHOOD', 'outcome', 'GIVEN', 'occurred_on', '2021-03-01',
                 'product_code', '${PRODUCT.MMRVAXPRO}', 'primary_source', false, 'reported_by', 'OTHER_PROVIDER'),
               'sweep', 'Doubtful', ARRAY['G82001']) RETURNING id`,
      );
      return Number(made.rows[0]!.id);
    }

    /** A finished letter run with one letter in file 1, and that file in the letters folder. */
    async function producedRun(): Promise<number> {
      const found = await db.query<{ run_id: string }>(
        `SELECT run_id FROM ims.letter_output WHERE status = 'PRODUCED' ORDER BY run_id LIMIT 1`,
      );
      if (found.rows[0]) return Number(found.rows[0].run_id);
      const made = await db.query<{ id: string }>(
        `WITH i AS (INSERT INTO ims.invitation (campaign_id, person_id, batch_id, wave, planned_release_on, channel)
                  VALUES (1, 3, 1, 1, '2026-10-01', 'LETTER') RETURNING id),
            c AS (INSERT INTO ims.communication (person_id, campaign_id, invitation_id, purpose, channel, status, status_at, sent_at)
                  SELECT 3, 1, i.id, 'INVITATION', 'LETTER', 'SENT', now(), now() FROM i RETURNING id),
            r AS (INSERT INTO ims.letter_run (campaign_id, layout, per_file, due_by, status, finished_at)
                  VALUES (1, 'BATCH', 10, '2026-10-31', 'DONE', now()) RETURNING id)
       INSERT INTO ims.letter_output (communication_id, person_id, run_id, file_no, seq, status, template_name, template_version,
                                      language, large_print, first_page, pages, produced_at)
       SELECT c.id, 3, r.id, 1, 1, 'PRODUCED', 'sweep-letter', 1, 'en', false, 1, 1, now() FROM c, r RETURNING run_id AS id`,
      );
      const runId = Number(made.rows[0]!.id);
      mkdirSync(join(lettersFolder, `SWEEP-FLU-run${runId}`), { recursive: true });
      writeFileSync(join(lettersFolder, `SWEEP-FLU-run${runId}`, 'letters-0001.pdf'), '%PDF-1.4\n%%EOF\n');
      return runId;
    }

    /** A send run's id, for the channels that follow one. */
    async function sendRun(): Promise<string> {
      const { answer } = await post('communications.send', JSON.stringify({ campaignCode: 'SWEEP-SEND' }));
      return (answer as { value: { runId: string } }).value.runId;
    }

    /** Imports a request started run on in the background: wait until none is loading. */
    async function importsSettled(channel: string): Promise<void> {
      if (!channel.startsWith('feeds.')) return;
      for (let i = 0; i < 400; i++) {
        const loading = await db.query(`SELECT 1 FROM ims.feed_import WHERE status = 'LOADING' LIMIT 1`);
        if (loading.rowCount === 0) return;
        await new Promise((r) => setTimeout(r, 25));
      }
    }

    /** An uploaded nightly delta (one row, rejected: its person is not on the register). */
    async function feedUpload(): Promise<string> {
      const { answer } = await post(
        'feeds.upload',
        // A file of its own each time (its record id differs): imports of one file at the same
        // moment meet on its checksum and row keys, which this sweep is not about.
        JSON.stringify({
          uploadId: null,
          fileName: 'sweep.txt',
          base64: Buffer.from(SWEEP_DELTA.replace('sweep-1|', `sweep-${randomUUID()}|`)).toString('base64'),
        }),
      );
      return (answer as { value: { uploadId: string } }).value.uploadId;
    }

    async function feedJob(): Promise<string> {
      const { answer } = await post(
        'feeds.start',
        JSON.stringify({ uploadId: await feedUpload(), kind: 'demographics-delta', maxRejectPercent: 100 }),
      );
      return (answer as { value: { jobId: string } }).value.jobId;
    }

    /** A finished import with a rejected row. */
    async function feedImport(): Promise<number> {
      const jobId = await feedJob();
      for (;;) {
        const { answer } = await post('feeds.progress', JSON.stringify({ jobId }));
        const job = (answer as { value: { state: string; summary: { id: number } | null } }).value;
        if (job.state !== 'running') return job.summary!.id;
        await new Promise((r) => setTimeout(r, 50));
      }
    }

    async function post(channel: string, body: string, contentType = 'application/json'): Promise<{ status: number; answer: unknown }> {
      const headers: Record<string, string> = { authorization: `Bearer ${http.token}` };
      if (contentType) headers['content-type'] = contentType;
      // fetch rejects only when no answer came: a reset connection fails the test here.
      const res = await fetch(`http://127.0.0.1:${http.port}/api/${channel}`, { method: 'POST', headers, body });
      const text = await res.text();
      let answer: unknown;
      try {
        answer = JSON.parse(text);
      } catch {
        answer = { unparsable: text.slice(0, 200) };
      }
      return { status: res.status, answer };
    }

    /** What is wrong with an answer, or null when it is a well-formed Result without INTERNAL. */
    function malformed(status: number, answer: unknown): string | null {
      const a = answer as { ok?: unknown; value?: unknown; error?: { code?: unknown; message?: unknown } };
      if (a?.ok === true && status === 200 && 'value' in a) return null;
      if (a?.ok === false && typeof a.error?.message === 'string' && CODES.has(String(a.error.code)) && status < 500) return null;
      return `HTTP ${status} ${JSON.stringify(answer).slice(0, 300)}`;
    }

    beforeAll(async () => {
      process.env.IMS_LETTERS_DIR = lettersFolder;
      notify = await startFakeNotify();
      sendingDir = mkdtempSync(join(tmpdir(), 'ims-sweep-sending-'));
      savedSendingDir = process.env.IMS_SENDING_DIR;
      process.env.IMS_SENDING_DIR = sendingDir;
      SendingSettingsStore.current().save(
        SendingSettingsInput.parse({ provider: 'NOTIFY', notifyBaseUrl: notify.url, notifyApiKey: notify.apiKey }),
      );
      db = await createTestDatabase();
      await db.query(FIXTURE);
      await addUser(db.url, { name, role: 'coordinator', orgs: ['G82001'], password: PASSWORD, displayName: 'Sweep Coordinator' });
      // Nobody waits in the status queue, so the only writes are the requests' own.
      await refreshAllStatuses(db.url, { asOf: todayInLondon() });
      host = createHost({ target: { kind: 'server', url: db.url }, credentials: { user: name, password: PASSWORD } });
      await host.start();
      const dir = mkdtempSync(join(tmpdir(), 'ims-sweep-'));
      writeFileSync(join(dir, 'index.html'), '<!doctype html><title>IMS</title>');
      http = await startHttpHost({
        handlers: host.handlers,
        rendererDir: dir,
        isReady: () => true,
        log: (message, error) => logged.push(`${message}: ${error instanceof Error ? error.stack : String(error)}`),
      });
    });

    afterAll(async () => {
      if (savedSendingDir === undefined) delete process.env.IMS_SENDING_DIR;
      else process.env.IMS_SENDING_DIR = savedSendingDir;
      await notify?.close();
      await http?.close();
      await host?.close();
      await db?.drop();
      await dropRoles([name]);
    });

    const mine = channels.filter((_, i) => i % shards === shard);
    const first = shard === 0;
    const last = shard === shards - 1;

    // The first part checks every channel's example, the last hostile channel names; the other
    // parts do not define them.
    if (first)
      it('has a valid example for every channel of the contract, and each is answered', async () => {
        expect(Object.keys(examples).sort()).toEqual([...channels].sort());
        const start = await fingerprint(db, [name]);
        for (const channel of channels) {
          const { status, answer } = await post(channel, JSON.stringify(await examples[channel]()));
          const expected = FORBIDDEN_TO_SWEEP.has(channel) ? { ok: false, error: { code: 'FORBIDDEN' } } : { ok: true };
          expect({ channel, status, answer }).toMatchObject({ channel, status: 200, answer: expected });
        }
        // The fingerprint the sweep relies on sees the writes the examples made (and only those tables).
        const changed = changedParts(start, await fingerprint(db, [name]));
        expect(changed).toEqual(expect.arrayContaining(['ims.campaign', 'ims.booking', 'ims.vaccination_event', 'audit.change_log']));
        expect(changed).not.toContain('ims.organisation');
      });

    it.each(mine)('%s: every hostile request is refused or taken as plain data, and a refusal changes nothing', async (channel) => {
      const problems: string[] = [];
      const valid = await examples[channel]();
      // Channels that act on a pool event get a fresh one whenever a probe has used it up.
      const eventId = 'eventId' in valid ? new RegExp(`"eventId":${valid.eventId}(?=[,}])`) : null;
      await importsSettled(channel);
      // Requests the boundary refuses (not sent as JSON, not JSON, or not the channel's input by
      // the contract's own schema) never reach a handler: they are checked together, by one
      // fingerprint over each run of them, and any change over a run fails the test, naming it.
      // Every request that reaches a handler is checked alone. (Most probes are refused at the
      // boundary; one fingerprint per probe was half the sweep's time.)
      let before = await fingerprint(db, [name]);
      let refused: string[] = [];
      const checkRefusals = async (): Promise<void> => {
        const now = await fingerprint(db, [name]);
        const diff = changedParts(before, now);
        if (diff.length > 0) problems.push(`refused, but changed ${diff.join(', ')}: one of ${refused.join(' | ').slice(0, 900)}`);
        before = now;
        refused = [];
      };
      for (const probe of probesFor(valid)) {
        const body = eventId ? probe.body.replace(eventId, `"eventId":${await poolEvent()}`) : probe.body;
        const atBoundary = refusedAtBoundary(channel, body, probe.contentType);
        if (!atBoundary && refused.length > 0) await checkRefusals();
        const { status, answer } = await post(channel, body, probe.contentType);
        await importsSettled(channel);
        const wrong = malformed(status, answer);
        if (wrong) problems.push(`${probe.label}: ${wrong} ${logged.splice(0).join('; ').slice(0, 600)}`);
        const ok = (answer as { ok?: boolean }).ok === true;
        if (atBoundary) {
          if (ok) problems.push(`${probe.label}: taken, but the contract refuses it`);
          refused.push(probe.label);
          continue;
        }
        const after = await fingerprint(db, [name]);
        const diff = changedParts(before, after);
        if (ok && probe.refuse) problems.push(`${probe.label}: taken, but it is not a JSON request`);
        if (diff.some((d) => d.startsWith('objects in ') || d === 'roles' || d === 'schemas'))
          problems.push(`${probe.label}: schema changed: ${diff.join(', ')}`);
        if (!ok && diff.length > 0)
          problems.push(`${probe.label}: refused (${JSON.stringify(answer).slice(0, 120)}) but changed ${diff.join(', ')}`);
        // A write that was accepted keeps what was sent as plain data: the answer gives it back.
        const wrote = diff.some((d) => d !== 'audit.record_view');
        const sent = probe.text?.trim().toLowerCase();
        if (
          ok &&
          wrote &&
          sent &&
          !JSON.stringify((answer as { value: unknown }).value)
            .toLowerCase()
            .includes(JSON.stringify(sent).slice(1, -1))
        ) {
          problems.push(`${probe.label}: written, but the answer does not give back what was sent`);
        }
        before = after;
      }
      if (refused.length > 0) await checkRefusals();
      expect(problems).toEqual([]);
      // Nothing a request carried reached the objects of this process.
      expect(Object.prototype).not.toHaveProperty('polluted');
      expect(Object.prototype).not.toHaveProperty('isAdmin');
    });

    if (last)
      it('answers hostile channel names as unknown, never as a failure', async () => {
        for (const path of [
          '__proto__',
          'constructor',
          'toString',
          'hasOwnProperty',
          'session.state%00',
          '..%2Fsession.state',
          '',
          LONG,
          '%E0%A4%A',
          'person.open%2F..',
        ]) {
          const { status, answer } = await post(path, '{}');
          expect(malformed(status, answer), path.slice(0, 40)).toBeNull();
          expect((answer as { ok: boolean }).ok, path.slice(0, 40)).toBe(false);
        }
      });

    // Reference geography kinds (0076): a hostile file of each, through the screen's channels.
    // The sweep's coordinator may not import reference data: the start is refused in form, and
    // nothing changes (the database refuses the import before the file is read).
    if (last)
      it.each(REFERENCE_KINDS)('a hostile %s file is refused in form and changes nothing', async (kind) => {
        const before = await fingerprint(db, [name]);
        const up = await post(
          'feeds.upload',
          JSON.stringify({ uploadId: null, fileName: `sweep-${kind}.csv`, base64: Buffer.from(hostileFile(kind)).toString('base64') }),
        );
        expect(malformed(up.status, up.answer)).toBeNull();
        const uploadId = (up.answer as { value: { uploadId: string } }).value.uploadId;
        const started = await post('feeds.start', JSON.stringify({ uploadId, kind, maxRejectPercent: 100 }));
        expect(malformed(started.status, started.answer)).toBeNull();
        expect(started.answer).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
        expect(changedParts(before, await fingerprint(db, [name]))).toEqual([]);
      });

    // File kinds take outside input in their rows: a class list whose every field in turn holds
    // a hostile value is read as plain data (each row rejected with a reason, or kept as sent),
    // never a failure, and changes nothing but the import's own records.
    if (last)
      it('class-list: a file of hostile values is read as plain data, never a failure', async () => {
        const columns = FEED_KIND_DEFINITIONS['class-list'].columns;
        const valid: Record<string, string> = {
          family_name: 'Sweep',
          given_name: 'Row',
          date_of_birth: '2014-01-15',
          postcode: 'ME1 1AA',
          school_urn: '136001',
          year_group: '8',
        };
        const hostile = [
          ...SQL,
          LONG.slice(0, 400),
          '=HYPERLINK("x")',
          '<script>x</script>',
          '\u202eevil',
          '2025-02-30',
          '-1',
          '1e308',
          '"',
          ',',
        ];
        const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;
        const rows = columns.flatMap((column) =>
          hostile.map((h) => columns.map((c) => quote(c === column ? h : (valid[c] ?? ''))).join(',')),
        );
        const text = [columns.join(','), ...rows].join('\r\n');
        const before = await fingerprint(db, [name]);
        const upload = await post(
          'feeds.upload',
          JSON.stringify({ uploadId: null, fileName: 'sweep-class.csv', base64: Buffer.from(text).toString('base64') }),
        );
        expect(malformed(upload.status, upload.answer)).toBeNull();
        const { uploadId } = (upload.answer as { value: { uploadId: string } }).value;
        const started = await post('feeds.start', JSON.stringify({ uploadId, kind: 'class-list', maxRejectPercent: 100 }));
        expect(malformed(started.status, started.answer)).toBeNull();
        const { jobId } = (started.answer as { value: { jobId: string } }).value;
        interface Outcome {
          id: number;
          status: string;
          rowsRejected: number | null;
          rowsApplied: number | null;
        }
        let summary: Outcome | null = null;
        while (!summary) {
          const { status, answer } = await post('feeds.progress', JSON.stringify({ jobId }));
          expect(malformed(status, answer)).toBeNull();
          const job = (answer as { value: { state: string; summary: Outcome | null } }).value;
          if (job.state !== 'running') summary = job.summary;
          else await new Promise((r) => setTimeout(r, 50));
        }
        expect(logged.splice(0)).toEqual([]);
        // Every row rejected with its reasons (the sweep's coordinator runs no school), none applied.
        expect(summary).toMatchObject({ status: 'APPLIED', rowsRejected: rows.length, rowsApplied: 0 });
        const rejects = await post('feeds.rejects', JSON.stringify({ importId: summary.id }));
        expect(malformed(rejects.status, rejects.answer)).toBeNull();
        const changed = changedParts(before, await fingerprint(db, [name]));
        expect(changed.filter((c) => !['ims.feed_import', 'ims.feed_reject', 'audit.change_log'].includes(c))).toEqual([]);
      });
  });
}

const REFERENCE_KINDS = ['onspd-postcodes', 'imd-lsoa', 'ods-gp-practices', 'gias-schools'] as const;

/** A file of a kind whose every row is hostile: SQL, long values, quotes and line breaks, a wrong width. */
function hostileFile(kind: (typeof REFERENCE_KINDS)[number]): string {
  const k = FEED_KIND_DEFINITIONS[kind];
  const width = (k.header ?? k.columns).length;
  const q = (v: string) => `"${v.replace(/"/g, '""')}"`;
  const lines = k.headerless ? [] : [(k.header ?? k.columns).map(q).join(',')];
  for (const v of [...SQL, LONG, 'line\r\nbreak', '"', '\u202e\ufeff', '9'.repeat(40)]) lines.push(Array(width).fill(q(v)).join(','));
  lines.push(
    Array(width + 1)
      .fill('x')
      .join(','),
  );
  return lines.join('\r\n') + '\r\n';
}
