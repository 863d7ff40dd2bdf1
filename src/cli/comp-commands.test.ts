import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAttain } from '../app/create-attain.ts';
import { systemActor } from '../app/audit/audit-log.ts';
import { systemClock } from '../app/ports.ts';
import { loadConfig } from '../config/config.ts';
import { runCli } from './run-cli.ts';

async function attain(args: string[], env: Record<string, string>) {
  let out = '';
  let err = '';
  const code = await runCli(args, env, { out: (t) => (out += t), err: (t) => (err += t), isTty: false });
  return { code, out, err };
}

// Maya manages Raj and Lea. Raj won 3,000 on 2025-02-01 and 500 on 2025-05-01, Lea 2,000.25 on
// 2025-03-11. The plan pays 10% of won revenue by month.
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
    'o3,Closed Won,2025-02-01,lea,2000.25,USD,2025-03-11,2025-03-11',
    'o4,Closed Won,2025-04-01,raj,500.00,USD,2025-05-01,2025-05-01',
  ],
};

const plan = [
  'id: ten-percent',
  'name: Ten percent',
  'period: month',
  'effective_from: 2025-01-01',
  'credit:',
  '  types: [{ id: revenue, amount: amount }]',
  'components:',
  '  - { id: commission, kind: commission, credit: revenue, rate: 10% }',
  '',
].join('\n');

describe('attain comp', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attain-comp-cli-'));
  const env = { ATTAIN_DATA_DIR: path.join(dir, 'data'), ATTAIN_DEMO: 'false' };

  beforeAll(async () => {
    const paths = Object.entries(files).map(([name, lines]) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, `${lines.join('\n')}\n`);
      return file;
    });
    const result = await attain(['import', ...paths, '--mapping', 'attain'], env);
    expect(result.code, result.err).toBe(0);
    // Plans are written in the UI or the API; here straight through the application.
    const app = await createAttain(loadConfig(env), systemClock);
    try {
      await app.comp.savePlan('ten-percent', plan, systemActor('test'));
      for (const position of ['raj', 'lea'])
        await app.comp.assignPlan('ten-percent', { position, from: '2025-01-01' }, systemActor('test'));
    } finally {
      await app.close();
    }
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs a period and prints what it paid', async () => {
    const result = await attain(['comp', 'run', '--period', '2025-02'], env);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out.split('\n')[0]).toBe(
      'Run 1 of 2025-02: 2 payees, earnings 300.00, payable 300.00 (1 lines).',
    );
    expect(result.out).toMatch(/plan ten-percent v1 \([0-9a-f]{12}\)/);
  });

  it('closes a period, which is then never run again', async () => {
    const closed = await attain(['comp', 'close', '2025-02'], env);
    expect(closed.out).toBe('Closed 2025-02 on run 1.\n');
    expect(closed.code).toBe(0);
    const again = await attain(['comp', 'run', '--period', '2025-02'], env);
    expect(again.code).toBe(5);
    expect(again.err).toContain('Period 2025-02 is closed');
  });

  it('runs some payees as JSON and compares two runs', async () => {
    const march = await attain(
      ['comp', 'run', '--period', '2025-03', '--payee', 'lea', '--format', 'json'],
      env,
    );
    expect(march.code, march.err).toBe(0);
    const run = JSON.parse(march.out);
    expect(run).toMatchObject({
      id: 2,
      period: '2025-03',
      status: 'succeeded',
      payees: ['lea'],
      // 10% of 2,000.25 is 200.025: half to even, 200.02.
      summary: { payees: 1, earnings: '200.02', payable: '200.02' },
    });
    const diff = await attain(['comp', 'diff', '1', '2', '--format', 'json'], env);
    expect(diff.code, diff.err).toBe(0);
    const comparison = JSON.parse(diff.out);
    expect(comparison.totalsBefore.payable).toBe('300.00');
    expect(comparison.totalsAfter.payable).toBe('200.02');
    const text = await attain(['comp', 'diff', '1', '2'], env);
    expect(text.out.split('\n')[0]).toBe(
      `Run 1 → run 2: ${comparison.statements.length} statements changed, ${comparison.unchangedStatements} unchanged; payable 300.00 → 200.02 (${comparison.totalsDelta.payable}).`,
    );
  });

  it('refuses a period that is not one, and an unknown run, with their exit codes', async () => {
    const bad = await attain(['comp', 'run', '--period', '2025-13', '--format', 'json'], env);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.out).error.problems[0]).toMatchObject({ field: 'period', value: '2025-13' });
    const missing = await attain(['comp', 'diff', '1', '99'], env);
    expect(missing.code).toBe(4);
    expect((await attain(['comp', 'diff', 'x', '2'], env)).code).toBe(2);
  });

  it('simulates a plan with no database', async () => {
    const result = await attain(
      [
        'comp',
        'simulate',
        '--plan',
        'examples/plans/adjustments.yaml',
        '--input',
        'examples/plans/adjustments.input.json',
        '--format',
        'json',
      ],
      env,
    );
    expect(result.code, result.err).toBe(0);
    expect(JSON.parse(result.out).statements.length).toBeGreaterThan(0);
  });
});
