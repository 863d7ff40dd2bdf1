/**
 * Win rates by stage and age in stage, learned from the organisation's own history as of a day
 * (docs/forecasting.md §Historical): for every open stage and age bucket, the probability that a
 * deal in that state is won within t days, for t = 0 .. horizonDays. That curve is both the
 * eventual win rate (its far end) and the time-to-close distribution (its shape), so a deal counts
 * in the period it is likely to close in.
 *
 * Estimator: Aalen–Johansen (the Kaplan–Meier of competing risks). A deal is observed each time it
 * sits in an open stage at an age that is a multiple of `observationStepDays`; from that moment it
 * is followed to its close, won or lost, or it is censored at the as-of day while still open. An
 * open deal is never counted as lost: it only leaves the at-risk set at its censoring time.
 * Nothing dated after the as-of day is read: closes after it are censorings at it.
 */
import { NULL_CODE, NULL_DAY } from '../snapshot/columns.ts';
import { FIELD_CODE, type OpportunitySnapshot } from '../snapshot/opportunity-snapshot.ts';
import { DomainError } from '../errors.ts';
import { STAGE_OPEN, wonAsOf, type DealTimelines } from './deal-timelines.ts';
import { AMOUNT_RATIO_POINTS } from './monte-carlo.ts';
import {
  amountOrTypical,
  CLOSE_BUCKETS,
  closeBucketOf,
  fieldOn,
  stratumCount,
  stratumOf,
  typicalAmounts,
} from './deals-as-of.ts';

export type HistoricalModelOptions = {
  /** Longest look ahead the curves are tabulated for, in days. Default 400. */
  horizonDays?: number;
  /** Lower edges of the age-in-stage buckets, ascending, starting at 0. */
  ageBucketEdges?: readonly number[];
  /** Days between two observations of one deal in one stage. Default 7. */
  observationStepDays?: number;
  /** A cell with fewer observations borrows from a wider one (all deal types, then all ages). Default 40. */
  minObservations?: number;
  /** Only observations made within this many days before the as-of day. Default 730. */
  lookbackDays?: number;
};

/** Where a cell's curve comes from: its own observations, or a wider cell's. */
export const CELL_OWN = 0;
export const CELL_ALL_DEAL_TYPES = 1;
export const CELL_ALL_CLOSE_DATES = 2;
export const CELL_ALL_AGES = 3;
/** Too little history: the deal falls back to its stage probability and its close date. */
export const CELL_NONE = 4;

export type HistoricalModel = {
  asOf: number;
  horizonDays: number;
  stageCount: number;
  /** Deal-type strata (deal type code + 1). */
  dealTypes: number;
  ageBucketEdges: Int32Array;
  /**
   * Per cell (deal type, close-date bucket, stage, age bucket), horizonDays + 1 values: the
   * amount-weighted probability of being won within t days.
   */
  winWithin: Float64Array;
  /** Per cell: CELL_OWN .. CELL_NONE. */
  cellSource: Uint8Array;
  /** Per cell: observations (deal-days) behind the curve used. */
  cellObservations: Float64Array;
  /** Per stage, AMOUNT_RATIO_POINTS points: won amount ÷ amount when the stage was entered. */
  amountRatio: Float64Array;
  /** Per stage: the mean of its amount-ratio points. */
  amountRatioMean: Float64Array;
};

const defaultEdges = [0, 7, 14, 21, 30, 45, 60, 90, 120, 180, 365] as const;

/** The cell of a deal: its deal-type stratum, close-date bucket, stage and age in stage. */
export function cellOf(
  model: HistoricalModel,
  dealType: number,
  closeBucket: number,
  stage: number,
  ageDays: number,
): number {
  const edges = model.ageBucketEdges;
  let bucket = edges.length - 1;
  while (bucket > 0 && ageDays < edges[bucket]!) bucket--;
  return ((dealType * CLOSE_BUCKETS + closeBucket) * model.stageCount + stage) * edges.length + bucket;
}

/** P(won on a day in [fromOffset, toOffset] after the as-of day) for a cell; offsets in days, ≥ 1. */
export function winBetween(
  model: HistoricalModel,
  cell: number,
  fromOffset: number,
  toOffset: number,
): number {
  const h = model.horizonDays;
  if (toOffset < fromOffset || toOffset < 1) return 0;
  const base = cell * (h + 1);
  const upper = model.winWithin[base + Math.min(h, toOffset)]!;
  const lower = fromOffset <= 1 ? 0 : model.winWithin[base + Math.min(h, fromOffset - 1)]!;
  return Math.max(0, upper - lower);
}

type EventCounts = {
  won: Float64Array;
  lost: Float64Array;
  censored: Float64Array;
  observations: Float64Array;
};

function allocateCounts(cells: number, width: number): EventCounts {
  return {
    won: new Float64Array(cells * width),
    lost: new Float64Array(cells * width),
    censored: new Float64Array(cells * width),
    observations: new Float64Array(cells),
  };
}

/**
 * Learns the win-within curves and amount ratios from the history known at the end of `asOf`.
 * Observations are weighted by the deal's amount then, so a curve is the share of pipeline
 * dollars won within t days: large deals, which win less often and later, weigh as much as they
 * count in a revenue forecast.
 */
export function learnHistoricalModel(
  snapshot: OpportunitySnapshot,
  timelines: DealTimelines,
  asOf: number,
  options: HistoricalModelOptions = {},
): HistoricalModel {
  const horizon = options.horizonDays ?? 400;
  const edges = Int32Array.from(options.ageBucketEdges ?? defaultEdges);
  const step = options.observationStepDays ?? 7;
  const minObservations = options.minObservations ?? 40;
  const lookback = options.lookbackDays ?? 730;
  const quantiles = AMOUNT_RATIO_POINTS;
  if (!Number.isInteger(horizon) || horizon < 1 || edges[0] !== 0 || !(step >= 1))
    throw new DomainError('invariant', 'Historical model options out of range');
  const stageCount = snapshot.stage.dictionary.length;
  const dealTypes = stratumCount(snapshot);
  const buckets = edges.length;
  const cells = dealTypes * CLOSE_BUCKETS * stageCount * buckets;
  const width = horizon + 1;
  // Amount-weighted event counts per cell and day offset (beyond the horizon: censored there).
  const own = allocateCounts(cells, width);
  const earliest = asOf - lookback;
  const { offsets, spellFrom, spellStage, closeDay, stageKind } = timelines;
  const ratios: number[][] = Array.from({ length: stageCount }, () => []);
  const typical = typicalAmounts(snapshot, timelines, asOf);

  for (let r = 0; r < timelines.rowCount; r++) {
    const first = offsets[r]!;
    if (spellFrom[first]! > asOf) continue;
    const end = offsets[r + 1]!;
    const closed = closeDay[r]!;
    const closedByAsOf = closed !== NULL_DAY && closed <= asOf;
    const won = wonAsOf(timelines, r, asOf);
    const dealType = stratumOf(snapshot, r);
    const wonAmount =
      closedByAsOf && won === 1 ? fieldOn(snapshot, r, asOf, FIELD_CODE.amount_minor) : Number.NaN;
    for (let s = first; s < end; s++) {
      const from = spellFrom[s]!;
      if (from > asOf) break;
      const stage = spellStage[s]!;
      if (stage === NULL_CODE || stageKind[stage] !== STAGE_OPEN) continue;
      const until = Math.min(s + 1 < end ? spellFrom[s + 1]! : Infinity, closedByAsOf ? closed : Infinity);
      if (!Number.isNaN(wonAmount) && from >= earliest) {
        const entered = fieldOn(snapshot, r, from, FIELD_CODE.amount_minor);
        if (entered > 0 && wonAmount >= 0) ratios[stage]!.push(wonAmount / entered);
      }
      let bucket = 0;
      const firstAge = from >= earliest ? 0 : Math.ceil((earliest - from) / step) * step;
      for (let age = firstAge; from + age < until && from + age <= asOf; age += step) {
        const t0 = from + age;
        // A deal with no amount then (recorded only at its close) weighs its product's typical amount.
        const weight = amountOrTypical(
          fieldOn(snapshot, r, t0, FIELD_CODE.amount_minor),
          snapshot,
          r,
          typical,
        );
        if (!(weight > 0)) continue;
        while (bucket + 1 < buckets && age >= edges[bucket + 1]!) bucket++;
        const closeBucket = closeBucketOf(fieldOn(snapshot, r, t0, FIELD_CODE.close_on), t0);
        const cell = ((dealType * CLOSE_BUCKETS + closeBucket) * stageCount + stage) * buckets + bucket;
        const base = cell * width;
        own.observations[cell]!++;
        if (closedByAsOf) {
          const t = closed - t0;
          if (t > horizon) own.censored[base + horizon]! += weight;
          else if (won === 1) own.won[base + t]! += weight;
          else own.lost[base + t]! += weight;
        } else own.censored[base + Math.min(horizon, asOf - t0)]! += weight;
      }
    }
  }

  // Wider cells, each pooling the one before: all deal types; all close-date buckets; all ages.
  const noDealType = allocateCounts(CLOSE_BUCKETS * stageCount * buckets, width);
  const noCloseDate = allocateCounts(stageCount * buckets, width);
  const noAge = allocateCounts(stageCount, width);
  const pool = (target: EventCounts, targetCell: number, sourceCell: number) => {
    for (const key of ['won', 'lost', 'censored'] as const)
      for (let t = 0; t < width; t++)
        target[key][targetCell * width + t]! += own[key][sourceCell * width + t]!;
    target.observations[targetCell]! += own.observations[sourceCell]!;
  };
  for (let dealType = 0; dealType < dealTypes; dealType++)
    for (let closeBucket = 0; closeBucket < CLOSE_BUCKETS; closeBucket++)
      for (let stage = 0; stage < stageCount; stage++)
        for (let bucket = 0; bucket < buckets; bucket++) {
          const cell = ((dealType * CLOSE_BUCKETS + closeBucket) * stageCount + stage) * buckets + bucket;
          if (own.observations[cell] === 0) continue;
          pool(noDealType, (closeBucket * stageCount + stage) * buckets + bucket, cell);
          pool(noCloseDate, stage * buckets + bucket, cell);
          pool(noAge, stage, cell);
        }

  const winWithin = new Float64Array(cells * width);
  const cellSource = new Uint8Array(cells).fill(CELL_NONE);
  const cellObservations = new Float64Array(cells);
  for (let dealType = 0; dealType < dealTypes; dealType++)
    for (let closeBucket = 0; closeBucket < CLOSE_BUCKETS; closeBucket++)
      for (let stage = 0; stage < stageCount; stage++)
        for (let bucket = 0; bucket < buckets; bucket++) {
          const cell = ((dealType * CLOSE_BUCKETS + closeBucket) * stageCount + stage) * buckets + bucket;
          const candidates: [EventCounts, number, number][] = [
            [own, cell, CELL_OWN],
            [noDealType, (closeBucket * stageCount + stage) * buckets + bucket, CELL_ALL_DEAL_TYPES],
            [noCloseDate, stage * buckets + bucket, CELL_ALL_CLOSE_DATES],
            [noAge, stage, CELL_ALL_AGES],
          ];
          for (const [counts, source, kind] of candidates) {
            if (counts.observations[source]! < minObservations) continue;
            cellSource[cell] = kind;
            cellObservations[cell] = counts.observations[source]!;
            aalenJohansen(counts, source, width, winWithin, cell * width);
            break;
          }
        }

  // Amount ratios: a stage with too few won deals borrows every stage's; none at all means 1.
  const everyRatio = ratios.flat().sort((a, b) => a - b);
  const amountRatio = new Float64Array(stageCount * quantiles);
  const amountRatioMean = new Float64Array(stageCount);
  for (let stage = 0; stage < stageCount; stage++) {
    const list = ratios[stage]!.length >= minObservations ? ratios[stage]!.sort((a, b) => a - b) : everyRatio;
    let sum = 0;
    for (let q = 0; q < quantiles; q++) {
      const value = list.length === 0 ? 1 : list[Math.floor(((q + 0.5) / quantiles) * list.length)]!;
      amountRatio[stage * quantiles + q] = value;
      sum += value;
    }
    amountRatioMean[stage] = sum / quantiles;
  }

  return {
    asOf,
    horizonDays: horizon,
    stageCount,
    dealTypes,
    ageBucketEdges: edges,
    winWithin,
    cellSource,
    cellObservations,
    amountRatio,
    amountRatioMean,
  };
}

/**
 * The cumulative incidence of a win: F(t) = Σ_{u ≤ t} S(u−) · won(u) / atRisk(u), with S the
 * probability of still being open (Kaplan–Meier over both closes). Censored deals leave the risk set
 * after the events of their day.
 */
function aalenJohansen(
  counts: EventCounts,
  cell: number,
  width: number,
  out: Float64Array,
  outBase: number,
): void {
  const base = cell * width;
  let atRisk = 0;
  for (let t = 0; t < width; t++)
    atRisk += counts.won[base + t]! + counts.lost[base + t]! + counts.censored[base + t]!;
  let open = 1;
  let incidence = 0;
  for (let t = 0; t < width; t++) {
    const w = counts.won[base + t]!;
    const l = counts.lost[base + t]!;
    if (atRisk > 0 && w + l > 0) {
      incidence += (open * w) / atRisk;
      open *= 1 - (w + l) / atRisk;
    }
    out[outBase + t] = incidence;
    atRisk -= w + l + counts.censored[base + t]!;
  }
}
