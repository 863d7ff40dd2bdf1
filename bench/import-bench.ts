/**
 * Import throughput: a 1M-row opportunities CSV (native layout, from bench/generate-data.ts) into
 * a fresh database, after its people, accounts and products. Prints one JSON line.
 *
 *   npx tsx bench/generate-data.ts --reps 10000 --months 24 --only opportunities --count 1000000 --out bench/out/opps-1m
 *   npx tsx bench/import-bench.ts --db postgres --dir bench/out/opps-1m
 *   npx tsx bench/import-bench.ts --db pglite --dir bench/out/opps-1m
 *
 * PostgreSQL: ATTAIN_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test) is the admin
 * connection; the benchmark creates its own database and drops it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { nativeMapping } from '../src/ingest/mappings/native-mapping.ts';
import { runImport } from '../src/ingest/run-import.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { openDatabase, type Store } from '../src/store/open-database.ts';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'pglite' },
    dir: { type: 'string', default: 'bench/out/opps-1m' },
  },
});
const dir = path.resolve(values.dir!);
const now = () => new Date().toISOString();

function peakRssMb(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
    return Math.round(kb / 1024);
  } catch {
    return undefined;
  }
}

let store: Store;
let cleanup: () => Promise<void>;
if (values.db === 'postgres') {
  const adminUrl = process.env.ATTAIN_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const name = `attain_bench_import_${crypto.randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  store = await openDatabase({ kind: 'postgres', url: url.toString() });
  cleanup = async () => {
    await store.close();
    await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
    await admin.end();
  };
} else {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attain-bench-import-'));
  store = await openDatabase({ kind: 'pglite', dataDir });
  cleanup = async () => {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
await migrateToLatest(store.db as never);

const options = { mapping: nativeMapping, dryRun: false, createUnknown: false, now };
const reference = ['people.csv', 'products.csv', 'accounts.csv'].map((name) => ({
  path: path.join(dir, name),
  name,
}));
const t0 = performance.now();
await runImport(store, reference, options);
const referenceSeconds = (performance.now() - t0) / 1000;

const t1 = performance.now();
const report = await runImport(
  store,
  [{ path: path.join(dir, 'opportunities.csv'), name: 'opportunities.csv' }],
  options,
);
const seconds = (performance.now() - t1) / 1000;
const rows = report.files[0]!.rows;

const t2 = performance.now();
const again = await runImport(
  store,
  [{ path: path.join(dir, 'opportunities.csv'), name: 'opportunities.csv' }],
  options,
);
const reimportSeconds = (performance.now() - t2) / 1000;

const result = {
  benchmark: 'import-opportunities',
  database: values.db,
  rows,
  status: report.status,
  errors: report.errorCount,
  seconds: Number(seconds.toFixed(2)),
  rowsPerSecond: Math.round(rows / seconds),
  reimportUnchanged: again.entities.opportunities?.unchanged,
  reimportSeconds: Number(reimportSeconds.toFixed(2)),
  referenceFilesSeconds: Number(referenceSeconds.toFixed(2)),
  peakRssMb: {
    importer: Math.round(process.resourceUsage().maxRSS / 1024),
    embeddedDatabase: store.hostPid ? peakRssMb(store.hostPid) : undefined,
  },
};
await cleanup();
console.log(JSON.stringify(result));
