import { z } from '@hono/zod-openapi';
import type { Attain } from '../../app/create-attain.ts';
import { forecastPeriodKinds } from '../../app/forecast/forecast-service.ts';
import { fromDayNumber } from '../../domain/calendar/day-number.ts';
import { backtestHorizons } from '../../domain/forecast/backtest.ts';
import { dealRiskKinds } from '../../domain/forecast/deal-risk.ts';
import { actorFor, principalOf, scopeOf, secureRoute, type Api, type RouteTable } from '../access.ts';
import { id, problemJson } from './schemas.ts';

const Money = z
  .string()
  .openapi({ description: 'exact decimal in the currency’s major units', example: '1250.00' });
const Numbers = z
  .object({
    closed: Money,
    stageWeighted: Money,
    expected: Money,
    p10: Money,
    p50: Money,
    p90: Money,
    openDeals: z.number(),
  })
  .openapi('ForecastNumbers', {
    description:
      'The system’s forecast: won so far, the stage-weighted baseline, the historical expectation and the Monte Carlo P10/P50/P90 (closed revenue included)',
  });
const Call = z
  .object({ commit: Money, mostLikely: Money, bestCase: Money, pipeline: Money })
  .openapi('ForecastCall', { description: 'cumulative: commit ≤ most likely ≤ best case ≤ pipeline' });
const Submission = Call.extend({
  positionId: z.number(),
  version: z.number(),
  kind: z.enum(['submission', 'override']),
  note: z.string().nullable(),
  asOf: z.string(),
  submittedAt: z.string(),
  submittedBy: z.string(),
  rollUp: Money.nullable(),
  system: Money.nullable(),
}).openapi('ForecastSubmission');
const Row = z
  .object({
    positionId: z.number(),
    personId: z.number().nullable(),
    name: z.string(),
    title: z.string(),
    reports: z.number(),
    system: Numbers,
    rollUp: Call.nullable(),
    call: Call.nullable(),
    source: z.enum(['own', 'roll_up', 'none']),
    own: Submission.nullable(),
    override: Money.nullable(),
    reportsWithCall: z.number(),
  })
  .openapi('ForecastRow');
const View = z
  .object({
    period: z.object({
      id: z.number(),
      kind: z.string(),
      label: z.string(),
      from: z.string(),
      to: z.string(),
      status: z.string(),
      open: z.boolean(),
    }),
    asOf: z.string(),
    currency: z.string(),
    node: Row.nullable(),
    company: z.object({ name: z.string(), system: Numbers }).nullable(),
    path: z.array(z.object({ positionId: z.number().nullable(), name: z.string() })),
    rows: z.array(Row),
    risky: z.array(
      z.object({
        opportunityId: z.number(),
        name: z.string().nullable(),
        ownerId: z.number().nullable(),
        ownerName: z.string().nullable(),
        stage: z.string(),
        amount: Money,
        closeOn: z.string().nullable(),
        ageInStageDays: z.number(),
        daysSinceActivity: z.number().nullable(),
        pushes: z.number(),
        reasons: z.array(z.object({ kind: z.enum(dealRiskKinds), message: z.string() })),
      }),
    ),
    canSubmit: z.boolean(),
    suggestion: Call.nullable(),
    versions: z.array(Submission),
    issues: z.array(z.object({ code: z.string(), message: z.string() })),
  })
  .openapi('ForecastView');

/**
 * Forecasts (docs/forecasting.md): the number and range of a period per position of the
 * hierarchy, submissions and their roll-up, deals at risk, and the accuracy of every layer. Every
 * role that reads records may look, through its scope (a rep their own position, a manager their
 * team); only the holder of a position submits its call.
 */
export function registerForecastRoutes(app: Api, table: RouteTable, attain: Attain): void {
  const reader = { kind: 'permission', permission: 'records:read' } as const;

  app.openapi(
    secureRoute(table, reader, {
      method: 'get',
      path: '/api/forecast/periods',
      summary: 'Periods a forecast can be opened for (two years back to one ahead)',
      request: { query: z.object({ kind: z.enum(forecastPeriodKinds).default('quarter') }) },
      responses: {
        200: {
          description: 'Periods, oldest first',
          content: {
            'application/json': {
              schema: z.object({
                periods: z.array(
                  z.object({ id: z.number(), label: z.string(), from: z.string(), to: z.string() }),
                ),
              }),
            },
          },
        },
      },
    }),
    async (c) => {
      const periods = await attain.forecast.periods(c.req.valid('query').kind);
      return c.json(
        {
          periods: periods.map((p) => ({
            id: p.id,
            label: p.label,
            from: fromDayNumber(p.from),
            to: fromDayNumber(p.to),
          })),
        },
        200,
      );
    },
  );

  app.openapi(
    secureRoute(table, reader, {
      method: 'get',
      path: '/api/forecast',
      summary:
        'A period’s forecast for a position (default: the caller’s own, or the company): range, closed to date, the reports’ calls rolled up, deals at risk',
      request: {
        query: z.object({
          periodId: id.optional().openapi({ description: 'default: the quarter containing today' }),
          positionId: id
            .optional()
            .openapi({ description: 'default: the caller’s position, else the company' }),
        }),
      },
      responses: {
        200: { description: 'The forecast', content: { 'application/json': { schema: View } } },
        404: { description: 'No such period or position in the caller’s scope', content: problemJson },
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const view = await attain.forecast.view(principalOf(c), await scopeOf(c, attain), {
        ...(query.periodId !== undefined ? { periodId: query.periodId } : {}),
        ...(query.positionId !== undefined ? { positionId: query.positionId } : {}),
      });
      return c.json(view, 200);
    },
  );

  app.openapi(
    secureRoute(table, reader, {
      method: 'post',
      path: '/api/forecast/submissions',
      summary:
        'Submit a new version of one’s call for a period (a manager’s call overrides the team roll-up and needs a note)',
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z
                .object({
                  periodId: id,
                  positionId: id,
                  commit: z.string().max(40),
                  mostLikely: z.string().max(40),
                  bestCase: z.string().max(40),
                  pipeline: z.string().max(40),
                  note: z.string().max(2_000).nullable().optional(),
                })
                .strict(),
            },
          },
        },
      },
      responses: {
        201: {
          description: 'Saved as a new version',
          content: { 'application/json': { schema: Submission } },
        },
        400: { description: 'Amounts not cumulative, or an override without a note', content: problemJson },
        403: { description: 'Not the holder of the position', content: problemJson },
        409: { description: 'The period has ended', content: problemJson },
      },
    }),
    async (c) => {
      const saved = await attain.forecast.submit(principalOf(c), actorFor(c), c.req.valid('json'));
      return c.json(saved, 201);
    },
  );

  app.openapi(
    secureRoute(table, reader, {
      method: 'get',
      path: '/api/forecast/accuracy',
      summary:
        'Accuracy of every layer over past periods: system methods, the reps’ roll-up and the manager’s call, with WAPE, bias, P10–P90 coverage and value added over the stage-weighted baseline',
      request: {
        query: z.object({
          kind: z.enum(forecastPeriodKinds).default('quarter'),
          count: z.coerce.number().int().min(1).max(24).default(8),
          positionId: id.optional(),
        }),
      },
      responses: {
        200: {
          description: 'Rows per period and horizon, scores per layer and horizon',
          content: {
            'application/json': {
              schema: z
                .object({
                  kind: z.string(),
                  currency: z.string(),
                  node: z.object({ positionId: z.number().nullable(), name: z.string() }),
                  rows: z.array(
                    z.object({
                      period: z.string(),
                      horizon: z.enum(backtestHorizons),
                      asOf: z.string(),
                      actual: Money,
                      stageWeighted: Money,
                      historical: Money,
                      propensity: Money,
                      p10: Money,
                      p50: Money,
                      p90: Money,
                      repRollUp: Money.nullable(),
                      managerCall: Money.nullable(),
                    }),
                  ),
                  layers: z.array(
                    z.object({
                      layer: z.enum([
                        'stage_weighted',
                        'historical',
                        'monte_carlo',
                        'propensity',
                        'rep_roll_up',
                        'manager_call',
                      ]),
                      horizon: z.enum(backtestHorizons),
                      periods: z.number(),
                      wape: z.number().nullable(),
                      bias: z.number().nullable(),
                      coverage: z.number().nullable(),
                      valueAdded: z.number().nullable(),
                    }),
                  ),
                  dealScores: z.array(
                    z.object({
                      horizon: z.enum(backtestHorizons),
                      deals: z.number(),
                      won: z.number(),
                      auc: z.number().nullable(),
                      brier: z.number().nullable(),
                      calibration: z.array(
                        z.object({
                          bin: z.number(),
                          count: z.number(),
                          meanPredicted: z.number(),
                          observedRate: z.number(),
                        }),
                      ),
                    }),
                  ),
                })
                .openapi('ForecastAccuracy'),
            },
          },
        },
        404: { description: 'No such position in the caller’s scope', content: problemJson },
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const report = await attain.forecast.accuracy(principalOf(c), await scopeOf(c, attain), {
        kind: query.kind,
        count: query.count,
        ...(query.positionId !== undefined ? { positionId: query.positionId } : {}),
      });
      return c.json(report, 200);
    },
  );
}
