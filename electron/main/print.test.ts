import { describe, expect, it } from 'vitest';
import type { Handlers } from '../../main-api/contract/contract';
import type { PrintableRecord } from '../../main-api/contract/documents';
import { withDesktopPrinting } from './print';

const record: PrintableRecord = { fileName: 'vaccination-record.pdf', contentType: 'application/pdf', base64: 'JVBERi0=' };

describe('desktop printing', () => {
  it('produces the record through record.printable (audited there) and shows that PDF', async () => {
    const asked: unknown[] = [];
    const shown: PrintableRecord[] = [];
    const host = {
      'record.printable': async (input: { personId: number }) => {
        asked.push(input);
        return record;
      },
      'record.print': async () => ({ preview: false }),
    } as unknown as Handlers;
    const handlers = withDesktopPrinting(host, async (r) => {
      shown.push(r);
    });
    expect(await handlers['record.print']({ personId: 7 })).toEqual({ preview: true });
    expect(asked).toEqual([{ personId: 7 }]);
    expect(shown).toEqual([record]);
  });

  it('shows nothing when the record may not be produced', async () => {
    const shown: PrintableRecord[] = [];
    const host = {
      'record.printable': async () => {
        throw new Error('not found');
      },
    } as unknown as Handlers;
    const handlers = withDesktopPrinting(host, async (r) => {
      shown.push(r);
    });
    await expect(handlers['record.print']({ personId: 7 })).rejects.toThrow('not found');
    expect(shown).toEqual([]);
  });

  it('prints a catch-up plan and a transfer summary through their PDF channels', async () => {
    const asked: string[] = [];
    const shown: PrintableRecord[] = [];
    const pdf = (name: string) => async () => {
      asked.push(name);
      return { ...record, fileName: `${name}.pdf` };
    };
    const host = { 'movers.plan.pdf': pdf('plan'), 'movers.transfer.pdf': pdf('transfer') } as unknown as Handlers;
    const handlers = withDesktopPrinting(host, async (r) => {
      shown.push(r);
    });
    expect(await handlers['movers.plan.print']({ personId: 7 })).toEqual({ preview: true });
    expect(await handlers['movers.transfer.print']({ personId: 7 })).toEqual({ preview: true });
    expect(asked).toEqual(['plan', 'transfer']);
    expect(shown.map((r) => r.fileName)).toEqual(['plan.pdf', 'transfer.pdf']);
  });
});
