import type { ErrorCode } from '../domain/errors.ts';

/** The one mapping of error codes to exit codes, the CLI's counterpart of the HTTP statuses. */
export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'internal':
      return 1;
    case 'validation':
      return 2;
    case 'import_rejected':
      return 3;
    case 'not_found':
      return 4;
    case 'conflict':
      return 5;
    case 'unavailable':
      return 6;
    case 'payload_too_large':
      return 7;
    case 'unauthenticated':
    case 'forbidden':
    case 'rate_limited':
      return 8;
  }
}
