import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
// @ts-expect-error -- oidc-provider ships no type declarations (and @types/oidc-provider is not installed)
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../domain/errors.ts';
import { OidcClient, type OidcSettings } from './oidc.ts';

// A real OpenID provider on a loopback port, with its development login and consent pages, which
// the tests drive with plain fetch the way a browser would.

const redirectUri = 'http://127.0.0.1:3000/api/auth/oidc/callback'; // never served: we read Location
const account = { sub: 'rep-0042', email: 'ada@example.com', email_verified: true, name: 'Ada Lovelace' };
const confidential = { clientId: 'attain-web', clientSecret: 'test-only-secret' };
const publicClientId = 'attain-public';

let server: Server;
let issuer: string;

beforeAll(async () => {
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: confidential.clientId,
        client_secret: confidential.clientSecret,
        redirect_uris: [redirectUri],
      },
      { client_id: publicClientId, token_endpoint_auth_method: 'none', redirect_uris: [redirectUri] },
    ],
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: async (_ctx: unknown, sub: string) =>
      sub === account.sub ? { accountId: sub, claims: async () => ({ ...account }) } : undefined,
    cookies: { keys: ['test-only-cookie-signing-key'] },
  });
  server.on('request', provider.callback());
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
});

function settings(overrides: Partial<OidcSettings> = {}): OidcSettings {
  return { issuer, ...confidential, redirectUri, scopes: 'openid email profile', ...overrides };
}

/**
 * Plays the browser: follows redirects by hand (carrying cookies), fills the login form with the
 * test account and accepts the consent form, until the provider redirects to our redirect_uri.
 */
async function signInAtProvider(authorizationUrl: string): Promise<URL> {
  const cookies = new Map<string, string>();
  let request: { url: string; form?: URLSearchParams } = { url: authorizationUrl };
  for (let step = 0; step < 12; step += 1) {
    const response = await fetch(request.url, {
      method: request.form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(request.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: request.form?.toString(),
    });
    for (const setCookie of response.headers.getSetCookie()) {
      const [pair = ''] = setCookie.split(';');
      const separator = pair.indexOf('=');
      const [name, value] = [pair.slice(0, separator), pair.slice(separator + 1)];
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(setCookie)) cookies.delete(name);
      else cookies.set(name, value);
    }

    const location = response.headers.get('location');
    if (location !== null) {
      const next = new URL(location, request.url);
      if (next.href.startsWith(`${redirectUri}?`)) return next;
      request = { url: next.href };
      continue;
    }

    // A login or consent page: submit its form, as a person would.
    const html = await response.text();
    expect(response.status, html).toBe(200);
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
    if (action === undefined || prompt === undefined) throw new Error(`no interaction form in:\n${html}`);
    // The dev login page accepts any password; the login is the account id given to findAccount.
    const form = new URLSearchParams(
      prompt === 'login' ? { prompt, login: account.sub, password: 'any' } : { prompt },
    );
    request = { url: new URL(action, request.url).href, form };
  }
  throw new Error('the provider never redirected back to the redirect_uri');
}

async function expectAppError(promise: Promise<unknown>, code: AppError['code']): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  return error as AppError;
}

describe('OidcClient against a real OpenID provider', () => {
  it('signs in a confidential client with code + PKCE and returns the identity', async () => {
    const client = await OidcClient.discover(settings());
    const { url, pending } = await client.start();
    const callback = await signInAtProvider(url);
    expect(callback.searchParams.get('state')).toBe(pending.state);
    expect(callback.searchParams.get('code')).toBeTruthy();

    const identity = await client.finish(callback, pending);
    expect(identity).toEqual({
      issuer,
      subject: 'rep-0042',
      email: 'ada@example.com',
      emailVerified: true,
      name: 'Ada Lovelace',
    });
  });

  it('signs in a public client (no secret, PKCE only)', async () => {
    const client = await OidcClient.discover(settings({ clientId: publicClientId, clientSecret: null }));
    const { url, pending } = await client.start();
    const identity = await client.finish(await signInAtProvider(url), pending);
    expect(identity.subject).toBe('rep-0042');
    expect(identity.email).toBe('ada@example.com');
  });

  it('puts an S256 code challenge in the authorization URL, and never the verifier', async () => {
    const client = await OidcClient.discover(settings());
    const { url, pending } = await client.start();
    const params = new URL(url).searchParams;
    expect(url.startsWith(`${issuer}/`)).toBe(true);
    expect(params.get('response_type')).toBe('code');
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get('code_challenge')).not.toBe(pending.codeVerifier);
    expect(params.has('code_verifier')).toBe(false);
    expect(url).not.toContain(pending.codeVerifier);
    expect(params.get('state')).toBe(pending.state);
    expect(params.get('nonce')).toBe(pending.nonce);
    expect(params.get('redirect_uri')).toBe(redirectUri);
    expect(params.get('scope')).toBe('openid email profile');
    // Each sign-in gets fresh values.
    const second = await client.start();
    expect(second.pending.state).not.toBe(pending.state);
    expect(second.pending.codeVerifier).not.toBe(pending.codeVerifier);
  });

  it('rejects a callback whose state was tampered with, before spending the code', async () => {
    const client = await OidcClient.discover(settings());
    const { url, pending } = await client.start();
    const callback = await signInAtProvider(url);
    const tampered = new URL(callback);
    tampered.searchParams.set('state', `${pending.state}x`);
    const error = await expectAppError(client.finish(tampered, pending), 'unauthenticated');
    expect(error.message).toMatch(/state mismatch/);
    // The genuine callback still works: the code was not sent to the provider.
    expect((await client.finish(callback, pending)).subject).toBe('rep-0042');
  });

  it('rejects a code used a second time', async () => {
    const client = await OidcClient.discover(settings());
    const { url, pending } = await client.start();
    const callback = await signInAtProvider(url);
    expect((await client.finish(callback, pending)).subject).toBe('rep-0042');
    const error = await expectAppError(client.finish(callback, pending), 'unauthenticated');
    expect(error.message).toMatch(/invalid_grant/);
  });

  it('rejects a code sent with another sign-in’s verifier and nonce', async () => {
    const client = await OidcClient.discover(settings());
    const { url, pending } = await client.start();
    const other = (await client.start()).pending;
    const callback = await signInAtProvider(url);
    await expectAppError(client.finish(callback, { ...other, state: pending.state }), 'unauthenticated');
  });

  it('reports the provider’s refusal (error=access_denied) as unauthenticated', async () => {
    const client = await OidcClient.discover(settings());
    const { pending } = await client.start();
    const callback = new URL(redirectUri);
    callback.searchParams.set('error', 'access_denied');
    callback.searchParams.set('error_description', 'End-User aborted interaction');
    callback.searchParams.set('state', pending.state);
    const error = await expectAppError(client.finish(callback, pending), 'unauthenticated');
    expect(error.message).toMatch(/access_denied/);
  });

  it('reports an issuer that does not answer as unavailable', async () => {
    // A port that was free a moment ago and has nothing listening: the connection is refused at once.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await expectAppError(
      OidcClient.discover(settings({ issuer: `http://127.0.0.1:${port}` })),
      'unavailable',
    );
  });

  it('refuses a plain-http issuer that is not on this machine, without contacting it', async () => {
    await expectAppError(OidcClient.discover(settings({ issuer: 'http://sso.example.com' })), 'validation');
    await expectAppError(OidcClient.discover(settings({ scopes: 'email profile' })), 'validation');
  });
});
