// The small statistics the dashboards draw from a `by=rep` answer the caller may see: medians,
// deciles and tiers. The numbers themselves come from the server (GET /api/kpi); nothing here
// recomputes a metric, it only places the groups' values relative to each other.
import type { KpiGroup, MetricDefinition, MetricNumber } from './api.ts';
import { formatMoney } from './format.ts';

/** A metric value as a number for ranking and charts (money strings parsed), or null. */
export function toNumber(value: MetricNumber | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const number = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(number) ? number : null;
}

/** The values of one metric over the groups, leaving out the undefined ones. */
export function metricValues(groups: KpiGroup[], metric: string): number[] {
  return groups
    .map((group) => toNumber(group.metrics[metric]?.value))
    .filter((value): value is number => value !== null);
}

/** The median: the middle value, or the mean of the middle two; null for no values. */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The top-decile mark: the mean of the best k = max(1, round(n ÷ 10)) values, "best" following the
 * metric's direction, the same k as the engine's top_decile_revenue_share.
 */
export function topDecile(values: number[], direction: 'higher' | 'lower'): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => (direction === 'higher' ? b - a : a - b));
  const k = Math.max(1, Math.round(values.length / 10));
  return sorted.slice(0, k).reduce((sum, v) => sum + v, 0) / k;
}

/** The groups by their value of one metric, lowest or highest first (no value counts as 0). */
export function rankedBy(groups: KpiGroup[], metric: string, order: 'lowest' | 'highest'): KpiGroup[] {
  const value = (g: KpiGroup) => toNumber(g.metrics[metric]?.value) ?? 0;
  return [...groups].sort((a, b) => (order === 'lowest' ? value(a) - value(b) : value(b) - value(a)));
}

export type Tier = 'top' | 'middle' | 'bottom';

/** Top 10%, bottom 10% (k as above, by the metric's direction) and the middle, per group key. */
export function tiers(
  groups: KpiGroup[],
  metric: string,
  direction: 'higher' | 'lower',
): Map<KpiGroup['key'], Tier> {
  const ranked = groups
    .map((group) => ({ key: group.key, value: toNumber(group.metrics[metric]?.value) }))
    .filter((entry): entry is { key: KpiGroup['key']; value: number } => entry.value !== null)
    .sort((a, b) => (direction === 'higher' ? b.value - a.value : a.value - b.value));
  const k = Math.max(1, Math.round(ranked.length / 10));
  const result = new Map<KpiGroup['key'], Tier>();
  ranked.forEach((entry, index) => {
    const tier: Tier =
      ranked.length < 3 ? 'middle' : index < k ? 'top' : index >= ranked.length - k ? 'bottom' : 'middle';
    result.set(entry.key, tier);
  });
  return result;
}

/** Ratios the dashboards show as multiples ("3.2×") rather than percentages. */
const multipleMetrics = new Set(['pipeline_coverage', 'top_bottom_decile_ratio']);

/** A metric value for display, by its unit: money exact, ratios as percentages, days to one place. */
export function formatMetric(
  definition: Pick<MetricDefinition, 'id' | 'unit' | 'money'> | undefined,
  value: MetricNumber | null | undefined,
  currency: string,
): string {
  if (value === null || value === undefined) return '—';
  if (!definition) return String(value);
  if (definition.money || definition.unit === 'money') {
    const money = formatMoney({ amount: String(value), currency });
    return definition.unit === 'per_day' ? `${money}/day` : money;
  }
  const number = toNumber(value);
  if (number === null) return String(value);
  if (definition.unit === 'ratio')
    return multipleMetrics.has(definition.id) ? `${number.toFixed(1)}×` : `${(number * 100).toFixed(1)}%`;
  if (definition.unit === 'days') return `${number.toFixed(1)} days`;
  if (definition.unit === 'months') return `${number.toFixed(1)} months`;
  if (definition.unit === 'per_day') return `${number.toFixed(1)}/day`;
  return Number.isInteger(number) ? number.toLocaleString('en-US') : number.toFixed(1);
}

/** Monday-to-Friday days in [from, to) (ISO days), as the engine counts activity days. */
export function weekdaysBetween(from: string, to: string): number {
  let count = 0;
  const day = new Date(`${from}T00:00:00Z`);
  const end = new Date(`${to}T00:00:00Z`);
  while (day < end) {
    const weekday = day.getUTCDay();
    if (weekday !== 0 && weekday !== 6) count += 1;
    day.setUTCDate(day.getUTCDate() + 1);
  }
  return count;
}

/** The ISO day `days` after `iso`. */
export function addDays(iso: string, days: number): string {
  const day = new Date(`${iso}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + days);
  return day.toISOString().slice(0, 10);
}

/** The ISO day `months` months before `iso` (day of month capped at 28, so it never overflows). */
export function monthsBefore(iso: string, months: number): string {
  const [year, month, day] = iso.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1 - months, Math.min(day, 28)));
  return date.toISOString().slice(0, 10);
}

export type GrowthStage = {
  id: 'early' | 'scaling' | 'expansion' | 'enterprise';
  label: string;
  /** Annualised revenue from (inclusive), in major units of the reporting currency. */
  fromRevenue: number;
  /** What the stage is about, shown beside the highlighted metrics. */
  focus: string;
  metrics: string[];
};

/**
 * The growth-stage lens: annualised won revenue places the company in a stage, and each stage has
 * the few metrics that decide whether it gets to the next. Early on, repeatable selling (win rate,
 * cycle, deal size) matters most; while scaling, pipeline and ramp keep new hires productive;
 * in expansion, efficiency and concentration risk; at enterprise scale, margin, retention and
 * forecast accuracy. Thresholds as agreed for the dashboard brief (under $10M, $10–30M, $30–75M,
 * $75M and up); ids are those of GET /api/metrics.
 */
export const growthStages: GrowthStage[] = [
  {
    id: 'early',
    label: 'Under $10M',
    fromRevenue: 0,
    focus: 'Prove a repeatable sale',
    metrics: ['win_rate', 'sales_cycle_days', 'average_deal_size', 'pipeline_created'],
  },
  {
    id: 'scaling',
    label: '$10M–$30M',
    fromRevenue: 10_000_000,
    focus: 'Scale the team without losing productivity',
    metrics: ['pipeline_coverage', 'quota_attainment', 'ramp_months', 'won_revenue_per_rep'],
  },
  {
    id: 'expansion',
    label: '$30M–$75M',
    fromRevenue: 30_000_000,
    focus: 'Efficiency and dependence on a few reps',
    metrics: ['sales_velocity', 'top_decile_revenue_share', 'gross_margin_rate', 'won_revenue_expansion'],
  },
  {
    id: 'enterprise',
    label: '$75M and up',
    fromRevenue: 75_000_000,
    focus: 'Predictability and margin',
    metrics: ['gross_margin', 'net_revenue_retention', 'forecast_accuracy', 'top_bottom_decile_ratio'],
  },
];

/** The growth stage of an annualised revenue (major units). */
export function growthStageOf(annualRevenue: number): GrowthStage {
  return [...growthStages].reverse().find((stage) => annualRevenue >= stage.fromRevenue) ?? growthStages[0]!;
}

/** One bar of a histogram: the values in [from, to) (the last bar includes its `to`). */
export type HistogramBin = { from: number; to: number; count: number; tier: Tier };

/**
 * The values in `bins` bars of equal width from the smallest to the largest, for distributions
 * of more groups than bars can show one each. A bar takes the tier most of its groups have (ties
 * go to the middle), so the top and bottom 10% keep their colours.
 */
export function histogram(entries: { value: number; tier: Tier }[], bins = 20): HistogramBin[] {
  if (entries.length === 0) return [];
  let min = Infinity;
  let max = -Infinity;
  for (const { value } of entries) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const count = min === max ? 1 : bins;
  const width = (max - min) / count;
  const tally = Array.from({ length: count }, () => ({ count: 0, top: 0, middle: 0, bottom: 0 }));
  for (const { value, tier } of entries) {
    const index = width === 0 ? 0 : Math.min(count - 1, Math.floor((value - min) / width));
    const bin = tally[index]!;
    bin.count += 1;
    bin[tier] += 1;
  }
  return tally.map((bin, index) => ({
    from: min + index * width,
    to: index === count - 1 ? max : min + (index + 1) * width,
    count: bin.count,
    tier:
      bin.top > bin.middle && bin.top >= bin.bottom
        ? 'top'
        : bin.bottom > bin.middle && bin.bottom > bin.top
          ? 'bottom'
          : 'middle',
  }));
}
