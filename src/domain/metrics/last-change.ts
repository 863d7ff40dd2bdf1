/**
 * The instant of each deal's last recorded change, as a column beside the snapshot. The metrics
 * pass asks "has this deal changed after day d?" of every counted row; reading the answer from the
 * change history itself (changedAtMs at the row's last offset) is a cache miss per row in a column
 * of ~13 changes a deal, most of the pass's time over a million deals. This column is read in row
 * order instead.
 *
 * Memoised per snapshot object: a pure function of an immutable input (snapshots are replaced on
 * reload, never changed in place), so results do not depend on the memo. It belongs in the snapshot
 * itself, built by the loader; until then it is built here once per snapshot.
 */
import type { OpportunitySnapshot } from '../snapshot/opportunity-snapshot.ts';

const memo = new WeakMap<OpportunitySnapshot, Float64Array>();

/** Per row, the epoch milliseconds of its last change; -Infinity for a row without changes. */
export function lastChangeMs(snapshot: OpportunitySnapshot): Float64Array {
  let column = memo.get(snapshot);
  if (column === undefined) {
    const { offsets, changedAtMs } = snapshot.changes;
    column = new Float64Array(snapshot.rowCount);
    for (let r = 0; r < snapshot.rowCount; r++) {
      const end = offsets[r + 1]!;
      column[r] = end > offsets[r]! ? changedAtMs[end - 1]! : Number.NEGATIVE_INFINITY;
    }
    memo.set(snapshot, column);
  }
  return column;
}
