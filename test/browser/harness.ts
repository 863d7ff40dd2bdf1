// What the browser tests share: the real server (bin/attain.mjs serve) on a free port, Debian's
// Chromium driven by playwright-core (never a downloaded browser), and full-page screenshots.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const screenshotDir = path.join(repoRoot, 'test-output', 'browser');
const chromiumPath = '/usr/bin/chromium';

export type RunningServer = { child: ChildProcess; url: string; log: () => string };

/** Builds the web UI if it is not built, checks Chromium is there, and makes the screenshot folder. */
export async function prepareBrowserTest(): Promise<void> {
  if (!existsSync(path.join(repoRoot, 'web', 'dist', 'index.html'))) {
    execFileSync(
      path.join(repoRoot, 'node_modules', '.bin', 'vite'),
      ['build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'],
      { cwd: repoRoot, stdio: 'inherit' },
    );
  }
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: apt-get install -y chromium`);
  await mkdir(screenshotDir, { recursive: true });
}

/** Starts `attain serve` on a free port and resolves with the URL it prints. */
export function startServer(env: NodeJS.ProcessEnv): Promise<RunningServer> {
  let output = '';
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/attain.mjs', 'serve'], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(
      () => reject(new Error(`The server did not say it was listening within 120 s. Output:\n${output}`)),
      120_000,
    );
    const onExit = (code: number | null, signal: string | null) => {
      clearTimeout(timer);
      reject(
        new Error(`The server exited (code ${code}, signal ${signal}) before listening. Output:\n${output}`),
      );
    };
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      output += chunk;
      const match = /Attain is listening on (http:\/\/[^\s]+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve({ child, url: match[1].replace(/\/$/, ''), log: () => output });
      }
    });
    child.stderr?.on('data', (chunk: string) => {
      output += chunk;
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', onExit);
  });
}

/**
 * `attain serve` on a fresh embedded database in a temporary directory: the demo organisation
 * with `demoReps` reps (or none), and the first administrator's password given, so that tests
 * sign in through the UI. `stop()` stops the server and removes the directory.
 */
export async function startAppServer(options: {
  name: string;
  demoReps: number | null;
  admin: { email: string; password: string };
}): Promise<RunningServer & { stop(): Promise<void> }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `attain-browser-${options.name}-`));
  const stop = async (server?: RunningServer) => {
    if (server) await stopServer(server.child);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const server = await startServer({
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      ATTAIN_DATA_DIR: dataDir,
      ATTAIN_DEMO: options.demoReps === null ? 'false' : 'true',
      ...(options.demoReps === null ? {} : { ATTAIN_DEMO_REPS: String(options.demoReps) }),
      ATTAIN_ADMIN_EMAIL: options.admin.email,
      ATTAIN_ADMIN_PASSWORD: options.admin.password,
      ATTAIN_PUBLIC_URL: '',
      DATABASE_URL: '',
      NODE_ENV: 'test',
    });
    return { ...server, stop: () => stop(server) };
  } catch (error) {
    await stop();
    throw error;
  }
}

export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killTimer);
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A fresh browser profile (its own cookies: one signed-in person) with one page. */
export async function openPage(
  browser: Browser,
  pageErrors: string[],
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    deviceScaleFactor: 1,
    locale: 'en-US',
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return { context, page };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  // Full-page captures render sticky header and sidebar at the scroll position: start from the top.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

/** Signs in through the sign-in page, submitting with Enter, and waits for the signed-in shell. */
export async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByRole('heading', { level: 1, name: 'Sign in to Attain' }).waitFor();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByLabel('Password').press('Enter');
  await page.getByTestId('user-menu-button').waitFor();
}

/** Calls the API with the page's session (its cookie, and the CSRF token for a change). */
export async function apiCall<T>(page: Page, method: string, apiPath: string, body?: unknown): Promise<T> {
  return page.evaluate(
    async ({ method, apiPath, body }) => {
      const me = await (await fetch('/api/auth/me')).json();
      const response = await fetch(apiPath, {
        method,
        headers: {
          accept: 'application/json',
          'x-csrf-token': me.csrfToken ?? '',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok)
        throw new Error(`${method} ${apiPath} answered ${response.status}: ${await response.text()}`);
      return response.json();
    },
    { method, apiPath, body },
  ) as Promise<T>;
}
