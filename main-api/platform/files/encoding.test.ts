// Encodings: UTF-8 with and without a byte-order mark, Windows-1252, and the files refused.
import { describe, expect, it } from 'vitest';
import { detectEncoding, FileRefusal, StreamDecoder } from './encoding';

const bytes = (...b: number[]) => Uint8Array.from(b);

function decodeAll(chunks: Uint8Array[]): string {
  const first = chunks[0] ?? new Uint8Array(0);
  const decoder = new StreamDecoder(detectEncoding(first));
  return chunks.map((c) => decoder.decode(c)).join('') + decoder.end();
}

describe('encoding', () => {
  it('detects UTF-8 with a byte-order mark and drops the mark', () => {
    const text = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('nhs,name\nZoë', 'utf8')]);
    expect(detectEncoding(text).encoding).toBe('utf-8-bom');
    expect(decodeAll([text])).toBe('nhs,name\nZoë');
  });

  it('detects UTF-8 without a mark, even with a character cut at the end of the sample', () => {
    const text = Buffer.from('Siobhán', 'utf8');
    expect(detectEncoding(text).encoding).toBe('utf-8');
    expect(detectEncoding(text.subarray(0, text.length - 1)).encoding).toBe('utf-8');
    // A character split across chunks decodes whole.
    expect(decodeAll([text.subarray(0, 6), text.subarray(6)])).toBe('Siobhán');
  });

  it('reads Windows-1252 when the bytes are not UTF-8 (pound sign, accents, curly quotes)', () => {
    const text = bytes(0xa3, 0x35, 0x20, 0x5a, 0x6f, 0xeb, 0x20, 0x93, 0x78, 0x94);
    expect(detectEncoding(text).encoding).toBe('windows-1252');
    expect(decodeAll([text])).toBe('£5 Zoë \u201cx\u201d');
  });

  it('refuses UTF-16, NUL bytes and UTF-8 broken after the first chunk', () => {
    expect(() => detectEncoding(bytes(0xff, 0xfe, 0x61, 0x00))).toThrow(/UTF-16/);
    expect(() => decodeAll([bytes(0x61, 0x00, 0x62)])).toThrow(/NUL byte/);
    expect(() => decodeAll([Buffer.from('plain ascii'), bytes(0xc3, 0x28)])).toThrow(FileRefusal);
  });
});
