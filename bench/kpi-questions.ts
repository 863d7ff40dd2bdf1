/**
 * The five questions of issue 5's KPI benchmark, each as GET /api/kpi query strings, as engine
 * requests and as DuckDB SQL over bench/kpi-bench.ts's tables: shared by kpi-bench and kpi-profile.
 */
import { parseArgs } from 'node:util';
import { toDayNumber } from '../src/domain/calendar/day-number.ts';
import { calendarMetricPeriod } from '../src/domain/metrics/metric-periods.ts';
import type { MetricsSeriesRequest } from '../src/domain/metrics/evaluate-series.ts';
import type { MetricsRequest } from '../src/domain/metrics/metric-types.ts';

// The data: 24 months of history from 2023-01-01, "today" 2025-01-01, three more months of
// open pipeline and quotas. Questions are asked as of the end of 2024-12-31.
export const START_ON = '2023-01-01';
export const WINDOW_MONTHS = 27;
export const GENERATOR_AS_OF = '2025-01-01';
export const AS_OF = '2024-12-31';
export const LAST_QUARTER_AT = '2024-11-15'; // 2024-10-01 .. 2025-01-01
export const NEXT_QUARTER_AT = '2025-02-15'; // 2025-01-01 .. 2025-04-01
export const FIRST_WEEK = '2024-09-30'; // a Monday: 13 weeks to 2024-12-29
export const WEEKS = 13;
export const CURRENCY = 'USD';

// ---------------------------------------------------------------- the questions

export type Question = {
  id: string;
  label: string;
  /** GET /api/kpi query strings (several when the API answers one period per request). */
  api: string[];
  engine: MetricsRequest[];
  /** An engine series call instead of (or beside) `engine`. */
  engineSeries?: MetricsSeriesRequest;
  /** The same as columns (GET /api/kpi/columns, evaluateSeriesColumns). */
  engineColumns?: MetricsSeriesRequest;
  sql: string;
};

export function kpiQuestions(): Question[] {
  const asOf = toDayNumber(AS_OF);
  const last = calendarMetricPeriod('quarter', toDayNumber(LAST_QUARTER_AT));
  const next = calendarMetricPeriod('quarter', toDayNumber(NEXT_QUARTER_AT));
  const w0 = toDayNumber(FIRST_WEEK);
  const weeks = Array.from({ length: WEEKS }, (_, i) => w0 + 7 * i);
  const q = (metrics: string, by: string, at: string) =>
    `/api/kpi?metrics=${metrics}&by=${by}&period=quarter&calendar=calendar&at=${at}&asOf=${AS_OF}`;
  const request = (
    metrics: string[],
    groupBy: MetricsRequest['groupBy'],
    period: MetricsRequest['period'],
  ) => ({
    metrics,
    groupBy,
    period,
    asOf,
    currency: CURRENCY,
    currencyDigits: 2,
  });
  const closedInLast = `is_closed AND coalesce(closed_day, close_day) >= ${last.from} AND coalesce(closed_day, close_day) < ${last.to}
      AND (created_day IS NULL OR created_day <= ${asOf})`;
  const rowQuestions: Question[] = [
    {
      id: 'win_rate_deal_size_by_rep',
      label: 'win rate and average deal size by rep, last quarter',
      api: [q('win_rate,average_deal_size', 'rep', LAST_QUARTER_AT)],
      engine: [request(['win_rate', 'average_deal_size'], 'rep', last)],
      sql: `SELECT owner_person_id AS rep,
          count(*) FILTER (WHERE is_won) AS won, count(*) AS decided,
          count(*) FILTER (WHERE is_won) / count(*) AS win_rate,
          sum(amount_minor) FILTER (WHERE is_won AND currency = '${CURRENCY}' AND amount_minor IS NOT NULL) AS won_minor,
          count(*) FILTER (WHERE is_won AND currency = '${CURRENCY}' AND amount_minor IS NOT NULL) AS won_with_amount,
          won_minor / nullif(won_with_amount, 0) / 100 AS average_deal_size
        FROM opps WHERE ${closedInLast} GROUP BY owner_person_id ORDER BY rep`,
    },
    {
      id: 'stage_funnel_by_team',
      label: 'stage funnel (stage-to-stage conversion) by team, last quarter',
      api: [q('stage_conversion', 'team', LAST_QUARTER_AT)],
      engine: [request(['stage_conversion'], 'team', last)],
      // Stage exits from an open stage dated in the quarter, credited to the team of the deal's
      // owner on the day of the change (the owner from the owner history, else the current owner).
      sql: `WITH ch AS MATERIALIZED (
          SELECT c.opportunity_id, c.changed_ms, c.changed_ms // 86400000 AS day, c.old_value AS from_stage, c.new_value AS to_stage
          FROM changes c WHERE c.field = 'stage' AND c.changed_ms >= ${last.from * 86_400_000} AND c.changed_ms < ${last.to * 86_400_000}
            AND c.old_value IS NOT NULL AND c.new_value IS NOT NULL AND c.old_value <> c.new_value),
        oc AS MATERIALIZED (
          SELECT opportunity_id, changed_ms, TRY_CAST(old_value AS BIGINT) AS owner_before, TRY_CAST(new_value AS BIGINT) AS owner_after
          FROM changes WHERE field = 'owner_person_id' AND opportunity_id IN (SELECT opportunity_id FROM ch)),
        first_owner AS (SELECT opportunity_id, arg_min(owner_before, changed_ms) AS owner_before FROM oc GROUP BY ALL),
        owned AS (
          SELECT ch.*, CASE WHEN oc.changed_ms IS NOT NULL THEN oc.owner_after
                            WHEN f.opportunity_id IS NOT NULL THEN f.owner_before ELSE o.owner_person_id END AS owner
          FROM ch JOIN opps o ON o.id = ch.opportunity_id
          ASOF LEFT JOIN oc ON oc.opportunity_id = ch.opportunity_id AND oc.changed_ms < (ch.day + 1) * 86400000
          LEFT JOIN first_owner f ON f.opportunity_id = ch.opportunity_id),
        exits AS (
          SELECT a.team_id, fs.name AS stage, fs.sort_order, count(*) AS exits,
            count(*) FILTER (WHERE ts.category = 'won' OR (ts.category = 'open' AND ts.sort_order > fs.sort_order)) AS advanced
          FROM owned
          JOIN stages fs ON fs.name = owned.from_stage AND fs.category = 'open'
          JOIN stages ts ON ts.name = owned.to_stage
          LEFT JOIN asg a ON a.person_id = owned.owner AND owned.day >= a.from_day AND owned.day < a.to_day
          GROUP BY ALL)
        SELECT team_id, product(advanced / exits) AS funnel_yield,
          list({'stage': stage, 'advanced': advanced, 'exits': exits} ORDER BY sort_order) AS stages
        FROM exits GROUP BY team_id ORDER BY team_id`,
    },
    {
      id: 'cycle_by_rep',
      label: 'average sales cycle (days, won deals) by rep, last quarter',
      api: [q('sales_cycle_days', 'rep', LAST_QUARTER_AT)],
      engine: [request(['sales_cycle_days'], 'rep', last)],
      sql: `SELECT owner_person_id AS rep, sum(cycle) AS days, count(*) AS won, sum(cycle) / count(*) AS average_cycle
        FROM (SELECT owner_person_id, coalesce(closed_day, close_day) - created_day AS cycle FROM opps
              WHERE is_won AND ${closedInLast} AND created_day IS NOT NULL)
        WHERE cycle >= 0 GROUP BY owner_person_id ORDER BY rep`,
    },
    {
      id: 'coverage_next_quarter_by_rep',
      label: 'pipeline coverage by rep, next quarter',
      // Without the parts by stage: the SQL computes none either.
      api: [`${q('pipeline_coverage', 'rep', NEXT_QUARTER_AT)}&breakdowns=false`],
      engine: [{ ...request(['pipeline_coverage'], 'rep', next), breakdowns: false }],
      sql: `WITH open AS (
          SELECT owner_person_id AS rep, sum(amount_minor) AS open_minor FROM opps
          WHERE (NOT is_closed OR closed_day > ${asOf}) AND (created_day IS NULL OR created_day <= ${asOf})
            AND close_day >= ${next.from} AND close_day < ${next.to} AND currency = '${CURRENCY}' AND amount_minor IS NOT NULL
          GROUP BY ALL),
        won AS (
          SELECT owner_person_id AS rep, sum(amount_minor) AS won_minor FROM opps
          WHERE is_won AND coalesce(closed_day, close_day) >= ${next.from} AND coalesce(closed_day, close_day) < ${next.to}
            AND coalesce(closed_day, close_day) <= ${asOf} AND currency = '${CURRENCY}' AND amount_minor IS NOT NULL
          GROUP BY ALL),
        quota AS (
          SELECT person_id AS rep,
            sum((target_minor * (least(${next.to}, to_day) - from_day)) // (to_day - from_day)
              - (target_minor * (greatest(${next.from}, from_day) - from_day)) // (to_day - from_day)) AS quota_minor
          FROM quota_rows WHERE from_day < ${next.to} AND to_day > ${next.from} GROUP BY ALL)
        SELECT rep, coalesce(open_minor, 0) AS open_minor, greatest(coalesce(quota_minor, 0) - coalesce(won_minor, 0), 0) AS remaining_minor,
          coalesce(open_minor, 0) / nullif(greatest(coalesce(quota_minor, 0) - coalesce(won_minor, 0), 0), 0) AS coverage
        FROM open FULL JOIN quota USING (rep) FULL JOIN won USING (rep) ORDER BY rep`,
    },
    {
      id: 'activities_by_rep_by_week',
      label: `activities per rep per week, ${WEEKS} weeks, one series request`,
      api: [
        `/api/kpi/series?metrics=activities&by=rep&period=week&calendar=calendar&at=${FIRST_WEEK}&count=${WEEKS}&asOf=${AS_OF}`,
      ],
      engine: [],
      engineSeries: {
        metrics: ['activities'],
        groupBy: 'rep',
        periods: weeks.map((day) => calendarMetricPeriod('week', day)),
        asOf,
        currency: CURRENCY,
        currencyDigits: 2,
      },
      sql: `SELECT person_id AS rep, (day - ${w0}) // 7 AS week, count(*) AS activities
        FROM acts WHERE day >= ${w0} AND day < ${w0 + 7 * WEEKS} GROUP BY ALL ORDER BY rep, week`,
    },
    {
      id: 'activities_by_rep_by_week_requests',
      label: `activities per rep per week, ${WEEKS} weeks, a request per week (no parts by type)`,
      api: weeks.map(
        (_, i) =>
          `/api/kpi?metrics=activities&by=rep&period=week&calendar=calendar&at=${isoDay(weeks[i]!)}&asOf=${AS_OF}&breakdowns=false`,
      ),
      engine: weeks.map((day) => ({
        ...request(['activities'], 'rep', calendarMetricPeriod('week', day)),
        breakdowns: false,
      })),
      sql: `SELECT person_id AS rep, (day - ${w0}) // 7 AS week, count(*) AS activities
        FROM acts WHERE day >= ${w0} AND day < ${w0 + 7 * WEEKS} GROUP BY ALL ORDER BY rep, week`,
    },
  ];
  // The questions by rep again through GET /api/kpi/columns (the same numbers, no object per
  // group): the quarter ones as one period, the activities as 13 weeks.
  const columnsPath = (metrics: string, period: string, at: string, count: number) =>
    `/api/kpi/columns?metrics=${metrics}&by=rep&period=${period}&calendar=calendar&at=${at}&asOf=${AS_OF}&count=${count}`;
  const asColumns = (id: string, api: string, periods: MetricsRequest['period'][]): Question => {
    const of = rowQuestions.find((q) => q.id === id)!;
    const metrics = of.engineSeries?.metrics ?? of.engine[0]!.metrics;
    return {
      id: `${id}_columns`,
      label: `${of.label}, as columns`,
      api: [api],
      engine: [],
      engineColumns: { metrics, groupBy: 'rep', periods, asOf, currency: CURRENCY, currencyDigits: 2 },
      sql: of.sql,
    };
  };
  return [
    ...rowQuestions,
    asColumns(
      'win_rate_deal_size_by_rep',
      columnsPath('win_rate,average_deal_size', 'quarter', LAST_QUARTER_AT, 1),
      [last],
    ),
    asColumns('cycle_by_rep', columnsPath('sales_cycle_days', 'quarter', LAST_QUARTER_AT, 1), [last]),
    asColumns(
      'coverage_next_quarter_by_rep',
      columnsPath('pipeline_coverage', 'quarter', NEXT_QUARTER_AT, 1),
      [next],
    ),
    asColumns(
      'activities_by_rep_by_week',
      columnsPath('activities', 'week', FIRST_WEEK, WEEKS),
      weeks.map((day) => calendarMetricPeriod('week', day)),
    ),
  ];
}

function isoDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The options of the scripts that run on a database an earlier `kpi-bench --keep` left
 * (kpi-profile, kpi-engine-phases): `--database <name> [--admin-url] [--runs] [--only <id,...>]`.
 */
export function keptDatabaseArgs(defaultRuns: string): {
  url: URL;
  runs: number;
  only: string[] | undefined;
} {
  const { values } = parseArgs({
    options: {
      database: { type: 'string' },
      'admin-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
      runs: { type: 'string', default: defaultRuns },
      only: { type: 'string' },
    },
  });
  if (!values.database || !/^[a-z_][a-z0-9_]*$/.test(values.database))
    throw new Error('--database <name of a database kpi-bench --keep left>');
  const url = new URL(values['admin-url']);
  url.pathname = `/${values.database}`;
  return { url, runs: Number(values.runs), only: values.only?.split(',') };
}
