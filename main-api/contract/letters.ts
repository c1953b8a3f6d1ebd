// Channels for letters and message templates: a campaign's templates (versioned; unknown merge
// fields refused with the field named), a preview with a real person's data (an audited read;
// a letter's PDF too), and letter production runs off the interface thread, polled for
// progress and cancellable. Coordinators and administrators write templates and produce letters;
// staff who see a campaign read and preview its templates (migration 0035).
import { z } from 'zod';
import { isoDate, isoDateTime, type HandlersOf } from './common';
import { CampaignCode } from './campaigns';
import { parseTemplate, SMS_MAX_CHARACTERS, smsLength } from '../shared/messages/template-text';
import { BookingRoute, COMMUNICATION_PURPOSES, CommunicationPurpose } from '../shared/vocabulary/campaigns';
import { ContactChannel } from '../shared/vocabulary/contact';
import { LetterLanguage, LetterRunLayout, LetterRunStatus, TemplatePurpose } from '../shared/vocabulary/letters';

const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const Count = z.number().int().nonnegative();
const TemplateName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,79}$/, 'Letters, digits, spaces, _ . - (at most 80), starting with a letter or digit');
const Subject = z
  .string()
  .trim()
  .max(200, 'At most 200 characters')
  .regex(/^[^\p{Cc}\p{Cf}]*$/u, 'No control or formatting characters');
const Body = z
  .string()
  .max(20000, 'At most 20,000 characters')
  .refine((s) => s.trim().length > 0, 'Write the message')
  // eslint-disable-next-line no-control-regex -- tabs and new lines are text; other control characters are not
  .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), 'No control characters');

/** Adds an issue for each problem in a template text: the unknown field is named in the message. */
function checkText(text: string | null | undefined, path: (string | number)[], ctx: z.RefinementCtx): void {
  if (!text) return;
  for (const p of parseTemplate(text).problems) ctx.addIssue({ code: 'custom', path, message: p.message });
}

const Variant = z.object({ subject: Subject.nullable().default(null), body: Body });
const Variants = z.object({ cy: Variant.optional() }).strict();

export const MessageTemplate = z.object({
  name: z.string(),
  version: z.number().int().positive(),
  purpose: TemplatePurpose,
  channel: ContactChannel,
  subject: z.string().nullable(),
  body: z.string(),
  variants: z.object({ cy: z.object({ subject: z.string().nullable().optional(), body: z.string() }).optional() }),
  createdBy: z.string(),
  createdAt: isoDateTime,
  /** The campaign uses this version for its purpose and channel. */
  inUse: z.boolean(),
});
export type MessageTemplate = z.infer<typeof MessageTemplate>;

export const TemplateSaveInput = z
  .object({
    /** The campaign; null: the standing templates of the messages of no campaign (child health and schools). */
    campaignCode: CampaignCode.nullable(),
    name: TemplateName,
    purpose: TemplatePurpose,
    channel: ContactChannel,
    /** A letter's heading or an email's subject; none for a text message. */
    subject: Subject.nullable().default(null),
    body: Body,
    variants: Variants.default({}),
    /** The version the editor opened (null for a new template); a newer one saved since is a conflict. */
    basedOn: z.number().int().min(1).max(10000).nullable().default(null),
    /** Use this version for the campaign's communications of its purpose and channel. */
    use: z.boolean().default(false),
  })
  .superRefine((t, ctx) => {
    checkText(t.subject, ['subject'], ctx);
    checkText(t.body, ['body'], ctx);
    checkText(t.variants.cy?.subject, ['variants', 'cy', 'subject'], ctx);
    checkText(t.variants.cy?.body, ['variants', 'cy', 'body'], ctx);
    if (t.channel === 'EMAIL' && !t.subject) ctx.addIssue({ code: 'custom', path: ['subject'], message: 'An email needs a subject' });
    if (t.channel === 'SMS' && t.subject) ctx.addIssue({ code: 'custom', path: ['subject'], message: 'A text message has no subject' });
    if (t.channel === 'SMS') {
      for (const [path, text] of [
        [['body'], t.body],
        [['variants', 'cy', 'body'], t.variants.cy?.body],
      ] as const) {
        if (text && smsLength(text).tooLong)
          ctx.addIssue({ code: 'custom', path: [...path], message: `A text message is at most ${SMS_MAX_CHARACTERS} characters` });
      }
    }
    if (t.use && !(COMMUNICATION_PURPOSES as readonly string[]).includes(t.purpose))
      ctx.addIssue({
        code: 'custom',
        path: ['use'],
        message: 'Campaign communications use invitation, reminder, recall and missed-appointment templates only',
      });
  });
export type TemplateSaveInput = z.output<typeof TemplateSaveInput>;

/** What a letter knows of a person (ims.letter_person). */
export const LetterPerson = z.object({
  personId: Id,
  nhsNumber: z.string(),
  givenName: z.string(),
  familyName: z.string(),
  dateOfBirth: isoDate,
  addressLines: z.array(z.string()),
  postcode: z.string().nullable(),
  preferredLanguage: LetterLanguage.nullable(),
  largePrint: z.boolean(),
  practiceName: z.string().nullable(),
  appointmentDate: isoDate.nullable(),
  appointmentClinic: z.string().nullable(),
  appointmentClinicPostcode: z.string().nullable(),
  dueDate: isoDate.nullable(),
  /** A school session's message: the child's school, the session's date and programme (migration 0078). */
  schoolName: z.string().nullable().optional(),
  sessionDate: isoDate.nullable().optional(),
  schoolProgramme: z.string().nullable().optional(),
});
export type LetterPerson = z.infer<typeof LetterPerson>;

/** What a letter knows of the campaign (ims.letter_campaign). */
export const LetterCampaign = z.object({
  code: z.string(),
  name: z.string(),
  organisationCode: z.string(),
  organisationName: z.string(),
  bookingRoute: BookingRoute,
  bookingUrl: z.string().nullable(),
  bookingPhone: z.string().nullable(),
  clinicName: z.string().nullable(),
  clinicPostcode: z.string().nullable(),
  /** The child health service's consent link and phone (ims.child_health_contact). */
  consentLink: z.string().nullable().optional(),
  consentPhone: z.string().nullable().optional(),
});
export type LetterCampaign = z.infer<typeof LetterCampaign>;

export const PreviewInput = z
  .object({
    /** The campaign; null: a message of no campaign (child health and schools). */
    campaignCode: CampaignCode.nullable(),
    personId: Id,
    /** The text being edited (saved or not): a preview never needs a save first. */
    channel: ContactChannel,
    subject: Subject.nullable().default(null),
    body: Body,
    variants: Variants.default({}),
    /** The language to show; the person's own choice when null. */
    language: LetterLanguage.nullable().default(null),
    /** Force the large-print letter; the person's own need when false. */
    largePrint: z.boolean().default(false),
  })
  .superRefine((t, ctx) => {
    checkText(t.subject, ['subject'], ctx);
    checkText(t.body, ['body'], ctx);
    checkText(t.variants.cy?.subject, ['variants', 'cy', 'subject'], ctx);
    checkText(t.variants.cy?.body, ['variants', 'cy', 'body'], ctx);
  });
export type PreviewInput = z.output<typeof PreviewInput>;

const SmsLengthOut = z.object({
  encoding: z.enum(['GSM', 'UNICODE']),
  characters: Count,
  units: Count,
  parts: Count,
  leftInPart: z.number().int(),
  tooLong: z.boolean(),
  unicodeCharacters: z.array(z.string()),
});

export const Preview = z.object({
  personName: z.string(),
  language: LetterLanguage,
  largePrint: z.boolean(),
  subject: z.string().nullable(),
  text: z.string(),
  /** Text messages: length and parts of the merged message. */
  sms: SmsLengthOut.nullable(),
  /** Letters: the PDF (base64), or why the person cannot be sent one. */
  pdf: z.object({ fileName: z.string(), contentType: z.literal('application/pdf'), base64: z.string() }).nullable(),
  addressProblem: z.string().nullable(),
});
export type Preview = z.infer<typeof Preview>;

export const ProductionStartInput = z.object({
  /** The campaign; null: the letters of no campaign (children's overdue letters, school consent requests and reminders). */
  campaignCode: CampaignCode.nullable(),
  layout: LetterRunLayout.default('BATCH'),
  /** Letters per file (BATCH); letters planned together (PER_LETTER). */
  perFile: z.number().int().min(1).max(5000).default(1000),
  /** Only this purpose's letters; every purpose when null. */
  purpose: CommunicationPurpose.nullable().default(null),
  /** Invitations planned for release by this day. */
  dueBy: isoDate,
  /** Everyone in large print. */
  largePrint: z.boolean().default(false),
});
export type ProductionStartInput = z.output<typeof ProductionStartInput>;

const RunFile = z.object({ fileNo: z.number().int().positive(), letters: Count, pages: Count });
const RunFailure = z.object({ communicationId: Id, personId: Id, nhsNumber: z.string(), reason: z.string() });

export const LetterRunSummary = z.object({
  runId: Id,
  campaignCode: z.string(),
  layout: LetterRunLayout,
  perFile: z.number().int(),
  status: LetterRunStatus,
  startedBy: z.string(),
  startedAt: isoDateTime,
  finishedAt: isoDateTime.nullable(),
  produced: Count,
  failed: Count,
  remaining: Count,
  files: z.array(RunFile),
  failures: z.array(RunFailure),
});
export type LetterRunSummary = z.infer<typeof LetterRunSummary>;

/** A run as this computer is producing it: the database's counts plus the rate and time left. */
export const ProductionProgress = z.object({
  runId: Id,
  state: z.enum(['running', 'done', 'cancelled', 'failed']),
  resumed: z.boolean(),
  produced: Count,
  failed: Count,
  /** Letters in the run: produced, failed and still to do. */
  total: Count,
  lettersPerSecond: z.number().nonnegative(),
  secondsLeft: z.number().nonnegative().nullable(),
  /** Why the run stopped, when it failed as a whole. */
  error: z.string().nullable(),
  files: z.array(z.object({ fileNo: z.number().int().positive(), fileName: z.string(), letters: Count, pages: Count })),
  failures: z.array(z.object({ communicationId: Id, personId: Id, reason: z.string() })),
  manifest: z.string().nullable(),
});
export type ProductionProgress = z.infer<typeof ProductionProgress>;

const RunInput = z.object({ runId: Id });
const CampaignInput = z.object({ campaignCode: CampaignCode });
/** A campaign's templates, or with null the standing templates of the messages of no campaign. */
const TemplatesInput = z.object({ campaignCode: CampaignCode.nullable() });

export const letterChannels = {
  'letters.templates': { input: TemplatesInput, output: z.array(MessageTemplate) },
  'letters.template.save': { input: TemplateSaveInput, output: MessageTemplate },
  'letters.preview': { input: PreviewInput, output: Preview },
  'letters.runs': { input: CampaignInput, output: z.array(LetterRunSummary) },
  'letters.production.start': { input: ProductionStartInput, output: ProductionProgress },
  'letters.production.progress': { input: RunInput, output: ProductionProgress },
  'letters.production.cancel': { input: RunInput, output: ProductionProgress },
  'letters.production.file': {
    input: z.object({ runId: Id, fileNo: z.number().int().positive().max(1_000_000) }),
    output: z.object({ fileName: z.string(), contentType: z.literal('application/pdf'), base64: z.string() }),
  },
} as const;

export type LetterHandlers = HandlersOf<typeof letterChannels>;
