/**
 * Where the engine's time goes for the benchmark's questions asked as columns, in process, phase by
 * phase: the passes (MetricsSide.run), the whole evaluation (evaluateSeriesColumns), the JSON text
 * and its UTF-8 bytes. On a database an earlier `bench/kpi-bench.ts --keep` left:
 *
 *   npx tsx bench/kpi-engine-phases.ts --database attain_bench_kpi_<pid> [--runs 30] [--only <id,...>]
 *
 * Run it under `node --import tsx --cpu-prof` for a profile of the same calls.
 */
import { loadMetricDimensions } from '../src/app/metrics/load-metric-dimensions.ts';
import { buildQuotaRows } from '../src/app/metrics/metric-dimensions.ts';
import { prepareEvaluation } from '../src/domain/metrics/evaluate-metrics.ts';
import { evaluateSeriesColumns } from '../src/domain/metrics/evaluate-series.ts';
import type { MetricsInput } from '../src/domain/metrics/metric-types.ts';
import { MetricsSide } from '../src/domain/metrics/metrics-side.ts';
import { openDatabase } from '../src/store/open-database.ts';
import { loadActivitySnapshot, loadOpportunitySnapshot } from '../src/store/snapshot/load-snapshots.ts';
import { CURRENCY, keptDatabaseArgs, kpiQuestions } from './kpi-questions.ts';

const { url, runs, only } = keptDatabaseArgs('30');

const store = await openDatabase({ kind: 'postgres', url: url.toString() });
let input: MetricsInput;
try {
  const started = performance.now();
  const opportunities = await loadOpportunitySnapshot(store);
  const activities = await loadActivitySnapshot(store);
  const dims = await loadMetricDimensions(store);
  input = {
    opportunities,
    activities,
    dimensions: dims.dimensions,
    quotas: buildQuotaRows(dims.quotas, dims.holders, CURRENCY, 2),
  };
  process.stderr.write(`loaded in ${Math.round(performance.now() - started)} ms\n`);
} finally {
  await store.close();
}

const p50 = (times: number[]) => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
for (const question of kpiQuestions()) {
  const request = question.engineColumns;
  if (!request || (only && !only.includes(question.id))) continue;
  const passes: number[] = [];
  const whole: number[] = [];
  const text: number[] = [];
  const bytes: number[] = [];
  for (let r = 0; r <= runs; r++) {
    let t = performance.now();
    const { currencyCode, needs, resolver } = prepareEvaluation(input, {
      ...request,
      period: request.periods[0]!,
    });
    for (const period of request.periods)
      new MetricsSide(input, resolver, period, request.asOf, currencyCode, needs, new Set()).run();
    const tPasses = performance.now() - t;
    t = performance.now();
    const answer = evaluateSeriesColumns(input, request);
    const tWhole = performance.now() - t;
    t = performance.now();
    const json = JSON.stringify(answer);
    const tText = performance.now() - t;
    t = performance.now();
    Buffer.from(json, 'utf8');
    const tBytes = performance.now() - t;
    if (r === 0) continue; // warm-up
    passes.push(tPasses);
    whole.push(tWhole);
    text.push(tText);
    bytes.push(tBytes);
  }
  process.stderr.write(
    `${question.id}: passes ${p50(passes).toFixed(2)} ms, evaluation ${p50(whole).toFixed(2)} ms, ` +
      `JSON.stringify ${p50(text).toFixed(2)} ms, UTF-8 ${p50(bytes).toFixed(2)} ms (p50 of ${runs})\n`,
  );
}
