import { createHash } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import type {
  ActivityRecord,
  CanonicalRecord,
  InvoiceRecord,
  LeadRecord,
  OpportunityRecord,
  PaymentRecord,
  PersonRecord,
  QuotaRecord,
  SubscriptionRecord,
} from '../records.ts';
import { parseIsoDay } from './day-numbers.ts';
import { productCatalogue } from './demo-parameters.ts';
import { generateOrganisation, type GenerateOrganisationOptions } from './generate-organisation.ts';
import { nativeStages } from './native-stages.ts';
import { planOrganisation } from './plan-organisation.ts';

const demoOptions: GenerateOrganisationOptions = { seed: 42, reps: 50, startOn: '2023-01-01', months: 24 };
const asOf = '2025-01-01';

function hashRecords(records: Iterable<CanonicalRecord>, limit: number): string {
  const hash = createHash('sha256');
  let count = 0;
  for (const record of records) {
    hash.update(JSON.stringify(record));
    hash.update('\n');
    count += 1;
    if (count >= limit) break;
  }
  return hash.digest('hex');
}

type Demo = {
  records: CanonicalRecord[];
  people: Map<string, PersonRecord>;
  opportunities: OpportunityRecord[];
  activities: ActivityRecord[];
  leads: LeadRecord[];
  subscriptions: SubscriptionRecord[];
  invoices: InvoiceRecord[];
  payments: PaymentRecord[];
  quotas: QuotaRecord[];
  counts: Record<string, number>;
};

function collect(options: GenerateOrganisationOptions): Demo {
  const demo: Demo = {
    records: [],
    people: new Map(),
    opportunities: [],
    activities: [],
    leads: [],
    subscriptions: [],
    invoices: [],
    payments: [],
    quotas: [],
    counts: {},
  };
  for (const item of generateOrganisation(options)) {
    demo.records.push(item);
    demo.counts[item.kind] = (demo.counts[item.kind] ?? 0) + 1;
    if (item.kind === 'person') demo.people.set(item.record.key, item.record);
    else if (item.kind === 'opportunity') demo.opportunities.push(item.record);
    else if (item.kind === 'activity') demo.activities.push(item.record);
    else if (item.kind === 'lead') demo.leads.push(item.record);
    else if (item.kind === 'subscription') demo.subscriptions.push(item.record);
    else if (item.kind === 'invoice') demo.invoices.push(item.record);
    else if (item.kind === 'payment') demo.payments.push(item.record);
    else if (item.kind === 'quota') demo.quotas.push(item.record);
  }
  return demo;
}

const demo = collect(demoOptions);
const isClosed = (opportunity: OpportunityRecord): boolean =>
  opportunity.stage === 'Closed Won' || opportunity.stage === 'Closed Lost';
const isWon = (opportunity: OpportunityRecord): boolean => opportunity.stage === 'Closed Won';
const newBusiness = demo.opportunities.filter((opportunity) => opportunity.dealType !== 'renewal');
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};
const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
const winRate = (opportunities: OpportunityRecord[]): number => {
  const closed = opportunities.filter(isClosed);
  return closed.filter(isWon).length / Math.max(1, closed.length);
};
/** Spearman rank correlation (ties broken by order; good enough for continuous measures). */
function rankCorrelation(xs: number[], ys: number[]): number {
  const ranks = (values: number[]): number[] => {
    const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
    const result = new Array<number>(values.length);
    order.forEach(({ index }, rank) => (result[index] = rank));
    return result;
  };
  const rx = ranks(xs);
  const ry = ranks(ys);
  const mx = mean(rx);
  const my = mean(ry);
  let numerator = 0;
  let sx = 0;
  let sy = 0;
  for (let index = 0; index < xs.length; index += 1) {
    const dx = (rx[index] ?? 0) - mx;
    const dy = (ry[index] ?? 0) - my;
    numerator += dx * dy;
    sx += dx * dx;
    sy += dy * dy;
  }
  return numerator / Math.sqrt(sx * sy);
}

/** What each rep sold over the window, as the records show it. */
function repOutcomes(): {
  key: string;
  wonMinor: number;
  winRate: number;
  activities: number;
  opportunities: number;
  fullWindow: boolean;
}[] {
  const reps = [...demo.people.values()].filter((person) => person.role === 'rep');
  const activitiesByRep = new Map<string, number>();
  for (const activity of demo.activities)
    if (activity.personRef !== null)
      activitiesByRep.set(activity.personRef, (activitiesByRep.get(activity.personRef) ?? 0) + 1);
  return reps.map((rep) => {
    const own = newBusiness.filter((opportunity) => opportunity.history[0]?.ownerRef === rep.key);
    return {
      key: rep.key,
      wonMinor: own
        .filter((opportunity) => isWon(opportunity) && opportunity.ownerRef === rep.key)
        .reduce((sum, opportunity) => sum + (opportunity.amountMinor ?? 0), 0),
      winRate: winRate(own),
      activities: activitiesByRep.get(rep.key) ?? 0,
      opportunities: own.length,
      fullWindow: (rep.hiredOn ?? '') < demoOptions.startOn && rep.leftOn === null,
    };
  });
}

describe('generateOrganisation: determinism', () => {
  it('gives the same bytes for the same seed and options, other bytes for another seed', () => {
    const first = hashRecords(generateOrganisation(demoOptions), 10_000);
    const second = hashRecords(generateOrganisation(demoOptions), 10_000);
    const otherSeed = hashRecords(generateOrganisation({ ...demoOptions, seed: 43 }), 10_000);
    expect(second).toBe(first);
    expect(otherSeed).not.toBe(first);
    // Iterating the same iterable again restarts the same stream.
    const iterable = generateOrganisation(demoOptions);
    expect(hashRecords(iterable, 5_000)).toBe(hashRecords(iterable, 5_000));
  });

  it('emits exactly the full stream filtered when only some kinds are asked for', () => {
    const only = [...generateOrganisation({ ...demoOptions, kinds: ['person', 'opportunity', 'invoice'] })];
    const filtered = demo.records.filter(
      (item) => item.kind === 'person' || item.kind === 'opportunity' || item.kind === 'invoice',
    );
    expect(only.length).toBe(filtered.length);
    expect(JSON.stringify(only)).toBe(JSON.stringify(filtered));
  });

  it('stops at maxOpportunities and keeps the prefix unchanged', () => {
    const capped = [
      ...generateOrganisation({ ...demoOptions, maxOpportunities: 500, kinds: ['opportunity'] }),
    ];
    expect(capped.length).toBe(500);
    expect(JSON.stringify(capped.map((item) => item.record))).toBe(
      JSON.stringify(demo.opportunities.slice(0, 500)),
    );
  });

  it('refuses invalid options, naming every field at fault', () => {
    let caught: unknown;
    try {
      generateOrganisation({
        seed: 1.5,
        reps: 0,
        startOn: '2023-02-30',
        months: 24,
        kinds: ['nonsense' as never],
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    const fields = (caught as AppError).problems.map((problem) => problem.field).sort();
    expect(fields).toEqual(['kinds', 'reps', 'seed', 'startOn']);
    expect(() => generateOrganisation({ ...demoOptions, asOf: '2025-02-01' })).toThrow(AppError);
  });
});

describe('generateOrganisation: a complete, consistent organisation', () => {
  it('has every entity of the domain, in demo quantities', () => {
    expect(demo.counts).toMatchObject({
      person: expect.any(Number),
      account: expect.any(Number),
      product: productCatalogue.length,
    });
    expect(demo.counts.opportunity).toBeGreaterThan(2_500);
    expect(demo.counts.opportunity).toBeLessThan(5_000);
    expect(demo.counts.account).toBeGreaterThan(900);
    for (const kind of ['lead', 'subscription', 'invoice', 'payment', 'spend', 'quota'])
      expect(demo.counts[kind], kind).toBeGreaterThan(100);
    const roles = new Set([...demo.people.values()].map((person) => person.role));
    expect([...roles].sort()).toEqual(['director', 'executive', 'manager', 'rep', 'sdr']);
    expect([...demo.people.values()].filter((person) => person.role === 'rep')).toHaveLength(50);
    const perOpportunity = (demo.counts.activity ?? 0) / (demo.counts.opportunity ?? 1);
    expect(perOpportunity).toBeGreaterThan(4);
    expect(perOpportunity).toBeLessThan(6);
  });

  it('refers only to keys emitted earlier in the stream, and keys are unique', () => {
    const seen = new Map<string, Set<string>>();
    const problems: string[] = [];
    const has = (kind: string, key: string | null | undefined): void => {
      if (key !== null && key !== undefined && !(seen.get(kind)?.has(key) ?? false))
        problems.push(`${kind} ${key}`);
    };
    const add = (kind: string, key: string): void => {
      const keys = seen.get(kind) ?? new Set<string>();
      if (keys.has(key)) problems.push(`duplicate ${kind} ${key}`);
      keys.add(key);
      seen.set(kind, keys);
    };
    for (const item of demo.records) {
      switch (item.kind) {
        case 'person':
          has('person', item.record.managerRef);
          add('person', item.record.key);
          break;
        case 'account':
        case 'product':
          add(item.kind, item.record.key);
          break;
        case 'opportunity':
          has('person', item.record.ownerRef);
          has('account', item.record.accountRef);
          has('product', item.record.productRef);
          for (const entry of item.record.history) has('person', entry.ownerRef);
          add('opportunity', item.record.key);
          break;
        case 'activity':
          has('person', item.record.personRef);
          has('account', item.record.accountRef);
          has('opportunity', item.record.opportunityRef);
          add('activity', item.record.key);
          break;
        case 'lead':
          has('person', item.record.ownerRef);
          has('account', item.record.accountRef);
          has('opportunity', item.record.opportunityRef);
          add('lead', item.record.key);
          break;
        case 'subscription':
          has('account', item.record.accountRef);
          has('product', item.record.productRef);
          add('subscription', item.record.key);
          break;
        case 'invoice':
          has('account', item.record.accountRef);
          has('subscription', item.record.subscriptionRef);
          has('opportunity', item.record.opportunityRef);
          add('invoice', item.record.key);
          break;
        case 'payment':
          has('invoice', item.record.invoiceRef);
          add('payment', item.record.key);
          break;
        case 'quota':
          has('person', item.record.positionRef);
          break;
        case 'spend':
          break;
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
    expect(demo.opportunities.every((opportunity) => /^opp-\d{9}$/.test(opportunity.key))).toBe(true);
    expect(demo.people.has('rep-00042')).toBe(true);
  });

  it('uses the native pipeline, and replaying the history gives the record', () => {
    const stages = new Map(nativeStages.map((stage) => [stage.name, stage]));
    const mismatches: string[] = [];
    for (const opportunity of demo.opportunities) {
      expect(stages.get(opportunity.stage)?.probability).toBe(opportunity.probability);
      const state: {
        stage?: string;
        amountMinor?: number | null;
        closeOn?: string | null;
        ownerRef?: string | null;
      } = {};
      let previousAt = '';
      for (const entry of opportunity.history) {
        if (entry.source !== 'generated' || entry.at < previousAt || entry.at >= asOf)
          mismatches.push(`${opportunity.key} entry at ${entry.at}`);
        if (entry.stage !== undefined && stages.get(entry.stage)?.probability !== entry.probability)
          mismatches.push(`${opportunity.key} probability`);
        previousAt = entry.at;
        if (entry.stage !== undefined) state.stage = entry.stage;
        if (entry.amountMinor !== undefined) state.amountMinor = entry.amountMinor;
        if (entry.closeOn !== undefined) state.closeOn = entry.closeOn;
        if (entry.ownerRef !== undefined) state.ownerRef = entry.ownerRef;
      }
      if (opportunity.history[0]?.at.slice(0, 10) !== opportunity.createdOn)
        mismatches.push(`${opportunity.key} created`);
      if (
        state.stage !== opportunity.stage ||
        state.amountMinor !== opportunity.amountMinor ||
        state.closeOn !== opportunity.closeOn ||
        state.ownerRef !== opportunity.ownerRef
      ) {
        mismatches.push(`${opportunity.key} replay`);
      }
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });

  it('has closed history before asOf and open pipeline after it', () => {
    const open = demo.opportunities.filter((opportunity) => !isClosed(opportunity));
    expect(open.length).toBeGreaterThan(100);
    expect(
      demo.opportunities.every(
        (opportunity) => (opportunity.createdOn ?? '') < asOf && (opportunity.closedOn ?? '') < asOf,
      ),
    ).toBe(true);
    expect(
      open.every(
        (opportunity) => opportunity.closedOn === null && (opportunity.closeOn ?? '') >= '2024-12-31',
      ),
    ).toBe(true);
    expect(
      open.filter((opportunity) => (opportunity.closeOn ?? '') >= asOf).length / open.length,
    ).toBeGreaterThan(0.9);
    expect(demo.activities.every((activity) => activity.occurredAt < asOf)).toBe(true);
    expect(demo.payments.every((payment) => payment.paidOn < asOf)).toBe(true);
  });

  it('shows stage progression with close dates pushed and amounts cut', () => {
    const closed = newBusiness.filter(isClosed);
    const pushed = closed.filter((opportunity) =>
      opportunity.history.some((entry) => entry.closeOn !== undefined && entry.stage === undefined),
    );
    const cut = closed.filter((opportunity) => {
      const amounts = opportunity.history.flatMap((entry) =>
        entry.amountMinor === undefined || entry.amountMinor === null ? [] : [entry.amountMinor],
      );
      return amounts.some((amount, index) => index > 0 && amount < (amounts[index - 1] ?? 0));
    });
    expect(pushed.length / closed.length).toBeGreaterThan(0.15);
    expect(cut.length / closed.length).toBeGreaterThan(0.15);
    // Drop-off: each later stage is reached by fewer deals.
    const reached = [0, 1, 2, 3, 4, 5].map(
      (index) =>
        closed.filter((opportunity) =>
          opportunity.history.some((entry) => entry.stage === nativeStages[index]?.name),
        ).length,
    );
    for (let index = 1; index < reached.length; index += 1)
      expect(reached[index]).toBeLessThan(reached[index - 1] ?? 0);
  });
});

describe('generateOrganisation: realism of the reps=50 demo', () => {
  it('wins 15–40% of closed deals overall and 18–32% of new business', () => {
    expect(winRate(demo.opportunities)).toBeGreaterThan(0.15);
    expect(winRate(demo.opportunities)).toBeLessThan(0.4);
    expect(winRate(newBusiness)).toBeGreaterThan(0.18);
    expect(winRate(newBusiness)).toBeLessThan(0.32);
  });

  it('creates more in Q4 than in Q3, least in the summer', () => {
    const byMonth = new Array<number>(12).fill(0);
    for (const opportunity of newBusiness) {
      const month = Number((opportunity.createdOn ?? '').slice(5, 7)) - 1;
      byMonth[month] = (byMonth[month] ?? 0) + 1;
    }
    const quarter = (first: number): number =>
      (byMonth[first] ?? 0) + (byMonth[first + 1] ?? 0) + (byMonth[first + 2] ?? 0);
    expect(quarter(9)).toBeGreaterThan(1.2 * quarter(6));
    const summer = ((byMonth[6] ?? 0) + (byMonth[7] ?? 0)) / 2;
    expect(summer).toBeLessThan(0.85 * mean(byMonth));
  });

  it('concentrates revenue in a few heroes, far ahead of the long tail', () => {
    const reps = repOutcomes().filter((rep) => rep.fullWindow);
    const sorted = [...reps].sort((a, b) => b.wonMinor - a.wonMinor);
    const decile = Math.max(1, Math.round(sorted.length / 10));
    const topDecile = sorted.slice(0, decile).map((rep) => rep.wonMinor);
    const bottomDecile = sorted.slice(-decile).map((rep) => rep.wonMinor);
    expect(median(bottomDecile)).toBeGreaterThan(0);
    expect(median(topDecile)).toBeGreaterThanOrEqual(3 * median(bottomDecile));
    expect(median(topDecile)).toBeGreaterThanOrEqual(2.5 * median(reps.map((rep) => rep.wonMinor)));
  });

  it('gives heroes a markedly higher win rate and bigger deals than the long tail', () => {
    const plan = planOrganisation(
      demoOptions.seed,
      demoOptions.reps,
      parseIsoDay(demoOptions.startOn),
      parseIsoDay(asOf),
    );
    const repByKey = new Map(plan.reps.map((rep) => [rep.key, rep]));
    const segmentOf = (opportunity: OpportunityRecord): string =>
      repByKey.get(opportunity.history[0]?.ownerRef ?? '')?.segment.segment ?? '';
    const tierOf = (opportunity: OpportunityRecord): string =>
      repByKey.get(opportunity.history[0]?.ownerRef ?? '')?.tier ?? '';
    // Deal size relative to the segment's average won deal: segments differ tenfold, tiers should not hide behind that.
    const wonBySegment = new Map<string, number[]>();
    for (const opportunity of newBusiness.filter(isWon))
      wonBySegment.set(segmentOf(opportunity), [
        ...(wonBySegment.get(segmentOf(opportunity)) ?? []),
        opportunity.amountMinor ?? 0,
      ]);
    const relativeSize = (opportunity: OpportunityRecord): number =>
      (opportunity.amountMinor ?? 0) / mean(wonBySegment.get(segmentOf(opportunity)) ?? [1]);
    const tier = (name: string): { winRate: number; dealSize: number } => {
      const deals = newBusiness.filter((opportunity) => tierOf(opportunity) === name);
      return { winRate: winRate(deals), dealSize: mean(deals.filter(isWon).map(relativeSize)) };
    };
    const hero = tier('hero');
    const tail = tier('tail');
    expect(hero.winRate).toBeGreaterThan(2 * tail.winRate);
    expect(hero.dealSize).toBeGreaterThan(1.3 * tail.dealSize);
  });

  it('ramps new hires over about six months', () => {
    const hires = [...demo.people.values()].filter(
      (person) =>
        person.role === 'rep' &&
        (person.hiredOn ?? '') >= '2023-01-01' &&
        (person.hiredOn ?? '') < '2024-03-01' &&
        person.leftOn === null,
    );
    expect(hires.length).toBeGreaterThanOrEqual(2);
    let early = 0;
    let late = 0;
    for (const hire of hires) {
      const hired = Date.parse(hire.hiredOn ?? '');
      for (const opportunity of newBusiness) {
        if (opportunity.history[0]?.ownerRef !== hire.key) continue;
        const monthsIn = (Date.parse(opportunity.createdOn ?? '') - hired) / (30.44 * 86_400_000);
        if (monthsIn < 2) early += 1;
        else if (monthsIn >= 7 && monthsIn < 9) late += 1;
      }
    }
    expect(early).toBeLessThan(0.5 * late);
  });

  it('has leavers who stop selling on their last day; their open deals move to the manager', () => {
    const leavers = [...demo.people.values()].filter(
      (person) => person.role === 'rep' && person.leftOn !== null,
    );
    expect(leavers.length).toBeGreaterThanOrEqual(3);
    for (const leaver of leavers) {
      const leftOn = leaver.leftOn ?? '';
      const afterLeaving = demo.opportunities.filter(
        (opportunity) =>
          opportunity.ownerRef === leaver.key &&
          ((opportunity.createdOn ?? '') >= leftOn ||
            !isClosed(opportunity) ||
            (opportunity.closedOn ?? '') >= leftOn),
      );
      expect(afterLeaving.map((opportunity) => opportunity.key)).toEqual([]);
      expect(
        demo.activities.some(
          (activity) => activity.personRef === leaver.key && activity.occurredAt.slice(0, 10) >= leftOn,
        ),
      ).toBe(false);
    }
    const handedOver = demo.opportunities.filter((opportunity) =>
      opportunity.history.some((entry, index) => index > 0 && entry.ownerRef !== undefined),
    );
    expect(handedOver.length).toBeGreaterThan(0);
    expect(
      handedOver.every((opportunity) => demo.people.get(opportunity.ownerRef ?? '')?.role === 'manager'),
    ).toBe(true);
  });

  it('ties activity volume to outcomes', () => {
    const activityCount = new Map<string, number>();
    for (const activity of demo.activities)
      if (activity.opportunityRef !== null)
        activityCount.set(activity.opportunityRef, (activityCount.get(activity.opportunityRef) ?? 0) + 1);
    const won = newBusiness.filter(isWon).map((opportunity) => activityCount.get(opportunity.key) ?? 0);
    const lost = newBusiness
      .filter((opportunity) => opportunity.stage === 'Closed Lost')
      .map((opportunity) => activityCount.get(opportunity.key) ?? 0);
    expect(mean(won)).toBeGreaterThan(2 * mean(lost));
    const reps = repOutcomes().filter((rep) => rep.fullWindow && rep.opportunities > 0);
    expect(
      rankCorrelation(
        reps.map((rep) => rep.activities / rep.opportunities),
        reps.map((rep) => rep.winRate),
      ),
    ).toBeGreaterThan(0.3);
    expect(new Set(demo.activities.map((activity) => activity.type))).toEqual(
      new Set(['call', 'email', 'meeting', 'demo', 'quote', 'follow_up']),
    );
    expect(
      demo.activities.filter((activity) => activity.opportunityRef !== null).length / demo.activities.length,
    ).toBeGreaterThan(0.6);
  });

  it('gives every lost deal a reason, names competitors, and never a reason on a win', () => {
    const lost = demo.opportunities.filter((opportunity) => opportunity.stage === 'Closed Lost');
    expect(lost.every((opportunity) => opportunity.lostReason !== null)).toBe(true);
    expect(
      lost
        .filter((opportunity) => opportunity.lostReason === 'Lost to competitor')
        .every((opportunity) => opportunity.competitor !== null),
    ).toBe(true);
    expect(
      lost.filter((opportunity) => opportunity.competitor !== null).length / lost.length,
    ).toBeGreaterThan(0.1);
    expect(new Set(lost.map((opportunity) => opportunity.lostReason)).size).toBeGreaterThanOrEqual(6);
    expect(
      demo.opportunities
        .filter((opportunity) => opportunity.stage !== 'Closed Lost')
        .every((opportunity) => opportunity.lostReason === null),
    ).toBe(true);
  });

  it('lets discounts cut the amount and the gross margin', () => {
    const won = newBusiness.filter(isWon);
    const discounted = won.filter((opportunity) => (opportunity.discountBps ?? 0) > 0);
    expect(discounted.length / won.length).toBeGreaterThan(0.5);
    for (const opportunity of discounted) {
      const product = productCatalogue.find((candidate) => candidate.key === opportunity.productRef);
      const listMarginBps =
        product === undefined ? 0 : Math.round(10_000 * (1 - product.costMinor / product.listPriceMinor));
      expect(opportunity.grossMarginBps).toBeLessThan(listMarginBps);
      const firstAmount =
        opportunity.history.find((entry) => entry.stage === 'Proposal')?.amountMinor ?? Infinity;
      expect(opportunity.amountMinor).toBeLessThanOrEqual(firstAmount);
    }
    const platform = won.filter((opportunity) => opportunity.productRef === 'prod-001');
    const deep = platform
      .filter((opportunity) => (opportunity.discountBps ?? 0) >= 1_000)
      .map((opportunity) => opportunity.grossMarginBps ?? 0);
    const none = platform
      .filter((opportunity) => (opportunity.discountBps ?? 0) === 0)
      .map((opportunity) => opportunity.grossMarginBps ?? 0);
    expect(mean(deep)).toBeLessThan(mean(none) - 100);
  });

  it('renews, expands and churns subscriptions, with invoices and payments behind them', () => {
    const decided = demo.subscriptions.filter((subscription) => subscription.endedOn !== null);
    const churned = decided.filter((subscription) => subscription.churnReason !== null);
    expect(churned.length / decided.length).toBeGreaterThan(0.04);
    expect(churned.length / decided.length).toBeLessThan(0.3);
    const byRoot = new Map<string, SubscriptionRecord[]>();
    for (const subscription of demo.subscriptions) {
      const root = subscription.key.replace(/-\d+$/, '');
      byRoot.set(root, [...(byRoot.get(root) ?? []), subscription]);
    }
    const renewed = [...byRoot.values()].filter((terms) => terms.length > 1);
    expect(renewed.length).toBeGreaterThan(20);
    expect(renewed.some((terms) => (terms[1]?.mrrMinor ?? 0) > (terms[0]?.mrrMinor ?? 0) * 1.05)).toBe(true);
    const renewals = demo.opportunities.filter((opportunity) => opportunity.dealType === 'renewal');
    expect(renewals.filter(isWon).length).toBeGreaterThan(
      renewals.filter((opportunity) => opportunity.stage === 'Closed Lost').length,
    );
    expect(renewals.filter((opportunity) => opportunity.stage === 'Closed Lost').length).toBeGreaterThan(0);
    const invoices = new Map(demo.invoices.map((invoice) => [invoice.key, invoice]));
    expect(
      demo.payments.every(
        (payment) => invoices.get(payment.invoiceRef ?? '')?.amountMinor === payment.amountMinor,
      ),
    ).toBe(true);
    expect(demo.payments.length / demo.invoices.length).toBeGreaterThan(0.8);
    expect(demo.payments.length).toBeLessThan(demo.invoices.length);
  });

  it('sets a revenue quota for every rep in every quarter they work, rolled up to managers', () => {
    const repQuotas = demo.quotas.filter((quota) => quota.positionRef.startsWith('rep-'));
    expect(
      repQuotas.every(
        (quota) =>
          quota.measure === 'revenue' && quota.periodKind === 'quarter' && /^\d+\.\d{2}$/.test(quota.target),
      ),
    ).toBe(true);
    const veteran = [...demo.people.values()].find(
      (person) => person.role === 'rep' && person.leftOn === null && (person.hiredOn ?? '') < '2023-01-01',
    );
    expect(repQuotas.filter((quota) => quota.positionRef === veteran?.key)).toHaveLength(8);
    const managerQuotas = demo.quotas.filter((quota) => quota.positionRef.startsWith('mgr-'));
    expect(managerQuotas.length).toBeGreaterThan(0);
  });
});

describe('generateOrganisation: streaming', () => {
  it('streams a 2,000-rep organisation without materialising it', () => {
    const options: GenerateOrganisationOptions = { seed: 7, reps: 2_000, startOn: '2023-01-01', months: 24 };
    // A collection before each reading, so that the reading is what the generator holds, not what
    // the collector has not yet got round to (a lazy collector made an uncollected reading flaky).
    const collect = exposeGc();
    collect();
    const before = process.memoryUsage().heapUsed;
    let count = 0;
    let firstOpportunityAt = -1;
    let lastKey = '';
    const retained: number[] = [];
    for (const item of generateOrganisation(options)) {
      count += 1;
      if (item.kind === 'opportunity') {
        if (firstOpportunityAt < 0) firstOpportunityAt = count;
        lastKey = item.record.key;
      }
      if (count % 50_000 === 0) {
        collect();
        retained.push(process.memoryUsage().heapUsed - before);
      }
      if (count >= 200_000) break;
    }
    // Deals start as soon as people, accounts and products are out: nothing is generated ahead.
    expect(firstOpportunityAt).toBe(
      1 + [...generateOrganisation({ ...options, kinds: ['person', 'account', 'product'] })].length,
    );
    expect(lastKey > 'opp-000010000').toBe(true);
    // Holding these 200,000 records takes about 100 MB of heap. Streaming, what survives a full
    // collection stays near the start and does not grow with the number of records emitted.
    expect(Math.max(...retained)).toBeLessThan(32 * 1024 * 1024);
  });
});

/** Node's collector, made callable without starting the process with --expose-gc. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('gc');
  if (typeof gc !== 'function') throw new Error('could not expose the garbage collector');
  return () => {
    (gc as () => void)();
  };
}
