import { describe, expect, it } from 'vitest';
import type { Hierarchy } from '../access/scope.ts';
import { childrenOf, subtreeKeyOf, treeOn } from './forecast-tree.ts';

// VP 1 ← managers 2, 3; rep 4 under 2 until day 100, then under 3; rep 5 under 3.
const hierarchy: Hierarchy = {
  holders: [
    { positionId: 1, personId: 11, from: 0, to: Infinity },
    { positionId: 2, personId: 12, from: 0, to: Infinity },
    { positionId: 3, personId: 13, from: 0, to: Infinity },
    { positionId: 4, personId: 14, from: 0, to: Infinity },
    { positionId: 5, personId: 15, from: 50, to: Infinity },
  ],
  reporting: [
    { positionId: 1, parentId: null, from: 0, to: Infinity },
    { positionId: 2, parentId: 1, from: 0, to: Infinity },
    { positionId: 3, parentId: 1, from: 0, to: Infinity },
    { positionId: 4, parentId: 2, from: 0, to: 100 },
    { positionId: 4, parentId: 3, from: 100, to: Infinity },
    { positionId: 5, parentId: 3, from: 0, to: Infinity },
  ],
};

describe('forecast tree', () => {
  it('lists the children of a position as of the day', () => {
    expect(childrenOf(treeOn(hierarchy, 10), 2)).toEqual([4]);
    expect(childrenOf(treeOn(hierarchy, 150), 2)).toEqual([]);
    expect(childrenOf(treeOn(hierarchy, 150), 3)).toEqual([4, 5]);
    expect(childrenOf(treeOn(hierarchy, 10), null)).toEqual([1]);
  });

  it('keys a person by the child of the root they sat under on the day', () => {
    const underVp = subtreeKeyOf(hierarchy, 1);
    expect(underVp(14, 10)).toBe(2);
    expect(underVp(14, 150)).toBe(3);
    expect(underVp(11, 10)).toBe(1);
    const underTwo = subtreeKeyOf(hierarchy, 2);
    expect(underTwo(14, 10)).toBe(4);
    expect(underTwo(14, 150)).toBe(-1);
    expect(underTwo(15, 60)).toBe(-1);
    expect(subtreeKeyOf(hierarchy, null)(15, 60)).toBe(1);
    expect(underVp(-1, 10)).toBe(-1);
  });
});
