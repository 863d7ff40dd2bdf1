/**
 * `attain comp simulate --plan <file> --input <file-or-dir> [--format json|text] [--test]`
 * (docs/plans.md "attain comp simulate"): evaluates a plan on given transactions, quotas and
 * positions with no database, for plan tests and for anyone checking a plan by hand. Problems in
 * the plan or the input are reported with file, line, field and reason (exit code 2); `--test`
 * runs the plan's own test cases and fails when one fails.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { AppError, type Problem } from '../domain/errors.ts';
import { calculateCompensation } from '../domain/comp/calculate-compensation.ts';
import { validateCompInput } from '../domain/comp/comp-input-schema.ts';
import type { CompInput, CompResult, Statement } from '../domain/comp/comp-types.ts';
import { currencyDigits, decimalToMinor, formatMoney, ppmToPercent } from '../domain/comp/exact-money.ts';
import { parsePlanPath, readDataText, readPlanText } from '../domain/comp/parse-plan.ts';
import { ratePpm, type PlanDocument } from '../domain/comp/plan-document.ts';
import { runPlanTests, type PlanTestResult } from '../domain/comp/run-plan-tests.ts';
import { openTable } from '../ingest/read-table.ts';

export type SimulateIo = { out: (text: string) => void; err: (text: string) => void };

export type SimulateOptions = {
  plan: string;
  input?: string;
  format: 'json' | 'text';
  test?: boolean;
};

/** Registers `simulate` under the `comp` command group. */
export function registerSimulateCommand(comp: Command, io: SimulateIo): Command {
  return comp
    .command('simulate')
    .description(
      'evaluate a plan on given transactions, quotas and positions, with no database (docs/plans.md)',
    )
    .requiredOption('--plan <file>', 'the plan, YAML or JSON')
    .option(
      '--input <file-or-dir>',
      'a CompInput JSON file, or a directory of transactions.csv, quotas.csv, ... (+ input.json)',
    )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--test', "run the plan's own test cases; fail when one fails", false)
    .action(async (opts: SimulateOptions) => {
      io.out(await simulateCommand(opts));
    });
}

/**
 * The command's work, for the CLI and the acceptance tests: returns what it prints, or throws an
 * AppError (validation) naming every problem of the plan, the input or the failing tests.
 */
export async function simulateCommand(options: SimulateOptions): Promise<string> {
  if (options.input === undefined && !options.test)
    throw new AppError('validation', 'Give --input (a file or a directory), --test, or both.', [
      { field: '--input', message: 'missing' },
    ]);
  const plan = loadPlan(options.plan);
  let tests: PlanTestResult[] | undefined;
  if (options.test) {
    tests = runPlanTests(plan);
    const failed = tests.filter((t) => !t.passed);
    if (failed.length > 0) {
      throw new AppError(
        'validation',
        `${failed.length} of ${tests.length} plan tests failed in ${path.basename(options.plan)}.`,
        failed.flatMap((t): Problem[] =>
          t.error !== undefined
            ? [{ file: path.basename(options.plan), field: t.name, message: t.error }]
            : t.failures.map((f) => ({
                file: path.basename(options.plan),
                field: t.name,
                message: `${f.expectation}: expected ${f.expected}, got ${f.actual}`,
              })),
        ),
      );
    }
  }
  const result =
    options.input === undefined
      ? undefined
      : calculateCompensation(plan, await loadCompInput(options.input, plan.currency));
  if (options.format === 'json') {
    if (tests === undefined) return formatCompResultJson(result!);
    return `${JSON.stringify({ tests, ...(result ? { result: orderKeys(result, 'result') } : {}) }, null, 2)}\n`;
  }
  let text = '';
  if (tests) text += describeTests(tests);
  if (result) text += `${tests ? '\n' : ''}${describeCompResult(result)}`;
  return text;
}

/** Reads, validates and checks the plan file; every problem is reported with its line. */
export function loadPlan(planPath: string): PlanDocument {
  const name = path.basename(planPath);
  const text = readText(planPath, name);
  const { plan, problems } = readPlanText(text, name);
  if (!plan) {
    throw new AppError(
      'validation',
      `The plan ${name} is not valid (${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}).`,
      problems,
    );
  }
  return plan;
}

function readText(filePath: string, name: string): string {
  try {
    return fs.readFileSync(filePath, 'utf8');
  } catch {
    throw new AppError('validation', `${name}: no such file, or it cannot be read (${filePath}).`, [
      { file: name, message: 'no such file, or not readable' },
    ]);
  }
}

// ---------------------------------------------------------------------------------------------
// Input: a CompInput JSON file, or a directory of CSV files (+ input.json)

/** Where each element of the input came from, to name the file and line of a problem. */
type Origin = { file: string; line?: number; columns?: Record<string, string> };

const csvFiles = {
  transactions: 'transactions.csv',
  quotas: 'quotas.csv',
  reporting: 'reporting.csv',
  territories: 'territories.csv',
  adjustments: 'adjustments.csv',
  scores: 'scores.csv',
  payees: 'payees.csv',
} as const;
type CsvKey = keyof typeof csvFiles;

const csvColumns: Record<CsvKey, readonly string[]> = {
  transactions: [
    'id',
    'date',
    'owner',
    'amount',
    'margin_pct',
    'margin',
    'units',
    'type',
    'product',
    'product_family',
    'segment',
    'account',
    'account_name',
    'name',
    'cancelled_on',
    'splits',
    'overlays',
    'collections',
  ],
  quotas: ['payee', 'period', 'measure', 'amount', 'from'],
  reporting: ['payee', 'manager', 'from', 'to'],
  territories: ['account', 'payee', 'from', 'to'],
  adjustments: ['id', 'payee', 'period', 'amount', 'reason', 'approver'],
  scores: ['payee', 'period', 'component', 'score'],
  payees: ['id', 'name', 'role'],
};

/** Loads and validates the simulate input; problems name the file, line and field. */
export async function loadCompInput(inputPath: string, planCurrency?: string): Promise<CompInput> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(inputPath);
  } catch {
    const name = path.basename(inputPath);
    throw new AppError('validation', `${name}: no such file or directory (${inputPath}).`, [
      { file: name, message: 'no such file or directory' },
    ]);
  }
  const raw: Record<string, unknown> = {};
  const origins: Partial<Record<string, Origin[]>> = {};
  let lineOfJson: ((p: readonly (string | number)[]) => number | undefined) | undefined;
  let jsonName: string | undefined;
  const problems: Problem[] = [];
  const readJson = (filePath: string) => {
    jsonName = path.basename(filePath);
    const data = readDataText(readText(filePath, jsonName), jsonName);
    problems.push(...data.problems);
    lineOfJson = data.lineOfPath;
    if (data.value === undefined) return;
    if (typeof data.value !== 'object' || data.value === null || Array.isArray(data.value)) {
      problems.push({
        file: jsonName,
        line: 1,
        message: 'expected an object with transactions, quotas, ...',
      });
      return;
    }
    Object.assign(raw, data.value);
  };
  if (stat.isDirectory()) {
    const jsonPath = path.join(inputPath, 'input.json');
    if (fs.existsSync(jsonPath)) readJson(jsonPath);
    let found = fs.existsSync(jsonPath);
    for (const key of Object.keys(csvFiles) as CsvKey[]) {
      const filePath = path.join(inputPath, csvFiles[key]);
      if (!fs.existsSync(filePath)) continue;
      found = true;
      if (raw[key] !== undefined) {
        problems.push({
          file: csvFiles[key],
          field: key,
          message: `${key} are given both in ${csvFiles[key]} and in input.json: keep one`,
        });
        continue;
      }
      const { rows, origins: rowOrigins, problems: csvProblems } = await readCsv(key, filePath);
      problems.push(...csvProblems);
      raw[key] = rows;
      origins[key] = rowOrigins;
    }
    if (!found)
      throw new AppError(
        'validation',
        `${path.basename(inputPath)} holds none of input.json, ${Object.values(csvFiles).join(', ')}.`,
        [{ file: path.basename(inputPath), message: 'no input files in the directory' }],
      );
    if (raw.transactions === undefined) raw.transactions = [];
  } else {
    readJson(inputPath);
  }
  if (problems.length > 0) throw inputError(problems);
  const { input, problems: shapeProblems } = validateCompInput(raw, planCurrency);
  if (input) return input;
  throw inputError(
    shapeProblems.map((problem) => {
      const keys = parsePlanPath(problem.field ?? '');
      const [first, index] = keys;
      const origin =
        typeof first === 'string' && typeof index === 'number' ? origins[first]?.[index] : undefined;
      if (origin) {
        const column = keys[2];
        return {
          ...problem,
          file: origin.file,
          ...(origin.line !== undefined ? { line: origin.line } : {}),
          field: typeof column === 'string' ? column : problem.field,
        };
      }
      const line = lineOfJson?.(keys);
      return {
        ...problem,
        ...(jsonName !== undefined ? { file: jsonName } : {}),
        ...(line !== undefined ? { line } : {}),
      };
    }),
  );
}

function inputError(problems: Problem[]): AppError {
  return new AppError(
    'validation',
    `The input is not valid (${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}).`,
    problems,
  );
}

/**
 * Reads one CSV file into input rows. Empty cells are absent fields. In transactions.csv,
 * `splits` and `overlays` are "alice:50%;bob:50%", `collections` "2026-07-01:60000;2026-08-01:40000",
 * and any other column is an attribute (numbers and true/false read as such).
 */
async function readCsv(
  key: CsvKey,
  filePath: string,
): Promise<{ rows: Record<string, unknown>[]; origins: Origin[]; problems: Problem[] }> {
  const file = csvFiles[key];
  const table = await openTable(filePath, file);
  const problems: Problem[] = [];
  const known = new Set(csvColumns[key]);
  if (key !== 'transactions') {
    for (const column of table.header)
      if (!known.has(column))
        problems.push({
          file,
          line: 1,
          field: column,
          message: `unknown column (expected ${csvColumns[key].join(', ')})`,
        });
  }
  const rows: Record<string, unknown>[] = [];
  const origins: Origin[] = [];
  for await (const row of table.rows) {
    const record: Record<string, unknown> = {};
    const attributes: Record<string, string | number | boolean> = {};
    table.header.forEach((column, i) => {
      const cell = (row.cells[i] ?? '').trim();
      if (cell === '' || column === '') return;
      if (!known.has(column)) {
        if (key === 'transactions') attributes[column] = attributeValue(cell);
        return;
      }
      const fail = (message: string) =>
        problems.push({ file, line: row.line, field: column, value: cell, message });
      switch (column) {
        case 'splits':
        case 'overlays': {
          const parts = parsePairs(cell);
          if (!parts) fail('expected payee:share pairs such as "alice:50%;bob:50%"');
          else record[column] = parts.map(([payee, share]) => ({ payee, share }));
          return;
        }
        case 'collections': {
          const parts = parsePairs(cell);
          if (!parts) fail('expected date:amount pairs such as "2026-07-01:60000;2026-08-01:40000"');
          else record[column] = parts.map(([date, amount]) => ({ date, amount }));
          return;
        }
        case 'units':
        case 'margin_pct': {
          const value = Number(cell);
          if (cell === '' || !Number.isFinite(value)) fail('expected a number');
          else record[column] = column === 'margin_pct' ? cell : value;
          return;
        }
        default:
          record[column] = cell;
      }
    });
    if (key === 'reporting' && record.manager === undefined) record.manager = null;
    if (Object.keys(attributes).length > 0) record.attributes = attributes;
    rows.push(record);
    origins.push({ file, line: row.line });
  }
  return { rows, origins, problems };
}

function parsePairs(cell: string): [string, string][] | undefined {
  const pairs: [string, string][] = [];
  for (const part of cell.split(';')) {
    if (part.trim() === '') continue;
    const at = part.lastIndexOf(':');
    if (at <= 0 || at === part.length - 1) return undefined;
    pairs.push([part.slice(0, at).trim(), part.slice(at + 1).trim()]);
  }
  return pairs.length > 0 ? pairs : undefined;
}

function attributeValue(cell: string): string | number | boolean {
  if (cell === 'true') return true;
  if (cell === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(cell) && Number.isFinite(Number(cell))) return Number(cell);
  return cell;
}

// ---------------------------------------------------------------------------------------------
// Output

/** Key order of each object of a CompResult, as comp-types.ts declares it (others follow, sorted). */
const keyOrder: Record<string, readonly string[]> = {
  result: ['engineVersion', 'plan', 'inputFingerprint', 'currency', 'periods', 'statements', 'issues'],
  plan: ['id', 'version', 'fingerprint'],
  statement: ['payee', 'payeeName', 'period', 'currency', 'measures', 'lines', 'totals'],
  measure: ['id', 'value', 'quota', 'attainment'],
  line: ['id', 'kind', 'component', 'transaction', 'amount', 'trace', 'explanation'],
  trace: [
    'rule',
    'credits',
    'basis',
    'method',
    'rate',
    'multipliers',
    'portions',
    'attainmentBefore',
    'attainmentAfter',
    'capped',
    'arithmetic',
    'details',
  ],
  credit: [
    'transaction',
    'transactionName',
    'creditType',
    'rule',
    'from',
    'level',
    'baseAmount',
    'share',
    'amount',
    'date',
  ],
  multiplier: ['label', 'factor'],
  portion: ['tier', 'amount', 'rate', 'pay'],
  capped: ['cap', 'before', 'after'],
  totals: [
    'earnings',
    'adjustments',
    'clawbacks',
    'draw',
    'drawRecovered',
    'held',
    'released',
    'payable',
    'balanceCarried',
  ],
  issue: ['code', 'message', 'payee', 'period', 'transaction', 'component'],
};

/** What each field of an object holds (the context of its value's keys). */
const childContext: Record<string, Record<string, string>> = {
  result: { plan: 'plan', statements: 'statement', issues: 'issue' },
  statement: { measures: 'measure', lines: 'line', totals: 'totals' },
  line: { trace: 'trace' },
  trace: { credits: 'credit', multipliers: 'multiplier', portions: 'portion', capped: 'capped' },
};

function orderKeys(value: unknown, context: string): unknown {
  if (Array.isArray(value)) return value.map((v) => orderKeys(v, context));
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const order = keyOrder[context] ?? [];
  const keys = [
    ...order.filter((k) => k in record),
    ...Object.keys(record)
      .filter((k) => !order.includes(k))
      .sort(),
  ];
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (record[key] === undefined) continue;
    out[key] = orderKeys(record[key], childContext[context]?.[key] ?? `${context}.${key}`);
  }
  return out;
}

/** The CompResult as JSON: keys in a fixed order, 2-space indent, a final newline. */
export function formatCompResultJson(result: CompResult): string {
  return `${JSON.stringify(orderKeys(result, 'result'), null, 2)}\n`;
}

/** The statements in sentences, for people checking a plan by hand. */
export function describeCompResult(result: CompResult): string {
  const digits = currencyDigits(result.currency);
  const money = (text: string) => {
    try {
      return formatMoney(decimalToMinor(text, digits), digits, result.currency);
    } catch {
      return text;
    }
  };
  const percent = (text: string) => {
    const ppm = ratePpm.safeParse(text);
    return ppm.success ? ppmToPercent(ppm.data) : text;
  };
  let out = `Plan ${result.plan.id} version ${result.plan.version}, ${result.periods.length === 1 ? 'period' : 'periods'} ${result.periods.join(', ')}, in ${result.currency}.\n`;
  if (result.statements.length === 0) out += 'No statements: nobody was credited in these periods.\n';
  for (const s of result.statements) out += `\n${describeStatement(s, money, percent)}`;
  if (result.issues.length > 0) {
    out += `\nIssues (${result.issues.length}):\n`;
    for (const issue of result.issues) out += `  - ${issue.code}: ${issue.message}\n`;
  }
  return out;
}

function describeStatement(
  s: Statement,
  money: (text: string) => string,
  percent: (text: string) => string,
): string {
  const name = s.payeeName && s.payeeName !== s.payee ? `${s.payeeName} (${s.payee})` : s.payee;
  let out = `${name}, ${s.period}:\n`;
  for (const m of s.measures) {
    out += `  ${m.id} is ${money(m.value)}${m.quota !== undefined ? ` against a quota of ${money(m.quota)}` : ''}${m.attainment !== undefined ? `: ${percent(m.attainment)} attainment` : ''}.\n`;
  }
  if (s.lines.length === 0) out += '  No lines this period.\n';
  for (const line of s.lines) out += `  ${money(line.amount)} — ${line.explanation}\n`;
  const t = s.totals;
  const parts = [`earned ${money(t.earnings)}`];
  if (!isZero(t.adjustments)) parts.push(`adjustments ${money(t.adjustments)}`);
  if (!isZero(t.clawbacks)) parts.push(`clawbacks ${money(t.clawbacks)}`);
  if (!isZero(t.draw)) parts.push(`draw ${money(t.draw)}`);
  if (!isZero(t.drawRecovered)) parts.push(`draw recovered ${money(t.drawRecovered)}`);
  if (!isZero(t.held)) parts.push(`held ${money(t.held)}`);
  if (!isZero(t.released)) parts.push(`released ${money(t.released)}`);
  const owedDraw =
    t.drawOwed !== undefined && t.drawOwed !== t.balanceCarried
      ? ` (of which ${money(t.drawOwed)} draw owed)`
      : '';
  out += `  In total: ${parts.join(', ')}; payable ${money(t.payable)}${isZero(t.balanceCarried) ? '' : `; ${money(t.balanceCarried)} carried to the next period${owedDraw}`}.\n`;
  return out;
}

function isZero(text: string): boolean {
  return /^-?0*(\.0*)?$/.test(text);
}

function describeTests(tests: PlanTestResult[]): string {
  const passed = tests.filter((t) => t.passed).length;
  let out = `Plan tests: ${passed} of ${tests.length} passed.\n`;
  for (const t of tests) out += `  ${t.passed ? 'pass' : 'FAIL'}  ${t.name}\n`;
  return out;
}
