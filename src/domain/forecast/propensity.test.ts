import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitIsotonic, fitPlatt, isotonicAt } from './propensity.ts';

describe('fitIsotonic (pool-adjacent-violators)', () => {
  it('pools the violators into blocks of their mean, and keeps an increasing run as it is', () => {
    // Outcomes 0 1 0 1 1 by increasing score: the 1 then 0 violate and pool to 0.5.
    const curve = fitIsotonic([1, 2, 3, 4, 5], [0, 1, 0, 1, 1], 1);
    expect(Array.from(curve.p)).toEqual([0, 0.5, 1]);
    expect(Array.from(curve.z)).toEqual([1, 2.5, 4.5]);
    expect(isotonicAt(curve, 0)).toBe(0);
    expect(isotonicAt(curve, 2.5)).toBe(0.5);
    expect(isotonicAt(curve, 3.5)).toBeCloseTo(0.75, 12);
    expect(isotonicAt(curve, 9)).toBe(1);
  });

  it('merges blocks until each holds the minimum, a small last block into the one before', () => {
    const curve = fitIsotonic([1, 2, 3, 4, 5], [0, 0, 1, 1, 1], 2);
    // PAV gives 0 (2 obs) and 1 (3 obs): both hold 2 or more.
    expect(Array.from(curve.p)).toEqual([0, 1]);
    const merged = fitIsotonic([1, 2, 3, 4, 5], [0, 0, 1, 1, 1], 4);
    expect(Array.from(merged.p)).toEqual([0.6]);
  });

  it('is non-decreasing, keeps the mean of the outcomes, and never leaves [0, 1]', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -5, max: 5, noNaN: true }), fc.constantFrom(0, 1)), {
          minLength: 1,
          maxLength: 200,
        }),
        fc.integer({ min: 1, max: 30 }),
        (pairs, minBlock) => {
          const scores = pairs.map((p) => p[0]);
          const outcomes: number[] = pairs.map((p) => p[1]);
          const curve = fitIsotonic(scores, outcomes, minBlock);
          for (let k = 1; k < curve.p.length; k++) {
            expect(curve.p[k]!).toBeGreaterThanOrEqual(curve.p[k - 1]!);
            expect(curve.z[k]!).toBeGreaterThanOrEqual(curve.z[k - 1]!);
          }
          for (const p of curve.p) expect(p >= 0 && p <= 1).toBe(true);
          // Every block's share is its observations' mean: the blocks hold every observation, and
          // their wins add up to the outcomes'.
          const count = curve.count.reduce((a, b) => a + b, 0);
          const wins = curve.p.reduce((sum, p, k) => sum + p * curve.count[k]!, 0);
          expect(count).toBe(outcomes.length);
          expect(wins).toBeCloseTo(
            outcomes.reduce((a, b) => a + b, 0),
            9,
          );
          // Every block holds the minimum, unless there are fewer observations than that.
          if (outcomes.length >= minBlock)
            for (const c of curve.count) expect(c).toBeGreaterThanOrEqual(minBlock);
          for (const z of [-6, -1, 0, 1, 6]) {
            const p = isotonicAt(curve, z);
            expect(p >= 0 && p <= 1).toBe(true);
          }
        },
      ),
    );
  });
});

describe('fitPlatt', () => {
  it('recovers the slope and intercept of outcomes drawn from a sigmoid', () => {
    // Deterministic draws: outcome 1 when a fixed sequence falls below σ(2z − 1).
    const scores: number[] = [];
    const outcomes: number[] = [];
    let u = 0.5;
    for (let i = 0; i < 20_000; i++) {
      const z = -3 + (6 * i) / 20_000;
      u = (u * 9301 + 49297) % 233280;
      scores.push(z);
      outcomes.push(u / 233280 < 1 / (1 + Math.exp(-(2 * z - 1))) ? 1 : 0);
    }
    const { a, b } = fitPlatt(scores, outcomes);
    expect(a).toBeCloseTo(2, 0);
    expect(b).toBeCloseTo(-1, 0);
  });
});
