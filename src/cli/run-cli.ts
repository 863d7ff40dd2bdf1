import os from 'node:os';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import cliProgress from 'cli-progress';
import Papa from 'papaparse';
import { ConfigError, loadConfig } from '../config/config.ts';
import { AppError, isAppError } from '../domain/errors.ts';
import { countData, summariseOrganisation } from '../app/data-counts.ts';
import { demoHistoryStart, loadDemo } from '../app/load-demo.ts';
import { seedCompDemo } from '../app/comp/seed-comp-demo.ts';
import { createAttain } from '../app/create-attain.ts';
import { systemClock } from '../app/ports.ts';
import { systemActor } from '../app/audit/audit-log.ts';
import { auditImport } from '../app/audit/import-audit.ts';
import type { ImportReport } from '../ingest/import-report.ts';
import { findBuiltInMapping, loadMappingFile } from '../ingest/mappings/mapping-registry.ts';
import { dateFormats, type DateFormat } from '../ingest/parse-values.ts';
import { runImport } from '../ingest/run-import.ts';
import { assertReadableFile } from '../ingest/read-table.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { openDatabase } from '../store/open-database.ts';
import { startServer } from '../main.ts';
import { everything } from '../domain/access/scope.ts';
import { fromDayNumber, toDayNumber } from '../domain/calendar/day-number.ts';
import type { MetricDefinition } from '../domain/metrics/metric-definitions.ts';
import { groupBys, type GroupBy, type MetricNumber } from '../domain/metrics/metric-types.ts';
import { kpiTable, type KpiCell } from '../app/metrics/kpi-table.ts';
import { kpiQueryProblems, type KpiQuery, type KpiReport } from '../app/metrics/metrics-service.ts';
import { exitCodeFor } from './exit-codes.ts';
import { registerForecastCommands } from './forecast-commands.ts';
import { registerCompCommands } from './comp-commands.ts';

type Io = { out: (text: string) => void; err: (text: string) => void; isTty: boolean };

const defaultIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  isTty: Boolean(process.stderr.isTTY),
};

type Format = 'json' | 'text';

function formatOption() {
  return new Option('--format <format>', 'output format').choices(['text', 'json']).default('text');
}

/** "1 manager", "6 managers". */
function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function printImportReport(
  report: ImportReport & { organisation?: unknown; totals?: unknown },
  io: Io,
): void {
  const verb =
    report.status === 'succeeded'
      ? 'Imported'
      : report.status === 'dry_run'
        ? 'Dry run: would import'
        : 'Rejected';
  io.out(
    `${verb} ${report.files.map((f) => `${f.name} (${f.rows} rows, ${f.entity})`).join(', ')} with mapping ${report.mapping}.\n`,
  );
  for (const [entity, c] of Object.entries(report.entities)) {
    io.out(
      `  ${entity.padEnd(20)} ${String(c.inserted).padStart(8)} new ${String(c.updated).padStart(8)} updated ${String(c.unchanged).padStart(8)} unchanged\n`,
    );
  }
  const org = report.organisation as { reps: number; managers: number; regions: number } | undefined;
  const totals = report.totals as Record<string, number> | undefined;
  if (org && totals && report.status === 'succeeded') {
    io.out(
      `Now in Attain: ${count(totals.opportunities!, 'opportunity', 'opportunities')}, ${count(org.reps, 'rep')} under ${count(org.managers, 'manager')} in ${count(org.regions, 'region')}, ${count(totals.accounts!, 'account')}, ${count(totals.products!, 'product')}.\n`,
    );
  }
  if (report.warnings.length > 0) io.out(`Warnings (${report.warningCount}):\n`);
  for (const w of report.warnings) {
    io.out(
      `  - ${w.file ? `${w.file}: ` : ''}${w.message}${w.count > 1 ? ` [${w.count} rows${w.lines.length ? `, e.g. lines ${w.lines.slice(0, 5).join(', ')}` : ''}]` : w.lines.length ? ` [line ${w.lines[0]}]` : ''}\n`,
    );
  }
  if (report.errorCount > 0) {
    io.out(
      `Errors (${report.errorCount}${report.errorCount > report.errors.length ? `, first ${report.errors.length} listed` : ''}): nothing was changed.\n`,
    );
    for (const e of report.errors) {
      io.out(
        `  - ${e.file ?? ''}${e.line ? `, line ${e.line}` : ''}${e.field ? `, ${e.field}` : ''}: ${e.value !== undefined && e.value !== '' ? `"${e.value}" ` : ''}${e.message}\n`,
      );
    }
  }
}

/** A value for people to read: ratios as percentages, other fractions to two places, money as it is. */
function readableValue(value: MetricNumber, definition: MetricDefinition | undefined): KpiCell {
  if (typeof value === 'string') return value;
  if (definition?.unit === 'ratio') return `${(value * 100).toFixed(1)}%`;
  return Number.isInteger(value) ? value : value.toFixed(2);
}

/** The KPI report as an aligned table: labels left, numbers right; issues as notes below it. */
function printKpiTable(report: KpiReport, io: Io): void {
  const last = fromDayNumber(toDayNumber(report.period.to) - 1);
  const prior = report.prior ? `, compared with ${report.prior.label ?? report.prior.from}` : '';
  io.out(
    `${report.period.label ?? 'Period'} (${report.period.from} to ${last}) by ${report.groupBy}, as of ${report.asOf}, in ${report.currency}${prior}\n`,
  );
  const { header, rows } = kpiTable(report, { labels: true, format: readableValue });
  // The key column is for scripts (json, csv); people read the labels.
  const table = [
    header.slice(1),
    ...rows.map((row) => row.slice(1).map((c) => (c === null ? '—' : String(c)))),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => String(row[i]).length)));
  for (const row of table)
    io.out(
      `${row
        .map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!)))
        .join('  ')
        .trimEnd()}\n`,
    );
  if (rows.length === 0) io.out('(no records in scope for this period)\n');
  for (const issue of report.issues)
    io.out(`Note: ${issue.message}${issue.metric ? ` (${issue.metric})` : ''}.\n`);
}

/**
 * CSV for a file a spreadsheet may open: text a spreadsheet would run as a formula is prefixed with
 * an apostrophe (as the HTTP exports do, src/http/csv.ts); plain numbers ("-12.50") stay numbers.
 */
function kpiCsv(report: KpiReport): string {
  const { header, rows } = kpiTable(report);
  const safe = (cell: KpiCell): KpiCell =>
    typeof cell === 'string' && /^[=+\-@\t\r]/.test(cell) && !/^-\d+(\.\d+)?$/.test(cell) ? `'${cell}` : cell;
  return `${Papa.unparse({ fields: header, data: rows.map((row) => row.map(safe)) }, { newline: '\r\n' })}\r\n`;
}

function printError(error: AppError, format: Format, io: Io): void {
  if (format === 'json') {
    io.out(
      `${JSON.stringify({ error: { code: error.code, message: error.message, problems: error.problems } }, null, 2)}\n`,
    );
    return;
  }
  io.err(`attain: ${error.message}\n`);
  for (const p of error.problems) {
    io.err(
      `  - ${[p.file, p.line ? `line ${p.line}` : undefined, p.field].filter(Boolean).join(', ')}${p.file || p.line || p.field ? ': ' : ''}${p.value ? `"${p.value}" ` : ''}${p.message}\n`,
    );
  }
}

/** Runs the `attain` command; returns the exit code. */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined>,
  io: Io = defaultIo,
): Promise<number> {
  let format: Format = argv.includes('json') && argv.includes('--format') ? 'json' : 'text';
  let exitCode = 0;
  const program = new Command('attain')
    .description(
      'Attain: sales performance management. Commands run against the database configured by ATTAIN_DATA_DIR or DATABASE_URL.',
    )
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });

  program
    .command('serve', { isDefault: true })
    .description('serve the web UI and the JSON API (PORT, default 3000)')
    .action(async () => {
      const server = await startServer(loadConfig(env), systemClock, (line) => io.out(`${line}\n`));
      await new Promise<void>((resolve) => {
        const stop = () => {
          io.out('Stopping...\n');
          void server.stop().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });

  program
    .command('import')
    .description('import CSV or XLSX files, all or nothing')
    .argument('<files...>', 'files to import (CSV or XLSX)')
    .option(
      '--mapping <name-or-file>',
      'built-in mapping (attain, maven, salesforce, hubspot), a mapping file (.json/.yaml), or detect',
      'detect',
    )
    .option('--dry-run', 'report what would change, change nothing', false)
    .option(
      '--create-unknown',
      'create reps, accounts and products that rows name but that do not exist',
      false,
    )
    .addOption(
      new Option('--date-format <format>', "dates' format in the files (default: the mapping's)").choices([
        ...dateFormats,
      ]),
    )
    .addOption(formatOption())
    .action(
      async (
        files: string[],
        opts: {
          mapping: string;
          dryRun: boolean;
          createUnknown: boolean;
          dateFormat?: DateFormat;
          format: Format;
        },
      ) => {
        format = opts.format;
        const mapping =
          opts.mapping === 'detect'
            ? 'detect'
            : (findBuiltInMapping(opts.mapping) ??
              (/\.(json|ya?ml)$/.test(opts.mapping) ? loadMappingFile(opts.mapping) : undefined));
        if (!mapping)
          throw new AppError(
            'validation',
            `Unknown mapping "${opts.mapping}": use attain, maven, salesforce, hubspot, detect, or a .json/.yaml mapping file.`,
          );
        for (const f of files) assertReadableFile(path.resolve(f), path.basename(f));
        const attain = await createAttain(loadConfig(env), systemClock);
        const bar =
          io.isTty && format === 'text'
            ? new cliProgress.SingleBar(
                { format: ' {bar} {percentage}% | {file} | {rows} rows', hideCursor: true },
                cliProgress.Presets.shades_classic,
              )
            : undefined;
        try {
          bar?.start(100, 0, { file: '', rows: 0 });
          const report = await runImport(
            attain.store,
            files.map((f) => ({ path: path.resolve(f), name: path.basename(f) })),
            {
              mapping,
              dryRun: opts.dryRun,
              createUnknown: opts.createUnknown,
              dateFormat: opts.dateFormat,
              now: () => systemClock.now(),
              beforeCommit: auditImport(systemActor(`command line (${os.userInfo().username})`), () =>
                systemClock.now(),
              ),
              onProgress: (p) =>
                bar?.update(p.totalBytes ? Math.round((100 * p.bytesRead) / p.totalBytes) : 0, {
                  file: p.file ?? '',
                  rows: p.rowsRead,
                }),
            },
          );
          bar?.stop();
          const full = {
            ...report,
            organisation: await summariseOrganisation(attain.store),
            totals: await countData(attain.store),
          };
          if (format === 'json') io.out(`${JSON.stringify(full, null, 2)}\n`);
          else printImportReport(full, io);
          exitCode = report.status === 'rejected' ? exitCodeFor('import_rejected') : 0;
        } finally {
          bar?.stop();
          await attain.close();
        }
      },
    );

  program
    .command('demo')
    .description('fill the database with a generated demo organisation')
    .option('--reps <n>', 'number of reps', (v) => Number.parseInt(v, 10), 50)
    .option('--seed <n>', 'generator seed', (v) => Number.parseInt(v, 10), 42)
    .option('--months <n>', 'months of history', (v) => Number.parseInt(v, 10), 24)
    .addOption(formatOption())
    .action(async (opts: { reps: number; seed: number; months: number; format: Format }) => {
      format = opts.format;
      const config = loadConfig(env);
      const attain = await createAttain(config, systemClock);
      try {
        const counts = await loadDemo(
          attain.store,
          {
            seed: opts.seed,
            reps: opts.reps,
            months: opts.months,
            asOf: systemClock.now().slice(0, 10),
            fiscalYearStartMonth: config.fiscalYearStartMonth,
          },
          format === 'text' ? (n) => io.err(`\r${n} records written`) : undefined,
        );
        if (format === 'text') io.err('\n');
        const asOf = systemClock.now().slice(0, 10);
        const comp = await seedCompDemo(attain.comp, {
          asOf,
          historyStartsOn: demoHistoryStart(asOf, opts.months),
          runMonth: true,
        });
        const totals = await countData(attain.store);
        if (format === 'json')
          io.out(`${JSON.stringify({ written: counts, totals, compensation: comp }, null, 2)}\n`);
        else
          io.out(
            `Demo organisation loaded: ${totals.people} people, ${totals.accounts} accounts, ${totals.opportunities} opportunities, ${totals.activities} activities.\n` +
              (comp.run
                ? `Compensation: ${comp.plans.join(', ')}; ${comp.run.period} computed (run ${comp.run.id}, ${comp.run.summary?.payees ?? 0} statements).\n`
                : ''),
          );
      } finally {
        await attain.close();
      }
    });

  program
    .command('kpi')
    .description(
      'compute metrics (docs/metrics.md) for a period, grouped, over all the data (the console is trusted, as for import)',
    )
    .argument('<metrics...>', 'metric ids, e.g. won_revenue win_rate (GET /api/metrics lists them)')
    .addOption(
      new Option('--by <dimension>', 'how rows are grouped').choices([...groupBys]).default('company'),
    )
    .option('--period <period>', 'week, month, quarter, half, year or trailing_N (N days)', 'quarter')
    .option('--at <date>', 'a day inside the period (trailing_N: its last day); default: --as-of, else today')
    .option('--as-of <date>', 'compute as of the end of this day (YYYY-MM-DD); default today')
    .addOption(
      new Option('--calendar <calendar>', 'fiscal or calendar periods')
        .choices(['fiscal', 'calendar'])
        .default('fiscal'),
    )
    .addOption(
      new Option('--compare <what>', 'add the prior period and the change').choices(['prior_period']),
    )
    .option('--currency <code>', 'reporting currency (default: the one most deals are in)')
    .option('--with-records', 'list the ids of the records behind each number (json)', false)
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json', 'csv']).default('text'),
    )
    .action(
      async (
        metrics: string[],
        opts: {
          by: GroupBy;
          period: string;
          at?: string;
          asOf?: string;
          calendar: 'fiscal' | 'calendar';
          compare?: 'prior_period';
          currency?: string;
          withRecords: boolean;
          format: Format | 'csv';
        },
      ) => {
        format = opts.format === 'json' ? 'json' : 'text';
        const query: KpiQuery = {
          metrics: metrics.flatMap((m) => m.split(',')).filter((m) => m !== ''),
          by: opts.by,
          period: opts.period,
          calendar: opts.calendar,
          withRecords: opts.withRecords,
          ...(opts.at !== undefined ? { at: opts.at } : {}),
          ...(opts.asOf !== undefined ? { asOf: opts.asOf } : {}),
          ...(opts.compare !== undefined ? { compare: opts.compare } : {}),
          ...(opts.currency !== undefined ? { currency: opts.currency } : {}),
        };
        // Checked before the database is opened: a typo fails at once.
        const problems = kpiQueryProblems(query);
        if (problems.length > 0) throw new AppError('validation', 'The KPI request is not valid.', problems);
        const attain = await createAttain(loadConfig(env), systemClock);
        try {
          const report = await attain.metrics.evaluate(query, everything);
          if (opts.format === 'json') io.out(`${JSON.stringify(report, null, 2)}\n`);
          else if (opts.format === 'csv') io.out(kpiCsv(report));
          else printKpiTable(report, io);
        } finally {
          await attain.close();
        }
      },
    );

  registerCompCommands(program, {
    io,
    config: () => loadConfig(env),
    clock: systemClock,
    setFormat: (chosen) => (format = chosen),
    setExitCode: (code) => (exitCode = code),
    exitCodeFor,
  });

  registerForecastCommands(program, {
    io,
    config: () => loadConfig(env),
    clock: systemClock,
    setFormat: (chosen) => (format = chosen),
    setExitCode: (code) => (exitCode = code),
    exitCodeFor,
  });

  program
    .command('migrate')
    .description('bring the database schema up to date')
    .addOption(formatOption())
    .action(async (opts: { format: Format }) => {
      format = opts.format;
      const store = await openDatabase(loadConfig(env).database);
      try {
        const applied = await migrateToLatest(store.db as never);
        io.out(
          format === 'json'
            ? `${JSON.stringify({ applied })}\n`
            : applied.length
              ? `Applied ${applied.join(', ')}.\n`
              : 'The schema is up to date.\n',
        );
      } finally {
        await store.close();
      }
    });

  program
    .command('account-link')
    .description(
      'issue a one-time set-up or password reset link for a user (an administrator locked out, say); it is printed once',
    )
    .argument('<email>', 'the user’s email')
    .addOption(formatOption())
    .action(async (email: string, opts: { format: Format }) => {
      format = opts.format;
      const attain = await createAttain(loadConfig(env), systemClock);
      try {
        const user = (await attain.auth.listUsers()).find(
          (u) => u.email.toLowerCase() === email.toLowerCase(),
        );
        if (!user) throw new AppError('not_found', `No user with the email ${email}.`);
        const link = await attain.auth.issueAccountLink(
          user.id,
          user.hasPassword ? 'reset' : 'setup',
          systemActor(`command line (${os.userInfo().username})`),
        );
        io.out(
          format === 'json'
            ? `${JSON.stringify({ email: user.email, ...link })}\n`
            : `One-time link for ${user.email}, valid until ${link.expiresAt}:\n  ${link.url}\n`,
        );
      } finally {
        await attain.close();
      }
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : exitCodeFor('validation');
    if (error instanceof ConfigError) {
      printError(new AppError('validation', error.message), format, io);
      return exitCodeFor('validation');
    }
    if (isAppError(error)) {
      printError(error, format, io);
      return exitCodeFor(error.code);
    }
    io.err(
      `attain: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return exitCodeFor('internal');
  }
}
