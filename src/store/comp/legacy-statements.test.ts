/**
 * Migration 0005 on statements stored by 0003 (lines as jsonb inside the statement): they keep
 * their lines as they were (`legacy_lines`), their measures move to the header, and what a closed
 * period paid, and what they paid on a deal later cancelled (carried-pay.ts), are still read from them.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, migrateUpTo } from '../migrate.ts';
import { createTestStore, testDatabaseKinds, type TestStore } from '../testing/test-store.ts';
import { loadCarriedPay } from './carried-pay.ts';
import { findCurrentStatement, loadLockedFigures, loadStatementLines } from './comp-run-store.ts';

const line = {
  id: 'commission:D1',
  kind: 'commission',
  component: 'commission',
  transaction: 'D1',
  amount: '120.00',
  trace: { rule: 'commission', rate: '0.1', arithmetic: '1200.00 × 0.1 = 120.00' },
  explanation: 'Deal D1, $1,200 credited to you as owner; $1,200 at 10% = $120',
};
const measures = [{ id: 'rev', value: '1200.00', quota: '1000.00', attainment: '1.2000' }];
const totals = {
  earnings: '120.00',
  adjustments: '0.00',
  clawbacks: '0.00',
  draw: '0.00',
  drawRecovered: '0.00',
  held: '0.00',
  released: '0.00',
  payable: '120.00',
  balanceCarried: '0.00',
};

describe.each(testDatabaseKinds())('statements stored before 0005, on %s', (kind) => {
  let store: TestStore;

  beforeAll(async () => {
    store = await createTestStore(kind, { migrated: false });
    await migrateUpTo(store.db as never, '0004-forecast');
    await sql`
      INSERT INTO comp_runs (id, period, status, created_by, started_at)
      VALUES (7, '2026-03', 'succeeded', 'test', now())
    `.execute(store.db);
    const statement = {
      payee: 'alice',
      payeeName: 'Alice',
      period: '2026-03',
      currency: 'USD',
      measures,
      lines: [line],
      totals,
    };
    await sql`
      INSERT INTO comp_statements (run_id, payee, period, plan_id, plan_version, payee_name, currency,
        earnings_minor, payable_minor, line_count, totals, statement)
      VALUES (7, 'alice', '2026-03', 'p', 1, 'Alice', 'USD', 12000, 12000, 1,
        ${JSON.stringify(totals)}::jsonb, ${JSON.stringify(statement)}::jsonb)
    `.execute(store.db);
    await sql`
      INSERT INTO comp_closed_periods (period, run_id, closed_at, closed_by) VALUES ('2026-03', 7, now(), 'test')
    `.execute(store.db);
    expect(await migrateUpTo(store.db as never, '0005-comp-statement-lines')).toEqual([
      '0005-comp-statement-lines',
    ]);
    await migrateToLatest(store.db as never);
  }, 60_000);
  afterAll(async () => {
    await store?.dispose();
  });

  it('keeps their lines and measures as they were', async () => {
    const found = await findCurrentStatement(store.db, 'alice', '2026-03');
    expect(found).toMatchObject({ runId: 7, statementNo: null, planId: 'p', planVersion: 1 });
    expect(found!.header).toEqual({
      payee: 'alice',
      payeeName: 'Alice',
      period: '2026-03',
      currency: 'USD',
      measures,
      totals,
    });
    expect(Object.keys(found!.header.totals)).toEqual(Object.keys(totals));
    const [lines] = await loadStatementLines(store.db, [found!], () => []);
    expect(lines).toEqual([{ source: 'ledger', line }]);
  });

  it('still tells what the closed period paid', async () => {
    expect(await loadLockedFigures(store.db, ['2026-03'])).toEqual([
      {
        payee: 'alice',
        period: '2026-03',
        planId: 'p',
        earnings: '120.00',
        lines: { 'commission:D1': '120.00' },
      },
    ]);
  });

  it('carries what they paid on a deal into a later year that cancels it', async () => {
    await sql`
      INSERT INTO stages (name, sort_order, category, default_probability) VALUES ('Won', 9, 'won', 100);
      INSERT INTO people (id, external_key, name) VALUES (1, 'alice', 'Alice');
      INSERT INTO opportunities (external_key, owner_person_id, stage, amount_minor, closed_on, is_closed, is_won, cancelled_on)
      VALUES ('D1', 1, 'Won', 120000, '2026-03-10', true, true, '2027-02-01')
    `.execute(store.db);
    const carried = await loadCarriedPay(store.db, {
      plan: { currency: 'USD', clawback: { window_days: 365, method: 'full', attainment: 'keep' } },
      yearStart: '2027-01-01',
      toDay: '2027-02-28',
      fiscalYearStartMonth: 1,
      payees: ['alice'],
    });
    expect(carried.carried).toEqual([
      { payee: 'alice', transaction: 'D1', earned: '120.00', periods: ['2026-03'] },
    ]);
    expect(carried.dealIds).toHaveLength(1);
  });
});
