/**
 * What one evaluation accumulates per group slot: flat Float64Arrays indexed by slot (and, for the
 * breakdowns, slot × width), grown when a new group appears. Hot loops write `tally.won[slot] += 1`:
 * no objects per record.
 */
import { activityTypes } from '../vocabulary.ts';

/** The one-dimensional tallies by the family (pass) that writes them. */
const families = {
  closed: [
    'won',
    'wonAmount',
    'wonWithAmount',
    'wonNewBusiness',
    'wonExpansion',
    'wonRenewal',
    'lost',
    'competitiveWon',
    'competitiveDecided',
    'cycleDays',
    'cycleDeals',
    'margin',
    'marginBase',
  ],
  created: ['created', 'createdAmount', 'createdWon', 'createdLost'],
  open: ['open', 'openAmount', 'coverAmount'],
  quota: ['quota'],
} as const;
type OneDimensional = (typeof families)[keyof typeof families][number];
/** The tallies of the closed-deal pass (also what closed-cells.ts sums per month and owner). */
export const closedTallyNames = families.closed;

export class MetricTally implements Record<OneDimensional, Float64Array> {
  capacity: number;
  won!: Float64Array;
  wonAmount!: Float64Array;
  /** Won deals with an amount in the reporting currency (the denominator of average deal size). */
  wonWithAmount!: Float64Array;
  wonNewBusiness!: Float64Array;
  wonExpansion!: Float64Array;
  wonRenewal!: Float64Array;
  lost!: Float64Array;
  competitiveWon!: Float64Array;
  competitiveDecided!: Float64Array;
  cycleDays!: Float64Array;
  cycleDeals!: Float64Array;
  margin!: Float64Array;
  marginBase!: Float64Array;
  created!: Float64Array;
  createdAmount!: Float64Array;
  createdWon!: Float64Array;
  createdLost!: Float64Array;
  open!: Float64Array;
  openAmount!: Float64Array;
  coverAmount!: Float64Array;
  quota!: Float64Array;
  /** slot × (lost reason code + 1): the last column is "no reason". */
  lostByReason!: Float64Array;
  /** slot × stage code: open pipeline closing in the period by as-of stage. */
  coverByStage!: Float64Array;
  /** slot × open-stage rank. */
  stageExits!: Float64Array;
  stageAdvanced!: Float64Array;
  stageLost!: Float64Array;
  stageDays!: Float64Array;
  /** slot × activity type. */
  activities!: Float64Array;

  /**
   * `used` names the families (passes) the evaluation runs; the tallies of the others stay empty
   * and read as 0 (at 10,000 reps they would be megabytes allocated and zeroed for nothing per
   * request, 13 times over for a 13-week series).
   */
  constructor(
    readonly reasonWidth: number,
    readonly stageWidth: number,
    readonly openStageWidth: number,
    capacity: number,
    private readonly used: {
      closed: boolean;
      created: boolean;
      open: boolean;
      quota: boolean;
      stages: boolean;
      activities: boolean;
    } = { closed: true, created: true, open: true, quota: true, stages: true, activities: true },
  ) {
    this.capacity = 0;
    this.grow(Math.max(4, capacity));
  }

  static readonly activityWidth = activityTypes.length;

  /** Makes room for `slot`. */
  ensure(slot: number): void {
    if (slot >= this.capacity) this.grow(Math.max(slot + 1, this.capacity * 2));
  }

  private grow(capacity: number): void {
    const resize = (old: Float64Array | undefined, width: number): Float64Array => {
      const next = new Float64Array(capacity * width);
      if (old) next.set(old);
      return next;
    };
    const { used } = this;
    for (const family of ['closed', 'created', 'open', 'quota'] as const)
      for (const name of families[family]) this[name] = resize(this[name], used[family] ? 1 : 0);
    this.lostByReason = resize(this.lostByReason, used.closed ? this.reasonWidth : 0);
    this.coverByStage = resize(this.coverByStage, used.open ? this.stageWidth : 0);
    const stages = used.stages ? this.openStageWidth : 0;
    this.stageExits = resize(this.stageExits, stages);
    this.stageAdvanced = resize(this.stageAdvanced, stages);
    this.stageLost = resize(this.stageLost, stages);
    this.stageDays = resize(this.stageDays, stages);
    this.activities = resize(this.activities, used.activities ? MetricTally.activityWidth : 0);
    this.capacity = capacity;
  }

  /**
   * The value of a one-dimensional tally for a slot; 0 for slot -1 (a group with nothing on this
   * side) and for a family the evaluation did not run.
   */
  get(name: OneDimensional, slot: number): number {
    const tally = this[name];
    return slot < 0 || slot >= tally.length ? 0 : tally[slot]!;
  }
}

/** The record rules a drill-down can list: which rows make a metric's number. */
export const recordRules = [
  'won',
  'wonMoney',
  'wonNewBusiness',
  'wonExpansion',
  'wonRenewal',
  'decided',
  'lost',
  'competitiveDecided',
  'cycle',
  'margin',
  'created',
  'createdMoney',
  'open',
  'openMoney',
  'cover',
  'stageExits',
  'stageLosses',
  'activities',
  'quotaPeople',
] as const;
export type RecordRule = (typeof recordRules)[number];

/** (slot, value) pairs appended during the pass, in growing typed arrays; grouped by slot at the end. */
class SlotLog {
  length = 0;
  private slots = new Int32Array(1024);
  private values: Int32Array | Float64Array;

  constructor(private readonly allocate: (size: number) => Int32Array | Float64Array) {
    this.values = allocate(1024);
  }

  push(slot: number, value: number): void {
    if (this.length === this.slots.length) {
      const slots = new Int32Array(this.length * 2);
      slots.set(this.slots);
      this.slots = slots;
      const values = this.allocate(this.length * 2);
      values.set(this.values);
      this.values = values;
    }
    this.slots[this.length] = slot;
    this.values[this.length] = value;
    this.length++;
  }

  /** The values per slot, in the order pushed. */
  bySlot(): Map<number, number[]> {
    const out = new Map<number, number[]>();
    for (let i = 0; i < this.length; i++) {
      const slot = this.slots[i]!;
      let list = out.get(slot);
      if (!list) out.set(slot, (list = []));
      list.push(this.values[i]!);
    }
    return out;
  }
}

/** (slot, id) pairs appended as records are counted. */
export class RecordLog extends SlotLog {
  constructor() {
    super((size) => new Int32Array(size));
  }

  /** The ids per slot, ascending and distinct. */
  override bySlot(): Map<number, number[]> {
    const out = super.bySlot();
    for (const [slot, list] of out) {
      list.sort((a, b) => a - b);
      out.set(
        slot,
        list.filter((id, i) => i === 0 || list[i - 1] !== id),
      );
    }
    return out;
  }
}

/** (slot, value) pairs for per-group medians. */
export class ValueLog extends SlotLog {
  constructor() {
    super((size) => new Float64Array(size));
  }
}

/**
 * Per (group, person): the person's won revenue credited while in the group, and their quota in it.
 * Touched only by won deals and quota rows, so a Map is cheap enough.
 */
export class PersonLedger {
  readonly slot: number[] = [];
  readonly person: number[] = [];
  readonly revenue: number[] = [];
  readonly quota: number[] = [];
  private readonly index = new Map<number, number>();

  entry(slot: number, person: number): number {
    // Person ids are below 2^31 and slots far below 2^21: the key is an exact double.
    const key = slot * 2_147_483_648 + person;
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.slot.length;
      this.index.set(key, i);
      this.slot.push(slot);
      this.person.push(person);
      this.revenue.push(0);
      this.quota.push(0);
    }
    return i;
  }
}
