// The boundary check every transport shares: parse input, run the handler, parse output,
// and turn anything thrown into a Result with a code the UI can act on.
import { z } from 'zod';
import { contract, type Channel, type Handlers } from '../contract/contract';
import { AppError, fail, ok, type Result } from '../contract/result';
import { classifyDatabaseError } from '../platform/db/errors';

function isChannel(name: string): name is Channel {
  return Object.prototype.hasOwnProperty.call(contract, name);
}

export type Logger = (message: string, error?: unknown) => void;

export async function dispatch(handlers: Handlers, channel: string, rawInput: unknown, log: Logger = () => {}): Promise<Result<unknown>> {
  if (!isChannel(channel)) return fail('VALIDATION', `Unknown request "${channel}".`);
  const spec = contract[channel];
  const input = spec.input.safeParse(rawInput ?? {});
  if (!input.success) {
    return fail('VALIDATION', firstIssueMessage(input.error), {
      kind: 'fields',
      fields: input.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
    });
  }
  try {
    const handler = handlers[channel] as (i: unknown) => Promise<unknown>;
    const value = await handler(input.data);
    const output = spec.output.safeParse(value);
    if (!output.success) {
      log(`Output of ${channel} did not match the contract`, output.error);
      return fail('INTERNAL', 'The application produced an unexpected answer. The problem has been logged.');
    }
    return ok(output.data);
  } catch (error) {
    return toFailure(channel, error, log);
  }
}

function toFailure(channel: string, error: unknown, log: Logger): Result<never> {
  if (error instanceof AppError) return fail(error.code, error.message, error.details);
  const db = classifyDatabaseError(error);
  if (db) return fail(db.code, db.message, db.details);
  log(`Unexpected failure in ${channel}`, error);
  return fail('INTERNAL', 'Something went wrong. The problem has been logged.');
}

function firstIssueMessage(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'The request was not valid.';
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  return `${where}${issue.message}`;
}
