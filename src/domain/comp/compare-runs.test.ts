import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calculateCompensation } from './calculate-compensation.ts';
import type { CompInput, CompResult, CreditTrace, Statement, StatementLine } from './comp-types.ts';
import { compareRuns, comparisonText, totalKeys, type RunComparison } from './compare-runs.ts';
import { decimalToMinor, minorToDecimal } from './exact-money.ts';
import { planDocumentSchema } from './plan-document.ts';

const zero = {
  earnings: '0.00',
  adjustments: '0.00',
  clawbacks: '0.00',
  draw: '0.00',
  drawRecovered: '0.00',
  held: '0.00',
  released: '0.00',
  payable: '0.00',
  balanceCarried: '0.00',
};

function credit(over: Partial<CreditTrace> = {}): CreditTrace {
  return {
    transaction: 'D-1',
    transactionName: 'Acme-042',
    creditType: 'revenue',
    rule: 'owner',
    baseAmount: '100000.00',
    share: '1',
    amount: '100000.00',
    date: '2026-06-15',
    ...over,
  };
}

function commission(
  id: string,
  amount: string,
  credits: CreditTrace[],
  over: Partial<StatementLine['trace']> = {},
): StatementLine {
  return {
    id,
    kind: 'commission',
    component: 'commission',
    transaction: credits[0]?.transaction ?? 'D-1',
    amount,
    trace: { rule: 'commission', credits, rate: '0.08', arithmetic: '...', ...over },
    explanation: `commission ${amount}`,
  };
}

function statement(
  payee: string,
  period: string,
  lines: StatementLine[],
  over: Partial<Statement> = {},
): Statement {
  const earnings = lines.reduce((a, l) => a + decimalToMinor(l.amount, 2), 0);
  return {
    payee,
    payeeName: payee === 'alice' ? 'Alice Ng' : payee,
    period,
    currency: 'USD',
    measures: [{ id: 'revenue_qtd', value: '100000.00', quota: '375000.00', attainment: '0.2667' }],
    lines,
    totals: {
      ...zero,
      earnings: minorToDecimal(earnings, 2),
      payable: minorToDecimal(Math.max(0, earnings), 2),
    },
    ...over,
  };
}

function result(statements: Statement[], over: Partial<CompResult> = {}): CompResult {
  return {
    engineVersion: '1',
    plan: { id: 'ae', version: 1, fingerprint: 'a'.repeat(64) },
    inputFingerprint: 'b'.repeat(64),
    currency: 'USD',
    periods: ['2026-06'],
    statements,
    issues: [],
    ...over,
  };
}

describe('compareRuns', () => {
  it('names a deal whose amount changed, with the line delta', () => {
    const a = result([statement('alice', '2026-06', [commission('commission:D-1', '8000.00', [credit()])])]);
    const b = result(
      [
        statement('alice', '2026-06', [
          commission('commission:D-1', '9600.00', [credit({ baseAmount: '120000.00', amount: '120000.00' })]),
        ]),
      ],
      { inputFingerprint: 'c'.repeat(64) },
    );
    const diff = compareRuns(a, b);
    expect(diff.inputChanged).toBe(true);
    expect(diff.planChanged).toBe(false);
    expect(diff.payeesChanged).toEqual(['alice']);
    expect(diff.statements).toHaveLength(1);
    const s = diff.statements[0]!;
    expect(s.delta.earnings).toBe('1600.00');
    expect(s.lines).toEqual([
      expect.objectContaining({
        lineId: 'commission:D-1',
        change: 'changed',
        before: '8000.00',
        after: '9600.00',
        delta: '1600.00',
        reasons: ['Deal Acme-042 amount changed from $100,000 to $120,000'],
      }),
    ]);
    expect(diff.totalsDelta.payable).toBe('1600.00');
    expect(comparisonText(diff).slice(2)).toEqual([
      '1 statement(s) changed, 0 unchanged; payable +$1,600, earnings +$1,600',
      '',
      'Alice Ng (alice) 2026-06 [changed]: payable +$1,600',
      '  commission:D-1: $8,000 → $9,600 (+$1,600)',
      '    Deal Acme-042 amount changed from $100,000 to $120,000',
    ]);
  });

  it('names date, share and credit-rule changes', () => {
    const a = result([
      statement('alice', '2026-06', [
        commission('commission:D-1', '4000.00', [credit({ rule: 'split', share: '0.5' })]),
      ]),
    ]);
    const b = result([
      statement('alice', '2026-06', [
        commission('commission:D-1', '4800.00', [
          credit({ rule: 'split', share: '0.6', date: '2026-06-20' }),
        ]),
      ]),
    ]);
    expect(compareRuns(a, b).statements[0]!.lines[0]!.reasons).toEqual([
      'Deal Acme-042 date changed from 2026-06-15 to 2026-06-20',
      'Deal Acme-042 split share changed from 50% to 60%',
    ]);
    const c = result([statement('alice', '2026-06', [commission('commission:D-1', '8000.00', [credit()])])]);
    expect(compareRuns(a, c).statements[0]!.lines[0]!.reasons).toEqual([
      'Deal Acme-042 credit changed from a 50% split to as owner',
    ]);
  });

  it('reports a plan version change, a quota change, new and removed deals, and an adjustment', () => {
    const a = result([
      statement('alice', '2026-06', [
        commission('commission:D-1', '8000.00', [credit()]),
        commission('commission:D-2', '100.00', [credit({ transaction: 'D-2', transactionName: 'Globex-7' })]),
      ]),
      statement('bob', '2026-06', [commission('commission:D-9', '50.00', [credit({ transaction: 'D-9' })])]),
    ]);
    const adjustment: StatementLine = {
      id: 'adjustment:A-1',
      kind: 'adjustment',
      amount: '250.00',
      trace: {
        rule: 'adjustment',
        arithmetic: '+250.00',
        details: { reason: 'Missed split', approver: 'dana' },
      },
      explanation: 'Adjustment',
    };
    const b = result(
      [
        statement(
          'alice',
          '2026-06',
          [
            commission('commission:D-1', '8000.00', [credit()]),
            commission('commission:D-3', '300.00', [
              credit({ transaction: 'D-3', transactionName: 'Initech-1' }),
            ]),
            adjustment,
          ],
          { measures: [{ id: 'revenue_qtd', value: '100000.00', quota: '400000.00', attainment: '0.25' }] },
        ),
        statement('bob', '2026-06', [
          commission('commission:D-9', '50.00', [credit({ transaction: 'D-9' })]),
        ]),
      ],
      { plan: { id: 'ae', version: 2, fingerprint: 'f'.repeat(64) } },
    );
    const diff = compareRuns(a, b);
    expect(diff.planChanged).toBe(true);
    expect(diff.reasons).toEqual(['Plan ae changed from version 1 to version 2']);
    expect(diff.unchangedStatements).toBe(1);
    const s = diff.statements[0]!;
    expect(s.payee).toBe('alice');
    expect(s.measures[0]!.reasons).toEqual(['Quota for revenue_qtd changed from $375,000 to $400,000']);
    const byId = Object.fromEntries(s.lines.map((l) => [l.lineId, l]));
    expect(byId['commission:D-3']).toMatchObject({ change: 'added', delta: '300.00' });
    expect(byId['commission:D-3']!.reasons[0]).toBe('Deal Initech-1 is new or newly credited to you');
    expect(byId['commission:D-2']).toMatchObject({ change: 'removed', delta: '-100.00' });
    expect(byId['commission:D-2']!.reasons[0]).toBe(
      'Deal Globex-7 no longer pays you (removed, cancelled, or credited to someone else)',
    );
    expect(byId['adjustment:A-1']!.reasons).toEqual([
      'Adjustment added: $250 — Missed split (approved by dana)',
    ]);
    expect(s.reasons[0]).toBe('Plan ae changed from version 1 to version 2');
    expect(s.delta.earnings).toBe('450.00');
  });

  it('a statement only in one run is added or removed', () => {
    const a = result([statement('alice', '2026-06', [commission('commission:D-1', '10.00', [credit()])])]);
    const b = result([statement('carol', '2026-06', [commission('commission:D-5', '20.00', [credit()])])]);
    const diff = compareRuns(a, b);
    expect(diff.statements.map((s) => [s.payee, s.change, s.delta.earnings])).toEqual([
      ['alice', 'removed', '-10.00'],
      ['carol', 'added', '20.00'],
    ]);
  });

  it('identical runs have no changes', () => {
    const a = result([statement('alice', '2026-06', [commission('commission:D-1', '10.00', [credit()])])]);
    const diff = compareRuns(a, structuredClone(a));
    expect(diff.statements).toEqual([]);
    expect(diff.reasons).toEqual([]);
    expect(diff.unchangedStatements).toBe(1);
  });

  it('run A then B equals the diff applied: A totals + deltas = B totals, exactly, per statement and overall', () => {
    const amount = fc.integer({ min: -10_000_000_000, max: 10_000_000_000 }).map((c) => minorToDecimal(c, 2));
    const totals = fc.record(
      Object.fromEntries(totalKeys.map((k) => [k, amount])) as Record<string, fc.Arbitrary<string>>,
    );
    const stmt = fc.record({
      payee: fc.constantFrom('alice', 'bob', 'carol'),
      period: fc.constantFrom('2026-05', '2026-06'),
      totals,
      lines: fc.array(
        fc.record({
          id: fc.constantFrom('commission:D-1', 'commission:D-2', 'draw', 'clawback:D-3'),
          amount,
        }),
        { maxLength: 4 },
      ),
    });
    const run = fc
      .uniqueArray(stmt, { selector: (s) => `${s.payee}/${s.period}`, maxLength: 6 })
      .map((list) =>
        result(
          list.map((s) => ({
            payee: s.payee,
            payeeName: s.payee,
            period: s.period,
            currency: 'USD',
            measures: [],
            totals: s.totals as Statement['totals'],
            lines: s.lines.map((l) => ({
              id: l.id,
              kind: l.id.startsWith('draw')
                ? ('draw' as const)
                : l.id.startsWith('claw')
                  ? ('clawback' as const)
                  : ('commission' as const),
              amount: l.amount,
              trace: { rule: 'x', arithmetic: '' },
              explanation: '',
            })),
          })),
        ),
      );
    const sum = (r: CompResult, k: (typeof totalKeys)[number]) =>
      r.statements.reduce((a, s) => a + decimalToMinor(s.totals[k], 2), 0);
    fc.assert(
      fc.property(run, run, (a, b) => {
        const diff: RunComparison = compareRuns(a, b);
        const applied = new Map(a.statements.map((s) => [`${s.payee}/${s.period}`, { ...s.totals }]));
        for (const change of diff.statements) {
          const key = `${change.payee}/${change.period}`;
          const t = applied.get(key) ?? { ...zero };
          for (const k of totalKeys)
            t[k] = minorToDecimal(decimalToMinor(t[k], 2) + decimalToMinor(change.delta[k], 2), 2);
          applied.set(key, t);
        }
        for (const s of b.statements) {
          const t = applied.get(`${s.payee}/${s.period}`)!;
          for (const k of totalKeys) expect(decimalToMinor(t[k], 2)).toBe(decimalToMinor(s.totals[k], 2));
        }
        for (const [key, t] of applied) {
          if (b.statements.some((s) => `${s.payee}/${s.period}` === key)) continue;
          for (const k of totalKeys) expect(decimalToMinor(t[k], 2)).toBe(0); // removed statements go to zero
        }
        for (const k of totalKeys) expect(sum(a, k) + decimalToMinor(diff.totalsDelta[k], 2)).toBe(sum(b, k));
        // every line whose amount differs is listed, with its exact delta
        for (const change of diff.statements)
          for (const l of change.lines)
            expect(decimalToMinor(l.after ?? '0', 2) - decimalToMinor(l.before ?? '0', 2)).toBe(
              decimalToMinor(l.delta, 2),
            );
      }),
      { numRuns: 300 },
    );
  });
});

describe('compareRuns on real runs', () => {
  it('explains a deal amount change, a quota change and a plan version change between two engine runs', () => {
    const source = {
      id: 'ae',
      name: 'AE',
      period: 'month',
      effective_from: '2026-01-01',
      credit: { types: [{ id: 'revenue', amount: 'amount' }] },
      measures: [{ id: 'revenue_month', credit: 'revenue', quota: 'revenue' }],
      components: [{ id: 'commission', kind: 'commission', credit: 'revenue', rate: '5%' }],
    };
    const input: CompInput = {
      currency: 'USD',
      periods: ['2026-06'],
      payees: [
        { id: 'alice', name: 'Alice Ng' },
        { id: 'bob', name: 'Bob Li' },
      ],
      quotas: [{ payee: 'alice', period: '2026-06', measure: 'revenue', amount: '375000' }],
      transactions: [
        { id: 'D-1', name: 'Acme-042', date: '2026-06-10', owner: 'alice', amount: '100000' },
        { id: 'D-2', name: 'Globex-7', date: '2026-06-12', owner: 'bob', amount: '5000' },
      ],
    };
    const a = calculateCompensation(planDocumentSchema.parse(source), input);
    const changedInput: CompInput = {
      ...input,
      quotas: [{ payee: 'alice', period: '2026-06', measure: 'revenue', amount: '400000' }],
      transactions: [{ ...input.transactions[0]!, amount: '120000' }, input.transactions[1]!],
    };
    const b = calculateCompensation(planDocumentSchema.parse({ ...source, version: 2 }), changedInput);
    const diff = compareRuns(a, b);
    expect(diff.planChanged).toBe(true);
    expect(diff.inputChanged).toBe(true);
    expect(diff.reasons[0]).toBe('Plan ae changed from version 1 to version 2');
    expect(diff.payeesChanged).toEqual(['alice']);
    const alice = diff.statements[0]!;
    expect(alice.delta.earnings).toBe('1000.00');
    expect(alice.lines).toHaveLength(1);
    expect(alice.lines[0]!.reasons).toContain('Deal Acme-042 amount changed from $100,000 to $120,000');
    expect(alice.measures[0]!.reasons).toContain('Quota for revenue_month changed from $375,000 to $400,000');
    for (const k of totalKeys)
      expect(
        decimalToMinor(a.statements.find((s) => s.payee === 'alice')!.totals[k], 2) +
          decimalToMinor(alice.delta[k], 2),
      ).toBe(decimalToMinor(b.statements.find((s) => s.payee === 'alice')!.totals[k], 2));
  });
});
