/**
 * What the forecast engines see on an as-of day: the open deals (stage, age in stage, amount,
 * expected close, owner) and the deals won by then, rebuilt from the append-only history through
 * pipelineAsOf. Nothing dated after the as-of day is read.
 */
import { NULL_CODE, NULL_DAY } from '../snapshot/columns.ts';
import { FIELD_CODE, type OpportunitySnapshot } from '../snapshot/opportunity-snapshot.ts';
import { pipelineAsOf } from '../snapshot/pipeline-as-of.ts';
import { findSpell, wonAsOf, type DealTimelines } from './deal-timelines.ts';

const MS_PER_DAY = 86_400_000;

/** Open deals as of a day, in snapshot row order. */
export type OpenDeals = {
  count: number;
  row: Int32Array;
  stage: Int32Array;
  /** Days since the current stage was entered (0 on the day it was entered). */
  ageInStageDays: Int32Array;
  amountMinor: Float64Array;
  /** Expected close day as the deal said then; NULL_DAY when it had none. */
  closeOn: Int32Array;
  owner: Int32Array;
  /** The deal's own probability field then (0-100), NULL_PROBABILITY when it had none. */
  probability: Int16Array;
  /** Segment of the history the deal learns from: deal type code + 1 (0 for none). */
  stratum: Int32Array;
  /** How many of them had no amount and count at their product's typical amount. */
  typicalAmountCount: number;
};

/** Deals won by the as-of day, with the day each closed and its amount as of the as-of day. */
export type WonDeals = {
  count: number;
  row: Int32Array;
  wonDay: Int32Array;
  amountMinor: Float64Array;
  owner: Int32Array;
};

export type DealsAsOf = { asOf: number; open: OpenDeals; won: WonDeals };

/** The stratum of a snapshot row: its deal type code + 1, 0 for none (deal type is not in the history). */
export function stratumOf(snapshot: OpportunitySnapshot, row: number): number {
  const code = snapshot.dealType.codes[row]!;
  return code === NULL_CODE ? 0 : code + 1;
}

/** How many strata a snapshot's rows fall in. */
export function stratumCount(snapshot: OpportunitySnapshot): number {
  return snapshot.dealType.dictionary.length + 1;
}

/**
 * What a deal without an amount is taken to be worth, as known at the end of `asOf`: the median
 * amount of the deals of its product won by then, else of every deal won by then. Some CRMs (the
 * Maven sample) record an amount only when a deal closes; without this, their open pipeline would
 * be invisible to every method. Undefined when nothing was won yet.
 */
export type TypicalAmounts = { byProduct: Map<number, number>; overall: number | undefined };

export function typicalAmounts(
  snapshot: OpportunitySnapshot,
  timelines: DealTimelines,
  asOf: number,
): TypicalAmounts {
  const byProduct = new Map<number, number[]>();
  const all: number[] = [];
  for (let r = 0; r < timelines.rowCount; r++) {
    const closed = timelines.closeDay[r]!;
    if (wonAsOf(timelines, r, asOf) !== 1 || closed === NULL_DAY || closed > asOf) continue;
    const amount = fieldOn(snapshot, r, asOf, FIELD_CODE.amount_minor);
    if (!(amount > 0)) continue;
    all.push(amount);
    const product = snapshot.product[r]!;
    if (product === NULL_CODE) continue;
    const list = byProduct.get(product) ?? [];
    list.push(amount);
    byProduct.set(product, list);
  }
  const median = (list: number[]) => {
    list.sort((a, b) => a - b);
    return list[Math.floor((list.length - 1) / 2)]!;
  };
  const medians = new Map<number, number>();
  for (const [product, list] of byProduct) if (list.length >= 5) medians.set(product, median(list));
  return { byProduct: medians, overall: all.length > 0 ? median(all) : undefined };
}

/** A deal's amount, or the typical amount of its product when it has none (NaN when nothing is known). */
export function amountOrTypical(
  amount: number,
  snapshot: OpportunitySnapshot,
  row: number,
  typical: TypicalAmounts | undefined,
): number {
  if (!Number.isNaN(amount) || !typical) return amount;
  return typical.byProduct.get(snapshot.product[row]!) ?? typical.overall ?? Number.NaN;
}

/**
 * The open and won deals at the end of `asOf`. With `currency` (a code of the snapshot's currency
 * column), only deals in that currency. Won deals without an amount are left out; open ones too,
 * unless `typical` amounts are given, which then stand in for the missing amount.
 */
export function dealsAsOf(
  snapshot: OpportunitySnapshot,
  timelines: DealTimelines,
  asOf: number,
  currency = -1,
  typical?: TypicalAmounts,
): DealsAsOf {
  const pipeline = pipelineAsOf(snapshot, asOf);
  let openCount = 0;
  let wonCount = 0;
  const inCurrency = (i: number) => currency < 0 || snapshot.currency.codes[pipeline.row[i]!] === currency;
  // An open deal without an amount stays when a typical amount can stand in for it.
  const keep = (i: number) =>
    inCurrency(i) &&
    (!Number.isNaN(pipeline.amountMinor[i]!) ||
      (pipeline.isWon[i] !== 1 &&
        !Number.isNaN(amountOrTypical(Number.NaN, snapshot, pipeline.row[i]!, typical))));
  for (let i = 0; i < pipeline.rowCount; i++) {
    if (!keep(i)) continue;
    if (pipeline.isWon[i] === 1) wonCount++;
    else if (pipeline.isClosed[i] === 0 && timelines.stageKind[pipeline.stage[i]!] === 0) openCount++;
  }
  const open: OpenDeals = {
    count: openCount,
    row: new Int32Array(openCount),
    stage: new Int32Array(openCount),
    ageInStageDays: new Int32Array(openCount),
    amountMinor: new Float64Array(openCount),
    closeOn: new Int32Array(openCount),
    owner: new Int32Array(openCount),
    probability: new Int16Array(openCount),
    stratum: new Int32Array(openCount),
    typicalAmountCount: 0,
  };
  const won: WonDeals = {
    count: wonCount,
    row: new Int32Array(wonCount),
    wonDay: new Int32Array(wonCount),
    amountMinor: new Float64Array(wonCount),
    owner: new Int32Array(wonCount),
  };
  let o = 0;
  let w = 0;
  for (let i = 0; i < pipeline.rowCount; i++) {
    if (!keep(i)) continue;
    const row = pipeline.row[i]!;
    const spell = findSpell(timelines, row, asOf);
    if (pipeline.isWon[i] === 1) {
      won.row[w] = row;
      const closeDay = timelines.closeDay[row]!;
      if (closeDay !== NULL_DAY && closeDay <= asOf) won.wonDay[w] = closeDay;
      else {
        // Won as of the day but reopened later: the day it entered the won stage (or closed_on).
        const closedOn = snapshot.closedOn[row]!;
        const entered = spell >= 0 ? timelines.spellFrom[spell]! : asOf;
        won.wonDay[w] = closedOn === NULL_DAY ? entered : Math.max(entered, closedOn);
      }
      won.amountMinor[w] = pipeline.amountMinor[i]!;
      won.owner[w] = pipeline.owner[i]!;
      w++;
    } else if (pipeline.isClosed[i] === 0 && timelines.stageKind[pipeline.stage[i]!] === 0) {
      open.row[o] = row;
      open.stage[o] = pipeline.stage[i]!;
      open.ageInStageDays[o] = spell >= 0 ? asOf - timelines.spellFrom[spell]! : 0;
      open.amountMinor[o] = amountOrTypical(pipeline.amountMinor[i]!, snapshot, row, typical);
      if (Number.isNaN(pipeline.amountMinor[i]!)) open.typicalAmountCount++;
      open.closeOn[o] = pipeline.closeOn[i]!;
      open.owner[o] = pipeline.owner[i]!;
      open.probability[o] = pipeline.probability[i]!;
      open.stratum[o] = stratumOf(snapshot, row);
      o++;
    }
  }
  return { asOf, open, won };
}

/** Days-until-close buckets: none or overdue, 0-30, 31-90, more than 90 days ahead. */
export const CLOSE_BUCKETS = 4;

/** The bucket of a deal's expected close day as seen on `day`. */
export function closeBucketOf(closeOn: number, day: number): number {
  if (closeOn === NULL_DAY || closeOn < day) return 0;
  const ahead = closeOn - day;
  return ahead <= 30 ? 1 : ahead <= 90 ? 2 : 3;
}

/** The value of a tracked numeric field of row r at the end of `day` (current value, later changes undone). */
export function fieldOn(
  snapshot: OpportunitySnapshot,
  row: number,
  day: number,
  field: (typeof FIELD_CODE)['amount_minor' | 'owner_person_id' | 'close_on'],
): number {
  const { changes } = snapshot;
  const endMs = (day + 1) * MS_PER_DAY;
  let value =
    field === FIELD_CODE.amount_minor
      ? snapshot.amountMinor[row]!
      : field === FIELD_CODE.close_on
        ? snapshot.closeOn[row]!
        : snapshot.owner[row]!;
  const first = changes.offsets[row]!;
  for (let c = changes.offsets[row + 1]! - 1; c >= first && changes.changedAtMs[c]! >= endMs; c--) {
    if (changes.field[c] !== field) continue;
    const old = changes.oldValue[c]!;
    value =
      !Number.isNaN(old) || field === FIELD_CODE.amount_minor
        ? old
        : field === FIELD_CODE.close_on
          ? NULL_DAY
          : NULL_CODE;
  }
  return value;
}
