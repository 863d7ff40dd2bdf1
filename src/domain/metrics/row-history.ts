/**
 * A deal's tracked fields as they stood at the end of a day, read from its change history without
 * allocating: the same rule as pipelineAsOf (src/domain/snapshot/pipeline-as-of.ts), applied to one
 * row at a time so the metrics pass can ask for the as-of day, the close day or the creation day
 * of just the rows that need it. The current row with every later change undone, latest first.
 */
import { NULL_CODE, NULL_DAY } from '../snapshot/columns.ts';
import { FIELD_CODE, type OpportunitySnapshot } from '../snapshot/opportunity-snapshot.ts';
import { lastChangeMs } from './last-change.ts';

export const MS_PER_DAY = 86_400_000;

/** The first instant after `day` (changes at or after it happened later). */
export function endOfDayMs(day: number): number {
  return (day + 1) * MS_PER_DAY;
}

export class RowHistory {
  stage = NULL_CODE;
  amountMinor = Number.NaN;
  closeOn = NULL_DAY;
  owner = NULL_CODE;

  private readonly stageCodes: Int32Array;
  private readonly offsets: Int32Array;
  private readonly field: Uint8Array;
  private readonly changedAtMs: Float64Array;
  private readonly oldValue: Float64Array;
  private readonly lastChangeMs: Float64Array;

  constructor(private readonly snapshot: OpportunitySnapshot) {
    this.lastChangeMs = lastChangeMs(snapshot);
    this.stageCodes = snapshot.stage.codes;
    this.offsets = snapshot.changes.offsets;
    this.field = snapshot.changes.field;
    this.changedAtMs = snapshot.changes.changedAtMs;
    this.oldValue = snapshot.changes.oldValue;
  }

  /** Whether row r has a change at or after `endMs`. */
  changesAfter(r: number, endMs: number): boolean {
    return this.lastChangeMs[r]! >= endMs;
  }

  /** Sets stage, amountMinor, closeOn and owner to row r's values before `endMs`. */
  read(r: number, endMs: number): void {
    const s = this.snapshot;
    let stage = this.stageCodes[r]!;
    let amountMinor = s.amountMinor[r]!;
    let closeOn = s.closeOn[r]!;
    let owner = s.owner[r]!;
    const first = this.offsets[r]!;
    for (let c = this.offsets[r + 1]! - 1; c >= first && this.changedAtMs[c]! >= endMs; c--) {
      const value = this.oldValue[c]!;
      const isNull = Number.isNaN(value);
      switch (this.field[c]) {
        case FIELD_CODE.stage:
          stage = isNull ? NULL_CODE : value;
          break;
        case FIELD_CODE.amount_minor:
          amountMinor = value;
          break;
        case FIELD_CODE.close_on:
          closeOn = isNull ? NULL_DAY : value;
          break;
        case FIELD_CODE.owner_person_id:
          owner = isNull ? NULL_CODE : value;
          break;
      }
    }
    this.stage = stage;
    this.amountMinor = amountMinor;
    this.closeOn = closeOn;
    this.owner = owner;
  }

  /** Row r's owner before `endMs`. */
  ownerBefore(r: number, endMs: number): number {
    let owner = this.snapshot.owner[r]!;
    const first = this.offsets[r]!;
    for (let c = this.offsets[r + 1]! - 1; c >= first && this.changedAtMs[c]! >= endMs; c--) {
      if (this.field[c] !== FIELD_CODE.owner_person_id) continue;
      const value = this.oldValue[c]!;
      owner = Number.isNaN(value) ? NULL_CODE : value;
    }
    return owner;
  }
}
