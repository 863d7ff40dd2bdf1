/**
 * Cold start: `attain serve` on an empty data directory (create the embedded database, migrate,
 * generate and load the demo organisation) until the first page is served.
 * Run: npx tsx bench/cold-start.ts [runs=3]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const runs = Number(process.argv[2] ?? 3);
const root = path.resolve(import.meta.dirname, '..');
const results: number[] = [];

for (let run = 0; run < runs; run++) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attain-cold-'));
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(root, 'bin', 'attain.mjs'), 'serve'], {
    env: { ...process.env, PORT: '0', ATTAIN_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  let firstPageMs = 0;
  for (;;) {
    const response = await fetch(url).catch(() => undefined);
    if (response?.ok && (await response.text()).includes('<div id="root">')) {
      firstPageMs = performance.now() - started;
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const counts = (await (await fetch(`${url}/api/data/counts`)).json()) as {
    counts: { opportunities: number };
  };
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  fs.rmSync(dataDir, { recursive: true, force: true });
  results.push(firstPageMs);
  console.error(
    `run ${run + 1}: first page after ${(firstPageMs / 1000).toFixed(1)} s (demo: ${counts.counts.opportunities} opportunities)`,
  );
}
const sorted = [...results].sort((a, b) => a - b);
console.log(
  JSON.stringify({
    benchmark: 'cold-start',
    runs,
    medianMs: Math.round(sorted[Math.floor(runs / 2)]!),
    maxMs: Math.round(sorted.at(-1)!),
    allMs: results.map(Math.round),
  }),
);
