// Acceptance: the KPIs of the Maven CRM sample through `attain kpi`, checked against numbers this
// test computes itself from the raw CSV files (Papa Parse, plain loops, BigInt cents). Nothing here
// comes from src/domain/metrics: if the engine and this file disagree, one of them is wrong.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAttain } from '../../src/app/create-attain.ts';
import { fixedClock } from '../../src/app/ports.ts';
import { runCli } from '../../src/cli/run-cli.ts';
import { loadConfig } from '../../src/config/config.ts';
import { everything } from '../../src/domain/access/scope.ts';
import { hasSharedData, sharedDataDir } from '../shared-data.ts';

const maven = path.join(sharedDataDir, 'maven-crm-sales-opportunities');
const files = ['sales_teams.csv', 'accounts.csv', 'products.csv', 'sales_pipeline.csv'];

async function attain(args: string[], env: Record<string, string>) {
  let out = '';
  let err = '';
  const code = await runCli(args, env, { out: (t) => (out += t), err: (t) => (err += t), isTty: false });
  return { code, out, err, json: () => JSON.parse(out) };
}

type PipelineRow = {
  opportunity_id: string;
  sales_agent: string;
  deal_stage: string;
  engage_date: string;
  close_date: string;
  close_value: string;
};
type TeamRow = { sales_agent: string; manager: string; regional_office: string };

function readCsv<T>(file: string): T[] {
  const parsed = Papa.parse<T>(fs.readFileSync(path.join(maven, file), 'utf8'), {
    header: true,
    skipEmptyLines: true,
  });
  if (parsed.errors.length > 0) throw new Error(`${file}: ${parsed.errors[0]!.message}`);
  return parsed.data;
}

/** Whole dollars or dollars and cents ("1054", "1054.5") to cents, exactly. */
function cents(text: string): bigint {
  const [whole, fraction = ''] = text.split('.');
  return BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, '0'));
}

/** Cents as the API writes money: "1234.50". */
function dollars(value: bigint): string {
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

/** a ÷ b rounded half to even (b > 0): the rounding docs/metrics.md names for averages of money. */
function divideHalfEven(a: bigint, b: bigint): bigint {
  const quotient = a / b;
  const twice = (a % b) * 2n;
  if (twice > b || (twice === b && quotient % 2n === 1n)) return quotient + 1n;
  return quotient;
}

const days = (from: string, to: string) =>
  (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;

type Tally = { wonCents: bigint; won: number; lost: number; cycleDays: number };
const emptyTally = (): Tally => ({ wonCents: 0n, won: 0, lost: 0, cycleDays: 0 });

/** The expected numbers, computed from the raw files: deals closed in 2017 (every closed deal is). */
function expectedFromCsv() {
  const teams = new Map(readCsv<TeamRow>('sales_teams.csv').map((t) => [t.sales_agent, t]));
  const total = emptyTally();
  const byManager = new Map<string, Tally>();
  const byOffice = new Map<string, Tally>();
  const byQuarter = new Map<number, Tally>();
  let closedOutside2017 = 0;
  for (const row of readCsv<PipelineRow>('sales_pipeline.csv')) {
    if (row.deal_stage !== 'Won' && row.deal_stage !== 'Lost') continue;
    if (!row.close_date.startsWith('2017-')) {
      closedOutside2017++;
      continue;
    }
    const team = teams.get(row.sales_agent)!;
    const quarter = Math.floor((Number(row.close_date.slice(5, 7)) - 1) / 3) + 1;
    const tallies = [
      total,
      byManager.get(team.manager) ?? byManager.set(team.manager, emptyTally()).get(team.manager)!,
      byOffice.get(team.regional_office) ??
        byOffice.set(team.regional_office, emptyTally()).get(team.regional_office)!,
      byQuarter.get(quarter) ?? byQuarter.set(quarter, emptyTally()).get(quarter)!,
    ];
    for (const tally of tallies) {
      if (row.deal_stage === 'Won') {
        tally.won++;
        tally.wonCents += cents(row.close_value);
        // Maven has no creation date: the cycle runs from the engage date to the close date.
        tally.cycleDays += days(row.engage_date, row.close_date);
      } else tally.lost++;
    }
  }
  return { total, byManager, byOffice, byQuarter, closedOutside2017 };
}

type Group = { key: unknown; label: string; metrics: Record<string, any> };

describe.runIf(hasSharedData('maven-crm-sales-opportunities'))(
  'attain kpi over the Maven CRM sample, checked against the raw files',
  () => {
    // Set up in beforeAll: a skipped suite still runs this body, where the files may be absent.
    let dataDir = '';
    const env: Record<string, string> = { ATTAIN_DEMO: 'false' };
    let expected!: ReturnType<typeof expectedFromCsv>;
    const year2017 = [
      '--period',
      'year',
      '--calendar',
      'calendar',
      '--at',
      '2017-06-30',
      '--as-of',
      '2017-12-31',
    ];

    async function kpi(args: string[]): Promise<{ groups: Group[]; [key: string]: any }> {
      const result = await attain(['kpi', ...args, '--format', 'json'], env);
      expect(result.err).toBe('');
      expect(result.code).toBe(0);
      return result.json();
    }
    const byLabel = (groups: Group[]) => new Map(groups.map((g) => [g.label, g.metrics]));

    beforeAll(async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attain-maven-kpi-'));
      env.ATTAIN_DATA_DIR = dataDir;
      expected = expectedFromCsv();
      const result = await attain(
        ['import', ...files.map((f) => path.join(maven, f)), '--mapping', 'maven', '--format', 'json'],
        env,
      );
      expect(result.code).toBe(0);
      expect(result.json().status).toBe('succeeded');
    });
    afterAll(() => {
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('has every closed deal in 2017, so the year holds them all', () => {
      expect(expected.closedOutside2017).toBe(0);
      expect(expected.total.won).toBe(4238);
      expect(expected.total.lost).toBe(2473);
    });

    it('matches won revenue, deals won, average won deal and the sales cycle in total', async () => {
      const report = await kpi([
        'won_revenue',
        'won_deals',
        'average_deal_size',
        'sales_cycle_days',
        'win_rate',
        '--by',
        'company',
        ...year2017,
      ]);
      expect(report).toMatchObject({
        period: { from: '2017-01-01', to: '2018-01-01', label: '2017' },
        asOf: '2017-12-31',
        currency: 'USD',
      });
      const { total } = expected;
      const company = report.groups[0]!.metrics;
      expect(company.won_revenue.value).toBe(dollars(total.wonCents));
      expect(company.won_deals.value).toBe(total.won);
      expect(company.average_deal_size.value).toBe(
        dollars(divideHalfEven(total.wonCents, BigInt(total.won))),
      );
      expect(company.sales_cycle_days).toMatchObject({
        numerator: total.cycleDays,
        denominator: total.won,
        value: total.cycleDays / total.won,
      });
      expect(company.win_rate).toMatchObject({
        numerator: total.won,
        denominator: total.won + total.lost,
        value: total.won / (total.won + total.lost),
      });
    });

    it('matches won revenue and win rate by manager', async () => {
      const report = await kpi(['won_revenue', 'win_rate', '--by', 'manager', ...year2017]);
      const groups = byLabel(report.groups);
      expect([...groups.keys()].sort()).toEqual([...expected.byManager.keys()].sort());
      for (const [manager, tally] of expected.byManager) {
        const metrics = groups.get(manager)!;
        expect(metrics.won_revenue.value, manager).toBe(dollars(tally.wonCents));
        expect(metrics.win_rate, manager).toMatchObject({
          numerator: tally.won,
          denominator: tally.won + tally.lost,
          value: tally.won / (tally.won + tally.lost),
        });
      }
    });

    it('matches won revenue by regional office', async () => {
      const report = await kpi(['won_revenue', 'won_deals', '--by', 'region', ...year2017]);
      const groups = byLabel(report.groups);
      expect([...groups.keys()].sort()).toEqual(['Central', 'East', 'West']);
      for (const [office, tally] of expected.byOffice) {
        expect(groups.get(office)!.won_revenue.value, office).toBe(dollars(tally.wonCents));
        expect(groups.get(office)!.won_deals.value, office).toBe(tally.won);
      }
    });

    it('matches won revenue by quarter, each against the one before, through the service', async () => {
      expect([...expected.byQuarter.keys()].sort()).toEqual([1, 2, 3, 4]);
      // The service the command reads, opened once for the four quarters.
      const app = await createAttain(loadConfig(env), fixedClock('2026-01-15T12:00:00.000Z'));
      try {
        for (const quarter of [1, 2, 3, 4]) {
          const report = await app.metrics.evaluate(
            {
              metrics: ['won_revenue'],
              by: 'company',
              period: 'quarter',
              calendar: 'calendar',
              at: `2017-${String(quarter * 3).padStart(2, '0')}-15`,
              compare: 'prior_period',
            },
            everything,
          );
          expect(report.period.label).toBe(`2017 Q${quarter}`);
          const won = expected.byQuarter.get(quarter)!.wonCents;
          const prior = expected.byQuarter.get(quarter - 1)?.wonCents ?? 0n;
          expect(report.groups[0]!.metrics.won_revenue).toMatchObject({
            value: dollars(won),
            prior: { value: dollars(prior) },
            change: dollars(won - prior),
          });
        }
      } finally {
        await app.close();
      }
    });

    it('prints the same numbers as an aligned table and as CSV', async () => {
      const text = await attain(['kpi', 'won_revenue', 'win_rate', '--by', 'manager', ...year2017], env);
      expect(text.code).toBe(0);
      const lines = text.out.split('\n');
      expect(lines[0]).toBe('2017 (2017-01-01 to 2017-12-31) by manager, as of 2017-12-31, in USD');
      expect(lines[1]).toMatch(/^Manager\s+Won revenue \(USD\)\s+Win rate$/);
      for (const [manager, tally] of expected.byManager) {
        const rate = `${((100 * tally.won) / (tally.won + tally.lost)).toFixed(1)}%`;
        expect(text.out).toMatch(
          new RegExp(`^${manager}\\s+${dollars(tally.wonCents).replace('.', '\\.')}\\s+${rate}$`, 'm'),
        );
      }
      // Every row as wide as the header: aligned.
      const widths = new Set(lines.slice(1, 1 + expected.byManager.size + 1).map((l) => l.length));
      expect(widths.size).toBe(1);

      const csv = await attain(['kpi', 'won_revenue', '--by', 'region', ...year2017, '--format', 'csv'], env);
      expect(csv.code).toBe(0);
      const rows = Papa.parse<string[]>(csv.out.trim()).data;
      expect(rows[0]).toEqual(['group_key', 'group', 'won_revenue']);
      expect(new Map(rows.slice(1).map((r) => [r[1], r[2]]))).toEqual(
        new Map([...expected.byOffice].map(([office, t]) => [office, dollars(t.wonCents)])),
      );
    });

    it('exits 2 naming an unknown metric', async () => {
      const result = await attain(['kpi', 'won_revenue', 'winrate', '--format', 'json'], env);
      expect(result.code).toBe(2);
      expect(result.json().error.problems).toEqual([
        expect.objectContaining({ field: 'metrics', value: 'winrate' }),
      ]);
    });
  },
);
