// Pure rules of the child health worklists: what to do next about a missed appointment, which of
// the engine's explanations say why a child's doses are owed, and the register's CSV.
import type { ChildRow } from '../contract/worklists';
import { yearGroupLabel } from '../shared/calendar/dates';
import type { CallOutcome, DnaNextAction } from '../shared/vocabulary/child-health';
import { CHILD_STATUS_LABELS } from '../shared/vocabulary/child-health';
import type { CommunicationStatus } from '../shared/vocabulary/campaigns';

/** What has been done about a missed appointment since it was missed. */
export interface DnaFacts {
  /** The campaign's own missed-appointment communication, if it made one. */
  followUpStatus: CommunicationStatus | null;
  lettersSince: number;
  callsSince: number;
  lastCallOutcome: CallOutcome | null;
  referredToGp: boolean;
  daysSinceMissed: number;
}

/** Days to wait for a reply to a letter or message before calling. */
const DNA_REPLY_DAYS = 14;
/** Unanswered calls before the GP is asked to help. */
const DNA_CALLS_BEFORE_GP = 2;

/**
 * The next step for a child who missed a booked appointment: write first (unless the campaign
 * already did), give the family time to reply, then call; after calls that reached no one (or
 * a family who will not book), refer to the GP; once referred, wait for the practice.
 */
export function dnaNextAction(f: DnaFacts): DnaNextAction {
  if (f.referredToGp) return 'GP_REFERRED';
  const written = f.lettersSince > 0 || (f.followUpStatus !== null && f.followUpStatus !== 'FAILED' && f.followUpStatus !== 'RETURNED');
  if (!written && f.callsSince === 0) return 'SEND_LETTER';
  if (f.callsSince === 0) return f.daysSinceMissed < DNA_REPLY_DAYS ? 'AWAIT_REPLY' : 'CALL';
  if (f.lastCallOutcome === 'SPOKE_WILL_BOOK') return f.daysSinceMissed < DNA_REPLY_DAYS ? 'AWAIT_REPLY' : 'CALL_AGAIN';
  if (f.callsSince >= DNA_CALLS_BEFORE_GP || f.lastCallOutcome === 'WRONG_NUMBER') return 'REFER_GP';
  return 'CALL_AGAIN';
}

/** One series' explanation lines, as the engine gave them. */
export interface SeriesExplanation {
  seriesId: string;
  seriesName: string;
  status: string;
  explanation: readonly string[];
}

/**
 * Why a child's doses are owed: the engine's explanation of each series the register lists as
 * owed (overdue first, as the register orders them), unchanged. A series the engine no longer
 * calls overdue or due (the record changed since the status was kept) is left out.
 */
export function owedExplanations(
  owed: readonly { seriesId: string }[],
  series: readonly SeriesExplanation[],
): { seriesId: string; name: string; explanation: string[] }[] {
  const byId = new Map(series.map((s) => [s.seriesId, s]));
  const out: { seriesId: string; name: string; explanation: string[] }[] = [];
  for (const o of owed) {
    const s = byId.get(o.seriesId);
    if (!s || (s.status !== 'OVERDUE' && s.status !== 'DUE')) continue;
    out.push({ seriesId: s.seriesId, name: s.seriesName, explanation: [...s.explanation] });
  }
  return out;
}

/**
 * A CSV field (RFC 4180), and never a formula: a value a spreadsheet would run (= + - @, or a
 * tab or carriage return first) is written with an apostrophe before it.
 */
export function csvCell(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const REGISTER_CSV_HEADER = [
  'NHS number',
  'Family name',
  'Given name',
  'Date of birth',
  'GP practice code',
  'GP practice',
  'Local authority',
  'Postcode district',
  'School URN',
  'School',
  'Year group',
  'Status',
  'Overdue since',
  'Days overdue',
  'Owed',
] as const;

/** The register's rows as CSV, with a header line; lines end CRLF as RFC 4180 asks. */
export function registerCsv(rows: readonly ChildRow[]): string {
  const lines = [REGISTER_CSV_HEADER.map(csvCell).join(',')];
  for (const r of rows) {
    lines.push(
      [
        r.nhsNumber,
        r.familyName,
        r.givenName,
        r.dateOfBirth,
        r.practiceCode,
        r.practiceName,
        r.localAuthority,
        r.postcodeDistrict,
        r.schoolUrn,
        r.schoolName,
        r.yearGroup === null ? null : yearGroupLabel(r.yearGroup),
        CHILD_STATUS_LABELS[r.status],
        r.overdueFrom,
        r.daysOverdue,
        r.owed
          .map((o) => `${o.name}${o.dose === null ? '' : ` dose ${o.dose}`} (${o.status === 'OVERDUE' ? 'overdue' : 'due'})`)
          .join('; '),
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
