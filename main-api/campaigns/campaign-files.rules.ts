// The files a campaign exchanges: the CSV GOV.UK Notify's bulk sending takes (the recipient's
// columns first, then personalisation), and a booking system's CSV of bookings. Pure: no
// database, no files; the service reads and writes them.
import { BOOKING_STATUSES, type BookingStatus } from '../shared/vocabulary/campaigns';
import type { ContactChannel } from '../shared/vocabulary/contact';
import { checkNhsNumber, formatNhsNumber } from '../shared/identifiers/nhs-number';
import { dayOf, formatDay, formatLongDate } from '../shared/calendar/dates';

// ------------------------------------------------------------------------------------------
// GOV.UK Notify bulk sending

/** One pending communication with what its message needs, as the export reads it. */
export interface ExportRow {
  reference: string;
  nhsNumber: string;
  givenName: string;
  familyName: string;
  email: string | null;
  mobile: string | null;
  addressLine1: string | null;
  addressLine2: string | null;
  addressLine3: string | null;
  town: string | null;
  postcode: string | null;
  /** A school message's school, session date (ISO) and programme (the messages of no campaign). */
  schoolName?: string | null;
  sessionDate?: string | null;
  schoolProgramme?: string | null;
}

export interface ExportCampaign {
  name: string;
  /** How to book, in words, for the ((how to book)) placeholder. */
  howToBook: string;
}

/** A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const PERSONALISATION = ['first name', 'last name', 'nhs number', 'campaign', 'how to book', 'reference'] as const;

/**
 * Notify's bulk-send file for one channel: 'phone number' (SMS), 'email address' (EMAIL) or the
 * address lines and postcode (LETTER, the name on line 1) first, then the personalisation
 * columns the templates use. The reference is the communication's own, so a sender can match
 * Notify's statuses back to it.
 */
/** Who sends the messages of no campaign, for their extra personalisation columns. */
export interface ExportService {
  organisation: string;
  consentLink: string | null;
  consentPhone: string | null;
}

const SCHOOL_PERSONALISATION = ['school', 'session date', 'school programme', 'consent link', 'consent phone', 'organisation'] as const;

export function notifyCsv(channel: ContactChannel, campaign: ExportCampaign, rows: readonly ExportRow[], service?: ExportService): string {
  const recipient: string[] =
    channel === 'SMS'
      ? ['phone number']
      : channel === 'EMAIL'
        ? ['email address']
        : ['address line 1', 'address line 2', 'address line 3', 'address line 4', 'address line 5', 'postcode'];
  // The messages of no campaign add the school's and the child health service's columns.
  const extra = service ? SCHOOL_PERSONALISATION : [];
  const lines = [[...recipient, ...PERSONALISATION, ...extra].map(csvField).join(',')];
  for (const r of rows) {
    const to: string[] =
      channel === 'SMS'
        ? [r.mobile ?? '']
        : channel === 'EMAIL'
          ? [r.email ?? '']
          : [
              `${r.givenName} ${r.familyName}`,
              r.addressLine1 ?? '',
              r.addressLine2 ?? '',
              r.addressLine3 ?? '',
              r.town ?? '',
              r.postcode ?? '',
            ];
    const personal = [r.givenName, r.familyName, formatNhsNumber(r.nhsNumber), campaign.name, campaign.howToBook, r.reference];
    const school = service
      ? [
          r.schoolName ?? '',
          formatLongDate(r.sessionDate),
          r.schoolProgramme ?? '',
          service.consentLink ?? '',
          service.consentPhone ?? '',
          service.organisation,
        ]
      : [];
    lines.push([...to, ...personal, ...school].map(csvField).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

// ------------------------------------------------------------------------------------------
// A booking system's CSV

/** A row read from the file, checked for form; the database matches the person and checks again. */
export interface BookingRow {
  /** 1 for the first row after the header. */
  row: number;
  nhsNumber: string;
  date: string;
  status: BookingStatus;
  reference: string;
}

export interface RowIssue {
  row: number;
  field: string | null;
  message: string;
}

/** Splits CSV text into records of fields (quoted fields may hold commas, quotes and line breaks). */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records.filter((r) => !(r.length === 1 && r[0]!.trim() === ''));
}

const COLUMNS = ['nhs_number', 'date', 'status', 'reference'] as const;
const STATUS_WORDS: Record<string, BookingStatus> = {
  ...Object.fromEntries(BOOKING_STATUSES.map((s) => [s, s])),
  DNA: 'DID_NOT_ATTEND',
  CANCELED: 'CANCELLED',
};
const REFERENCE = /^[A-Za-z0-9][A-Za-z0-9_./-]{0,63}$/;

/** A date written YYYY-MM-DD or DD/MM/YYYY, as YYYY-MM-DD; null when it is not a real date. */
function bookingDate(text: string): string | null {
  const uk = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text);
  const iso = uk ? `${uk[3]}-${uk[2]}-${uk[1]}` : text;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return null;
  const n = dayOf(iso);
  return n === null ? null : formatDay(n);
}

/**
 * The rows of a booking file, each checked for form, and every bad row's issue (row number,
 * field, reason). The header names nhs_number, date, status and reference in any order and case
 * ("NHS number" reads as nhs_number); other columns are ignored.
 */
export function parseBookingCsv(text: string): { rows: BookingRow[]; issues: RowIssue[] } {
  const records = parseCsv(text);
  const header = (records[0] ?? []).map((h) => h.trim().toLowerCase().replace(/\s+/g, '_'));
  const missing = COLUMNS.filter((c) => !header.includes(c));
  if (records.length === 0 || missing.length > 0)
    return {
      rows: [],
      issues: [{ row: 0, field: null, message: `The header must name ${COLUMNS.join(', ')}; missing: ${missing.join(', ') || 'all'}.` }],
    };
  const at = Object.fromEntries(COLUMNS.map((c) => [c, header.indexOf(c)])) as Record<(typeof COLUMNS)[number], number>;
  const rows: BookingRow[] = [];
  const issues: RowIssue[] = [];
  records.slice(1).forEach((rec, i) => {
    const row = i + 1;
    const get = (c: (typeof COLUMNS)[number]) => (rec[at[c]] ?? '').trim();
    const nhs = checkNhsNumber(get('nhs_number'));
    if (!nhs.valid) return void issues.push({ row, field: 'nhsNumber', message: nhs.message });
    const date = bookingDate(get('date'));
    if (date === null) return void issues.push({ row, field: 'date', message: 'Not a real date written YYYY-MM-DD or DD/MM/YYYY.' });
    const status =
      STATUS_WORDS[
        get('status')
          .toUpperCase()
          .replace(/[\s-]+/g, '_')
      ];
    if (status === undefined)
      return void issues.push({ row, field: 'status', message: `Not a booking status (${BOOKING_STATUSES.join(', ')} or DNA).` });
    const reference = get('reference');
    if (!REFERENCE.test(reference))
      return void issues.push({ row, field: 'reference', message: 'Give the booking reference: letters, digits, _ . / - (at most 64).' });
    rows.push({ row, nhsNumber: nhs.value, date, status, reference });
  });
  return { rows, issues };
}
