import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../domain/errors.ts';
import { OidcClient, type OidcSettings } from './oidc.ts';
import {
  startTestOidcProvider,
  testConfidentialClient as confidential,
  testPublicClientId as publicClientId,
  testRedirectUri as redirectUri,
  type TestOidcProvider,
} from './testing/test-oidc-provider.ts';

let provider: TestOidcProvider;
let issuer: string;

beforeAll(async () => {
  provider = await startTestOidcProvider();
  issuer = provider.issuer;
});

afterAll(async () => {
  await provider.close();
});

function settings(overrides: Partial<OidcSettings> = {}): OidcSettings {
  return { issuer, ...confidential, redirectUri, scopes: 'openid email profile', ...overrides };
}

const signInAtProvider = (url: string) => provider.signInAtProvider(url);

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
