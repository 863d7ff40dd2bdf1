/**
 * The compensation benchmark (issue 6, "Benchmark"), side by side in one run:
 *
 *   npx tsx bench/comp-bench.ts [--transactions 10000000] [--payees 10000] [--runs 3]
 *       [--admin-url postgres://postgres@127.0.0.1:5432/postgres] [--store statements|totals|none]
 *       [--keep] [--reuse <database>] [--out bench/out/comp-bench.json]
 *
 * 0. Set-up (timed, not part of the targets): a fresh PostgreSQL database
 *    (attain_bench_comp_<pid>), migrated, filled by bench/comp-data.ts (people, positions,
 *    reporting, monthly quotas, won deals and their splits; COPY FROM STDIN), the plan saved
 *    with the comp store and assigned to every position.
 * 1. load: what a run of December reads, through the product's own code: `loadRunInput` (the
 *    plan, its payees, reporting lines, quotas) and `buildRunColumns` (the year's won deals and
 *    their splits by binary COPY into the engine's `CompColumnsBuilder`, with the input
 *    fingerprint).
 * 2. compute: `calculateFromColumns` over the 12 months, `--runs` times (the first is what a run
 *    pays for; the later ones show the warmed-up figure).
 * 3. store: December's statements, as a product run stores them (`writeRunStatements`: one
 *    transaction, every line's facts by COPY into comp_statement_lines, then the comp_statements
 *    rows; `--store statements`, the default; `lines` is accepted for it). `--store totals`:
 *    the same path with no lines (the earlier baseline). Then, outside the run's time, one
 *    statement opened three times through `StatementBook` (a rep's, then the largest twice),
 *    checked byte for byte against `run.statement(p, k)`.
 * 4. one-deal change: one deal's amount changed in PostgreSQL, read back, patched into the
 *    columns, and the affected payees (owner, split partner, their managers and directors)
 *    recomputed with `payees:`; checked against a full recompute.
 * 5. DuckDB: the same rows exported to CSV and read into an in-memory DuckDB (set-up), then the
 *    same tiered calculation as SQL window functions (bench/comp-duckdb.ts), `--runs` times; its
 *    per-payee-month totals compared with the engine's, exactly, in minor units.
 *
 * Peak memory is this process's VmHWM (/proc/self/status) before the DuckDB phase (the engine's
 * run) and at the end (with DuckDB in the same process). It writes `--out` and drops the database.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { DuckDBInstance } from '@duckdb/node-api';
import { openDatabase, type Store } from '../src/store/open-database.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import type { CompColumns } from '../src/domain/comp/comp-columns.ts';
import { loadRunInput } from '../src/app/comp/run-input.ts';
import { compPeriodOf } from '../src/app/comp/comp-period.ts';
import { buildRunColumns } from '../src/app/comp/run-columns.ts';
import { benchPlanSource, referencePlan } from './comp-plan.ts';
import { calculateFromColumns } from '../src/domain/comp/calculate-compensation.ts';
import { validatePlanShape, type PlanDocument } from '../src/domain/comp/plan-document.ts';
import { divideHalfEven } from '../src/domain/comp/exact-money.ts';
import { insertPlanVersion } from '../src/store/comp/comp-plan-store.ts';
import {
  insertRun,
  updateRun,
  writeRunStatements,
  type StatementSource,
} from '../src/store/comp/comp-run-store.ts';
import { statementSource } from '../src/app/comp/run-engine.ts';
import { StatementBook } from '../src/app/comp/statement-book.ts';
import { defaultCompDataOptions, loadCompData, type CompDataOptions } from './comp-data.ts';
import {
  loadDuckDb,
  removeDuckFiles,
  runReference,
  type DuckLoad,
  type ReferenceTotals,
} from './comp-duckdb.ts';

// ------------------------------------------------------------------ options and helpers

type Options = {
  adminUrl: string;
  transactions: number;
  payees: number;
  runs: number;
  store: 'statements' | 'totals' | 'none';
  keep: boolean;
  reuse: string | undefined;
  out: string;
};

function parseArguments(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      'admin-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
      transactions: { type: 'string', default: String(defaultCompDataOptions.transactions) },
      payees: { type: 'string', default: String(defaultCompDataOptions.payees) },
      runs: { type: 'string', default: '3' },
      store: { type: 'string', default: 'statements' },
      keep: { type: 'boolean', default: false },
      reuse: { type: 'string' },
      out: { type: 'string', default: 'bench/out/comp-bench.json' },
    },
  });
  const store = values.store;
  // `lines` was the bench-only table of earlier runs; it now means the product's statements
  const mode = store === 'lines' ? 'statements' : store;
  if (mode !== 'statements' && mode !== 'totals' && mode !== 'none')
    throw new Error('--store statements|totals|none');
  return {
    adminUrl: values['admin-url'],
    transactions: Number(values.transactions),
    payees: Number(values.payees),
    runs: Math.max(1, Number(values.runs)),
    store: mode,
    keep: values.keep,
    reuse: values.reuse,
    out: values.out,
  };
}

function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

const ms = (started: number): number => Math.round(performance.now() - started);
const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024);
const log = (message: string): void =>
  console.log(`[comp-bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

/** This process's peak resident set (VmHWM), in MB. */
function peakRssMb(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : mb(process.memoryUsage().rss);
}

/** CPU seconds used by every process on the machine and by this one since `since` (for "what else was running"). */
function cpuSnapshot(): { machine: number; self: number; at: number } {
  const stat = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const busy = stat.reduce((a, b) => a + b, 0) - (stat[3] ?? 0) - (stat[4] ?? 0);
  const usage = process.cpuUsage();
  return { machine: busy / 100, self: (usage.user + usage.system) / 1e6, at: performance.now() };
}

// ------------------------------------------------------------------ set-up: the plan in the store

async function savePlan(store: Store, plan: PlanDocument, payees: number): Promise<void> {
  const now = new Date().toISOString();
  await insertPlanVersion(store.db, {
    planId: plan.id,
    name: plan.name,
    period: plan.period,
    currency: plan.currency,
    effectiveFrom: plan.effective_from,
    effectiveTo: plan.effective_to ?? null,
    source: JSON.stringify(benchPlanSource, null, 2),
    document: plan,
    fingerprint: 'bench',
    testResults: [],
    testsPassed: 0,
    testsFailed: 0,
    createdBy: 'comp-bench',
    createdByUserId: null,
    createdAt: now,
  });
  await store.pool.query(
    `INSERT INTO comp_plan_assignments (plan_id, position_id, valid_from, currency, created_at)
     SELECT $1, g, DATE '2020-01-01', 'USD', now() FROM generate_series(1, $2::int) g`,
    [plan.id, payees],
  );
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  const name = options.reuse ?? `attain_bench_comp_${process.pid}`;
  const admin = new pg.Client({ connectionString: options.adminUrl });
  await admin.connect();
  if (!options.reuse) await admin.query(`CREATE DATABASE ${name}`);
  const dataOptions: CompDataOptions = {
    ...defaultCompDataOptions,
    transactions: options.transactions,
    payees: options.payees,
  };
  const year = dataOptions.fiscalYear;
  const result: Record<string, unknown> = {
    command: `npx tsx bench/comp-bench.ts ${process.argv.slice(2).join(' ')}`.trim(),
    startedAt: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      execArgv: process.execArgv,
    },
    loadAverageAtStart: os.loadavg(),
    options,
  };
  let store: Store | undefined;
  let duckLoad: DuckLoad | undefined;
  const phases: Record<string, unknown> = {};
  result.phases = phases;
  try {
    store = await openDatabase(
      { kind: 'postgres', url: databaseUrl(options.adminUrl, name) },
      { poolSize: 4 },
    );
    if (!options.reuse) await migrateToLatest(store.db as never);
    const parsed = validatePlanShape(benchPlanSource);
    if (!parsed.plan) throw new Error(`bench plan: ${JSON.stringify(parsed.problems)}`);
    const plan = parsed.plan;

    // 0. set-up (skipped with --reuse: a database kept by an earlier run with --keep)
    let started = performance.now();
    if (!options.reuse) {
      log(`database ${name}: generating ${options.transactions} deals for ${options.payees} payees`);
      const data = await loadCompData(store, dataOptions);
      await savePlan(store, plan, options.payees);
      result.setup = { ms: ms(started), rows: data.rows, stepsMs: data.timingsMs };
      log(`set-up ${ms(started)} ms: ${JSON.stringify(data.rows)} ${JSON.stringify(data.timingsMs)}`);
    } else {
      await store.pool.query('DELETE FROM comp_statements');
      result.setup = { reused: name };
    }
    const rssAfterSetup = peakRssMb();

    // 1. load
    const cpuBefore = cpuSnapshot();
    const runStarted = performance.now();
    started = performance.now();
    const december = compPeriodOf(`${year}-12`, 1);
    const runInput = await loadRunInput(store, december, 1, undefined, { transactions: false });
    const planInput = runInput.plans[0];
    if (!planInput || runInput.plans.length !== 1)
      throw new Error('the bench plan is not the one plan of December');
    const { columns, inputFingerprint } = await buildRunColumns(
      store,
      planInput,
      runInput.yearStart,
      december.endsOn,
    );
    const personOf = new Map(planInput.payees.map((p) => [p.key, p.personId]));
    phases.load = {
      ms: ms(started),
      transactions: columns.transactions.count,
      splits: columns.transactions.splitPayee.length,
      payees: columns.payeeIds.length,
      heapUsedMb: mb(process.memoryUsage().heapUsed),
      rssMb: mb(process.memoryUsage().rss),
    };
    log(`load ${JSON.stringify(phases.load)}`);
    log(`input fingerprint ${inputFingerprint}`);

    // 2. compute (the run's one computation; warmed-up repeats come after the store phase)
    const computeRuns: number[] = [];
    started = performance.now();
    const computed = calculateFromColumns(plan, columns);
    const firstRunMs = ms(started);
    computeRuns.push(firstRunMs);
    result.peakRssAfterFirstComputeMb = peakRssMb();
    const periodCount = computed.periods.length;
    let earnings = 0;
    for (const value of computed.totals.earnings) earnings += value;
    phases.compute = {
      firstMs: firstRunMs,
      lines: computed.lineCount,
      periods: computed.periods,
      earningsMinor: earnings,
      issues: computed.issues.length,
      issueSample: computed.issues.slice(0, 5),
    };
    log(`compute ${JSON.stringify(phases.compute)}`);

    // 3. store: the product's path (src/store/comp/comp-run-store.ts writeRunStatements): the
    // run's December statements, every line by COPY into comp_statement_lines, in one transaction
    started = performance.now();
    let statementsStored = 0;
    let storedLines = 0;
    let recordMs = 0;
    let runId = 0;
    let writeTimings: Record<string, number> = {};
    const decemberIndex = computed.periods.indexOf(`${year}-12`);
    if (options.store !== 'none') {
      runId = await insertRun(store.db, {
        period: `${year}-12`,
        createdBy: 'comp-bench',
        createdByUserId: null,
        payees: null,
        startedAt: new Date().toISOString(),
      });
      const source = statementSource(
        plan,
        computed,
        decemberIndex,
        { planId: plan.id, version: 1 },
        personOf,
      );
      const timed: StatementSource = {
        ...source,
        statement(p) {
          const m = performance.now();
          const s = source.statement(p);
          recordMs += performance.now() - m;
          return options.store === 'totals' ? { ...s, record: { ...s.record, lines: [] } } : s;
        },
      };
      const written = await writeRunStatements(store, runId, [timed], async (tx) => {
        await updateRun(tx, runId, { status: 'succeeded', finishedAt: new Date().toISOString() });
      });
      statementsStored = written.statements;
      storedLines = written.lines;
      writeTimings = written.timingsMs;
    }
    const storeMs = ms(started);
    phases.store = {
      mode: options.store,
      ms: storeMs,
      statements: statementsStored,
      lines: storedLines,
      linesPerSecond: storeMs > 0 ? Math.round((storedLines / storeMs) * 1000) : 0,
      recordMs: Math.round(recordMs),
      writeTimingsMs: writeTimings,
    };
    log(`store ${JSON.stringify(phases.store)}`);
    const runMs = ms(runStarted);
    const cpuAfter = cpuSnapshot();
    result.fullRun = {
      ms: runMs,
      peakRssMb: peakRssMb(),
      peakRssBeforeRunMb: rssAfterSetup,
      cpuSecondsThisProcess: Math.round((cpuAfter.self - cpuBefore.self) * 10) / 10,
      cpuSecondsMachine: Math.round((cpuAfter.machine - cpuBefore.machine) * 10) / 10,
    };
    log(`full run ${JSON.stringify(result.fullRun)}`);
    if (options.store === 'statements') {
      // opening statements: the header and lines read back and the sentences written again
      const book = new StatementBook(store);
      const opens: Record<string, unknown>[] = [];
      const largest = largestStatement(computed, decemberIndex);
      for (const payee of [computed.payeeIds[0]!, largest, largest]) {
        const s = performance.now();
        const found = await book.current(payee, `${year}-12`);
        opens.push({ payee, lines: found?.statement.lines.length ?? 0, ms: ms(s) });
      }
      const same =
        JSON.stringify((await book.current(largest, `${year}-12`))!.statement) ===
        JSON.stringify(computed.statement(computed.payeeIds.indexOf(largest), decemberIndex));
      phases.openStatement = { opens, sameAsEngine: same };
      log(`open statement ${JSON.stringify(phases.openStatement)}`);
    }

    // 2b. the compute phase again, warmed up
    for (let r = 1; r < options.runs; r++) {
      started = performance.now();
      calculateFromColumns(plan, columns);
      computeRuns.push(ms(started));
    }
    Object.assign(phases.compute as object, { runsMs: computeRuns, bestMs: Math.min(...computeRuns) });
    log(`compute runs ${JSON.stringify(computeRuns)}`);

    // 4. one-deal change
    const change = await oneDealChange(store, plan, columns, computed, year);
    phases.oneDealChange = change.report;
    log(`one-deal change ${JSON.stringify(phases.oneDealChange)}`);
    result.peakRssBeforeDuckDbMb = peakRssMb();

    // 5. DuckDB
    const instance = await DuckDBInstance.create(':memory:');
    const duck = await instance.connect();
    const threads = String(
      (await duck.runAndReadAll("SELECT current_setting('threads') AS t")).getRowObjectsJS()[0]!.t,
    );
    const client = await store.pool.connect();
    try {
      duckLoad = await loadDuckDb(client, duck, year);
    } finally {
      client.release();
    }
    log(
      `DuckDB set-up: export ${Math.round(duckLoad.exportMs)} ms, read ${Math.round(duckLoad.readMs)} ms, threads ${threads}`,
    );
    const duckRuns: number[] = [];
    let reference: ReferenceTotals | undefined;
    for (let r = 0; r < options.runs; r++) {
      started = performance.now();
      reference = await runReference(duck, referencePlan, options.payees);
      duckRuns.push(ms(started));
    }
    phases.duckdb = {
      threads,
      version: String((await duck.runAndReadAll('SELECT version() AS v')).getRowObjectsJS()[0]!.v),
      exportMs: Math.round(duckLoad.exportMs),
      readMs: Math.round(duckLoad.readMs),
      rows: duckLoad.rows,
      firstMs: duckRuns[0],
      runsMs: duckRuns,
      bestMs: Math.min(...duckRuns),
    };
    log(`DuckDB ${JSON.stringify(phases.duckdb)}`);
    // PostgreSQL keeps the changed deal, so DuckDB is compared with the engine's run after the change.
    result.comparison = compare(change.after, reference!, periodCount);
    log(`comparison ${JSON.stringify(result.comparison)}`);
    result.ratio = {
      duckFirstOverEngineFirst: Math.round(((duckRuns[0] ?? 0) / firstRunMs) * 100) / 100,
      duckBestOverEngineBest: Math.round((Math.min(...duckRuns) / Math.min(...computeRuns)) * 100) / 100,
    };
    result.peakRssEndMb = peakRssMb();
    result.loadAverageAtEnd = os.loadavg();
    duck.closeSync();
    instance.closeSync();
  } finally {
    result.finishedAt = new Date().toISOString();
    mkdirSync(path.dirname(options.out), { recursive: true });
    writeFileSync(
      options.out,
      JSON.stringify(result, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v), 2),
    );
    removeDuckFiles(duckLoad);
    if (store) {
      await store.close();
      if (!store.pool.ended) await store.pool.end();
    }
    if (!options.keep && !options.reuse) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
  console.log(JSON.stringify(result));
}

/** The payee whose statement of the period has the most lines (a director's, with two roll-up levels). */
function largestStatement(run: ReturnType<typeof calculateFromColumns>, period: number): string {
  const counts = new Float64Array(run.payeeIds.length);
  run.forEachLine((line) => {
    if (line.periodIndex === period) counts[line.payeeIndex]! += 1;
  });
  let best = 0;
  for (let p = 1; p < counts.length; p++) if (counts[p]! > counts[best]!) best = p;
  return run.payeeIds[best]!;
}

/** Engine totals against the SQL reference, per payee and month, exactly. */
function compare(
  run: ReturnType<typeof calculateFromColumns>,
  reference: ReferenceTotals,
  periodCount: number,
): Record<string, unknown> {
  let checked = 0;
  let equal = 0;
  let engineSum = 0;
  let duckSum = 0;
  const differences: unknown[] = [];
  for (let p = 0; p < run.payeeIds.length; p++) {
    const payee = Number(run.payeeIds[p]!.slice(1)) - 1;
    for (let k = 0; k < periodCount; k++) {
      const month = Number(run.periods[k]!.slice(5)) - 1;
      const engine = run.totals.earnings[p * periodCount + k]!;
      const duck = reference.pay[payee * 12 + month]!;
      checked++;
      engineSum += engine;
      duckSum += duck;
      if (engine === duck) equal++;
      else if (differences.length < 20)
        differences.push({
          payee: run.payeeIds[p],
          period: run.periods[k],
          engine,
          duckdb: duck,
          lines: reference.lines[payee * 12 + month],
        });
    }
  }
  return {
    checked,
    equal,
    different: checked - equal,
    engineSumMinor: engineSum,
    duckSumMinor: duckSum,
    differences,
  };
}

/**
 * Changes one split deal's amount in PostgreSQL, reads it back, patches the columns and recomputes
 * only the payees it credits (owner, split partner, their managers and directors). The result is
 * checked against a full recompute of the changed columns.
 */
async function oneDealChange(
  store: Store,
  plan: PlanDocument,
  columns: CompColumns,
  before: ReturnType<typeof calculateFromColumns>,
  year: number,
): Promise<{ report: Record<string, unknown>; after: ReturnType<typeof calculateFromColumns> }> {
  const t = columns.transactions;
  // A split deal in the middle of the year: the most payees affected.
  let index = Math.floor(t.count / 2);
  while (index < t.count && t.splitStart[index + 1]! - t.splitStart[index]! < 2) index++;
  const dealKey = t.id[index]!;
  const oldAmount = t.amount[index]!;
  const newAmount = oldAmount + 1_234_567;
  const started = performance.now();
  await store.pool.query(
    'UPDATE opportunities SET amount_minor = $1, updated_at = now() WHERE external_key = $2',
    [newAmount, dealKey],
  );
  const fresh = await store.pool.query<{ amount_minor: string; gross_margin_bps: number; closed_on: string }>(
    `SELECT amount_minor::text, gross_margin_bps, closed_on::text FROM opportunities WHERE external_key = $1`,
    [dealKey],
  );
  const dbMs = ms(started);
  const amount = Number(fresh.rows[0]!.amount_minor);
  const bps = fresh.rows[0]!.gross_margin_bps;
  const patchStarted = performance.now();
  t.amount[index] = amount;
  t.margin[index] = divideHalfEven(amount * bps, 10_000);
  // The affected payees: every split payee (or the owner), and two levels of managers above each.
  const affected = new Set<number>();
  const credited: number[] = [];
  for (let k = t.splitStart[index]!; k < t.splitStart[index + 1]!; k++) credited.push(t.splitPayee[k]!);
  if (credited.length === 0) credited.push(t.owner[index]!);
  const managerOf = new Map<number, number>();
  for (const r of columns.reporting) managerOf.set(r.payee, r.manager);
  for (const payee of credited) {
    affected.add(payee);
    let up = managerOf.get(payee);
    for (let level = 0; level < 2 && up !== undefined && up >= 0; level++) {
      affected.add(up);
      up = managerOf.get(up);
    }
  }
  const period = `${year}-${fresh.rows[0]!.closed_on.slice(5, 7)}`;
  const payees = [...affected].map((p) => columns.payeeIds[p]!);
  const patchMs = ms(patchStarted);
  const computeRuns: number[] = [];
  let partial: ReturnType<typeof calculateFromColumns> | undefined;
  for (let r = 0; r < 3; r++) {
    const s = performance.now();
    partial = calculateFromColumns(plan, columns, { payees, periods: [period] });
    computeRuns.push(ms(s));
  }
  const s2 = performance.now();
  const full = calculateFromColumns(plan, columns);
  const fullMs = ms(s2);
  // Check: the affected payees' totals equal the full recompute's; and what changed.
  const checks: unknown[] = [];
  let same = true;
  for (const payee of payees) {
    const pIndex = partial!.payeeIds.indexOf(payee);
    const kIndex = partial!.periods.indexOf(period);
    const fIndex = full.payeeIds.indexOf(payee);
    const fk = full.periods.indexOf(period);
    const bIndex = before.payeeIds.indexOf(payee);
    const partialValue =
      pIndex < 0 || kIndex < 0
        ? undefined
        : partial!.totals.earnings[pIndex * partial!.periods.length + kIndex];
    const fullValue = full.totals.earnings[fIndex * full.periods.length + fk];
    const beforeValue = before.totals.earnings[bIndex * before.periods.length + fk];
    if (partialValue !== fullValue) same = false;
    checks.push({ payee, before: beforeValue, after: fullValue, partial: partialValue });
  }
  const report = {
    deal: dealKey,
    period,
    amountBefore: oldAmount,
    amountAfter: amount,
    affectedPayees: payees.length,
    databaseUpdateAndReadMs: dbMs,
    patchColumnsMs: patchMs,
    computeAffectedMs: computeRuns,
    fullRecomputeMs: fullMs,
    partialEqualsFull: same,
    checks,
  };
  return { report, after: full };
}

await main();
