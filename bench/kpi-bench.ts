/**
 * KPI queries at scale, Attain against DuckDB, side by side in one run (issue 5, "Measure").
 *
 *   npx tsx bench/kpi-bench.ts [--opportunities 1000000] [--activities 5000000] [--runs 30]
 *       [--reps <opportunities / 100>] [--admin-url postgres://postgres@127.0.0.1:5432/test] [--keep]
 *       [--reuse <database>] [--only <question id,...>]
 *
 * 1. Generates the organisation with the demo generator (generateOrganisation: people and their
 *    hierarchy, accounts, products, opportunities with their history, activities, quotas; leads,
 *    subscriptions, invoices, payments and spend are not generated) and loads it into a fresh
 *    PostgreSQL database (attain_bench_kpi_<pid>): people, accounts, products and quotas through
 *    the store's RecordWriter (as the demo loader does), opportunities, their history and the
 *    activities with bulk `INSERT ... SELECT FROM unnest(...)` in batches of 10,000 rows, foreign-key
 *    triggers off for that session (the rows reference only ids that exist). Then VACUUM ANALYZE.
 * 2. Copies the same rows out of PostgreSQL into an in-memory DuckDB (server-side COPY to CSV,
 *    read_csv), with the hierarchy and the quota rows as Attain builds them (small tables).
 * 3. Starts `node bin/attain.mjs serve` on the database, signs in as the admin, and times five
 *    questions through GET /api/kpi (one connection, sequential, after one warm-up), the same five
 *    questions as DuckDB SQL, and Attain's engine called in this process on snapshots loaded here
 *    (evaluateMetrics: the engine alone, no HTTP, no JSON) — each `--runs` times, one after another.
 * 4. Checks the answers agree on a few groups, writes bench/out/kpi-bench.json, stops the server
 *    and drops the database (--keep leaves it; --reuse <database> skips step 1 on a database an
 *    earlier --keep left, and never drops it; --only asks a subset of the questions).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import pg from 'pg';
import { startServer, stopServer, type Server } from './attain-server.ts';
import { loadMetricDimensions } from '../src/app/metrics/load-metric-dimensions.ts';
import { buildQuotaRows } from '../src/app/metrics/metric-dimensions.ts';
import { generatePeriods } from '../src/domain/calendar/fiscal-calendar.ts';
import {
  generateOrganisation,
  type GenerateOrganisationOptions,
} from '../src/domain/demo/generate-organisation.ts';
import { nativeStages } from '../src/domain/demo/native-stages.ts';
import { evaluateMetrics } from '../src/domain/metrics/evaluate-metrics.ts';
import type { GroupResult, MetricsInput } from '../src/domain/metrics/metric-types.ts';
import type { CanonicalRecord, OpportunityHistoryEntry, RecordKind } from '../src/domain/records.ts';
import { savePeriods } from '../src/store/calendar-writer.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { openDatabase, type Store } from '../src/store/open-database.ts';
import { RecordWriter } from '../src/store/record-writer.ts';
import { loadActivitySnapshot, loadOpportunitySnapshot } from '../src/store/snapshot/load-snapshots.ts';

const root = path.resolve(import.meta.dirname, '..');

import {
  CURRENCY,
  GENERATOR_AS_OF,
  START_ON,
  WINDOW_MONTHS,
  kpiQuestions as questions,
  type Question,
} from './kpi-questions.ts';
import { evaluateSeries, evaluateSeriesColumns } from '../src/domain/metrics/evaluate-series.ts';
import { hashPassword } from '../src/app/auth/secrets.ts';

type Options = {
  opportunities: number;
  activities: number;
  reps: number;
  runs: number;
  adminUrl: string;
  keep: boolean;
  reuse: string | undefined;
  only: string[] | undefined;
};

function parseArguments(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      opportunities: { type: 'string', default: '1000000' },
      activities: { type: 'string', default: '5000000' },
      reps: { type: 'string' },
      runs: { type: 'string', default: '30' },
      'admin-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
      keep: { type: 'boolean', default: false },
      reuse: { type: 'string' },
      only: { type: 'string' },
    },
  });
  const opportunities = Number(values.opportunities);
  return {
    opportunities,
    activities: Number(values.activities),
    reps: values.reps === undefined ? Math.max(50, Math.round(opportunities / 100)) : Number(values.reps),
    runs: Number(values.runs),
    adminUrl: values['admin-url'],
    keep: values.keep || values.reuse !== undefined,
    reuse: values.reuse,
    only: values.only?.split(','),
  };
}

function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

const log = (text: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${text}\n`);
const seconds = (ms: number) => Math.round(ms / 100) / 10;

// ---------------------------------------------------------------- generating and loading

const kinds: RecordKind[] = ['person', 'account', 'product', 'opportunity', 'activity', 'quota'];

function generatorOptions(options: Options): GenerateOrganisationOptions {
  return {
    seed: 1,
    reps: options.reps,
    startOn: START_ON,
    months: WINDOW_MONTHS,
    asOf: GENERATOR_AS_OF,
    activitiesPerOpportunity: options.activities / options.opportunities,
    maxOpportunities: options.opportunities,
    kinds,
  };
}

/** bench/generate-data.ts's calibration: one counting pass at a low rate tells the rate that reaches the cap. */
function calibrateRate(options: GenerateOrganisationOptions, cap: number): number {
  let count = 0;
  for (const item of generateOrganisation({
    ...options,
    opportunitiesPerRepPerMonth: 1,
    maxOpportunities: undefined,
    kinds: ['opportunity'],
  }))
    if (item.kind === 'opportunity') count += 1;
  return (cap * 1.01) / Math.max(1, count);
}

type Column = { name: string; type: string };
const opportunityColumns: Column[] = [
  ['id', 'bigint'],
  ['external_key', 'text'],
  ['name', 'text'],
  ['account_id', 'bigint'],
  ['account_ref', 'text'],
  ['owner_person_id', 'bigint'],
  ['owner_ref', 'text'],
  ['product_id', 'bigint'],
  ['product_ref', 'text'],
  ['stage', 'text'],
  ['forecast_category', 'text'],
  ['probability', 'integer'],
  ['amount_minor', 'bigint'],
  ['currency', 'text'],
  ['deal_type', 'text'],
  ['lead_source', 'text'],
  ['created_on', 'date'],
  ['engaged_on', 'date'],
  ['close_on', 'date'],
  ['closed_on', 'date'],
  ['is_closed', 'boolean'],
  ['is_won', 'boolean'],
  ['lost_reason', 'text'],
  ['competitor', 'text'],
  ['discount_bps', 'integer'],
  ['gross_margin_bps', 'integer'],
  ['contact_count', 'integer'],
].map(([name, type]) => ({ name: name!, type: type! }));
const changeColumns: Column[] = [
  ['opportunity_id', 'bigint'],
  ['changed_at', 'timestamptz'],
  ['field', 'text'],
  ['old_value', 'text'],
  ['new_value', 'text'],
  ['source', 'text'],
].map(([name, type]) => ({ name: name!, type: type! }));
const activityColumns: Column[] = [
  ['external_key', 'text'],
  ['type', 'text'],
  ['person_id', 'bigint'],
  ['person_ref', 'text'],
  ['account_id', 'bigint'],
  ['opportunity_id', 'bigint'],
  ['occurred_at', 'timestamptz'],
  ['duration_minutes', 'integer'],
  ['outcome', 'text'],
  ['subject', 'text'],
].map(([name, type]) => ({ name: name!, type: type! }));

const queues = new WeakMap<pg.Client, Promise<unknown>>();

/** Rows buffered as columns, written set-wise with one INSERT ... SELECT FROM unnest(...) per batch. */
class BulkTable {
  private columns: unknown[][];
  rows = 0;
  written = 0;
  private readonly text: string;
  private pending: Promise<unknown>[] = [];

  constructor(
    private readonly client: pg.Client,
    table: string,
    private readonly spec: Column[],
    private readonly batch = 10_000,
  ) {
    this.columns = spec.map(() => []);
    this.text = `INSERT INTO ${table} (${spec.map((c) => c.name).join(', ')}) SELECT * FROM unnest(${spec
      .map((c, i) => `$${i + 1}::${c.type}[]`)
      .join(', ')})`;
  }

  async add(values: unknown[]): Promise<void> {
    for (let i = 0; i < values.length; i++) this.columns[i]!.push(values[i]);
    this.rows += 1;
    if (this.rows - this.written >= this.batch) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.rows === this.written) return;
    const columns = this.columns;
    this.columns = this.spec.map(() => []);
    this.written = this.rows;
    // At most two batches in flight: the next one is built while the database writes this one.
    // One query at a time on the connection (pg queues them, but warns): chained per client.
    const previous = queues.get(this.client) ?? Promise.resolve();
    const next = previous.then(() => this.client.query(this.text, columns));
    queues.set(this.client, next);
    this.pending.push(next);
    if (this.pending.length > 2) await this.pending.shift();
  }

  async close(): Promise<void> {
    await this.flush();
    await Promise.all(this.pending);
    this.pending = [];
  }
}

async function idMap(store: Store, table: 'people' | 'accounts' | 'products'): Promise<Map<string, number>> {
  const { rows } = await store.pool.query<{ id: string; external_key: string }>(
    `SELECT id, external_key FROM ${table}`,
  );
  return new Map(rows.map((r) => [r.external_key, Number(r.id)]));
}

type LoadReport = {
  rate: number;
  calibrateMs: number;
  loadMs: number;
  vacuumMs: number;
  rows: Record<string, number>;
};

async function load(store: Store, url: string, options: Options): Promise<LoadReport> {
  const generation = generatorOptions(options);
  let started = performance.now();
  const rate = calibrateRate(generation, options.opportunities);
  const calibrateMs = performance.now() - started;
  log(`calibrated ${rate.toFixed(3)} opportunities per rep per month in ${seconds(calibrateMs)} s`);
  started = performance.now();

  const startYear = Number(START_ON.slice(0, 4));
  await savePeriods(
    store.db,
    generatePeriods({ fiscalYearStartMonth: 1, fromFiscalYear: startYear - 1, toFiscalYear: startYear + 4 }),
  );
  const writer = new RecordWriter(store.db, {
    importId: null,
    now: `${GENERATOR_AS_OF}T00:00:00.000Z`,
    createUnknown: false,
    onUnknown: () => undefined,
  });
  await writer.upsertStages(nativeStages);
  const stages = new Map(nativeStages.map((s) => [s.name, s]));

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('SET synchronous_commit = off');
  // Generated rows reference only ids that exist: skip the per-row foreign-key triggers (superuser).
  await client.query('SET session_replication_role = replica');
  const opportunities = new BulkTable(client, 'opportunities', opportunityColumns);
  const changes = new BulkTable(client, 'opportunity_changes', changeColumns);
  const activities = new BulkTable(client, 'activities', activityColumns);

  const small = new Map<RecordKind, CanonicalRecord[]>();
  const counts: Record<string, number> = {};
  const writeSmall = async (kind: RecordKind) => {
    const batch = small.get(kind) ?? [];
    if (batch.length === 0) return;
    await writer.writeBatch(batch, stages);
    counts[kind] = (counts[kind] ?? 0) + batch.length;
    small.set(kind, []);
  };
  let people: Map<string, number> | undefined;
  let accounts = new Map<string, number>();
  let products = new Map<string, number>();
  const opportunityIds = new Map<string, number>();
  const ref = (map: Map<string, number>, key: string | null) =>
    key === null ? null : (map.get(key) ?? null);
  let nextOpportunityId = 1;
  let lastReport = performance.now();

  for (const item of generateOrganisation({ ...generation, opportunitiesPerRepPerMonth: rate })) {
    switch (item.kind) {
      case 'person':
      case 'account':
      case 'product':
      case 'quota': {
        const list = small.get(item.kind) ?? [];
        list.push(item);
        small.set(item.kind, list);
        if (item.kind !== 'person' && list.length >= 5_000) {
          if (small.get('person')?.length) await writeSmall('person');
          await writeSmall(item.kind);
        }
        break;
      }
      case 'opportunity': {
        if (people === undefined) {
          for (const kind of ['person', 'account', 'product'] as const) await writeSmall(kind);
          [people, accounts, products] = await Promise.all([
            idMap(store, 'people'),
            idMap(store, 'accounts'),
            idMap(store, 'products'),
          ]);
          log(`people ${people.size}, accounts ${accounts.size}, products ${products.size} written`);
        }
        const o = item.record;
        const id = nextOpportunityId++;
        opportunityIds.set(o.key, id);
        const category = stages.get(o.stage)?.category ?? 'open';
        await opportunities.add([
          id,
          o.key,
          o.name,
          ref(accounts, o.accountRef),
          o.accountRef,
          ref(people, o.ownerRef),
          o.ownerRef,
          ref(products, o.productRef),
          o.productRef,
          o.stage,
          o.forecastCategory,
          o.probability,
          o.amountMinor,
          o.currency,
          o.dealType,
          o.leadSource,
          o.createdOn,
          o.engagedOn,
          o.closeOn,
          o.closedOn,
          category !== 'open',
          category === 'won',
          o.lostReason,
          o.competitor,
          o.discountBps,
          o.grossMarginBps,
          o.contactCount,
        ]);
        for (const change of historyChanges(o.history, people)) await changes.add([id, ...change]);
        break;
      }
      case 'activity': {
        const a = item.record;
        await activities.add([
          a.key,
          a.type,
          ref(people!, a.personRef),
          a.personRef,
          ref(accounts, a.accountRef),
          ref(opportunityIds, a.opportunityRef),
          a.occurredAt,
          a.durationMinutes,
          a.outcome,
          a.subject,
        ]);
        break;
      }
      default:
        break;
    }
    const now = performance.now();
    if (now - lastReport > 10_000) {
      lastReport = now;
      log(
        `${seconds(now - started)} s: ${opportunities.rows} opportunities, ${changes.rows} changes, ${activities.rows} activities, rss ${Math.round(process.memoryUsage().rss / 1_048_576)} MB`,
      );
    }
  }
  await Promise.all([opportunities.close(), changes.close(), activities.close()]);
  for (const kind of ['person', 'account', 'product', 'quota'] as const) await writeSmall(kind);
  await client.query(`SELECT setval('opportunities_id_seq', (SELECT max(id) FROM opportunities))`);
  const loadMs = performance.now() - started;
  started = performance.now();
  // What autovacuum would have done by now: statistics and the visibility map.
  await client.query('VACUUM ANALYZE');
  const vacuumMs = performance.now() - started;
  await client.end();
  return {
    rate,
    calibrateMs,
    loadMs,
    vacuumMs,
    rows: {
      ...counts,
      opportunities: opportunities.rows,
      opportunity_changes: changes.rows,
      activities: activities.rows,
    },
  };
}

/** RecordWriter.historyChanges: each history entry's fields as changes from the previous value. */
function historyChanges(
  history: OpportunityHistoryEntry[],
  people: Map<string, number>,
): [string, string, string | null, string, string][] {
  const previous: Record<string, string | null> = {};
  const out: [string, string, string | null, string, string][] = [];
  for (const entry of history) {
    const owner =
      entry.ownerRef === undefined
        ? undefined
        : entry.ownerRef === null
          ? null
          : String(people.get(entry.ownerRef) ?? null);
    const values: [string, string | null | undefined][] = [
      ['stage', entry.stage],
      ['amount_minor', entry.amountMinor === undefined ? undefined : nullableText(entry.amountMinor)],
      ['close_on', entry.closeOn],
      ['probability', entry.probability === undefined ? undefined : nullableText(entry.probability)],
      ['owner_person_id', owner],
    ];
    for (const [field, value] of values) {
      if (value === undefined) continue;
      const before = previous[field] ?? null;
      if (before !== value) out.push([entry.at, field, before, value as string, entry.source]);
      previous[field] = value;
    }
  }
  return out;
}

const nullableText = (value: number | null) => (value === null ? null : String(value));

// ---------------------------------------------------------------- DuckDB

async function loadDuckDb(
  store: Store,
  adminUrl: string,
  name: string,
  duck: DuckDBConnection,
  input: { assignments: { personId: number; teamId: number | null; from: number; to: number }[] },
  quotaRows: { personId: number; from: number; to: number; targetMinor: number }[],
): Promise<{ exportMs: number; readMs: number; files: string[] }> {
  const dir = path.join(os.tmpdir(), `attain_kpi_${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o777); // the PostgreSQL server writes the files
  const files = {
    opps: path.join(dir, 'opps.csv'),
    changes: path.join(dir, 'changes.csv'),
    acts: path.join(dir, 'acts.csv'),
  };
  const client = new pg.Client({ connectionString: databaseUrl(adminUrl, name) });
  await client.connect();
  let started = performance.now();
  const day = (column: string) => `(${column} - DATE '1970-01-01')`;
  await Promise.all([
    client.query(
      `COPY (SELECT id, owner_person_id, stage, is_closed, is_won, amount_minor, currency, ${day('created_on')} AS created_day,
         ${day('close_on')} AS close_day, ${day('closed_on')} AS closed_day FROM opportunities) TO '${files.opps}' WITH (FORMAT csv, HEADER)`,
    ),
  ]);
  await client.query(
    `COPY (SELECT opportunity_id, (extract(epoch FROM changed_at) * 1000)::bigint AS changed_ms, field, old_value, new_value
       FROM opportunity_changes WHERE field IN ('stage', 'owner_person_id')) TO '${files.changes}' WITH (FORMAT csv, HEADER)`,
  );
  await client.query(
    `COPY (SELECT person_id, type, floor(extract(epoch FROM occurred_at) / 86400)::int AS day FROM activities)
       TO '${files.acts}' WITH (FORMAT csv, HEADER)`,
  );
  const stages = await client.query<{ name: string; sort_order: number; category: string }>(
    'SELECT name, sort_order, category FROM stages',
  );
  await client.end();
  const exportMs = performance.now() - started;
  started = performance.now();
  await duck.run(`CREATE TABLE opps AS SELECT * FROM read_csv('${files.opps}', header = true, columns = {
      'id': 'BIGINT', 'owner_person_id': 'BIGINT', 'stage': 'VARCHAR', 'is_closed': 'BOOLEAN', 'is_won': 'BOOLEAN',
      'amount_minor': 'BIGINT', 'currency': 'VARCHAR', 'created_day': 'INTEGER', 'close_day': 'INTEGER', 'closed_day': 'INTEGER'})`);
  await duck.run(`CREATE TABLE changes AS SELECT * FROM read_csv('${files.changes}', header = true, columns = {
      'opportunity_id': 'BIGINT', 'changed_ms': 'BIGINT', 'field': 'VARCHAR', 'old_value': 'VARCHAR', 'new_value': 'VARCHAR'})`);
  await duck.run(`CREATE TABLE acts AS SELECT * FROM read_csv('${files.acts}', header = true, columns = {
      'person_id': 'BIGINT', 'type': 'VARCHAR', 'day': 'INTEGER'})`);
  await duck.run('CREATE TABLE stages (name VARCHAR, sort_order INTEGER, category VARCHAR)');
  for (const s of stages.rows)
    await duck.run(
      `INSERT INTO stages VALUES ('${s.name.replaceAll("'", "''")}', ${s.sort_order}, '${s.category}')`,
    );
  await duck.run('CREATE TABLE asg (person_id BIGINT, team_id BIGINT, from_day INTEGER, to_day INTEGER)');
  const asg = await duck.createAppender('asg');
  for (const a of input.assignments) {
    asg.appendBigInt(BigInt(a.personId));
    if (a.teamId === null) asg.appendNull();
    else asg.appendBigInt(BigInt(a.teamId));
    asg.appendInteger(a.from);
    asg.appendInteger(Number.isFinite(a.to) ? a.to : 2_147_483_647);
    asg.endRow();
  }
  asg.closeSync();
  await duck.run(
    'CREATE TABLE quota_rows (person_id BIGINT, from_day INTEGER, to_day INTEGER, target_minor BIGINT)',
  );
  const quotas = await duck.createAppender('quota_rows');
  for (const r of quotaRows) {
    quotas.appendBigInt(BigInt(r.personId));
    quotas.appendInteger(r.from);
    quotas.appendInteger(r.to);
    quotas.appendBigInt(BigInt(r.targetMinor));
    quotas.endRow();
  }
  quotas.closeSync();
  const readMs = performance.now() - started;
  void store;
  return { exportMs, readMs, files: [dir] };
}

// ---------------------------------------------------------------- the server

function serverCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

// ---------------------------------------------------------------- timing

type Timing = { runs: number; p50: number; p90: number; min: number; max: number; mean: number };

function summarise(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    runs: samples.length,
    p50: round(at(0.5)),
    p90: round(at(0.9)),
    min: round(sorted[0]!),
    max: round(sorted[sorted.length - 1]!),
    mean: round(samples.reduce((a, b) => a + b, 0) / samples.length),
  };
}

async function timeRuns(runs: number, run: () => Promise<unknown> | unknown): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  return samples;
}

type KpiReport = { groups: GroupResult[] };

async function getKpi(
  base: string,
  cookie: string,
  query: string,
): Promise<{ report: KpiReport; text: string; bytes: number }> {
  // The server closes a keep-alive connection after 5 s idle; between questions the DuckDB and
  // in-process runs can take that long, and the pooled socket may be closed under the request.
  // A GET is safe to send again once.
  const response = await fetch(base + query, { headers: { cookie } }).catch((error: unknown) => {
    if (String((error as { cause?: unknown }).cause).includes('other side closed'))
      return fetch(base + query, { headers: { cookie } });
    throw error;
  });
  const text = await response.text();
  if (response.status !== 200)
    throw new Error(`GET ${query} answered ${response.status}: ${text.slice(0, 500)}`);
  return { report: JSON.parse(text) as KpiReport, text, bytes: Buffer.byteLength(text) };
}

// ---------------------------------------------------------------- agreement

type Row = Record<string, unknown>;
const bigints = (_key: string, value: unknown) => (typeof value === 'bigint' ? Number(value) : value);
/** a ÷ b rounded half to even, in minor units, as a decimal number of major units (2 digits). */
function halfEvenMinor(a: bigint, b: bigint): number {
  let q = a / b;
  const r2 = (a % b) * 2n;
  if (r2 > b || (r2 === b && q % 2n === 1n)) q += 1n;
  return Number(q) / 100;
}
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

type ColumnsAnswer = {
  periods: unknown[];
  keys: GroupResult['key'][];
  labels: string[];
  columns: Record<string, { values: unknown[][]; numerators?: unknown[][]; denominators?: unknown[][] }>;
};

/** One period: a row per group as GET /api/kpi has it; several: a series' groups. */
function rowsOfColumns(answer: ColumnsAnswer): KpiReport {
  const single = answer.periods.length === 1;
  const groups = answer.keys.map((key, g) => {
    const metrics: Record<string, unknown> = {};
    for (const [metric, column] of Object.entries(answer.columns))
      metrics[metric] = single
        ? {
            value: column.values[0]![g],
            ...(column.numerators ? { numerator: column.numerators[0]![g] } : {}),
            ...(column.denominators ? { denominator: column.denominators[0]![g] } : {}),
          }
        : { values: column.values.map((period) => period[g]) };
    return { key, label: answer.labels[g]!, metrics };
  });
  return { groups } as unknown as KpiReport;
}

function compare(
  id: string,
  api: KpiReport[],
  sqlRows: Row[],
): { checked: number; mismatches: number; sample: unknown[] } {
  const sample: unknown[] = [];
  let checked = 0;
  let mismatches = 0;
  const check = (what: string, attain: unknown, duck: unknown) => {
    checked += 1;
    const a = num(attain);
    const d = num(duck);
    const same = a === d || (a !== null && d !== null && Math.abs(a - d) <= 1e-6 * Math.max(1, Math.abs(a)));
    if (!same) mismatches += 1;
    if ((sample.length < 6 || !same) && sample.length < 20) sample.push({ what, attain, duckdb: duck, same });
  };
  // A columns answer (GET /api/kpi/columns) is checked as the rows (one period) or the series
  // (several) it stands for.
  if (id.endsWith('_columns')) {
    id = id.slice(0, -'_columns'.length);
    api = api.map((answer) => rowsOfColumns(answer as unknown as ColumnsAnswer));
  }
  const byKey = new Map(api[0]!.groups.map((g) => [g.key === null ? 'null' : String(g.key), g]));
  const sqlKey = (r: Row, field: string) => (r[field] === null ? 'null' : String(r[field]));
  switch (id) {
    case 'win_rate_deal_size_by_rep':
      for (const r of sqlRows) {
        const g = byKey.get(sqlKey(r, 'rep'));
        const wr = g?.metrics.win_rate;
        const ads = g?.metrics.average_deal_size;
        check(`rep ${String(r.rep)} won`, wr?.numerator, r.won);
        check(`rep ${String(r.rep)} decided`, wr?.denominator, r.decided);
        check(
          `rep ${String(r.rep)} won revenue (minor)`,
          ads ? Math.round(Number(ads.numerator) * 100) : null,
          r.won_minor ?? 0,
        );
        check(
          `rep ${String(r.rep)} average deal size`,
          ads?.value,
          r.won_with_amount === null || Number(r.won_with_amount) === 0
            ? null
            : halfEvenMinor(BigInt(r.won_minor as bigint), BigInt(r.won_with_amount as bigint)),
        );
      }
      check(
        'groups',
        api[0]!.groups.filter((g) => (g.metrics.win_rate?.denominator ?? 0) !== 0).length,
        sqlRows.length,
      );
      break;
    case 'cycle_by_rep':
      for (const r of sqlRows) {
        const m = byKey.get(sqlKey(r, 'rep'))?.metrics.sales_cycle_days;
        check(`rep ${String(r.rep)} cycle days total`, m?.numerator, r.days);
        check(`rep ${String(r.rep)} won deals`, m?.denominator, r.won);
      }
      break;
    case 'coverage_next_quarter_by_rep':
      for (const r of sqlRows) {
        const m = byKey.get(sqlKey(r, 'rep'))?.metrics.pipeline_coverage;
        check(
          `rep ${String(r.rep)} open pipeline (minor)`,
          m?.numerator === undefined ? null : Math.round(Number(m.numerator) * 100),
          r.open_minor,
        );
        check(
          `rep ${String(r.rep)} remaining quota (minor)`,
          m?.denominator === undefined ? null : Math.round(Number(m.denominator) * 100),
          r.remaining_minor,
        );
      }
      break;
    case 'stage_funnel_by_team':
      for (const r of sqlRows) {
        const m = byKey.get(sqlKey(r, 'team_id'))?.metrics.stage_conversion;
        for (const s of r.stages as { stage: string; advanced: unknown; exits: unknown }[]) {
          const part = m?.breakdown?.find((b) => b.key === s.stage || b.label === s.stage);
          check(`team ${String(r.team_id)} ${s.stage} exits`, part?.denominator, s.exits);
          check(`team ${String(r.team_id)} ${s.stage} advanced`, part?.numerator, s.advanced);
        }
      }
      break;
    case 'activities_by_rep_by_week': {
      // One series answer: values[i] is week i.
      const series = api[0] as unknown as {
        groups: { key: unknown; metrics: Record<string, { values: unknown[] }> }[];
      };
      const byRep = new Map(series.groups.map((g) => [String(g.key), g]));
      for (const r of sqlRows) {
        const week = Number(r.week);
        check(
          `rep ${String(r.rep)} week ${week}`,
          byRep.get(sqlKey(r, 'rep'))?.metrics.activities?.values[week],
          r.activities,
        );
      }
      break;
    }
    case 'activities_by_rep_by_week_requests':
      for (const r of sqlRows) {
        const week = Number(r.week);
        const g = api[week]!.groups.find((x) => String(x.key) === sqlKey(r, 'rep'));
        check(`rep ${String(r.rep)} week ${week}`, g?.metrics.activities?.value, r.activities);
      }
      break;
  }
  return { checked, mismatches, sample };
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  if (options.reuse !== undefined && !/^[a-z_][a-z0-9_]*$/.test(options.reuse))
    throw new Error('--reuse takes a database name (lower case letters, digits, _)');
  const name = options.reuse ?? `attain_bench_kpi_${process.pid}`;
  const url = databaseUrl(options.adminUrl, name);
  const admin = new pg.Client({ connectionString: options.adminUrl });
  await admin.connect();
  if (!options.reuse) await admin.query(`CREATE DATABASE ${name}`);
  let server: Server | undefined;
  let store: Store | undefined;
  let tmp: string[] = [];
  const result: Record<string, unknown> = {
    command: `npx tsx bench/kpi-bench.ts ${process.argv.slice(2).join(' ')}`.trim(),
    startedAt: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
    },
    loadAverageAtStart: os.loadavg(),
    options,
  };
  try {
    store = await openDatabase({ kind: 'postgres', url }, { poolSize: 4 });
    await migrateToLatest(store.db as never);
    if (options.reuse) log(`database ${name} (reused: nothing generated)`);
    else {
      log(
        `database ${name}; generating ${options.opportunities} opportunities, ~${options.activities} activities, ${options.reps} reps`,
      );
      const loaded = await load(store, url, options);
      result.load = {
        ...loaded,
        loadSeconds: seconds(loaded.loadMs),
        vacuumSeconds: seconds(loaded.vacuumMs),
      };
      log(
        `loaded in ${seconds(loaded.loadMs)} s (+ VACUUM ANALYZE ${seconds(loaded.vacuumMs)} s): ${JSON.stringify(loaded.rows)}`,
      );
    }

    // Attain's engine in this process: the same loaders and inputs as the server's.
    let started = performance.now();
    const [opportunities, activities] = [
      await loadOpportunitySnapshot(store),
      await loadActivitySnapshot(store),
    ];
    const snapshotMs = performance.now() - started;
    started = performance.now();
    const dims = await loadMetricDimensions(store);
    const quotaRows = buildQuotaRows(dims.quotas, dims.holders, CURRENCY, 2);
    const dimensionsMs = performance.now() - started;
    const input: MetricsInput = { opportunities, activities, dimensions: dims.dimensions, quotas: quotaRows };
    log(
      `snapshots loaded in this process in ${seconds(snapshotMs)} s, dimensions in ${Math.round(dimensionsMs)} ms`,
    );

    const instance = await DuckDBInstance.create(':memory:');
    const duck = await instance.connect();
    const duckThreads = (
      await duck.runAndReadAll("SELECT current_setting('threads') AS t")
    ).getRowObjectsJS()[0]!.t;
    const assignments = Array.isArray(dims.dimensions.assignments)
      ? (dims.dimensions.assignments as never[])
      : [];
    const duckLoad = await loadDuckDb(store, options.adminUrl, name, duck, { assignments }, quotaRows);
    tmp = duckLoad.files;
    log(
      `DuckDB: export from PostgreSQL ${seconds(duckLoad.exportMs)} s, read into DuckDB ${seconds(duckLoad.readMs)} s, threads ${String(duckThreads)}`,
    );

    const password = `Bench-${randomBytes(12).toString('base64url')}-9`;
    // A reused database already has its first admin, with an earlier run's password: set this one.
    if (options.reuse)
      await store.pool.query(
        'UPDATE users SET password_hash = $1, failed_sign_ins = 0, locked_until = NULL WHERE email = $2',
        [await hashPassword(password), 'admin@attain.local'],
      );
    started = performance.now();
    server = await startServer({
      DATABASE_URL: url,
      PORT: '0',
      HOST: '127.0.0.1',
      ATTAIN_DEMO: 'false',
      ATTAIN_ADMIN_PASSWORD: password,
      ATTAIN_SECRET: randomBytes(36).toString('base64').slice(0, 48),
      ATTAIN_FISCAL_YEAR_START_MONTH: '1',
      // Every run asks the same question: the answer cache would answer runs 2..n (0: the engine each time).
      ATTAIN_KPI_CACHE_ENTRIES: '0',
      NODE_ENV: 'production',
    });
    const base = server.url;
    const serverStartMs = performance.now() - started;
    const signIn = await fetch(`${base}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@attain.local', password }),
    });
    const session = signIn.headers
      .getSetCookie()
      .map((c) => /^attain_session=([^;]+)/.exec(c)?.[1])
      .find((v) => v !== undefined);
    if (signIn.status !== 200 || !session)
      throw new Error(`sign-in answered ${signIn.status}: ${await signIn.text()}`);
    const cookie = `attain_session=${session}`;
    const qs = questions().filter((q) => !options.only || options.only.includes(q.id));
    // The first KPI request loads the server's snapshots (cold).
    started = performance.now();
    await getKpi(base, cookie, qs[0]!.api[0]!);
    const firstRequestMs = performance.now() - started;
    log(
      `server ready in ${seconds(serverStartMs)} s; first KPI request (loads the snapshots) ${seconds(firstRequestMs)} s`,
    );

    const runEngine = (question: Question) => {
      for (const request of question.engine) evaluateMetrics(input, request);
      if (question.engineSeries) evaluateSeries(input, question.engineSeries);
      if (question.engineColumns) evaluateSeriesColumns(input, question.engineColumns);
    };
    const rows: Record<string, unknown>[] = [];
    for (const question of qs) {
      // Warm once each way, keeping the answers for the agreement check.
      const apiAnswers: KpiReport[] = [];
      const apiTexts: string[] = [];
      let bytes = 0;
      for (const query of question.api) {
        const r = await getKpi(base, cookie, query);
        apiAnswers.push(r.report);
        apiTexts.push(r.text);
        bytes += r.bytes;
      }
      const sqlRows = (await duck.runAndReadAll(question.sql)).getRowObjectsJS() as Row[];
      runEngine(question);

      const cpuBefore = serverCpuMs(server.child.pid!);
      // Timed to the last byte of each response; the client does not parse the JSON here.
      const api = await timeRuns(options.runs, async () => {
        for (const query of question.api) {
          const response = await fetch(base + query, { headers: { cookie } });
          await response.arrayBuffer();
          if (response.status !== 200) throw new Error(`GET ${query} answered ${response.status}`);
        }
      });
      const parse = await timeRuns(options.runs, () => {
        for (const text of apiTexts) JSON.parse(text);
      });
      const serverCpu = (serverCpuMs(server.child.pid!) - cpuBefore) / options.runs;
      const duckdb = await timeRuns(options.runs, async () => {
        (await duck.runAndReadAll(question.sql)).getRowObjectsJS();
      });
      const engine = await timeRuns(options.runs, () => runEngine(question));
      const json = await timeRuns(options.runs, () => {
        for (const report of apiAnswers) JSON.stringify(report);
      });
      const agreement = compare(question.id, apiAnswers, sqlRows);
      const row = {
        id: question.id,
        label: question.label,
        requests: question.api.length,
        groups: apiAnswers[0]!.groups?.length ?? (apiAnswers[0] as unknown as ColumnsAnswer).keys.length,
        duckdbRows: sqlRows.length,
        responseBytes: bytes,
        api: summarise(api),
        duckdb: summarise(duckdb),
        engineInProcess: summarise(engine),
        jsonStringifyInProcess: summarise(json),
        jsonParseInClient: summarise(parse),
        serverCpuMsPerQuery: Math.round(serverCpu),
        attainOverDuckdbP50: Math.round((summarise(duckdb).p50 / summarise(api).p50) * 100) / 100,
        agreement,
      };
      rows.push(row);
      log(
        `${question.id}: API p50 ${row.api.p50} ms p90 ${row.api.p90}; DuckDB p50 ${row.duckdb.p50} ms p90 ${row.duckdb.p90}; engine p50 ${row.engineInProcess.p50} ms; ` +
          `agreement ${agreement.checked - agreement.mismatches}/${agreement.checked}`,
      );
    }
    result.snapshotLoadInProcessMs = Math.round(snapshotMs);
    result.dimensionsLoadMs = Math.round(dimensionsMs);
    result.duckdb = {
      threads: duckThreads,
      exportMs: Math.round(duckLoad.exportMs),
      readMs: Math.round(duckLoad.readMs),
    };
    result.server = { startMs: Math.round(serverStartMs), firstKpiRequestMs: Math.round(firstRequestMs) };
    result.queries = rows;
    result.loadAverageAtEnd = os.loadavg();
    result.finishedAt = new Date().toISOString();
    result.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    mkdirSync(path.join(root, 'bench', 'out'), { recursive: true });
    writeFileSync(
      path.join(root, 'bench', 'out', 'kpi-bench.json'),
      `${JSON.stringify(result, bigints, 2)}\n`,
    );
    process.stdout.write(`${JSON.stringify(result, bigints)}\n`);
    duck.closeSync();
  } catch (error) {
    // The server's own account of a failure (a crash shows only as "fetch failed" here).
    if (server)
      process.stderr.write(
        `server output (last 5,000 characters):\n${server.log().slice(-5_000)}\nserver exit code ${server.child.exitCode}, signal ${server.child.signalCode}; cause: ${String((error as { cause?: unknown }).cause)}\n`,
      );
    throw error;
  } finally {
    if (server) await stopServer(server);
    if (store) await store.close();
    for (const dir of tmp) rmSync(dir, { recursive: true, force: true });
    if (!options.keep)
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
