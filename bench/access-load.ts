/**
 * Authenticated read load on PostgreSQL (issue 4, access and trust): "with 50 concurrent clients on
 * loopback for 60 s against authenticated read routes, >= 2,000 requests/s with p99 <= 50 ms, zero
 * errors; the scope check adds <= 10% to a route's latency compared with the same route unscoped."
 *
 *   npx tsx bench/access-load.ts [--seconds 60] [--connections 50] [--reps 200]
 *       [--phases manager,admin,token] [--warmup 5] [--per-route-seconds 0]
 *       [--overhead-rounds 6] [--overhead-seconds 2] [--overhead-connections 1]
 *       [--server-node-args="--cpu-prof --cpu-prof-dir=bench/out/prof"]
 *       [--admin-url postgres://postgres@127.0.0.1:5432/test] [--keep] [--no-analyze]
 *
 * It creates a database (attain_bench_access_<pid>), starts `attain serve` on it in its own
 * process (production mode, the demo organisation with --reps reps), runs VACUUM ANALYZE (what
 * autovacuum does soon after the demo's bulk insert; --no-analyze skips it), signs in as the admin,
 * creates a sales manager and a rep of their team (set-up link → password → session) and an API
 * token of the manager, then:
 *
 *  - load phases, one after the other, each --seconds long with --connections clients
 *    (autocannon, keep-alive, one request in flight per connection), rotating five read routes:
 *    the rep's scorecard, the rep's deals, a page of deals, a page of people, /api/auth/me.
 *    "manager" uses the manager's session cookie (scope: the hierarchy below them), "admin" the
 *    admin's (scope: everything, the same SQL without the scope predicate), "token" the manager's
 *    API token; --per-route-seconds N adds each route alone, manager and admin, N s each;
 *  - the scope overhead: for each route, short bursts at low concurrency alternating manager and
 *    admin (ABBA order) for several rounds, each request timed to the microsecond (autocannon's
 *    histogram has 1 ms resolution, too coarse for a 10% question at 2–20 ms); the overhead is the
 *    median over rounds of the manager's p50 against the admin's p50 of the same round.
 *
 * CPU time of the server process, of the PostgreSQL processes (all of them: another database's
 * work counts too) and of this process is sampled from /proc around each phase, and the rest of the
 * machine's busy time is reported as "other": on a shared 2-core machine the load generator and
 * other jobs compete with what is measured. If the server stops before the benchmark stops it
 * (a signal from outside), the run fails rather than report the phase.
 *
 * Prints a table, writes bench/out/access-load.json, stops the server and drops the database (also
 * on failure).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon, { type Result as LoadResult } from 'autocannon';
import pg from 'pg';
import { startServer, stopServer, type Server } from './attain-server.ts';

type Options = {
  seconds: number;
  connections: number;
  reps: number;
  phases: string[];
  warmup: number;
  perRouteSeconds: number;
  overheadRounds: number;
  overheadSeconds: number;
  overheadConnections: number;
  serverNodeArgs: string[];
  adminUrl: string;
  keep: boolean;
  analyze: boolean;
  out: string;
};

function parseArguments(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      seconds: { type: 'string', default: '60' },
      connections: { type: 'string', default: '50' },
      reps: { type: 'string', default: '200' },
      phases: { type: 'string', default: 'manager,admin,token' },
      warmup: { type: 'string', default: '5' },
      'per-route-seconds': { type: 'string', default: '0' },
      'overhead-rounds': { type: 'string', default: '6' },
      'overhead-seconds': { type: 'string', default: '2' },
      'overhead-connections': { type: 'string', default: '1' },
      'server-node-args': { type: 'string', default: '' },
      'admin-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
      keep: { type: 'boolean', default: false },
      'no-analyze': { type: 'boolean', default: false },
      out: { type: 'string', default: 'bench/out/access-load.json' },
    },
  });
  const phases = values.phases
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const p of phases)
    if (!['manager', 'admin', 'token'].includes(p))
      throw new Error(`unknown phase ${p} (manager, admin, token)`);
  return {
    seconds: Number(values.seconds),
    connections: Number(values.connections),
    reps: Number(values.reps),
    phases,
    warmup: Number(values.warmup),
    perRouteSeconds: Number(values['per-route-seconds']),
    overheadRounds: Number(values['overhead-rounds']),
    overheadSeconds: Number(values['overhead-seconds']),
    overheadConnections: Number(values['overhead-connections']),
    serverNodeArgs: values['server-node-args'].split(/\s+/).filter(Boolean),
    adminUrl: values['admin-url'],
    keep: values.keep,
    analyze: !values['no-analyze'],
    out: values.out,
  };
}

const root = path.resolve(import.meta.dirname, '..');

function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

// ---------------------------------------------------------------- the server

/** Throws when the server stopped before this benchmark stopped it (its numbers would be void). */
function checkServer(server: Server, stage: string): void {
  if (server.child.exitCode === null && server.child.signalCode === null) return;
  const signalled = /Stopping/.test(server.log());
  throw new Error(
    `the server (pid ${server.child.pid}) stopped during ${stage} (exit code ${server.child.exitCode}, signal ${server.child.signalCode})` +
      (signalled ? ': it received SIGINT or SIGTERM from outside this benchmark; run again' : ''),
  );
}

// ---------------------------------------------------------------- the API, as a client

type Credentials = { label: string; headers: Record<string, string> };

async function call(
  base: string,
  method: string,
  pathAndQuery: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; json: unknown; text: string; cookie: string | null }> {
  const response = await fetch(base + pathAndQuery, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const session = response.headers
    .getSetCookie()
    .map((c) => /^attain_session=([^;]+)/.exec(c)?.[1])
    .find((v) => v !== undefined);
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, json, text, cookie: session ?? null };
}

async function expectOk<T>(
  base: string,
  method: string,
  pathAndQuery: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ json: T; text: string; cookie: string | null }> {
  const r = await call(base, method, pathAndQuery, headers, body);
  if (r.status < 200 || r.status > 299)
    throw new Error(`${method} ${pathAndQuery} answered ${r.status}: ${r.text.slice(0, 500)}`);
  return { json: r.json as T, text: r.text, cookie: r.cookie };
}

type SignedIn = { csrfToken: string };
type Person = {
  id: number;
  name: string;
  positionRole: string | null;
  team: string | null;
  managerName: string | null;
};

function sessionHeaders(cookie: string, csrf: string): Record<string, string> {
  return { cookie: `attain_session=${cookie}`, 'x-csrf-token': csrf };
}

function password(): string {
  return `Bench-${randomBytes(12).toString('base64url')}-9`;
}

/** Signs in a new user of a role for a person: created by the admin, set-up link completed. */
async function createUser(
  base: string,
  admin: Record<string, string>,
  email: string,
  name: string,
  role: 'sales_manager' | 'sales_rep',
  personId: number,
): Promise<{ cookie: string; csrf: string }> {
  const created = await expectOk<{ setupLink: { url: string } }>(base, 'POST', '/api/users', admin, {
    email,
    name,
    role,
    personId,
  });
  const token = /#token=([^&]+)/.exec(created.json.setupLink.url)?.[1];
  if (!token) throw new Error(`no token in the set-up link ${created.json.setupLink.url}`);
  const done = await expectOk<SignedIn>(
    base,
    'POST',
    '/api/auth/link/complete',
    {},
    {
      token: decodeURIComponent(token),
      password: password(),
    },
  );
  if (!done.cookie) throw new Error('completing the set-up link set no session cookie');
  return { cookie: done.cookie, csrf: done.json.csrfToken };
}

// ---------------------------------------------------------------- CPU accounting from /proc

const clockTicks = 100; // getconf CLK_TCK on Linux

type CpuSample = {
  at: number;
  machineBusy: number;
  machineTotal: number;
  steal: number;
  server: number;
  postgres: number;
  self: NodeJS.CpuUsage;
};

function processTicks(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return 0;
  }
}

function postgresTicks(): number {
  let total = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (name === 'postgres' || name.startsWith('postgres')) {
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        total += Number(fields[11]) + Number(fields[12]);
      }
    } catch {
      // the process ended
    }
  }
  return total;
}

function sampleCpu(serverPid: number): CpuSample {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line;
  return {
    at: performance.now(),
    machineBusy: user + nice + system + irq + softirq + steal,
    machineTotal: user + nice + system + idle + iowait + irq + softirq + steal,
    steal,
    server: processTicks(serverPid),
    postgres: postgresTicks(),
    self: process.cpuUsage(),
  };
}

/** CPU used between two samples, in cores (1.0 = one core busy the whole time). */
function cpuBetween(a: CpuSample, b: CpuSample) {
  const seconds = (b.at - a.at) / 1000;
  const cores = (ticks: number) => round2(ticks / clockTicks / seconds);
  const selfMicros = b.self.user + b.self.system - (a.self.user + a.self.system);
  const busyCores = (b.machineBusy - a.machineBusy) / clockTicks / seconds;
  const server = (b.server - a.server) / clockTicks / seconds;
  const postgres = (b.postgres - a.postgres) / clockTicks / seconds;
  return {
    machineBusyPercent: round1((100 * (b.machineBusy - a.machineBusy)) / (b.machineTotal - a.machineTotal)),
    /** Cores busy with anything but the server, PostgreSQL and this process (another job on the machine). */
    otherCores: round2(Math.max(0, busyCores - server - postgres - selfMicros / 1e6 / seconds)),
    stealPercent: round1((100 * (b.steal - a.steal)) / (b.machineTotal - a.machineTotal)),
    serverCores: cores(b.server - a.server),
    postgresCores: cores(b.postgres - a.postgres),
    loadGeneratorCores: round2(selfMicros / 1e6 / seconds),
  };
}

/** Processes that used more than 5% of a core over `ms` (what else runs on the machine). */
async function busyProcesses(ms = 1000): Promise<{ pid: number; cpuPercent: number; command: string }[]> {
  const read = () => {
    const ticks = new Map<number, number>();
    for (const entry of fs.readdirSync('/proc'))
      if (/^\d+$/.test(entry)) ticks.set(Number(entry), processTicks(Number(entry)));
    return ticks;
  };
  const before = read();
  await new Promise((r) => setTimeout(r, ms));
  const after = read();
  const busy: { pid: number; cpuPercent: number; command: string }[] = [];
  for (const [pid, t] of after) {
    const used = t - (before.get(pid) ?? t);
    const cpuPercent = Math.round((100 * used) / clockTicks / (ms / 1000));
    if (cpuPercent < 5) continue;
    let command = '';
    try {
      command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim().slice(0, 160);
    } catch {
      // ended
    }
    busy.push({ pid, cpuPercent, command });
  }
  return busy.sort((x, y) => y.cpuPercent - x.cpuPercent);
}

// ---------------------------------------------------------------- load phases

type Route = { name: string; path: string };

type PhaseResult = {
  phase: string;
  seconds: number;
  connections: number;
  requests: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  cpu: ReturnType<typeof cpuBetween>;
  loadAverageBefore: number[];
  loadAverageAfter: number[];
  /** The phase on the monotonic clock, in µs: the clock of a --cpu-prof profile's timestamps. */
  monotonicUs: { start: number; end: number };
};

async function loadPhase(
  name: string,
  base: string,
  credentials: Credentials,
  routes: Route[],
  seconds: number,
  connections: number,
  serverPid: number,
): Promise<PhaseResult> {
  const loadAverageBefore = os.loadavg().map(round2);
  const before = sampleCpu(serverPid);
  const startUs = Number(process.hrtime.bigint() / 1000n);
  const result: LoadResult = await autocannon({
    url: base,
    connections,
    duration: seconds,
    timeout: 10,
    requests: routes.map((r) => ({ method: 'GET', path: r.path, headers: credentials.headers })),
  });
  const endUs = Number(process.hrtime.bigint() / 1000n);
  const after = sampleCpu(serverPid);
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count]),
  );
  const total = Object.values(statusCodes).reduce((a, b) => a + b, 0);
  return {
    phase: name,
    seconds: result.duration,
    connections,
    requests: total,
    requestsPerSecond: Math.round(total / result.duration),
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: round2(result.latency.mean),
    },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    cpu: cpuBetween(before, after),
    loadAverageBefore,
    loadAverageAfter: os.loadavg().map(round2),
    monotonicUs: { start: startUs, end: endUs },
  };
}

// ---------------------------------------------------------------- scope overhead, timed precisely

/** Sends GETs with `connections` keep-alive clients for `seconds`; each latency in ms (µs precision). */
async function timedBurst(
  base: string,
  pathAndQuery: string,
  headers: Record<string, string>,
  seconds: number,
  connections: number,
  agent: http.Agent,
): Promise<{ latencies: number[]; failures: number }> {
  const url = new URL(pathAndQuery, base);
  const latencies: number[] = [];
  let failures = 0;
  const until = performance.now() + seconds * 1000;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const started = performance.now();
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          method: 'GET',
          headers,
          agent,
        },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => {
            if (res.statusCode === 200) latencies.push(performance.now() - started);
            else failures++;
            resolve();
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < until) await one();
    }),
  );
  return { latencies, failures };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

type OverheadRoute = Route & {
  note: string;
  sameResult: boolean;
  totals?: { scoped: unknown; unscoped: unknown };
};

type OverheadResult = {
  route: string;
  path: string;
  sameResult: boolean;
  note: string;
  scopedP50Ms: number;
  unscopedP50Ms: number;
  scopedP90Ms: number;
  unscopedP90Ms: number;
  overheadPercent: number;
  perRoundOverheadPercent: number[];
  samples: { scoped: number; unscoped: number };
  failures: number;
};

async function scopeOverhead(
  base: string,
  scoped: Credentials,
  unscoped: Credentials,
  routes: OverheadRoute[],
  rounds: number,
  seconds: number,
  connections: number,
): Promise<OverheadResult[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const results: OverheadResult[] = [];
  try {
    for (const route of routes) {
      // A short warm-up of both, not counted.
      await timedBurst(base, route.path, scoped.headers, 0.5, connections, agent);
      await timedBurst(base, route.path, unscoped.headers, 0.5, connections, agent);
      const scopedRounds: number[][] = [];
      const unscopedRounds: number[][] = [];
      let failures = 0;
      for (let round = 0; round < rounds; round++) {
        // ABBA: alternate which goes first, so drift in the machine's load does not favour one.
        const order = round % 2 === 0 ? [scoped, unscoped] : [unscoped, scoped];
        for (const who of order) {
          const burst = await timedBurst(base, route.path, who.headers, seconds, connections, agent);
          failures += burst.failures;
          (who === scoped ? scopedRounds : unscopedRounds).push(burst.latencies.sort((a, b) => a - b));
        }
      }
      const p50s = (r: number[][]) => r.map((l) => percentile(l, 50));
      const p90s = (r: number[][]) => r.map((l) => percentile(l, 90));
      const perRound = scopedRounds.map((l, i) =>
        round1((100 * percentile(l, 50)) / percentile(unscopedRounds[i]!, 50) - 100),
      );
      const scopedP50 = median(p50s(scopedRounds));
      const unscopedP50 = median(p50s(unscopedRounds));
      results.push({
        route: route.name,
        path: route.path,
        sameResult: route.sameResult,
        note: route.note,
        scopedP50Ms: round3(scopedP50),
        unscopedP50Ms: round3(unscopedP50),
        scopedP90Ms: round3(median(p90s(scopedRounds))),
        unscopedP90Ms: round3(median(p90s(unscopedRounds))),
        overheadPercent: round1(median(perRound)),
        perRoundOverheadPercent: perRound,
        samples: {
          scoped: scopedRounds.reduce((a, l) => a + l.length, 0),
          unscoped: unscopedRounds.reduce((a, l) => a + l.length, 0),
        },
        failures,
      });
      const last = results.at(-1)!;
      console.error(
        `  overhead ${route.name}: scoped p50 ${last.scopedP50Ms} ms, unscoped ${last.unscopedP50Ms} ms, ${last.overheadPercent}% (rounds ${perRound.join(', ')})`,
      );
    }
  } finally {
    agent.destroy();
  }
  return results;
}

// ---------------------------------------------------------------- helpers

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join(
    '\n',
  );
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  const name = `attain_bench_access_${process.pid}`;
  const admin = new pg.Client({ connectionString: options.adminUrl });
  await admin.connect();
  const postgresVersion = (await admin.query<{ v: string }>('SHOW server_version')).rows[0]!.v;
  const loadAverageAtStart = os.loadavg().map(round2);
  const busyAtStart = await busyProcesses();
  if (busyAtStart.length > 0)
    console.error(
      `busy before the run: ${busyAtStart.map((p) => `${p.cpuPercent}% ${p.command.slice(0, 80)}`).join('; ')}`,
    );
  await admin.query(`CREATE DATABASE ${name}`);
  let server: Server | undefined;
  const stopping = async () => {
    if (server) await stopServer(server).catch(() => undefined);
    if (!options.keep)
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end().catch(() => undefined);
  };
  const onSignal = () => {
    void stopping().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const adminEmail = 'admin@example.com';
    const adminPassword = password();
    const startedAt = performance.now();
    server = await startServer(
      {
        DATABASE_URL: databaseUrl(options.adminUrl, name),
        PORT: '0',
        HOST: '127.0.0.1',
        ATTAIN_DEMO: 'true',
        ATTAIN_DEMO_REPS: String(options.reps),
        ATTAIN_ADMIN_EMAIL: adminEmail,
        ATTAIN_ADMIN_PASSWORD: adminPassword,
        ATTAIN_SECRET: randomBytes(36).toString('base64'),
        NODE_ENV: 'production',
      },
      options.serverNodeArgs,
    );
    const base = server.url;
    console.error(
      `server ${base} (pid ${server.child.pid}) ready after ${((performance.now() - startedAt) / 1000).toFixed(1)} s, database ${name}`,
    );
    // What autovacuum does shortly after the demo's bulk insert: without statistics the planner
    // guesses row counts (7,184 for 13,049 deals) and its plans differ from a settled database's.
    if (options.analyze) {
      const bench = new pg.Client({ connectionString: databaseUrl(options.adminUrl, name) });
      await bench.connect();
      await bench.query('VACUUM ANALYZE');
      await bench.end();
    }

    // The admin, a manager of the demo organisation, and a rep of their team.
    const signIn = await expectOk<SignedIn>(
      base,
      'POST',
      '/api/auth/sign-in',
      {},
      {
        email: adminEmail,
        password: adminPassword,
      },
    );
    if (!signIn.cookie) throw new Error('sign-in set no session cookie');
    const adminHeaders = sessionHeaders(signIn.cookie, signIn.json.csrfToken);
    const { json: peoplePage } = await expectOk<{ people: Person[]; total: number }>(
      base,
      'GET',
      '/api/people?limit=500',
      adminHeaders,
    );
    const people = peoplePage.people;
    const managers = people.filter((p) => p.positionRole === 'manager');
    // The first manager (by name) with reps on their team; of those reps, the one with most deals.
    let manager: Person | undefined;
    let rep: Person | undefined;
    let repDeals = -1;
    for (const m of managers) {
      const team = people.filter((p) => p.positionRole === 'rep' && p.managerName === m.name);
      if (team.length === 0) continue;
      manager = m;
      for (const r of team) {
        const { json } = await expectOk<{ total: number }>(
          base,
          'GET',
          `/api/opportunities?ownerId=${r.id}&limit=1`,
          adminHeaders,
        );
        if (json.total > repDeals) {
          repDeals = json.total;
          rep = r;
        }
      }
      break;
    }
    if (!manager || !rep) throw new Error('no manager with a rep on their team in the demo organisation');
    const teamSize = people.filter((p) => p.managerName === manager!.name).length;
    console.error(
      `manager ${manager.name} (person ${manager.id}, ${manager.team}, ${teamSize} direct reports); rep ${rep.name} (person ${rep.id}, ${repDeals} deals)`,
    );
    const managerSession = await createUser(
      base,
      adminHeaders,
      'bench.manager@example.com',
      manager.name,
      'sales_manager',
      manager.id,
    );
    const repSession = await createUser(
      base,
      adminHeaders,
      'bench.rep@example.com',
      rep.name,
      'sales_rep',
      rep.id,
    );
    const managerHeaders = sessionHeaders(managerSession.cookie, managerSession.csrf);
    const repHeaders = sessionHeaders(repSession.cookie, repSession.csrf);
    const { json: tokenJson } = await expectOk<{ token: string }>(
      base,
      'POST',
      '/api/tokens',
      managerHeaders,
      {
        name: 'access-load benchmark',
      },
    );
    const credentials: Record<string, Credentials> = {
      // Reads carry only the cookie: the CSRF header is for changes.
      manager: { label: 'manager (session)', headers: { cookie: `attain_session=${managerSession.cookie}` } },
      admin: { label: 'admin (session, unscoped)', headers: { cookie: `attain_session=${signIn.cookie}` } },
      token: { label: 'manager (API token)', headers: { authorization: `Bearer ${tokenJson.token}` } },
    };

    const mix: Route[] = [
      { name: 'scorecard', path: `/api/people/${rep.id}/scorecard` },
      { name: 'rep-deals', path: `/api/opportunities?ownerId=${rep.id}&limit=50` },
      { name: 'deals-page', path: '/api/opportunities?limit=50' },
      { name: 'people-page', path: '/api/people?limit=50' },
      { name: 'me', path: '/api/auth/me' },
    ];

    // What each principal gets from each route: every route answers 200 to each, and the scoped
    // answers are what the scope says (the rep sees only their own deals).
    const shapes: Record<string, Record<string, { status: number; bytes: number; total?: number }>> = {};
    const bodies: Record<string, Record<string, string>> = {};
    const overheadRoutes = [...mix, { name: 'person', path: `/api/people/${rep.id}` }];
    for (const [who, c] of Object.entries(credentials)) {
      shapes[who] = {};
      bodies[who] = {};
      for (const route of overheadRoutes) {
        const r = await call(base, 'GET', route.path, c.headers);
        if (r.status !== 200)
          throw new Error(`${who} ${route.path} answered ${r.status}: ${r.text.slice(0, 300)}`);
        const total = (r.json as { total?: number }).total;
        shapes[who]![route.name] = {
          status: r.status,
          bytes: r.text.length,
          ...(total === undefined ? {} : { total }),
        };
        bodies[who]![route.name] = r.text;
      }
    }
    const repView = await expectOk<{ total: number; opportunities: { ownerId: number }[] }>(
      base,
      'GET',
      '/api/opportunities?limit=500',
      repHeaders,
    );
    if (repView.json.opportunities.some((o) => o.ownerId !== rep!.id))
      throw new Error('the rep sees deals of somebody else');
    console.error(`answers: ${JSON.stringify(shapes)}`);
    const sameBody = (route: string) => bodies.manager![route] === bodies.admin![route];

    // Warm the server (JIT, pool, caches) with both principals, not counted.
    if (options.warmup > 0) {
      for (const who of ['manager', 'admin'])
        await loadPhase(
          'warm-up',
          base,
          credentials[who]!,
          mix,
          options.warmup,
          options.connections,
          server.child.pid!,
        );
    }

    const phases: PhaseResult[] = [];
    for (const phase of options.phases) {
      const c = credentials[phase]!;
      console.error(
        `phase ${phase}: ${c.label}, ${options.connections} connections, ${options.seconds} s ...`,
      );
      const result = await loadPhase(
        phase,
        base,
        c,
        mix,
        options.seconds,
        options.connections,
        server.child.pid!,
      );
      checkServer(server, `phase ${phase}`);
      phases.push(result);
      console.error(
        `  ${result.requestsPerSecond} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}`,
      );
    }

    // Optionally each route alone at the same concurrency, manager then admin: where the mix's time goes.
    const perRouteLoad: PhaseResult[] = [];
    if (options.perRouteSeconds > 0)
      for (const route of mix)
        for (const who of ['manager', 'admin']) {
          const result = await loadPhase(
            `${route.name}/${who}`,
            base,
            credentials[who]!,
            [route],
            options.perRouteSeconds,
            options.connections,
            server.child.pid!,
          );
          checkServer(server, `phase ${result.phase}`);
          perRouteLoad.push(result);
          console.error(
            `  ${result.phase}: ${result.requestsPerSecond} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, server ${result.cpu.serverCores} cores, pg ${result.cpu.postgresCores}`,
          );
        }

    console.error(
      `scope overhead: ${options.overheadRounds} rounds x ${options.overheadSeconds} s per principal per route, ${options.overheadConnections} connection(s) ...`,
    );
    const overheadInput: OverheadRoute[] = overheadRoutes.map((r) => {
      const same = sameBody(r.name);
      const m = shapes.manager![r.name]!;
      const a = shapes.admin![r.name]!;
      const note =
        r.name === 'me'
          ? 'control: no scope is computed or applied'
          : same
            ? 'identical answers for manager and admin'
            : `different answers: manager total ${m.total ?? '-'} (${m.bytes} B), admin total ${a.total ?? '-'} (${a.bytes} B)`;
      return { ...r, sameResult: same, note };
    });
    const overheadCpuBefore = sampleCpu(server.child.pid!);
    const overhead = await scopeOverhead(
      base,
      credentials.manager!,
      credentials.admin!,
      overheadInput,
      options.overheadRounds,
      options.overheadSeconds,
      options.overheadConnections,
    );
    const overheadCpu = cpuBetween(overheadCpuBefore, sampleCpu(server.child.pid!));
    checkServer(server, 'the scope-overhead measurement');

    const report = {
      bench: 'access-load',
      target: {
        requestsPerSecond: 2000,
        p99Ms: 50,
        errors: 0,
        scopeOverheadPercent: 10,
      },
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        memoryGiB: round1(os.totalmem() / 2 ** 30),
        loadAverageAtStart,
        busyProcessesAtStart: busyAtStart,
        busyProcessesAtEnd: await busyProcesses(),
        node: process.version,
        postgres: postgresVersion,
      },
      options,
      database: name,
      organisation: {
        reps: options.reps,
        people: peoplePage.total,
        manager: { id: manager.id, name: manager.name, team: manager.team, directReports: teamSize },
        rep: { id: rep.id, name: rep.name, deals: repDeals },
      },
      routes: mix,
      answers: shapes,
      phases,
      perRouteLoad,
      scopeOverhead: overhead,
      scopeOverheadCpu: overheadCpu,
      finishedAt: new Date().toISOString(),
    };
    fs.mkdirSync(path.dirname(path.resolve(root, options.out)), { recursive: true });
    fs.writeFileSync(path.resolve(root, options.out), JSON.stringify(report, null, 2));

    const met = (p: PhaseResult) =>
      p.requestsPerSecond >= 2000 && p.latencyMs.p99 <= 50 && p.non2xx + p.errors + p.timeouts === 0
        ? 'yes'
        : 'no';
    console.log(
      `\nLoad: ${options.connections} connections, ${options.seconds} s per phase, routes rotated: ${mix.map((r) => r.name).join(', ')}\n`,
    );
    console.log(
      table(
        [
          'phase',
          'req/s',
          'p50 ms',
          'p90 ms',
          'p99 ms',
          'max ms',
          'non-2xx',
          'errors',
          'timeouts',
          'server cores',
          'pg cores',
          'loadgen cores',
          'other cores',
          'target met',
        ],
        [...phases, ...perRouteLoad].map((p) => [
          p.phase,
          p.requestsPerSecond,
          p.latencyMs.p50,
          p.latencyMs.p90,
          p.latencyMs.p99,
          p.latencyMs.max,
          p.non2xx,
          p.errors,
          p.timeouts,
          p.cpu.serverCores,
          p.cpu.postgresCores,
          p.cpu.loadGeneratorCores,
          p.cpu.otherCores,
          met(p),
        ]),
      ),
    );
    console.log(
      `\nScope overhead (manager vs admin, ${options.overheadConnections} connection(s), median of ${options.overheadRounds} alternating rounds of ${options.overheadSeconds} s)\n`,
    );
    console.log(
      table(
        ['route', 'scoped p50 ms', 'unscoped p50 ms', 'overhead %', 'rounds %', 'same answer'],
        overhead.map((o) => [
          o.route,
          o.scopedP50Ms.toFixed(2),
          o.unscopedP50Ms.toFixed(2),
          o.overheadPercent,
          o.perRoundOverheadPercent.join(' '),
          o.sameResult ? 'yes' : 'no',
        ]),
      ),
    );
    console.log(`\nwritten ${options.out}`);
  } catch (error) {
    if (server) {
      try {
        checkServer(server, 'the run');
      } catch (stopped) {
        console.error((stopped as Error).message);
      }
      console.error(`server log (tail):\n${server.log().slice(-3000)}`);
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stopping();
  }
}

await main();
