import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromCivilDate } from '../calendar/day-number.ts';
import { hasClosedCells } from './closed-cells.ts';
import { evaluateMetrics } from './evaluate-metrics.ts';
import { metricDefinitions } from './metric-definitions.ts';
import type { GroupBy, MetricNumber, MetricsInput, MetricsRequest, MetricsResult } from './metric-types.ts';
import { baseDay, buildOrganisation, organisationSpec } from './testing/random-organisation.ts';

/** Metrics that add up: over groups, and over adjoining periods (all but the open pipeline). */
const additive = [
  'won_revenue',
  'won_revenue_new_business',
  'won_revenue_expansion',
  'won_revenue_renewal',
  'won_deals',
  'lost_deals',
  'gross_margin',
  'pipeline_created',
  'pipeline_created_count',
  'open_pipeline',
  'open_pipeline_count',
  'quota',
  'activities',
  'stage_losses',
];
const periodAdditive = additive.filter((id) => id !== 'open_pipeline' && id !== 'open_pipeline_count');
const computed = metricDefinitions.filter((d) => d.status === 'computed').map((d) => d.id);
const personGroupings: GroupBy[] = ['rep', 'manager', 'team', 'region'];
const dealGroupings: GroupBy[] = [
  'segment',
  'industry',
  'product',
  'lead_source',
  'competitor',
  'deal_type',
  'lost_reason',
];

/** Money and counts as exact integers (money in minor units: every money value has two decimals). */
function exact(value: MetricNumber | null | undefined): bigint {
  if (value === null || value === undefined) return 0n;
  return typeof value === 'string' ? BigInt(value.replace('.', '')) : BigInt(value);
}

function total(result: MetricsResult, metric: string): bigint {
  return result.groups.reduce((sum, group) => sum + exact(group.metrics[metric]?.value), 0n);
}

const asOfDay = fc.integer({ min: 0, max: 200 }).map((offset) => baseDay + offset);
const period = fc
  .tuple(fc.integer({ min: -10, max: 190 }), fc.integer({ min: 1, max: 120 }))
  .map(([start, length]) => ({ from: baseDay + start, to: baseDay + start + length }));

function request(
  groupBy: GroupBy,
  metrics: string[],
  p: { from: number; to: number },
  asOf: number,
): MetricsRequest {
  return { metrics, groupBy, period: p, asOf, currency: 'USD' };
}

describe('evaluateMetrics: properties', () => {
  it('adds additive metrics up from reps to managers, teams and regions to the company', () => {
    fc.assert(
      fc.property(organisationSpec, period, asOfDay, (spec, p, asOf) => {
        const input = buildOrganisation(spec);
        const company = evaluateMetrics(input, request('company', additive, p, asOf));
        for (const groupBy of personGroupings) {
          const grouped = evaluateMetrics(input, request(groupBy, additive, p, asOf));
          for (const metric of additive)
            expect([groupBy, metric, total(grouped, metric)]).toEqual([
              groupBy,
              metric,
              total(company, metric),
            ]);
        }
        const dealMetrics = additive.filter((id) => id !== 'quota');
        for (const groupBy of dealGroupings) {
          const grouped = evaluateMetrics(input, request(groupBy, dealMetrics, p, asOf));
          for (const metric of dealMetrics)
            expect([groupBy, metric, total(grouped, metric)]).toEqual([
              groupBy,
              metric,
              total(company, metric),
            ]);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('gives every ratio as its numerator over its denominator', () => {
    fc.assert(
      fc.property(
        organisationSpec,
        period,
        asOfDay,
        fc.constantFrom<GroupBy>('company', 'rep', 'team', 'product'),
        (spec, p, asOf, groupBy) => {
          const input = buildOrganisation(spec);
          const result = evaluateMetrics(input, request(groupBy, computed, p, asOf));
          let checked = 0;
          for (const group of result.groups) {
            for (const [id, metric] of Object.entries(group.metrics)) {
              const entries = [metric, ...(metric.breakdown ?? [])];
              for (const entry of entries) {
                if (entry.numerator === undefined || entry.denominator === undefined) continue;
                const numerator = Number(exact(entry.numerator));
                const denominator = Number(exact(entry.denominator));
                if (denominator === 0) {
                  expect([id, entry.value]).toEqual([id, null]);
                  continue;
                }
                checked++;
                const definition = metricDefinitions.find((d) => d.id === id)!;
                if (definition.money) {
                  // Money per deal or per rep: rounded half to even, so within half a minor unit.
                  expect(Math.abs(Number(exact(entry.value)) - numerator / denominator)).toBeLessThanOrEqual(
                    0.5,
                  );
                } else if (typeof entry.numerator === 'string' || typeof entry.denominator === 'string') {
                  expect([id, entry.value]).toEqual([id, numerator / denominator]);
                } else {
                  expect([id, entry.value]).toEqual([id, entry.numerator / entry.denominator]);
                }
              }
            }
          }
          return checked >= 0;
        },
      ),
      { numRuns: 60 },
    );
  });

  it('adds a period split in two back up', () => {
    fc.assert(
      fc.property(
        organisationSpec,
        period,
        fc.integer({ min: 0, max: 1_000 }),
        asOfDay,
        fc.constantFrom<GroupBy>('company', 'rep', 'team', 'competitor'),
        (spec, whole, cut, asOf, groupBy) => {
          const middle = whole.from + (cut % (whole.to - whole.from + 1));
          const input = buildOrganisation(spec);
          // A quota is credited to the group its person is in at the end of the span, so a person
          // who moved teams is in one team for one half and another for the other: by team, only
          // the totals add up (checked in the first property).
          const metrics =
            groupBy === 'competitor' || groupBy === 'team'
              ? periodAdditive.filter((id) => id !== 'quota')
              : periodAdditive;
          const all = evaluateMetrics(input, request(groupBy, metrics, whole, asOf));
          const parts = [
            { from: whole.from, to: middle },
            { from: middle, to: whole.to },
          ]
            .filter((part) => part.to > part.from)
            .map((part) => evaluateMetrics(input, request(groupBy, metrics, part, asOf)));
          for (const group of all.groups) {
            for (const metric of metrics) {
              const sum = parts.reduce((acc, part) => {
                const same = part.groups.find((g) => g.key === group.key);
                return acc + exact(same?.metrics[metric]?.value);
              }, 0n);
              expect([group.key, metric, sum]).toEqual([
                group.key,
                metric,
                exact(group.metrics[metric]!.value),
              ]);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('counts nothing dated after the as-of day: the same as the data as it stood then', () => {
    fc.assert(
      fc.property(
        organisationSpec,
        period,
        asOfDay,
        fc.constantFrom<GroupBy>('company', 'rep', 'team', 'manager', 'product', 'lost_reason'),
        (spec, p, asOf, groupBy) => {
          const full = buildOrganisation(spec);
          const then = buildOrganisation(spec, asOf);
          const ask = {
            ...request(groupBy, computed, p, asOf),
            withRecords: true,
            compareTo: 'prior_period' as const,
          };
          expect(evaluateMetrics(full, ask)).toEqual(evaluateMetrics(then, ask));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('only removes records when a scope is given', () => {
    const countsAndAmounts = additive.filter((id) => id !== 'gross_margin');
    fc.assert(
      fc.property(
        organisationSpec,
        period,
        asOfDay,
        fc.integer({ min: 0, max: 1_000 }),
        fc.constantFrom<GroupBy>('company', 'rep', 'team', 'segment'),
        (spec, p, asOf, salt, groupBy) => {
          const input: MetricsInput = buildOrganisation(spec);
          const visible = (person: number, day: number) => (person * 31 + day * 7 + salt) % 3 !== 0;
          const metrics =
            groupBy === 'segment' ? countsAndAmounts.filter((id) => id !== 'quota') : countsAndAmounts;
          const ask = { ...request(groupBy, metrics, p, asOf), withRecords: true };
          const everything = evaluateMetrics(input, ask);
          const scoped = evaluateMetrics({ ...input, visible }, ask);
          for (const group of scoped.groups) {
            const unscoped = everything.groups.find((g) => g.key === group.key);
            expect(unscoped).toBeDefined();
            for (const metric of metrics) {
              expect(exact(group.metrics[metric]!.value) <= exact(unscoped!.metrics[metric]!.value)).toBe(
                true,
              );
              const ids = new Set(unscoped!.metrics[metric]!.records!.ids);
              expect(group.metrics[metric]!.records!.ids.every((id) => ids.has(id))).toBe(true);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('hides exactly the records of the people out of scope', () => {
    const countsAndAmounts = additive.filter((id) => id !== 'gross_margin');
    fc.assert(
      fc.property(organisationSpec, period, asOfDay, fc.constantFrom(1, 2, 3, 4), (spec, p, asOf, hidden) => {
        const input = buildOrganisation(spec);
        const byRep = evaluateMetrics(input, request('rep', countsAndAmounts, p, asOf));
        const scoped = evaluateMetrics(
          { ...input, visible: (person) => person !== hidden },
          request('company', countsAndAmounts, p, asOf),
        );
        // Scoped, the company is every rep but the hidden one (and no ownerless deal).
        const others = byRep.groups.filter((g) => g.key !== hidden && g.key !== null);
        for (const metric of countsAndAmounts) {
          const expected = others.reduce((sum, g) => sum + exact(g.metrics[metric]!.value), 0n);
          expect([metric, total(scoped, metric)]).toEqual([metric, expected]);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('counts activities as a brute-force walk of the activity columns does, by rep and in scope', () => {
    fc.assert(
      fc.property(
        organisationSpec,
        period,
        asOfDay,
        fc.integer({ min: 0, max: 1_000 }),
        fc.boolean(),
        (spec, p, asOf, salt, scoped) => {
          const input: MetricsInput = buildOrganisation(spec);
          const visible = scoped
            ? (person: number, day: number) => (person * 31 + day * 7 + salt) % 3 !== 0
            : undefined;
          const result = evaluateMetrics(
            visible ? { ...input, visible } : input,
            request('rep', ['activities'], p, asOf),
          );
          // Independently: every activity row dated in [from, min(to, as-of + 1)), by its person.
          const a = input.activities;
          const expected = new Map<number | null, number>();
          for (let i = 0; i < a.rowCount; i++) {
            const day = a.occurredOn[i]!;
            const person = a.person[i]!;
            if (day < p.from || day >= Math.min(p.to, asOf + 1)) continue;
            if (visible && (person === -1 || !visible(person, day))) continue;
            const key = person === -1 ? null : person;
            expected.set(key, (expected.get(key) ?? 0) + 1);
          }
          const got = new Map<number | null, number>();
          for (const group of result.groups) {
            const value = Number(group.metrics.activities!.value ?? 0);
            if (value !== 0) got.set(group.key as number | null, value);
          }
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('counts stage exits as a brute-force walk of each deal’s history does, by rep and in scope', () => {
    fc.assert(
      fc.property(
        organisationSpec,
        period,
        asOfDay,
        fc.integer({ min: 0, max: 1_000 }),
        fc.boolean(),
        (spec, p, asOf, salt, scoped) => {
          const input: MetricsInput = buildOrganisation(spec);
          const visible = scoped
            ? (person: number, day: number) => (person * 31 + day * 7 + salt) % 3 !== 0
            : undefined;
          const metrics = ['stage_conversion', 'stage_losses', 'time_in_stage_days'];
          const result = evaluateMetrics(
            visible ? { ...input, visible } : input,
            request('rep', metrics, p, asOf),
          );
          // Independently: walk every deal's changes in order, the entry day carried along.
          const s = input.opportunities;
          const { offsets, field, changedAtMs, oldValue, newValue } = s.changes;
          const categories = s.stageCategory;
          const openStages = s.stage.dictionary.filter((_, code) => categories[code] === 'open');
          const rank = (code: number) => openStages.indexOf(s.stage.dictionary[code]!);
          const to = Math.min(p.to, asOf + 1);
          const expected = new Map<string, number>();
          const add = (key: string, n: number) => expected.set(key, (expected.get(key) ?? 0) + n);
          for (let r = 0; r < s.rowCount; r++) {
            if (s.createdOn[r]! > asOf) continue;
            let entry = s.createdOn[r]!;
            for (let c = offsets[r]!; c < offsets[r + 1]!; c++) {
              if (field[c] !== 0 /* stage */ || oldValue[c] === newValue[c]) continue;
              const day = Math.floor(changedAtMs[c]! / 86_400_000);
              const from = oldValue[c]!;
              if (!Number.isNaN(from) && day >= p.from && day < to && rank(from) >= 0) {
                // The owner at the end of that day: the last owner change up to then, else the first value.
                let owner = s.owner[r]!;
                for (
                  let k = offsets[r + 1]! - 1;
                  k >= offsets[r]! && changedAtMs[k]! >= (day + 1) * 86_400_000;
                  k--
                )
                  if (field[k] === 4 /* owner */) owner = Number.isNaN(oldValue[k]!) ? -1 : oldValue[k]!;
                if (!visible || (owner !== -1 && visible(owner, day))) {
                  const next = newValue[c]!;
                  const category = Number.isNaN(next) ? null : categories[next];
                  const stage = s.stage.dictionary[from]!;
                  const key = `${owner === -1 ? null : owner} ${stage}`;
                  add(`${key} exits`, 1);
                  if (category === 'won' || (category === 'open' && rank(next) > rank(from)))
                    add(`${key} advanced`, 1);
                  if (category === 'lost') add(`${key} lost`, 1);
                  add(`${key} days`, Math.max(0, day - entry));
                }
              }
              if (!Number.isNaN(newValue[c]!)) entry = Math.floor(changedAtMs[c]! / 86_400_000);
            }
          }
          const got = new Map<string, number>();
          const put = (key: string, n: MetricNumber | null | undefined) => {
            if (Number(n ?? 0) !== 0) got.set(key, Number(n));
          };
          for (const group of result.groups)
            for (const part of group.metrics.stage_conversion!.breakdown ?? []) {
              const key = `${group.key} ${part.key}`;
              put(`${key} exits`, part.denominator);
              put(`${key} advanced`, part.numerator);
              put(
                `${key} lost`,
                group.metrics.stage_losses!.breakdown!.find((b) => b.key === part.key)!.numerator,
              );
              put(
                `${key} days`,
                group.metrics.time_in_stage_days!.breakdown!.find((b) => b.key === part.key)!.numerator,
              );
            }
          for (const [key, n] of [...expected]) if (n === 0) expected.delete(key);
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('counts closed deals the same from the packed columns as from the rows', () => {
    // Closed-deal metrics alone take the packed path (closed-deals.ts); with an open-pipeline
    // metric beside them the same numbers come from the row path.
    const closedOnly = [
      'won_revenue',
      'won_revenue_new_business',
      'won_deals',
      'average_deal_size',
      'gross_margin',
      'win_rate',
      'competitive_win_rate',
      'lost_deals',
      'sales_cycle_days',
      'sales_cycle_median_days',
    ];
    fc.assert(
      fc.property(
        organisationSpec,
        period,
        asOfDay,
        fc.constantFrom<GroupBy>(...personGroupings, 'company', ...dealGroupings),
        fc.integer({ min: 0, max: 1_000 }),
        fc.boolean(),
        (spec, p, asOf, groupBy, salt, scoped) => {
          const base = buildOrganisation(spec);
          const input: MetricsInput = scoped
            ? { ...base, visible: (person: number, day: number) => (person * 31 + day * 7 + salt) % 3 !== 0 }
            : base;
          const packed = evaluateMetrics(input, {
            ...request(groupBy, closedOnly, p, asOf),
            withRecords: true,
          });
          const rows = evaluateMetrics(input, {
            ...request(groupBy, [...closedOnly, 'open_pipeline'], p, asOf),
            withRecords: true,
          });
          const closedPart = (result: MetricsResult) =>
            result.groups
              .map((g) => ({
                key: g.key,
                metrics: Object.fromEntries(closedOnly.map((id) => [id, g.metrics[id]])),
              }))
              .filter((g) => closedOnly.some((id) => (g.metrics[id]?.records?.ids.length ?? 0) > 0));
          expect(closedPart(packed)).toEqual(closedPart(rows));
          expect(packed.issues).toEqual(rows.issues.filter((i) => i.metric !== 'open_pipeline'));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('counts whole months the same from the month cells as from the rows', () => {
    // By rep or for the company, unscoped and without records, whole calendar months come from the
    // month cells (closed-cells.ts); the edges of a period that is not whole months, and a month
    // with a deal created after the as-of day, deal by deal. The row path (an open-pipeline metric
    // beside them) counts every deal one by one.
    const closedOnly = [
      'won_revenue',
      'won_revenue_new_business',
      'won_revenue_expansion',
      'won_revenue_renewal',
      'won_deals',
      'average_deal_size',
      'gross_margin',
      'gross_margin_rate',
      'margin_mix',
      'win_rate',
      'competitive_win_rate',
      'lost_deals',
      'sales_cycle_days',
      'won_revenue_per_rep',
      'quota_attainment',
      'reps_at_or_above_quota',
      'top_decile_revenue_share',
    ];
    // Periods of whole months (2024-01 to 2024-07), or a few days off at either end.
    const monthPeriod = fc
      .tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: -3, max: 3 }))
      .map(([first, months, shift]) => ({
        from: fromCivilDate(2024, 1 + first, 1) + Math.min(shift, 0),
        to: fromCivilDate(2024, 1 + first + months, 1) + Math.max(shift, 0),
      }));
    fc.assert(
      fc.property(
        organisationSpec,
        monthPeriod,
        asOfDay,
        fc.constantFrom<GroupBy>('rep', 'company'),
        (spec, p, asOf, groupBy) => {
          const input = buildOrganisation(spec);
          const cells = evaluateMetrics(input, request(groupBy, closedOnly, p, asOf));
          const rows = evaluateMetrics(input, request(groupBy, [...closedOnly, 'open_pipeline'], p, asOf));
          expect(hasClosedCells(input.opportunities)).toBe(true);
          const byKey = new Map(rows.groups.map((g) => [g.key, g]));
          for (const group of cells.groups) {
            const other = byKey.get(group.key);
            expect(other, `group ${group.key}`).toBeDefined();
            for (const id of closedOnly)
              expect(group.metrics[id], `${group.key} ${id}`).toEqual(other!.metrics[id]);
          }
          // A group only the row path lists has only open pipeline: no decided deals.
          const listed = new Set(cells.groups.map((g) => g.key));
          for (const group of rows.groups)
            if (!listed.has(group.key)) {
              expect(group.metrics.won_deals?.value ?? 0).toBe(0);
              expect(group.metrics.lost_deals?.value ?? 0).toBe(0);
            }
          expect(cells.issues).toEqual(rows.issues.filter((i) => i.metric !== 'open_pipeline'));
        },
      ),
      { numRuns: 300 },
    );
  });
});
