import { z } from '@hono/zod-openapi';
import type { Attain } from '../../app/create-attain.ts';
import { recordAudit } from '../../app/audit/audit-log.ts';
import { kpiTable } from '../../app/metrics/kpi-table.ts';
import { kpiPeriodPattern, unknownMetricIds, type KpiQuery } from '../../app/metrics/metrics-service.ts';
import { MAX_SERIES_PERIODS } from '../../domain/metrics/evaluate-series.ts';
import { groupBys } from '../../domain/metrics/metric-types.ts';
import { actorFor, principalOf, scopeOf, secureRoute, type Api, type RouteTable } from '../access.ts';
import { csvResponse } from '../csv.ts';
import { jsonBytes } from '../json-bytes.ts';
import { xlsxResponse } from '../xlsx.ts';
import { problemJson } from './schemas.ts';

const day = z.iso.date();
const splitIds = (text: string) =>
  text
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');

const MetricDefinition = z
  .object({
    id: z.string(),
    label: z.string(),
    unit: z.enum(['money', 'count', 'ratio', 'days', 'months', 'per_day']),
    money: z.boolean(),
    direction: z.enum(['higher', 'lower']),
    category: z.enum(['leading', 'lagging', 'competency']),
    status: z.enum(['computed', 'defined']),
    definition: z.string(),
    alternative: z.string().optional(),
    groupBys: z.array(z.enum(groupBys)),
  })
  .openapi('MetricDefinition');

const KpiQuerySchema = z.object({
  metrics: z
    .string()
    .max(2_000)
    .superRefine((text, ctx) => {
      const ids = splitIds(text);
      if (ids.length === 0) ctx.addIssue({ code: 'custom', message: 'name at least one metric' });
      const unknown = unknownMetricIds(ids);
      if (unknown.length > 0)
        ctx.addIssue({
          code: 'custom',
          message: `not ${unknown.length === 1 ? 'a metric' : 'metrics'}: ${unknown.join(', ')} (GET /api/metrics lists them)`,
        });
    })
    .openapi({
      description: 'metric ids, comma-separated (GET /api/metrics lists them)',
      example: 'win_rate,average_deal_size',
    }),
  by: z.enum(groupBys).default('company').openapi({ description: 'how the rows are grouped' }),
  period: z
    .string()
    .regex(kpiPeriodPattern, 'must be week, month, quarter, half, year or trailing_N (N days)')
    .default('quarter'),
  at: day.optional().openapi({
    description: 'a day inside the period (trailing_N: its last day); default: asOf, else today',
  }),
  calendar: z.enum(['fiscal', 'calendar']).default('fiscal'),
  asOf: day.optional().openapi({ description: 'compute as of the end of this day; default today' }),
  compare: z.enum(['prior_period']).optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like USD')
    .optional()
    .openapi({ description: 'reporting currency; default: the currency most deals are in' }),
  withRecords: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ description: 'list the ids of the records behind each number (drill-down)' }),
  breakdowns: z.enum(['true', 'false']).optional().openapi({
    description:
      'false leaves out the parts of each metric by stage, activity type or lost reason (default true)',
  }),
  group: z.string().max(200).optional().openapi({
    description:
      "only the group with this key (as text; 'null' for the no-group row): a drill-down's records",
  }),
});
type KpiQueryParams = z.infer<typeof KpiQuerySchema>;

const KpiSeriesQuerySchema = KpiQuerySchema.omit({
  compare: true,
  withRecords: true,
  breakdowns: true,
}).extend({
  count: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_SERIES_PERIODS)
    .default(12)
    .openapi({ description: `consecutive periods, the first holding \`at\` (1 to ${MAX_SERIES_PERIODS})` }),
});

const MetricNumber = z.union([z.number(), z.string()]);
const Ratio = { numerator: MetricNumber.optional(), denominator: MetricNumber.optional() };
const MetricValue = z
  .object({
    value: MetricNumber.nullable(),
    ...Ratio,
    target: z.string().optional(),
    breakdown: z
      .array(
        z.object({ key: z.string().nullable(), label: z.string(), value: MetricNumber.nullable(), ...Ratio }),
      )
      .optional(),
    flags: z.array(z.string()).optional(),
    prior: z.object({ value: MetricNumber.nullable(), ...Ratio }).optional(),
    change: MetricNumber.nullable().optional(),
    records: z
      .object({ kind: z.enum(['opportunity', 'activity', 'person']), ids: z.array(z.number()) })
      .optional()
      .openapi({
        description: 'drill-down: the records behind the number (deals: GET /api/opportunities/{id})',
      }),
  })
  .openapi('MetricValue');
const Span = z.object({ from: z.string(), to: z.string(), label: z.string().optional() });
const KpiReport = z
  .object({
    metrics: z.array(z.string()),
    groupBy: z.enum(groupBys),
    period: Span.openapi({ description: '[from, to): `to` is the first day after the period' }),
    asOf: z.string(),
    currency: z.string(),
    prior: Span.extend({ asOf: z.string() }).optional(),
    groups: z.array(
      z.object({
        key: z.union([z.string(), z.number()]).nullable(),
        label: z.string(),
        metrics: z.record(z.string(), MetricValue),
      }),
    ),
    issues: z.array(
      z.object({
        code: z.string(),
        message: z.string(),
        metric: z.string().optional(),
        count: z.number().optional(),
      }),
    ),
  })
  .openapi('KpiReport');
const Series = z.array(MetricNumber.nullable());
const KpiSeriesReport = z
  .object({
    metrics: z.array(z.string()),
    groupBy: z.enum(groupBys),
    periods: z.array(Span),
    asOf: z.string(),
    currency: z.string(),
    groups: z.array(
      z.object({
        key: z.union([z.string(), z.number()]).nullable(),
        label: z.string(),
        metrics: z.record(
          z.string(),
          z.object({ values: Series, numerators: Series.optional(), denominators: Series.optional() }),
        ),
      }),
    ),
    issues: KpiReport.shape.issues,
  })
  .openapi('KpiSeriesReport');

const KpiColumnsQuerySchema = KpiSeriesQuerySchema.extend({
  count: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_SERIES_PERIODS)
    .default(1)
    .openapi({ description: `consecutive periods, the first holding \`at\` (1 to ${MAX_SERIES_PERIODS})` }),
});

const KpiColumnsReport = KpiSeriesReport.omit({ groups: true })
  .extend({
    keys: z.array(z.union([z.string(), z.number()]).nullable()),
    labels: z.array(z.string()),
    columns: z.record(
      z.string(),
      z.object({
        values: z.array(Series),
        numerators: z.array(Series).optional(),
        denominators: z.array(Series).optional(),
      }),
    ),
  })
  .openapi('KpiColumnsReport');

function toKpiQuery(params: KpiQueryParams): KpiQuery {
  const query: KpiQuery = {
    metrics: splitIds(params.metrics),
    by: params.by,
    period: params.period,
    calendar: params.calendar,
    withRecords: params.withRecords === 'true',
  };
  if (params.at !== undefined) query.at = params.at;
  if (params.asOf !== undefined) query.asOf = params.asOf;
  if (params.compare !== undefined) query.compare = params.compare;
  if (params.currency !== undefined) query.currency = params.currency;
  if (params.breakdowns === 'false') query.breakdowns = false;
  if (params.group !== undefined) query.group = params.group;
  return query;
}

/**
 * Metric definitions and KPIs (docs/metrics.md, "API and CLI"). Every role that reads records may
 * ask; the numbers are computed through the caller's scope, so a rep's answer holds only their
 * own records and a manager's their team's, as of each record's day.
 */
export function registerMetricRoutes(app: Api, table: RouteTable, attain: Attain): void {
  const reader = { kind: 'permission', permission: 'records:read' } as const;

  app.openapi(
    secureRoute(table, reader, {
      method: 'get',
      path: '/api/metrics',
      summary: 'Every metric’s written-down definition: formula, unit, direction, category, groupings',
      responses: {
        200: {
          description: 'Definitions, in the order of docs/metrics.md',
          content: { 'application/json': { schema: z.object({ metrics: z.array(MetricDefinition) }) } },
        },
      },
    }),
    (c) =>
      c.json(
        {
          metrics: attain.metrics.definitions().map((d) => ({
            id: d.id,
            label: d.label,
            unit: d.unit,
            money: d.money,
            direction: d.direction,
            category: d.category,
            status: d.status,
            definition: d.definition,
            ...(d.alternative !== undefined ? { alternative: d.alternative } : {}),
            groupBys: [...d.groupBys],
          })),
        },
        200,
      ),
  );

  app.openapi(
    secureRoute(table, reader, {
      method: 'get',
      path: '/api/kpi',
      summary: 'Metrics for a period, grouped, as of a day, within the caller’s scope',
      request: { query: KpiQuerySchema },
      responses: {
        200: {
          description: 'One row per group, one value per metric',
          content: { 'application/json': { schema: KpiReport } },
        },
        400: { description: 'Unknown metric or malformed query', content: problemJson },
      },
    }),
    async (c) => {
      const report = await attain.metrics.evaluate(
        toKpiQuery(c.req.valid('query')),
        await scopeOf(c, attain),
      );
      // The declared 200 schema holds: the body is that report, only encoded once (json-bytes.ts).
      return jsonBytes(c, report) as never;
    },
  );

  app.openapi(
    secureRoute(table, reader, {
      method: 'get',
      path: '/api/kpi/series',
      summary:
        'Metrics over consecutive periods (weeks, months…), grouped, as of a day, within the caller’s scope',
      request: { query: KpiSeriesQuerySchema },
      responses: {
        200: {
          description: 'One row per group, one list of values per metric (index i: periods[i])',
          content: { 'application/json': { schema: KpiSeriesReport } },
        },
        400: { description: 'Unknown metric or malformed query', content: problemJson },
      },
    }),
    async (c) => {
      const params = c.req.valid('query');
      const { withRecords: _withRecords, ...base } = toKpiQuery({ ...params, withRecords: undefined });
      const report = await attain.metrics.series({ ...base, count: params.count }, await scopeOf(c, attain));
      return jsonBytes(c, report) as never;
    },
  );

  app.openapi(
    secureRoute(table, reader, {
      method: 'get',
      path: '/api/kpi/columns',
      summary:
        'The series as columns: group keys and labels once, per metric one array of values per period (for tables of thousands of groups)',
      request: { query: KpiColumnsQuerySchema },
      responses: {
        200: {
          description:
            'keys[g] and labels[g] name group g; columns[metric].values[i][g] is period i, group g',
          content: { 'application/json': { schema: KpiColumnsReport } },
        },
        400: { description: 'Unknown metric or malformed query', content: problemJson },
      },
    }),
    async (c) => {
      const params = c.req.valid('query');
      const { withRecords: _withRecords, ...base } = toKpiQuery({ ...params, withRecords: undefined });
      const report = await attain.metrics.columns({ ...base, count: params.count }, await scopeOf(c, attain));
      return jsonBytes(c, report) as never;
    },
  );

  app.openapi(
    secureRoute(table, reader, {
      method: 'get',
      path: '/api/alerts',
      summary:
        'What to look at now: coverage below 3:1, reps behind activity pace, stage conversion falling, stalled deals (within the caller’s scope)',
      responses: {
        200: {
          description: 'Alerts of the current fiscal quarter, as of today',
          content: {
            'application/json': {
              schema: z.object({
                asOf: z.string(),
                period: z.object({ from: z.string(), to: z.string(), label: z.string().optional() }),
                alerts: z.array(
                  z.object({
                    kind: z.enum([
                      'low_coverage',
                      'behind_activity_pace',
                      'conversion_falling',
                      'stalled_deal',
                    ]),
                    personId: z.number().nullable(),
                    personName: z.string().nullable(),
                    opportunityId: z.number().nullable(),
                    stage: z.string().nullable(),
                    value: z.number(),
                    threshold: z.number(),
                    message: z.string(),
                  }),
                ),
              }),
            },
          },
        },
      },
    }),
    async (c) => {
      const principal = principalOf(c);
      const scope = await scopeOf(c, attain);
      const report = await attain.metrics.alerts(
        scope,
        scope.kind === 'all' ? 'all' : `person:${principal.personId}`,
      );
      return c.json(report, 200);
    },
  );

  for (const format of ['csv', 'xlsx'] as const) {
    app.openapi(
      secureRoute(table, reader, {
        method: 'get',
        path: `/api/kpi/export.${format}`,
        summary: `The same as GET /api/kpi, as ${format.toUpperCase()}: a row per group, a column per metric value`,
        request: { query: KpiQuerySchema.omit({ withRecords: true }) },
        responses: {
          200: {
            description: format.toUpperCase(),
            content:
              format === 'csv'
                ? { 'text/csv': { schema: z.string() } }
                : {
                    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
                      schema: z.string(),
                    },
                  },
          },
          400: { description: 'Unknown metric or malformed query', content: problemJson },
        },
      }),
      async (c) => {
        const query = toKpiQuery({ ...c.req.valid('query'), withRecords: 'false' });
        const report = await attain.metrics.evaluate(query, await scopeOf(c, attain));
        const { header, rows } = kpiTable(report);
        // Exports leave the system: recorded like the record exports (docs/security.md, audit trail).
        await recordAudit(attain.store.db, actorFor(c), attain.clock.now(), {
          action: 'metrics_exported',
          entity: 'metric',
          summary: `Exported ${report.metrics.join(', ')} by ${report.groupBy} for ${report.period.label ?? report.period.from} as ${format.toUpperCase()} (${rows.length} rows).`,
          after: query,
        });
        const name = `attain-kpi-${report.groupBy}-${report.period.from}.${format}`;
        return format === 'csv'
          ? csvResponse(name, header, rows)
          : xlsxResponse(name, `KPIs by ${report.groupBy}`, header, rows);
      },
    );
  }
}
