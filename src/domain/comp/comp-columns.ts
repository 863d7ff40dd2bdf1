/**
 * The columnar input of the compensation engine: transactions as typed arrays sorted once by
 * (day, id), payees as indexes, strings dictionary-coded, splits/overlays/collections as CSR arrays
 * (offsets + values), and the small tables (hierarchy, territories, quotas, scores, adjustments,
 * locked periods) as short arrays of rows. `CompColumnsBuilder` appends rows one by one, so a loader
 * or a benchmark streams millions of rows without building `TransactionInput` objects;
 * `columnsFromInput` fills one from a `CompInput` and reports every malformed value as a problem.
 */
import { parseIsoDate } from '../calendar/day-number.ts';
import type { Problem } from '../errors.ts';
import type { CompInput, CompIssue, PeriodLabel, ShareText } from './comp-types.ts';
import { parsePeriodLabel } from './comp-periods.ts';
import { currencyDigits, decimalToMinor, divideHalfEvenBig } from './exact-money.ts';
import type { PlanDocument } from './plan-document.ts';

/** "No day" in an Int32 day column (a transaction that was never cancelled, a quota row without `from`). */
export const NO_DAY = -2_147_483_648;
/** An open-ended `to` day. */
export const OPEN_DAY = 2_147_483_647;

export type AttributeValues = Record<string, string | number | boolean | null>;

/** Transactions sorted by (day, id); index i is the same row in every column. */
export type TransactionColumns = {
  count: number;
  id: string[];
  name: string[];
  day: Int32Array;
  /** Payee index. */
  owner: Int32Array;
  /** Minor units. */
  amount: Float64Array;
  /** Gross margin, minor units (0 when unknown). */
  margin: Float64Array;
  /** Margin percentage as given (42 = 42%), for expressions only. */
  marginPct: Float64Array;
  /** Units scaled like money (× 10^digits), so unit credits and quotas share one arithmetic. */
  units: Float64Array;
  /** Codes into `CompColumns.strings` (0 = ""). */
  type: Int32Array;
  product: Int32Array;
  productFamily: Int32Array;
  segment: Int32Array;
  account: Int32Array;
  cancelledDay: Int32Array;
  /** CSR: the splits of transaction i are [splitStart[i], splitStart[i + 1]). Shares in ppm. */
  splitStart: Int32Array;
  splitPayee: Int32Array;
  splitShare: Int32Array;
  overlayStart: Int32Array;
  overlayPayee: Int32Array;
  overlayShare: Int32Array;
  collectionStart: Int32Array;
  collectionDay: Int32Array;
  collectionAmount: Float64Array;
  /** Extra attributes by transaction index (sparse). */
  attributes: Map<number, AttributeValues>;
};

export type ReportingRow = { payee: number; manager: number; fromDay: number; toDay: number };
export type TerritoryRow = { account: number; payee: number; fromDay: number; toDay: number };
export type QuotaRow = {
  payee: number;
  period: PeriodLabel;
  measure: string;
  amountMinor: number;
  fromDay: number;
};
export type ScoreRow = { payee: number; period: PeriodLabel; component: string; scorePpm: number };
export type AdjustmentRow = {
  id: string;
  payee: number;
  period: PeriodLabel;
  amountMinor: number;
  reason: string;
  approver: string;
};
export type LockedRow = {
  payee: number;
  period: PeriodLabel;
  earningsMinor: number;
  lines?: Record<string, number>;
};
export type AssignmentRow = { payee: number; fromDay: number; toDay: number };
/** Pay on a deal before the periods computed (CarriedDealInput); the deal by its transaction id. */
export type CarriedRow = {
  payee: number;
  transaction: string;
  earnedMinor: number;
  heldMinor: number;
  periods: PeriodLabel[];
};

/** A balance owed from before the periods computed (OpeningBalanceInput). */
export type OpeningRow = {
  payee: number;
  drawOwedMinor: number;
  balanceOwedMinor: number;
  since?: PeriodLabel;
};

export type CompColumns = {
  currency: string;
  digits: number;
  fiscalYearStartMonth: number;
  /** The periods to compute when the caller does not name them. */
  periods?: PeriodLabel[];
  payeeIds: string[];
  payeeNames: string[];
  payeeRoles: string[];
  payeeIndex: Map<string, number>;
  /** The payees that get statements (input.payees); undefined = every payee with something to show. */
  statementPayees?: number[];
  /** The string dictionary of the coded columns; code 0 is "". */
  strings: string[];
  transactions: TransactionColumns;
  reporting: ReportingRow[];
  territories: TerritoryRow[];
  quotas: QuotaRow[];
  scores: ScoreRow[];
  adjustments: AdjustmentRow[];
  locked: LockedRow[];
  assignments: AssignmentRow[];
  carried: CarriedRow[];
  opening: OpeningRow[];
};

/** One transaction for `CompColumnsBuilder.addTransaction`; the object may be reused between calls. */
export type TransactionRow = {
  id: string;
  name?: string;
  day: number;
  owner: string;
  amountMinor: number;
  marginMinor?: number;
  marginPct?: number;
  /** Already scaled by 10^digits. */
  unitsScaled?: number;
  type?: string;
  product?: string;
  productFamily?: string;
  segment?: string;
  account?: string;
  cancelledDay?: number;
  attributes?: AttributeValues;
};

class GrowInt32 {
  data: Int32Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Int32Array(Math.max(16, capacity));
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
  take(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

class GrowFloat64 {
  data: Float64Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Float64Array(Math.max(16, capacity));
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
  take(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

/**
 * Appends the engine's input row by row and builds `CompColumns` (sorting the transactions once by
 * (day, id) when they were not appended in that order). Splits, overlays and collections attach to
 * the transaction appended last.
 */
export class CompColumnsBuilder {
  readonly currency: string;
  readonly digits: number;
  readonly fiscalYearStartMonth: number;
  private periods?: PeriodLabel[];
  private readonly payeeIds: string[] = [];
  private readonly payeeNames: string[] = [];
  private readonly payeeRoles: string[] = [];
  private readonly payeeIndex = new Map<string, number>();
  private statementPayees?: number[];
  private readonly strings: string[] = [''];
  private readonly stringIndex = new Map<string, number>([['', 0]]);
  private readonly ids: string[] = [];
  private readonly names: string[] = [];
  private readonly day: GrowInt32;
  private readonly owner: GrowInt32;
  private readonly amount: GrowFloat64;
  private readonly margin: GrowFloat64;
  private readonly marginPct: GrowFloat64;
  private readonly units: GrowFloat64;
  private readonly type: GrowInt32;
  private readonly product: GrowInt32;
  private readonly productFamily: GrowInt32;
  private readonly segment: GrowInt32;
  private readonly account: GrowInt32;
  private readonly cancelledDay: GrowInt32;
  private readonly splitOf = new GrowInt32(16);
  private readonly splitPayee = new GrowInt32(16);
  private readonly splitShare = new GrowInt32(16);
  private readonly overlayOf = new GrowInt32(16);
  private readonly overlayPayee = new GrowInt32(16);
  private readonly overlayShare = new GrowInt32(16);
  private readonly collectionOf = new GrowInt32(16);
  private readonly collectionDay = new GrowInt32(16);
  private readonly collectionAmount = new GrowFloat64(16);
  private readonly attributes = new Map<number, AttributeValues>();
  private sorted = true;
  readonly reporting: ReportingRow[] = [];
  readonly territories: TerritoryRow[] = [];
  readonly quotas: QuotaRow[] = [];
  readonly scores: ScoreRow[] = [];
  readonly adjustments: AdjustmentRow[] = [];
  readonly locked: LockedRow[] = [];
  readonly assignments: AssignmentRow[] = [];
  readonly carried: CarriedRow[] = [];
  readonly opening: OpeningRow[] = [];

  constructor(options: {
    currency: string;
    fiscalYearStartMonth?: number;
    periods?: PeriodLabel[];
    /** Expected number of transactions (avoids regrowing the columns). */
    capacity?: number;
  }) {
    this.currency = options.currency;
    this.digits = currencyDigits(options.currency);
    this.fiscalYearStartMonth = options.fiscalYearStartMonth ?? 1;
    this.periods = options.periods;
    const capacity = options.capacity ?? 1024;
    this.day = new GrowInt32(capacity);
    this.owner = new GrowInt32(capacity);
    this.amount = new GrowFloat64(capacity);
    this.margin = new GrowFloat64(capacity);
    this.marginPct = new GrowFloat64(capacity);
    this.units = new GrowFloat64(capacity);
    this.type = new GrowInt32(capacity);
    this.product = new GrowInt32(capacity);
    this.productFamily = new GrowInt32(capacity);
    this.segment = new GrowInt32(capacity);
    this.account = new GrowInt32(capacity);
    this.cancelledDay = new GrowInt32(capacity);
  }

  /** The index of a payee, declaring it (with its name and role) when new or when they are given. */
  payee(id: string, name?: string, role?: string): number {
    let index = this.payeeIndex.get(id);
    if (index === undefined) {
      index = this.payeeIds.length;
      this.payeeIndex.set(id, index);
      this.payeeIds.push(id);
      this.payeeNames.push(name ?? id);
      this.payeeRoles.push(role ?? '');
    } else {
      if (name !== undefined) this.payeeNames[index] = name;
      if (role !== undefined) this.payeeRoles[index] = role;
    }
    return index;
  }

  /** Whether a payee id has been declared or named. */
  hasPayee(id: string): boolean {
    return this.payeeIndex.has(id);
  }

  /** Only these payees get statements (the others are still computed when they roll up). */
  restrictStatementsTo(payees: string[]): void {
    this.statementPayees = payees.map((p) => this.payee(p));
  }

  setPeriods(periods: PeriodLabel[] | undefined): void {
    this.periods = periods;
  }

  /** The dictionary code of a string. */
  code(text: string | undefined): number {
    if (text === undefined || text === '') return 0;
    let code = this.stringIndex.get(text);
    if (code === undefined) {
      code = this.strings.length;
      this.strings.push(text);
      this.stringIndex.set(text, code);
    }
    return code;
  }

  /** Appends a transaction; returns its append index. */
  addTransaction(row: TransactionRow): number {
    const index = this.ids.length;
    if (index > 0) {
      const lastDay = this.day.data[index - 1]!;
      if (row.day < lastDay || (row.day === lastDay && row.id < this.ids[index - 1]!)) this.sorted = false;
    }
    this.ids.push(row.id);
    this.names.push(row.name ?? row.id);
    this.day.push(row.day);
    this.owner.push(this.payee(row.owner));
    this.amount.push(row.amountMinor);
    this.marginPct.push(row.marginPct ?? 0);
    this.margin.push(row.marginMinor ?? 0);
    this.units.push(row.unitsScaled ?? 0);
    this.type.push(this.code(row.type));
    this.product.push(this.code(row.product));
    this.productFamily.push(this.code(row.productFamily));
    this.segment.push(this.code(row.segment));
    this.account.push(this.code(row.account));
    this.cancelledDay.push(row.cancelledDay ?? NO_DAY);
    if (row.attributes && Object.keys(row.attributes).length > 0) this.attributes.set(index, row.attributes);
    return index;
  }

  /** A split of the last transaction (share in ppm). */
  addSplit(payee: string, sharePpm: number): void {
    this.splitOf.push(this.ids.length - 1);
    this.splitPayee.push(this.payee(payee));
    this.splitShare.push(sharePpm);
  }

  /** An overlay credit of the last transaction (share in ppm). */
  addOverlay(payee: string, sharePpm: number): void {
    this.overlayOf.push(this.ids.length - 1);
    this.overlayPayee.push(this.payee(payee));
    this.overlayShare.push(sharePpm);
  }

  /** Cash collected against the last transaction. */
  addCollection(day: number, amountMinor: number): void {
    this.collectionOf.push(this.ids.length - 1);
    this.collectionDay.push(day);
    this.collectionAmount.push(amountMinor);
  }

  addReporting(payee: string, manager: string | null, fromDay: number, toDay?: number): void {
    this.reporting.push({
      payee: this.payee(payee),
      manager: manager === null ? -1 : this.payee(manager),
      fromDay,
      toDay: toDay ?? OPEN_DAY,
    });
  }

  addTerritory(account: string, payee: string, fromDay: number, toDay?: number): void {
    this.territories.push({
      account: this.code(account),
      payee: this.payee(payee),
      fromDay,
      toDay: toDay ?? OPEN_DAY,
    });
  }

  addQuota(payee: string, period: PeriodLabel, measure: string, amountMinor: number, fromDay?: number): void {
    this.quotas.push({ payee: this.payee(payee), period, measure, amountMinor, fromDay: fromDay ?? NO_DAY });
  }

  addScore(payee: string, period: PeriodLabel, component: string, scorePpm: number): void {
    this.scores.push({ payee: this.payee(payee), period, component, scorePpm });
  }

  addAdjustment(row: Omit<AdjustmentRow, 'payee'> & { payee: string }): void {
    this.adjustments.push({ ...row, payee: this.payee(row.payee) });
  }

  addLocked(payee: string, period: PeriodLabel, earningsMinor: number, lines?: Record<string, number>): void {
    this.locked.push({ payee: this.payee(payee), period, earningsMinor, ...(lines ? { lines } : {}) });
  }

  addAssignment(payee: string, fromDay: number, toDay?: number): void {
    this.assignments.push({ payee: this.payee(payee), fromDay, toDay: toDay ?? OPEN_DAY });
  }

  /** What a payee was paid on a deal before the periods computed (the deal by its transaction id). */
  addCarried(
    payee: string,
    transaction: string,
    earnedMinor: number,
    heldMinor: number,
    periods: PeriodLabel[] = [],
  ): void {
    this.carried.push({ payee: this.payee(payee), transaction, earnedMinor, heldMinor, periods });
  }

  /** What a payee owed before the periods computed. */
  addOpening(payee: string, drawOwedMinor: number, balanceOwedMinor: number, since?: PeriodLabel): void {
    this.opening.push({
      payee: this.payee(payee),
      drawOwedMinor,
      balanceOwedMinor,
      ...(since !== undefined ? { since } : {}),
    });
  }

  /** The columns, transactions sorted by (day, id). The builder must not be used afterwards. */
  build(): CompColumns {
    const n = this.ids.length;
    const order = this.sorted ? undefined : transactionOrder(this.day.data, this.ids, n);
    const pick32 = (column: GrowInt32): Int32Array => {
      const taken = column.take();
      if (!order) return taken;
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = taken[order[i]!]!;
      return out;
    };
    const pick64 = (column: GrowFloat64): Float64Array => {
      const taken = column.take();
      if (!order) return taken;
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = taken[order[i]!]!;
      return out;
    };
    const position = new Int32Array(n);
    if (order) for (let i = 0; i < n; i++) position[order[i]!] = i;
    else for (let i = 0; i < n; i++) position[i] = i;
    const csr = (of: GrowInt32, values: (GrowInt32 | GrowFloat64)[]) => {
      const start = new Int32Array(n + 1);
      for (let k = 0; k < of.length; k++) start[position[of.data[k]!]! + 1]! += 1;
      for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
      const fill = start.slice(0, n);
      const out = values.map((v) =>
        v instanceof GrowInt32 ? new Int32Array(of.length) : new Float64Array(of.length),
      );
      for (let k = 0; k < of.length; k++) {
        const at = fill[position[of.data[k]!]!]!++;
        values.forEach((v, c) => (out[c]![at] = v.data[k]!));
      }
      return { start, out };
    };
    const splits = csr(this.splitOf, [this.splitPayee, this.splitShare]);
    const overlays = csr(this.overlayOf, [this.overlayPayee, this.overlayShare]);
    const collections = csr(this.collectionOf, [this.collectionDay, this.collectionAmount]);
    const attributes = new Map<number, AttributeValues>();
    for (const [i, value] of this.attributes) attributes.set(position[i]!, value);
    const transactions: TransactionColumns = {
      count: n,
      id: order ? Array.from(order, (i) => this.ids[i]!) : this.ids,
      name: order ? Array.from(order, (i) => this.names[i]!) : this.names,
      day: pick32(this.day),
      owner: pick32(this.owner),
      amount: pick64(this.amount),
      margin: pick64(this.margin),
      marginPct: pick64(this.marginPct),
      units: pick64(this.units),
      type: pick32(this.type),
      product: pick32(this.product),
      productFamily: pick32(this.productFamily),
      segment: pick32(this.segment),
      account: pick32(this.account),
      cancelledDay: pick32(this.cancelledDay),
      splitStart: splits.start,
      splitPayee: splits.out[0] as Int32Array,
      splitShare: splits.out[1] as Int32Array,
      overlayStart: overlays.start,
      overlayPayee: overlays.out[0] as Int32Array,
      overlayShare: overlays.out[1] as Int32Array,
      collectionStart: collections.start,
      collectionDay: collections.out[0] as Int32Array,
      collectionAmount: collections.out[1] as Float64Array,
      attributes,
    };
    return {
      currency: this.currency,
      digits: this.digits,
      fiscalYearStartMonth: this.fiscalYearStartMonth,
      ...(this.periods ? { periods: this.periods } : {}),
      payeeIds: this.payeeIds,
      payeeNames: this.payeeNames,
      payeeRoles: this.payeeRoles,
      payeeIndex: this.payeeIndex,
      ...(this.statementPayees ? { statementPayees: this.statementPayees } : {}),
      strings: this.strings,
      transactions,
      reporting: this.reporting,
      territories: this.territories,
      quotas: this.quotas,
      scores: this.scores,
      adjustments: this.adjustments,
      locked: this.locked,
      assignments: this.assignments,
      carried: this.carried,
      opening: this.opening,
    };
  }
}

/**
 * Rows in (day, key in code-unit order) order: a stable counting sort on the day, then each day's
 * rows sorted by key where they did not arrive in key order. Rows with the same day and key keep
 * their arrival order.
 */
export function transactionOrder(day: Int32Array, key: string[], n: number): Int32Array {
  const order = new Int32Array(n);
  if (n === 0) return order;
  let minDay = day[0]!;
  let maxDay = minDay;
  for (let i = 1; i < n; i++) {
    const d = day[i]!;
    if (d < minDay) minDay = d;
    if (d > maxDay) maxDay = d;
  }
  const start = new Int32Array(maxDay - minDay + 2);
  for (let i = 0; i < n; i++) start[day[i]! - minDay + 1]! += 1;
  for (let d = 1; d < start.length; d++) start[d]! += start[d - 1]!;
  const bounds = start.slice();
  for (let i = 0; i < n; i++) order[start[day[i]! - minDay]!++] = i;
  for (let d = 0; d + 1 < bounds.length; d++) {
    const from = bounds[d]!;
    const to = bounds[d + 1]!;
    let sorted = true;
    for (let k = from + 1; k < to && sorted; k++) if (key[order[k]!]! < key[order[k - 1]!]!) sorted = false;
    if (sorted) continue;
    const slice = Array.from(order.subarray(from, to));
    slice.sort((a, b) => (key[a]! < key[b]! ? -1 : key[a]! > key[b]! ? 1 : 0));
    order.set(slice, from);
  }
  return order;
}

/** A share or rate as text or number ("50%", 0.5, "0.5") → ppm; undefined when malformed. */
export function shareToPpm(value: ShareText): number | undefined {
  const raw = typeof value === 'number' ? String(value) : value.trim();
  const percent = raw.endsWith('%');
  const text = percent ? raw.slice(0, -1).trim() : raw;
  if (!/^-?\d+(\.\d+)?$/.test(text)) return undefined;
  const scale = percent ? 4 : 6;
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? text.slice(1) : text).split('.');
  if (fraction.replace(/0+$/, '').length > scale) return undefined;
  const ppm = Number(whole) * 10 ** scale + Number(fraction.padEnd(scale, '0').slice(0, scale) || '0');
  if (!Number.isSafeInteger(ppm)) return undefined;
  return negative ? -ppm : ppm;
}

/** A decimal number → a value scaled by 10^digits, rounded half to even (units and margin percentages). */
function scaleDecimal(value: number | string, digits: number): number | undefined {
  const text = typeof value === 'number' ? String(value) : value.trim();
  if (!/^-?\d+(\.\d+)?$/.test(text)) return undefined;
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const exact = BigInt(whole + fraction) * 10n ** BigInt(digits);
  const scaled = Number(divideHalfEvenBig(exact, 10n ** BigInt(fraction.length)));
  return negative ? -scaled : scaled;
}

/**
 * The margin of an amount at a margin percentage (42 = 42%), exact and rounded once half to even.
 * Undefined for a malformed percentage.
 */
export function marginFromPct(amountMinor: number, marginPct: number | string): number | undefined {
  const scaled = scaleDecimal(marginPct, 6);
  if (scaled === undefined) return undefined;
  return Number(divideHalfEvenBig(BigInt(amountMinor) * BigInt(scaled), 100_000_000n));
}

/**
 * Fills columns from a `CompInput`: every malformed value is a problem naming its path; payees the
 * input does not know (when it lists payees) are `unknown_payee` issues.
 */
export function columnsFromInput(
  plan: PlanDocument,
  input: CompInput,
): { columns: CompColumns; issues: CompIssue[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const issues: CompIssue[] = [];
  const currency = input.currency ?? plan.currency;
  if (currency !== plan.currency) {
    problems.push({
      field: 'currency',
      value: currency,
      message: `the input is in ${currency} but the plan pays in ${plan.currency}`,
    });
  }
  const fiscalYearStartMonth = input.fiscalYearStartMonth ?? 1;
  if (!Number.isInteger(fiscalYearStartMonth) || fiscalYearStartMonth < 1 || fiscalYearStartMonth > 12) {
    problems.push({ field: 'fiscalYearStartMonth', message: 'expected a month 1-12' });
  }
  const fsm =
    Number.isInteger(fiscalYearStartMonth) && fiscalYearStartMonth >= 1 && fiscalYearStartMonth <= 12
      ? fiscalYearStartMonth
      : 1;
  const builder = new CompColumnsBuilder({
    currency: plan.currency,
    fiscalYearStartMonth: fsm,
    capacity: input.transactions.length,
  });
  const digits = builder.digits;
  const day = (text: unknown, field: string): number | undefined => {
    const parsed = typeof text === 'string' ? parseIsoDate(text) : undefined;
    if (parsed === undefined)
      problems.push({ field, value: String(text), message: 'expected a day as YYYY-MM-DD' });
    return parsed;
  };
  const optionalDay = (text: unknown, field: string): number | undefined =>
    text === undefined || text === null ? undefined : day(text, field);
  const minor = (text: unknown, field: string): number | undefined => {
    const value = typeof text === 'number' ? String(text) : text;
    if (typeof value !== 'string') {
      problems.push({ field, value: String(text), message: 'expected an amount such as "1234.56"' });
      return undefined;
    }
    try {
      return decimalToMinor(value, digits);
    } catch {
      problems.push({
        field,
        value,
        message: `expected an amount such as "1234.56" with at most ${digits} decimal places`,
      });
      return undefined;
    }
  };
  const share = (value: unknown, field: string): number | undefined => {
    const ppm = typeof value === 'string' || typeof value === 'number' ? shareToPpm(value) : undefined;
    if (ppm === undefined)
      problems.push({ field, value: String(value), message: 'expected a share such as "50%" or 0.5' });
    return ppm;
  };
  const period = (label: unknown, field: string): string | undefined => {
    if (typeof label !== 'string' || !parsePeriodLabel(label, fsm)) {
      problems.push({
        field,
        value: String(label),
        message: 'expected a period such as "2026-06" or "2026-Q2"',
      });
      return undefined;
    }
    return label;
  };

  const known = new Set<string>();
  const listed = input.payees !== undefined;
  (input.payees ?? []).forEach((p, i) => {
    if (typeof p?.id !== 'string' || p.id === '') {
      problems.push({ field: `payees[${i}].id`, message: 'expected a payee id' });
      return;
    }
    builder.payee(p.id, p.name, p.role);
    known.add(p.id);
  });
  if (input.payees)
    builder.restrictStatementsTo(input.payees.filter((p) => typeof p?.id === 'string').map((p) => p.id));
  if (input.periods) {
    const kind = plan.period;
    input.periods.forEach((label, i) => {
      const parsed = period(label, `periods[${i}]`);
      if (parsed && parsePeriodLabel(parsed, fsm)!.kind !== kind)
        problems.push({ field: `periods[${i}]`, value: label, message: `the plan pays by ${kind}` });
    });
    builder.setPeriods(input.periods);
  }
  (input.reporting ?? []).forEach((r, i) => {
    const from = day(r.from, `reporting[${i}].from`);
    const to = optionalDay(r.to, `reporting[${i}].to`);
    if (from === undefined || typeof r.payee !== 'string') return;
    known.add(r.payee);
    if (r.manager) known.add(r.manager);
    builder.addReporting(r.payee, r.manager ?? null, from, to);
  });
  (input.territories ?? []).forEach((t, i) => {
    const from = day(t.from, `territories[${i}].from`);
    const to = optionalDay(t.to, `territories[${i}].to`);
    if (from === undefined) return;
    known.add(t.payee);
    builder.addTerritory(t.account, t.payee, from, to);
  });
  (input.assignments ?? []).forEach((a, i) => {
    const from = a.from === undefined ? -OPEN_DAY : day(a.from, `assignments[${i}].from`);
    const to = optionalDay(a.to, `assignments[${i}].to`);
    if (from === undefined) return;
    known.add(a.payee);
    builder.addAssignment(a.payee, from, to);
  });
  const checkPayee = (payee: string, what: string, transaction?: string): void => {
    if (!listed || known.has(payee)) return;
    known.add(payee);
    issues.push({
      code: 'unknown_payee',
      message: `${what} names payee "${payee}", who is not in the input's payees`,
      payee,
      ...(transaction ? { transaction } : {}),
    });
  };

  input.transactions.forEach((t, i) => {
    const at = `transactions[${i}]`;
    const problemsBefore = problems.length;
    if (typeof t.id !== 'string' || t.id === '')
      problems.push({ field: `${at}.id`, message: 'expected an id' });
    if (typeof t.owner !== 'string' || t.owner === '')
      problems.push({ field: `${at}.owner`, message: 'expected the owner payee id' });
    const d = day(t.date, `${at}.date`);
    const amount = minor(t.amount, `${at}.amount`);
    const cancelled = optionalDay(t.cancelled_on, `${at}.cancelled_on`);
    let margin: number | undefined = 0;
    if (t.margin !== undefined) margin = minor(t.margin, `${at}.margin`);
    else if (t.margin_pct !== undefined && amount !== undefined) {
      margin = marginFromPct(amount, t.margin_pct);
      if (margin === undefined)
        problems.push({
          field: `${at}.margin_pct`,
          value: String(t.margin_pct),
          message: 'expected a percentage such as 42',
        });
    }
    let units: number | undefined = 0;
    if (t.units !== undefined) {
      units = scaleDecimal(t.units, digits);
      if (units === undefined)
        problems.push({ field: `${at}.units`, value: String(t.units), message: 'expected a number' });
    }
    const splits = (t.splits ?? []).map((s, k) => ({
      payee: s.payee,
      share: share(s.share, `${at}.splits[${k}].share`),
    }));
    const overlays = (t.overlays ?? []).map((s, k) => ({
      payee: s.payee,
      share: share(s.share, `${at}.overlays[${k}].share`),
    }));
    const collections = (t.collections ?? []).map((c, k) => ({
      day: day(c.date, `${at}.collections[${k}].date`),
      amount: minor(c.amount, `${at}.collections[${k}].amount`),
    }));
    if (problems.length > problemsBefore || d === undefined || amount === undefined) return;
    checkPayee(t.owner, `Transaction ${t.id}`, t.id);
    for (const s of splits) checkPayee(s.payee, `A split of transaction ${t.id}`, t.id);
    for (const s of overlays) checkPayee(s.payee, `An overlay of transaction ${t.id}`, t.id);
    const marginPct = t.margin_pct === undefined ? 0 : Number(t.margin_pct);
    builder.addTransaction({
      id: t.id,
      name: t.name ?? t.id,
      day: d,
      owner: t.owner,
      amountMinor: amount,
      marginMinor: margin ?? 0,
      marginPct: Number.isFinite(marginPct) ? marginPct : 0,
      unitsScaled: units ?? 0,
      type: t.type,
      product: t.product,
      productFamily: t.product_family,
      segment: t.segment,
      account: t.account,
      ...(cancelled !== undefined ? { cancelledDay: cancelled } : {}),
      ...(t.attributes ? { attributes: t.attributes } : {}),
    });
    for (const s of splits) builder.addSplit(s.payee, s.share!);
    for (const s of overlays) builder.addOverlay(s.payee, s.share!);
    for (const c of collections) builder.addCollection(c.day!, c.amount!);
  });
  (input.quotas ?? []).forEach((q, i) => {
    const at = `quotas[${i}]`;
    const p = period(q.period, `${at}.period`);
    const amount = minor(q.amount, `${at}.amount`);
    const from = optionalDay(q.from, `${at}.from`);
    if (p === undefined || amount === undefined || (q.from !== undefined && from === undefined)) return;
    checkPayee(q.payee, 'A quota');
    builder.addQuota(q.payee, p, q.measure, amount, from);
  });
  (input.scores ?? []).forEach((s, i) => {
    const p = period(s.period, `scores[${i}].period`);
    const score = share(s.score, `scores[${i}].score`);
    if (p === undefined || score === undefined) return;
    checkPayee(s.payee, 'A score');
    builder.addScore(s.payee, p, s.component, score);
  });
  (input.adjustments ?? []).forEach((a, i) => {
    const at = `adjustments[${i}]`;
    const p = period(a.period, `${at}.period`);
    const amount = minor(a.amount, `${at}.amount`);
    if (!a.reason) problems.push({ field: `${at}.reason`, message: 'an adjustment needs a reason' });
    if (!a.approver) problems.push({ field: `${at}.approver`, message: 'an adjustment needs an approver' });
    if (p === undefined || amount === undefined || !a.reason || !a.approver) return;
    checkPayee(a.payee, 'An adjustment');
    builder.addAdjustment({
      id: a.id ?? `adjustment:${i + 1}`,
      payee: a.payee,
      period: p,
      amountMinor: amount,
      reason: a.reason,
      approver: a.approver,
    });
  });
  (input.locked ?? []).forEach((l, i) => {
    const at = `locked[${i}]`;
    const p = period(l.period, `${at}.period`);
    const earnings = minor(l.earnings, `${at}.earnings`);
    let lines: Record<string, number> | undefined;
    if (l.lines) {
      lines = {};
      for (const [id, amount] of Object.entries(l.lines)) {
        const value = minor(amount, `${at}.lines.${id}`);
        if (value !== undefined) lines[id] = value;
      }
    }
    if (p === undefined || earnings === undefined) return;
    builder.addLocked(l.payee, p, earnings, lines);
  });
  (input.carried ?? []).forEach((c, i) => {
    const at = `carried[${i}]`;
    const earned = minor(c.earned, `${at}.earned`);
    const held = c.held === undefined ? 0 : minor(c.held, `${at}.held`);
    if (earned === undefined || held === undefined) return;
    checkPayee(c.payee, 'Carried pay', c.transaction);
    builder.addCarried(c.payee, c.transaction, earned, held, c.periods ?? []);
  });
  (input.opening ?? []).forEach((o, i) => {
    const at = `opening[${i}]`;
    const drawOwed = o.draw_owed === undefined ? 0 : minor(o.draw_owed, `${at}.draw_owed`);
    const balanceOwed = o.balance_owed === undefined ? 0 : minor(o.balance_owed, `${at}.balance_owed`);
    if (drawOwed === undefined || balanceOwed === undefined) return;
    if (drawOwed === 0 && balanceOwed === 0) return;
    checkPayee(o.payee, 'An opening balance');
    builder.addOpening(o.payee, drawOwed, balanceOwed, o.since);
  });
  return { columns: builder.build(), issues, problems };
}
