// The campaign set-up form: its values as typed, what the save channel takes from them, where
// the contract's and the database's messages land on it, and what it checks before sending.
import type { CampaignDetail, CampaignSaveInput } from '../../../../main-api/contract/campaigns';
import type { ApiError, FieldIssue } from '../../../../main-api/contract/result';
import type { Programme } from '../../../../main-api/contract/vaccination';
import { COMMUNICATION_PURPOSES, type BookingRoute, type CommunicationPurpose } from '../../../../main-api/shared/vocabulary/campaigns';
import { CONTACT_CHANNELS, type ContactChannel } from '../../../../main-api/shared/vocabulary/contact';

/** One template cell of the grid: the template's name (blank: none) and its version. */
interface TemplateCell {
  templateName: string;
  templateVersion: number | null;
}

export interface ReminderRow {
  /** Made on this side, so a row keeps its identity when one above is removed. */
  key: number;
  daysAfterInvitation: number | null;
  channel: ContactChannel;
}

export interface CampaignForm {
  code: string;
  name: string;
  programmeCode: string | null;
  organisationCode: string | null;
  channels: ContactChannel[];
  bookingRoute: BookingRoute;
  bookingUrl: string;
  bookingPhone: string;
  /** Series ids, separated by commas or spaces. */
  recallSeries: string;
  /** By templateKey(purpose, channel). */
  templates: Record<string, TemplateCell>;
  reminderRules: ReminderRow[];
}

export const templateKey = (purpose: CommunicationPurpose, channel: ContactChannel): string => `${purpose}/${channel}`;
/** The form field of a template cell's name and of its version. */
export const templateField = (key: string, part: 'name' | 'version'): string => `template:${key}:${part}`;
export const reminderField = (index: number, part: 'days' | 'channel'): string => `reminder:${index}:${part}`;

function emptyTemplates(): Record<string, TemplateCell> {
  const out: Record<string, TemplateCell> = {};
  for (const p of COMMUNICATION_PURPOSES)
    for (const c of CONTACT_CHANNELS) out[templateKey(p, c)] = { templateName: '', templateVersion: 1 };
  return out;
}

let nextKey = 1;
export function newReminder(days: number | null = null, channel: ContactChannel = 'SMS'): ReminderRow {
  return { key: nextKey++, daysAfterInvitation: days, channel };
}

/** A new campaign's form: the user's one organisation chosen when they have only one. */
export function emptyCampaignForm(organisations: readonly { code: string }[]): CampaignForm {
  return {
    code: '',
    name: '',
    programmeCode: null,
    organisationCode: organisations.length === 1 ? organisations[0]!.code : null,
    channels: ['LETTER', 'SMS'],
    bookingRoute: 'NATIONAL',
    bookingUrl: '',
    bookingPhone: '',
    recallSeries: '',
    templates: emptyTemplates(),
    reminderRules: [],
  };
}

/** An existing campaign's form. Retired reminder rules are not on it: saving leaves them retired. */
export function formFromDetail(d: CampaignDetail): CampaignForm {
  const templates = emptyTemplates();
  for (const t of d.templates)
    templates[templateKey(t.purpose, t.channel)] = { templateName: t.templateName, templateVersion: t.templateVersion };
  return {
    code: d.code,
    name: d.name,
    programmeCode: d.programmeCode,
    organisationCode: d.organisationCode,
    channels: [...d.channels],
    bookingRoute: d.bookingRoute,
    bookingUrl: d.bookingUrl ?? '',
    bookingPhone: d.bookingPhone ?? '',
    recallSeries: d.recallSeries.join(', '),
    templates,
    reminderRules: d.reminderRules.filter((r) => r.active).map((r) => newReminder(r.daysAfterInvitation, r.channel)),
  };
}

/** The template cells the save sends: named ones of the campaign's channels, purposes in order, channels in order. */
export function templateKeysSent(f: Pick<CampaignForm, 'templates' | 'channels'>): string[] {
  const keys: string[] = [];
  for (const p of COMMUNICATION_PURPOSES)
    for (const c of CONTACT_CHANNELS) {
      const key = templateKey(p, c);
      if (f.channels.includes(c) && f.templates[key]!.templateName.trim() !== '') keys.push(key);
    }
  return keys;
}

const blankToNull = (s: string): string | null => (s.trim() === '' ? null : s.trim());

/** What the form cannot send at all; everything else the contract and the database check. */
export function formIssues(f: CampaignForm): { field: string; message: string }[] {
  const issues: { field: string; message: string }[] = [];
  if (f.programmeCode === null) issues.push({ field: 'programmeCode', message: 'Choose the programme' });
  if (f.organisationCode === null) issues.push({ field: 'organisationCode', message: 'Choose the organisation running it' });
  for (const key of templateKeysSent(f))
    if (f.templates[key]!.templateVersion === null)
      issues.push({ field: templateField(key, 'version'), message: "Give the template's version" });
  f.reminderRules.forEach((r, i) => {
    if (r.daysAfterInvitation === null) issues.push({ field: reminderField(i, 'days'), message: 'Give the days after the invitation' });
  });
  return issues;
}

/** The save channel's input (call formIssues first: a blank number here is sent as 0, which the contract refuses). */
export function saveInput(f: CampaignForm, create: boolean): CampaignSaveInput {
  return {
    code: f.code.trim().toUpperCase(),
    name: f.name,
    programmeCode: f.programmeCode ?? '',
    organisationCode: f.organisationCode ?? '',
    channels: CONTACT_CHANNELS.filter((c) => f.channels.includes(c)),
    bookingRoute: f.bookingRoute,
    bookingUrl: f.bookingRoute === 'LOCAL_LINK' ? blankToNull(f.bookingUrl) : null,
    bookingPhone: f.bookingRoute === 'PHONE' ? blankToNull(f.bookingPhone) : null,
    recallSeries: f.recallSeries
      .split(/[,\s]+/)
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    templates: templateKeysSent(f).map((key) => {
      const [purpose, channel] = key.split('/') as [CommunicationPurpose, ContactChannel];
      const t = f.templates[key]!;
      return { purpose, channel, templateName: t.templateName.trim(), templateVersion: t.templateVersion ?? 0 };
    }),
    reminderRules: f.reminderRules.map((r) => ({ daysAfterInvitation: r.daysAfterInvitation ?? 0, channel: r.channel })),
    create,
  };
}

/**
 * The form's values, flat, one entry per field a message can stand beside: what the form's
 * error handling compares to tell when a field has been changed since its message came.
 */
export function flatValues(f: CampaignForm): Record<string, unknown> {
  const out: Record<string, unknown> = {
    code: f.code,
    name: f.name,
    programmeCode: f.programmeCode,
    organisationCode: f.organisationCode,
    channels: f.channels,
    bookingRoute: f.bookingRoute,
    bookingUrl: f.bookingUrl,
    bookingPhone: f.bookingPhone,
    recallSeries: f.recallSeries,
  };
  for (const [key, t] of Object.entries(f.templates)) {
    out[templateField(key, 'name')] = t.templateName;
    out[templateField(key, 'version')] = t.templateVersion;
  }
  f.reminderRules.forEach((r, i) => {
    out[reminderField(i, 'days')] = r.daysAfterInvitation;
    out[reminderField(i, 'channel')] = r.channel;
  });
  return out;
}

/**
 * Where a message from the contract lands: `templates.2.templateName` on the name of the third
 * template sent, `reminderRules.1.daysAfterInvitation` on the second reminder's days,
 * `recallSeries.0` on the series box. Null leaves it to a field of the same name, or the summary.
 */
export function campaignFieldOf(f: CampaignForm): (issue: FieldIssue) => string | null {
  const sent = templateKeysSent(f);
  return (issue) => {
    const [head, index, part] = issue.field.split('.');
    const i = Number(index);
    if (head === 'templates' && Number.isInteger(i) && sent[i])
      return templateField(sent[i], part === 'templateVersion' ? 'version' : 'name');
    if (head === 'reminderRules' && Number.isInteger(i) && i < f.reminderRules.length)
      return reminderField(i, part === 'channel' ? 'channel' : 'days');
    if (head === 'recallSeries' || head === 'channels') return head;
    return null;
  };
}

/** The programmes a campaign may be for: the database takes active seasonal ones only. */
export function campaignProgrammes(programmes: readonly Programme[], current: string | null): { value: string; label: string }[] {
  return programmes
    .filter((p) => ((p.kind === 'SEASONAL_FLU' || p.kind === 'COVID19') && p.active) || p.code === current)
    .map((p) => ({ value: p.code, label: `${p.name} (${p.code})` }));
}

/** The organisations of the user's scope, and the campaign's own when it is not among them. */
export function organisationOptions(
  scope: readonly { code: string; name: string }[],
  current: string | null,
): { value: string; label: string }[] {
  const options = scope.map((o) => ({ value: o.code, label: `${o.name} (${o.code})` }));
  if (current !== null && !scope.some((o) => o.code === current)) options.push({ value: current, label: current });
  return options;
}

/** A code as it is typed (flu26-medway) as the contract wants it (FLU26-MEDWAY). */
export const campaignCode = (typed: string): string => typed.trim().toUpperCase().replace(/\s+/g, '-');

/**
 * The database's refusals of a save, placed on the field they are about where the message says
 * which: a programme that is not an active seasonal one, an organisation out of the user's
 * scope (which reaches the screen as a bare "permission" refusal), a new campaign's code that
 * is taken outside the user's scope. Other errors pass unchanged.
 */
export function placeRefusal(error: ApiError | null, creating = false): ApiError | null {
  if (error === null || error.details !== undefined) return error;
  // A new campaign's code that a campaign outside the user's organisations has: the save takes it
  // for a change to that campaign, which the user cannot see.
  if (creating && error.code === 'NOT_FOUND') {
    const message = 'This code cannot be used for a new campaign: choose another.';
    return { code: 'VALIDATION', message, details: { kind: 'fields', fields: [{ field: 'code', message }] } };
  }
  if (error.code === 'VALIDATION' && /seasonal programme/i.test(error.message))
    return { ...error, details: { kind: 'fields', fields: [{ field: 'programmeCode', message: error.message }] } };
  if (error.code === 'FORBIDDEN') {
    const message = `${error.message} A campaign can be run only for an organisation in your scope, by a coordinator or an administrator.`;
    return { code: 'FORBIDDEN', message, details: { kind: 'fields', fields: [{ field: 'organisationCode', message }] } };
  }
  return error;
}
