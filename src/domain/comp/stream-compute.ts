/**
 * The compute phase in one pass over the transactions, for the common plan (the benchmark's): one
 * credit type; owner and splits rolled up a hierarchy that does not change over the run; only
 * commissions with flat, marginal or whole rates and multipliers on deal conditions (the
 * components' fast loop, `CompiledComponent.fastRates`); cumulative tiers over the payout period;
 * no clawback, hold or locked lines.
 *
 * Instead of sorting the credits by payee (crediting.ts) and walking each payee's stream, it visits
 * the transactions in (date, id) order once and hands each credit straight to its payee's running
 * state: the running total of the period, the sum and line count of each component, and the tier
 * bands placed for the payee's quota of the period, all in one contiguous record per payee. Every
 * payee sees their credits in exactly the order of their credit stream (transaction order; within a
 * transaction, split order, each split payee before the managers it rolls up to), with the same
 * arithmetic as `fastPeriodSum`, so the totals and line counts are the same, to the unit.
 *
 * Nothing per credit is stored: the credit table is built only when lines or statements are
 * materialised. Periods a payee is not assigned to the plan are walked as context and earn zero.
 */
import type { CompColumns } from './comp-columns.ts';
import type { CompIssue } from './comp-types.ts';
import {
  exactLine,
  M_MARGINAL,
  M_WHOLE,
  noteMissingQuotaOf,
  type CompiledComponent,
  type Engine,
} from './components.ts';
import { allocateInto, type CreditTypeSpec } from './crediting.ts';
import { placeBands, roundMillionths } from './tiers.ts';

export type StreamParams = {
  rules: readonly string[];
  rollupLevels: number;
  type: CreditTypeSpec;
  /** The fixed manager of each payee (crediting.ts `fixedManagers`). */
  managers: Int32Array;
  txFrom: number;
  txTo: number;
  eligible: Uint8Array | null;
};

/** Whether the plan and columns fit the one-pass compute (see the file comment). */
export function canStream(args: {
  columns: CompColumns;
  rules: readonly string[];
  typeCount: number;
  components: CompiledComponent[];
  windowStart: Int32Array;
  periods: number;
  txFrom: number;
  txTo: number;
  managers: Int32Array | null;
  ledgerKeepsLines: boolean;
}): boolean {
  const { columns, rules, components, windowStart, periods: P } = args;
  const t = columns.transactions;
  if (args.managers === null || args.typeCount !== 1 || args.ledgerKeepsLines) return false;
  if (rules.includes('territory')) return false;
  if (rules.includes('overlays') && t.overlayStart[args.txTo] !== t.overlayStart[args.txFrom]) return false;
  for (const comp of components) {
    if (comp.kind !== 'commission' || comp.fastRates === null || comp.typeIndex !== 0) return false;
    if (comp.tiers !== undefined && comp.tiers.scope === 'cumulative') {
      if (comp.tierMeasure < 0) return false;
      for (let j = 0; j < P; j++) if (windowStart[comp.tierMeasure * P + j] !== j) return false;
    }
  }
  return true;
}

/** Marks the payees that get at least one credit (as the credit table's non-empty ranges). */
export function creditedPayees(columns: CompColumns, params: StreamParams): Uint8Array {
  const t = columns.transactions;
  const n = columns.payeeIds.length;
  const direct = new Uint8Array(n);
  const useSplits = params.rules.includes('splits');
  const useOwner = params.rules.includes('owner');
  const { eligible } = params;
  for (let i = params.txFrom; i < params.txTo; i++) {
    if (eligible !== null && eligible[i] === 0) continue;
    const s0 = t.splitStart[i]!;
    const s1 = t.splitStart[i + 1]!;
    if (useSplits && s1 > s0) for (let k = s0; k < s1; k++) direct[t.splitPayee[k]!] = 1;
    else if (useOwner) direct[t.owner[i]!] = 1;
  }
  const levels = params.rules.includes('rollup') ? params.rollupLevels : 0;
  const active = direct.slice();
  for (let p = 0; p < n; p++) {
    if (direct[p] === 0) continue;
    let manager = params.managers[p]!;
    for (let level = 1; level <= levels && manager >= 0; level++) {
      active[manager] = 1;
      manager = params.managers[manager]!;
    }
  }
  return active;
}

/**
 * Earnings and earnings-line counts per statement payee × internal period (index x * P + j), and
 * the crediting's issues, as `calculateFromColumns` would sum them from the per-payee walk.
 */
export function streamCommissions(
  e: Engine,
  params: StreamParams,
  payees: readonly number[],
): { earnings: Float64Array; lines: Float64Array; issues: CompIssue[] } {
  const columns = e.columns;
  const t = columns.transactions;
  const P = e.periods.length;
  const X = payees.length;
  const comps = e.components;
  const C = comps.length;
  const issues: CompIssue[] = [];
  const earnings = new Float64Array(X * P);
  const lineCounts = new Float64Array(X * P);
  const slot = new Int32Array(columns.payeeIds.length).fill(-1);
  payees.forEach((p, x) => (slot[p] = x));

  // one record per statement payee: [run, then per component: sum, lines, noQuota, from…, to…]
  const bandsOf = comps.map((c) => (c.tiers ? c.tiers.from.length : 0));
  const compOffset = new Int32Array(C);
  let stride = 1;
  for (let c = 0; c < C; c++) {
    compOffset[c] = stride;
    stride += 3 + 2 * bandsOf[c]!;
  }

  // the quota of each component's tier measure per payee and period, in the walk's order (issues)
  const quotaOf = new Float64Array(X * C * P).fill(NaN);
  for (let x = 0; x < X; x++) {
    for (let c = 0; c < C; c++) {
      const comp = comps[c]!;
      if (!comp.tiers || comp.tiers.basis !== 'attainment' || comp.tierMeasure < 0) continue;
      const measure = e.measures[comp.tierMeasure]!;
      for (let j = 0; j < P; j++) {
        const q =
          measure.quota === undefined
            ? undefined
            : e.quotas.windowQuota(
                payees[x]!,
                measure.quota,
                e.periods[j]!,
                measure.window,
                e.fiscalYearStartMonth,
              );
        if (q) quotaOf[(x * C + c) * P + j] = q.quotaMinor;
        else noteMissingQuotaOf(e, payees[x]!, comp.tierMeasure, j);
      }
    }
  }

  const useSplits = params.rules.includes('splits');
  const useOwner = params.rules.includes('owner');
  const levels = params.rules.includes('rollup') ? params.rollupLevels : 0;
  const managers = params.managers;
  const eligible = params.eligible;
  const when0 = params.type.when;
  const base0 =
    params.type.base === 'amount'
      ? t.amount
      : params.type.base === 'margin'
        ? t.margin
        : params.type.base === 'units'
          ? t.units
          : undefined;
  const scale = 10 ** columns.digits;
  const splitStart = t.splitStart;
  const splitPayee = t.splitPayee;
  const splitShare = t.splitShare;
  const owners = t.owner;
  const parts = new Float64Array(256);
  let splitIssues = 0;

  const from = comps.map((c) => new Float64Array(bandsOf[c.index]!));
  const to = comps.map((c) => new Float64Array(bandsOf[c.index]!));
  const scratch = { bandFrom: new Float64Array(0), bandTo: new Float64Array(0), bandCount: 0 };

  if (C === 1) {
    splitIssues = streamSingle(
      {
        slot,
        managers,
        levels,
        useSplits,
        useOwner,
        eligible,
        when: when0 ?? null,
        base: base0 ?? null,
        scale,
        splitStart,
        splitPayee,
        splitShare,
        owners,
        parts,
        issues,
        ids: t.id,
        splitIssues: 0,
      },
      e,
      comps[0]!,
      X,
      quotaOf,
      params,
      earnings,
      lineCounts,
    );
  } else streamGeneral();

  function streamGeneral(): void {
    const S = stride;
    const state = new Float64Array(X * S);

    /** One line of component `comp` for the payee record at `o`; returns nothing, updates the record. */
    const line = (
      comp: CompiledComponent,
      oc: number,
      nb: number,
      method: number,
      cumulative: boolean,
      upper: boolean,
      eff: Float64Array,
      mask: number,
      c: number,
      before: number,
      run: number,
    ): void => {
      state[oc + 1]! += 1;
      if (state[oc + 2] !== 0) return; // no quota
      const base = mask * (nb > 0 ? nb : 1);
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
        const f0 = oc + 3;
        const t0 = f0 + nb;
        for (let b = 0; b < nb; b++) {
          const bf = state[f0 + b]!;
          const bt = state[t0 + b]!;
          const a = lo > bf ? lo : bf;
          const z = hi < bt ? hi : bt;
          if (z > a) numerator += (z - a) * eff[base + b]!;
        }
        if (c < 0) numerator = -numerator;
      } else if (method === M_WHOLE) {
        const band = bandOf(cumulative ? run : c, oc + 3, nb, upper);
        numerator = band >= 0 ? c * eff[base + band]! : 0;
      } else {
        numerator = c * eff[base]!;
      }
      if (numerator <= 9_007_199_254_740_991 && numerator >= -9_007_199_254_740_991)
        state[oc]! += roundMillionths(numerator);
      else {
        // beyond exact doubles: the exact path for this one line
        if (scratch.bandCount !== nb) {
          scratch.bandFrom = new Float64Array(nb);
          scratch.bandTo = new Float64Array(nb);
          scratch.bandCount = nb;
        }
        for (let b = 0; b < nb; b++) {
          scratch.bandFrom[b] = state[oc + 3 + b]!;
          scratch.bandTo[b] = state[oc + 3 + nb + b]!;
        }
        state[oc]! += exactLine(comp, scratch, c, cumulative ? before : 0, mask);
      }
    };

    /** tiers.ts `bandAt` over a record's bands. */
    const bandOf = (position: number, f0: number, count: number, upper: boolean): number => {
      const t0 = f0 + count;
      if (upper) {
        for (let k = 0; k < count; k++) if (position > state[f0 + k]! && position <= state[t0 + k]!) return k;
        if (count > 0 && position <= state[f0]!) return 0;
      } else {
        for (let k = 0; k < count; k++) if (position >= state[f0 + k]! && position < state[t0 + k]!) return k;
        if (count > 0 && position < state[f0]!) return 0;
      }
      for (let k = count - 1; k >= 0; k--) if (position >= state[t0 + k]!) return k;
      return -1;
    };

    /** A credit of `c` to payee q from transaction i. */
    const credit = (q: number, c: number, i: number): void => {
      const x = slot[q]!;
      if (x < 0) return;
      const o = x * S;
      const before = state[o]!;
      const run = before + c;
      state[o] = run;
      for (let k = 0; k < C; k++) {
        const comp = comps[k]!;
        if (comp.whenTx !== null && comp.whenTx[i] === 0) continue;
        line(
          comp,
          o + compOffset[k]!,
          bandsOf[k]!,
          comp.methodCode,
          comp.tiers !== undefined && comp.tiers.scope === 'cumulative',
          comp.tiers !== undefined && comp.tiers.upperInclusive,
          comp.fastRates!,
          comp.maskTx !== null ? comp.maskTx[i]! : 0,
          c,
          before,
          run,
        );
      }
    };

    for (let j = 0; j < P; j++) {
      // the period's records: running totals from zero, bands for the payee's quota
      for (let x = 0; x < X; x++) {
        const o = x * S;
        state[o] = 0;
        for (let c = 0; c < C; c++) {
          const comp = comps[c]!;
          const oc = o + compOffset[c]!;
          const nb = bandsOf[c]!;
          state[oc] = 0;
          state[oc + 1] = 0;
          state[oc + 2] = 0;
          const tiers = comp.tiers;
          if (!tiers) continue;
          if (tiers.basis === 'attainment') {
            const q = comp.tierMeasure >= 0 ? quotaOf[(x * C + c) * P + j]! : NaN;
            if (q !== q) {
              state[oc + 2] = 1;
              continue;
            }
            placeBands(tiers, q, from[c]!, to[c]!, new Float64Array(0));
          } else placeBands(tiers, 0, from[c]!, to[c]!, new Float64Array(0));
          for (let b = 0; b < nb; b++) {
            state[oc + 3 + b] = from[c]![b]!;
            state[oc + 3 + nb + b] = to[c]![b]!;
          }
        }
      }
      const i0 = Math.max(e.periodTx[j]!, params.txFrom);
      const i1 = Math.min(e.periodTx[j + 1]!, params.txTo);
      for (let i = i0; i < i1; i++) {
        if (eligible !== null && eligible[i] === 0) continue;
        const b = when0 !== undefined && when0[i] === 0 ? NaN : base0 === undefined ? scale : base0[i]!;
        const s0 = splitStart[i]!;
        const s1 = splitStart[i + 1]!;
        if (useSplits && s1 > s0) {
          const n = s1 - s0;
          if (b === b) allocateInto(b, splitShare, s0, n, parts, 0);
          else parts.fill(NaN, 0, n);
          let total = 0;
          for (let k = 0; k < n; k++) {
            total += splitShare[s0 + k]!;
            const payee = splitPayee[s0 + k]!;
            const c = parts[k]!;
            if (c !== c) continue;
            credit(payee, c, i);
            let manager = managers[payee]!;
            for (let lv = 1; lv <= levels && manager >= 0; lv++) {
              credit(manager, c, i);
              manager = managers[manager]!;
            }
          }
          if (total !== 1_000_000) {
            splitIssues += 1;
            if (splitIssues <= 200)
              issues.push({
                code: 'split_not_100',
                message: `The splits of transaction ${t.id[i]} sum to ${total / 10_000}%, not 100%; credited as written`,
                transaction: t.id[i]!,
              });
          }
        } else if (useOwner && b === b) {
          const payee = owners[i]!;
          credit(payee, b, i);
          let manager = managers[payee]!;
          for (let lv = 1; lv <= levels && manager >= 0; lv++) {
            credit(manager, b, i);
            manager = managers[manager]!;
          }
        }
      }
      for (let x = 0; x < X; x++) {
        const o = x * S;
        let sum = 0;
        let lines = 0;
        for (let c = 0; c < C; c++) {
          sum += state[o + compOffset[c]!]!;
          lines += state[o + compOffset[c]! + 1]!;
        }
        earnings[x * P + j] = sum;
        lineCounts[x * P + j] = lines;
      }
    }
  }
  if (splitIssues > 200)
    issues.push({
      code: 'split_not_100',
      message: `${splitIssues - 200} more transactions have splits that do not sum to 100%`,
    });
  // a period the payee is not assigned to the plan is computed (its lines counted) and pays nothing,
  // as in the per-payee walk (components.ts `settle`)
  for (let x = 0; x < X; x++) {
    const assigned = e.assigned.get(payees[x]!);
    if (assigned) for (let j = 0; j < P; j++) if (assigned[j] === false) earnings[x * P + j] = 0;
  }
  return { earnings, lines: lineCounts, issues };
}

type SingleContext = {
  slot: Int32Array;
  managers: Int32Array;
  levels: number;
  useSplits: boolean;
  useOwner: boolean;
  eligible: Uint8Array | null;
  when: Uint8Array | null;
  base: Float64Array | null;
  scale: number;
  splitStart: Int32Array;
  splitPayee: Int32Array;
  splitShare: Int32Array;
  owners: Int32Array;
  parts: Float64Array;
  issues: CompIssue[];
  ids: string[];
  splitIssues: number;
};

/** Record fields of the one-component plan (6 numbers a payee, one cache line for what a deal reads). */
const RUN = 0;
const SUM = 1;
const LINES = 2;
/** The band holding the running total (-1: none; -2: no quota, nothing is paid), and its bounds. */
const BAND = 3;
const FROM = 4;
const TO = 5;
const RECORD = 6;
const NO_QUOTA = -2;

/**
 * The one-component plan (the benchmark's): each payee's record holds its running total, the
 * period's sum and line count, and a cursor, the band the running total is in, so a deal that stays
 * inside it is one multiplication; the bands themselves are in a separate array, read when a deal
 * crosses a boundary. Returns the number of transactions whose splits do not sum to 100%.
 */
function streamSingle(
  ctx: SingleContext,
  e: Engine,
  comp: CompiledComponent,
  X: number,
  quotaOf: Float64Array,
  params: StreamParams,
  earnings: Float64Array,
  lineCounts: Float64Array,
): number {
  const P = e.periods.length;
  const tiers = comp.tiers;
  const nb = tiers ? tiers.from.length : 0;
  const rec = new Float64Array(X * RECORD);
  const bands = new Float64Array(X * 2 * nb);
  const from = new Float64Array(nb);
  const to = new Float64Array(nb);
  const noPoints = new Float64Array(0);
  let splitIssues = 0;
  for (let j = 0; j < P; j++) {
    for (let x = 0; x < X; x++) {
      const o = x * RECORD;
      rec[o + RUN] = 0;
      rec[o + SUM] = 0;
      rec[o + LINES] = 0;
      if (!tiers) continue;
      if (tiers.basis === 'attainment') {
        const q = comp.tierMeasure >= 0 ? quotaOf[x * P + j]! : NaN;
        if (q !== q) {
          rec[o + BAND] = NO_QUOTA;
          rec[o + FROM] = Infinity;
          rec[o + TO] = -Infinity;
          continue;
        }
        placeBands(tiers, q, from, to, noPoints);
      } else placeBands(tiers, 0, from, to, noPoints);
      bands.set(from, x * 2 * nb);
      bands.set(to, x * 2 * nb + nb);
      setCursor(rec, o, bands, x * 2 * nb, nb, 0);
    }
    ctx.splitIssues = splitIssues;
    splitIssues += streamSinglePeriod(
      ctx,
      comp,
      rec,
      bands,
      Math.max(e.periodTx[j]!, params.txFrom),
      Math.min(e.periodTx[j + 1]!, params.txTo),
    );
    for (let x = 0; x < X; x++) {
      earnings[x * P + j] = rec[x * RECORD + SUM]!;
      lineCounts[x * P + j] = rec[x * RECORD + LINES]!;
    }
  }
  return splitIssues;
}

/** Points a record's cursor at the band holding `position` (none: an empty range). */
function setCursor(
  rec: Float64Array,
  o: number,
  bands: Float64Array,
  b0: number,
  nb: number,
  position: number,
): void {
  for (let b = 0; b < nb; b++) {
    const from = bands[b0 + b]!;
    const to = bands[b0 + nb + b]!;
    if (position >= from && position < to) {
      rec[o + BAND] = b;
      rec[o + FROM] = from;
      rec[o + TO] = to;
      return;
    }
  }
  rec[o + BAND] = -1;
  rec[o + FROM] = Infinity;
  rec[o + TO] = -Infinity;
}

/** The transactions [i0, i1) of one period, for `streamSingle`. */
function streamSinglePeriod(
  ctx: SingleContext,
  comp: CompiledComponent,
  rec: Float64Array,
  bands: Float64Array,
  i0: number,
  i1: number,
): number {
  const { slot, managers, levels, useSplits, useOwner, eligible, when, base: baseColumn } = ctx;
  const { scale, splitStart, splitPayee, splitShare, owners, parts } = ctx;
  const tiers = comp.tiers;
  const nb = tiers ? tiers.from.length : 0;
  const method = comp.methodCode;
  const cumulative = tiers !== undefined && tiers.scope === 'cumulative';
  const whenTx = comp.whenTx;
  const maskTx = comp.maskTx;
  const eff = comp.fastRates!;
  // sorted bands that do not overlap: a deal inside the cursor's band is paid at its rate alone
  let disjoint = tiers !== undefined && method === M_MARGINAL && cumulative;
  if (tiers)
    for (let b = 1; b < nb; b++)
      if (!(tiers.to[b - 1]! <= tiers.from[b]! && tiers.from[b - 1]! <= tiers.to[b - 1]!)) disjoint = false;
  const stride = nb > 0 ? nb : 1;
  let splitIssues = 0;
  for (let i = i0; i < i1; i++) {
    if (eligible !== null && eligible[i] === 0) continue;
    const b = when !== null && when[i] === 0 ? NaN : baseColumn === null ? scale : baseColumn[i]!;
    const s0 = splitStart[i]!;
    const s1 = splitStart[i + 1]!;
    const split = useSplits && s1 > s0;
    let n = 1;
    if (split) {
      n = s1 - s0;
      if (b === b) allocateInto(b, splitShare, s0, n, parts, 0);
      else parts.fill(NaN, 0, n);
      let total = 0;
      for (let k = 0; k < n; k++) total += splitShare[s0 + k]!;
      if (total !== 1_000_000) {
        splitIssues += 1;
        if (ctx.splitIssues + splitIssues <= 200)
          ctx.issues.push({
            code: 'split_not_100',
            message: `The splits of transaction ${ctx.ids[i]} sum to ${total / 10_000}%, not 100%; credited as written`,
            transaction: ctx.ids[i]!,
          });
      }
    } else if (!useOwner) continue;
    const skip = whenTx !== null && whenTx[i] === 0;
    const mask = maskTx !== null ? maskTx[i]! : 0;
    const rateBase = mask * stride;
    for (let k = 0; k < n; k++) {
      const c = split ? parts[k]! : b;
      if (c !== c) continue;
      let q = split ? splitPayee[s0 + k]! : owners[i]!;
      for (let lv = 0; lv <= levels && q >= 0; lv++) {
        const x = slot[q]!;
        q = managers[q]!;
        if (x < 0) continue;
        const o = x * RECORD;
        const before = rec[o + RUN]!;
        const run = before + c;
        rec[o + RUN] = run;
        if (skip) continue;
        rec[o + LINES]! += 1;
        if (disjoint && c >= 0 && before >= rec[o + FROM]! && run <= rec[o + TO]!) {
          // inside the cursor's band: one multiplication (numerator = pay × 10^6)
          const numerator = c * eff[rateBase + rec[o + BAND]!]!;
          if (numerator <= 9_007_199_254_740_991) {
            // tiers.ts roundMillionths, inlined (no heap numbers in this loop)
            let units = Math.floor(numerator * 0.000_001);
            let rest = numerator - units * 1_000_000;
            if (rest < 0) {
              units -= 1;
              rest += 1_000_000;
            } else if (rest >= 1_000_000) {
              units += 1;
              rest -= 1_000_000;
            }
            if (rest > 500_000 || (rest === 500_000 && (units & 1) === 1)) units += 1;
            rec[o + SUM]! += units;
            continue;
          }
        }
        if (rec[o + BAND] === NO_QUOTA) continue;
        rec[o + SUM]! += slowLine(rec, o, bands, x * 2 * nb, nb, comp, eff, rateBase, mask, c, before, run);
      }
    }
  }
  return splitIssues;
}

/**
 * One line the cursor does not settle (a deal across a band boundary, a negative credit, other
 * methods): its pay, rounded once, and the cursor moved to the band of the new running total.
 */
function slowLine(
  rec: Float64Array,
  o: number,
  bands: Float64Array,
  b0: number,
  nb: number,
  comp: CompiledComponent,
  eff: Float64Array,
  rateBase: number,
  mask: number,
  c: number,
  before: number,
  run: number,
): number {
  const tiers = comp.tiers;
  const cumulative = tiers !== undefined && tiers.scope === 'cumulative';
  const upper = tiers !== undefined && tiers.upperInclusive;
  const numerator = linePay(bands, b0, nb, comp.methodCode, cumulative, upper, eff, rateBase, c, before, run);
  if (comp.methodCode === M_MARGINAL && cumulative) setCursor(rec, o, bands, b0, nb, run);
  if (numerator <= 9_007_199_254_740_991 && numerator >= -9_007_199_254_740_991)
    return roundMillionths(numerator);
  // beyond exact doubles: the exact path for this one line
  const exactBands = {
    bandFrom: bands.slice(b0, b0 + nb),
    bandTo: bands.slice(b0 + nb, b0 + 2 * nb),
    bandCount: nb,
  };
  return exactLine(comp, exactBands, c, cumulative ? before : 0, mask);
}

/** The numerator (pay × 10^6) of one line, as `fastPeriodSum` computes it, over a payee's bands at b0. */
function linePay(
  bands: Float64Array,
  b0: number,
  nb: number,
  method: number,
  cumulative: boolean,
  upper: boolean,
  eff: Float64Array,
  rateBase: number,
  c: number,
  before: number,
  run: number,
): number {
  const f0 = b0;
  const t0 = b0 + nb;
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
    let numerator = 0;
    for (let band = 0; band < nb; band++) {
      const bf = bands[f0 + band]!;
      const bt = bands[t0 + band]!;
      const a = lo > bf ? lo : bf;
      const z = hi < bt ? hi : bt;
      if (z > a) numerator += (z - a) * eff[rateBase + band]!;
    }
    return c < 0 ? -numerator : numerator;
  }
  if (method === M_WHOLE) {
    const position = cumulative ? run : c;
    let band = -1;
    if (upper) {
      for (let k = 0; k < nb && band < 0; k++)
        if (position > bands[f0 + k]! && position <= bands[t0 + k]!) band = k;
      if (band < 0 && nb > 0 && position <= bands[f0]!) band = 0;
    } else {
      for (let k = 0; k < nb && band < 0; k++)
        if (position >= bands[f0 + k]! && position < bands[t0 + k]!) band = k;
      if (band < 0 && nb > 0 && position < bands[f0]!) band = 0;
    }
    for (let k = nb - 1; k >= 0 && band < 0; k--) if (position >= bands[t0 + k]!) band = k;
    return band >= 0 ? c * eff[rateBase + band]! : 0;
  }
  return c * eff[rateBase]!;
}
