import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { histogram, type Tier } from './dashboard-stats.ts';

describe('histogram', () => {
  it('puts every value in the one bar whose range holds it', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            value: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
            tier: fc.constantFrom<Tier>('top', 'middle', 'bottom'),
          }),
          { minLength: 1, maxLength: 300 },
        ),
        fc.integer({ min: 1, max: 40 }),
        (entries, bins) => {
          const bars = histogram(entries, bins);
          expect(bars.reduce((sum, b) => sum + b.count, 0)).toBe(entries.length);
          for (const { value } of entries) {
            const holding = bars.filter(
              (b, i) => value >= b.from && (i === bars.length - 1 ? value <= b.to : value < b.to),
            );
            expect(holding.length).toBeGreaterThanOrEqual(1);
          }
        },
      ),
    );
  });

  it('gives one bar when all values are equal, and colours a bar by most of its groups', () => {
    expect(
      histogram([
        { value: 2, tier: 'top' },
        { value: 2, tier: 'top' },
        { value: 2, tier: 'middle' },
      ]),
    ).toEqual([{ from: 2, to: 2, count: 3, tier: 'top' }]);
    const bars = histogram(
      [
        { value: 0, tier: 'bottom' },
        { value: 1, tier: 'middle' },
        { value: 9, tier: 'middle' },
        { value: 10, tier: 'top' },
      ],
      2,
    );
    expect(bars).toEqual([
      { from: 0, to: 5, count: 2, tier: 'middle' },
      { from: 5, to: 10, count: 2, tier: 'middle' },
    ]);
    expect(
      histogram(
        [
          { value: 0, tier: 'bottom' },
          { value: 10, tier: 'top' },
        ],
        2,
      ).map((b) => b.tier),
    ).toEqual(['bottom', 'top']);
  });
});
