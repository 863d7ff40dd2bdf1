/**
 * The compensation benchmark's data set (issue 6, "Benchmark"): a deterministic, seeded
 * organisation of payees (reps under managers under directors: two levels of roll-up above the
 * reps), a fiscal year of won deals (amounts in minor units, gross margin in basis points, about
 * 10% split two ways between reps), and monthly revenue quotas for every payee; and the code that
 * loads it into a fresh PostgreSQL database in the foundation's tables with `COPY … FROM STDIN`.
 *
 * Everything is generated from one seed with a small PRNG (mulberry32), so two runs with the same
 * options produce the same rows, and the DuckDB reference reads exactly what the engine reads
 * (both read it back from PostgreSQL).
 */
import type { Store } from '../src/store/open-database.ts';
import { copyIn } from '../src/store/copy-in.ts';
import { ensureCalendar } from '../src/app/ensure-calendar.ts';

export type CompDataOptions = {
  payees: number;
  transactions: number;
  /** Share of transactions split two ways between reps. */
  splitShare: number;
  fiscalYear: number;
  seed: number;
};

export const defaultCompDataOptions: CompDataOptions = {
  payees: 10_000,
  transactions: 10_000_000,
  splitShare: 0.1,
  fiscalYear: 2025,
  seed: 20_251_106,
};

/** Payee index → person id (people.id and positions.id are both index + 1). */
export const personIdOf = (index: number): number => index + 1;
/** Payee index → people.external_key (the engine's payee id). */
export const payeeKeyOf = (index: number): string => `P${String(index + 1).padStart(5, '0')}`;
/** Transaction number (1-based) → opportunities.external_key; zero-padded so text order is id order. */
export const dealKeyOf = (id: number): string => `D${String(id).padStart(9, '0')}`;

/** A 32-bit seeded PRNG (mulberry32): fast, deterministic, good enough for benchmark data. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export type Organisation = {
  payees: number;
  directors: number;
  managers: number;
  reps: number;
  /** 'director' | 'manager' | 'rep' by payee index. */
  roleOf(index: number): 'director' | 'manager' | 'rep';
  /** The payee index of the manager (of a rep) or director (of a manager); -1 for directors. */
  parent: Int32Array;
  /** Rep productivity (scales deal amounts), by payee index; 0 for managers and directors. */
  productivity: Float64Array;
  /** Monthly revenue quota in minor units, index = payee * 12 + month (0-based). */
  quotaMinor: Float64Array;
  /** Day numbers (days since 1970-01-01) of the first day of each month, and of the next year. */
  monthStartDay: Int32Array;
};

/** Mean deal amount in minor units before the rep's productivity (log-normal, median $8,000). */
const MEDIAN_DEAL_MINOR = 800_000;
const DEAL_SIGMA = 0.9;
const MEAN_DEAL_MINOR = MEDIAN_DEAL_MINOR * Math.exp((DEAL_SIGMA * DEAL_SIGMA) / 2);

const dayNumberOf = (year: number, month: number, day: number): number =>
  Math.round(Date.UTC(year, month, day) / 86_400_000);

/**
 * 1% directors, 9% managers, 90% reps (10,000 payees: 100 directors, 900 managers, 9,000 reps;
 * 10 reps a manager, 9 managers a director). Rep quotas are the rep's expected monthly credit ×
 * 0.8–1.2 (so attainment spreads over every band), rounded to $100; a manager's quota is 95% of
 * the sum of their reps' quotas, a director's 95% of the sum of their managers'.
 */
export function buildOrganisation(options: CompDataOptions): Organisation {
  const random = seededRandom(options.seed);
  const payees = options.payees;
  const directors = Math.max(1, Math.round(payees * 0.01));
  const managers = Math.max(1, Math.round(payees * 0.09));
  const reps = payees - directors - managers;
  const parent = new Int32Array(payees).fill(-1);
  const productivity = new Float64Array(payees);
  const quotaMinor = new Float64Array(payees * 12);
  const roleOf = (index: number) =>
    index < directors ? 'director' : index < directors + managers ? 'manager' : 'rep';
  for (let m = 0; m < managers; m++) parent[directors + m] = Math.floor((m * directors) / managers);
  for (let r = 0; r < reps; r++)
    parent[directors + managers + r] = directors + Math.floor((r * managers) / reps);
  const monthStartDay = new Int32Array(13);
  for (let month = 0; month <= 12; month++) monthStartDay[month] = dayNumberOf(options.fiscalYear, month, 1);
  const yearDays = monthStartDay[12]! - monthStartDay[0]!;
  const dealsPerRepDay = options.transactions / reps / yearDays;
  for (let r = 0; r < reps; r++) {
    const index = directors + managers + r;
    const p = 0.6 + random() * 0.8;
    productivity[index] = p;
    for (let month = 0; month < 12; month++) {
      const days = monthStartDay[month + 1]! - monthStartDay[month]!;
      const expected = dealsPerRepDay * days * MEAN_DEAL_MINOR * p;
      quotaMinor[index * 12 + month] = Math.round((expected * (0.8 + random() * 0.4)) / 10_000) * 10_000;
    }
  }
  // Managers, then directors: 95% of the sum below them, rounded to $1,000.
  for (const level of ['manager', 'director'] as const) {
    const sums = new Float64Array(payees * 12);
    for (let index = 0; index < payees; index++) {
      const up = parent[index]!;
      if (up < 0 || roleOf(up) !== level) continue;
      for (let month = 0; month < 12; month++) sums[up * 12 + month]! += quotaMinor[index * 12 + month]!;
    }
    for (let index = 0; index < payees; index++) {
      if (roleOf(index) !== level) continue;
      for (let month = 0; month < 12; month++)
        quotaMinor[index * 12 + month] = Math.round((sums[index * 12 + month]! * 0.95) / 100_000) * 100_000;
    }
  }
  return { payees, directors, managers, reps, roleOf, parent, productivity, quotaMinor, monthStartDay };
}

/** One generated deal, reused between calls (no object per row). */
export type GeneratedDeal = {
  id: number;
  ownerIndex: number;
  closeDay: number;
  amountMinor: number;
  marginBps: number;
  dealType: 'new_business' | 'expansion' | 'renewal';
  /** -1 when not split; else the partner rep's payee index. */
  partnerIndex: number;
  /** The owner's share in ppm when split (500,000, 600,000 or 700,000); the partner gets the rest. */
  ownerSharePpm: number;
};

/**
 * A pull-based generator of the deals, ids 1..transactions in order: each `next()` fills and
 * returns the same object (no object per row), or undefined at the end. A deal's owner is a
 * uniformly drawn rep, its close day uniform in the fiscal year, its amount log-normal (median
 * $8,000) × the owner's productivity, with cents; gross margin 5%–70%.
 */
export function createDealGenerator(
  options: CompDataOptions,
  org: Organisation,
): { next(): GeneratedDeal | undefined } {
  const random = seededRandom(options.seed ^ 0x5bd1e995);
  const firstRep = org.directors + org.managers;
  const firstDay = org.monthStartDay[0]!;
  const yearDays = org.monthStartDay[12]! - firstDay;
  const deal: GeneratedDeal = {
    id: 0,
    ownerIndex: 0,
    closeDay: 0,
    amountMinor: 0,
    marginBps: 0,
    dealType: 'new_business',
    partnerIndex: -1,
    ownerSharePpm: 0,
  };
  const types = ['new_business', 'expansion', 'renewal'] as const;
  const shares = [500_000, 600_000, 700_000];
  return {
    next() {
      if (deal.id >= options.transactions) return undefined;
      deal.id += 1;
      deal.ownerIndex = firstRep + Math.floor(random() * org.reps);
      deal.closeDay = firstDay + Math.floor(random() * yearDays);
      // Box-Muller: one normal draw from two uniforms.
      const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      const amount = MEDIAN_DEAL_MINOR * Math.exp(DEAL_SIGMA * z) * org.productivity[deal.ownerIndex]!;
      deal.amountMinor = Math.max(10_000, Math.min(Math.round(amount), 500_000_000));
      deal.marginBps = 500 + Math.floor(random() * 6_501);
      const t = random();
      deal.dealType = types[t < 0.4 ? 0 : t < 0.75 ? 1 : 2]!;
      if (random() < options.splitShare && org.reps > 1) {
        let partner = firstRep + Math.floor(random() * (org.reps - 1));
        if (partner >= deal.ownerIndex) partner += 1;
        deal.partnerIndex = partner;
        deal.ownerSharePpm = shares[Math.floor(random() * 3)]!;
      } else {
        deal.partnerIndex = -1;
        deal.ownerSharePpm = 0;
      }
      return deal;
    },
  };
}

// ------------------------------------------------------------------ COPY FROM STDIN

/** The store's COPY-in helper (src/store/copy-in.ts), re-exported for the benchmarks. */
export { copyIn };

const isoDayOf = (dayNumber: number): string => new Date(dayNumber * 86_400_000).toISOString().slice(0, 10);

export type LoadedCompData = {
  org: Organisation;
  rows: { people: number; opportunities: number; splits: number; quotas: number };
  /** Splits as (opportunity id, person id, share ppm), two rows per split deal, owner first. */
  splits: { opportunity: Int32Array; person: Int32Array; sharePpm: Int32Array; count: number };
  timingsMs: Record<string, number>;
};

/**
 * Fills a migrated database: the fiscal calendar, people, positions (rep/manager/director) held by
 * them, the reporting lines, monthly revenue quotas per position, and the won deals (stage
 * 'Closed Won', closed on their close day). Foreign-key triggers are off for the bulk statements
 * (session_replication_role = replica: the generated rows only reference rows that exist), and the
 * secondary indexes of `opportunities` are dropped during the COPY and rebuilt after it (same
 * schema at the end; an index build by sort is several times faster than 10M index insertions).
 * Splits go into `opportunity_splits` (migration 0003-comp), two rows per split deal, owner first.
 */
export async function loadCompData(store: Store, options: CompDataOptions): Promise<LoadedCompData> {
  const timingsMs: Record<string, number> = {};
  const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const value = await run();
    timingsMs[name] = Math.round(performance.now() - started);
    return value;
  };
  const org = buildOrganisation(options);
  await step('calendar', () => ensureCalendar(store, 1, `${options.fiscalYear}-06-01T00:00:00.000Z`));
  const client = await store.pool.connect();
  const rows = { people: org.payees, opportunities: 0, splits: 0, quotas: org.payees * 12 };
  const splitCapacity = Math.ceil(options.transactions * options.splitShare * 1.2) * 2 + 16;
  const splits = {
    opportunity: new Int32Array(splitCapacity),
    person: new Int32Array(splitCapacity),
    sharePpm: new Int32Array(splitCapacity),
    count: 0,
  };
  try {
    await client.query('SET synchronous_commit = off');
    await client.query('SET session_replication_role = replica');
    const ids = Array.from({ length: org.payees }, (_, i) => personIdOf(i));
    const keys = ids.map((_, i) => payeeKeyOf(i));
    const roles = ids.map((_, i) => org.roleOf(i));
    const parents = ids.map((_, i) => (org.parent[i]! < 0 ? null : personIdOf(org.parent[i]!)));
    await step('people', async () => {
      await client.query(
        `INSERT INTO stages (name, sort_order, category, default_probability) VALUES
          ('Prospecting', 1, 'open', 10), ('Proposal', 2, 'open', 50), ('Closed Won', 3, 'won', 100), ('Closed Lost', 4, 'lost', 0)`,
      );
      await client.query(
        `INSERT INTO people (id, external_key, name, hired_on)
         SELECT id, key, initcap(role) || ' ' || key, DATE '2020-01-01' FROM unnest($1::bigint[], $2::text[], $3::text[]) AS t(id, key, role)`,
        [ids, keys, roles],
      );
      await client.query(
        `INSERT INTO positions (id, external_key, title, role)
         SELECT id, 'POS-' || key, initcap(role), role FROM unnest($1::bigint[], $2::text[], $3::text[]) AS t(id, key, role)`,
        [ids, keys, roles],
      );
      await client.query(
        `INSERT INTO position_holders (position_id, person_id, valid_from) SELECT id, id, DATE '2020-01-01' FROM unnest($1::bigint[]) AS t(id)`,
        [ids],
      );
      await client.query(
        `INSERT INTO position_reporting (position_id, parent_position_id, valid_from)
         SELECT id, parent, DATE '2020-01-01' FROM unnest($1::bigint[], $2::bigint[]) AS t(id, parent)`,
        [ids, parents],
      );
      for (const table of ['people', 'positions'])
        await client.query(`SELECT setval('${table}_id_seq', ${org.payees})`);
    });
    await step('quotas', async () => {
      const position: number[] = [];
      const month: number[] = [];
      const target: string[] = [];
      for (let i = 0; i < org.payees; i++)
        for (let m = 0; m < 12; m++) {
          position.push(personIdOf(i));
          month.push(m + 1);
          target.push((org.quotaMinor[i * 12 + m]! / 100).toFixed(2));
        }
      await client.query(
        `INSERT INTO quotas (position_id, period_id, measure, target, currency, method)
         SELECT q.position, p.id, 'revenue', q.target, 'USD', 'generated'
         FROM unnest($1::bigint[], $2::int[], $3::numeric[]) AS q(position, month, target)
         JOIN periods p ON p.kind = 'month' AND p.fiscal_year = $4 AND p.number = q.month`,
        [position, month, target, options.fiscalYear],
      );
    });
    await step('drop_indexes', async () => {
      await client.query('DROP INDEX opportunities_owner, opportunities_account, opportunities_close');
      await client.query('ALTER TABLE opportunities DROP CONSTRAINT opportunities_external_key_key');
    });
    const opportunities = await step('copy_opportunities', () =>
      copyIn(
        client,
        `COPY opportunities (id, external_key, name, owner_person_id, stage, forecast_category, probability, amount_minor,
           currency, deal_type, created_on, close_on, closed_on, is_closed, is_won, gross_margin_bps) FROM STDIN`,
        function* () {
          const dayText = new Map<number, string>();
          for (let d = org.monthStartDay[0]! - 200; d <= org.monthStartDay[12]!; d++)
            dayText.set(d, isoDayOf(d));
          const deals = createDealGenerator(options, org);
          for (;;) {
            let chunk = '';
            let deal: GeneratedDeal | undefined;
            for (let k = 0; k < 20_000 && (deal = deals.next()); k++) {
              const key = dealKeyOf(deal.id);
              const close = dayText.get(deal.closeDay)!;
              const created = dayText.get(deal.closeDay - 10 - (deal.id % 170))!;
              chunk += `${deal.id}\t${key}\tDeal ${key}\t${personIdOf(deal.ownerIndex)}\tClosed Won\tclosed\t100\t${deal.amountMinor}\tUSD\t${deal.dealType}\t${created}\t${close}\t${close}\tt\tt\t${deal.marginBps}\n`;
              if (deal.partnerIndex >= 0) {
                const n = splits.count;
                splits.opportunity[n] = deal.id;
                splits.person[n] = personIdOf(deal.ownerIndex);
                splits.sharePpm[n] = deal.ownerSharePpm;
                splits.opportunity[n + 1] = deal.id;
                splits.person[n + 1] = personIdOf(deal.partnerIndex);
                splits.sharePpm[n + 1] = 1_000_000 - deal.ownerSharePpm;
                splits.count = n + 2;
              }
            }
            if (chunk) yield chunk;
            if (!deal) return;
          }
        },
      ),
    );
    await step('rebuild_indexes', async () => {
      await client.query(`SELECT setval('opportunities_id_seq', ${options.transactions})`);
      await client.query(
        'ALTER TABLE opportunities ADD CONSTRAINT opportunities_external_key_key UNIQUE (external_key)',
      );
      await client.query('CREATE INDEX opportunities_owner ON opportunities (owner_person_id)');
      await client.query('CREATE INDEX opportunities_account ON opportunities (account_id)');
      await client.query('CREATE INDEX opportunities_close ON opportunities (close_on)');
    });
    rows.opportunities = opportunities;
    rows.splits = await step('copy_splits', () =>
      copyIn(
        client,
        'COPY opportunity_splits (opportunity_id, person_id, kind, share_ppm) FROM STDIN',
        function* () {
          for (let start = 0; start < splits.count; start += 20_000) {
            let chunk = '';
            const end = Math.min(splits.count, start + 20_000);
            for (let i = start; i < end; i++)
              chunk += `${splits.opportunity[i]}\t${splits.person[i]}\tsplit\t${splits.sharePpm[i]}\n`;
            yield chunk;
          }
        },
      ),
    );
    await step('vacuum_analyze', () => client.query('VACUUM ANALYZE'));
  } finally {
    client.release();
  }
  return { org, rows, splits, timingsMs };
}
