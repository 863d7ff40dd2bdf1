/**
 * The hierarchy as a forecast tree on a day (positions, who holds each, who reports to whom) and
 * the grouping a roll-up needs: which child of a position a deal's owner sat under on the deal's
 * day. Pure: the effective-dated hierarchy is an argument (src/domain/access/scope.ts's shape).
 */
import type { Hierarchy } from '../access/scope.ts';

export type TreeOnDay = {
  /** Parent of each position that existed on the day (null at the top). */
  parentOf: Map<number, number | null>;
  /** The person holding each held position on the day. */
  holderOf: Map<number, number>;
  /** The positions each person held on the day. */
  positionsOf: Map<number, number[]>;
};

const covers = (row: { from: number; to: number }, day: number) => day >= row.from && day < row.to;

/** The tree as it stood on a day. */
export function treeOn(hierarchy: Hierarchy, day: number): TreeOnDay {
  const parentOf = new Map<number, number | null>();
  const holderOf = new Map<number, number>();
  const positionsOf = new Map<number, number[]>();
  for (const row of hierarchy.reporting) if (covers(row, day)) parentOf.set(row.positionId, row.parentId);
  for (const row of hierarchy.holders) {
    if (!covers(row, day)) continue;
    holderOf.set(row.positionId, row.personId);
    const list = positionsOf.get(row.personId) ?? [];
    list.push(row.positionId);
    positionsOf.set(row.personId, list);
    if (!parentOf.has(row.positionId)) parentOf.set(row.positionId, null);
  }
  return { parentOf, holderOf, positionsOf };
}

/** The positions reporting directly to `parent` (null: the top positions) on the tree's day. */
export function childrenOf(tree: TreeOnDay, parent: number | null): number[] {
  const out: number[] = [];
  for (const [position, p] of tree.parentOf) if (p === parent) out.push(position);
  return out.sort((a, b) => a - b);
}

/**
 * The grouping of a roll-up under `root`: a person's key on a day is the child of `root` whose
 * subtree held their position then, `root` itself for its own holder, and -1 outside the subtree.
 * With root null, the key is the top position above them. Trees are built once per day asked.
 */
export function subtreeKeyOf(
  hierarchy: Hierarchy,
  root: number | null,
): (personId: number, day: number) => number {
  const trees = new Map<number, TreeOnDay>();
  const keys = new Map<string, number>();
  return (personId, day) => {
    if (personId < 0) return -1;
    const memo = `${personId}:${day}`;
    const known = keys.get(memo);
    if (known !== undefined) return known;
    let tree = trees.get(day);
    if (!tree) trees.set(day, (tree = treeOn(hierarchy, day)));
    let key = -1;
    for (const start of tree.positionsOf.get(personId) ?? []) {
      // Walk up to root; the position just below root is the key.
      let below = start;
      let at: number | null = start;
      let steps = 0;
      while (at !== null && at !== root && steps++ < 1_000) {
        below = at;
        at = tree.parentOf.get(at) ?? null;
      }
      if (root === null) key = below;
      else if (at === root) key = start === root ? root : below;
      if (key !== -1) break;
    }
    keys.set(memo, key);
    return key;
  };
}
