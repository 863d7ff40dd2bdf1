/**
 * A statement as it is stored (comp_statements + comp_statement_lines): the header as computed,
 * each earnings line as the numbers its trace and sentence are written from, each ledger line
 * (draws, recoveries, clawbacks, holds, releases, adjustments, prior-period corrections: a few per
 * statement) as written. `statementFromRecord` turns it into the `Statement` a run returns, with
 * the same code the run uses, so a statement opened later reads exactly as it did when computed.
 */
import { minorToDecimal } from '../money.ts';
import type { Statement, StatementLine } from './comp-types.ts';
import { explainEarningFacts, type EarningFacts, type ExplainPlan } from './explain-earnings.ts';

export type StatementLineRecord =
  { source: 'earning'; facts: EarningFacts } | { source: 'ledger'; line: StatementLine };

export type StatementRecord = {
  header: Omit<Statement, 'lines'>;
  lines: StatementLineRecord[];
};

/** The statement of a record: every earnings line explained from its facts, ledger lines as stored. */
export function statementFromRecord(plan: ExplainPlan, record: StatementRecord): Statement {
  const lines: StatementLine[] = record.lines.map((r) => {
    if (r.source === 'ledger') return r.line;
    const facts = r.facts;
    const { trace, explanation } = explainEarningFacts(plan, facts);
    return {
      id: facts.id,
      kind: facts.kind,
      component: plan.components[facts.component]!.id,
      ...(facts.credit ? { transaction: facts.credit.transaction } : {}),
      amount: minorToDecimal(facts.amountMinor, plan.digits),
      trace,
      explanation,
    };
  });
  const h = record.header;
  return {
    payee: h.payee,
    payeeName: h.payeeName,
    period: h.period,
    currency: h.currency,
    measures: h.measures,
    lines,
    totals: h.totals,
  };
}
