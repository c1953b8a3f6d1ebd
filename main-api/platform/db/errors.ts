// Maps PostgreSQL and connection errors onto the contract's error codes.
import { AppError, type ErrorCode, type ErrorDetails } from '../../contract/result';

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

export interface ClassifiedError {
  code: ErrorCode;
  message: string;
  details?: ErrorDetails;
}

export function classifyDatabaseError(error: unknown): ClassifiedError | null {
  if (!error || typeof error !== 'object') return null;
  const e = error as { code?: string; message?: string; constraint?: string; detail?: string; driverError?: unknown };
  if (e.driverError) return classifyDatabaseError(e.driverError);
  const code = e.code ?? '';
  const message = e.message ?? '';
  if (
    CONNECTION_CODES.has(code) ||
    /Connection terminated|connection timeout|Client has encountered a connection error|pool.*ended|Cannot use a pool after calling end/i.test(
      message,
    )
  ) {
    return { code: 'UNAVAILABLE', message: 'The database cannot be reached. Check the connection and try again.' };
  }
  if (
    code.startsWith('08') ||
    code === '57P01' ||
    code === '57P02' ||
    code === '57P03' ||
    /not currently accepting connections/.test(message)
  ) {
    return { code: 'UNAVAILABLE', message: 'The database connection was lost. Try again.' };
  }
  if (code === '28P01' || code === '28000') {
    return { code: 'UNAUTHENTICATED', message: 'The user name or password was not accepted.' };
  }
  if (code === '42501' && /^permission denied for database/.test(message)) {
    // Refused at the door: only this database's registered, enabled users may connect (0030).
    return {
      code: 'FORBIDDEN',
      message: 'This user is not registered for this database, or is disabled in it. Ask an administrator of this database.',
    };
  }
  if (code === '42501') {
    return { code: 'FORBIDDEN', message: 'You do not have permission to do that.' };
  }
  if (code === 'P0002') {
    // no_data_found, raised by an api function for a record that does not exist (its message names it).
    return { code: 'NOT_FOUND', message };
  }
  if (code === '23505') {
    // The server's detail names the key's values, which may belong to a record the caller
    // cannot see: only the constraint's name crosses the boundary.
    return { code: 'CONFLICT', message: 'That record already exists.', details: { kind: 'conflict', constraint: e.constraint ?? null } };
  }
  if (code === '55P03') {
    // lock_timeout ran out: another session holds what this change needs (0025 bounds every wait).
    return { code: 'CONFLICT', message: 'Someone else is changing the same record just now. Try again in a moment.' };
  }
  if (code === '23503' || code === '23514' || code === '23502' || code.startsWith('22')) {
    return { code: 'VALIDATION', message: `The database refused the change: ${message}` };
  }
  return null;
}

/** The driver's error under TypeORM's wrapper, if any. */
function driverError(error: unknown): { code?: string; constraint?: string } {
  if (!error || typeof error !== 'object') return {};
  const e = error as { driverError?: unknown; code?: string; constraint?: string };
  return e.driverError && typeof e.driverError === 'object' ? (e.driverError as { code?: string; constraint?: string }) : e;
}

/** Whether a lock could not be had: taken with NOWAIT, or lock_timeout ran out (SQLSTATE 55P03). */
export function isLockNotAvailable(error: unknown): boolean {
  return driverError(error).code === '55P03';
}

/** Whether the database refused for want of a privilege (SQLSTATE 42501). */
export function isPermissionDenied(error: unknown): boolean {
  return driverError(error).code === '42501';
}

/**
 * Whether an error is the violation of one named constraint: the one place that reads
 * PostgreSQL's SQLSTATE codes for unique (23505), check (23514) and exclusion (23P01) failures.
 */
export function violatesConstraint(error: unknown, constraint: string): boolean {
  const e = driverError(error);
  return (e.code === '23505' || e.code === '23514' || e.code === '23P01') && e.constraint === constraint;
}

/**
 * Runs a call of an api function and answers the function's own refusals, named by their
 * SQLSTATE in `refusals`, as the contract's errors in the function's own words (or `fallback`
 * where it gave none, or where the server refused the call itself: "permission denied for ...").
 * Anything else is thrown as it came, for the host to classify.
 */
export async function withRefusals<T>(
  work: Promise<T>,
  refusals: Readonly<Record<string, ErrorCode>>,
  fallback: Readonly<Partial<Record<string, string>>> = {},
): Promise<T> {
  try {
    return await work;
  } catch (error) {
    const e = driverError(error) as { code?: string; message?: string };
    const code = e.code === undefined ? undefined : refusals[e.code];
    if (code === undefined) throw error;
    const own = e.message && !/^permission denied for /.test(e.message) ? e.message : undefined;
    throw new AppError(code, own ?? fallback[e.code!] ?? 'Refused.');
  }
}
