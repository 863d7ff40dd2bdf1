// The compensation engine's compute phase alone, on synthetic columns built in memory (no
// database): the plan of bench/comp-bench.ts, 20% of deals split 60/40, two-level roll-up.
//   RUNS=5 npx tsx bench/comp-compute.ts [transactions=1000000] [payees=10000]
import { CompColumnsBuilder } from '../src/domain/comp/comp-columns.ts';
import { calculateFromColumns } from '../src/domain/comp/calculate-compensation.ts';
import { validatePlanShape } from '../src/domain/comp/plan-document.ts';
import { fromCivilDate } from '../src/domain/calendar/day-number.ts';
import { benchPlanSource } from './comp-plan.ts';

const N = Number(process.argv[2] ?? 1_000_000);
const PAYEES = Number(process.argv[3] ?? 10_000);
const plan = validatePlanShape(benchPlanSource).plan!;

let seed = 42;
const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const directors = Math.max(1, Math.floor(PAYEES / 100));
const managers = Math.max(1, Math.floor(PAYEES / 10));
const reps = PAYEES - directors - managers;
const periods = Array.from({ length: 12 }, (_, m) => `2026-${String(m + 1).padStart(2, '0')}`);
let t0 = performance.now();
const b = new CompColumnsBuilder({ currency: 'USD', periods, capacity: N });
const id = (k: number) => `P${String(k + 1).padStart(5, '0')}`;
for (let k = 0; k < PAYEES; k++)
  b.payee(id(k), `Person ${k}`, k < directors ? 'director' : k < directors + managers ? 'manager' : 'rep');
const start = fromCivilDate(2026, 1, 1);
for (let k = directors; k < directors + managers; k++) b.addReporting(id(k), id(k % directors), start - 400);
for (let k = directors + managers; k < PAYEES; k++)
  b.addReporting(id(k), id(directors + (k % managers)), start - 400);
for (let k = 0; k < PAYEES; k++)
  for (const p of periods)
    b.addQuota(
      id(k),
      p,
      'revenue',
      k < directors ? 10_000_000_000 : k < directors + managers ? 1_000_000_000 : 100_000_000,
    );
const row = { id: '', name: '', day: 0, owner: '', amountMinor: 0, marginMinor: 0, marginPct: 0 };
for (let i = 0; i < N; i++) {
  row.day = start + Math.floor((i * 365) / N);
  row.id = `D${String(i).padStart(9, '0')}`;
  row.name = row.id;
  row.owner = id(directors + managers + Math.floor(rand() * reps));
  row.amountMinor = 100_00 + Math.floor(rand() * 5_000_000);
  row.marginPct = Math.floor(rand() * 60);
  row.marginMinor = Math.round((row.amountMinor * row.marginPct) / 100);
  b.addTransaction(row);
  if (rand() < 0.2) {
    b.addSplit(row.owner, 600_000);
    b.addSplit(id(directors + managers + Math.floor(rand() * reps)), 400_000);
  }
}
const columns = b.build();
console.log(`build ${N} rows: ${(performance.now() - t0).toFixed(0)} ms`);
for (let run = 0; run < Number(process.env.RUNS ?? 3); run++) {
  t0 = performance.now();
  const c0 = process.cpuUsage();
  const r = calculateFromColumns(plan, columns);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  console.log(`  cpu user ${(cpu.user / 1000).toFixed(0)} ms system ${(cpu.system / 1000).toFixed(0)} ms`);
  let total = 0;
  for (const v of r.totals.earnings) total += v;
  console.log(
    `compute run ${run + 1}: ${ms.toFixed(0)} ms, lines ${r.lineCount}, payees ${r.payeeIds.length}, earnings ${total}, issues ${r.issues.length}`,
  );
}
const mem = process.memoryUsage();
console.log(
  `rss ${(mem.rss / 1e6).toFixed(0)} MB heap ${(mem.heapUsed / 1e6).toFixed(0)} MB peak rss ${(process.resourceUsage().maxRSS / 1e3).toFixed(0)} MB`,
);
