import { personVisibleOn, type Scope } from '../../domain/access/scope.ts';
import { fromDayNumber, parseIsoDate } from '../../domain/calendar/day-number.ts';
import { periodKinds, type PeriodKind } from '../../domain/calendar/fiscal-calendar.ts';
import { AppError, DomainError, type Problem } from '../../domain/errors.ts';
import { computeAlerts, type Alert } from '../../domain/metrics/alerts.ts';
import { evaluateMetrics } from '../../domain/metrics/evaluate-metrics.ts';
import {
  MAX_SERIES_PERIODS,
  evaluateSeries,
  evaluateSeriesColumns,
  type SeriesColumn,
  type SeriesGroup,
} from '../../domain/metrics/evaluate-series.ts';
import {
  findMetricDefinition,
  metricDefinitions,
  type MetricDefinition,
} from '../../domain/metrics/metric-definitions.ts';
import {
  calendarMetricPeriod,
  fiscalMetricPeriod,
  trailingDaysPeriod,
} from '../../domain/metrics/metric-periods.ts';
import {
  groupBys,
  type GroupBy,
  type GroupResult,
  type MetricIssue,
  type MetricPeriod,
  type MetricsInput,
  type QuotaRow,
} from '../../domain/metrics/metric-types.ts';
import type { OpportunitySnapshot } from '../../domain/snapshot/opportunity-snapshot.ts';
import { minorDigits } from '../../ingest/parse-values.ts';
import type { Store } from '../../store/open-database.ts';
import type { Clock } from '../ports.ts';
import { AnswerCache } from './answer-cache.ts';
import type { SnapshotCache, Snapshots } from '../snapshot-cache.ts';
import { loadMetricDimensions, type LoadedDimensions } from './load-metric-dimensions.ts';
import { buildQuotaRows } from './metric-dimensions.ts';

/** The longest loaded dimensions are used (imports and quota edits clear them at once). */
const dimensionsTtlMs = 60_000;

/** Longest trailing period: ten years of days. */
const maxTrailingDays = 3_660;

/** `quarter`, `month`, ... or `trailing_N` (the N days ending on the day asked for). */
export const kpiPeriodPattern = /^(?:week|month|quarter|half|year|trailing_[1-9]\d{0,3})$/;

/** A KPI request as the edges take it (HTTP query, CLI flags): dates as 'YYYY-MM-DD'. */
export type KpiQuery = {
  metrics: readonly string[];
  by: GroupBy;
  /** A period kind, or `trailing_N`. */
  period: string;
  /** A day inside the period (for trailing_N: its last day). Default: the as-of day, else today. */
  at?: string;
  /** The fiscal calendar (ATTAIN_FISCAL_YEAR_START_MONTH) or the calendar year. Default fiscal. */
  calendar?: 'fiscal' | 'calendar';
  /** The day whose end the numbers are computed as of. Default today. */
  asOf?: string;
  compare?: 'prior_period';
  /** Reporting currency. Default: the currency most deals are in. */
  currency?: string;
  withRecords?: boolean;
  /** false: no parts by stage, activity type or lost reason. Default true. */
  breakdowns?: boolean;
  /** Only the group with this key (as text; 'null' for the no-group row). */
  group?: string;
};

export type KpiSpan = { from: string; to: string; label?: string };

export type AlertReport = {
  asOf: string;
  period: KpiSpan;
  alerts: (Alert & { personName: string | null })[];
};

/** The engine's result with its days as 'YYYY-MM-DD' (`to` is the first day after the period). */
export type KpiReport = {
  metrics: string[];
  groupBy: GroupBy;
  period: KpiSpan;
  asOf: string;
  currency: string;
  prior?: KpiSpan & { asOf: string };
  groups: GroupResult[];
  issues: MetricIssue[];
};

/** A series request: `count` consecutive periods of one kind, the first holding `at`. */
export type KpiSeriesQuery = Omit<KpiQuery, 'compare' | 'withRecords' | 'breakdowns' | 'group'> & {
  count: number;
};

export type KpiSeriesReport = {
  metrics: string[];
  groupBy: GroupBy;
  periods: KpiSpan[];
  asOf: string;
  currency: string;
  groups: SeriesGroup[];
  issues: MetricIssue[];
};

/** A series as columns (GET /api/kpi/columns): the groups once, per metric one array per period. */
export type KpiColumnsReport = Omit<KpiSeriesReport, 'groups'> & {
  keys: GroupResult['key'][];
  labels: string[];
  columns: Record<string, SeriesColumn>;
};

/** Metric ids that are not in the registry. */
export function unknownMetricIds(ids: readonly string[]): string[] {
  return ids.filter((id) => findMetricDefinition(id) === undefined);
}

/** Every problem of a query at once, each naming its field (the engine checks the rest). */
export function kpiQueryProblems(query: KpiQuery): Problem[] {
  const problems: Problem[] = [];
  if (query.metrics.length === 0) problems.push({ field: 'metrics', message: 'name at least one metric' });
  const unknown = unknownMetricIds(query.metrics);
  if (unknown.length > 0)
    problems.push({
      field: 'metrics',
      value: unknown.join(','),
      message: `${unknown.length === 1 ? 'is not a metric' : 'are not metrics'}: see GET /api/metrics for the list`,
    });
  if (!(groupBys as readonly string[]).includes(query.by))
    problems.push({ field: 'by', value: query.by, message: `must be one of ${groupBys.join(', ')}` });
  if (!kpiPeriodPattern.test(query.period) || (trailingDays(query.period) ?? 0) > maxTrailingDays)
    problems.push({
      field: 'period',
      value: query.period,
      message: `must be one of ${periodKinds.join(', ')} or trailing_N (N days, 1 to ${maxTrailingDays})`,
    });
  for (const field of ['at', 'asOf'] as const) {
    const value = query[field];
    if (value !== undefined && parseIsoDate(value) === undefined)
      problems.push({ field, value, message: 'is not a YYYY-MM-DD date' });
  }
  if (query.calendar !== undefined && query.calendar !== 'fiscal' && query.calendar !== 'calendar')
    problems.push({ field: 'calendar', value: query.calendar, message: 'must be fiscal or calendar' });
  if (query.compare !== undefined && query.compare !== 'prior_period')
    problems.push({ field: 'compare', value: query.compare, message: 'must be prior_period' });
  if (query.currency !== undefined && !/^[A-Z]{3}$/.test(query.currency))
    problems.push({ field: 'currency', value: query.currency, message: 'must be an ISO 4217 code like USD' });
  return problems;
}

function trailingDays(period: string): number | undefined {
  const match = /^trailing_(\d+)$/.exec(period);
  return match ? Number(match[1]) : undefined;
}

const mainCurrencies = new WeakMap<OpportunitySnapshot, string | undefined>();

/** The currency most deals are in (ties: the first by code), or undefined when there are none. */
export function mainCurrencyOf(snapshot: OpportunitySnapshot): string | undefined {
  if (mainCurrencies.has(snapshot)) return mainCurrencies.get(snapshot);
  const { codes, dictionary } = snapshot.currency;
  const counts = new Float64Array(dictionary.length);
  for (let r = 0; r < snapshot.rowCount; r++) {
    const code = codes[r]!;
    if (code >= 0) counts[code]!++;
  }
  let best: string | undefined;
  let bestCount = 0;
  dictionary.forEach((currency, code) => {
    const n = counts[code]!;
    if (n > bestCount || (n > 0 && n === bestCount && currency < best!)) {
      best = currency;
      bestCount = n;
    }
  });
  mainCurrencies.set(snapshot, best);
  return best;
}

function span(period: { from: number; to: number; label?: string }): KpiSpan {
  const out: KpiSpan = { from: fromDayNumber(period.from), to: fromDayNumber(period.to) };
  if (period.label !== undefined) out.label = period.label;
  return out;
}

/**
 * KPIs for the edges (docs/metrics.md, "API and CLI"): loads the dimensions and quotas the engine
 * needs beside the columnar snapshots, keeps them until an import changes them (or a few seconds,
 * for imports made by another process), and evaluates a request through the caller's data scope.
 */
export class MetricsService {
  private loaded: { loadedAt: number; value: Promise<LoadedDimensions>; snapshot: object } | null = null;
  private readonly quotaRows = new WeakMap<LoadedDimensions, Map<string, QuotaRow[]>>();

  constructor(
    private readonly store: Store,
    private readonly snapshots: SnapshotCache,
    private readonly clock: Clock,
    private readonly fiscalYearStartMonth: number,
    kpiCacheEntries = 64,
  ) {
    this.answers = new AnswerCache(kpiCacheEntries);
  }

  /** Called after every import (people, the hierarchy, accounts or quotas may have changed). */
  invalidate(): void {
    this.loaded = null;
    this.alertCache = new WeakMap();
    this.answers.clear();
  }

  private alertCache = new WeakMap<object, Map<string, Promise<AlertReport>>>();
  /** Recent answers of evaluate, series and columns (answer-cache.ts). */
  private readonly answers: AnswerCache;

  /**
   * The cached answer of one request: keyed by the dimensions loaded now (a new object after an
   * import or a quota edit), the caller's scope object, today (the default as-of day) and the query.
   */
  private async answer<T>(kind: string, query: object, scope: Scope, compute: () => Promise<T>): Promise<T> {
    const snapshots = await this.snapshots.get();
    const loaded = await this.dimensions(snapshots.opportunities);
    const today = this.clock.now().slice(0, 10);
    return this.answers.get(
      [snapshots.opportunities, loaded, scope, kind, today, JSON.stringify(query)],
      compute,
    );
  }

  /**
   * The engine's input: the snapshots, dimensions and quotas in a currency, seen through a scope
   * (everything: no filter, so deals without an owner count too).
   */
  private inputFor(
    snapshots: Snapshots,
    loaded: LoadedDimensions,
    currency: string,
    scope: Scope,
  ): MetricsInput {
    const input: MetricsInput = {
      opportunities: snapshots.opportunities,
      activities: snapshots.activities,
      dimensions: loaded.dimensions,
      quotas: this.quotasIn(loaded, currency),
    };
    if (scope.kind !== 'all') input.visible = (personId, day) => personVisibleOn(scope, personId, day);
    return input;
  }

  /**
   * The alerts of the current fiscal quarter as of today, for a caller's scope (docs/metrics.md,
   * "Alerts"). Computed once per snapshot, day and scope: after an import the snapshot is new, so
   * they are computed afresh (createAttain warms the whole organisation's set after each import).
   */
  async alerts(scope: Scope, scopeKey: string): Promise<AlertReport> {
    const snapshots = await this.snapshots.get();
    const loaded = await this.dimensions(snapshots.opportunities);
    const today = this.clock.now().slice(0, 10);
    let byScope = this.alertCache.get(snapshots.opportunities);
    if (!byScope) this.alertCache.set(snapshots.opportunities, (byScope = new Map()));
    const key = `${today} ${scopeKey}`;
    let report = byScope.get(key);
    if (!report) {
      report = Promise.resolve().then(() => {
        const asOf = parseIsoDate(today)!;
        const currency = mainCurrencyOf(snapshots.opportunities) ?? 'USD';
        const input = this.inputFor(snapshots, loaded, currency, scope);
        const period = fiscalMetricPeriod('quarter', asOf, this.fiscalYearStartMonth);
        const names = new Map(loaded.dimensions.people.map((p) => [p.id, p.name]));
        const alerts = computeAlerts(input, {
          asOf,
          period,
          currency,
          currencyDigits: minorDigits(currency),
        });
        return {
          asOf: today,
          period: span(period),
          alerts: alerts.map((a) => ({
            ...a,
            personName: a.personId === null ? null : (names.get(a.personId) ?? null),
          })),
        };
      });
      byScope.set(key, report);
      report.catch(() => byScope.delete(key));
    }
    return report;
  }

  /** Every metric's written-down definition, computed or defined only. */
  definitions(): readonly MetricDefinition[] {
    return metricDefinitions;
  }

  /**
   * People, hierarchy, accounts and quotas: read again when the snapshot changed (an import, here
   * or in another process: the snapshot cache checks once a second), after invalidate() (a quota
   * edited here), or after a minute at most. Not on a short timer: at 10,000 reps a read takes
   * most of a second, and every request in that second would wait for it.
   */
  private dimensions(snapshot: object): Promise<LoadedDimensions> {
    const now = Date.now();
    if (!this.loaded || this.loaded.snapshot !== snapshot || now - this.loaded.loadedAt > dimensionsTtlMs) {
      const value = loadMetricDimensions(this.store);
      this.loaded = { loadedAt: now, value, snapshot };
      // A failed read is not kept: the next request reads again.
      value.catch(() => {
        if (this.loaded?.value === value) this.loaded = null;
      });
    }
    return this.loaded.value;
  }

  private quotasIn(loaded: LoadedDimensions, currency: string): QuotaRow[] {
    let byCurrency = this.quotaRows.get(loaded);
    if (!byCurrency) this.quotaRows.set(loaded, (byCurrency = new Map()));
    let rows = byCurrency.get(currency);
    if (!rows) {
      rows = buildQuotaRows(loaded.quotas, loaded.holders, currency, minorDigits(currency));
      byCurrency.set(currency, rows);
    }
    return rows;
  }

  private periodOf(query: KpiQuery, day: number): MetricPeriod {
    const days = trailingDays(query.period);
    try {
      if (days !== undefined) return trailingDaysPeriod(days, day);
      const kind = query.period as PeriodKind;
      return query.calendar === 'calendar'
        ? calendarMetricPeriod(kind, day)
        : fiscalMetricPeriod(kind, day, this.fiscalYearStartMonth);
    } catch (error) {
      if (error instanceof DomainError)
        throw new AppError('validation', 'The KPI request is not valid.', [
          { field: 'at', value: fromDayNumber(day), message: error.message },
        ]);
      throw error;
    }
  }

  /**
   * What both kinds of request start from: the engine's input in the reporting currency through
   * the caller's scope, the as-of day (default today) and the period holding `at`.
   */
  private async prepare(
    query: Omit<KpiQuery, 'compare' | 'withRecords' | 'breakdowns' | 'group'>,
    scope: Scope,
  ): Promise<{ input: MetricsInput; asOf: number; period: MetricPeriod; currency: string }> {
    const snapshots = await this.snapshots.get();
    const loaded = await this.dimensions(snapshots.opportunities);
    const today = this.clock.now().slice(0, 10);
    const asOf = parseIsoDate(query.asOf ?? today)!;
    const period = this.periodOf(query, parseIsoDate(query.at ?? query.asOf ?? today)!);
    const currency = query.currency ?? mainCurrencyOf(snapshots.opportunities) ?? 'USD';
    return { input: this.inputFor(snapshots, loaded, currency, scope), asOf, period, currency };
  }

  /**
   * A metric over `count` consecutive periods in one answer (docs/metrics.md, "Series"), through
   * the caller's scope: the numbers of `evaluate` for each period, with the same as-of day.
   */
  series(query: KpiSeriesQuery, scope: Scope): Promise<KpiSeriesReport> {
    return this.answer('series', query, scope, () => this.computeSeries(query, scope));
  }

  private async computeSeries(query: KpiSeriesQuery, scope: Scope): Promise<KpiSeriesReport> {
    const request = await this.seriesRequest(query, scope);
    const result = evaluateSeries(request.input, request.engine);
    return {
      metrics: [...new Set(query.metrics)],
      groupBy: result.groupBy,
      periods: result.periods.map(span),
      asOf: fromDayNumber(result.asOf),
      currency: result.currency,
      groups: result.groups,
      issues: result.issues,
    };
  }

  /**
   * The numbers of `series`, shaped as columns (docs/metrics.md, "Columns"): for tables of
   * thousands of groups, where an object per group is most of the answer's making and size.
   */
  columns(query: KpiSeriesQuery, scope: Scope): Promise<KpiColumnsReport> {
    return this.answer('columns', query, scope, () => this.computeColumns(query, scope));
  }

  private async computeColumns(query: KpiSeriesQuery, scope: Scope): Promise<KpiColumnsReport> {
    const request = await this.seriesRequest(query, scope);
    const result = evaluateSeriesColumns(request.input, request.engine);
    return {
      metrics: [...new Set(query.metrics)],
      groupBy: result.groupBy,
      periods: result.periods.map(span),
      asOf: fromDayNumber(result.asOf),
      currency: result.currency,
      keys: result.keys,
      labels: result.labels,
      columns: result.columns,
      issues: result.issues,
    };
  }

  private async seriesRequest(query: KpiSeriesQuery, scope: Scope) {
    const problems = kpiQueryProblems(query);
    if (!Number.isInteger(query.count) || query.count < 1 || query.count > MAX_SERIES_PERIODS)
      problems.push({
        field: 'count',
        value: String(query.count),
        message: `must be a whole number from 1 to ${MAX_SERIES_PERIODS}`,
      });
    if (problems.length > 0) throw new AppError('validation', 'The KPI request is not valid.', problems);
    const { input, asOf, period, currency } = await this.prepare(query, scope);
    const days = trailingDays(query.period);
    const periods: MetricPeriod[] = [period];
    while (periods.length < query.count) {
      const next = periods[periods.length - 1]!.to;
      // The next period of the kind starts the day after the last one ends.
      periods.push(
        days !== undefined ? trailingDaysPeriod(days, next + days - 1) : this.periodOf(query, next),
      );
    }
    return {
      input,
      engine: {
        metrics: query.metrics,
        groupBy: query.by,
        periods,
        asOf,
        currency,
        currencyDigits: minorDigits(currency),
      },
    };
  }

  /**
   * Evaluates the metrics of a query for a caller's scope: everything (no filter: deals without an
   * owner count too) or the people and days the hierarchy lets them see.
   */
  async evaluate(query: KpiQuery, scope: Scope): Promise<KpiReport> {
    const problems = kpiQueryProblems(query);
    if (problems.length > 0) throw new AppError('validation', 'The KPI request is not valid.', problems);
    return this.answer('kpi', query, scope, () => this.computeKpi(query, scope));
  }

  private async computeKpi(query: KpiQuery, scope: Scope): Promise<KpiReport> {
    const { input, asOf, period, currency } = await this.prepare(query, scope);
    const result = evaluateMetrics(input, {
      metrics: query.metrics,
      groupBy: query.by,
      period,
      asOf,
      currency,
      currencyDigits: minorDigits(currency),
      ...(query.compare ? { compareTo: query.compare } : {}),
      ...(query.withRecords ? { withRecords: true } : {}),
      ...(query.breakdowns === false ? { breakdowns: false } : {}),
      ...(query.group !== undefined ? { group: query.group } : {}),
    });
    const report: KpiReport = {
      metrics: [...new Set(query.metrics)],
      groupBy: result.groupBy,
      period: span(result.period),
      asOf: fromDayNumber(result.asOf),
      currency: result.currency,
      groups: result.groups,
      issues: result.issues,
    };
    if (result.prior) report.prior = { ...span(result.prior), asOf: fromDayNumber(result.prior.asOf) };
    return report;
  }
}
