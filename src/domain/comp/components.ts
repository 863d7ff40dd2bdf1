/**
 * Components (docs/plans.md "Components", "Tiers"): commission, bonus and SPIFF lines of one payee,
 * computed by walking the payee's credit stream (crediting.ts) period by period with typed arrays
 * and no per-row objects. The same walk runs three ways: counting totals (the run's compute phase),
 * listing lines (storage, the ledger), and recording each line's numbers for its trace and
 * explanation (a statement).
 *
 * Cumulative windows longer than the payout period (quarter_to_date tiers paid monthly) pay
 * "earned to date in the window minus paid in earlier periods of the window": when the window's
 * quota changes (monthly quotas adding up to date), the earlier credits of the window are re-priced
 * under the new quota and the difference is a `retro_adjustment` line `<component>:true-up`.
 * Thresholds and gates defer pay inside the window (paid by that true-up once met); caps per deal,
 * period and year cut it for good. Every cut is in the line's trace. A period the payee is not
 * assigned to the plan is walked as context (positions and running state advance) but pays,
 * defers and counts toward caps nothing, and true-ups re-price assigned periods only.
 */
import type { CompColumns } from './comp-columns.ts';
import { parsePeriodLabel, type CompPeriod } from './comp-periods.ts';
import { ExpressionRunner } from './comp-conditions.ts';
import type { CompIssue, LineKind } from './comp-types.ts';
import type { CreditTable } from './crediting.ts';
import { decimalToMinor, divideHalfEvenBig, multiplyPpm } from './exact-money.ts';
import { QuotaBook, type CompiledMeasure } from './measures.ts';
import type { CompiledExpression } from './plan-expressions.ts';
import type { PlanComponent } from './plan-document.ts';
import {
  bandAt,
  compileTiers,
  exactPay,
  interpolateExact,
  overlap,
  placeBands,
  roundMillionths,
  spreadOverBands,
  type CompiledTiers,
} from './tiers.ts';

const spread: number[] = [];

export type LineMethod = 'flat' | 'rate_table' | 'marginal' | 'whole' | 'retroactive' | 'interpolated';

export const M_FLAT = 0;
const M_TABLE = 1;
export const M_MARGINAL = 2;
export const M_WHOLE = 3;
const M_RETRO = 4;
const M_INTERP = 5;
const M_PER_DEAL = 6;
const METHOD_NAMES: LineMethod[] = [
  'flat',
  'rate_table',
  'marginal',
  'whole',
  'retroactive',
  'interpolated',
  'flat',
];

const MAX_MASKED = 10;

export type CompiledMultiplier = {
  label: string;
  factorPpm: number;
  /** Condition multipliers: per transaction (in the component's mask) or per credit. */
  when?: CompiledExpression;
  perCredit: boolean;
  /** Attainment multipliers: the measure, and the bounds (ppm) the attainment before the deal must pass. */
  measure: number;
  abovePpm?: number;
  belowPpm?: number;
};

export type CompiledComponent = {
  index: number;
  id: string;
  label: string;
  kind: 'commission' | 'bonus' | 'spiff';
  typeIndex: number;
  whenTx: Uint8Array | null;
  whenCredit?: CompiledExpression;
  methodCode: number;
  ratePpm: number;
  perDealMinor: number;
  rateTable?: {
    keyTx: Int32Array;
    values: string[];
    rates: Record<string, number>;
    defaultPpm?: number;
    rateByCode: number[];
  };
  tiers?: CompiledTiers;
  tierMeasure: number;
  multipliers: CompiledMultiplier[];
  /** Bits of the per-transaction condition multipliers that hold. */
  maskTx: Uint8Array | Uint16Array | null;
  /** Indexes of `whenTx` and `maskTx` in the credit table's carried arrays (-1 when not carried). */
  whenCarry: number;
  maskCarry: number;
  /** Π factors of a mask (ppm), NaN when not a whole ppm (the exact BigInt path is used). */
  factorByMask: Float64Array;
  threshold?: { measure: number; minPpm: number };
  gate?: { measure: number; minPpm: number; capMinor: number };
  capDeal: number;
  capPeriod: number;
  capYear: number;
  /** The measure whose window the component's pay accumulates over (-1: the period). */
  windowMeasure: number;
  spiffFrom: number;
  spiffTo: number;
  bonus?: { amountMinor: number; basis: 'score' | 'attainment'; measure: number; maxPayoutPpm: number };
  /** Measures whose running value the walk keeps (tier and multiplier measures). */
  tracked: number[];
  /**
   * Effective rates (rate × factors, ppm) by mask and band for the fast loop, or null when the
   * component needs the general walk.
   */
  fastRates: Float64Array | null;
};

/** What a run computes with: the plan compiled against the columns for the internal periods. */
export type Engine = {
  columns: CompColumns;
  digits: number;
  fiscalYearStartMonth: number;
  periods: CompPeriod[];
  /** Transactions of period j are [periodTx[j], periodTx[j + 1]). */
  periodTx: Int32Array;
  creditTypeIds: string[];
  creditBases: ('amount' | 'margin' | 'units' | 'count')[];
  measures: CompiledMeasure[];
  /** Measures shown on statements (the plan's; synthetic running measures are not). */
  shownMeasures: number;
  components: CompiledComponent[];
  credits: CreditTable;
  quotas: QuotaBook;
  runner: ExpressionRunner;
  /** windowStart[m * P + j]: the first internal period of measure m's window ending with period j. */
  windowStart: Int32Array;
  /** The first internal period of the fiscal year of period j. */
  yearStart: Int32Array;
  issues: CompIssue[];
  missingQuota: Set<string>;
  /**
   * Per payee named in the input's assignments, whether they are assigned to the plan in each
   * internal period; a payee not in the map is assigned in every period. An unassigned period is
   * computed as context (tier positions, attainment and running state advance) and pays nothing
   * (docs/plans.md "The ledger", months a payee is not assigned).
   */
  assigned: ReadonlyMap<number, readonly boolean[]>;
};

/** A cut by a threshold, a gate or a cap (for the trace). */
export type Cut = {
  cap: 'threshold' | 'gate' | 'per_deal' | 'per_period' | 'per_year';
  beforeMinor: number;
  afterMinor: number;
};

/** The numbers behind one line, recorded only when a statement is materialised. */
export type EarningDetail = {
  method?: LineMethod;
  basis?: 'amount' | 'attainment';
  ratePpm?: number;
  multipliers: number[];
  portions?: { tier: number; amountMinor: number; ratePpm: number | string; payMinor: number }[];
  positionBeforeMinor?: number;
  positionAfterMinor?: number;
  quotaMinor?: number;
  rawMinor: number;
  cuts: Cut[];
  trueUp?: { earnedMinor: number; paidMinor: number; deferredMinor: number };
  retro?: { creditsMinor: string; ratePpm: number; paidBeforeMinor: number; targetMinor: number };
  bonus?: {
    amountMinor: number;
    scorePpm?: number;
    valueMinor?: number;
    quotaMinor?: number;
    maxPayoutPpm?: number;
    scorePeriod?: string;
  };
  spiff?: { perDealMinor?: number; sharePpm: number };
  interpolated?: { beforeMinor: number; afterMinor: number };
};

/** Receives a payee's earnings lines. */
export interface EarningSink {
  readonly tracing: boolean;
  /** When given, lines are traced only in the periods it accepts (a statement of one period). */
  tracesPeriod?(periodIndex: number): boolean;
  /** Whether the sink only sums: the walk may then hand it a period's lines as one sum. */
  readonly bulk?: boolean;
  addBulk?(periodIndex: number, amountMinor: number, lines: number): void;
  add(
    periodIndex: number,
    kind: LineKind,
    component: number,
    credit: number,
    amountMinor: number,
    detail: EarningDetail | undefined,
    idSuffix: string | undefined,
  ): void;
}

// ---------------------------------------------------------------------------------------------
// Compilation

function money(text: string | undefined, digits: number): number {
  if (text === undefined) return Infinity;
  return decimalToMinor(text, digits);
}

/**
 * Compiles the plan's components: conditions evaluated once per transaction of [txFrom, txTo)
 * into typed arrays, rates and factors resolved, synthetic running measures added where amount
 * tiers need one.
 */
export function compileComponents(args: {
  components: PlanComponent[];
  measures: CompiledMeasure[];
  typeIds: string[];
  columns: CompColumns;
  runner: ExpressionRunner;
  txFrom: number;
  txTo: number;
  parseDay: (text: string) => number;
}): CompiledComponent[] {
  const { measures, typeIds, columns, runner, txFrom, txTo } = args;
  const n = columns.transactions.count;
  const digits = columns.digits;
  const measureIndex = (id: string | undefined): number =>
    id === undefined ? -1 : measures.findIndex((m) => m.id === id);
  return args.components.map((c, index) => {
    const path = `components[${index}]`;
    const typeId = c.kind === 'bonus' ? c.credit : c.credit;
    const typeIndex = typeId === undefined ? -1 : typeIds.indexOf(typeId);
    const when = runner.compile(c.when, `${path}.when`);
    let whenTx: Uint8Array | null = null;
    let whenCredit: CompiledExpression | undefined;
    if (c.when !== undefined && !when) whenTx = new Uint8Array(n); // never applies
    if (when && ExpressionRunner.perCredit(when)) whenCredit = when;
    else if (when) {
      whenTx = new Uint8Array(n);
      runner.conditionPerTransaction(when, txFrom, txTo, whenTx);
    }
    const multipliers: CompiledMultiplier[] = c.multipliers.map((m, k) => {
      const expression = runner.compile(m.when, `${path}.multipliers[${k}].when`);
      const isAttainment = m.attainment_above !== undefined || m.attainment_below !== undefined;
      let measure = measureIndex(m.measure);
      if (isAttainment && measure < 0 && c.kind === 'commission' && c.tiers?.measure)
        measure = measureIndex(c.tiers.measure);
      if (isAttainment && measure < 0 && c.kind === 'bonus') measure = measureIndex(c.measure);
      return {
        label: m.label,
        factorPpm: m.factor,
        ...(expression ? { when: expression } : {}),
        perCredit: expression !== undefined && ExpressionRunner.perCredit(expression),
        measure: isAttainment ? measure : -1,
        ...(m.attainment_above !== undefined ? { abovePpm: m.attainment_above } : {}),
        ...(m.attainment_below !== undefined ? { belowPpm: m.attainment_below } : {}),
      };
    });
    // a multiplier whose `when` does not compile never applies
    const broken = c.multipliers.map((m, k) => m.when !== undefined && multipliers[k]!.when === undefined);
    let maskTx: Uint8Array | Uint16Array | null = null;
    const maskedWhen: CompiledExpression[] = [];
    const maskedBits: number[] = [];
    multipliers.forEach((m, k) => {
      if (k >= MAX_MASKED) return;
      if (m.when && !m.perCredit) {
        maskedWhen.push(m.when);
        maskedBits.push(1 << k);
      }
    });
    if (maskedWhen.length > 0) {
      // up to 8 multipliers: one byte per transaction
      maskTx = multipliers.length <= 8 ? new Uint8Array(n) : new Uint16Array(n);
      // conditions on one column: one lookup per transaction for all of them
      if (!runner.masksPerTransaction(maskedWhen, maskedBits, txFrom, txTo, maskTx)) {
        maskTx.fill(0);
        const result = new Uint8Array(n);
        for (let q = 0; q < maskedWhen.length; q++) {
          runner.conditionPerTransaction(maskedWhen[q]!, txFrom, txTo, result);
          const bit = maskedBits[q]!;
          for (let i = txFrom; i < txTo; i++) if (result[i] === 1) maskTx[i]! |= bit;
        }
      }
    }
    const masked = Math.min(multipliers.length, MAX_MASKED);
    const factorByMask = new Float64Array(1 << masked);
    for (let mask = 0; mask < factorByMask.length; mask++) {
      let factor: number | undefined = 1_000_000;
      for (let k = 0; k < masked; k++) {
        if ((mask & (1 << k)) === 0) continue;
        factor = factor === undefined ? undefined : multiplyPpm(factor, multipliers[k]!.factorPpm);
      }
      factorByMask[mask] = factor ?? NaN;
    }
    void broken;
    let methodCode = M_FLAT;
    let ratePpm = 0;
    let perDealMinor = NaN;
    let rateTable: CompiledComponent['rateTable'];
    let tiers: CompiledTiers | undefined;
    let tierMeasure = -1;
    let windowMeasure = -1;
    let spiffFrom = 0;
    let spiffTo = 0;
    let bonus: CompiledComponent['bonus'];
    if (c.kind === 'commission') {
      if (c.tiers) {
        const compiled = compileTiers(c.tiers, digits);
        tiers = compiled.tiers;
        methodCode =
          c.tiers.method === 'marginal'
            ? M_MARGINAL
            : c.tiers.method === 'whole'
              ? M_WHOLE
              : c.tiers.method === 'retroactive'
                ? M_RETRO
                : M_INTERP;
        if (c.tiers.scope === 'cumulative') {
          tierMeasure = measureIndex(c.tiers.measure);
          if (tierMeasure < 0) {
            // amount tiers on the component's own running credit in the period
            tierMeasure = measures.length;
            measures.push({ id: `${c.id}:running`, index: tierMeasure, typeIndex, window: 'period' });
          }
          windowMeasure = tierMeasure;
        } else if (c.tiers.basis === 'attainment') {
          tierMeasure = measureIndex(c.tiers.measure);
        }
      } else if (c.rate_table) {
        methodCode = M_TABLE;
        const key = runner.compile(c.rate_table.key, `${path}.rate_table.key`);
        const values: string[] = [];
        const keyTx = new Int32Array(n).fill(-1);
        if (key) runner.keyPerTransaction(key, txFrom, txTo, keyTx, values);
        const rates = c.rate_table.rates;
        const defaultPpm = c.rate_table.default;
        rateTable = {
          keyTx,
          values,
          rates,
          ...(defaultPpm !== undefined ? { defaultPpm } : {}),
          rateByCode: values.map((v) => rates[v] ?? defaultPpm ?? 0),
        };
      } else {
        ratePpm = c.rate ?? 0;
      }
    } else if (c.kind === 'spiff') {
      spiffFrom = args.parseDay(c.from);
      spiffTo = args.parseDay(c.to);
      if (c.amount_per_deal !== undefined) {
        methodCode = M_PER_DEAL;
        perDealMinor = decimalToMinor(c.amount_per_deal, digits);
      } else ratePpm = c.rate ?? 0;
    } else {
      const measure = measureIndex(c.measure);
      bonus = {
        amountMinor: decimalToMinor(c.amount, digits),
        basis: c.basis,
        measure,
        maxPayoutPpm: c.max_payout ?? Infinity,
      };
      if (c.tiers) tiers = compileTiers(c.tiers, digits).tiers;
      if (c.basis === 'attainment') windowMeasure = measure;
    }
    const threshold = c.threshold
      ? { measure: measureIndex(c.threshold.measure), minPpm: c.threshold.min_attainment }
      : undefined;
    const gate = c.gate
      ? {
          measure: measureIndex(c.gate.measure),
          minPpm: c.gate.min_attainment,
          capMinor: money(c.gate.cap, digits),
        }
      : undefined;
    if (windowMeasure < 0 && threshold && threshold.measure >= 0) windowMeasure = threshold.measure;
    const tracked = new Set<number>();
    if (tierMeasure >= 0 && tiers?.scope === 'cumulative') tracked.add(tierMeasure);
    for (const m of multipliers) if (m.measure >= 0) tracked.add(m.measure);
    let fastRates: Float64Array | null = null;
    const simple =
      c.kind === 'commission' &&
      (methodCode === M_FLAT || methodCode === M_MARGINAL || methodCode === M_WHOLE) &&
      !whenCredit &&
      multipliers.every((m) => !m.perCredit && m.measure < 0) &&
      multipliers.length <= MAX_MASKED &&
      !threshold &&
      !gate &&
      c.cap === undefined &&
      (tierMeasure < 0 || tiers?.scope !== 'cumulative' || measures[tierMeasure]!.typeIndex === typeIndex);
    if (simple) {
      const bandRates = methodCode === M_FLAT ? [ratePpm] : tiers!.ratePpm;
      const stride = bandRates.length;
      const table = new Float64Array(factorByMask.length * stride);
      let exact = true;
      for (let mask = 0; mask < factorByMask.length; mask++)
        for (let b = 0; b < stride; b++) {
          const rate = (bandRates[b]! * factorByMask[mask]!) / 1_000_000;
          table[mask * stride + b] = rate;
          if (!Number.isInteger(rate)) exact = false;
        }
      if (exact) fastRates = table;
    }
    return {
      index,
      id: c.id,
      label: c.label ?? c.id,
      kind: c.kind,
      typeIndex,
      whenTx,
      ...(whenCredit ? { whenCredit } : {}),
      methodCode,
      ratePpm,
      perDealMinor,
      ...(rateTable ? { rateTable } : {}),
      ...(tiers ? { tiers } : {}),
      tierMeasure,
      multipliers,
      maskTx,
      whenCarry: -1,
      maskCarry: -1,
      factorByMask,
      ...(threshold ? { threshold } : {}),
      ...(gate ? { gate } : {}),
      capDeal: money(c.cap?.per_deal, digits),
      capPeriod: money(c.cap?.per_period, digits),
      capYear: money(c.cap?.per_year, digits),
      windowMeasure,
      spiffFrom,
      spiffTo,
      ...(bonus ? { bonus } : {}),
      tracked: [...tracked].sort((a, b) => a - b),
      fastRates,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// One payee

/** A payee's sums per credit type and period, measure values and quotas. */
export type PayeeFrame = {
  payee: number;
  /** Credits of period j are [creditStart[j], creditStart[j + 1]). */
  creditStart: Int32Array;
  /** prefix[type * (P + 1) + j]: Σ credits (with reversals) of the periods before j. */
  prefix: Float64Array;
  /** quota[m * P + j], NaN when missing. */
  quota: Float64Array;
  /** Reversals of period j are [reversalStart[j], reversalStart[j + 1]) in the credit table's reversal arrays. */
  reversalStart: Int32Array;
};

/** Builds a payee's frame: one pass over their credits. */
export function payeeFrame(e: Engine, payee: number): PayeeFrame {
  const P = e.periods.length;
  const credits = e.credits;
  const c0 = credits.payeeStart[payee]!;
  const c1 = credits.payeeStart[payee + 1]!;
  const creditStart = new Int32Array(P + 1);
  let k = c0;
  for (let j = 0; j < P; j++) {
    creditStart[j] = k;
    const end = e.periodTx[j + 1]!;
    // credits are in transaction order: a binary search for the first credit of the next period
    let lo = k;
    let hi = c1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (credits.tx[mid]! < end) lo = mid + 1;
      else hi = mid;
    }
    k = lo;
  }
  creditStart[P] = k;
  const types = credits.amounts.length;
  const prefix = new Float64Array(types * (P + 1));
  for (let t = 0; t < types; t++) {
    const amounts = credits.amounts[t]!;
    let running = 0;
    for (let j = 0; j < P; j++) {
      prefix[t * (P + 1) + j] = running;
      for (let q = creditStart[j]!; q < creditStart[j + 1]!; q++) {
        const v = amounts[q]!;
        if (v === v) running += v;
      }
    }
    prefix[t * (P + 1) + P] = running;
  }
  // reversals: subtract in the period of the cancellation day
  const r0 = credits.reversalStart[payee]!;
  const r1 = credits.reversalStart[payee + 1]!;
  const reversalStart = new Int32Array(P + 1);
  if (r1 > r0) {
    let r = r0;
    for (let j = 0; j < P; j++) {
      while (r < r1 && credits.reversalDay[r]! < e.periods[j]!.firstDay) r++;
      reversalStart[j] = r;
      let q = r;
      while (q < r1 && credits.reversalDay[q]! <= e.periods[j]!.lastDay) q++;
      for (let t = 0; t < types; t++) {
        let sum = 0;
        for (let x = r; x < q; x++) {
          const v = credits.amounts[t]![credits.reversalCredit[x]!]!;
          if (v === v) sum += v;
        }
        if (sum !== 0) for (let jj = j + 1; jj <= P; jj++) prefix[t * (P + 1) + jj]! -= sum;
      }
      r = q;
    }
    reversalStart[P] = r;
  } else reversalStart.fill(r0);
  const M = e.measures.length;
  const quota = new Float64Array(M * P).fill(NaN);
  for (let m = 0; m < M; m++) {
    const measure = e.measures[m]!;
    if (measure.quota === undefined) continue;
    for (let j = 0; j < P; j++) {
      const q = e.quotas.windowQuota(
        payee,
        measure.quota,
        e.periods[j]!,
        measure.window,
        e.fiscalYearStartMonth,
      );
      if (q) quota[m * P + j] = q.quotaMinor;
    }
  }
  return { payee, creditStart, prefix, quota, reversalStart };
}

/** A measure's value at the end of period j (its window). */
export function measureValue(e: Engine, f: PayeeFrame, m: number, j: number): number {
  const P = e.periods.length;
  const t = e.measures[m]!.typeIndex;
  if (t < 0) return 0;
  const ws = e.windowStart[m * P + j]!;
  return f.prefix[t * (P + 1) + j + 1]! - f.prefix[t * (P + 1) + ws]!;
}

/** A measure's value before period j starts, within the window ending with j. */
function measureBefore(e: Engine, f: PayeeFrame, m: number, j: number): number {
  const P = e.periods.length;
  const t = e.measures[m]!.typeIndex;
  if (t < 0) return 0;
  const ws = e.windowStart[m * P + j]!;
  return f.prefix[t * (P + 1) + j]! - f.prefix[t * (P + 1) + ws]!;
}

function noteMissingQuota(e: Engine, f: PayeeFrame, m: number, j: number): void {
  noteMissingQuotaOf(e, f.payee, m, j);
}

/** Notes (once per payee and measure) that a measure has no quota in period j. */
export function noteMissingQuotaOf(e: Engine, payee: number, m: number, j: number): void {
  const f = { payee };
  const key = `${f.payee}:${m}`;
  if (e.missingQuota.has(key)) return;
  e.missingQuota.add(key);
  const measure = e.measures[m]!;
  if (e.issues.length < 1000)
    e.issues.push({
      code: 'missing_quota',
      message: `No ${measure.quota ?? measure.id} quota for ${e.columns.payeeIds[f.payee]} in ${e.periods[j]!.label}: attainment of ${measure.id} is not computed`,
      payee: e.columns.payeeIds[f.payee]!,
      period: e.periods[j]!.label,
    });
}

/** The mutable state of one component's walk for one payee. */
class Walk {
  readonly run: Float64Array;
  bandFrom: Float64Array;
  bandTo: Float64Array;
  points: Float64Array;
  bandCount = 0;
  pointCount = 0;
  tierQuota = NaN;
  /** Per multiplier: the attainment bound as a whole value (above: floor, below: ceil); NaN = no quota. */
  readonly multBound: Float64Array;
  band = -1;
  retroW = 0n;
  retroPaid = 0;
  interpPaid = 0;
  // settlement
  /** Whether the payee is assigned to the plan in the period being walked: if not, nothing is paid. */
  assigned = true;
  periodPaid = 0;
  yearPaid = 0;
  deferred = 0;
  thresholdMet = true;
  gateCap = Infinity;
  cuts: Cut[] | null = null;

  constructor(measures: number, comp: CompiledComponent) {
    this.run = new Float64Array(measures);
    const bands = comp.tiers ? comp.tiers.from.length : 0;
    this.bandFrom = new Float64Array(bands);
    this.bandTo = new Float64Array(bands);
    this.points = new Float64Array(comp.tiers ? comp.tiers.pointAt.length : 0);
    this.bandCount = bands;
    this.pointCount = this.points.length;
    this.multBound = new Float64Array(comp.multipliers.length);
  }

  resetTierState(): void {
    this.band = -1;
    this.retroW = 0n;
    this.retroPaid = 0;
    this.interpPaid = 0;
  }
}

/** Context of a period: the quotas the walk prices with (a change re-prices the window). */
function contextOf(e: Engine, f: PayeeFrame, comp: CompiledComponent, w: Walk, j: number): string {
  const P = e.periods.length;
  let key = '';
  const tiers = comp.tiers;
  if (tiers && tiers.basis === 'attainment' && comp.tierMeasure >= 0) {
    const q = f.quota[comp.tierMeasure * P + j]!;
    w.tierQuota = q;
    if (q !== q) noteMissingQuota(e, f, comp.tierMeasure, j);
    else placeBands(tiers, q, w.bandFrom, w.bandTo, w.points);
    key += `${q}|`;
  } else if (tiers) {
    placeBands(tiers, 0, w.bandFrom, w.bandTo, w.points);
  }
  comp.multipliers.forEach((m, k) => {
    if (m.measure < 0) return;
    const q = f.quota[m.measure * P + j]!;
    if (q !== q) {
      w.multBound[k] = NaN;
      noteMissingQuota(e, f, m.measure, j);
    } else if (m.abovePpm !== undefined) w.multBound[k] = floorDiv(q, m.abovePpm);
    else w.multBound[k] = ceilDiv(q, m.belowPpm ?? 0);
    key += `${q}|`;
  });
  return key;
}

function floorDiv(quota: number, ppm: number): number {
  const exact = BigInt(quota) * BigInt(ppm);
  let q = exact / 1_000_000n;
  if (exact < 0n && q * 1_000_000n !== exact) q -= 1n;
  return Number(q);
}

function ceilDiv(quota: number, ppm: number): number {
  const exact = BigInt(quota) * BigInt(ppm);
  let q = exact / 1_000_000n;
  if (exact > 0n && q * 1_000_000n !== exact) q += 1n;
  return Number(q);
}

/**
 * Applies threshold, gate and caps to a raw line amount; returns what is paid. In a period the
 * payee is not assigned to the plan nothing is paid, deferred or counted toward a cap: the line is
 * only the context of the periods that are.
 */
function settle(w: Walk, comp: CompiledComponent, raw: number): number {
  if (!w.assigned) return 0;
  let amount = raw;
  if (!w.thresholdMet) {
    w.deferred += raw;
    if (w.cuts && raw !== 0) w.cuts.push({ cap: 'threshold', beforeMinor: raw, afterMinor: 0 });
    return 0;
  }
  if (amount > 0 && w.gateCap !== Infinity) {
    const allowed = Math.max(0, w.gateCap - w.periodPaid);
    if (amount > allowed) {
      w.deferred += amount - allowed;
      if (w.cuts) w.cuts.push({ cap: 'gate', beforeMinor: amount, afterMinor: allowed });
      amount = allowed;
    }
  }
  if (amount > 0 && comp.capPeriod !== Infinity) {
    const allowed = Math.max(0, comp.capPeriod - w.periodPaid);
    if (amount > allowed) {
      if (w.cuts) w.cuts.push({ cap: 'per_period', beforeMinor: amount, afterMinor: allowed });
      amount = allowed;
    }
  }
  if (amount > 0 && comp.capYear !== Infinity) {
    const allowed = Math.max(0, comp.capYear - w.yearPaid);
    if (amount > allowed) {
      if (w.cuts) w.cuts.push({ cap: 'per_year', beforeMinor: amount, afterMinor: allowed });
      amount = allowed;
    }
  }
  w.periodPaid += amount;
  w.yearPaid += amount;
  return amount;
}

function traces(sink: EarningSink, j: number): boolean {
  return sink.tracing && (sink.tracesPeriod === undefined || sink.tracesPeriod(j));
}

function multipliersOf(mask: number, count: number): number[] {
  const list: number[] = [];
  for (let k = 0; k < count; k++) if ((mask & (1 << k)) !== 0) list.push(k);
  return list;
}

function factorsOf(comp: CompiledComponent, mask: number): number[] {
  return multipliersOf(mask, comp.multipliers.length).map((k) => comp.multipliers[k]!.factorPpm);
}

let fastLines = 0;

/**
 * The compute phase's loop for the common commission (flat, marginal or whole rates; multipliers on
 * deal conditions only; no caps, thresholds or gates; no reversals in the period): the period's
 * total and line count (in `fastLines`), with the same arithmetic as `walkPeriod`, no calls per line.
 */
function fastPeriodSum(
  e: Engine,
  f: PayeeFrame,
  comp: CompiledComponent,
  w: Walk,
  j: number,
  start: number,
): number {
  const credits = e.credits;
  const txOf = credits.tx;
  const amounts = credits.amounts[comp.typeIndex]!;
  // the conditions copied per credit while crediting: read in order, no random access by transaction
  const whenC = comp.whenCarry >= 0 ? credits.carried[comp.whenCarry]! : null;
  const maskC = comp.maskCarry >= 0 ? credits.carried[comp.maskCarry]! : null;
  const whenTx = whenC === null ? comp.whenTx : null;
  const maskTx = maskC === null ? comp.maskTx : null;
  const eff = comp.fastRates!;
  const nb = w.bandCount;
  const bandFrom = w.bandFrom;
  const bandTo = w.bandTo;
  const method = comp.methodCode;
  const tiers = comp.tiers;
  const cumulative = tiers !== undefined && tiers.scope === 'cumulative';
  const noQuota = tiers !== undefined && tiers.basis === 'attainment' && w.tierQuota !== w.tierQuota;
  const upper = tiers !== undefined && tiers.upperInclusive;
  const stride = nb > 0 ? nb : 1;
  let run = start;
  let sum = 0;
  let lines = 0;
  const k1 = f.creditStart[j + 1]!;
  for (let k = f.creditStart[j]!; k < k1; k++) {
    const c = amounts[k]!;
    if (c !== c) continue;
    const before = run;
    run += c;
    if (whenC !== null ? whenC[k] === 0 : whenTx !== null && whenTx[txOf[k]!] === 0) continue;
    lines++;
    if (noQuota) continue;
    const mask = maskC !== null ? maskC[k]! : maskTx !== null ? maskTx[txOf[k]!]! : 0;
    const base = mask * stride;
    let numerator = 0;
    if (method === M_MARGINAL) {
      let lo: number;
      let hi: number;
      if (cumulative) {
        lo = c < 0 ? run : before;
        hi = c < 0 ? before : run;
      } else {
        lo = c < 0 ? c : 0;
        hi = c < 0 ? 0 : c;
      }
      for (let b = 0; b < nb; b++) {
        const from = bandFrom[b]!;
        const to = bandTo[b]!;
        const a = lo > from ? lo : from;
        const z = hi < to ? hi : to;
        if (z > a) numerator += (z - a) * eff[base + b]!;
      }
      if (c < 0) numerator = -numerator;
    } else if (method === M_WHOLE) {
      const band = bandAt(cumulative ? run : c, bandFrom, bandTo, nb, upper);
      numerator = band >= 0 ? c * eff[base + band]! : 0;
    } else {
      numerator = c * eff[base]!;
    }
    if (numerator <= 9_007_199_254_740_991 && numerator >= -9_007_199_254_740_991)
      sum += roundMillionths(numerator);
    else {
      // beyond exact doubles: the general walk's exact path for this one line
      sum += exactLine(comp, w, c, cumulative ? before : 0, mask);
    }
  }
  fastLines = lines;
  return sum;
}

/** One line's pay through exact BigInt arithmetic (the rare overflow of the fast loop). */
export function exactLine(
  comp: CompiledComponent,
  w: { bandFrom: Float64Array; bandTo: Float64Array; bandCount: number },
  c: number,
  before: number,
  mask: number,
): number {
  const factors = factorsOf(comp, mask);
  if (comp.methodCode === M_FLAT) return exactPay([c], [comp.ratePpm], factors);
  const rates = comp.tiers!.ratePpm;
  if (comp.methodCode === M_WHOLE) {
    const band = bandAt(
      comp.tiers!.scope === 'cumulative' ? before + c : c,
      w.bandFrom,
      w.bandTo,
      w.bandCount,
      comp.tiers!.upperInclusive,
    );
    return exactPay([c], [band >= 0 ? rates[band]! : 0], factors);
  }
  const lo = Math.min(before, before + c);
  const hi = Math.max(before, before + c);
  const parts: number[] = [];
  const partRates: number[] = [];
  for (let b = 0; b < w.bandCount; b++) {
    const part = overlap(lo, hi, w.bandFrom[b]!, w.bandTo[b]!);
    if (part > 0) {
      parts.push(part);
      partRates.push(rates[b]!);
    }
  }
  const pay = exactPay(parts, partRates, factors);
  return c < 0 ? -pay : pay;
}

/**
 * Walks one period's credits of a commission or SPIFF: returns the raw total (before threshold,
 * gate and period/year caps). With a sink, each line is settled and handed to it.
 */
function walkPeriod(
  e: Engine,
  f: PayeeFrame,
  comp: CompiledComponent,
  w: Walk,
  j: number,
  sink: EarningSink | null,
): number {
  const credits = e.credits;
  const txOf = credits.tx;
  const tracing = sink !== null && traces(sink, j);
  const amounts = comp.typeIndex >= 0 ? credits.amounts[comp.typeIndex]! : null;
  if (amounts === null) return 0;
  const tiers = comp.tiers;
  const method = comp.methodCode;
  const tierMeasure = comp.tierMeasure;
  const cumulative = tiers !== undefined && tiers.scope === 'cumulative';
  const attainmentTiers = tiers !== undefined && tiers.basis === 'attainment';
  const noQuota = attainmentTiers && w.tierQuota !== w.tierQuota;
  const tracked = comp.tracked;
  const trackedTypes = tracked.map((m) => credits.amounts[e.measures[m]!.typeIndex] ?? null);
  const trackedCount = tracked.length;
  const tierSlot = cumulative ? tracked.indexOf(tierMeasure) : -1;
  const tierSameType = tierSlot >= 0 && e.measures[tierMeasure]!.typeIndex === comp.typeIndex;
  const whenTx = comp.whenTx;
  const maskTx = comp.maskTx;
  const mults = comp.multipliers;
  const multCount = mults.length;
  let perCreditMult = false;
  let attainmentMult = false;
  for (const m of mults) {
    if (m.perCredit) perCreditMult = true;
    if (m.measure >= 0) attainmentMult = true;
  }
  const factorByMask = comp.factorByMask;
  const rates = tiers ? tiers.ratePpm : null;
  const bandFrom = w.bandFrom;
  const bandTo = w.bandTo;
  const bandCount = w.bandCount;
  const upper = tiers ? tiers.upperInclusive : false;
  const isSpiff = comp.kind === 'spiff';
  const day = e.columns.transactions.day;
  const runner = e.runner;
  // running values at the start of the period
  for (let s = 0; s < trackedCount; s++) w.run[s] = measureBefore(e, f, tracked[s]!, j);
  let r = f.reversalStart[j]!;
  const rEnd = f.reversalStart[j + 1]!;
  let raw = 0;
  const k0 = f.creditStart[j]!;
  const k1 = f.creditStart[j + 1]!;
  for (let k = k0; k < k1; k++) {
    const i = txOf[k]!;
    if (r < rEnd) {
      // credit reversals count from the start of their cancellation day
      while (r < rEnd && credits.reversalDay[r]! <= day[i]!) {
        const reversed = credits.reversalCredit[r]!;
        for (let s = 0; s < trackedCount; s++) {
          const v = trackedTypes[s]![reversed]!;
          if (v === v) w.run[s]! -= v;
        }
        r++;
      }
    }
    const before = tierSlot >= 0 ? w.run[tierSlot]! : 0;
    // attainment multipliers read the attainment before this deal
    let attainmentBits = 0;
    if (attainmentMult) {
      for (let m = 0; m < multCount && m < MAX_MASKED; m++) {
        const mult = mults[m]!;
        if (mult.measure < 0) continue;
        const bound = w.multBound[m]!;
        if (bound !== bound) continue;
        const value = w.run[tracked.indexOf(mult.measure)]!;
        if (mult.abovePpm !== undefined ? value > bound : value < bound) attainmentBits |= 1 << m;
      }
    }
    for (let s = 0; s < trackedCount; s++) {
      const v = trackedTypes[s]![k]!;
      if (v === v) w.run[s]! += v;
    }
    const c = amounts[k]!;
    if (c !== c) continue;
    if (whenTx !== null && whenTx[i] === 0) continue;
    if (comp.whenCredit && !runner.conditionForCredit(comp.whenCredit, i, f.payee, credits.rule[k]!))
      continue;
    if (isSpiff && (day[i]! < comp.spiffFrom || day[i]! > comp.spiffTo)) continue;
    let mask = (maskTx !== null ? maskTx[i]! : 0) | attainmentBits;
    if (perCreditMult) {
      for (let m = 0; m < multCount && m < MAX_MASKED; m++) {
        const mult = mults[m]!;
        if (mult.perCredit && mult.when && runner.conditionForCredit(mult.when, i, f.payee, credits.rule[k]!))
          mask |= 1 << m;
      }
    }
    const factor = factorByMask[mask]!;
    let pay = 0;
    let detail: EarningDetail | undefined;
    if (tracing) detail = { multipliers: multipliersOf(mask, multCount), rawMinor: 0, cuts: [] };
    const after = tierSlot >= 0 ? (tierSameType ? before + c : w.run[tierSlot]!) : 0;
    if (method === M_FLAT || method === M_TABLE || method === M_PER_DEAL) {
      let rate = comp.ratePpm;
      if (method === M_TABLE) {
        const code = comp.rateTable!.keyTx[i]!;
        rate = code < 0 ? (comp.rateTable!.defaultPpm ?? 0) : comp.rateTable!.rateByCode[code]!;
      }
      if (method === M_PER_DEAL) {
        // a fixed amount per deal, in proportion to the credit's share
        pay = exactPay([comp.perDealMinor], [credits.share[k]!], factorsOf(comp, mask));
        if (c < 0) pay = -pay;
        if (detail) detail.spiff = { perDealMinor: comp.perDealMinor, sharePpm: credits.share[k]! };
      } else {
        const eff = factor === factor ? (rate * factor) / 1_000_000 : NaN;
        const product = c * eff;
        pay =
          Number.isInteger(eff) && Number.isSafeInteger(product)
            ? roundMillionths(product)
            : exactPay([c], [rate], factorsOf(comp, mask));
        if (detail) detail.ratePpm = rate;
      }
      if (detail) detail.method = method === M_TABLE ? 'rate_table' : 'flat';
    } else if (noQuota) {
      pay = 0;
      if (detail) {
        detail.method = METHOD_NAMES[method]!;
        detail.basis = 'attainment';
      }
    } else if (method === M_MARGINAL) {
      let lo: number;
      let hi: number;
      if (!cumulative) {
        lo = c < 0 ? c : 0;
        hi = c < 0 ? 0 : c;
      } else if (tierSameType) {
        lo = c < 0 ? after : before;
        hi = c < 0 ? before : after;
      } else if (after === before) {
        // the tiers measure another credit type, which this deal does not move: the whole credit
        // is paid at the band of the current attainment
        const band = bandAt(after, bandFrom, bandTo, bandCount, upper);
        lo = 0;
        hi = 0;
        const rate = band >= 0 ? rates![band]! : 0;
        const eff = factor === factor ? (rate * factor) / 1_000_000 : NaN;
        const product = c * eff;
        pay =
          Number.isInteger(eff) && Number.isSafeInteger(product)
            ? roundMillionths(product)
            : exactPay([c], [rate], factorsOf(comp, mask));
        if (detail)
          detail.portions = [
            { tier: band + 1, amountMinor: c, ratePpm: effectiveRate(rate, comp, mask), payMinor: pay },
          ];
      } else {
        // the tiers measure another credit type: the credit is spread over the bands in
        // proportion to how the deal moves the measure (docs/plans.md "Tiers")
        lo = 0;
        hi = 0;
        spreadOverBands(
          c,
          after < before ? after : before,
          after < before ? before : after,
          bandFrom,
          bandTo,
          bandCount,
          spread,
        );
        const parts: number[] = [];
        const partRates: number[] = [];
        for (let b = 0; b < bandCount; b++) {
          const part = spread[b]!;
          if (part === 0) continue;
          parts.push(part);
          partRates.push(rates![b]!);
          if (detail) {
            detail.portions ??= [];
            detail.portions.push({
              tier: b + 1,
              amountMinor: part,
              ratePpm: effectiveRate(rates![b]!, comp, mask),
              payMinor: portionPay(part, rates![b]!, comp, mask),
            });
          }
        }
        pay = parts.length > 0 ? exactPay(parts, partRates, factorsOf(comp, mask)) : 0;
      }
      if (hi > lo) {
        let numerator = 0;
        let exact = factor === factor;
        for (let b = 0; b < bandCount; b++) {
          const part = overlap(lo, hi, bandFrom[b]!, bandTo[b]!);
          if (part === 0) continue;
          const eff = (rates![b]! * factor) / 1_000_000;
          if (!Number.isInteger(eff)) exact = false;
          numerator += part * eff;
          if (detail) {
            detail.portions ??= [];
            detail.portions.push({
              tier: b + 1,
              amountMinor: c < 0 ? -part : part,
              ratePpm: effectiveRate(rates![b]!, comp, mask),
              payMinor:
                c < 0 ? -portionPay(part, rates![b]!, comp, mask) : portionPay(part, rates![b]!, comp, mask),
            });
          }
        }
        if (exact && Number.isSafeInteger(numerator)) pay = roundMillionths(numerator);
        else {
          const parts: number[] = [];
          const partRates: number[] = [];
          for (let b = 0; b < bandCount; b++) {
            const part = overlap(lo, hi, bandFrom[b]!, bandTo[b]!);
            if (part > 0) {
              parts.push(part);
              partRates.push(rates![b]!);
            }
          }
          pay = exactPay(parts, partRates, factorsOf(comp, mask));
        }
        if (c < 0) pay = -pay;
      }
      if (detail) {
        detail.method = 'marginal';
        detail.basis = tiers!.basis;
      }
    } else if (method === M_WHOLE || method === M_RETRO) {
      const position = cumulative ? after : c;
      const band = bandAt(position, bandFrom, bandTo, bandCount, upper);
      const rate = band >= 0 ? rates![band]! : 0;
      if (method === M_RETRO && cumulative && band !== w.band && w.band >= 0 && w.retroW !== 0n) {
        // re-price the earlier credits of the window at the new band's rate
        const target = Number(divideHalfEvenBig(w.retroW * BigInt(rate), 1_000_000_000_000n));
        const retro = target - w.retroPaid;
        if (retro !== 0) {
          raw += retro;
          if (w.assigned) w.retroPaid += retro;
          if (sink) {
            let retroDetail: EarningDetail | undefined;
            if (tracing) {
              w.cuts = [];
              retroDetail = {
                method: 'retroactive',
                basis: tiers!.basis,
                multipliers: [],
                rawMinor: retro,
                cuts: w.cuts,
                retro: {
                  creditsMinor: w.retroW.toString(),
                  ratePpm: rate,
                  paidBeforeMinor: target - retro,
                  targetMinor: target,
                },
                positionBeforeMinor: before,
                positionAfterMinor: after,
                ...(attainmentTiers ? { quotaMinor: w.tierQuota } : {}),
              };
            }
            const paid = settle(w, comp, retro);
            w.cuts = null;
            sink.add(j, 'retro_adjustment', comp.index, k, paid, retroDetail, 'retro');
          }
        }
      }
      const eff = factor === factor ? (rate * factor) / 1_000_000 : NaN;
      const product = c * eff;
      pay =
        Number.isInteger(eff) && Number.isSafeInteger(product)
          ? roundMillionths(product)
          : exactPay([c], [rate], factorsOf(comp, mask));
      if (method === M_RETRO && cumulative) {
        w.band = band;
        // a re-pricing re-prices the credits of assigned periods only (an unassigned one paid nothing)
        if (w.assigned) {
          w.retroPaid += pay;
          w.retroW += BigInt(c) * BigInt(factor === factor ? factor : 1_000_000);
        }
      }
      if (detail) {
        detail.method = method === M_RETRO ? 'retroactive' : 'whole';
        detail.basis = tiers!.basis;
        detail.portions = [
          { tier: band + 1, amountMinor: c, ratePpm: effectiveRate(rate, comp, mask), payMinor: pay },
        ];
      }
    } else if (method === M_INTERP) {
      const pays = tiers!.pointPay;
      const from = cumulative ? before : 0;
      const to = cumulative ? after : c;
      const [an, ad] = interpolateExact(to, w.points, pays, w.pointCount);
      if (cumulative && (factor === 1_000_000 || multCount === 0)) {
        const target = Number(divideHalfEvenBig(an, ad));
        pay = target - w.interpPaid;
        w.interpPaid = target;
      } else {
        const [bn, bd] = interpolateExact(from, w.points, pays, w.pointCount);
        // (after − before) × factors, exact, rounded once
        let numerator = an * bd - bn * ad;
        let denominator = ad * bd;
        for (const fp of factorsOf(comp, mask)) {
          numerator *= BigInt(fp);
          denominator *= 1_000_000n;
        }
        pay = Number(divideHalfEvenBig(numerator, denominator));
        w.interpPaid += pay;
      }
      if (detail) {
        detail.method = 'interpolated';
        detail.basis = tiers!.basis;
        detail.interpolated = {
          beforeMinor: Number(divideHalfEvenBig(...interpolateExact(from, w.points, pays, w.pointCount))),
          afterMinor: Number(divideHalfEvenBig(an, ad)),
        };
      }
    }
    if (pay > comp.capDeal) {
      if (detail) detail.cuts.push({ cap: 'per_deal', beforeMinor: pay, afterMinor: comp.capDeal });
      pay = comp.capDeal;
    }
    raw += pay;
    if (sink) {
      if (detail) {
        detail.rawMinor = pay;
        if (tiers) {
          detail.positionBeforeMinor = cumulative ? before : 0;
          detail.positionAfterMinor = cumulative ? after : c;
          if (attainmentTiers && !noQuota) detail.quotaMinor = w.tierQuota;
        }
        w.cuts = detail.cuts;
      }
      const paid = settle(w, comp, pay);
      w.cuts = null;
      sink.add(j, isSpiff ? 'spiff' : 'commission', comp.index, k, paid, detail, undefined);
    }
  }
  return raw;
}

function effectiveRate(ratePpm: number, comp: CompiledComponent, mask: number): number | string {
  let rate: number | undefined = ratePpm;
  for (const f of factorsOf(comp, mask)) rate = rate === undefined ? undefined : multiplyPpm(rate, f);
  if (rate !== undefined) return rate;
  // not a whole ppm: an exact decimal text
  let numerator = BigInt(ratePpm);
  let digits = 6;
  for (const f of factorsOf(comp, mask)) {
    numerator *= BigInt(f);
    digits += 6;
  }
  const text = numerator.toString().padStart(digits + 1, '0');
  return `${text.slice(0, -digits)}.${text.slice(-digits)}`.replace(/0+$/, '').replace(/\.$/, '');
}

function portionPay(part: number, ratePpm: number, comp: CompiledComponent, mask: number): number {
  return exactPay([part], [ratePpm], factorsOf(comp, mask));
}

/** The commission or SPIFF lines of one payee over all periods (see the file comment for windows). */
function runCommission(e: Engine, f: PayeeFrame, comp: CompiledComponent, sink: EarningSink): void {
  const P = e.periods.length;
  const w = new Walk(comp.tracked.length, comp);
  const assigned = e.assigned.get(f.payee);
  /** Earned in the window's assigned periods (what a true-up compares with). */
  let earned = 0;
  let lastContext: string | undefined;
  /** An unassigned period re-priced the window without paying it: the next assigned one does. */
  let pending = false;
  for (let j = 0; j < P; j++) {
    const ws = comp.windowMeasure >= 0 ? e.windowStart[comp.windowMeasure * P + j]! : j;
    if (j === ws) {
      w.resetTierState();
      earned = 0;
      w.deferred = 0;
      lastContext = undefined;
      pending = false;
    }
    if (e.yearStart[j] === j) w.yearPaid = 0;
    w.periodPaid = 0;
    setSettlement(e, f, comp, w, j);
    const context = contextOf(e, f, comp, w, j);
    const isAssigned = assigned?.[j] !== false;
    let trueUp = 0;
    if (j > ws && (context !== lastContext || (pending && isAssigned))) {
      // the window's quota changed: re-price its earlier credits under this period's quota; the
      // unassigned periods are walked for the tier state only (they paid nothing, so nothing to re-price)
      w.resetTierState();
      let recomputed = 0;
      for (let x = ws; x < j; x++) {
        w.assigned = assigned?.[x] !== false;
        const raw = walkPeriod(e, f, comp, w, x, null);
        if (w.assigned) recomputed += raw;
      }
      trueUp = recomputed - earned;
      // a period that pays nothing leaves the true-up (and what is deferred) to the next assigned one
      if (isAssigned) earned = recomputed;
      pending = !isAssigned;
    }
    w.assigned = isAssigned;
    const deferred = isAssigned ? w.deferred : 0;
    if (isAssigned) w.deferred = 0;
    if (isAssigned && trueUp + deferred !== 0) {
      let detail: EarningDetail | undefined;
      if (traces(sink, j)) {
        w.cuts = [];
        detail = {
          multipliers: [],
          rawMinor: trueUp + deferred,
          cuts: w.cuts,
          trueUp: { earnedMinor: earned, paidMinor: earned - trueUp, deferredMinor: deferred },
        };
      }
      const paid = settle(w, comp, trueUp + deferred);
      w.cuts = null;
      sink.add(j, 'retro_adjustment', comp.index, -1, paid, detail, 'true-up');
    }
    if (sink.bulk === true && comp.fastRates !== null && f.reversalStart[j] === f.reversalStart[j + 1]) {
      const before = w.run.length > 0 ? measureBefore(e, f, comp.tierMeasure, j) : 0;
      const sum = fastPeriodSum(e, f, comp, w, j, before);
      const raw = isAssigned ? sum : 0;
      earned += raw;
      sink.addBulk!(j, raw, fastLines);
    } else {
      const raw = walkPeriod(e, f, comp, w, j, sink);
      if (isAssigned) earned += raw;
    }
    lastContext = context;
  }
}

/** Threshold and gate of period j (attainment at the period's end). */
function setSettlement(e: Engine, f: PayeeFrame, comp: CompiledComponent, w: Walk, j: number): void {
  const P = e.periods.length;
  w.thresholdMet = true;
  w.gateCap = Infinity;
  if (comp.threshold && comp.threshold.measure >= 0) {
    const m = comp.threshold.measure;
    const q = f.quota[m * P + j]!;
    if (q !== q) {
      noteMissingQuota(e, f, m, j);
      w.thresholdMet = false;
    } else
      w.thresholdMet =
        BigInt(measureValue(e, f, m, j)) * 1_000_000n >= BigInt(q) * BigInt(comp.threshold.minPpm);
  }
  if (comp.gate && comp.gate.measure >= 0) {
    const m = comp.gate.measure;
    const q = f.quota[m * P + j]!;
    if (q !== q) noteMissingQuota(e, f, m, j);
    const met =
      q === q && BigInt(measureValue(e, f, m, j)) * 1_000_000n >= BigInt(q) * BigInt(comp.gate.minPpm);
    if (!met) w.gateCap = comp.gate.capMinor;
  }
}

/** Bonus lines: on scores, or on attainment at the period's end (earned to date in the window, less what it paid). */
function runBonus(e: Engine, f: PayeeFrame, comp: CompiledComponent, sink: EarningSink): void {
  const P = e.periods.length;
  const bonus = comp.bonus!;
  const w = new Walk(0, comp);
  const assigned = e.assigned.get(f.payee);
  /**
   * The bonus's value to date in the window, as its last period had it. It advances in unassigned
   * periods too (context): an assigned period pays the increase over it, so the part of the value
   * reached while the payee was not on the plan is never paid (docs/plans.md "The ledger").
   */
  let earned = 0;
  for (let j = 0; j < P; j++) {
    const ws = comp.windowMeasure >= 0 ? e.windowStart[comp.windowMeasure * P + j]! : j;
    if (j === ws) {
      earned = 0;
      w.deferred = 0;
    }
    if (e.yearStart[j] === j) w.yearPaid = 0;
    w.periodPaid = 0;
    w.assigned = assigned?.[j] !== false;
    setSettlement(e, f, comp, w, j);
    if (bonus.basis === 'score') {
      for (const s of e.columns.scores) {
        if (s.payee !== f.payee || s.component !== comp.id) continue;
        if (scorePeriodIndex(e, s.period) !== j) continue;
        const score = Math.min(s.scorePpm, bonus.maxPayoutPpm);
        const factors = factorsOf(comp, attainmentMask(e, f, comp, j));
        const raw = Math.max(0, exactPay([bonus.amountMinor], [Math.max(0, score)], factors));
        // what an assigned period deferred waits for the next assigned one
        const deferred = w.assigned ? w.deferred : 0;
        if (w.assigned) w.deferred = 0;
        let detail: EarningDetail | undefined;
        if (traces(sink, j)) {
          w.cuts = [];
          detail = {
            multipliers: multipliersOf(attainmentMask(e, f, comp, j), comp.multipliers.length),
            rawMinor: raw + deferred,
            cuts: w.cuts,
            bonus: {
              amountMinor: bonus.amountMinor,
              scorePpm: s.scorePpm,
              scorePeriod: s.period,
              ...(bonus.maxPayoutPpm !== Infinity ? { maxPayoutPpm: bonus.maxPayoutPpm } : {}),
            },
          };
        }
        const paid = settle(w, comp, raw + deferred);
        w.cuts = null;
        sink.add(j, 'bonus', comp.index, -1, paid, detail, s.period);
      }
      continue;
    }
    const m = bonus.measure;
    if (m < 0) continue;
    const q = f.quota[m * P + j]!;
    if (q !== q) {
      if (measureValue(e, f, m, j) !== 0) noteMissingQuota(e, f, m, j);
      continue;
    }
    const value = measureValue(e, f, m, j);
    const mask = attainmentMask(e, f, comp, j);
    const target = bonusTarget(comp, bonus, value, q, factorsOf(comp, mask));
    const deferred = w.assigned ? w.deferred : 0;
    if (w.assigned) w.deferred = 0;
    const raw = target - earned + deferred;
    earned = target;
    if (raw === 0 && value === 0 && earned === 0) continue;
    let detail: EarningDetail | undefined;
    if (traces(sink, j)) {
      w.cuts = [];
      detail = {
        multipliers: multipliersOf(mask, comp.multipliers.length),
        rawMinor: raw,
        cuts: w.cuts,
        basis: 'attainment',
        ...(comp.tiers ? { method: comp.tiers.method } : {}),
        bonus: {
          amountMinor: bonus.amountMinor,
          valueMinor: value,
          quotaMinor: q,
          ...(bonus.maxPayoutPpm !== Infinity ? { maxPayoutPpm: bonus.maxPayoutPpm } : {}),
        },
        ...(target - raw + deferred !== 0
          ? { trueUp: { earnedMinor: target, paidMinor: target - raw + deferred, deferredMinor: deferred } }
          : {}),
      };
    }
    const paid = settle(w, comp, raw);
    w.cuts = null;
    sink.add(j, 'bonus', comp.index, -1, paid, detail, undefined);
  }
}

function scorePeriodIndex(e: Engine, label: string): number {
  // the payout period containing the score period's last day
  const fsm = e.fiscalYearStartMonth;
  for (let j = 0; j < e.periods.length; j++) if (e.periods[j]!.label === label) return j;
  const span = parsePeriodLabel(label, fsm);
  if (!span) return -1;
  for (let j = 0; j < e.periods.length; j++) {
    const p = e.periods[j]!;
    if (p.firstDay <= span.lastDay && span.lastDay <= p.lastDay) return j;
  }
  return -1;
}

/** The attainment multipliers that hold at the end of period j (bonuses have no deal). */
function attainmentMask(e: Engine, f: PayeeFrame, comp: CompiledComponent, j: number): number {
  const P = e.periods.length;
  let mask = 0;
  comp.multipliers.forEach((m, k) => {
    if (m.measure < 0 || k >= MAX_MASKED) return;
    const q = f.quota[m.measure * P + j]!;
    if (q !== q) return;
    const value = measureValue(e, f, m.measure, j);
    const bound = m.abovePpm !== undefined ? floorDiv(q, m.abovePpm) : ceilDiv(q, m.belowPpm ?? 0);
    if (m.abovePpm !== undefined ? value > bound : value < bound) mask |= 1 << k;
  });
  return mask;
}

/** A bonus on attainment: amount × attainment (floored at 0, capped at max_payout), or its tiers' value. */
function bonusTarget(
  comp: CompiledComponent,
  bonus: NonNullable<CompiledComponent['bonus']>,
  valueMinor: number,
  quotaMinor: number,
  factors: number[],
): number {
  const tiers = comp.tiers;
  let numerator: bigint;
  let denominator: bigint;
  if (tiers && tiers.method === 'interpolated') {
    const points = new Float64Array(tiers.pointAt.length);
    placeBands(tiers, quotaMinor, new Float64Array(0), new Float64Array(0), points);
    [numerator, denominator] = interpolateExact(
      Math.max(0, valueMinor),
      points,
      tiers.pointPay,
      points.length,
    );
  } else if (tiers) {
    const from = new Float64Array(tiers.from.length);
    const to = new Float64Array(tiers.from.length);
    placeBands(tiers, quotaMinor, from, to, new Float64Array(0));
    const value = Math.max(0, valueMinor);
    if (tiers.method === 'marginal') {
      // amount × Σ (attainment inside band k) × rate_k
      let sum = 0n;
      for (let b = 0; b < from.length; b++)
        sum += BigInt(overlap(0, value, from[b]!, to[b]!)) * BigInt(tiers.ratePpm[b]!);
      numerator = BigInt(bonus.amountMinor) * sum;
      denominator = BigInt(quotaMinor) * 1_000_000n;
    } else {
      const band = bandAt(value, from, to, from.length, tiers.upperInclusive);
      numerator = BigInt(bonus.amountMinor) * BigInt(band >= 0 ? tiers.ratePpm[band]! : 0);
      denominator = 1_000_000n;
    }
  } else {
    if (quotaMinor <= 0) return 0;
    const value = BigInt(Math.max(0, valueMinor));
    const capped =
      bonus.maxPayoutPpm !== Infinity && value * 1_000_000n > BigInt(quotaMinor) * BigInt(bonus.maxPayoutPpm);
    numerator = capped
      ? BigInt(bonus.amountMinor) * BigInt(bonus.maxPayoutPpm)
      : BigInt(bonus.amountMinor) * value;
    denominator = capped ? 1_000_000n : BigInt(quotaMinor);
  }
  for (const f of factors) {
    numerator *= BigInt(f);
    denominator *= 1_000_000n;
  }
  if (denominator === 0n) return 0;
  return Number(divideHalfEvenBig(numerator, denominator));
}

/** Every earnings line of one payee, in component order, period by period within each component. */
export function computePayee(e: Engine, payee: number, sink: EarningSink): PayeeFrame {
  const f = payeeFrame(e, payee);
  for (const comp of e.components) {
    if (comp.kind === 'bonus') runBonus(e, f, comp, sink);
    else runCommission(e, f, comp, sink);
  }
  return f;
}
