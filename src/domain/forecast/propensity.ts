/**
 * Win propensity per deal (docs/forecasting.md §Win propensity): an L2-regularised logistic
 * regression trained in-process on the organisation's own closed deals, each observed at points of
 * its open life with the features known then (stage, ages, amount, close-date pushes, amount cuts,
 * activity recency and volume, the owner's record, deal type, product, competitor), fitted by
 * Newton's method (IRLS) and then calibrated on the held-out deals' most recent observations
 * (isotonic regression where they are many, Platt scaling otherwise), so that a score is a
 * probability, not a rank. Each score comes with the factors that moved it most. Too little history
 * says so, and the caller falls back to the historical method.
 *
 * No look-ahead: a model trained as of a day sees only deals closed by then, and every feature of
 * an observation is read as of the observation's own day. Pure: the as-of day is an argument.
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { NULL_CODE, NULL_DAY } from '../snapshot/columns.ts';
import type { ActivitySnapshot } from '../snapshot/activity-snapshot.ts';
import { FIELD_CODE, type OpportunitySnapshot } from '../snapshot/opportunity-snapshot.ts';
import { STAGE_OPEN, findSpell, wonAsOf, type DealTimelines } from './deal-timelines.ts';
import { amountOrTypical, closeBucketOf, typicalAmounts, type TypicalAmounts } from './deals-as-of.ts';

const MS_PER_DAY = 86_400_000;

export type PropensityOptions = {
  /** Closed deals created within this many days before the as-of day train the model. Default 730. */
  lookbackDays?: number;
  /**
   * Each training deal is observed every this many days of its open life (from a point set by its
   * id), so that long-lived deals weigh as they do in a pipeline on any given day. Default 14.
   */
  observationStepDays?: number;
  /**
   * Observations end this many days before the as-of day, so that nearly every deal observed has
   * had time to close: a deal open on the as-of day has no known outcome, and training only on the
   * quick closers of recent weeks would overrate the pipeline. Default 120.
   */
  maturityDays?: number;
  /** At most this many observations of one deal. Default 26. */
  maxObservationsPerDeal?: number;
  /** Fewer closed deals, wins or losses than this: too little history to trust. Default 200 / 40 / 40. */
  minDeals?: number;
  minWins?: number;
  minLosses?: number;
  /** L2 penalty on the standardised coefficients. Default 1. */
  ridge?: number;
  /** Levels of product and competitor kept as their own feature (the rest pool as "other"). Default 8. */
  topLevels?: number;
};

export type PropensityFactor = {
  feature: string;
  /** Its push on the log-odds against an average deal (coefficient × standardised value). */
  contribution: number;
  /** In words: "close date pushed 3 times", "no activity for 41 days". */
  text: string;
};

export type PropensityModel =
  | { usable: false; asOf: number; reason: string; trainingDeals: number; wins: number; losses: number }
  | {
      usable: true;
      asOf: number;
      features: readonly string[];
      mean: Float64Array;
      sd: Float64Array;
      /** Intercept first, then one per feature (standardised). */
      coefficients: Float64Array;
      /**
       * The calibration of the raw log-odds z, fitted on the held-out deals' observations of the
       * last CALIBRATION_DAYS (all of them when those are fewer than MIN_RECENT_CALIBRATION):
       * Platt scaling p = σ(a · z + b), and, from MIN_ISOTONIC observations, an isotonic curve (a
       * non-decreasing step function of z, interpolated between its blocks' mean scores), which
       * then gives the probability. `a` also scales the factors' pushes.
       */
      calibration: {
        a: number;
        b: number;
        isotonic: IsotonicCurve | null;
        observations: number;
      };
      trainingDeals: number;
      observations: number;
      heldOut: number;
      wins: number;
      losses: number;
      iterations: number;
      /** Dictionary codes kept for product and competitor, and the stage codes one-hot encoded. */
      encoding: Encoding;
    };

type Encoding = {
  openStages: number[];
  products: number[];
  competitors: number[];
  dealTypes: number;
  baseRate: number;
  /** Owners' closed-deal days and outcomes, for the owner's record as of any day. */
  owners: OwnerHistory;
  /**
   * The organisation's win rate over the deals closed in the 365 days before each day, from day
   * `from` (NaN where none closed): a lookup per observation, not a search of a million closes.
   */
  organisation: { from: number; rate: Float64Array };
  typical: TypicalAmounts;
};

type OwnerHistory = Map<number, { days: Int32Array; wonBefore: Int32Array }>;

/** Per opportunity id: its activity days, sorted. */
export type ActivityIndex = Map<number, Int32Array>;

export function indexActivities(activities: ActivitySnapshot | undefined): ActivityIndex {
  const lists = new Map<number, number[]>();
  if (activities)
    for (let a = 0; a < activities.rowCount; a++) {
      const opportunity = activities.opportunity[a]!;
      if (opportunity === NULL_CODE) continue;
      const list = lists.get(opportunity) ?? [];
      list.push(activities.occurredOn[a]!);
      lists.set(opportunity, list);
    }
  const index: ActivityIndex = new Map();
  for (const [id, days] of lists) index.set(id, Int32Array.from(days).sort());
  return index;
}

/** Wins and closes of a record over the 365 days before `day` (the day itself excluded). */
function recordIn(record: { days: Int32Array; wonBefore: Int32Array }, day: number): [number, number] {
  const upTo = countUpTo(record.days, day - 1);
  const before = countUpTo(record.days, day - 366);
  const won = (n: number) => (n > 0 ? record.wonBefore[n - 1]! : 0);
  return [won(upTo) - won(before), upTo - before];
}

/** The organisation's trailing-year win rate for each day from its first close to the day after `asOf`. */
function organisationRates(
  record: { days: Int32Array; wonBefore: Int32Array },
  asOf: number,
): { from: number; rate: Float64Array } {
  const from = record.days.length > 0 ? record.days[0]! : asOf + 1;
  const rate = new Float64Array(Math.max(0, asOf + 2 - from));
  for (let d = 0; d < rate.length; d++) {
    const [wins, closed] = recordIn(record, from + d);
    rate[d] = closed > 0 ? wins / closed : Number.NaN;
  }
  return { from, rate };
}

/** How many values of a sorted array are ≤ day. */
function countUpTo(sorted: Int32Array, day: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= day) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A deterministic number in [0, 1) from a deal id (murmur3 finaliser). */
function hashUnit(id: number, salt: number): number {
  let h = Math.imul(id ^ salt, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4_294_967_296;
}

function topCodes(codes: Int32Array, rows: Iterable<number>, keep: number): number[] {
  const counts = new Map<number, number>();
  for (const r of rows) {
    const code = codes[r]!;
    if (code !== NULL_CODE) counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  return [...counts.entries()]
    .filter(([, n]) => n >= 30)
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, keep)
    .map(([code]) => code);
}

function featureNames(
  snapshot: OpportunitySnapshot,
  e: Omit<Encoding, 'owners' | 'organisation' | 'typical' | 'baseRate'>,
): string[] {
  return [
    ...e.openStages.map((s) => `stage=${snapshot.stage.dictionary[s]}`),
    'log_age_in_stage',
    'log_age',
    'log_amount',
    'pushes',
    'amount_cuts',
    'log_days_since_activity',
    'no_activity_yet',
    'log_activities_30d',
    'owner_win_rate_edge',
    'close_overdue_or_none',
    'close_within_30d',
    'close_31_90d',
    ...Array.from({ length: e.dealTypes }, (_, t) => `deal_type=${snapshot.dealType.dictionary[t]}`),
    ...e.products.map((p) => `product=${p}`),
    ...e.competitors.map((c) => `competitor=${snapshot.competitor.dictionary[c]}`),
  ];
}

/**
 * The features of row r as they stood at the end of `day` into `out` (length = feature count);
 * false when the deal was not open then.
 */
function featuresOn(
  snapshot: OpportunitySnapshot,
  timelines: DealTimelines,
  activities: ActivityIndex,
  e: Encoding,
  r: number,
  day: number,
  out: Float64Array,
): boolean {
  const spell = findSpell(timelines, r, day);
  if (spell < 0) return false;
  const stage = timelines.spellStage[spell]!;
  if (stage === NULL_CODE || timelines.stageKind[stage] !== STAGE_OPEN) return false;
  out.fill(0);
  let k = 0;
  const stageIndex = e.openStages.indexOf(stage);
  if (stageIndex >= 0) out[k + stageIndex] = 1;
  k += e.openStages.length;
  const created = snapshot.createdOn[r]!;
  out[k++] = Math.log1p(day - timelines.spellFrom[spell]!);
  out[k++] = Math.log1p(created === NULL_DAY ? 0 : Math.max(0, day - created));

  // Amount, pushes and cuts as of the end of the day: walk the changes up to then.
  const { changes } = snapshot;
  const endMs = (day + 1) * MS_PER_DAY;
  let pushes = 0;
  let cuts = 0;
  let amount = snapshot.amountMinor[r]!;
  let closeOn = snapshot.closeOn[r]!;
  const first = changes.offsets[r]!;
  const last = changes.offsets[r + 1]!;
  for (let c = first; c < last && changes.changedAtMs[c]! < endMs; c++) {
    const before = changes.oldValue[c]!;
    const after = changes.newValue[c]!;
    if (changes.field[c] === FIELD_CODE.close_on) {
      if (!Number.isNaN(before) && !Number.isNaN(after) && after > before) pushes++;
    } else if (changes.field[c] === FIELD_CODE.amount_minor) {
      if (!Number.isNaN(before) && !Number.isNaN(after) && after < before) cuts++;
    }
  }
  // The values then: undo the changes after the day (latest first).
  for (let c = last - 1; c >= first && changes.changedAtMs[c]! >= endMs; c--) {
    if (changes.field[c] === FIELD_CODE.amount_minor) amount = changes.oldValue[c]!;
    else if (changes.field[c] === FIELD_CODE.close_on)
      closeOn = Number.isNaN(changes.oldValue[c]!) ? NULL_DAY : changes.oldValue[c]!;
  }
  amount = amountOrTypical(amount, snapshot, r, e.typical);
  out[k++] = Math.log1p(Math.max(0, Number.isNaN(amount) ? 0 : amount) / 100);
  out[k++] = pushes;
  out[k++] = cuts;

  const days = activities.get(snapshot.id[r]!);
  const seen = days ? countUpTo(days, day) : 0;
  if (seen > 0) {
    out[k++] = Math.log1p(day - days![seen - 1]!);
    out[k++] = 0;
    out[k++] = Math.log1p(seen - countUpTo(days!, day - 30));
  } else {
    out[k++] = Math.log1p(created === NULL_DAY ? 0 : Math.max(0, day - created));
    out[k++] = 1;
    out[k++] = 0;
  }

  // The owner's edge: their win rate over the deals they closed in the year before this day, shrunk
  // towards the organisation's over the same year (20 deals' worth), minus the organisation's. A
  // difference, not the rate itself: when everyone's rate drifts over the years (a mix of deals
  // reaching later stages), the rate would carry the drift into every score.
  const orgRate = e.organisation.rate[day - e.organisation.from] ?? Number.NaN;
  const org = Number.isNaN(orgRate) ? e.baseRate : orgRate;
  const owner = e.owners.get(snapshot.owner[r]!);
  const [wins, closed] = owner ? recordIn(owner, day) : [0, 0];
  out[k++] = (wins + 20 * org) / (closed + 20) - org;

  const bucket = closeBucketOf(closeOn, day);
  if (bucket === 0) out[k] = 1;
  else if (bucket === 1) out[k + 1] = 1;
  else if (bucket === 2) out[k + 2] = 1;
  k += 3;
  const dealType = snapshot.dealType.codes[r]!;
  if (dealType !== NULL_CODE && dealType < e.dealTypes) out[k + dealType] = 1;
  k += e.dealTypes;
  const product = e.products.indexOf(snapshot.product[r]!);
  if (product >= 0) out[k + product] = 1;
  k += e.products.length;
  const competitor = e.competitors.indexOf(snapshot.competitor.codes[r]!);
  if (competitor >= 0) out[k + competitor] = 1;
  return true;
}

/** Held-out observations of the last this many days calibrate the model (see `calibration`). */
const CALIBRATION_DAYS = 365;
/** Fewer recent held-out observations than this: all of them calibrate. */
const MIN_RECENT_CALIBRATION = 1_000;
/**
 * Calibration observations from which the isotonic curve is used: below it, isotonic regression
 * follows the noise of a small sample (measured: no better than Platt on the 50-rep demo).
 */
const MIN_ISOTONIC = 2_000;
/** Observations in each block of the isotonic curve, at least (adjacent blocks merged). */
const ISOTONIC_BLOCK = 100;

/** An isotonic calibration curve: its blocks' mean scores, won shares and sizes. */
export type IsotonicCurve = { z: Float64Array; p: Float64Array; count: Int32Array };

/** Platt scaling: a and b of p = σ(a·z + b), maximum likelihood by Newton's method. */
export function fitPlatt(scores: readonly number[], outcomes: readonly number[]): { a: number; b: number } {
  let a = 1;
  let b = 0;
  for (let it = 0; it < 50; it++) {
    let gA = 0;
    let gB = 0;
    let hAA = 1e-9;
    let hAB = 0;
    let hBB = 1e-9;
    for (let i = 0; i < scores.length; i++) {
      const mu = sigmoid(a * scores[i]! + b);
      const w = mu * (1 - mu);
      const r = outcomes[i]! - mu;
      gA += r * scores[i]!;
      gB += r;
      hAA += w * scores[i]! ** 2;
      hAB += w * scores[i]!;
      hBB += w;
    }
    const det = hAA * hBB - hAB * hAB;
    if (!(det > 0)) break;
    const dA = (hBB * gA - hAB * gB) / det;
    const dB = (hAA * gB - hAB * gA) / det;
    a += dA;
    b += dB;
    if (Math.abs(dA) + Math.abs(dB) < 1e-9) break;
  }
  return { a, b };
}

/**
 * Isotonic regression of outcomes on scores by pool-adjacent-violators: the non-decreasing step
 * function closest to the outcomes in squared error. Returned as its blocks' mean scores `z` and
 * won shares `p` (both increasing) with their sizes `count`, adjacent blocks merged until each
 * holds at least `minBlock` observations, so that the curve does not follow a handful of deals.
 */
export function fitIsotonic(
  scores: readonly number[],
  outcomes: readonly number[],
  minBlock: number,
): IsotonicCurve {
  const order = Array.from(scores.keys()).sort((i, j) => scores[i]! - scores[j]! || i - j);
  const sumZ: number[] = [];
  const sumY: number[] = [];
  const count: number[] = [];
  for (const i of order) {
    sumZ.push(scores[i]!);
    sumY.push(outcomes[i]!);
    count.push(1);
    // Merge while the last block's share is not above the one before it.
    for (let k = count.length - 1; k > 0 && sumY[k - 1]! * count[k]! >= sumY[k]! * count[k - 1]!; k--) {
      sumZ[k - 1]! += sumZ[k]!;
      sumY[k - 1]! += sumY[k]!;
      count[k - 1]! += count[k]!;
      sumZ.pop();
      sumY.pop();
      count.pop();
    }
  }
  const z: number[] = [];
  const p: number[] = [];
  const counts: number[] = [];
  let blockZ = 0;
  let blockY = 0;
  let blockCount = 0;
  for (let k = 0; k < count.length; k++) {
    blockZ += sumZ[k]!;
    blockY += sumY[k]!;
    blockCount += count[k]!;
    const last = k === count.length - 1;
    if (blockCount >= minBlock || last) {
      if (last && blockCount < minBlock && z.length > 0) {
        // A small last block joins the one before it.
        const prior = z.length - 1;
        const priorCount = counts[prior]!;
        z[prior] = (z[prior]! * priorCount + blockZ) / (priorCount + blockCount);
        p[prior] = (p[prior]! * priorCount + blockY) / (priorCount + blockCount);
        counts[prior] = priorCount + blockCount;
      } else {
        z.push(blockZ / blockCount);
        p.push(blockY / blockCount);
        counts.push(blockCount);
      }
      blockZ = 0;
      blockY = 0;
      blockCount = 0;
    }
  }
  return { z: Float64Array.from(z), p: Float64Array.from(p), count: Int32Array.from(counts) };
}

/** The isotonic curve at score z: linear between blocks, flat beyond the first and the last. */
export function isotonicAt(curve: IsotonicCurve, z: number): number {
  const { z: zs, p } = curve;
  const n = zs.length;
  if (n === 0) return Number.NaN;
  if (z <= zs[0]!) return p[0]!;
  if (z >= zs[n - 1]!) return p[n - 1]!;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (zs[mid]! <= z) lo = mid;
    else hi = mid;
  }
  const t = (z - zs[lo]!) / (zs[hi]! - zs[lo]!);
  return p[lo]! + t * (p[hi]! - p[lo]!);
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Trains the model on the deals closed by the end of `asOf`; see the file comment. */
export function trainPropensityModel(
  snapshot: OpportunitySnapshot,
  timelines: DealTimelines,
  activities: ActivityIndex,
  asOf: number,
  options: PropensityOptions = {},
): PropensityModel {
  const lookback = options.lookbackDays ?? 730;
  const step = options.observationStepDays ?? 14;
  const perDealCap = options.maxObservationsPerDeal ?? 26;
  const lastObservation = asOf - (options.maturityDays ?? 120);
  const ridge = options.ridge ?? 1;

  // Closed by the as-of day, created in the lookback: the training deals.
  const training: number[] = [];
  let wins = 0;
  for (let r = 0; r < timelines.rowCount; r++) {
    const closed = timelines.closeDay[r]!;
    const created = snapshot.createdOn[r]!;
    if (closed === NULL_DAY || closed > asOf || created === NULL_DAY || created < asOf - lookback) continue;
    training.push(r);
    if (wonAsOf(timelines, r, asOf) === 1) wins++;
  }
  const losses = training.length - wins;
  const minDeals = options.minDeals ?? 200;
  const minWins = options.minWins ?? 40;
  const minLosses = options.minLosses ?? 40;
  if (training.length < minDeals || wins < minWins || losses < minLosses)
    return {
      usable: false,
      asOf,
      reason: `too little closed history to trust a propensity model: ${training.length} deals (${wins} won, ${losses} lost) closed in the ${lookback} days to the as-of day; at least ${minDeals} deals, ${minWins} won and ${minLosses} lost are needed`,
      trainingDeals: training.length,
      wins,
      losses,
    };

  // The owners' records: each owner's closes by day, with wins so far.
  const byOwner = new Map<number, { day: number; won: number }[]>();
  for (let r = 0; r < timelines.rowCount; r++) {
    const closed = timelines.closeDay[r]!;
    if (closed === NULL_DAY || closed > asOf) continue;
    const owner = snapshot.owner[r]!;
    if (owner === NULL_CODE) continue;
    const list = byOwner.get(owner) ?? [];
    list.push({ day: closed, won: wonAsOf(timelines, r, asOf) });
    byOwner.set(owner, list);
  }
  const recordOf = (list: { day: number; won: number }[]) => {
    list.sort((a, b) => a.day - b.day);
    const wonBefore = new Int32Array(list.length);
    let w = 0;
    list.forEach((x, i) => (wonBefore[i] = w += x.won));
    return { days: Int32Array.from(list, (x) => x.day), wonBefore };
  };
  const owners: OwnerHistory = new Map();
  for (const [owner, list] of byOwner) owners.set(owner, recordOf(list));
  const organisation = organisationRates(recordOf([...byOwner.values()].flat()), asOf);
  const openStages: number[] = [];
  timelines.stageKind.forEach((kind, code) => {
    if (kind === STAGE_OPEN) openStages.push(code);
  });
  const keep = options.topLevels ?? 8;
  const encoding: Encoding = {
    openStages,
    products: topCodes(snapshot.product, training, keep),
    competitors: topCodes(snapshot.competitor.codes, training, keep),
    dealTypes: snapshot.dealType.dictionary.length,
    baseRate: wins / training.length,
    owners,
    organisation,
    typical: typicalAmounts(snapshot, timelines, asOf),
  };
  const features = featureNames(snapshot, encoding);
  const p = features.length;

  // Observations: each training deal every `step` days of its open life, from a point set by its
  // id's hash; counted first, so the matrix is allocated once.
  let maxRows = 0;
  for (const r of training) {
    const life = timelines.closeDay[r]! - snapshot.createdOn[r]!;
    if (life >= 1) maxRows += Math.min(perDealCap, Math.ceil(life / step));
  }
  const x = new Float32Array(maxRows * p);
  const y = new Uint8Array(maxRows);
  const heldOut = new Uint8Array(maxRows);
  const observedOn = new Int32Array(maxRows);
  const row = new Float64Array(p);
  let n = 0;
  for (const r of training) {
    const created = snapshot.createdOn[r]!;
    const closed = timelines.closeDay[r]!;
    const life = closed - created;
    if (life < 1) continue;
    const id = snapshot.id[r]!;
    const holdOut = hashUnit(id, 0x51ed) < 0.2 ? 1 : 0;
    const offset = Math.floor(hashUnit(id, 0x0b5e) * step);
    for (let j = 0; j < perDealCap; j++) {
      const day = created + offset + j * step;
      if (day >= closed || day > lastObservation) break;
      if (!featuresOn(snapshot, timelines, activities, encoding, r, day, row)) continue;
      x.set(row, n * p);
      y[n] = wonAsOf(timelines, r, asOf);
      heldOut[n] = holdOut;
      observedOn[n] = day;
      n++;
    }
  }

  // Both outcomes among the rows fitted (the held-out deals aside), or the intercept runs off to
  // infinity: with few deals the held-out share can take every loss.
  let fitWins = 0;
  let fitted = 0;
  for (let i = 0; i < n; i++)
    if (!heldOut[i]) {
      fitted++;
      fitWins += y[i]!;
    }
  if (fitWins === 0 || fitWins === fitted)
    return {
      usable: false,
      asOf,
      reason: `too little closed history to trust a propensity model: the ${fitted} observations to fit (held-out deals aside) are all ${fitWins === 0 ? 'losses' : 'wins'}`,
      trainingDeals: training.length,
      wins,
      losses,
    };

  // Standardise on the fitting rows.
  const mean = new Float64Array(p);
  const sd = new Float64Array(p);
  let fitRows = 0;
  for (let i = 0; i < n; i++) {
    if (heldOut[i]) continue;
    fitRows++;
    for (let j = 0; j < p; j++) mean[j]! += x[i * p + j]!;
  }
  for (let j = 0; j < p; j++) mean[j]! /= Math.max(1, fitRows);
  for (let i = 0; i < n; i++) {
    if (heldOut[i]) continue;
    for (let j = 0; j < p; j++) sd[j]! += (x[i * p + j]! - mean[j]!) ** 2;
  }
  for (let j = 0; j < p; j++) sd[j] = Math.sqrt(sd[j]! / Math.max(1, fitRows)) || 1;
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) x[i * p + j] = (x[i * p + j]! - mean[j]!) / sd[j]!;

  // Newton's method on the penalised log-likelihood; the intercept is not penalised.
  const q = p + 1;
  const beta = new Float64Array(q);
  const hessian = new Float64Array(q * q);
  const gradient = new Float64Array(q);
  let iterations = 0;
  for (; iterations < 25; iterations++) {
    hessian.fill(0);
    gradient.fill(0);
    for (let i = 0; i < n; i++) {
      if (heldOut[i]) continue;
      const base = i * p;
      let z = beta[0]!;
      for (let j = 0; j < p; j++) z += beta[j + 1]! * x[base + j]!;
      const mu = sigmoid(z);
      const w = Math.max(mu * (1 - mu), 1e-9);
      const residual = y[i]! - mu;
      gradient[0]! += residual;
      hessian[0]! += w;
      for (let j = 0; j < p; j++) {
        const xj = x[base + j]!;
        if (xj === 0) continue;
        gradient[j + 1]! += residual * xj;
        const wx = w * xj;
        hessian[j + 1]! += wx;
        const rowOffset = (j + 1) * q;
        for (let k = 0; k <= j; k++) {
          const xk = x[base + k]!;
          if (xk !== 0) hessian[rowOffset + k + 1]! += wx * xk;
        }
      }
    }
    for (let j = 1; j < q; j++) {
      gradient[j]! -= ridge * beta[j]!;
      hessian[j * q + j]! += ridge;
      for (let k = 1; k < j; k++) hessian[k * q + j] = hessian[j * q + k]!;
    }
    for (let j = 1; j < q; j++) hessian[j * q] = hessian[j]!;
    const rows: number[][] = [];
    for (let j = 0; j < q; j++) rows.push(Array.from(hessian.subarray(j * q, (j + 1) * q)));
    const step = new CholeskyDecomposition(new Matrix(rows)).solve(Matrix.columnVector(Array.from(gradient)));
    // A damped step: at most 5 on any coefficient (of a standardised feature), so that a nearly
    // separable history cannot throw the fit to infinity; Newton's full steps near the optimum.
    let largest = 0;
    for (let j = 0; j < q; j++) largest = Math.max(largest, Math.abs(step.get(j, 0)));
    const scale = largest > 5 ? 5 / largest : 1;
    for (let j = 0; j < q; j++) beta[j]! += scale * step.get(j, 0);
    if (largest < 1e-6) {
      iterations++;
      break;
    }
  }

  // Calibration on the held-out deals, as they were observed in the last year of observations:
  // the pipeline closest in time to the one the model will score (the deals closed by the as-of
  // day are not quite the deals open on it, and an organisation drifts). Platt scaling always;
  // isotonic regression, which can bend where a sigmoid cannot, once there are enough of them.
  const scores: number[] = [];
  const outcomes: number[] = [];
  const recentFrom = lastObservation - CALIBRATION_DAYS;
  let recent = 0;
  for (let i = 0; i < n; i++) if (heldOut[i] && observedOn[i]! >= recentFrom) recent++;
  const from = recent >= MIN_RECENT_CALIBRATION ? recentFrom : -Infinity;
  let heldOutRows = 0;
  for (let i = 0; i < n; i++) {
    if (!heldOut[i]) continue;
    heldOutRows++;
    if (observedOn[i]! < from) continue;
    let z = beta[0]!;
    for (let j = 0; j < p; j++) z += beta[j + 1]! * x[i * p + j]!;
    scores.push(z);
    outcomes.push(y[i]!);
  }
  const { a, b } = scores.length >= 50 ? fitPlatt(scores, outcomes) : { a: 1, b: 0 };
  const isotonic = scores.length >= MIN_ISOTONIC ? fitIsotonic(scores, outcomes, ISOTONIC_BLOCK) : null;
  return {
    usable: true,
    asOf,
    features,
    mean,
    sd,
    coefficients: beta,
    calibration: { a, b, isotonic, observations: scores.length },
    trainingDeals: training.length,
    observations: n,
    heldOut: heldOutRows,
    wins,
    losses,
    iterations,
    encoding,
  };
}

export type PropensityScores = {
  /** Calibrated P(won, eventually) per row asked for, in the order asked. */
  probability: Float64Array;
  /** The top factors of each, largest push first; empty unless asked for. */
  factors: PropensityFactor[][];
};

function describe(feature: string, raw: number): string {
  if (feature.startsWith('stage=')) return `in ${feature.slice(6)}`;
  if (feature.startsWith('deal_type=')) return feature.slice(10).replace('_', ' ');
  if (feature.startsWith('product=')) return `product ${feature.slice(8)}`;
  if (feature.startsWith('competitor=')) return `competing with ${feature.slice(11)}`;
  switch (feature) {
    case 'log_age_in_stage':
      return `${Math.round(Math.expm1(raw))} days in its stage`;
    case 'log_age':
      return `${Math.round(Math.expm1(raw))} days old`;
    case 'log_amount':
      return 'its amount';
    case 'pushes':
      return raw === 1 ? 'close date pushed once' : `close date pushed ${raw} times`;
    case 'amount_cuts':
      return raw === 1 ? 'amount cut once' : `amount cut ${raw} times`;
    case 'log_days_since_activity':
      return `no activity for ${Math.round(Math.expm1(raw))} days`;
    case 'no_activity_yet':
      return raw === 1 ? 'no activity recorded yet' : 'activity recorded';
    case 'log_activities_30d':
      return `${Math.round(Math.expm1(raw))} activities in the last 30 days`;
    case 'owner_win_rate_edge': {
      const points = Math.round(raw * 100);
      return points === 0
        ? 'owner wins as often as the organisation'
        : `owner wins ${Math.abs(points)} points ${points > 0 ? 'more' : 'less'} often than the organisation (last 12 months)`;
    }
    case 'close_overdue_or_none':
      return raw === 1 ? 'close date passed or missing' : 'close date ahead';
    case 'close_within_30d':
      return raw === 1 ? 'closing within 30 days' : 'not closing within 30 days';
    case 'close_31_90d':
      return raw === 1 ? 'closing in 31-90 days' : 'not closing in 31-90 days';
    default:
      return feature;
  }
}

/**
 * Scores rows as of `day` (deals open then; a row not open scores NaN). With `topFactors`, the
 * factors that pushed each score most, against an average training deal.
 */
export function scorePropensity(
  model: PropensityModel & { usable: true },
  snapshot: OpportunitySnapshot,
  timelines: DealTimelines,
  activities: ActivityIndex,
  rows: ArrayLike<number>,
  day: number,
  topFactors = 0,
): PropensityScores {
  const p = model.features.length;
  const row = new Float64Array(p);
  const probability = new Float64Array(rows.length);
  const factors: PropensityFactor[][] = [];
  const { coefficients: beta, mean, sd } = model;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (!featuresOn(snapshot, timelines, activities, model.encoding, r, day, row)) {
      probability[i] = Number.NaN;
      if (topFactors > 0) factors.push([]);
      continue;
    }
    let z = beta[0]!;
    for (let j = 0; j < p; j++) z += (beta[j + 1]! * (row[j]! - mean[j]!)) / sd[j]!;
    const { calibration } = model;
    probability[i] = calibration.isotonic
      ? isotonicAt(calibration.isotonic, z)
      : sigmoid(calibration.a * z + calibration.b);
    if (topFactors > 0) {
      const pushes: PropensityFactor[] = [];
      for (let j = 0; j < p; j++) {
        const contribution = (model.calibration.a * beta[j + 1]! * (row[j]! - mean[j]!)) / sd[j]!;
        // One-hot levels a deal does not have say nothing worth reading.
        const feature = model.features[j]!;
        if (feature.includes('=') && row[j] === 0) continue;
        if (Math.abs(contribution) < 0.05) continue;
        pushes.push({ feature, contribution, text: describe(feature, row[j]!) });
      }
      pushes.sort((x, y) => Math.abs(y.contribution) - Math.abs(x.contribution));
      factors.push(pushes.slice(0, topFactors));
    }
  }
  return { probability, factors };
}
