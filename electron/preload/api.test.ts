import { describe, expect, it } from 'vitest';
import { channels } from '../../main-api/contract/contract';
import { buildApi } from './api';

describe('preload API', () => {
  it('exposes exactly the contract channels', () => {
    const api = buildApi(async () => null);
    expect(Object.keys(api).sort()).toEqual([...channels].sort());
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('sends each call on its own prefixed IPC name with only the input', async () => {
    const sent: Array<[string, unknown]> = [];
    const api = buildApi(async (name, input) => {
      sent.push([name, input]);
      return { ok: true, value: name };
    });
    const apiCalls = api as unknown as Record<string, (input?: unknown) => Promise<unknown>>;
    for (const channel of channels) {
      expect(await apiCalls[channel]!({ probe: channel })).toEqual({ ok: true, value: `ims:${channel}` });
    }
    expect(sent).toEqual(channels.map((c) => [`ims:${c}`, { probe: c }]));
    await apiCalls['session.state']!();
    expect(sent.at(-1)).toEqual(['ims:session.state', {}]);
  });
});
