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

/**
 * What 'record.print' did. The desktop application opens a print preview with the system print
 * dialog; a host with no screen of its own (the browser's loopback host) cannot, and answers
 * preview: false so the page offers the PDF as a download instead.
 */
const PrintOutcome = z.object({ preview: z.boolean() });

const PersonInput = z.object({ personId: z.number().int().positive() });

export const documentChannels = {
  'record.printable': { input: PersonInput, output: PrintableRecord },
  'record.print': { input: PersonInput, output: PrintOutcome },
} as const;

export type DocumentHandlers = HandlersOf<typeof documentChannels>;
