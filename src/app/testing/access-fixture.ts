import type { Store } from '../../store/open-database.ts';

/**
 * A small organisation for the access tests, written straight into the store:
 *
 *   VP (vp)
 *   ├── Manager East (east) ── rep Ann (a), rep Ben (b)
 *   └── Manager West (west) ── rep Cleo (c)
 *
 * Plus Mia, who managed East until 2026-04-01 and West from then on (East passed to `east`,
 * West had no manager before). Each rep has one deal won on 2026-02-10 (Q1), one won on
 * 2026-08-15 (Q3), one open deal, two activities, and a revenue quota for 2026 Q1 and Q3.
 */
export type AccessFixture = {
  people: Record<'vp' | 'east' | 'west' | 'a' | 'b' | 'c' | 'mia', number>;
  positions: Record<'vp' | 'east' | 'west' | 'a' | 'b' | 'c' | 'miaEast' | 'miaWest', number>;
  /** Deal ids per rep: won in Q1, won in Q3, open. */
  deals: Record<'a' | 'b' | 'c', { q1: number; q3: number; open: number }>;
  quotas: Record<'a' | 'b' | 'c', { q1: number; q3: number }>;
  periods: { q1: number; q3: number };
};

export async function createAccessFixture(store: Store): Promise<AccessFixture> {
  const db = store.db;
  const region = await db
    .insertInto('regions')
    .values({ name: 'Americas' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const teamEast = await db
    .insertInto('teams')
    .values({ name: 'East', region_id: region.id })
    .returning('id')
    .executeTakeFirstOrThrow();
  const teamWest = await db
    .insertInto('teams')
    .values({ name: 'West', region_id: region.id })
    .returning('id')
    .executeTakeFirstOrThrow();

  const person = async (key: string, name: string) =>
    (
      await db
        .insertInto('people')
        .values({ external_key: key, name, email: `${key}@example.com`, hired_on: '2020-01-01' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const position = async (key: string, title: string, role: 'rep' | 'manager' | 'executive') =>
    (
      await db
        .insertInto('positions')
        .values({ external_key: key, title, role })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const hold = (positionId: number, personId: number, from: string, to: string | null = null) =>
    db
      .insertInto('position_holders')
      .values({ position_id: positionId, person_id: personId, valid_from: from, valid_to: to })
      .execute();
  const report = (
    positionId: number,
    parent: number | null,
    team: number | null,
    from: string,
    to: string | null = null,
  ) =>
    db
      .insertInto('position_reporting')
      .values({
        position_id: positionId,
        parent_position_id: parent,
        team_id: team,
        valid_from: from,
        valid_to: to,
      })
      .execute();

  const people = {
    vp: await person('vp', 'Vera VP'),
    east: await person('east', 'Ed East'),
    west: await person('west', 'Wes West'),
    a: await person('rep-a', 'Ann Rep'),
    b: await person('rep-b', 'Ben Rep'),
    c: await person('rep-c', 'Cleo Rep'),
    mia: await person('mia', 'Mia Mover'),
  };
  const positions = {
    vp: await position('pos-vp', 'VP Sales', 'executive'),
    east: await position('pos-east', 'Manager East', 'manager'),
    west: await position('pos-west', 'Manager West', 'manager'),
    a: await position('pos-a', 'AE East 1', 'rep'),
    b: await position('pos-b', 'AE East 2', 'rep'),
    c: await position('pos-c', 'AE West 1', 'rep'),
    miaEast: 0,
    miaWest: 0,
  };
  positions.miaEast = positions.east;
  positions.miaWest = positions.west;
  await hold(positions.vp, people.vp, '2020-01-01');
  await hold(positions.east, people.mia, '2020-01-01', '2026-04-01');
  await hold(positions.east, people.east, '2026-04-01');
  await hold(positions.west, people.mia, '2026-04-01');
  // Wes held West before Mia; he stays a person with no position after.
  await hold(positions.west, people.west, '2020-01-01', '2026-04-01');
  await hold(positions.a, people.a, '2020-01-01');
  await hold(positions.b, people.b, '2020-01-01');
  await hold(positions.c, people.c, '2020-01-01');
  await report(positions.vp, null, null, '2020-01-01');
  await report(positions.east, positions.vp, teamEast.id, '2020-01-01');
  await report(positions.west, positions.vp, teamWest.id, '2020-01-01');
  await report(positions.a, positions.east, teamEast.id, '2020-01-01');
  await report(positions.b, positions.east, teamEast.id, '2020-01-01');
  await report(positions.c, positions.west, teamWest.id, '2020-01-01');

  await db
    .insertInto('stages')
    .values([
      { name: 'Prospecting', sort_order: 1, category: 'open', default_probability: 10 },
      { name: 'Won', sort_order: 9, category: 'won', default_probability: 100 },
      { name: 'Lost', sort_order: 10, category: 'lost', default_probability: 0 },
    ])
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const account = await db
    .insertInto('accounts')
    .values({ external_key: 'acc-1', name: 'Acme' })
    .returning('id')
    .executeTakeFirstOrThrow();

  const deal = async (key: string, owner: number, won: boolean, closedOn: string | null, amount: number) =>
    (
      await db
        .insertInto('opportunities')
        .values({
          external_key: key,
          name: `Deal ${key}`,
          account_id: account.id,
          owner_person_id: owner,
          stage: closedOn ? (won ? 'Won' : 'Lost') : 'Prospecting',
          amount_minor: amount,
          created_on: '2026-01-05',
          close_on: closedOn ?? '2026-12-15',
          closed_on: closedOn,
          is_closed: closedOn !== null,
          is_won: won,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const deals = {
    a: {
      q1: await deal('a-q1', people.a, true, '2026-02-10', 1_000_000),
      q3: await deal('a-q3', people.a, true, '2026-08-15', 2_000_000),
      open: await deal('a-open', people.a, false, null, 500_000),
    },
    b: {
      q1: await deal('b-q1', people.b, true, '2026-02-10', 1_100_000),
      q3: await deal('b-q3', people.b, true, '2026-08-15', 2_100_000),
      open: await deal('b-open', people.b, false, null, 510_000),
    },
    c: {
      q1: await deal('c-q1', people.c, true, '2026-02-10', 1_200_000),
      q3: await deal('c-q3', people.c, true, '2026-08-15', 2_200_000),
      open: await deal('c-open', people.c, false, null, 520_000),
    },
  };
  for (const [rep, id] of [
    ['a', people.a],
    ['b', people.b],
    ['c', people.c],
  ] as const) {
    await db
      .insertInto('activities')
      .values([
        { external_key: `${rep}-call`, type: 'call', person_id: id, occurred_at: '2026-08-03T10:00:00Z' },
        { external_key: `${rep}-mail`, type: 'email', person_id: id, occurred_at: '2026-02-03T10:00:00Z' },
      ])
      .execute();
  }
  const quarter = async (startsOn: string) =>
    (
      await db
        .selectFrom('periods')
        .select('id')
        .where('kind', '=', 'quarter')
        .where('starts_on', '=', startsOn)
        .executeTakeFirstOrThrow()
    ).id;
  const periods = { q1: await quarter('2026-01-01'), q3: await quarter('2026-07-01') };
  const quota = async (positionId: number, periodId: number) =>
    (
      await db
        .insertInto('quotas')
        .values({
          position_id: positionId,
          period_id: periodId,
          measure: 'revenue',
          target: '40000.0000',
          currency: 'USD',
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const quotas = {
    a: { q1: await quota(positions.a, periods.q1), q3: await quota(positions.a, periods.q3) },
    b: { q1: await quota(positions.b, periods.q1), q3: await quota(positions.b, periods.q3) },
    c: { q1: await quota(positions.c, periods.q1), q3: await quota(positions.c, periods.q3) },
  };
  return { people, positions, deals, quotas, periods };
}
