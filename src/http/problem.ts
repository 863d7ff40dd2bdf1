import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError, type ErrorCode, type Problem } from '../domain/errors.ts';
import { translateDatabaseError } from '../store/database-error.ts';

/** The one mapping of error codes to HTTP statuses: an exhaustive switch, so a new code must be placed. */
export function statusFor(code: ErrorCode): ContentfulStatusCode {
  switch (code) {
    case 'validation':
      return 400;
    case 'import_rejected':
      return 422;
    case 'unauthenticated':
      return 401;
    case 'forbidden':
      return 403;
    case 'rate_limited':
      return 429;
    case 'not_found':
      return 404;
    case 'conflict':
      return 409;
    case 'payload_too_large':
      return 413;
    case 'unavailable':
      return 503;
    case 'internal':
      return 500;
  }
}

export type ProblemBody = {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: ErrorCode;
  problems: Problem[];
};

/** An `application/problem+json` response (RFC 9457) naming every field or row at fault. */
export function problemResponse(
  c: Context,
  code: ErrorCode,
  title: string,
  problems: Problem[] = [],
  detail?: string,
): Response {
  const status = statusFor(code);
  const body: ProblemBody = {
    type: `https://attain.dev/problems/${code}`,
    title,
    status,
    code,
    problems,
    ...(detail ? { detail } : {}),
  };
  return c.body(JSON.stringify(body), status, { 'content-type': 'application/problem+json' });
}

/** Maps any thrown error once: AppErrors by their code; anything else is logged and answered 500. */
export function errorResponse(c: Context, thrown: unknown): Response {
  // A database error that means bad input or a clash (a duplicate, a broken reference) is the
  // caller's problem, not a 500: translated by the store's one mapping.
  const error = translateDatabaseError(thrown);
  if (error instanceof AppError) return problemResponse(c, error.code, error.message, error.problems);
  const status = (error as { status?: number }).status;
  if (status === 413) return problemResponse(c, 'payload_too_large', 'The request body is too large.');
  if (status === 415)
    return problemResponse(
      c,
      'validation',
      'The request body must be JSON, sent with Content-Type: application/json.',
      [{ field: 'content-type', message: 'must be application/json' }],
    );
  if (error instanceof SyntaxError || status === 400)
    return problemResponse(c, 'validation', 'The request body is not valid JSON.', [
      { field: 'body', message: String((error as Error).message) },
    ]);
  console.error('Unhandled error on', c.req.method, c.req.path, error);
  return problemResponse(c, 'internal', 'Something went wrong on our side; the error was logged.');
}
