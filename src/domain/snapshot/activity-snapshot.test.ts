import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activityDayIndex, type ActivitySnapshot } from './activity-snapshot.ts';

const snapshotOf = (days: number[]): ActivitySnapshot => ({
  rowCount: days.length,
  id: Int32Array.from(days, (_, i) => i + 1),
  type: Uint8Array.from(days, (d, i) => (d * 7 + i) % 5),
  person: Int32Array.from(days, (d, i) => (d % 2 === 0 ? -1 : i * 3)),
  account: new Int32Array(days.length),
  opportunity: new Int32Array(days.length),
  occurredOn: Int32Array.from(days),
  durationMinutes: new Int32Array(days.length),
});

describe('activityDayIndex', () => {
  it('lists every row once, by day, in row order within a day', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 19_000, max: 19_060 }), { maxLength: 300 }), (days) => {
        const a = snapshotOf(days);
        const index = activityDayIndex(a);
        const expected = days.map((d, i) => [d, i] as const).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
        expect(Array.from(index.rows)).toEqual(expected.map((x) => x[1]));
        // Each day's slice holds exactly that day's rows.
        for (let d = 0; d < index.offsets.length - 1; d++)
          for (let p = index.offsets[d]!; p < index.offsets[d + 1]!; p++)
            expect(days[index.rows[p]!]).toBe(index.firstDay + d);
        expect(index.offsets.at(-1)).toBe(days.length);
        // The person and type columns in day order: position p holds row rows[p]'s values.
        expect(Array.from(index.person)).toEqual(Array.from(index.rows, (r) => a.person[r]));
        expect(Array.from(index.type)).toEqual(Array.from(index.rows, (r) => a.type[r]));
        // Built once per snapshot.
        expect(activityDayIndex(a)).toBe(index);
      }),
    );
  });
});
