/**
 * A metric over consecutive periods in one evaluation (docs/metrics.md, "Series"): the same
 * numbers as evaluating each period on its own (`evaluateMetrics` with the same as-of day), one
 * pass per period (each reads only its own days through the snapshot's day indexes), one list of
 * groups and one answer. For trends (a rep's activities week by week, velocity by month) where a
 * request per period would repeat the group labels and the whole response each time.
 */
import { AppError } from '../errors.ts';
import { addSideIssues, prepareEvaluation, validateMetricsRequest } from './evaluate-metrics.ts';
import { keysOfSlots } from './group-resolver.ts';
import type { MetricDefinition } from './metric-definitions.ts';
import type {
  GroupResult,
  MetricIssue,
  MetricNumber,
  MetricPeriod,
  MetricsInput,
  MetricsRequest,
  PeriodSpan,
} from './metric-types.ts';
import { rawValue, summarise, type SideSummary } from './metric-values.ts';
import { MetricsSide } from './metrics-side.ts';

/** The most periods one series may ask for. */
export const MAX_SERIES_PERIODS = 60;

export type MetricsSeriesRequest = Omit<
  MetricsRequest,
  'period' | 'compareTo' | 'withRecords' | 'breakdowns'
> & {
  /** In order; each evaluated as of the same as-of day. */
  periods: MetricPeriod[];
};

/** One metric of one group over the periods: index i is periods[i]. */
export type SeriesValue = {
  values: (MetricNumber | null)[];
  /** Where the metric has parts, null in a period whose value has none. */
  numerators?: (MetricNumber | null)[];
  denominators?: (MetricNumber | null)[];
};

export type SeriesGroup = { key: GroupResult['key']; label: string; metrics: Record<string, SeriesValue> };

export type MetricsSeriesResult = {
  groupBy: MetricsRequest['groupBy'];
  periods: PeriodSpan[];
  asOf: number;
  currency: string;
  groups: SeriesGroup[];
  issues: MetricIssue[];
};

/** The sides (one per period) of a series and its groups in label order: shared by both shapes. */
function runSeries(input: MetricsInput, request: MetricsSeriesRequest) {
  const { periods } = request;
  if (!Array.isArray(periods) || periods.length === 0 || periods.length > MAX_SERIES_PERIODS)
    throw new AppError('validation', 'The metrics request is not valid.', [
      { field: 'periods', message: `name 1 to ${MAX_SERIES_PERIODS} periods` },
    ]);
  // Every period is checked as a request of its own would be (the first by prepareEvaluation).
  for (const [i, period] of periods.entries()) if (i > 0) prepareCheck(request, period, i);
  const { currency, currencyCode, money, definitions, isComputed, issues, needs, resolver } =
    prepareEvaluation(input, { ...request, period: periods[0]! });

  const sides: MetricsSide[] = [];
  const summaries: SideSummary[] = [];
  const spans: PeriodSpan[] = [];
  for (const period of periods) {
    const span: PeriodSpan = { from: period.from, to: period.to };
    if (period.label !== undefined) span.label = period.label;
    spans.push(span);
    const side = new MetricsSide(input, resolver, span, request.asOf, currencyCode, needs, new Set()).run();
    sides.push(side);
    summaries.push(summarise(side));
  }
  addSideIssues(issues, sides);

  const keys = keysOfSlots(
    sides.map((side) => side.slots),
    request.groupBy === 'company',
  );
  const format = (value: number | undefined, isMoney: boolean | undefined): MetricNumber | null =>
    value === undefined ? null : isMoney ? money(value) : value;
  const codes = resolver.sortByLabel(keys);
  return { currency, definitions, isComputed, issues, resolver, sides, summaries, spans, codes, format };
}

export function evaluateSeries(input: MetricsInput, request: MetricsSeriesRequest): MetricsSeriesResult {
  const { currency, definitions, isComputed, issues, resolver, sides, summaries, spans, codes, format } =
    runSeries(input, request);
  const groups: SeriesGroup[] = codes.map((code) => {
    const { key, label } = resolver.describe(code);
    const metrics: Record<string, SeriesValue> = {};
    for (const definition of definitions) {
      metrics[definition.id] = isComputed.has(definition)
        ? seriesOf(definition, sides, summaries, code, format)
        : { values: spans.map(() => null) };
    }
    return { key, label, metrics };
  });
  return { groupBy: request.groupBy, periods: spans, asOf: request.asOf, currency, groups, issues };
}

/** One metric over the periods and groups: `values[i][g]` is period i, group g. */
export type SeriesColumn = {
  values: (MetricNumber | null)[][];
  /** Where the metric has parts (null where a value has none). */
  numerators?: (MetricNumber | null)[][];
  denominators?: (MetricNumber | null)[][];
};

/** A series as columns: the groups once, then per metric one list of values per period. */
export type MetricsColumnsResult = Omit<MetricsSeriesResult, 'groups'> & {
  keys: GroupResult['key'][];
  labels: string[];
  columns: Record<string, SeriesColumn>;
};

/**
 * The same numbers as `evaluateSeries`, shaped as columns (docs/metrics.md, "Columns"): group keys
 * and labels once, and per metric and period one array over the groups. For large tables (a
 * value for each of 10,000 reps): no object per group is made, sent or parsed.
 */
export function evaluateSeriesColumns(
  input: MetricsInput,
  request: MetricsSeriesRequest,
): MetricsColumnsResult {
  const { currency, definitions, isComputed, issues, resolver, sides, summaries, spans, codes, format } =
    runSeries(input, request);
  const keys: GroupResult['key'][] = [];
  const labels: string[] = [];
  for (const code of codes) {
    const { key, label } = resolver.describe(code);
    keys.push(key);
    labels.push(label);
  }
  const columns: Record<string, SeriesColumn> = {};
  for (const definition of definitions) {
    if (!isComputed.has(definition)) {
      columns[definition.id] = { values: spans.map(() => codes.map(() => null)) };
      continue;
    }
    const values: (MetricNumber | null)[][] = [];
    const numerators: (MetricNumber | null)[][] = [];
    const denominators: (MetricNumber | null)[][] = [];
    let anyNumerator = false;
    let anyDenominator = false;
    const isMoney = definition.money;
    sides.forEach((side, i) => {
      const summary = summaries[i]!;
      const slots = side.slots;
      const periodValues: (MetricNumber | null)[] = new Array(codes.length);
      // Parts only once a value has them (most counts and sums never do): null before that.
      let periodNumerators: (MetricNumber | null)[] | undefined;
      let periodDenominators: (MetricNumber | null)[] | undefined;
      for (let g = 0; g < codes.length; g++) {
        const raw = rawValue(definition.id, side, summary, slots.findSlot(codes[g]!), false);
        const value = raw.value;
        periodValues[g] = value === null ? null : isMoney ? format(value, true) : value;
        if (raw.numerator !== undefined) {
          periodNumerators ??= new Array<MetricNumber | null>(codes.length).fill(null);
          periodNumerators[g] = format(raw.numerator, raw.numeratorIsMoney);
        }
        if (raw.denominator !== undefined) {
          periodDenominators ??= new Array<MetricNumber | null>(codes.length).fill(null);
          periodDenominators[g] = format(raw.denominator, raw.denominatorIsMoney);
        }
      }
      values.push(periodValues);
      numerators.push(periodNumerators ?? []);
      denominators.push(periodDenominators ?? []);
      anyNumerator ||= periodNumerators !== undefined;
      anyDenominator ||= periodDenominators !== undefined;
    });
    // A period without parts, where another period has them: nulls over the groups.
    const filled = (lists: (MetricNumber | null)[][]) =>
      lists.map((list) => (list.length === codes.length ? list : codes.map(() => null)));
    const column: SeriesColumn = { values };
    if (anyNumerator) column.numerators = filled(numerators);
    if (anyDenominator) column.denominators = filled(denominators);
    columns[definition.id] = column;
  }
  return {
    groupBy: request.groupBy,
    periods: spans,
    asOf: request.asOf,
    currency,
    keys,
    labels,
    columns,
    issues,
  };
}

function prepareCheck(request: MetricsSeriesRequest, period: MetricPeriod, index: number): void {
  try {
    validateMetricsRequest({ ...request, period });
  } catch (error) {
    if (error instanceof AppError)
      throw new AppError(
        'validation',
        error.message,
        error.problems.map((p) => ({
          ...p,
          field: (p.field ?? 'period').replace(/^period/, `periods[${index}]`),
        })),
      );
    throw error;
  }
}

function seriesOf(
  definition: MetricDefinition,
  sides: readonly MetricsSide[],
  summaries: readonly SideSummary[],
  code: number,
  format: (value: number | undefined, isMoney: boolean | undefined) => MetricNumber | null,
): SeriesValue {
  const values: (MetricNumber | null)[] = [];
  const numerators: (MetricNumber | null)[] = [];
  const denominators: (MetricNumber | null)[] = [];
  let anyNumerator = false;
  let anyDenominator = false;
  sides.forEach((side, i) => {
    const raw = rawValue(definition.id, side, summaries[i]!, side.slots.findSlot(code), false);
    values.push(raw.value === null ? null : format(raw.value, definition.money));
    anyNumerator ||= raw.numerator !== undefined;
    anyDenominator ||= raw.denominator !== undefined;
    numerators.push(format(raw.numerator, raw.numeratorIsMoney));
    denominators.push(format(raw.denominator, raw.denominatorIsMoney));
  });
  const out: SeriesValue = { values };
  if (anyNumerator) out.numerators = numerators;
  if (anyDenominator) out.denominators = denominators;
  return out;
}
