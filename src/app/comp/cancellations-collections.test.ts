/**
 * Contract, on every kind of database: a product run (data imported in the native CSV layout,
 * statements computed by `comp run` and read back from the store) feeds the engine each won
 * deal's cancellation day and the cash collected on it, so a plan's clawback and its hold until
 * collected act as in `comp simulate` — issue 6's worked example (a June deal paying $500,
 * cancelled in August: clawed back in August, June's attainment kept), pay released as payments
 * arrive, and a deal of the previous fiscal year cancelled, or paid for, in this one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everything } from '../../domain/access/scope.ts';
import { calculateCompensation } from '../../domain/comp/calculate-compensation.ts';
import type { Statement } from '../../domain/comp/comp-types.ts';
import { nativeMapping } from '../../ingest/mappings/native-mapping.ts';
import { runImport } from '../../ingest/run-import.ts';
import { testDatabaseKinds } from '../../store/testing/test-store.ts';
import { systemActor } from '../audit/audit-log.ts';
import type { Attain } from '../create-attain.ts';
import { createTestAttain } from '../testing/test-attain.ts';
import { compPeriodOf } from './comp-period.ts';
import { loadRunInput } from './run-input.ts';

const clawbackPlan = [
  'id: clawback-keep',
  'name: Commission with a clawback, attainment kept',
  'period: month',
  'effective_from: 2025-01-01',
  'credit: { types: [{ id: revenue, amount: amount }] }',
  'measures: [{ id: revenue_m, credit: revenue, window: period, quota: revenue }]',
  'components: [{ id: commission, kind: commission, credit: revenue, rate: 5% }]',
  'clawback: { window_days: 180, method: full, attainment: keep }',
  '',
].join('\n');

const holdPlan = [
  'id: hold-collected',
  'name: Commission held until cash is collected',
  'period: month',
  'effective_from: 2025-01-01',
  'credit: { types: [{ id: revenue, amount: amount }] }',
  'components: [{ id: commission, kind: commission, credit: revenue, rate: 5% }]',
  'hold: { until: collected }',
  '',
].join('\n');

describe.each(testDatabaseKinds())('cancellations and collections in a product run on %s', (kind) => {
  let attain: Attain & { dispose(): Promise<void> };
  const actor = systemActor('test');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attain-comp-cash-'));
  let clock = '2026-01-05T09:00:00.000Z';
  const load = async (files: Record<string, string[]>) => {
    const written = Object.entries(files).map(([name, lines]) => {
      const file = path.join(dir, `${name}-${Math.random().toString(36).slice(2)}.csv`);
      fs.writeFileSync(file, `${lines.join('\n')}\n`);
      return { path: file, name: `${name}.csv` };
    });
    const report = await runImport(attain.store, written, {
      mapping: nativeMapping,
      dryRun: false,
      createUnknown: false,
      now: () => clock,
    });
    expect(report.status, JSON.stringify(report.errors)).toBe('succeeded');
  };
  const run = async (period: string) => {
    const done = await attain.comp.runNow({ period }, actor);
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    return done;
  };
  const statement = async (payee: string, period: string): Promise<Statement> =>
    (await attain.comp.statementDetail(everything, payee, period)).statement;
  /** The stored statement equals the engine's on the object input of the same period (both load paths agree). */
  const expectSameAsObjectPath = async (payee: string, period: string) => {
    const input = await loadRunInput(attain.store, compPeriodOf(period, 1), 1, [payee]);
    const planInput = input.plans[0]!;
    const computed = calculateCompensation(planInput.plan, planInput.input, {
      periods: planInput.input.periods!,
      payees: [payee],
    }).statements.find((s) => s.period === period);
    expect(await statement(payee, period)).toEqual(computed);
    return planInput;
  };
  const opportunities = 'opportunity_key,name,owner_key,stage,amount,created_on,closed_on,cancelled_on';
  const ledger = (s: Statement) =>
    s.lines.filter((l) => l.trace.rule !== 'commission').map((l) => [l.id, l.kind, l.amount]);

  beforeAll(async () => {
    attain = await createTestAttain(kind);
    await load({
      people: [
        'person_key,name,role',
        'alice,Alice Ng,rep',
        'bob,Bob Ode,rep',
        'carol,Carol Poe,rep',
        'dave,Dave Roe,rep',
        'erin,Erin Sol,rep',
      ],
      // Dave: a deal of the previous year that is cancelled in February; Carol: one whose pay was
      // held in December and whose cash arrives in January.
      opportunities: [
        opportunities,
        'NOV-1,Initech-017,dave,Closed Won,10000,2025-10-01,2025-11-20,2026-02-10',
        'OCT-1,Vandelay-2,erin,Closed Won,10000,2025-09-01,2025-10-15,2025-12-05',
        'DEC-1,Hooli-3,carol,Closed Won,100000,2025-10-01,2025-12-10,',
      ],
      invoices: ['invoice_key,opportunity_key,issued_on,amount', 'inv-dec,DEC-1,2025-12-10,100000'],
    });
    await attain.comp.savePlan('clawback-keep', clawbackPlan, actor);
    await attain.comp.savePlan('hold-collected', holdPlan, actor);
    await attain.comp.assignPlan('clawback-keep', { position: 'alice', from: '2025-01-01' }, actor);
    await attain.comp.assignPlan('clawback-keep', { position: 'dave', from: '2025-01-01' }, actor);
    await attain.comp.assignPlan('clawback-keep', { position: 'erin', from: '2025-01-01' }, actor);
    await attain.comp.assignPlan('hold-collected', { position: 'bob', from: '2025-01-01' }, actor);
    await attain.comp.assignPlan('hold-collected', { position: 'carol', from: '2025-01-01' }, actor);
    // The previous year's statements, as they were paid.
    await run('2025-10');
    await run('2025-11');
    await run('2025-12');
  });
  afterAll(async () => {
    await attain?.dispose();
  });

  it('claws back in August the $500 a June deal paid when it is cancelled in August; June attainment stands', async () => {
    clock = '2026-09-02T09:00:00.000Z';
    await load({
      opportunities: [
        opportunities,
        'JUN-1,Initech-018,alice,Closed Won,10000,2026-05-01,2026-06-20,2026-08-10',
        'AUG-1,Globex-101,alice,Closed Won,20000,2026-05-01,2026-08-05,',
      ],
      quotas: [
        'person_key,period_kind,period_starts_on,measure,target',
        ...['2026-06-01', '2026-07-01', '2026-08-01'].map((d) => `alice,month,${d},revenue,20000`),
      ],
    });
    await run('2026-06');
    await run('2026-08');
    const june = await statement('alice', '2026-06');
    expect(june.totals).toMatchObject({ earnings: '500.00', clawbacks: '0.00', payable: '500.00' });
    expect(june.measures).toEqual([
      { id: 'revenue_m', value: '10000.00', quota: '20000.00', attainment: '0.5000' },
    ]);
    const august = await statement('alice', '2026-08');
    expect(ledger(august)).toEqual([['clawback:JUN-1', 'clawback', '-500.00']]);
    expect(august.lines.find((l) => l.kind === 'clawback')!.explanation).toBe(
      'Clawback: Initech-018 (closed 2026-06-20) was cancelled on 2026-08-10, 51 days later, within the 180-day clawback window; the $500.00 it paid in 2026-06 is taken back.',
    );
    expect(august.totals).toMatchObject({
      earnings: '1000.00',
      clawbacks: '-500.00',
      payable: '500.00',
      balanceCarried: '0.00',
    });
    // attainment: keep — August's measure has August's deal only; June's run again is unchanged.
    expect(august.measures[0]).toMatchObject({ value: '20000.00', attainment: '1.0000' });
    await run('2026-06');
    expect(await statement('alice', '2026-06')).toEqual(june);
    await expectSameAsObjectPath('alice', '2026-08');

    // The cancellation removed (a blank cell): August's run pays the $1,000 in full.
    await load({
      opportunities: [opportunities, 'JUN-1,Initech-018,alice,Closed Won,10000,2026-05-01,2026-06-20,'],
    });
    await run('2026-08');
    expect((await statement('alice', '2026-08')).totals).toMatchObject({
      clawbacks: '0.00',
      payable: '1000.00',
    });
  });

  it('holds pay until cash is collected and releases it as the payments arrive', async () => {
    clock = '2026-02-01T09:00:00.000Z';
    await load({
      opportunities: [
        opportunities,
        'H1,Umbrella-1,bob,Closed Won,100000,2025-12-01,2026-01-12,',
        'H2,Umbrella-2,bob,Closed Won,10000,2025-12-01,2026-01-14,',
      ],
      invoices: [
        'invoice_key,opportunity_key,issued_on,amount',
        'inv-h1,H1,2026-01-12,100000',
        'inv-h2,H2,2026-01-14,10000',
      ],
      payments: [
        'payment_key,invoice_key,paid_on,amount,currency',
        'pay-h2,inv-h2,2026-01-25,10000,USD',
        // a payment in another currency is not cash collected in USD
        'pay-h1-eur,inv-h1,2026-01-26,500,EUR',
      ],
    });
    const january = await run('2026-01');
    // H1's $5,000 is held, H2's $500 paid (collected within its own period).
    const jan = await statement('bob', '2026-01');
    expect(jan.totals).toMatchObject({
      earnings: '5500.00',
      held: '5000.00',
      released: '0.00',
      payable: '500.00',
    });
    expect(ledger(jan)).toEqual([['hold:H1', 'hold', '-5000.00']]);
    expect(january.issues.map((i) => i.code)).toContain('other_currency_payments');

    // 40% of H1 arrives in February: $2,000 released; the rest in March: $3,000.
    clock = '2026-03-01T09:00:00.000Z';
    await load({
      payments: ['payment_key,invoice_key,paid_on,amount', 'pay-h1-a,inv-h1,2026-02-15,40000.00'],
    });
    await run('2026-02');
    const feb = await statement('bob', '2026-02');
    expect(ledger(feb)).toEqual([['release:H1', 'release', '2000.00']]);
    expect(feb.totals).toMatchObject({ earnings: '0.00', released: '2000.00', payable: '2000.00' });
    clock = '2026-04-01T09:00:00.000Z';
    await load({
      payments: ['payment_key,invoice_key,paid_on,amount', 'pay-h1-b,inv-h1,2026-03-20,60000.00'],
    });
    await run('2026-03');
    const march = await statement('bob', '2026-03');
    expect(march.totals).toMatchObject({ released: '3000.00', payable: '3000.00' });
    expect(march.lines.find((l) => l.kind === 'release')!.trace.details).toMatchObject({
      collected: '100000.00',
      deal_amount: '100000.00',
      still_held: '0.00',
    });
    await expectSameAsObjectPath('bob', '2026-03');
  });

  it('claws back in this year what a deal of the previous year paid, cancelled within the window in this one', async () => {
    // November 2025's statement paid Dave $500 on NOV-1 (the run of 2025-11, stored).
    expect((await statement('dave', '2025-11')).totals).toMatchObject({ earnings: '500.00' });
    await run('2026-02');
    const feb = await statement('dave', '2026-02');
    expect(ledger(feb)).toEqual([['clawback:NOV-1', 'clawback', '-500.00']]);
    expect(feb.lines[0]!.explanation).toBe(
      'Clawback: Initech-017 (closed 2025-11-20) was cancelled on 2026-02-10, 82 days later, within the 180-day clawback window; the $500.00 it paid in 2025-11 is taken back.',
    );
    expect(feb.totals).toMatchObject({ earnings: '0.00', clawbacks: '-500.00', balanceCarried: '500.00' });
    const planInput = await expectSameAsObjectPath('dave', '2026-02');
    expect(planInput.input.carried).toEqual([
      { payee: 'dave', transaction: 'NOV-1', earned: '500.00', periods: ['2025-11'] },
    ]);
  });

  it('does not claw back twice a deal whose cancellation moves from the previous year into this one', async () => {
    // OCT-1 paid Erin $500 in October 2025 and was clawed back in December 2025.
    expect(ledger(await statement('erin', '2025-12'))).toEqual([['clawback:OCT-1', 'clawback', '-500.00']]);
    clock = '2026-02-01T09:00:00.000Z';
    await load({
      opportunities: [
        opportunities,
        'OCT-1,Vandelay-2,erin,Closed Won,10000,2025-09-01,2025-10-15,2026-01-20',
      ],
    });
    await run('2026-01');
    const jan = await statement('erin', '2026-01');
    expect(jan.lines).toEqual([]);
    expect(jan.totals).toMatchObject({ clawbacks: '0.00', payable: '0.00' });
    const input = await loadRunInput(attain.store, compPeriodOf('2026-01', 1), 1, ['erin']);
    expect(input.plans[0]!.input.carried).toBeUndefined();
  });

  it('releases in this year what was held at the previous year end as its cash arrives', async () => {
    // December 2025 held all of Carol's $5,000 on DEC-1 (nothing collected yet).
    expect((await statement('carol', '2025-12')).totals).toMatchObject({
      earnings: '5000.00',
      held: '5000.00',
      payable: '0.00',
    });
    clock = '2026-02-01T09:00:00.000Z';
    await load({
      payments: ['payment_key,invoice_key,paid_on,amount', 'pay-dec,inv-dec,2026-01-15,40000'],
    });
    await run('2026-01');
    const jan = await statement('carol', '2026-01');
    expect(ledger(jan)).toEqual([['release:DEC-1', 'release', '2000.00']]);
    expect(jan.totals).toMatchObject({ earnings: '0.00', released: '2000.00', payable: '2000.00' });
    const planInput = await expectSameAsObjectPath('carol', '2026-01');
    expect(planInput.input.carried).toEqual([
      { payee: 'carol', transaction: 'DEC-1', earned: '5000.00', held: '5000.00', periods: ['2025-12'] },
    ]);
  });
});
