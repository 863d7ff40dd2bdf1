/**
 * "Why did my pay change": compares two runs statement by statement and line by line (issue 6
 * point 6). Each changed line says by how much and because of what — a deal's amount, date, share
 * or credit rule in the credit traces, a rate or tier, attainment before the deal, a quota, an
 * adjustment, a cancellation, cash collected, or the plan itself. Deltas are exact: applying them
 * to the first run's totals gives the second run's totals to the cent.
 */
import type {
  CompResult,
  CreditTrace,
  DecimalText,
  LineKind,
  MeasureValue,
  PeriodLabel,
  Statement,
  StatementLine,
} from './comp-types.ts';
import { currencyDigits, decimalToMinor, formatMoney, minorToDecimal, ppmToPercent } from './exact-money.ts';

export const totalKeys = [
  'earnings',
  'adjustments',
  'clawbacks',
  'draw',
  'drawRecovered',
  'held',
  'released',
  'payable',
  'balanceCarried',
] as const;
export type TotalKey = (typeof totalKeys)[number];
export type Totals = Statement['totals'];
export type TotalsDelta = Record<TotalKey, DecimalText>;

export type RunSide = {
  engineVersion: string;
  planId: string;
  planVersion: number;
  planFingerprint: string;
  inputFingerprint: string;
  periods: PeriodLabel[];
};

export type LineChange = {
  lineId: string;
  kind: LineKind;
  component?: string;
  transaction?: string;
  change: 'added' | 'removed' | 'changed';
  before?: DecimalText;
  after?: DecimalText;
  /** after − before (a missing side counts as zero). */
  delta: DecimalText;
  /** Why, in sentences: "Deal Acme-042 amount changed from $100,000 to $120,000". */
  reasons: string[];
  explanationBefore?: string;
  explanationAfter?: string;
};

export type MeasureChange = {
  id: string;
  valueBefore?: DecimalText;
  valueAfter?: DecimalText;
  quotaBefore?: DecimalText;
  quotaAfter?: DecimalText;
  attainmentBefore?: DecimalText;
  attainmentAfter?: DecimalText;
  reasons: string[];
};

export type StatementChange = {
  payee: string;
  payeeName: string;
  period: PeriodLabel;
  change: 'added' | 'removed' | 'changed';
  totalsBefore: Totals | null;
  totalsAfter: Totals | null;
  /** after − before per total; applied to `totalsBefore` (zero when absent) it gives `totalsAfter`. */
  delta: TotalsDelta;
  lines: LineChange[];
  measures: MeasureChange[];
  /** The distinct reasons of the lines and measures, plan-level reasons first. */
  reasons: string[];
};

export type RunComparison = {
  currency: string;
  before: RunSide;
  after: RunSide;
  planChanged: boolean;
  inputChanged: boolean;
  /** Run-level reasons: the plan version or content, the inputs, the engine. */
  reasons: string[];
  /** Only statements that differ (a line, a total or a measure), sorted by payee then period. */
  statements: StatementChange[];
  unchangedStatements: number;
  /** Payees with at least one changed statement. */
  payeesChanged: string[];
  totalsBefore: Totals;
  totalsAfter: Totals;
  totalsDelta: TotalsDelta;
};

/** Which payees and lines changed between two runs, by how much, and why. */
export function compareRuns(before: CompResult, after: CompResult): RunComparison {
  const currency = after.currency;
  const digits = Math.max(currencyDigits(before.currency), currencyDigits(after.currency));
  const fmt = (text: DecimalText | undefined) =>
    text === undefined ? '—' : moneyText(text, digits, currency);
  const minor = (text: DecimalText | undefined) => (text === undefined ? 0 : decimalToMinor(text, digits));
  const dec = (value: number) => minorToDecimal(value, digits);

  const planChanged =
    before.plan.id !== after.plan.id ||
    before.plan.version !== after.plan.version ||
    before.plan.fingerprint !== after.plan.fingerprint;
  const inputChanged = before.inputFingerprint !== after.inputFingerprint;
  const runReasons: string[] = [];
  if (before.plan.id !== after.plan.id)
    runReasons.push(`Plan changed from ${before.plan.id} to ${after.plan.id}`);
  else if (before.plan.version !== after.plan.version)
    runReasons.push(
      `Plan ${after.plan.id} changed from version ${before.plan.version} to version ${after.plan.version}`,
    );
  else if (before.plan.fingerprint !== after.plan.fingerprint)
    runReasons.push(
      `Plan ${after.plan.id} content changed at version ${after.plan.version} (fingerprint ${before.plan.fingerprint.slice(0, 12)} → ${after.plan.fingerprint.slice(0, 12)})`,
    );
  if (inputChanged)
    runReasons.push(
      `Inputs changed (fingerprint ${before.inputFingerprint.slice(0, 12)} → ${after.inputFingerprint.slice(0, 12)})`,
    );
  if (before.engineVersion !== after.engineVersion)
    runReasons.push(`Engine changed from ${before.engineVersion} to ${after.engineVersion}`);
  if (before.currency !== after.currency)
    runReasons.push(`Currency changed from ${before.currency} to ${after.currency}`);
  const planReason = planChanged ? runReasons[0]! : undefined;

  const key = (s: Statement) => `${s.payee}\u0000${s.period}`;
  const beforeByKey = new Map(before.statements.map((s) => [key(s), s]));
  const afterByKey = new Map(after.statements.map((s) => [key(s), s]));
  const keys = [...new Set([...beforeByKey.keys(), ...afterByKey.keys()])].sort();

  const sumBefore = zeroTotals();
  const sumAfter = zeroTotals();
  const statements: StatementChange[] = [];
  let unchanged = 0;
  for (const k of keys) {
    const a = beforeByKey.get(k);
    const b = afterByKey.get(k);
    for (const t of totalKeys) {
      sumBefore[t] += minor(a?.totals[t]);
      sumAfter[t] += minor(b?.totals[t]);
    }
    const change = compareStatements(a, b);
    if (change) statements.push(change);
    else unchanged++;
  }

  return {
    currency,
    before: side(before),
    after: side(after),
    planChanged,
    inputChanged,
    reasons: runReasons,
    statements,
    unchangedStatements: unchanged,
    payeesChanged: [...new Set(statements.map((s) => s.payee))],
    totalsBefore: decimalTotals(sumBefore),
    totalsAfter: decimalTotals(sumAfter),
    totalsDelta: decimalTotals(
      Object.fromEntries(totalKeys.map((t) => [t, sumAfter[t] - sumBefore[t]])) as Record<TotalKey, number>,
    ),
  };

  function decimalTotals(values: Record<TotalKey, number>): Totals {
    return Object.fromEntries(totalKeys.map((t) => [t, dec(values[t])])) as Totals;
  }

  function compareStatements(
    a: Statement | undefined,
    b: Statement | undefined,
  ): StatementChange | undefined {
    const s = (b ?? a)!;
    const delta = Object.fromEntries(
      totalKeys.map((t) => [t, dec(minor(b?.totals[t]) - minor(a?.totals[t]))]),
    ) as TotalsDelta;
    const totalsDiffer = totalKeys.some((t) => minor(b?.totals[t]) !== minor(a?.totals[t]));
    const lines = compareLines(a?.lines ?? [], b?.lines ?? []);
    const measures = compareMeasures(a?.measures ?? [], b?.measures ?? []);
    if (a && b && !totalsDiffer && lines.length === 0 && measures.length === 0) return undefined;
    const reasons: string[] = [];
    if (planReason && (lines.length > 0 || totalsDiffer)) reasons.push(planReason);
    if (!a) reasons.push(`New statement: ${s.payeeName} has a statement for ${s.period} in the second run`);
    if (!b) reasons.push(`${s.payeeName} has no statement for ${s.period} in the second run`);
    for (const m of measures) reasons.push(...m.reasons);
    for (const l of lines) reasons.push(...l.reasons);
    if (lines.length === 0 && totalsDiffer && a && b)
      reasons.push('The balance carried from earlier periods changed');
    return {
      payee: s.payee,
      payeeName: s.payeeName,
      period: s.period,
      change: !a ? 'added' : !b ? 'removed' : 'changed',
      totalsBefore: a?.totals ?? null,
      totalsAfter: b?.totals ?? null,
      delta,
      lines,
      measures,
      reasons: [...new Set(reasons)],
    };
  }

  function compareMeasures(a: MeasureValue[], b: MeasureValue[]): MeasureChange[] {
    const byId = new Map(a.map((m) => [m.id, m]));
    const seen = new Set<string>();
    const changes: MeasureChange[] = [];
    for (const m of b) {
      seen.add(m.id);
      const old = byId.get(m.id);
      const reasons: string[] = [];
      if (!old) reasons.push(`Measure ${m.id} is new`);
      else {
        if (!sameDecimal(old.quota, m.quota))
          reasons.push(`Quota for ${m.id} changed from ${quantity(old.quota)} to ${quantity(m.quota)}`);
        if (!sameDecimal(old.value, m.value))
          reasons.push(`${m.id} changed from ${quantity(old.value)} to ${quantity(m.value)}`);
      }
      if (reasons.length > 0 || (old && !sameDecimal(old.attainment, m.attainment)))
        changes.push(measureChange(m.id, old, m, reasons));
    }
    for (const old of a)
      if (!seen.has(old.id))
        changes.push(measureChange(old.id, old, undefined, [`Measure ${old.id} is no longer computed`]));
    return changes;
  }

  function compareLines(a: StatementLine[], b: StatementLine[]): LineChange[] {
    const keyed = (lines: StatementLine[]) => {
      const counts = new Map<string, number>();
      return lines.map((l) => {
        const n = counts.get(l.id) ?? 0;
        counts.set(l.id, n + 1);
        return [n === 0 ? l.id : `${l.id}#${n}`, l] as const;
      });
    };
    const oldById = new Map(keyed(a));
    const changes: LineChange[] = [];
    const seen = new Set<string>();
    for (const [id, line] of keyed(b)) {
      seen.add(id);
      const old = oldById.get(id);
      if (old && minor(old.amount) === minor(line.amount)) continue;
      changes.push(lineChange(old, line));
    }
    for (const [id, old] of keyed(a)) if (!seen.has(id)) changes.push(lineChange(old, undefined));
    return changes;
  }

  function lineChange(a: StatementLine | undefined, b: StatementLine | undefined): LineChange {
    const l = (b ?? a)!;
    const change: LineChange = {
      lineId: l.id,
      kind: l.kind,
      change: !a ? 'added' : !b ? 'removed' : 'changed',
      delta: dec(minor(b?.amount) - minor(a?.amount)),
      reasons: lineReasons(a, b),
    };
    if (l.component !== undefined) change.component = l.component;
    if (l.transaction !== undefined) change.transaction = l.transaction;
    if (a) {
      change.before = a.amount;
      change.explanationBefore = a.explanation;
    }
    if (b) {
      change.after = b.amount;
      change.explanationAfter = b.explanation;
    }
    return change;
  }

  function lineReasons(a: StatementLine | undefined, b: StatementLine | undefined): string[] {
    const l = (b ?? a)!;
    const name = dealName(l);
    const reasons: string[] = [];
    if (!a || !b) {
      const added = !a;
      switch (l.kind) {
        case 'adjustment': {
          const d = l.trace.details ?? {};
          reasons.push(
            `Adjustment ${added ? 'added' : 'removed'}: ${fmt(l.amount)}${d.reason ? ` — ${d.reason}` : ''}${d.approver ? ` (approved by ${d.approver})` : ''}`,
          );
          break;
        }
        case 'clawback':
          reasons.push(added ? `${name} was cancelled` : `${name} is no longer clawed back`);
          break;
        case 'prior_period_adjustment':
          reasons.push(
            added
              ? `A closed period (${l.trace.details?.period ?? 'earlier'}) recalculates differently`
              : `The correction to ${l.trace.details?.period ?? 'a closed period'} is no longer needed`,
          );
          break;
        case 'draw':
        case 'draw_recovery':
        case 'hold':
        case 'release':
          reasons.push(
            `${ledgerLabel(l.kind)} ${added ? 'now applies' : 'no longer applies'}: it follows the earnings and balances`,
          );
          break;
        default:
          if (l.transaction !== undefined)
            reasons.push(
              added
                ? `${name} is new or newly credited to you`
                : `${name} no longer pays you (removed, cancelled, or credited to someone else)`,
            );
          else reasons.push(`${l.kind} line ${l.id} ${added ? 'added' : 'removed'}`);
      }
      if (planReason && l.kind !== 'adjustment') reasons.push(planReason);
      return reasons;
    }
    reasons.push(...creditReasons(a.trace.credits ?? [], b.trace.credits ?? []));
    const ta = a.trace;
    const tb = b.trace;
    if (!sameDecimal(ta.attainmentBefore, tb.attainmentBefore))
      reasons.push(
        `Attainment before ${name} changed from ${percent(ta.attainmentBefore)} to ${percent(tb.attainmentBefore)}`,
      );
    if (!sameDecimal(ta.rate, tb.rate) && (ta.rate !== undefined || tb.rate !== undefined))
      reasons.push(`Rate changed from ${percent(ta.rate)} to ${percent(tb.rate)}`);
    const mult = (t: typeof ta) =>
      (t.multipliers ?? []).map((m) => `${m.label} ×${m.factor}`).join(', ') || 'none';
    if (mult(ta) !== mult(tb)) reasons.push(`Multipliers changed from ${mult(ta)} to ${mult(tb)}`);
    if (ta.method !== tb.method && (ta.method || tb.method))
      reasons.push(`Tier method changed from ${ta.method ?? 'none'} to ${tb.method ?? 'none'}`);
    const capText = (t: typeof ta) =>
      t.capped ? `${t.capped.cap} (${fmt(t.capped.before)} → ${fmt(t.capped.after)})` : 'none';
    if (capText(ta) !== capText(tb))
      reasons.push(tb.capped ? `Cap applied: ${capText(tb)}` : `Cap no longer applies (was ${capText(ta)})`);
    const da = ta.details ?? {};
    const db = tb.details ?? {};
    if (da.collected !== db.collected && (da.collected || db.collected))
      reasons.push(`Cash collected on ${name} changed from ${fmt(da.collected)} to ${fmt(db.collected)}`);
    if (da.cancelled_on !== db.cancelled_on)
      reasons.push(
        `${name} cancellation date changed from ${da.cancelled_on ?? '—'} to ${db.cancelled_on ?? '—'}`,
      );
    if (l.kind === 'adjustment' && (da.reason !== db.reason || da.approver !== db.approver))
      reasons.push(`Adjustment changed: ${db.reason ?? ''} (approved by ${db.approver ?? '—'})`);
    else if (l.kind === 'adjustment')
      reasons.push(`Adjustment amount changed from ${fmt(a.amount)} to ${fmt(b.amount)}`);
    if (l.kind === 'prior_period_adjustment')
      reasons.push(`The recalculation of closed period ${db.period ?? ''} changed`);
    if (reasons.length === 0) {
      if (planReason) reasons.push(planReason);
      else if (l.kind === 'hold' || l.kind === 'release')
        reasons.push(
          `${name} earned a different amount, so the amount ${l.kind === 'hold' ? 'held' : 'released'} changed`,
        );
      else if (ledgerKinds.has(l.kind))
        reasons.push(
          `${ledgerLabel(l.kind)} follows this period's earnings and the balances carried, which changed`,
        );
      else reasons.push(`Other deals in the period changed (${l.kind} depends on the period's totals)`);
    }
    return reasons;
  }

  function creditReasons(a: CreditTrace[], b: CreditTrace[]): string[] {
    const reasons: string[] = [];
    const k = (c: CreditTrace) => `${c.transaction}\u0000${c.creditType}\u0000${c.from ?? ''}`;
    const old = new Map(a.map((c) => [k(c), c]));
    const seen = new Set<string>();
    for (const c of b) {
      seen.add(k(c));
      const o = old.get(k(c));
      const deal = `Deal ${c.transactionName}`;
      if (!o) {
        reasons.push(`${deal} is now credited to you (${ruleText(c)})`);
        continue;
      }
      if (!sameDecimal(o.baseAmount, c.baseAmount))
        reasons.push(
          `${deal} ${c.creditType === 'revenue' || c.creditType === 'bookings' ? 'amount' : c.creditType} changed from ${fmt(o.baseAmount)} to ${fmt(c.baseAmount)}`,
        );
      if (o.date !== c.date) reasons.push(`${deal} date changed from ${o.date} to ${c.date}`);
      if (o.rule !== c.rule) reasons.push(`${deal} credit changed from ${ruleText(o)} to ${ruleText(c)}`);
      else if (!sameDecimal(o.share, c.share))
        reasons.push(`${deal} ${c.rule} share changed from ${shareText(o.share)} to ${shareText(c.share)}`);
      if (o.transactionName !== c.transactionName)
        reasons.push(`Deal ${o.transactionName} was renamed ${c.transactionName}`);
    }
    for (const o of a)
      if (!seen.has(k(o)))
        reasons.push(
          `Deal ${o.transactionName} is no longer credited to you (${ruleText(o)}): owner or split changed`,
        );
    return reasons;
  }

  function quantity(text: DecimalText | undefined): string {
    return text === undefined ? '—' : fmt(text);
  }
}

const ledgerKinds = new Set<LineKind>(['draw', 'draw_recovery', 'hold', 'release', 'clawback']);

function ledgerLabel(kind: LineKind): string {
  switch (kind) {
    case 'draw':
      return 'The draw';
    case 'draw_recovery':
      return 'The recovery';
    case 'hold':
      return 'The hold';
    case 'release':
      return 'The release';
    default:
      return `The ${kind.replace(/_/g, ' ')}`;
  }
}

function ruleText(c: CreditTrace): string {
  switch (c.rule) {
    case 'owner':
      return 'as owner';
    case 'split':
      return `a ${shareText(c.share)} split`;
    case 'overlay':
      return `a ${shareText(c.share)} overlay`;
    case 'rollup':
      return `roll-up from ${c.from ?? 'a report'}${c.level ? ` (level ${c.level})` : ''}`;
    case 'territory':
      return 'as territory owner';
  }
}

function dealName(l: StatementLine): string {
  const credit = l.trace.credits?.[0];
  if (credit) return `Deal ${credit.transactionName}`;
  if (l.trace.details?.deal) return `Deal ${l.trace.details.deal}`;
  return l.transaction !== undefined ? `Deal ${l.transaction}` : 'the line';
}

function side(r: CompResult): RunSide {
  return {
    engineVersion: r.engineVersion,
    planId: r.plan.id,
    planVersion: r.plan.version,
    planFingerprint: r.plan.fingerprint,
    inputFingerprint: r.inputFingerprint,
    periods: r.periods,
  };
}

function zeroTotals(): Record<TotalKey, number> {
  return Object.fromEntries(totalKeys.map((t) => [t, 0])) as Record<TotalKey, number>;
}

function measureChange(
  id: string,
  a: MeasureValue | undefined,
  b: MeasureValue | undefined,
  reasons: string[],
): MeasureChange {
  const change: MeasureChange = { id, reasons };
  if (a?.value !== undefined) change.valueBefore = a.value;
  if (b?.value !== undefined) change.valueAfter = b.value;
  if (a?.quota !== undefined) change.quotaBefore = a.quota;
  if (b?.quota !== undefined) change.quotaAfter = b.quota;
  if (a?.attainment !== undefined) change.attainmentBefore = a.attainment;
  if (b?.attainment !== undefined) change.attainmentAfter = b.attainment;
  return change;
}

/** Decimal texts compared as numbers ("100" = "100.00"); other text compared as is. */
function sameDecimal(a: string | undefined, b: string | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  const ca = canonicalDecimal(a);
  return ca !== undefined && ca === canonicalDecimal(b);
}

function canonicalDecimal(text: string): string | undefined {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  const whole = m[2]!.replace(/^0+(?=\d)/, '');
  const fraction = (m[3] ?? '').replace(/0+$/, '');
  const zero = whole === '0' && fraction === '';
  return `${zero ? '' : m[1]}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** Money for reasons: "$120,000" for whole amounts, "$1,234.56" otherwise; other text as given. */
function moneyText(text: string, digits: number, currency: string): string {
  if (!/^-?\d+(\.\d+)?$/.test(text)) return text;
  const fraction = text.split('.')[1] ?? '';
  if (fraction.replace(/0+$/, '').length > digits) return text;
  const formatted = formatMoney(decimalToMinor(text, digits), digits, currency);
  return digits > 0 ? formatted.replace(new RegExp(`\\.0{${digits}}$`), '') : formatted;
}

/** "0.5" → "50%"; other text as given. */
function shareText(text: string): string {
  const m = /^(\d+)(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (!m) return text;
  return ppmToPercent(Number(m[1]) * 1_000_000 + Number((m[2] ?? '').padEnd(6, '0')));
}

/** An attainment or rate decimal ("0.92") as a percentage ("92%"). */
function percent(text: string | undefined): string {
  return text === undefined ? '—' : shareText(text);
}

/** The comparison as lines of text (for `attain comp diff` and logs). */
export function comparisonText(c: RunComparison): string[] {
  const digits = currencyDigits(c.currency);
  const money = (text: DecimalText) => moneyText(text, digits, c.currency);
  const signedMoney = (text: DecimalText) => (text.startsWith('-') ? money(text) : `+${money(text)}`);
  const out: string[] = [];
  out.push(
    `Run ${c.before.planId} v${c.before.planVersion} (${c.before.inputFingerprint.slice(0, 12)}) → ${c.after.planId} v${c.after.planVersion} (${c.after.inputFingerprint.slice(0, 12)})`,
  );
  for (const r of c.reasons) out.push(`  ${r}`);
  out.push(
    `${c.statements.length} statement(s) changed, ${c.unchangedStatements} unchanged; payable ${signedMoney(c.totalsDelta.payable)}, earnings ${signedMoney(c.totalsDelta.earnings)}`,
  );
  for (const s of c.statements) {
    out.push('');
    out.push(
      `${s.payeeName} (${s.payee}) ${s.period} [${s.change}]: payable ${signedMoney(s.delta.payable)}`,
    );
    for (const m of s.measures) for (const r of m.reasons) out.push(`  ${r}`);
    for (const l of s.lines) {
      out.push(
        `  ${l.lineId}: ${l.before === undefined ? '—' : money(l.before)} → ${l.after === undefined ? '—' : money(l.after)} (${signedMoney(l.delta)})`,
      );
      for (const r of l.reasons) out.push(`    ${r}`);
    }
  }
  return out;
}
