/** Helpers for the engine's tests: a plan from a partial document, a statement by payee and period. */
import type { Statement } from './comp-types.ts';
import { validatePlanShape, type PlanDocument } from './plan-document.ts';

/** A validated monthly plan with a revenue credit type, overridden by `source`. */
export function testPlan(source: Record<string, unknown>): PlanDocument {
  const { plan, problems } = validatePlanShape({
    id: 'test-plan',
    name: 'Test plan',
    period: 'month',
    effective_from: '2026-01-01',
    credit: { types: [{ id: 'revenue', amount: 'amount' }] },
    ...source,
  });
  if (!plan) throw new Error(problems.map((p) => `${p.field}: ${p.message}`).join('\n'));
  return plan;
}

/** The statement of a payee and period; throws naming the statements there are. */
export function statementOf(statements: Statement[], payee: string, period: string): Statement {
  const s = statements.find((x) => x.payee === payee && x.period === period);
  if (!s)
    throw new Error(
      `no statement for ${payee} ${period}: ${statements.map((x) => `${x.payee}/${x.period}`).join(', ')}`,
    );
  return s;
}
