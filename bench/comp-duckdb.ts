/**
 * The compensation benchmark's reference (issue 6, "Benchmark"): the benchmark plan's tiered
 * calculation written as SQL window functions in DuckDB over the same rows the engine reads.
 *
 * Rows are exported from PostgreSQL with server-side `COPY … TO` CSV files (the PostgreSQL server
 * runs on this machine) and read with `read_csv` into an in-memory DuckDB; that is set-up and is
 * timed apart from the query. The query:
 *
 * 1. credits: unsplit deals to their owner; split deals to each split payee, allocated by largest
 *    remainder (exact-money.ts `allocateByShares`: floors, then the leftover cents to the largest
 *    remainders, ties to the earlier split in (payee key) order); then every rep credit again to
 *    the rep's manager (level 1) and the manager's manager (level 2), the same amount;
 * 2. the running credited total per payee and month, ordered by (day, deal id, crediting rep);
 * 3. each credit's portion in every marginal band, the bands' boundaries at quota × bound rounded
 *    up to a whole minor unit (docs/plans.md "Numbers, money and rounding");
 * 4. pay = Σ portion × rate × margin factor, exact in HUGEINT, rounded once per line half to even;
 * 5. totals per payee and month.
 */
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import type { DuckDBConnection } from '@duckdb/node-api';

/** The bench plan's numbers, as the SQL needs them (the plan document in comp-bench.ts states them). */
export type ReferencePlan = {
  /** Upper bounds of the bands but the last, in ppm of quota (500,000 = 50%). */
  boundsPpm: number[];
  /** One rate per band, ppm. */
  ratesPpm: number[];
  /** Margin multipliers in order: factor ppm when margin_bps >= minBps (accelerator) or < maxBps (decelerator). */
  acceleratorMinBps: number;
  acceleratorPpm: number;
  deceleratorBelowBps: number;
  deceleratorPpm: number;
  /** 1 = line pay rounded once from Σ portions; 'portion' = each band portion's pay rounded, then summed. */
  rounding: 'line' | 'portion';
};

export type DuckLoad = { exportMs: number; readMs: number; dir: string; rows: Record<string, number> };

/**
 * Exports the won deals of the year, the splits, the reporting lines and the monthly quotas by
 * payee index (person id − 1) and month (0–11), and reads them into DuckDB tables txn, split,
 * reporting, quota.
 */
export async function loadDuckDb(
  client: pg.ClientBase,
  duck: DuckDBConnection,
  fiscalYear: number,
): Promise<DuckLoad> {
  const dir = path.join(os.tmpdir(), `attain_comp_bench_${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o777); // the PostgreSQL server writes the files
  const file = (name: string) => path.join(dir, `${name}.csv`);
  const from = `DATE '${fiscalYear}-01-01'`;
  const to = `DATE '${fiscalYear}-12-31'`;
  let started = performance.now();
  await client.query(
    `COPY (SELECT o.id, (o.closed_on - DATE '1970-01-01') AS day, extract(month FROM o.closed_on)::int - 1 AS month,
             o.owner_person_id - 1 AS owner, o.amount_minor AS amount, coalesce(o.gross_margin_bps, 0) AS margin_bps,
             EXISTS (SELECT 1 FROM opportunity_splits s WHERE s.opportunity_id = o.id AND s.kind = 'split') AS split
           FROM opportunities o
           WHERE o.is_won AND o.amount_minor IS NOT NULL AND o.currency = 'USD' AND o.closed_on BETWEEN ${from} AND ${to})
     TO '${file('txn')}' (FORMAT csv, HEADER)`,
  );
  await client.query(
    `COPY (SELECT s.opportunity_id AS txn, s.person_id - 1 AS payee, s.share_ppm,
             row_number() OVER (PARTITION BY s.opportunity_id ORDER BY p.external_key) AS ord
           FROM opportunity_splits s JOIN people p ON p.id = s.person_id WHERE s.kind = 'split')
     TO '${file('split')}' (FORMAT csv, HEADER)`,
  );
  await client.query(
    `COPY (SELECT h.person_id - 1 AS payee, mh.person_id - 1 AS manager
           FROM position_reporting r
           JOIN position_holders h ON h.position_id = r.position_id
           JOIN position_holders mh ON mh.position_id = r.parent_position_id
           WHERE r.parent_position_id IS NOT NULL)
     TO '${file('reporting')}' (FORMAT csv, HEADER)`,
  );
  await client.query(
    `COPY (SELECT h.person_id - 1 AS payee, per.number - 1 AS month, (q.target * 100)::bigint AS quota
           FROM quotas q JOIN periods per ON per.id = q.period_id
           JOIN position_holders h ON h.position_id = q.position_id
           WHERE per.kind = 'month' AND per.fiscal_year = ${fiscalYear} AND q.measure = 'revenue')
     TO '${file('quota')}' (FORMAT csv, HEADER)`,
  );
  const exportMs = performance.now() - started;
  started = performance.now();
  const types: Record<string, string> = {
    txn: `{'id': 'BIGINT', 'day': 'INTEGER', 'month': 'INTEGER', 'owner': 'INTEGER', 'amount': 'BIGINT', 'margin_bps': 'INTEGER', 'split': 'BOOLEAN'}`,
    split: `{'txn': 'BIGINT', 'payee': 'INTEGER', 'share_ppm': 'INTEGER', 'ord': 'INTEGER'}`,
    reporting: `{'payee': 'INTEGER', 'manager': 'INTEGER'}`,
    quota: `{'payee': 'INTEGER', 'month': 'INTEGER', 'quota': 'BIGINT'}`,
  };
  const rows: Record<string, number> = {};
  for (const [table, columns] of Object.entries(types)) {
    await duck.run(
      `CREATE OR REPLACE TABLE ${table} AS SELECT * FROM read_csv('${file(table)}', header = true, columns = ${columns})`,
    );
    const count = await duck.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM ${table}`);
    rows[table] = Number(count.getRowObjectsJS()[0]!.n);
  }
  return { exportMs, readMs: performance.now() - started, dir, rows };
}

export function removeDuckFiles(load: DuckLoad | undefined): void {
  if (load) rmSync(load.dir, { recursive: true, force: true });
}

/** Half-to-even division of a non-negative integer expression by a positive constant. */
function halfEven(expression: string, divisor: string): string {
  return `(${expression} // ${divisor} + CASE WHEN 2 * (${expression} % ${divisor}) > ${divisor}
            OR (2 * (${expression} % ${divisor}) = ${divisor} AND (${expression} // ${divisor}) % 2 = 1) THEN 1 ELSE 0 END)`;
}

/**
 * The SQL of the reference calculation: one row per payee and month with lines, credit and pay
 * (minor units). Rate × factor is folded into one effective rate in ppm per band and multiplier
 * (exact for this plan: every product is a whole ppm), so the arithmetic stays in BIGINT:
 * portion ≤ 5·10^8 minor units × rate ≤ 1.8·10^5 ppm.
 */
export function referenceSql(plan: ReferencePlan): string {
  const n = plan.ratesPpm.length;
  const effective = (rate: number, factor: number) => {
    const product = rate * factor;
    if (product % 1_000_000 !== 0) throw new Error(`rate ${rate} × factor ${factor} is not a whole ppm`);
    return product / 1_000_000;
  };
  const lower = (k: number) => (k === 0 ? '0' : `b${k}`);
  const portion = (k: number) =>
    `greatest(0, ${k === n - 1 ? 'after' : `least(after, b${k + 1})`} - greatest(before, ${lower(k)}))`;
  const rateCase = (k: number) =>
    `CASE WHEN margin_bps >= ${plan.acceleratorMinBps} THEN ${effective(plan.ratesPpm[k]!, plan.acceleratorPpm)}
          WHEN margin_bps < ${plan.deceleratorBelowBps} THEN ${effective(plan.ratesPpm[k]!, plan.deceleratorPpm)}
          ELSE ${plan.ratesPpm[k]!} END`;
  const terms = plan.ratesPpm.map((_, k) => `${portion(k)} * ${rateCase(k)}`);
  const pay =
    plan.rounding === 'line'
      ? halfEven(`(${terms.join(' + ')})`, '1000000')
      : terms.map((term) => halfEven(`(${term})`, '1000000')).join(' + ');
  const bounds = plan.boundsPpm
    .map((bound, k) => `(quota * ${bound} + 999999) // 1000000 AS b${k + 1}`)
    .join(', ');
  return `
    WITH split_parts AS (
      SELECT s.txn, s.payee, s.ord, t.day, t.month, t.margin_bps, t.amount,
             (t.amount * s.share_ppm) // 1000000 AS floor_part,
             (t.amount * s.share_ppm) % 1000000 AS remainder,
             sum(s.share_ppm) OVER (PARTITION BY s.txn) AS total_ppm
      FROM split s JOIN txn t ON t.id = s.txn
    ),
    split_ranked AS (
      SELECT *, ${halfEven('(amount * total_ppm)', '1000000')} - sum(floor_part) OVER (PARTITION BY txn) AS leftover,
             row_number() OVER (PARTITION BY txn ORDER BY remainder DESC, ord) AS rank
      FROM split_parts
    ),
    rep_credits AS (
      SELECT id, day, month, owner AS payee, amount AS credit, margin_bps FROM txn WHERE NOT split
      UNION ALL
      SELECT txn, day, month, payee, (floor_part + CASE WHEN rank <= leftover THEN 1 ELSE 0 END)::BIGINT, margin_bps
      FROM split_ranked
    ),
    credits AS (
      SELECT id, day, month, payee, credit, margin_bps, payee AS rep FROM rep_credits
      UNION ALL
      SELECT c.id, c.day, c.month, r1.manager, c.credit, c.margin_bps, c.payee
      FROM rep_credits c JOIN reporting r1 ON r1.payee = c.payee
      UNION ALL
      SELECT c.id, c.day, c.month, r2.manager, c.credit, c.margin_bps, c.payee
      FROM rep_credits c JOIN reporting r1 ON r1.payee = c.payee JOIN reporting r2 ON r2.payee = r1.manager
    ),
    running AS (
      SELECT payee, month, credit, margin_bps,
             sum(credit) OVER (PARTITION BY payee, month ORDER BY day, id, rep
                               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)::BIGINT AS after
      FROM credits
    ),
    bands AS (SELECT payee, month, ${bounds} FROM quota),
    lines AS (
      SELECT r.payee, r.month, r.credit, r.margin_bps, r.after - r.credit AS before, r.after, ${plan.boundsPpm
        .map((_, k) => `q.b${k + 1}`)
        .join(', ')}
      FROM running r JOIN bands q ON q.payee = r.payee AND q.month = r.month
    )
    SELECT payee, month, count(*)::BIGINT AS lines, sum(credit)::BIGINT AS credit, sum(${pay})::BIGINT AS pay
    FROM lines
    GROUP BY payee, month
    ORDER BY payee, month`;
}

export type ReferenceTotals = {
  /** index = payee * 12 + month */
  pay: Float64Array;
  credit: Float64Array;
  lines: Float64Array;
  rows: number;
};

/** Runs the reference query and returns its totals (materialised as columns, not row objects). */
export async function runReference(
  duck: DuckDBConnection,
  plan: ReferencePlan,
  payees: number,
): Promise<ReferenceTotals> {
  const reader = await duck.runAndReadAll(referenceSql(plan));
  const columns = reader.getColumnsJS();
  const [payee, month, lines, credit, pay] = columns as unknown as (number | bigint)[][];
  const totals: ReferenceTotals = {
    pay: new Float64Array(payees * 12),
    credit: new Float64Array(payees * 12),
    lines: new Float64Array(payees * 12),
    rows: payee!.length,
  };
  for (let i = 0; i < payee!.length; i++) {
    const at = Number(payee![i]) * 12 + Number(month![i]);
    totals.pay[at] = Number(pay![i]);
    totals.credit[at] = Number(credit![i]);
    totals.lines[at] = Number(lines![i]);
  }
  return totals;
}
