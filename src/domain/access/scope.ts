import { DomainError } from '../errors.ts';

/**
 * Data scope by the effective-dated hierarchy (DESIGN.md §3). A manager sees the positions below
 * theirs as of the day a record belongs to; a rep sees their own records; someone who changed
 * teams sees each day under the team they were in then. Pure: the hierarchy is an argument.
 *
 * Intervals are half-open day-number ranges [from, to); `to` is Infinity while still open.
 */
export type DayInterval = { from: number; to: number };

export type HolderRow = { positionId: number; personId: number; from: number; to: number };
export type ReportingRow = { positionId: number; parentId: number | null; from: number; to: number };
export type Hierarchy = { holders: readonly HolderRow[]; reporting: readonly ReportingRow[] };

/** Everything, or the days on which each person's and each position's records are visible. */
export type Scope =
  | { kind: 'all' }
  | {
      kind: 'hierarchy';
      /** The user's own person: their own records are visible on every day. */
      selfPersonId: number | null;
      people: ReadonlyMap<number, readonly DayInterval[]>;
      positions: ReadonlyMap<number, readonly DayInterval[]>;
    };

export const everything: Scope = { kind: 'all' };

/** Sorted, non-overlapping, non-adjacent intervals covering the same days. */
export function normaliseIntervals(intervals: readonly DayInterval[]): DayInterval[] {
  const sorted = intervals.filter((i) => i.to > i.from).sort((a, b) => a.from - b.from || a.to - b.to);
  const out: DayInterval[] = [];
  for (const interval of sorted) {
    const last = out[out.length - 1];
    if (last && interval.from <= last.to) last.to = Math.max(last.to, interval.to);
    else out.push({ ...interval });
  }
  return out;
}

function intersect(a: readonly DayInterval[], b: DayInterval): DayInterval[] {
  const out: DayInterval[] = [];
  for (const i of a) {
    const from = Math.max(i.from, b.from);
    const to = Math.min(i.to, b.to);
    if (to > from) out.push({ from, to });
  }
  return out;
}

function addIntervals(
  map: Map<number, DayInterval[]>,
  key: number,
  intervals: readonly DayInterval[],
): boolean {
  if (intervals.length === 0) return false;
  const before = map.get(key) ?? [];
  const merged = normaliseIntervals([...before, ...intervals]);
  const changed =
    merged.length !== before.length ||
    merged.some((m, i) => m.from !== before[i]!.from || m.to !== before[i]!.to);
  if (changed) map.set(key, merged);
  return changed;
}

/**
 * The scope of a person in the hierarchy: the positions they held, and every position below
 * those, each on the days when the chain of reporting lines and holding ran unbroken; then the
 * people holding those positions on those days. Their own records are visible on every day.
 */
export function hierarchyScope(hierarchy: Hierarchy, personId: number | null): Scope {
  const positions = new Map<number, DayInterval[]>();
  const childrenOf = new Map<number, ReportingRow[]>();
  for (const row of hierarchy.reporting) {
    if (row.parentId === null) continue;
    const list = childrenOf.get(row.parentId) ?? [];
    list.push(row);
    childrenOf.set(row.parentId, list);
  }
  const queue: number[] = [];
  if (personId !== null) {
    for (const holder of hierarchy.holders) {
      if (holder.personId !== personId) continue;
      if (addIntervals(positions, holder.positionId, [{ from: holder.from, to: holder.to }]))
        queue.push(holder.positionId);
    }
  }
  // Propagate down the reporting lines until nothing changes. Each step can only add days, and
  // days are bounded, so this ends; the guard catches a cycle the foundation failed to refuse.
  let steps = 0;
  while (queue.length > 0) {
    if (++steps > 1_000_000)
      throw new DomainError('invariant', 'the reporting lines do not form a hierarchy');
    const parent = queue.shift()!;
    const parentDays = positions.get(parent)!;
    for (const edge of childrenOf.get(parent) ?? []) {
      if (addIntervals(positions, edge.positionId, intersect(parentDays, { from: edge.from, to: edge.to })))
        queue.push(edge.positionId);
    }
  }
  const people = new Map<number, DayInterval[]>();
  for (const holder of hierarchy.holders) {
    const days = positions.get(holder.positionId);
    if (days) addIntervals(people, holder.personId, intersect(days, { from: holder.from, to: holder.to }));
  }
  if (personId !== null) people.set(personId, [{ from: -Infinity, to: Infinity }]);
  return { kind: 'hierarchy', selfPersonId: personId, people, positions };
}

function covers(intervals: readonly DayInterval[] | undefined, day: number): boolean {
  if (!intervals) return false;
  for (const i of intervals) if (day >= i.from && day < i.to) return true;
  return false;
}

/** May a record owned by this person and belonging to this day be seen? */
export function personVisibleOn(scope: Scope, personId: number | null, day: number): boolean {
  if (scope.kind === 'all') return true;
  if (personId === null) return false;
  return covers(scope.people.get(personId), day);
}

/** May a position be seen as it stood on a day (a forecast's tree on its as-of day)? */
export function positionVisibleOn(scope: Scope, positionId: number, day: number): boolean {
  if (scope.kind === 'all') return true;
  return covers(scope.positions.get(positionId), day);
}

/** May a position's record (a quota, a statement) for the days [from, to) be seen? Any overlap. */
export function positionVisibleDuring(scope: Scope, positionId: number, from: number, to: number): boolean {
  if (scope.kind === 'all') return true;
  return (scope.positions.get(positionId) ?? []).some((i) => i.from < to && i.to > from);
}

/** May anything of this person be seen at all (their profile, their name in a list)? */
export function personEverVisible(scope: Scope, personId: number): boolean {
  return scope.kind === 'all' || scope.people.has(personId);
}

/** May this person's records of some day in [from, to) be seen (a scorecard for a period)? */
export function personVisibleDuring(scope: Scope, personId: number, from: number, to: number): boolean {
  if (scope.kind === 'all') return true;
  return (scope.people.get(personId) ?? []).some((i) => i.from < to && i.to > from);
}
