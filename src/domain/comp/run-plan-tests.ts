/**
 * A plan's own test cases (docs/plans.md "Test cases"): given these transactions and quotas,
 * expect these payouts. Each test's input is validated like `comp simulate --input`, the plan is
 * calculated on it, and every expectation is compared exactly as a decimal value ("164" equals
 * "164.00"); a failure says what was expected and what the plan produced.
 */
import { calculateCompensation } from './calculate-compensation.ts';
import type { CompResult, Statement } from './comp-types.ts';
import { validateCompInput } from './comp-input-schema.ts';
import type { PlanDocument, PlanTestCase } from './plan-document.ts';

export type PlanTestFailure = { expectation: string; expected: string; actual: string };
export type PlanTestResult = {
  name: string;
  passed: boolean;
  failures: PlanTestFailure[];
  /** The test could not run: its input is invalid or the calculation failed. */
  error?: string;
};

type Calculate = (plan: PlanDocument, input: never) => CompResult;

/** Runs every test case of the plan, in order. */
export function runPlanTests(
  plan: PlanDocument,
  calculate: Calculate = calculateCompensation as Calculate,
): PlanTestResult[] {
  return plan.tests.map((test) => runPlanTest(plan, test, calculate));
}

function runPlanTest(plan: PlanDocument, test: PlanTestCase, calculate: Calculate): PlanTestResult {
  const { input, problems } = validateCompInput(test.input, plan.currency);
  if (!input) {
    return {
      name: test.name,
      passed: false,
      failures: [],
      error: `the test's input is not valid: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
    };
  }
  let result: CompResult;
  try {
    result = calculate(plan, input as never);
  } catch (error) {
    return {
      name: test.name,
      passed: false,
      failures: [],
      error: `the calculation failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const failures: PlanTestFailure[] = [];
  for (const e of test.expect) {
    const statement = result.statements.find((s) => s.payee === e.payee && s.period === e.period);
    const where = `${e.payee} ${e.period}`;
    const compare = (
      what: string,
      expected: string | undefined,
      actual: (s: Statement) => string | undefined,
    ) => {
      if (expected === undefined) return;
      const expectation = `${where} ${what}`;
      if (!statement) {
        failures.push({
          expectation,
          expected,
          actual: `no statement for ${e.payee} in ${e.period} (statements: ${describeStatements(result)})`,
        });
        return;
      }
      const value = actual(statement);
      if (value === undefined || !sameDecimal(expected, value))
        failures.push({ expectation, expected, actual: value ?? missingLine(statement, e.line ?? '') });
    };
    compare('earnings', e.earnings, (s) => s.totals.earnings);
    compare('payable', e.payable, (s) => s.totals.payable);
    compare('balance carried', e.balance_carried, (s) => s.totals.balanceCarried);
    if (e.line !== undefined)
      compare(`line ${e.line}`, e.amount, (s) => s.lines.find((l) => l.id === e.line)?.amount);
  }
  return { name: test.name, passed: failures.length === 0, failures };
}

/** Whether two decimal texts are the same number ("164" and "164.00"; "-0" and "0"). */
export function sameDecimal(a: string, b: string): boolean {
  return canonicalDecimal(a) === canonicalDecimal(b);
}

function canonicalDecimal(text: string): string {
  const match = /^(-?)0*(\d*?)(?:\.(\d*?)0*)?$/.exec(text.trim());
  if (!match) return text.trim();
  const [, sign, whole, fraction] = match;
  const body = `${whole || '0'}${fraction ? `.${fraction}` : ''}`;
  return body === '0' ? '0' : `${sign}${body}`;
}

function describeStatements(result: CompResult): string {
  if (result.statements.length === 0) return 'none';
  const names = result.statements.slice(0, 8).map((s) => `${s.payee} ${s.period}`);
  return `${names.join(', ')}${result.statements.length > 8 ? ', ...' : ''}`;
}

function missingLine(statement: Statement, line: string): string {
  const ids = statement.lines.map((l) => l.id);
  return `no line "${line}" (lines: ${ids.length ? ids.slice(0, 10).join(', ') : 'none'}${ids.length > 10 ? ', ...' : ''})`;
}
