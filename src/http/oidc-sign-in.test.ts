// Single sign-on end to end through Attain's own routes: /api/auth/oidc/start redirects to a real
// OpenID provider run here, its callback signs the linked Attain user in with a new session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Attain } from '../app/create-attain.ts';
import { systemActor } from '../app/audit/audit-log.ts';
import {
  startTestOidcProvider,
  testConfidentialClient,
  type TestOidcProvider,
} from '../app/auth/testing/test-oidc-provider.ts';
import { createTestAttain } from '../app/testing/test-attain.ts';
import { createApp } from './create-app.ts';

describe('single sign-on through the app (PGlite)', () => {
  let provider: TestOidcProvider;
  let attain: Attain & { dispose(): Promise<void> };
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    provider = await startTestOidcProvider('http://127.0.0.1:3000/api/auth/oidc/callback');
    attain = await createTestAttain('pglite', {
      ATTAIN_PUBLIC_URL: 'http://127.0.0.1:3000',
      ATTAIN_OIDC_ISSUER: provider.issuer,
      ATTAIN_OIDC_CLIENT_ID: testConfidentialClient.clientId,
      ATTAIN_OIDC_CLIENT_SECRET: testConfidentialClient.clientSecret,
    });
    app = createApp(attain);
  });
  afterAll(async () => {
    await attain?.dispose();
    await provider?.close();
  });

  async function signInThroughProvider(): Promise<Response> {
    const start = await app.request('/api/auth/oidc/start');
    expect(start.status).toBe(302);
    const callback = await provider.signInAtProvider(start.headers.get('location')!);
    return app.request(`${callback.pathname}${callback.search}`);
  }

  it('refuses an identity with no Attain account, and says so', async () => {
    expect(await (await app.request('/api/auth/providers')).json()).toEqual({ password: true, oidc: true });
    const refused = await signInThroughProvider();
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { title: string }).title).toContain(
      'ada@example.com has no Attain account',
    );
  });

  it('signs in the user with the verified email, links the identity, and refuses a replayed callback', async () => {
    await attain.auth.createUser(
      { email: 'Ada@Example.com', name: 'Ada', role: 'finance', personId: null, canViewPay: false },
      systemActor('test'),
    );

    const start = await app.request('/api/auth/oidc/start');
    const callback = await provider.signInAtProvider(start.headers.get('location')!);
    const done = await app.request(`${callback.pathname}${callback.search}`);
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toBe('/');
    const cookie = (done.headers.get('set-cookie') ?? '').split(';')[0]!;
    const me = await app.request('/api/auth/me', { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { email: string } }).user.email).toBe('Ada@Example.com');
    const users = await attain.auth.listUsers();
    expect(users.find((u) => u.email === 'Ada@Example.com')?.sso).toBe(true);
    // The same callback again: its state was used up.
    const replay = await app.request(`${callback.pathname}${callback.search}`);
    expect(replay.status).toBe(401);
  });
});
