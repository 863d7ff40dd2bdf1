import { DomainError } from '../errors.ts';
import { NULL_CODE, NULL_DAY, NULL_PROBABILITY } from './columns.ts';
import { FIELD_CODE, cancelledBy, type OpportunitySnapshot } from './opportunity-snapshot.ts';

const MS_PER_DAY = 86_400_000;

/**
 * The pipeline as it stood at the end of one day: one row per opportunity that existed then, with
 * the tracked fields as they were. Columns are parallel to `row` (the opportunity's snapshot row),
 * with the snapshot's null sentinels and dictionaries.
 */
export type PipelineAsOf = {
  /** The day (day number) whose end this is. */
  asOf: number;
  rowCount: number;
  row: Int32Array;
  stage: Int32Array;
  amountMinor: Float64Array;
  closeOn: Int32Array;
  probability: Int16Array;
  owner: Int32Array;
  forecastCategory: Int32Array;
  isClosed: Uint8Array;
  isWon: Uint8Array;
};

/**
 * Reconstructs the pipeline at the end of day `asOf` (UTC): every opportunity created on or before
 * that day, with stage, amount, close date, probability, owner and forecast category as they were.
 *
 * opportunity_changes is append-only and the opportunities table holds the current values, so the
 * state on a past day is the current row with every later change undone, latest first (migration
 * 0001). Nothing after the day is visible: a deal created later is absent, and one closed later
 * (by its as-of stage, or a closed_on after the day) is still open.
 *
 * Closed and won as of the day follow the as-of stage's category (stages table); for a stage the
 * table does not define, the current flags, subject to the same closed_on rule. A win cancelled on
 * or before the day (cancelled_on) is closed and lost.
 */
export function pipelineAsOf(snapshot: OpportunitySnapshot, asOf: number): PipelineAsOf {
  if (!Number.isInteger(asOf)) throw new DomainError('invariant', `asOf must be a day number, got ${asOf}`);
  const { rowCount, createdOn, changes } = snapshot;
  // Changes at or after the first instant of the next day happened after the as-of day.
  const endMs = (asOf + 1) * MS_PER_DAY;

  let existing = 0;
  for (let r = 0; r < rowCount; r++) if (createdOn[r]! <= asOf) existing++;

  const result: PipelineAsOf = {
    asOf,
    rowCount: existing,
    row: new Int32Array(existing),
    stage: new Int32Array(existing),
    amountMinor: new Float64Array(existing),
    closeOn: new Int32Array(existing),
    probability: new Int16Array(existing),
    owner: new Int32Array(existing),
    forecastCategory: new Int32Array(existing),
    isClosed: new Uint8Array(existing),
    isWon: new Uint8Array(existing),
  };

  // Per stage code: 1 closed, 0 open, -1 unknown; and won. Looked up per row, so arrays not strings.
  const stageClosed = new Int8Array(snapshot.stage.dictionary.length).fill(-1);
  const stageWon = new Uint8Array(snapshot.stage.dictionary.length);
  snapshot.stageCategory.forEach((category, code) => {
    if (category === null) return;
    stageClosed[code] = category === 'open' ? 0 : 1;
    stageWon[code] = category === 'won' ? 1 : 0;
  });

  const { offsets, field, changedAtMs, oldValue } = changes;
  let out = 0;
  for (let r = 0; r < rowCount; r++) {
    if (createdOn[r]! > asOf) continue;
    let stage = snapshot.stage.codes[r]!;
    let amountMinor = snapshot.amountMinor[r]!;
    let closeOn = snapshot.closeOn[r]!;
    let probability = snapshot.probability[r]!;
    let owner = snapshot.owner[r]!;
    let forecastCategory = snapshot.forecastCategory.codes[r]!;
    // Undo the later changes from the latest back: the earliest later change's old value is the
    // value at the end of the as-of day, even where the history's old/new values do not chain.
    const first = offsets[r]!;
    for (let c = offsets[r + 1]! - 1; c >= first && changedAtMs[c]! >= endMs; c--) {
      const value = oldValue[c]!;
      const isNull = Number.isNaN(value);
      switch (field[c]) {
        case FIELD_CODE.stage:
          stage = isNull ? NULL_CODE : value;
          break;
        case FIELD_CODE.amount_minor:
          amountMinor = value;
          break;
        case FIELD_CODE.close_on:
          closeOn = isNull ? NULL_DAY : value;
          break;
        case FIELD_CODE.probability:
          probability = isNull ? NULL_PROBABILITY : value;
          break;
        case FIELD_CODE.owner_person_id:
          owner = isNull ? NULL_CODE : value;
          break;
        case FIELD_CODE.forecast_category:
          forecastCategory = isNull ? NULL_CODE : value;
          break;
      }
    }
    const known = stage === NULL_CODE ? -1 : stageClosed[stage]!;
    const closedOn = snapshot.closedOn[r]!;
    const closedLater = closedOn !== NULL_DAY && closedOn > asOf;
    const isClosed = !closedLater && (known === -1 ? snapshot.isClosed[r] === 1 : known === 1);
    // A win cancelled on or before the day is lost (on its close day), as in the KPIs.
    const isWon =
      isClosed &&
      (known === -1 ? snapshot.isWon[r] === 1 : stageWon[stage] === 1) &&
      !cancelledBy(snapshot, r, asOf);

    result.row[out] = r;
    result.stage[out] = stage;
    result.amountMinor[out] = amountMinor;
    result.closeOn[out] = closeOn;
    result.probability[out] = probability;
    result.owner[out] = owner;
    result.forecastCategory[out] = forecastCategory;
    result.isClosed[out] = isClosed ? 1 : 0;
    result.isWon[out] = isWon ? 1 : 0;
    out++;
  }
  return result;
}
