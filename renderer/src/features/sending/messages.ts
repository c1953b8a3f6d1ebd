// How a campaign's messages stand, for its page: counts per channel and status (delivery status
// as Notify names it, in words), and a send run's progress in a sentence.
import type { CommunicationCounts, SendProgress } from '../../../../main-api/contract/sending';
import { COMMUNICATION_STATUS_LABELS, type CommunicationStatus } from '../../../../main-api/shared/vocabulary/campaigns';
import { CONTACT_CHANNEL_LABELS } from '../../../../main-api/shared/vocabulary/contact';
import { DELIVERY_STATUS_LABELS } from '../../../../main-api/shared/vocabulary/sending';

export interface CountRow {
  key: string;
  channel: string;
  status: string;
  count: number;
}

export function countRows(counts: CommunicationCounts): CountRow[] {
  return counts.map((c) => ({
    key: `${c.channel}-${c.status}-${c.deliveryStatus ?? ''}`,
    channel: CONTACT_CHANNEL_LABELS[c.channel],
    status:
      c.deliveryStatus === null
        ? COMMUNICATION_STATUS_LABELS[c.status]
        : `${COMMUNICATION_STATUS_LABELS[c.status]}: ${DELIVERY_STATUS_LABELS[c.deliveryStatus].toLowerCase()}`,
    count: c.count,
  }));
}

/** Totals per status (pending, sent, failed, returned), for the summary line. */
export function statusTotals(counts: CommunicationCounts): Record<CommunicationStatus, number> {
  const totals: Record<CommunicationStatus, number> = { PENDING: 0, SENT: 0, FAILED: 0, RETURNED: 0 };
  for (const c of counts) totals[c.status] += c.count;
  return totals;
}

const plural = (n: number, one: string, many: string): string => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;

export function progressSentence(p: SendProgress): string {
  const parts = [plural(p.sent, 'message sent', 'messages sent')];
  if (p.alreadySent) parts.push(`${plural(p.alreadySent, 'found', 'found')} already sent`);
  if (p.refused) parts.push(`${plural(p.refused, 'refused', 'refused')} (${p.fallbacks} falling back to another channel)`);
  if (p.deferred) parts.push(`${plural(p.deferred, 'left', 'left')} for later`);
  const state = { running: 'Sending', finished: 'Finished', cancelled: 'Stopped', failed: 'Stopped' }[p.state];
  return `${state}: ${parts.join(', ')}${p.state === 'running' && p.rate > 0 ? ` (${p.rate} a second)` : ''}.`;
}
