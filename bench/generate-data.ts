/**
 * Streams the deterministic demo organisation (src/domain/demo) into Attain's native CSV layout
 * (docs/import-native-format.md), one file per entity, without holding the data in memory.
 *
 *   npx tsx bench/generate-data.ts --reps 50 --months 24 --out bench/out/demo
 *   npx tsx bench/generate-data.ts --reps 10000 --months 24 --opportunities 10000000 --out bench/out/big
 *   npx tsx bench/generate-data.ts --reps 10000 --months 24 --only opportunities --count 1000000 --out bench/out/opps-1m
 *
 * Options: --seed (1), --reps (50), --months (24), --start-on (2023-01-01), --as-of (window end),
 * --opportunities-per-rep-per-month, --activities-per-opportunity (5), --out (required),
 * --opportunities / --count N (stop at exactly N opportunities; unless the rate is given, a quick
 * counting pass first sets the rate so that N is reached with 1% to spare: the cap falls in the
 * window's last month, whose last quarter or so of reps get no new deals that month),
 * --only file[,file...] (write only these files plus the files they refer to).
 * Progress goes to stderr; one JSON summary line goes to stdout.
 */
import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CanonicalRecord, RecordKind } from '../src/domain/records.ts';
import type { EntityKind } from '../src/ingest/mapping.ts';
import { nativeMapping } from '../src/ingest/mappings/native-mapping.ts';
import {
  generateOrganisation,
  type GenerateOrganisationOptions,
} from '../src/domain/demo/generate-organisation.ts';

// The native layout's columns, in the order Attain's own mapping reads them: one definition.
const files = Object.fromEntries(
  nativeMapping.files.map((f) => [f.entity, Object.keys(f.columns)]),
) as Record<EntityKind, string[]>;
type FileName = EntityKind;
const fileNames = Object.keys(files) as FileName[];

/** The record kind behind each file, and the files whose keys it refers to (always written with it). */
const fileKinds: Record<FileName, { kind: RecordKind; needs: FileName[] }> = {
  people: { kind: 'person', needs: [] },
  accounts: { kind: 'account', needs: [] },
  products: { kind: 'product', needs: [] },
  opportunities: { kind: 'opportunity', needs: ['people', 'accounts', 'products'] },
  opportunity_history: { kind: 'opportunity', needs: ['opportunities'] },
  activities: { kind: 'activity', needs: ['people', 'accounts', 'opportunities'] },
  leads: { kind: 'lead', needs: ['people', 'accounts', 'opportunities'] },
  subscriptions: { kind: 'subscription', needs: ['accounts', 'products'] },
  invoices: { kind: 'invoice', needs: ['accounts', 'subscriptions', 'opportunities'] },
  payments: { kind: 'payment', needs: ['invoices'] },
  spend: { kind: 'spend', needs: [] },
  quotas: { kind: 'quota', needs: ['people'] },
};

type Cell = string | number | null | undefined;

const needsQuoting = /[",\r\n]|^\s|\s$/;

/** RFC 4180 quoting: only where a cell would otherwise be misread. */
function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  return needsQuoting.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Minor units to the decimal major units of the native layout (2 decimals: USD). */
function money(minor: number | null | undefined): string {
  if (minor === null || minor === undefined) return '';
  const sign = minor < 0 ? '-' : '';
  const absolute = Math.abs(minor);
  const cents = absolute % 100;
  return `${sign}${(absolute - cents) / 100}.${cents < 10 ? '0' : ''}${cents}`;
}

/** Basis points to the layout's decimal percent (1250 → 12.50). */
function percent(bps: number | null | undefined): string {
  return bps === null || bps === undefined ? '' : money(bps);
}

/**
 * One CSV file, written in 256 KB chunks. A full buffer puts the file on the `due` list; the main
 * loop then flushes it and waits for 'drain' before generating more (stream backpressure).
 */
class CsvFile {
  rows = 0;
  private buffer = '';
  private readonly stream: WriteStream;
  private readonly due: Set<CsvFile>;

  constructor(path: string, header: readonly string[], due: Set<CsvFile>) {
    this.stream = createWriteStream(path);
    this.buffer = `${header.join(',')}\n`;
    this.due = due;
  }

  row(cells: Cell[]): void {
    let line = csvCell(cells[0]);
    for (let index = 1; index < cells.length; index += 1) line += `,${csvCell(cells[index])}`;
    this.buffer += `${line}\n`;
    this.rows += 1;
    if (this.buffer.length >= 262_144) this.due.add(this);
  }

  async flush(): Promise<void> {
    const chunk = this.buffer;
    this.buffer = '';
    // Wait for the OS to take the data instead of queueing it all in memory.
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

type Arguments = {
  options: GenerateOrganisationOptions;
  out: string;
  only: FileName[];
  calibrate: boolean;
};

function parseArguments(argv: string[]): Arguments {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      seed: { type: 'string', default: '1' },
      reps: { type: 'string', default: '50' },
      months: { type: 'string', default: '24' },
      'start-on': { type: 'string', default: '2023-01-01' },
      'as-of': { type: 'string' },
      'opportunities-per-rep-per-month': { type: 'string' },
      'activities-per-opportunity': { type: 'string' },
      opportunities: { type: 'string' },
      count: { type: 'string' },
      only: { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (values.out === undefined) throw new Error('--out <directory> is required');
  const number = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const parsed = Number(text.replaceAll('_', ''));
    if (!Number.isFinite(parsed)) throw new Error(`--${name} must be a number, got ${text}`);
    return parsed;
  };
  const cap = number('opportunities', values.opportunities ?? values.count);
  const rate = number('opportunities-per-rep-per-month', values['opportunities-per-rep-per-month']);
  const requested = values.only === undefined ? fileNames : values.only.split(',').map((name) => name.trim());
  const only = new Set<FileName>();
  const add = (name: string): void => {
    if (!(name in files)) throw new Error(`--only: unknown file ${name}; expected ${fileNames.join(', ')}`);
    const file = name as FileName;
    if (only.has(file)) return;
    only.add(file);
    for (const needed of fileKinds[file].needs) add(needed);
  };
  requested.forEach(add);
  const options: GenerateOrganisationOptions = {
    seed: number('seed', values.seed) ?? 1,
    reps: number('reps', values.reps) ?? 50,
    months: number('months', values.months) ?? 24,
    startOn: values['start-on'] ?? '2023-01-01',
    ...(values['as-of'] === undefined ? {} : { asOf: values['as-of'] }),
    ...(rate === undefined ? {} : { opportunitiesPerRepPerMonth: rate }),
    ...(values['activities-per-opportunity'] === undefined
      ? {}
      : {
          activitiesPerOpportunity: number(
            'activities-per-opportunity',
            values['activities-per-opportunity'],
          ),
        }),
    ...(cap === undefined ? {} : { maxOpportunities: cap }),
    kinds: [...new Set(fileNames.filter((file) => only.has(file)).map((file) => fileKinds[file].kind))],
  };
  return {
    options,
    out: values.out,
    only: fileNames.filter((file) => only.has(file)),
    calibrate: cap !== undefined && rate === undefined,
  };
}

/**
 * The opportunity count is linear in the rate (Poisson means; renewals follow wins), so one
 * counting pass at a low rate tells the rate that reaches the cap. The 1% headroom is several
 * standard deviations of that estimate, so the cap, not the rate, ends the stream.
 */
function calibrateRate(options: GenerateOrganisationOptions, cap: number): number {
  const probeRate = 1;
  let count = 0;
  for (const item of generateOrganisation({
    ...options,
    opportunitiesPerRepPerMonth: probeRate,
    maxOpportunities: undefined,
    kinds: ['opportunity'],
  })) {
    if (item.kind === 'opportunity') count += 1;
  }
  return (probeRate * cap * 1.01) / Math.max(1, count);
}

function rssMegabytes(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

async function main(): Promise<void> {
  const { options, out, only, calibrate } = parseArguments(process.argv.slice(2));
  mkdirSync(out, { recursive: true });
  const started = performance.now();
  if (calibrate && options.maxOpportunities !== undefined) {
    const rate = calibrateRate(options, options.maxOpportunities);
    options.opportunitiesPerRepPerMonth = rate;
    process.stderr.write(
      `calibrated ${rate.toFixed(3)} opportunities per rep per month in ${Math.round(performance.now() - started)} ms\n`,
    );
  }
  const due = new Set<CsvFile>();
  const writers = new Map<FileName, CsvFile>(
    only.map((file) => [file, new CsvFile(join(out, `${file}.csv`), files[file], due)]),
  );
  const file = (name: FileName): CsvFile | undefined => writers.get(name);
  const people = file('people');
  const accounts = file('accounts');
  const products = file('products');
  const opportunities = file('opportunities');
  const history = file('opportunity_history');
  const activities = file('activities');
  const leads = file('leads');
  const subscriptions = file('subscriptions');
  const invoices = file('invoices');
  const payments = file('payments');
  const spend = file('spend');
  const quotas = file('quotas');

  const write = (item: CanonicalRecord): void => {
    switch (item.kind) {
      case 'person': {
        const p = item.record;
        return people?.row([
          p.key,
          p.name,
          p.role,
          p.email,
          p.title,
          p.managerRef,
          p.team,
          p.region,
          p.hiredOn,
          p.leftOn,
        ]);
      }
      case 'account': {
        const a = item.record;
        return accounts?.row([
          a.key,
          a.name,
          a.segment,
          a.industry,
          a.region,
          a.country,
          a.employees,
          money(a.annualRevenueMinor),
          a.currency,
          a.yearEstablished,
          a.parentName,
        ]);
      }
      case 'product': {
        const p = item.record;
        return products?.row([
          p.key,
          p.name,
          p.family,
          money(p.listPriceMinor),
          money(p.costMinor),
          p.currency,
        ]);
      }
      case 'opportunity': {
        const o = item.record;
        if (history !== undefined) {
          for (const entry of o.history) {
            history.row([
              o.key,
              entry.at,
              entry.stage,
              entry.amountMinor === undefined ? undefined : money(entry.amountMinor),
              entry.closeOn,
              entry.probability,
              entry.ownerRef,
            ]);
          }
        }
        return opportunities?.row([
          o.key,
          o.stage,
          o.createdOn,
          o.name,
          o.accountRef,
          o.ownerRef,
          o.productRef,
          o.forecastCategory,
          o.probability,
          money(o.amountMinor),
          o.currency,
          o.dealType,
          o.leadSource,
          o.engagedOn,
          o.closeOn,
          o.closedOn,
          o.lostReason,
          o.competitor,
          percent(o.discountBps),
          percent(o.grossMarginBps),
          o.contactCount,
        ]);
      }
      case 'activity': {
        const a = item.record;
        return activities?.row([
          a.key,
          a.type,
          a.occurredAt,
          a.personRef,
          a.accountRef,
          a.opportunityRef,
          a.durationMinutes,
          a.outcome,
          a.subject,
        ]);
      }
      case 'lead': {
        const l = item.record;
        return leads?.row([
          l.key,
          l.createdAt,
          l.source,
          l.ownerRef,
          l.accountRef,
          l.firstResponseAt,
          l.convertedAt,
          l.opportunityRef,
          l.status,
        ]);
      }
      case 'subscription': {
        const s = item.record;
        return subscriptions?.row([
          s.key,
          money(s.mrrMinor),
          s.startedOn,
          s.accountRef,
          s.productRef,
          s.plan,
          s.currency,
          s.endedOn,
          s.churnReason,
        ]);
      }
      case 'invoice': {
        const i = item.record;
        return invoices?.row([
          i.key,
          i.issuedOn,
          money(i.amountMinor),
          i.accountRef,
          i.subscriptionRef,
          i.opportunityRef,
          i.dueOn,
          i.currency,
        ]);
      }
      case 'payment': {
        const p = item.record;
        return payments?.row([p.key, p.paidOn, money(p.amountMinor), p.invoiceRef, p.currency]);
      }
      case 'spend': {
        const s = item.record;
        return spend?.row([s.startsOn, s.endsOn, s.channel, s.category, money(s.amountMinor), s.currency]);
      }
      case 'quota': {
        const q = item.record;
        return quotas?.row([q.positionRef, q.periodKind, q.periodStartsOn, q.measure, q.target, q.currency]);
      }
    }
  };

  const generationStarted = performance.now();
  let records = 0;
  let lastReport = generationStarted;
  for (const item of generateOrganisation(options)) {
    write(item);
    if (due.size > 0) {
      for (const writer of due) await writer.flush();
      due.clear();
    }
    records += 1;
    if ((records & 0xffff) === 0) {
      const now = performance.now();
      if (now - lastReport > 2_000) {
        lastReport = now;
        const seconds = (now - generationStarted) / 1_000;
        process.stderr.write(
          `${Math.round(seconds)} s: ${records.toLocaleString('en-US')} records (${Math.round(records / seconds).toLocaleString('en-US')}/s), ` +
            `${(opportunities?.rows ?? 0).toLocaleString('en-US')} opportunities, ${(activities?.rows ?? 0).toLocaleString('en-US')} activities, ` +
            `rss ${Math.round(process.memoryUsage().rss / 1_048_576)} MB\n`,
        );
      }
    }
  }
  await Promise.all([...writers.values()].map((writer) => writer.close()));
  const seconds = (performance.now() - generationStarted) / 1_000;
  const rows = Object.fromEntries([...writers.entries()].map(([name, writer]) => [name, writer.rows]));
  const totalRows = Object.values(rows).reduce((a, b) => a + b, 0);
  process.stdout.write(
    `${JSON.stringify({
      out,
      options: { ...options, kinds: undefined },
      rows,
      totalRows,
      generateAndWriteSeconds: Math.round(seconds * 10) / 10,
      totalSeconds: Math.round((performance.now() - started) / 100) / 10,
      rowsPerSecond: Math.round(totalRows / seconds),
      opportunitiesPerSecond: Math.round((opportunities?.rows ?? 0) / seconds),
      peakRssMb: rssMegabytes(),
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
