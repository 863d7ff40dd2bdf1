/**
 * Where a KPI request's time goes: the real server (`startServer`, real HTTP on loopback) in this
 * process, on a database an earlier `bench/kpi-bench.ts --keep` left, asked the benchmark's
 * questions a number of times each. Run it under `node --cpu-prof` to see the profile:
 *
 *   node --import tsx --cpu-prof --cpu-prof-dir bench/out/prof bench/kpi-profile.ts \
 *       --database attain_bench_kpi_<pid> [--runs 20] [--only <question id,...>]
 *
 * It prints each question's p50 through HTTP and the response size. A user for the run is created
 * through the set-up link flow and signed in; it is an admin, so requests are unscoped, as in
 * kpi-bench. The KPI answer cache is off (ATTAIN_KPI_CACHE_ENTRIES=0), as in kpi-bench.
 */
import { loadConfig } from '../src/config/config.ts';
import { systemActor } from '../src/app/audit/audit-log.ts';
import { startServer } from '../src/main.ts';
import { keptDatabaseArgs, kpiQuestions } from './kpi-questions.ts';

const { url, runs, only } = keptDatabaseArgs('20');

const config = loadConfig({
  DATABASE_URL: url.toString(),
  PORT: '0',
  HOST: '127.0.0.1',
  ATTAIN_DEMO: 'false',
  // Off, as in kpi-bench: a repeated question would otherwise be answered from the cache.
  ATTAIN_KPI_CACHE_ENTRIES: '0',
  ATTAIN_FISCAL_YEAR_START_MONTH: '1',
  ATTAIN_SECRET: 'kpi-profile-secret-0123456789-abcdefghijklmnop',
});
const server = await startServer(config, undefined, () => undefined);
try {
  const email = `profile-${process.pid}@attain.local`;
  const password = `Kpi-${process.pid}-correct-horse-battery-staple`;
  const { setupLink } = await server.attain.auth.createUser(
    { email, name: 'Profile', role: 'admin', personId: null, canViewPay: false },
    systemActor('kpi-profile'),
  );
  const token = new URL(setupLink.url).hash.replace('#token=', '');
  await server.attain.auth.completeAccountLink(token, password, { ip: null, userAgent: null });
  const signIn = await fetch(`${server.url}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
  if (signIn.status !== 200) throw new Error(`sign-in answered ${signIn.status}`);
  const get = async (query: string): Promise<number> => {
    const response = await fetch(server.url + query, { headers: { cookie } });
    const body = await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`GET ${query} answered ${response.status}`);
    return body.byteLength;
  };
  let started = performance.now();
  await get(kpiQuestions()[0]!.api[0]!);
  process.stderr.write(
    `first request (loads the snapshots): ${Math.round(performance.now() - started)} ms\n`,
  );
  for (const question of kpiQuestions()) {
    if (only && !only.includes(question.id)) continue;
    let bytes = 0;
    for (const query of question.api) bytes += await get(query);
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      started = performance.now();
      for (const query of question.api) await get(query);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    process.stderr.write(
      `${question.id}: p50 ${times[Math.floor(runs / 2)]!.toFixed(1)} ms, min ${times[0]!.toFixed(1)} ms, ${question.api.length} request(s), ${bytes} bytes\n`,
    );
  }
} finally {
  await server.stop();
}
