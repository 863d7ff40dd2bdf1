/**
 * A metric over consecutive periods in one evaluation (docs/metrics.md, "Series"): the same
 * numbers as evaluating each period on its own (`evaluateMetrics` with the same as-of day), one
 * pass per period (each reads only its own days through the snapshot's day indexes), one list of
 * groups and one answer. For trends (a rep's activities week by week, velocity by month) where a
 * request per period would repeat the group labels and the whole response each time.
 */
import { AppError } from '../errors.ts';
import { addSideIssues, prepareEvaluation, validateMetricsRequest } from './evaluate-metrics.ts';
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

export function evaluateSeries(input: MetricsInput, request: MetricsSeriesRequest): MetricsSeriesResult {
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

  const keys = new Set<number>();
  for (const side of sides) for (const key of side.slots.keys) keys.add(key);
  if (request.groupBy === 'company') keys.add(0);
  const format = (value: number | undefined, isMoney: boolean | undefined): MetricNumber | null =>
    value === undefined ? null : isMoney ? money(value) : value;

  const groups: SeriesGroup[] = resolver.sortByLabel([...keys]).map((code) => {
    const { key, label } = resolver.describe(code);
    const metrics: Record<string, SeriesValue> = {};
    for (const definition of definitions) {
      metrics[definition.id] = isComputed.has(definition)
        ? seriesOf(definition, sides, summaries, code, format)
        : { values: periods.map(() => null) };
    }
    return { key, label, metrics };
  });
  return { groupBy: request.groupBy, periods: spans, asOf: request.asOf, currency, groups, issues };
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
