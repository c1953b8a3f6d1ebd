// Building blocks shared by every domain's channels. Plain data only: dates as YYYY-MM-DD strings.
import { z } from 'zod';
import { dayOf } from '../shared/calendar/dates';

/** A real calendar date written YYYY-MM-DD (the one calendar decides what is real). */
export const isoDate = z.string().refine((s) => dayOf(s) !== null, 'Use a real date written YYYY-MM-DD');
export const isoDateTime = z.string();

/** What the main process implements for a map of channels: parsed input in, output out. */
export type HandlersOf<M extends Record<string, { input: z.ZodType; output: z.ZodType }>> = {
  [C in keyof M]: (input: z.output<M[C]['input']>) => Promise<z.output<M[C]['output']>>;
};
