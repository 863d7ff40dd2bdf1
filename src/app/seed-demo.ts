import { sql } from 'kysely';
import type { Attain } from './create-attain.ts';
import { demoHistoryStart, loadDemo } from './load-demo.ts';
import { seedCompDemo } from './comp/seed-comp-demo.ts';

/** On first start, an empty database gets the generated demo organisation (ATTAIN_DEMO=false to skip). */
export async function seedDemoIfEmpty(
  attain: Attain,
  log: (line: string) => void,
): Promise<{ reps: number; opportunities: number } | null> {
  const { config, store, clock } = attain;
  if (!config.demo.enabled) return null;
  const result = await sql<{ has_data: boolean }>`
    SELECT EXISTS (SELECT 1 FROM opportunities) OR EXISTS (SELECT 1 FROM people) OR EXISTS (SELECT 1 FROM imports) AS has_data`.execute(
    store.db,
  );
  if (result.rows[0]?.has_data) return null;
  log(
    `Empty database: generating the demo organisation (${config.demo.reps} reps, seed ${config.demo.seed})...`,
  );
  const asOf = clock.now().slice(0, 10);
  const counts = await loadDemo(store, {
    seed: config.demo.seed,
    reps: config.demo.reps,
    months: 24,
    asOf,
    fiscalYearStartMonth: config.fiscalYearStartMonth,
  });
  attain.access.invalidate();
  const comp = await seedCompDemo(attain.comp, {
    asOf,
    historyStartsOn: demoHistoryStart(asOf, 24),
    runMonth: true,
  });
  if (comp.run)
    log(
      `Compensation: plans ${comp.plans.join(', ')} for ${comp.assignments} positions; ${comp.run.period} computed in ${comp.runMs} ms (run ${comp.run.id}: ${comp.run.summary?.payees ?? 0} statements, ${comp.run.status}).`,
    );
  const started = performance.now();
  const submissions = await attain.forecast.seedDemoHistory({ seed: config.demo.seed, count: 8 });
  log(
    `Forecast: ${submissions} demo submissions of reps and managers over the last 8 quarters, for the accuracy of each layer (${Math.round(performance.now() - started)} ms).`,
  );
  return { reps: config.demo.reps, opportunities: counts.opportunity?.inserted ?? 0 };
}
