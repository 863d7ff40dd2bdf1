/**
 * "What would this deal pay me" (issue 6 point 8): the payee's plan is run on the same input with
 * and without the deal, so the estimate uses the full state of the period — attainment so far,
 * tiers, accelerators, splits, caps and the draw — and the difference is what the deal adds.
 */
import { toDayNumber } from '../calendar/day-number.ts';
import { calculateCompensation } from './calculate-compensation.ts';
import { periodContaining, parsePeriodLabel } from './comp-periods.ts';
import type {
  CompInput,
  CompIssue,
  DecimalText,
  MeasureValue,
  PeriodLabel,
  Statement,
  StatementLine,
  TransactionInput,
} from './comp-types.ts';
import { currencyDigits, decimalToMinor, formatMoney, minorToDecimal, ppmToPercent } from './exact-money.ts';
import type { PlanDocument } from './plan-document.ts';

export type EstimateLine = {
  line: StatementLine;
  /** The line's amount without the deal (absent: the line is new). */
  before?: DecimalText;
  /** What the deal changes on this line. */
  delta: DecimalText;
};

export type DealEstimate = {
  period: PeriodLabel;
  payee: string;
  payeeName: string;
  currency: string;
  deal: { id: string; name: string; amount: DecimalText; date: string };
  /** Payable in the period without and with the deal, and the difference. */
  payoutWithout: DecimalText;
  payoutWith: DecimalText;
  delta: DecimalText;
  /** Earnings (before draws and holds) without and with the deal, and the difference. */
  earningsWithout: DecimalText;
  earningsWith: DecimalText;
  earningsDelta: DecimalText;
  /** The lines the deal adds or changes in the period (including retroactive repricing, draw and holds). */
  lines: EstimateLine[];
  /** The first measure with a quota: attainment without and with the deal. */
  measure?: string;
  attainmentBefore?: DecimalText;
  attainmentAfter?: DecimalText;
  measures: { id: string; before?: MeasureValue; after?: MeasureValue }[];
  /** The estimate in a sentence. */
  explanation: string;
  /** Issues the calculation reported for this payee or deal. */
  issues: CompIssue[];
};

/** Runs the payee's plan with and without `deal` in the period containing the deal's date. */
export function estimateDeal(
  plan: PlanDocument,
  input: CompInput,
  deal: TransactionInput,
  payee: string,
): DealEstimate {
  const fiscalYearStartMonth = input.fiscalYearStartMonth ?? 1;
  const period = periodContaining(plan.period, toDayNumber(deal.date), fiscalYearStartMonth).label;
  const others = input.transactions.filter((t) => t.id !== deal.id);
  const periods = input.periods ? withPeriod(input.periods, period, fiscalYearStartMonth) : undefined;
  const withDeal = calculateCompensation(
    plan,
    { ...input, ...(periods ? { periods } : {}), transactions: [...others, deal] },
    { payees: [payee] },
  );
  // The same periods for both runs, so balances carried into the period are the same.
  const withoutDeal = calculateCompensation(
    plan,
    { ...input, periods: withPeriod(withDeal.periods, period, fiscalYearStartMonth), transactions: others },
    { payees: [payee] },
  );
  const currency = withDeal.currency;
  const digits = currencyDigits(currency);
  const find = (statements: Statement[]) => statements.find((s) => s.payee === payee && s.period === period);
  const after = find(withDeal.statements);
  const before = find(withoutDeal.statements);
  const minor = (text: DecimalText | undefined) => (text === undefined ? 0 : decimalToMinor(text, digits));
  const dec = (value: number) => minorToDecimal(value, digits);
  const money = (value: number) => formatMoney(value, digits, currency);

  const payWithout = minor(before?.totals.payable);
  const payWith = minor(after?.totals.payable);
  const earnWithout = minor(before?.totals.earnings);
  const earnWith = minor(after?.totals.earnings);

  const oldLines = new Map((before?.lines ?? []).map((l) => [l.id, l]));
  const lines: EstimateLine[] = [];
  for (const line of after?.lines ?? []) {
    const old = oldLines.get(line.id);
    const delta = minor(line.amount) - minor(old?.amount);
    if (old && delta === 0) continue;
    lines.push({ line, ...(old ? { before: old.amount } : {}), delta: dec(delta) });
  }
  const newIds = new Set((after?.lines ?? []).map((l) => l.id));
  for (const old of before?.lines ?? [])
    if (!newIds.has(old.id))
      lines.push({
        line: { ...old, amount: dec(0), explanation: `No longer applies with the deal: ${old.explanation}` },
        before: old.amount,
        delta: dec(-minor(old.amount)),
      });

  const measureIds = [...new Set([...(before?.measures ?? []), ...(after?.measures ?? [])].map((m) => m.id))];
  const measures = measureIds.map((id) => {
    const b = before?.measures.find((m) => m.id === id);
    const a = after?.measures.find((m) => m.id === id);
    return { id, ...(b ? { before: b } : {}), ...(a ? { after: a } : {}) };
  });
  const primary = measures.find(
    (m) => m.after?.attainment !== undefined || m.before?.attainment !== undefined,
  );

  const name = deal.name ?? deal.id;
  const parts = [
    `${name} (${money(minor(deal.amount))}, ${deal.date}) would add ${money(earnWith - earnWithout)} to your earnings for ${period}`,
  ];
  if (payWith - payWithout !== earnWith - earnWithout)
    parts.push(
      `and ${money(payWith - payWithout)} to your pay for the period (draws, holds or recoveries take the rest)`,
    );
  let sentence = parts.join(' ');
  if (primary?.after?.attainment !== undefined)
    sentence += `; attainment on ${primary.id} would move from ${percent(primary.before?.attainment)} to ${percent(primary.after.attainment)}`;
  sentence += '.';

  const estimate: DealEstimate = {
    period,
    payee,
    payeeName: after?.payeeName ?? before?.payeeName ?? payee,
    currency,
    deal: { id: deal.id, name, amount: deal.amount, date: deal.date },
    payoutWithout: dec(payWithout),
    payoutWith: dec(payWith),
    delta: dec(payWith - payWithout),
    earningsWithout: dec(earnWithout),
    earningsWith: dec(earnWith),
    earningsDelta: dec(earnWith - earnWithout),
    lines,
    measures,
    explanation: sentence,
    issues: withDeal.issues.filter(
      (i) =>
        (i.payee === undefined || i.payee === payee) &&
        (i.transaction === undefined || i.transaction === deal.id),
    ),
  };
  if (primary) {
    estimate.measure = primary.id;
    if (primary.before?.attainment !== undefined) estimate.attainmentBefore = primary.before.attainment;
    if (primary.after?.attainment !== undefined) estimate.attainmentAfter = primary.after.attainment;
  }
  return estimate;
}

/** The periods with `period` added, in calendar order. */
function withPeriod(
  periods: readonly PeriodLabel[],
  period: PeriodLabel,
  fiscalYearStartMonth: number,
): PeriodLabel[] {
  if (periods.includes(period)) return [...periods];
  const first = (label: string) => parsePeriodLabel(label, fiscalYearStartMonth)?.firstDay ?? 0;
  return [...periods, period].sort((a, b) => first(a) - first(b));
}

/** "1.0833" → "108.33%". */
function percent(text: string | undefined): string {
  if (text === undefined) return '—';
  const m = /^(-?)(\d+)(?:\.(\d{1,6}))?$/.exec(text);
  if (!m) return text;
  const ppm = Number(m[2]) * 1_000_000 + Number((m[3] ?? '').padEnd(6, '0'));
  return ppmToPercent(m[1] ? -ppm : ppm);
}
