import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.ts';
import { hasSharedData, sharedDataDir } from '../shared-data.ts';

const maven = path.join(sharedDataDir, 'maven-crm-sales-opportunities');
const files = ['sales_teams.csv', 'accounts.csv', 'products.csv', 'sales_pipeline.csv'];

async function attain(args: string[], env: Record<string, string>) {
  let out = '';
  let err = '';
  const code = await runCli(args, env, { out: (t) => (out += t), err: (t) => (err += t), isTty: false });
  return { code, out, err, json: () => JSON.parse(out) };
}

describe.runIf(hasSharedData('maven-crm-sales-opportunities'))(
  'attain import of the Maven CRM sample',
  () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attain-maven-'));
    const env = { ATTAIN_DATA_DIR: dataDir, ATTAIN_DEMO: 'false' };
    let first: ReturnType<Awaited<ReturnType<typeof attain>>['json']>;

    beforeAll(async () => {
      const result = await attain(
        ['import', ...files.map((f) => path.join(maven, f)), '--mapping', 'maven', '--format', 'json'],
        env,
      );
      expect(result.err).toBe('');
      expect(result.code).toBe(0);
      first = result.json();
    });
    afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

    it('reports 8,800 opportunities, 35 agents under 6 managers in 3 offices, 85 accounts and 7 products', () => {
      expect(first.status).toBe('succeeded');
      expect(first.totals).toMatchObject({ opportunities: 8800, accounts: 85, products: 7, people: 41 });
      expect(first.organisation).toMatchObject({ reps: 35, managers: 6, regions: 3 });
      expect(first.entities.opportunities).toEqual({ inserted: 8800, updated: 0, unchanged: 0 });
    });

    it('reports the data quirks as warnings and fixes none of them', () => {
      const byCode = Object.fromEntries(first.warnings.map((w: { code: string }) => [w.code, w]));
      expect(byCode.unknown_products).toMatchObject({
        count: 1480,
        message: expect.stringContaining('"GTXPro"'),
      });
      expect(byCode.unknown_products.message).toContain('did you mean "GTX Pro"?');
      expect(byCode.no_account).toMatchObject({ count: 1425 });
      expect(first.unknown.products).toEqual(['GTXPro']);
      expect(first.totals.products).toBe(7);
    });

    it('changes nothing when the same files are imported again', async () => {
      const again = (
        await attain(
          ['import', ...files.map((f) => path.join(maven, f)), '--mapping', 'maven', '--format', 'json'],
          env,
        )
      ).json();
      expect(again.entities).toEqual({
        people: { inserted: 0, updated: 0, unchanged: 41 },
        accounts: { inserted: 0, updated: 0, unchanged: 85 },
        products: { inserted: 0, updated: 0, unchanged: 7 },
        opportunities: { inserted: 0, updated: 0, unchanged: 8800 },
      });
      expect(again.totals.opportunity_changes).toBe(first.totals.opportunity_changes);
    });

    it('rejects a copy with an impossible date and an unknown stage whole, naming both lines', async () => {
      const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'attain-maven-bad-'));
      for (const f of files) fs.copyFileSync(path.join(maven, f), path.join(copy, f));
      const lines = fs.readFileSync(path.join(copy, 'sales_pipeline.csv'), 'utf8').split('\n');
      // line numbers count the header as line 1
      lines[4181] = lines[4181]!.replace(/,\d{4}-\d{2}-\d{2},(\d+)$/, ',2017-02-31,$1');
      lines[99] = lines[99]!.replace(/,(Won|Lost|Engaging|Prospecting),/, ',Negotiating,');
      fs.writeFileSync(path.join(copy, 'sales_pipeline.csv'), lines.join('\n'));
      const result = await attain(
        ['import', ...files.map((f) => path.join(copy, f)), '--mapping', 'maven', '--format', 'json'],
        env,
      );
      expect(result.code).toBe(3);
      const report = result.json();
      expect(report.status).toBe('rejected');
      expect(report.errors).toEqual([
        {
          file: 'sales_pipeline.csv',
          line: 100,
          field: 'deal_stage',
          value: 'Negotiating',
          message: expect.stringContaining('is not a known stage'),
        },
        {
          file: 'sales_pipeline.csv',
          line: 4182,
          field: 'close_date',
          value: '2017-02-31',
          message: 'is not a date: month 2 of 2017 has 28 days',
        },
      ]);
      expect(report.totals.opportunities).toBe(8800);
      fs.rmSync(copy, { recursive: true, force: true });
    });
  },
);
