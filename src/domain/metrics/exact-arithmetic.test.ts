import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.ts';
import { divideHalfEvenBig as divideHalfEven } from '../money.ts';
import {
  assertSafeInteger,
  cumulativeShare,
  cumulativeShareMinor,
  marginMinor,
  twiceMedian,
} from './exact-arithmetic.ts';

describe('exact arithmetic', () => {
  it.each([
    [7n, 2n, 4n],
    [5n, 2n, 2n],
    [-5n, 2n, -2n],
    [-7n, 2n, -4n],
    [10n, 4n, 2n],
    [11n, 4n, 3n],
    [1n, -3n, 0n],
    [2n, -3n, -1n],
  ])('divides %i by %i rounding half to even: %i', (n, d, q) => {
    expect(divideHalfEven(n, d)).toBe(q);
  });

  it('rounds a deal’s margin half to even at the minor unit', () => {
    expect(marginMinor(1_000_000, 7_000)).toBe(700_000);
    expect(marginMinor(1, 5_000)).toBe(0); // 0.5 → 0
    expect(marginMinor(3, 5_000)).toBe(2); // 1.5 → 2
    expect(marginMinor(-3, 5_000)).toBe(-2);
    expect(marginMinor(12_345, -1_234)).toBe(-1_523); // -1523.373
    expect(() => marginMinor(2 ** 52, 10_000)).toThrow(DomainError);
    fc.assert(
      fc.property(
        fc.integer({ min: -1e11, max: 1e11 }),
        fc.integer({ min: -10_000, max: 10_000 }),
        (amount, bps) => {
          const exact = divideHalfEven(BigInt(amount) * BigInt(bps), 10_000n);
          expect(marginMinor(amount, bps)).toBe(Number(exact));
        },
      ),
    );
  });

  it('prorates a target so adjoining periods add up to it exactly (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e12 }),
        fc.integer({ min: 1, max: 400 }),
        fc.array(fc.integer({ min: -50, max: 450 }), { maxLength: 6 }),
        (target, length, cuts) => {
          const days = [-100, ...cuts.sort((a, b) => a - b), 1_000];
          let total = 0n;
          for (let i = 1; i < days.length; i++)
            total +=
              cumulativeShare(target, 0, length, days[i]!) - cumulativeShare(target, 0, length, days[i - 1]!);
          expect(total).toBe(BigInt(target));
        },
      ),
    );
    expect(cumulativeShare(100, 0, 3, 1)).toBe(33n);
    expect(cumulativeShare(100, 0, 3, 2)).toBe(66n);
    expect(cumulativeShare(-100, 0, 3, 1)).toBe(-34n);
  });

  it('prorates in numbers exactly as in BigInt (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: -1e12, max: 1e12 }),
          fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
        ),
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: -1100, max: 1500 }),
        (target, from, length, day) => {
          expect(cumulativeShareMinor(target, from, from + length, day)).toBe(
            Number(cumulativeShare(target, from, from + length, day)),
          );
        },
      ),
      { numRuns: 2000 },
    );
    expect(cumulativeShareMinor(-100, 0, 3, 1)).toBe(-34);
    expect(cumulativeShareMinor(2 ** 53 - 1, 0, 3, 2)).toBe(Number(cumulativeShare(2 ** 53 - 1, 0, 3, 2)));
  });

  it('doubles medians to keep them integers, and refuses unsafe integers', () => {
    expect(twiceMedian([5, 1, 3], 3)).toBe(6);
    expect(twiceMedian([4, 1, 3, 2], 4)).toBe(5);
    expect(twiceMedian([], 0)).toBeNaN();
    expect(() => assertSafeInteger(2 ** 53, 'x')).toThrow(DomainError);
    expect(() => assertSafeInteger(1.5, 'x')).toThrow(DomainError);
    expect(() => assertSafeInteger(-(2 ** 53) + 1, 'x')).not.toThrow();
  });
});
