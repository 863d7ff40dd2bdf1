import { DomainError } from './errors.ts';

/**
 * Integer minor units to an exact decimal string ("123456" with 2 digits → "1234.56"). Money is
 * carried as integers (DESIGN.md §4); this is the one place it becomes text for people and APIs.
 */
export function minorToDecimal(minor: number | bigint, digits: number): string {
  if (typeof minor === 'number' && Number.isSafeInteger(minor)) {
    // A safe integer's decimal text is exact (no exponent below 1e21): no BigInt needed.
    const negative = minor < 0;
    const abs = negative ? -minor : minor;
    if (digits === 2) {
      // The common case in one step: cents = abs mod 100 and (abs − cents) ÷ 100 are exact.
      const cents = abs % 100;
      return `${negative ? '-' : ''}${(abs - cents) / 100}${cents < 10 ? '.0' : '.'}${cents}`;
    }
    const digitsText = String(abs);
    if (digits === 0) return negative ? `-${digitsText}` : digitsText;
    const text = digitsText.length > digits ? digitsText : digitsText.padStart(digits + 1, '0');
    return `${negative ? '-' : ''}${text.slice(0, -digits)}.${text.slice(-digits)}`;
  }
  const value = BigInt(minor);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  if (digits === 0) return `${negative ? '-' : ''}${abs}`;
  const text = abs.toString().padStart(digits + 1, '0');
  return `${negative ? '-' : ''}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** numerator / denominator, both integers, rounded half to even (exact, BigInt). */
export function divideHalfEvenBig(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new DomainError('invariant', 'Division by zero');
  let n = numerator;
  let d = denominator;
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const negative = n < 0n;
  const a = negative ? -n : n;
  let q = a / d;
  const twice = (a % d) * 2n;
  if (twice > d || (twice === d && q % 2n === 1n)) q += 1n;
  return negative ? -q : q;
}

/**
 * round(numerator / denominator) half to even for safe-integer doubles; falls back to BigInt only
 * when the inputs are not safe integers. The double division is corrected by the exact remainder.
 */
export function divideHalfEven(numerator: number, denominator: number): number {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || denominator <= 0) {
    return Number(divideHalfEvenBig(BigInt(numerator), BigInt(denominator)));
  }
  let q = Math.floor(numerator / denominator);
  let r = numerator - q * denominator;
  if (r < 0) {
    q -= 1;
    r += denominator;
  } else if (r >= denominator) {
    q += 1;
    r -= denominator;
  }
  const twice = 2 * r;
  if (twice > denominator || (twice === denominator && Math.abs(q % 2) === 1)) q += 1;
  return q === 0 ? 0 : q;
}
