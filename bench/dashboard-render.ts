/**
 * A dashboard's first render at scale (issue 5: "≤ 1 s at that scale"), in headless Chromium
 * against `attain serve` on a database bench/kpi-bench.ts left (`--keep`: 1M opportunities, 5M
 * activities, 10,000 reps):
 *
 *   npx tsx bench/dashboard-render.ts --database attain_bench_kpi_<pid> [--runs 5] [--kpi-cache 64]
 *
 * It sets the first admin's password (the database keeps kpi-bench's), starts the server, signs in
 * through the sign-in page, and opens the executive and the manager views of 2024 Q4
 * (`/measure/dashboard?view=…&period=quarter&calendar=calendar&at=2024-11-15`), timing from the
 * navigation to the view's numbers on screen (the executive's won revenue card; the manager's table
 * with its rows). The first open after the server starts also loads the snapshots (cold); then
 * each view is opened `--runs` more times in a fresh page (warm: the server has the snapshots, the
 * browser nothing cached). `--kpi-cache` is the server's ATTAIN_KPI_CACHE_ENTRIES (default 64, as
 * the product runs; 0: every open computes its numbers again). Each time is given twice: by the driver, and on the page's own clock
 * (when a MutationObserver saw the numbers enter the document). With PROFILE=1, the last open of
 * each view also writes the page's CPU profile (bench/out/client-<view>.cpuprofile), with TRACE=1
 * a Chrome trace of it (bench/out/client-<view>.trace.json). CHROMIUM_ARGS replaces the extra
 * Chromium flags (default `--disable-features=WebUIOmniboxPopup`, see below). Screenshots
 * go to bench/out/.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { chromium, type Browser } from 'playwright-core';
import { hashPassword } from '../src/app/auth/secrets.ts';
import { startServer, stopServer, type Server } from './attain-server.ts';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'bench', 'out');
const { values } = parseArgs({
  options: {
    database: { type: 'string' },
    'admin-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    runs: { type: 'string', default: '5' },
    'kpi-cache': { type: 'string', default: '64' },
  },
});
if (!values.database || !/^[a-z_][a-z0-9_]*$/.test(values.database))
  throw new Error('--database <name of a database kpi-bench --keep left>');
if (!existsSync(path.join(root, 'web', 'dist', 'index.html')))
  throw new Error('web/dist is missing: npm run build:web');
const url = new URL(values['admin-url']);
url.pathname = `/${values.database}`;
const runs = Number(values.runs);
const email = 'admin@attain.local';
const password = `Render-${randomBytes(9).toString('base64url')}-7`;

const client = new pg.Client({ connectionString: url.toString() });
await client.connect();
await client.query(
  'UPDATE users SET password_hash = $1, failed_sign_ins = 0, locked_until = NULL WHERE email = $2',
  [await hashPassword(password), email],
);
await client.end();

/** Each view's numbers on screen: the executive's won revenue card, the manager's first table row. */
const selectors = {
  executive: '[data-testid="exec-value-won_revenue"]',
  manager: '[data-testid="manager-table"] tbody tr',
} as const;
type View = keyof typeof selectors;
const p50 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

let server: Server | undefined;
let browser: Browser | undefined;
try {
  server = await startServer({
    DATABASE_URL: url.toString(),
    PORT: '0',
    HOST: '127.0.0.1',
    ATTAIN_DEMO: 'false',
    ATTAIN_SECRET: randomBytes(36).toString('base64').slice(0, 48),
    ATTAIN_FISCAL_YEAR_START_MONTH: '1',
    ATTAIN_KPI_CACHE_ENTRIES: values['kpi-cache'],
    NODE_ENV: 'production',
  });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      // Chromium 156 preloads its WebUI omnibox popup (chrome://omnibox-popup.top-chrome) in a
      // renderer of its own for each new page: ~1.4 s of CPU per open in a trace, on the same two
      // cores as the page timed. Not the page's work; off unless CHROMIUM_ARGS says otherwise.
      ...(process.env.CHROMIUM_ARGS?.split(' ').filter(Boolean) ?? ['--disable-features=WebUIOmniboxPopup']),
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const signInPage = await context.newPage();
  await signInPage.goto(`${server.url}/`);
  await signInPage.getByLabel('Email').fill(email);
  await signInPage.getByLabel('Password').fill(password);
  await signInPage.getByLabel('Password').press('Enter');
  await signInPage.getByTestId('user-menu-button').waitFor();
  await signInPage.close();

  mkdirSync(out, { recursive: true });
  const result: Record<string, unknown> = {
    startedAt: new Date().toISOString(),
    kpiCacheEntries: Number(values['kpi-cache']),
    loadAverage: os.loadavg(),
  };
  const open = async (view: View, shot?: string): Promise<{ ms: number; inPageMs: number; rows: number }> => {
    const page = await context.newPage();
    const started = performance.now();
    // Each API answer's size and when it arrived, to see what the time goes to.
    const answers: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/') || request.url().includes('/assets/'))
        answers.push(
          `${Math.round(performance.now() - started)} ms sent ${request.url().replace(/^.*\/(api|assets)\//, '')}`,
        );
    });
    // The size from the content-length header: asking for the body (response.body()) would copy
    // megabytes out of the browser through the driver while the page is being timed.
    page.on('response', (response) => {
      if (!response.url().includes('/api/')) return;
      const at = Math.round(performance.now() - started);
      const length = Number(response.headers()['content-length'] ?? Number.NaN);
      const size = Number.isNaN(length) ? '?' : String(Math.round(length / 1024));
      answers.push(`${at} ms ${size} KB ${response.url().replace(/^.*\/api\//, '')}`);
    });
    // TRACE=1: a Chrome trace of the last open of each view (bench/out/client-<view>.trace.json).
    const trace = process.env.TRACE && shot ? path.join(out, `client-${view}.trace.json`) : undefined;
    if (trace)
      await browser!.startTracing(page, {
        path: trace,
        categories: ['devtools.timeline', 'v8', 'v8.execute', 'blink', 'loading', 'toplevel'],
      });
    const cdp = process.env.PROFILE && shot ? await context.newCDPSession(page) : undefined;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    // In the page: when the numbers enter the document, on the page's clock (0 = navigation start),
    // so the time does not depend on how often the driver polls a busy page.
    await page.addInitScript((selector: string) => {
      const w = window as unknown as { firstNumbersAt?: number };
      new MutationObserver((_, observer) => {
        if (w.firstNumbersAt === undefined && document.querySelector(selector)) {
          w.firstNumbersAt = performance.now();
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    }, selectors[view]);
    await page.goto(
      `${server!.url}/measure/dashboard?view=${view}&period=quarter&calendar=calendar&at=2024-11-15`,
    );
    await page.locator(selectors[view]).first().waitFor({ timeout: 120_000 });
    if (trace) await browser!.stopTracing();
    if (cdp) {
      const { profile } = await cdp.send('Profiler.stop');
      writeFileSync(path.join(out, `client-${view}.cpuprofile`), JSON.stringify(profile));
    }
    const ms = performance.now() - started;
    const inPageMs = await page.evaluate(
      () => (window as unknown as { firstNumbersAt?: number }).firstNumbersAt ?? -1,
    );
    const rows = view === 'manager' ? await page.getByTestId('manager-table').locator('tbody tr').count() : 0;
    if (shot) {
      await page.screenshot({ path: path.join(out, shot) });
      process.stderr.write(`${view} requests:\n  ${answers.join('\n  ')}\n`);
    }
    await page.close();
    return { ms: Math.round(ms), inPageMs: Math.round(inPageMs), rows };
  };
  result.coldExecutive = await open('executive');
  process.stderr.write(`cold (loads the snapshots): executive ${JSON.stringify(result.coldExecutive)}\n`);
  for (const view of Object.keys(selectors) as View[]) {
    const times: number[] = [];
    const inPage: number[] = [];
    let rows = 0;
    for (let r = 0; r < runs; r++) {
      const opened = await open(view, r === runs - 1 ? `dashboard-render-${view}.png` : undefined);
      times.push(opened.ms);
      inPage.push(opened.inPageMs);
      rows = opened.rows;
    }
    result[view] = { runsMs: times, p50Ms: p50(times), inPageRunsMs: inPage, inPageP50Ms: p50(inPage), rows };
    process.stderr.write(`${view}: ${JSON.stringify(result[view])}\n`);
  }
  result.loadAverageAtEnd = os.loadavg();
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await browser?.close();
  if (server) await stopServer(server);
}
