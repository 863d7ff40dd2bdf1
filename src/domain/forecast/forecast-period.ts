/**
 * A period's revenue forecast as of a day, per rep, manager, team, region or the company, by each
 * method (docs/forecasting.md): the stage-weighted pipeline (the common practice, the baseline to
 * beat), the historical method (win-within curves by stage and age in stage, plus the deals not
 * created yet) and its Monte Carlo (P10 / P50 / P90). Pure: the as-of day is an argument and
 * nothing dated after it is read.
 */
import { AppError, type Problem } from '../errors.ts';
import { GroupResolver, SlotTable } from '../metrics/group-resolver.ts';
import { fromCivilDate, toCivilDate } from '../calendar/day-number.ts';
import { NULL_DAY } from '../snapshot/columns.ts';
import type { OpportunitySnapshot } from '../snapshot/opportunity-snapshot.ts';
import { buildDealTimelines, type DealTimelines } from './deal-timelines.ts';
import { closeBucketOf, dealsAsOf, typicalAmounts, type DealsAsOf } from './deals-as-of.ts';
import {
  CELL_NONE,
  cellOf,
  learnHistoricalModel,
  winBetween,
  type HistoricalModel,
  type HistoricalModelOptions,
} from './historical-model.ts';
import { AMOUNT_RATIO_POINTS, simulateRevenue } from './monte-carlo.ts';
import {
  scorePropensity,
  trainPropensityModel,
  type ActivityIndex,
  type PropensityModel,
  type PropensityOptions,
} from './propensity.ts';
import {
  forecastGroupBys,
  type ForecastDimensions,
  type ForecastGroupBy,
  type ForecastPeriod,
  type GroupForecast,
} from './forecast-types.ts';

export type ForecastInput = {
  snapshot: OpportunitySnapshot;
  /** buildDealTimelines(snapshot), when the caller keeps it across calls. */
  timelines?: DealTimelines;
  /** Needed for manager, team and region roll-ups. */
  dimensions?: ForecastDimensions;
  /**
   * A grouping of its own instead of `groupBy`: the group key of a deal's owner on a day (a
   * subtree of the hierarchy, say). Keys are whole numbers; -1 collects what belongs to no group.
   */
  keyOfPerson?: (personId: number, day: number) => number;
  /** Activities by deal (indexActivities), for the propensity model's activity features. */
  activities?: ActivityIndex;
};

export type ForecastRequest = {
  period: ForecastPeriod;
  /** The last day whose events are known (its end). */
  asOf: number;
  groupBy: ForecastGroupBy;
  /**
   * Win probability in percent (0-100) per open stage name: the stages' default probabilities,
   * or the organisation's own. A stage without one uses each deal's own probability field.
   */
  stageProbabilities: Readonly<Record<string, number>>;
  /** Only deals in this currency; required when the snapshot holds several. */
  currency?: string;
  /** Trials and seed of the Monte Carlo; leave out for expected values only. */
  monteCarlo?: { trials: number; seed: number };
  model?: HistoricalModelOptions;
  /**
   * How many past windows of the same length estimate the revenue of deals not created yet
   * (created after the as-of day and won within the period). Default 4; 0 leaves them out.
   */
  newDealWindows?: number;
  /** Train the win-propensity model as of the as-of day and forecast with it too (`propensity`). */
  propensity?: PropensityOptions;
  /**
   * With monteCarlo: how many past windows (the period shifted back by its length, the as-of day
   * with it, each closed by the as-of day) size the common shock of the range (learnPeriodShock).
   * Default 8; 0 treats deals as independent.
   */
  shockWindows?: number;
};

export type ForecastIssue = {
  code:
    'no_stage_probability' | 'thin_history' | 'typical_amount' | 'propensity_fallback' | 'independent_deals';
  message: string;
  stage?: string;
};

export type ForecastResult = {
  period: ForecastPeriod;
  asOf: number;
  groupBy: ForecastGroupBy;
  /** Closed revenue plus open deals with a close date in the period × their stage probability. */
  stageWeighted: GroupForecast[];
  /** Closed revenue plus the expected wins of open and not-yet-created deals; P10/P50/P90 with monteCarlo. */
  historical: GroupForecast[];
  /**
   * With `propensity`: the historical forecast with each open deal's chance of winning from the
   * propensity model (its timing still from the historical curves); the historical one where the
   * model had too little history (issue `propensity_fallback`).
   */
  propensity?: GroupForecast[];
  /** With `propensity`: each open deal's calibrated P(won), by snapshot row, for deal-level scoring. */
  dealScores?: { row: Int32Array; probability: Float64Array };
  /**
   * With monteCarlo: the common shock in the range. `sd` is σ of its lognormal factor; `windows`
   * the past windows it was learned from; `pastError` the root of their mean squared relative error
   * of the company's revenue still to come, weighted by forecast: √(Σ(A − F)²/F ÷ ΣF);
   * `independentError` the relative error that independent deals alone explain in this forecast
   * (the shock covers the rest).
   */
  shock?: { sd: number; windows: number; pastError: number; independentError: number };
  issues: ForecastIssue[];
};

/** Past periods the common shock is learned from unless the request says otherwise. */
export const DEFAULT_SHOCK_WINDOWS = 8;
/** Fewer past windows than this leave the range with independent deals only. */
const MIN_SHOCK_WINDOWS = 3;
/** A window's as-of day needs this much history before it (days since the first deal created). */
const SHOCK_MIN_HISTORY_DAYS = 180;

function validate(request: ForecastRequest): void {
  const problems: Problem[] = [];
  const { period, asOf } = request;
  if (!period || !Number.isInteger(period.from) || !Number.isInteger(period.to) || period.to <= period.from)
    problems.push({ field: 'period', message: 'must be whole day numbers with from < to (to exclusive)' });
  if (!Number.isInteger(asOf))
    problems.push({ field: 'asOf', value: String(asOf), message: 'must be a day number' });
  else if (period && asOf >= period.to - 1 + 366)
    problems.push({ field: 'asOf', message: 'is more than a year after the period' });
  if (!(forecastGroupBys as readonly string[]).includes(request.groupBy))
    problems.push({
      field: 'groupBy',
      value: String(request.groupBy),
      message: `must be one of ${forecastGroupBys.join(', ')}`,
    });
  for (const [stage, value] of Object.entries(request.stageProbabilities ?? {}))
    if (!(typeof value === 'number' && value >= 0 && value <= 100))
      problems.push({ field: `stageProbabilities.${stage}`, value: String(value), message: 'must be 0-100' });
  const mc = request.monteCarlo;
  if (mc && !(Number.isInteger(mc.trials) && mc.trials >= 1 && mc.trials <= 1_000_000))
    problems.push({
      field: 'monteCarlo.trials',
      value: String(mc.trials),
      message: 'must be 1 to 1,000,000',
    });
  const windows = request.shockWindows;
  if (windows !== undefined && !(Number.isInteger(windows) && windows >= 0 && windows <= 24))
    problems.push({ field: 'shockWindows', value: String(windows), message: 'must be 0 to 24' });
  if (mc && !Number.isSafeInteger(mc.seed))
    problems.push({ field: 'monteCarlo.seed', value: String(mc.seed), message: 'must be a safe integer' });
  if (problems.length > 0) throw new AppError('validation', 'The forecast request is not valid.', problems);
}

/** The currency code to keep (-1: every deal; -2: none match). */
function currencyCode(snapshot: OpportunitySnapshot, currency: string | undefined): number {
  const dictionary = snapshot.currency.dictionary;
  if (currency !== undefined) {
    const code = dictionary.indexOf(currency);
    return code < 0 ? -2 : code;
  }
  if (dictionary.length <= 1) return -1;
  throw new AppError('validation', 'The forecast request is not valid.', [
    {
      field: 'currency',
      message: `the deals are in several currencies (${dictionary.join(', ')}): name the forecast currency`,
    },
  ]);
}

/** Forecasts the period as of the request's day; see the file comment and docs/forecasting.md. */
export function forecastPeriod(input: ForecastInput, request: ForecastRequest): ForecastResult {
  validate(request);
  const { snapshot } = input;
  const timelines = input.timelines ?? buildDealTimelines(snapshot);
  const { period, asOf } = request;
  const deals = dealsAsOf(
    snapshot,
    timelines,
    asOf,
    currencyCode(snapshot, request.currency),
    typicalAmounts(snapshot, timelines, asOf),
  );
  // The propensity method needs the whole win-within curve (a deal's eventual chance), not only
  // up to the period's end.
  const horizon = Math.max(
    request.model?.horizonDays ?? 0,
    period.to - 1 - asOf,
    request.propensity ? 400 : 1,
  );
  const model = learnHistoricalModel(snapshot, timelines, asOf, { ...request.model, horizonDays: horizon });
  const propensity = request.propensity
    ? trainPropensityModel(snapshot, timelines, input.activities ?? new Map(), asOf, request.propensity)
    : undefined;
  const pastErrors = request.monteCarlo ? knownPastErrors(input, request, timelines, deals) : undefined;
  return forecastFromModel(input, request, timelines, deals, model, propensity, pastErrors);
}

/**
 * The k-th past window like this one: the period k periods back and the as-of day at the same
 * point of it. A period of whole months (a month, a quarter, a year) steps back by whole months,
 * so windows keep the calendar's month and quarter ends (where deals bunch); any other period
 * steps back by its length in days. The as-of day keeps its distance from the period's start when
 * it is in the first half of the period, else its distance from the end.
 */
export function pastWindow(
  period: ForecastPeriod,
  asOf: number,
  k: number,
): { period: ForecastPeriod; asOf: number } {
  const start = toCivilDate(period.from);
  const end = toCivilDate(period.to);
  let from: number;
  let to: number;
  if (start.day === 1 && end.day === 1) {
    const months = end.year * 12 + end.month - (start.year * 12 + start.month);
    const back = (date: { year: number; month: number }) => {
      const index = date.year * 12 + date.month - 1 - k * months;
      return fromCivilDate(Math.floor(index / 12), (index % 12) + 1, 1);
    };
    from = back(start);
    to = back(end);
  } else {
    const length = period.to - period.from;
    from = period.from - k * length;
    to = period.to - k * length;
  }
  const early = asOf - period.from < period.to - asOf;
  const windowAsOf = early ? from + (asOf - period.from) : to - (period.to - asOf);
  return { period: { from, to }, asOf: Math.min(windowAsOf, to - 2) };
}

/** The company's revenue still to come in past windows: forecast (historical) and won, in minor units. */
export type PastForecastErrors = { windows: { forecastMinor: number; actualMinor: number }[] };

/**
 * pastForecastErrors, kept per snapshot: they are the company's, whatever the grouping or the
 * caller's scope, so the forecast of every row of a page shares one set (up to 8 past forecasts).
 */
const pastErrorsBySnapshot = new WeakMap<OpportunitySnapshot, Map<string, PastForecastErrors>>();

function knownPastErrors(
  input: ForecastInput,
  request: ForecastRequest,
  timelines: DealTimelines,
  deals: DealsAsOf,
): PastForecastErrors {
  const key = JSON.stringify([
    request.period.from,
    request.period.to,
    request.asOf,
    request.shockWindows ?? DEFAULT_SHOCK_WINDOWS,
    request.currency ?? null,
    request.stageProbabilities,
    request.model ?? null,
    request.newDealWindows ?? null,
  ]);
  let known = pastErrorsBySnapshot.get(input.snapshot);
  if (!known) pastErrorsBySnapshot.set(input.snapshot, (known = new Map()));
  const cached = known.get(key);
  if (cached) return cached;
  const errors = pastForecastErrors(input, request, timelines, deals);
  if (known.size >= 256) known.clear();
  known.set(key, errors);
  return errors;
}

/**
 * How the historical method fared on past windows like this one, for the common shock: the
 * period k periods back (k = 1 .. shockWindows, pastWindow) with the as-of day at the same point
 * of it. Each is
 * forecast as of its own day (its own model, nothing after it) at the company level, and its
 * revenue still to come (won after its as-of day) compared with what was won, as known on this
 * forecast's as-of day. Every window ends by then, so nothing after the as-of day is read.
 */
export function pastForecastErrors(
  input: ForecastInput,
  request: ForecastRequest,
  timelines: DealTimelines,
  deals: DealsAsOf,
): PastForecastErrors {
  const { snapshot } = input;
  const { period, asOf } = request;
  let firstDay = Infinity;
  for (let r = 0; r < snapshot.rowCount; r++) {
    const created = snapshot.createdOn[r]!;
    if (created !== NULL_DAY && created <= asOf && created < firstDay) firstDay = created;
  }
  const found: PastForecastErrors['windows'] = [];
  const windows = request.shockWindows ?? DEFAULT_SHOCK_WINDOWS;
  const { won } = deals;
  for (let k = 1; k <= windows; k++) {
    const { period: windowPeriod, asOf: windowAsOf } = pastWindow(period, asOf, k);
    // Not ended yet (a period ahead of the as-of day): an earlier one may be. Too little history
    // before it: nor will any earlier one have enough.
    if (windowPeriod.to - 1 > asOf) continue;
    if (windowAsOf - firstDay < SHOCK_MIN_HISTORY_DAYS) break;
    const past = forecastPeriod(
      { snapshot, timelines, ...(input.activities ? { activities: input.activities } : {}) },
      {
        period: windowPeriod,
        asOf: windowAsOf,
        groupBy: 'company',
        stageProbabilities: request.stageProbabilities,
        ...(request.currency !== undefined ? { currency: request.currency } : {}),
        ...(request.model ? { model: request.model } : {}),
        ...(request.newDealWindows !== undefined ? { newDealWindows: request.newDealWindows } : {}),
      },
    );
    let forecast = 0;
    for (const g of past.historical) forecast += g.expectedMinor - g.closedMinor;
    let actual = 0;
    for (let i = 0; i < won.count; i++) {
      const day = won.wonDay[i]!;
      if (day > windowAsOf && day < windowPeriod.to) actual += won.amountMinor[i]!;
    }
    if (forecast > 0) found.push({ forecastMinor: forecast, actualMinor: actual });
  }
  return { windows: found };
}

/** The forecast from deals and a model already built for the request's as-of day. */
export function forecastFromModel(
  input: ForecastInput,
  request: ForecastRequest,
  timelines: DealTimelines,
  deals: DealsAsOf,
  model: HistoricalModel,
  propensityModel?: PropensityModel,
  pastErrors?: PastForecastErrors,
): ForecastResult {
  const { snapshot } = input;
  const { period, asOf, groupBy } = request;
  const { open, won } = deals;
  const issues: ForecastIssue[] = [];
  const resolver = input.keyOfPerson
    ? { keyOfPerson: input.keyOfPerson }
    : new GroupResolver(groupBy, snapshot, input.dimensions ?? { people: [], assignments: [] });
  const slots = new SlotTable();

  // Stage probabilities by code; NaN where none is configured (the deal's own probability then).
  const stageProbability = new Float64Array(snapshot.stage.dictionary.length).fill(Number.NaN);
  snapshot.stage.dictionary.forEach((name, code) => {
    const value = request.stageProbabilities[name];
    if (value !== undefined) stageProbability[code] = value / 100;
  });
  const missing = new Set<number>();

  // Closed so far.
  const closedBySlot: number[] = [];
  for (let i = 0; i < won.count; i++) {
    const day = won.wonDay[i]!;
    if (day < period.from || day >= period.to) continue;
    const slot = slots.slotOf(resolver.keyOfPerson(won.owner[i]!, day));
    closedBySlot[slot] = (closedBySlot[slot] ?? 0) + won.amountMinor[i]!;
  }

  // Open deals: stage-weighted and historical, per deal.
  const firstOffset = Math.max(1, period.from - asOf);
  const lastOffset = period.to - 1 - asOf;
  const group = new Int32Array(open.count);
  const probability = new Float64Array(open.count);
  const ratioOffset = new Int32Array(open.count);
  const weightedBySlot: number[] = [];
  const expectedBySlot: number[] = [];
  const openBySlot: number[] = [];
  const inPeriodBySlot: number[] = [];
  // The propensity model's P(won, eventually) per open deal, and the share of the deal's eventual
  // win chance that falls in the period (from its historical curve).
  const scores =
    propensityModel?.usable === true
      ? scorePropensity(propensityModel, snapshot, timelines, input.activities ?? new Map(), open.row, asOf)
      : undefined;
  const propensityBySlot: number[] = [];
  // Second moments of each stage's amount ratio, for the variance independent deals explain.
  const ratioSquareMean = new Float64Array(model.amountRatioMean.length);
  for (let stage = 0; stage < ratioSquareMean.length; stage++) {
    let sum = 0;
    for (let q = 0; q < AMOUNT_RATIO_POINTS; q++)
      sum += model.amountRatio[stage * AMOUNT_RATIO_POINTS + q]! ** 2;
    ratioSquareMean[stage] = sum / AMOUNT_RATIO_POINTS;
  }
  let independentVariance = 0;
  let thin = 0;
  for (let i = 0; i < open.count; i++) {
    const slot = slots.slotOf(resolver.keyOfPerson(open.owner[i]!, asOf));
    group[i] = slot;
    const stage = open.stage[i]!;
    const amount = open.amountMinor[i]!;
    const closeOn = open.closeOn[i]!;
    const inPeriod = closeOn !== NULL_DAY && closeOn >= period.from && closeOn < period.to;
    let stageP = stageProbability[stage]!;
    if (Number.isNaN(stageP)) {
      missing.add(stage);
      const own = open.probability[i]!;
      stageP = own >= 0 ? own / 100 : 0;
    }
    if (inPeriod) {
      weightedBySlot[slot] = (weightedBySlot[slot] ?? 0) + amount * stageP;
      inPeriodBySlot[slot] = (inPeriodBySlot[slot] ?? 0) + 1;
    }
    const cell = cellOf(
      model,
      open.stratum[i]!,
      closeBucketOf(closeOn, asOf),
      stage,
      open.ageInStageDays[i]!,
    );
    let p: number;
    let ratio: number;
    if (model.cellSource[cell] === CELL_NONE) {
      // Too little history for this stage: the stage-weighted view of the deal, amount as it stands.
      thin++;
      p = inPeriod && closeOn > asOf ? stageP : 0;
      ratio = 1;
      ratioOffset[i] = -1;
    } else {
      p = lastOffset >= 1 ? winBetween(model, cell, firstOffset, lastOffset) : 0;
      ratio = model.amountRatioMean[stage]!;
      ratioOffset[i] = stage * AMOUNT_RATIO_POINTS;
    }
    probability[i] = p;
    expectedBySlot[slot] = (expectedBySlot[slot] ?? 0) + amount * p * ratio;
    const square = ratioOffset[i]! < 0 ? 1 : ratioSquareMean[stage]!;
    independentVariance += amount * amount * (p * square - p * p * ratio * ratio);
    if (scores) {
      const won = scores.probability[i]!;
      let inPeriodShare = 0;
      if (model.cellSource[cell] !== CELL_NONE) {
        const eventual = winBetween(model, cell, 1, model.horizonDays);
        inPeriodShare = eventual > 0 ? p / eventual : 0;
      } else inPeriodShare = inPeriod && closeOn > asOf ? 1 : 0;
      const q = Number.isNaN(won) ? p : won * Math.min(1, inPeriodShare);
      propensityBySlot[slot] = (propensityBySlot[slot] ?? 0) + amount * q * ratio;
    }
    if (p > 0) openBySlot[slot] = (openBySlot[slot] ?? 0) + 1;
  }
  for (const stage of missing)
    issues.push({
      code: 'no_stage_probability',
      stage: snapshot.stage.dictionary[stage],
      message: `stage "${snapshot.stage.dictionary[stage]}" has no probability: its deals use their own`,
    });
  if (open.typicalAmountCount > 0)
    issues.push({
      code: 'typical_amount',
      message: `${open.typicalAmountCount} open deals have no amount; they count at the median won amount of their product`,
    });
  if (propensityModel && !propensityModel.usable)
    issues.push({
      code: 'propensity_fallback',
      message: `${propensityModel.reason}; the historical method stands in`,
    });
  if (thin > 0)
    issues.push({
      code: 'thin_history',
      message: `${thin} open deals are in stages with too little closed history; they count at their stage probability`,
    });

  // Deals not created yet: the same window, shifted back by its length, `windows` times.
  const windows = request.newDealWindows ?? 4;
  const span = period.to - 1 - asOf;
  const newAmounts: number[][] = [];
  let usedWindows = 0;
  if (windows > 0 && span >= 1) {
    let firstDay = Infinity;
    for (let r = 0; r < snapshot.rowCount; r++) {
      const created = snapshot.createdOn[r]!;
      if (created <= asOf && created < firstDay) firstDay = created;
    }
    for (let m = 1; m <= windows; m++) {
      const shift = m * span;
      const windowAsOf = asOf - shift;
      if (windowAsOf < firstDay) break;
      usedWindows++;
      const from = Math.max(period.from, asOf + 1) - shift;
      const to = period.to - shift;
      for (let i = 0; i < won.count; i++) {
        const day = won.wonDay[i]!;
        if (day < from || day >= to || snapshot.createdOn[won.row[i]!]! <= windowAsOf) continue;
        const slot = slots.slotOf(resolver.keyOfPerson(won.owner[i]!, day));
        (newAmounts[slot] ??= []).push(won.amountMinor[i]!);
      }
    }
  }

  const groupCount = slots.size;
  const newExpected = new Float64Array(groupCount);
  const newCount = new Float64Array(groupCount);
  const newOffsets = new Int32Array(groupCount + 1);
  for (let g = 0; g < groupCount; g++) {
    const list = newAmounts[g] ?? [];
    newOffsets[g + 1] = newOffsets[g]! + list.length;
    if (usedWindows === 0) continue;
    newCount[g] = list.length / usedWindows;
    newExpected[g] = list.reduce((sum, x) => sum + x, 0) / usedWindows;
  }
  const flatAmounts = new Float64Array(newOffsets[groupCount]!);
  for (let g = 0; g < groupCount; g++) flatAmounts.set(newAmounts[g] ?? [], newOffsets[g]!);
  // A compound Poisson sum's variance is λ·E[X²].
  if (usedWindows > 0) for (const x of flatAmounts) independentVariance += (x * x) / usedWindows;

  // The common shock: past windows' squared relative error is about (1 + v)·e^σ² − 1 when
  // independent deals explain a relative variance v, so σ² = ln((1 + e²) / (1 + v)), at least 0.
  // e² is the windows' squared relative errors weighted by their forecasts, Σ(A − F)²/F ÷ ΣF, so
  // that a window with a tiny forecast cannot blow it up, nor the largest one drown the others.
  let shock: ForecastResult['shock'];
  if (request.monteCarlo && pastErrors) {
    let toCome = 0;
    for (let g = 0; g < groupCount; g++) toCome += (expectedBySlot[g] ?? 0) + newExpected[g]!;
    const v = toCome > 0 ? independentVariance / (toCome * toCome) : 0;
    const past = pastErrors.windows;
    // Each window's squared relative error weighs as much as its forecast.
    let weightedSquares = 0;
    let weights = 0;
    for (const w of past) {
      weightedSquares += (w.actualMinor - w.forecastMinor) ** 2 / w.forecastMinor;
      weights += w.forecastMinor;
    }
    const meanSquare = weights > 0 ? weightedSquares / weights : 0;
    const usable = past.length >= MIN_SHOCK_WINDOWS;
    shock = {
      sd: usable ? Math.sqrt(Math.max(0, Math.log((1 + meanSquare) / (1 + v)))) : 0,
      windows: past.length,
      pastError: Math.sqrt(meanSquare),
      independentError: Math.sqrt(v),
    };
    // Said only where it matters: the caller asked for windows, and something is still to come.
    if (!usable && (request.shockWindows ?? DEFAULT_SHOCK_WINDOWS) > 0 && toCome > 0)
      issues.push({
        code: 'independent_deals',
        message: `only ${past.length} past periods like this one to learn how far outcomes stray from the forecast (${MIN_SHOCK_WINDOWS} needed): the range treats deals as independent and is likely too narrow`,
      });
  }

  const closed = Float64Array.from({ length: groupCount }, (_, g) => closedBySlot[g] ?? 0);
  let simulated: ReturnType<typeof simulateRevenue> | undefined;
  if (request.monteCarlo) {
    // Deals without a learned curve keep their amount: point them at a ratio of 1.
    const ratios = new Float64Array(model.amountRatio.length + AMOUNT_RATIO_POINTS).fill(1);
    ratios.set(model.amountRatio);
    const unitOffset = model.amountRatio.length;
    for (let i = 0; i < open.count; i++) if (ratioOffset[i]! < 0) ratioOffset[i] = unitOffset;
    simulated = simulateRevenue({
      trials: request.monteCarlo.trials,
      seed: request.monteCarlo.seed,
      groupCount,
      deals: { count: open.count, group, amountMinor: open.amountMinor, probability, ratioOffset },
      amountRatio: ratios,
      closedMinor: closed,
      shockSd: shock?.sd ?? 0,
      newDeals:
        usedWindows > 0 ? { expectedCount: newCount, amounts: flatAmounts, offsets: newOffsets } : undefined,
    });
  }

  const stageWeighted: GroupForecast[] = [];
  const historical: GroupForecast[] = [];
  const propensity: GroupForecast[] = [];
  for (let g = 0; g < groupCount; g++) {
    const key = slots.keys[g]!;
    stageWeighted.push({
      key,
      closedMinor: closed[g]!,
      expectedMinor: closed[g]! + (weightedBySlot[g] ?? 0),
      openDeals: inPeriodBySlot[g] ?? 0,
    });
    const forecast: GroupForecast = {
      key,
      closedMinor: closed[g]!,
      expectedMinor: closed[g]! + (expectedBySlot[g] ?? 0) + newExpected[g]!,
      openDeals: openBySlot[g] ?? 0,
    };
    if (simulated) {
      forecast.p10Minor = simulated.p10[g]!;
      forecast.p50Minor = simulated.p50[g]!;
      forecast.p90Minor = simulated.p90[g]!;
    }
    historical.push(forecast);
    if (propensityModel)
      propensity.push({
        key,
        closedMinor: closed[g]!,
        expectedMinor: scores
          ? closed[g]! + (propensityBySlot[g] ?? 0) + newExpected[g]!
          : forecast.expectedMinor,
        openDeals: openBySlot[g] ?? 0,
      });
  }
  const byKey = (x: GroupForecast, y: GroupForecast) => x.key - y.key;
  return {
    period,
    asOf,
    groupBy,
    stageWeighted: stageWeighted.sort(byKey),
    historical: historical.sort(byKey),
    ...(propensityModel ? { propensity: propensity.sort(byKey) } : {}),
    ...(scores ? { dealScores: { row: open.row, probability: scores.probability } } : {}),
    ...(shock ? { shock } : {}),
    issues,
  };
}
