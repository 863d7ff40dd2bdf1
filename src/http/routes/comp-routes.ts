import { z } from '@hono/zod-openapi';
import type { Attain } from '../../app/create-attain.ts';
import {
  addDisputeMessage,
  createAdjustment,
  getDispute,
  listAdjustmentViews,
  listVisibleDisputes,
  raiseDispute,
  resolveDispute,
} from '../../app/comp/comp-disputes.ts';
import { estimate } from '../../app/comp/comp-estimate.ts';
import { exportPayroll, exportStatement, type ExportFile } from '../../app/comp/comp-exports.ts';
import { AppError } from '../../domain/errors.ts';
import { actorFor, principalOf, scopeOf, secureRoute, type Api, type RouteTable } from '../access.ts';
import { IdParam, ProblemItem, id, problemJson } from './schemas.ts';

const periodLabel = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$/, 'expected a month such as 2026-06 or a quarter such as 2026-Q2')
  .openapi({ example: '2026-06' });
const planId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a kebab-case plan id')
  .max(100)
  .openapi({ example: 'ae-revenue-margin' });
const payeeKey = z
  .string()
  .min(1)
  .max(200)
  .openapi({ description: "the payee's person key (people.external_key)" });
const day = z.iso.date();
const decimal = z
  .string()
  .regex(/^-?\d+(\.\d+)?$/, 'expected a decimal amount such as "250" or "-80.50"')
  .max(40);

const TestResult = z
  .object({
    name: z.string(),
    passed: z.boolean(),
    failures: z.array(z.object({ expectation: z.string(), expected: z.string(), actual: z.string() })),
    error: z.string().optional(),
  })
  .openapi('PlanTestResult');
const Tests = z.object({ passed: z.number(), failed: z.number() });
const PlanSummary = z
  .object({
    id: z.string(),
    name: z.string(),
    version: z.number(),
    status: z.enum(['active', 'draft']),
    period: z.enum(['month', 'quarter']),
    effectiveFrom: z.string(),
    effectiveTo: z.string().nullable(),
    updatedAt: z.string(),
    tests: Tests,
  })
  .openapi('CompPlanSummary');
const Assignment = z
  .object({
    id: z.number(),
    position: z.object({ id: z.number(), key: z.string(), title: z.string(), role: z.string() }),
    holder: z.object({ key: z.string(), name: z.string() }).nullable(),
    from: z.string(),
    to: z.string().nullable(),
    targetIncentive: z.string().nullable(),
    currency: z.string(),
    payMix: z.string().nullable(),
  })
  .openapi('CompPlanAssignment');
const Position = z
  .object({
    id: z.number(),
    key: z.string(),
    title: z.string(),
    role: z.string(),
    holder: z.object({ key: z.string(), name: z.string() }).nullable(),
    plans: z.array(z.object({ planId: z.string(), from: z.string(), to: z.string().nullable() })).openapi({
      description: 'plan assignments of the position not ended by today, earliest first',
    }),
  })
  .openapi('CompPosition');
const PlanDetail = z
  .object({
    id: z.string(),
    name: z.string(),
    status: z.enum(['active', 'draft']),
    period: z.enum(['month', 'quarter']),
    currency: z.string(),
    effectiveFrom: z.string(),
    effectiveTo: z.string().nullable(),
    current: z.object({
      version: z.number(),
      source: z.string(),
      fingerprint: z.string(),
      createdAt: z.string(),
      createdBy: z.string(),
      testResults: z.array(TestResult),
    }),
    versions: z.array(
      z.object({ version: z.number(), createdAt: z.string(), createdBy: z.string(), tests: Tests }),
    ),
    assignments: z.array(Assignment),
  })
  .openapi('CompPlan');
const Period = z
  .object({
    period: z.string(),
    kind: z.enum(['month', 'quarter']),
    startsOn: z.string(),
    endsOn: z.string(),
    status: z.enum(['open', 'closed']),
    closedAt: z.string().nullable(),
    closedBy: z.string().nullable(),
    lastRunId: z.number().nullable(),
    running: z.boolean(),
  })
  .openapi('CompPeriod');
const Issue = z.object({
  code: z.string(),
  message: z.string(),
  payee: z.string().optional(),
  period: z.string().optional(),
  transaction: z.string().optional(),
});
const Run = z
  .object({
    id: z.number(),
    period: z.string(),
    status: z.enum(['running', 'succeeded', 'failed']),
    progress: z.object({ done: z.number(), total: z.number(), phase: z.string() }),
    payees: z.array(z.string()).nullable(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    inputFingerprint: z.string().nullable(),
    planVersions: z.array(z.object({ planId: z.string(), version: z.number(), fingerprint: z.string() })),
    summary: z
      .object({ payees: z.number(), earnings: z.string(), payable: z.string(), lines: z.number() })
      .nullable(),
    issues: z.array(Issue),
    issueCount: z.number(),
    createdBy: z.string(),
    error: z.object({ code: z.string(), title: z.string(), problems: z.array(z.unknown()) }).optional(),
  })
  .openapi('CompRun');
const Totals = z
  .object({
    earnings: z.string(),
    adjustments: z.string(),
    clawbacks: z.string(),
    draw: z.string(),
    drawRecovered: z.string(),
    held: z.string(),
    released: z.string(),
    payable: z.string(),
    balanceCarried: z.string(),
  })
  .openapi('StatementTotals');
const StatementSummary = z
  .object({
    payee: z.string(),
    payeeName: z.string(),
    period: z.string(),
    runId: z.number(),
    planId: z.string(),
    planVersion: z.number(),
    currency: z.string(),
    totals: Totals,
    openDisputes: z.number(),
    closed: z.boolean(),
  })
  .openapi('StatementSummary');
const Statement = z
  .object({
    payee: z.string(),
    payeeName: z.string(),
    period: z.string(),
    currency: z.string(),
    measures: z.array(z.record(z.string(), z.unknown())),
    lines: z.array(
      z.object({
        id: z.string(),
        kind: z.string(),
        component: z.string().optional(),
        transaction: z.string().optional(),
        amount: z.string(),
        trace: z.record(z.string(), z.unknown()),
        explanation: z.string(),
      }),
    ),
    totals: Totals,
  })
  .openapi('Statement', { description: 'Statement in src/domain/comp/comp-types.ts' });
const DisputeSummary = z
  .object({
    id: z.number(),
    payee: z.string(),
    payeeName: z.string().nullable(),
    period: z.string(),
    lineId: z.string(),
    status: z.enum(['open', 'resolved']),
    resolution: z.enum(['explained', 'adjusted']).nullable(),
    adjustmentId: z.number().nullable(),
    raisedBy: z.string(),
    createdAt: z.string(),
    resolvedAt: z.string().nullable(),
    resolvedBy: z.string().nullable(),
    line: z.object({ id: z.string(), kind: z.string(), amount: z.string(), explanation: z.string() }),
  })
  .openapi('DisputeSummary');
const Adjustment = z
  .object({
    id: z.number(),
    payee: z.string(),
    period: z.string(),
    amount: z.string(),
    currency: z.string(),
    reason: z.string(),
    approver: z.string(),
    disputeId: z.number().nullable(),
    createdAt: z.string(),
  })
  .openapi('CompAdjustment');
const AdjustmentListItem = Adjustment.extend({
  payeeName: z.string().nullable(),
  paidInRun: z.number().nullable().openapi({
    description:
      "the run whose current statement of the payee and period pays it; null until a run of the period does (a closed period's is never run again)",
  }),
}).openapi('CompAdjustmentListItem');
const Dispute = DisputeSummary.extend({
  runId: z.number(),
  disputedLine: z.record(z.string(), z.unknown()),
  events: z.array(
    z.object({
      id: z.number(),
      at: z.string(),
      kind: z.enum(['raised', 'message', 'resolved']),
      actor: z.string(),
      actorUserId: z.number().nullable(),
      message: z.string(),
    }),
  ),
  adjustment: Adjustment.nullable(),
}).openapi('Dispute');

const json = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});
const ok = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { 'application/json': { schema } },
});

function fileResponse(file: ExportFile): Response {
  const body = typeof file.body === 'string' ? file.body : new Uint8Array(file.body);
  return new Response(body, {
    status: 200,
    headers: {
      'content-type': file.contentType,
      'content-disposition': `attachment; filename="${file.fileName}"`,
      'cache-control': 'no-store',
    },
  });
}

/**
 * Compensation (issue 6): plans, assignments, periods, runs, statements and their exports,
 * disputes, adjustments and the estimator. Statements and disputes are read through the caller's
 * scope (a rep their own, a manager their team as it was in the period); everything that changes
 * pay needs pay:manage.
 */
export function registerCompRoutes(app: Api, table: RouteTable, attain: Attain): void {
  const manage = { kind: 'permission', permission: 'pay:manage' } as const;
  const read = { kind: 'permission', permission: 'pay:read' } as const;
  const comp = attain.comp;

  // ---- plans ---------------------------------------------------------------------------------

  app.openapi(
    secureRoute(table, manage, {
      method: 'get',
      path: '/api/comp/plans',
      summary: 'Compensation plans with their current version and test results',
      responses: { 200: ok('Plans', z.object({ plans: z.array(PlanSummary) })) },
    }),
    async (c) => c.json({ plans: await comp.listPlans() }, 200),
  );

  app.openapi(
    secureRoute(table, manage, {
      method: 'post',
      path: '/api/comp/plans/validate',
      summary: 'Check a plan (YAML or JSON) and run its test cases, without saving it',
      request: { body: json(z.object({ source: z.string().max(512 * 1024) }).strict()) },
      responses: {
        200: ok(
          'Problems (each with its path and line) and test results',
          z.object({ problems: z.array(ProblemItem), testResults: z.array(TestResult) }),
        ),
      },
    }),
    async (c) => {
      const { problems, testResults } = comp.validatePlan(c.req.valid('json').source);
      return c.json({ problems, testResults }, 200);
    },
  );

  app.openapi(
    secureRoute(table, manage, {
      method: 'get',
      path: '/api/comp/plans/{id}',
      summary: 'A plan: its current version (source, test results), its versions and assignments',
      request: { params: z.object({ id: planId }) },
      responses: {
        200: ok('The plan', PlanDetail),
        404: { description: 'No such plan', content: problemJson },
      },
    }),
    async (c) => c.json(await comp.getPlan(c.req.valid('param').id), 200),
  );

  app.openapi(
    secureRoute(table, manage, {
      method: 'put',
      path: '/api/comp/plans/{id}',
      summary:
        'Save a new version of a plan (creating it): invalid plans are refused with every problem; failing tests still save (as a draft)',
      request: {
        params: z.object({ id: planId }),
        body: json(z.object({ source: z.string().max(512 * 1024) }).strict()),
      },
      responses: {
        200: ok(
          'Saved',
          z.object({
            version: z.number(),
            status: z.enum(['active', 'draft']),
            testResults: z.array(TestResult),
          }),
        ),
        400: {
          description: 'The plan is not valid (problems name each path and line)',
          content: problemJson,
        },
      },
    }),
    async (c) =>
      c.json(await comp.savePlan(c.req.valid('param').id, c.req.valid('json').source, actorFor(c)), 200),
  );

  app.openapi(
    secureRoute(table, manage, {
      method: 'get',
      path: '/api/comp/plans/{id}/assignments',
      summary: 'The positions a plan pays, effective-dated, with target incentive and pay mix',
      request: { params: z.object({ id: planId }) },
      responses: {
        200: ok('Assignments', z.object({ assignments: z.array(Assignment) })),
        404: { description: 'No such plan', content: problemJson },
      },
    }),
    async (c) => c.json({ assignments: await comp.listAssignments(c.req.valid('param').id) }, 200),
  );

  app.openapi(
    secureRoute(table, manage, {
      method: 'post',
      path: '/api/comp/plans/{id}/assignments',
      summary: 'Assign a plan to a position from a day',
      request: {
        params: z.object({ id: planId }),
        body: json(
          z
            .object({
              position: z.union([id, z.string().min(1).max(200)]).openapi({
                description: 'position id or key',
              }),
              from: day,
              to: day.nullable().optional(),
              targetIncentive: decimal.nullable().optional(),
              payMix: z
                .string()
                .regex(/^\d{1,3}\/\d{1,3}$/, 'expected base/variable such as "70/30"')
                .nullable()
                .optional(),
            })
            .strict(),
        ),
      },
      responses: {
        201: ok('Assigned', z.object({ assignment: Assignment })),
        400: { description: 'Invalid', content: problemJson },
        404: { description: 'No such plan', content: problemJson },
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const assignment = await comp.assignPlan(
        c.req.valid('param').id,
        {
          position: typeof body.position === 'number' ? body.position : body.position,
          from: body.from,
          to: body.to ?? null,
          targetIncentive: body.targetIncentive ?? null,
          payMix: body.payMix ?? null,
        },
        actorFor(c),
      );
      return c.json({ assignment }, 201);
    },
  );

  app.openapi(
    secureRoute(table, manage, {
      method: 'get',
      path: '/api/comp/positions',
      summary:
        'Positions to assign plans to: key, title, role, holder today and current plan assignments; searched by key, title or holder',
      request: {
        query: z.object({
          q: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
          offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
        }),
      },
      responses: { 200: ok('Positions', z.object({ positions: z.array(Position), total: z.number() })) },
    }),
    async (c) => c.json(await comp.listPositions(c.req.valid('query')), 200),
  );

  // ---- periods and runs -----------------------------------------------------------------------

  app.openapi(
    secureRoute(table, read, {
      method: 'get',
      path: '/api/comp/periods',
      summary: 'Payout periods, newest first, open or closed, with their last run',
      responses: { 200: ok('Periods', z.object({ periods: z.array(Period) })) },
    }),
    async (c) => c.json({ periods: await comp.listPeriods() }, 200),
  );

  app.openapi(
    secureRoute(table, manage, {
      method: 'post',
      path: '/api/comp/periods/{period}/close',
      summary: 'Close a period on its latest run: it is never rewritten afterwards',
      request: { params: z.object({ period: periodLabel }) },
      responses: {
        200: ok('Closed', z.object({ period: Period })),
        409: { description: 'Already closed, running, or never run', content: problemJson },
      },
    }),
    async (c) => c.json({ period: await comp.closePeriod(c.req.valid('param').period, actorFor(c)) }, 200),
  );

  app.openapi(
    secureRoute(table, manage, {
      method: 'post',
      path: '/api/comp/runs',
      summary: 'Run a period for all payees or some, in the background; poll the run for progress',
      request: {
        body: json(
          z
            .object({ period: periodLabel, payees: z.array(payeeKey).max(10_000).nullable().optional() })
            .strict(),
        ),
      },
      responses: {
        202: ok('Started', z.object({ run: Run })),
        400: { description: 'Invalid', content: problemJson },
        409: { description: 'The period is closed', content: problemJson },
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      return c.json(
        { run: await comp.startRun({ period: body.period, payees: body.payees ?? null }, actorFor(c)) },
        202,
      );
    },
  );

  app.openapi(
    secureRoute(table, manage, {
      method: 'get',
      path: '/api/comp/runs',
      summary: 'Runs, newest first',
      request: {
        query: z.object({
          period: periodLabel.optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
        }),
      },
      responses: { 200: ok('Runs', z.object({ runs: z.array(Run) })) },
    }),
    async (c) => c.json({ runs: await comp.listRuns(c.req.valid('query')) }, 200),
  );

  app.openapi(
    secureRoute(table, manage, {
      method: 'get',
      path: '/api/comp/runs/{id}',
      summary: 'A run: status, progress, fingerprints, summary',
      request: { params: IdParam },
      responses: {
        200: ok('The run (not wrapped)', Run),
        404: { description: 'No such run', content: problemJson },
      },
    }),
    async (c) => c.json(await comp.getRun(c.req.valid('param').id), 200),
  );

  app.openapi(
    secureRoute(table, manage, {
      method: 'get',
      path: '/api/comp/runs/{a}/compare/{b}',
      summary: 'Which payees and lines changed between two runs, by how much, and why',
      request: { params: z.object({ a: id, b: id }) },
      responses: {
        200: ok('RunComparison (src/domain/comp/compare-runs.ts)', z.record(z.string(), z.unknown())),
        404: { description: 'No such run', content: problemJson },
      },
    }),
    async (c) => {
      const { a, b } = c.req.valid('param');
      return c.json((await comp.compareRuns(a, b)) as unknown as Record<string, unknown>, 200);
    },
  );

  // ---- statements ----------------------------------------------------------------------------

  app.openapi(
    secureRoute(table, read, {
      method: 'get',
      path: '/api/comp/statements',
      summary: 'Current statements the caller may see (own, team as it was in each period, or all)',
      request: {
        query: z.object({
          period: periodLabel.optional(),
          payee: payeeKey.optional(),
          limit: z.coerce.number().int().min(1).max(20_000).default(5_000),
        }),
      },
      responses: { 200: ok('Statements', z.object({ statements: z.array(StatementSummary) })) },
    }),
    async (c) =>
      c.json({ statements: await comp.listStatements(await scopeOf(c, attain), c.req.valid('query')) }, 200),
  );

  const statementParams = z.object({ payee: payeeKey, period: periodLabel });

  app.openapi(
    secureRoute(table, read, {
      method: 'get',
      path: '/api/comp/statements/{payee}/{period}',
      summary: 'One statement with every line, its trace and explanation, and its disputes',
      request: { params: statementParams },
      responses: {
        200: ok(
          'The statement',
          z.object({
            statement: Statement,
            runId: z.number(),
            planId: z.string(),
            planVersion: z.number(),
            closed: z.boolean(),
            disputes: z.array(DisputeSummary),
          }),
        ),
        404: { description: 'No statement, or out of scope', content: problemJson },
      },
    }),
    async (c) => {
      const { payee, period } = c.req.valid('param');
      return c.json(await comp.statementDetail(await scopeOf(c, attain), payee, period), 200);
    },
  );

  for (const format of ['csv', 'xlsx', 'pdf'] as const) {
    app.openapi(
      secureRoute(table, read, {
        method: 'get',
        path: `/api/comp/statements/{payee}/{period}/export.${format}`,
        summary: `One statement as ${format.toUpperCase()} (recorded in the audit trail)`,
        request: { params: statementParams },
        responses: {
          200: {
            description: format.toUpperCase(),
            content: { [`application/${format}`]: { schema: z.string() } },
          },
          404: { description: 'No statement, or out of scope', content: problemJson },
        },
      }),
      async (c) => {
        const { payee, period } = c.req.valid('param');
        return fileResponse(
          await exportStatement(comp, await scopeOf(c, attain), payee, period, format, actorFor(c)),
        ) as never;
      },
    );
  }

  app.openapi(
    secureRoute(table, read, {
      method: 'get',
      path: '/api/comp/payroll/{file}',
      summary:
        "The payroll file of a period for the statements in the caller's scope, GET /api/comp/payroll/2026-06.csv (recorded in the audit trail)",
      request: {
        params: z.object({
          file: z
            .string()
            .regex(/^\d{4}-(0[1-9]|1[0-2]|Q[1-4])\.csv$/, 'expected a period and .csv, such as 2026-06.csv')
            .openapi({ example: '2026-06.csv' }),
        }),
      },
      responses: {
        200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } },
        404: { description: 'Nothing computed for the period', content: problemJson },
      },
    }),
    async (c) =>
      fileResponse(
        await exportPayroll(
          comp,
          await scopeOf(c, attain),
          c.req.valid('param').file.replace(/\.csv$/, ''),
          actorFor(c),
        ),
      ) as never,
  );

  // ---- disputes and adjustments ---------------------------------------------------------------

  app.openapi(
    secureRoute(table, read, {
      method: 'post',
      path: '/api/comp/disputes',
      summary: 'Raise a question on a line of a statement (the line and its trace are copied into it)',
      request: {
        body: json(
          z
            .object({
              payee: payeeKey,
              period: periodLabel,
              lineId: z.string().min(1).max(500),
              message: z.string().min(1).max(5000),
            })
            .strict(),
        ),
      },
      responses: {
        201: ok('Raised', z.object({ dispute: Dispute })),
        400: { description: 'Invalid (no such line)', content: problemJson },
        404: { description: 'No statement, or out of scope', content: problemJson },
      },
    }),
    async (c) =>
      c.json(
        { dispute: await raiseDispute(comp, await scopeOf(c, attain), c.req.valid('json'), actorFor(c)) },
        201,
      ),
  );

  app.openapi(
    secureRoute(table, read, {
      method: 'get',
      path: '/api/comp/disputes',
      summary: 'Disputes the caller may see, newest first',
      request: {
        query: z.object({
          status: z.enum(['open', 'resolved']).optional(),
          period: periodLabel.optional(),
          payee: payeeKey.optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(200),
        }),
      },
      responses: { 200: ok('Disputes', z.object({ disputes: z.array(DisputeSummary) })) },
    }),
    async (c) =>
      c.json(
        { disputes: await listVisibleDisputes(comp, await scopeOf(c, attain), c.req.valid('query')) },
        200,
      ),
  );

  app.openapi(
    secureRoute(table, read, {
      method: 'get',
      path: '/api/comp/disputes/{id}',
      summary: 'A dispute with the disputed line, its history and any adjustment',
      request: { params: IdParam },
      responses: {
        200: ok('The dispute', z.object({ dispute: Dispute })),
        404: { description: 'No dispute, or out of scope', content: problemJson },
      },
    }),
    async (c) =>
      c.json({ dispute: await getDispute(comp, await scopeOf(c, attain), c.req.valid('param').id) }, 200),
  );

  app.openapi(
    secureRoute(table, read, {
      method: 'post',
      path: '/api/comp/disputes/{id}/messages',
      summary: 'Add a message to a dispute',
      request: { params: IdParam, body: json(z.object({ message: z.string().min(1).max(5000) }).strict()) },
      responses: {
        201: ok('Added', z.object({ dispute: Dispute })),
        404: { description: 'No dispute, or out of scope', content: problemJson },
      },
    }),
    async (c) =>
      c.json(
        {
          dispute: await addDisputeMessage(
            comp,
            await scopeOf(c, attain),
            c.req.valid('param').id,
            c.req.valid('json').message,
            actorFor(c),
          ),
        },
        201,
      ),
  );

  app.openapi(
    secureRoute(table, manage, {
      method: 'post',
      path: '/api/comp/disputes/{id}/resolve',
      summary:
        'Resolve a dispute with an explanation, or with an adjustment that the next run of the open period pays',
      request: {
        params: IdParam,
        body: json(
          z
            .object({
              resolution: z.enum(['explained', 'adjusted']),
              message: z.string().min(1).max(5000),
              amount: decimal.nullable().optional(),
            })
            .strict(),
        ),
      },
      responses: {
        200: ok('Resolved', z.object({ dispute: Dispute })),
        400: { description: 'Invalid (an adjustment needs an amount)', content: problemJson },
        404: { description: 'No such dispute', content: problemJson },
        409: { description: 'Already resolved', content: problemJson },
      },
    }),
    async (c) =>
      c.json(
        { dispute: await resolveDispute(comp, c.req.valid('param').id, c.req.valid('json'), actorFor(c)) },
        200,
      ),
  );

  app.openapi(
    secureRoute(table, manage, {
      method: 'post',
      path: '/api/comp/adjustments',
      summary: 'A manual adjustment with its reason; the caller approves it',
      request: {
        body: json(
          z
            .object({
              payee: payeeKey,
              period: periodLabel,
              amount: decimal,
              reason: z.string().min(1).max(2000),
            })
            .strict(),
        ),
      },
      responses: {
        201: ok('Created', z.object({ adjustment: Adjustment })),
        400: { description: 'Invalid', content: problemJson },
        409: { description: 'The period is closed', content: problemJson },
      },
    }),
    async (c) => c.json({ adjustment: await createAdjustment(comp, c.req.valid('json'), actorFor(c)) }, 201),
  );

  app.openapi(
    secureRoute(table, read, {
      method: 'get',
      path: '/api/comp/adjustments',
      summary:
        'Approved adjustments (manual and from disputes) within the caller’s scope, by period and payee, with the run that pays each',
      request: { query: z.object({ period: periodLabel.optional(), payee: payeeKey.optional() }) },
      responses: { 200: ok('Adjustments', z.object({ adjustments: z.array(AdjustmentListItem) })) },
    }),
    async (c) =>
      c.json(
        { adjustments: await listAdjustmentViews(comp, await scopeOf(c, attain), c.req.valid('query')) },
        200,
      ),
  );

  // ---- estimator -------------------------------------------------------------------------------

  app.openapi(
    secureRoute(table, read, {
      method: 'post',
      path: '/api/comp/estimate',
      summary:
        'What a deal would pay: an open deal (opportunityId) or a hypothetical one, on the payee’s plan state in its period',
      request: {
        body: json(
          z
            .object({
              opportunityId: id.optional(),
              deal: z
                .object({
                  amount: decimal,
                  marginPct: z.number().min(-1000).max(1000).nullable().optional(),
                  type: z.string().max(100).nullable().optional(),
                  productFamily: z.string().max(200).nullable().optional(),
                  closeOn: day.nullable().optional(),
                })
                .strict()
                .optional(),
              payee: payeeKey.optional(),
            })
            .strict(),
        ),
      },
      responses: {
        200: ok('DealEstimate (src/domain/comp/estimate-deal.ts)', z.record(z.string(), z.unknown())),
        400: { description: 'Invalid', content: problemJson },
        404: { description: 'No such deal or payee, or out of scope', content: problemJson },
        409: { description: 'The payee has no plan then', content: problemJson },
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      if (body.opportunityId === undefined && body.deal === undefined)
        throw new AppError('validation', 'Name a deal: opportunityId or deal.', [
          { field: 'body.opportunityId', message: 'either opportunityId or deal is required' },
        ]);
      const result = await estimate(comp, await scopeOf(c, attain), principalOf(c), body);
      return c.json(result as unknown as Record<string, unknown>, 200);
    },
  );
}
