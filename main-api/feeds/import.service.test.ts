// The reading half of the pipeline without a database: a file streamed into COPY text for a kind
// that picks its columns from a wider header (the national reference files), a kind with no
// header line (ODS), and random mutations of such files, each either refused as a whole or
// staged as lines of exactly the kind's width, never a crash.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileRefusal } from '../platform/files/encoding';
import type { FileFacts, StageCopy } from './feeds.repository';
import { loadFileIntoStage } from './import.service';
import { FEED_KIND_DEFINITIONS } from './kinds';

const dir = mkdtempSync(join(tmpdir(), 'ims-load-'));
let n = 0;

async function stage(kindCode: keyof typeof FEED_KIND_DEFINITIONS, text: string | Buffer): Promise<{ rows: number; lines: string[] }> {
  const path = join(dir, `f-${++n}.csv`);
  writeFileSync(path, text);
  const chunks: Buffer[] = [];
  const copy = { write: async (b: Buffer) => void chunks.push(b) } as unknown as StageCopy;
  const facts: FileFacts = { checksum: null, encoding: null, lineEnding: null, delimiter: null };
  const rows = await loadFileIntoStage(FEED_KIND_DEFINITIONS[kindCode], path, copy, facts, () => {});
  const lines = Buffer.concat(chunks).toString('utf8').split('\n').slice(0, -1);
  return { rows, lines };
}

const ONSPD_HEADER = 'pcd,pcds,x,"rgn",oslaua,doterm,icb,dointr,lsoa21,long';
const ONSPD_ROW = 'ME1 1AA,ME1 1AA,"a, b",E12000008,E06000035,,E54000032,198001,E01990001,0.5';

describe('loading a kind that picks its columns', () => {
  it('stages only the named columns, in the kind’s order, wherever the file has them', async () => {
    const { rows, lines } = await stage('onspd-postcodes', `${ONSPD_HEADER}\r\n${ONSPD_ROW}\r\n`);
    expect(rows).toBe(1);
    // pcds, dointr, doterm, oslaua, lsoa21, icb, rgn, then no parse error, then the row's number.
    expect(lines).toEqual(['ME1 1AA\t198001\t\tE06000035\tE01990001\tE54000032\tE12000008\t\\N\t1']);
  });

  it('stages a row of another width than the header with its error', async () => {
    const { lines } = await stage('onspd-postcodes', `${ONSPD_HEADER}\n${ONSPD_ROW},extra\n`);
    expect(lines).toEqual([`${'\\N\t'.repeat(7)}The row has 11 values; the header has 10.\t1`]);
  });

  it('refuses a header without a named column, naming it', async () => {
    await expect(stage('onspd-postcodes', `${ONSPD_HEADER.replace('lsoa21', 'lsoa11')}\n${ONSPD_ROW}\n`)).rejects.toThrow(
      /no column "lsoa21"/,
    );
  });
});

describe('loading a kind without a header line', () => {
  const line = (code: string) => [code, 'Name', ...Array<string>(25).fill('')].map((v) => `"${v}"`).join(',');

  it('takes the first line as a row', async () => {
    const { rows, lines } = await stage('ods-gp-practices', `${line('G89001')}\r\n${line('G89002')}\r\n`);
    expect(rows).toBe(2);
    expect(lines.map((l) => l.split('\t')[0])).toEqual(['G89001', 'G89002']);
    // 27 columns, the parse error and the row's number.
    expect(lines.every((l) => l.split('\t').length === 29)).toBe(true);
  });

  it('refuses an empty file', async () => {
    await expect(stage('ods-gp-practices', '')).rejects.toThrow(/empty/);
  });
});

describe('random mutations of reference files', () => {
  // A small deterministic generator, so that a failure can be replayed.
  let seed = 20261130;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const pieces = ['"', ',', '\r\n', '\n', '\r', '""', '\t', '\\', 'é', '\u0000', '|', ' ', 'ME1 1AA', '\ufeff'];
  const mutate = (text: string): string => {
    let out = text;
    for (let i = 0, times = 1 + Math.floor(next() * 6); i < times; i++) {
      const at = Math.floor(next() * (out.length + 1));
      out =
        next() < 0.3
          ? out.slice(0, at) + out.slice(at + 1 + Math.floor(next() * 5))
          : out.slice(0, at) + pieces[Math.floor(next() * pieces.length)] + out.slice(at);
    }
    return out;
  };
  const bases: [keyof typeof FEED_KIND_DEFINITIONS, string][] = [
    ['onspd-postcodes', `${ONSPD_HEADER}\r\n${ONSPD_ROW}\r\n${ONSPD_ROW}\r\n`],
    ['ods-gp-practices', `${['"G89001"', '"Name"', ...Array<string>(25).fill('""')].join(',')}\r\n`.repeat(3)],
  ];

  it('either refuses the file or stages every line at the kind’s width', async () => {
    let refused = 0;
    let staged = 0;
    for (let i = 0; i < 300; i++) {
      const [kind, base] = bases[i % bases.length]!;
      const text = mutate(base);
      try {
        const { rows, lines } = await stage(kind, text);
        expect(lines).toHaveLength(rows);
        // The kind's columns, the parse error and the row's number.
        const width = FEED_KIND_DEFINITIONS[kind].columns.length + 2;
        for (const l of lines) expect(l.split('\t'), JSON.stringify(text)).toHaveLength(width);
        staged++;
      } catch (error) {
        if (!(error instanceof FileRefusal)) throw new Error(`${JSON.stringify(text)}: ${String(error)}`, { cause: error });
        refused++;
      }
    }
    // Both ways were taken: the mutations are neither all harmless nor all fatal.
    expect(staged).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(5);
  });
});
