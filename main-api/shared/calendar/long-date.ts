// Date display for printed records. Dates arrive as 'YYYY-MM-DD' strings and are formatted from
// their digits; nothing passes through a local-time Date, so a date of birth cannot shift by a day.

const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

function parts(iso: string): [number, number, number] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) throw new RangeError(`Expected a date as YYYY-MM-DD, got "${iso}"`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  // A UTC round trip rejects impossible days such as 2023-02-29 without any time-zone effect.
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
    throw new RangeError(`Not a real date: "${iso}"`);
  }
  return [y, mo, d];
}

/** '2016-03-05' -> '05 March 2016' (dd MMMM yyyy). */
export function formatLongDate(iso: string): string {
  const [y, m, d] = parts(iso);
  return `${String(d).padStart(2, '0')} ${MONTHS[m - 1]} ${y}`;
}

/** '2016-09-05' -> '05 Sep 2016', for narrow table columns. */
export function formatShortDate(iso: string): string {
  const [y, m, d] = parts(iso);
  return `${String(d).padStart(2, '0')} ${(MONTHS[m - 1] ?? '').slice(0, 3)} ${y}`;
}
