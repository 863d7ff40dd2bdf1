/**
 * Monte Carlo of a period's won revenue (docs/forecasting.md §Monte Carlo): in each trial every
 * open deal is won in the period or not (its probability already folds in whether it closes in
 * time), a won deal's amount is its current amount times a draw from its stage's history of amount
 * changes, and deals not yet created arrive as a compound Poisson draw from recent history. The
 * result is the distribution of each group's total over the trials: mean and P10 / P50 / P90.
 *
 * Deterministic: one seeded sfc32 stream, deals visited in their given order, so the same inputs
 * and seed give the same numbers. Fast: instead of one draw per deal per trial, each deal jumps
 * straight to the trials it wins in (geometric gaps, cost ∝ trials × probability), and deals with
 * a probability of 0.05 or more are drawn 32 trials at a time from bit-sliced words; totals live in
 * one Float64Array of groups × trials.
 *
 * Deals are not quite independent: a period can go well or badly for everyone. A common shock per
 * trial (`shockSd`), sized from how far past periods' outcomes fell from their forecasts beyond
 * what independent deals explain, widens the range by that much (docs/forecasting.md §Ranges).
 */
import { DomainError } from '../errors.ts';

export type MonteCarloInput = {
  trials: number;
  /** Any safe integer; the same seed gives the same result. */
  seed: number;
  groupCount: number;
  deals: {
    count: number;
    /** Group slot 0 .. groupCount - 1 of each deal. */
    group: Int32Array;
    amountMinor: Float64Array;
    /** P(won with a close day in the period). */
    probability: Float64Array;
    /** Offset of the deal's amount-ratio points in `amountRatio`. */
    ratioOffset: Int32Array;
  };
  /** Amount multipliers, AMOUNT_RATIO_POINTS equally likely points per stage. */
  amountRatio: Float64Array;
  /** Won revenue already closed in the period, per group (added to every trial). */
  closedMinor: Float64Array;
  /** Deals not created yet: expected count per group and, per group, amounts to draw from. */
  newDeals?: { expectedCount: Float64Array; amounts: Float64Array; offsets: Int32Array };
  /**
   * The common shock: in each trial every group's revenue still to come (open and new deals) is
   * multiplied by one draw exp(σZ − σ²/2), the same for all groups (a good or a bad period for
   * everyone; the mean is unchanged). Its σ, `shockSd`, is learned from past periods
   * (pastForecastErrors in forecast-period.ts); 0 or left out: deals independent.
   */
  shockSd?: number;
};

export type MonteCarloResult = {
  mean: Float64Array;
  p10: Float64Array;
  p50: Float64Array;
  p90: Float64Array;
};

/**
 * Above this probability a deal is drawn 32 trials at a time (bit-sliced); below it, it skips
 * straight to its winning trials (geometric gaps).
 */
const DIRECT_DRAW_FROM = 0.05;
/**
 * Binary digits of p in the bit-sliced draw: p is rounded to a multiple of 2^-12, so a deal's
 * chance is off by at most 2^-13 (0.012 percentage points), far below what its estimate can tell.
 */
const PROBABILITY_BITS = 12;
const PROBABILITY_SCALE = 1 << PROBABILITY_BITS;
/** Above this expected count of new deals a group's sum is drawn from its normal approximation. */
const NORMAL_FROM = 200;
const TWO_TO_32 = 4_294_967_296;
const TWO_TO_27 = 134_217_728;
/** Points of each stage's amount-ratio distribution: 32, so 5 bits of a draw pick one. */
export const AMOUNT_RATIO_POINTS = 32;

/** The q-quantile (type 7: linear between order statistics) of sorted values. */
export function quantileOfSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q;
  const low = Math.floor(h);
  const high = Math.min(n - 1, low + 1);
  return sorted[low]! + (h - low) * (sorted[high]! - sorted[low]!);
}

/** Simulates the period's won revenue per group; see the file comment. */
export function simulateRevenue(input: MonteCarloInput): MonteCarloResult {
  const { trials, groupCount, deals, amountRatio } = input;
  if (!Number.isInteger(trials) || trials < 1)
    throw new DomainError('invariant', `trials must be a positive integer, got ${trials}`);
  if (!Number.isSafeInteger(input.seed)) throw new DomainError('invariant', `seed must be a safe integer`);
  if (input.shockSd !== undefined && !(input.shockSd >= 0 && Number.isFinite(input.shockSd)))
    throw new DomainError('invariant', `shockSd must be a finite number >= 0, got ${input.shockSd}`);
  const totals = new Float64Array(groupCount * trials);

  // sfc32, seeded through splitmix32 (as src/domain/demo/random.ts). Each deal is drawn by one of
  // two small functions that load the state into locals, run the step written out in their loop
  // (a closure over mutated variables is several times slower in V8) and store it back: small
  // functions called once per deal are optimised by V8 after a few deals, where one large loop
  // body ran unoptimised for seconds on the first calls.
  const state = new Int32Array(4);
  state[0] = mix32((input.seed >>> 0) ^ 0x9e3779b9);
  state[1] = mix32(Math.floor(input.seed / TWO_TO_32) + 0x6a09e667);
  state[2] = mix32(0xbb67ae85 ^ (input.seed >>> 0));
  state[3] = 1;
  for (let i = 0; i < 16; i++) nextUint32(state);

  const { group, amountMinor, probability, ratioOffset } = deals;
  for (let i = 0; i < deals.count; i++) {
    const p = probability[i]!;
    const amount = amountMinor[i]!;
    if (!(p > 0) || !(amount !== 0)) continue;
    const base = group[i]! * trials;
    if (p >= DIRECT_DRAW_FROM)
      drawBitSliced(
        state,
        totals,
        base,
        trials,
        Math.round(p * PROBABILITY_SCALE),
        amount,
        amountRatio,
        ratioOffset[i]!,
      );
    else drawGeometric(state, totals, base, trials, p, amount, amountRatio, ratioOffset[i]!);
  }
  const nextOpen = (): number => (nextUint32(state) + 1) / TWO_TO_32;

  const newDeals = input.newDeals;
  if (newDeals) {
    for (let g = 0; g < groupCount; g++) {
      const lambda = newDeals.expectedCount[g]!;
      const first = newDeals.offsets[g]!;
      const size = newDeals.offsets[g + 1]! - first;
      if (!(lambda > 0) || size === 0) continue;
      const base = g * trials;
      if (lambda > NORMAL_FROM) {
        // Compound Poisson sum: mean λ·E[X], variance λ·E[X²].
        let m1 = 0;
        let m2 = 0;
        for (let k = first; k < first + size; k++) {
          m1 += newDeals.amounts[k]!;
          m2 += newDeals.amounts[k]! ** 2;
        }
        const mean = (lambda * m1) / size;
        const sd = Math.sqrt((lambda * m2) / size);
        for (let t = 0; t < trials; t++) totals[base + t]! += Math.max(0, mean + sd * normal(nextOpen));
        continue;
      }
      const limit = Math.exp(-lambda);
      for (let t = 0; t < trials; t++) {
        // Knuth's Poisson draw: multiply uniforms until the product falls below e^-λ.
        let product = nextOpen();
        let sum = 0;
        while (product > limit) {
          sum += newDeals.amounts[first + (((nextUint32(state) * size) / TWO_TO_32) | 0)]!;
          product *= nextOpen();
        }
        totals[base + t]! += sum;
      }
    }
  }

  const sd = input.shockSd ?? 0;
  if (sd > 0)
    for (let t = 0; t < trials; t++) {
      const factor = Math.exp(sd * normal(nextOpen) - (sd * sd) / 2);
      for (let g = 0; g < groupCount; g++) totals[g * trials + t]! *= factor;
    }

  const mean = new Float64Array(groupCount);
  const p10 = new Float64Array(groupCount);
  const p50 = new Float64Array(groupCount);
  const p90 = new Float64Array(groupCount);
  for (let g = 0; g < groupCount; g++) {
    const closed = input.closedMinor[g] ?? 0;
    const slice = totals.subarray(g * trials, (g + 1) * trials).sort();
    let sum = 0;
    for (let t = 0; t < trials; t++) sum += slice[t]!;
    mean[g] = closed + sum / trials;
    p10[g] = closed + quantileOfSorted(slice, 0.1);
    p50[g] = closed + quantileOfSorted(slice, 0.5);
    p90[g] = closed + quantileOfSorted(slice, 0.9);
  }
  return { mean, p10, p50, p90 };
}

/**
 * A deal with probability q / 2^PROBABILITY_BITS, 32 trials at a time: a word whose bits are each
 * 1 with that probability, built from one random word per binary digit of q from its lowest set
 * digit up (bit-sliced comparison: a 1 digit ORs a random word in, a 0 digit ANDs one), then one
 * 5-bit amount-ratio pick per win, six picks to a word.
 */
function drawBitSliced(
  state: Int32Array,
  totals: Float64Array,
  base: number,
  trials: number,
  q: number,
  amount: number,
  amountRatio: Float64Array,
  ratios: number,
): void {
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  let x = 0;
  const certain = q >= PROBABILITY_SCALE;
  const lowest = certain ? PROBABILITY_BITS : 31 - Math.clz32(q & -q);
  let picks = 0;
  let picksLeft = 0;
  for (let block = 0; block < trials; block += 32) {
    let mask = certain ? -1 : 0;
    for (let bit = lowest; bit < PROBABILITY_BITS; bit++) {
      x = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      c = (c + x) | 0;
      mask = (q >>> bit) & 1 ? x | mask : x & mask;
    }
    const left = trials - block;
    if (left < 32) mask &= (1 << left) - 1;
    while (mask !== 0) {
      const low = mask & -mask;
      mask ^= low;
      if (picksLeft === 0) {
        x = (((a + b) | 0) + d) | 0;
        d = (d + 1) | 0;
        a = b ^ (b >>> 9);
        b = (c + (c << 3)) | 0;
        c = (c << 21) | (c >>> 11);
        c = (c + x) | 0;
        picks = x;
        picksLeft = 6;
      }
      totals[base + block + 31 - Math.clz32(low)]! += amount * amountRatio[ratios + (picks & 31)]!;
      picks >>>= 5;
      picksLeft--;
    }
  }
  state[0] = a;
  state[1] = b;
  state[2] = c;
  state[3] = d;
}

/**
 * A deal with a small probability: the trials between two wins are geometric, skipped with one
 * draw, ⌊ln U / ln(1 − p)⌋ from its upper 27 bits; its lower 5 bits pick the amount ratio of the
 * win it lands on.
 */
function drawGeometric(
  state: Int32Array,
  totals: Float64Array,
  base: number,
  trials: number,
  p: number,
  amount: number,
  amountRatio: Float64Array,
  ratios: number,
): void {
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  let x = 0;
  const perLog = 1 / Math.log1p(-p);
  let t = -1;
  for (;;) {
    x = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + x) | 0;
    t += 1 + Math.floor(Math.log(((x >>> 5) + 1) / TWO_TO_27) * perLog);
    if (t >= trials) break;
    totals[base + t]! += amount * amountRatio[ratios + (x & 31)]!;
  }
  state[0] = a;
  state[1] = b;
  state[2] = c;
  state[3] = d;
}

/** A standard normal draw (Box–Muller, one of the pair). */
function normal(nextOpen: () => number): number {
  return Math.sqrt(-2 * Math.log(nextOpen())) * Math.cos(2 * Math.PI * nextOpen());
}

/** One sfc32 step over a state of four 32-bit words: a uniform unsigned 32-bit integer. */
function nextUint32(state: Int32Array): number {
  const a = state[0]!;
  const b = state[1]!;
  const c = state[2]!;
  const d = state[3]!;
  const t = (((a + b) | 0) + d) | 0;
  state[3] = (d + 1) | 0;
  state[0] = b ^ (b >>> 9);
  state[1] = (c + (c << 3)) | 0;
  const rotated = (c << 21) | (c >>> 11);
  state[2] = (rotated + t) | 0;
  return t >>> 0;
}

/** splitmix32 finaliser. */
function mix32(value: number): number {
  let z = value | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}
