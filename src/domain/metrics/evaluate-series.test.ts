import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { evaluateMetrics } from './evaluate-metrics.ts';
import { evaluateSeries, evaluateSeriesColumns } from './evaluate-series.ts';
import { metricDefinitions } from './metric-definitions.ts';
import { groupBys, type GroupBy } from './metric-types.ts';
import { baseDay, buildOrganisation, organisationSpec } from './testing/random-organisation.ts';

const computed = metricDefinitions.filter((d) => d.status === 'computed').map((d) => d.id);

describe('evaluateSeries', () => {
  it('gives each period the numbers evaluating it alone gives', () => {
    fc.assert(
      fc.property(
        organisationSpec,
        fc.constantFrom<GroupBy>(...groupBys),
        fc.subarray(computed, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: -10, max: 150 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 220 }),
        (spec, groupBy, metrics, start, length, count, asOfOffset) => {
          const input = buildOrganisation(spec);
          const periods = Array.from({ length: count }, (_, i) => ({
            from: baseDay + start + i * length,
            to: baseDay + start + (i + 1) * length,
          }));
          const asOf = baseDay + asOfOffset;
          const series = evaluateSeries(input, { metrics, groupBy, periods, asOf, currency: 'USD' });
          periods.forEach((period, i) => {
            const single = evaluateMetrics(input, {
              metrics,
              groupBy,
              period,
              asOf,
              currency: 'USD',
              breakdowns: false,
            });
            // Every group the period has is in the series with the same numbers; the series'
            // other groups (seen in other periods) have what an empty group has.
            const byKey = new Map(single.groups.map((g) => [JSON.stringify(g.key), g]));
            for (const group of series.groups) {
              const alone = byKey.get(JSON.stringify(group.key));
              for (const id of metrics) {
                const value = group.metrics[id]!;
                if (alone) {
                  const m = alone.metrics[id]!;
                  expect(value.values[i]).toEqual(m.value);
                  if (m.numerator !== undefined) expect(value.numerators?.[i]).toEqual(m.numerator);
                  if (m.denominator !== undefined) expect(value.denominators?.[i]).toEqual(m.denominator);
                }
              }
              expect(group.label).toBe(alone?.label ?? group.label);
            }
            for (const group of single.groups)
              expect(series.groups.some((g) => JSON.stringify(g.key) === JSON.stringify(group.key))).toBe(
                true,
              );
          });
          expect(series.periods).toEqual(periods);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('gives as columns exactly the numbers of the series by group', () => {
    fc.assert(
      fc.property(
        organisationSpec,
        fc.constantFrom<GroupBy>(...groupBys),
        fc.subarray([...computed, 'logo_churn_rate'], { minLength: 1, maxLength: 6 }),
        fc.integer({ min: -10, max: 150 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 220 }),
        (spec, groupBy, metrics, start, length, count, asOfOffset) => {
          const input = buildOrganisation(spec);
          const periods = Array.from({ length: count }, (_, i) => ({
            from: baseDay + start + i * length,
            to: baseDay + start + (i + 1) * length,
          }));
          const request = { metrics, groupBy, periods, asOf: baseDay + asOfOffset, currency: 'USD' };
          const series = evaluateSeries(input, request);
          const columns = evaluateSeriesColumns(input, request);
          expect(columns.keys).toEqual(series.groups.map((g) => g.key));
          expect(columns.labels).toEqual(series.groups.map((g) => g.label));
          expect(columns.issues).toEqual(series.issues);
          expect(columns.periods).toEqual(series.periods);
          for (const id of metrics) {
            const column = columns.columns[id]!;
            periods.forEach((_, i) => {
              expect(column.values[i]).toEqual(series.groups.map((g) => g.metrics[id]!.values[i]));
              expect(column.numerators?.[i]).toEqual(
                series.groups.some((g) => g.metrics[id]!.numerators)
                  ? series.groups.map((g) => g.metrics[id]!.numerators?.[i] ?? null)
                  : undefined,
              );
              expect(column.denominators?.[i]).toEqual(
                series.groups.some((g) => g.metrics[id]!.denominators)
                  ? series.groups.map((g) => g.metrics[id]!.denominators?.[i] ?? null)
                  : undefined,
              );
            });
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses no periods, too many, and names a bad one by its index', () => {
    const input = fc.sample(
      organisationSpec.map((spec) => buildOrganisation(spec)),
      { numRuns: 1, seed: 7 },
    )[0]!;
    const base = { metrics: ['won_revenue'], groupBy: 'rep' as const, asOf: baseDay, currency: 'USD' };
    expect(() => evaluateSeries(input, { ...base, periods: [] })).toThrow(AppError);
    expect(() =>
      evaluateSeries(input, {
        ...base,
        periods: Array.from({ length: 61 }, (_, i) => ({ from: baseDay + i, to: baseDay + i + 1 })),
      }),
    ).toThrow(expect.objectContaining({ problems: [{ field: 'periods', message: 'name 1 to 60 periods' }] }));
    try {
      evaluateSeries(input, {
        ...base,
        periods: [
          { from: baseDay, to: baseDay + 7 },
          { from: baseDay + 7, to: baseDay + 7 },
        ],
      });
      expect.unreachable();
    } catch (error) {
      expect((error as AppError).problems.map((p) => p.field)).toEqual(['periods[1]']);
    }
  });
});
