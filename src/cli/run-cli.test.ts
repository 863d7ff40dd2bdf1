import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

async function attain(args: string[], env: Record<string, string>) {
  let out = '';
  let err = '';
  const code = await runCli(args, env, { out: (t) => (out += t), err: (t) => (err += t), isTty: false });
  return { code, out, err };
}

describe('the attain command', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attain-cli-'));
  const env = { ATTAIN_DATA_DIR: path.join(dir, 'data'), ATTAIN_DEMO: 'false' };
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('imports through a user-written mapping file and says what it did, in words', async () => {
    const deals = path.join(dir, 'deals.csv');
    fs.writeFileSync(
      deals,
      'Deal - ID,Deal - Title,Deal - Stage,Deal - Value,Deal - Currency,Deal - Deal created\n17,Big deal,Proposal Made,"1,200.50",EUR,2024-05-02\n18,Small deal,Won,99,EUR,2024-05-03\n',
    );
    const mapping = path.resolve(
      import.meta.dirname,
      '..',
      '..',
      'examples',
      'mappings',
      'pipedrive-deals.yaml',
    );
    const result = await attain(['import', deals, '--mapping', mapping], env);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain('Imported deals.csv (2 rows, opportunities) with mapping pipedrive.');
    expect(result.out).toMatch(/opportunities\s+2 new\s+0 updated\s+0 unchanged/);
  });

  it('exits 3 with every error listed when an import is rejected, in JSON for scripts', async () => {
    const bad = path.join(dir, 'accounts.csv');
    fs.writeFileSync(bad, 'account_key,name,employees\nacc-1,Acme,many\nacc-2,,12\n');
    const result = await attain(['import', bad, '--mapping', 'attain', '--format', 'json'], env);
    expect(result.code).toBe(3);
    const report = JSON.parse(result.out);
    expect(report.errors).toEqual([
      { file: 'accounts.csv', line: 2, field: 'employees', value: 'many', message: 'is not a whole number' },
      { file: 'accounts.csv', line: 3, field: 'name', value: '', message: 'is required' },
    ]);
  });

  it('exits 2 naming the problem for an unknown mapping or a missing file', async () => {
    const unknownMapping = await attain(['import', 'x.csv', '--mapping', 'sap'], env);
    expect(unknownMapping.code).toBe(2);
    expect(unknownMapping.err).toContain('Unknown mapping "sap"');
    const missing = await attain(['import', path.join(dir, 'nope.csv'), '--format', 'json'], env);
    expect(missing.code).not.toBe(0);
    expect(JSON.parse(missing.out).error.message).toContain('nope.csv');
  });

  it('exits 2 on an invalid setting, naming it', async () => {
    const result = await attain(['migrate'], { ...env, PORT: 'eighty' });
    expect(result.code).toBe(2);
    expect(result.err).toContain('PORT');
  });
});
