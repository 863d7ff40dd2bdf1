import { personEverVisible, personVisibleOn, type Scope } from '../../domain/access/scope.ts';
import { toDayNumber } from '../../domain/calendar/day-number.ts';
import type { ActivitySnapshot } from '../../domain/snapshot/activity-snapshot.ts';
import { NULL_DAY } from '../../domain/snapshot/columns.ts';
import type { OpportunitySnapshot } from '../../domain/snapshot/opportunity-snapshot.ts';
import type { Store } from '../../store/open-database.ts';
import type { SnapshotCache } from '../snapshot-cache.ts';
import { AppError } from '../../domain/errors.ts';
import {
  listPeriods,
  loadDirectory,
  type OpportunityFilters,
  type PeriodView,
  type PersonView,
} from './records.ts';

/** How long the people directory is reused before it is read again (imports also clear it). */
const directoryTtlMs = 5_000;

/** Rows of a snapshot grouped by person: CSR offsets over row indexes, built once per snapshot. */
type RowsByPerson = { rows: Map<number, Int32Array> };

const opportunityIndexes = new WeakMap<OpportunitySnapshot, RowsByPerson>();
const activityIndexes = new WeakMap<ActivitySnapshot, RowsByPerson>();

function indexBy(column: Int32Array, rowCount: number): RowsByPerson {
  const counts = new Map<number, number>();
  for (let r = 0; r < rowCount; r++) counts.set(column[r]!, (counts.get(column[r]!) ?? 0) + 1);
  const rows = new Map<number, Int32Array>();
  const fill = new Map<number, number>();
  for (const [person, n] of counts) {
    rows.set(person, new Int32Array(n));
    fill.set(person, 0);
  }
  for (let r = 0; r < rowCount; r++) {
    const person = column[r]!;
    const at = fill.get(person)!;
    rows.get(person)![at] = r;
    fill.set(person, at + 1);
  }
  return { rows };
}

export function opportunityRowsByOwner(snapshot: OpportunitySnapshot): RowsByPerson {
  let index = opportunityIndexes.get(snapshot);
  if (!index) {
    index = indexBy(snapshot.owner, snapshot.rowCount);
    opportunityIndexes.set(snapshot, index);
  }
  return index;
}

export function activityRowsByPerson(snapshot: ActivitySnapshot): RowsByPerson {
  let index = activityIndexes.get(snapshot);
  if (!index) {
    index = indexBy(snapshot.person, snapshot.rowCount);
    activityIndexes.set(snapshot, index);
  }
  return index;
}

/**
 * Read models for the hot read routes: the people directory (who holds which position, in which
 * team, under whom, today) and the columnar snapshots with per-person row indexes. Lists,
 * scorecards and drill-downs filter these in memory through the caller's scope, and go to the
 * database only for the few rows of the page they show.
 */
export class ReadModels {
  private directory: { day: string; loadedAt: number; people: Promise<PersonView[]> } | null = null;
  private calendar: { loadedAt: number; periods: Promise<PeriodView[]> } | null = null;

  constructor(
    readonly store: Store,
    readonly snapshots: SnapshotCache,
  ) {}

  invalidate(): void {
    this.directory = null;
    this.calendar = null;
  }

  /** The fiscal calendar's periods (a few hundred rows), read again every few seconds. */
  async periods(): Promise<PeriodView[]> {
    const now = Date.now();
    if (!this.calendar || now - this.calendar.loadedAt > directoryTtlMs) {
      const periods = listPeriods(this.store, undefined);
      this.calendar = { loadedAt: now, periods };
      periods.catch(() => {
        if (this.calendar?.periods === periods) this.calendar = null;
      });
    }
    return this.calendar.periods;
  }

  async period(id: number): Promise<PeriodView> {
    const found = (await this.periods()).find((p) => p.id === id);
    if (!found) throw new AppError('not_found', `No period ${id}.`);
    return found;
  }

  async periodContaining(kind: string, day: string): Promise<PeriodView> {
    const found = (await this.periods()).find((p) => p.kind === kind && p.startsOn <= day && p.endsOn >= day);
    if (!found) throw new AppError('not_found', `No ${kind} contains ${day}.`);
    return found;
  }

  /** Everybody, with their position, team and manager on `asOf`, ordered by name. */
  async people(asOf: string): Promise<PersonView[]> {
    const now = Date.now();
    if (!this.directory || this.directory.day !== asOf || now - this.directory.loadedAt > directoryTtlMs) {
      const people = loadDirectory(this.store, asOf);
      this.directory = { day: asOf, loadedAt: now, people };
      people.catch(() => {
        if (this.directory?.people === people) this.directory = null;
      });
    }
    return this.directory.people;
  }
}

/** The people a caller may see, filtered and paged in memory. */
export function selectPeople(
  directory: readonly PersonView[],
  scope: Scope,
  filters: { q?: string; id?: number; limit: number; offset: number },
): { people: PersonView[]; total: number } {
  const q = filters.q?.toLowerCase();
  const matches = directory.filter(
    (p) =>
      personEverVisible(scope, p.id) &&
      (filters.id === undefined || p.id === filters.id) &&
      (!q ||
        p.name.toLowerCase().includes(q) ||
        p.key.toLowerCase().includes(q) ||
        (p.email?.toLowerCase().includes(q) ?? false)),
  );
  return { total: matches.length, people: matches.slice(filters.offset, filters.offset + filters.limit) };
}

const rowOrders = new WeakMap<OpportunitySnapshot, Map<string, Int32Array>>();

/** The snapshot's rows in a list order, sorted once per snapshot and order. */
function sortedRows(
  snapshot: OpportunitySnapshot,
  key: 'close_on' | 'amount',
  descending: boolean,
  before: (a: number, b: number) => boolean,
): Int32Array {
  let orders = rowOrders.get(snapshot);
  if (!orders) {
    orders = new Map();
    rowOrders.set(snapshot, orders);
  }
  const name = `${key} ${descending ? 'desc' : 'asc'}`;
  let order = orders.get(name);
  if (!order) {
    order = Int32Array.from({ length: snapshot.rowCount }, (_, r) => r).sort((a, b) =>
      before(a, b) ? -1 : before(b, a) ? 1 : 0,
    );
    orders.set(name, order);
  }
  return order;
}

/** The deal list's filters the snapshot can answer: all but a text search and a sort by name. */
export type SnapshotDealFilters = Omit<OpportunityFilters, 'q' | 'sort'> & { sort?: 'close_on' | 'amount' };

/**
 * The ids of one page of the deals a caller may see, and how many there are, from the snapshot:
 * the same filters, scope and order (close day or amount, nulls last, then id) as the SQL list.
 */
export function selectDeals(
  snapshot: OpportunitySnapshot,
  scope: Scope,
  asOf: string,
  filters: SnapshotDealFilters,
): { ids: number[]; total: number } {
  const asOfDay = toDayNumber(asOf);
  const day = (text: string | undefined, fallback: number) => (text ? toDayNumber(text) : fallback);
  const closedFrom = day(filters.closedFrom, -Infinity);
  const closedTo = day(filters.closedTo, Infinity);
  const closeFrom = day(filters.closeFrom, -Infinity);
  const closeTo = day(filters.closeTo, Infinity);
  const stageCode =
    filters.stage === undefined ? undefined : snapshot.stage.dictionary.indexOf(filters.stage);
  if (stageCode === -1) return { ids: [], total: 0 };
  const byOwner = opportunityRowsByOwner(snapshot).rows;
  const sortByAmount = filters.sort === 'amount';
  const descending = (filters.direction ?? 'desc') === 'desc';
  const keyOf = (r: number): number => {
    const v = sortByAmount ? snapshot.amountMinor[r]! : snapshot.closeOn[r]!;
    return sortByAmount ? v : v === NULL_DAY ? NaN : v;
  };
  // Nulls last, then the key in the asked direction, then id ascending.
  const before = (a: number, b: number): boolean => {
    const ka = keyOf(a);
    const kb = keyOf(b);
    const na = Number.isNaN(ka);
    const nb = Number.isNaN(kb);
    if (na !== nb) return nb;
    if (!na && ka !== kb) return descending ? ka > kb : ka < kb;
    return snapshot.id[a]! < snapshot.id[b]!;
  };
  const keep = filters.offset + filters.limit;
  const top: number[] = [];
  let total = 0;
  const filterClosed = filters.closedFrom !== undefined || filters.closedTo !== undefined;
  const filterClose = filters.closeFrom !== undefined || filters.closeTo !== undefined;
  const matches = (r: number): boolean => {
    if (filters.id !== undefined && snapshot.id[r] !== filters.id) return false;
    if (stageCode !== undefined && snapshot.stage.codes[r] !== stageCode) return false;
    const closed = snapshot.isClosed[r] === 1;
    const won = snapshot.isWon[r] === 1;
    if (filters.status === 'open' && closed) return false;
    if (filters.status === 'won' && !won) return false;
    if (filters.status === 'lost' && (!closed || won)) return false;
    const closedOn = snapshot.closedOn[r]!;
    if (filterClosed && (closedOn === NULL_DAY || closedOn < closedFrom || closedOn > closedTo)) return false;
    const closeOn = snapshot.closeOn[r]!;
    if (filterClose && (closeOn === NULL_DAY || closeOn < closeFrom || closeOn > closeTo)) return false;
    // The scope: the owner visible on the deal's day (close day; today for an open deal).
    if (scope.kind === 'hierarchy') {
      const owner = snapshot.owner[r]!;
      if (!personVisibleOn(scope, owner < 0 ? null : owner, closedOn === NULL_DAY ? asOfDay : closedOn))
        return false;
    }
    return true;
  };
  const visit = (r: number): void => {
    if (!matches(r)) return;
    total++;
    // Keep the first `keep` rows in order: binary insertion into a short sorted buffer.
    if (top.length === keep && !before(r, top[keep - 1]!)) return;
    let lo = 0;
    let hi = top.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(top[mid]!, r)) lo = mid + 1;
      else hi = mid;
    }
    top.splice(lo, 0, r);
    if (top.length > keep) top.pop();
  };
  // Candidate rows: one owner's, the visible people's, or all.
  if (filters.ownerId !== undefined) for (const r of byOwner.get(filters.ownerId) ?? []) visit(r);
  else if (scope.kind === 'hierarchy') {
    for (const person of scope.people.keys()) for (const r of byOwner.get(person) ?? []) visit(r);
  } else {
    // Everything in scope: walk the rows already in the page's order, so that the page is the
    // first matches; without filters the total is the row count and the walk stops at the page.
    const order = sortedRows(snapshot, sortByAmount ? 'amount' : 'close_on', descending, before);
    const unfiltered =
      filters.id === undefined &&
      stageCode === undefined &&
      filters.status === undefined &&
      !filterClosed &&
      !filterClose;
    if (unfiltered) {
      return {
        ids: Array.from(order.subarray(filters.offset, keep), (r) => snapshot.id[r]!),
        total: snapshot.rowCount,
      };
    }
    for (let i = 0; i < order.length; i++) {
      const r = order[i]!;
      const counted = total;
      visit(r);
      // visit() kept r if it matched and the page is not full; rows come in order, so nothing
      // after the page's last row can enter it: only the count goes on.
      if (total !== counted && top.length === keep) {
        for (let j = i + 1; j < order.length; j++) if (matches(order[j]!)) total++;
        break;
      }
    }
  }
  return { ids: top.slice(filters.offset).map((r) => snapshot.id[r]!), total };
}

export type SnapshotScorecard = {
  currencies: string[];
  wonMinor: number;
  won: number;
  lost: number;
  openMinor: number;
  open: number;
  activities: Record<string, number>;
};

/** A person's deal and activity numbers for the days [from, to], each row through the scope. */
export function scoreFromSnapshot(
  opportunities: OpportunitySnapshot,
  activities: ActivitySnapshot,
  activityTypeNames: readonly string[],
  scope: Scope,
  asOf: string,
  personId: number,
  from: number,
  to: number,
): SnapshotScorecard {
  const asOfDay = toDayNumber(asOf);
  const result: SnapshotScorecard = {
    currencies: [],
    wonMinor: 0,
    won: 0,
    lost: 0,
    openMinor: 0,
    open: 0,
    activities: {},
  };
  const currencies = new Set<number>();
  for (const r of opportunityRowsByOwner(opportunities).rows.get(personId) ?? []) {
    const closedOn = opportunities.closedOn[r]!;
    const closed = opportunities.isClosed[r] === 1;
    if (!personVisibleOn(scope, personId, closedOn === NULL_DAY ? asOfDay : closedOn)) continue;
    const amount = opportunities.amountMinor[r]!;
    if (closed) {
      if (closedOn === NULL_DAY || closedOn < from || closedOn > to) continue;
      currencies.add(opportunities.currency.codes[r]!);
      if (opportunities.isWon[r] === 1) {
        result.won++;
        if (!Number.isNaN(amount)) result.wonMinor += amount;
      } else result.lost++;
    } else {
      const closeOn = opportunities.closeOn[r]!;
      if (closeOn === NULL_DAY || closeOn < from || closeOn > to) continue;
      currencies.add(opportunities.currency.codes[r]!);
      result.open++;
      if (!Number.isNaN(amount)) result.openMinor += amount;
    }
  }
  result.currencies = [...currencies].map((c) => opportunities.currency.dictionary[c] ?? 'USD').sort();
  for (const r of activityRowsByPerson(activities).rows.get(personId) ?? []) {
    const dayOf = activities.occurredOn[r]!;
    if (dayOf < from || dayOf > to || !personVisibleOn(scope, personId, dayOf)) continue;
    const type = activityTypeNames[activities.type[r]!] ?? 'other';
    result.activities[type] = (result.activities[type] ?? 0) + 1;
  }
  if (!Number.isSafeInteger(result.wonMinor) || !Number.isSafeInteger(result.openMinor))
    throw new RangeError('a scorecard sum passed 2^53 minor units');
  return result;
}
