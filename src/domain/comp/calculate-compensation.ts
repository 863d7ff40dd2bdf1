/**
 * The compensation engine (DESIGN.md §3: transaction → credit → measure → incentive → ledger →
 * statement; docs/plans.md is its reference). Two entry points over one calculation:
 *
 * - `calculateCompensation(plan, input)`: a `CompInput` in, a `CompResult` out (simulate, plan
 *   tests, the estimator, small runs);
 * - `calculateFromColumns(plan, columns)`: typed-array columns in (comp-columns.ts), a `CompRun`
 *   out with totals per payee × period; lines are listed (`forEachLine`) or materialised into
 *   statements with traces and explanations (`statement`) on demand, by walking the payee again
 *   with the same code, so the compute phase makes no per-line objects.
 *
 * Pure and deterministic: the same plan and columns give the same numbers, byte for byte.
 */
import { toDayNumber } from '../calendar/day-number.ts';
import { AppError } from '../errors.ts';
import { minorToDecimal } from '../money.ts';
import { columnsFromInput, NO_DAY, type CompColumns } from './comp-columns.ts';
import { ExpressionRunner, CREDIT_RULES } from './comp-conditions.ts';
import {
  fiscalYearStartOf,
  parsePeriodLabel,
  periodsCovering,
  windowFirstDay,
  type CompPeriod,
} from './comp-periods.ts';
import type {
  CompInput,
  CompIssue,
  CompResult,
  LineKind,
  MeasureValue,
  PeriodLabel,
  Statement,
} from './comp-types.ts';
import {
  compileComponents,
  computePayee,
  measureValue,
  type EarningDetail,
  type EarningSink,
  type Engine,
  type PayeeFrame,
} from './components.ts';
import { fixedManagers, generateCredits, type CreditTable, type CreditTypeSpec } from './crediting.ts';
import { earningFacts, explainPlanOf, type ExplainPlan } from './explain-earnings.ts';
import { statementFromRecord, type StatementLineRecord, type StatementRecord } from './statement-record.ts';
import { fingerprintOf } from './fingerprint.ts';
import {
  applyLedger,
  type LedgerEarning,
  type LedgerInput,
  type LedgerLine,
  type LedgerPeriodResult,
  type LedgerTotals,
} from './ledger.ts';
import { attainmentText, QuotaBook, type CompiledMeasure } from './measures.ts';
import type { PlanDocument } from './plan-document.ts';
import { canStream, creditedPayees, streamCommissions, type StreamParams } from './stream-compute.ts';

export const ENGINE_VERSION = 'attain-comp/1';

export type CalculateOptions = {
  /** The periods to report (default: the columns' periods, else every plan period with data). */
  periods?: PeriodLabel[];
  /** Statements only for these payees (ids). */
  payees?: string[];
  onProgress?: (done: number, total: number, phase: string) => void;
  /** The fingerprint of the input the columns came from, for `toResult`. */
  inputFingerprint?: string;
  /** false: compute every payee by walking their credit stream, even when one pass would do (tests). */
  stream?: boolean;
};

/** The totals every statement has (drawOwed, part of balanceCarried, is shown only when not zero). */
type TotalName = Exclude<keyof LedgerTotals, 'drawOwed'>;
const TOTAL_NAMES: TotalName[] = [
  'earnings',
  'adjustments',
  'clawbacks',
  'draw',
  'drawRecovered',
  'held',
  'released',
  'payable',
  'balanceCarried',
];

/** One line for storage: numbers (and its id), no trace or explanation. The object is reused between calls. */
export type CompactLine = {
  payeeIndex: number;
  /** Index into `CompRun.periods`. */
  periodIndex: number;
  id: string;
  kind: LineKind;
  /** Plan component index, -1 for ledger lines. */
  componentIndex: number;
  /** Transaction index in the columns, -1 when none. */
  transactionIndex: number;
  amountMinor: number;
};

export type CompRun = {
  periods: PeriodLabel[];
  payeeIds: string[];
  issues: CompIssue[];
  /** Totals per payee × period in minor units; index = payee * periods.length + period. */
  totals: Record<TotalName, Float64Array>;
  lineCount: number;
  forEachLine(visit: (line: CompactLine) => void): void;
  statement(payeeIndex: number, periodIndex: number): Statement;
  /** The same statement as stored: the lines' facts, no sentences (statementFromRecord writes them). */
  statementRecord(payeeIndex: number, periodIndex: number): StatementRecord;
  toResult(plan: PlanDocument): CompResult;
};

/** Calculates a plan on a `CompInput`; malformed input throws a `validation` AppError with every problem. */
export function calculateCompensation(
  plan: PlanDocument,
  input: CompInput,
  options: CalculateOptions = {},
): CompResult {
  const { columns, issues, problems } = columnsFromInput(plan, input);
  if (problems.length > 0)
    throw new AppError(
      'validation',
      `The input has ${problems.length} problem${problems.length === 1 ? '' : 's'}`,
      problems,
    );
  const run = calculateFromColumns(plan, columns, {
    ...options,
    inputFingerprint: options.inputFingerprint ?? fingerprintOf(input),
  });
  const result = run.toResult(plan);
  return { ...result, issues: [...issues, ...result.issues] };
}

/** Sums a payee's lines per period; keeps the lines the ledger needs one by one. */
class TotalsSink implements EarningSink {
  readonly tracing = false;
  bulk = true;
  earnings: Float64Array;
  lines = 0;
  /** When set, every line (holds, locked lines) or the lines of cancelled deals (clawbacks) are kept. */
  keep: 'all' | 'cancelled' | 'none' = 'none';
  kept: LedgerEarning[][] = [];
  private ids: LineIds;

  constructor(
    private readonly e: Engine,
    periods: number,
  ) {
    this.earnings = new Float64Array(periods);
    this.ids = new LineIds(e);
  }

  reset(keep: 'all' | 'cancelled' | 'none'): void {
    this.earnings.fill(0);
    this.keep = keep;
    this.bulk = keep === 'none';
    this.kept = keep === 'none' ? [] : Array.from({ length: this.earnings.length }, () => []);
    this.ids.reset();
  }

  add(
    j: number,
    kind: LineKind,
    component: number,
    credit: number,
    amountMinor: number,
    _detail: EarningDetail | undefined,
    suffix: string | undefined,
  ): void {
    this.lines++;
    if (this.keep === 'none') this.earnings[j]! += amountMinor;
    else
      keepOrSum(
        this.e,
        this.ids,
        this.keep,
        this.kept,
        this.earnings,
        j,
        kind,
        component,
        credit,
        amountMinor,
        suffix,
      );
  }

  addBulk(j: number, amountMinor: number, lines: number): void {
    this.earnings[j]! += amountMinor;
    this.lines += lines;
  }

  /** The ledger's earnings per period: kept lines, plus the rest as one line per period. */
  ledgerEarnings(): LedgerEarning[][] {
    return Array.from(this.earnings, (sum, j) => {
      const list = this.keep === 'none' ? [] : this.kept[j]!;
      return sum !== 0
        ? [...list, { lineId: 'earnings', kind: 'commission' as LineKind, amountMinor: sum }]
        : list;
    });
  }
}

/**
 * A line of a period not traced line by line, where the ledger needs some lines on their own:
 * every line (`all`: holds, locked periods) or those of cancelled deals (`cancelled`: clawbacks).
 * Those are kept with their id; the rest is added to the period's sum.
 */
function keepOrSum(
  e: Engine,
  ids: LineIds,
  keep: 'all' | 'cancelled',
  kept: LedgerEarning[][],
  sums: Float64Array,
  j: number,
  kind: LineKind,
  component: number,
  credit: number,
  amountMinor: number,
  suffix: string | undefined,
): void {
  const tx = credit >= 0 ? e.credits.tx[credit]! : -1;
  const keepIt = keep === 'all' || (tx >= 0 && e.columns.transactions.cancelledDay[tx] !== NO_DAY);
  const id = ids.next(j, component, credit, suffix);
  if (keepIt) kept[j]!.push(ledgerEarning(e, id, kind, component, tx, amountMinor));
  else sums[j]! += amountMinor;
}

function ledgerEarning(
  e: Engine,
  lineId: string,
  kind: LineKind,
  component: number,
  tx: number,
  amountMinor: number,
): LedgerEarning {
  return {
    lineId,
    kind,
    ...(component >= 0 ? { component: e.components[component]!.id } : {}),
    ...(tx >= 0 ? { transaction: tx } : {}),
    amountMinor,
  };
}

/** Stable line ids: `<component>:<transaction>`, with the rule (and rep) when a payee has several credits of one deal. */
class LineIds {
  private used: Set<string>[] = [];
  constructor(private readonly e: Engine) {}
  reset(): void {
    this.used = [];
  }
  next(j: number, component: number, credit: number, suffix: string | undefined): string {
    const e = this.e;
    const comp = e.components[component]!;
    const used = (this.used[j] ??= new Set());
    let id: string;
    if (credit < 0) id = suffix === undefined ? comp.id : `${comp.id}:${suffix}`;
    else {
      const tx = e.columns.transactions.id[e.credits.tx[credit]!]!;
      id = suffix === undefined ? `${comp.id}:${tx}` : `${comp.id}:${suffix}:${tx}`;
      if (used.has(id)) {
        const from = e.credits.from[credit]!;
        id = `${id}:${CREDIT_RULES[e.credits.rule[credit]!]}${from >= 0 ? `:${e.columns.payeeIds[from]}` : ''}`;
      }
    }
    if (used.has(id)) {
      let n = 2;
      while (used.has(`${id}#${n}`)) n++;
      id = `${id}#${n}`;
    }
    used.add(id);
    return id;
  }
}

/** A line with everything a statement shows. */
type MaterialLine = {
  periodIndex: number;
  id: string;
  kind: LineKind;
  component: number;
  credit: number;
  amountMinor: number;
  detail: EarningDetail | undefined;
};

class ListSink implements EarningSink {
  readonly lines: MaterialLine[] = [];
  private readonly ids: LineIds;
  constructor(
    e: Engine,
    readonly tracing: boolean,
  ) {
    this.ids = new LineIds(e);
  }
  add(
    j: number,
    kind: LineKind,
    component: number,
    credit: number,
    amountMinor: number,
    detail: EarningDetail | undefined,
    suffix: string | undefined,
  ): void {
    this.lines.push({
      periodIndex: j,
      id: this.ids.next(j, component, credit, suffix),
      kind,
      component,
      credit,
      amountMinor,
      detail,
    });
  }
}

/**
 * Lines of one period with their traces (a stored statement), the other periods as the totals
 * sink keeps them for the ledger: sums, and the lines a hold, a clawback or a closed period's
 * comparison needs one by one.
 */
class PeriodSink implements EarningSink {
  readonly tracing = true;
  readonly lines: MaterialLine[] = [];
  private readonly sums: Float64Array;
  private readonly kept: LedgerEarning[][];
  private readonly ids: LineIds;

  constructor(
    private readonly e: Engine,
    periods: number,
    private readonly target: number,
    private readonly keep: 'all' | 'cancelled' | 'none',
  ) {
    this.sums = new Float64Array(periods);
    this.kept = Array.from({ length: periods }, () => []);
    this.ids = new LineIds(e);
  }

  tracesPeriod(j: number): boolean {
    return j === this.target;
  }

  add(
    j: number,
    kind: LineKind,
    component: number,
    credit: number,
    amountMinor: number,
    detail: EarningDetail | undefined,
    suffix: string | undefined,
  ): void {
    if (j === this.target) {
      this.lines.push({
        periodIndex: j,
        id: this.ids.next(j, component, credit, suffix),
        kind,
        component,
        credit,
        amountMinor,
        detail,
      });
      return;
    }
    if (this.keep === 'none') this.sums[j]! += amountMinor;
    else
      keepOrSum(
        this.e,
        this.ids,
        this.keep,
        this.kept,
        this.sums,
        j,
        kind,
        component,
        credit,
        amountMinor,
        suffix,
      );
  }

  ledgerEarnings(): LedgerEarning[][] {
    return this.kept.map((list, j) => {
      if (j === this.target)
        return this.lines.map((line) =>
          ledgerEarning(
            this.e,
            line.id,
            line.kind,
            line.component,
            line.credit >= 0 ? this.e.credits.tx[line.credit]! : -1,
            line.amountMinor,
          ),
        );
      const sum = this.sums[j]!;
      return sum !== 0
        ? [...list, { lineId: 'earnings', kind: 'commission' as LineKind, amountMinor: sum }]
        : list;
    });
  }
}

/** The periods of a run: the reported ones, and the internal ones (back to the start of the longest window). */
function runPeriods(
  plan: PlanDocument,
  columns: CompColumns,
  options: CalculateOptions,
): { reported: CompPeriod[]; internal: CompPeriod[] } {
  const fsm = columns.fiscalYearStartMonth;
  const labels = options.periods ?? columns.periods;
  let reported: CompPeriod[];
  if (labels && labels.length > 0) {
    reported = labels.map((label, i) => {
      const span = parsePeriodLabel(label, fsm);
      if (!span || span.kind !== plan.period)
        throw new AppError('validation', `Period "${label}" is not a ${plan.period} period`, [
          {
            field: `periods[${i}]`,
            value: label,
            message: `expected a ${plan.period} period such as ${plan.period === 'month' ? '2026-06' : '2026-Q2'}`,
          },
        ]);
      return span;
    });
    reported.sort((a, b) => a.firstDay - b.firstDay);
    reported = reported.filter((p, i) => i === 0 || p.label !== reported[i - 1]!.label);
  } else {
    const t = columns.transactions;
    let first = Infinity;
    let last = -Infinity;
    // Deals whose earlier pay is carried belong to periods before these: they do not start them.
    const carried = new Set(columns.carried.map((c) => c.transaction));
    let from = 0;
    while (from < t.count && carried.has(t.id[from]!)) from++;
    if (from < t.count) {
      first = t.day[from]!;
      last = t.day[t.count - 1]!;
    }
    for (const q of columns.quotas) {
      const span = parsePeriodLabel(q.period, fsm);
      if (span) {
        first = Math.min(first, span.firstDay);
        last = Math.max(last, span.lastDay);
      }
    }
    reported = first <= last ? periodsCovering(plan.period, first, last, fsm) : [];
  }
  if (reported.length === 0) return { reported, internal: [] };
  let start = reported[0]!.firstDay;
  for (const m of plan.measures) start = Math.min(start, windowFirstDay(m.window, reported[0]!, fsm));
  if (plan.components.some((c) => c.cap?.per_year !== undefined))
    start = Math.min(start, fiscalYearStartOf(reported[0]!.firstDay, fsm));
  const internal = periodsCovering(plan.period, start, reported[reported.length - 1]!.lastDay, fsm);
  return { reported, internal };
}

/** The first transaction index with day ≥ `day` (transactions are sorted by day). */
function firstOnOrAfter(day: Int32Array, count: number, target: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (day[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Runs the plan over the columns: credits, measures, components and the ledger for every payee. */
export function calculateFromColumns(
  plan: PlanDocument,
  columns: CompColumns,
  options: CalculateOptions = {},
): CompRun {
  const fsm = columns.fiscalYearStartMonth;
  const { reported, internal } = runPeriods(plan, columns, options);
  const P = internal.length;
  const t = columns.transactions;
  const issues: CompIssue[] = [];
  const runner = new ExpressionRunner(columns);

  // Transactions of each internal period, within the plan's effective dates.
  const effectiveFrom = toDayNumber(plan.effective_from);
  const effectiveTo = plan.effective_to !== undefined ? toDayNumber(plan.effective_to) : Infinity;
  const periodTx = new Int32Array(P + 1);
  for (let j = 0; j < P; j++) periodTx[j] = firstOnOrAfter(t.day, t.count, internal[j]!.firstDay);
  periodTx[P] = P > 0 ? firstOnOrAfter(t.day, t.count, internal[P - 1]!.lastDay + 1) : 0;
  const txFrom = periodTx[0]!;
  const txTo = periodTx[P]!;
  let outside = 0;
  let firstOutside = '';
  let eligible: Uint8Array | null = null;
  const eligibleExpression = runner.compile(plan.eligible, 'eligible');
  if (eligibleExpression || plan.eligible !== undefined) {
    eligible = new Uint8Array(t.count);
    if (eligibleExpression) runner.conditionPerTransaction(eligibleExpression, txFrom, txTo, eligible);
  }
  // transactions are sorted by day: those before and after the effective dates are two ranges
  const inFrom = Math.max(txFrom, firstOnOrAfter(t.day, t.count, effectiveFrom));
  const inTo = effectiveTo === Infinity ? txTo : Math.min(txTo, firstOnOrAfter(t.day, t.count, effectiveTo));
  if (inFrom > txFrom || inTo < txTo) {
    eligible ??= new Uint8Array(t.count).fill(1);
    const before = Math.min(inFrom, txTo);
    const after = Math.max(inTo, before);
    eligible.fill(0, txFrom, before);
    eligible.fill(0, after, txTo);
    outside = before - txFrom + (txTo - after);
    firstOutside = t.id[before > txFrom ? txFrom : after]!;
  }
  if (outside > 0)
    issues.push({
      code: 'out_of_periods',
      message: `${outside} transaction${outside === 1 ? '' : 's'} (first: ${firstOutside}) fall outside the plan's effective dates (${plan.effective_from} to ${plan.effective_to ?? 'open'}) and earn no credit`,
      transaction: firstOutside,
    });

  // Credit types and measures.
  const typeIds = plan.credit.types.map((ty) => ty.id);
  const types: CreditTypeSpec[] = plan.credit.types.map((ty, k) => {
    const spec: CreditTypeSpec = { id: ty.id, base: ty.amount };
    const when = runner.compile(ty.when, `credit.types[${k}].when`);
    if (ty.when !== undefined) {
      spec.when = new Uint8Array(t.count);
      if (when) runner.conditionPerTransaction(when, txFrom, txTo, spec.when);
    }
    return spec;
  });
  const measures = compileMeasures(plan, typeIds);
  const shownMeasures = measures.length;
  const components = compileComponents({
    components: plan.components,
    measures,
    typeIds,
    columns,
    runner,
    txFrom,
    txTo,
    parseDay: toDayNumber,
  });
  // conditions the fast loop reads are copied per credit while crediting
  const carry: (Uint8Array | Uint16Array)[] = [];
  for (const comp of components) {
    if (comp.fastRates === null) continue;
    if (comp.whenTx) comp.whenCarry = carry.push(comp.whenTx) - 1;
    if (comp.maskTx) comp.maskCarry = carry.push(comp.maskTx) - 1;
  }
  const M = measures.length;
  const windowStart = new Int32Array(M * P);
  for (let m = 0; m < M; m++) {
    for (let j = 0; j < P; j++) {
      const first = windowFirstDay(measures[m]!.window, internal[j]!, fsm);
      let ws = j;
      while (ws > 0 && internal[ws - 1]!.firstDay >= first) ws--;
      windowStart[m * P + j] = ws;
    }
  }
  const yearStart = new Int32Array(P);
  for (let j = 0; j < P; j++) {
    const first = fiscalYearStartOf(internal[j]!.firstDay, fsm);
    let ys = j;
    while (ys > 0 && internal[ys - 1]!.firstDay >= first) ys--;
    yearStart[j] = ys;
  }

  // The common plan is computed in one pass over the transactions (stream-compute.ts); the credit
  // table is then built only when lines or statements are materialised.
  const managers = fixedManagers(columns, txFrom, txTo);
  const requested = options.payees
    ?.map((id) => columns.payeeIndex.get(id))
    .filter((p): p is number => p !== undefined);
  const stream =
    canStream({
      columns,
      rules: plan.credit.rules,
      typeCount: types.length,
      components,
      windowStart,
      periods: P,
      txFrom,
      txTo,
      managers,
      ledgerKeepsLines:
        plan.hold !== undefined ||
        plan.clawback !== undefined ||
        columns.locked.some((l) => l.lines !== undefined),
    }) &&
    options.stream !== false &&
    (requested === undefined || new Set(requested).size === requested.length);
  const streamParams: StreamParams | undefined =
    stream && managers
      ? {
          rules: plan.credit.rules,
          rollupLevels: plan.credit.rollup_levels,
          type: types[0]!,
          managers,
          txFrom,
          txTo,
          eligible,
        }
      : undefined;
  const credit = () =>
    generateCredits({
      columns,
      rules: plan.credit.rules,
      rollupLevels: plan.credit.rollup_levels,
      types,
      txFrom,
      txTo,
      eligible,
      carry,
      ...(plan.clawback?.attainment === 'reduce' ? { reverseWithinDays: plan.clawback.window_days } : {}),
    });
  let creditTable: CreditTable | undefined;
  options.onProgress?.(0, 1, 'credit');
  if (!streamParams) {
    const crediting = credit();
    creditTable = crediting.credits;
    issues.push(...crediting.issues);
  }

  // The periods each payee is assigned to the plan (payees without assignments: every period). An
  // unassigned period is computed as context and pays nothing (docs/plans.md "The ledger").
  const assignedOf = new Map<number, boolean[]>();
  for (const a of columns.assignments) {
    let list = assignedOf.get(a.payee);
    if (!list) assignedOf.set(a.payee, (list = new Array<boolean>(P).fill(false)));
    for (let j = 0; j < P; j++)
      if (a.fromDay <= internal[j]!.lastDay && a.toDay > internal[j]!.firstDay) list[j] = true;
  }
  const engine: Engine = {
    columns,
    digits: columns.digits,
    fiscalYearStartMonth: fsm,
    periods: internal,
    periodTx,
    creditTypeIds: typeIds,
    creditBases: plan.credit.types.map((ty) => ty.amount),
    measures,
    shownMeasures,
    components,
    get credits(): CreditTable {
      // built on first use when the compute phase streamed (its issues were reported then)
      return (creditTable ??= credit().credits);
    },
    quotas: new QuotaBook(columns),
    runner,
    windowStart,
    yearStart,
    issues: [],
    missingQuota: new Set(),
    assigned: assignedOf,
  };

  // Who gets statements.
  let payees: number[];
  if (requested) payees = requested;
  else if (columns.statementPayees) payees = [...columns.statementPayees];
  else {
    let active: Uint8Array;
    if (streamParams) active = creditedPayees(columns, streamParams);
    else {
      active = new Uint8Array(columns.payeeIds.length);
      const credits = creditTable!;
      for (let p = 0; p < columns.payeeIds.length; p++)
        if (credits.payeeStart[p + 1]! > credits.payeeStart[p]!) active[p] = 1;
    }
    for (const q of columns.quotas) active[q.payee] = 1;
    for (const s of columns.scores) active[s.payee] = 1;
    for (const a of columns.adjustments) active[a.payee] = 1;
    for (const l of columns.locked) active[l.payee] = 1;
    for (const c of columns.carried) active[c.payee] = 1;
    for (const o of columns.opening) active[o.payee] = 1;
    payees = [];
    for (let p = 0; p < active.length; p++) if (active[p] === 1) payees.push(p);
  }
  const reportedIndex = reported.map((r) => internal.findIndex((p) => p.label === r.label));
  const R = reported.length;
  const totals = Object.fromEntries(
    TOTAL_NAMES.map((name) => [name, new Float64Array(payees.length * R)]),
  ) as Record<TotalName, Float64Array>;

  const ledgerPeriods = internal.map((p) => ({ label: p.label, firstDay: p.firstDay, lastDay: p.lastDay }));
  const periodIndexOfLabel = (label: string): number => {
    const exact = internal.findIndex((p) => p.label === label);
    if (exact >= 0) return exact;
    const span = parsePeriodLabel(label, fsm);
    if (!span) return -1;
    return internal.findIndex((p) => p.firstDay <= span.lastDay && span.lastDay <= p.lastDay);
  };
  const adjustmentsOf = new Map<number, CompColumns['adjustments']>();
  for (const a of columns.adjustments) {
    let list = adjustmentsOf.get(a.payee);
    if (!list) adjustmentsOf.set(a.payee, (list = []));
    list.push(a);
  }
  const lockedOf = new Map<number, CompColumns['locked']>();
  for (const l of columns.locked) {
    let list = lockedOf.get(l.payee);
    if (!list) lockedOf.set(l.payee, (list = []));
    list.push(l);
  }
  // Pay carried from before the first period, by payee, its deal resolved to a transaction index.
  const carriedOf = new Map<number, NonNullable<LedgerInput['carried']>>();
  if (columns.carried.length > 0) {
    const indexOfId = new Map<string, number>();
    for (let i = 0; i < t.count; i++) indexOfId.set(t.id[i]!, i);
    for (const c of columns.carried) {
      const transaction = indexOfId.get(c.transaction);
      if (transaction === undefined) {
        issues.push({
          code: 'unknown_transaction',
          message: `Pay carried for ${columns.payeeIds[c.payee]} names transaction "${c.transaction}", which is not in the input; it is not clawed back or released`,
          payee: columns.payeeIds[c.payee]!,
          transaction: c.transaction,
        });
        continue;
      }
      let list = carriedOf.get(c.payee);
      if (!list) carriedOf.set(c.payee, (list = []));
      list.push({ transaction, earnedMinor: c.earnedMinor, heldMinor: c.heldMinor, periods: c.periods });
    }
  }
  const openingOf = new Map<number, NonNullable<LedgerInput['opening']>>();
  for (const o of columns.opening)
    openingOf.set(o.payee, {
      drawOwedMinor: o.drawOwedMinor,
      balanceOwedMinor: o.balanceOwedMinor,
      ...(o.since !== undefined ? { balanceOwedSince: o.since } : {}),
    });
  const ledgerTransaction = (index: number) => ({
    id: t.id[index]!,
    name: t.name[index]!,
    day: t.day[index]!,
    amountMinor: t.amount[index]!,
    ...(t.cancelledDay[index] !== NO_DAY ? { cancelledDay: t.cancelledDay[index]! } : {}),
    collections: Array.from(
      { length: t.collectionStart[index + 1]! - t.collectionStart[index]! },
      (_, k) => ({
        day: t.collectionDay[t.collectionStart[index]! + k]!,
        amountMinor: t.collectionAmount[t.collectionStart[index]! + k]!,
      }),
    ),
  });
  const ledgerFor = (payee: number, earnings: LedgerEarning[][], explain: boolean): LedgerPeriodResult[] =>
    applyLedger({
      plan,
      currency: columns.currency,
      digits: columns.digits,
      payee: columns.payeeIds[payee]!,
      payeeName: columns.payeeNames[payee]!,
      periods: ledgerPeriods,
      earnings,
      transaction: ledgerTransaction,
      adjustments: (adjustmentsOf.get(payee) ?? []).map((a) => ({
        id: a.id,
        periodIndex: periodIndexOfLabel(a.period),
        amountMinor: a.amountMinor,
        reason: a.reason,
        approver: a.approver,
      })),
      locked: (lockedOf.get(payee) ?? []).map((l) => ({
        periodIndex: internal.findIndex((p) => p.label === l.period),
        earningsMinor: l.earningsMinor,
        ...(l.lines ? { lines: l.lines } : {}),
      })),
      ...(carriedOf.has(payee) ? { carried: carriedOf.get(payee)! } : {}),
      ...(openingOf.has(payee) ? { opening: openingOf.get(payee)! } : {}),
      ...(assignedOf.has(payee) ? { assigned: assignedOf.get(payee)! } : {}),
      explain,
    });
  const keepFor = (payee: number): 'all' | 'cancelled' | 'none' =>
    plan.hold !== undefined || (lockedOf.get(payee) ?? []).some((l) => l.lines !== undefined)
      ? 'all'
      : plan.clawback !== undefined
        ? 'cancelled'
        : 'none';

  // The compute phase: every statement payee, totals only.
  const sink = new TotalsSink(engine, P);
  let lineCount = 0;
  const ledgerLines = new Map<number, LedgerLine[][]>();
  const simpleLedger = plan.draw === undefined && plan.clawback === undefined && plan.hold === undefined;
  /** Totals of payee x from its earnings per internal period; the ledger only when it has something to do. */
  const settlePayee = (x: number, payee: number, earned: Float64Array, earnings: () => LedgerEarning[][]) => {
    let trivial =
      simpleLedger &&
      !adjustmentsOf.has(payee) &&
      !lockedOf.has(payee) &&
      !carriedOf.has(payee) &&
      !openingOf.has(payee);
    for (let j = 0; trivial && j < P; j++) if (earned[j]! < 0) trivial = false;
    if (trivial) {
      // no draw, clawback, hold, adjustment or locked period, nothing negative: earnings are paid as is
      for (let r = 0; r < R; r++) {
        const e = earned[reportedIndex[r]!]!;
        totals.earnings[x * R + r] = e;
        totals.payable[x * R + r] = e;
      }
      return;
    }
    const ledger = ledgerFor(payee, earnings(), false);
    for (let r = 0; r < R; r++) {
      const j = reportedIndex[r]!;
      const periodTotals = ledger[j]!.totals;
      for (const name of TOTAL_NAMES) totals[name][x * R + r] = periodTotals[name];
      lineCount += ledger[j]!.lines.length;
    }
    if (ledger.some((l) => l.lines.length > 0))
      ledgerLines.set(
        x,
        ledger.map((l) => l.lines),
      );
  };
  options.onProgress?.(0, payees.length, 'compute');
  if (streamParams) {
    const streamed = streamCommissions(engine, streamParams, payees);
    issues.push(...streamed.issues);
    const earned = new Float64Array(P);
    for (let x = 0; x < payees.length; x++) {
      for (let j = 0; j < P; j++) earned[j] = streamed.earnings[x * P + j]!;
      for (let r = 0; r < R; r++) lineCount += streamed.lines[x * P + reportedIndex[r]!]!;
      settlePayee(x, payees[x]!, earned, () =>
        Array.from(earned, (sum) =>
          sum !== 0 ? [{ lineId: 'earnings', kind: 'commission' as LineKind, amountMinor: sum }] : [],
        ),
      );
    }
  } else {
    for (let x = 0; x < payees.length; x++) {
      const payee = payees[x]!;
      sink.reset(keepFor(payee));
      computePayee(engine, payee, sink);
      settlePayee(x, payee, sink.earnings, () => sink.ledgerEarnings());
      if ((x & 1023) === 1023) options.onProgress?.(x + 1, payees.length, 'compute');
    }
    // earnings lines in the reported periods (the sink counted every internal period)
    lineCount += countReportedLines(engine, payees, sink, reportedIndex, P);
  }
  options.onProgress?.(payees.length, payees.length, 'compute');
  issues.push(...engine.issues, ...runner.allIssues());

  // Materialisation, on demand, for one payee at a time (cached for consecutive statements).
  let cached:
    { x: number; lines: MaterialLine[]; frame: PayeeFrame; ledger: LedgerPeriodResult[] } | undefined;
  const materialise = (x: number) => {
    if (cached?.x === x) return cached;
    const payee = payees[x]!;
    const list = new ListSink(engine, true);
    const frame = computePayee(engine, payee, list);
    const earnings: LedgerEarning[][] = Array.from({ length: P }, () => []);
    for (const line of list.lines)
      earnings[line.periodIndex]!.push(
        ledgerEarning(
          engine,
          line.id,
          line.kind,
          line.component,
          line.credit >= 0 ? engine.credits.tx[line.credit]! : -1,
          line.amountMinor,
        ),
      );
    const ledger = ledgerFor(payee, earnings, true);
    cached = { x, lines: list.lines, frame, ledger };
    return cached;
  };
  const dec = (minor: number) => minorToDecimal(minor, columns.digits);

  const explainPlan = explainPlanOf(engine);
  /**
   * One period of one payee for storage: lines traced in that period only; the other periods'
   * earnings reach the ledger as the compute phase hands them (sums, and the lines it keeps).
   */
  const materialisePeriod = (x: number, j: number) => {
    const payee = payees[x]!;
    const sink = new PeriodSink(engine, P, j, keepFor(payee));
    const frame = computePayee(engine, payee, sink);
    const ledger = ledgerFor(payee, sink.ledgerEarnings(), true);
    return { lines: sink.lines, frame, ledger };
  };
  const recordOf = (
    x: number,
    r: number,
    { lines, frame, ledger }: { lines: MaterialLine[]; frame: PayeeFrame; ledger: LedgerPeriodResult[] },
  ): StatementRecord => {
    const j = reportedIndex[r]!;
    const payee = payees[x]!;
    const measureValues: MeasureValue[] = [];
    for (let m = 0; m < shownMeasures; m++) {
      const value = measureValue(engine, frame, m, j);
      const quota = frame.quota[m * P + j]!;
      measureValues.push({
        id: measures[m]!.id,
        value: dec(value),
        ...(quota === quota ? { quota: dec(quota), attainment: attainmentText(value, quota) } : {}),
      });
    }
    const records: StatementLineRecord[] = [];
    for (const line of lines) {
      if (line.periodIndex !== j) continue;
      records.push({ source: 'earning', facts: earningFacts(engine, frame, line) });
    }
    for (const line of ledger[j]!.lines) {
      records.push({
        source: 'ledger',
        line: {
          id: line.id,
          kind: line.kind,
          ...(line.component !== undefined ? { component: line.component } : {}),
          ...(line.transaction !== undefined ? { transaction: t.id[line.transaction]! } : {}),
          amount: dec(line.amountMinor),
          trace: line.trace,
          explanation: line.explanation,
        },
      });
    }
    const periodTotals = ledger[j]!.totals;
    return {
      header: {
        payee: columns.payeeIds[payee]!,
        payeeName: columns.payeeNames[payee]!,
        period: reported[r]!.label,
        currency: columns.currency,
        measures: measureValues,
        totals: {
          ...(Object.fromEntries(
            TOTAL_NAMES.map((name) => [name, dec(periodTotals[name])]),
          ) as Statement['totals']),
          ...(periodTotals.drawOwed !== 0 ? { drawOwed: dec(periodTotals.drawOwed) } : {}),
        },
      },
      lines: records,
    };
  };
  const statementRecord = (x: number, r: number): StatementRecord =>
    recordOf(x, r, materialisePeriod(x, reportedIndex[r]!));
  // every period traced (and cached for the payee's next statement): a second path to the same
  // statement, against which the stored one is checked
  const statement = (x: number, r: number): Statement =>
    statementFromRecord(explainPlan, recordOf(x, r, materialise(x)));

  const compact: CompactLine = {
    payeeIndex: 0,
    periodIndex: 0,
    id: '',
    kind: 'commission',
    componentIndex: -1,
    transactionIndex: -1,
    amountMinor: 0,
  };
  const forEachLine = (visit: (line: CompactLine) => void): void => {
    const reportedOf = new Int32Array(P).fill(-1);
    reportedIndex.forEach((j, r) => (reportedOf[j] = r));
    for (let x = 0; x < payees.length; x++) {
      const list = new ListSink(engine, false);
      computePayee(engine, payees[x]!, list);
      for (const line of list.lines) {
        const r = reportedOf[line.periodIndex]!;
        if (r < 0) continue;
        compact.payeeIndex = x;
        compact.periodIndex = r;
        compact.id = line.id;
        compact.kind = line.kind;
        compact.componentIndex = line.component;
        compact.transactionIndex = line.credit >= 0 ? engine.credits.tx[line.credit]! : -1;
        compact.amountMinor = line.amountMinor;
        visit(compact);
      }
      const ledger = ledgerLines.get(x);
      if (!ledger) continue;
      for (let r = 0; r < R; r++) {
        for (const line of ledger[reportedIndex[r]!]!) {
          compact.payeeIndex = x;
          compact.periodIndex = r;
          compact.id = line.id;
          compact.kind = line.kind;
          compact.componentIndex =
            line.component === undefined ? -1 : components.findIndex((c) => c.id === line.component);
          compact.transactionIndex = line.transaction ?? -1;
          compact.amountMinor = line.amountMinor;
          visit(compact);
        }
      }
    }
  };

  const reportedLabels = reported.map((p) => p.label);
  const payeeIds = payees.map((p) => columns.payeeIds[p]!);
  return {
    periods: reportedLabels,
    payeeIds,
    issues,
    totals,
    lineCount,
    forEachLine,
    statement,
    statementRecord,
    toResult(forPlan: PlanDocument): CompResult {
      const statements: Statement[] = [];
      for (let x = 0; x < payees.length; x++) {
        const assigned = assignedOf.get(payees[x]!);
        for (let r = 0; r < R; r++) {
          // a period the payee is not assigned to the plan is only the context of its measures
          if (assigned?.[reportedIndex[r]!] === false) continue;
          statements.push(statement(x, r));
        }
      }
      return {
        engineVersion: ENGINE_VERSION,
        plan: { id: forPlan.id, version: forPlan.version, fingerprint: fingerprintOf(forPlan) },
        inputFingerprint: options.inputFingerprint ?? '',
        currency: columns.currency,
        periods: reportedLabels,
        statements,
        issues,
      };
    },
  };
}

function compileMeasures(plan: PlanDocument, typeIds: string[]): CompiledMeasure[] {
  return plan.measures.map((m, index) => ({
    id: m.id,
    index,
    typeIndex: typeIds.indexOf(m.credit),
    window: m.window,
    ...(m.quota !== undefined ? { quota: m.quota } : {}),
  }));
}

/**
 * What a statement's sentences read from a plan version, without any transaction: the plan's
 * components compiled as a run compiles them (labels, multipliers, thresholds, gates, the
 * synthetic running measures in the same order), for rebuilding a stored statement.
 */
export function explainPlanFor(plan: PlanDocument): ExplainPlan {
  const { columns } = columnsFromInput(plan, { transactions: [] });
  const runner = new ExpressionRunner(columns);
  const typeIds = plan.credit.types.map((ty) => ty.id);
  const measures = compileMeasures(plan, typeIds);
  const shownMeasures = measures.length;
  const components = compileComponents({
    components: plan.components,
    measures,
    typeIds,
    columns,
    runner,
    txFrom: 0,
    txTo: 0,
    parseDay: toDayNumber,
  });
  return {
    digits: columns.digits,
    currency: columns.currency,
    components,
    measureIds: measures.map((m) => m.id),
    shownMeasures,
    creditTypeIds: typeIds,
  };
}

/**
 * The number of earnings lines in the reported periods. The totals sink counts lines of every
 * internal period; when the run reports all of them (the usual case) that is the count.
 */
function countReportedLines(
  e: Engine,
  payees: number[],
  sink: TotalsSink,
  reportedIndex: number[],
  P: number,
): number {
  if (reportedIndex.length === P) {
    const count = sink.lines;
    sink.lines = 0;
    return count;
  }
  // warm-up periods were computed too: count again, per period
  let count = 0;
  const reported = new Uint8Array(P);
  for (const j of reportedIndex) reported[j] = 1;
  const counter: EarningSink = {
    tracing: false,
    add(j: number) {
      if (reported[j] === 1) count++;
    },
  };
  for (const payee of payees) computePayee(e, payee, counter);
  return count;
}
