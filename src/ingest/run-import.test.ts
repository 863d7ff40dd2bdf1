import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestStore, testDatabaseKinds, type TestStore } from '../store/testing/test-store.ts';
import { nativeMapping } from './mappings/native-mapping.ts';
import { runImport, type ImportOptions } from './run-import.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attain-import-test-'));
function write(name: string, lines: string[]): { path: string; name: string } {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return { path: file, name };
}

const people = [
  'person_key,name,role,manager_key,team,region',
  'mgr-1,Maria Manager,manager,,East Team,East',
  'rep-1,Ravi Rep,rep,mgr-1,East Team,East',
  'rep-2,Rosa Rep,rep,mgr-1,East Team,East',
];
const accounts = [
  'account_key,name,segment,industry,country,annual_revenue',
  'acc-1,Acme,SMB,retail,US,1250000.50',
  'acc-2,Globex,Enterprise,software,DE,',
];
const opportunities = [
  'opportunity_key,name,account_key,owner_key,stage,amount,created_on,close_on',
  'opp-1,Acme expansion,acc-1,rep-1,Proposal,12000.00,2024-01-10,2024-03-31',
  'opp-2,Globex new,acc-2,rep-2,Closed Won,5000,2024-01-15,2024-02-20',
  'opp-3,No account,,rep-1,Prospecting,,2024-02-01,',
];

describe.each(testDatabaseKinds())('import on %s', (kind) => {
  let store: TestStore;
  let clock = '2026-11-23T09:00:00.000Z';
  const options = (over: Partial<ImportOptions> = {}): ImportOptions => ({
    mapping: nativeMapping,
    dryRun: false,
    createUnknown: false,
    now: () => clock,
    ...over,
  });
  const count = async (table: string) =>
    Number((await store.pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n);

  beforeAll(async () => {
    store = await createTestStore(kind);
  });
  afterAll(async () => {
    await store.dispose();
  });
  beforeEach(async () => {
    await store.pool.query(
      'TRUNCATE opportunity_changes, activities, opportunities, accounts, products, position_reporting, position_holders, positions, people, teams, regions, imports RESTART IDENTITY CASCADE',
    );
    clock = '2026-11-23T09:00:00.000Z';
  });

  it('imports people with their hierarchy, accounts and opportunities, then re-imports with no change', async () => {
    const files = [
      write('opportunities.csv', opportunities),
      write('people.csv', people),
      write('accounts.csv', accounts),
    ];
    const first = await runImport(store, files, options());
    expect(first.status).toBe('succeeded');
    // Files are written in dependency order whatever order they were given in.
    expect(first.files.map((f) => f.entity)).toEqual(['people', 'accounts', 'opportunities']);
    expect(first.entities).toEqual({
      people: { inserted: 3, updated: 0, unchanged: 0 },
      accounts: { inserted: 2, updated: 0, unchanged: 0 },
      opportunities: { inserted: 3, updated: 0, unchanged: 0 },
    });
    const acme = (
      await store.pool.query("SELECT annual_revenue_minor FROM accounts WHERE external_key = 'acc-1'")
    ).rows[0];
    expect(acme.annual_revenue_minor).toBe(125000050);
    const hierarchy = await store.pool.query(`
      SELECT p.external_key, parent.external_key AS manager, t.name AS team
      FROM position_reporting r JOIN positions p ON p.id = r.position_id
      LEFT JOIN positions parent ON parent.id = r.parent_position_id LEFT JOIN teams t ON t.id = r.team_id ORDER BY 1`);
    expect(hierarchy.rows).toEqual([
      { external_key: 'mgr-1', manager: null, team: 'East Team' },
      { external_key: 'rep-1', manager: 'mgr-1', team: 'East Team' },
      { external_key: 'rep-2', manager: 'mgr-1', team: 'East Team' },
    ]);
    const won = (
      await store.pool.query(
        "SELECT is_closed, is_won, closed_on, amount_minor FROM opportunities WHERE external_key = 'opp-2'",
      )
    ).rows[0];
    expect(won).toEqual({ is_closed: true, is_won: true, closed_on: '2024-02-20', amount_minor: 500000 });
    expect(first.warnings.map((w) => [w.code, w.count, w.lines])).toEqual([['no_account', 1, [4]]]);

    const again = await runImport(store, files, options());
    expect(again.entities).toEqual({
      people: { inserted: 0, updated: 0, unchanged: 3 },
      accounts: { inserted: 0, updated: 0, unchanged: 2 },
      opportunities: { inserted: 0, updated: 0, unchanged: 3 },
    });
    expect(await count('opportunity_changes')).toBe(0);
  });

  it('updates what changed and records each change in the history, dated by the import', async () => {
    await runImport(
      store,
      [
        write('people.csv', people),
        write('accounts.csv', accounts),
        write('opportunities.csv', opportunities),
      ],
      options(),
    );
    clock = '2026-12-01T10:00:00.000Z';
    const changed = opportunities.map((l) =>
      l.startsWith('opp-1,')
        ? 'opp-1,Acme expansion,acc-1,rep-2,Negotiation,9000.00,2024-01-10,2024-04-30'
        : l,
    );
    const report = await runImport(store, [write('opportunities.csv', changed)], options());
    expect(report.entities.opportunities).toEqual({ inserted: 0, updated: 1, unchanged: 2 });
    const changes = await store.pool.query(
      `SELECT field, old_value, new_value, changed_at, source FROM opportunity_changes ORDER BY field`,
    );
    const rep1 = (await store.pool.query("SELECT id FROM people WHERE external_key = 'rep-1'")).rows[0].id;
    const rep2 = (await store.pool.query("SELECT id FROM people WHERE external_key = 'rep-2'")).rows[0].id;
    expect(changes.rows).toEqual([
      {
        field: 'amount_minor',
        old_value: '1200000',
        new_value: '900000',
        changed_at: '2026-12-01T10:00:00.000Z',
        source: 'import',
      },
      {
        field: 'close_on',
        old_value: '2024-03-31',
        new_value: '2024-04-30',
        changed_at: '2026-12-01T10:00:00.000Z',
        source: 'import',
      },
      {
        field: 'owner_person_id',
        old_value: String(rep1),
        new_value: String(rep2),
        changed_at: '2026-12-01T10:00:00.000Z',
        source: 'import',
      },
      {
        field: 'probability',
        old_value: '60',
        new_value: '80',
        changed_at: '2026-12-01T10:00:00.000Z',
        source: 'import',
      },
      {
        field: 'stage',
        old_value: 'Proposal',
        new_value: 'Negotiation',
        changed_at: '2026-12-01T10:00:00.000Z',
        source: 'import',
      },
    ]);
    // No duplicates, ever.
    expect(await count('opportunities')).toBe(3);
  });

  it('keeps the hierarchy as of every day: a rep moved to another manager closes the old line', async () => {
    await runImport(
      store,
      [write('people.csv', [...people, 'mgr-2,Mo Manager,manager,,West Team,West'])],
      options(),
    );
    clock = '2026-12-01T10:00:00.000Z';
    const moved = [
      ...people.map((l) => (l.startsWith('rep-2,') ? 'rep-2,Rosa Rep,rep,mgr-2,West Team,West' : l)),
      'mgr-2,Mo Manager,manager,,West Team,West',
    ];
    const report = await runImport(store, [write('people.csv', moved)], options());
    expect(report.entities.people).toEqual({ inserted: 0, updated: 1, unchanged: 3 });
    const lines = await store.pool.query(`
      SELECT parent.external_key AS manager, r.valid_from, r.valid_to FROM position_reporting r
      JOIN positions p ON p.id = r.position_id JOIN positions parent ON parent.id = r.parent_position_id
      WHERE p.external_key = 'rep-2' ORDER BY r.valid_from`);
    expect(lines.rows).toEqual([
      { manager: 'mgr-1', valid_from: '1900-01-01', valid_to: '2026-12-01' },
      { manager: 'mgr-2', valid_from: '2026-12-01', valid_to: null },
    ]);
  });

  it('rejects a file with bad rows whole, naming every problem, and changes nothing', async () => {
    await runImport(store, [write('people.csv', people), write('accounts.csv', accounts)], options());
    const bad = [
      opportunities[0]!,
      'opp-10,Fine,acc-1,rep-1,Proposal,100,2024-01-10,2024-03-31',
      'opp-11,Bad date,acc-1,rep-1,Proposal,100,2017-02-31,2024-03-31',
      'opp-12,Bad stage,acc-1,rep-1,Haggling,100,2024-01-10,2024-03-31',
      'opp-13,Bad amount,acc-1,rep-1,Proposal,12.345,2024-01-10,2024-03-31',
      'opp-10,Duplicate,acc-1,rep-1,Proposal,100,2024-01-10,2024-03-31',
      'opp-14,Short row,acc-1',
    ];
    const report = await runImport(store, [write('bad.csv', bad)], options({ batchSize: 1 }));
    expect(report.status).toBe('rejected');
    expect(report.errors).toEqual([
      {
        file: 'bad.csv',
        line: 3,
        field: 'created_on',
        value: '2017-02-31',
        message: 'is not a date: month 2 of 2017 has 28 days',
      },
      {
        file: 'bad.csv',
        line: 4,
        field: 'stage',
        value: 'Haggling',
        message: expect.stringContaining('is not a known stage'),
      },
      {
        file: 'bad.csv',
        line: 5,
        field: 'amount',
        value: '12.345',
        message: 'has more decimals than USD allows (2)',
      },
      {
        file: 'bad.csv',
        line: 6,
        field: 'opportunity_key',
        value: 'opp-10',
        message: expect.stringContaining('already on line 2'),
      },
      { file: 'bad.csv', line: 7, message: 'has 3 cells where the header has 8 columns' },
    ]);
    expect(report.entities).toEqual({});
    expect(await count('opportunities')).toBe(0);
    const history = await store.pool.query(
      'SELECT status, error_count FROM imports ORDER BY id DESC LIMIT 1',
    );
    expect(history.rows[0]).toEqual({ status: 'rejected', error_count: 5 });
  });

  it('imports a won deal’s cancellation day, keeps its change in the history, and the invoices and payments of a deal', async () => {
    await runImport(store, [write('people.csv', people), write('accounts.csv', accounts)], options());
    const deals = [
      'opportunity_key,owner_key,stage,amount,created_on,close_on,closed_on,cancelled_on',
      'opp-20,rep-1,Closed Won,10000,2026-05-01,,2026-06-20,2026-08-10',
      'opp-21,rep-1,Closed Won,20000,2026-05-01,2026-08-05,,',
    ];
    const first = await runImport(
      store,
      [
        write('opportunities.csv', deals),
        write('invoices.csv', [
          'invoice_key,opportunity_key,issued_on,amount',
          'inv-1,opp-21,2026-08-05,20000',
        ]),
        write('payments.csv', [
          'payment_key,invoice_key,paid_on,amount',
          'pay-1,inv-1,2026-09-01,8000.50',
          'pay-2,inv-1,2026-10-01,11999.50',
        ]),
      ],
      options(),
    );
    expect(first.status, JSON.stringify(first.errors)).toBe('succeeded');
    expect(first.entities).toMatchObject({
      opportunities: { inserted: 2, updated: 0, unchanged: 0 },
      invoices: { inserted: 1, updated: 0, unchanged: 0 },
      payments: { inserted: 2, updated: 0, unchanged: 0 },
    });
    const read = async () =>
      (
        await store.pool.query(
          'SELECT external_key, closed_on, cancelled_on FROM opportunities ORDER BY external_key',
        )
      ).rows;
    expect(await read()).toEqual([
      { external_key: 'opp-20', closed_on: '2026-06-20', cancelled_on: '2026-08-10' },
      { external_key: 'opp-21', closed_on: '2026-08-05', cancelled_on: null },
    ]);
    const cash = await store.pool.query(`
      SELECT o.external_key AS deal, p.paid_on, p.amount_minor FROM payments p
      JOIN invoices i ON i.id = p.invoice_id JOIN opportunities o ON o.id = i.opportunity_id ORDER BY p.paid_on`);
    expect(cash.rows).toEqual([
      { deal: 'opp-21', paid_on: '2026-09-01', amount_minor: 800050 },
      { deal: 'opp-21', paid_on: '2026-10-01', amount_minor: 1199950 },
    ]);

    // The cancellation moves, and another deal is cancelled: both kept with the value before.
    clock = '2026-12-01T10:00:00.000Z';
    const moved = [
      deals[0]!,
      'opp-20,rep-1,Closed Won,10000,2026-05-01,,2026-06-20,2026-08-12',
      'opp-21,rep-1,Closed Won,20000,2026-05-01,2026-08-05,,2026-11-30',
    ];
    const again = await runImport(store, [write('opportunities.csv', moved)], options());
    expect(again.entities.opportunities).toEqual({ inserted: 0, updated: 2, unchanged: 0 });
    const changes = await store.pool.query(`
      SELECT o.external_key AS deal, c.field, c.old_value, c.new_value, c.changed_at FROM opportunity_changes c
      JOIN opportunities o ON o.id = c.opportunity_id ORDER BY deal, field`);
    expect(changes.rows).toEqual([
      {
        deal: 'opp-20',
        field: 'cancelled_on',
        old_value: '2026-08-10',
        new_value: '2026-08-12',
        changed_at: '2026-12-01T10:00:00.000Z',
      },
      {
        deal: 'opp-21',
        field: 'cancelled_on',
        old_value: null,
        new_value: '2026-11-30',
        changed_at: '2026-12-01T10:00:00.000Z',
      },
    ]);

    // A file without the column (a CRM export) keeps the cancellations as they are...
    clock = '2026-12-02T10:00:00.000Z';
    const crm = [
      'opportunity_key,owner_key,stage,amount,created_on,closed_on',
      'opp-20,rep-1,Closed Won,10000,2026-05-01,2026-06-20',
      'opp-21,rep-1,Closed Won,20500,2026-05-01,2026-08-05',
    ];
    const kept = await runImport(store, [write('crm.csv', crm)], options());
    expect(kept.entities.opportunities).toEqual({ inserted: 0, updated: 1, unchanged: 1 });
    expect((await read()).map((r) => r.cancelled_on)).toEqual(['2026-08-12', '2026-11-30']);
    // ...and refuses to make a cancelled deal one that cannot be cancelled, naming what to do.
    const lost = await runImport(
      store,
      [
        write('crm.csv', [
          crm[0]!,
          'opp-20,rep-1,Closed Lost,10000,2026-05-01,2026-06-20',
          'opp-21,rep-1,Closed Won,20500,2026-05-01,2026-12-01',
        ]),
      ],
      options(),
    );
    expect(lost.status).toBe('rejected');
    expect(lost.errors).toEqual([
      {
        file: 'crm.csv',
        line: 2,
        field: 'stage',
        value: 'Closed Lost',
        message: expect.stringMatching(
          /^the deal was cancelled on 2026-08-12 \(kept: this file has no cancelled_on column\); only a won deal can be cancelled/,
        ),
      },
      {
        file: 'crm.csv',
        line: 3,
        field: 'closed_on',
        value: '2026-12-01',
        message: expect.stringContaining(
          'cancelled on 2026-11-30 (kept: this file has no cancelled_on column), which is before it closed',
        ),
      },
    ]);
    expect((await read()).map((r) => r.cancelled_on)).toEqual(['2026-08-12', '2026-11-30']);
  });

  it('refuses a cancellation that cannot be, naming file, line, column and reason, and writes nothing', async () => {
    await runImport(store, [write('people.csv', people), write('accounts.csv', accounts)], options());
    const report = await runImport(
      store,
      [
        write('cancelled.csv', [
          'opportunity_key,owner_key,stage,amount,created_on,closed_on,cancelled_on',
          'opp-30,rep-1,Closed Won,100,2026-05-01,2026-06-20,2026-08-10',
          'opp-31,rep-1,Closed Won,100,2026-05-01,2026-06-20,2026-08-32',
          'opp-32,rep-1,Closed Won,100,2026-05-01,2026-06-20,2026-06-19',
          'opp-33,rep-1,Proposal,100,2026-05-01,,2026-08-10',
          'opp-34,rep-1,Closed Lost,100,2026-05-01,2026-06-20,2026-08-10',
          'opp-35,rep-1,Closed Won,100,2026-05-01,,2026-08-10',
        ]),
      ],
      options(),
    );
    expect(report.status).toBe('rejected');
    const problem = (line: number, value: string, message: string) => ({
      file: 'cancelled.csv',
      line,
      field: 'cancelled_on',
      value,
      message,
    });
    expect(report.errors).toEqual([
      problem(3, '2026-08-32', 'is not a date: month 8 of 2026 has 31 days'),
      problem(4, '2026-06-19', 'is before the deal closed (2026-06-20)'),
      problem(5, '2026-08-10', 'cancels a deal that is not won (stage Proposal is open)'),
      problem(6, '2026-08-10', 'cancels a deal that is not won (stage Closed Lost is lost)'),
      problem(7, '2026-08-10', 'cancels a won deal without a close date (closed_on or close_on)'),
    ]);
    expect(await count('opportunities')).toBe(0);
    expect(await count('opportunity_changes')).toBe(0);
  });

  it('reports in a dry run what would change, and changes nothing', async () => {
    const report = await runImport(
      store,
      [write('people.csv', people), write('accounts.csv', accounts)],
      options({ dryRun: true }),
    );
    expect(report.status).toBe('dry_run');
    expect(report.entities.accounts).toEqual({ inserted: 2, updated: 0, unchanged: 0 });
    expect(await count('accounts')).toBe(0);
    expect(await count('people')).toBe(0);
  });

  it('lists unknown reps and accounts and creates them only when asked', async () => {
    const files = [
      write('opportunities.csv', [
        'opportunity_key,account_key,owner_key,stage,created_on',
        'opp-1,acc-x,rep-x,Proposal,2024-01-10',
        'opp-2,acc-x,rep-x,Proposal,2024-01-10',
      ]),
    ];
    const report = await runImport(store, files, options());
    expect(report.unknown).toEqual({ people: ['rep-x'], accounts: ['acc-x'], products: [] });
    expect(report.warnings.find((w) => w.code === 'unknown_people')).toMatchObject({
      count: 2,
      lines: [2, 3],
    });
    expect(
      (
        await store.pool.query(
          "SELECT owner_person_id, owner_ref FROM opportunities WHERE external_key = 'opp-1'",
        )
      ).rows[0],
    ).toEqual({ owner_person_id: null, owner_ref: 'rep-x' });
    expect(await count('people')).toBe(0);

    const created = await runImport(store, files, options({ createUnknown: true }));
    expect(created.entities.opportunities).toEqual({ inserted: 0, updated: 2, unchanged: 0 });
    expect(await count('people')).toBe(1);
    expect(await count('accounts')).toBe(1);
  });

  it('counts a history file in its rows, and adds nothing when it is imported again', async () => {
    await runImport(
      store,
      [
        write('people.csv', people),
        write('accounts.csv', accounts),
        write('opportunities.csv', opportunities),
      ],
      options(),
    );
    const history = write('opportunity_history.csv', [
      'opportunity_key,changed_at,stage,amount',
      'opp-1,2024-01-10T09:00:00Z,Prospecting,10000',
      'opp-1,2024-02-01T09:00:00Z,Proposal,12000',
      'opp-2,2024-01-15T09:00:00Z,Discovery,5000',
    ]);
    const first = await runImport(store, [history], options());
    expect(first.entities.opportunity_history).toEqual({ inserted: 3, updated: 0, unchanged: 0 });
    const changes = await count('opportunity_changes');
    expect(changes).toBe(6);
    const again = await runImport(store, [history], options());
    expect(again.entities.opportunity_history).toEqual({ inserted: 0, updated: 0, unchanged: 3 });
    expect(await count('opportunity_changes')).toBe(changes);
  });

  it('reads XLSX exactly as it reads the same data as CSV', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Accounts');
    sheet.addRow(['account_key', 'name', 'segment', 'employees', 'annual_revenue']);
    sheet.addRow(['acc-1', 'Acme', 'SMB', 120, 1250000.5]);
    sheet.addRow(['acc-2', 'Globex', 'Enterprise', 5000, null]);
    const file = path.join(dir, 'accounts.xlsx');
    await workbook.xlsx.writeFile(file);
    const report = await runImport(store, [{ path: file, name: 'accounts.xlsx' }], options());
    expect(report.entities.accounts).toEqual({ inserted: 2, updated: 0, unchanged: 0 });
    const rows = (
      await store.pool.query('SELECT external_key, employees, annual_revenue_minor FROM accounts ORDER BY 1')
    ).rows;
    expect(rows).toEqual([
      { external_key: 'acc-1', employees: 120, annual_revenue_minor: 125000050 },
      { external_key: 'acc-2', employees: 5000, annual_revenue_minor: null },
    ]);
  });

  it('refuses a file it cannot place, naming the closest layout and its missing columns', async () => {
    await expect(
      runImport(store, [write('mystery.csv', ['foo,bar', '1,2'])], options({ mapping: 'detect' })),
    ).rejects.toMatchObject({
      code: 'import_rejected',
      problems: [
        { file: 'mystery.csv', line: 1, message: expect.stringContaining('does not match any known layout') },
      ],
    });
    const history = await store.pool.query(
      'SELECT status, error_count FROM imports ORDER BY id DESC LIMIT 1',
    );
    expect(history.rows[0]).toEqual({ status: 'rejected', error_count: 1 });
  });
});
