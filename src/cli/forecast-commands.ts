import { Command, Option } from 'commander';
import { createAttain } from '../app/create-attain.ts';
import {
  forecastPeriodKinds,
  type BacktestReport,
  type ForecastPeriodKind,
} from '../app/forecast/forecast-service.ts';
import { backtestHorizons, type BacktestHorizon } from '../domain/forecast/backtest.ts';
import {
  forecastGroupBys,
  forecastMethods,
  type ForecastGroupBy,
  type ForecastMethod,
} from '../domain/forecast/forecast-types.ts';
import type { CompCommandContext } from './comp-commands.ts';

const percent = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(1)}%`);
const signed = (value: number | null) =>
  value === null ? '—' : `${value >= 0 ? '+' : '−'}${Math.abs(value * 100).toFixed(1)}%`;

/** The scores as a table: a block per horizon, a line per method. */
function printBacktest(
  report: BacktestReport,
  methods: readonly ForecastMethod[],
  out: (text: string) => void,
) {
  const first = report.periods[0];
  const last = report.periods[report.periods.length - 1];
  out(
    `Backtest of ${report.periods.length} periods (${first?.label} to ${last?.label}) by ${report.groupBy}, ${report.trials} Monte Carlo trials, seed ${report.seed}, ${report.shockWindows === 0 ? 'deals independent' : `common shock from up to ${report.shockWindows} past periods`}, in ${report.currency} (${report.computeMs} ms).\n`,
  );
  for (const horizon of backtestHorizons) {
    const deal = report.dealScores?.find((d) => d.horizon === horizon);
    const scores = report.scores.filter((s) => s.horizon === horizon && methods.includes(s.method));
    if (scores.length === 0) continue;
    out(`\n${horizon}\n`);
    out(
      `  ${'method'.padEnd(16)} ${'outcomes'.padStart(8)} ${'WAPE'.padStart(8)} ${'bias'.padStart(8)} ${'P10-P90'.padStart(8)}\n`,
    );
    for (const s of scores)
      out(
        `  ${s.method.padEnd(16)} ${String(s.outcomes).padStart(8)} ${percent(s.wape).padStart(8)} ${signed(s.bias).padStart(8)} ${(s.coverage === null ? '' : percent(s.coverage)).padStart(8)}\n`,
      );
    if (deal && methods.includes('propensity'))
      out(
        `  deal scores: ${deal.deals} deals, AUC ${deal.auc?.toFixed(3) ?? '—'}, Brier ${deal.brier?.toFixed(3) ?? '—'}, largest calibration gap ${Math.max(0, ...deal.calibration.map((c) => Math.abs(c.observedRate - c.meanPredicted))).toFixed(3)}\n`,
      );
  }
}

/** `attain forecast backtest`: the forecast methods scored on past periods with no look-ahead. */
export function registerForecastCommands(program: Command, context: CompCommandContext): void {
  const forecast = program
    .command('forecast')
    .description('forecasts: the backtest of the methods (docs/forecasting.md)');
  forecast
    .command('backtest')
    .description(
      'forecast each of the last N ended periods at fixed horizons from the pipeline as it stood then (no look-ahead), and score each method against what was won',
    )
    .addOption(
      new Option('--method <method...>', 'methods to report (default: all)').choices([...forecastMethods]),
    )
    .addOption(
      new Option('--period <kind>', 'period kind').choices([...forecastPeriodKinds]).default('quarter'),
    )
    .option('--periods <n>', 'how many past periods', '8')
    .option(
      '--as-of <date>',
      'the last day whose data counts (YYYY-MM-DD); periods ending by it; default today',
    )
    .addOption(
      new Option('--by <grouping>', 'score per group').choices([...forecastGroupBys]).default('company'),
    )
    .option('--trials <n>', 'Monte Carlo trials', '2000')
    .option('--seed <n>', 'Monte Carlo seed', '1')
    .option(
      '--shock-windows <n>',
      "past periods the range's common shock is learned from (0: deals independent)",
      '8',
    )
    .addOption(
      new Option('--horizons <horizon...>', 'horizons (default: all four)').choices([...backtestHorizons]),
    )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(
      async (opts: {
        method?: ForecastMethod[];
        period: ForecastPeriodKind;
        periods: string;
        asOf?: string;
        by: ForecastGroupBy;
        trials: string;
        seed: string;
        shockWindows: string;
        horizons?: BacktestHorizon[];
        format: 'text' | 'json';
      }) => {
        context.setFormat(opts.format);
        const attain = await createAttain(context.config(), context.clock);
        try {
          const report = await attain.forecast.backtest({
            kind: opts.period,
            count: Number(opts.periods),
            groupBy: opts.by,
            trials: Number(opts.trials),
            seed: Number(opts.seed),
            shockWindows: Number(opts.shockWindows),
            ...(opts.asOf !== undefined ? { asOf: opts.asOf } : {}),
            ...(opts.horizons ? { horizons: opts.horizons } : {}),
            propensity: (opts.method ?? forecastMethods).includes('propensity'),
          });
          const methods = opts.method ?? forecastMethods;
          const chosen = { ...report, scores: report.scores.filter((s) => methods.includes(s.method)) };
          if (opts.format === 'json') context.io.out(`${JSON.stringify(chosen, null, 2)}\n`);
          else printBacktest(chosen, methods, context.io.out);
        } finally {
          await attain.close();
        }
      },
    );
}
