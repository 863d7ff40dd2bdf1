/**
 * Each opportunity's life as stage spells (the stage it was in from a day on) and the day it closed,
 * read once from the append-only change history of an OpportunitySnapshot. The forecast engines
 * ask it "which stage, since when, on day D" and "how did it end, and when", always with a day
 * bound so that nothing after an as-of day is seen.
 *
 * Days follow pipelineAsOf: a change belongs to the UTC day of its instant, and a day's state is
 * the state at its end, so two stage changes on one day leave one spell (the later stage).
 */
import { NULL_CODE, NULL_DAY } from '../snapshot/columns.ts';
import { FIELD_CODE, type OpportunitySnapshot } from '../snapshot/opportunity-snapshot.ts';

const MS_PER_DAY = 86_400_000;

/** Stage category per stage code, for typed lookups: open, won, lost or unknown. */
export const STAGE_OPEN = 0;
export const STAGE_WON = 1;
export const STAGE_LOST = 2;
export const STAGE_UNKNOWN = 3;

export type DealTimelines = {
  rowCount: number;
  /** rowCount + 1 entries: the spells of row r are offsets[r] .. offsets[r + 1] - 1, in day order. */
  offsets: Int32Array;
  /** First day of the spell (the day the stage was entered; the creation day for the first). */
  spellFrom: Int32Array;
  /** Stage code of the spell (NULL_CODE when the history says null). */
  spellStage: Int32Array;
  /**
   * The first day on whose end the deal counts as closed (pipelineAsOf's rule: its closing stage
   * entered and its closed_on reached), or NULL_DAY while it is open in the snapshot.
   */
  closeDay: Int32Array;
  /** 1 when the deal closed won, 0 otherwise; a win cancelled later is still 1 here: ask wonAsOf. */
  isWon: Uint8Array;
  /** The day a win was cancelled (the snapshot's cancelled_on), or NULL_DAY. */
  cancelledOn: Int32Array;
  /** Category per stage code: STAGE_OPEN, STAGE_WON, STAGE_LOST or STAGE_UNKNOWN. */
  stageKind: Uint8Array;
};

/** The category codes of a snapshot's stages. */
export function stageKindsOf(snapshot: OpportunitySnapshot): Uint8Array {
  const kinds = new Uint8Array(snapshot.stage.dictionary.length).fill(STAGE_UNKNOWN);
  snapshot.stageCategory.forEach((category, code) => {
    if (category !== null)
      kinds[code] = category === 'open' ? STAGE_OPEN : category === 'won' ? STAGE_WON : STAGE_LOST;
  });
  return kinds;
}

/** Builds every deal's stage spells and close day from the snapshot and its change history. */
export function buildDealTimelines(snapshot: OpportunitySnapshot): DealTimelines {
  const { rowCount, changes } = snapshot;
  const stageKind = stageKindsOf(snapshot);
  // At most one spell per stage change plus the first.
  let stageChanges = 0;
  for (let c = 0; c < changes.count; c++) if (changes.field[c] === FIELD_CODE.stage) stageChanges++;
  const capacity = rowCount + stageChanges;
  const spellFrom = new Int32Array(capacity);
  const spellStage = new Int32Array(capacity);
  const offsets = new Int32Array(rowCount + 1);
  const closeDay = new Int32Array(rowCount).fill(NULL_DAY);
  const isWon = new Uint8Array(rowCount);
  const { field, changedAtMs, oldValue, newValue } = changes;

  let out = 0;
  for (let r = 0; r < rowCount; r++) {
    offsets[r] = out;
    const first = changes.offsets[r]!;
    const end = changes.offsets[r + 1]!;
    // The first stage is the old value of the first stage change, or the current stage.
    let initial = snapshot.stage.codes[r]!;
    for (let c = first; c < end; c++) {
      if (field[c] !== FIELD_CODE.stage) continue;
      initial = Number.isNaN(oldValue[c]!) ? NULL_CODE : oldValue[c]!;
      break;
    }
    const created = snapshot.createdOn[r]!;
    spellFrom[out] = created;
    spellStage[out] = initial;
    out++;
    for (let c = first; c < end; c++) {
      if (field[c] !== FIELD_CODE.stage) continue;
      const day = Math.max(created, Math.floor(changedAtMs[c]! / MS_PER_DAY));
      const stage = Number.isNaN(newValue[c]!) ? NULL_CODE : newValue[c]!;
      // Same day as the spell before: the day ends in the later stage.
      if (spellFrom[out - 1] === day) spellStage[out - 1] = stage;
      else {
        spellFrom[out] = day;
        spellStage[out] = stage;
        out++;
      }
    }
    const lastStage = spellStage[out - 1]!;
    const kind = lastStage === NULL_CODE ? STAGE_UNKNOWN : stageKind[lastStage]!;
    const closed = kind === STAGE_UNKNOWN ? snapshot.isClosed[r] === 1 : kind !== STAGE_OPEN;
    if (closed) {
      const closedOn = snapshot.closedOn[r]!;
      const entered = spellFrom[out - 1]!;
      closeDay[r] = closedOn === NULL_DAY ? entered : Math.max(entered, closedOn);
      isWon[r] = (kind === STAGE_UNKNOWN ? snapshot.isWon[r] === 1 : kind === STAGE_WON) ? 1 : 0;
    }
  }
  offsets[rowCount] = out;
  return {
    rowCount,
    offsets,
    spellFrom: spellFrom.subarray(0, out),
    spellStage: spellStage.subarray(0, out),
    closeDay,
    isWon,
    cancelledOn: snapshot.cancelledOn,
    stageKind,
  };
}

/**
 * 1 when row r closed won and, as of `asOf`, the win was not cancelled (a win cancelled on or
 * before the day counts as lost, on its close day, as in the KPIs: docs/metrics.md).
 */
export function wonAsOf(timelines: DealTimelines, r: number, asOf: number): 0 | 1 {
  if (timelines.isWon[r] !== 1) return 0;
  const cancelled = timelines.cancelledOn[r]!;
  return cancelled !== NULL_DAY && cancelled <= asOf ? 0 : 1;
}

/** The index of the spell row r was in at the end of `day`, or -1 when it did not exist yet. */
export function findSpell(timelines: DealTimelines, row: number, day: number): number {
  const first = timelines.offsets[row]!;
  for (let s = timelines.offsets[row + 1]! - 1; s >= first; s--) if (timelines.spellFrom[s]! <= day) return s;
  return -1;
}
