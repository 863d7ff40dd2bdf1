/**
 * The won deals a compensation run credits, streamed out of the database with binary COPY
 * (copy-binary.ts) rather than pages of rows: a run of a year to date reads every won deal of the
 * year, millions at scale, and pg's row path costs a JS string per field.
 *
 * The deals come unsorted (a sorted COPY costs PostgreSQL more than sorting here: 2.3 s per 1M rows
 * measured for bench/comp-bench.ts) and are visited in the engine's order, (close day, key in
 * code-unit order), by a counting sort on the day and a sort of each day's keys where they did not
 * arrive in order. Owners, products and accounts arrive as ids and are named from small lookups read
 * first; splits and overlays arrive by deal, in (kind, payee key) order, and so does the cash
 * collected on each deal when asked for (its invoices' payments in the deal's currency, by day).
 */
import type pg from 'pg';
import { fromDayNumber } from '../../domain/calendar/day-number.ts';
import { AppError } from '../../domain/errors.ts';
import { NO_DAY, transactionOrder } from '../../domain/comp/comp-columns.ts';
import { createDictionaryEncoder } from '../../domain/snapshot/columns.ts';
import type { Store } from '../open-database.ts';
import { ByteDictionary } from '../snapshot/byte-dictionary.ts';
import { copyTuples, type TupleReader } from '../snapshot/copy-binary.ts';

/** One won deal, in the engine's order; the object is reused from one call to the next. */
export type CopiedWonDeal = {
  opportunityId: number;
  key: string;
  name: string | null;
  /** Day number of the close. */
  day: number;
  closedOn: string;
  ownerKey: string;
  amountMinor: number;
  grossMarginBps: number | null;
  dealType: string | null;
  productKey: string | null;
  productFamily: string | null;
  segment: string | null;
  accountKey: string | null;
  /** The day the deal was cancelled ('YYYY-MM-DD' and day number), or null. */
  cancelledOn: string | null;
  cancelledDay: number | null;
};

/** Its splits and overlays, in (kind, payee key) order; reused between calls too. */
export type CopiedShare = { kind: 'split' | 'overlay'; payee: string; sharePpm: number };

/** Cash collected on it: one payment, by day then payment id; reused between calls too. */
export type CopiedCollection = { paidOn: string; day: number; amountMinor: number };

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const CURRENCY = /^[A-Z]{3}$/;

/**
 * Visits the won deals in `currency` with an amount and an owner closed in [fromDay, toDay] (and
 * the deals `alsoIds` names, closed earlier: a run's deals of an earlier fiscal year), in (close
 * day, key) order, each with its shares and, with `collections`, the cash collected on it up to
 * `toDay`; resolves with their number.
 */
export async function copyWonDeals(
  store: Store,
  range: {
    fromDay: string;
    toDay: string;
    currency: string;
    alsoIds?: readonly number[];
    collections?: boolean;
  },
  visit: (
    deal: CopiedWonDeal,
    shares: readonly CopiedShare[],
    collections: readonly CopiedCollection[],
  ) => void,
): Promise<number> {
  const { fromDay, toDay, currency } = range;
  const alsoIds = range.alsoIds ?? [];
  // COPY takes no parameters: only checked days, a checked currency code and integers are interpolated.
  if (
    !DAY.test(fromDay) ||
    !DAY.test(toDay) ||
    !CURRENCY.test(currency) ||
    !alsoIds.every((id) => Number.isSafeInteger(id) && id > 0)
  )
    throw new AppError(
      'internal',
      `copyWonDeals: not a day range, currency and deal ids: ${fromDay} ${toDay} ${currency} ${alsoIds.join(',')}`,
    );
  const inRange = `o.closed_on BETWEEN DATE '${fromDay}' AND DATE '${toDay}'`;
  const won = `o.is_won AND o.amount_minor IS NOT NULL AND o.owner_person_id IS NOT NULL AND ${
    alsoIds.length > 0 ? `(${inRange} OR o.id IN (${alsoIds.join(', ')}))` : inRange
  }`;
  const client = await store.pool.connect();
  try {
    // Lookups by id: people (owners and split payees), and the products and accounts these deals name.
    const personKey = await lookup(client, 'SELECT id, external_key FROM people');
    const products = await client.query<{ id: number; key: string; family: string | null }>(
      `SELECT id, external_key AS key, family FROM products`,
    );
    const productKey = new Map(products.rows.map((p) => [Number(p.id), p.key]));
    const productFamily = new Map(products.rows.map((p) => [Number(p.id), p.family]));
    const accounts = await client.query<{ id: number; key: string; segment: string | null }>(
      `SELECT a.id, a.external_key AS key, a.segment FROM accounts a
       WHERE a.id IN (SELECT o.account_id FROM opportunities o WHERE ${won} AND o.currency = '${currency}')`,
    );
    const accountKey = new Map(accounts.rows.map((a) => [Number(a.id), a.key]));
    const accountSegment = new Map(accounts.rows.map((a) => [Number(a.id), a.segment]));

    // Shares of the won deals of the range (any currency, as the engine never sees the others).
    const shareDeal: number[] = [];
    const shareKind: number[] = [];
    const sharePerson: number[] = [];
    const sharePpm: number[] = [];
    // The first share of each deal, by opportunity id: dense while the ids are (they are serial).
    const maxId = Number(
      (
        await client.query<{ m: string | null }>(
          'SELECT max(opportunity_id)::text AS m FROM opportunity_splits',
        )
      ).rows[0]!.m ?? 0,
    );
    const dense = maxId <= 64_000_000;
    const firstDense = dense ? new Int32Array(maxId + 1).fill(-1) : undefined;
    const firstMap = new Map<number, number>();
    const kinds = new ByteDictionary(createDictionaryEncoder());
    await copyTuples(
      client,
      `SELECT s.opportunity_id, s.kind, s.person_id, s.share_ppm
       FROM opportunity_splits s JOIN opportunities o ON o.id = s.opportunity_id JOIN people pe ON pe.id = s.person_id
       WHERE ${won} ORDER BY s.opportunity_id, s.kind, pe.external_key COLLATE "C"`,
      4,
      (reader) => {
        reader.table = 'opportunity_splits';
        const deal = reader.integer(0, 'opportunity_id');
        reader.rowId = deal;
        if (firstDense) {
          if (firstDense[deal] === -1) firstDense[deal] = shareDeal.length;
        } else if (!firstMap.has(deal)) firstMap.set(deal, shareDeal.length);
        shareDeal.push(deal);
        shareKind.push(reader.code(kinds, -1));
        sharePerson.push(reader.integer(0, 'person_id'));
        sharePpm.push(reader.integer(0, 'share_ppm'));
      },
    );
    const kindOf = kinds.encoder.dictionary.map((k) => (k === 'overlay' ? 'overlay' : 'split'));

    // Cash collected on the deals, by deal: their invoices' payments in the deal's currency.
    const cashDeal: number[] = [];
    const cashDay: number[] = [];
    const cashAmount: number[] = [];
    const firstCash = new Map<number, number>();
    if (range.collections)
      await copyTuples(
        client,
        `SELECT i.opportunity_id, p.paid_on, p.amount_minor
         FROM payments p JOIN invoices i ON i.id = p.invoice_id JOIN opportunities o ON o.id = i.opportunity_id
         WHERE ${won} AND o.currency = '${currency}' AND p.currency = o.currency AND p.paid_on <= DATE '${toDay}'
         ORDER BY i.opportunity_id, p.paid_on, p.id`,
        3,
        (reader) => {
          reader.table = 'payments';
          const deal = reader.integer(0, 'opportunity_id');
          reader.rowId = deal;
          if (!firstCash.has(deal)) firstCash.set(deal, cashDeal.length);
          cashDeal.push(deal);
          cashDay.push(reader.dayNumber(0, 'paid_on'));
          cashAmount.push(reader.integer(0, 'amount_minor'));
        },
      );

    // The deals, decoded into arrays as they come.
    const count = Number(
      (
        await client.query<{ n: string }>(
          `SELECT count(*)::text AS n FROM opportunities o WHERE ${won} AND o.currency = '${currency}'`,
        )
      ).rows[0]!.n,
    );
    const ids = new Array<string>(count);
    const names = new Array<string | null>(count);
    const dealOf = new Float64Array(count);
    const dayOf = new Int32Array(count);
    const ownerOf = new Float64Array(count);
    const amountOf = new Float64Array(count);
    const bpsOf = new Int32Array(count);
    const typeOf = new Int32Array(count);
    const productOf = new Float64Array(count);
    const accountOf = new Float64Array(count);
    const cancelledOf = new Int32Array(count);
    const types = new ByteDictionary(createDictionaryEncoder());
    let n = 0;
    let bytes: Uint8Array | undefined;
    let buffer: Buffer = Buffer.alloc(0);
    const text = (reader: TupleReader, length: number): string =>
      buffer.toString('utf8', reader.textStart, reader.textStart + length);
    await copyTuples(
      client,
      `SELECT o.id, o.external_key, o.name, o.closed_on, o.owner_person_id, o.amount_minor,
              o.gross_margin_bps, o.deal_type, o.product_id, o.account_id, o.cancelled_on
       FROM opportunities o WHERE ${won} AND o.currency = '${currency}'`,
      11,
      (reader) => {
        if (reader.bytes !== bytes) {
          bytes = reader.bytes;
          buffer = Buffer.isBuffer(bytes)
            ? bytes
            : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        }
        reader.table = 'opportunities';
        const deal = reader.integer(0, 'id');
        reader.rowId = deal;
        // A deal won while we counted waits for the next run.
        if (n === count)
          throw new AppError('conflict', 'Won deals changed while the run read them: run it again.');
        dealOf[n] = deal;
        ids[n] = text(reader, reader.textBytes());
        const nameLength = reader.textBytes();
        names[n] = nameLength < 0 ? null : text(reader, nameLength);
        dayOf[n] = reader.dayNumber(0, 'closed_on');
        ownerOf[n] = reader.integer(0, 'owner_person_id');
        amountOf[n] = reader.integer(0, 'amount_minor');
        bpsOf[n] = reader.integer(-1, 'gross_margin_bps');
        typeOf[n] = reader.code(types, -1);
        productOf[n] = reader.integer(-1, 'product_id');
        accountOf[n] = reader.integer(-1, 'account_id');
        cancelledOf[n] = reader.dayNumber(NO_DAY, 'cancelled_on');
        n++;
      },
    );
    if (n !== count)
      throw new AppError('conflict', 'Won deals changed while the run read them: run it again.');

    const order = transactionOrder(dayOf, ids, n);
    const typeNames = types.encoder.dictionary;
    const dayText = new Map<number, string>();
    const deal: CopiedWonDeal = {
      opportunityId: 0,
      key: '',
      name: null,
      day: 0,
      closedOn: '',
      ownerKey: '',
      amountMinor: 0,
      grossMarginBps: null,
      dealType: null,
      productKey: null,
      productFamily: null,
      segment: null,
      accountKey: null,
      cancelledOn: null,
      cancelledDay: null,
    };
    const shares: CopiedShare[] = [];
    const collections: CopiedCollection[] = [];
    const textOfDay = (day: number): string => {
      let text = dayText.get(day);
      if (text === undefined) dayText.set(day, (text = fromDayNumber(day)));
      return text;
    };
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      const day = dayOf[i]!;
      const closedOn = textOfDay(day);
      deal.opportunityId = dealOf[i]!;
      deal.key = ids[i]!;
      deal.name = names[i]!;
      deal.day = day;
      deal.closedOn = closedOn;
      deal.ownerKey = keyOf(personKey, ownerOf[i]!);
      deal.amountMinor = amountOf[i]!;
      deal.grossMarginBps = bpsOf[i]! < 0 ? null : bpsOf[i]!;
      deal.dealType = typeOf[i]! < 0 ? null : typeNames[typeOf[i]!]!;
      const product = productOf[i]!;
      deal.productKey = product < 0 ? null : (productKey.get(product) ?? null);
      deal.productFamily = product < 0 ? null : (productFamily.get(product) ?? null);
      const account = accountOf[i]!;
      deal.accountKey = account < 0 ? null : (accountKey.get(account) ?? null);
      deal.segment = account < 0 ? null : (accountSegment.get(account) ?? null);
      const cancelled = cancelledOf[i]!;
      deal.cancelledDay = cancelled === NO_DAY ? null : cancelled;
      deal.cancelledOn = cancelled === NO_DAY ? null : textOfDay(cancelled);
      shares.length = 0;
      const id = deal.opportunityId;
      const first = firstDense ? (id <= maxId ? firstDense[id]! : -1) : (firstMap.get(id) ?? -1);
      if (first >= 0)
        for (let s = first; s < shareDeal.length && shareDeal[s] === deal.opportunityId; s++)
          shares.push({
            kind: kindOf[shareKind[s]!] as CopiedShare['kind'],
            payee: keyOf(personKey, sharePerson[s]!),
            sharePpm: sharePpm[s]!,
          });
      collections.length = 0;
      const firstPaid = firstCash.get(id);
      if (firstPaid !== undefined)
        for (let c = firstPaid; c < cashDeal.length && cashDeal[c] === id; c++)
          collections.push({ paidOn: textOfDay(cashDay[c]!), day: cashDay[c]!, amountMinor: cashAmount[c]! });
      visit(deal, shares, collections);
    }
    return n;
  } finally {
    client.release();
  }
}

/** id → text of a two-column query, by id in an array (people ids are dense). */
async function lookup(client: pg.PoolClient, select: string): Promise<string[]> {
  const rows = await client.query<{ id: number; external_key: string }>(select);
  const out: string[] = [];
  for (const r of rows.rows) out[Number(r.id)] = r.external_key;
  return out;
}

function keyOf(keys: string[], id: number): string {
  const key = keys[id];
  if (key === undefined) throw new AppError('internal', `person ${id} named by a deal is not in people`);
  return key;
}
