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

const londonClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/**
 * An instant as a date and time in England, '21/11/2025 15:04' (the short date style and a
 * 24-hour clock), whatever the workstation's time zone. A malformed value is shown as it came.
 */
export function formatDateTime(instant: string | null | undefined): string {
  if (!instant) return '';
  const d = new Date(instant);
  if (Number.isNaN(d.getTime())) return instant;
  const p = Object.fromEntries(londonClock.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

/** Minutes England is ahead of UTC at an instant (0 in winter, 60 in summer). */
function londonOffsetMinutes(utcMs: number): number {
  const p = Object.fromEntries(londonClock.formatToParts(new Date(utcMs)).map((x) => [x.type, x.value]));
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
  return Math.round((wall - Math.floor(utcMs / 60_000) * 60_000) / 60_000);
}

/**
 * The instant of a date and a time of day as read on a clock in England ('2025-10-01', '14:30'),
 * as an ISO timestamp; null when either is not real. The workstation's own time zone plays no
 * part. In the hour the clocks go back the earlier (summer) reading is taken; a time skipped
 * when they go forward is read on the winter clock.
 */
export function instantInEngland(dateIso: string, time: string): string | null {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dateIso);
  const t = /^(\d{1,2})[:.](\d{2})$/.exec(time.trim());
  if (!d || !t) return null;
  const [y, mo, day, h, min] = [Number(d[1]), Number(d[2]), Number(d[3]), Number(t[1]), Number(t[2])];
  if (h > 23 || min > 59) return null;
  const wall = Date.UTC(y, mo - 1, day, h, min);
  const check = new Date(wall);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== day) return null;
  // Try the summer reading first, then the winter one; keep the first that reads back the same.
  for (const offset of [60, 0]) {
    const utc = wall - offset * 60_000;
    if (londonOffsetMinutes(utc) === offset) return new Date(utc).toISOString();
  }
  return new Date(wall).toISOString();
}
