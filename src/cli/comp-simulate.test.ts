import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { isAppError } from '../domain/errors.ts';
import { registerSimulateCommand, simulateCommand } from './comp-simulate.ts';
import { exitCodeFor } from './exit-codes.ts';

const examples = path.resolve(import.meta.dirname, '..', '..', 'examples', 'plans');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attain-simulate-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** `attain comp simulate ...` as run-cli.ts runs it: a `comp` group, errors mapped to exit codes. */
async function attain(args: string[]) {
  let out = '';
  let err = '';
  const io = { out: (t: string) => (out += t), err: (t: string) => (err += t) };
  const program = new Command('attain')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  registerSimulateCommand(program.command('comp'), io);
  let code = 0;
  try {
    await program.parseAsync(['comp', 'simulate', ...args], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) code = exitCodeFor('validation');
    else if (isAppError(error)) {
      code = exitCodeFor(error.code);
      err += `${error.message}\n${error.problems
        .map(
          (p) =>
            `  - ${[p.file, p.line ? `line ${p.line}` : undefined, p.field].filter(Boolean).join(', ')}: ${p.message}`,
        )
        .join('\n')}\n`;
    } else throw error;
  }
  return { code, out, err };
}

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

const plan = path.join(examples, 'worked-split.yaml');

describe('attain comp simulate', () => {
  it('prints the statements in sentences', async () => {
    const result = await attain(['--plan', plan, '--input', path.join(examples, 'worked-split.input.json')]);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain('Plan worked-split version 1, period 2026-03, in USD.');
    expect(result.out).toContain('Alice Ng (alice), 2026-03:');
    expect(result.out).toContain('Bob Osei (bob), 2026-03:');
    expect(result.out).toMatch(/In total: earned \$50\.00.*payable \$50\.00\./);
  });

  it('prints the CompResult as JSON with keys in a fixed order', async () => {
    const result = await attain([
      '--plan',
      plan,
      '--input',
      path.join(examples, 'worked-split.input.json'),
      '--format',
      'json',
    ]);
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.out);
    expect(Object.keys(parsed)).toEqual([
      'engineVersion',
      'plan',
      'inputFingerprint',
      'currency',
      'periods',
      'statements',
      'issues',
    ]);
    expect(Object.keys(parsed.statements[0]).slice(0, 4)).toEqual([
      'payee',
      'payeeName',
      'period',
      'currency',
    ]);
    expect(parsed.statements.map((s: any) => [s.payee, s.totals.earnings])).toEqual([
      ['alice', '50.00'],
      ['bob', '50.00'],
    ]);
    expect(result.out.endsWith('}\n')).toBe(true);
  });

  it('runs the plan tests with --test alone', async () => {
    const result = await attain(['--plan', plan, '--test']);
    expect(result.code).toBe(0);
    expect(result.out).toBe(
      'Plan tests: 1 of 1 passed.\n  pass  $1,000 split between alice and bob credits $500 each\n',
    );
    const json = await attain(['--plan', plan, '--test', '--format', 'json']);
    expect(JSON.parse(json.out)).toEqual({
      tests: [{ name: '$1,000 split between alice and bob credits $500 each', passed: true, failures: [] }],
    });
  });

  it('fails with exit code 2 when a plan test fails, saying expected and actual', async () => {
    const text = fs
      .readFileSync(plan, 'utf8')
      .replace(
        '{ payee: bob, period: 2026-03, earnings: "50.00" }',
        '{ payee: bob, period: 2026-03, earnings: "60" }',
      );
    const result = await attain(['--plan', write('failing.yaml', text), '--test']);
    expect(result.code).toBe(2);
    expect(result.err).toContain('1 of 1 plan tests failed in failing.yaml.');
    expect(result.err).toContain(
      'failing.yaml, $1,000 split between alice and bob credits $500 each: bob 2026-03 earnings: expected 60, got 50.00',
    );
  });

  it('reports plan problems with file, line and field, and exits 2', async () => {
    const text = fs.readFileSync(plan, 'utf8').replace('rate: 10% }', 'rate: ten, multiplers: [] }');
    const result = await attain([
      '--plan',
      write('bad.yaml', text),
      '--input',
      path.join(examples, 'worked-split.input.json'),
    ]);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/The plan bad\.yaml is not valid \(2 problems\)/);
    expect(result.err).toMatch(/bad\.yaml, line \d+, components\[0\]\.rate: expected a rate/);
    expect(result.err).toMatch(
      /bad\.yaml, line \d+, components\[0\]\.multiplers: unknown field "multiplers"/,
    );
  });

  it('reports input problems in a JSON file with their lines', async () => {
    const input = write(
      'input.json',
      `{
  "periods": ["2026-03"],
  "transactions": [
    { "id": "O-1", "date": "2026-03-10", "owner": "alice", "amount": "1,000" }
  ]
}
`,
    );
    const result = await attain(['--plan', plan, '--input', input]);
    expect(result.code).toBe(2);
    expect(result.err).toContain('input.json, line 4, transactions[0].amount: expected an amount');
  });

  it('reads a directory of CSV files, with splits as "payee:share;..." and other columns as attributes', async () => {
    const input = path.join(dir, 'csv');
    write(
      'csv/transactions.csv',
      'id,date,owner,amount,splits,channel\nO-1,2026-03-10,alice,1000,alice:50%;bob:50%,partner\n',
    );
    write('csv/input.json', '{ "periods": ["2026-03"] }\n');
    const result = await attain(['--plan', plan, '--input', input, '--format', 'json']);
    expect(result.err).toBe('');
    const parsed = JSON.parse(result.out);
    expect(parsed.statements.map((s: any) => [s.payee, s.totals.earnings])).toEqual([
      ['alice', '50.00'],
      ['bob', '50.00'],
    ]);
  });

  it('names the CSV file, line and column of each input problem', async () => {
    const input = path.join(dir, 'bad-csv');
    write(
      'bad-csv/transactions.csv',
      'id,date,owner,amount,splits\nO-1,2026-03-10,alice,1000,alice-50%\nO-2,2026-03-32,alice,"1,000",\n',
    );
    write('bad-csv/quotas.csv', 'payee,period,measure,amount,colour\n');
    const result = await attain(['--plan', plan, '--input', input]);
    expect(result.code).toBe(2);
    expect(result.err).toContain('transactions.csv, line 2, splits: expected payee:share pairs');
    expect(result.err).toContain('quotas.csv, line 1, colour: unknown column');
    // Shape problems come after the file-level ones are fixed:
    write(
      'bad-csv/transactions.csv',
      'id,date,owner,amount\nO-1,2026-03-10,alice,1000\nO-2,2026-03-32,alice,"1,000"\n',
    );
    write('bad-csv/quotas.csv', 'payee,period,measure,amount\n');
    const second = await attain(['--plan', plan, '--input', input]);
    expect(second.err).toContain('transactions.csv, line 3, date: expected a calendar day');
    expect(second.err).toContain('transactions.csv, line 3, amount: expected an amount');
  });

  it('needs --input or --test, and a readable plan', async () => {
    expect((await attain(['--plan', plan])).code).toBe(2);
    const missing = await attain(['--plan', path.join(dir, 'nope.yaml'), '--test']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('nope.yaml: no such file');
    await expect(simulateCommand({ plan, input: path.join(dir, 'none'), format: 'json' })).rejects.toThrow(
      /no such file or directory/,
    );
  });
});
