// Sign-in, sessions, CSRF, tokens, hierarchy scopes over time, injection and hardening, through
// the real HTTP app on a real database.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Attain } from '../app/create-attain.ts';
import { movableClock } from '../app/ports.ts';
import { createTestAttain } from '../app/testing/test-attain.ts';
import { testDatabaseKinds } from '../store/testing/test-store.ts';
import { createApp } from './create-app.ts';
import { createAccessFixture, type AccessFixture } from '../app/testing/access-fixture.ts';
import { createUserAndSignIn, signIn, testPassword, type TestClient } from './testing/test-client.ts';

const start = '2026-11-23T09:00:00.000Z';

describe.each(testDatabaseKinds())('access and trust on %s', (kind) => {
  let attain: Attain & { dispose(): Promise<void> };
  let app: ReturnType<typeof createApp>;
  let fx: AccessFixture;
  let admin: TestClient;
  let rep: TestClient;
  const clock = movableClock(start);

  beforeAll(async () => {
    attain = await createTestAttain(kind, {}, clock);
    app = createApp(attain);
    fx = await createAccessFixture(attain.store);
    admin = await createUserAndSignIn(app, attain, { email: 'admin@example.com', role: 'admin' });
    rep = await createUserAndSignIn(app, attain, {
      email: 'ann@example.com',
      role: 'sales_rep',
      personId: fx.people.a,
    });
  });
  afterAll(async () => {
    await attain?.dispose();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('locks an account after five failed sign-ins in a row, even for the right password, for 15 minutes', async () => {
    await createUserAndSignIn(app, attain, { email: 'target@example.com', role: 'finance' });
    for (let i = 0; i < 5; i++) {
      const r = await post('/api/auth/sign-in', {
        email: 'target@example.com',
        password: `guess number ${i}`,
      });
      expect(r.status).toBe(401);
      expect(((await r.json()) as { title: string }).title).toBe('The email or the password is not right.');
    }
    const locked = await post('/api/auth/sign-in', { email: 'target@example.com', password: testPassword });
    expect(locked.status).toBe(429);
    // An unknown email gets the same answer as a wrong password.
    const unknown = await post('/api/auth/sign-in', {
      email: 'nobody@example.com',
      password: 'whatever it is',
    });
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as { title: string }).title).toBe(
      'The email or the password is not right.',
    );
    clock.advance(15 * 60_000 + 1);
    const after = await post('/api/auth/sign-in', { email: 'target@example.com', password: testPassword });
    expect(after.status).toBe(200);
    const audit = await admin.json('/api/audit?q=target@example.com&limit=50');
    const actions = audit.body.entries.map((e: { action: string }) => e.action);
    expect(actions.filter((a: string) => a === 'sign_in_failed').length).toBeGreaterThanOrEqual(6);
    expect(actions).toContain('account_locked');
    clock.set(start);
  });

  it('issues a new session id at sign-in and revokes the one presented (no session fixation)', async () => {
    const first = await signIn(app, 'ann@example.com', testPassword);
    const again = await app.request('/api/auth/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: first.cookie },
      body: JSON.stringify({ email: 'ann@example.com', password: testPassword }),
    });
    expect(again.status, await again.clone().text()).toBe(200);
    const newCookie = (again.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect(newCookie).toMatch(/^attain_session=/);
    expect(newCookie).not.toBe(first.cookie);
    expect(again.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    expect(again.headers.get('set-cookie')).toMatch(/SameSite=Lax/i);
    expect((await app.request('/api/auth/me', { headers: { cookie: first.cookie } })).status).toBe(401);
    expect((await app.request('/api/auth/me', { headers: { cookie: newCookie } })).status).toBe(200);
    // A made-up session id is never adopted.
    const planted = await app.request('/api/auth/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: 'attain_session=planted-by-an-attacker' },
      body: JSON.stringify({ email: 'ann@example.com', password: testPassword }),
    });
    expect(planted.headers.get('set-cookie')).not.toContain('planted-by-an-attacker');
  });

  it('keeps a session through use, ends it after 12 hours unused or 7 days in all, and at sign-out', async () => {
    const s = await signIn(app, 'ann@example.com', testPassword);
    for (const step of [45_000, 10 * 60_000, 11 * 3600_000]) {
      clock.advance(step);
      expect((await s.request('/api/auth/me')).status, `after ${step} ms more`).toBe(200);
    }
    clock.advance(12 * 3600_000 + 1000);
    const idle = await s.request('/api/auth/me');
    clock.set(start);
    expect(idle.status).toBe(401);
    const busy = await signIn(app, 'ann@example.com', testPassword);
    try {
      // Used every 11 hours, it lasts 7 days from sign-in and no longer.
      for (let hours = 11; hours <= 7 * 24 + 11; hours += 11) {
        clock.advance(11 * 3600_000);
        expect((await busy.request('/api/auth/me')).status, `${hours} h after sign-in`).toBe(
          hours < 7 * 24 ? 200 : 401,
        );
      }
    } finally {
      clock.set(start);
    }
    const out = await signIn(app, 'ann@example.com', testPassword);
    expect((await out.request('/api/auth/sign-out', { method: 'POST' })).status).toBe(204);
    expect((await out.request('/api/auth/me')).status).toBe(401);
  });

  it('rejects a state-changing request without its session’s CSRF token, or from another origin', async () => {
    const body = JSON.stringify({ name: 'csrf test' });
    const missing = await app.request('/api/tokens', {
      method: 'POST',
      headers: { cookie: rep.cookie, 'content-type': 'application/json' },
      body,
    });
    expect(missing.status).toBe(403);
    const wrong = await app.request('/api/tokens', {
      method: 'POST',
      headers: { cookie: rep.cookie, 'content-type': 'application/json', 'x-csrf-token': admin.csrfToken },
      body,
    });
    expect(wrong.status).toBe(403);
    const foreign = await app.request('http://localhost/api/tokens', {
      method: 'POST',
      headers: {
        cookie: rep.cookie,
        'content-type': 'application/json',
        'x-csrf-token': rep.csrfToken,
        origin: 'https://evil.example',
      },
      body,
    });
    expect(foreign.status).toBe(403);
    const right = await rep.request('/api/tokens', { method: 'POST', body });
    expect(right.status).toBe(201);
    const signOut = await app.request('/api/auth/sign-out', {
      method: 'POST',
      headers: { cookie: rep.cookie },
    });
    expect(signOut.status).toBe(403);
  });

  it('refuses expired and revoked API tokens with a clear reason, and keeps tokens within their user’s rights', async () => {
    const created = await admin.json('/api/tokens', {
      method: 'POST',
      body: JSON.stringify({ name: 'reporting', permissions: ['records:read'], expiresInDays: 1 }),
    });
    expect(created.status).toBe(201);
    const bearer = { authorization: `Bearer ${created.body.token}` };
    expect((await app.request('/api/people', { headers: bearer })).status).toBe(200);
    // Narrower than its user: an admin's read-only token cannot manage users.
    expect((await app.request('/api/users', { headers: bearer })).status).toBe(403);
    // No CSRF token needed without a cookie; the token's own rights decide.
    const list = await admin.json('/api/tokens');
    const view = list.body.tokens.find((t: { id: number }) => t.id === created.body.apiToken.id);
    expect(view.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);

    clock.advance(24 * 3600_000 + 1000);
    const expired = await app.request('/api/people', { headers: bearer });
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { title: string }).title).toMatch(/expired/);
    clock.set(start);

    const second = await admin.json('/api/tokens', {
      method: 'POST',
      body: JSON.stringify({ name: 'to revoke' }),
    });
    const bearer2 = { authorization: `Bearer ${second.body.token}` };
    expect((await app.request('/api/users', { headers: bearer2 })).status).toBe(200);
    expect((await admin.json(`/api/tokens/${second.body.apiToken.id}`, { method: 'DELETE' })).status).toBe(
      200,
    );
    const revoked = await app.request('/api/users', { headers: bearer2 });
    expect(revoked.status).toBe(401);
    expect(((await revoked.json()) as { title: string }).title).toMatch(/revoked/);

    const wider = await rep.json('/api/tokens', {
      method: 'POST',
      body: JSON.stringify({ name: 'greedy', permissions: ['users:manage'] }),
    });
    expect(wider).toMatchObject({
      status: 400,
      body: { problems: [{ field: 'permissions', value: 'users:manage' }] },
    });
    expect(
      (await app.request('/api/people', { headers: { authorization: 'Bearer atn_made-up' } })).status,
    ).toBe(401);
  });

  it('shrinks a demoted user’s tokens with them and ends their sessions', async () => {
    const boss = await createUserAndSignIn(app, attain, { email: 'boss@example.com', role: 'admin' });
    const token = await boss.json('/api/tokens', {
      method: 'POST',
      body: JSON.stringify({ name: 'all of mine' }),
    });
    const bearer = { authorization: `Bearer ${token.body.token}` };
    expect((await app.request('/api/users', { headers: bearer })).status).toBe(200);
    expect(
      (
        await admin.json(`/api/users/${boss.userId}`, {
          method: 'PATCH',
          body: JSON.stringify({ role: 'finance' }),
        })
      ).status,
    ).toBe(200);
    expect((await app.request('/api/users', { headers: bearer })).status).toBe(403);
    expect((await boss.request('/api/auth/me')).status).toBe(401);
  });

  it('lets a manager moved to another team keep the old team’s past and lose its later periods', async () => {
    const mia = await createUserAndSignIn(app, attain, {
      email: 'mia@example.com',
      role: 'sales_manager',
      personId: fx.people.mia,
    });
    // Ann's Q1 deal (when Mia managed East) is visible; Ann's Q3 deal (after the move) is not.
    expect((await mia.json(`/api/opportunities/${fx.deals.a.q1}`)).status).toBe(200);
    expect((await mia.json(`/api/opportunities/${fx.deals.a.q3}`)).status).toBe(404);
    expect((await mia.json(`/api/opportunities/${fx.deals.a.open}`)).status).toBe(404);
    // West from the move on: Cleo's Q3 deal yes, her Q1 deal no.
    expect((await mia.json(`/api/opportunities/${fx.deals.c.q3}`)).status).toBe(200);
    expect((await mia.json(`/api/opportunities/${fx.deals.c.q1}`)).status).toBe(404);
    expect((await mia.json(`/api/people/${fx.people.a}/scorecard?periodId=${fx.periods.q1}`)).status).toBe(
      200,
    );
    expect((await mia.json(`/api/people/${fx.people.a}/scorecard?periodId=${fx.periods.q3}`)).status).toBe(
      404,
    );
    const quotas = await mia.json(`/api/quotas?personId=${fx.people.a}`);
    expect(quotas.body.quotas.map((q: { id: number }) => q.id)).toEqual([fx.quotas.a.q1]);
    // The list holds exactly what the detail routes allow.
    const listed = await mia.json('/api/opportunities?limit=500');
    expect(listed.body.opportunities.map((o: { key: string }) => o.key).sort()).toEqual([
      'a-q1',
      'b-q1',
      'c-open',
      'c-q3',
    ]);
    // The manager who took East over sees its later periods, not its past.
    const ed = await createUserAndSignIn(app, attain, {
      email: 'ed@example.com',
      role: 'sales_manager',
      personId: fx.people.east,
    });
    const edDeals = await ed.json('/api/opportunities?limit=500');
    expect(edDeals.body.opportunities.map((o: { key: string }) => o.key).sort()).toEqual([
      'a-open',
      'a-q3',
      'b-open',
      'b-q3',
    ]);
    // And may change his team's quotas for his periods, but not his own, nor the past.
    expect(
      (
        await ed.json(`/api/quotas/${fx.quotas.a.q3}`, {
          method: 'PATCH',
          body: JSON.stringify({ target: '45000.00', reason: 'territory grew' }),
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await ed.json(`/api/quotas/${fx.quotas.a.q1}`, {
          method: 'PATCH',
          body: JSON.stringify({ target: '1.00', reason: 'rewrite history' }),
        })
      ).status,
    ).toBe(404);
  });

  it('answers injection strings in every query parameter with 400 or an empty or own-only result, never 500', async () => {
    const doc = (await (await app.request('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    };
    const payloads = [
      "' OR '1'='1",
      '1; DROP TABLE users; --',
      "%' OR 1=1 --",
      '1 UNION SELECT password_hash FROM users',
      '\\',
      "'; SELECT pg_sleep(5); --",
      '%',
      '_',
    ];
    const own = fx.people.a;
    let calls = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      const get = methods.get;
      if (!get?.parameters) continue;
      const query = get.parameters.filter((p) => p.in === 'query');
      if (query.length === 0) continue;
      const concrete = path.replace('{id}', String(own));
      for (const parameter of query)
        for (const payload of payloads) {
          calls++;
          const url = `${concrete}?${new URLSearchParams({ [parameter.name]: payload })}`;
          const response = await rep.request(url);
          expect(response.status, `${url}`).not.toBeGreaterThanOrEqual(500);
          if (response.status === 200 && response.headers.get('content-type')?.includes('json')) {
            const text = await response.text();
            expect(text).not.toContain('$argon2');
            const body = JSON.parse(text) as Record<string, unknown>;
            for (const list of ['opportunities', 'activities'] as const)
              for (const row of (body[list] as { ownerId?: number; personId?: number }[] | undefined) ?? [])
                expect(row.ownerId ?? row.personId, `${url} leaked another person's ${list}`).toBe(own);
            for (const person of (body.people as { id: number }[] | undefined) ?? [])
              expect(person.id).toBe(own);
          }
        }
    }
    expect(calls).toBeGreaterThan(100);
    // The tables are all still there.
    expect((await admin.json('/api/users')).status).toBe(200);
  });

  it('sends security headers, refuses oversized and malformed bodies with problem+json, and never returns secrets', async () => {
    for (const path of ['/', '/api/health']) {
      const r = await app.request(path);
      expect(r.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(r.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('x-frame-options')).toBe('DENY');
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    }
    expect((await app.request('/api/health')).headers.get('cache-control')).toBe('no-store');
    const big = await post('/api/auth/sign-in', {
      email: 'x@example.com',
      password: 'p'.repeat(2 * 1024 * 1024),
    });
    expect(big.status).toBe(413);
    expect(big.headers.get('content-type')).toBe('application/problem+json');
    const malformed = await app.request('/api/auth/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email": ',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toBe('application/problem+json');
    const extra = await post('/api/auth/sign-in', { email: 'a@example.com', password: 'x', isAdmin: true });
    expect(extra.status).toBe(400);
    const users = await admin.json('/api/users');
    expect(JSON.stringify(users.body)).not.toMatch(/argon2|password_hash|token_hash/);
    const audit = await admin.json('/api/audit?limit=500');
    expect(JSON.stringify(audit.body)).not.toMatch(/\$argon2|atn_[A-Za-z0-9_-]{20}/);
  });

  it('keeps an upload to the user who made it: another importer cannot import it by its id', async () => {
    const other = await createUserAndSignIn(app, attain, { email: 'comp@example.com', role: 'comp_admin' });
    const uploaded = await admin.json('/api/uploads?name=accounts.csv', {
      method: 'POST',
      body: 'account_key,name\nacc-9,Nine\n',
    });
    expect(uploaded.status).toBe(201);
    const stolen = await other.json('/api/imports', {
      method: 'POST',
      body: JSON.stringify({ uploads: [uploaded.body.upload.id] }),
    });
    expect(stolen.status).toBe(404);
    const own = await admin.json('/api/imports', {
      method: 'POST',
      body: JSON.stringify({ uploads: [uploaded.body.upload.id], dryRun: true }),
    });
    expect(own.status).toBe(202);
  });

  it('takes the client address from the proxy’s X-Forwarded-For entry only when told to trust it', async () => {
    const { clientIp } = await import('./access.ts');
    const request = (headers: Record<string, string>) =>
      ({
        req: { header: (name: string) => headers[name] },
        env: { incoming: { socket: { remoteAddress: '10.0.0.5' } } },
      }) as never;
    const forged = { 'x-forwarded-for': '6.6.6.6, 203.0.113.9' };
    expect(clientIp(request(forged), false)).toBe('10.0.0.5');
    expect(clientIp(request(forged), true)).toBe('203.0.113.9');
    expect(clientIp(request({}), true)).toBe('10.0.0.5');
  });

  it('keeps the audit trail append-only, even against the database itself', async () => {
    await expect(sql`UPDATE audit_log SET summary = 'rewritten'`.execute(attain.store.db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`DELETE FROM audit_log`.execute(attain.store.db)).rejects.toThrow(/append-only/);
    await expect(sql`TRUNCATE audit_log`.execute(attain.store.db)).rejects.toThrow(/append-only/);
    const entries = await admin.json('/api/audit?limit=5');
    expect(entries.body.entries.length).toBe(5);
  });

  it('records who changed what, with before and after, and lets only admins and finance read it', async () => {
    const ed = await signIn(app, 'ed@example.com', testPassword).catch(() =>
      createUserAndSignIn(app, attain, {
        email: 'ed@example.com',
        role: 'sales_manager',
        personId: fx.people.east,
      }),
    );
    const changed = await ed.json(`/api/quotas/${fx.quotas.b.q3}`, {
      method: 'PATCH',
      body: JSON.stringify({ target: '41000.00', reason: 'new logo target' }),
    });
    expect(changed.status).toBe(200);
    const audit = await admin.json(`/api/audit?action=quota_changed&entityId=${fx.quotas.b.q3}`);
    expect(audit.body.entries[0]).toMatchObject({
      actor: 'ed@example.com',
      action: 'quota_changed',
      entity: 'quota',
      before: { target: '40000.0000' },
      after: { target: '41000.00', reason: 'new logo target' },
    });
    expect(audit.body.entries[0].sessionId).not.toBeNull();
    expect((await ed.json('/api/audit')).status).toBe(403);
    const csv = await admin.request('/api/audit/export.csv?action=quota_changed');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(await csv.text()).toContain('new logo target');
  });
});
