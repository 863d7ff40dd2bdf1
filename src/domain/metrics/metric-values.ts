/**
 * From the tallies of one evaluation to each metric's number for one group (docs/metrics.md): the
 * formulas, in integers while they are money, rounded once (half to even, at the minor unit).
 */
import { activityTypes } from '../vocabulary.ts';
import { divideHalfEven, divideHalfEvenBig } from '../money.ts';
import type { MetricsSide } from './metrics-side.ts';
import type { RecordRule } from './metric-tally.ts';
import { businessDaysBetween } from './metric-periods.ts';

/** A metric's number before formatting: money still in minor units. */
export type RawValue = {
  value: number | null;
  numerator?: number;
  denominator?: number;
  numeratorIsMoney?: boolean;
  denominatorIsMoney?: boolean;
  target?: number;
  breakdown?: RawBreakdown[];
  flags?: string[];
};

export type RawBreakdown = {
  key: string | null;
  label: string;
  value: number | null;
  numerator?: number;
  denominator?: number;
};

/** Per-group summaries that need the whole evaluation (people per group, totals, medians). */
export type SideSummary = {
  quotaCarriers: Map<number, number>;
  atOrAboveQuota: Map<number, number>;
  /** Won revenue of each person in each group, sorted descending (ties by person id). */
  peopleRevenue: Map<number, { person: number; revenue: number }[]>;
  cycleMedians: Map<number, number>;
  marginTotal: number;
  businessDays: number;
  businessDaysLeft: number;
};

/** Summaries of a finished evaluation, computed once for every group. */
export function summarise(side: MetricsSide): SideSummary {
  const { ledger } = side;
  const quotaCarriers = new Map<number, number>();
  const atOrAboveQuota = new Map<number, number>();
  const peopleRevenue = new Map<number, { person: number; revenue: number }[]>();
  const add = (map: Map<number, number>, slot: number) => map.set(slot, (map.get(slot) ?? 0) + 1);
  for (let i = 0; i < ledger.slot.length; i++) {
    const slot = ledger.slot[i]!;
    const quota = ledger.quota[i]!;
    const revenue = ledger.revenue[i]!;
    if (quota > 0) {
      add(quotaCarriers, slot);
      if (revenue >= quota) add(atOrAboveQuota, slot);
    }
    let list = peopleRevenue.get(slot);
    if (!list) peopleRevenue.set(slot, (list = []));
    list.push({ person: ledger.person[i]!, revenue });
  }
  for (const list of peopleRevenue.values())
    list.sort((a, b) => b.revenue - a.revenue || a.person - b.person);
  const cycleMedians = new Map<number, number>();
  for (const [slot, values] of side.cycles.bySlot()) {
    values.sort((a, b) => a - b);
    const middle = values.length >> 1;
    cycleMedians.set(
      slot,
      values.length % 2 === 1 ? values[middle]! : (values[middle - 1]! + values[middle]!) / 2,
    );
  }
  let marginTotal = 0;
  for (let slot = 0; slot < side.slots.size; slot++) marginTotal += side.tally.get('margin', slot);
  return {
    quotaCarriers,
    atOrAboveQuota,
    peopleRevenue,
    cycleMedians,
    marginTotal,
    businessDays: businessDaysBetween(side.windowFrom, side.windowTo),
    businessDaysLeft: businessDaysBetween(Math.max(side.period.from, side.asOf + 1), side.period.to),
  };
}

function ratio(numerator: number, denominator: number, money = false): RawValue {
  return {
    value: denominator === 0 ? null : numerator / denominator,
    numerator,
    denominator,
    numeratorIsMoney: money,
    denominatorIsMoney: money,
  };
}

/** Money ÷ a count, rounded half to even to the minor unit. */
function moneyPer(numerator: number, denominator: number): RawValue {
  return {
    // Exact: integers below 2^53 (divideHalfEven falls back to BigInt otherwise).
    value: denominator === 0 ? null : divideHalfEven(numerator, denominator),
    numerator,
    denominator,
    numeratorIsMoney: true,
  };
}

const typeLabels: Record<string, string> = {
  call: 'Calls',
  email: 'Emails',
  meeting: 'Meetings',
  demo: 'Demos',
  quote: 'Quotes',
  follow_up: 'Follow-ups',
  other: 'Other',
};

/** The raw value of a computed metric for a group slot (-1: the group has nothing on this side). */
export function rawValue(
  metric: string,
  side: MetricsSide,
  summary: SideSummary,
  slot: number,
  breakdowns = true,
): RawValue {
  const t = side.tally;
  const snapshot = side.inputSnapshot;
  switch (metric) {
    case 'won_revenue':
      return { value: t.get('wonAmount', slot) };
    case 'won_revenue_new_business':
      return { value: t.get('wonNewBusiness', slot) };
    case 'won_revenue_expansion':
      return { value: t.get('wonExpansion', slot) };
    case 'won_revenue_renewal':
      return { value: t.get('wonRenewal', slot) };
    case 'won_deals':
      return { value: t.get('won', slot) };
    case 'won_revenue_per_rep':
      return moneyPer(t.get('wonAmount', slot), carriersOf(summary, slot));
    case 'average_deal_size':
      return moneyPer(t.get('wonAmount', slot), t.get('wonWithAmount', slot));
    case 'gross_margin':
      return { value: t.get('margin', slot) };
    case 'gross_margin_rate':
      return ratio(t.get('margin', slot), t.get('marginBase', slot), true);
    case 'margin_mix':
      return ratio(t.get('margin', slot), summary.marginTotal, true);
    case 'win_rate':
      return ratio(t.get('won', slot), t.get('won', slot) + t.get('lost', slot));
    case 'cohort_win_rate':
      return ratio(t.get('createdWon', slot), t.get('createdWon', slot) + t.get('createdLost', slot));
    case 'close_rate':
      return ratio(t.get('createdWon', slot), t.get('created', slot));
    case 'competitive_win_rate':
      return ratio(t.get('competitiveWon', slot), t.get('competitiveDecided', slot));
    case 'lost_deals': {
      if (!breakdowns) return { value: t.get('lost', slot) };
      const width = t.reasonWidth;
      const breakdown: RawBreakdown[] = [];
      if (slot >= 0) {
        for (let code = 0; code < width; code++) {
          const count = t.lostByReason[slot * width + code]!;
          if (count === 0) continue;
          const label = code === width - 1 ? 'No lost reason' : snapshot.lostReason.dictionary[code]!;
          breakdown.push({ key: code === width - 1 ? null : label, label, value: count, numerator: count });
        }
      }
      // By reason, "no reason" last.
      breakdown.sort((a, b) => (a.key === null ? 1 : b.key === null ? -1 : a.label < b.label ? -1 : 1));
      return { value: t.get('lost', slot), breakdown };
    }
    case 'sales_cycle_days':
      return ratio(t.get('cycleDays', slot), t.get('cycleDeals', slot));
    case 'sales_cycle_median_days':
      return { value: summary.cycleMedians.get(slot) ?? null };
    case 'sales_velocity': {
      // open × won × wonAmount × cycleDeals ÷ (decided × wonWithAmount × cycleDays), exactly.
      const factors = [
        t.get('open', slot),
        t.get('won', slot),
        t.get('wonAmount', slot),
        t.get('cycleDeals', slot),
      ];
      const divisors = [
        t.get('won', slot) + t.get('lost', slot),
        t.get('wonWithAmount', slot),
        t.get('cycleDays', slot),
      ];
      if (divisors.some((d) => d === 0)) return { value: null };
      const numerator = factors.reduce((p, f) => p * BigInt(f), 1n);
      const denominator = divisors.reduce((p, d) => p * BigInt(d), 1n);
      return { value: Number(divideHalfEvenBig(numerator, denominator)) };
    }
    case 'pipeline_created':
      return { value: t.get('createdAmount', slot) };
    case 'pipeline_created_count':
      return { value: t.get('created', slot) };
    case 'open_pipeline':
      return { value: t.get('openAmount', slot) };
    case 'open_pipeline_count':
      return { value: t.get('open', slot) };
    case 'pipeline_coverage': {
      const remainingQuota = remainingQuotaOf(side, slot);
      const result = ratio(t.get('coverAmount', slot), remainingQuota, true);
      result.target = remainingQuota;
      if (result.value !== null && result.value < 3) result.flags = ['coverage_below_3x'];
      if (!breakdowns) return result;
      result.breakdown = side.openStages.map((code) => {
        const amount = slot < 0 ? 0 : t.coverByStage[slot * t.stageWidth + code]!;
        const name = snapshot.stage.dictionary[code]!;
        return {
          key: name,
          label: name,
          value: remainingQuota === 0 ? null : amount / remainingQuota,
          numerator: amount,
          denominator: remainingQuota,
        };
      });
      return result;
    }
    case 'quota':
      return { value: t.get('quota', slot), target: t.get('quota', slot) };
    case 'quota_attainment': {
      const result = ratio(t.get('wonAmount', slot), t.get('quota', slot), true);
      result.target = t.get('quota', slot);
      return result;
    }
    case 'reps_at_or_above_quota':
      return ratio(summary.atOrAboveQuota.get(slot) ?? 0, carriersOf(summary, slot));
    case 'stage_conversion':
    case 'stage_losses':
    case 'time_in_stage_days': {
      const value = stageValue(metric, side, slot);
      if (!breakdowns) delete value.breakdown;
      return value;
    }
    case 'activities': {
      if (!breakdowns) return { value: activityTotal(side, slot) };
      const counts = activityCounts(side, slot);
      const total = counts.reduce((a, b) => a + b, 0);
      return {
        value: total,
        breakdown: activityTypes.map((type, code) => ({
          key: type,
          label: typeLabels[type]!,
          value: counts[code]!,
          numerator: counts[code]!,
        })),
      };
    }
    case 'activities_per_rep_per_day':
    case 'activities_per_rep_per_week': {
      const counts = activityCounts(side, slot);
      const total = counts.reduce((a, b) => a + b, 0);
      const week = metric === 'activities_per_rep_per_week' ? 5 : 1;
      const personDays = (side.activePeople.get(slot) ?? 0) * summary.businessDays;
      const result = ratio(total * week, personDays);
      if (!breakdowns) return result;
      result.breakdown = activityTypes.map((type, code) => ({
        key: type,
        label: typeLabels[type]!,
        value: personDays === 0 ? null : (counts[code]! * week) / personDays,
        numerator: counts[code]! * week,
        denominator: personDays,
      }));
      return result;
    }
    case 'activities_per_opportunity':
      return ratio(sum(activityCounts(side, slot)), t.get('created', slot));
    case 'activities_per_won_deal':
      return ratio(sum(activityCounts(side, slot)), t.get('won', slot));
    case 'implied_daily_activities': {
      // remaining ÷ (wonAmount ÷ wonWithAmount) × (activities ÷ won) ÷ days left ÷ carriers.
      const activities = sum(activityCounts(side, slot));
      const remainingQuota = remainingQuotaOf(side, slot);
      const denominator =
        t.get('wonAmount', slot) * t.get('won', slot) * summary.businessDaysLeft * carriersOf(summary, slot);
      if (denominator === 0) return { value: null };
      return { value: (remainingQuota * t.get('wonWithAmount', slot) * activities) / denominator };
    }
    case 'top_decile_revenue_share':
    case 'top_bottom_decile_ratio':
      return concentration(metric, summary.peopleRevenue.get(slot) ?? []);
    case 'ramp_months': {
      const ramp = side.ramp;
      if (!ramp) return { value: null };
      return ratio(ramp.monthsSum.get(slot) ?? 0, ramp.ramped.get(slot) ?? 0);
    }
    case 'hires_still_ramping':
      return { value: side.ramp?.stillRamping.get(slot) ?? 0 };
    default:
      return { value: null };
  }
}

/** People carrying a quota in the group. */
function carriersOf(summary: SideSummary, slot: number): number {
  return summary.quotaCarriers.get(slot) ?? 0;
}

/** The quota still to win in the period: quota − won revenue, at least 0. */
function remainingQuotaOf(side: MetricsSide, slot: number): number {
  return Math.max(0, side.tally.get('quota', slot) - side.tally.get('wonAmount', slot));
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** A slot's activities of every type. */
function activityTotal(side: MetricsSide, slot: number): number {
  if (slot < 0) return 0;
  const width = activityTypes.length;
  const tally = side.tally.activities;
  let total = 0;
  for (let code = 0; code < width; code++) total += tally[slot * width + code]!;
  return total;
}

function activityCounts(side: MetricsSide, slot: number): number[] {
  const width = activityTypes.length;
  return activityTypes.map((_, code) => (slot < 0 ? 0 : side.tally.activities[slot * width + code]!));
}

function concentration(metric: string, people: { person: number; revenue: number }[]): RawValue {
  const n = people.length;
  const k = Math.max(1, Math.round(n / 10));
  const top = people.slice(0, k).reduce((a, p) => a + p.revenue, 0);
  if (metric === 'top_decile_revenue_share') {
    const total = people.reduce((a, p) => a + p.revenue, 0);
    return total <= 0
      ? { value: null, numerator: top, denominator: total, numeratorIsMoney: true, denominatorIsMoney: true }
      : ratio(top, total, true);
  }
  if (n < 2) return { value: null };
  const bottom = people.slice(n - k).reduce((a, p) => a + p.revenue, 0);
  return bottom <= 0
    ? { value: null, numerator: top, denominator: bottom, numeratorIsMoney: true, denominatorIsMoney: true }
    : ratio(top, bottom, true);
}

function stageValue(metric: string, side: MetricsSide, slot: number): RawValue {
  const t = side.tally;
  const width = t.openStageWidth;
  const cell = (array: Float64Array, rank: number) => (slot < 0 ? 0 : array[slot * width + rank]!);
  const names = side.openStages.map((code) => side.inputSnapshot.stage.dictionary[code]!);
  if (metric === 'stage_conversion') {
    let product = 1;
    let any = false;
    const breakdown = names.map((name, rank) => {
      const exits = cell(t.stageExits, rank);
      const advanced = cell(t.stageAdvanced, rank);
      if (exits > 0) {
        product *= advanced / exits;
        any = true;
      }
      return {
        key: name,
        label: name,
        value: exits === 0 ? null : advanced / exits,
        numerator: advanced,
        denominator: exits,
      };
    });
    return { value: any ? product : null, breakdown };
  }
  if (metric === 'stage_losses') {
    const breakdown = names.map((name, rank) => {
      const lost = cell(t.stageLost, rank);
      return { key: name, label: name, value: lost, numerator: lost };
    });
    return { value: sum(breakdown.map((b) => b.value)), breakdown };
  }
  let days = 0;
  let exits = 0;
  const breakdown = names.map((name, rank) => {
    const stageExits = cell(t.stageExits, rank);
    const stageDays = cell(t.stageDays, rank);
    days += stageDays;
    exits += stageExits;
    return {
      key: name,
      label: name,
      value: stageExits === 0 ? null : stageDays / stageExits,
      numerator: stageDays,
      denominator: stageExits,
    };
  });
  return { ...ratio(days, exits), breakdown };
}

/** The record rule whose rows make each metric's number (drill-down). */
export const metricRecordRules: Record<string, RecordRule> = {
  won_revenue: 'wonMoney',
  won_revenue_new_business: 'wonNewBusiness',
  won_revenue_expansion: 'wonExpansion',
  won_revenue_renewal: 'wonRenewal',
  won_deals: 'won',
  won_revenue_per_rep: 'wonMoney',
  average_deal_size: 'wonMoney',
  gross_margin: 'margin',
  gross_margin_rate: 'margin',
  margin_mix: 'margin',
  win_rate: 'decided',
  cohort_win_rate: 'created',
  close_rate: 'created',
  competitive_win_rate: 'competitiveDecided',
  lost_deals: 'lost',
  sales_cycle_days: 'cycle',
  sales_cycle_median_days: 'cycle',
  sales_velocity: 'open',
  pipeline_created: 'createdMoney',
  pipeline_created_count: 'created',
  open_pipeline: 'openMoney',
  open_pipeline_count: 'open',
  pipeline_coverage: 'cover',
  quota: 'quotaPeople',
  quota_attainment: 'wonMoney',
  reps_at_or_above_quota: 'quotaPeople',
  stage_conversion: 'stageExits',
  stage_losses: 'stageLosses',
  time_in_stage_days: 'stageExits',
  activities: 'activities',
  activities_per_rep_per_day: 'activities',
  activities_per_rep_per_week: 'activities',
  activities_per_opportunity: 'activities',
  activities_per_won_deal: 'activities',
  top_decile_revenue_share: 'wonMoney',
  top_bottom_decile_ratio: 'wonMoney',
};
