import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromDayNumber, toDayNumber } from '../calendar/day-number.ts';
import {
  buildOpportunitySnapshot,
  type OpportunityChangeInput,
  type OpportunityInput,
} from '../snapshot/build-opportunity-snapshot.ts';
import { buildDealTimelines } from './deal-timelines.ts';
import { dealsAsOf } from './deals-as-of.ts';
import { forecastPeriod, pastWindow, type ForecastRequest } from './forecast-period.ts';

const stages = [
  { name: 'Prospecting', category: 'open' },
  { name: 'Proposal', category: 'open' },
  { name: 'Negotiation', category: 'open' },
  { name: 'Closed Won', category: 'won' },
  { name: 'Closed Lost', category: 'lost' },
] as const;
const openStages = ['Prospecting', 'Proposal', 'Negotiation'];
const stageProbabilities = { Prospecting: 10, Proposal: 50, Negotiation: 80 };
const day = toDayNumber;
const quarter = { from: day('2024-04-01'), to: day('2024-07-01') };

describe('no look-ahead', () => {
  // Deal 1: open, in Negotiation since 2024-04-20, before that in Prospecting, 100,000.00 closing
  // in May. Deal 2: created on 2024-04-20, in Negotiation, 900,000.00 closing in June.
  const opportunities: OpportunityInput[] = [
    {
      id: 1,
      stage: 'Negotiation',
      amountMinor: 10_000_000,
      createdOn: '2024-03-01',
      closeOn: '2024-05-15',
    },
    { id: 2, stage: 'Negotiation', amountMinor: 90_000_000, createdOn: '2024-04-20', closeOn: '2024-06-15' },
  ];
  const changes: OpportunityChangeInput[] = [
    {
      opportunityId: 1,
      changedAt: '2024-04-20T09:00:00Z',
      field: 'stage',
      oldValue: 'Prospecting',
      newValue: 'Negotiation',
    },
  ];
  const snapshot = buildOpportunitySnapshot({ stages: [...stages], opportunities, changes });
  const request: ForecastRequest = {
    period: quarter,
    asOf: day('2024-04-10'),
    groupBy: 'company',
    stageProbabilities,
  };

  it('never shows a deal created after the as-of day', () => {
    const deals = dealsAsOf(snapshot, buildDealTimelines(snapshot), request.asOf);
    expect(Array.from(deals.open.row, (row) => snapshot.id[row])).toEqual([1]);
    const forecast = forecastPeriod({ snapshot }, request);
    expect(forecast.stageWeighted).toEqual([
      { key: 0, closedMinor: 0, expectedMinor: 1_000_000, openDeals: 1 },
    ]);
  });

  it('shows a deal whose stage changed after the as-of day in its old stage, at its old age', () => {
    const deals = dealsAsOf(snapshot, buildDealTimelines(snapshot), request.asOf);
    expect(snapshot.stage.dictionary[deals.open.stage[0]!]).toBe('Prospecting');
    expect(deals.open.ageInStageDays[0]).toBe(day('2024-04-10') - day('2024-03-01'));
    // Prospecting at 10%: 100,000.00 × 0.1; the day after the change, Negotiation at 80% for both.
    expect(forecastPeriod({ snapshot }, request).stageWeighted[0]!.expectedMinor).toBe(1_000_000);
    const later = forecastPeriod({ snapshot }, { ...request, asOf: day('2024-04-20') });
    expect(later.stageWeighted[0]!.expectedMinor).toBe(80_000_000);
  });
});

type Event = {
  day: number;
  field: OpportunityChangeInput['field'];
  oldValue: string | null;
  newValue: string | null;
};
type RandomDeal = {
  created: number;
  amount: number;
  closeOn: number;
  steps: number[];
  outcome: 0 | 1 | 2;
  pushAfter: number;
  cutAfter: number;
};

/** The records and history of random deals, as they stood at the end of `asOf` (Infinity: now). */
function recordsAsOf(deals: RandomDeal[], base: number, asOf: number) {
  const opportunities: OpportunityInput[] = [];
  const changes: OpportunityChangeInput[] = [];
  deals.forEach((d, index) => {
    const id = index + 1;
    const created = base + d.created;
    if (created > asOf) return;
    // The deal's life: a stage step every steps[k] days, then won, lost or still open.
    const events: Event[] = [];
    let stage = 0;
    let at = created;
    for (const gap of d.steps) {
      at += gap;
      if (stage + 1 < openStages.length) {
        events.push({
          day: at,
          field: 'stage',
          oldValue: openStages[stage]!,
          newValue: openStages[stage + 1]!,
        });
        stage++;
      }
    }
    let closeOn = base + d.closeOn;
    if (d.pushAfter > 0) {
      events.push({
        day: created + d.pushAfter,
        field: 'close_on',
        oldValue: fromDayNumber(closeOn),
        newValue: fromDayNumber(closeOn + 30),
      });
      closeOn += 30;
    }
    let amount = d.amount;
    if (d.cutAfter > 0) {
      events.push({
        day: created + d.cutAfter,
        field: 'amount_minor',
        oldValue: String(amount),
        newValue: String(amount / 2),
      });
      amount /= 2;
    }
    let closedOn: number | null = null;
    if (d.outcome > 0) {
      at += 5;
      closedOn = at;
      events.push({
        day: at,
        field: 'stage',
        oldValue: openStages[stage]!,
        newValue: d.outcome === 1 ? 'Closed Won' : 'Closed Lost',
      });
    }
    events.sort((a, b) => a.day - b.day);
    let current = { stage: openStages[0]!, amount: d.amount, closeOn: base + d.closeOn };
    for (const [k, e] of events.entries()) {
      if (e.day > asOf) break;
      changes.push({
        opportunityId: id,
        changedAt: `${fromDayNumber(e.day)}T10:${String(k).padStart(2, '0')}:00Z`,
        field: e.field,
        oldValue: e.oldValue,
        newValue: e.newValue,
      });
      if (e.field === 'stage') current = { ...current, stage: e.newValue! };
      if (e.field === 'amount_minor') current = { ...current, amount: Number(e.newValue) };
      if (e.field === 'close_on') current = { ...current, closeOn: day(e.newValue!) };
    }
    const closed = closedOn !== null && closedOn <= asOf;
    opportunities.push({
      id,
      stage: current.stage,
      amountMinor: current.amount,
      dealType: index % 3 === 0 ? 'renewal' : 'new_business',
      createdOn: fromDayNumber(created),
      closeOn: fromDayNumber(current.closeOn),
      closedOn: closed ? fromDayNumber(closedOn!) : null,
      isClosed: closed,
      isWon: closed && d.outcome === 1,
    });
  });
  return buildOpportunitySnapshot({ stages: [...stages], opportunities, changes });
}

const randomDeal = fc.record({
  created: fc.integer({ min: 0, max: 360 }),
  amount: fc.integer({ min: 1, max: 50_000 }).map((x) => x * 200),
  closeOn: fc.integer({ min: 0, max: 500 }),
  steps: fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 3 }),
  outcome: fc.constantFrom(0 as const, 1 as const, 2 as const),
  pushAfter: fc.integer({ min: 0, max: 90 }),
  cutAfter: fc.integer({ min: 0, max: 90 }),
});

/** A deal of 200 created and closing on the base day, never pushed or cut, with this outcome. */
const sameDayDeal = (outcome: 0 | 1 | 2) => ({
  created: 0,
  amount: 200,
  closeOn: 0,
  steps: [],
  outcome,
  pushAfter: 0,
  cutAfter: 0,
});

describe('no look-ahead, for any history', () => {
  it('forecasts the same from the full history as from the history cut at the as-of day, propensity included', () => {
    const base = day('2023-01-01');
    fc.assert(
      fc.property(
        fc.array(randomDeal, { minLength: 1, maxLength: 60 }),
        // Up to two years in, so that the common shock has its past windows in some runs.
        fc.integer({ min: 30, max: 720 }),
        (deals, offset) => {
          const asOf = base + offset;
          const request: ForecastRequest = {
            period: { from: asOf - 20, to: asOf + 70 },
            asOf,
            groupBy: 'company',
            stageProbabilities,
            monteCarlo: { trials: 200, seed: 3 },
            model: { minObservations: 3 },
            // The propensity model too, trained on whatever little history there is.
            propensity: { minDeals: 4, minWins: 1, minLosses: 1, maturityDays: 0, observationStepDays: 7 },
          };
          // Deal scores are keyed by snapshot row, which differs between the two: compare by deal id.
          const run = (snapshot: ReturnType<typeof recordsAsOf>) => {
            const { dealScores, ...rest } = forecastPeriod({ snapshot }, request);
            const byId =
              dealScores && Array.from(dealScores.row, (r, i) => [snapshot.id[r], dealScores.probability[i]]);
            return { ...rest, byId: byId?.sort((a, b) => a[0]! - b[0]!) };
          };
          const full = run(recordsAsOf(deals, base, Infinity));
          const cut = run(recordsAsOf(deals, base, asOf));
          expect(full).toEqual(cut);
        },
      ),
      {
        numRuns: 150,
        // Found by CI: the held-out deals took every loss, so the fit saw only wins and its
        // Hessian stopped being positive definite.
        examples: [[[0, 2, 0, 0, 2, 2, 1].map((outcome) => sameDayDeal(outcome as 0 | 1 | 2)), 30]],
      },
    );
  });
});

describe('pastWindow', () => {
  const show = (w: { period: { from: number; to: number }; asOf: number }) => ({
    from: fromDayNumber(w.period.from),
    to: fromDayNumber(w.period.to),
    asOf: fromDayNumber(w.asOf),
  });

  it('steps a quarter back by whole quarters, the as-of day the same days into it', () => {
    const week4 = day('2024-04-28');
    expect(show(pastWindow(quarter, week4, 1))).toEqual({
      from: '2024-01-01',
      to: '2024-04-01',
      asOf: '2024-01-28',
    });
    expect(show(pastWindow(quarter, week4, 2))).toEqual({
      from: '2023-10-01',
      to: '2024-01-01',
      asOf: '2023-10-28',
    });
    expect(show(pastWindow(quarter, day('2024-03-31'), 5))).toEqual({
      from: '2023-01-01',
      to: '2023-04-01',
      asOf: '2022-12-31',
    });
  });

  it('keeps a late as-of day its distance from the end: three weeks before it stays three weeks before it', () => {
    expect(show(pastWindow(quarter, day('2024-06-09'), 1))).toEqual({
      from: '2024-01-01',
      to: '2024-04-01',
      asOf: '2024-03-10',
    });
  });

  it('steps any other period back by its length in days', () => {
    const period = { from: day('2024-04-10'), to: day('2024-05-10') };
    expect(show(pastWindow(period, day('2024-04-15'), 2))).toEqual({
      from: '2024-02-10',
      to: '2024-03-11',
      asOf: '2024-02-15',
    });
  });
});

describe('the common shock of the range', () => {
  // One deal a week for two years, each open 30 days, won every other time.
  const opportunities: OpportunityInput[] = [];
  const changes: OpportunityChangeInput[] = [];
  for (let k = 0; k < 104; k++) {
    const created = day('2022-01-03') + 7 * k;
    const closed = created + 30;
    const won = k % 2 === 0;
    opportunities.push({
      id: k + 1,
      stage: won ? 'Closed Won' : 'Closed Lost',
      amountMinor: 100_000 + 1_000 * (k % 7),
      createdOn: fromDayNumber(created),
      closeOn: fromDayNumber(closed),
      closedOn: fromDayNumber(closed),
    });
    changes.push(
      {
        opportunityId: k + 1,
        changedAt: `${fromDayNumber(created)}T09:00:00Z`,
        field: 'stage',
        oldValue: null,
        newValue: 'Prospecting',
      },
      {
        opportunityId: k + 1,
        changedAt: `${fromDayNumber(closed)}T09:00:00Z`,
        field: 'stage',
        oldValue: 'Prospecting',
        newValue: won ? 'Closed Won' : 'Closed Lost',
      },
    );
  }
  const snapshot = buildOpportunitySnapshot({ stages: [...stages], opportunities, changes });
  const request = (asOf: string, shockWindows?: number): ForecastRequest => ({
    period: { from: day(asOf) + 1, to: day(asOf) + 92 },
    asOf: day(asOf),
    groupBy: 'company',
    stageProbabilities,
    monteCarlo: { trials: 500, seed: 5 },
    model: { minObservations: 3 },
    ...(shockWindows !== undefined ? { shockWindows } : {}),
  });

  it('says the range treats deals as independent when there are too few past periods to learn from', () => {
    const early = forecastPeriod({ snapshot }, request('2022-09-30'));
    expect(early.shock).toMatchObject({ sd: 0 });
    expect(early.shock!.windows).toBeLessThan(3);
    expect(early.issues.map((i) => i.code)).toContain('independent_deals');
  });

  it('learns from past periods once there are enough, only from windows closed by the as-of day', () => {
    const asOf = '2023-12-31';
    const later = forecastPeriod({ snapshot }, request(asOf));
    expect(later.issues.map((i) => i.code)).not.toContain('independent_deals');
    // The past windows recomputed here: each one's historical forecast of revenue still to come
    // (its own as-of day, no range), against what the raw deals above won after that day.
    const { period } = request(asOf);
    let weightedSquares = 0;
    let weights = 0;
    let windows = 0;
    for (let k = 1; k <= 8; k++) {
      const w = pastWindow(period, day(asOf), k);
      if (w.period.to - 1 > day(asOf) || w.asOf - day('2022-01-03') < 180) continue;
      const past = forecastPeriod(
        { snapshot },
        {
          period: w.period,
          asOf: w.asOf,
          groupBy: 'company',
          stageProbabilities,
          model: { minObservations: 3 },
        },
      );
      const forecast = past.historical.reduce((sum, g) => sum + g.expectedMinor - g.closedMinor, 0);
      const actual = opportunities
        .filter(
          (o) => o.stage === 'Closed Won' && day(o.closedOn!) > w.asOf && day(o.closedOn!) < w.period.to,
        )
        .reduce((sum, o) => sum + o.amountMinor!, 0);
      if (forecast <= 0) continue;
      windows++;
      weightedSquares += (actual - forecast) ** 2 / forecast;
      weights += forecast;
    }
    expect(windows).toBeGreaterThanOrEqual(3);
    expect(later.shock!.windows).toBe(windows);
    expect(later.shock!.pastError).toBeCloseTo(Math.sqrt(weightedSquares / weights), 12);
    // σ² = ln((1 + past error²) / (1 + independent error²)), at least 0.
    const { sd, pastError, independentError } = later.shock!;
    expect(sd ** 2).toBeCloseTo(
      Math.max(0, Math.log((1 + pastError ** 2) / (1 + independentError ** 2))),
      10,
    );
    // Without windows the shock is off, the range is the independent one, and nothing is said.
    const off = forecastPeriod({ snapshot }, request(asOf, 0));
    expect(off.shock).toMatchObject({ sd: 0, windows: 0 });
    expect(off.issues.map((i) => i.code)).not.toContain('independent_deals');
  });

  it('learns a period ahead of the as-of day from the periods before it that have ended', () => {
    const asOf = day('2023-12-20');
    const nextQuarter = forecastPeriod(
      { snapshot },
      {
        period: { from: day('2024-01-01'), to: day('2024-04-01') },
        asOf,
        groupBy: 'company',
        stageProbabilities,
        monteCarlo: { trials: 500, seed: 5 },
        model: { minObservations: 3 },
      },
    );
    // The quarter before it (Q4 2023) has not ended on 2023-12-20; the ones before that have.
    expect(nextQuarter.shock!.windows).toBeGreaterThanOrEqual(3);
    expect(nextQuarter.issues.map((i) => i.code)).not.toContain('independent_deals');
  });

  it('gives the same forecast from the past periods it keeps per snapshot as from fresh ones', () => {
    const first = forecastPeriod({ snapshot }, request('2023-12-31'));
    const again = forecastPeriod({ snapshot }, request('2023-12-31'));
    const fresh = forecastPeriod(
      { snapshot: buildOpportunitySnapshot({ stages: [...stages], opportunities, changes }) },
      request('2023-12-31'),
    );
    expect(again).toEqual(first);
    expect(fresh).toEqual(first);
    // Another as-of day is another set of past periods.
    expect(forecastPeriod({ snapshot }, request('2023-11-30')).shock!.pastError).not.toBe(
      first.shock!.pastError,
    );
  });

  it('refuses more than 24 windows', () => {
    expect(() => forecastPeriod({ snapshot }, request('2023-12-31', 25))).toThrow(/not valid/);
  });
});
