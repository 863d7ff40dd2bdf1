// Monte Carlo of 10,000 trials over 100,000 open deals (issue 7 benchmark target: <= 2 s).
// Deals get in-period win probabilities as the historical model gives a quarter's pipeline
// (a spread from 0.01 to 0.9, mean about 0.2), 32 amount-ratio points per stage, 50 groups, and
// 200 expected new deals per group drawn from 400 amounts.
// Run: npx tsx bench/forecast-monte-carlo.ts [groups=1] [shockSd=0]
import { simulateRevenue } from '../src/domain/forecast/monte-carlo.ts';
const deals = 100_000,
  trials = 10_000,
  groups = Number(process.argv[2] ?? 1),
  shockSd = Number(process.argv[3] ?? 0);
let s = 12345;
const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
const group = new Int32Array(deals),
  amountMinor = new Float64Array(deals),
  probability = new Float64Array(deals),
  ratioOffset = new Int32Array(deals);
let sumP = 0;
for (let i = 0; i < deals; i++) {
  group[i] = i % groups;
  amountMinor[i] = Math.round(Math.exp(14 + rnd() * 2));
  probability[i] = rnd() < 0.2 ? 0.4 + rnd() * 0.5 : 0.01 + rnd() * 0.2;
  sumP += probability[i]!;
  ratioOffset[i] = (i % 6) * 32;
}
const amountRatio = Float64Array.from({ length: 6 * 32 }, (_, k) => 0.8 + (k % 32) / 80);
const amounts = Float64Array.from({ length: groups * 400 }, () => Math.round(Math.exp(14 + rnd() * 2)));
const offsets = Int32Array.from({ length: groups + 1 }, (_, g) => g * 400);
const input = {
  trials,
  seed: 42,
  groupCount: groups,
  deals: { count: deals, group, amountMinor, probability, ratioOffset },
  amountRatio,
  closedMinor: new Float64Array(groups),
  newDeals: { expectedCount: new Float64Array(groups).fill(200 / groups), amounts, offsets },
  shockSd,
};
console.log(
  `mean in-period probability ${(sumP / deals).toFixed(3)}, groups ${groups}, common shock sd ${shockSd}`,
);
for (let run = 0; run < 5; run++) {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const r = simulateRevenue(input);
  const used = process.cpuUsage(cpu);
  console.log(
    `run ${run}: wall ${(performance.now() - t).toFixed(0)} ms, cpu ${((used.user + used.system) / 1000).toFixed(0)} ms  P10 ${(r.p10[0]! / 1e8).toFixed(1)}M P50 ${(r.p50[0]! / 1e8).toFixed(1)}M P90 ${(r.p90[0]! / 1e8).toFixed(1)}M`,
  );
}
