import type { DictionaryColumn } from './columns.ts';
import { FIELD_CODE, type OpportunityChanges } from './opportunity-snapshot.ts';

/** The dictionary-encoded columns of an opportunity snapshot, before it is assembled. */
export type OpportunityDictionaryColumns = {
  stage: DictionaryColumn;
  competitor: DictionaryColumn;
  lostReason: DictionaryColumn;
  leadSource: DictionaryColumn;
  dealType: DictionaryColumn;
  forecastCategory: DictionaryColumn;
  currency: DictionaryColumn;
};

/** How many leading entries of each dictionary are a seed (a fixed vocabulary) that keeps its codes. */
export type DictionarySeedSizes = { stage: number; dealType: number; forecastCategory: number };

/**
 * Renumbers every dictionary to one canonical order: its seed, then values by first appearance in
 * row order, then (stage and forecast category) by first appearance in the ordered change history.
 * A loader that reads ranges in parallel assigns codes in arrival order; after this, the same data
 * gives the same codes on every load (DESIGN.md §4, deterministic). Rewrites the code arrays and
 * change values in place and returns the renumbered columns.
 */
export function orderDictionaries(
  columns: OpportunityDictionaryColumns,
  changes: OpportunityChanges,
  seeds: DictionarySeedSizes,
): OpportunityDictionaryColumns {
  return {
    stage: reorder(columns.stage, seeds.stage, changes, FIELD_CODE.stage),
    competitor: reorder(columns.competitor, 0),
    lostReason: reorder(columns.lostReason, 0),
    leadSource: reorder(columns.leadSource, 0),
    dealType: reorder(columns.dealType, seeds.dealType),
    forecastCategory: reorder(
      columns.forecastCategory,
      seeds.forecastCategory,
      changes,
      FIELD_CODE.forecast_category,
    ),
    currency: reorder(columns.currency, 0),
  };
}

function reorder(
  column: DictionaryColumn,
  seedSize: number,
  changes?: OpportunityChanges,
  field?: number,
): DictionaryColumn {
  const { codes, dictionary } = column;
  const remap = new Int32Array(dictionary.length).fill(-1);
  let next = 0;
  for (; next < seedSize; next++) remap[next] = next;
  for (let row = 0; row < codes.length; row++) {
    const code = codes[row]!;
    if (code >= 0 && remap[code] === -1) remap[code] = next++;
  }
  if (changes) {
    for (let c = 0; c < changes.count; c++) {
      if (changes.field[c] !== field) continue;
      const oldValue = changes.oldValue[c]!;
      if (!Number.isNaN(oldValue) && remap[oldValue] === -1) remap[oldValue] = next++;
      const newValue = changes.newValue[c]!;
      if (!Number.isNaN(newValue) && remap[newValue] === -1) remap[newValue] = next++;
    }
  }
  // Entries nothing refers to (none in practice) keep their relative order at the end.
  for (let code = 0; code < remap.length; code++) if (remap[code] === -1) remap[code] = next++;

  let unchanged = true;
  for (let code = 0; code < remap.length; code++) if (remap[code] !== code) unchanged = false;
  if (unchanged) return column;

  const ordered: string[] = new Array<string>(dictionary.length);
  dictionary.forEach((value, code) => (ordered[remap[code]!] = value));
  for (let row = 0; row < codes.length; row++) {
    const code = codes[row]!;
    if (code >= 0) codes[row] = remap[code]!;
  }
  if (changes) {
    for (let c = 0; c < changes.count; c++) {
      if (changes.field[c] !== field) continue;
      const oldValue = changes.oldValue[c]!;
      const newValue = changes.newValue[c]!;
      if (!Number.isNaN(oldValue)) changes.oldValue[c] = remap[oldValue]!;
      if (!Number.isNaN(newValue)) changes.newValue[c] = remap[newValue]!;
    }
  }
  return { codes, dictionary: ordered };
}
