import { describe, expect, it } from 'vitest';
import { createRandom } from './random.ts';

const draw = (seed: number, stream: string, count: number): number[] => {
  const random = createRandom(seed, stream);
  return Array.from({ length: count }, () => random.nextUint32());
};

describe('createRandom', () => {
  it('repeats itself for the same seed and stream, and only then', () => {
    expect(draw(42, 'opportunities', 100)).toEqual(draw(42, 'opportunities', 100));
    expect(draw(42, 'opportunities', 100)).not.toEqual(draw(43, 'opportunities', 100));
    expect(draw(42, 'opportunities', 100)).not.toEqual(draw(42, 'activities', 100));
    // Seeds beyond 32 bits still matter.
    expect(draw(2 ** 40, 's', 10)).not.toEqual(draw(0, 's', 10));
  });

  it('keeps its stream stable: demo data made today can be regenerated after any upgrade', () => {
    expect(draw(1, 'golden', 4)).toMatchInlineSnapshot(`
      [
        3542954565,
        2867371622,
        3903144420,
        3679092831,
      ]
    `);
  });

  it('draws uniform floats, Poisson counts and normal values with the right moments', () => {
    const random = createRandom(7, 'moments');
    const n = 200_000;
    let sum = 0;
    let below = 0;
    let outside = 0;
    for (let index = 0; index < n; index += 1) {
      const value = random.next();
      if (value < 0 || value >= 1) outside += 1;
      sum += value;
      if (value < 0.1) below += 1;
    }
    expect(outside).toBe(0);
    expect(sum / n).toBeCloseTo(0.5, 2);
    expect(below / n).toBeCloseTo(0.1, 2);
    for (const mean of [0.7, 3, 45]) {
      let total = 0;
      let squares = 0;
      for (let index = 0; index < 50_000; index += 1) {
        const count = random.poisson(mean);
        total += count;
        squares += count * count;
      }
      const average = total / 50_000;
      expect(Math.abs(average - mean) / mean).toBeLessThan(0.03);
      expect(Math.abs(squares / 50_000 - average * average - mean) / mean).toBeLessThan(0.06);
    }
    let normalSum = 0;
    let normalSquares = 0;
    for (let index = 0; index < 100_000; index += 1) {
      const value = random.normal();
      normalSum += value;
      normalSquares += value * value;
    }
    expect(normalSum / 100_000).toBeCloseTo(0, 1);
    expect(normalSquares / 100_000).toBeCloseTo(1, 1);
  });

  it('picks by weight and shuffles into a permutation', () => {
    const random = createRandom(3, 'picks');
    const counts = [0, 0, 0];
    for (let index = 0; index < 60_000; index += 1) {
      const picked = random.weightedIndex([1, 2, 3]);
      counts[picked] = (counts[picked] ?? 0) + 1;
    }
    expect(counts.map((count) => Math.round((count / 60_000) * 6))).toEqual([1, 2, 3]);
    expect(random.weightedIndex([0, 0, 5])).toBe(2);
    const shuffled = random.shuffle(Array.from({ length: 100 }, (_, index) => index));
    expect([...shuffled].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, index) => index));
    expect(shuffled).not.toEqual(Array.from({ length: 100 }, (_, index) => index));
    const ints = new Set(Array.from({ length: 1_000 }, () => random.int(3, 5)));
    expect([...ints].sort()).toEqual([3, 4, 5]);
  });
});
