// England's calendar date. Clinical dates follow UK local time, and "today" is decided here, in
// the main process, and handed to the renderer at sign-in: never the workstation's time zone or
// the database's current_date.
import { AppError } from '../../contract/result';

const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The calendar date in England at an instant (clinical dates follow UK local time). */
export function londonDate(instant: string | Date): string {
  const d = typeof instant === 'string' ? new Date(instant) : instant;
  if (Number.isNaN(d.getTime())) throw new AppError('VALIDATION', `"${String(instant)}" is not a date and time.`);
  const parts = Object.fromEntries(londonParts.formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** Today's date in England. */
export function todayInLondon(now: Date = new Date()): string {
  return londonDate(now);
}

