/**
 * The metrics engine (docs/metrics.md): evaluates the requested metrics over the columnar
 * snapshots, grouped, for one period as of one day, and optionally for the prior period too. Pure
 * and deterministic: the as-of day is an argument and nothing dated after it counts.
 */
import { AppError, type Problem } from '../errors.ts';
import { minorToDecimal } from '../money.ts';
import { assertSafeInteger } from './exact-arithmetic.ts';
import { GroupResolver, keysOfSlots } from './group-resolver.ts';
import { findMetricDefinition, type MetricDefinition } from './metric-definitions.ts';
import { priorSpan } from './metric-periods.ts';
import { recordRules, type RecordRule } from './metric-tally.ts';
import {
  groupBys,
  type BreakdownEntry,
  type GroupResult,
  type MetricIssue,
  type MetricNumber,
  type MetricsInput,
  type MetricsRequest,
  type MetricsResult,
  type MetricValue,
  type PeriodSpan,
} from './metric-types.ts';
import { metricRecordRules, rawValue, summarise, type RawValue, type SideSummary } from './metric-values.ts';
import { MetricsSide, type MetricNeeds, type SideIssues } from './metrics-side.ts';

type Need = keyof MetricNeeds;

/** The passes each computed metric needs. */
const metricNeeds: Record<string, readonly Need[]> = {
  won_revenue: ['closed'],
  won_revenue_new_business: ['closed'],
  won_revenue_expansion: ['closed'],
  won_revenue_renewal: ['closed'],
  won_deals: ['closed'],
  won_revenue_per_rep: ['closed', 'quota', 'ledger'],
  average_deal_size: ['closed'],
  gross_margin: ['closed'],
  gross_margin_rate: ['closed'],
  margin_mix: ['closed'],
  win_rate: ['closed'],
  cohort_win_rate: ['created'],
  close_rate: ['created'],
  competitive_win_rate: ['closed'],
  lost_deals: ['closed'],
  sales_cycle_days: ['closed'],
  sales_cycle_median_days: ['closed', 'cycleList'],
  sales_velocity: ['closed', 'open'],
  pipeline_created: ['created'],
  pipeline_created_count: ['created'],
  open_pipeline: ['open'],
  open_pipeline_count: ['open'],
  pipeline_coverage: ['open', 'closed', 'quota'],
  quota: ['quota'],
  quota_attainment: ['closed', 'quota'],
  reps_at_or_above_quota: ['closed', 'quota', 'ledger'],
  stage_conversion: ['stages'],
  stage_losses: ['stages'],
  time_in_stage_days: ['stages'],
  activities: ['activities'],
  activities_per_rep_per_day: ['activities', 'activePeople'],
  activities_per_rep_per_week: ['activities', 'activePeople'],
  activities_per_opportunity: ['activities', 'created'],
  activities_per_won_deal: ['activities', 'closed'],
  implied_daily_activities: ['activities', 'closed', 'quota', 'ledger'],
  top_decile_revenue_share: ['closed', 'quota', 'ledger'],
  top_bottom_decile_ratio: ['closed', 'quota', 'ledger'],
  ramp_months: ['ramp'],
  hires_still_ramping: ['ramp'],
};

const quotaMetrics = new Set([
  'won_revenue_per_rep',
  'pipeline_coverage',
  'quota',
  'quota_attainment',
  'reps_at_or_above_quota',
  'implied_daily_activities',
  'ramp_months',
  'hires_still_ramping',
]);

const issueMessages: Record<keyof SideIssues, [MetricIssue['code'], string]> = {
  otherCurrency: ['other_currency', 'won deals in another currency add nothing to money metrics'],
  missingAmount: ['missing_amount', 'won deals without an amount add nothing to money metrics'],
  closedWithoutDate: [
    'closed_without_date',
    'closed deals with neither closed_on nor close_on are in no period',
  ],
  negativeCycle: [
    'negative_cycle',
    'won deals closed before they were created are left out of the sales cycle',
  ],
  unknownStage: [
    'unknown_stage',
    'stage changes from or to a stage the stages table does not define are left out',
  ],
};

/** Checks a request, reporting every problem at once. */
export function validateMetricsRequest(request: MetricsRequest): void {
  const problems: Problem[] = [];
  const isDay = (value: unknown) => Number.isInteger(value);
  if (!Array.isArray(request.metrics) || request.metrics.length === 0)
    problems.push({ field: 'metrics', message: 'name at least one metric' });
  else
    request.metrics.forEach((id, i) => {
      if (findMetricDefinition(id) === undefined)
        problems.push({ field: `metrics[${i}]`, value: String(id), message: 'is not a metric' });
    });
  if (!(groupBys as readonly string[]).includes(request.groupBy))
    problems.push({
      field: 'groupBy',
      value: String(request.groupBy),
      message: `must be one of ${groupBys.join(', ')}`,
    });
  const { period } = request;
  if (!period || !isDay(period.from) || !isDay(period.to) || period.to <= period.from)
    problems.push({ field: 'period', message: 'must be whole day numbers with from < to (to exclusive)' });
  if (
    period?.prior &&
    (!isDay(period.prior.from) || !isDay(period.prior.to) || period.prior.to <= period.prior.from)
  )
    problems.push({
      field: 'period.prior',
      message: 'must be whole day numbers with from < to (to exclusive)',
    });
  if (!isDay(request.asOf))
    problems.push({ field: 'asOf', value: String(request.asOf), message: 'must be a day number' });
  if (request.compareTo !== undefined && request.compareTo !== 'prior_period')
    problems.push({
      field: 'compareTo',
      value: String(request.compareTo),
      message: "must be 'prior_period'",
    });
  const digits = request.currencyDigits;
  if (digits !== undefined && !(Number.isInteger(digits) && digits >= 0 && digits <= 6))
    problems.push({
      field: 'currencyDigits',
      value: String(digits),
      message: 'must be an integer from 0 to 6',
    });
  if (problems.length > 0) throw new AppError('validation', 'The metrics request is not valid.', problems);
}

/** The reporting currency and its code in the snapshot's currency column (-1 when no deal has it). */
function resolveCurrency(input: MetricsInput, request: MetricsRequest): { currency: string; code: number } {
  const dictionary = input.opportunities.currency.dictionary;
  if (request.currency !== undefined)
    return { currency: request.currency, code: dictionary.indexOf(request.currency) };
  if (dictionary.length <= 1) return { currency: dictionary[0] ?? 'USD', code: dictionary.length - 1 };
  throw new AppError('validation', 'The metrics request is not valid.', [
    {
      field: 'currency',
      message: `the deals are in several currencies (${dictionary.join(', ')}): name the reporting currency`,
    },
  ]);
}

/**
 * Evaluates the requested metrics, grouped, over the period as of the as-of day. Throws
 * AppError('validation') for a malformed request; data conditions come back as `issues`.
 */
/** What one evaluation shares between its sides (periods): checked once per request. */
export type Evaluation = {
  currency: string;
  currencyCode: number;
  money: (minor: number) => string;
  definitions: MetricDefinition[];
  isComputed: ReadonlySet<MetricDefinition>;
  issues: MetricIssue[];
  needs: MetricNeeds;
  rules: Set<RecordRule>;
  resolver: GroupResolver;
};

/** Validates a request and works out its metrics, passes and grouping. */
export function prepareEvaluation(input: MetricsInput, request: MetricsRequest): Evaluation {
  validateMetricsRequest(request);
  const { currency, code: currencyCode } = resolveCurrency(input, request);
  const digits = request.currencyDigits ?? 2;
  const { groupBy } = request;
  const ids = [...new Set(request.metrics)];
  const definitions = ids.map((id) => findMetricDefinition(id)!);
  const issues: MetricIssue[] = [];
  const computed: MetricDefinition[] = [];
  for (const definition of definitions) {
    if (definition.status === 'defined')
      issues.push({
        code: 'not_computed',
        metric: definition.id,
        message: `${definition.label} is defined but not computed yet: the data it needs is not in the snapshot`,
      });
    else if (!definition.groupBys.includes(groupBy))
      issues.push({
        code: 'not_applicable',
        metric: definition.id,
        message: `${definition.label} does not apply when grouping by ${groupBy}`,
      });
    else computed.push(definition);
  }
  if (input.quotas.length === 0)
    for (const definition of computed)
      if (quotaMetrics.has(definition.id))
        issues.push({
          code: 'no_quota',
          metric: definition.id,
          message: `${definition.label} needs quotas; none were given`,
        });

  const needs: MetricNeeds = {
    closed: false,
    created: false,
    open: false,
    stages: false,
    activities: false,
    activePeople: false,
    quota: false,
    ledger: false,
    cycleList: false,
    ramp: false,
  };
  for (const definition of computed) for (const need of metricNeeds[definition.id] ?? []) needs[need] = true;
  const rules = new Set<RecordRule>();
  if (request.withRecords)
    for (const definition of computed) {
      const rule = metricRecordRules[definition.id];
      if (rule) rules.add(rule);
    }

  const resolver = new GroupResolver(groupBy, input.opportunities, input.dimensions);
  const money = (minor: number): string => {
    assertSafeInteger(minor, 'A money value');
    return minorToDecimal(minor, digits);
  };
  return {
    currency,
    currencyCode,
    money,
    definitions,
    isComputed: new Set(computed),
    issues,
    needs,
    rules,
    resolver,
  };
}

/** Adds the data conditions the sides met (summed over them) to the issues. */
export function addSideIssues(issues: MetricIssue[], sides: readonly MetricsSide[]): void {
  for (const name of Object.keys(issueMessages) as (keyof SideIssues)[]) {
    let count = 0;
    for (const side of sides) count += side.issues[name];
    if (count === 0) continue;
    const [code, message] = issueMessages[name];
    issues.push({ code, count, message: `${count} ${message}` });
  }
  if (sides.some((side) => side.ramp && Number.isNaN(side.ramp.twiceBenchmarkAnnual)))
    issues.push({
      code: 'no_quota',
      metric: 'ramp_months',
      message: 'no tenured seller carries a quota in the benchmark year, so ramp has no benchmark',
    });
}

export function evaluateMetrics(input: MetricsInput, request: MetricsRequest): MetricsResult {
  const { currency, currencyCode, money, definitions, isComputed, issues, needs, rules, resolver } =
    prepareEvaluation(input, request);
  const { groupBy, asOf } = request;
  const period: PeriodSpan = { from: request.period.from, to: request.period.to };
  if (request.period.label !== undefined) period.label = request.period.label;
  const current = new MetricsSide(input, resolver, period, asOf, currencyCode, needs, rules).run();
  const currentSummary = summarise(current);
  let prior: { side: MetricsSide; summary: SideSummary } | undefined;
  let priorInfo: MetricsResult['prior'];
  if (request.compareTo === 'prior_period') {
    const span = priorSpan(request.period);
    // The prior period as it was known at the same point of it: the as-of day shifted back. When
    // the current period is complete, so is the prior one (a 30-day month against a 31-day one
    // must not lose the prior's last day).
    const shifted = asOf - (request.period.from - span.from);
    const priorAsOf = asOf >= request.period.to - 1 ? Math.max(shifted, span.to - 1) : shifted;
    const side = new MetricsSide(input, resolver, span, priorAsOf, currencyCode, needs, new Set()).run();
    prior = { side, summary: summarise(side) };
    priorInfo = { ...span, asOf: priorAsOf };
  }

  addSideIssues(issues, [current]);

  // Groups: every key either side saw (the company always).
  const keys = keysOfSlots(
    prior ? [current.slots, prior.side.slots] : [current.slots],
    groupBy === 'company',
  );
  // Sorted by label, "none" last, ties by key.
  let labelled = resolver.sortByLabel(keys).map((code) => {
    const { key, label } = resolver.describe(code);
    return { code, key, label };
  });
  // One group only (a drill-down asks for its records): by the key's text, "null" for none.
  if (request.group !== undefined) labelled = labelled.filter(({ key }) => String(key) === request.group);

  const records = new Map<RecordRule, Map<number, number[]>>();
  for (const rule of recordRules) {
    const log = current.logs.get(rule);
    if (log) records.set(rule, log.bySlot());
  }
  const breakdowns = request.breakdowns !== false;
  const groups: GroupResult[] = labelled.map(({ code, key, label }) => {
    const slot = current.slots.findSlot(code);
    const priorSlot = prior ? prior.side.slots.findSlot(code) : -1;
    const metrics: Record<string, MetricValue> = {};
    for (const definition of definitions) {
      if (!isComputed.has(definition)) {
        metrics[definition.id] = { value: null };
        continue;
      }
      const raw = rawValue(definition.id, current, currentSummary, slot, breakdowns);
      const value = formatValue(raw, definition, money);
      if (prior) {
        const priorRaw = rawValue(definition.id, prior.side, prior.summary, priorSlot, false);
        const formatted = formatValue(priorRaw, definition, money);
        value.prior = { value: formatted.value };
        if (formatted.numerator !== undefined) value.prior.numerator = formatted.numerator;
        if (formatted.denominator !== undefined) value.prior.denominator = formatted.denominator;
        value.change =
          raw.value === null || priorRaw.value === null
            ? null
            : definition.money
              ? money(raw.value - priorRaw.value)
              : raw.value - priorRaw.value;
      }
      const rule = metricRecordRules[definition.id];
      if (request.withRecords && rule) {
        value.records = {
          kind: rule === 'activities' ? 'activity' : rule === 'quotaPeople' ? 'person' : 'opportunity',
          ids: slot < 0 ? [] : (records.get(rule)?.get(slot) ?? []),
        };
      }
      metrics[definition.id] = value;
    }
    return { key, label, metrics };
  });

  const result: MetricsResult = { groupBy, period, asOf, currency, groups, issues };
  if (priorInfo) result.prior = priorInfo;
  return result;
}

function asMoney(
  value: number,
  isMoney: boolean | undefined,
  money: (minor: number) => string,
): MetricNumber {
  return isMoney ? money(value) : value;
}

function formatValue(
  raw: RawValue,
  definition: MetricDefinition,
  money: (minor: number) => string,
): MetricValue {
  const value: MetricValue = {
    value: raw.value === null ? null : definition.money ? money(raw.value) : raw.value,
  };
  if (raw.numerator !== undefined) value.numerator = asMoney(raw.numerator, raw.numeratorIsMoney, money);
  if (raw.denominator !== undefined)
    value.denominator = asMoney(raw.denominator, raw.denominatorIsMoney, money);
  if (raw.target !== undefined) value.target = money(raw.target);
  if (raw.flags) value.flags = raw.flags;
  if (raw.breakdown) {
    const breakdown: BreakdownEntry[] = [];
    for (const entry of raw.breakdown) {
      const out: BreakdownEntry = {
        key: entry.key,
        label: entry.label,
        value: entry.value === null ? null : definition.money ? money(entry.value) : entry.value,
      };
      if (entry.numerator !== undefined)
        out.numerator = asMoney(entry.numerator, raw.numeratorIsMoney, money);
      if (entry.denominator !== undefined)
        out.denominator = asMoney(entry.denominator, raw.denominatorIsMoney, money);
      breakdown.push(out);
    }
    value.breakdown = breakdown;
  }
  return value;
}
