// Channels for campaigns: set-up (templates, reminder rules, clinics and sessions), invitation
// batches drafted from a cohort and confirmed in waves, what-if wave planning, a person's
// campaign record, the GOV.UK Notify export, reminders, next-dose recall and bookings.
// Coordinators and administrators run campaigns; child health and occupational health staff
// read them and a person's campaign record; analysts see none of it (migration 0032).
import { z } from 'zod';
import { isoDate, isoDateTime, type HandlersOf } from './common';
import { CohortDefinition } from './cohorts';
import { ContactChannel } from '../shared/vocabulary/contact';
import { DeliveryStatus, Provider } from '../shared/vocabulary/sending';
import {
  BatchStatus,
  BookingRoute,
  BookingSource,
  BookingStatus,
  CommunicationPurpose,
  CommunicationStatus,
  ReleaseMode,
  ReleasePriority,
} from '../shared/vocabulary/campaigns';

/** A campaign's own code, e.g. FLU26-MEDWAY: capitals, digits, - and _, 2 to 40 characters. */
export const CampaignCode = z
  .string()
  .max(40, 'At most 40 characters')
  .regex(/^[A-Z][A-Z0-9_-]{1,39}$/, 'Capital letters, digits, - and _ (e.g. FLU26-MEDWAY)');
/** A programme code from ims.programme (the seasonal ones: FLU_2026_27, COVID19_AUTUMN_2026). */
const ProgrammeCode = z
  .string()
  .max(40, 'At most 40 characters')
  .regex(/^[A-Z][A-Z0-9_]*$/, 'A programme code (e.g. FLU_2026_27)');
const OdsCode = z
  .string()
  .max(8, 'At most 8 characters')
  .regex(/^[A-Z0-9]{3,8}$/, 'An ODS code (3 to 8 capital letters or digits)');
const Postcode = z
  .string()
  .max(8, 'At most 8 characters')
  .regex(/^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}$/, 'A full postcode in capitals with its space (e.g. ME14 1XX)');
/** Free text a person reads: no control characters, nothing long. */
const Name = z
  .string()
  .trim()
  .min(1, 'Give a name')
  .max(120, 'At most 120 characters')
  .regex(/^[^\p{Cc}\p{Cf}]*$/u, 'No control or formatting characters');
const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const Count = z.number().int().nonnegative();
const TimeOfDay = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'A time written HH:MM (24-hour)');

// ------------------------------------------------------------------------------------------
// Set-up

const TemplateRef = z.object({
  purpose: CommunicationPurpose,
  channel: ContactChannel,
  /** The template's name where the letters and Notify templates live, e.g. flu-invitation-sms. */
  templateName: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,79}$/, 'Letters, digits, spaces, _ . - (at most 80)'),
  templateVersion: z.number().int().min(1).max(10000),
});

const ReminderRule = z.object({
  /** Days after the invitation was sent. */
  daysAfterInvitation: z.number().int().min(1, 'At least 1 day').max(365, 'At most 365 days'),
  /** The reminder's channel; the invitation's channel when this one is not usable for the person. */
  channel: ContactChannel,
});

export const CampaignSaveInput = z
  .object({
    code: CampaignCode,
    name: Name,
    programmeCode: ProgrammeCode,
    /** The organisation running it; must be in the coordinator's scope. */
    organisationCode: OdsCode,
    channels: z
      .array(ContactChannel)
      .min(1, 'Allow at least one channel')
      .max(3)
      .transform((c) => [...new Set(c)]),
    bookingRoute: BookingRoute,
    /** Required for LOCAL_LINK: an https address. */
    bookingUrl: z
      .string()
      .max(300)
      .regex(/^https:\/\/\S{3,292}$/, 'An https:// address')
      .nullable()
      .default(null),
    /** Required for PHONE: digits and spaces. */
    bookingPhone: z
      .string()
      .regex(/^[0-9 ]{10,16}$/, 'A phone number of digits and spaces')
      .nullable()
      .default(null),
    /** Series ids (as ims.series_status) whose next dose puts a person in recall; the programme when empty. */
    recallSeries: z
      .array(z.string().regex(/^[A-Za-z0-9_-]{1,60}$/, 'A series id'))
      .max(20)
      .default([]),
    templates: z.array(TemplateRef).max(12).default([]),
    reminderRules: z.array(ReminderRule).max(10).default([]),
    /** True from a form that makes a new campaign: a campaign with the code already is a CONFLICT, not changed. */
    create: z.boolean().default(false),
  })
  .superRefine((c, ctx) => {
    if (c.bookingRoute === 'LOCAL_LINK' && c.bookingUrl === null)
      ctx.addIssue({ code: 'custom', path: ['bookingUrl'], message: 'Give the local booking link' });
    if (c.bookingRoute === 'PHONE' && c.bookingPhone === null)
      ctx.addIssue({ code: 'custom', path: ['bookingPhone'], message: 'Give the booking phone number' });
    const seen = new Set<string>();
    c.templates.forEach((t, i) => {
      const key = `${t.purpose}/${t.channel}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['templates', i], message: 'One template per purpose and channel' });
      seen.add(key);
    });
    const days = new Set<number>();
    c.reminderRules.forEach((r, i) => {
      if (days.has(r.daysAfterInvitation))
        ctx.addIssue({ code: 'custom', path: ['reminderRules', i, 'daysAfterInvitation'], message: 'One reminder per day count' });
      days.add(r.daysAfterInvitation);
    });
  });
export type CampaignSaveInput = z.output<typeof CampaignSaveInput>;

export const CampaignSummary = z.object({
  code: z.string(),
  name: z.string(),
  programmeCode: z.string(),
  organisationCode: z.string(),
  channels: z.array(ContactChannel),
  bookingRoute: BookingRoute,
  invited: Count,
  /** People with a booking that is BOOKED or ATTENDED. */
  booked: Count,
});
export type CampaignSummary = z.infer<typeof CampaignSummary>;

const ClinicSession = z.object({
  id: Id,
  date: isoDate,
  startsAt: TimeOfDay,
  endsAt: TimeOfDay,
  slots: Count,
});
const Clinic = z.object({
  id: Id,
  name: z.string(),
  siteCode: z.string().nullable(),
  postcode: z.string().nullable(),
  sessions: z.array(ClinicSession),
});
const BatchSummary = z.object({
  id: Id,
  status: BatchStatus,
  cohortName: z.string().nullable(),
  createdBy: z.string(),
  createdAt: isoDateTime,
  confirmedAt: isoDateTime.nullable(),
  /** People invited by the confirmation; null while a draft. */
  invited: Count.nullable(),
});

export const CampaignDetail = z.object({
  code: z.string(),
  name: z.string(),
  programmeCode: z.string(),
  organisationCode: z.string(),
  channels: z.array(ContactChannel),
  bookingRoute: BookingRoute,
  bookingUrl: z.string().nullable(),
  bookingPhone: z.string().nullable(),
  recallSeries: z.array(z.string()),
  templates: z.array(TemplateRef),
  reminderRules: z.array(ReminderRule.extend({ id: Id, active: z.boolean() })),
  clinics: z.array(Clinic),
  batches: z.array(BatchSummary),
  /** How far the campaign's people have got, each a number of people. */
  funnel: z.object({
    /** In the cohorts its batches were confirmed from. */
    eligible: Count,
    invited: Count,
    reminded: Count,
    /** With a booking standing or attended. */
    booked: Count,
    attended: Count,
    didNotAttend: Count,
    /** Vaccinated in the campaign's programme since being invited. */
    vaccinated: Count,
  }),
});
export type CampaignDetail = z.infer<typeof CampaignDetail>;

const CampaignRef = z.object({ campaignCode: CampaignCode });

export const ClinicSaveInput = z.object({
  campaignCode: CampaignCode,
  name: Name,
  siteCode: OdsCode.nullable().default(null),
  postcode: Postcode.nullable().default(null),
});
export type ClinicSaveInput = z.output<typeof ClinicSaveInput>;

export const SessionSaveInput = z
  .object({
    clinicId: Id,
    date: isoDate,
    startsAt: TimeOfDay,
    endsAt: TimeOfDay,
    slots: z.number().int().min(1, 'At least 1 slot').max(100000, 'At most 100,000 slots'),
  })
  .refine((s) => s.endsAt > s.startsAt, { path: ['endsAt'], message: 'Ends after it starts' });
export type SessionSaveInput = z.output<typeof SessionSaveInput>;

// ------------------------------------------------------------------------------------------
// Invitation batches and waves

const BatchDraftInput = z.object({
  campaignCode: CampaignCode,
  definition: CohortDefinition,
  /** Made by the client when the draft starts; drafting or confirming it again creates nothing new. */
  draftKey: z.uuid('The draft key is a UUID'),
});

const BatchRef = z.object({ batchId: Id });

export const BatchPreview = z.object({
  batchId: Id,
  campaignCode: z.string(),
  /** The cohort definition's name. */
  cohortName: z.string(),
  status: BatchStatus,
  /** The cohort's members in your scope, after its exclusions. */
  members: Count,
  alreadyInvited: Count,
  /** Members with no channel the campaign uses that is usable for them (they are not invited). */
  noUsableChannel: Count,
  toInvite: Count,
  byChannel: z.object({ LETTER: Count, EMAIL: Count, SMS: Count }),
});
export type BatchPreview = z.infer<typeof BatchPreview>;

export const ReleasePlan = z
  .object({
    mode: ReleaseMode,
    /** People per day or per week (per-day, per-week). */
    cap: z.number().int().min(1, 'At least 1').max(1_000_000, 'At most 1,000,000').nullable().default(null),
    /** The first release (per-day, per-week), or the first day clinics are counted from less leadDays (clinic). */
    startOn: isoDate,
    /** Clinic mode: days between a wave's release and its clinic day. */
    leadDays: z.number().int().min(0).max(60).default(0),
    priority: ReleasePriority.default('oldest'),
    /** For practice-order: the practices in order; people of other practices come after. */
    practiceOrder: z
      .array(OdsCode)
      .max(2000)
      .default([])
      .transform((c) => [...new Set(c)]),
  })
  .superRefine((p, ctx) => {
    if (p.mode !== 'clinic' && p.cap === null)
      ctx.addIssue({ code: 'custom', path: ['cap'], message: 'Give how many people per day or week' });
    if (p.priority === 'practice-order' && p.practiceOrder.length === 0)
      ctx.addIssue({ code: 'custom', path: ['practiceOrder'], message: 'List the practices in the order to invite them' });
  });
export type ReleasePlan = z.output<typeof ReleasePlan>;

export const Wave = z.object({
  wave: z.number().int().positive(),
  releaseOn: isoDate,
  people: Count,
  /** The cap (per-day, per-week) or the clinic day's slots (clinic). */
  slots: Count,
  /** Clinic mode: the clinic day the wave is sized to. */
  clinicDay: isoDate.nullable(),
});
export type Wave = z.infer<typeof Wave>;

export const WavePlan = z.object({
  people: Count,
  /** The first waves (at most 1,000); totalWaves says how many there are. */
  waves: z.array(Wave),
  totalWaves: Count,
  /** The release date of the last wave; null when the clinics' slots run out first. */
  exhaustedOn: isoDate.nullable(),
  /** People beyond the clinics' slots, left for a later batch. */
  leftOver: Count,
});
export type WavePlan = z.infer<typeof WavePlan>;

const WavePlanInput = z.object({ batchId: Id, plan: ReleasePlan });

const BatchConfirmInput = z.object({ batchId: Id, plan: ReleasePlan });

export const BatchConfirmResult = z.object({
  batchId: Id,
  members: Count,
  invited: Count,
  /** Invited to the campaign already, by an earlier batch or a colleague's at the same moment. */
  alreadyInvited: Count,
  noUsableChannel: Count,
  leftOver: Count,
  waves: z.array(z.object({ wave: z.number().int().positive(), releaseOn: isoDate, people: Count })),
  /** True when the batch had been confirmed before: nothing new was made. */
  repeated: z.boolean(),
});
export type BatchConfirmResult = z.infer<typeof BatchConfirmResult>;

// ------------------------------------------------------------------------------------------
// A person's campaign record

export const PersonCampaignRecord = z.object({
  personId: Id,
  /** Since when the person's address is known to be unreliable (a letter came back); no letters go to it. */
  addressUnreliableSince: isoDateTime.nullable().default(null),
  invitations: z.array(
    z.object({
      id: Id,
      campaignCode: z.string(),
      campaignName: z.string(),
      batchId: Id,
      wave: z.number().int().positive(),
      plannedReleaseOn: isoDate,
      channel: ContactChannel,
      invitedBy: z.string(),
      invitedAt: isoDateTime,
    }),
  ),
  communications: z.array(
    z.object({
      id: Id,
      campaignCode: z.string(),
      purpose: CommunicationPurpose,
      channel: ContactChannel,
      templateName: z.string().nullable(),
      templateVersion: z.number().int().nullable(),
      status: CommunicationStatus,
      reference: z.string(),
      createdAt: isoDateTime,
      sentAt: isoDateTime.nullable(),
      /** How the provider says it was delivered (migration 0036); null until it has said. */
      deliveryStatus: DeliveryStatus.nullable().default(null),
      statusAt: isoDateTime.nullable().default(null),
      failureReason: z.string().nullable().default(null),
      /** The failed communication this one falls back from. */
      fallbackOf: Id.nullable().default(null),
      provider: Provider.nullable().default(null),
    }),
  ),
  bookings: z.array(
    z.object({
      id: Id,
      campaignCode: z.string(),
      bookedFor: isoDate,
      status: BookingStatus,
      source: BookingSource,
      externalReference: z.string(),
      clinicSessionId: Id.nullable(),
    }),
  ),
  recalls: z.array(z.object({ id: Id, campaignCode: z.string(), seriesId: z.string(), dose: z.number().int(), dueDate: isoDate })),
});
export type PersonCampaignRecord = z.infer<typeof PersonCampaignRecord>;

// ------------------------------------------------------------------------------------------
// Export, reminders, recall, bookings

export const NotifyExportInput = z.object({
  campaignCode: CampaignCode,
  /** Only this batch's invitations (and their reminders); all of the campaign's when null. */
  batchId: Id.nullable().default(null),
  purpose: CommunicationPurpose.default('INVITATION'),
  channel: ContactChannel,
  /** Invitations planned for release up to this date; today when left out. */
  dueBy: isoDate.nullable().default(null),
  /** Mark the exported communications SENT so the next export leaves them out. */
  markSent: z.boolean().default(true),
});
export type NotifyExportInput = z.output<typeof NotifyExportInput>;

export const NotifyExport = z.object({
  /** The file name to save under. */
  fileName: z.string(),
  /** GOV.UK Notify bulk-send CSV: the recipient columns first, then personalisation. */
  csv: z.string(),
  rows: Count,
});
export type NotifyExport = z.infer<typeof NotifyExport>;

const RemindersRunInput = z.object({ campaignCode: CampaignCode.nullable().default(null) });
const RunCount = z.object({ created: Count });
/**
 * The daily run: the waves due released (their invitation messages made), then the reminders due,
 * and school consent reminders (null for a caller who does not run school sessions).
 */
const DailyRunCount = z.object({ released: Count, reminders: Count, consentReminders: Count.nullable() });

const BookingRecordInput = z.object({
  campaignCode: CampaignCode,
  personId: Id,
  clinicSessionId: Id.nullable().default(null),
  bookedFor: isoDate,
  status: BookingStatus.default('BOOKED'),
  /** To change a booking made by hand, its reference; a new one is made when left out. */
  reference: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_./-]{0,63}$/, 'Letters, digits, _ . / - (at most 64)')
    .nullable()
    .default(null),
});

export const BookingRecorded = z.object({
  bookingId: Id,
  campaignCode: z.string(),
  personId: Id,
  clinicSessionId: Id.nullable(),
  bookedFor: isoDate,
  status: BookingStatus,
  source: BookingSource,
  /** The booking's reference (made for a booking by hand when none was given). */
  reference: z.string(),
});
export type BookingRecorded = z.infer<typeof BookingRecorded>;

const BookingImportInput = z.object({
  campaignCode: CampaignCode,
  /** The booking system's CSV: a header naming nhs_number, date, status and reference (any order). */
  csv: z.string().max(20_000_000, 'At most 20 MB'),
});

/** Bad rows fail the whole import as VALIDATION with `rows` details (row, field, message). */
export const BookingImportResult = z.object({ added: Count, updated: Count, followUps: Count });
export type BookingImportResult = z.infer<typeof BookingImportResult>;

export const campaignChannels = {
  'campaign.list': { input: z.object({}), output: z.array(CampaignSummary) },
  'campaign.get': { input: z.object({ code: CampaignCode }), output: CampaignDetail },
  'campaign.save': { input: CampaignSaveInput, output: CampaignDetail },
  /** Adds a clinic (or changes the one of that name); answers the campaign with its clinics. */
  'campaign.clinic.save': { input: ClinicSaveInput, output: CampaignDetail },
  'campaign.session.save': { input: SessionSaveInput, output: z.object({ sessionId: Id }) },
  'campaign.batch.draft': { input: BatchDraftInput, output: BatchPreview },
  'campaign.batch.preview': { input: BatchRef, output: BatchPreview },
  'campaign.waves.plan': { input: WavePlanInput, output: WavePlan },
  'campaign.batch.confirm': { input: BatchConfirmInput, output: BatchConfirmResult },
  'campaign.person.record': { input: z.object({ personId: Id }), output: PersonCampaignRecord },
  'campaign.notify.export': { input: NotifyExportInput, output: NotifyExport },
  'campaign.reminders.run': { input: RemindersRunInput, output: DailyRunCount },
  'campaign.recall.run': { input: CampaignRef, output: RunCount },
  'campaign.booking.record': { input: BookingRecordInput, output: BookingRecorded },
  'campaign.bookings.import': { input: BookingImportInput, output: BookingImportResult },
} as const;

export type CampaignHandlers = HandlersOf<typeof campaignChannels>;
