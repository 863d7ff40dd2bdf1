/**
 * OpenID Connect single sign-on: the relying-party side of the authorization code flow with PKCE,
 * on openid-client v6's functional API. The app calls `start()` on the login route, keeps the
 * returned `pending` record server-side, and calls `finish()` on the callback route.
 *
 * Nothing here logs; error messages carry the provider's error code, never a token or a secret.
 */
import {
  AuthorizationResponseError,
  ClientError,
  ClientSecretBasic,
  type Configuration,
  type IDToken,
  None,
  ResponseBodyError,
  type UserInfoResponse,
  allowInsecureRequests,
  authorizationCodeGrant,
  buildAuthorizationUrl,
  calculatePKCECodeChallenge,
  discovery,
  fetchUserInfo,
  randomNonce,
  randomPKCECodeVerifier,
  randomState,
} from 'openid-client';
import { AppError } from '../../domain/errors.ts';

export type OidcSettings = {
  /** e.g. http://127.0.0.1:4000; http is allowed only for loopback hosts, https otherwise. */
  issuer: string;
  clientId: string;
  /** null => public client (token_endpoint_auth_method none). */
  clientSecret: string | null;
  /** e.g. http://127.0.0.1:3000/api/auth/oidc/callback; must be registered at the provider as is. */
  redirectUri: string;
  /** Space-separated; must contain `openid`. The config layer defaults it to 'openid email profile'. */
  scopes: string;
};

/** What the app keeps (in a short-lived server-side record) between the redirect and the callback. */
export type OidcPending = { state: string; nonce: string; codeVerifier: string };

export type OidcIdentity = {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
};

/** Seconds before a request to the provider (discovery, token, JWKS, userinfo) is abandoned. */
const providerTimeoutSeconds = 10;

export class OidcClient {
  private constructor(
    private readonly settings: OidcSettings,
    private readonly config: Configuration,
  ) {}

  /**
   * Reads the provider's discovery document once; the returned client keeps that configuration
   * (and openid-client caches the provider's signing keys on it), so create one per process.
   */
  static async discover(settings: OidcSettings): Promise<OidcClient> {
    const issuer = parseEndpointUrl('issuer', settings.issuer);
    parseEndpointUrl('redirectUri', settings.redirectUri);
    if (!settings.scopes.split(/\s+/).includes('openid')) {
      throw new AppError('validation', "OIDC scopes must include 'openid'", [
        { field: 'scopes', value: settings.scopes, message: "must include 'openid'" },
      ]);
    }

    // openid-client refuses plain http unless told otherwise; we allow it only for a provider on
    // this machine (development, tests), which parseEndpointUrl has already checked.
    const execute = issuer.protocol === 'http:' ? [allowInsecureRequests] : [];
    // A confidential client authenticates with client_secret_basic, the OIDC default that providers
    // register when no method is named; a public client relies on PKCE alone.
    const [metadata, clientAuth] =
      settings.clientSecret === null
        ? [{ token_endpoint_auth_method: 'none' }, None()]
        : [{ client_secret: settings.clientSecret }, ClientSecretBasic(settings.clientSecret)];

    try {
      const config = await discovery(issuer, settings.clientId, metadata, clientAuth, {
        execute,
        timeout: providerTimeoutSeconds,
      });
      return new OidcClient(settings, config);
    } catch (error) {
      throw new AppError(
        'unavailable',
        `The OpenID provider at ${issuer.href} could not be discovered: ${describe(error)}`,
      );
    }
  }

  /** Authorization code + PKCE (S256) + state + nonce. */
  async start(): Promise<{ url: string; pending: OidcPending }> {
    const pending: OidcPending = {
      state: randomState(),
      nonce: randomNonce(),
      codeVerifier: randomPKCECodeVerifier(),
    };
    // Only the challenge leaves the server; the verifier stays in `pending` until the token request.
    const url = buildAuthorizationUrl(this.config, {
      redirect_uri: this.settings.redirectUri,
      scope: this.settings.scopes,
      response_type: 'code',
      code_challenge: await calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url: url.href, pending };
  }

  /**
   * Validates state, exchanges the code with the verifier, validates the ID token (nonce, issuer,
   * audience, signature), returns the identity.
   */
  async finish(callbackUrl: URL, pending: OidcPending): Promise<OidcIdentity> {
    const params = callbackUrl.searchParams;
    // Checked first and by us, so that a forged or stale callback gets a clear message; openid-client
    // checks it again below.
    if (params.get('state') !== pending.state) {
      throw new AppError(
        'unauthenticated',
        'The sign-in response does not belong to the sign-in that was started (state mismatch); please sign in again',
      );
    }
    const providerError = params.get('error');
    if (providerError !== null) {
      const description = params.get('error_description');
      throw new AppError(
        'unauthenticated',
        `The identity provider refused the sign-in: ${providerError}${description ? ` (${description})` : ''}`,
      );
    }

    // The token request must repeat the exact redirect_uri of the authorization request, which
    // openid-client takes from the URL it is given: rebuild it from the settings, not from the
    // Host header the callback arrived with (a proxy may have changed it).
    const responseUrl = new URL(this.settings.redirectUri);
    responseUrl.search = callbackUrl.search;

    try {
      const tokens = await authorizationCodeGrant(this.config, responseUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce, // also makes the ID token mandatory
      });
      const idToken = tokens.claims();
      if (idToken === undefined)
        throw new AppError('unauthenticated', 'The identity provider returned no ID token');

      // Providers that follow OIDC Core §5.4 strictly (oidc-provider among them) put scope-requested
      // claims such as email and name in the userinfo response only, not in the ID token.
      const userInfo =
        (!hasString(idToken, 'email') || !hasString(idToken, 'name')) &&
        this.config.serverMetadata().userinfo_endpoint !== undefined
          ? await fetchUserInfo(this.config, tokens.access_token, idToken.sub)
          : undefined;
      return toIdentity(idToken, userInfo);
    } catch (error) {
      if (error instanceof AppError) throw error;
      if (isProviderUnreachable(error)) {
        throw new AppError('unavailable', `The OpenID provider could not be reached: ${describe(error)}`);
      }
      throw new AppError('unauthenticated', `The sign-in could not be completed: ${describe(error)}`);
    }
  }
}

/** http is accepted only for loopback hosts, where there is no network to eavesdrop on. */
function parseEndpointUrl(field: 'issuer' | 'redirectUri', value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AppError('validation', `OIDC ${field} is not a URL`, [{ field, value, message: 'not a URL' }]);
  }
  const isLoopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback)) {
    throw new AppError(
      'validation',
      `OIDC ${field} must use https (http only for 127.0.0.1, localhost, ::1)`,
      [{ field, value, message: 'must use https' }],
    );
  }
  return url;
}

/** Email and its verified flag are taken from the same source, so one cannot vouch for the other. */
function toIdentity(idToken: IDToken, userInfo: UserInfoResponse | undefined): OidcIdentity {
  const emailSource = hasString(idToken, 'email') || userInfo === undefined ? idToken : userInfo;
  const name = hasString(idToken, 'name') ? idToken.name : userInfo?.name;
  return {
    issuer: idToken.iss,
    subject: idToken.sub,
    email: typeof emailSource.email === 'string' ? emailSource.email : null,
    emailVerified: typeof emailSource.email === 'string' && emailSource.email_verified === true,
    name: typeof name === 'string' && name !== '' ? name : null,
  };
}

function hasString(claims: IDToken, key: 'email' | 'name'): boolean {
  return typeof claims[key] === 'string' && claims[key] !== '';
}

/**
 * Network failures surface as an uncoded TypeError from fetch ("fetch failed") or as openid-client's
 * timeout/abort codes; everything else is an answer from the provider that we did not accept.
 */
function isProviderUnreachable(error: unknown): boolean {
  if (error instanceof ClientError) return error.code === 'OAUTH_TIMEOUT' || error.code === 'OAUTH_ABORT';
  return error instanceof TypeError && !('code' in error);
}

/** The provider's OAuth error code or openid-client's message: neither contains tokens or secrets. */
function describe(error: unknown): string {
  if (error instanceof ResponseBodyError || error instanceof AuthorizationResponseError) {
    return error.error_description ? `${error.error} (${error.error_description})` : error.error;
  }
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return 'unknown error';
}
