// Results cross every process boundary as values: Electron's invoke and JSON over HTTP
// both drop custom fields of thrown errors, so the UI would lose the code it acts on.
import { z } from 'zod';

/** The closed set of error codes every answer's error carries. */
export const ERROR_CODES = ['VALIDATION', 'NOT_FOUND', 'FORBIDDEN', 'CONFLICT', 'UNAUTHENTICATED', 'UNAVAILABLE', 'INTERNAL'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** One field at fault in a form or request: the path of the field and what is wrong with it. */
export const FieldIssue = z.object({
  field: z.string(),
  message: z.string(),
  /** A machine-readable reason where the UI acts on it (for example 'unknown-batch'). */
  reason: z.string().optional(),
});
export type FieldIssue = z.infer<typeof FieldIssue>;

/** One rejected row of a file: its number (1 for the first data row), the field and the reason. */
const RowIssue = z.object({ row: z.number().int(), field: z.string().nullable(), message: z.string() });
type RowIssue = z.infer<typeof RowIssue>;

/**
 * What an error says beyond its message, as a closed set the UI can act on: which fields of a
 * form to mark, which rows of a file to report, what a conflict was about, which migrations are
 * pending. Every error's details are one of these.
 */
export const ErrorDetails = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fields'), fields: z.array(FieldIssue).min(1) }),
  z.object({ kind: z.literal('rows'), rows: z.array(RowIssue) }),
  /** id: the record the conflict is with (an existing batch, the current version), when known. */
  z.object({ kind: z.literal('conflict'), constraint: z.string().nullable(), id: z.number().int().nullable().optional() }),
  z.object({ kind: z.literal('pending-migrations'), pending: z.array(z.string()) }),
]);
export type ErrorDetails = z.infer<typeof ErrorDetails>;

export interface ApiError {
  code: ErrorCode;
  message: string;
  details?: ErrorDetails;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: ErrorCode, message: string, details?: ErrorDetails): Result<never> => ({
  ok: false,
  error: details === undefined ? { code, message } : { code, message, details },
});

/** Thrown inside services; converted to a Result at the boundary. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetails,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** A validation failure of one field: the message is shown beside that field and at the top. */
export function fieldError(field: string, message: string, reason?: string): AppError {
  const issue: FieldIssue = reason === undefined ? { field, message } : { field, message, reason };
  return new AppError('VALIDATION', message, { kind: 'fields', fields: [issue] });
}

/** A conflict with an existing record, naming it when the caller may see it. */
export function conflictWith(message: string, id: number | null): AppError {
  return new AppError('CONFLICT', message, { kind: 'conflict', constraint: null, id });
}

/**
 * One answer for a person who does not exist and for one outside the caller's scope, so that
 * the message never tells which.
 */
const PERSON_NOT_FOUND = 'No person with that record number is available to you.';
export const personNotFound = (): AppError => new AppError('NOT_FOUND', PERSON_NOT_FOUND);
