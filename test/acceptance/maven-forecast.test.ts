// Acceptance: the forecast backtest on the Maven CRM sample through `attain forecast backtest`.
// Maven's deals close from March to December 2017, so the periods are the 8 months May–December
// 2017 (there are not 8 quarters), each forecast at its start, at week 4 and three weeks before its
// end, from the pipeline as it stood then. The history is what the maven mapping can infer: a deal
// is created on its engage date in Engaging and moves to Won or Lost on its close date (docs/import.md),
// so the historical method rests on stage × age alone: there are no close-date pushes or amount
// changes, and open deals have no expected close date. The limits are stated in docs/forecasting.md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.ts';
import { hasSharedData, sharedDataDir } from '../shared-data.ts';

const maven = path.join(sharedDataDir, 'maven-crm-sales-opportunities');
const files = ['sales_teams.csv', 'accounts.csv', 'products.csv', 'sales_pipeline.csv'];

async function attain(args: string[], env: Record<string, string>) {
  let out = '';
  let err = '';
  const code = await runCli(args, env, { out: (t) => (out += t), err: (t) => (err += t), isTty: false });
  return { code, out, err };
}

type Score = {
  method: string;
  horizon: string;
  outcomes: number;
  wape: number;
  bias: number;
  coverage: number | null;
};

describe.runIf(hasSharedData('maven-crm-sales-opportunities'))(
  'attain forecast backtest over the Maven CRM sample',
  () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attain-maven-forecast-'));
    const env = { ATTAIN_DATA_DIR: dataDir, ATTAIN_DEMO: 'false' };
    let report: { periods: { label: string }[]; scores: Score[]; rows: { actual: string }[] };

    beforeAll(async () => {
      const imported = await attain(
        ['import', ...files.map((f) => path.join(maven, f)), '--mapping', 'maven', '--format', 'json'],
        env,
      );
      expect(imported.code).toBe(0);
      const result = await attain(
        [
          'forecast',
          'backtest',
          '--period',
          'month',
          '--periods',
          '8',
          '--as-of',
          '2017-12-31',
          '--format',
          'json',
        ],
        env,
      );
      expect(result.err).toBe('');
      expect(result.code).toBe(0);
      report = JSON.parse(result.out);
      console.table(
        report.scores.map((s) => ({
          horizon: s.horizon,
          method: s.method,
          periods: s.outcomes,
          wape: s.wape?.toFixed(3),
          bias: s.bias?.toFixed(3),
          coverage: s.coverage?.toFixed(2),
        })),
      );
    }, 300_000);

    const score = (method: string, horizon: string) =>
      report.scores.find((s) => s.method === method && s.horizon === horizon)!;

    it('scores the 8 months May to December 2017, each with revenue won', () => {
      expect(report.periods.map((p) => p.label)).toEqual([
        'FY2017 M05',
        'FY2017 M06',
        'FY2017 M07',
        'FY2017 M08',
        'FY2017 M09',
        'FY2017 M10',
        'FY2017 M11',
        'FY2017 M12',
      ]);
      for (const s of report.scores) expect(s.outcomes).toBe(8);
      expect(report.rows.every((r) => Number(r.actual) > 0)).toBe(true);
    });

    it('beats the stage-weighted pipeline at the start of the period and at week 4', () => {
      for (const horizon of ['period_start', 'week_4']) {
        expect(score('monte_carlo', horizon).wape).toBeLessThan(score('stage_weighted', horizon).wape);
        expect(score('historical', horizon).wape).toBeLessThan(score('stage_weighted', horizon).wape);
      }
    });
  },
);
