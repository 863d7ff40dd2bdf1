import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AMOUNT_RATIO_POINTS,
  quantileOfSorted,
  simulateRevenue,
  type MonteCarloInput,
} from './monte-carlo.ts';

/** n deals in `groups` groups with the given probabilities and amounts, ratio 1 unless given. */
function input(
  probabilities: number[],
  amounts: number[],
  options: { trials?: number; seed?: number; groups?: number; ratio?: number[] } = {},
): MonteCarloInput {
  const groups = options.groups ?? 1;
  const ratio = options.ratio ?? new Array<number>(AMOUNT_RATIO_POINTS).fill(1);
  return {
    trials: options.trials ?? 2_000,
    seed: options.seed ?? 7,
    groupCount: groups,
    deals: {
      count: probabilities.length,
      group: Int32Array.from(probabilities, (_, i) => i % groups),
      amountMinor: Float64Array.from(amounts),
      probability: Float64Array.from(probabilities),
      ratioOffset: new Int32Array(probabilities.length),
    },
    amountRatio: Float64Array.from(ratio),
    closedMinor: new Float64Array(groups),
  };
}

describe('simulateRevenue', () => {
  it('is deterministic: the same seed gives the same numbers, another seed other numbers', () => {
    const probabilities = Array.from({ length: 300 }, (_, i) => ((i * 37) % 100) / 100);
    const amounts = Array.from({ length: 300 }, (_, i) => 1_000 + ((i * 7919) % 5_000));
    const first = simulateRevenue(input(probabilities, amounts, { seed: 11 }));
    const again = simulateRevenue(input(probabilities, amounts, { seed: 11 }));
    const other = simulateRevenue(input(probabilities, amounts, { seed: 12 }));
    expect(again).toEqual(first);
    expect(other.p50[0]).not.toBe(first.p50[0]);
  });

  it('orders its quantiles P10 <= P50 <= P90, all between closed and closed + every amount', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 1_000_000 })),
          {
            minLength: 1,
            maxLength: 60,
          },
        ),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer(),
        (deals, closed, seed) => {
          const run = input(
            deals.map(([p]) => p),
            deals.map(([, amount]) => amount),
            { trials: 200, seed },
          );
          run.closedMinor[0] = closed;
          const result = simulateRevenue(run);
          const most = closed + deals.reduce((sum, [, amount]) => sum + amount, 0);
          expect(result.p10[0]!).toBeGreaterThanOrEqual(closed);
          expect(result.p10[0]!).toBeLessThanOrEqual(result.p50[0]!);
          expect(result.p50[0]!).toBeLessThanOrEqual(result.p90[0]!);
          expect(result.p90[0]!).toBeLessThanOrEqual(most + 1e-6);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('has the mean and spread of independent wins (geometric skips and direct draws alike)', () => {
    // 400 deals of 1,000 at p = 0.03 (skipped to) and 400 at p = 0.6 (drawn 32 trials at a time).
    const probabilities = [...new Array<number>(400).fill(0.03), ...new Array<number>(400).fill(0.6)];
    const amounts = new Array<number>(800).fill(1_000);
    const result = simulateRevenue(input(probabilities, amounts, { trials: 20_000 }));
    const mean = 1_000 * (400 * 0.03 + 400 * 0.6); // 252,000
    const sd = 1_000 * Math.sqrt(400 * 0.03 * 0.97 + 400 * 0.6 * 0.4); // ≈ 10,365
    expect(result.mean[0]! / mean).toBeCloseTo(1, 2);
    // Normal approximation: P90 − P10 ≈ 2 × 1.2816 sd.
    expect((result.p90[0]! - result.p10[0]!) / (2 * 1.2816 * sd)).toBeCloseTo(1, 1);
  });

  it('wins a bit-sliced deal in the share of trials its probability says, in every lane of 32', () => {
    // One deal at p = 0.3 (rounded to 1229 / 4096 = 0.30005), 100,003 trials (a partial last block).
    const trials = 100_003;
    const result = simulateRevenue(input([0.3], [1], { trials }));
    const share = result.mean[0]!;
    // Binomial sd of the share: sqrt(0.3 × 0.7 / 100,003) ≈ 0.00145; 4 sd.
    expect(Math.abs(share - 1229 / 4096)).toBeLessThan(0.006);
    // Each of the 32 lanes wins at the same rate: 3,125 trials a lane, sd ≈ 0.0082 each; 5 sd.
    const lanes = simulateRevenue({
      ...input(new Array<number>(32).fill(0.3), new Array<number>(32).fill(1), { trials: 32 * 3_125 }),
    });
    expect(Math.abs(lanes.mean[0]! / 32 - 0.30005)).toBeLessThan(0.01);
  });

  it('adds closed revenue to every trial, certain deals every time, at their amount ratios', () => {
    const ratio = Array.from({ length: AMOUNT_RATIO_POINTS }, (_, k) => (k < 16 ? 0.5 : 1.5));
    const run = input([1, 0], [10_000, 10_000], { trials: 10_000, ratio });
    run.closedMinor[0] = 2_500;
    const result = simulateRevenue(run);
    expect(result.p10[0]).toBe(2_500 + 5_000);
    expect(result.p90[0]).toBe(2_500 + 15_000);
    expect(result.mean[0]! / 12_500).toBeCloseTo(1, 1);
  });

  it('keeps groups apart', () => {
    const result = simulateRevenue(input([1, 1, 1, 1], [1, 10, 100, 1_000], { groups: 2 }));
    expect([...result.p50]).toEqual([101, 1_010]);
  });

  it('draws deals not created yet as a compound Poisson sum', () => {
    const run = input([], [], { trials: 20_000 });
    run.newDeals = {
      expectedCount: Float64Array.of(3),
      amounts: Float64Array.of(100, 300),
      offsets: Int32Array.of(0, 2),
    };
    const result = simulateRevenue(run);
    expect(result.mean[0]! / 600).toBeCloseTo(1, 1);
    expect(result.p10[0]).toBeGreaterThanOrEqual(0);
  });
});

describe('simulateRevenue with a common shock', () => {
  it('multiplies what is still to come, not what has closed, by one lognormal factor of mean 1', () => {
    // A certain deal of 10,000 in each of two groups of different sizes, 2,500 closed in group 0.
    const run = input([1, 1], [10_000, 30_000], { trials: 40_000, groups: 2 });
    run.closedMinor[0] = 2_500;
    run.shockSd = 0.2;
    const result = simulateRevenue(run);
    const z = 1.2816; // the standard normal's 90th percentile
    const factor = (q: number) => Math.exp(-0.02 + q * 0.2);
    expect((result.p10[0]! - 2_500) / (10_000 * factor(-z))).toBeCloseTo(1, 1);
    expect((result.p90[0]! - 2_500) / (10_000 * factor(z))).toBeCloseTo(1, 1);
    expect((result.mean[0]! - 2_500) / 10_000).toBeCloseTo(1, 2);
    // The same factor in every group of a trial: their quantiles keep the groups' ratio.
    expect(result.p10[1]! / (result.p10[0]! - 2_500)).toBeCloseTo(3, 6);
    expect(result.p90[1]! / (result.p90[0]! - 2_500)).toBeCloseTo(3, 6);
  });

  it('widens the range of independent deals and leaves their mean where it was', () => {
    const probabilities = new Array<number>(500).fill(0.4);
    const amounts = new Array<number>(500).fill(1_000);
    const independent = simulateRevenue(input(probabilities, amounts, { trials: 20_000 }));
    const shocked = simulateRevenue({ ...input(probabilities, amounts, { trials: 20_000 }), shockSd: 0.15 });
    const width = (r: typeof independent) => r.p90[0]! - r.p10[0]!;
    expect(width(shocked)).toBeGreaterThan(1.5 * width(independent));
    expect(shocked.mean[0]! / independent.mean[0]!).toBeCloseTo(1, 2);
  });

  it('refuses a shock that is negative or not finite', () => {
    for (const shockSd of [-0.1, Number.NaN, Infinity])
      expect(() => simulateRevenue({ ...input([0.5], [1]), shockSd })).toThrow(/shockSd/);
  });
});

describe('quantileOfSorted', () => {
  it('interpolates between order statistics (type 7)', () => {
    const sorted = Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    expect(quantileOfSorted(sorted, 0.1)).toBe(2);
    expect(quantileOfSorted(sorted, 0.5)).toBe(6);
    expect(quantileOfSorted(Float64Array.of(0, 10), 0.25)).toBe(2.5);
  });
});
