// Documents produced for people: the printable vaccination record.
import { z } from 'zod';
import type { HandlersOf } from './common';

export const PrintableRecord = z.object({
  fileName: z.string(),
  contentType: z.literal('application/pdf'),
  /** The PDF, base64-encoded so it crosses IPC and JSON unchanged. */
  base64: z.string(),
});
export type PrintableRecord = z.infer<typeof PrintableRecord>;

export const documentChannels = {
  'record.printable': { input: z.object({ personId: z.number().int().positive() }), output: PrintableRecord },
} as const;

export type DocumentHandlers = HandlersOf<typeof documentChannels>;
