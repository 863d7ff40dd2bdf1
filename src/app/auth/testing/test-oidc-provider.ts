import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
// @ts-expect-error -- oidc-provider ships no type declarations (and @types/oidc-provider is not installed)
import Provider from 'oidc-provider';

// A real OpenID provider on a loopback port, with its development login and consent pages, which
// the tests drive with plain fetch the way a browser would.

export const testRedirectUri = 'http://127.0.0.1:3000/api/auth/oidc/callback'; // never served: we read Location
export const testAccount = {
  sub: 'rep-0042',
  email: 'ada@example.com',
  email_verified: true,
  name: 'Ada Lovelace',
};
export const testConfidentialClient = { clientId: 'attain-web', clientSecret: 'test-only-secret' };
export const testPublicClientId = 'attain-public';

export type TestOidcProvider = {
  issuer: string;
  /** Plays the browser at the provider until it redirects to the redirect_uri; returns that URL. */
  signInAtProvider(authorizationUrl: string): Promise<URL>;
  close(): Promise<void>;
};

export async function startTestOidcProvider(redirectUri = testRedirectUri): Promise<TestOidcProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const account = testAccount;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: testConfidentialClient.clientId,
        client_secret: testConfidentialClient.clientSecret,
        redirect_uris: [redirectUri],
      },
      { client_id: testPublicClientId, token_endpoint_auth_method: 'none', redirect_uris: [redirectUri] },
    ],
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: async (_ctx: unknown, sub: string) =>
      sub === account.sub ? { accountId: sub, claims: async () => ({ ...account }) } : undefined,
    cookies: { keys: ['test-only-cookie-signing-key'] },
  });
  server.on('request', provider.callback());

  /**
   * Follows redirects by hand (carrying cookies), fills the login form with the test account and
   * accepts the consent form, until the provider redirects to our redirect_uri.
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
      if (response.status !== 200) throw new Error(`the provider answered ${response.status}:\n${html}`);
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

  return {
    issuer,
    signInAtProvider,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
