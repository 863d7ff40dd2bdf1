/**
 * What happens after a deal is won: yearly subscription terms that renew (often with expansion or a
 * price uplift), contract or churn; a renewal opportunity for every term end; invoices and the
 * payments that settle them. Each term is its own subscription record (`sub-…-1`, `sub-…-2`, …),
 * so MRR, renewal rate and net revenue retention can be read off the records directly.
 */
import type {
  CanonicalRecord,
  InvoiceRecord,
  OpportunityHistoryEntry,
  OpportunityRecord,
} from '../records.ts';
import { addMonths, formatIsoDay, formatIsoInstant } from './day-numbers.ts';
import { churnReasons, competitors, demoCurrency } from './demo-parameters.ts';
import { generateRenewalActivities } from './generate-activities.ts';
import { formatKey, type GenerationContext } from './generation-context.ts';
import { closedLostStage, closedWonStage, nativeStages } from './native-stages.ts';
import type { RepProfile } from './plan-organisation.ts';
import { grossMarginAfterDiscountBps, type SimulatedOpportunity } from './simulate-opportunity.ts';

/** Renewal conversations start about a quarter before the term ends. */
const renewalLeadDays = 90;

function* invoiceWithPayment(
  context: GenerationContext,
  accountRef: string | null,
  subscriptionRef: string | null,
  opportunityRef: string | null,
  issuedDay: number,
  amountMinor: number,
): Generator<CanonicalRecord> {
  const random = context.random.invoices;
  context.counters.invoices += 1;
  const invoice: InvoiceRecord = {
    key: formatKey('inv', context.counters.invoices, 9),
    accountRef,
    subscriptionRef,
    opportunityRef,
    issuedOn: formatIsoDay(issuedDay),
    dueOn: formatIsoDay(issuedDay + 30),
    amountMinor,
    currency: demoCurrency,
  };
  if (context.wants('invoice')) yield { kind: 'invoice', record: invoice };
  const roll = random.next();
  // About 2% is never collected; about 5% is paid well after the due date.
  if (roll < 0.02) return;
  const paidDay =
    issuedDay + Math.round(random.logNormal(Math.log(24), 0.35)) + (roll < 0.07 ? random.int(30, 90) : 0);
  if (paidDay >= context.settings.asOfDay) return;
  context.counters.payments += 1;
  if (context.wants('payment')) {
    yield {
      kind: 'payment',
      record: {
        key: formatKey('pay', context.counters.payments, 9),
        invoiceRef: invoice.key,
        paidOn: formatIsoDay(paidDay),
        amountMinor,
        currency: demoCurrency,
      },
    };
  }
}

type RenewalTerm = {
  deal: SimulatedOpportunity;
  termEndDay: number;
  createdDay: number;
  decisionDay: number;
  decided: boolean;
  churned: boolean;
  churnReason: string | null;
  currentAnnualMinor: number;
  proposedAnnualMinor: number;
};

function ownerOn(rep: RepProfile, day: number): string {
  return day >= rep.leftDay ? rep.team.managerKey : rep.key;
}

/** The renewal opportunity of one term: opened a quarter ahead, won when the customer renews. */
function makeRenewalOpportunity(context: GenerationContext, term: RenewalTerm): OpportunityRecord {
  const { deal } = term;
  const { asOfDay } = context.settings;
  const random = context.random.subscriptions;
  const rep = deal.rep;
  type Event = { day: number; entry: Omit<OpportunityHistoryEntry, 'at' | 'source'> };
  const proposal = nativeStages[4];
  const negotiation = nativeStages[5];
  const events: Event[] = [
    {
      day: term.createdDay,
      entry: {
        stage: proposal?.name ?? 'Proposal',
        probability: proposal?.probability ?? 60,
        amountMinor: term.currentAnnualMinor,
        closeOn: formatIsoDay(term.termEndDay),
        ownerRef: ownerOn(rep, term.createdDay),
      },
    },
  ];
  const negotiationDay = term.termEndDay - 45;
  const lastDay = term.decided ? term.decisionDay : asOfDay - 1;
  if (negotiationDay > term.createdDay && negotiationDay < lastDay) {
    events.push({
      day: negotiationDay,
      entry: {
        stage: negotiation?.name ?? 'Negotiation',
        probability: negotiation?.probability ?? 80,
        amountMinor: term.proposedAnnualMinor,
      },
    });
  }
  if (rep.leftDay > term.createdDay && rep.leftDay <= lastDay)
    events.push({ day: rep.leftDay, entry: { ownerRef: rep.team.managerKey } });
  if (term.decided) {
    events.push({
      day: term.decisionDay,
      entry: term.churned
        ? { stage: closedLostStage, probability: 0, closeOn: formatIsoDay(term.decisionDay) }
        : {
            stage: closedWonStage,
            probability: 100,
            amountMinor: term.proposedAnnualMinor,
            closeOn: formatIsoDay(term.decisionDay),
          },
    });
  }
  // Stable sort: same-day events keep their logical order.
  events.sort((a, b) => a.day - b.day);
  let minute = random.int(480, 900);
  let previousDay = -1;
  const history: OpportunityHistoryEntry[] = events.map(({ day, entry }) => {
    minute = day === previousDay ? Math.min(minute + random.int(1, 60), 1_439) : random.int(480, 1_080);
    previousDay = day;
    return { at: formatIsoInstant(day, minute), source: 'generated', ...entry };
  });
  let stageIndex = 4;
  let amountMinor = term.currentAnnualMinor;
  for (const { entry } of events) {
    if (entry.stage === negotiation?.name) stageIndex = 5;
    if (entry.amountMinor !== undefined && entry.amountMinor !== null) amountMinor = entry.amountMinor;
  }
  const stage = term.decided ? (term.churned ? nativeStages[7] : nativeStages[6]) : nativeStages[stageIndex];
  context.counters.opportunities += 1;
  const accountName = context.accountNames[deal.accountIndex] ?? 'Unknown account';
  return {
    key: formatKey('opp', context.counters.opportunities, 9),
    name: `${accountName} - ${deal.product.family} renewal ${formatIsoDay(term.termEndDay).slice(0, 4)}`,
    accountRef: deal.record.accountRef,
    ownerRef: ownerOn(rep, Math.min(lastDay, asOfDay - 1)),
    productRef: deal.product.key,
    stage: stage?.name ?? 'Proposal',
    forecastCategory: term.decided
      ? term.churned
        ? 'omitted'
        : 'closed'
      : stageIndex === 5
        ? 'commit'
        : 'best_case',
    probability: stage?.probability ?? null,
    amountMinor,
    currency: demoCurrency,
    dealType: 'renewal',
    leadSource: 'Existing customer',
    createdOn: formatIsoDay(term.createdDay),
    engagedOn: formatIsoDay(term.createdDay),
    closeOn: formatIsoDay(term.decided ? term.decisionDay : term.termEndDay),
    closedOn: term.decided ? formatIsoDay(term.decisionDay) : null,
    lostReason: term.churned && term.decided ? term.churnReason : null,
    competitor:
      term.churned && term.decided && term.churnReason === 'Switched to competitor'
        ? random.pick(competitors)
        : null,
    discountBps: 0,
    grossMarginBps: grossMarginAfterDiscountBps(deal.product, 0),
    contactCount: random.int(1, 3),
    history,
  };
}

/** Subscriptions, renewals, invoices and payments that follow a won deal, up to today. */
export function* generateCustomerLife(
  context: GenerationContext,
  deal: SimulatedOpportunity,
): Generator<CanonicalRecord> {
  const { asOfDay, maxOpportunities } = context.settings;
  const random = context.random.subscriptions;
  const billing = context.wants('invoice') || context.wants('payment');
  const accountRef = deal.record.accountRef;
  const startDay = deal.lastDay + random.int(1, 14);
  if (startDay >= asOfDay) return;
  const dealAmountMinor = deal.record.amountMinor ?? 0;
  if (!deal.product.recurring) {
    if (billing)
      yield* invoiceWithPayment(context, accountRef, null, deal.record.key, startDay, dealAmountMinor);
    return;
  }
  const { rep } = deal;
  // Customers of weak reps were sold less carefully and churn more; heroes' customers stay.
  const churnRate = rep.segment.churnRate * (rep.tier === 'tail' ? 1.3 : rep.tier === 'hero' ? 0.8 : 1);
  context.counters.subscriptions += 1;
  const subscriptionRoot = formatKey('sub', context.counters.subscriptions, 9);
  let mrrMinor = Math.max(1, Math.round(dealAmountMinor / 12));
  let termStart = startDay;
  let termNumber = 1;
  let termOpportunityRef: string | null = deal.record.key;
  for (;;) {
    const termEndDay = addMonths(termStart, 12) - 1;
    const decisionDay = termEndDay - random.int(0, 25);
    const churned = random.chance(churnRate);
    const roll = random.next();
    const nextMrrMinor = churned
      ? mrrMinor
      : Math.max(
          1,
          Math.round(
            mrrMinor *
              (roll < 0.3 ? random.between(1.1, 1.4) : roll < 0.4 ? random.between(0.75, 0.95) : 1.03),
          ),
        );
    const churnReason = churned ? random.pick(churnReasons) : null;
    const ended = termEndDay < asOfDay;
    const subscriptionKey = `${subscriptionRoot}-${termNumber}`;
    if (context.wants('subscription')) {
      yield {
        kind: 'subscription',
        record: {
          key: subscriptionKey,
          accountRef,
          productRef: deal.product.key,
          plan: deal.product.name,
          mrrMinor,
          currency: demoCurrency,
          startedOn: formatIsoDay(termStart),
          endedOn: ended ? formatIsoDay(termEndDay) : null,
          churnReason: ended ? churnReason : null,
        },
      };
    }
    if (billing) {
      const everyMonths = rep.segment.billingMonths;
      for (
        let issuedDay = termStart, period = 0;
        issuedDay <= termEndDay && issuedDay < asOfDay;
        period += 1, issuedDay = addMonths(termStart, period * everyMonths)
      ) {
        yield* invoiceWithPayment(
          context,
          accountRef,
          subscriptionKey,
          termOpportunityRef,
          issuedDay,
          mrrMinor * everyMonths,
        );
      }
    }
    const createdDay = termEndDay - renewalLeadDays;
    if (createdDay >= asOfDay) return;
    const decided = decisionDay < asOfDay;
    let renewalRef: string | null = null;
    if (context.counters.opportunities < maxOpportunities) {
      const renewal = makeRenewalOpportunity(context, {
        deal,
        termEndDay,
        createdDay,
        decisionDay,
        decided,
        churned,
        churnReason,
        currentAnnualMinor: mrrMinor * 12,
        proposedAnnualMinor: nextMrrMinor * 12,
      });
      renewalRef = renewal.key;
      if (context.wants('opportunity')) yield { kind: 'opportunity', record: renewal };
      if (context.wants('activity')) {
        for (const activity of generateRenewalActivities(
          context,
          rep,
          renewal.key,
          deal.accountIndex,
          createdDay,
          decided ? decisionDay : asOfDay - 1,
        )) {
          yield { kind: 'activity', record: activity };
        }
      }
    }
    if (!decided || churned || termEndDay + 1 >= asOfDay) return;
    termStart = termEndDay + 1;
    mrrMinor = nextMrrMinor;
    termNumber += 1;
    termOpportunityRef = renewalRef;
  }
}
