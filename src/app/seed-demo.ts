import { sql } from 'kysely';
import type { Attain } from './create-attain.ts';
import { loadDemo } from './load-demo.ts';

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
  const counts = await loadDemo(store, {
    seed: config.demo.seed,
    reps: config.demo.reps,
    months: 24,
    asOf: clock.now().slice(0, 10),
    fiscalYearStartMonth: config.fiscalYearStartMonth,
  });
  return { reps: config.demo.reps, opportunities: counts.opportunity?.inserted ?? 0 };
}
