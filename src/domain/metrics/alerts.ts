import { NULL_DAY } from '../snapshot/columns.ts';
import { FIELD_CODE } from '../snapshot/opportunity-snapshot.ts';
import { evaluateMetrics } from './evaluate-metrics.ts';
import { trailingDaysPeriod } from './metric-periods.ts';
import type { MetricPeriod, MetricsInput } from './metric-types.ts';
import { MS_PER_DAY } from './row-history.ts';

/**
 * Alerts: what a manager should look at now, computed from the same metrics as the dashboards
 * (docs/metrics.md, "Alerts"). Pure: the as-of day, the current period and the thresholds are
 * arguments; the caller's scope comes in the input, so a manager's alerts are their team's.
 */
export type AlertKind = 'low_coverage' | 'behind_activity_pace' | 'conversion_falling' | 'stalled_deal';

export type Alert = {
  kind: AlertKind;
  /** The rep concerned; null for an alert about the whole scope (a stage's conversion). */
  personId: number | null;
  /** The deal concerned (stalled deals). */
  opportunityId: number | null;
  /** The stage concerned (conversion, stalled deals). */
  stage: string | null;
  /** The measured value and the threshold it crossed, in the metric's unit. */
  value: number;
  threshold: number;
  message: string;
};

export type AlertOptions = {
  asOf: number;
  /** The period coverage and activity pace are measured in (the current fiscal quarter). */
  period: MetricPeriod;
  currency: string;
  currencyDigits: number;
  /** Coverage below this ratio (pipeline closing in the period ÷ remaining quota) is flagged. */
  coverageRatio?: number;
  /** A stage's conversion this many points below the trailing quarter's is flagged… */
  conversionDrop?: number;
  /** …when both quarters have at least this many deals leaving the stage. */
  minimumExits?: number;
  /** An open deal in its stage this many times the usual (mean) time is stalled. */
  stallFactor?: number;
  /** At most this many stalled deals are listed, the longest-stalled first. */
  maxStalled?: number;
};

const defaults = {
  coverageRatio: 3,
  conversionDrop: 0.05,
  minimumExits: 20,
  stallFactor: 2,
  maxStalled: 200,
};

const percent = (x: number) => `${(x * 100).toFixed(1)}%`;

export function computeAlerts(input: MetricsInput, options: AlertOptions): Alert[] {
  const o = { ...defaults, ...options };
  const names = new Map(input.dimensions.people.map((p) => [p.id, p.name]));
  const nameOf = (id: number | null) =>
    id === null ? 'the organisation' : (names.get(id) ?? `person ${id}`);
  const base = { asOf: o.asOf, currency: o.currency, currencyDigits: o.currencyDigits };
  const alerts: Alert[] = [];

  // Coverage and activity pace, per rep, in the current period.
  const byRep = evaluateMetrics(input, {
    ...base,
    metrics: ['pipeline_coverage', 'activities_per_rep_per_day', 'implied_daily_activities'],
    groupBy: 'rep',
    period: o.period,
  });
  for (const group of byRep.groups) {
    if (typeof group.key !== 'number') continue;
    const coverage = group.metrics.pipeline_coverage?.value;
    if (typeof coverage === 'number' && coverage < o.coverageRatio)
      alerts.push({
        kind: 'low_coverage',
        personId: group.key,
        opportunityId: null,
        stage: null,
        value: coverage,
        threshold: o.coverageRatio,
        message: `${group.label}: pipeline covers ${coverage.toFixed(1)}× the quota left this period (below ${o.coverageRatio}:1).`,
      });
    const actual = group.metrics.activities_per_rep_per_day?.value;
    const implied = group.metrics.implied_daily_activities?.value;
    if (typeof actual === 'number' && typeof implied === 'number' && actual < implied)
      alerts.push({
        kind: 'behind_activity_pace',
        personId: group.key,
        opportunityId: null,
        stage: null,
        value: actual,
        threshold: implied,
        message: `${group.label}: ${actual.toFixed(1)} activities a day against the ${implied.toFixed(1)} the remaining quota implies at their own conversion rates.`,
      });
  }

  // Stage conversion over the last 91 days against the 91 before (as it stood at their end).
  const stageConversion = (asOf: number) =>
    evaluateMetrics(input, {
      ...base,
      asOf,
      metrics: ['stage_conversion'],
      groupBy: 'company',
      period: trailingDaysPeriod(91, asOf),
    }).groups.flatMap((g) => g.metrics.stage_conversion?.breakdown ?? []);
  const before = stageConversion(o.asOf - 91);
  for (const stage of stageConversion(o.asOf)) {
    const was = before.find((b) => b.key === stage.key);
    if (!was || typeof stage.value !== 'number' || typeof was.value !== 'number') continue;
    if (Number(stage.denominator) < o.minimumExits || Number(was.denominator) < o.minimumExits) continue;
    if (stage.value <= was.value - o.conversionDrop)
      alerts.push({
        kind: 'conversion_falling',
        personId: null,
        opportunityId: null,
        stage: stage.label,
        value: stage.value,
        threshold: was.value,
        message: `${stage.label}: ${percent(stage.value)} of deals moved on in the last 91 days, down from ${percent(was.value)} in the 91 days before.`,
      });
  }

  // Deals stalled: open now, in their stage far longer than deals usually spend there.
  const usual = evaluateMetrics(input, {
    ...base,
    metrics: ['time_in_stage_days'],
    groupBy: 'company',
    period: trailingDaysPeriod(365, o.asOf),
  });
  const meanDays = new Map<string, number>();
  for (const group of usual.groups)
    for (const part of group.metrics.time_in_stage_days?.breakdown ?? [])
      if (part.key !== null && typeof part.value === 'number' && part.value > 0)
        meanDays.set(part.key, part.value);
  const snapshot = input.opportunities;
  const stalled: Alert[] = [];
  const endOfAsOf = (o.asOf + 1) * MS_PER_DAY;
  for (let r = 0; r < snapshot.rowCount; r++) {
    if (snapshot.isClosed[r] === 1) continue;
    const owner = snapshot.owner[r]!;
    if (input.visible && (owner < 0 || !input.visible(owner, o.asOf))) continue;
    const stage = snapshot.stage.dictionary[snapshot.stage.codes[r]!];
    if (stage === undefined) continue;
    const usualDays = meanDays.get(stage);
    if (usualDays === undefined) continue;
    // Entered the stage at its last recorded stage change, else when the deal was created.
    let enteredMs = snapshot.createdOn[r] === NULL_DAY ? Number.NaN : snapshot.createdOn[r]! * MS_PER_DAY;
    let changedLater = false;
    for (let c = snapshot.changes.offsets[r]!; c < snapshot.changes.offsets[r + 1]!; c++) {
      if (snapshot.changes.field[c] !== FIELD_CODE.stage) continue;
      if (snapshot.changes.changedAtMs[c]! >= endOfAsOf) changedLater = true;
      else enteredMs = snapshot.changes.changedAtMs[c]!;
    }
    // A deal whose stage changed after the as-of day was not in this stage then: no look-ahead.
    if (changedLater || Number.isNaN(enteredMs)) continue;
    const days = Math.floor((endOfAsOf - enteredMs) / MS_PER_DAY);
    if (days > o.stallFactor * usualDays)
      stalled.push({
        kind: 'stalled_deal',
        personId: owner < 0 ? null : owner,
        opportunityId: snapshot.id[r]!,
        stage,
        value: days,
        threshold: Math.round(o.stallFactor * usualDays),
        message: `${nameOf(owner < 0 ? null : owner)}'s deal has been in ${stage} for ${days} days; deals usually spend ${usualDays.toFixed(0)} days there.`,
      });
  }
  stalled.sort(
    (a, b) => b.value / b.threshold - a.value / a.threshold || a.opportunityId! - b.opportunityId!,
  );
  alerts.push(...stalled.slice(0, o.maxStalled));
  return alerts;
}
