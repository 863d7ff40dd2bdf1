/**
 * The closed list of error codes every edge maps once: HTTP status and problem+json in src/http,
 * exit codes in src/cli. Expected business outcomes are data (issues, warnings), not errors.
 */
export const errorCodes = [
  'validation', // input is malformed: a request body, a file, a row, a flag
  'not_found', // the thing named does not exist (or the caller may not know it exists)
  'conflict', // the change clashes with the current state (duplicate key, closed period, ...)
  'import_rejected', // an import found bad rows and changed nothing
  'payload_too_large',
  'unauthenticated',
  'forbidden',
  'rate_limited', // too many attempts (sign-ins); try again later
  'unavailable', // the database or another dependency cannot be reached
  'internal', // a broken invariant: a bug
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** One problem with one piece of input, named precisely enough to find and fix it. */
export type Problem = {
  /** File name, for imports. */
  file?: string;
  /** 1-based line number in the file, counting the header as line 1. */
  line?: number;
  /** Column or field name, or a JSON path like `body.files[0]`. */
  field?: string;
  /** The offending value, as given. */
  value?: string;
  message: string;
};

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly problems: Problem[] = [],
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** A broken invariant inside a pure engine: always a bug, never bad input. */
export class DomainError extends Error {
  constructor(
    readonly code: 'invariant' | 'unsafe_integer' | 'invalid_date',
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
