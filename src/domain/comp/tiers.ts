/**
 * Tiers (docs/plans.md "Tiers"): bands on attainment or on amount, placed on the measure's axis in
 * minor units. Attainment bounds fall at quota × bound, raised to the next whole minor unit.
 *
 * - marginal: each band pays its own rate on the part of the credit inside it (a tax table);
 * - whole: the credit is paid at the rate of the band reached (by the running total after it);
 * - retroactive: like whole, and when the band changes the earlier credits of the window are
 *   repriced at the new rate (a retro_adjustment line pays the difference);
 * - interpolated: points (`at`, `pay`) interpolated linearly (from zero to the first point, flat
 *   beyond the last); paid as the difference from what has been paid so far.
 *
 * Pay is exact: Σ portion × rate × factors / 10^6k, rounded once per line, half to even; doubles
 * while the products are safe integers, BigInt otherwise.
 */
import type { PlanTiers } from './plan-document.ts';
import { boundaryMinor } from './measures.ts';
import { decimalToMinor, divideHalfEvenBig } from './exact-money.ts';
import { shareToPpm } from './comp-columns.ts';

export type TierMethod = PlanTiers['method'];

/** Bands with bounds in their own units: ppm of quota (attainment) or minor units (amount). */
export type CompiledTiers = {
  basis: 'attainment' | 'amount';
  scope: 'cumulative' | 'per_transaction';
  method: TierMethod;
  upperInclusive: boolean;
  /** Band k is [from[k], to[k]); to = Infinity when open-ended. */
  from: number[];
  to: number[];
  ratePpm: number[];
  /** Interpolated points: position (ppm or minor) and cumulative pay (minor). */
  pointAt: number[];
  pointPay: number[];
};

/** A bound: "100%"/1.0 → ppm for attainment; "1000" → minor units for amount. Undefined when malformed. */
export function parseBound(
  value: string | number,
  basis: 'attainment' | 'amount',
  digits: number,
): number | undefined {
  if (basis === 'attainment') return shareToPpm(value);
  try {
    return decimalToMinor(typeof value === 'number' ? String(value) : value, digits);
  } catch {
    return undefined;
  }
}

/** Compiles a plan's tiers (bounds parsed; `from` defaults to the previous band's `to`, the first to 0). */
export function compileTiers(tiers: PlanTiers, digits: number): { tiers: CompiledTiers; problems: string[] } {
  const problems: string[] = [];
  const from: number[] = [];
  const to: number[] = [];
  const ratePpm: number[] = [];
  const pointAt: number[] = [];
  const pointPay: number[] = [];
  let previous = 0;
  tiers.bands.forEach((band, k) => {
    if (tiers.method === 'interpolated') {
      const at = band.at ?? band.to;
      const position = at === undefined ? undefined : parseBound(at, tiers.basis, digits);
      let pay: number | undefined;
      try {
        pay = band.pay === undefined ? undefined : decimalToMinor(band.pay, digits);
      } catch {
        pay = undefined;
      }
      if (position === undefined || pay === undefined)
        problems.push(`bands[${k}]: an interpolated point needs at and pay`);
      else {
        pointAt.push(position);
        pointPay.push(pay);
      }
      return;
    }
    const f = band.from === undefined ? previous : parseBound(band.from, tiers.basis, digits);
    const t = band.to === undefined ? Infinity : parseBound(band.to, tiers.basis, digits);
    if (f === undefined || t === undefined) {
      problems.push(`bands[${k}]: malformed bound`);
      return;
    }
    from.push(f);
    to.push(t);
    ratePpm.push(band.rate ?? 0);
    previous = t;
  });
  return {
    tiers: {
      basis: tiers.basis,
      scope: tiers.scope,
      method: tiers.method,
      upperInclusive: tiers.bounds === 'upper_inclusive',
      from,
      to,
      ratePpm,
      pointAt,
      pointPay,
    },
    problems,
  };
}

/** Band positions on the measure axis (minor units) for a quota: attainment bounds at ⌈quota × bound⌉. */
export function placeBands(
  tiers: CompiledTiers,
  quotaMinor: number,
  outFrom: Float64Array,
  outTo: Float64Array,
  outPoints: Float64Array,
): void {
  const attainment = tiers.basis === 'attainment';
  for (let k = 0; k < tiers.from.length; k++) {
    const f = tiers.from[k]!;
    const t = tiers.to[k]!;
    outFrom[k] = attainment ? boundaryMinor(quotaMinor, f) : f;
    outTo[k] = t === Infinity ? Infinity : attainment ? boundaryMinor(quotaMinor, t) : t;
  }
  for (let k = 0; k < tiers.pointAt.length; k++) {
    const a = tiers.pointAt[k]!;
    outPoints[k] = attainment ? boundaryMinor(quotaMinor, a) : a;
  }
}

/** The band containing a position (per the bounds' inclusivity); -1 when in none. */
export function bandAt(
  position: number,
  from: Float64Array,
  to: Float64Array,
  count: number,
  upperInclusive: boolean,
): number {
  if (upperInclusive) {
    for (let k = 0; k < count; k++) if (position > from[k]! && position <= to[k]!) return k;
    // zero and below belong to the first band
    if (count > 0 && position <= from[0]!) return 0;
  } else {
    for (let k = 0; k < count; k++) if (position >= from[k]! && position < to[k]!) return k;
    if (count > 0 && position < from[0]!) return 0;
  }
  // beyond every band (a closed last band): the last band reached
  for (let k = count - 1; k >= 0; k--) if (position >= to[k]!) return k;
  return -1;
}

/** The part of [lo, hi] inside band k. */
export function overlap(lo: number, hi: number, from: number, to: number): number {
  const a = lo > from ? lo : from;
  const b = hi < to ? hi : to;
  return b > a ? b - a : 0;
}

/** round_half_even(numerator / 10^6) for a safe-integer numerator (the hot path). */
export function roundMillionths(numerator: number): number {
  // a multiplication is faster than a division; q is then off by at most one, corrected below
  let q = Math.floor(numerator * 0.000_001);
  let r = numerator - q * 1_000_000;
  if (r < 0) {
    q -= 1;
    r += 1_000_000;
  } else if (r >= 1_000_000) {
    q += 1;
    r -= 1_000_000;
  }
  if (r > 500_000 || (r === 500_000 && (q & 1) === 1)) q += 1;
  return q === 0 ? 0 : q;
}

/** Σ amounts[k] × rates[k] × Π factors / 10^(6(1 + factors)), exact (BigInt), rounded once half to even. */
export function exactPay(
  amounts: readonly number[],
  ratesPpm: readonly number[],
  factorsPpm: readonly number[],
): number {
  let numerator = 0n;
  for (let k = 0; k < amounts.length; k++) numerator += BigInt(amounts[k]!) * BigInt(ratesPpm[k]!);
  let divisor = 1_000_000n;
  for (const f of factorsPpm) {
    numerator *= BigInt(f);
    divisor *= 1_000_000n;
  }
  return Number(divideHalfEvenBig(numerator, divisor));
}

/**
 * The interpolated payout at a position, as an exact fraction [numerator, denominator]: linear
 * between points, from (0, 0) to the first point, flat beyond the last, 0 at or below zero.
 */
export function interpolateExact(
  position: number,
  points: Float64Array,
  pays: readonly number[],
  count: number,
): [bigint, bigint] {
  if (count === 0 || position <= 0) return [0n, 1n];
  let x0 = 0;
  let y0 = 0;
  for (let k = 0; k < count; k++) {
    const x1 = points[k]!;
    const y1 = pays[k]!;
    if (position <= x1) {
      if (x1 === x0) return [BigInt(y1), 1n];
      // y0 + (position − x0)(y1 − y0)/(x1 − x0)
      const den = BigInt(x1 - x0);
      return [BigInt(y0) * den + BigInt(position - x0) * BigInt(y1 - y0), den];
    }
    x0 = x1;
    y0 = y1;
  }
  return [BigInt(y0), 1n];
}

/**
 * Spreads a credit over bands in proportion to how the deal moves the tier measure (docs/plans.md
 * "Tiers": a component whose credit type differs from the tier measure's): portion k = credit ×
 * (overlap of [lo, hi] with band k) / (hi − lo), exact, by largest remainder (ties to the earlier
 * band) so that the portions and the part outside every band add up to the credit. `out[k]` gets
 * band k's portion (with the credit's sign); requires hi > lo.
 */
export function spreadOverBands(
  credit: number,
  lo: number,
  hi: number,
  from: Float64Array,
  to: Float64Array,
  count: number,
  out: number[],
): void {
  const negative = credit < 0;
  const amount = BigInt(negative ? -credit : credit);
  const span = BigInt(hi - lo);
  const quotients: bigint[] = [];
  const remainders: bigint[] = [];
  let inside = 0;
  let assigned = 0n;
  for (let k = 0; k <= count; k++) {
    let part: number;
    if (k < count) {
      part = overlap(lo, hi, from[k]!, to[k]!);
      inside += part;
    } else part = hi - lo - inside; // outside every band: unpaid
    const exact = amount * BigInt(part);
    const q = exact / span;
    quotients.push(q);
    remainders.push(exact - q * span);
    assigned += q;
  }
  for (let left = amount - assigned; left > 0n; left--) {
    let best = -1;
    for (let k = 0; k <= count; k++)
      if (remainders[k]! > 0n && (best < 0 || remainders[k]! > remainders[best]!)) best = k;
    if (best < 0) break;
    quotients[best]! += 1n;
    remainders[best] = 0n;
  }
  out.length = count;
  for (let k = 0; k < count; k++) out[k] = negative ? -Number(quotients[k]!) : Number(quotients[k]!);
}
