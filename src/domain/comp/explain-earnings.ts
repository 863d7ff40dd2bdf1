/**
 * The reason for every earnings line (issue 6 point 7): a machine-readable `LineTrace` to redo the
 * arithmetic, and a sentence a rep understands —
 * "Deal Acme-042, $120,000 credited at 50% split = $60,000; attainment moved from 92% to 108%;
 * $24,000 at 8% (tier 2) + $36,000 at 12% (tier 3, accelerator) = $6,240".
 * Built only when a statement is materialised, from the numbers the walk recorded.
 */
import { fromDayNumber } from '../calendar/day-number.ts';
import { minorToDecimal } from '../money.ts';
import { CREDIT_RULES } from './comp-conditions.ts';
import type { CreditTrace, LineKind, LineTrace } from './comp-types.ts';
import {
  measureValue,
  type CompiledComponent,
  type Cut,
  type EarningDetail,
  type Engine,
  type PayeeFrame,
} from './components.ts';
import { formatMoney, ppmToDecimal, ppmToPercent } from './exact-money.ts';
import { attainmentPercent, attainmentText } from './measures.ts';

export type EarningLineView = {
  id: string;
  kind: LineKind;
  component: number;
  credit: number;
  amountMinor: number;
  detail: EarningDetail | undefined;
  /** Internal period of the line. */
  periodIndex: number;
};

/** The credit behind an earnings line, as numbers and names (what its trace and sentence read). */
export type CreditFacts = {
  transaction: string;
  transactionName: string;
  /** Day number of the transaction's date. */
  day: number;
  /** Index in CREDIT_RULES. */
  rule: number;
  /** Roll-ups: whose credit rolled up, by id and by the name the sentence uses. */
  fromId?: string;
  fromName?: string;
  level: number;
  baseMinor: number;
  sharePpm: number;
  creditMinor: number;
};

/**
 * Everything the trace and the sentence of one earnings line are written from, taken out of the
 * run once: a statement is these facts plus the plan, so a stored statement is rebuilt from the
 * stored facts and the stored plan version, word for word (comp_statement_lines).
 */
export type EarningFacts = {
  id: string;
  kind: LineKind;
  /** Index of the plan's component. */
  component: number;
  amountMinor: number;
  credit?: CreditFacts;
  detail: EarningDetail;
  /** The threshold measure's value in the line's period, when the trace reports it. */
  thresholdValueMinor?: number;
};

/** What the sentences read from the plan (compiled components, measure and credit type ids). */
export type ExplainPlan = {
  digits: number;
  currency: string;
  components: readonly Pick<
    CompiledComponent,
    'id' | 'label' | 'multipliers' | 'typeIndex' | 'threshold' | 'gate' | 'windowMeasure' | 'tierMeasure'
  >[];
  /** Measure ids by index, synthetic running measures included. */
  measureIds: readonly string[];
  shownMeasures: number;
  creditTypeIds: readonly string[];
};

/** The run's engine as the sentences see it. */
export function explainPlanOf(e: Engine): ExplainPlan {
  return {
    digits: e.digits,
    currency: e.columns.currency,
    components: e.components,
    measureIds: e.measures.map((m) => m.id),
    shownMeasures: e.shownMeasures,
    creditTypeIds: e.creditTypeIds,
  };
}

/** The facts of one earnings line of the run (no text is made here). */
export function earningFacts(e: Engine, f: PayeeFrame, line: EarningLineView): EarningFacts {
  const { columns } = e;
  const comp = e.components[line.component]!;
  const detail = line.detail ?? { multipliers: [], rawMinor: line.amountMinor, cuts: [] };
  const facts: EarningFacts = {
    id: line.id,
    kind: line.kind,
    component: line.component,
    amountMinor: line.amountMinor,
    detail,
  };
  if (line.credit >= 0) {
    const t = columns.transactions;
    const k = line.credit;
    const i = e.credits.tx[k]!;
    const type = comp.typeIndex >= 0 ? comp.typeIndex : 0;
    const from = e.credits.from[k]!;
    facts.credit = {
      transaction: t.id[i]!,
      transactionName: t.name[i]!,
      day: t.day[i]!,
      rule: e.credits.rule[k]!,
      ...(from >= 0
        ? { fromId: columns.payeeIds[from]!, fromName: columns.payeeNames[from] ?? columns.payeeIds[from]! }
        : {}),
      level: e.credits.level[k]!,
      baseMinor: creditBase(e, type, i),
      sharePpm: e.credits.share[k]!,
      creditMinor: e.credits.amounts[type]![k]!,
    };
  }
  if (comp.threshold && comp.threshold.measure >= 0) {
    const P = e.periods.length;
    const j = line.periodIndex;
    if (
      j >= 0 &&
      j < P &&
      f.quota[comp.threshold.measure * P + j] === f.quota[comp.threshold.measure * P + j]
    )
      facts.thresholdValueMinor = measureValue(e, f, comp.threshold.measure, j);
  }
  return facts;
}

/** Money for people: "$120,000" when whole, "$6,240.50" otherwise. */
export function peopleMoney(minor: number, digits: number, currency: string): string {
  const text = formatMoney(minor, digits, currency);
  return digits > 0 && text.endsWith(`.${'0'.repeat(digits)}`) ? text.slice(0, -(digits + 1)) : text;
}

const CAP_WORDS: Record<Cut['cap'], string> = {
  threshold: 'threshold',
  gate: 'gate',
  per_deal: 'per-deal cap',
  per_period: 'per-period cap',
  per_year: 'per-year cap',
};

/** The trace and sentence of one earnings line of a run. */
export function explainEarning(
  e: Engine,
  f: PayeeFrame,
  line: EarningLineView,
): { trace: LineTrace; explanation: string } {
  return explainEarningFacts(explainPlanOf(e), earningFacts(e, f, line));
}

/** The trace and sentence of one earnings line from its facts: the run and a stored statement both write it here. */
export function explainEarningFacts(
  e: ExplainPlan,
  line: EarningFacts,
): { trace: LineTrace; explanation: string } {
  const { digits, currency } = e;
  const dec = (minor: number) => minorToDecimal(minor, digits);
  const money = (minor: number) => peopleMoney(minor, digits, currency);
  const comp = e.components[line.component]!;
  const detail = line.detail;
  const multipliers = detail.multipliers.map((k) => comp.multipliers[k]!);
  const credits: CreditTrace[] = [];
  const sentences: string[] = [];
  const arithmetic: string[] = [];
  let creditMinor = 0;
  if (line.credit) {
    const c = line.credit;
    const type = comp.typeIndex >= 0 ? comp.typeIndex : 0;
    creditMinor = c.creditMinor;
    const base = c.baseMinor;
    const rule = CREDIT_RULES[c.rule]!;
    const level = c.level;
    const share = c.sharePpm;
    credits.push({
      transaction: c.transaction,
      transactionName: c.transactionName,
      creditType: e.creditTypeIds[type] ?? String(type),
      rule,
      ...(c.fromId !== undefined ? { from: c.fromId } : {}),
      ...(level > 0 ? { level } : {}),
      baseAmount: dec(base),
      share: ppmToDecimal(share),
      amount: dec(creditMinor),
      date: fromDayNumber(c.day),
    });
    if (line.kind !== 'retro_adjustment') {
      const deal = `Deal ${c.transactionName}`;
      if (rule === 'owner') sentences.push(`${deal}, ${money(creditMinor)} credited to you as owner`);
      else if (rule === 'territory')
        sentences.push(`${deal}, ${money(creditMinor)} credited to you as the territory owner`);
      else if (rule === 'rollup')
        sentences.push(
          `${deal}, ${money(creditMinor)} credited to ${c.fromName} rolled up to you (level ${level})`,
        );
      else
        sentences.push(
          `${deal}, ${money(base)} credited at ${ppmToPercent(share)} ${rule === 'split' ? 'split' : 'overlay'} = ${money(creditMinor)}`,
        );
    }
  }
  if (
    detail.quotaMinor !== undefined &&
    detail.positionBeforeMinor !== undefined &&
    detail.positionAfterMinor !== undefined &&
    line.kind !== 'retro_adjustment'
  ) {
    sentences.push(
      `attainment moved from ${attainmentPercent(detail.positionBeforeMinor, detail.quotaMinor)} to ${attainmentPercent(detail.positionAfterMinor, detail.quotaMinor)}`,
    );
  } else if (
    detail.basis === 'amount' &&
    detail.positionAfterMinor !== undefined &&
    detail.positionBeforeMinor !== undefined &&
    detail.positionBeforeMinor !== 0
  ) {
    sentences.push(
      `the running total moved from ${money(detail.positionBeforeMinor)} to ${money(detail.positionAfterMinor)}`,
    );
  }
  const multiplierWords = multipliers.map((m) => `${m.label} ×${ppmToDecimal(m.factorPpm)}`);
  const rawText = dec(detail.rawMinor);
  if (detail.portions && detail.portions.length > 0) {
    const parts = detail.portions.map((p) => {
      const rate = typeof p.ratePpm === 'number' ? ppmToPercent(p.ratePpm) : `${p.ratePpm}`;
      const notes = [`tier ${p.tier}`, ...multiplierWords].join(', ');
      return `${money(p.amountMinor)} at ${rate} (${notes})`;
    });
    sentences.push(`${parts.join(' + ')} = ${money(detail.rawMinor)}`);
    arithmetic.push(
      `${detail.portions
        .map(
          (p) =>
            `${dec(p.amountMinor)} × ${typeof p.ratePpm === 'number' ? ppmToDecimal(p.ratePpm) : p.ratePpm}`,
        )
        .join(' + ')} = ${rawText}`,
    );
  } else if (detail.spiff) {
    const factors = multipliers.map((m) => ` × ${ppmToDecimal(m.factorPpm)}`).join('');
    sentences.push(
      `${money(detail.spiff.perDealMinor ?? 0)} per deal × ${ppmToPercent(detail.spiff.sharePpm)} share${multiplierWords.length ? ` (${multiplierWords.join(', ')})` : ''} = ${money(detail.rawMinor)}`,
    );
    arithmetic.push(
      `${dec(detail.spiff.perDealMinor ?? 0)} × ${ppmToDecimal(detail.spiff.sharePpm)}${factors} = ${rawText}`,
    );
  } else if (detail.ratePpm !== undefined) {
    const factors = multipliers.map((m) => ` × ${ppmToDecimal(m.factorPpm)}`).join('');
    sentences.push(
      `${money(creditMinor)} at ${ppmToPercent(detail.ratePpm)}${multiplierWords.length ? ` (${multiplierWords.join(', ')})` : ''} = ${money(detail.rawMinor)}`,
    );
    arithmetic.push(`${dec(creditMinor)} × ${ppmToDecimal(detail.ratePpm)}${factors} = ${rawText}`);
  } else if (detail.interpolated) {
    sentences.push(
      `the amount table pays ${money(detail.interpolated.afterMinor)} at this point, ${money(detail.interpolated.beforeMinor)} before this deal${multiplierWords.length ? ` (${multiplierWords.join(', ')})` : ''}: ${money(detail.rawMinor)}`,
    );
    arithmetic.push(
      `${dec(detail.interpolated.afterMinor)} − ${dec(detail.interpolated.beforeMinor)} = ${rawText}`,
    );
  } else if (detail.retro) {
    const r = detail.retro;
    const deal = line.credit ? line.credit.transactionName : '';
    sentences.push(
      `Deal ${deal} moved attainment into a new tier: the window's earlier credits are re-priced at ${ppmToPercent(r.ratePpm)} = ${money(r.targetMinor)}, less ${money(r.paidBeforeMinor)} already paid = ${money(detail.rawMinor)}`,
    );
    arithmetic.push(
      `${r.creditsMinor} × ${ppmToDecimal(r.ratePpm)} / 10^6 − ${dec(r.paidBeforeMinor)} = ${rawText}`,
    );
  } else if (detail.trueUp && !detail.bonus) {
    const u = detail.trueUp;
    const parts = [
      `Earned to date in the window ${money(u.earnedMinor)}, less ${money(u.paidMinor)} accounted for in earlier periods`,
    ];
    if (u.deferredMinor !== 0)
      parts.push(`plus ${money(u.deferredMinor)} held back earlier by a threshold or gate`);
    sentences.push(`${parts.join(', ')} = ${money(detail.rawMinor)}`);
    arithmetic.push(
      `${dec(u.earnedMinor)} − ${dec(u.paidMinor)}${u.deferredMinor !== 0 ? ` + ${dec(u.deferredMinor)}` : ''} = ${rawText}`,
    );
  } else if (detail.bonus) {
    const b = detail.bonus;
    const factors = multipliers.map((m) => ` × ${ppmToDecimal(m.factorPpm)}`).join('');
    if (b.scorePpm !== undefined) {
      const score = b.maxPayoutPpm !== undefined ? Math.min(b.scorePpm, b.maxPayoutPpm) : b.scorePpm;
      sentences.push(
        `Bonus ${comp.label}: ${money(b.amountMinor)} × ${ppmToPercent(score)} score${b.scorePeriod ? ` for ${b.scorePeriod}` : ''}${score !== b.scorePpm ? ` (capped at ${ppmToPercent(b.maxPayoutPpm!)})` : ''}${multiplierWords.length ? ` (${multiplierWords.join(', ')})` : ''} = ${money(detail.rawMinor)}`,
      );
      arithmetic.push(`${dec(b.amountMinor)} × ${ppmToDecimal(score)}${factors} = ${rawText}`);
    } else if (b.valueMinor !== undefined && b.quotaMinor !== undefined) {
      const attainment = attainmentPercent(b.valueMinor, b.quotaMinor);
      const u = detail.trueUp;
      sentences.push(
        `Bonus ${comp.label}: ${money(b.amountMinor)} at ${attainment} attainment (${money(b.valueMinor)} of ${money(b.quotaMinor)})${b.maxPayoutPpm !== undefined ? `, at most ${ppmToPercent(b.maxPayoutPpm)}` : ''}${multiplierWords.length ? ` (${multiplierWords.join(', ')})` : ''} = ${money(u ? u.earnedMinor : detail.rawMinor)}${u ? `, less ${money(u.paidMinor)} paid earlier in the window` : ''}`,
      );
      arithmetic.push(
        `${dec(b.amountMinor)} × ${dec(b.valueMinor)} / ${dec(b.quotaMinor)}${factors}${u ? ` − ${dec(u.paidMinor)}` : ''} = ${rawText}`,
      );
    }
  } else if (
    detail.method !== undefined &&
    detail.quotaMinor === undefined &&
    detail.basis === 'attainment'
  ) {
    sentences.push(`no quota for the period, so the attainment tiers pay nothing`);
    arithmetic.push(`no quota = 0`);
  }
  for (const cut of detail.cuts) {
    if (cut.cap === 'threshold')
      sentences.push(
        `not paid this period: attainment is below the ${comp.threshold ? ppmToPercent(comp.threshold.minPpm) : ''} threshold of ${e.measureIds[comp.threshold?.measure ?? 0] ?? ''}${comp.windowMeasure >= 0 ? ' (paid later in the window once it is met)' : ''}`,
      );
    else if (cut.cap === 'gate')
      sentences.push(
        `limited by the gate on ${e.measureIds[comp.gate?.measure ?? 0] ?? ''} (below ${comp.gate ? ppmToPercent(comp.gate.minPpm) : ''}): ${money(cut.beforeMinor)} → ${money(cut.afterMinor)}`,
      );
    else
      sentences.push(
        `cut by the ${CAP_WORDS[cut.cap]}: ${money(cut.beforeMinor)} → ${money(cut.afterMinor)}`,
      );
    arithmetic.push(`${CAP_WORDS[cut.cap]}: ${dec(cut.beforeMinor)} → ${dec(cut.afterMinor)}`);
  }
  if (arithmetic.length === 0) arithmetic.push(`= ${dec(line.amountMinor)}`);
  const lastCut = detail.cuts.length > 0 ? detail.cuts[detail.cuts.length - 1]! : undefined;
  const firstCut = detail.cuts[0];
  const trace: LineTrace = {
    rule: comp.id,
    ...(credits.length > 0 ? { credits } : {}),
    ...(detail.basis ? { basis: detail.basis } : {}),
    ...(detail.method ? { method: detail.method } : {}),
    ...(detail.ratePpm !== undefined ? { rate: ppmToDecimal(detail.ratePpm) } : {}),
    ...(multipliers.length > 0
      ? { multipliers: multipliers.map((m) => ({ label: m.label, factor: ppmToDecimal(m.factorPpm) })) }
      : {}),
    ...(detail.portions
      ? {
          portions: detail.portions.map((p) => ({
            tier: p.tier,
            amount: dec(p.amountMinor),
            rate: typeof p.ratePpm === 'number' ? ppmToDecimal(p.ratePpm) : p.ratePpm,
            pay: dec(p.payMinor),
          })),
        }
      : {}),
    ...(detail.quotaMinor !== undefined && detail.positionBeforeMinor !== undefined
      ? { attainmentBefore: attainmentText(detail.positionBeforeMinor, detail.quotaMinor) }
      : {}),
    ...(detail.quotaMinor !== undefined && detail.positionAfterMinor !== undefined
      ? { attainmentAfter: attainmentText(detail.positionAfterMinor, detail.quotaMinor) }
      : {}),
    ...(firstCut && lastCut
      ? {
          capped: {
            cap: detail.cuts.map((c) => c.cap).join('+'),
            before: dec(firstCut.beforeMinor),
            after: dec(lastCut.afterMinor),
          },
        }
      : {}),
    arithmetic: arithmetic.join('; '),
    ...(lineDetails(e, line, detail) ?? {}),
  };
  const sentence = sentences.join('; ');
  return {
    trace,
    explanation: sentence.length > 0 ? sentence.charAt(0).toUpperCase() + sentence.slice(1) : '',
  };
}

function lineDetails(
  e: ExplainPlan,
  line: EarningFacts,
  detail: EarningDetail,
): { details: Record<string, string> } | undefined {
  const details: Record<string, string> = {};
  const comp = e.components[line.component]!;
  if (detail.quotaMinor !== undefined) details.quota = minorToDecimal(detail.quotaMinor, e.digits);
  if (comp.tierMeasure >= 0 && comp.tierMeasure < e.shownMeasures)
    details.measure = e.measureIds[comp.tierMeasure]!;
  if (detail.trueUp) {
    details.earned_to_date = minorToDecimal(detail.trueUp.earnedMinor, e.digits);
    details.paid_before = minorToDecimal(detail.trueUp.paidMinor, e.digits);
    if (detail.trueUp.deferredMinor !== 0)
      details.deferred = minorToDecimal(detail.trueUp.deferredMinor, e.digits);
  }
  if (line.thresholdValueMinor !== undefined)
    details.threshold_measure_value = minorToDecimal(line.thresholdValueMinor, e.digits);
  return Object.keys(details).length > 0 ? { details } : undefined;
}

function creditBase(e: Engine, type: number, i: number): number {
  const t = e.columns.transactions;
  switch (e.creditBases[type]) {
    case 'amount':
      return t.amount[i]!;
    case 'margin':
      return t.margin[i]!;
    case 'units':
      return t.units[i]!;
    default:
      return 10 ** e.digits;
  }
}
