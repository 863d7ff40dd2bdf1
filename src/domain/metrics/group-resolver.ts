/**
 * Group codes for the metrics pass: which group a record belongs to, as an integer key, without
 * allocating per record. Person-based groupings (rep, manager, team, region) follow the hierarchy
 * as of the record's day; the others read the deal (product, lead source, competitor, deal type,
 * lost reason) or its account (segment, industry).
 */
import { NULL_CODE, createIdIndex, type DictionaryColumn, type IdIndex } from '../snapshot/columns.ts';
import type { OpportunitySnapshot } from '../snapshot/opportunity-snapshot.ts';
import { DomainError } from '../errors.ts';
import type { Assignment, AssignmentRow, GroupBy, MetricDimensions } from './metric-types.ts';

/** The key of "no group" (no owner, no account, no competitor...). */
export const NO_KEY = -1;

const DENSE_LIMIT = 1 << 24;

/**
 * Integer keys (≥ -1) to dense slots 0, 1, 2... in order of first appearance: a typed table for
 * compact keys (ids from a sequence), a Map beyond 16M.
 */
export class SlotTable {
  readonly keys: number[] = [];
  private table = new Int32Array(256).fill(-1);
  private readonly overflow = new Map<number, number>();

  get size(): number {
    return this.keys.length;
  }

  slotOf(key: number): number {
    const index = key + 1;
    if (index < this.table.length && index >= 0) {
      const slot = this.table[index]!;
      return slot >= 0 ? slot : this.add(key, index);
    }
    return this.slotOfLarge(key, index);
  }

  /** The slot of a key, or -1 when it has none (without adding it). */
  findSlot(key: number): number {
    const index = key + 1;
    if (index >= 0 && index < this.table.length) return this.table[index]!;
    return this.overflow.get(key) ?? -1;
  }

  private add(key: number, index: number): number {
    const slot = this.keys.length;
    this.keys.push(key);
    this.table[index] = slot;
    return slot;
  }

  private slotOfLarge(key: number, index: number): number {
    if (index < 0 || !Number.isInteger(key))
      throw new DomainError('invariant', `Group key ${key} is not an id or ${NO_KEY}`);
    if (index < DENSE_LIMIT) {
      let length = this.table.length;
      while (length <= index) length *= 2;
      const grown = new Int32Array(length).fill(-1);
      grown.set(this.table);
      this.table = grown;
      return this.add(key, index);
    }
    let slot = this.overflow.get(key);
    if (slot === undefined) {
      slot = this.keys.length;
      this.keys.push(key);
      this.overflow.set(key, slot);
    }
    return slot;
  }
}

/**
 * Every key the slot tables saw, once each (the company key 0 too when `company`): the groups of a
 * result. One table's keys are distinct already (no set is built for the common single period).
 */
export function keysOfSlots(tables: readonly SlotTable[], company: boolean): number[] {
  let keys: number[];
  if (tables.length === 1) keys = tables[0]!.keys.slice();
  else {
    const seen = new Set<number>();
    for (const table of tables) for (const key of table.keys) seen.add(key);
    keys = [...seen];
  }
  if (company && tables.every((t) => t.findSlot(0) < 0)) keys.push(0);
  return keys;
}

/** The hierarchy's interval rows in typed arrays, by person then start day. */
class AssignmentTable {
  private readonly index: IdIndex;
  private readonly start: Int32Array;
  private readonly end: Int32Array;
  private readonly from: Float64Array;
  private readonly to: Float64Array;
  readonly manager: Int32Array;
  readonly team: Int32Array;
  readonly region: Int32Array;

  constructor(rows: readonly AssignmentRow[]) {
    const sorted = [...rows].sort((a, b) => a.personId - b.personId || a.from - b.from);
    const people: number[] = [];
    for (const row of sorted) if (people[people.length - 1] !== row.personId) people.push(row.personId);
    this.index = createIdIndex(Int32Array.from(people));
    this.start = new Int32Array(people.length);
    this.end = new Int32Array(people.length);
    this.from = Float64Array.from(sorted, (row) => row.from);
    this.to = Float64Array.from(sorted, (row) => row.to);
    const id = (value: number | null): number => (value === null ? NO_KEY : value);
    this.manager = Int32Array.from(sorted, (row) => id(row.managerId));
    this.team = Int32Array.from(sorted, (row) => id(row.teamId));
    this.region = Int32Array.from(sorted, (row) => id(row.regionId));
    let person = -1;
    sorted.forEach((row, i) => {
      if (person < 0 || people[person] !== row.personId) person++;
      if (this.end[person] === 0) this.start[person] = i;
      this.end[person] = i + 1;
    });
  }

  /** The row holding the person's assignment on the day, or -1. */
  find(personId: number, day: number): number {
    const p = this.index.rowOf(personId);
    if (p < 0) return -1;
    for (let i = this.end[p]! - 1; i >= this.start[p]!; i--) {
      if (this.from[i]! <= day) return day < this.to[i]! ? i : -1;
    }
    return -1;
  }
}

const assignmentTables = new WeakMap<readonly AssignmentRow[], AssignmentTable>();

const kindCodes = {
  company: 0,
  rep: 1,
  manager: 2,
  team: 3,
  region: 4,
  segment: 5,
  industry: 6,
  product: 7,
  lead_source: 8,
  competitor: 9,
  deal_type: 10,
  lost_reason: 11,
} as const satisfies Record<GroupBy, number>;

/** A group's key and label as the result shows them. */
export type GroupLabel = { key: string | number | null; label: string };

/**
 * Resolves records to group keys for one grouping. Person-based groupings use `keyOfPerson`
 * (with the record's day); the others use `keyOfDeal` (a snapshot row).
 */
export class GroupResolver {
  readonly personBased: boolean;
  private readonly kind: number;
  private readonly table: AssignmentTable | undefined;
  private readonly assign: ((personId: number, day: number) => Assignment | null) | undefined;
  private readonly accountIndex: IdIndex | undefined;
  private readonly accountCode: Int32Array | undefined;
  private readonly attributeNames: string[] = [];
  private readonly dealCodes: Int32Array | undefined;
  private readonly dictionary: DictionaryColumn | undefined;

  constructor(
    readonly groupBy: GroupBy,
    private readonly snapshot: OpportunitySnapshot,
    private readonly dimensions: MetricDimensions,
  ) {
    this.kind = kindCodes[groupBy];
    this.personBased = this.kind <= kindCodes.region;
    if (this.kind >= kindCodes.manager && this.kind <= kindCodes.region) {
      const { assignments } = dimensions;
      if (typeof assignments === 'function') this.assign = assignments;
      else {
        // Built once per hierarchy (the rows are replaced, never changed, when it is read again).
        let table = assignmentTables.get(assignments);
        if (!table) assignmentTables.set(assignments, (table = new AssignmentTable(assignments)));
        this.table = table;
      }
    }
    if (groupBy === 'segment' || groupBy === 'industry') {
      const accounts = [...(dimensions.accounts ?? [])].sort((a, b) => a.id - b.id);
      this.accountIndex = createIdIndex(Int32Array.from(accounts, (a) => a.id));
      const codes = new Map<string, number>();
      this.accountCode = Int32Array.from(accounts, (account) => {
        const value = groupBy === 'segment' ? account.segment : account.industry;
        if (value === null) return NO_KEY;
        let code = codes.get(value);
        if (code === undefined) {
          code = this.attributeNames.length;
          this.attributeNames.push(value);
          codes.set(value, code);
        }
        return code;
      });
    }
    this.dictionary =
      groupBy === 'lead_source'
        ? snapshot.leadSource
        : groupBy === 'competitor'
          ? snapshot.competitor
          : groupBy === 'deal_type'
            ? snapshot.dealType
            : groupBy === 'lost_reason'
              ? snapshot.lostReason
              : undefined;
    this.dealCodes = this.dictionary?.codes ?? (groupBy === 'product' ? snapshot.product : undefined);
  }

  /** The key of a person-based group for a record credited to `personId` on `day`. */
  keyOfPerson(personId: number, day: number): number {
    switch (this.kind) {
      case kindCodes.company:
        return 0;
      case kindCodes.rep:
        return personId === NULL_CODE ? NO_KEY : personId;
    }
    if (personId === NULL_CODE) return NO_KEY;
    if (this.table) {
      const row = this.table.find(personId, day);
      if (row < 0) return NO_KEY;
      return this.kind === kindCodes.manager
        ? this.table.manager[row]!
        : this.kind === kindCodes.team
          ? this.table.team[row]!
          : this.table.region[row]!;
    }
    const assignment = this.assign!(personId, day);
    if (assignment === null) return NO_KEY;
    const id =
      this.kind === kindCodes.manager
        ? assignment.managerId
        : this.kind === kindCodes.team
          ? assignment.teamId
          : assignment.regionId;
    return id ?? NO_KEY;
  }

  /**
   * The key of a deal-based group for a snapshot row. The lost reason is not in the deal's
   * history, so a deal is in a lost-reason group only when it is lost as of the day (`isLost`).
   */
  keyOfDeal(row: number, isLost: boolean): number {
    if (this.kind === kindCodes.lost_reason && !isLost) return NO_KEY;
    if (this.dealCodes) return this.dealCodes[row]!;
    if (this.accountCode) return this.keyOfAccount(this.snapshot.account[row]!);
    throw new DomainError('invariant', `${this.groupBy} is not a deal-based grouping`);
  }

  /** The key of an account-based group (segment, industry) for an account id; NO_KEY otherwise. */
  keyOfAccount(accountId: number): number {
    if (!this.accountCode || accountId === NULL_CODE) return NO_KEY;
    const row = this.accountIndex!.rowOf(accountId);
    return row < 0 ? NO_KEY : this.accountCode[row]!;
  }

  /** Whether activities are grouped through their account (segment, industry) rather than their deal. */
  get groupsActivitiesByAccount(): boolean {
    return this.accountCode !== undefined;
  }

  /** The key and label a group shows. */
  describe(key: number): GroupLabel {
    const { dimensions } = this;
    if (this.kind === kindCodes.company)
      return { key: 'company', label: dimensions.companyName ?? 'Company' };
    if (key === NO_KEY) return { key: null, label: noneLabels[this.groupBy] };
    switch (this.groupBy) {
      case 'rep':
      case 'manager':
        return { key, label: this.personName(key) };
      case 'team':
        return { key, label: nameOf(dimensions.teams, key, 'Team') };
      case 'region':
        return { key, label: nameOf(dimensions.regions, key, 'Region') };
      case 'product':
        return { key, label: nameOf(dimensions.products, key, 'Product') };
      case 'segment':
      case 'industry': {
        const name = this.attributeNames[key] ?? String(key);
        return { key: name, label: name };
      }
      default: {
        const name = this.dictionary!.dictionary[key] ?? String(key);
        return { key: name, label: name };
      }
    }
  }

  personName(personId: number): string {
    return peopleOrder(this.dimensions.people).names.get(personId) ?? `Person ${personId}`;
  }

  /**
   * Group keys in the order a result lists them: by label, "none" last, ties by key. For people
   * (rep, manager) through a rank kept per people list, without comparing names per request.
   */
  sortByLabel(keys: number[]): number[] {
    const compare = (a: number, b: number): number => {
      if (a === b) return 0;
      if (a === NO_KEY) return 1;
      if (b === NO_KEY) return -1;
      const la = this.describe(a).label;
      const lb = this.describe(b).label;
      return la < lb ? -1 : la > lb ? 1 : a - b;
    };
    if (this.groupBy !== 'rep' && this.groupBy !== 'manager') return keys.sort(compare);
    const { rank, idOfRank, rankById } = peopleOrder(this.dimensions.people);
    // Ranks are distinct and below the number of people: mark each key's rank and read the marks
    // in order (no comparison sort). A key of nobody in the people list is labelled
    // "Person <id>": the plain comparison then.
    const marked = new Uint8Array(idOfRank.length);
    let none = false;
    for (const key of keys) {
      if (key === NO_KEY) {
        none = true;
        continue;
      }
      const r = rankById ? (key >= 0 && key < rankById.length ? rankById[key]! : -1) : (rank.get(key) ?? -1);
      if (r < 0) return keys.sort(compare);
      marked[r] = 1;
    }
    const sorted: number[] = [];
    for (let r = 0; r < marked.length; r++) if (marked[r] === 1) sorted.push(idOfRank[r]!);
    if (none) sorted.push(NO_KEY);
    return sorted;
  }
}

type PeopleOrder = {
  names: Map<number, string>;
  rank: Map<number, number>;
  idOfRank: number[];
  /** rank by id (-1: nobody) when the ids are compact enough for a table, as they are from a sequence. */
  rankById: Int32Array | undefined;
};
const peopleOrders = new WeakMap<object, PeopleOrder>();

/** Names by id, and each person's rank by (name, id): built once per people list. */
function peopleOrder(people: MetricDimensions['people']): PeopleOrder {
  let order = peopleOrders.get(people);
  if (!order) {
    const names = new Map<number, string>();
    for (const p of people) names.set(p.id, p.name);
    const ids = [...names.keys()].sort((a, b) => {
      const la = names.get(a)!;
      const lb = names.get(b)!;
      return la < lb ? -1 : la > lb ? 1 : a - b;
    });
    let maxId = -1;
    let compact = true;
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0) compact = false;
      else if (id > maxId) maxId = id;
    }
    let rankById: Int32Array | undefined;
    if (compact && maxId < 4 * ids.length + 1024) {
      rankById = new Int32Array(maxId + 1).fill(-1);
      ids.forEach((id, i) => (rankById![id] = i));
    }
    order = { names, rank: new Map(ids.map((id, i) => [id, i])), idOfRank: ids, rankById };
    peopleOrders.set(people, order);
  }
  return order;
}

const noneLabels: Record<GroupBy, string> = {
  company: 'Company',
  rep: 'No owner',
  manager: 'No manager',
  team: 'No team',
  region: 'No region',
  segment: 'No segment',
  industry: 'No industry',
  product: 'No product',
  lead_source: 'No lead source',
  competitor: 'No competitor',
  deal_type: 'No deal type',
  lost_reason: 'No lost reason',
};

function nameOf(rows: readonly { id: number; name: string }[] | undefined, id: number, kind: string): string {
  return rows?.find((row) => row.id === id)?.name ?? `${kind} ${id}`;
}
