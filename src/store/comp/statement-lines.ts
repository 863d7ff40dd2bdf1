/**
 * Statement lines as rows of numbers (migration 0005-comp-statement-lines): the codes, one line's
 * record ⇄ one row of `comp_statement_lines`, and how rows reach each database. An earnings
 * line's row holds the facts its trace and sentence are written from (explain-earnings.ts); the
 * columns marked "null: derived" are left out when they equal what the reader derives, so the
 * common commission line (one band, owner credit) takes about 160 bytes of heap. A ledger line
 * keeps its whole line as JSON text.
 *
 * The codes below are stored: never reorder them, only append.
 */
import type pg from 'pg';
import { fromDayNumber, toDayNumber } from '../../domain/calendar/day-number.ts';
import { CREDIT_RULES } from '../../domain/comp/comp-conditions.ts';
import type { LineKind, StatementLine } from '../../domain/comp/comp-types.ts';
import type { Cut, EarningDetail } from '../../domain/comp/components.ts';
import type { CreditFacts, EarningFacts } from '../../domain/comp/explain-earnings.ts';
import type { StatementLineRecord, StatementRecord } from '../../domain/comp/statement-record.ts';
import { AppError } from '../../domain/errors.ts';
import { copyField, copyIn } from '../copy-in.ts';

const KINDS: readonly LineKind[] = [
  'commission',
  'bonus',
  'spiff',
  'retro_adjustment',
  'draw',
  'draw_recovery',
  'clawback',
  'hold',
  'release',
  'adjustment',
  'prior_period_adjustment',
];
const RULES = ['owner', 'split', 'overlay', 'rollup', 'territory'] as const;
const METHODS = ['flat', 'rate_table', 'marginal', 'whole', 'retroactive', 'interpolated'] as const;
const BASES = ['amount', 'attainment'] as const;
const CAPS: readonly Cut['cap'][] = ['threshold', 'gate', 'per_deal', 'per_period', 'per_year'];

/** The columns of comp_statement_lines, in COPY order. */
export const LINE_COLUMNS = [
  'run_id',
  'statement_no',
  'line_no',
  'kind',
  'component',
  'transaction_key',
  'line_id',
  'amount_minor',
  'deal_name',
  'deal_day',
  'credit_rule',
  'credit_from',
  'credit_level',
  'base_minor',
  'share_ppm',
  'credited_minor',
  'method',
  'basis',
  'rate_ppm',
  'multipliers',
  'tier',
  'tier_rate_ppm',
  'tiers',
  'quota_minor',
  'position_before_minor',
  'position_after_minor',
  'raw_minor',
  'cuts',
  'threshold_value_minor',
  'detail',
  'ledger',
] as const;

/** PostgreSQL types of the columns, for the PGlite path (unnest of text arrays, cast). */
const LINE_TYPES: Record<(typeof LINE_COLUMNS)[number], string> = {
  run_id: 'bigint',
  statement_no: 'integer',
  line_no: 'integer',
  kind: 'smallint',
  component: 'smallint',
  transaction_key: 'text',
  line_id: 'text',
  amount_minor: 'bigint',
  deal_name: 'text',
  deal_day: 'date',
  credit_rule: 'smallint',
  credit_from: 'smallint',
  credit_level: 'smallint',
  base_minor: 'bigint',
  share_ppm: 'integer',
  credited_minor: 'bigint',
  method: 'smallint',
  basis: 'smallint',
  rate_ppm: 'bigint',
  multipliers: 'integer',
  tier: 'smallint',
  tier_rate_ppm: 'bigint',
  tiers: 'bigint[]',
  quota_minor: 'bigint',
  position_before_minor: 'bigint',
  position_after_minor: 'bigint',
  raw_minor: 'bigint',
  cuts: 'bigint[]',
  threshold_value_minor: 'bigint',
  detail: 'json',
  ledger: 'json',
};

const COLUMN_COUNT = LINE_COLUMNS.length;
const C = Object.fromEntries(LINE_COLUMNS.map((name, i) => [name, i])) as Record<
  (typeof LINE_COLUMNS)[number],
  number
>;

/** Fields of one row as text (null = SQL null); reused from row to row. */
export type LineFields = (string | null)[];

function int(value: number, what: string): string {
  if (!Number.isSafeInteger(value))
    throw new AppError(
      'internal',
      `A statement line's ${what} is not an integer (${value}); it cannot be stored.`,
    );
  return String(value);
}

function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v))
      throw new AppError('internal', `A statement line holds a number that JSON cannot keep (${v}).`);
    return v;
  });
}

function isAscendingBits(list: readonly number[]): boolean {
  for (let i = 0; i < list.length; i++) {
    const k = list[i]!;
    if (!Number.isInteger(k) || k < 0 || k > 30 || (i > 0 && k <= list[i - 1]!)) return false;
  }
  return true;
}

/**
 * Encodes a statement's lines: `visit` receives each row's fields (the same array every time).
 * Returns the roll-up sources the rows name by index (comp_statements.credit_from).
 */
export function encodeStatementLines(
  runId: number,
  statementNo: number,
  componentIds: readonly string[],
  record: StatementRecord,
  visit: (fields: LineFields) => void,
): [string, string][] {
  const fields: LineFields = new Array<string | null>(COLUMN_COUNT).fill(null);
  const from: [string, string][] = [];
  const fromIndex = new Map<string, number>();
  const run = String(runId);
  const statement = String(statementNo);
  record.lines.forEach((r, lineNo) => {
    fields.fill(null);
    fields[C.run_id] = run;
    fields[C.statement_no] = statement;
    fields[C.line_no] = String(lineNo);
    if (r.source === 'ledger') encodeLedger(r.line, componentIds, fields);
    else
      encodeEarning(r.facts, componentIds, fields, (id, name) => {
        const key = `${id}\u0000${name}`;
        let index = fromIndex.get(key);
        if (index === undefined) {
          index = from.push([id, name]) - 1;
          fromIndex.set(key, index);
        }
        return index;
      });
    visit(fields);
  });
  return from;
}

/** ISO day texts by day number: a period's lines share a few dozen days. */
const dayTexts = new Map<number, string>();
function dayText(day: number): string {
  let text = dayTexts.get(day);
  if (text === undefined) {
    if (dayTexts.size > 100_000) dayTexts.clear();
    dayTexts.set(day, (text = fromDayNumber(day)));
  }
  return text;
}

const KIND_CODES = new Map(KINDS.map((k, i) => [k, String(i)]));

function kindCode(kind: LineKind): string {
  const cached = KIND_CODES.get(kind);
  if (cached !== undefined) return cached;
  const code = KINDS.indexOf(kind);
  if (code < 0) throw new AppError('internal', `Unknown statement line kind "${kind}".`);
  return String(code);
}

/** The code comp_statement_lines.kind stores for a line kind (for queries over stored lines). */
export function lineKindCode(kind: LineKind): number {
  return Number(kindCode(kind));
}

function encodeLedger(line: StatementLine, componentIds: readonly string[], fields: LineFields): void {
  fields[C.kind] = kindCode(line.kind);
  const component = line.component === undefined ? -1 : componentIds.indexOf(line.component);
  if (component >= 0) fields[C.component] = String(component);
  if (line.transaction !== undefined) fields[C.transaction_key] = line.transaction;
  fields[C.line_id] = line.id;
  // amounts are decimal text; the column keeps minor units for SQL (closed periods' figures)
  fields[C.amount_minor] = decimalTextToMinor(line.amount);
  fields[C.ledger] = jsonText(line);
}

/** "-12.50" → "-1250" (the digits as written: a statement's amounts all have the currency's digits). */
function decimalTextToMinor(text: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new AppError('internal', `A statement line's amount "${text}" is not a decimal.`);
  const digits = `${match[2]}${match[3] ?? ''}`.replace(/^0+(?=\d)/, '');
  return digits === '0' ? '0' : `${match[1]}${digits}`;
}

function encodeEarning(
  facts: EarningFacts,
  componentIds: readonly string[],
  fields: LineFields,
  fromCode: (id: string, name: string) => number,
): void {
  const componentId = componentIds[facts.component];
  if (componentId === undefined)
    throw new AppError('internal', `A statement line names component ${facts.component}, not in the plan.`);
  fields[C.kind] = kindCode(facts.kind);
  fields[C.component] = String(facts.component);
  fields[C.amount_minor] = int(facts.amountMinor, 'amount');
  const c = facts.credit;
  if (c) {
    fields[C.transaction_key] = c.transaction;
    if (facts.id !== `${componentId}:${c.transaction}`) fields[C.line_id] = facts.id;
    if (c.transactionName !== c.transaction) fields[C.deal_name] = c.transactionName;
    fields[C.deal_day] = dayText(c.day);
    const rule = RULES.indexOf(CREDIT_RULES[c.rule]!);
    if (rule < 0) throw new AppError('internal', `Unknown credit rule ${c.rule}.`);
    fields[C.credit_rule] = String(rule);
    if (c.fromId !== undefined) fields[C.credit_from] = String(fromCode(c.fromId, c.fromName ?? c.fromId));
    fields[C.credit_level] = int(c.level, 'level');
    if (c.baseMinor !== c.creditMinor) fields[C.base_minor] = int(c.baseMinor, 'base amount');
    fields[C.share_ppm] = int(c.sharePpm, 'share');
    fields[C.credited_minor] = int(c.creditMinor, 'credit');
  } else fields[C.line_id] = facts.id;
  encodeDetail(facts, fields);
  if (facts.thresholdValueMinor !== undefined)
    fields[C.threshold_value_minor] = int(facts.thresholdValueMinor, 'threshold value');
}

function encodeDetail(facts: EarningFacts, fields: LineFields): void {
  const d = facts.detail;
  const c = facts.credit;
  const rare: Record<string, unknown> = {};
  if (d.method !== undefined) fields[C.method] = String(METHODS.indexOf(d.method));
  if (d.basis !== undefined) fields[C.basis] = String(BASES.indexOf(d.basis));
  if (d.ratePpm !== undefined) {
    if (Number.isSafeInteger(d.ratePpm)) fields[C.rate_ppm] = String(d.ratePpm);
    else rare.ratePpm = d.ratePpm;
  }
  if (d.multipliers.length > 0) {
    if (isAscendingBits(d.multipliers)) {
      let mask = 0;
      for (const k of d.multipliers) mask |= 1 << k;
      fields[C.multipliers] = String(mask);
    } else rare.multipliers = d.multipliers;
  }
  if (d.portions) {
    const p = d.portions;
    const whole = p.every(
      (x) =>
        typeof x.ratePpm === 'number' &&
        Number.isSafeInteger(x.ratePpm) &&
        Number.isSafeInteger(x.tier) &&
        Number.isSafeInteger(x.amountMinor) &&
        Number.isSafeInteger(x.payMinor),
    );
    if (!whole) rare.portions = p;
    else if (
      p.length === 1 &&
      c !== undefined &&
      p[0]!.amountMinor === c.creditMinor &&
      p[0]!.payMinor === d.rawMinor
    ) {
      fields[C.tier] = String(p[0]!.tier);
      fields[C.tier_rate_ppm] = String(p[0]!.ratePpm);
    } else {
      let text = '{';
      for (let i = 0; i < p.length; i++)
        text += `${i > 0 ? ',' : ''}${p[i]!.tier},${p[i]!.amountMinor},${p[i]!.ratePpm},${p[i]!.payMinor}`;
      fields[C.tiers] = `${text}}`;
    }
  }
  if (d.quotaMinor !== undefined) fields[C.quota_minor] = int(d.quotaMinor, 'quota');
  const before = d.positionBeforeMinor;
  const after = d.positionAfterMinor;
  if (before !== undefined) fields[C.position_before_minor] = int(before, 'attainment before');
  const derivable = before !== undefined && c !== undefined;
  if (after !== undefined) {
    if (!derivable || after !== before + c.creditMinor)
      fields[C.position_after_minor] = int(after, 'attainment after');
  } else if (derivable) rare.noPositionAfter = true;
  if (d.rawMinor !== facts.amountMinor) fields[C.raw_minor] = int(d.rawMinor, 'raw pay');
  if (d.cuts.length > 0) {
    let text = '{';
    d.cuts.forEach((cut, i) => {
      text += `${i > 0 ? ',' : ''}${CAPS.indexOf(cut.cap)},${int(cut.beforeMinor, 'cut')},${int(cut.afterMinor, 'cut')}`;
    });
    fields[C.cuts] = `${text}}`;
  }
  if (d.trueUp) rare.trueUp = d.trueUp;
  if (d.retro) rare.retro = d.retro;
  if (d.bonus) rare.bonus = d.bonus;
  if (d.spiff) rare.spiff = d.spiff;
  if (d.interpolated) rare.interpolated = d.interpolated;
  for (const _ in rare) {
    fields[C.detail] = jsonText(rare);
    break;
  }
}

const TEXT_COLUMN: boolean[] = LINE_COLUMNS.map(
  (name) => LINE_TYPES[name] === 'text' || LINE_TYPES[name] === 'json',
);

/** One row of COPY text (tab-separated, `\N` nulls, newline-terminated); the fields are escaped in place. */
export function copyRowText(fields: LineFields): string {
  for (let i = 0; i < COLUMN_COUNT; i++) {
    const value = fields[i]!;
    if (value === null) fields[i] = '\\N';
    else if (TEXT_COLUMN[i]) fields[i] = copyField(value);
  }
  return fields.join('\t') + '\n';
}

// ------------------------------------------------------------------ reading

export type StatementLineRow = {
  statement_no: number;
  line_no: number;
  kind: number;
  component: number | null;
  transaction_key: string | null;
  line_id: string | null;
  amount_minor: number | string;
  deal_name: string | null;
  deal_day: string | null;
  credit_rule: number | null;
  credit_from: number | null;
  credit_level: number | null;
  base_minor: number | string | null;
  share_ppm: number | null;
  credited_minor: number | string | null;
  method: number | null;
  basis: number | null;
  rate_ppm: number | string | null;
  multipliers: number | null;
  tier: number | null;
  tier_rate_ppm: number | string | null;
  tiers: (string | number)[] | null;
  quota_minor: number | string | null;
  position_before_minor: number | string | null;
  position_after_minor: number | string | null;
  raw_minor: number | string | null;
  cuts: (string | number)[] | null;
  threshold_value_minor: number | string | null;
  detail: Record<string, unknown> | null;
  ledger: StatementLine | null;
};

/** The select list the reader expects. */
export const LINE_SELECT = LINE_COLUMNS.filter((c) => c !== 'run_id');

const num = (v: number | string): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new AppError('internal', `A stored statement line holds ${v}.`);
  return n;
};

/** A stored row back to the line's record. */
export function decodeStatementLine(
  row: StatementLineRow,
  componentIds: readonly string[],
  creditFrom: readonly [string, string][],
): StatementLineRecord {
  if (row.ledger !== null) return { source: 'ledger', line: row.ledger };
  const component = row.component!;
  const amountMinor = num(row.amount_minor);
  let credit: CreditFacts | undefined;
  if (row.credit_rule !== null) {
    const creditMinor = num(row.credited_minor!);
    const from = row.credit_from === null ? undefined : creditFrom[row.credit_from];
    credit = {
      transaction: row.transaction_key!,
      transactionName: row.deal_name ?? row.transaction_key!,
      day: toDayNumber(row.deal_day!),
      rule: CREDIT_RULES.indexOf(RULES[row.credit_rule]!),
      ...(from ? { fromId: from[0], fromName: from[1] } : {}),
      level: row.credit_level!,
      baseMinor: row.base_minor === null ? creditMinor : num(row.base_minor),
      sharePpm: row.share_ppm!,
      creditMinor,
    };
  }
  const rare = (row.detail ?? {}) as {
    ratePpm?: number;
    multipliers?: number[];
    portions?: EarningDetail['portions'];
    noPositionAfter?: true;
    trueUp?: EarningDetail['trueUp'];
    retro?: EarningDetail['retro'];
    bonus?: EarningDetail['bonus'];
    spiff?: EarningDetail['spiff'];
    interpolated?: EarningDetail['interpolated'];
  };
  const multipliers: number[] = rare.multipliers ?? [];
  if (row.multipliers !== null)
    for (let k = 0; k < 31; k++) if ((row.multipliers & (1 << k)) !== 0) multipliers.push(k);
  const rawMinor = row.raw_minor === null ? amountMinor : num(row.raw_minor);
  const detail: EarningDetail = { multipliers, rawMinor, cuts: [] };
  if (row.method !== null) detail.method = METHODS[row.method]!;
  if (row.basis !== null) detail.basis = BASES[row.basis]!;
  if (row.rate_ppm !== null) detail.ratePpm = num(row.rate_ppm);
  else if (rare.ratePpm !== undefined) detail.ratePpm = rare.ratePpm;
  if (row.tier !== null)
    detail.portions = [
      {
        tier: row.tier,
        amountMinor: credit!.creditMinor,
        ratePpm: num(row.tier_rate_ppm!),
        payMinor: rawMinor,
      },
    ];
  else if (row.tiers !== null) {
    const t = row.tiers.map(num);
    detail.portions = [];
    for (let i = 0; i + 3 < t.length; i += 4)
      detail.portions.push({ tier: t[i]!, amountMinor: t[i + 1]!, ratePpm: t[i + 2]!, payMinor: t[i + 3]! });
  } else if (rare.portions) detail.portions = rare.portions;
  if (row.quota_minor !== null) detail.quotaMinor = num(row.quota_minor);
  if (row.position_before_minor !== null) detail.positionBeforeMinor = num(row.position_before_minor);
  if (row.position_after_minor !== null) detail.positionAfterMinor = num(row.position_after_minor);
  else if (detail.positionBeforeMinor !== undefined && credit && !rare.noPositionAfter)
    detail.positionAfterMinor = detail.positionBeforeMinor + credit.creditMinor;
  if (row.cuts !== null) {
    const t = row.cuts.map(num);
    for (let i = 0; i + 2 < t.length; i += 3)
      detail.cuts.push({ cap: CAPS[t[i]!]!, beforeMinor: t[i + 1]!, afterMinor: t[i + 2]! });
  }
  if (rare.trueUp) detail.trueUp = rare.trueUp;
  if (rare.retro) detail.retro = rare.retro;
  if (rare.bonus) detail.bonus = rare.bonus;
  if (rare.spiff) detail.spiff = rare.spiff;
  if (rare.interpolated) detail.interpolated = rare.interpolated;
  const facts: EarningFacts = {
    id: row.line_id ?? `${componentIds[component]}:${row.transaction_key}`,
    kind: KINDS[row.kind]!,
    component,
    amountMinor,
    ...(credit ? { credit } : {}),
    detail,
    ...(row.threshold_value_minor !== null ? { thresholdValueMinor: num(row.threshold_value_minor) } : {}),
  };
  return { source: 'earning', facts };
}

// ------------------------------------------------------------------ writing

/** Where lines go: COPY on PostgreSQL; batches of INSERT … SELECT FROM unnest on PGlite (see copy-in.ts). */
export type LineWriter = {
  add(fields: LineFields): void | Promise<void>;
  /** Sends what is pending and resolves with the rows written. */
  finish(): Promise<number>;
};

const COPY_SQL = `COPY comp_statement_lines (${LINE_COLUMNS.join(', ')}) FROM STDIN`;
const CHUNK_BYTES = 1 << 20;

/**
 * A COPY of comp_statement_lines on `client`, fed by `produce` (rows pushed through `add`). The
 * producer runs inside the COPY: it is called for each chunk and returns false when done.
 */
export async function copyStatementLines(
  client: pg.ClientBase,
  produce: (add: (fields: LineFields) => void) => boolean | Promise<boolean>,
): Promise<number> {
  return copyIn(client, COPY_SQL, async function* () {
    let chunk = '';
    const add = (fields: LineFields) => {
      chunk += copyRowText(fields);
    };
    for (;;) {
      const more = await produce(add);
      if (chunk.length >= CHUNK_BYTES || !more) {
        if (chunk.length > 0) yield chunk;
        chunk = '';
      }
      if (!more) return;
    }
  });
}

/** The PGlite path: rows gathered into one text array per column, inserted by unnest. */
export function insertingLineWriter(client: pg.ClientBase, batch = 5_000): LineWriter {
  const columns: (string | null)[][] = LINE_COLUMNS.map(() => []);
  let pending = 0;
  let written = 0;
  const insertSql = `INSERT INTO comp_statement_lines (${LINE_COLUMNS.join(', ')})
    SELECT ${LINE_COLUMNS.map((name, i) => `c${i}::${LINE_TYPES[name]}`).join(', ')}
    FROM unnest(${LINE_COLUMNS.map((_, i) => `$${i + 1}::text[]`).join(', ')}) AS u(${LINE_COLUMNS.map((_, i) => `c${i}`).join(', ')})`;
  const flush = async (): Promise<void> => {
    if (pending === 0) return;
    // a snapshot: rows added while this insert runs go into the next one
    const data = columns.map((c) => c.splice(0, c.length));
    const n = pending;
    pending = 0;
    await client.query(insertSql, data);
    written += n;
  };
  return {
    add(fields) {
      for (let i = 0; i < COLUMN_COUNT; i++) columns[i]!.push(fields[i]!);
      if (++pending >= batch) return flush();
    },
    async finish() {
      await flush();
      return written;
    },
  };
}
