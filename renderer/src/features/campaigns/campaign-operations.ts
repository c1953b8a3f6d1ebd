// The campaign page's clinics and operations as the screen shows them: sessions added up by day,
// what is typed into the clinic and session forms, the export's choices and what it did, the
// recall's count, a booking's session choices, and a refused booking file's rows.
import type { CampaignDetail, NotifyExport } from '../../../../main-api/contract/campaigns';
import type { ApiError } from '../../../../main-api/contract/result';
import { formatShortDate } from '../../../../main-api/shared/calendar/dates';
import { parsePostcode } from '../../../../main-api/shared/identifiers/postcode';
import { COMMUNICATION_PURPOSE_LABELS, type CommunicationPurpose } from '../../../../main-api/shared/vocabulary/campaigns';
import { CONTACT_CHANNEL_LABELS, type ContactChannel } from '../../../../main-api/shared/vocabulary/contact';

type Clinics = CampaignDetail['clinics'];

export interface SessionRow {
  id: number;
  clinic: string;
  date: string;
  startsAt: string;
  endsAt: string;
  slots: number;
}

/** Every session of every clinic, by day, then start, then clinic. */
export function sessionRows(clinics: Clinics): SessionRow[] {
  return clinics
    .flatMap((c) =>
      c.sessions.map((s) => ({ id: s.id, clinic: c.name, date: s.date, startsAt: s.startsAt, endsAt: s.endsAt, slots: s.slots })),
    )
    .sort((a, b) => a.date.localeCompare(b.date) || a.startsAt.localeCompare(b.startsAt) || a.clinic.localeCompare(b.clinic));
}

/** Each day with sessions: how many sessions, at how many clinics, and their slots. */
export function slotsByDay(clinics: Clinics): { date: string; sessions: number; clinics: number; slots: number }[] {
  const days = new Map<string, { sessions: number; clinics: Set<string>; slots: number }>();
  for (const c of clinics)
    for (const s of c.sessions) {
      const day = days.get(s.date) ?? { sessions: 0, clinics: new Set<string>(), slots: 0 };
      day.sessions += 1;
      day.clinics.add(c.name);
      day.slots += s.slots;
      days.set(s.date, day);
    }
  return [...days.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([date, d]) => ({ date, sessions: d.sessions, clinics: d.clinics.size, slots: d.slots }));
}

/** A postcode as typed (me14 1xx, ME141XX) as the contract wants it (ME14 1XX); blank is none; not one is left for the contract to name. */
export function normalisePostcode(typed: string): string | null {
  if (typed.trim() === '') return null;
  return parsePostcode(typed.replace(/\s+/g, ''))?.postcode ?? typed.trim().toUpperCase();
}

/** A site (ODS) code as typed; blank is none. */
export const normaliseSiteCode = (typed: string): string | null => (typed.trim() === '' ? null : typed.trim().toUpperCase());

/** A time typed as 9:00, 0900, 9 or 09.30, written HH:MM; anything else is left as typed for the contract to name. */
export function normaliseTime(typed: string): string {
  const t = typed.trim();
  const m = /^(\d{1,2})(?:[:.]?(\d{2}))?$/.exec(t);
  if (!m) return t;
  const h = Number(m[1]);
  const min = m[2] === undefined ? 0 : Number(m[2]);
  if (h > 23 || min > 59) return t;
  return `${String(h).padStart(2, '0')}:${String(min).padStart(2, '0')}`;
}

/** Sessions to book into: each clinic's sessions from a day on, labelled with the day, times and clinic. */
export function sessionOptions(clinics: Clinics, from: string | null = null): { value: number; label: string; date: string }[] {
  return sessionRows(clinics)
    .filter((s) => from === null || s.date >= from)
    .map((s) => ({ value: s.id, date: s.date, label: `${formatShortDate(s.date)} ${s.startsAt}–${s.endsAt}, ${s.clinic}` }));
}

/** The batches an export can be limited to: the confirmed ones (a draft has no invitations). */
export function exportBatchOptions(batches: CampaignDetail['batches']): { value: number; label: string }[] {
  return batches.filter((b) => b.status === 'CONFIRMED').map((b) => ({ value: b.id, label: `${b.cohortName ?? 'Batch'} (batch ${b.id})` }));
}

/** What an export did, in a sentence. */
export function exportWording(
  r: Pick<NotifyExport, 'rows' | 'fileName'>,
  o: { purpose: CommunicationPurpose; channel: ContactChannel; dueBy: string; markSent: boolean },
): string {
  const what = `${COMMUNICATION_PURPOSE_LABELS[o.purpose].toLowerCase()}s by ${CONTACT_CHANNEL_LABELS[o.channel].toLowerCase()}`;
  if (r.rows === 0) return `Nothing to export: no ${what} are waiting to be sent up to ${formatShortDate(o.dueBy)}.`;
  const rows = r.rows === 1 ? '1 message' : `${r.rows.toLocaleString('en-GB')} messages`;
  return `${rows} exported to ${r.fileName}${o.markSent ? ', and marked as sent' : ' (still waiting to be sent)'}.`;
}

export function recallWording(created: number): string {
  if (created === 0) return 'Nobody new is due a next dose: the recall queue is unchanged.';
  return created === 1 ? '1 person entered the recall queue.' : `${created.toLocaleString('en-GB')} people entered the recall queue.`;
}

const FIELD_LABELS: Record<string, string> = {
  nhsNumber: 'NHS number',
  nhs_number: 'NHS number',
  date: 'Date',
  status: 'Status',
  reference: 'Reference',
};

export interface RejectedRow {
  /** "Header" for the file's header, else the row's number (1 for the first row after the header). */
  row: string;
  field: string;
  reason: string;
}

/** A refused import's rows, each with its number, field and reason; empty when the error is not about rows. */
export function rejectedRows(error: ApiError | null): RejectedRow[] {
  if (error?.details?.kind !== 'rows') return [];
  return error.details.rows.map((r) => ({
    row: r.row === 0 ? 'Header' : String(r.row),
    field: r.field === null ? '—' : (FIELD_LABELS[r.field] ?? r.field),
    reason: r.message,
  }));
}

export function importWording(r: { added: number; updated: number; followUps: number }): string {
  const n = (x: number, one: string, many: string) => (x === 1 ? `1 ${one}` : `${x.toLocaleString('en-GB')} ${many}`);
  const followUps = r.followUps > 0 ? `; ${n(r.followUps, 'missed-appointment follow-up', 'missed-appointment follow-ups')} to send` : '';
  return `${n(r.added, 'booking', 'bookings')} added, ${n(r.updated, 'booking', 'bookings')} updated${followUps}.`;
}

/** Bytes as a person reads them. */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
