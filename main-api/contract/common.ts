// Building blocks shared by every domain's channels. Plain data only: dates as YYYY-MM-DD strings.
import { z } from 'zod';
import { dayOf } from '../shared/calendar/dates';

/** A real calendar date written YYYY-MM-DD (the one calendar decides what is real). */
export const isoDate = z.string().refine((s) => dayOf(s) !== null, 'Use a real date written YYYY-MM-DD');
export const isoDateTime = z.string();

/**
 * A form's idempotency key, sent with every save that creates or changes a record: made when the
 * form opens, the same for each retry of that form, new for the next form. A save sent again
 * with the same key is made once and answered as the first was (the database keeps the keys,
 * per user: main-api/platform/db/save-once.ts, migration 0026). Callers that are not forms
 * (imports, the command line) may leave it out.
 */
export const idempotencyKey = z.uuid('The form key is a UUID').optional();

/** What the main process implements for a map of channels: parsed input in, output out. */
export type HandlersOf<M extends Record<string, { input: z.ZodType; output: z.ZodType }>> = {
  [C in keyof M]: (input: z.output<M[C]['input']>) => Promise<z.output<M[C]['output']>>;
};
