import {
  everything,
  personVisibleOn,
  positionVisibleOn,
  type Hierarchy,
  type Scope,
} from '../../domain/access/scope.ts';
import { fromDayNumber, parseIsoDate, toDayNumber } from '../../domain/calendar/day-number.ts';
import { AppError, type Problem } from '../../domain/errors.ts';
import {
  backtestHorizons,
  horizonAsOf,
  runBacktest,
  type BacktestHorizon,
  type DealScoreBacktest,
} from '../../domain/forecast/backtest.ts';
import {
  forecastGroupBys,
  type ForecastGroupBy,
  type ForecastMethod,
} from '../../domain/forecast/forecast-types.ts';
import { loadMetricDimensions } from '../metrics/load-metric-dimensions.ts';
import { buildDealTimelines, wonAsOf, type DealTimelines } from '../../domain/forecast/deal-timelines.ts';
import { indexActivities, type ActivityIndex } from '../../domain/forecast/propensity.ts';
import { findRiskyDeals, type RiskyDeal } from '../../domain/forecast/deal-risk.ts';
import { dealsAsOf, fieldOn } from '../../domain/forecast/deals-as-of.ts';
import { FIELD_CODE } from '../../domain/snapshot/opportunity-snapshot.ts';
import {
  scoreDealPredictions,
  scoreForecasts,
  type ForecastOutcome,
} from '../../domain/forecast/forecast-accuracy.ts';
import {
  DEFAULT_SHOCK_WINDOWS,
  forecastPeriod,
  type ForecastResult,
} from '../../domain/forecast/forecast-period.ts';
import { childrenOf, subtreeKeyOf, treeOn, type TreeOnDay } from '../../domain/forecast/forecast-tree.ts';
import {
  callFromCategories,
  checkForecastCall,
  latestVersions,
  rollUpForecast,
  type ForecastCall,
  type SubmissionVersion,
} from '../../domain/forecast/submissions.ts';
import { minorToDecimal } from '../../domain/money.ts';
import type { OpportunitySnapshot } from '../../domain/snapshot/opportunity-snapshot.ts';
import { NULL_CODE, NULL_DAY } from '../../domain/snapshot/columns.ts';
import { forecastCategories, type ForecastCategory } from '../../domain/vocabulary.ts';
import { minorDigits, parseMoney } from '../../ingest/parse-values.ts';
import type { Insertable } from 'kysely';
import type { Store } from '../../store/open-database.ts';
import type { Database } from '../../store/schema.ts';
import { createRandom } from '../../domain/demo/random.ts';
import type { AccessService } from '../access/access-service.ts';
import { recordAudit, type Actor } from '../audit/audit-log.ts';
import type { Principal } from '../auth/principal.ts';
import { mainCurrencyOf } from '../metrics/metrics-service.ts';
import type { Clock } from '../ports.ts';
import type { SnapshotCache, Snapshots } from '../snapshot-cache.ts';

/** Trials of the Monte Carlo behind each range shown (the backtest uses the same). */
const TRIALS = 2_000;
const SEED = 1;
const MAX_RISKY = 25;
export const forecastPeriodKinds = ['month', 'quarter', 'year'] as const;
export type ForecastPeriodKind = (typeof forecastPeriodKinds)[number];

export type PeriodRow = {
  id: number;
  kind: string;
  label: string;
  from: number;
  to: number;
  status: string;
};

export type ForecastNumbers = {
  closed: string;
  stageWeighted: string;
  expected: string;
  p10: string;
  p50: string;
  p90: string;
  openDeals: number;
};

export type CallDto = { commit: string; mostLikely: string; bestCase: string; pipeline: string };

export type SubmissionDto = CallDto & {
  positionId: number;
  version: number;
  kind: 'submission' | 'override';
  note: string | null;
  asOf: string;
  submittedAt: string;
  submittedBy: string;
  rollUp: string | null;
  system: string | null;
};

export type ForecastRowDto = {
  positionId: number;
  personId: number | null;
  name: string;
  title: string;
  /** Positions reporting to this one on the as-of day. */
  reports: number;
  system: ForecastNumbers;
  rollUp: CallDto | null;
  call: CallDto | null;
  source: 'own' | 'roll_up' | 'none';
  own: SubmissionDto | null;
  /** Own most likely − roll-up most likely (a manager's override), when both exist. */
  override: string | null;
  reportsWithCall: number;
};

export type ForecastView = {
  period: {
    id: number;
    kind: string;
    label: string;
    from: string;
    to: string;
    status: string;
    open: boolean;
  };
  asOf: string;
  currency: string;
  /** The position viewed; null: the whole company (its top positions are the rows). */
  node: ForecastRowDto | null;
  company: { name: string; system: ForecastNumbers } | null;
  /** The way up to the top, within the caller's scope: each a position and its holder. */
  path: { positionId: number | null; name: string }[];
  rows: ForecastRowDto[];
  /** Deals at risk in the node's subtree, closing in the period (or overdue). */
  risky: (Omit<RiskyDeal, 'amountMinor' | 'amountCutMinor' | 'closeOn'> & {
    amount: string;
    closeOn: string | null;
    ownerName: string | null;
  })[];
  /** What the caller may do here. */
  canSubmit: boolean;
  /** The caller's own call's suggestion from their deals' CRM categories (cumulative). */
  suggestion: CallDto | null;
  /** Every version of the node's own submissions for the period, newest first. */
  versions: SubmissionDto[];
  /**
   * The common shock in the range (a good or bad period for everyone): σ of its factor and the
   * past periods it was learned from; null when there were too few (issue independent_deals).
   */
  rangeShock: { sd: number; windows: number } | null;
  issues: { code: string; message: string }[];
};

export type SubmitRequest = {
  periodId: number;
  positionId: number;
  commit: string;
  mostLikely: string;
  bestCase: string;
  pipeline: string;
  note?: string | null;
};

export type BacktestQuery = {
  kind: ForecastPeriodKind;
  count: number;
  /** 'YYYY-MM-DD'; default today. */
  asOf?: string;
  groupBy: ForecastGroupBy;
  trials: number;
  seed: number;
  horizons?: BacktestHorizon[];
  /** Train and score the win-propensity model at every horizon too (slower). */
  propensity?: boolean;
  /**
   * Past periods from which the range's common shock is learned (docs/forecasting.md §Ranges);
   * 0 simulates the deals as independent. Default 8.
   */
  shockWindows?: number;
};

export type BacktestReport = {
  currency: string;
  groupBy: ForecastGroupBy;
  trials: number;
  seed: number;
  shockWindows: number;
  periods: { label: string; from: string; to: string }[];
  rows: {
    period: string;
    horizon: BacktestHorizon;
    asOf: string;
    /** Group key: 0 for the company, else a person, team or region id (-1: none). */
    key: number;
    actual: string;
    stageWeighted: string;
    historical: string;
    propensity?: string;
    p10: string | null;
    p50: string | null;
    p90: string | null;
  }[];
  scores: {
    method: ForecastMethod;
    horizon: BacktestHorizon;
    outcomes: number;
    wape: number | null;
    bias: number | null;
    coverage: number | null;
  }[];
  /** With propensity: AUC, Brier score and calibration of the deal scores, per horizon. */
  dealScores?: DealScoreBacktest[];
  computeMs: number;
};

export type AccuracyRow = {
  period: string;
  horizon: BacktestHorizon;
  asOf: string;
  actual: string;
  stageWeighted: string;
  historical: string;
  propensity: string;
  p10: string;
  p50: string;
  p90: string;
  repRollUp: string | null;
  managerCall: string | null;
};

export type AccuracyLayer = {
  layer: 'stage_weighted' | 'historical' | 'monte_carlo' | 'propensity' | 'rep_roll_up' | 'manager_call';
  horizon: BacktestHorizon;
  periods: number;
  wape: number | null;
  bias: number | null;
  coverage: number | null;
  /** WAPE of the stage-weighted baseline minus this layer's, on the same periods: > 0 adds value. */
  valueAdded: number | null;
};

export type AccuracyReport = {
  kind: string;
  currency: string;
  node: { positionId: number | null; name: string };
  rows: AccuracyRow[];
  layers: AccuracyLayer[];
  /** The propensity model's deal scores (AUC, Brier, calibration by decile), per horizon. */
  dealScores: DealScoreBacktest[];
};

type Loaded = {
  snapshots: Snapshots;
  timelines: DealTimelines;
  activityIndex: ActivityIndex;
  hierarchy: Hierarchy;
  names: Map<number, string>;
  positions: Map<number, { title: string }>;
  dealNames: Map<number, string>;
  /** Contacts on each deal as the CRM has them now (not historised): judged on today's pipeline only. */
  dealContacts: Map<number, number>;
  stageProbabilities: Record<string, number>;
  currency: string;
  currencyCode: number;
};

const accuracyHorizons: BacktestHorizon[] = ['period_start', 'week_4'];

function minorOf(text: string, field: string, currency: string, problems: Problem[]): number {
  const parsed = parseMoney(text, currency);
  if (!parsed.ok) {
    problems.push({ field, value: text, message: parsed.reason });
    return 0;
  }
  if (parsed.value < 0) problems.push({ field, value: text, message: 'must be an amount of 0 or more' });
  return parsed.value;
}

/**
 * Forecasts for the edges (docs/forecasting.md): a period's number and range per position of the
 * hierarchy, the submissions of reps and managers rolled up beside it, the deals at risk, and the
 * accuracy of every layer over past periods. Reads through the caller's scope; submissions are
 * made only by the holder of the position, for a period that has not ended.
 */
export class ForecastService {
  private loaded: { snapshot: object; hierarchy: Hierarchy; value: Promise<Loaded> } | null = null;
  private readonly results = new Map<string, ForecastResult>();

  constructor(
    private readonly store: Store,
    private readonly snapshots: SnapshotCache,
    private readonly access: AccessService,
    private readonly clock: Clock,
  ) {}

  /** After an import: people, positions and deals may have changed. */
  invalidate(): void {
    this.loaded = null;
    this.results.clear();
  }

  private today(): number {
    return toDayNumber(this.clock.now().slice(0, 10));
  }

  private async load(): Promise<Loaded> {
    const snapshots = await this.snapshots.get();
    const hierarchy = await this.access.currentHierarchy();
    if (
      this.loaded &&
      this.loaded.snapshot === snapshots.opportunities &&
      this.loaded.hierarchy === hierarchy
    )
      return this.loaded.value;
    this.results.clear();
    const value = (async (): Promise<Loaded> => {
      const db = this.store.db;
      const [people, positions, stages, deals] = await Promise.all([
        db.selectFrom('people').select(['id', 'name']).execute(),
        db.selectFrom('positions').select(['id', 'title']).execute(),
        db.selectFrom('stages').select(['name', 'category', 'default_probability']).execute(),
        db.selectFrom('opportunities').select(['id', 'name', 'contact_count']).execute(),
      ]);
      const snapshot = snapshots.opportunities;
      const currency = mainCurrencyOf(snapshot) ?? 'USD';
      return {
        snapshots,
        timelines: buildDealTimelines(snapshot),
        activityIndex: indexActivities(snapshots.activities),
        hierarchy,
        names: new Map(people.map((p) => [p.id, p.name])),
        positions: new Map(positions.map((p) => [p.id, { title: p.title }])),
        dealNames: new Map(deals.map((d) => [d.id, d.name ?? `Deal ${d.id}`])),
        dealContacts: new Map(
          deals.flatMap((d) => (d.contact_count === null ? [] : [[d.id, d.contact_count] as const])),
        ),
        stageProbabilities: Object.fromEntries(
          stages.filter((s) => s.category === 'open').map((s) => [s.name, s.default_probability]),
        ),
        currency,
        currencyCode: snapshot.currency.dictionary.indexOf(currency),
      };
    })();
    this.loaded = { snapshot: snapshots.opportunities, hierarchy, value };
    value.catch(() => {
      if (this.loaded?.value === value) this.loaded = null;
    });
    return value;
  }

  /** Periods of a kind for the period picker: from two years back to one ahead of today. */
  async periods(kind: ForecastPeriodKind): Promise<PeriodRow[]> {
    const today = this.today();
    const rows = await this.store.db
      .selectFrom('periods')
      .select(['id', 'kind', 'label', 'starts_on', 'ends_on', 'status'])
      .where('kind', '=', kind)
      .where('ends_on', '>=', fromDayNumber(today - 740))
      .where('starts_on', '<=', fromDayNumber(today + 370))
      .orderBy('starts_on')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      label: r.label,
      from: toDayNumber(r.starts_on),
      to: toDayNumber(r.ends_on) + 1,
      status: r.status,
    }));
  }

  private async periodOrThrow(periodId: number | undefined): Promise<PeriodRow> {
    let query = this.store.db
      .selectFrom('periods')
      .select(['id', 'kind', 'label', 'starts_on', 'ends_on', 'status']);
    if (periodId !== undefined) query = query.where('id', '=', periodId);
    else {
      const today = fromDayNumber(this.today());
      query = query
        .where('kind', '=', 'quarter')
        .where('starts_on', '<=', today)
        .where('ends_on', '>=', today);
    }
    const row = await query.executeTakeFirst();
    if (!row) throw new AppError('not_found', `No period ${periodId ?? 'containing today'}.`);
    if (!(forecastPeriodKinds as readonly string[]).includes(row.kind))
      throw new AppError('validation', 'The forecast request is not valid.', [
        { field: 'periodId', value: String(periodId), message: 'must be a month, a quarter or a year' },
      ]);
    return {
      id: row.id,
      kind: row.kind,
      label: row.label,
      from: toDayNumber(row.starts_on),
      to: toDayNumber(row.ends_on) + 1,
      status: row.status,
    };
  }

  /** The day a period is seen as of now: today, or its last day once it has ended. */
  private asOfFor(period: PeriodRow): number {
    return Math.min(this.today(), period.to - 1);
  }

  /** One forecast per period, day and grouping, kept until the data changes. */
  private forecast(
    loaded: Loaded,
    period: { from: number; to: number; label?: string },
    asOf: number,
    root: number | null,
    mode: 'children' | 'total',
    scope: Scope,
    withPropensity = false,
  ): ForecastResult {
    const scopeKey = scope.kind === 'all' ? 'all' : `person ${scope.selfPersonId}`;
    const key = `${period.from}:${period.to}:${asOf}:${root}:${mode}:${scopeKey}:${withPropensity}`;
    const known = this.results.get(key);
    if (known) return known;
    const below = subtreeKeyOf(loaded.hierarchy, root);
    // The company total counts every deal, owned or not; a subtree only its people's. A caller
    // with a hierarchy scope counts a deal only if its owner was theirs to see on the deal's day.
    const grouped =
      mode === 'children'
        ? below
        : root === null
          ? () => 0
          : (person: number, day: number) => (below(person, day) === -1 ? -1 : 0);
    const keyOfPerson =
      scope.kind === 'all'
        ? grouped
        : (person: number, day: number) => (personVisibleOn(scope, person, day) ? grouped(person, day) : -1);
    const result = forecastPeriod(
      {
        snapshot: loaded.snapshots.opportunities,
        timelines: loaded.timelines,
        keyOfPerson,
        activities: loaded.activityIndex,
      },
      {
        period,
        asOf,
        groupBy: 'company',
        stageProbabilities: loaded.stageProbabilities,
        currency: loaded.currency,
        monteCarlo: { trials: TRIALS, seed: SEED },
        ...(withPropensity ? { propensity: {} } : {}),
      },
    );
    if (this.results.size > 200) this.results.clear();
    this.results.set(key, result);
    return result;
  }

  private async versionsFor(periodId: number, positions?: number[]): Promise<StoredVersion[]> {
    let query = this.store.db
      .selectFrom('forecast_submissions')
      .selectAll()
      .where('period_id', '=', periodId)
      .orderBy('position_id')
      .orderBy('version');
    if (positions) {
      if (positions.length === 0) return [];
      query = query.where('position_id', 'in', positions);
    }
    const rows = await query.execute();
    return rows.map((r) => ({
      positionId: r.position_id,
      version: r.version,
      commitMinor: r.commit_minor,
      mostLikelyMinor: r.most_likely_minor,
      bestCaseMinor: r.best_case_minor,
      pipelineMinor: r.pipeline_minor,
      note: r.note,
      submittedAt: r.submitted_at,
      submittedBy: r.submitted_by,
      kind: r.kind,
      asOf: r.as_of,
      rollUpMinor: r.roll_up_minor,
      systemMinor: r.system_minor,
    }));
  }

  /**
   * May the caller open a position as it stood on a day (the company: only with everything in
   * scope)? A manager who left a team no longer opens it, even for a period they managed part of.
   */
  private canView(scope: Scope, positionId: number | null, day: number): boolean {
    if (scope.kind === 'all') return true;
    if (positionId === null) return false;
    return positionVisibleOn(scope, positionId, day);
  }

  /** One answer for a position that does not exist and one out of scope: ids cannot be probed. */
  private noPosition(positionId: number | null): AppError {
    return new AppError('not_found', `No position ${positionId ?? ''} in your forecast.`.replace('  ', ' '));
  }

  /** The position a caller starts at: the first one they hold on the day, or the company. */
  private homeOf(principal: Pick<Principal, 'personId'>, tree: TreeOnDay, scope: Scope): number | null {
    const held = principal.personId === null ? [] : (tree.positionsOf.get(principal.personId) ?? []);
    if (held.length > 0) return [...held].sort((a, b) => a - b)[0]!;
    if (scope.kind === 'all') return null;
    throw new AppError('not_found', 'You hold no position in the hierarchy for this period.');
  }

  /** The forecast page of a period for a position (or the company). */
  async view(
    principal: Pick<Principal, 'personId'>,
    scope: Scope,
    query: { periodId?: number; positionId?: number },
  ): Promise<ForecastView> {
    const period = await this.periodOrThrow(query.periodId);
    const loaded = await this.load();
    const asOf = this.asOfFor(period);
    const tree = treeOn(loaded.hierarchy, asOf);
    const node = query.positionId ?? this.homeOf(principal, tree, scope);
    if (!this.canView(scope, node, asOf) || (node !== null && !tree.parentOf.has(node)))
      throw this.noPosition(node);
    const digits = minorDigits(loaded.currency);
    const money = (minor: number) => minorToDecimal(Math.round(minor), digits);

    const childIds = childrenOf(tree, node);
    const subtree = node === null ? [...tree.parentOf.keys()] : subtreeOf(tree, node);
    const versions = await this.versionsFor(period.id, subtree);
    const latest = latestVersions(versions);
    const nodes = subtree.map((positionId) => ({
      positionId,
      parentId: tree.parentOf.get(positionId) ?? null,
      personId: tree.holderOf.get(positionId) ?? null,
      name: this.nameOf(loaded, tree, positionId),
    }));
    const rolled = rollUpForecast(nodes, latest);

    const byChild = this.forecast(loaded, period, asOf, node, 'children', scope);
    const total = this.forecast(loaded, period, asOf, node, 'total', scope);
    const systemOf = (result: ForecastResult, key: number): ForecastNumbers => {
      const h = result.historical.find((g) => g.key === key);
      const w = result.stageWeighted.find((g) => g.key === key);
      return {
        closed: money(h?.closedMinor ?? 0),
        stageWeighted: money(w?.expectedMinor ?? 0),
        expected: money(h?.expectedMinor ?? 0),
        p10: money(h?.p10Minor ?? 0),
        p50: money(h?.p50Minor ?? 0),
        p90: money(h?.p90Minor ?? 0),
        openDeals: h?.openDeals ?? 0,
      };
    };
    const callDto = (call: ForecastCall | null): CallDto | null =>
      call && {
        commit: money(call.commitMinor),
        mostLikely: money(call.mostLikelyMinor),
        bestCase: money(call.bestCaseMinor),
        pipeline: money(call.pipelineMinor),
      };
    const submissionDto = (v: StoredVersion): SubmissionDto => ({
      positionId: v.positionId,
      version: v.version,
      kind: v.kind,
      note: v.note,
      asOf: v.asOf,
      submittedAt: v.submittedAt,
      submittedBy: v.submittedBy,
      rollUp: v.rollUpMinor === null ? null : money(v.rollUpMinor),
      system: v.systemMinor === null ? null : money(v.systemMinor),
      ...callDto(v)!,
    });
    const rowOf = (positionId: number, system: ForecastNumbers): ForecastRowDto => {
      const r = rolled.get(positionId)!;
      return {
        positionId,
        personId: tree.holderOf.get(positionId) ?? null,
        name: this.nameOf(loaded, tree, positionId),
        title: loaded.positions.get(positionId)?.title ?? '',
        reports: r.children.length,
        system,
        rollUp: callDto(r.rollUp),
        call: callDto(r.call),
        source: r.source,
        own: r.own ? submissionDto(r.own as StoredVersion) : null,
        override: r.overrideMinor === null ? null : money(r.overrideMinor),
        reportsWithCall: r.childrenWithCall,
      };
    };
    // A vacant seat with nothing under it and no deals says nothing: left out.
    const rows = childIds
      .map((child) => rowOf(child, systemOf(byChild, child)))
      .filter(
        (row) =>
          row.personId !== null ||
          row.reports > 0 ||
          row.call !== null ||
          row.system.expected !== money(0) ||
          row.system.closed !== money(0),
      );
    const nodeRow = node === null ? null : rowOf(node, systemOf(total, 0));

    // The node's own deals (a manager's own, if any) show in its system number, not in a row.
    const visible = (person: number, day: number) => personVisibleOn(scope, person, day);
    const below = subtreeKeyOf(loaded.hierarchy, node);
    const snapshot = loaded.snapshots.opportunities;
    const risky = findRiskyDeals(
      snapshot,
      loaded.timelines,
      loaded.snapshots.activities,
      {
        asOf,
        period,
        currency: loaded.currencyCode,
        visible: (person, day) => (node === null || below(person, day) !== -1) && visible(person, day),
        // The contact count has no history: judged only on today's pipeline.
        ...(asOf >= this.today() ? { contacts: loaded.dealContacts } : {}),
      },
      loaded.dealNames,
    )
      .slice(0, MAX_RISKY)
      .map(({ amountMinor, amountCutMinor: _cut, closeOn, ...deal }) => ({
        ...deal,
        amount: money(amountMinor),
        closeOn: closeOn === NULL_DAY ? null : fromDayNumber(closeOn),
        ownerName: deal.ownerId === null ? null : (loaded.names.get(deal.ownerId) ?? null),
      }));

    const holder = node === null ? null : (tree.holderOf.get(node) ?? null);
    const open = period.to - 1 >= this.today();
    const canSubmit = open && holder !== null && holder === principal.personId;
    const suggestion =
      node !== null && canSubmit ? callDto(this.suggestedCall(loaded, period, asOf, node)) : null;
    const path: ForecastView['path'] = [];
    for (let at: number | null = node; at !== null; at = tree.parentOf.get(at) ?? null) {
      if (!this.canView(scope, at, asOf)) break;
      path.unshift({ positionId: at, name: this.nameOf(loaded, tree, at) });
      if (path.length > 50) break;
    }
    if (scope.kind === 'all') path.unshift({ positionId: null, name: 'Company' });

    return {
      period: {
        id: period.id,
        kind: period.kind,
        label: period.label,
        from: fromDayNumber(period.from),
        to: fromDayNumber(period.to),
        status: period.status,
        open,
      },
      asOf: fromDayNumber(asOf),
      currency: loaded.currency,
      node: nodeRow,
      company: node === null ? { name: 'Company', system: systemOf(total, 0) } : null,
      path,
      rows,
      risky,
      canSubmit,
      suggestion,
      versions:
        node === null
          ? []
          : versions
              .filter((v) => v.positionId === node)
              .reverse()
              .map(submissionDto),
      rangeShock:
        total.shock && total.shock.windows > 0 && !total.issues.some((i) => i.code === 'independent_deals')
          ? { sd: Number(total.shock.sd.toFixed(4)), windows: total.shock.windows }
          : null,
      issues: total.issues.map((i) => ({ code: i.code, message: i.message })),
    };
  }

  private nameOf(loaded: Loaded, tree: TreeOnDay, positionId: number): string {
    const holder = tree.holderOf.get(positionId);
    const title = loaded.positions.get(positionId)?.title ?? `Position ${positionId}`;
    return holder === undefined ? `${title} (vacant)` : (loaded.names.get(holder) ?? title);
  }

  /** A call from the CRM forecast categories of the position's own open deals closing in the period. */
  private suggestedCall(loaded: Loaded, period: PeriodRow, asOf: number, positionId: number): ForecastCall {
    const snapshot = loaded.snapshots.opportunities;
    const below = subtreeKeyOf(loaded.hierarchy, positionId);
    const { open, won } = dealsAsOf(snapshot, loaded.timelines, asOf, loaded.currencyCode);
    let closed = 0;
    for (let i = 0; i < won.count; i++) {
      const day = won.wonDay[i]!;
      if (day >= period.from && day < period.to && below(won.owner[i]!, day) !== -1)
        closed += won.amountMinor[i]!;
    }
    const deals: { amountMinor: number; category: ForecastCategory | null }[] = [];
    for (let i = 0; i < open.count; i++) {
      const closeOn = open.closeOn[i]!;
      if (closeOn === NULL_DAY || closeOn < period.from || closeOn >= period.to) continue;
      if (below(open.owner[i]!, asOf) === -1) continue;
      deals.push({ amountMinor: open.amountMinor[i]!, category: categoryOf(snapshot, open.row[i]!) });
    }
    return callFromCategories(closed, deals);
  }

  /** Records a new version of a position's call; only its holder may, while the period is open. */
  async submit(
    principal: Pick<Principal, 'personId'>,
    actor: Actor,
    request: SubmitRequest,
  ): Promise<SubmissionDto> {
    const period = await this.periodOrThrow(request.periodId);
    const loaded = await this.load();
    const asOf = this.asOfFor(period);
    const tree = treeOn(loaded.hierarchy, asOf);
    const holder = tree.holderOf.get(request.positionId);
    if (holder === undefined || holder !== principal.personId)
      throw new AppError('forbidden', 'Only the person holding a position submits its forecast.');
    if (period.to - 1 < this.today())
      throw new AppError('conflict', `${period.label} has ended: its forecast can no longer change.`);
    const problems: Problem[] = [];
    const currency = loaded.currency;
    const call: ForecastCall = {
      commitMinor: minorOf(request.commit, 'commit', currency, problems),
      mostLikelyMinor: minorOf(request.mostLikely, 'mostLikely', currency, problems),
      bestCaseMinor: minorOf(request.bestCase, 'bestCase', currency, problems),
      pipelineMinor: minorOf(request.pipeline, 'pipeline', currency, problems),
    };
    if (problems.length === 0) problems.push(...checkForecastCall(call));
    const reports = childrenOf(tree, request.positionId);
    const kind = reports.length > 0 ? 'override' : 'submission';
    const note = request.note?.trim() ? request.note.trim() : null;
    if (kind === 'override' && note === null)
      problems.push({ field: 'note', message: 'an override of the team’s roll-up needs a note saying why' });
    if (note !== null && note.length > 2_000)
      problems.push({ field: 'note', message: 'must be at most 2,000 characters' });
    if (problems.length > 0)
      throw new AppError('validation', 'The forecast submission is not valid.', problems);

    // What the team's roll-up and the system said when this was submitted (for forecast value added).
    const subtree = subtreeOf(tree, request.positionId);
    const rolled = rollUpForecast(
      subtree.map((positionId) => ({
        positionId,
        parentId: tree.parentOf.get(positionId) ?? null,
        personId: tree.holderOf.get(positionId) ?? null,
        name: '',
      })),
      latestVersions(await this.versionsFor(period.id, reports.length > 0 ? subtree : [])),
    );
    const rollUp = kind === 'override' ? (rolled.get(request.positionId)?.rollUp ?? null) : null;
    const system = this.forecast(
      loaded,
      period,
      asOf,
      request.positionId,
      'total',
      everything,
    ).historical.find((g) => g.key === 0);
    const now = this.clock.now();
    const saved = await this.store.db.transaction().execute(async (trx) => {
      // One submission of a position at a time: the next version number is read under the lock.
      await trx
        .selectFrom('positions')
        .select('id')
        .where('id', '=', request.positionId)
        .forUpdate()
        .execute();
      const last = await trx
        .selectFrom('forecast_submissions')
        .select((eb) => eb.fn.max('version').as('version'))
        .where('position_id', '=', request.positionId)
        .where('period_id', '=', period.id)
        .executeTakeFirst();
      const version = (last?.version ?? 0) + 1;
      const row = await trx
        .insertInto('forecast_submissions')
        .values({
          position_id: request.positionId,
          period_id: period.id,
          version,
          kind,
          currency,
          commit_minor: call.commitMinor,
          most_likely_minor: call.mostLikelyMinor,
          best_case_minor: call.bestCaseMinor,
          pipeline_minor: call.pipelineMinor,
          roll_up_minor: rollUp?.mostLikelyMinor ?? null,
          system_minor: system?.p50Minor === undefined ? null : Math.round(system.p50Minor),
          note,
          as_of: fromDayNumber(asOf),
          submitted_by: actor.label,
          submitted_by_user_id: actor.userId,
          submitted_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const digits = minorDigits(currency);
      await recordAudit(trx, actor, now, {
        action: kind === 'override' ? 'forecast_overridden' : 'forecast_submitted',
        entity: 'forecast_submission',
        entityId: row.id,
        summary: `${kind === 'override' ? 'Overrode the team forecast' : 'Submitted the forecast'} of ${this.nameOf(loaded, tree, request.positionId)} for ${period.label}: most likely ${minorToDecimal(call.mostLikelyMinor, digits)} ${currency} (version ${version})${note ? `: ${note}` : ''}.`,
        after: { ...request, version },
      });
      return row;
    });
    const digits = minorDigits(currency);
    const money = (minor: number) => minorToDecimal(minor, digits);
    return {
      positionId: saved.position_id,
      version: saved.version,
      kind: saved.kind,
      note: saved.note,
      asOf: saved.as_of,
      submittedAt: saved.submitted_at,
      submittedBy: saved.submitted_by,
      rollUp: saved.roll_up_minor === null ? null : money(saved.roll_up_minor),
      system: saved.system_minor === null ? null : money(saved.system_minor),
      commit: money(saved.commit_minor),
      mostLikely: money(saved.most_likely_minor),
      bestCase: money(saved.best_case_minor),
      pipeline: money(saved.pipeline_minor),
    };
  }

  /**
   * The backtest of docs/forecasting.md §Backtest over the last `count` periods of a kind that
   * ended by the as-of day (default today): each method at each horizon, with no look-ahead, scored
   * against what was won. For `attain forecast backtest` and anyone checking the methods.
   */
  async backtest(query: BacktestQuery): Promise<BacktestReport> {
    const problems: Problem[] = [];
    if (!(forecastPeriodKinds as readonly string[]).includes(query.kind))
      problems.push({
        field: 'period',
        value: query.kind,
        message: `must be one of ${forecastPeriodKinds.join(', ')}`,
      });
    if (!Number.isInteger(query.count) || query.count < 1 || query.count > 60)
      problems.push({ field: 'periods', value: String(query.count), message: 'must be 1 to 60' });
    if (!(forecastGroupBys as readonly string[]).includes(query.groupBy))
      problems.push({
        field: 'by',
        value: query.groupBy,
        message: `must be one of ${forecastGroupBys.join(', ')}`,
      });
    for (const h of query.horizons ?? [])
      if (!(backtestHorizons as readonly string[]).includes(h))
        problems.push({
          field: 'horizons',
          value: h,
          message: `must be among ${backtestHorizons.join(', ')}`,
        });
    const shockWindows = query.shockWindows ?? DEFAULT_SHOCK_WINDOWS;
    if (!Number.isInteger(shockWindows) || shockWindows < 0 || shockWindows > 24)
      problems.push({
        field: 'shock-windows',
        value: String(query.shockWindows),
        message: 'must be 0 to 24',
      });
    const asOf = query.asOf === undefined ? this.today() : parseIsoDate(query.asOf);
    if (asOf === undefined)
      problems.push({ field: 'as-of', value: query.asOf, message: 'must be a date YYYY-MM-DD' });
    if (problems.length > 0) throw new AppError('validation', 'The backtest request is not valid.', problems);
    const loaded = await this.load();
    const periodRows = await this.store.db
      .selectFrom('periods')
      .select(['label', 'starts_on', 'ends_on'])
      .where('kind', '=', query.kind)
      .where('ends_on', '<=', fromDayNumber(asOf!))
      .orderBy('starts_on', 'desc')
      .limit(query.count)
      .execute();
    const periods = periodRows
      .reverse()
      .map((r) => ({ from: toDayNumber(r.starts_on), to: toDayNumber(r.ends_on) + 1, label: r.label }));
    if (periods.length === 0)
      throw new AppError('not_found', `No ${query.kind} ended by ${fromDayNumber(asOf!)}.`);
    const dimensions =
      query.groupBy === 'company' ? undefined : (await loadMetricDimensions(this.store)).dimensions;
    const started = performance.now();
    const result = runBacktest(
      {
        snapshot: loaded.snapshots.opportunities,
        timelines: loaded.timelines,
        activities: loaded.activityIndex,
        ...(dimensions ? { dimensions } : {}),
      },
      {
        periods,
        groupBy: query.groupBy,
        stageProbabilities: loaded.stageProbabilities,
        currency: loaded.currency,
        monteCarlo: { trials: query.trials, seed: query.seed },
        shockWindows,
        ...(query.horizons ? { horizons: query.horizons } : {}),
        ...(query.propensity ? { propensity: {} } : {}),
      },
    );
    const digits = minorDigits(loaded.currency);
    const money = (minor: number | undefined) =>
      minor === undefined ? null : minorToDecimal(Math.round(minor), digits);
    return {
      currency: loaded.currency,
      groupBy: query.groupBy,
      trials: query.trials,
      seed: query.seed,
      shockWindows,
      periods: periods.map((p) => ({ label: p.label, from: fromDayNumber(p.from), to: fromDayNumber(p.to) })),
      rows: result.rows.map((r) => ({
        period: r.period.label ?? fromDayNumber(r.period.from),
        horizon: r.horizon,
        asOf: fromDayNumber(r.asOf),
        key: r.key,
        actual: money(r.actualMinor)!,
        stageWeighted: money(r.stageWeightedMinor)!,
        historical: money(r.historicalMinor)!,
        ...(r.propensityMinor !== undefined ? { propensity: money(r.propensityMinor)! } : {}),
        p10: money(r.p10Minor),
        p50: money(r.p50Minor),
        p90: money(r.p90Minor),
      })),
      scores: result.scores.map((sc) => ({
        method: sc.method,
        horizon: sc.horizon,
        outcomes: sc.outcomes,
        wape: sc.wape,
        bias: sc.bias,
        coverage: sc.coverage ?? null,
      })),
      ...(result.dealScores ? { dealScores: result.dealScores } : {}),
      computeMs: Math.round(performance.now() - started),
    };
  }

  /**
   * Demo only: the calls reps and first-line managers would have made in the last `count` ended
   * quarters, at the start of each and at week 4, so that the accuracy of every layer has history
   * to show on a fresh start. Each rep has a habit drawn once from the seed (most sandbag a little,
   * some are optimists) applied to the system's number for their deals on that day; each manager
   * corrects part of their team's habit, with noise, and says so in the note. Written straight to
   * the store, marked as the demo's, and only into an empty submissions table.
   */
  async seedDemoHistory(options: { seed: number; count: number }): Promise<number> {
    const existing = await this.store.db
      .selectFrom('forecast_submissions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    if (Number(existing.n) > 0) return 0;
    const loaded = await this.load();
    const today = this.today();
    const periods = (
      await this.store.db
        .selectFrom('periods')
        .select(['id', 'starts_on', 'ends_on'])
        .where('kind', '=', 'quarter')
        .where('ends_on', '<', fromDayNumber(today))
        .orderBy('starts_on', 'desc')
        .limit(options.count)
        .execute()
    ).map((r) => ({ id: r.id, from: toDayNumber(r.starts_on), to: toDayNumber(r.ends_on) + 1 }));
    const random = createRandom(options.seed, 'forecast-demo-submissions');
    const habit = new Map<number, number>();
    const habitOf = (positionId: number) => {
      let h = habit.get(positionId);
      if (h === undefined) habit.set(positionId, (h = random.between(0.72, 1.12)));
      return h;
    };
    const values: Insertable<Database['forecast_submissions']>[] = [];
    const version = new Map<string, number>();
    for (const period of periods.reverse())
      for (const horizon of accuracyHorizons) {
        const asOf = horizonAsOf(horizon, period);
        if (asOf === undefined) continue;
        const tree = treeOn(loaded.hierarchy, asOf);
        const byRep = forecastPeriod(
          { snapshot: loaded.snapshots.opportunities, timelines: loaded.timelines, keyOfPerson: (p) => p },
          {
            period,
            asOf,
            groupBy: 'rep',
            stageProbabilities: loaded.stageProbabilities,
            currency: loaded.currency,
          },
        );
        const systemOfPerson = new Map(byRep.historical.map((g) => [g.key, g]));
        const submittedAt = `${fromDayNumber(asOf)}T16:00:00.000Z`;
        const add = (
          positionId: number,
          kind: 'submission' | 'override',
          mostLikely: number,
          closed: number,
          note: string | null,
          rollUp: number | null,
        ) => {
          const key = `${positionId}:${period.id}`;
          const v = (version.get(key) ?? 0) + 1;
          version.set(key, v);
          const ml = Math.max(Math.round(mostLikely), Math.round(closed));
          const commit = Math.round(closed + (ml - closed) * 0.7);
          const best = Math.round(ml * 1.25);
          values.push({
            position_id: positionId,
            period_id: period.id,
            version: v,
            kind,
            currency: loaded.currency,
            commit_minor: commit,
            most_likely_minor: ml,
            best_case_minor: best,
            pipeline_minor: Math.round(best * 1.6),
            roll_up_minor: rollUp,
            system_minor: null,
            note,
            as_of: fromDayNumber(asOf),
            submitted_by: 'demo',
            submitted_by_user_id: null,
            submitted_at: submittedAt,
          });
          return ml;
        };
        for (const manager of tree.parentOf.keys()) {
          const reps = childrenOf(tree, manager).filter(
            (p) => childrenOf(tree, p).length === 0 && tree.holderOf.has(p),
          );
          if (reps.length === 0 || !tree.holderOf.has(manager)) continue;
          let rollUp = 0;
          let closedSum = 0;
          let habits = 0;
          for (const rep of reps) {
            const g = systemOfPerson.get(tree.holderOf.get(rep)!);
            const closed = g?.closedMinor ?? 0;
            const open = (g?.expectedMinor ?? 0) - closed;
            rollUp += add(rep, 'submission', closed + open * habitOf(rep), closed, null, null);
            closedSum += closed;
            habits += habitOf(rep);
          }
          // The manager knows the team's habit in part: corrects half of it, with noise.
          const correction = 1 + 0.5 * (reps.length / habits - 1) + random.between(-0.06, 0.06);
          const call = closedSum + (rollUp - closedSum) * correction;
          add(
            manager,
            'override',
            call,
            closedSum,
            'Demo: adjusted for how the team usually calls',
            Math.round(rollUp),
          );
        }
      }
    // All or nothing: a history cut short by a crash would never be completed (the table is not empty).
    await this.store.db.transaction().execute(async (trx) => {
      for (let i = 0; i < values.length; i += 1_000)
        await trx
          .insertInto('forecast_submissions')
          .values(values.slice(i, i + 1_000))
          .execute();
    });
    return values.length;
  }

  /**
   * Accuracy of every layer over the last `count` periods of a kind that have ended: the system's
   * methods as they would have forecast at the start of each period and at week 4, the reps'
   * submissions summed, and the manager's call (their override, else the roll-up), each as it
   * stood on that day, against what was won.
   */
  async accuracy(
    principal: Pick<Principal, 'personId'>,
    scope: Scope,
    query: { kind: ForecastPeriodKind; count: number; positionId?: number },
  ): Promise<AccuracyReport> {
    const loaded = await this.load();
    const today = this.today();
    const tree = treeOn(loaded.hierarchy, today);
    const node = query.positionId ?? this.homeOf(principal, tree, scope);
    // A position that never was, or never was the caller's, answers the same 404.
    if (
      (node !== null && !loaded.positions.has(node)) ||
      (scope.kind !== 'all' && (node === null || !scope.positions.has(node)))
    )
      throw this.noPosition(node);
    const periods = (
      await this.store.db
        .selectFrom('periods')
        .select(['id', 'kind', 'label', 'starts_on', 'ends_on', 'status'])
        .where('kind', '=', query.kind)
        .where('ends_on', '<', fromDayNumber(today))
        .orderBy('starts_on', 'desc')
        .limit(query.count)
        .execute()
    )
      .reverse()
      .map((r) => ({
        id: r.id,
        kind: r.kind,
        label: r.label,
        from: toDayNumber(r.starts_on),
        to: toDayNumber(r.ends_on) + 1,
        status: r.status,
      }));
    const digits = minorDigits(loaded.currency);
    const money = (minor: number) => minorToDecimal(Math.round(minor), digits);
    const snapshot = loaded.snapshots.opportunities;
    const { won } = dealsAsOf(snapshot, loaded.timelines, today, loaded.currencyCode);
    const below = subtreeKeyOf(loaded.hierarchy, node);
    // Won deals count when their owner sat in the subtree, and was the caller's to see, on the day.
    const inSubtree = (person: number, day: number) =>
      (node === null || below(person, day) !== -1) && personVisibleOn(scope, person, day);

    type Scored = { row: AccuracyRow; minor: Record<string, number | null> };
    const scored: Scored[] = [];
    const dealPredictions = new Map<BacktestHorizon, { p: number[]; y: number[] }>();
    for (const period of periods) {
      let actual = 0;
      for (let i = 0; i < won.count; i++) {
        const day = won.wonDay[i]!;
        if (day >= period.from && day < period.to && inSubtree(won.owner[i]!, day))
          actual += won.amountMinor[i]!;
      }
      const versions = await this.versionsFor(period.id);
      for (const horizon of accuracyHorizons) {
        const asOf = horizonAsOf(horizon, period);
        // Only the days the caller may see the position as it stood: a predecessor's calls stay theirs.
        if (asOf === undefined || !this.canView(scope, node, asOf)) continue;
        const result = this.forecast(loaded, period, asOf, node, 'total', scope, true);
        const h = result.historical.find((g) => g.key === 0);
        const pr = result.propensity?.find((g) => g.key === 0);
        // The deal scores of the subtree's open deals that have closed since, for the deal-level layer.
        if (result.dealScores) {
          const into = dealPredictions.get(horizon) ?? { p: [], y: [] };
          dealPredictions.set(horizon, into);
          const { row, probability } = result.dealScores;
          for (let i = 0; i < row.length; i++) {
            const r = row[i]!;
            if (loaded.timelines.closeDay[r] === NULL_DAY || Number.isNaN(probability[i]!)) continue;
            if (!inSubtree(fieldOn(snapshot, r, asOf, FIELD_CODE.owner_person_id), asOf)) continue;
            into.p.push(probability[i]!);
            into.y.push(wonAsOf(loaded.timelines, r, today));
          }
        }
        const w = result.stageWeighted.find((g) => g.key === 0);
        // Submissions as they stood at the end of the horizon's day.
        const endOfDay = `${fromDayNumber(asOf + 1)}T00:00:00.000Z`;
        const known = latestVersions(versions.filter((v) => v.submittedAt < endOfDay));
        const dayTree = treeOn(loaded.hierarchy, asOf);
        const subtree = node === null ? [...dayTree.parentOf.keys()] : subtreeOf(dayTree, node);
        // The reps' layer only when every rep had a call by then: a partial sum is not a forecast.
        let repSum: number | null = 0;
        for (const positionId of subtree) {
          // A vacant seat has nobody to call for it.
          if (childrenOf(dayTree, positionId).length > 0 || !dayTree.holderOf.has(positionId)) continue;
          const own = known.get(positionId);
          if (!own) {
            repSum = null;
            break;
          }
          repSum += own.mostLikelyMinor;
        }
        const rolled = rollUpForecast(
          subtree.map((positionId) => ({
            positionId,
            parentId: dayTree.parentOf.get(positionId) ?? null,
            personId: dayTree.holderOf.get(positionId) ?? null,
            name: '',
          })),
          known,
        );
        // The managers' layer: the call of the position (or of each top position), when it covers
        // the whole subtree (an override, or a roll-up of complete calls) and some manager made one.
        const complete = (positionId: number): boolean => {
          const row = rolled.get(positionId);
          if (!row) return false;
          if (row.source === 'own') return true;
          if (row.children.length === 0) return !dayTree.holderOf.has(positionId);
          return row.children.every(complete) && row.childrenWithCall > 0;
        };
        const tops = node === null ? childrenOf(dayTree, null) : [node];
        let managerCall: number | null = tops.length > 0 && tops.every(complete) ? 0 : null;
        if (managerCall !== null)
          for (const top of tops) managerCall += rolled.get(top)!.call!.mostLikelyMinor;
        const anyOverride = subtree.some((p) => childrenOf(dayTree, p).length > 0 && known.has(p));
        if (!anyOverride) managerCall = null;
        const minor = {
          actual,
          stageWeighted: w?.expectedMinor ?? 0,
          historical: h?.expectedMinor ?? 0,
          propensity: pr?.expectedMinor ?? h?.expectedMinor ?? 0,
          p10: h?.p10Minor ?? 0,
          p50: h?.p50Minor ?? 0,
          p90: h?.p90Minor ?? 0,
          repRollUp: repSum,
          managerCall,
        };
        scored.push({
          minor,
          row: {
            period: period.label,
            horizon,
            asOf: fromDayNumber(asOf),
            actual: money(actual),
            stageWeighted: money(minor.stageWeighted),
            historical: money(minor.historical),
            propensity: money(minor.propensity),
            p10: money(minor.p10),
            p50: money(minor.p50),
            p90: money(minor.p90),
            repRollUp: repSum === null ? null : money(repSum),
            managerCall: managerCall === null ? null : money(managerCall),
          },
        });
      }
    }
    const layers: AccuracyLayer[] = [];
    for (const horizon of accuracyHorizons) {
      const at = scored.filter((s) => s.row.horizon === horizon);
      const layerDefs: [AccuracyLayer['layer'], string][] = [
        ['stage_weighted', 'stageWeighted'],
        ['historical', 'historical'],
        ['monte_carlo', 'p50'],
        ['propensity', 'propensity'],
        ['rep_roll_up', 'repRollUp'],
        ['manager_call', 'managerCall'],
      ];
      for (const [layer, field] of layerDefs) {
        const rows = at.filter((s) => s.minor[field] !== null);
        const outcomes: ForecastOutcome[] = rows.map((s) => ({
          forecastMinor: s.minor[field]!,
          actualMinor: s.minor.actual!,
          ...(layer === 'monte_carlo' ? { p10Minor: s.minor.p10!, p90Minor: s.minor.p90! } : {}),
        }));
        const score = scoreForecasts(outcomes);
        const baseline = scoreForecasts(
          rows.map((s) => ({ forecastMinor: s.minor.stageWeighted!, actualMinor: s.minor.actual! })),
        );
        layers.push({
          layer,
          horizon,
          periods: rows.length,
          wape: score.wape ?? null,
          bias: score.bias ?? null,
          coverage: score.coverage ?? null,
          valueAdded:
            rows.length === 0 || score.wape == null || baseline.wape == null
              ? null
              : baseline.wape - score.wape,
        });
      }
    }
    return {
      kind: query.kind,
      currency: loaded.currency,
      node: { positionId: node, name: node === null ? 'Company' : this.nameOf(loaded, tree, node) },
      rows: scored.map((s) => s.row),
      layers,
      dealScores: [...dealPredictions].map(([horizon, { p, y }]) => ({
        horizon,
        ...scoreDealPredictions(p, y),
      })),
    };
  }
}

type StoredVersion = SubmissionVersion & {
  kind: 'submission' | 'override';
  asOf: string;
  rollUpMinor: number | null;
  systemMinor: number | null;
};

/** A position and every position below it on the tree's day. */
function subtreeOf(tree: TreeOnDay, root: number): number[] {
  const children = new Map<number, number[]>();
  for (const [position, parent] of tree.parentOf) {
    if (parent === null) continue;
    const list = children.get(parent) ?? [];
    list.push(position);
    children.set(parent, list);
  }
  const out: number[] = [];
  const seen = new Set<number>();
  const stack = [root];
  while (stack.length > 0) {
    const at = stack.pop()!;
    if (seen.has(at)) continue;
    seen.add(at);
    out.push(at);
    stack.push(...(children.get(at) ?? []));
  }
  return out;
}

function categoryOf(snapshot: OpportunitySnapshot, row: number): ForecastCategory | null {
  const code = snapshot.forecastCategory.codes[row]!;
  if (code === NULL_CODE) return null;
  const name = snapshot.forecastCategory.dictionary[code];
  return (forecastCategories as readonly string[]).includes(name ?? '') ? (name as ForecastCategory) : null;
}
