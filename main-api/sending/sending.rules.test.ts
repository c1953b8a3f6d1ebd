import { describe, expect, it } from 'vitest';
import { backoffMs, notifyTemplateFor, ProviderError, TokenBucket, withRetry } from './sending.rules';

describe('the token bucket', () => {
  it('lets a second’s worth through at once, then one every interval', async () => {
    let t = 0;
    const slept: number[] = [];
    const bucket = new TokenBucket(
      60 * 5,
      () => t,
      async (ms) => {
        slept.push(ms);
        t += ms;
      },
    );
    expect(bucket.capacity).toBe(5);
    for (let i = 0; i < 5; i++) await bucket.take();
    expect(t).toBe(0);
    for (let i = 0; i < 10; i++) await bucket.take();
    // 10 more at 5 a second: 2 seconds.
    expect(t).toBeGreaterThanOrEqual(2000);
    expect(t).toBeLessThan(2100);
  });

  it('keeps a low limit: 1 a minute waits a minute for the second', async () => {
    let t = 0;
    const bucket = new TokenBucket(
      1,
      () => t,
      async (ms) => {
        t += ms;
      },
    );
    await bucket.take();
    await bucket.take();
    expect(t).toBe(60_000);
  });
});

describe('retries', () => {
  const o = { retries: 3, baseMs: 100, maxMs: 1000, random: () => 1, sleep: async () => {} };

  it('backs off exponentially, capped', () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffMs(a, o))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffMs(3, { ...o, random: () => 0 })).toBe(200);
  });

  it('retries 429 and 5xx, then gives up; never retries a refusal', async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw new ProviderError('rate-limited', '429', 429);
      }, o),
    ).rejects.toThrow('429');
    expect(calls).toBe(4);
    calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw new ProviderError('refused', 'bad number', 400);
      }, o),
    ).rejects.toThrow('bad number');
    expect(calls).toBe(1);
    calls = 0;
    expect(
      await withRetry(async () => {
        if (++calls < 3) throw new ProviderError('unavailable', '500', 500);
        return 'sent';
      }, o),
    ).toBe('sent');
  });
});

describe('which Notify template', () => {
  const templates = [
    { templateName: 'flu-sms-v2', purpose: 'INVITATION' as const, channel: 'SMS' as const, notifyTemplateId: 'own' },
    { templateName: null, purpose: 'INVITATION' as const, channel: 'SMS' as const, notifyTemplateId: 'default' },
  ];
  it('prefers the entry for the template name, then the purpose and channel default', () => {
    expect(notifyTemplateFor(templates, { templateName: 'flu-sms-v2', purpose: 'INVITATION', channel: 'SMS' })).toBe('own');
    expect(notifyTemplateFor(templates, { templateName: 'other', purpose: 'INVITATION', channel: 'SMS' })).toBe('default');
    expect(notifyTemplateFor(templates, { templateName: null, purpose: 'REMINDER', channel: 'SMS' })).toBeNull();
  });
});
