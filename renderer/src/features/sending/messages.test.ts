import { describe, expect, it } from 'vitest';
import { countRows, progressSentence, statusTotals } from './messages';

describe("a campaign's messages", () => {
  const counts = [
    { channel: 'SMS' as const, status: 'SENT' as const, deliveryStatus: 'delivered' as const, count: 3 },
    { channel: 'SMS' as const, status: 'FAILED' as const, deliveryStatus: 'permanent-failure' as const, count: 1 },
    { channel: 'EMAIL' as const, status: 'PENDING' as const, deliveryStatus: null, count: 2 },
  ];
  it('says each status in words, with how Notify says it was delivered', () => {
    expect(countRows(counts).map((r) => [r.channel, r.status, r.count])).toEqual([
      ['Text message', 'Sent: delivered', 3],
      ['Text message', 'Failed: not delivered: the address or number is wrong', 1],
      ['Email', 'Waiting to be sent', 2],
    ]);
    expect(statusTotals(counts)).toEqual({ PENDING: 2, SENT: 3, FAILED: 1, RETURNED: 0 });
  });
  it('puts a run in a sentence', () => {
    const base = { runId: 'x', campaignCode: 'C', claimed: 5, alreadySent: 0, fallbacks: 1, message: null };
    expect(progressSentence({ ...base, state: 'running', sent: 3, refused: 1, deferred: 0, rate: 2.5 })).toBe(
      'Sending: 3 messages sent, 1 refused (1 falling back to another channel) (2.5 a second).',
    );
    expect(progressSentence({ ...base, state: 'cancelled', sent: 1, refused: 0, deferred: 4, rate: 0 })).toBe(
      'Stopped: 1 message sent, 4 left for later.',
    );
  });
});
