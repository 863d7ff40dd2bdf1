/**
 * Building blocks of the columnar snapshots (DESIGN.md §2 "Compute: columnar engines"): one typed
 * array per column, one row per record, strings dictionary-encoded, nulls as sentinels that no real
 * value can take. Engines loop over these; row objects in hot loops are the slow path.
 */
import { DomainError } from '../errors.ts';

/** The code of a null string in a dictionary-encoded column, and of a null id reference. */
export const NULL_CODE = -1;
/** A null date in a day-number column (days since 1970-01-01): the smallest Int32, never a real day. */
export const NULL_DAY = -2_147_483_648;
/** A null integer in an Int32 measure column (basis points, minutes, ...). */
export const NULL_INT32 = -2_147_483_648;
/** A null probability (an Int16 column of 0-100). */
export const NULL_PROBABILITY = -1;

/** The largest id an Int32 reference column can hold; loaders refuse anything larger. */
export const MAX_INT32_ID = 2_147_483_647;

/** A dictionary-encoded string column: `dictionary[codes[row]]`, or null where the code is NULL_CODE. */
export type DictionaryColumn = { codes: Int32Array; dictionary: string[] };

/** Assigns codes to strings in order of first appearance (after the seed); `dictionary` grows in place. */
export type DictionaryEncoder = {
  readonly dictionary: string[];
  encode(value: string | null): number;
};

/**
 * A dictionary encoder. Seeding it with a closed vocabulary (deal types, forecast categories) makes
 * those codes the same in every snapshot, whatever the data.
 */
export function createDictionaryEncoder(seed: readonly string[] = []): DictionaryEncoder {
  const dictionary: string[] = [];
  const codes = new Map<string, number>();
  const encode = (value: string | null): number => {
    if (value === null) return NULL_CODE;
    let code = codes.get(value);
    if (code === undefined) {
      code = dictionary.length;
      dictionary.push(value);
      codes.set(value, code);
    }
    return code;
  };
  for (const value of seed) encode(value);
  return { dictionary, encode };
}

/** The string of a dictionary column's row, or null. */
export function decodeDictionaryValue(column: DictionaryColumn, row: number): string | null {
  const code = column.codes[row];
  if (code === undefined)
    throw new DomainError('invariant', `Row ${row} is outside the column (${column.codes.length} rows)`);
  return code === NULL_CODE ? null : (column.dictionary[code] ?? null);
}

/** Row lookup by id over an ascending id column (every snapshot is ordered by id). */
export type IdIndex = { rowOf(id: number): number };

/**
 * An index from id to row: a dense table when ids are compact (as bigserial ids are), else binary
 * search, so a million lookups stay O(1) or O(log n) without a Map of a million entries.
 */
export function createIdIndex(ids: Int32Array, rowCount: number = ids.length): IdIndex {
  if (rowCount === 0) return { rowOf: () => -1 };
  const minId = ids[0]!;
  const maxId = ids[rowCount - 1]!;
  const span = maxId - minId + 1;
  if (span <= rowCount * 4 + 1024) {
    const rows = new Int32Array(span).fill(-1);
    for (let row = 0; row < rowCount; row++) rows[ids[row]! - minId] = row;
    return { rowOf: (id) => (id < minId || id > maxId ? -1 : rows[id - minId]!) };
  }
  return {
    rowOf(id) {
      let low = 0;
      let high = rowCount - 1;
      while (low <= high) {
        const middle = (low + high) >>> 1;
        const value = ids[middle]!;
        if (value === id) return middle;
        if (value < id) low = middle + 1;
        else high = middle - 1;
      }
      return -1;
    },
  };
}
