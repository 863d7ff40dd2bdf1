/**
 * One new-business or expansion opportunity, lived day by day from creation to its close or to the
 * demo's "today": stage by stage with drop-off, close dates pushed when they slip, the amount
 * re-estimated at discovery and cut by the discount at proposal and negotiation, the owner handed
 * to the manager when the rep leaves. Every change is written to `history` as of its day.
 */
import type { ForecastCategory } from '../vocabulary.ts';
import type { OpportunityHistoryEntry, OpportunityRecord } from '../records.ts';
import { civilFromDay, endOfMonth, formatIsoDay, formatIsoInstant } from './day-numbers.ts';
import {
  competitiveLostReasons,
  competitors,
  demoCurrency,
  leadSources,
  lostReasonsByStage,
  productCatalogue,
  stageDropWeights,
  stageDurationWeights,
  type CatalogueProduct,
  type LeadSourceProfile,
} from './demo-parameters.ts';
import { formatKey, type GenerationContext } from './generation-context.ts';
import { closedLostStage, closedWonStage, nativeStages, openStageCount } from './native-stages.ts';
import { rampAt, type RepProfile } from './plan-organisation.ts';
import type { SeededRandom } from './random.ts';

export type OpportunityOutcome = 'open' | 'won' | 'lost';

export type SimulatedOpportunity = {
  record: OpportunityRecord;
  rep: RepProfile;
  accountIndex: number;
  product: CatalogueProduct;
  leadSource: LeadSourceProfile;
  outcome: OpportunityOutcome;
  createdDay: number;
  /** Minutes after midnight (UTC) the opportunity was created at. */
  createdMinute: number;
  /** Closing day, or the day before "today" while still open. */
  lastDay: number;
  /** Day each reached stage was entered (index = native stage index; won deals end with their close). */
  stageEntryDays: number[];
  /** Effort put into this deal relative to an average rep's average deal. */
  effort: number;
};

const stageCategoryForecast: readonly ForecastCategory[] = [
  'pipeline',
  'pipeline',
  'pipeline',
  'best_case',
  'best_case',
  'commit',
];
const sourceWeights = leadSources.map((source) => source.share);
const productWeightsBySegment = [0, 1, 2].map((segmentIndex) =>
  productCatalogue.map((product) => product.mix[segmentIndex] ?? 0),
);
const cycleWeight = stageDurationWeights.reduce((a, b) => a + b, 0);

/** Rounds money the way reps type it into a CRM: whole dollars. */
function roundToDollars(amountMinor: number): number {
  return Math.round(amountMinor / 100) * 100;
}

/** Gross margin after discount: revenue falls with the discount, cost does not. */
export function grossMarginAfterDiscountBps(product: CatalogueProduct, discountBps: number): number {
  const netPrice = product.listPriceMinor * (1 - discountBps / 10_000);
  return Math.round(10_000 * (1 - product.costMinor / netPrice));
}

/**
 * The deal's clock: stamps history entries in order (several changes on one day get increasing
 * minutes) and, before each event, applies what became due in between: close dates pushed when
 * they slip, the hand-over to the manager when the rep leaves.
 */
class DealTimeline {
  readonly history: OpportunityHistoryEntry[] = [];
  readonly createdMinute: number;
  closeOn: number;
  ownerRef: string;
  private ownerSwitched = false;
  private stampDay: number;
  private stampMinute: number;
  private readonly random: SeededRandom;
  private readonly rep: RepProfile;
  private readonly asOfDay: number;

  constructor(random: SeededRandom, rep: RepProfile, asOfDay: number, createdDay: number, closeOn: number) {
    this.random = random;
    this.rep = rep;
    this.asOfDay = asOfDay;
    this.closeOn = closeOn;
    this.ownerRef = rep.key;
    this.stampDay = createdDay;
    this.stampMinute = random.int(480, 1_080);
    this.createdMinute = this.stampMinute;
  }

  stamp(day: number): string {
    if (day === this.stampDay) {
      this.stampMinute = Math.min(this.stampMinute + this.random.int(1, 90), 1_439);
    } else {
      this.stampDay = day;
      this.stampMinute = this.random.int(480, 1_080);
    }
    return formatIsoInstant(day, this.stampMinute);
  }

  /** Applies the slips and the hand-over due before `day`; false when `day` is on or after today. */
  advanceTo(day: number): boolean {
    const { rep, random } = this;
    for (;;) {
      const pushDay = this.closeOn + 1 < day ? this.closeOn + 1 : Infinity;
      const switchDay = !this.ownerSwitched && rep.leftDay <= day ? rep.leftDay : Infinity;
      const next = Math.min(pushDay, switchDay);
      if (next === Infinity || next >= this.asOfDay) break;
      if (next === switchDay) {
        // The leaver's open deals go to the manager, who keeps them until they close.
        this.ownerSwitched = true;
        this.ownerRef = rep.team.managerKey;
        this.history.push({ at: this.stamp(next), source: 'generated', ownerRef: this.ownerRef });
      } else {
        this.closeOn = snapCloseDate(
          this.closeOn + Math.max(7, Math.round(rep.segment.stageDays * random.between(1.5, 5))),
          random.chance(0.5),
        );
        this.history.push({ at: this.stamp(next), source: 'generated', closeOn: formatIsoDay(this.closeOn) });
      }
    }
    return day < this.asOfDay;
  }
}

/** Simulates one opportunity the rep creates on `createdDay`, as known on the context's as-of day. */
export function simulateOpportunity(
  context: GenerationContext,
  rep: RepProfile,
  createdDay: number,
): SimulatedOpportunity {
  const random = context.random.opportunities;
  const { asOfDay } = context.settings;
  const segment = rep.segment;
  const leadSource = leadSources[random.weightedIndex(sourceWeights)] as LeadSourceProfile;
  const isExpansion = random.chance(0.25);
  // Expansion is sold into the installed base: the first third of the rep's book.
  const accountOffset = isExpansion
    ? random.int(0, Math.max(1, Math.floor(rep.accountCount / 3)) - 1)
    : random.int(0, rep.accountCount - 1);
  const accountIndex = rep.accountStart + accountOffset;
  const product = productCatalogue[
    random.weightedIndex(productWeightsBySegment[rep.segmentIndex] ?? [])
  ] as CatalogueProduct;
  const effort = rep.effort * random.logNormal(0, 0.3);
  // Skill ramps with tenure; a well-sourced lead and a well-worked deal raise the odds.
  const skill =
    (rep.skill * (0.55 + 0.45 * rampAt(rep.hiredDay, createdDay))) ** 0.8 *
    leadSource.winFactor *
    effort ** 0.3;
  // p^(1/skill): an average rep wins at the segment's rate, a much better one at about its square root.
  const winProbability = segment.winRate ** (1 / skill);
  // Good reps also move deals along faster (they qualify and multi-thread early).
  const speed = 0.8 + 0.2 * Math.min(skill, 2);

  const targetMinor =
    segment.meanDealMinor *
    (context.accountSize[accountIndex] ?? 1) *
    rep.sizeFactor *
    random.logNormal(-0.1, 0.45) *
    (isExpansion ? 0.5 : 1);
  let units = Math.max(1, Math.round(targetMinor / product.listPriceMinor));
  // The first estimate is optimistic; discovery turns it into a seat count.
  let amountMinor = roundToDollars(units * product.listPriceMinor * random.between(1, 1.15));
  let discountBps: number | null = null;
  let negotiatedDiscountBps = 0;
  const plannedDiscountBps = random.chance(0.75)
    ? random.logNormal(0, 0.4) * segment.discountBps * rep.discountFactor
    : 0;

  let stage = 0;
  // Reps expect to close faster than deals really move, hence the pushes later on.
  const timeline = new DealTimeline(
    random,
    rep,
    asOfDay,
    createdDay,
    snapCloseDate(
      createdDay + Math.round(segment.stageDays * cycleWeight * random.between(0.55, 0.9)),
      random.chance(0.5),
    ),
  );
  const history = timeline.history;
  const createdMinute = timeline.createdMinute;
  history.push({
    at: formatIsoInstant(createdDay, createdMinute),
    source: 'generated',
    stage: nativeStages[0]?.name ?? 'Prospecting',
    probability: nativeStages[0]?.probability ?? 10,
    amountMinor,
    closeOn: formatIsoDay(timeline.closeOn),
    ownerRef: timeline.ownerRef,
  });

  const stageEntryDays = [createdDay];
  let outcome: OpportunityOutcome = 'open';
  let day = createdDay;
  let closedDay = -1;
  for (let index = 0; index < openStageCount; index += 1) {
    const duration = Math.max(
      1,
      Math.round(
        (segment.stageDays * (stageDurationWeights[index] ?? 1) * random.logNormal(0, 0.45)) / speed,
      ),
    );
    if (random.next() < winProbability ** (stageDropWeights[index] ?? 0)) {
      const nextDay = day + duration;
      if (!timeline.advanceTo(nextDay)) break;
      day = nextDay;
      stage = index + 1;
      stageEntryDays.push(day);
      if (stage === openStageCount) {
        outcome = 'won';
        closedDay = day;
        timeline.closeOn = day;
        history.push({
          at: timeline.stamp(day),
          source: 'generated',
          stage: closedWonStage,
          probability: 100,
          closeOn: formatIsoDay(day),
        });
        break;
      }
      const entry: OpportunityHistoryEntry = {
        at: timeline.stamp(day),
        source: 'generated',
        stage: nativeStages[stage]?.name ?? 'Prospecting',
        probability: nativeStages[stage]?.probability ?? null,
      };
      let newAmount = amountMinor;
      if (stage === 2) {
        // Discovery re-scopes the deal: the first guess becomes a real seat count, often smaller.
        const scope = random.next();
        if (scope < 0.2) units = Math.max(1, Math.round(units * random.between(0.6, 0.9)));
        else if (scope < 0.3) units = Math.max(1, Math.round(units * random.between(1.1, 1.4)));
        newAmount = roundToDollars(units * product.listPriceMinor);
      } else if (stage === 4 || stage === 5) {
        // The quote carries part of the discount; negotiation takes the rest. Deals expected to
        // close in a quarter's last month are discounted deeper (deal-desk pressure at quarter end).
        if (stage === 4) {
          const quarterEnd =
            plannedDiscountBps > 0 && civilFromDay(timeline.closeOn).month % 3 === 0 ? 400 : 0;
          negotiatedDiscountBps = Math.min(
            product.maxDiscountBps,
            Math.round((plannedDiscountBps + quarterEnd) / 50) * 50,
          );
        }
        discountBps =
          stage === 4 ? Math.round((negotiatedDiscountBps * 0.6) / 50) * 50 : negotiatedDiscountBps;
        newAmount = roundToDollars(units * product.listPriceMinor * (1 - discountBps / 10_000));
      }
      if (newAmount !== amountMinor) {
        amountMinor = newAmount;
        entry.amountMinor = amountMinor;
      }
      history.push(entry);
    } else {
      // Lost deals linger: "no decision" takes longer than a yes.
      const lostDay = day + Math.max(1, Math.round(duration * random.between(0.5, 2)));
      if (!timeline.advanceTo(lostDay)) break;
      outcome = 'lost';
      closedDay = lostDay;
      timeline.closeOn = lostDay;
      history.push({
        at: timeline.stamp(lostDay),
        source: 'generated',
        stage: closedLostStage,
        probability: 0,
        closeOn: formatIsoDay(lostDay),
      });
      break;
    }
  }
  if (outcome === 'open') timeline.advanceTo(asOfDay);

  let lostReason: string | null = null;
  let competitor: string | null = null;
  if (outcome === 'lost') {
    lostReason = random.pick(lostReasonsByStage[stage] ?? ['No decision']);
    if (competitiveLostReasons.has(lostReason) || random.chance(0.2)) competitor = random.pick(competitors);
  } else if (stage >= 3 && random.chance(0.3)) {
    competitor = random.pick(competitors);
  }
  const contacts = Math.max(
    1,
    Math.round(((rep.segment.contactsAtClose * (stage + 1)) / openStageCount) * random.logNormal(0, 0.3)),
  );
  const stageDefinition =
    outcome === 'won' ? nativeStages[6] : outcome === 'lost' ? nativeStages[7] : nativeStages[stage];
  const forecastCategory: ForecastCategory =
    outcome === 'won'
      ? 'closed'
      : outcome === 'lost'
        ? 'omitted'
        : (stageCategoryForecast[stage] ?? 'pipeline');
  context.counters.opportunities += 1;
  const accountName = context.accountNames[accountIndex] ?? 'Unknown account';
  const record: OpportunityRecord = {
    key: formatKey('opp', context.counters.opportunities, 9),
    name: `${accountName} - ${product.family}${isExpansion ? ' expansion' : ''}`,
    accountRef: formatKey('acct', accountIndex + 1, 7),
    ownerRef: timeline.ownerRef,
    productRef: product.key,
    stage: stageDefinition?.name ?? 'Prospecting',
    forecastCategory,
    probability: stageDefinition?.probability ?? null,
    amountMinor,
    currency: demoCurrency,
    dealType: isExpansion ? 'expansion' : 'new_business',
    leadSource: leadSource.source,
    createdOn: formatIsoDay(createdDay),
    engagedOn: stageEntryDays[1] === undefined ? null : formatIsoDay(stageEntryDays[1]),
    closeOn: formatIsoDay(timeline.closeOn),
    closedOn: closedDay >= 0 ? formatIsoDay(closedDay) : null,
    lostReason,
    competitor,
    discountBps,
    grossMarginBps: grossMarginAfterDiscountBps(product, discountBps ?? 0),
    contactCount: contacts,
    history,
  };
  return {
    record,
    rep,
    accountIndex,
    product,
    leadSource,
    outcome,
    createdDay,
    createdMinute,
    lastDay: closedDay >= 0 ? closedDay : asOfDay - 1,
    stageEntryDays,
    effort,
  };
}

/** Reps like round dates: half of all expected close dates are a month's last day. */
function snapCloseDate(day: number, toMonthEnd: boolean): number {
  return toMonthEnd ? endOfMonth(day) : day;
}
