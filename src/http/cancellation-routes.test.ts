// Cancellations and cash through the HTTP API, in-process: files uploaded and imported as a job
// (the native layout's cancelled_on column, invoices and payments), the deal's page showing its
// cancellation and the change in its history, a bad cancellation refused whole with file, line,
// column and reason, and a compensation run started over HTTP clawing back and releasing pay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Attain } from '../app/create-attain.ts';
import { createTestAttain } from '../app/testing/test-attain.ts';
import { testDatabaseKinds } from '../store/testing/test-store.ts';
import { createApp } from './create-app.ts';
import { createUserAndSignIn, type TestClient } from './testing/test-client.ts';

const plan = [
  'id: clawback-hold',
  'name: Commission, clawed back on cancellation, held until collected',
  'period: month',
  'effective_from: 2026-01-01',
  'credit: { types: [{ id: revenue, amount: amount }] }',
  'components: [{ id: commission, kind: commission, credit: revenue, rate: 5% }]',
  'clawback: { window_days: 180, method: full, attainment: keep }',
  'hold: { until: collected }',
  '',
].join('\n');

describe.each(testDatabaseKinds())('cancellations and cash over HTTP on %s', (kind) => {
  let attain: Attain & { dispose(): Promise<void> };
  let app: ReturnType<typeof createApp>;
  let admin: TestClient;

  beforeAll(async () => {
    attain = await createTestAttain(kind);
    app = createApp(attain);
    admin = await createUserAndSignIn(app, attain, { email: 'admin@example.com', role: 'comp_admin' });
  });
  afterAll(async () => {
    await attain?.dispose();
  });

  const send = (method: string, path: string, body?: unknown) =>
    admin.json(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

  async function importFiles(files: Record<string, string[]>) {
    const ids: string[] = [];
    for (const [name, lines] of Object.entries(files)) {
      const uploaded = await admin.json(`/api/uploads?name=${name}`, {
        method: 'POST',
        body: `${lines.join('\n')}\n`,
      });
      expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(201);
      ids.push(uploaded.body.upload.id);
    }
    const started = await send('POST', '/api/imports', { uploads: ids });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    for (let i = 0; i < 400; i++) {
      const polled = await admin.json(`/api/import-jobs/${started.body.job.id}`);
      if (polled.body.job.status !== 'running') return polled.body.job;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('import did not finish');
  }

  async function runPeriod(period: string) {
    const started = await send('POST', '/api/comp/runs', { period });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    await attain.comp.settle();
    const done = await admin.json(`/api/comp/runs/${started.body.run.id}`);
    expect(done.body.status, JSON.stringify(done.body.error)).toBe('succeeded');
    const statement = await admin.json(`/api/comp/statements/alice/${period}`);
    expect(statement.status, JSON.stringify(statement.body)).toBe(200);
    return statement.body.statement;
  }

  it('imports a cancellation and payments, shows them on the deal, and a run claws back and releases', async () => {
    const job = await importFiles({
      'people.csv': ['person_key,name,role', 'alice,Alice Ng,rep'],
      'opportunities.csv': [
        'opportunity_key,name,owner_key,stage,amount,created_on,closed_on,cancelled_on',
        'JUN-1,Initech-018,alice,Closed Won,10000,2026-05-01,2026-06-20,2026-08-10',
        'JUN-2,Globex-7,alice,Closed Won,20000,2026-05-01,2026-06-25,',
      ],
      'invoices.csv': ['invoice_key,opportunity_key,issued_on,amount', 'inv-2,JUN-2,2026-06-25,20000'],
      'payments.csv': ['payment_key,invoice_key,paid_on,amount', 'pay-2,inv-2,2026-07-10,5000'],
    });
    expect(job.status, JSON.stringify(job.report?.errors)).toBe('succeeded');

    const list = await admin.json('/api/opportunities?status=won&limit=10');
    const jun1 = list.body.opportunities.find((o: { key: string }) => o.key === 'JUN-1');
    expect(jun1).toMatchObject({ closedOn: '2026-06-20', cancelledOn: '2026-08-10' });
    const csv = await (await admin.request('/api/opportunities/export.csv?status=won')).text();
    expect(csv.split('\n')[0]).toContain('closed_on,cancelled_on');
    expect(csv).toContain('2026-06-20,2026-08-10');

    // The KPIs: JUN-1 counts as won in Q2 until its cancellation on 2026-08-10, then as lost.
    const q2 = async (asOf: string) => {
      const kpi = await admin.json(
        `/api/kpi?metrics=won_revenue,won_deals,lost_deals&by=company&period=quarter&at=2026-06-01&asOf=${asOf}`,
      );
      expect(kpi.status, JSON.stringify(kpi.body)).toBe(200);
      const m = kpi.body.groups[0].metrics;
      return [m.won_revenue.value, m.won_deals.value, m.lost_deals.value];
    };
    expect(await q2('2026-08-09')).toEqual(['30000.00', 2, 0]);
    expect(await q2('2026-08-10')).toEqual(['20000.00', 1, 1]);

    const saved = await send('PUT', '/api/comp/plans/clawback-hold', { source: plan });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const assigned = await send('POST', '/api/comp/plans/clawback-hold/assignments', {
      position: 'alice',
      from: '2026-01-01',
    });
    expect(assigned.status, JSON.stringify(assigned.body)).toBe(201);

    // June: 1,500 earned; JUN-2's 1,000 is held (nothing collected), JUN-1's 500 too.
    const june = await runPeriod('2026-06');
    expect(june.totals).toMatchObject({ earnings: '1500.00', held: '1500.00', payable: '0.00' });
    // July: a quarter of JUN-2 collected, 250 released.
    const july = await runPeriod('2026-07');
    expect(july.totals).toMatchObject({ released: '250.00', payable: '250.00' });
    // August: JUN-1 cancelled: its 500 clawed back and its hold released (nothing was paid on it).
    const august = await runPeriod('2026-08');
    expect(august.lines.map((l: { id: string; amount: string }) => [l.id, l.amount]).sort()).toEqual([
      ['clawback:JUN-1', '-500.00'],
      ['release:JUN-1', '500.00'],
    ]);
    expect(august.totals).toMatchObject({ clawbacks: '-500.00', released: '500.00', payable: '0.00' });

    // The cancellation moved by a later import: the deal's history keeps both days.
    const moved = await importFiles({
      'opportunities.csv': [
        'opportunity_key,name,owner_key,stage,amount,created_on,closed_on,cancelled_on',
        'JUN-1,Initech-018,alice,Closed Won,10000,2026-05-01,2026-06-20,2026-09-02',
      ],
    });
    expect(moved.status).toBe('succeeded');
    const deal = await admin.json(`/api/opportunities/${jun1.id}`);
    expect(deal.body.opportunity).toMatchObject({ cancelledOn: '2026-09-02' });
    expect(
      deal.body.opportunity.history.filter((h: { field: string }) => h.field === 'cancelled_on'),
    ).toEqual([expect.objectContaining({ from: '2026-08-10', to: '2026-09-02' })]);
    expect((await runPeriod('2026-08')).totals).toMatchObject({ clawbacks: '0.00' });
  });

  it('refuses a cancellation before the deal closed, naming file, line and column, and imports nothing', async () => {
    const job = await importFiles({
      'opportunities.csv': [
        'opportunity_key,name,owner_key,stage,amount,created_on,closed_on,cancelled_on',
        'SEP-1,Hooli-1,alice,Closed Won,1000,2026-08-01,2026-09-10,',
        'SEP-2,Hooli-2,alice,Closed Won,1000,2026-08-01,2026-09-10,2026-09-09',
      ],
    });
    expect(job.status).toBe('rejected');
    expect(job.report.errors).toEqual([
      {
        file: 'opportunities.csv',
        line: 3,
        field: 'cancelled_on',
        value: '2026-09-09',
        message: 'is before the deal closed (2026-09-10)',
      },
    ]);
    const list = await admin.json('/api/opportunities?limit=50');
    expect(list.body.opportunities.map((o: { key: string }) => o.key)).not.toContain('SEP-1');
  });
});
