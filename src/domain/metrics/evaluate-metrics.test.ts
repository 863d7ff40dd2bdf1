import { describe, expect, it } from 'vitest';
import { toDayNumber } from '../calendar/day-number.ts';
import { AppError } from '../errors.ts';
import {
  buildOpportunitySnapshot,
  type OpportunityChangeInput,
  type OpportunityInput,
} from '../snapshot/build-opportunity-snapshot.ts';
import { evaluateMetrics } from './evaluate-metrics.ts';
import { calendarMetricPeriod } from './metric-periods.ts';
import type { GroupResult, MetricsInput, MetricsRequest } from './metric-types.ts';
import { buildActivitySnapshot } from './testing/build-activity-snapshot.ts';

const day = toDayNumber;
const stages = [
  { name: 'Prospecting', category: 'open' },
  { name: 'Qualification', category: 'open' },
  { name: 'Proposal', category: 'open' },
  { name: 'Closed Won', category: 'won' },
  { name: 'Closed Lost', category: 'lost' },
] as const;

// Ann (1) and Bob (2) sell in team 10 under manager 100; Cid (3) sells in team 20 under manager
// 200 until 2024-03-10, then in team 10. Q1 2024 is the period; the as-of day its last day.
const won = { stage: 'Closed Won', isClosed: true, isWon: true } as const;
const lost = { stage: 'Closed Lost', isClosed: true, isWon: false } as const;
const opportunities: OpportunityInput[] = [
  // Won in Q1: 36-day cycle, 70% margin, against Acme.
  {
    id: 1,
    ...won,
    ownerPersonId: 1,
    amountMinor: 1_000_000,
    dealType: 'new_business',
    grossMarginBps: 7_000,
    competitor: 'Acme',
    createdOn: '2024-01-05',
    closeOn: '2024-02-10',
    closedOn: '2024-02-10',
  },
  // Lost in Q1 to Acme on price.
  {
    id: 2,
    ...lost,
    ownerPersonId: 1,
    amountMinor: 500_000,
    lostReason: 'Price',
    competitor: 'Acme',
    createdOn: '2024-01-10',
    closeOn: '2024-03-01',
    closedOn: '2024-03-01',
  },
  // Created in Q4, won in Q1: 50-day cycle, 50% margin.
  {
    id: 3,
    ...won,
    ownerPersonId: 2,
    amountMinor: 300_000,
    dealType: 'expansion',
    grossMarginBps: 5_000,
    createdOn: '2023-12-01',
    closeOn: '2024-01-20',
    closedOn: '2024-01-20',
  },
  // Open, closing in Q1.
  {
    id: 4,
    stage: 'Proposal',
    ownerPersonId: 2,
    amountMinor: 2_000_000,
    createdOn: '2024-02-01',
    closeOn: '2024-03-25',
  },
  // Won after the period: open on the as-of day, in Proposal, closing on 2024-03-28 as it then stood.
  {
    id: 5,
    ...won,
    ownerPersonId: 3,
    amountMinor: 700_001,
    createdOn: '2024-03-01',
    closeOn: '2024-04-15',
    closedOn: '2024-04-15',
  },
  // Open, closing after Q1.
  {
    id: 6,
    stage: 'Prospecting',
    ownerPersonId: 3,
    amountMinor: 400_000,
    createdOn: '2024-03-20',
    closeOn: '2024-06-30',
  },
  // Lost without an amount or a reason, while Cid was in team 20.
  {
    id: 7,
    ...lost,
    ownerPersonId: 3,
    createdOn: '2024-02-01',
    closeOn: '2024-02-15',
    closedOn: '2024-02-15',
  },
  // Won in euros: a won deal, but no US dollars.
  {
    id: 8,
    ...won,
    ownerPersonId: 1,
    amountMinor: 200_000,
    currency: 'EUR',
    createdOn: '2024-01-02',
    closeOn: '2024-01-30',
    closedOn: '2024-01-30',
  },
];

const at = (date: string) => `${date}T10:00:00Z`;
const changes: OpportunityChangeInput[] = [
  { opportunityId: 1, changedAt: at('2024-01-05'), field: 'stage', oldValue: null, newValue: 'Prospecting' },
  {
    opportunityId: 1,
    changedAt: at('2024-01-15'),
    field: 'stage',
    oldValue: 'Prospecting',
    newValue: 'Qualification',
  },
  {
    opportunityId: 1,
    changedAt: at('2024-01-25'),
    field: 'stage',
    oldValue: 'Qualification',
    newValue: 'Proposal',
  },
  {
    opportunityId: 1,
    changedAt: at('2024-02-10'),
    field: 'stage',
    oldValue: 'Proposal',
    newValue: 'Closed Won',
  },
  { opportunityId: 2, changedAt: at('2024-01-10'), field: 'stage', oldValue: null, newValue: 'Prospecting' },
  {
    opportunityId: 2,
    changedAt: at('2024-01-20'),
    field: 'stage',
    oldValue: 'Prospecting',
    newValue: 'Qualification',
  },
  {
    opportunityId: 2,
    changedAt: at('2024-03-01'),
    field: 'stage',
    oldValue: 'Qualification',
    newValue: 'Closed Lost',
  },
  {
    opportunityId: 5,
    changedAt: at('2024-04-15'),
    field: 'stage',
    oldValue: 'Proposal',
    newValue: 'Closed Won',
  },
  {
    opportunityId: 5,
    changedAt: at('2024-04-15'),
    field: 'close_on',
    oldValue: '2024-03-28',
    newValue: '2024-04-15',
  },
];

const snapshot = buildOpportunitySnapshot({ stages: [...stages], opportunities, changes });
const activities = buildActivitySnapshot([
  { id: 1, type: 'call', personId: 1, opportunityId: 1, occurredOn: '2024-01-08' },
  { id: 2, type: 'email', personId: 1, opportunityId: 1, occurredOn: '2024-01-09' },
  { id: 3, type: 'call', personId: 2, occurredOn: '2024-02-05' },
  { id: 4, type: 'meeting', personId: 3, opportunityId: 6, occurredOn: '2024-03-12' },
  { id: 5, type: 'demo', personId: 1, occurredOn: '2024-04-02' },
  { id: 6, type: 'call', personId: null, occurredOn: '2024-01-10' },
]);

const q1 = { from: day('2024-01-01'), to: day('2024-04-01') };
const input: MetricsInput = {
  opportunities: snapshot,
  activities,
  dimensions: {
    people: [
      { id: 1, name: 'Ann' },
      { id: 2, name: 'Bob' },
      { id: 3, name: 'Cid' },
      { id: 100, name: 'Mia' },
      { id: 200, name: 'Max' },
    ],
    assignments: [
      { personId: 1, from: day('2020-01-01'), to: Infinity, managerId: 100, teamId: 10, regionId: 1 },
      { personId: 2, from: day('2020-01-01'), to: Infinity, managerId: 100, teamId: 10, regionId: 1 },
      {
        personId: 3,
        from: day('2020-01-01'),
        to: day('2024-03-10'),
        managerId: 200,
        teamId: 20,
        regionId: 1,
      },
      { personId: 3, from: day('2024-03-10'), to: Infinity, managerId: 100, teamId: 10, regionId: 1 },
    ],
    teams: [
      { id: 10, name: 'North' },
      { id: 20, name: 'South' },
    ],
    regions: [{ id: 1, name: 'Europe' }],
  },
  quotas: [
    { personId: 1, ...q1, targetMinor: 3_000_000 },
    { personId: 2, ...q1, targetMinor: 300_000 },
    { personId: 3, ...q1, targetMinor: 1_000_000 },
  ],
};

function evaluate(request: Partial<MetricsRequest> & Pick<MetricsRequest, 'metrics'>) {
  return evaluateMetrics(input, {
    groupBy: 'company',
    period: q1,
    asOf: day('2024-03-31'),
    currency: 'USD',
    ...request,
  });
}

function group(groups: GroupResult[], label: string): GroupResult {
  const found = groups.find((g) => g.label === label);
  if (!found) throw new Error(`no group ${label} in ${groups.map((g) => g.label).join(', ')}`);
  return found;
}

describe('evaluateMetrics: a hand-computed quarter', () => {
  it('adds up won revenue, deals won and lost, and the win rate', () => {
    const { groups, issues } = evaluate({
      metrics: [
        'won_revenue',
        'won_revenue_new_business',
        'won_revenue_expansion',
        'won_deals',
        'lost_deals',
        'win_rate',
      ],
    });
    expect(groups).toHaveLength(1);
    const company = groups[0]!;
    expect(company).toMatchObject({ key: 'company', label: 'Company' });
    expect(company.metrics.won_revenue).toEqual({ value: '13000.00' });
    expect(company.metrics.won_revenue_new_business!.value).toBe('10000.00');
    expect(company.metrics.won_revenue_expansion!.value).toBe('3000.00');
    // The euro deal is a won deal, but adds no dollars.
    expect(company.metrics.won_deals!.value).toBe(3);
    expect(company.metrics.lost_deals).toMatchObject({
      value: 2,
      breakdown: [
        { key: 'Price', label: 'Price', value: 1 },
        { key: null, label: 'No lost reason', value: 1 },
      ],
    });
    expect(company.metrics.win_rate).toEqual({ value: 0.6, numerator: 3, denominator: 5 });
    expect(issues).toContainEqual(expect.objectContaining({ code: 'other_currency', count: 1 }));
  });

  it('groups by rep, and by team as of each record’s day', () => {
    const byRep = evaluate({ metrics: ['won_revenue', 'win_rate'], groupBy: 'rep' }).groups;
    expect(byRep.map((g) => [g.key, g.label])).toEqual([
      [1, 'Ann'],
      [2, 'Bob'],
      [3, 'Cid'],
    ]);
    expect(group(byRep, 'Ann').metrics.win_rate).toMatchObject({ numerator: 2, denominator: 3 });
    expect(group(byRep, 'Bob').metrics.won_revenue!.value).toBe('3000.00');
    expect(group(byRep, 'Cid').metrics.win_rate).toEqual({ value: 0, numerator: 0, denominator: 1 });

    const byTeam = evaluate({ metrics: ['lost_deals', 'open_pipeline', 'quota'], groupBy: 'team' }).groups;
    // Cid lost deal 7 while in South; his open deals and his quota are in North by the as-of day.
    expect(group(byTeam, 'South').metrics.lost_deals!.value).toBe(1);
    expect(group(byTeam, 'South').metrics.open_pipeline!.value).toBe('0.00');
    expect(group(byTeam, 'North').metrics.open_pipeline!.value).toBe('31000.01');
    expect(group(byTeam, 'North').metrics.quota!.value).toBe('43000.00');
    const byManager = evaluate({ metrics: ['lost_deals'], groupBy: 'manager' }).groups;
    expect(byManager.map((g) => g.label)).toEqual(['Max', 'Mia']);
  });

  it('computes deal size, cycle, margin and competitive win rate', () => {
    const company = evaluate({
      metrics: [
        'average_deal_size',
        'sales_cycle_days',
        'sales_cycle_median_days',
        'gross_margin',
        'gross_margin_rate',
        'margin_mix',
        'competitive_win_rate',
      ],
    }).groups[0]!.metrics;
    expect(company.average_deal_size).toEqual({ value: '6500.00', numerator: '13000.00', denominator: 2 });
    // Deal 1: 36 days, deal 3: 50, deal 8: 28.
    expect(company.sales_cycle_days).toEqual({ value: 38, numerator: 114, denominator: 3 });
    expect(company.sales_cycle_median_days!.value).toBe(36);
    expect(company.gross_margin!.value).toBe('8500.00');
    expect(company.gross_margin_rate).toEqual({
      value: 850_000 / 1_300_000,
      numerator: '8500.00',
      denominator: '13000.00',
    });
    expect(company.margin_mix!.value).toBe(1);
    expect(company.competitive_win_rate).toEqual({ value: 0.5, numerator: 1, denominator: 2 });
  });

  it('counts pipeline created at creation-day amounts, and the cohort rates as of the as-of day', () => {
    const company = evaluate({
      metrics: ['pipeline_created', 'pipeline_created_count', 'close_rate', 'cohort_win_rate'],
    }).groups[0]!.metrics;
    expect(company.pipeline_created!.value).toBe('46000.01');
    expect(company.pipeline_created_count!.value).toBe(7);
    // Deals 1 and 8 won; deal 5 is still open on the as-of day; 2 and 7 lost.
    expect(company.close_rate).toEqual({ value: 2 / 7, numerator: 2, denominator: 7 });
    expect(company.cohort_win_rate).toEqual({ value: 0.5, numerator: 2, denominator: 4 });
  });

  it('measures open pipeline, coverage against remaining quota, and attainment', () => {
    const result = evaluate({
      metrics: [
        'open_pipeline',
        'open_pipeline_count',
        'pipeline_coverage',
        'quota_attainment',
        'reps_at_or_above_quota',
      ],
      groupBy: 'rep',
    });
    const cid = group(result.groups, 'Cid').metrics;
    // Deal 5 as it stood on the as-of day: open, in Proposal, closing on 2024-03-28.
    expect(cid.open_pipeline).toEqual({ value: '11000.01' });
    expect(cid.pipeline_coverage).toMatchObject({
      value: 0.700001,
      numerator: '7000.01',
      denominator: '10000.00',
      target: '10000.00',
      flags: ['coverage_below_3x'],
    });
    expect(cid.pipeline_coverage!.breakdown).toEqual([
      { key: 'Prospecting', label: 'Prospecting', value: 0, numerator: '0.00', denominator: '10000.00' },
      { key: 'Qualification', label: 'Qualification', value: 0, numerator: '0.00', denominator: '10000.00' },
      { key: 'Proposal', label: 'Proposal', value: 0.700001, numerator: '7000.01', denominator: '10000.00' },
    ]);
    // Bob sold his whole quota: nothing remains, so no coverage to speak of.
    const bob = group(result.groups, 'Bob').metrics;
    expect(bob.pipeline_coverage).toMatchObject({ value: null, target: '0.00' });
    expect(bob.quota_attainment).toEqual({
      value: 1,
      numerator: '3000.00',
      denominator: '3000.00',
      target: '3000.00',
    });
    expect(bob.reps_at_or_above_quota).toEqual({ value: 1, numerator: 1, denominator: 1 });
    const company = evaluate({ metrics: ['pipeline_coverage', 'reps_at_or_above_quota'] }).groups[0]!.metrics;
    expect(company.pipeline_coverage).toMatchObject({ numerator: '27000.01', denominator: '30000.00' });
    expect(company.reps_at_or_above_quota).toMatchObject({ numerator: 1, denominator: 3 });
  });

  it('follows deals from stage to stage', () => {
    const company = evaluate({ metrics: ['stage_conversion', 'stage_losses', 'time_in_stage_days'] })
      .groups[0]!.metrics;
    expect(company.stage_conversion).toEqual({
      value: 0.5,
      breakdown: [
        { key: 'Prospecting', label: 'Prospecting', value: 1, numerator: 2, denominator: 2 },
        { key: 'Qualification', label: 'Qualification', value: 0.5, numerator: 1, denominator: 2 },
        { key: 'Proposal', label: 'Proposal', value: 1, numerator: 1, denominator: 1 },
      ],
    });
    expect(company.stage_losses!.value).toBe(1);
    expect(company.stage_losses!.breakdown!.map((b) => b.value)).toEqual([0, 1, 0]);
    // Prospecting: 10 and 10 days; Qualification: 10 and 41 (2024 is a leap year); Proposal: 16.
    expect(company.time_in_stage_days).toMatchObject({ value: 87 / 5, numerator: 87, denominator: 5 });
    expect(company.time_in_stage_days!.breakdown!.map((b) => b.value)).toEqual([10, 25.5, 16]);
  });

  it('counts activities by type, per rep per business day', () => {
    const company = evaluate({
      metrics: ['activities', 'activities_per_rep_per_day', 'activities_per_won_deal'],
    }).groups[0]!.metrics;
    expect(company.activities!.value).toBe(5);
    expect(company.activities!.breakdown!.find((b) => b.key === 'call')!.value).toBe(3);
    // Q1 2024 has 65 weekdays; three people were active (the ownerless call counts, but no person).
    expect(company.activities_per_rep_per_day).toMatchObject({ numerator: 5, denominator: 3 * 65 });
    expect(company.activities_per_won_deal).toEqual({ value: 5 / 3, numerator: 5, denominator: 3 });
  });

  it('sees nothing after the as-of day', () => {
    const company = evaluate({
      metrics: ['won_deals', 'lost_deals', 'open_pipeline_count', 'activities'],
      asOf: day('2024-02-15'),
    }).groups[0]!.metrics;
    expect(company.won_deals!.value).toBe(3);
    expect(company.lost_deals!.value).toBe(1);
    // Deals 2 and 4 are open on 2024-02-15; 5 and 6 do not exist yet.
    expect(company.open_pipeline_count!.value).toBe(2);
    expect(company.activities!.value).toBe(4);
  });

  it('counts a won deal cancelled by the as-of day as lost, and as won before its cancellation', () => {
    // Bob's expansion deal (3, 3,000.00 won on 2024-01-20) is cancelled on 2024-03-05.
    const cancelled = buildOpportunitySnapshot({
      stages: [...stages],
      opportunities: opportunities.map((o) => (o.id === 3 ? { ...o, cancelledOn: '2024-03-05' } : o)),
      changes,
    });
    const asOf = (date: string) =>
      evaluateMetrics(
        { ...input, opportunities: cancelled },
        {
          groupBy: 'rep',
          period: q1,
          asOf: day(date),
          currency: 'USD',
          metrics: ['won_revenue', 'won_deals', 'lost_deals', 'win_rate', 'sales_cycle_days'],
        },
      ).groups;
    const before = group(asOf('2024-03-04'), 'Bob').metrics;
    expect(before.won_revenue!.value).toBe('3000.00');
    expect(before.won_deals!.value).toBe(1);
    expect(before.sales_cycle_days!.value).toBe(50);
    const after = group(asOf('2024-03-31'), 'Bob').metrics;
    expect(after.won_revenue!.value).toBe('0.00');
    expect(after.won_deals!.value).toBe(0);
    expect(after.lost_deals!.value).toBe(1);
    expect(after.win_rate).toMatchObject({ value: 0, numerator: 0, denominator: 1 });
    expect(after.sales_cycle_days!.value).toBeNull();
    // Nobody else moves: Ann's figures are those of the uncancelled quarter.
    const ann = (groups: GroupResult[]) => group(groups, 'Ann').metrics;
    const standing = evaluate({
      groupBy: 'rep',
      metrics: ['won_revenue', 'won_deals', 'lost_deals', 'win_rate'],
    });
    expect(ann(asOf('2024-03-31'))).toMatchObject(ann(standing.groups));
  });

  it('leaves out what the scope does not show', () => {
    const result = evaluateMetrics(
      { ...input, visible: (person) => person !== 3 },
      {
        metrics: ['won_deals', 'lost_deals', 'quota'],
        groupBy: 'rep',
        period: q1,
        asOf: day('2024-03-31'),
        currency: 'USD',
      },
    );
    expect(result.groups.map((g) => g.label)).toEqual(['Ann', 'Bob']);
  });

  it('compares with the prior period as it stood at the same point', () => {
    const result = evaluate({
      metrics: ['pipeline_created', 'won_deals'],
      groupBy: 'rep',
      period: calendarMetricPeriod('quarter', day('2024-02-01')),
      compareTo: 'prior_period',
    });
    expect(result.prior).toEqual({
      from: day('2023-10-01'),
      to: day('2024-01-01'),
      label: '2023 Q4',
      // Q1 is complete on its last day, so Q4 is taken complete too: through 31 December, not
      // 92 days back from 31 March (30 December), which would drop Q4's last day.
      asOf: day('2023-12-31'),
    });
    const bob = group(result.groups, 'Bob').metrics;
    expect(bob.pipeline_created).toMatchObject({
      value: '20000.00',
      prior: { value: '3000.00' },
      change: '17000.00',
    });
    expect(bob.won_deals).toMatchObject({ value: 1, prior: { value: 0 }, change: 1 });
  });

  it('lists the records behind each number on request', () => {
    const rep = evaluate({
      metrics: ['won_revenue', 'win_rate', 'activities'],
      groupBy: 'rep',
      withRecords: true,
    });
    const ann = group(rep.groups, 'Ann').metrics;
    expect(ann.won_revenue!.records).toEqual({ kind: 'opportunity', ids: [1] });
    expect(ann.win_rate!.records).toEqual({ kind: 'opportunity', ids: [1, 2, 8] });
    expect(ann.activities!.records).toEqual({ kind: 'activity', ids: [1, 2] });
  });

  it('reports what it does not compute, and refuses a malformed request naming every field', () => {
    const result = evaluate({ metrics: ['mrr', 'quota'], groupBy: 'product' });
    expect(result.issues.map((issue) => [issue.code, issue.metric])).toEqual([
      ['not_computed', 'mrr'],
      ['not_applicable', 'quota'],
    ]);
    expect(result.groups.every((g) => g.metrics.quota!.value === null)).toBe(true);
    let caught: unknown;
    try {
      evaluateMetrics(input, {
        metrics: ['nonsense'],
        groupBy: 'planet' as never,
        period: { from: 10, to: 5 },
        asOf: 1.5,
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).problems.map((p) => p.field)).toEqual([
      'metrics[0]',
      'groupBy',
      'period',
      'asOf',
    ]);
    // Dollars and euros: the reporting currency must be named.
    expect(() =>
      evaluateMetrics(input, { metrics: ['won_revenue'], groupBy: 'company', period: q1, asOf: q1.to }),
    ).toThrow(AppError);
  });
});

describe('evaluateMetrics: ramp and exactness', () => {
  // Three tenured sellers sold 12,000, 24,000 and 36,000 in the year to the as-of day: the
  // benchmark is the median, 24,000 a year, 2,000 a month. Hana (hired 2024-03-15) sold 1,000 in
  // her second tenure month and 2,500 in her third: ramped in 3 months. Hugo (hired 2024-11-01)
  // has sold nothing in his two complete months: still ramping.
  const year = { from: day('2024-01-01'), to: day('2025-01-01') };
  const deal = (id: number, owner: number, amountMinor: number, closed: string): OpportunityInput => ({
    id,
    ...won,
    ownerPersonId: owner,
    amountMinor,
    createdOn: '2024-01-02',
    closeOn: closed,
    closedOn: closed,
  });
  const rampInput: MetricsInput = {
    opportunities: buildOpportunitySnapshot({
      stages: [...stages],
      opportunities: [
        deal(1, 1, 1_200_000, '2024-06-01'),
        deal(2, 2, 2_400_000, '2024-07-01'),
        deal(3, 3, 3_600_000, '2024-08-01'),
        deal(4, 4, 100_000, '2024-04-20'),
        deal(5, 4, 250_000, '2024-06-01'),
      ],
    }),
    activities: buildActivitySnapshot([]),
    dimensions: {
      people: [
        { id: 1, name: 'Tia', hiredOn: day('2020-01-01') },
        { id: 2, name: 'Tom', hiredOn: day('2020-01-01') },
        { id: 3, name: 'Ted', hiredOn: day('2020-01-01') },
        { id: 4, name: 'Hana', hiredOn: day('2024-03-15') },
        { id: 5, name: 'Hugo', hiredOn: day('2024-11-01') },
      ],
      assignments: [],
    },
    quotas: [1, 2, 3, 4, 5].map((personId) => ({ personId, ...year, targetMinor: 1_000_000 })),
  };

  it('measures months to the tenured median', () => {
    const ask = (groupBy: 'company' | 'rep') =>
      evaluateMetrics(rampInput, {
        metrics: ['ramp_months', 'hires_still_ramping'],
        groupBy,
        period: year,
        asOf: day('2024-12-31'),
      }).groups;
    expect(ask('company')[0]!.metrics).toEqual({
      ramp_months: { value: 3, numerator: 3, denominator: 1 },
      hires_still_ramping: { value: 1 },
    });
    const byRep = ask('rep');
    expect(group(byRep, 'Hana').metrics.ramp_months!.value).toBe(3);
    expect(group(byRep, 'Hugo').metrics.hires_still_ramping!.value).toBe(1);
    // Only hires make groups of ramp metrics: tenured sellers are the benchmark, not the measured.
    expect(byRep.map((g) => g.label)).toEqual(['Hana', 'Hugo']);
  });

  it('refuses a money sum it could not hold exactly', () => {
    const huge = buildOpportunitySnapshot({
      stages: [...stages],
      opportunities: [deal(1, 1, 2 ** 52, '2024-06-01'), deal(2, 1, 2 ** 52, '2024-06-02')],
    });
    expect(() =>
      evaluateMetrics(
        { ...rampInput, opportunities: huge },
        { metrics: ['won_revenue'], groupBy: 'company', period: year, asOf: day('2024-12-31') },
      ),
    ).toThrow(expect.objectContaining({ code: 'unsafe_integer' }));
  });
});
