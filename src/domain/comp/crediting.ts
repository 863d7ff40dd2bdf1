/**
 * Crediting (docs/plans.md "Crediting"): who gets credit for each transaction, and how much of each
 * credit type. Owner 100% unless the transaction has splits; splits as written (an issue when they
 * do not sum to 100%), allocated by largest remainder so they add up to the amount exactly;
 * overlays on top; the territory owner as of the transaction's day; and roll-up to the managers
 * above every owner and split payee, up to `rollup_levels`, in the hierarchy as of the
 * transaction's day.
 *
 * The result is one table of credits grouped by payee, each payee's credits in transaction order
 * (transactions are sorted by (day, id)), built in two passes (count, then fill) with no per-row
 * objects, so each payee's credit stream is a contiguous index range the engine walks once.
 */
import type { CompColumns } from './comp-columns.ts';
import { NO_DAY } from './comp-columns.ts';
import type { CompIssue } from './comp-types.ts';
import { allocateByShares } from './exact-money.ts';

export const RULE_OWNER = 0;
export const RULE_SPLIT = 1;
export const RULE_OVERLAY = 2;
export const RULE_ROLLUP = 3;
export const RULE_TERRITORY = 4;

export type CreditBase = 'amount' | 'margin' | 'units' | 'count';

/** A credit type as the crediting needs it: its base and, when it has `when`, the per-transaction condition. */
export type CreditTypeSpec = { id: string; base: CreditBase; when?: Uint8Array };

export type CreditTable = {
  count: number;
  /** Credits of payee p are [payeeStart[p], payeeStart[p + 1]), in transaction order. */
  payeeStart: Int32Array;
  tx: Int32Array;
  /** RULE_* */
  rule: Uint8Array;
  /** Roll-up level (1 = direct manager); 0 otherwise. */
  level: Uint8Array;
  /** For roll-up credits: the payee whose credit rolled up; -1 otherwise. */
  from: Int32Array;
  /** Share in ppm (for roll-up: the rep's share). */
  share: Int32Array;
  /** Per credit type: the credited amount in minor units, NaN when the type does not apply to the transaction. */
  amounts: Float64Array[];
  /** Per-transaction arrays copied per credit (`CreditingParams.carry`), so walks read them in order. */
  carried: (Uint8Array | Uint16Array)[];
  /** Credit reversals (clawback with `attainment: reduce`), grouped by payee, in day order. */
  reversalStart: Int32Array;
  reversalDay: Int32Array;
  reversalCredit: Int32Array;
};

export type CreditingParams = {
  columns: CompColumns;
  rules: readonly string[];
  rollupLevels: number;
  types: CreditTypeSpec[];
  /** Transactions [txFrom, txTo) are credited. */
  txFrom: number;
  txTo: number;
  /** Plan eligibility per transaction (1 = eligible); null = all. */
  eligible: Uint8Array | null;
  /** When the plan reverses credit on cancellation: the clawback window in days. */
  reverseWithinDays?: number;
  /** Per-transaction condition arrays to copy per credit (read in transaction order while filling). */
  carry?: (Uint8Array | Uint16Array)[];
};

const MAX_RECIPIENTS = 256;

/** Manager lookup as of a day, with a fast path for payees whose manager never changes. */
class Hierarchy {
  /** The manager of each payee when it never changes over the credited days (-1: none), -2 when it does. */
  readonly fixed: Int32Array;
  private readonly rows = new Map<number, { manager: number; fromDay: number; toDay: number }[]>();

  constructor(columns: CompColumns, firstDay: number, lastDay: number) {
    const n = columns.payeeIds.length;
    this.fixed = new Int32Array(n).fill(-1);
    for (const r of columns.reporting) {
      let list = this.rows.get(r.payee);
      if (!list) this.rows.set(r.payee, (list = []));
      list.push({ manager: r.manager, fromDay: r.fromDay, toDay: r.toDay });
    }
    for (const [payee, list] of this.rows) {
      list.sort((a, b) => a.fromDay - b.fromDay);
      const only = list[0]!;
      this.fixed[payee] =
        list.length === 1 && only.fromDay <= firstDay && only.toDay > lastDay ? only.manager : -2;
    }
  }

  managerOf(payee: number, day: number): number {
    const fixed = this.fixed[payee]!;
    if (fixed !== -2) return fixed;
    const list = this.rows.get(payee)!;
    let manager = -1;
    for (const r of list) if (r.fromDay <= day && day < r.toDay) manager = r.manager;
    return manager;
  }
}

/**
 * The manager of each payee (-1: none) when the hierarchy does not change over the credited
 * transactions [txFrom, txTo); null when it does (the fixed chain the fast crediting walks).
 */
export function fixedManagers(columns: CompColumns, txFrom: number, txTo: number): Int32Array | null {
  const t = columns.transactions;
  const firstDay = txTo > txFrom ? t.day[txFrom]! : 0;
  const lastDay = txTo > txFrom ? t.day[txTo - 1]! : 0;
  const fixed = new Hierarchy(columns, firstDay, lastDay).fixed;
  for (let p = 0; p < fixed.length; p++) if (fixed[p] === -2) return null;
  return fixed;
}

/** Territory owner of an account as of a day. */
class Territories {
  private readonly rows = new Map<number, { payee: number; fromDay: number; toDay: number }[]>();
  constructor(columns: CompColumns) {
    for (const t of columns.territories) {
      let list = this.rows.get(t.account);
      if (!list) this.rows.set(t.account, (list = []));
      list.push({ payee: t.payee, fromDay: t.fromDay, toDay: t.toDay });
    }
    for (const list of this.rows.values()) list.sort((a, b) => a.fromDay - b.fromDay);
  }
  ownerOf(account: number, day: number): number {
    if (account === 0) return -1;
    const list = this.rows.get(account);
    if (!list) return -1;
    let owner = -1;
    for (const r of list) if (r.fromDay <= day && day < r.toDay) owner = r.payee;
    return owner;
  }
}

/**
 * Splits `amount` by shares (ppm) into `out`, by largest remainder: the parts add up to
 * amount × Σshares rounded half to even (exactly the amount for a 100% split). Doubles while exact,
 * BigInt otherwise.
 */
export function allocateInto(
  amount: number,
  shares: Int32Array,
  from: number,
  count: number,
  out: Float64Array,
  outFrom: number,
): void {
  let total = 0;
  for (let k = 0; k < count; k++) total += shares[from + k]!;
  if (amount < 0 || !Number.isSafeInteger(amount * Math.max(total, 1_000_000)) || count > 32) {
    const parts = allocateByShares(amount, Array.from(shares.subarray(from, from + count)));
    for (let k = 0; k < count; k++) out[outFrom + k] = parts[k]!;
    return;
  }
  if (count === 2 && total === 1_000_000) {
    // the common two-way split of the whole amount: one unit left at most, to the larger remainder
    const s0 = shares[from]!;
    const s1 = shares[from + 1]!;
    const p0 = Math.floor((amount * s0) / 1_000_000);
    const p1 = Math.floor((amount * s1) / 1_000_000);
    if (p0 + p1 < amount) {
      if (amount * s1 - p1 * 1_000_000 > amount * s0 - p0 * 1_000_000) {
        out[outFrom] = p0;
        out[outFrom + 1] = p1 + 1;
      } else {
        out[outFrom] = p0 + 1;
        out[outFrom + 1] = p1;
      }
    } else {
      out[outFrom] = p0;
      out[outFrom + 1] = p1;
    }
    return;
  }
  // target = round_half_even(amount × total / 1e6)
  const product = amount * total;
  let target = Math.floor(product / 1_000_000);
  const rest = product - target * 1_000_000;
  if (rest * 2 > 1_000_000 || (rest * 2 === 1_000_000 && target % 2 === 1)) target += 1;
  let assigned = 0;
  for (let k = 0; k < count; k++) {
    const part = Math.floor((amount * shares[from + k]!) / 1_000_000);
    out[outFrom + k] = part;
    assigned += part;
  }
  // the units left go to the largest remainders, ties to the earlier share (as allocateByShares)
  let picked = 0;
  for (let remaining = target - assigned; remaining > 0; remaining--) {
    let best = -1;
    let bestRemainder = -1;
    for (let k = 0; k < count; k++) {
      if ((picked & (1 << k)) !== 0) continue;
      const remainder = amount * shares[from + k]! - out[outFrom + k]! * 1_000_000;
      if (remainder > bestRemainder) {
        best = k;
        bestRemainder = remainder;
      }
    }
    if (best < 0) break;
    picked |= 1 << best;
    out[outFrom + best]! += 1;
  }
}

/** Credits every eligible transaction of [txFrom, txTo); see the file comment. */
export function generateCredits(params: CreditingParams): { credits: CreditTable; issues: CompIssue[] } {
  const { columns, types, txFrom, txTo, eligible } = params;
  const t = columns.transactions;
  const issues: CompIssue[] = [];
  let splitIssues = 0;
  const payeeCount = columns.payeeIds.length;
  const useOwner = params.rules.includes('owner');
  const useSplits = params.rules.includes('splits');
  const useOverlays = params.rules.includes('overlays');
  const useTerritory = params.rules.includes('territory');
  const levels = params.rules.includes('rollup') ? params.rollupLevels : 0;
  const firstDay = txTo > txFrom ? t.day[txFrom]! : 0;
  const lastDay = txTo > txFrom ? t.day[txTo - 1]! : 0;
  const hierarchy = new Hierarchy(columns, firstDay, lastDay);
  const territories = useTerritory ? new Territories(columns) : undefined;
  const scale = 10 ** columns.digits;
  const typeCount = types.length;
  const bases = types.map((ty) =>
    ty.base === 'amount'
      ? t.amount
      : ty.base === 'margin'
        ? t.margin
        : ty.base === 'units'
          ? t.units
          : undefined,
  );

  // scratch: the recipients of one transaction
  const rPayee = new Int32Array(MAX_RECIPIENTS);
  const rRule = new Uint8Array(MAX_RECIPIENTS);
  const rLevel = new Uint8Array(MAX_RECIPIENTS);
  const rFrom = new Int32Array(MAX_RECIPIENTS);
  const rShare = new Int32Array(MAX_RECIPIENTS);
  const rSource = new Int32Array(MAX_RECIPIENTS);
  const rAmount = types.map(() => new Float64Array(MAX_RECIPIENTS));
  const base = new Float64Array(typeCount);

  /** Fills the scratch arrays with transaction i's recipients; amounts only when asked. */
  const resolve = (i: number, withAmounts: boolean): number => {
    let r = 0;
    const day = t.day[i]!;
    const owner = t.owner[i]!;
    const s0 = t.splitStart[i]!;
    const s1 = t.splitStart[i + 1]!;
    if (withAmounts) {
      for (let ty = 0; ty < typeCount; ty++) {
        const when = types[ty]!.when;
        const column = bases[ty];
        base[ty] = when !== undefined && when[i] === 0 ? NaN : column === undefined ? scale : column[i]!;
      }
    }
    if (useSplits && s1 > s0) {
      const n = Math.min(s1 - s0, MAX_RECIPIENTS / 4);
      for (let k = 0; k < n; k++) {
        rPayee[r + k] = t.splitPayee[s0 + k]!;
        rRule[r + k] = RULE_SPLIT;
        rLevel[r + k] = 0;
        rFrom[r + k] = -1;
        rShare[r + k] = t.splitShare[s0 + k]!;
        rSource[r + k] = -1;
      }
      if (withAmounts) {
        for (let ty = 0; ty < typeCount; ty++) {
          const b = base[ty]!;
          if (Number.isNaN(b)) rAmount[ty]!.fill(NaN, r, r + n);
          else allocateInto(b, t.splitShare, s0, n, rAmount[ty]!, r);
        }
        let total = 0;
        for (let k = 0; k < n; k++) total += t.splitShare[s0 + k]!;
        if (total !== 1_000_000) {
          splitIssues += 1;
          if (splitIssues <= 200)
            issues.push({
              code: 'split_not_100',
              message: `The splits of transaction ${t.id[i]} sum to ${total / 10_000}%, not 100%; credited as written`,
              transaction: t.id[i]!,
            });
        }
      }
      r += n;
    } else if (useOwner) {
      rPayee[r] = owner;
      rRule[r] = RULE_OWNER;
      rLevel[r] = 0;
      rFrom[r] = -1;
      rShare[r] = 1_000_000;
      rSource[r] = -1;
      if (withAmounts) for (let ty = 0; ty < typeCount; ty++) rAmount[ty]![r] = base[ty]!;
      r += 1;
    }
    const direct = r;
    if (useOverlays) {
      const o0 = t.overlayStart[i]!;
      const o1 = t.overlayStart[i + 1]!;
      for (let k = o0; k < o1 && r < MAX_RECIPIENTS / 2; k++) {
        rPayee[r] = t.overlayPayee[k]!;
        rRule[r] = RULE_OVERLAY;
        rLevel[r] = 0;
        rFrom[r] = -1;
        rShare[r] = t.overlayShare[k]!;
        rSource[r] = -1;
        if (withAmounts)
          for (let ty = 0; ty < typeCount; ty++) {
            const b = base[ty]!;
            if (Number.isNaN(b)) rAmount[ty]![r] = NaN;
            else allocateInto(b, t.overlayShare, k, 1, rAmount[ty]!, r);
          }
        r += 1;
      }
    }
    if (territories) {
      const payee = territories.ownerOf(t.account[i]!, day);
      let already = false;
      for (let k = 0; k < direct; k++) if (rPayee[k] === payee) already = true;
      if (payee >= 0 && !already) {
        rPayee[r] = payee;
        rRule[r] = RULE_TERRITORY;
        rLevel[r] = 0;
        rFrom[r] = -1;
        rShare[r] = 1_000_000;
        rSource[r] = -1;
        if (withAmounts) for (let ty = 0; ty < typeCount; ty++) rAmount[ty]![r] = base[ty]!;
        r += 1;
      }
    }
    if (levels > 0) {
      for (let k = 0; k < direct; k++) {
        const rep = rPayee[k]!;
        let manager = hierarchy.managerOf(rep, day);
        for (let level = 1; level <= levels && manager >= 0 && r < MAX_RECIPIENTS; level++) {
          rPayee[r] = manager;
          rRule[r] = RULE_ROLLUP;
          rLevel[r] = level;
          rFrom[r] = rep;
          rShare[r] = rShare[k]!;
          rSource[r] = k;
          if (withAmounts) for (let ty = 0; ty < typeCount; ty++) rAmount[ty]![r] = rAmount[ty]![k]!;
          r += 1;
          manager = hierarchy.managerOf(manager, day);
        }
      }
    }
    return r;
  };

  // The common case runs without the generic resolver: owner or splits, one credit type, a
  // hierarchy that does not change over the credited days.
  const fixed = hierarchy.fixed;
  let staticHierarchy = true;
  for (let p = 0; p < payeeCount; p++) if (fixed[p] === -2) staticHierarchy = false;
  const fast =
    staticHierarchy &&
    typeCount === 1 &&
    !useTerritory &&
    (!useOverlays || t.overlayStart[txTo]! === t.overlayStart[txFrom]!) &&
    params.reverseWithinDays === undefined;

  // pass 1: count per payee
  const payeeStart = new Int32Array(payeeCount + 1);
  if (fast) {
    // direct credits, then each payee's count rolled up its fixed chain of managers
    const direct = new Int32Array(payeeCount);
    const splitStart = t.splitStart;
    const splitPayee = t.splitPayee;
    const owners = t.owner;
    for (let i = txFrom; i < txTo; i++) {
      if (eligible !== null && eligible[i] === 0) continue;
      const s0 = splitStart[i]!;
      const s1 = splitStart[i + 1]!;
      if (useSplits && s1 > s0) for (let k = s0; k < s1; k++) direct[splitPayee[k]!]! += 1;
      else if (useOwner) direct[owners[i]!]! += 1;
    }
    for (let p = 0; p < payeeCount; p++) {
      const d = direct[p]!;
      if (d === 0) continue;
      payeeStart[p + 1]! += d;
      let manager = fixed[p]!;
      for (let level = 1; level <= levels && manager >= 0; level++) {
        payeeStart[manager + 1]! += d;
        manager = fixed[manager]!;
      }
    }
  } else {
    for (let i = txFrom; i < txTo; i++) {
      if (eligible !== null && eligible[i] === 0) continue;
      const r = resolve(i, false);
      for (let k = 0; k < r; k++) payeeStart[rPayee[k]! + 1]! += 1;
    }
  }
  for (let p = 0; p < payeeCount; p++) payeeStart[p + 1]! += payeeStart[p]!;
  const count = payeeStart[payeeCount]!;
  const fill = payeeStart.slice(0, payeeCount);
  const tx = new Int32Array(count);
  const rule = new Uint8Array(count);
  const level = new Uint8Array(count);
  const from = new Int32Array(count);
  const share = new Int32Array(count);
  const amounts = types.map(() => new Float64Array(count));
  from.fill(-1);
  const carry = params.carry ?? [];
  const carried = carry.map((source) =>
    source instanceof Uint16Array ? new Uint16Array(count) : new Uint8Array(count),
  );
  const carry0 = carry[0];
  const carried0 = carried[0];
  const carry1 = carry[1];
  const carried1 = carried[1];
  const carryRest = carry.length > 2;
  const reverse = params.reverseWithinDays;
  const reversals: { payee: number; day: number; credit: number }[] = [];

  // pass 2: fill, each payee's credits in transaction order
  if (fast) {
    const amount0 = amounts[0]!;
    const when0 = types[0]!.when;
    const base0 = bases[0];
    const splitStart = t.splitStart;
    const splitPayee = t.splitPayee;
    const splitShare = t.splitShare;
    const owners = t.owner;
    const parts = new Float64Array(MAX_RECIPIENTS);
    const write = (payee: number, i: number, ruleCode: number, sharePpm: number, value: number): void => {
      const c0 = carry0 !== undefined ? carry0[i]! : 0;
      const c1 = carry1 !== undefined ? carry1[i]! : 0;
      let at = fill[payee]!++;
      tx[at] = i;
      rule[at] = ruleCode;
      share[at] = sharePpm;
      amount0[at] = value;
      if (carried0 !== undefined) carried0[at] = c0;
      if (carried1 !== undefined) carried1[at] = c1;
      if (carryRest) for (let q = 2; q < carry.length; q++) carried[q]![at] = carry[q]![i]!;
      let manager = fixed[payee]!;
      for (let lv = 1; lv <= levels && manager >= 0; lv++) {
        at = fill[manager]!++;
        tx[at] = i;
        rule[at] = RULE_ROLLUP;
        level[at] = lv;
        from[at] = payee;
        share[at] = sharePpm;
        amount0[at] = value;
        if (carried0 !== undefined) carried0[at] = c0;
        if (carried1 !== undefined) carried1[at] = c1;
        if (carryRest) for (let q = 2; q < carry.length; q++) carried[q]![at] = carry[q]![i]!;
        manager = fixed[manager]!;
      }
    };
    for (let i = txFrom; i < txTo; i++) {
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
          write(splitPayee[s0 + k]!, i, RULE_SPLIT, splitShare[s0 + k]!, parts[k]!);
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
      } else if (useOwner) write(owners[i]!, i, RULE_OWNER, 1_000_000, b);
    }
  }
  for (let i = fast ? txTo : txFrom; i < txTo; i++) {
    if (eligible !== null && eligible[i] === 0) continue;
    const r = resolve(i, true);
    const cancelled = t.cancelledDay[i]!;
    const reversed = reverse !== undefined && cancelled !== NO_DAY && cancelled - t.day[i]! <= reverse;
    for (let k = 0; k < r; k++) {
      const payee = rPayee[k]!;
      const at = fill[payee]!++;
      tx[at] = i;
      rule[at] = rRule[k]!;
      level[at] = rLevel[k]!;
      from[at] = rFrom[k]!;
      share[at] = rShare[k]!;
      for (let ty = 0; ty < typeCount; ty++) amounts[ty]![at] = rAmount[ty]![k]!;
      for (let q = 0; q < carry.length; q++) carried[q]![at] = carry[q]![i]!;
      if (reversed) reversals.push({ payee, day: cancelled, credit: at });
    }
  }
  reversals.sort((a, b) => a.payee - b.payee || a.day - b.day || a.credit - b.credit);
  const reversalStart = new Int32Array(payeeCount + 1);
  for (const rv of reversals) reversalStart[rv.payee + 1]! += 1;
  for (let p = 0; p < payeeCount; p++) reversalStart[p + 1]! += reversalStart[p]!;
  if (splitIssues > 200)
    issues.push({
      code: 'split_not_100',
      message: `${splitIssues - 200} more transactions have splits that do not sum to 100%`,
    });
  return {
    credits: {
      count,
      payeeStart,
      tx,
      rule,
      level,
      from,
      share,
      amounts,
      carried,
      reversalStart,
      reversalDay: Int32Array.from(reversals, (rv) => rv.day),
      reversalCredit: Int32Array.from(reversals, (rv) => rv.credit),
    },
    issues,
  };
}
