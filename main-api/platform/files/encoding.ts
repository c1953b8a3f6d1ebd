// Which text encoding a file from another system is in, decided from its first bytes and then
// held to for the rest: UTF-8 with or without a byte-order mark, or Windows-1252 (what Excel and
// older clinical systems on Windows write). Anything else is refused as a whole file.
import { isUtf8 } from 'node:buffer';

type TextEncodingName = 'utf-8' | 'utf-8-bom' | 'windows-1252';

/** A fault in the whole file, not in one row: the file is refused and nothing is applied. */
export class FileRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileRefusal';
  }
}

export interface DetectedEncoding {
  encoding: TextEncodingName;
}

/** Decides the encoding from the file's first bytes (a few kilobytes are enough). */
export function detectEncoding(head: Uint8Array): DetectedEncoding {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8-bom' }; // the decoder drops the mark
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new FileRefusal('The file is in UTF-16. Save it as UTF-8 (or CSV from Excel) and import it again.');
  }
  // A multi-byte character cut off at the end of the sample is not evidence against UTF-8.
  let end = head.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const b = head[end - back] as number;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for its lead
    if (b >= 0xc0) end -= back; // a lead byte whose sequence may be incomplete
    break;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end));
    return { encoding: 'utf-8' };
  } catch {
    return { encoding: 'windows-1252' };
  }
}

/** Decodes a byte stream in the detected encoding; a file that breaks UTF-8 later is refused. */
export class StreamDecoder {
  private readonly decoder: TextDecoder;
  private offset = 0;

  constructor(readonly detected: DetectedEncoding) {
    this.decoder = new TextDecoder(detected.encoding === 'windows-1252' ? 'windows-1252' : 'utf-8', {
      fatal: detected.encoding !== 'windows-1252',
      ignoreBOM: false,
    });
  }

  decode(chunk: Uint8Array, last = false): string {
    refuseNul(chunk, this.offset);
    try {
      const text = this.decoder.decode(chunk, { stream: !last });
      this.offset += chunk.length;
      return text;
    } catch {
      throw notUtf8(this.offset);
    }
  }

  end(): string {
    return this.decode(new Uint8Array(0), true);
  }
}

function refuseNul(bytes: Uint8Array, offset: number): void {
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new FileRefusal(`The file holds a NUL byte (near byte ${offset + nul}): it is not a text file.`);
}

function notUtf8(offset: number): FileRefusal {
  return new FileRefusal(
    `The file is not valid UTF-8 after its first part (near byte ${offset}). Save it again as UTF-8 and import it again.`,
  );
}

/**
 * The checks StreamDecoder makes, for UTF-8 bytes that are used without being decoded: no NUL
 * byte, and valid UTF-8. `bytes` must hold whole characters (cut after an ASCII byte);
 * `offset` is where they start in the file.
 */
export function checkUtf8Bytes(bytes: Uint8Array, offset: number): void {
  refuseNul(bytes, offset);
  if (!isUtf8(bytes)) throw notUtf8(offset);
}
