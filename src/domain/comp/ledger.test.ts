import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toDayNumber } from '../calendar/day-number.ts';
import { calculateCompensation } from './calculate-compensation.ts';
import { validateCompInput } from './comp-input-schema.ts';
import type { CompInput } from './comp-types.ts';
import {
  applyLedger,
  periodIndexOfDay,
  type LedgerInput,
  type LedgerPeriod,
  type LedgerTransaction,
} from './ledger.ts';
import { planDocumentSchema, type PlanDocument } from './plan-document.ts';

const day = toDayNumber;

function months(labels: string[]): LedgerPeriod[] {
  return labels.map((label) => {
    const [y, mo] = label.split('-').map(Number) as [number, number];
    const firstDay = day(`${label}-01`);
    const next = mo === 12 ? `${y + 1}-01-01` : `${y}-${String(mo + 1).padStart(2, '0')}-01`;
    return { label, firstDay, lastDay: day(next) - 1 };
  });
}

function plan(extra: Record<string, unknown> = {}): PlanDocument {
  return planDocumentSchema.parse({
    id: 'ledger-test',
    name: 'Ledger test',
    period: 'month',
    effective_from: '2026-01-01',
    credit: { types: [{ id: 'revenue', amount: 'amount' }] },
    components: [{ id: 'commission', kind: 'commission', credit: 'revenue', rate: '5%' }],
    ...extra,
  });
}

const PERIODS = months(['2026-06', '2026-07', '2026-08', '2026-09']);

function ledger(
  p: PlanDocument,
  earnings: { lineId?: string; transaction?: number; amountMinor: number }[][],
  more: Partial<LedgerInput> = {},
  transactions: LedgerTransaction[] = [],
) {
  const periods = more.periods ?? PERIODS.slice(0, earnings.length);
  return applyLedger({
    plan: p,
    currency: 'USD',
    digits: 2,
    payee: 'alice',
    payeeName: 'Alice Ng',
    periods,
    earnings: earnings.map((list) =>
      list.map((e, i) => ({
        lineId: e.lineId ?? `commission:${e.transaction ?? `x${i}`}`,
        kind: 'commission' as const,
        component: 'commission',
        ...(e.transaction !== undefined ? { transaction: e.transaction } : {}),
        amountMinor: e.amountMinor,
      })),
    ),
    transaction: (index) => transactions[index]!,
    adjustments: [],
    locked: [],
    ...more,
  });
}

describe('applyLedger: worked examples (issue 6)', () => {
  it('non-recoverable draw of $5,000 with $3,200 earned: $1,800 top-up, $5,000 paid, nothing owed', () => {
    const [june] = ledger(plan({ draw: { kind: 'non_recoverable', amount: '5000' } }), [
      [{ amountMinor: 320000 }],
    ]);
    expect(june!.lines).toHaveLength(1);
    const line = june!.lines[0]!;
    expect(line).toMatchObject({ id: 'draw', kind: 'draw', amountMinor: 180000 });
    expect(line.explanation).toBe(
      'Draw top-up: you earned $3,200.00 against a $5,000.00 monthly draw, so $1,800.00 is added; it is not recoverable.',
    );
    expect(line.trace.arithmetic).toBe('5000.00 − 3200.00 = 1800.00');
    expect(june!.totals).toEqual({
      earnings: 320000,
      adjustments: 0,
      clawbacks: 0,
      draw: 180000,
      drawRecovered: 0,
      held: 0,
      released: 0,
      payable: 500000,
      balanceCarried: 0,
      drawOwed: 0,
    });
  });

  it('the same draw recoverable: $5,000 paid and $1,800 carried, recovered from later earnings', () => {
    const [june, july] = ledger(plan({ draw: { kind: 'recoverable', amount: '5000' } }), [
      [{ amountMinor: 320000 }],
      [{ amountMinor: 700000 }],
    ]);
    expect(june!.totals).toMatchObject({
      earnings: 320000,
      draw: 180000,
      payable: 500000,
      balanceCarried: 180000,
      drawOwed: 180000,
    });
    expect(june!.lines[0]!.explanation).toBe(
      'Draw advance: you earned $3,200.00 against a $5,000.00 monthly draw, so $1,800.00 is advanced; it is recoverable from later earnings (balance owed now $1,800.00).',
    );
    expect(july!.totals).toMatchObject({
      earnings: 700000,
      draw: 0,
      drawRecovered: 180000,
      payable: 520000,
      balanceCarried: 0,
      drawOwed: 0,
    });
    expect(july!.lines).toEqual([
      expect.objectContaining({ id: 'draw_recovery', kind: 'draw_recovery', amountMinor: -180000 }),
    ]);
    expect(july!.lines[0]!.explanation).toBe(
      "Draw recovery: $1,800.00 of the $1,800.00 draw advanced earlier is recovered from this period's earnings of $7,000.00; $0.00 is still owed.",
    );
  });

  it('a deal closed in June paying $500, cancelled in August: $500 clawed back in August', () => {
    const deal: LedgerTransaction = {
      id: 'D-1',
      name: 'Acme-042',
      day: day('2026-06-15'),
      amountMinor: 1000000,
      cancelledDay: day('2026-08-10'),
      collections: [],
    };
    const result = ledger(
      plan({ clawback: { window_days: 180 } }),
      [[{ transaction: 0, amountMinor: 50000 }], [], [{ lineId: 'commission:D-2', amountMinor: 200000 }]],
      {},
      [deal],
    );
    expect(result[0]!.totals).toMatchObject({ earnings: 50000, payable: 50000, clawbacks: 0 });
    expect(result[1]!.totals.clawbacks).toBe(0);
    const august = result[2]!;
    expect(august.lines).toEqual([
      expect.objectContaining({ id: 'clawback:D-1', kind: 'clawback', transaction: 0, amountMinor: -50000 }),
    ]);
    expect(august.lines[0]!.explanation).toBe(
      'Clawback: Acme-042 (closed 2026-06-15) was cancelled on 2026-08-10, 56 days later, within the 180-day clawback window; the $500.00 it paid in 2026-06 is taken back.',
    );
    expect(august.totals).toMatchObject({
      earnings: 200000,
      clawbacks: -50000,
      payable: 150000,
      balanceCarried: 0,
      drawOwed: 0,
    });
  });
});

describe('applyLedger: clawbacks', () => {
  const deal = (cancelled: string): LedgerTransaction => ({
    id: 'D-1',
    name: 'Acme-042',
    day: day('2026-06-01'),
    amountMinor: 1000000,
    cancelledDay: day(cancelled),
    collections: [],
  });

  it('prorates by the part of the window not yet elapsed', () => {
    // cancelled 60 days after the deal in a 180-day window: 120/180 of $500 = $333.33 (half-even)
    const result = ledger(
      plan({ clawback: { window_days: 180, method: 'prorated' } }),
      [[{ transaction: 0, amountMinor: 50000 }], [{ amountMinor: 100000 }]],
      {},
      [deal('2026-07-31')],
    );
    expect(result[1]!.lines[0]).toMatchObject({ kind: 'clawback', amountMinor: -33333 });
    expect(result[1]!.lines[0]!.trace.arithmetic).toBe('−(500.00 × 120 / 180) = −333.33');
    expect(result[1]!.lines[0]!.explanation).toContain('120 of the 180 days had not yet elapsed');
  });

  it('does nothing outside the window', () => {
    const result = ledger(
      plan({ clawback: { window_days: 30 } }),
      [[{ transaction: 0, amountMinor: 50000 }], [], []],
      {},
      [deal('2026-08-10')],
    );
    expect(result.flatMap((r) => r.lines)).toEqual([]);
  });

  it('a clawback larger than the pay leaves payable at zero and carries the rest, recovered next period', () => {
    const result = ledger(
      plan({ clawback: { window_days: 180 } }),
      [[{ transaction: 0, amountMinor: 50000 }], [{ amountMinor: 20000 }], [{ amountMinor: 100000 }]],
      {},
      [deal('2026-07-10')],
    );
    expect(result[1]!.totals).toMatchObject({
      earnings: 20000,
      clawbacks: -50000,
      payable: 0,
      balanceCarried: 30000,
      drawOwed: 0,
    });
    expect(result[2]!.totals).toMatchObject({
      earnings: 100000,
      drawRecovered: 30000,
      payable: 70000,
      balanceCarried: 0,
      drawOwed: 0,
    });
    expect(result[2]!.lines[0]).toMatchObject({
      id: 'balance_recovery',
      kind: 'draw_recovery',
      amountMinor: -30000,
    });
    expect(result[2]!.lines[0]!.explanation).toBe(
      "Balance recovery: $300.00 of the $300.00 carried since 2026-07 (a clawback or adjustment larger than that period's pay) is taken from this period's pay; $0.00 is still owed.",
    );
  });
});

describe('applyLedger: recoverable draw schedule', () => {
  it('limits recovery to max_share of earnings and keeps net pay above min_net_pay; waits start_after_periods', () => {
    const p = plan({
      draw: {
        kind: 'recoverable',
        amount: '5000',
        recovery: { start_after_periods: 1, max_share: '50%', min_net_pay: '4000' },
      },
    });
    const result = ledger(
      p,
      [[{ amountMinor: 0 }], [{ amountMinor: 600000 }], [{ amountMinor: 600000 }], [{ amountMinor: 900000 }]],
      { periods: PERIODS },
    );
    expect(result[0]!.totals).toMatchObject({ draw: 500000, payable: 500000, balanceCarried: 500000 });
    // period 1: the delay (one period after the first advance) — no recovery
    expect(result[1]!.totals).toMatchObject({ drawRecovered: 0, payable: 600000, balanceCarried: 500000 });
    // period 2: 50% of 6,000 = 3,000 but net pay must stay ≥ 4,000 → 2,000
    expect(result[2]!.totals).toMatchObject({
      drawRecovered: 200000,
      payable: 400000,
      balanceCarried: 300000,
      drawOwed: 300000,
    });
    expect(result[2]!.lines[0]!.trace.details).toMatchObject({ limited_by: 'min_net_pay' });
    // period 3: 50% of 9,000 = 4,500 ≥ 3,000 owed → all 3,000
    expect(result[3]!.totals).toMatchObject({ drawRecovered: 300000, payable: 600000, balanceCarried: 0 });
  });

  it('stops the draw after `until` and keeps recovering afterwards', () => {
    const p = plan({ draw: { kind: 'recoverable', amount: '1000', until: '2026-06-30' } });
    const result = ledger(p, [[{ amountMinor: 0 }], [{ amountMinor: 0 }], [{ amountMinor: 50000 }]]);
    expect(result.map((r) => r.totals.draw)).toEqual([100000, 0, 0]);
    expect(result.map((r) => r.totals.payable)).toEqual([100000, 0, 0]);
    expect(result.map((r) => r.totals.balanceCarried)).toEqual([100000, 100000, 50000]);
  });
});

describe('applyLedger: where a draw is paid', () => {
  it('only in periods the plan is in effect and the payee is assigned to it', () => {
    const p = plan({
      effective_from: '2026-07-01',
      effective_to: '2026-09-01',
      draw: { kind: 'non_recoverable', amount: '100' },
    });
    const drawn = (assigned?: boolean[]) =>
      ledger(p, [[], [], [], []], { periods: PERIODS, ...(assigned ? { assigned } : {}) }).map(
        (r) => r.totals.draw,
      );
    // June is before the plan, September after it (effective_to is its first day without it)
    expect(drawn()).toEqual([0, 10000, 10000, 0]);
    // assigned from August only: July is context, no draw
    expect(drawn([false, false, true, true])).toEqual([0, 0, 10000, 0]);
  });
});

describe('applyLedger: opening balances', () => {
  it('recovers a draw and a negative balance owed from before the first period', () => {
    const p = plan({ draw: { kind: 'recoverable', amount: '1000', recovery: { start_after_periods: 2 } } });
    const [june] = ledger(p, [[{ amountMinor: 300000 }]], {
      opening: { drawOwedMinor: 50000, balanceOwedMinor: 20000, balanceOwedSince: '2025-12' },
    });
    expect(june!.lines.map((l) => [l.id, l.amountMinor])).toEqual([
      ['balance_recovery', -20000],
      ['draw_recovery', -50000],
    ]);
    expect(june!.lines[0]!.explanation).toContain('carried since 2025-12');
    expect(june!.totals).toMatchObject({ drawRecovered: 70000, payable: 230000, balanceCarried: 0 });
  });

  it('a draw owed into a plan without a recoverable draw is a balance owed, recovered from pay', () => {
    const [june, july] = ledger(plan({}), [[{ amountMinor: 30000 }], [{ amountMinor: 300000 }]], {
      opening: { drawOwedMinor: 50000, balanceOwedSince: '2025-12' },
    });
    expect(june!.lines.map((l) => [l.id, l.amountMinor])).toEqual([['balance_recovery', -30000]]);
    expect(june!.totals).toMatchObject({ payable: 0, balanceCarried: 20000, drawOwed: 0 });
    expect(july!.totals).toMatchObject({ drawRecovered: 20000, payable: 280000, balanceCarried: 0 });
  });
});

describe('applyLedger: holds', () => {
  it('until collected: pays in proportion to cash collected, cumulatively', () => {
    const deal: LedgerTransaction = {
      id: 'D-1',
      name: 'Acme-042',
      day: day('2026-06-15'),
      amountMinor: 300000,
      collections: [
        { day: day('2026-07-03'), amountMinor: 100000 },
        { day: day('2026-08-03'), amountMinor: 100000 },
        { day: day('2026-09-03'), amountMinor: 100000 },
      ],
    };
    const result = ledger(
      plan({ hold: { until: 'collected' } }),
      [[{ transaction: 0, amountMinor: 10000 }], [], [], []],
      {
        periods: PERIODS,
      },
      [deal],
    );
    expect(result[0]!.totals).toMatchObject({ earnings: 10000, held: 10000, payable: 0 });
    expect(result[0]!.lines[0]).toMatchObject({ id: 'hold:D-1', kind: 'hold', amountMinor: -10000 });
    expect(result[0]!.lines[0]!.trace.arithmetic).toBe(
      'held now = 100.00 − 100.00 × 0.00 / 3000.00 = 100.00; 100.00 − 0.00 held before = 100.00',
    );
    // 1/3 of $100 = 33.33, 2/3 = 66.67 (half-even, cumulative) → 33.33, 33.34, 33.33
    expect(result.slice(1).map((r) => r.totals.released)).toEqual([3333, 3334, 3333]);
    expect(result[1]!.lines[0]!.explanation).toBe(
      "Released: $1,000.00 of Acme-042's $3,000.00 has now been collected, so $33.33 of its held pay is paid; $66.67 stays held.",
    );
  });

  it('until collected: a partly collected deal holds only the rest', () => {
    const deal: LedgerTransaction = {
      id: 'D-1',
      name: 'Acme-042',
      day: day('2026-06-15'),
      amountMinor: 100000,
      collections: [{ day: day('2026-06-20'), amountMinor: 60000 }],
    };
    const [june] = ledger(
      plan({ hold: { until: 'collected' } }),
      [[{ transaction: 0, amountMinor: 50000 }]],
      {},
      [deal],
    );
    expect(june!.totals).toMatchObject({ held: 20000, released: 0, payable: 30000 });
  });

  it('until days: releases in the period the hold ends', () => {
    const deal: LedgerTransaction = {
      id: 'D-1',
      name: 'Acme-042',
      day: day('2026-06-20'),
      amountMinor: 1,
      collections: [],
    };
    const result = ledger(
      plan({ hold: { until: 'days', days: 30 } }),
      [[{ transaction: 0, amountMinor: 50000 }], []],
      {},
      [deal],
    );
    expect(result[0]!.totals).toMatchObject({ held: 50000, payable: 0 });
    expect(result[1]!.totals).toMatchObject({ released: 50000, payable: 50000 });
    expect(result[1]!.lines[0]!.explanation).toBe(
      'Released: the 30-day hold on Acme-042 ended on 2026-07-20, so the $500.00 held is paid.',
    );
  });

  it('a held deal that is cancelled: what is held is released and the clawback takes back only what was earned', () => {
    const deal: LedgerTransaction = {
      id: 'D-1',
      name: 'Acme-042',
      day: day('2026-06-15'),
      amountMinor: 100000,
      cancelledDay: day('2026-07-15'),
      collections: [{ day: day('2026-06-20'), amountMinor: 40000 }],
    };
    const result = ledger(
      plan({ hold: { until: 'collected' }, clawback: { window_days: 90 } }),
      [[{ transaction: 0, amountMinor: 50000 }], []],
      {},
      [deal],
    );
    expect(result[0]!.totals).toMatchObject({ held: 30000, payable: 20000 });
    expect(result[1]!.totals).toMatchObject({
      clawbacks: -50000,
      released: 30000,
      payable: 0,
      balanceCarried: 20000,
      drawOwed: 0,
    });
  });
});

describe('applyLedger: adjustments and closed periods', () => {
  it('writes adjustments with reason and approver', () => {
    const [june] = ledger(plan(), [[{ amountMinor: 10000 }]], {
      adjustments: [
        {
          id: 'A-1',
          periodIndex: 0,
          amountMinor: 25000,
          reason: 'Missed split on Acme-042',
          approver: 'dana',
        },
      ],
    });
    expect(june!.lines[0]).toMatchObject({
      id: 'adjustment:A-1',
      kind: 'adjustment',
      amountMinor: 25000,
      trace: { rule: 'adjustment', details: { reason: 'Missed split on Acme-042', approver: 'dana' } },
      explanation: 'Adjustment of +$250.00 approved by dana: Missed split on Acme-042',
    });
    expect(june!.totals).toMatchObject({ adjustments: 25000, payable: 35000 });
  });

  it('a closed period that recalculates differently keeps its figure; the difference goes to the first open period', () => {
    const result = ledger(
      plan(),
      [
        [{ lineId: 'commission:D-7', amountMinor: 75000 }],
        [{ lineId: 'commission:D-8', amountMinor: 10000 }],
        [{ lineId: 'commission:D-9', amountMinor: 20000 }],
      ],
      {
        locked: [
          { periodIndex: 0, earningsMinor: 60000, lines: { 'commission:D-7': 60000 } },
          { periodIndex: 1, earningsMinor: 10000 },
        ],
      },
    );
    expect(result[0]!.totals).toMatchObject({ earnings: 60000, payable: 60000 });
    expect(result[1]!.lines).toEqual([]);
    const line = result[2]!.lines[0]!;
    expect(line).toMatchObject({
      id: 'prior_period_adjustment:2026-06',
      kind: 'prior_period_adjustment',
      amountMinor: 15000,
    });
    expect(line.explanation).toBe(
      'Correction to 2026-06 (closed): recalculated earnings are $750.00 against $600.00 paid when it closed, so $150.00 is added here. Changed lines: commission:D-7 $600.00 → $750.00.',
    );
    expect(line.trace.details).toMatchObject({ period: '2026-06', lines: 'commission:D-7: 600.00 → 750.00' });
    expect(result[2]!.totals).toMatchObject({ earnings: 35000, payable: 35000 });
  });
});

describe('applyLedger: properties', () => {
  const periods = months(['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06']);
  const ledgerPlan = fc.record({
    draw: fc.option(
      fc.record({
        kind: fc.constantFrom('recoverable', 'non_recoverable'),
        amount: fc.integer({ min: 0, max: 500000 }).map((c) => (c / 100).toFixed(2)),
        recovery: fc.record({
          start_after_periods: fc.integer({ min: 0, max: 3 }),
          max_share: fc.integer({ min: 0, max: 100 }).map((v) => `${v}%`),
          min_net_pay: fc.integer({ min: 0, max: 300000 }).map((c) => (c / 100).toFixed(2)),
        }),
      }),
      { nil: undefined },
    ),
    clawback: fc.option(
      fc.record({
        window_days: fc.integer({ min: 1, max: 200 }),
        method: fc.constantFrom('full', 'prorated'),
      }),
      { nil: undefined },
    ),
    hold: fc.option(
      fc.oneof(
        fc.constant({ until: 'collected' }),
        fc.record({ until: fc.constant('days'), days: fc.integer({ min: 1, max: 120 }) }),
      ),
      { nil: undefined },
    ),
  });
  const deals = fc.array(
    fc.record({
      dayOffset: fc.integer({ min: 0, max: 180 }),
      amountMinor: fc.integer({ min: 1, max: 10_000_000 }),
      cancelAfter: fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }),
      collections: fc.array(
        fc.record({ dayOffset: fc.integer({ min: 0, max: 200 }), share: fc.integer({ min: 0, max: 60 }) }),
        {
          maxLength: 3,
        },
      ),
      pay: fc.array(fc.integer({ min: -20000, max: 500000 }), { minLength: 1, maxLength: 2 }),
    }),
    { maxLength: 6 },
  );
  const scenario = fc.record({
    planExtra: ledgerPlan,
    deals,
    bonuses: fc.array(fc.integer({ min: 0, max: 300000 }), { minLength: 6, maxLength: 6 }),
    adjustments: fc.array(
      fc.record({
        periodIndex: fc.integer({ min: 0, max: 5 }),
        amountMinor: fc.integer({ min: -400000, max: 200000 }),
      }),
      {
        maxLength: 3,
      },
    ),
  });

  type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

  function run(s: Scenario, explain = true) {
    const extra = Object.fromEntries(Object.entries(s.planExtra).filter(([, v]) => v !== undefined));
    const p = plan(extra);
    const start = periods[0]!.firstDay;
    const transactions: LedgerTransaction[] = s.deals.map((d, i) => ({
      id: `D-${i}`,
      name: `Deal ${i}`,
      day: start + d.dayOffset,
      amountMinor: d.amountMinor,
      ...(d.cancelAfter !== undefined ? { cancelledDay: start + d.dayOffset + d.cancelAfter } : {}),
      collections: d.collections.map((c) => ({
        day: start + d.dayOffset + c.dayOffset,
        amountMinor: Math.floor((d.amountMinor * c.share) / 100),
      })),
    }));
    const earnings = periods.map((_, p) => [{ lineId: 'bonus', amountMinor: s.bonuses[p]! }]) as {
      lineId?: string;
      transaction?: number;
      amountMinor: number;
    }[][];
    s.deals.forEach((d, i) => {
      const p0 = periodIndexOfDay(periods, start + d.dayOffset);
      d.pay.forEach((amountMinor, k) => {
        const p = Math.min(periods.length - 1, p0 + k);
        earnings[p]!.push({ lineId: `commission:D-${i}:${k}`, transaction: i, amountMinor });
      });
    });
    const result = ledger(
      p,
      earnings,
      {
        periods,
        adjustments: s.adjustments.map((a, i) => ({ id: `A-${i}`, ...a, reason: 'r', approver: 'dana' })),
        explain,
      },
      transactions,
    );
    return { p, result };
  }

  it('payable is never negative; each period adds up; paid + still held − owed = earnings + adjustments + clawbacks (+ top-ups), exactly', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { p, result } = run(s);
        let paid = 0;
        let heldOutstanding = 0;
        let earned = 0;
        for (const { lines, totals } of result) {
          expect(totals.payable).toBeGreaterThanOrEqual(0);
          expect(totals.balanceCarried).toBeGreaterThanOrEqual(0);
          const formula =
            totals.earnings +
            totals.adjustments +
            totals.clawbacks +
            totals.draw -
            totals.drawRecovered -
            totals.held +
            totals.released;
          expect(totals.payable).toBe(Math.max(0, formula));
          const ledgerSum = lines.reduce((a, l) => a + l.amountMinor, 0);
          expect(totals.earnings + ledgerSum).toBe(formula);
          for (const l of lines) expect(Number.isSafeInteger(l.amountMinor)).toBe(true);
          paid += totals.payable;
          heldOutstanding += totals.held - totals.released;
          expect(heldOutstanding).toBeGreaterThanOrEqual(0); // releases never exceed what was held
          earned +=
            totals.earnings +
            totals.adjustments +
            totals.clawbacks +
            (p.draw?.kind === 'non_recoverable' ? totals.draw : 0);
        }
        const owed = result.at(-1)!.totals.balanceCarried;
        expect(paid + heldOutstanding - owed).toBe(earned);
      }),
      { numRuns: 300 },
    );
  });

  it('per deal: releases never exceed holds, and a clawback never exceeds what the deal paid', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { result } = run(s);
        const held = new Map<number, number>();
        const clawed = new Map<number, number>();
        for (const { lines } of result) {
          for (const l of lines) {
            if (l.transaction === undefined) continue;
            if (l.kind === 'hold') held.set(l.transaction, (held.get(l.transaction) ?? 0) - l.amountMinor);
            if (l.kind === 'release') {
              held.set(l.transaction, (held.get(l.transaction) ?? 0) - l.amountMinor);
              expect(held.get(l.transaction)!).toBeGreaterThanOrEqual(0);
            }
            if (l.kind === 'clawback')
              clawed.set(l.transaction, (clawed.get(l.transaction) ?? 0) - l.amountMinor);
          }
        }
        for (const [t, amount] of clawed) {
          // what the deal paid up to the period of its cancellation
          const d = s.deals[t]!;
          const start = periods[0]!.firstDay + d.dayOffset;
          const p0 = periodIndexOfDay(periods, start);
          const c = periodIndexOfDay(periods, start + d.cancelAfter!);
          const paid = d.pay.reduce((a, b, k) => (Math.min(periods.length - 1, p0 + k) <= c ? a + b : a), 0);
          expect(amount).toBeGreaterThan(0);
          expect(amount).toBeLessThanOrEqual(paid);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('explain: false gives the same amounts without sentences', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { result } = run(s);
        const { result: quiet } = run(s, false);
        expect(quiet.map((r) => r.totals)).toEqual(result.map((r) => r.totals));
        expect(quiet.map((r) => r.lines.map((l) => [l.id, l.amountMinor]))).toEqual(
          result.map((r) => r.lines.map((l) => [l.id, l.amountMinor])),
        );
        for (const r of result) for (const l of r.lines) expect(l.explanation).not.toBe('');
        for (const r of quiet) for (const l of r.lines) expect(l.explanation).toBe('');
      }),
      { numRuns: 50 },
    );
  });
});

describe('worked examples end to end through calculateCompensation (issue 6)', () => {
  const base = {
    id: 'ledger-e2e',
    name: 'Ledger end to end',
    period: 'month',
    effective_from: '2026-01-01',
    credit: { types: [{ id: 'revenue', amount: 'amount' }] },
    measures: [{ id: 'revenue_month', credit: 'revenue', quota: 'revenue' }],
    components: [{ id: 'commission', kind: 'commission', credit: 'revenue', rate: '5%' }],
  };
  const payees = [{ id: 'alice', name: 'Alice Ng' }];

  it('non-recoverable draw: $3,200 earned → $1,800 top-up, $5,000 paid, nothing owed', () => {
    const result = calculateCompensation(
      planDocumentSchema.parse({ ...base, draw: { kind: 'non_recoverable', amount: '5000' } }),
      {
        currency: 'USD',
        periods: ['2026-06'],
        payees,
        transactions: [{ id: 'D-1', name: 'Acme-042', date: '2026-06-10', owner: 'alice', amount: '64000' }],
      },
    );
    const june = result.statements.find((s) => s.payee === 'alice' && s.period === '2026-06')!;
    expect(june.totals).toMatchObject({
      earnings: '3200.00',
      draw: '1800.00',
      payable: '5000.00',
      balanceCarried: '0.00',
    });
    expect(june.lines.find((l) => l.kind === 'draw')!.explanation).toBe(
      'Draw top-up: you earned $3,200.00 against a $5,000.00 monthly draw, so $1,800.00 is added; it is not recoverable.',
    );
  });

  it('recoverable draw: $5,000 paid, $1,800 carried, recovered from July earnings', () => {
    const result = calculateCompensation(
      planDocumentSchema.parse({ ...base, draw: { kind: 'recoverable', amount: '5000' } }),
      {
        currency: 'USD',
        periods: ['2026-06', '2026-07'],
        payees,
        transactions: [
          { id: 'D-1', name: 'Acme-042', date: '2026-06-10', owner: 'alice', amount: '64000' },
          { id: 'D-2', name: 'Globex-7', date: '2026-07-10', owner: 'alice', amount: '140000' },
        ],
      },
    );
    const [june, july] = ['2026-06', '2026-07'].map((p) =>
      result.statements.find((s) => s.payee === 'alice' && s.period === p)!,
    );
    expect(june!.totals).toMatchObject({
      earnings: '3200.00',
      draw: '1800.00',
      payable: '5000.00',
      balanceCarried: '1800.00',
    });
    expect(july!.totals).toMatchObject({
      earnings: '7000.00',
      draw: '0.00',
      drawRecovered: '1800.00',
      payable: '5200.00',
      balanceCarried: '0.00',
    });
  });

  it('an opening balance and assignments in the input: recovered in June, no draw before the assignment', () => {
    const result = calculateCompensation(
      planDocumentSchema.parse({ ...base, draw: { kind: 'recoverable', amount: '5000' } }),
      {
        currency: 'USD',
        periods: ['2026-05', '2026-06'],
        payees,
        assignments: [{ payee: 'alice', from: '2026-06-01' }],
        opening: [{ payee: 'alice', draw_owed: '1000', balance_owed: '200', since: '2025-12' }],
        transactions: [{ id: 'D-1', name: 'Acme-042', date: '2026-06-10', owner: 'alice', amount: '140000' }],
      },
    );
    const statementOf = (period: string) =>
      result.statements.find((s) => s.payee === 'alice' && s.period === period);
    // May: not assigned, so no statement and no $5,000 draw; the $1,200 owed stays owed into June
    expect(statementOf('2026-05')).toBeUndefined();
    const june = statementOf('2026-06');
    expect(june!.totals).toMatchObject({
      earnings: '7000.00',
      drawRecovered: '1200.00',
      payable: '5800.00',
      balanceCarried: '0.00',
    });
    expect(june!.lines.find((l) => l.id === 'balance_recovery')!.explanation).toContain('2025-12');
  });

  it('a June deal paying $500 cancelled in August: $500 clawed back in August, June attainment kept', () => {
    const result = calculateCompensation(
      planDocumentSchema.parse({
        ...base,
        clawback: { window_days: 180, method: 'full', attainment: 'keep' },
      }),
      {
        currency: 'USD',
        periods: ['2026-06', '2026-07', '2026-08'],
        payees,
        quotas: ['2026-06', '2026-07', '2026-08'].map((period) => ({
          payee: 'alice',
          period,
          measure: 'revenue',
          amount: '20000',
        })),
        transactions: [
          {
            id: 'D-1',
            name: 'Acme-042',
            date: '2026-06-15',
            owner: 'alice',
            amount: '10000',
            cancelled_on: '2026-08-10',
          },
        ],
      },
    );
    const get = (p: string) => result.statements.find((s) => s.payee === 'alice' && s.period === p)!;
    expect(get('2026-06').totals).toMatchObject({ earnings: '500.00', payable: '500.00' });
    expect(get('2026-06').measures.find((m) => m.id === 'revenue_month')).toMatchObject({
      value: '10000.00',
      attainment: '0.5000',
    });
    const august = get('2026-08');
    expect(
      august.lines.filter((l) => l.kind === 'clawback').map((l) => [l.id, l.amount, l.transaction]),
    ).toEqual([['clawback:D-1', '-500.00', 'D-1']]);
    expect(august.totals).toMatchObject({ clawbacks: '-500.00', payable: '0.00', balanceCarried: '500.00' });
  });

  it('months before the assignment earn nothing in the ledger: no recovery from them, no clawback of their deals', () => {
    const result = calculateCompensation(
      planDocumentSchema.parse({
        ...base,
        clawback: { window_days: 180, method: 'full', attainment: 'keep' },
      }),
      {
        currency: 'USD',
        periods: ['2026-05', '2026-06'],
        payees,
        assignments: [{ payee: 'alice', from: '2026-06-01' }],
        opening: [{ payee: 'alice', balance_owed: '300', since: '2025-12' }],
        transactions: [
          // May (context): 1,000 of commission computed, none of it paid or recovered from
          {
            id: 'D-1',
            name: 'Acme-042',
            date: '2026-05-10',
            owner: 'alice',
            amount: '20000',
            cancelled_on: '2026-06-20',
          },
          { id: 'D-2', name: 'Globex-7', date: '2026-06-10', owner: 'alice', amount: '10000' },
        ],
      },
    );
    expect(result.statements.map((s) => s.period)).toEqual(['2026-06']);
    const june = result.statements[0]!;
    // the May deal paid nothing under this plan, so its cancellation claws nothing back; the 300
    // owed is recovered from June's 500, not from May's context earnings
    expect(june.lines.filter((l) => l.kind === 'clawback')).toEqual([]);
    expect(june.totals).toMatchObject({
      earnings: '500.00',
      clawbacks: '0.00',
      drawRecovered: '300.00',
      payable: '200.00',
      balanceCarried: '0.00',
    });
  });

  it('a closed month before the assignment is not corrected (it pays nothing under the plan now)', () => {
    const result = calculateCompensation(planDocumentSchema.parse(base), {
      currency: 'USD',
      periods: ['2026-05', '2026-06'],
      payees,
      assignments: [{ payee: 'alice', from: '2026-06-01' }],
      locked: [{ payee: 'alice', period: '2026-05', earnings: '1000.00' }],
      transactions: [
        { id: 'D-1', name: 'Acme-042', date: '2026-05-10', owner: 'alice', amount: '20000' },
        { id: 'D-2', name: 'Globex-7', date: '2026-06-10', owner: 'alice', amount: '10000' },
      ],
    });
    const june = result.statements.find((s) => s.period === '2026-06')!;
    expect(june.lines.map((l) => `${l.id} ${l.amount}`)).toEqual(['commission:D-2 500.00']);
    expect(june.totals).toMatchObject({ earnings: '500.00', payable: '500.00' });
  });
});

describe('pay carried from before the periods computed (an earlier fiscal year)', () => {
  const base = {
    id: 'carried',
    name: 'Carried pay',
    period: 'month',
    effective_from: '2025-01-01',
    credit: { types: [{ id: 'revenue', amount: 'amount' }] },
    components: [{ id: 'commission', kind: 'commission', credit: 'revenue', rate: '5%' }],
  };
  const payees = [{ id: 'alice', name: 'Alice Ng' }];
  const periods = ['2026-01', '2026-02', '2026-03'];
  const run = (extra: Record<string, unknown>, input: Partial<CompInput>) => {
    const result = calculateCompensation(planDocumentSchema.parse({ ...base, ...extra }), {
      currency: 'USD',
      periods,
      payees,
      transactions: [],
      ...input,
    });
    return {
      result,
      get: (p: string) => result.statements.find((s) => s.payee === 'alice' && s.period === p)!,
    };
  };
  const november = { id: 'N-1', name: 'Initech-017', date: '2025-11-20', owner: 'alice', amount: '10000' };

  it('claws back what a deal of the previous year paid when it is cancelled within the window in this one', () => {
    const { get, result } = run(
      { clawback: { window_days: 180, method: 'full', attainment: 'keep' } },
      {
        transactions: [{ ...november, cancelled_on: '2026-02-10' }],
        carried: [{ payee: 'alice', transaction: 'N-1', earned: '500', periods: ['2025-11'] }],
      },
    );
    expect(result.issues).toEqual([]);
    // The deal earns nothing again this year; February gives back its $500.
    expect(get('2026-01').totals).toMatchObject({ earnings: '0.00', payable: '0.00' });
    const february = get('2026-02');
    expect(february.lines.map((l) => [l.id, l.kind, l.amount])).toEqual([
      ['clawback:N-1', 'clawback', '-500.00'],
    ]);
    expect(february.lines[0]!.explanation).toBe(
      'Clawback: Initech-017 (closed 2025-11-20) was cancelled on 2026-02-10, 82 days later, within the 180-day clawback window; the $500.00 it paid in 2025-11 is taken back.',
    );
    expect(february.totals).toMatchObject({
      clawbacks: '-500.00',
      payable: '0.00',
      balanceCarried: '500.00',
    });
  });

  it('prorates by the days of the window left, and does nothing beyond the window or without pay carried', () => {
    const prorated = run(
      { clawback: { window_days: 100, method: 'prorated', attainment: 'keep' } },
      {
        transactions: [{ ...november, cancelled_on: '2026-02-10' }],
        carried: [{ payee: 'alice', transaction: 'N-1', earned: '500' }],
      },
    );
    // 82 of 100 days elapsed: 500 × 18 / 100 = 90.
    expect(prorated.get('2026-02').totals).toMatchObject({ clawbacks: '-90.00' });
    const late = run(
      { clawback: { window_days: 60, method: 'full', attainment: 'keep' } },
      {
        transactions: [{ ...november, cancelled_on: '2026-02-10' }],
        carried: [{ payee: 'alice', transaction: 'N-1', earned: '500' }],
      },
    );
    expect(late.get('2026-02').totals).toMatchObject({ clawbacks: '0.00' });
    const none = run(
      { clawback: { window_days: 180, method: 'full', attainment: 'keep' } },
      { transactions: [{ ...november, cancelled_on: '2026-02-10' }] },
    );
    expect(none.get('2026-02').totals).toMatchObject({ clawbacks: '0.00' });
  });

  it('releases what was still held at the year end as the cash arrives, and never more', () => {
    // December: 100,000 won, 5,000 earned and all of it held. 40% collected in January, the rest in
    // February: 2,000 then 3,000 released.
    const held = run(
      { hold: { until: 'collected' } },
      {
        transactions: [
          {
            id: 'D-1',
            date: '2025-12-10',
            owner: 'alice',
            amount: '100000',
            collections: [
              { date: '2026-01-15', amount: '40000' },
              { date: '2026-02-20', amount: '60000' },
            ],
          },
        ],
        carried: [{ payee: 'alice', transaction: 'D-1', earned: '5000', held: '5000', periods: ['2025-12'] }],
      },
    );
    expect(periods.map((p) => [held.get(p).totals.released, held.get(p).totals.payable])).toEqual([
      ['2000.00', '2000.00'],
      ['3000.00', '3000.00'],
      ['0.00', '0.00'],
    ]);
    // Last year's plan held nothing (it was all paid): this year's hold has nothing to release.
    const paid = run(
      { hold: { until: 'collected' } },
      {
        transactions: [
          {
            id: 'D-1',
            date: '2025-12-10',
            owner: 'alice',
            amount: '100000',
            collections: [{ date: '2026-02-20', amount: '60000' }],
          },
        ],
        carried: [{ payee: 'alice', transaction: 'D-1', earned: '5000' }],
      },
    );
    for (const p of periods) expect(paid.get(p).totals).toMatchObject({ held: '0.00', released: '0.00' });
  });

  it('a cancellation of a held deal of the previous year releases the hold and claws back all it earned', () => {
    const { get } = run(
      { hold: { until: 'collected' }, clawback: { window_days: 180, method: 'full', attainment: 'keep' } },
      {
        transactions: [
          {
            id: 'D-1',
            date: '2025-12-10',
            owner: 'alice',
            amount: '100000',
            cancelled_on: '2026-02-03',
            collections: [{ date: '2026-01-15', amount: '40000' }],
          },
        ],
        carried: [{ payee: 'alice', transaction: 'D-1', earned: '5000', held: '5000' }],
      },
    );
    expect(get('2026-01').totals).toMatchObject({ released: '2000.00', payable: '2000.00' });
    // February: the 3,000 still held is released and the 5,000 earned is clawed back: 2,000 owed.
    expect(get('2026-02').totals).toMatchObject({
      released: '3000.00',
      clawbacks: '-5000.00',
      payable: '0.00',
      balanceCarried: '2000.00',
    });
  });

  it('names carried pay on a transaction the input does not have, as an input problem and as an issue', () => {
    expect(
      validateCompInput({
        transactions: [november],
        carried: [{ payee: 'alice', transaction: 'N-2', earned: '500.001' }],
      }).problems,
    ).toEqual([
      { field: 'carried[0].earned', value: '500.001', message: 'USD amounts have at most 2 decimal places' },
      {
        field: 'carried[0].transaction',
        value: 'N-2',
        message: 'names no transaction of the input (the deal must be in transactions)',
      },
    ]);
    const { result } = run(
      { clawback: { window_days: 180, method: 'full', attainment: 'keep' } },
      { transactions: [november], carried: [{ payee: 'alice', transaction: 'N-2', earned: '500' }] },
    );
    expect(result.issues.map((i) => [i.code, i.transaction])).toEqual([['unknown_transaction', 'N-2']]);
  });
});

describe('periods of an input with carried pay and no periods named', () => {
  it('start with the first deal that is not carried: a carried deal is not credited again', () => {
    const result = calculateCompensation(
      planDocumentSchema.parse({
        id: 'carried-periods',
        name: 'Carried, periods by default',
        period: 'month',
        effective_from: '2025-01-01',
        credit: { types: [{ id: 'revenue', amount: 'amount' }] },
        components: [{ id: 'commission', kind: 'commission', credit: 'revenue', rate: '5%' }],
        clawback: { window_days: 180, method: 'full', attainment: 'keep' },
      }),
      {
        currency: 'USD',
        transactions: [
          { id: 'N-1', date: '2025-11-20', owner: 'alice', amount: '10000', cancelled_on: '2026-02-10' },
          { id: 'J-1', date: '2026-01-15', owner: 'alice', amount: '2000' },
          { id: 'F-1', date: '2026-02-15', owner: 'alice', amount: '2000' },
        ],
        carried: [{ payee: 'alice', transaction: 'N-1', earned: '500' }],
      },
    );
    expect(result.periods).toEqual(['2026-01', '2026-02']);
    expect(result.statements.map((s) => [s.period, s.totals.earnings, s.totals.clawbacks])).toEqual([
      ['2026-01', '100.00', '0.00'],
      ['2026-02', '100.00', '-500.00'],
    ]);
  });
});
