/* eslint-disable @typescript-eslint/no-explicit-any -- tests read JSON bodies whose shape they then assert */
import type { Attain } from '../../app/create-attain.ts';
import { systemActor } from '../../app/audit/audit-log.ts';
import type { Role } from '../../domain/access/roles.ts';
import type { Api } from '../access.ts';

export type TestClient = {
  userId: number;
  csrfToken: string;
  cookie: string;
  request(path: string, init?: RequestInit): Promise<Response>;
  json(path: string, init?: RequestInit): Promise<{ status: number; type: string | null; body: any }>;
};

export const testPassword = 'correct horse battery staple';

/** Creates a user through the real set-up link flow and signs them in with the real sign-in route. */
export async function createUserAndSignIn(
  app: Api,
  attain: Attain,
  user: { email: string; role: Role; personId?: number | null; name?: string; canViewPay?: boolean },
): Promise<TestClient> {
  const { user: created, setupLink } = await attain.auth.createUser(
    {
      email: user.email,
      name: user.name ?? user.email.split('@')[0]!,
      role: user.role,
      personId: user.personId ?? null,
      canViewPay: user.canViewPay ?? false,
    },
    systemActor('test'),
  );
  const token = new URL(setupLink.url).hash.replace('#token=', '');
  await attain.auth.completeAccountLink(token, testPassword, { ip: null, userAgent: null });
  return signIn(app, user.email, testPassword, created.id);
}

/** Signs in through POST /api/auth/sign-in and keeps the cookie and CSRF token for later requests. */
export async function signIn(app: Api, email: string, password: string, userId = 0): Promise<TestClient> {
  const response = await app.request('/api/auth/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200)
    throw new Error(`sign-in of ${email} failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { csrfToken: string; user: { id: number } };
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0]!;
  const client: TestClient = {
    userId: userId || body.user.id,
    csrfToken: body.csrfToken,
    cookie,
    request: (path, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set('cookie', cookie);
      if (init.method && init.method !== 'GET') headers.set('x-csrf-token', body.csrfToken);
      if (typeof init.body === 'string' && /^\s*[[{]/.test(init.body) && !headers.has('content-type'))
        headers.set('content-type', 'application/json');
      return Promise.resolve(app.request(path, { ...init, headers }));
    },
    json: async (path, init) => {
      const res = await client.request(path, init);
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON (CSV); keep the text
      }
      return { status: res.status, type: res.headers.get('content-type'), body: parsed };
    },
  };
  return client;
}
