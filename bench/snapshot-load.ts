/**
 * How long the engines wait for their columnar snapshots (DESIGN.md §2): loads 1,000,000
 * opportunities (with ~3 changes each) and 5,000,000 activities from a PostgreSQL server into typed
 * arrays, and prints one JSON line of results.
 *
 *   npx tsx bench/snapshot-load.ts [--admin-url postgres://postgres@127.0.0.1:5432/test]
 *       [--opportunities 1000000] [--activities 5000000] [--runs 3] [--connections 4] [--chunk-size 100000]
 *       [--keep] [--reuse <database>]
 *
 * It creates its own database (attain_bench_snapshot_<pid>), fills it with set-based SQL
 * (generate_series, a fixed random seed), and drops it at the end (--keep leaves it, and --reuse
 * times an existing one without filling it).
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase, type Store } from '../src/store/open-database.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { loadActivitySnapshot, loadOpportunitySnapshot } from '../src/store/snapshot/load-snapshots.ts';
import { copyTuples } from '../src/store/snapshot/copy-binary.ts';

type Options = {
  adminUrl: string;
  opportunities: number;
  activities: number;
  runs: number;
  keep: boolean;
  reuse: string | undefined;
  connections: number | undefined;
  chunkSize: number | undefined;
};

function parseArguments(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      'admin-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
      opportunities: { type: 'string', default: '1000000' },
      activities: { type: 'string', default: '5000000' },
      runs: { type: 'string', default: '3' },
      connections: { type: 'string' },
      'chunk-size': { type: 'string' },
      keep: { type: 'boolean', default: false },
      reuse: { type: 'string' },
    },
  });
  const optionalNumber = (text: string | undefined) => (text === undefined ? undefined : Number(text));
  return {
    adminUrl: values['admin-url'],
    opportunities: Number(values.opportunities),
    activities: Number(values.activities),
    runs: Number(values.runs),
    keep: values.keep,
    reuse: values.reuse,
    connections: optionalNumber(values.connections),
    chunkSize: optionalNumber(values['chunk-size']),
  };
}

function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Fills the bench database; every statement is set-based so 6M rows take seconds, not minutes. */
async function fill(
  store: Store,
  opportunities: number,
  activities: number,
): Promise<Record<string, number>> {
  const client = await store.pool.connect();
  const timings: Record<string, number> = {};
  const step = async (name: string, text: string, values: unknown[] = []) => {
    const started = performance.now();
    await client.query(text, values);
    timings[name] = Math.round(performance.now() - started);
  };
  try {
    // One session, one seed: the same data on every run. The generated rows reference only ids
    // that exist, so the session skips the per-row foreign-key triggers (superuser only), which
    // otherwise take most of the 5M activities' insert time.
    await client.query('SET synchronous_commit = off');
    await client.query('SET session_replication_role = replica');
    await client.query('SELECT setseed(0.42)');
    await step(
      'stages',
      `INSERT INTO stages (name, sort_order, category, default_probability) VALUES
        ('Prospecting', 1, 'open', 10), ('Qualification', 2, 'open', 20), ('Needs Analysis', 3, 'open', 30),
        ('Proposal', 4, 'open', 50), ('Negotiation', 5, 'open', 75), ('Closed Won', 6, 'won', 100), ('Closed Lost', 7, 'lost', 0)`,
    );
    await step(
      'people',
      `INSERT INTO people (external_key, name, hired_on) SELECT 'P' || g, 'Rep ' || g, DATE '2018-01-01' + (g % 1500) FROM generate_series(1, 500) g`,
    );
    await step(
      'accounts',
      `INSERT INTO accounts (external_key, name, segment, industry, region)
       SELECT 'A' || g, 'Account ' || g, (ARRAY['SMB','Mid-Market','Enterprise'])[1 + g % 3], (ARRAY['Software','Retail','Finance','Health','Manufacturing','Energy'])[1 + g % 6], (ARRAY['NA','EMEA','APAC','LATAM'])[1 + g % 4]
       FROM generate_series(1, 50000) g`,
    );
    await step(
      'products',
      `INSERT INTO products (external_key, name, family, list_price_minor) SELECT 'PR' || g, 'Product ' || g, 'Family ' || (g % 12), 10000 * g FROM generate_series(1, 200) g`,
    );
    // Realistic spread: log-normal-ish amounts ($300 to several $M), 6 years of creation dates,
    // 10-180 day cycles, ~60% closed (40% of those won), competitors and lost reasons on a share of deals.
    await step(
      'opportunities',
      `INSERT INTO opportunities (external_key, name, account_id, owner_person_id, product_id, stage, forecast_category, probability,
         amount_minor, currency, deal_type, lead_source, created_on, close_on, closed_on, is_closed, is_won, lost_reason, competitor, gross_margin_bps)
       SELECT 'O' || g, 'Deal ' || g, 1 + (r1 * 49999)::int, 1 + (r2 * 499)::int, CASE WHEN r3 < 0.1 THEN NULL ELSE 1 + (r3 * 199)::int END,
         s.stage, s.forecast_category, s.probability,
         (round(exp(5.7 + r4 * 4 + r5 * 3)) * 100)::bigint, CASE WHEN r6 < 0.8 THEN 'USD' WHEN r6 < 0.93 THEN 'EUR' ELSE 'GBP' END,
         (ARRAY['new_business','expansion','renewal'])[1 + (r6 * 1000)::int % 3],
         CASE WHEN r7 < 0.05 THEN NULL ELSE (ARRAY['Web','Referral','Partner','Event','Outbound','Paid Search','Webinar','Trade Show','Content','Other'])[1 + (r7 * 1000)::int % 10] END,
         created, created + cycle, CASE WHEN s.closed THEN created + cycle - (r5 * 10)::int END, s.closed, s.won,
         CASE WHEN s.stage = 'Closed Lost' THEN (ARRAY['Price','Timing','Competitor','No Decision','Features','Budget','Champion Left','Other'])[1 + (r8 * 8)::int % 8] END,
         CASE WHEN r8 < 0.35 THEN (ARRAY['Acme','Globex','Initech','Umbrella','Hooli','Stark','Wayne','Wonka','Tyrell','Cyberdyne','Soylent','Vandelay'])[1 + (r8 * 10000)::int % 12] END,
         2000 + (r7 * 6000)::int
       FROM (
         SELECT g, random() r1, random() r2, random() r3, random() r4, random() r5, random() r6, random() r7, random() r8, random() r9,
           DATE '2020-01-01' + (random() * 2190)::int AS created, 10 + (random() * 170)::int AS cycle
         FROM generate_series(1, $1::int) g
       ) x
       CROSS JOIN LATERAL (
         SELECT * FROM (VALUES
           (0.24, 'Closed Won', 'closed', 100, true, true), (0.60, 'Closed Lost', 'omitted', 0, true, false),
           (0.70, 'Prospecting', 'pipeline', 10, false, false), (0.78, 'Qualification', 'pipeline', 20, false, false),
           (0.86, 'Needs Analysis', 'pipeline', 30, false, false), (0.93, 'Proposal', 'best_case', 50, false, false),
           (1.01, 'Negotiation', 'commit', 75, false, false)
         ) v(upto, stage, forecast_category, probability, closed, won)
         WHERE x.r9 < v.upto ORDER BY v.upto LIMIT 1
       ) s`,
      [opportunities],
    );
    // 1-5 changes per deal (3 on average), spread between creation and close, on the tracked fields.
    await step(
      'opportunity_changes',
      `INSERT INTO opportunity_changes (opportunity_id, changed_at, field, old_value, new_value, source)
       SELECT o.id,
         ((o.created_on + (k * greatest(o.close_on - o.created_on, 6)) / 6)::timestamp
           + make_interval(secs => (o.id * 7919 + k * 104729) % 86400)) AT TIME ZONE 'UTC',
         f.field,
         CASE f.field
           WHEN 'stage' THEN (ARRAY['Prospecting','Qualification','Needs Analysis','Proposal','Negotiation'])[k]
           WHEN 'amount_minor' THEN (o.amount_minor * (100 + (o.id + k) % 40) / 100)::text
           WHEN 'close_on' THEN (o.close_on - 14 * k)::text
           WHEN 'probability' THEN (10 * k)::text
           ELSE (1 + (o.id + k) % 500)::text
         END,
         CASE f.field
           WHEN 'stage' THEN (ARRAY['Qualification','Needs Analysis','Proposal','Negotiation','Closed Won'])[k]
           WHEN 'amount_minor' THEN o.amount_minor::text
           WHEN 'close_on' THEN o.close_on::text
           WHEN 'probability' THEN (10 * k + 10)::text
           ELSE o.owner_person_id::text
         END,
         'generated'
       FROM opportunities o
       CROSS JOIN LATERAL generate_series(1, 1 + o.id::int % 5) k
       CROSS JOIN LATERAL (SELECT (ARRAY['stage','amount_minor','close_on','probability','owner_person_id'])[1 + (o.id::int + k) % 5] AS field) f`,
    );
    await step(
      'activities',
      `INSERT INTO activities (external_key, type, person_id, account_id, opportunity_id, occurred_at, duration_minutes, outcome)
       SELECT 'ACT' || g, t.type, 1 + (random() * 499)::int, 1 + (random() * 49999)::int,
         CASE WHEN random() < 0.7 THEN 1 + (random() * ($2::int - 1))::int END,
         TIMESTAMPTZ '2020-01-01 00:00:00+00' + random() * INTERVAL '2190 days',
         CASE WHEN t.type = 'email' THEN NULL ELSE 5 + (random() * 115)::int END,
         (ARRAY['connected','no_answer','left_message','completed'])[1 + g % 4]
       FROM generate_series(1, $1::int) g
       CROSS JOIN LATERAL (SELECT (ARRAY['call','call','call','email','email','email','email','meeting','demo','quote','follow_up','other'])[1 + g % 12] AS type) t`,
      [activities, opportunities],
    );
    // What autovacuum would have done by now: statistics, and the visibility map that lets the
    // loader count rows from the primary key alone.
    await step('vacuum_analyze', 'VACUUM ANALYZE');
  } finally {
    client.release();
  }
  return timings;
}

/** Streams each table's snapshot columns with binary COPY, decoding nothing: the floor under a load. */
async function timeServerStreams(store: Store): Promise<Record<string, number>> {
  const statements = {
    opportunities: [
      19,
      `SELECT id, stage, owner_person_id, account_id, product_id, competitor, lost_reason, lead_source, deal_type, forecast_category,
        currency, amount_minor, probability, gross_margin_bps, created_on, close_on, closed_on, is_closed, is_won FROM opportunities ORDER BY id`,
    ],
    opportunity_changes: [
      6,
      'SELECT id, opportunity_id, field, changed_at, old_value, new_value FROM opportunity_changes ORDER BY id',
    ],
    activities: [
      7,
      'SELECT id, type, person_id, account_id, opportunity_id, occurred_at, duration_minutes FROM activities ORDER BY id',
    ],
  } as const;
  const client = await store.pool.connect();
  const timings: Record<string, number> = {};
  try {
    for (const [table, [columns, select]] of Object.entries(statements)) {
      const started = performance.now();
      await copyTuples(client, select, columns, (reader) => {
        for (let i = 0; i < columns; i++) reader.textBytes();
      });
      timings[table] = Math.round(performance.now() - started);
    }
  } finally {
    client.release();
  }
  return timings;
}

function megabytes(bytes: number): number {
  return Math.round(bytes / 1024 / 1024);
}

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  const name = options.reuse ?? `attain_bench_snapshot_${process.pid}`;
  const admin = new pg.Client({ connectionString: options.adminUrl });
  await admin.connect();
  if (!options.reuse) await admin.query(`CREATE DATABASE ${name}`);
  const store = await openDatabase(
    { kind: 'postgres', url: databaseUrl(options.adminUrl, name) },
    { poolSize: 4 },
  );
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  try {
    let fillMs: Record<string, number> | undefined;
    if (!options.reuse) {
      await migrateToLatest(store.db as never);
      fillMs = await fill(store, options.opportunities, options.activities);
    }
    const { rows } = await store.pool.query<{ opportunities: number; changes: number; activities: number }>(
      `SELECT (SELECT count(*) FROM opportunities)::int AS opportunities, (SELECT count(*) FROM opportunity_changes)::int AS changes,
              (SELECT count(*) FROM activities)::int AS activities`,
    );
    const counts = rows[0]!;
    const loadOptions = { connections: options.connections, chunkSize: options.chunkSize };
    const opportunityRuns: number[] = [];
    const activityRuns: number[] = [];
    let checksum = 0;
    for (let run = 0; run < options.runs; run++) {
      let started = performance.now();
      const opportunities = await loadOpportunitySnapshot(store, loadOptions);
      opportunityRuns.push(Math.round(performance.now() - started));
      checksum += opportunities.rowCount + opportunities.changes.count;
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      started = performance.now();
      const activities = await loadActivitySnapshot(store, loadOptions);
      activityRuns.push(Math.round(performance.now() - started));
      checksum += activities.rowCount;
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    clearInterval(sampler);
    const serverMs = await timeServerStreams(store);
    const result = {
      bench: 'snapshot-load',
      database: 'postgresql',
      databaseName: name,
      node: process.version,
      rows: counts,
      connections: options.connections ?? 'default (4)',
      chunkSize: options.chunkSize ?? 'default (100000)',
      loadOpportunitySnapshotMs: { best: Math.min(...opportunityRuns), runs: opportunityRuns },
      loadActivitySnapshotMs: { best: Math.min(...activityRuns), runs: activityRuns },
      // The same COPY statements on one connection with a decoder that only skips fields: what the
      // server and the socket cost before this process does any work.
      copyOnlyOneConnectionMs: serverMs,
      peakRssMb: megabytes(peakRss),
      heapUsedMb: megabytes(process.memoryUsage().heapUsed),
      arrayBuffersMb: megabytes(process.memoryUsage().arrayBuffers),
      fillMs,
      checksum,
    };
    console.log(JSON.stringify(result));
  } finally {
    clearInterval(sampler);
    await store.close();
    // close() ends the pool through Kysely, which only does so once Kysely has run a query.
    if (!store.pool.ended) await store.pool.end();
    if (!options.keep && !options.reuse) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

await main();
