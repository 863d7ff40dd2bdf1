/**
 * The exact arithmetic of money metrics (DESIGN.md §4 "Money is exact"). Sums of minor units stay
 * integers below 2^53 in doubles; anything that divides money rounds once, here, half to even at
 * the minor unit (docs/metrics.md "Rounding").
 */
import { DomainError } from '../errors.ts';
import { divideHalfEven } from '../money.ts';

/** Throws `unsafe_integer` unless the value is an integer a double holds exactly. */
export function assertSafeInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value))
    throw new DomainError('unsafe_integer', `${what} (${value}) is not an exact integer below 2^53`);
}

/**
 * A deal's gross margin in minor units: amount × marginBps / 10,000, rounded half to even per deal
 * (so a margin sum is a sum of exact integers and adds up across groups and periods).
 */
export function marginMinor(amountMinor: number, marginBps: number): number {
  const product = amountMinor * marginBps;
  if (!Number.isSafeInteger(product))
    throw new DomainError(
      'unsafe_integer',
      `Amount ${amountMinor} × margin ${marginBps} bps is beyond exact integer arithmetic`,
    );
  return divideHalfEven(product, 10_000);
}

/**
 * The part of a target that falls on the days before `day` of a row covering [from, to):
 * floor(target × days elapsed / days). A row's share of [a, b) is cumulative(b) − cumulative(a),
 * so the shares of adjoining periods add up to the whole target exactly (no rounding drift).
 */
export function cumulativeShare(targetMinor: number, from: number, to: number, day: number): bigint {
  const elapsed = Math.min(Math.max(day, from), to) - from;
  const length = to - from;
  if (length <= 0) return 0n;
  if (elapsed === length) return BigInt(targetMinor);
  const product = BigInt(targetMinor) * BigInt(elapsed);
  // Floor division for a negative target too (a correction row).
  const q = product / BigInt(length);
  return product < 0n && q * BigInt(length) !== product ? q - 1n : q;
}

/**
 * cumulativeShare as a number, without BigInt while target × days elapsed is a safe integer (a
 * quota pass reads tens of thousands of rows): the float quotient corrected by its exact remainder
 * to the floor. The same value as cumulativeShare in every case (property-tested).
 */
export function cumulativeShareMinor(targetMinor: number, from: number, to: number, day: number): number {
  const elapsed = Math.min(Math.max(day, from), to) - from;
  const length = to - from;
  if (length <= 0 || elapsed === 0) return 0;
  if (elapsed === length) return targetMinor;
  const product = targetMinor * elapsed;
  if (!Number.isSafeInteger(product)) return Number(cumulativeShare(targetMinor, from, to, day));
  let q = Math.floor(product / length);
  // |q × length| is within `length` of |product|: exact, and so is the remainder.
  const remainder = product - q * length;
  if (remainder < 0) q -= 1;
  else if (remainder >= length) q += 1;
  return q;
}

/** The median of integers, doubled so it stays an integer: (a + b) for an even count, 2a for an odd one. */
export function twiceMedian(values: Float64Array | number[], count: number): number {
  if (count === 0) return Number.NaN;
  const sorted = Float64Array.from(values.slice(0, count)).sort();
  const middle = count >> 1;
  return count % 2 === 1 ? 2 * sorted[middle]! : sorted[middle - 1]! + sorted[middle]!;
}
