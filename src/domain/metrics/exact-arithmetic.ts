/**
 * The exact arithmetic of money metrics (DESIGN.md §4 "Money is exact"). Sums of minor units stay
 * integers below 2^53 in doubles; anything that divides money rounds once, here, half to even at
 * the minor unit (docs/metrics.md "Rounding").
 */
import { DomainError } from '../errors.ts';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Throws `unsafe_integer` unless the value is an integer a double holds exactly. */
export function assertSafeInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value))
    throw new DomainError('unsafe_integer', `${what} (${value}) is not an exact integer below 2^53`);
}

/** numerator / denominator rounded half to even, in integers. */
export function divideHalfEven(numerator: bigint, denominator: bigint): bigint {
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
  const twiceRemainder = (a % d) * 2n;
  if (twiceRemainder > d || (twiceRemainder === d && q % 2n === 1n)) q += 1n;
  return negative ? -q : q;
}

/**
 * A deal's gross margin in minor units: amount × marginBps / 10,000, rounded half to even per deal
 * (so a margin sum is a sum of exact integers and adds up across groups and periods).
 */
export function marginMinor(amountMinor: number, marginBps: number): number {
  const product = amountMinor * marginBps;
  if (!Number.isSafeInteger(product) || Math.abs(product) > MAX_SAFE)
    throw new DomainError(
      'unsafe_integer',
      `Amount ${amountMinor} × margin ${marginBps} bps is beyond exact integer arithmetic`,
    );
  let q = Math.floor(product / 10_000);
  let r = product - q * 10_000;
  // The division is a double's; the remainder, an exact integer, corrects it.
  if (r < 0) {
    q -= 1;
    r += 10_000;
  } else if (r >= 10_000) {
    q += 1;
    r -= 10_000;
  }
  if (r > 5_000 || (r === 5_000 && Math.abs(q % 2) === 1)) q += 1;
  // 0 × a negative margin is -0 in doubles; money has no negative zero.
  return q === 0 ? 0 : q;
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

/** The median of integers, doubled so it stays an integer: (a + b) for an even count, 2a for an odd one. */
export function twiceMedian(values: Float64Array | number[], count: number): number {
  if (count === 0) return Number.NaN;
  const sorted = Float64Array.from(values.slice(0, count)).sort();
  const middle = count >> 1;
  return count % 2 === 1 ? 2 * sorted[middle]! : sorted[middle - 1]! + sorted[middle]!;
}
