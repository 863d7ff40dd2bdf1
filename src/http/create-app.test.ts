import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Attain } from '../app/create-attain.ts';
import { createTestAttain } from '../app/testing/test-attain.ts';
import { testDatabaseKinds } from '../store/testing/test-store.ts';
import { createApp, routeTableOf } from './create-app.ts';
import { createUserAndSignIn, type TestClient } from './testing/test-client.ts';

const accountsCsv =
  'account_key,name,segment,industry,country\nacc-1,Acme,SMB,retail,US\nacc-2,Globex,Enterprise,software,DE\nacc-3,Initech,Mid-Market,software,US\n';
const badOpportunitiesCsv =
  'opportunity_key,stage,created_on\nopp-1,Proposal,2024-01-10\nopp-2,Haggling,2024-01-10\nopp-3,Proposal,2017-02-31\n';

describe.each(testDatabaseKinds())('HTTP API on %s', (kind) => {
  let attain: Attain & { dispose(): Promise<void> };
  let app: ReturnType<typeof createApp>;
  let admin: TestClient;

  beforeAll(async () => {
    attain = await createTestAttain(kind, { ATTAIN_MAX_UPLOAD_MB: '1' });
    app = createApp(attain);
    admin = await createUserAndSignIn(app, attain, { email: 'admin@example.com', role: 'admin' });
  });
  afterAll(async () => {
    await attain.dispose();
  });

  async function json(path: string, init?: RequestInit) {
    const response = await admin.request(path, init);
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      body: (await response.json()) as any,
    };
  }

  async function upload(name: string, content: string) {
    return json(`/api/uploads?name=${encodeURIComponent(name)}`, { method: 'POST', body: content });
  }

  async function importAndWait(uploadIds: string[], extra: Record<string, unknown> = {}) {
    const started = await json('/api/imports', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ uploads: uploadIds, mapping: 'detect', ...extra }),
    });
    expect(started.status).toBe(202);
    for (let i = 0; i < 200; i++) {
      const polled = await json(`/api/import-jobs/${started.body.job.id}`);
      if (polled.body.job.status !== 'running') return polled.body.job;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('import did not finish');
  }

  it('answers health with the database kind', async () => {
    expect(await json('/api/health')).toMatchObject({ status: 200, body: { status: 'ok', database: kind } });
  });

  it('uploads a file with a preview, imports it as a job and the counts change', async () => {
    expect((await json('/api/data/counts')).body.counts.accounts).toBe(0);
    const uploaded = await upload('accounts.csv', accountsCsv);
    expect(uploaded.status).toBe(201);
    expect(uploaded.body.upload).toMatchObject({
      fileName: 'accounts.csv',
      format: 'csv',
      header: ['account_key', 'name', 'segment', 'industry', 'country'],
      sampleRows: [['acc-1', 'Acme', 'SMB', 'retail', 'US'], expect.any(Array), expect.any(Array)],
      detected: { mapping: 'attain', entity: 'accounts' },
    });
    const job = await importAndWait([uploaded.body.upload.id]);
    expect(job.status).toBe('succeeded');
    expect(job.report.entities.accounts).toEqual({ inserted: 3, updated: 0, unchanged: 0 });
    expect(job.progress.rowsRead).toBe(3);
    expect((await json('/api/data/counts')).body.counts.accounts).toBe(3);

    const history = await json('/api/imports?limit=5');
    expect(history.body.total).toBe(1);
    expect(history.body.imports[0]).toMatchObject({
      status: 'succeeded',
      mapping: 'attain',
      files: [{ name: 'accounts.csv', rows: 3 }],
    });
    const one = await json(`/api/imports/${history.body.imports[0].id}`);
    expect(one.body.import).toMatchObject({ id: history.body.imports[0].id, warnings: [], errors: [] });
  });

  it('refreshes the columnar snapshot after an import', async () => {
    const before = (await json('/api/data/snapshot')).body;
    const csv =
      'opportunity_key,stage,created_on,amount\nopp-a,Proposal,2024-01-10,100.00\nopp-b,Closed Won,2024-01-11,250.00\n';
    const uploaded = await upload('opps.csv', csv);
    const job = await importAndWait([uploaded.body.upload.id]);
    expect(job.status).toBe('succeeded');
    const after = (await json('/api/data/snapshot')).body;
    expect(after.opportunities).toBe(before.opportunities + 2);
    expect(after.loadedAt).toBe('2026-11-23T09:00:00.000Z');
  });

  it('rejects a bad file whole, listing every bad row, and keeps it in history', async () => {
    const uploaded = await upload('opportunities.csv', badOpportunitiesCsv);
    const job = await importAndWait([uploaded.body.upload.id]);
    expect(job.status).toBe('rejected');
    expect(job.report.errors.map((e: { line: number; field: string }) => [e.line, e.field])).toEqual([
      [3, 'stage'],
      [4, 'created_on'],
    ]);
    expect((await json('/api/data/counts')).body.counts.opportunities).toBe(2);
    const history = await json('/api/imports?limit=1');
    expect(history.body.imports[0]).toMatchObject({ status: 'rejected', errorCount: 2 });
  });

  it('answers bad requests with problem+json naming each field', async () => {
    const invalid = await json('/api/imports', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ uploads: [], dryRun: 'yes' }),
    });
    expect(invalid.status).toBe(400);
    expect(invalid.type).toContain('application/problem+json');
    expect(invalid.body.problems.map((p: { field: string }) => p.field).sort()).toEqual([
      'json.dryRun',
      'json.uploads',
    ]);

    const malformed = await json('/api/imports', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"uploads":',
    });
    expect(malformed).toMatchObject({ status: 400, body: { code: 'validation' } });

    const unknownUpload = await json('/api/imports', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ uploads: ['00000000-0000-4000-8000-000000000000'] }),
    });
    expect(unknownUpload).toMatchObject({ status: 404, body: { code: 'not_found' } });

    const unknownMapping = await json('/api/imports', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ uploads: ['00000000-0000-4000-8000-000000000000'], mapping: 'sap' }),
    });
    expect(unknownMapping).toMatchObject({
      status: 400,
      body: { problems: [{ field: 'mapping', value: 'sap' }] },
    });

    expect(await json('/api/nothing-here')).toMatchObject({ status: 404, body: { code: 'not_found' } });
    expect(await json('/api/imports/999')).toMatchObject({ status: 404, body: { code: 'not_found' } });
  });

  it('refuses an upload over the size limit with 413 and keeps nothing', async () => {
    const big = 'account_key,name\n' + 'x'.repeat(1024 * 1024 + 10);
    const response = await upload('big.csv', big);
    expect(response).toMatchObject({ status: 413, body: { code: 'payload_too_large' } });
  });

  it('publishes an OpenAPI document listing every route', async () => {
    const doc = await json('/api/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    const declared = [...new Set(routeTableOf(app).map((r) => r.path))].sort();
    expect(declared.length).toBeGreaterThan(25);
    expect(Object.keys(doc.body.paths).sort()).toEqual(declared);
  });
});
