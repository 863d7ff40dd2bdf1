import os from 'node:os';
import { Command, Option } from 'commander';
import type { AppConfig } from '../config/config.ts';
import { createAttain, type Attain } from '../app/create-attain.ts';
import { systemActor } from '../app/audit/audit-log.ts';
import { compPeriodOf } from '../app/comp/comp-period.ts';
import type { RunView } from '../app/comp/comp-service.ts';
import type { Clock } from '../app/ports.ts';
import type { RunComparison } from '../domain/comp/compare-runs.ts';
import { AppError } from '../domain/errors.ts';
import { registerSimulateCommand } from './comp-simulate.ts';

type Io = { out: (text: string) => void; err: (text: string) => void; isTty: boolean };
type Format = 'text' | 'json';

export type CompCommandContext = {
  io: Io;
  config: () => AppConfig;
  clock: Clock;
  /** Tells run-cli the chosen output format (for errors) and the exit code. */
  setFormat: (format: Format) => void;
  setExitCode: (code: number) => void;
  exitCodeFor: (code: AppError['code']) => number;
};

function formatOption() {
  return new Option('--format <format>', 'output format').choices(['text', 'json']).default('text');
}

function commandLineActor() {
  return systemActor(`command line (${os.userInfo().username})`);
}

async function withAttain<T>(context: CompCommandContext, work: (attain: Attain) => Promise<T>): Promise<T> {
  const attain = await createAttain(context.config(), context.clock);
  try {
    return await work(attain);
  } finally {
    await attain.close();
  }
}

function printRun(run: RunView, io: Io): void {
  if (run.status === 'failed') {
    io.out(`Run ${run.id} of ${run.period} failed: ${run.error?.title ?? 'unknown error'}\n`);
    return;
  }
  const s = run.summary;
  io.out(
    `Run ${run.id} of ${run.period}: ${s?.payees ?? 0} payees, earnings ${s?.earnings ?? '0'}, payable ${s?.payable ?? '0'} (${s?.lines ?? 0} lines).\n`,
  );
  for (const p of run.planVersions)
    io.out(`  plan ${p.planId} v${p.version} (${p.fingerprint.slice(0, 12)})\n`);
  io.out(`  input fingerprint ${run.inputFingerprint ?? '—'}\n`);
  if (run.issueCount > 0) {
    io.out(
      `Issues (${run.issueCount}${run.issueCount > run.issues.length ? `, first ${run.issues.length}` : ''}):\n`,
    );
    for (const issue of run.issues.slice(0, 20)) io.out(`  - ${issue.code}: ${issue.message}\n`);
  }
}

function printComparison(comparison: RunComparison, a: number, b: number, io: Io): void {
  io.out(
    `Run ${a} → run ${b}: ${comparison.statements.length} statements changed, ${comparison.unchangedStatements} unchanged; payable ${comparison.totalsBefore.payable} → ${comparison.totalsAfter.payable} (${comparison.totalsDelta.payable}).\n`,
  );
  for (const reason of comparison.reasons) io.out(`  ${reason}\n`);
  for (const s of comparison.statements) {
    io.out(`${s.payeeName} (${s.payee}), ${s.period}: ${s.change}, payable ${s.delta.payable}\n`);
    for (const line of s.lines)
      io.out(
        `  ${line.lineId}: ${line.before ?? '—'} → ${line.after ?? '—'} (${line.delta})${line.reasons.length ? `: ${line.reasons.join('; ')}` : ''}\n`,
      );
  }
}

/**
 * `attain comp ...`: run a period, close it, compare two runs (against the configured database,
 * as the trusted console, like `import`), and simulate a plan with no database (comp-simulate.ts).
 */
export function registerCompCommands(program: Command, context: CompCommandContext): Command {
  const { io } = context;
  const comp = program.command('comp').description('compensation: run, close, diff, simulate');

  comp
    .command('run')
    .description('compute a period for all payees (or some) and store their statements')
    .requiredOption('--period <period>', 'the period: a month (2026-06) or a quarter (2026-Q2)')
    .option('--payee <keys...>', 'only these payees (person keys)')
    .addOption(formatOption())
    .action(async (opts: { period: string; payee?: string[]; format: Format }) => {
      context.setFormat(opts.format);
      // A period that is not one fails before the database is opened.
      compPeriodOf(opts.period, context.config().fiscalYearStartMonth);
      const run = await withAttain(context, (attain) =>
        attain.comp.runNow({ period: opts.period, payees: opts.payee ?? null }, commandLineActor()),
      );
      if (opts.format === 'json') io.out(`${JSON.stringify(run, null, 2)}\n`);
      else printRun(run, io);
      if (run.status === 'failed') {
        const code = run.error?.code;
        context.setExitCode(
          context.exitCodeFor(
            code === 'validation' || code === 'conflict' || code === 'not_found' ? code : 'internal',
          ),
        );
      }
    });

  comp
    .command('close')
    .description('close a period on its latest run: it is never rewritten afterwards')
    .argument('<period>', 'the period: 2026-06 or 2026-Q2')
    .addOption(formatOption())
    .action(async (period: string, opts: { format: Format }) => {
      context.setFormat(opts.format);
      compPeriodOf(period, context.config().fiscalYearStartMonth);
      const closed = await withAttain(context, (attain) =>
        attain.comp.closePeriod(period, commandLineActor()),
      );
      io.out(
        opts.format === 'json'
          ? `${JSON.stringify(closed, null, 2)}\n`
          : `Closed ${closed.period} on run ${closed.lastRunId ?? '—'}.\n`,
      );
    });

  comp
    .command('diff')
    .description('which payees and lines changed between two runs, by how much, and why')
    .argument('<runA>', 'the earlier run id')
    .argument('<runB>', 'the later run id')
    .addOption(formatOption())
    .action(async (runA: string, runB: string, opts: { format: Format }) => {
      context.setFormat(opts.format);
      const ids = [runA, runB].map((text, i) => {
        const value = Number(text);
        if (!Number.isSafeInteger(value) || value <= 0)
          throw new AppError('validation', `"${text}" is not a run id.`, [
            { field: i === 0 ? 'runA' : 'runB', value: text, message: 'expected a run id such as 12' },
          ]);
        return value;
      }) as [number, number];
      const comparison = await withAttain(context, (attain) => attain.comp.compareRuns(ids[0], ids[1]));
      if (opts.format === 'json') io.out(`${JSON.stringify(comparison, null, 2)}\n`);
      else printComparison(comparison, ids[0], ids[1], io);
    });

  registerSimulateCommand(comp, io);
  return comp;
}
