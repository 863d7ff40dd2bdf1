// The forecast API in-process (Hono app.request), on the access fixture: VP ← East (Ann, Ben) and
// West (Cleo); the clock says 2026-11-23, in FY2026 Q4. Runs on PGlite and, in CI, PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Attain } from '../app/create-attain.ts';
import { createAccessFixture, type AccessFixture } from '../app/testing/access-fixture.ts';
import { createTestAttain } from '../app/testing/test-attain.ts';
import { testDatabaseKinds } from '../store/testing/test-store.ts';
import { createApp } from './create-app.ts';
import { createUserAndSignIn, type TestClient } from './testing/test-client.ts';

const post = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body) });

describe.each(testDatabaseKinds())('forecast routes (%s)', (kind) => {
  let attain: Attain & { dispose(): Promise<void> };
  let fx: AccessFixture;
  let app: ReturnType<typeof createApp>;
  const as: Record<'admin' | 'vp' | 'east' | 'a' | 'c', TestClient> = {} as never;
  let q4 = 0;
  let q3 = 0;

  beforeAll(async () => {
    attain = await createTestAttain(kind);
    fx = await createAccessFixture(attain.store);
    app = createApp(attain);
    as.admin = await createUserAndSignIn(app, attain, { email: 'admin@example.com', role: 'admin' });
    as.vp = await createUserAndSignIn(app, attain, {
      email: 'vp@example.com',
      role: 'sales_manager',
      personId: fx.people.vp,
    });
    as.east = await createUserAndSignIn(app, attain, {
      email: 'east@example.com',
      role: 'sales_manager',
      personId: fx.people.east,
    });
    as.a = await createUserAndSignIn(app, attain, {
      email: 'a@example.com',
      role: 'sales_rep',
      personId: fx.people.a,
    });
    as.c = await createUserAndSignIn(app, attain, {
      email: 'c@example.com',
      role: 'sales_rep',
      personId: fx.people.c,
    });
    const periods = (await as.a.json('/api/forecast/periods?kind=quarter')).body.periods as {
      id: number;
      label: string;
    }[];
    q4 = periods.find((p) => p.label === 'FY2026 Q4')!.id;
    q3 = periods.find((p) => p.label === 'FY2026 Q3')!.id;
  });
  afterAll(async () => {
    await attain?.dispose();
  });

  it('opens a rep on their own position, with the system number of their deals', async () => {
    const { status, body } = await as.a.json(`/api/forecast?periodId=${q4}`);
    expect(status).toBe(200);
    expect(body.period.label).toBe('FY2026 Q4');
    expect(body.node.positionId).toBe(fx.positions.a);
    expect(body.rows).toEqual([]);
    // One open Prospecting deal of 5,000.00 closing 2026-12-15 at 10%; nothing won in Q4 yet.
    expect(body.node.system.stageWeighted).toBe('500.00');
    expect(body.node.system.closed).toBe('0.00');
    expect(body.canSubmit).toBe(true);
    // Suggested from CRM categories: the deal has none, so it is pipeline only.
    expect(body.suggestion).toEqual({
      commit: '0.00',
      mostLikely: '0.00',
      bestCase: '0.00',
      pipeline: '5000.00',
    });
  });

  it('refuses categories that are not cumulative, naming the field, and saves nothing', async () => {
    const { status, body } = await as.a.json(
      '/api/forecast/submissions',
      post({
        periodId: q4,
        positionId: fx.positions.a,
        commit: '300',
        mostLikely: '200',
        bestCase: '400',
        pipeline: '500',
      }),
    );
    expect(status).toBe(400);
    expect(body.problems).toEqual([expect.objectContaining({ field: 'mostLikely' })]);
    expect((await as.a.json(`/api/forecast?periodId=${q4}`)).body.versions).toEqual([]);
  });

  it('keeps every version of a rep’s call and rolls the latest up to the manager and the VP', async () => {
    const first = await as.a.json(
      '/api/forecast/submissions',
      post({
        periodId: q4,
        positionId: fx.positions.a,
        commit: '100',
        mostLikely: '200',
        bestCase: '300',
        pipeline: '5000',
      }),
    );
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ version: 1, kind: 'submission', mostLikely: '200.00' });
    const second = await as.a.json(
      '/api/forecast/submissions',
      post({
        periodId: q4,
        positionId: fx.positions.a,
        commit: '100',
        mostLikely: '250',
        bestCase: '300',
        pipeline: '5000',
        note: 'Call went well',
      }),
    );
    expect(second.body.version).toBe(2);
    const mine = (await as.a.json(`/api/forecast?periodId=${q4}`)).body;
    expect(mine.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);

    const east = (await as.east.json(`/api/forecast?periodId=${q4}`)).body;
    expect(east.node.positionId).toBe(fx.positions.east);
    expect(east.rows.map((r: { positionId: number }) => r.positionId)).toEqual([
      fx.positions.a,
      fx.positions.b,
    ]);
    expect(east.rows[0].call.mostLikely).toBe('250.00');
    expect(east.rows[1].source).toBe('none');
    expect(east.node.rollUp.mostLikely).toBe('250.00');
    expect(east.node.source).toBe('roll_up');
    expect(east.node.reportsWithCall).toBe(1);
    // Expected revenue adds up: the team's is Ann's plus Ben's.
    const sum = east.rows.reduce(
      (s: number, r: { system: { expected: string } }) => s + Number(r.system.expected),
      0,
    );
    expect(Number(east.node.system.expected)).toBeCloseTo(sum, 1);
  });

  it('a manager overrides the roll-up with a note, and the VP’s roll-up shows the override', async () => {
    const noNote = await as.east.json(
      '/api/forecast/submissions',
      post({
        periodId: q4,
        positionId: fx.positions.east,
        commit: '100',
        mostLikely: '400',
        bestCase: '500',
        pipeline: '6000',
      }),
    );
    expect(noNote.status).toBe(400);
    expect(noNote.body.problems[0].field).toBe('note');
    const override = await as.east.json(
      '/api/forecast/submissions',
      post({
        periodId: q4,
        positionId: fx.positions.east,
        commit: '100',
        mostLikely: '400',
        bestCase: '500',
        pipeline: '6000',
        note: 'Ben closes his renewal early',
      }),
    );
    expect(override.status).toBe(201);
    expect(override.body).toMatchObject({
      kind: 'override',
      rollUp: '250.00',
      note: 'Ben closes his renewal early',
    });

    const east = (await as.east.json(`/api/forecast?periodId=${q4}`)).body;
    expect(east.node.source).toBe('own');
    expect(east.node.override).toBe('150.00');
    const vp = (await as.vp.json(`/api/forecast?periodId=${q4}`)).body;
    expect(vp.node.positionId).toBe(fx.positions.vp);
    const eastRow = vp.rows.find((r: { positionId: number }) => r.positionId === fx.positions.east);
    expect(eastRow.call.mostLikely).toBe('400.00');
    expect(vp.node.rollUp.mostLikely).toBe('400.00');
    // The audit trail has both kinds.
    const audit = await as.admin.json('/api/audit?entity=forecast_submission');
    const actions = (audit.body.entries ?? audit.body.rows ?? []).map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['forecast_submitted', 'forecast_overridden']));
  });

  it('lets only the holder submit, only while the period is open', async () => {
    const forOther = await as.east.json(
      '/api/forecast/submissions',
      post({
        periodId: q4,
        positionId: fx.positions.a,
        commit: '1',
        mostLikely: '1',
        bestCase: '1',
        pipeline: '1',
      }),
    );
    expect(forOther.status).toBe(403);
    const ended = await as.a.json(
      '/api/forecast/submissions',
      post({
        periodId: q3,
        positionId: fx.positions.a,
        commit: '1',
        mostLikely: '1',
        bestCase: '1',
        pipeline: '1',
      }),
    );
    expect(ended.status).toBe(409);
    const adminView = (await as.admin.json(`/api/forecast?periodId=${q4}`)).body;
    expect(adminView.node).toBeNull();
    expect(adminView.canSubmit).toBe(false);
    expect(adminView.rows.map((r: { positionId: number }) => r.positionId)).toEqual([fx.positions.vp]);
  });

  it('keeps a rep to their own position and a manager to their team', async () => {
    expect((await as.a.json(`/api/forecast?periodId=${q4}&positionId=${fx.positions.c}`)).status).toBe(404);
    expect((await as.a.json(`/api/forecast?periodId=${q4}&positionId=${fx.positions.east}`)).status).toBe(
      404,
    );
    expect((await as.east.json(`/api/forecast?periodId=${q4}&positionId=${fx.positions.west}`)).status).toBe(
      404,
    );
    expect((await as.east.json(`/api/forecast?periodId=${q4}&positionId=${fx.positions.a}`)).status).toBe(
      200,
    );
  });

  it('opens a team only for whom it was theirs on the forecast’s day', async () => {
    // Mia managed East until 2026-04-01 and West since. On 2026-11-23 (FY2026 seen as of today),
    // East is not hers any more, West is; Wes, who held West until April, holds nothing now.
    const mia = await createUserAndSignIn(app, attain, {
      email: 'mia@example.com',
      role: 'sales_manager',
      personId: fx.people.mia,
    });
    const wes = await createUserAndSignIn(app, attain, {
      email: 'wes@example.com',
      role: 'sales_manager',
      personId: fx.people.west,
    });
    const year = (await mia.json('/api/forecast/periods?kind=year')).body.periods.find(
      (p: { label: string }) => p.label === 'FY2026',
    ).id;
    expect((await mia.json(`/api/forecast?periodId=${year}&positionId=${fx.positions.east}`)).status).toBe(
      404,
    );
    expect((await mia.json(`/api/forecast?periodId=${year}&positionId=${fx.positions.west}`)).status).toBe(
      200,
    );
    expect((await wes.json(`/api/forecast?periodId=${year}&positionId=${fx.positions.west}`)).status).toBe(
      404,
    );
    // A position that does not exist answers like one out of scope.
    const missing = await as.a.json(`/api/forecast?periodId=${q4}&positionId=999999`);
    const foreign = await as.a.json(`/api/forecast?periodId=${q4}&positionId=${fx.positions.c}`);
    expect([missing.status, foreign.status]).toEqual([404, 404]);
    expect(missing.body.title.replace('999999', 'N')).toBe(
      foreign.body.title.replace(String(fx.positions.c), 'N'),
    );
    // Accuracy of West for Mia: only the horizons since she took it over (Q2 week 4 on), not Q1.
    const accuracy = (
      await mia.json(`/api/forecast/accuracy?kind=quarter&count=4&positionId=${fx.positions.west}`)
    ).body;
    const seen = accuracy.rows.map((r: { period: string; horizon: string }) => `${r.period} ${r.horizon}`);
    expect(seen).not.toContain('FY2026 Q1 period_start');
    expect(seen).not.toContain('FY2026 Q2 period_start');
    expect(seen).toContain('FY2026 Q2 week_4');
    expect((await as.a.json(`/api/forecast/accuracy?positionId=999999`)).status).toBe(404);
  });

  it('scores each layer as it stood on the horizon day, never with a later call', async () => {
    // Calls for FY2026 Q3 (horizons: 2026-06-30 and week 4, 2026-07-28), written as they were made.
    const db = attain.store.db;
    const call = (
      position: number,
      version: number,
      mostLikely: number,
      at: string,
      kind: 'submission' | 'override' = 'submission',
    ) => ({
      position_id: position,
      period_id: q3,
      version,
      kind,
      currency: 'USD',
      commit_minor: 0,
      most_likely_minor: mostLikely,
      best_case_minor: mostLikely,
      pipeline_minor: mostLikely,
      note: kind === 'override' ? 'manager view' : null,
      as_of: at.slice(0, 10),
      submitted_by: 'test',
      submitted_at: at,
    });
    await db
      .insertInto('forecast_submissions')
      .values([
        call(fx.positions.a, 1, 1_000_000, '2026-06-30T15:00:00.000Z'),
        call(fx.positions.b, 1, 2_000_000, '2026-06-30T15:00:00.000Z'),
        call(fx.positions.c, 1, 3_000_000, '2026-06-30T15:00:00.000Z'),
        // Seen at week 4, not at the start.
        call(fx.positions.a, 2, 1_500_000, '2026-07-10T09:00:00.000Z'),
        call(fx.positions.east, 1, 4_000_000, '2026-07-20T09:00:00.000Z', 'override'),
        // After week 4: seen by neither horizon.
        call(fx.positions.a, 3, 9_900_000, '2026-07-29T09:00:00.000Z'),
      ])
      .execute();
    const { body } = await as.admin.json('/api/forecast/accuracy?kind=quarter&count=2');
    const row = (horizon: string) =>
      body.rows.find(
        (r: { period: string; horizon: string }) => r.period === 'FY2026 Q3' && r.horizon === horizon,
      );
    // At the start: every rep had called (10,000 + 20,000 + 30,000); no manager had.
    expect(row('period_start').repRollUp).toBe('60000.00');
    expect(row('period_start').managerCall).toBeNull();
    // At week 4: Ann's second call; East's override (40,000) stands for East, West rolls up Cleo's.
    expect(row('week_4').repRollUp).toBe('65000.00');
    expect(row('week_4').managerCall).toBe('70000.00');
    const layer = (name: string, horizon: string) =>
      body.layers.find((l: { layer: string; horizon: string }) => l.layer === name && l.horizon === horizon);
    expect(layer('rep_roll_up', 'period_start').periods).toBe(1);
    expect(layer('manager_call', 'week_4').periods).toBe(1);
    // Won in Q3: 63,000.00 against a call of 70,000.00: WAPE 7/63.
    expect(layer('manager_call', 'week_4').wape).toBeCloseTo(7 / 63, 6);
  });

  it('scores past periods: actual won revenue against each layer', async () => {
    const { status, body } = await as.admin.json('/api/forecast/accuracy?kind=quarter&count=3');
    expect(status).toBe(200);
    expect(body.rows.map((r: { period: string }) => r.period)).toContain('FY2026 Q3');
    const q3Start = body.rows.find(
      (r: { period: string; horizon: string }) => r.period === 'FY2026 Q3' && r.horizon === 'period_start',
    );
    // Won in Q3: 20,000.00 + 21,000.00 + 22,000.00.
    expect(q3Start.actual).toBe('63000.00');
    expect(body.layers.map((l: { layer: string }) => l.layer)).toEqual(
      expect.arrayContaining(['stage_weighted', 'monte_carlo', 'rep_roll_up', 'manager_call']),
    );
  });

  it('lists a single-threaded deal at risk on today’s pipeline, with the reason', async () => {
    await attain.store.db
      .updateTable('opportunities')
      .set({ contact_count: 1 })
      .where('id', '=', fx.deals.a.open)
      .execute();
    attain.forecast.invalidate();
    const { body } = await as.a.json(`/api/forecast?periodId=${q4}`);
    const deal = body.risky.find((d: { opportunityId: number }) => d.opportunityId === fx.deals.a.open);
    expect(deal.contacts).toBe(1);
    expect(deal.reasons).toContainEqual({
      kind: 'single_threaded',
      message: 'single-threaded: one contact on the deal',
    });
  });

  it('does not judge an ended period’s deals by today’s contact count', async () => {
    // Ann's open deal, single-threaded now, was due in Q3 and cut in August: at risk as Q3 ended,
    // for the cut only.
    const id = fx.deals.a.open;
    await attain.store.db
      .updateTable('opportunities')
      .set({ contact_count: 1, close_on: '2026-09-20' })
      .where('id', '=', id)
      .execute();
    await attain.store.db
      .insertInto('opportunity_changes')
      .values({
        opportunity_id: id,
        changed_at: '2026-08-20T09:00:00.000Z',
        field: 'amount_minor',
        old_value: '900000',
        new_value: '500000',
        source: 'user',
        import_id: null,
      })
      .execute();
    await attain.snapshots.refresh();
    attain.forecast.invalidate();
    const { body } = await as.admin.json(`/api/forecast?periodId=${q3}`);
    expect(body.asOf).toBe('2026-09-30');
    const deal = body.risky.find((d: { opportunityId: number }) => d.opportunityId === fx.deals.a.open);
    expect(deal.contacts).toBeNull();
    expect(deal.reasons.map((r: { kind: string }) => r.kind)).toEqual(['amount_cut']);
    // Today's forecast lists it, overdue, with both reasons.
    const today = (await as.admin.json(`/api/forecast?periodId=${q4}`)).body;
    const now = today.risky.find((d: { opportunityId: number }) => d.opportunityId === id);
    expect(now.contacts).toBe(1);
    expect(now.reasons.map((r: { kind: string }) => r.kind)).toEqual(['amount_cut', 'single_threaded']);
  });
});
