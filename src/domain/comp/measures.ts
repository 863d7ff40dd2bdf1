/**
 * Measures and attainment (docs/plans.md "Measures and attainment"): a measure sums a payee's
 * credits of one type over a window ending with the payout period; its quota is the sum of the
 * payee's quotas for the quota periods inside the window's unit that have started by the end of the
 * payout period (a quarter's quota given for the quarter is used as is, monthly quotas add up to
 * date). A quota that changes within its period (several rows with `from` days) is the day-weighted
 * sum of the targets, exact, rounded once half to even. Attainment is compared exactly
 * (value × 10^6 against quota × bound in ppm), never through a rounded value.
 */
import type { CompColumns, QuotaRow } from './comp-columns.ts';
import { NO_DAY } from './comp-columns.ts';
import { parsePeriodLabel, windowUnit, type CompPeriod, type MeasureWindow } from './comp-periods.ts';
import { divideHalfEvenBig } from './exact-money.ts';

export type CompiledMeasure = {
  id: string;
  index: number;
  /** Index of its credit type. */
  typeIndex: number;
  window: MeasureWindow;
  /** The quota measure name (quota rows' `measure`). */
  quota?: string;
};

/**
 * The quota of one period from its rows: one row is its amount; several rows with `from` days are
 * weighted by the days each applies (the earliest row applies from the period's first day).
 */
export function periodQuota(
  rows: readonly { amountMinor: number; fromDay: number }[],
  span: CompPeriod,
): number {
  if (rows.length === 1) return rows[0]!.amountMinor;
  const sorted = rows
    .map((r) => ({
      amountMinor: r.amountMinor,
      fromDay: r.fromDay === NO_DAY ? span.firstDay : Math.max(r.fromDay, span.firstDay),
    }))
    .sort((a, b) => a.fromDay - b.fromDay);
  const days = span.lastDay - span.firstDay + 1;
  let weighted = 0n;
  for (let k = 0; k < sorted.length; k++) {
    const start = k === 0 ? span.firstDay : sorted[k]!.fromDay;
    const end = k + 1 < sorted.length ? sorted[k + 1]!.fromDay : span.lastDay + 1;
    if (end > start) weighted += BigInt(sorted[k]!.amountMinor) * BigInt(end - start);
  }
  return Number(divideHalfEvenBig(weighted, BigInt(days)));
}

type QuotaPeriod = {
  span: CompPeriod;
  quotaMinor: number;
  rows: number;
  label: string;
  /** The rows when there are several (prorated at the end of the constructor). */
  rowList?: QuotaRow[];
  first: QuotaRow;
};

/** Quotas by payee and quota measure, per quota period (prorated once). */
export class QuotaBook {
  /** By payee index: quota measure → its quota periods, by first day. */
  private readonly byPayee: (Map<string, QuotaPeriod[]> | undefined)[];

  constructor(columns: CompColumns) {
    this.byPayee = new Array<Map<string, QuotaPeriod[]> | undefined>(columns.payeeIds.length).fill(undefined);
    const spans = new Map<string, CompPeriod | undefined>();
    let several = false;
    for (const q of columns.quotas) {
      let span = spans.get(q.period);
      if (span === undefined && !spans.has(q.period)) {
        span = parsePeriodLabel(q.period, columns.fiscalYearStartMonth);
        spans.set(q.period, span);
      }
      if (!span) continue;
      let byMeasure = this.byPayee[q.payee];
      if (!byMeasure) this.byPayee[q.payee] = byMeasure = new Map<string, QuotaPeriod[]>();
      let list = byMeasure.get(q.measure);
      if (!list) byMeasure.set(q.measure, (list = []));
      // rows usually come grouped: try the last period first
      const last = list.length > 0 ? list[list.length - 1]! : undefined;
      const group = last?.label === q.period ? last : list.find((g) => g.label === q.period);
      if (!group) list.push({ span, quotaMinor: q.amountMinor, rows: 1, label: q.period, first: q });
      else {
        (group.rowList ??= [group.first]).push(q);
        group.rows += 1;
        several = true;
      }
    }
    for (const byMeasure of this.byPayee) {
      if (!byMeasure) continue;
      for (const list of byMeasure.values()) {
        if (several) for (const g of list) if (g.rowList) g.quotaMinor = periodQuota(g.rowList, g.span);
        let sorted = true;
        for (let k = 1; k < list.length; k++)
          if (list[k - 1]!.span.firstDay > list[k]!.span.firstDay) sorted = false;
        if (!sorted) list.sort((a, b) => a.span.firstDay - b.span.firstDay);
      }
    }
  }

  /** Whether a payee has any quota rows for a quota measure. */
  has(payee: number, measure: string): boolean {
    return this.byPayee[payee]?.has(measure) ?? false;
  }

  /**
   * The quota of a measure window ending with `period`, or undefined when no quota period falls in it.
   * Also says whether a quota in it was prorated (for traces).
   */
  windowQuota(
    payee: number,
    measure: string,
    period: CompPeriod,
    window: MeasureWindow,
    fiscalYearStartMonth: number,
  ): { quotaMinor: number; prorated: boolean } | undefined {
    const list = this.byPayee[payee]?.get(measure);
    if (!list) return undefined;
    const unit = windowUnit(window, period, fiscalYearStartMonth);
    let total = 0;
    let found = false;
    let prorated = false;
    for (const q of list) {
      if (
        q.span.firstDay >= unit.firstDay &&
        q.span.lastDay <= unit.lastDay &&
        q.span.firstDay <= period.lastDay
      ) {
        total += q.quotaMinor;
        found = true;
        if (q.rows > 1) prorated = true;
      }
    }
    return found ? { quotaMinor: total, prorated } : undefined;
  }
}

/** value / quota as a decimal with 4 places, half to even ("1.0833"). */
export function attainmentText(valueMinor: number, quotaMinor: number): string {
  if (quotaMinor === 0) return valueMinor === 0 ? '0.0000' : 'n/a';
  const scaled = divideHalfEvenBig(BigInt(valueMinor) * 10_000n, BigInt(quotaMinor));
  const negative = scaled < 0n;
  const abs = (negative ? -scaled : scaled).toString().padStart(5, '0');
  return `${negative ? '-' : ''}${abs.slice(0, -4)}.${abs.slice(-4)}`;
}

/** value / quota as a percentage for people: "108.33%" (2 places, half to even, trailing zeros dropped). */
export function attainmentPercent(valueMinor: number, quotaMinor: number): string {
  if (quotaMinor === 0) return 'n/a';
  const scaled = divideHalfEvenBig(BigInt(valueMinor) * 10_000n, BigInt(quotaMinor));
  const negative = scaled < 0n;
  const abs = (negative ? -scaled : scaled).toString().padStart(3, '0');
  const whole = abs.slice(0, -2);
  const fraction = abs.slice(-2).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}%`;
}

/** The smallest whole minor amount at or above quota × ppm / 10^6 (a tier boundary, docs/plans.md). */
export function boundaryMinor(quotaMinor: number, ppm: number): number {
  const product = quotaMinor * ppm;
  if (Number.isSafeInteger(product)) return Math.ceil(product / 1_000_000);
  const exact = BigInt(quotaMinor) * BigInt(ppm);
  const q = exact / 1_000_000n;
  return Number(exact % 1_000_000n > 0n ? q + 1n : q);
}

/** floor(quota × ppm / 10^6): value > floor(T) ⟺ value > T for a whole value. */
export function floorMinor(quotaMinor: number, ppm: number): number {
  const exact = BigInt(quotaMinor) * BigInt(ppm);
  let q = exact / 1_000_000n;
  if (exact < 0n && q * 1_000_000n !== exact) q -= 1n;
  return Number(q);
}

/** Whether value / quota ≥ ppm / 10^6, exactly. */
export function attainmentAtLeast(valueMinor: number, quotaMinor: number, ppm: number): boolean {
  return BigInt(valueMinor) * 1_000_000n >= BigInt(quotaMinor) * BigInt(ppm);
}
