/**
 * Phase 1 of the compensation benchmark: the run's input streamed out of PostgreSQL with binary
 * COPY straight into the engine's `CompColumnsBuilder` (bench/comp-bench.ts).
 */
import type { Store } from '../src/store/open-database.ts';
import { copyTuples } from '../src/store/snapshot/copy-binary.ts';
import { ByteDictionary } from '../src/store/snapshot/byte-dictionary.ts';
import { createDictionaryEncoder } from '../src/domain/snapshot/columns.ts';
import { CompColumnsBuilder, type CompColumns } from '../src/domain/comp/comp-columns.ts';
import { divideHalfEven } from '../src/domain/comp/exact-money.ts';

/** The deals a run of the fiscal year credits: won, with an amount, in USD, closed in the year. */
const wonInYear = (year: number): string =>
  `o.is_won AND o.amount_minor IS NOT NULL AND o.currency = 'USD' AND o.closed_on BETWEEN DATE '${year}-01-01' AND DATE '${year}-12-31'`;

export const periodsOf = (year: number): string[] =>
  Array.from({ length: 12 }, (_, m) => `${year}-${String(m + 1).padStart(2, '0')}`);

export type LoadResult = { columns: CompColumns; personIdOfPayee: Int32Array };

/**
 * Streams the run's input out of PostgreSQL with binary COPY into `CompColumnsBuilder`: payees
 * (people holding positions), the reporting lines, the year's monthly quotas, the splits (into a
 * dense per-deal index), then the won deals in (close day, id) order, each followed by its splits.
 */
export async function loadColumns(store: Store, year: number): Promise<LoadResult> {
  const client = await store.pool.connect();
  try {
    await client.query(`SET work_mem = '1GB'`);
    const builder = new CompColumnsBuilder({
      currency: 'USD',
      fiscalYearStartMonth: 1,
      periods: periodsOf(year),
    });
    // Payees, in person id order: index = person id − 1 in this data set (checked below).
    const people = await client.query<{ id: string; key: string; name: string; role: string }>(
      `SELECT p.id::text AS id, p.external_key AS key, p.name, pos.role
       FROM people p JOIN position_holders h ON h.person_id = p.id JOIN positions pos ON pos.id = h.position_id
       WHERE h.valid_to IS NULL ORDER BY p.id`,
    );
    let maxPerson = 0;
    for (const row of people.rows) maxPerson = Math.max(maxPerson, Number(row.id));
    const keyOfPerson: string[] = new Array<string>(maxPerson + 1).fill('');
    const personIdOfPayee = new Int32Array(people.rows.length);
    for (const row of people.rows) {
      const index = builder.payee(row.key, row.name, row.role);
      keyOfPerson[Number(row.id)] = row.key;
      personIdOfPayee[index] = Number(row.id);
    }
    const reporting = await client.query<{
      payee: string;
      manager: string;
      from_day: number;
      to_day: number | null;
    }>(
      `SELECT pe.external_key AS payee, me.external_key AS manager,
              (GREATEST(r.valid_from, h.valid_from, mh.valid_from) - DATE '1970-01-01') AS from_day,
              (LEAST(r.valid_to, h.valid_to, mh.valid_to) - DATE '1970-01-01') AS to_day
       FROM position_reporting r
       JOIN position_holders h ON h.position_id = r.position_id
       JOIN position_holders mh ON mh.position_id = r.parent_position_id
       JOIN people pe ON pe.id = h.person_id JOIN people me ON me.id = mh.person_id
       WHERE r.parent_position_id IS NOT NULL`,
    );
    for (const r of reporting.rows)
      builder.addReporting(r.payee, r.manager, r.from_day, r.to_day ?? undefined);
    const quotas = await client.query<{ payee: string; period: string; target_minor: string }>(
      `SELECT pe.external_key AS payee, to_char(per.starts_on, 'YYYY-MM') AS period, (q.target * 100)::bigint::text AS target_minor
       FROM quotas q JOIN periods per ON per.id = q.period_id
       JOIN position_holders h ON h.position_id = q.position_id JOIN people pe ON pe.id = h.person_id
       WHERE per.kind = 'month' AND per.fiscal_year = $1 AND q.measure = 'revenue'`,
      [year],
    );
    for (const q of quotas.rows) builder.addQuota(q.payee, q.period, 'revenue', Number(q.target_minor));

    // Splits: (deal id, person id, share) in (deal, payee key) order, indexed densely by deal id.
    const maxDeal = Number(
      (await client.query<{ max: string | null }>('SELECT max(id)::text AS max FROM opportunities')).rows[0]!
        .max ?? 0,
    );
    const splitFirst = new Int32Array(maxDeal + 2).fill(-1);
    const splitCountOf = new Uint8Array(maxDeal + 2);
    const splitPerson: number[] = [];
    const splitShare: number[] = [];
    await copyTuples(
      client,
      `SELECT s.opportunity_id, s.person_id, s.share_ppm FROM opportunity_splits s JOIN people p ON p.id = s.person_id
       WHERE s.kind = 'split' ORDER BY s.opportunity_id, p.external_key COLLATE "C"`,
      3,
      (reader) => {
        const deal = reader.integer(0, 'opportunity_id');
        const person = reader.integer(0, 'person_id');
        const share = reader.integer(0, 'share_ppm');
        if (splitFirst[deal] === -1) splitFirst[deal] = splitPerson.length;
        splitCountOf[deal]! += 1;
        splitPerson.push(person);
        splitShare.push(share);
      },
    );

    // The deals, unsorted (a sequential scan: sorting 10M rows by (day, key) in PostgreSQL costs
    // more than streaming them), decoded into arrays. When they arrive in id order with their keys
    // in the same (code-unit) order, as here, a stable counting sort by day gives the engine's
    // (day, id) order in O(n); otherwise they are appended as they came and the builder sorts them.
    const types = new ByteDictionary(createDictionaryEncoder());
    const count = Number(
      (
        await client.query<{ n: string }>(
          `SELECT count(*)::text AS n FROM opportunities o WHERE ${wonInYear(year)}`,
        )
      ).rows[0]!.n,
    );
    const ids: string[] = new Array<string>(count);
    const names: string[] = new Array<string>(count);
    const dealOf = new Int32Array(count);
    const dayOf = new Int32Array(count);
    const ownerOf = new Int32Array(count);
    const amountOf = new Float64Array(count);
    const bpsOf = new Int32Array(count);
    const typeOf = new Int32Array(count);
    let n = 0;
    let inIdOrder = true;
    let bytes: Uint8Array | undefined;
    let buffer: Buffer = Buffer.alloc(0);
    const text = (start: number, length: number): string => buffer.toString('utf8', start, start + length);
    await copyTuples(
      client,
      `SELECT o.id, o.external_key, o.name, o.closed_on, o.owner_person_id, o.amount_minor, o.gross_margin_bps, o.deal_type
       FROM opportunities o WHERE ${wonInYear(year)}`,
      8,
      (reader) => {
        if (reader.bytes !== bytes) {
          bytes = reader.bytes;
          buffer = Buffer.isBuffer(bytes)
            ? bytes
            : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        }
        if (n === count) throw new Error('more deals than counted');
        const deal = reader.integer(0, 'id');
        let length = reader.textBytes();
        const id = text(reader.textStart, length);
        length = reader.textBytes();
        names[n] = length < 0 ? id : text(reader.textStart, length);
        if (n > 0 && (deal <= dealOf[n - 1]! || id <= ids[n - 1]!)) inIdOrder = false;
        ids[n] = id;
        dealOf[n] = deal;
        dayOf[n] = reader.dayNumber(0, 'closed_on');
        ownerOf[n] = reader.integer(0, 'owner_person_id');
        amountOf[n] = reader.integer(0, 'amount_minor');
        bpsOf[n] = reader.integer(-1, 'gross_margin_bps');
        typeOf[n] = reader.code(types, -1);
        n++;
      },
    );
    let order: Int32Array | undefined;
    if (inIdOrder && n > 0) {
      let minDay = dayOf[0]!;
      let maxDay = minDay;
      for (let i = 1; i < n; i++) {
        const d = dayOf[i]!;
        if (d < minDay) minDay = d;
        if (d > maxDay) maxDay = d;
      }
      const start = new Int32Array(maxDay - minDay + 2);
      for (let i = 0; i < n; i++) start[dayOf[i]! - minDay + 1]! += 1;
      for (let d = 1; d < start.length; d++) start[d]! += start[d - 1]!;
      order = new Int32Array(n);
      for (let i = 0; i < n; i++) order[start[dayOf[i]! - minDay]!++] = i;
    }
    const row = {
      id: '',
      name: '',
      day: 0,
      owner: '',
      amountMinor: 0,
      marginMinor: 0,
      marginPct: 0,
      type: '' as string | undefined,
    };
    for (let k = 0; k < n; k++) {
      const i = order ? order[k]! : k;
      row.id = ids[i]!;
      row.name = names[i]!;
      row.day = dayOf[i]!;
      row.owner = keyOfPerson[ownerOf[i]!]!;
      row.amountMinor = amountOf[i]!;
      const bps = bpsOf[i]!;
      row.marginPct = bps < 0 ? 0 : bps / 100;
      // margin = amount × bps / 10,000, rounded half to even (exact: the product is a safe integer).
      row.marginMinor = bps < 0 ? 0 : divideHalfEven(row.amountMinor * bps, 10_000);
      const code = typeOf[i]!;
      row.type = code < 0 ? undefined : types.encoder.dictionary[code];
      builder.addTransaction(row);
      const deal = dealOf[i]!;
      const first = splitFirst[deal]!;
      if (first >= 0) {
        const splits = splitCountOf[deal]!;
        for (let s = first; s < first + splits; s++)
          builder.addSplit(keyOfPerson[splitPerson[s]!]!, splitShare[s]!);
      }
    }
    return { columns: builder.build(), personIdOfPayee };
  } finally {
    client.release();
  }
}
