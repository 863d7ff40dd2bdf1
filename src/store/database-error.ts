import { AppError } from '../domain/errors.ts';

type DriverError = { code?: string; detail?: string; constraint?: string; column?: string; message?: string };

/**
 * Translates a driver error into an AppError, once, here in the store: business code never
 * matches database error strings. SQLSTATE codes are PostgreSQL's; PGlite returns the same.
 */
export function translateDatabaseError(error: unknown): unknown {
  if (error instanceof AppError || typeof error !== 'object' || error === null) return error;
  const e = error as DriverError;
  const field = e.column ?? e.constraint;
  switch (e.code) {
    case '23505':
      return new AppError('conflict', `Already exists: ${e.detail ?? e.constraint ?? 'duplicate key'}`, [
        { field, message: e.detail ?? 'duplicate key' },
      ]);
    case '23503':
      return new AppError(
        'conflict',
        `Refers to something that does not exist: ${e.detail ?? e.constraint}`,
        [{ field, message: e.detail ?? 'foreign key violation' }],
      );
    case '23502':
      return new AppError('validation', `Missing required value: ${e.column}`, [
        { field, message: 'is required' },
      ]);
    case '23514':
    case '22P02':
    case '22007':
    case '22008':
    case '22003':
      return new AppError('validation', e.message ?? 'invalid value', [
        { field, message: e.message ?? 'invalid value' },
      ]);
    case '42501':
      return new AppError('forbidden', e.message ?? 'not allowed');
    case '40001':
    case '40P01':
      return new AppError('conflict', 'A concurrent change got there first; try again.');
    case '57P01':
    case '57P03':
    case '08006':
    case '08001':
    case 'ECONNREFUSED':
    case 'ECONNRESET':
      return new AppError('unavailable', `The database cannot be reached (${e.code}).`);
    default:
      return error;
  }
}
