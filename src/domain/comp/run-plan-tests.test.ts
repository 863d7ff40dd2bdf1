import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CompResult, Statement } from './comp-types.ts';
import { parsePlanText } from './parse-plan.ts';
import type { PlanDocument } from './plan-document.ts';
import { runPlanTests, sameDecimal } from './run-plan-tests.ts';

const planText = `id: t
name: T
period: quarter
effective_from: 2026-01-01
credit:
  types: [{ id: revenue, amount: amount }]
components:
  - { id: commission, kind: commission, credit: revenue, rate: 10% }
tests:
  - name: passes
    input:
      transactions: [{ id: T1, date: 2026-01-05, owner: alice, amount: "1640" }]
    expect:
      - { payee: alice, period: 2026-Q1, earnings: "164", payable: "164.00" }
      - { payee: alice, period: 2026-Q1, line: "commission:T1", amount: "164.0" }
  - name: fails
    input:
      transactions: [{ id: T1, date: 2026-01-05, owner: alice, amount: "1640" }]
    expect:
      - { payee: alice, period: 2026-Q1, earnings: "165.00", balance_carried: "0" }
      - { payee: alice, period: 2026-Q1, line: "commission:T9", amount: "1" }
      - { payee: bob, period: 2026-Q1, earnings: "0" }
  - name: bad input
    input:
      transactions: [{ id: T1, date: 2026-01-05, owner: alice, amount: "lots" }]
    expect:
      - { payee: alice, period: 2026-Q1, earnings: "0" }
`;

function plan(): PlanDocument {
  const { plan, problems } = parsePlanText(planText);
  expect(problems).toEqual([]);
  return plan!;
}

const statement: Statement = {
  payee: 'alice',
  payeeName: 'alice',
  period: '2026-Q1',
  currency: 'USD',
  measures: [],
  lines: [
    {
      id: 'commission:T1',
      kind: 'commission',
      component: 'commission',
      transaction: 'T1',
      amount: '164.00',
      trace: { rule: 'commission', arithmetic: '1640.00 × 0.1 = 164.00' },
      explanation: '',
    },
  ],
  totals: {
    earnings: '164.00',
    adjustments: '0.00',
    clawbacks: '0.00',
    draw: '0.00',
    drawRecovered: '0.00',
    held: '0.00',
    released: '0.00',
    payable: '164.00',
    balanceCarried: '0.00',
  },
};

/** A stand-in engine: the comparison logic is tested apart from the calculation. */
const fakeCalculate = (): CompResult => ({
  engineVersion: 'test',
  plan: { id: 't', version: 1, fingerprint: 'x' },
  inputFingerprint: 'y',
  currency: 'USD',
  periods: ['2026-Q1'],
  statements: [statement],
  issues: [],
});

describe('runPlanTests', () => {
  it('compares each expectation as a decimal and says expected vs actual', () => {
    const results = runPlanTests(plan(), fakeCalculate);
    expect(results[0]).toEqual({ name: 'passes', passed: true, failures: [] });
    expect(results[1]).toEqual({
      name: 'fails',
      passed: false,
      failures: [
        { expectation: 'alice 2026-Q1 earnings', expected: '165.00', actual: '164.00' },
        {
          expectation: 'alice 2026-Q1 line commission:T9',
          expected: '1',
          actual: 'no line "commission:T9" (lines: commission:T1)',
        },
        {
          expectation: 'bob 2026-Q1 earnings',
          expected: '0',
          actual: 'no statement for bob in 2026-Q1 (statements: alice 2026-Q1)',
        },
      ],
    });
    expect(results[2]).toMatchObject({ name: 'bad input', passed: false, failures: [] });
    expect(results[2]?.error).toMatch(
      /^the test's input is not valid: transactions\[0\]\.amount: expected an amount/,
    );
  });

  it('reports a calculation that throws as the test error', () => {
    const results = runPlanTests(plan(), () => {
      throw new Error('boom');
    });
    expect(results[0]).toEqual({
      name: 'passes',
      passed: false,
      failures: [],
      error: 'the calculation failed: boom',
    });
  });

  it('runs a worked example through the real engine', () => {
    const text = fs.readFileSync(
      path.resolve(import.meta.dirname, '../../../examples/plans/worked-step-rates.yaml'),
      'utf8',
    );
    const results = runPlanTests(parsePlanText(text).plan!);
    expect(results.map((r) => [r.name, r.passed, r.failures, r.error])).toEqual(
      results.map((r) => [r.name, true, [], undefined]),
    );
  });
});

describe('sameDecimal', () => {
  it('compares decimal values, not texts', () => {
    expect(sameDecimal('164', '164.00')).toBe(true);
    expect(sameDecimal('0', '-0.00')).toBe(true);
    expect(sameDecimal('007.50', '7.5')).toBe(true);
    expect(sameDecimal('-1800', '-1800.00')).toBe(true);
    expect(sameDecimal('1800', '-1800')).toBe(false);
    expect(sameDecimal('164.01', '164.1')).toBe(false);
  });
});
