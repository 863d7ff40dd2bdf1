import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

async function attain(args: string[], env: Record<string, string>) {
  let out = '';
  let err = '';
  const code = await runCli(args, env, { out: (t) => (out += t), err: (t) => (err += t), isTty: false });
  return { code, out, err };
}

// Maya manages Raj and Lea. Raj: 3,000 won and 1,000 lost in 2025 Q1, 500 won in Q2. Lea: 2,000.25
// won in Q1. Each rep carries 10,000 for Q1; Maya's 20,000 is their roll-up and must not count again.
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
  'quotas.csv': [
    'person_key,period_kind,period_starts_on,measure,target,currency',
    'raj,quarter,2025-01-01,revenue,10000.00,USD',
    'lea,quarter,2025-01-01,revenue,10000.00,USD',
    'maya,quarter,2025-01-01,revenue,20000.00,USD',
  ],
};

describe('attain kpi', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attain-kpi-cli-'));
  const env = { ATTAIN_DATA_DIR: path.join(dir, 'data'), ATTAIN_DEMO: 'false' };
  const q1 = ['--period', 'quarter', '--at', '2025-02-15', '--as-of', '2025-06-30'];

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
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints an aligned table, ratios as percentages, reps’ quotas only', async () => {
    const result = await attain(
      ['kpi', 'won_revenue', 'win_rate,quota', 'quota_attainment', '--by', 'rep', ...q1],
      env,
    );
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toBe(
      [
        'FY2025 Q1 (2025-01-01 to 2025-03-31) by rep, as of 2025-06-30, in USD',
        'Rep      Won revenue (USD)  Win rate  Quota (USD)  Quota attainment',
        'Lea Rep            2000.25    100.0%     10000.00             20.0%',
        'Raj Rep            3000.00     50.0%     10000.00             30.0%',
        '',
      ].join('\n'),
    );
    const manager = await attain(['kpi', 'quota', '--by', 'manager', ...q1, '--format', 'json'], env);
    expect(JSON.parse(manager.out).groups).toEqual([
      {
        key: expect.any(Number),
        label: 'Maya Manager',
        metrics: { quota: { value: '20000.00', target: '20000.00' } },
      },
    ]);
  });

  it('writes CSV with the prior period and the change, negative changes as plain numbers', async () => {
    const result = await attain(
      [
        'kpi',
        'won_revenue',
        '--by',
        'team',
        '--period',
        'quarter',
        '--at',
        '2025-05-01',
        '--as-of',
        '2025-06-30',
      ].concat(['--compare', 'prior_period', '--format', 'csv']),
      env,
    );
    expect(result.code).toBe(0);
    expect(result.out).toMatch(
      /^group_key,group,won_revenue,won_revenue_prior,won_revenue_change\r\n\d+,North,500\.00,5000\.25,-4500\.25\r\n$/,
    );
  });

  it('answers JSON with the records behind each number', async () => {
    const result = await attain(
      ['kpi', 'won_deals', '--by', 'company', ...q1, '--with-records', '--format', 'json'],
      env,
    );
    const report = JSON.parse(result.out);
    expect(report.period).toEqual({ from: '2025-01-01', to: '2025-04-01', label: 'FY2025 Q1' });
    expect(report.groups[0].metrics.won_deals.value).toBe(2);
    expect(report.groups[0].metrics.won_deals.records.ids).toHaveLength(2);
  });

  it('exits 2 naming every problem at once, before opening the database', async () => {
    const result = await attain(
      ['kpi', 'won_revenue', 'winrate', '--period', 'fortnight', '--at', '2025-02-30', '--format', 'json'],
      { ...env, ATTAIN_DATA_DIR: path.join(dir, 'never-created') },
    );
    expect(result.code).toBe(2);
    expect(JSON.parse(result.out).error.problems.map((p: { field: string }) => p.field)).toEqual([
      'metrics',
      'period',
      'at',
    ]);
    expect(fs.existsSync(path.join(dir, 'never-created'))).toBe(false);
    const badChoice = await attain(['kpi', 'won_revenue', '--by', 'owner'], env);
    expect(badChoice.code).toBe(2);
    expect(badChoice.err).toContain("argument 'owner' is invalid");
  });
});
