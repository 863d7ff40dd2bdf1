import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

async function attain(args: string[], env: Record<string, string>) {
  let out = '';
  let err = '';
  const code = await runCli(args, env, { out: (t) => (out += t), err: (t) => (err += t), isTty: false });
  return { code, out, err };
}

// Raj wins 3,000.00 in 2025 Q1 and 500.00 in Q2; Lea 2,000.25 in Q1. Nothing else.
const files = {
  'people.csv': [
    'person_key,name,role,manager_key,team,region,hired_on',
    'maya,Maya Manager,manager,,North,EMEA,2020-01-01',
    'raj,Raj Rep,rep,maya,North,EMEA,2020-01-01',
    'lea,Lea Rep,rep,maya,North,EMEA,2020-01-01',
  ],
  'opportunities.csv': [
    'opportunity_key,stage,created_on,owner_key,amount,currency,close_on,closed_on',
    'o1,Closed Won,2025-01-01,raj,3000.00,USD,2025-02-01,2025-02-01',
    'o2,Closed Lost,2025-01-05,raj,1000.00,USD,2025-03-01,2025-03-01',
    'o3,Closed Won,2025-02-01,lea,2000.25,USD,2025-03-11,2025-03-11',
    'o4,Closed Won,2025-04-01,raj,500.00,USD,2025-05-01,2025-05-01',
  ],
};

describe('attain forecast backtest', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attain-forecast-cli-'));
  const env = { ATTAIN_DATA_DIR: path.join(dir, 'data'), ATTAIN_DEMO: 'false' };

  beforeAll(async () => {
    const paths = Object.entries(files).map(([name, lines]) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, `${lines.join('\n')}\n`);
      return file;
    });
    const result = await attain(['import', ...paths, '--mapping', 'attain'], env);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
  });

  it('scores the past quarters against what was won, as JSON, by rep', async () => {
    const result = await attain(
      [
        'forecast',
        'backtest',
        '--periods',
        '2',
        '--as-of',
        '2025-06-30',
        '--by',
        'rep',
        '--horizons',
        'period_start',
        '--trials',
        '200',
        '--format',
        'json',
      ],
      env,
    );
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out);
    expect(report.periods.map((p: { label: string }) => p.label)).toEqual(['FY2025 Q1', 'FY2025 Q2']);
    expect(report.shockWindows).toBe(8);
    const actual = (period: string) =>
      Object.fromEntries(
        report.rows
          .filter((r: { period: string }) => r.period === period)
          .map((r: { key: number; actual: string }) => [r.key, r.actual]),
      );
    expect(Object.values(actual('FY2025 Q1')).sort()).toEqual(['2000.25', '3000.00']);
    expect(Object.values(actual('FY2025 Q2'))).toContain('500.00');
    expect(report.scores.map((s: { method: string }) => s.method)).toEqual([
      'stage_weighted',
      'historical',
      'propensity',
      'monte_carlo',
    ]);
    // Four closed deals are too few for a propensity model: it falls back to the historical method.
    for (const row of report.rows) expect(row.propensity).toBe(row.historical);
    expect(report.dealScores).toEqual([]);
    for (const s of report.scores) expect(s.outcomes).toBeGreaterThanOrEqual(3);
  });

  it('reports only the methods asked for, as a table', async () => {
    const result = await attain(
      [
        'forecast',
        'backtest',
        '--periods',
        '2',
        '--as-of',
        '2025-06-30',
        '--method',
        'stage_weighted',
        '--trials',
        '100',
      ],
      env,
    );
    expect(result.code).toBe(0);
    expect(result.out).toContain('Backtest of 2 periods (FY2025 Q1 to FY2025 Q2) by company');
    expect(result.out).toContain('common shock from up to 8 past periods');
    expect(result.out).toContain('stage_weighted');
    expect(result.out).not.toContain('monte_carlo');
  });

  it('refuses a bad request with exit code 2 and names the field', async () => {
    const result = await attain(
      [
        'forecast',
        'backtest',
        '--periods',
        '0',
        '--shock-windows',
        '30',
        '--as-of',
        '2025-13-45',
        '--format',
        'json',
      ],
      env,
    );
    expect(result.code).toBe(2);
    // With --format json the problem is JSON on standard output, each naming its field.
    const problem = JSON.parse(result.out || result.err);
    expect(problem.error.problems.map((p: { field: string }) => p.field)).toEqual([
      'periods',
      'shock-windows',
      'as-of',
    ]);
  });
});
