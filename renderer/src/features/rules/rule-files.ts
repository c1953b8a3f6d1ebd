// The rule files screen's words: the preview's headline, a status change, the effective date as
// typed. Pure, so the words are tested without a screen.
import type { RulePreview } from '../../../../main-api/contract/rules';
import type { ApiError } from '../../../../main-api/contract/result';
import { formatLongDate, parseEnteredDate } from '../../../../main-api/shared/calendar/dates';
import { CAMPAIGN_STATUS_LABELS, SERIES_STATUS_LABELS } from '../../../../main-api/shared/vocabulary/schedule';

const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;

/** How many people the file would change, and of how many worked out. */
export function previewHeadline(p: RulePreview): string {
  if (p.reached === 0) return 'Nobody on the register can be affected by this file.';
  if (!p.sampled) {
    return `${count(p.changed, 'person', 'people')} of ${count(p.reached, 'person', 'people')} who can be affected would change status on ${formatLongDate(p.onDay)}.`;
  }
  return (
    `About ${count(p.estimatedChanged, 'person', 'people')} would change status on ${formatLongDate(p.onDay)}: ` +
    `${count(p.changed, 'person', 'people')} of a random sample of ${p.considered.toLocaleString('en-GB')}, ` +
    `out of ${count(p.reached, 'person', 'people')} who can be affected.`
  );
}

/** A status as the record screen words it; no row is 'Not listed' (not eligible, or not due for years). */
export function statusLabel(kind: 'SERIES' | 'CAMPAIGN', status: string | null | undefined): string {
  if (!status) return 'Not listed';
  const labels: Record<string, string> = kind === 'CAMPAIGN' ? CAMPAIGN_STATUS_LABELS : SERIES_STATUS_LABELS;
  return labels[status] ?? status;
}

/** The effective date as typed: empty is today (null); otherwise a real date, or what is wrong. */
export function effectiveDate(text: string, today: string): { ok: true; value: string | null } | { ok: false; message: string } {
  if (text.trim() === '') return { ok: true, value: null };
  const value = parseEnteredDate(text, today, 'nearest');
  return value ? { ok: true, value } : { ok: false, message: 'Enter a real date, for example 1/12/2026, or leave it empty for today.' };
}

/** Every mistake in a refused file, as 'field: message' lines (the whole message when none is named). */
export function fileMistakes(error: ApiError | null): string[] {
  if (!error) return [];
  if (error.details?.kind === 'fields') return error.details.fields.map((f) => `${f.field}: ${f.message}`);
  return [];
}
