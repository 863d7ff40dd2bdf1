import { z } from '@hono/zod-openapi';
import type { Attain } from '../../app/create-attain.ts';
import { recordAudit } from '../../app/audit/audit-log.ts';
import {
  getOpportunity,
  getPerson,
  listActivities,
  listOpportunities,
  listPeople,
  listPeriods,
  listQuotas,
  positionsHeldBy,
  scorecard,
  setPeriodStatus,
  updateQuota,
} from '../../app/records/records.ts';
import { activityTypes } from '../../domain/vocabulary.ts';
import { actorFor, principalOf, scopeOf, secureRoute, type Api, type RouteTable } from '../access.ts';
import { csvResponse } from '../csv.ts';
import { IdParam, id, problemJson } from './schemas.ts';

const day = z.iso.date();
const page = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
};
const Money = z.object({ amount: z.string(), currency: z.string() }).openapi('Money');

const Person = z
  .object({
    id: z.number(),
    key: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    hiredOn: z.string().nullable(),
    leftOn: z.string().nullable(),
    title: z.string().nullable(),
    positionRole: z.string().nullable(),
    team: z.string().nullable(),
    managerName: z.string().nullable(),
  })
  .openapi('Person');

const Opportunity = z
  .object({
    id: z.number(),
    key: z.string(),
    name: z.string().nullable(),
    ownerId: z.number().nullable(),
    ownerName: z.string().nullable(),
    account: z.string().nullable(),
    product: z.string().nullable(),
    stage: z.string(),
    status: z.enum(['open', 'won', 'lost']),
    amount: Money.nullable(),
    dealType: z.string().nullable(),
    createdOn: z.string().nullable(),
    closeOn: z.string().nullable(),
    closedOn: z.string().nullable(),
    cancelledOn: z.string().nullable().openapi({ description: 'The day a won deal was cancelled' }),
    lostReason: z.string().nullable(),
    competitor: z.string().nullable(),
  })
  .openapi('Opportunity');

const Period = z
  .object({
    id: z.number(),
    kind: z.string(),
    label: z.string(),
    startsOn: z.string(),
    endsOn: z.string(),
    status: z.enum(['open', 'closed']),
  })
  .openapi('Period');

const Quota = z
  .object({
    id: z.number(),
    positionId: z.number(),
    positionKey: z.string(),
    positionTitle: z.string(),
    holderId: z.number().nullable(),
    holderName: z.string().nullable(),
    periodId: z.number(),
    periodLabel: z.string(),
    measure: z.string(),
    target: z.string(),
    currency: z.string().nullable(),
    method: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Quota');

const OpportunityQuery = z.object({
  ownerId: id.optional(),
  stage: z.string().max(100).optional(),
  status: z.enum(['open', 'won', 'lost']).optional(),
  closedFrom: day.optional(),
  closedTo: day.optional(),
  closeFrom: day.optional().openapi({ description: 'expected close day from (open deals: close_on)' }),
  closeTo: day.optional(),
  q: z.string().max(200).optional(),
  sort: z.enum(['close_on', 'amount', 'name']).optional(),
  direction: z.enum(['asc', 'desc']).optional(),
  ...page,
});

/**
 * People, deals, activities, quotas, periods and scorecards, each read through the caller's
 * scope (src/app/records): a rep gets their own, a manager their team as it was on each record's
 * day, the other roles everything their permissions cover.
 */
export function registerRecordRoutes(app: Api, table: RouteTable, attain: Attain): void {
  const reader = { kind: 'permission', permission: 'records:read' } as const;
  const today = () => attain.clock.now().slice(0, 10);

  app.openapi(
    secureRoute(table, reader, {
      method: 'get',
      path: '/api/people',
      summary: 'People the caller may see, with their position, team and manager today',
      request: { query: z.object({ q: z.string().max(200).optional(), ...page }) },
      responses: {
        200: {
          description: 'People',
          content: {
            'application/json': { schema: z.object({ people: z.array(Person), total: z.number() }) },
          },
        },
      },
    }),
    async (c) =>
      c.json(await listPeople(attain.reads, await scopeOf(c, attain), today(), c.req.valid('query')), 200),
  );

  app.openapi(
    secureRoute(table, reader, {
      method: 'get',
      path: '/api/people/{id}',
      summary: 'One person (not found when out of the caller’s scope)',
      request: { params: IdParam },
      responses: {
        200: {
          description: 'The person',
          content: { 'application/json': { schema: z.object({ person: Person }) } },
        },
        404: { description: 'Unknown or out of scope', content: problemJson },
      },
    }),
    async (c) =>
      c.json(
        { person: await getPerson(attain.reads, await scopeOf(c, attain), today(), c.req.valid('param').id) },
        200,
      ),
  );

  app.openapi(
    secureRoute(table, reader, {
      method: 'get',
      path: '/api/people/{id}/scorecard',
      summary:
        'A person’s won revenue, quota, attainment, win rate, pipeline and activity for a period (default: this quarter)',
      request: { params: IdParam, query: z.object({ periodId: id.optional() }) },
      responses: {
        200: {
          description: 'Scorecard',
          content: {
            'application/json': {
              schema: z.object({
                scorecard: z.object({
                  person: Person,
                  period: Period,
                  currency: z.string(),
                  wonRevenue: Money,
                  wonDeals: z.number(),
                  lostDeals: z.number(),
                  winRate: z.string().nullable(),
                  averageWonDeal: Money.nullable(),
                  quota: Money.nullable(),
                  attainment: z.string().nullable(),
                  openPipeline: Money,
                  openDeals: z.number(),
                  activities: z.record(z.string(), z.number()),
                }),
              }),
            },
          },
        },
        404: { description: 'Unknown or out of scope', content: problemJson },
      },
    }),
    async (c) => {
      const { periodId } = c.req.valid('query');
      const period = periodId
        ? await attain.reads.period(periodId)
        : await attain.reads.periodContaining('quarter', today());
      const result = await scorecard(
        attain.reads,
        await scopeOf(c, attain),
        today(),
        c.req.valid('param').id,
        period,
      );
      return c.json({ scorecard: result }, 200);
    },
  );

  app.openapi(
    secureRoute(table, reader, {
      method: 'get',
      path: '/api/opportunities',
      summary: 'Deals the caller may see, filtered, sorted and paged',
      request: { query: OpportunityQuery },
      responses: {
        200: {
          description: 'Deals',
          content: {
            'application/json': {
              schema: z.object({ opportunities: z.array(Opportunity), total: z.number() }),
            },
          },
        },
        404: { description: 'Owner unknown or out of scope', content: problemJson },
      },
    }),
    async (c) =>
      c.json(
        await listOpportunities(
          attain.store,
          await scopeOf(c, attain),
          today(),
          c.req.valid('query'),
          attain.reads,
        ),
        200,
      ),
  );

  app.openapi(
    secureRoute(table, reader, {
      method: 'get',
      path: '/api/opportunities/export.csv',
      summary: 'The deals matching the filters, as CSV (at most 100,000 rows)',
      request: { query: OpportunityQuery.omit({ limit: true, offset: true }) },
      responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } } },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const { opportunities } = await listOpportunities(attain.store, await scopeOf(c, attain), today(), {
        ...query,
        limit: 100_000,
        offset: 0,
      });
      await recordAudit(attain.store.db, actorFor(c), attain.clock.now(), {
        action: 'records_exported',
        entity: 'opportunity',
        summary: `Exported ${opportunities.length} deals as CSV.`,
        after: query,
      });
      return csvResponse(
        'attain-opportunities.csv',
        [
          'key',
          'name',
          'owner',
          'account',
          'product',
          'stage',
          'status',
          'amount',
          'currency',
          'deal_type',
          'created_on',
          'close_on',
          'closed_on',
          'cancelled_on',
          'lost_reason',
          'competitor',
        ],
        opportunities.map((o) => [
          o.key,
          o.name,
          o.ownerName,
          o.account,
          o.product,
          o.stage,
          o.status,
          o.amount?.amount,
          o.amount?.currency,
          o.dealType,
          o.createdOn,
          o.closeOn,
          o.closedOn,
          o.cancelledOn,
          o.lostReason,
          o.competitor,
        ]),
      );
    },
  );

  app.openapi(
    secureRoute(table, reader, {
      method: 'get',
      path: '/api/opportunities/{id}',
      summary: 'One deal with its history (not found when out of the caller’s scope)',
      request: { params: IdParam },
      responses: {
        200: {
          description: 'The deal',
          content: {
            'application/json': {
              schema: z.object({
                opportunity: Opportunity.extend({
                  history: z.array(
                    z.object({
                      changedAt: z.string(),
                      field: z.string(),
                      from: z.string().nullable(),
                      to: z.string().nullable(),
                    }),
                  ),
                }),
              }),
            },
          },
        },
        404: { description: 'Unknown or out of scope', content: problemJson },
      },
    }),
    async (c) =>
      c.json(
        {
          opportunity: await getOpportunity(
            attain.store,
            await scopeOf(c, attain),
            today(),
            c.req.valid('param').id,
          ),
        },
        200,
      ),
  );

  app.openapi(
    secureRoute(table, reader, {
      method: 'get',
      path: '/api/activities',
      summary: 'Activities the caller may see, newest first',
      request: {
        query: z.object({
          personId: id.optional(),
          type: z.enum(activityTypes).optional(),
          from: day.optional(),
          to: day.optional(),
          ...page,
        }),
      },
      responses: {
        200: {
          description: 'Activities',
          content: {
            'application/json': {
              schema: z.object({
                activities: z.array(
                  z.object({
                    id: z.number(),
                    key: z.string(),
                    type: z.string(),
                    personId: z.number().nullable(),
                    personName: z.string().nullable(),
                    opportunityId: z.number().nullable(),
                    occurredAt: z.string(),
                    subject: z.string().nullable(),
                    outcome: z.string().nullable(),
                  }),
                ),
                total: z.number(),
              }),
            },
          },
        },
      },
    }),
    async (c) =>
      c.json(await listActivities(attain.store, await scopeOf(c, attain), c.req.valid('query')), 200),
  );

  app.openapi(
    secureRoute(table, reader, {
      method: 'get',
      path: '/api/periods',
      summary: 'The fiscal calendar’s periods (weeks, months, quarters, halves, years)',
      request: { query: z.object({ kind: z.enum(['week', 'month', 'quarter', 'half', 'year']).optional() }) },
      responses: {
        200: {
          description: 'Periods',
          content: { 'application/json': { schema: z.object({ periods: z.array(Period) }) } },
        },
      },
    }),
    async (c) => c.json({ periods: await listPeriods(attain.store, c.req.valid('query').kind) }, 200),
  );

  app.openapi(
    secureRoute(
      table,
      { kind: 'permission', permission: 'pay:manage' },
      {
        method: 'patch',
        path: '/api/periods/{id}',
        summary: 'Close or reopen a period',
        request: {
          params: IdParam,
          body: {
            required: true,
            content: {
              'application/json': { schema: z.object({ status: z.enum(['open', 'closed']) }).strict() },
            },
          },
        },
        responses: {
          200: {
            description: 'Changed',
            content: { 'application/json': { schema: z.object({ period: Period }) } },
          },
          404: { description: 'No such period', content: problemJson },
        },
      },
    ),
    async (c) => {
      const period = await setPeriodStatus(
        attain.store,
        c.req.valid('param').id,
        c.req.valid('json').status,
        actorFor(c),
        attain.clock.now(),
      );
      attain.reads.invalidate();
      return c.json({ period }, 200);
    },
  );

  app.openapi(
    secureRoute(table, reader, {
      method: 'get',
      path: '/api/quotas',
      summary: 'Quotas of the positions the caller may see, for the periods they may see them',
      request: { query: z.object({ periodId: id.optional(), personId: id.optional(), ...page }) },
      responses: {
        200: {
          description: 'Quotas',
          content: {
            'application/json': { schema: z.object({ quotas: z.array(Quota), total: z.number() }) },
          },
        },
      },
    }),
    async (c) => c.json(await listQuotas(attain.store, await scopeOf(c, attain), c.req.valid('query')), 200),
  );

  app.openapi(
    secureRoute(
      table,
      { kind: 'permission', permission: 'quotas:write' },
      {
        method: 'patch',
        path: '/api/quotas/{id}',
        summary: 'Change a quota’s target, with a reason (a manager: their team’s, not their own)',
        request: {
          params: IdParam,
          body: {
            required: true,
            content: {
              'application/json': {
                schema: z
                  .object({
                    target: z
                      .string()
                      .regex(
                        /^\d{1,15}(\.\d{1,4})?$/,
                        'must be a non-negative decimal with at most 4 decimals, like "125000.00"',
                      ),
                    reason: z.string().trim().min(3).max(500),
                  })
                  .strict(),
              },
            },
          },
        },
        responses: {
          200: {
            description: 'Changed',
            content: { 'application/json': { schema: z.object({ quota: Quota }) } },
          },
          403: { description: 'Not yours to change', content: problemJson },
          404: { description: 'Unknown or out of scope', content: problemJson },
        },
      },
    ),
    async (c) => {
      const principal = principalOf(c);
      const quota = await updateQuota(
        attain.store,
        await scopeOf(c, attain),
        c.req.valid('param').id,
        c.req.valid('json'),
        actorFor(c),
        attain.clock.now(),
        await positionsHeldBy(attain.store, principal.personId),
      );
      // Attainment in the KPIs follows the new target at once.
      attain.metrics.invalidate();
      return c.json({ quota }, 200);
    },
  );
}
