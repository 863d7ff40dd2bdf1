// The won deals of a run through binary COPY, on PGlite and (in CI) PostgreSQL: which deals, in
// which order, named how, with which shares.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDayNumber } from '../../domain/calendar/day-number.ts';
import { createTestStore, testDatabaseKinds, type TestStore } from '../testing/test-store.ts';
import { upsertOpportunitySplits } from './crediting-store.ts';
import { transactionOrder } from '../../domain/comp/comp-columns.ts';
import { copyWonDeals, type CopiedShare, type CopiedWonDeal } from './copy-won-deals.ts';

describe('transactionOrder', () => {
  it('orders by day, then by key in code-unit order, keeping rows already in order', () => {
    const day = Int32Array.from([3, 1, 3, 1, 2, 3]);
    const key = ['b', 'z', 'B', 'a', 'x', 'é'];
    // Day 1: 'a' < 'z'; day 2: 'x'; day 3: 'B' < 'b' < 'é' (code units: 0x42, 0x62, 0xe9).
    expect(Array.from(transactionOrder(day, key, 6))).toEqual([3, 1, 4, 2, 0, 5]);
    expect(Array.from(transactionOrder(new Int32Array(0), [], 0))).toEqual([]);
  });
});

describe.each(testDatabaseKinds())('copyWonDeals on %s', (kind) => {
  let store: TestStore;
  let seen: { deal: CopiedWonDeal; shares: CopiedShare[] }[] = [];
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    store = await createTestStore(kind);
    const db = store.db;
    const person = async (key: string) =>
      (
        await db
          .insertInto('people')
          .values({
            external_key: key,
            name: key.toUpperCase(),
            email: `${key}@example.com`,
            hired_on: '2020-01-01',
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    await db
      .insertInto('stages')
      .values([
        { name: 'Prospecting', sort_order: 1, category: 'open', default_probability: 10 },
        { name: 'Won', sort_order: 9, category: 'won', default_probability: 100 },
      ])
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const ann = await person('ann');
    const bob = await person('bob');
    const Cy = await person('Cy');
    const product = await db
      .insertInto('products')
      .values({ external_key: 'p-1', name: 'Platform', family: 'Core' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const account = await db
      .insertInto('accounts')
      .values({ external_key: 'acc-1', name: 'Acme', segment: 'Enterprise' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const deal = async (
      key: string,
      closedOn: string | null,
      extra: { currency?: string; amount?: number | null; owner?: number | null; won?: boolean } = {},
    ) => {
      const row = await db
        .insertInto('opportunities')
        .values({
          external_key: key,
          name: key === 'k-noname' ? null : `Deal ${key}`,
          owner_person_id: extra.owner === undefined ? ann : extra.owner,
          stage: closedOn ? 'Won' : 'Prospecting',
          amount_minor: extra.amount === undefined ? 100_000 : extra.amount,
          currency: extra.currency ?? 'USD',
          created_on: '2026-01-01',
          close_on: closedOn ?? '2026-12-01',
          closed_on: closedOn,
          is_closed: closedOn !== null,
          is_won: closedOn !== null && extra.won !== false,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids[key] = row.id;
      return row.id;
    };
    // Inserted out of key order on one day, so ids do not follow keys.
    await deal('k-b', '2026-03-02');
    await deal('K-upper', '2026-03-02');
    await deal('k-a', '2026-03-02');
    await deal('k-early', '2026-02-10');
    await deal('k-noname', '2026-03-01');
    // Left out: another currency, no amount, no owner, lost, open, outside the range.
    await deal('k-eur', '2026-03-02', { currency: 'EUR' });
    await deal('k-noamount', '2026-03-02', { amount: null });
    await deal('k-noowner', '2026-03-02', { owner: null });
    await deal('k-lost', '2026-03-02', { won: false });
    await deal('k-open', null);
    await deal('k-late', '2026-04-01');
    await db
      .updateTable('opportunities')
      .set({
        product_id: product.id,
        account_id: account.id,
        gross_margin_bps: 4_250,
        deal_type: 'expansion',
      })
      .where('id', '=', ids['k-a']!)
      .execute();
    await upsertOpportunitySplits(db, [
      { opportunityId: ids['k-a']!, personId: bob, kind: 'split', sharePpm: 400_000 },
      { opportunityId: ids['k-a']!, personId: ann, kind: 'split', sharePpm: 600_000 },
      { opportunityId: ids['k-a']!, personId: Cy, kind: 'overlay', sharePpm: 100_000 },
      { opportunityId: ids['k-eur']!, personId: bob, kind: 'split', sharePpm: 1_000_000 },
    ]);
    seen = [];
    const count = await copyWonDeals(
      store,
      { fromDay: '2026-01-01', toDay: '2026-03-31', currency: 'USD' },
      (d, shares) => seen.push({ deal: { ...d }, shares: shares.map((s) => ({ ...s })) }),
    );
    expect(count).toBe(seen.length);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('visits the won deals of the currency with an amount and an owner, by day then key in code-unit order', () => {
    expect(seen.map((s) => s.deal.key)).toEqual(['k-early', 'k-noname', 'K-upper', 'k-a', 'k-b']);
  });

  it('names each deal’s owner, day, product, account and margin, and gives nulls as null', () => {
    const a = seen.find((s) => s.deal.key === 'k-a')!.deal;
    expect(a).toEqual({
      opportunityId: ids['k-a'],
      key: 'k-a',
      name: 'Deal k-a',
      day: toDayNumber('2026-03-02'),
      closedOn: '2026-03-02',
      ownerKey: 'ann',
      amountMinor: 100_000,
      grossMarginBps: 4_250,
      dealType: 'expansion',
      productKey: 'p-1',
      productFamily: 'Core',
      segment: 'Enterprise',
      accountKey: 'acc-1',
      cancelledOn: null,
      cancelledDay: null,
    });
    const noName = seen.find((s) => s.deal.key === 'k-noname')!.deal;
    expect(noName).toMatchObject({
      name: null,
      grossMarginBps: null,
      dealType: null,
      productKey: null,
      accountKey: null,
    });
  });

  it('gives each deal its splits and overlays in kind then payee key order, and no one else’s', () => {
    expect(seen.find((s) => s.deal.key === 'k-a')!.shares).toEqual([
      { kind: 'overlay', payee: 'Cy', sharePpm: 100_000 },
      { kind: 'split', payee: 'ann', sharePpm: 600_000 },
      { kind: 'split', payee: 'bob', sharePpm: 400_000 },
    ]);
    for (const s of seen) if (s.deal.key !== 'k-a') expect(s.shares, s.deal.key).toEqual([]);
  });

  it('refuses a range or currency that is not one before it reaches SQL', async () => {
    await expect(
      copyWonDeals(
        store,
        { fromDay: "2026-01-01' OR true --", toDay: '2026-03-31', currency: 'USD' },
        () => {},
      ),
    ).rejects.toThrow(/not a day range/);
    await expect(
      copyWonDeals(
        store,
        { fromDay: '2026-01-01', toDay: '2026-03-31', currency: 'USD', alsoIds: [Number.NaN] },
        () => {},
      ),
    ).rejects.toThrow(/deal ids/);
  });

  it('gives each deal its cancellation day and, when asked, its payments in its currency up to the range’s end, and the earlier deals asked for', async () => {
    const db = store.db;
    const ann = (
      await db.selectFrom('people').select('id').where('external_key', '=', 'ann').executeTakeFirstOrThrow()
    ).id;
    const old = await db
      .insertInto('opportunities')
      .values({
        external_key: 'k-old',
        name: 'Deal k-old',
        owner_person_id: ann,
        stage: 'Won',
        amount_minor: 50_000,
        currency: 'USD',
        created_on: '2025-10-01',
        close_on: '2025-11-20',
        closed_on: '2025-11-20',
        is_closed: true,
        is_won: true,
        cancelled_on: '2026-02-10',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .updateTable('opportunities')
      .set({ cancelled_on: '2026-03-15' })
      .where('id', '=', ids['k-b']!)
      .execute();
    const invoice = async (key: string, deal: number) =>
      (
        await db
          .insertInto('invoices')
          .values({ external_key: key, opportunity_id: deal, issued_on: '2026-03-02', amount_minor: 100_000 })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const i1 = await invoice('inv-1', ids['k-a']!);
    const i2 = await invoice('inv-2', ids['k-a']!);
    const i3 = await invoice('inv-3', old.id);
    await db
      .insertInto('payments')
      .values([
        { external_key: 'pay-3', invoice_id: i2, paid_on: '2026-03-20', amount_minor: 30_000 },
        { external_key: 'pay-1', invoice_id: i1, paid_on: '2026-03-05', amount_minor: 12_345 },
        { external_key: 'pay-2', invoice_id: i1, paid_on: '2026-03-20', amount_minor: 7_655 },
        // another currency, after the range, on a deal not read: none of them counted
        {
          external_key: 'pay-eur',
          invoice_id: i1,
          paid_on: '2026-03-06',
          amount_minor: 999,
          currency: 'EUR',
        },
        { external_key: 'pay-late', invoice_id: i1, paid_on: '2026-04-01', amount_minor: 1 },
        { external_key: 'pay-old', invoice_id: i3, paid_on: '2026-01-15', amount_minor: 20_000 },
      ])
      .execute();
    const visited: {
      key: string;
      cancelledOn: string | null;
      cancelledDay: number | null;
      paid: string[];
    }[] = [];
    const range = { fromDay: '2026-01-01', toDay: '2026-03-31', currency: 'USD' };
    await copyWonDeals(store, { ...range, alsoIds: [old.id], collections: true }, (d, _shares, paid) =>
      visited.push({
        key: d.key,
        cancelledOn: d.cancelledOn,
        cancelledDay: d.cancelledDay,
        paid: paid.map((c) => `${c.paidOn}/${c.day === toDayNumber(c.paidOn)}/${c.amountMinor}`),
      }),
    );
    expect(visited).toEqual([
      {
        key: 'k-old',
        cancelledOn: '2026-02-10',
        cancelledDay: toDayNumber('2026-02-10'),
        paid: ['2026-01-15/true/20000'],
      },
      { key: 'k-early', cancelledOn: null, cancelledDay: null, paid: [] },
      { key: 'k-noname', cancelledOn: null, cancelledDay: null, paid: [] },
      { key: 'K-upper', cancelledOn: null, cancelledDay: null, paid: [] },
      {
        key: 'k-a',
        cancelledOn: null,
        cancelledDay: null,
        // by day, then in the order the payments were recorded
        paid: ['2026-03-05/true/12345', '2026-03-20/true/30000', '2026-03-20/true/7655'],
      },
      { key: 'k-b', cancelledOn: '2026-03-15', cancelledDay: toDayNumber('2026-03-15'), paid: [] },
    ]);
    // Without collections asked for, none are read; without alsoIds, the earlier deal is not.
    const plain: string[] = [];
    await copyWonDeals(store, range, (d, _shares, paid) => plain.push(`${d.key}:${paid.length}`));
    expect(plain).toEqual(['k-early:0', 'k-noname:0', 'K-upper:0', 'k-a:0', 'k-b:0']);
  });
});
