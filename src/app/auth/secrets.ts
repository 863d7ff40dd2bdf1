import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import argon2 from 'argon2';
import { AppError } from '../../domain/errors.ts';

/** A random token of 256 bits, URL-safe; `prefix` marks what it is (atn_ for API tokens). */
export function randomToken(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

/**
 * The digest stored in place of a random token: HMAC-SHA256 keyed by ATTAIN_SECRET, so that a copy
 * of the database alone cannot even confirm a guessed token. Tokens carry 256 bits of entropy, so
 * a fast function is enough; passwords, which people choose, get argon2id below.
 */
export function digestToken(secret: string, token: string): string {
  return createHmac('sha256', secret).update(token).digest('hex');
}

/** Constant-time comparison of two strings (CSRF tokens). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): 20–30 ms a check here (docs/benchmarks.md). */
const argonOptions = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export async function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, argonOptions);
}

// Verified against when the account does not exist, so that a wrong email costs as much time as a
// wrong password and response times do not tell which accounts exist.
let decoyHash: Promise<string> | undefined;

export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  if (hash === null) {
    decoyHash ??= hashPassword(randomToken());
    await argon2.verify(await decoyHash, password);
    return false;
  }
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** The password rules: long rather than complicated (NIST SP 800-63B). */
export function checkPasswordRules(password: string, email: string): void {
  const problems: string[] = [];
  if (password.length < 12) problems.push('must be at least 12 characters long');
  if (password.length > 256) problems.push('must be at most 256 characters long');
  if (password.trim().length === 0 || new Set(password).size < 4)
    problems.push('must not be one character repeated');
  const local = email.split('@')[0]?.toLowerCase() ?? '';
  if (local.length >= 3 && password.toLowerCase().includes(local))
    problems.push('must not contain your email name');
  if (problems.length > 0)
    throw new AppError(
      'validation',
      'The password does not meet the rules.',
      problems.map((message) => ({ field: 'password', message })),
    );
}
