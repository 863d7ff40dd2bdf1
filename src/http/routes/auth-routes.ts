import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Attain } from '../../app/create-attain.ts';
import type { NewSession } from '../../app/auth/auth-service.ts';
import { permissions, roles } from '../../domain/access/roles.ts';
import { AppError } from '../../domain/errors.ts';
import {
  principalOf,
  secureRoute,
  sessionCookie,
  type Api,
  type AppEnv,
  type RouteTable,
} from '../access.ts';
import { problemJson } from './schemas.ts';

export const Me = z
  .object({
    id: z.number(),
    email: z.string(),
    name: z.string(),
    role: z.enum(roles),
    personId: z.number().nullable(),
    permissions: z.array(z.enum(permissions)),
    via: z.enum(['session', 'token']),
  })
  .openapi('Me');

const SignedIn = z.object({ user: Me, csrfToken: z.string(), expiresAt: z.string() });

function meOf(c: Context<AppEnv>) {
  const p = principalOf(c);
  return {
    id: p.userId,
    email: p.email,
    name: p.name,
    role: p.role,
    personId: p.personId,
    permissions: [...p.permissions],
    via: p.via.kind,
  };
}

/** The session cookie: HttpOnly, SameSite=Lax, Secure when Attain is served over https. */
function setSessionCookie(c: Context<AppEnv>, attain: Attain, session: NewSession) {
  setCookie(c, sessionCookie, session.token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: attain.config.publicUrl.startsWith('https://'),
    path: '/',
    expires: new Date(session.expiresAt),
  });
}

function signedInBody(session: NewSession) {
  const p = session.principal;
  return {
    user: {
      id: p.userId,
      email: p.email,
      name: p.name,
      role: p.role,
      personId: p.personId,
      permissions: [...p.permissions],
      via: 'session' as const,
    },
    csrfToken: session.csrfToken,
    expiresAt: session.expiresAt,
  };
}

/** Sign-in (password, one-time link, OIDC), sign-out, the current user and their password. */
export function registerAuthRoutes(app: Api, table: RouteTable, attain: Attain): void {
  const open = { kind: 'public' } as const;
  const signedIn = { kind: 'signed_in' } as const;

  app.openapi(
    secureRoute(table, open, {
      method: 'get',
      path: '/api/auth/providers',
      summary: 'How one can sign in here',
      responses: {
        200: {
          description: 'Sign-in methods',
          content: { 'application/json': { schema: z.object({ password: z.boolean(), oidc: z.boolean() }) } },
        },
      },
    }),
    (c) => c.json({ password: true, oidc: attain.config.oidc !== null }, 200),
  );

  app.openapi(
    secureRoute(table, open, {
      method: 'post',
      path: '/api/auth/sign-in',
      summary: 'Sign in with email and password; sets the session cookie and returns the CSRF token',
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z
                .object({ email: z.string().min(1).max(320), password: z.string().min(1).max(1024) })
                .strict(),
            },
          },
        },
      },
      responses: {
        200: { description: 'Signed in', content: { 'application/json': { schema: SignedIn } } },
        401: { description: 'Wrong email or password', content: problemJson },
        429: { description: 'Locked or throttled', content: problemJson },
      },
    }),
    async (c) => {
      const { email, password } = c.req.valid('json');
      const session = await attain.auth.signIn(email, password, c.get('meta'), getCookie(c, sessionCookie));
      setSessionCookie(c, attain, session);
      return c.json(signedInBody(session), 200);
    },
  );

  app.openapi(
    secureRoute(table, signedIn, {
      method: 'post',
      path: '/api/auth/sign-out',
      summary: 'End this session',
      responses: { 204: { description: 'Signed out' } },
    }),
    async (c) => {
      const token = getCookie(c, sessionCookie);
      if (token) await attain.auth.signOut(token, c.get('meta'));
      deleteCookie(c, sessionCookie, { path: '/' });
      return c.body(null, 204);
    },
  );

  app.openapi(
    secureRoute(table, signedIn, {
      method: 'get',
      path: '/api/auth/me',
      summary: 'The signed-in user, their permissions and (for a browser session) its CSRF token',
      responses: {
        200: {
          description: 'The caller',
          content: {
            'application/json': { schema: z.object({ user: Me, csrfToken: z.string().nullable() }) },
          },
        },
        401: { description: 'Not signed in', content: problemJson },
      },
    }),
    (c) => {
      const p = principalOf(c);
      return c.json({ user: meOf(c), csrfToken: p.via.kind === 'session' ? p.via.csrfToken : null }, 200);
    },
  );

  app.openapi(
    secureRoute(table, signedIn, {
      method: 'post',
      path: '/api/auth/password',
      summary: 'Change one’s own password (ends one’s other sessions)',
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z
                .object({
                  currentPassword: z.string().min(1).max(1024),
                  newPassword: z.string().min(1).max(1024),
                })
                .strict(),
            },
          },
        },
      },
      responses: { 204: { description: 'Changed' }, 400: { description: 'Invalid', content: problemJson } },
    }),
    async (c) => {
      const p = principalOf(c);
      if (p.via.kind !== 'session')
        throw new AppError('forbidden', 'Change a password in the browser, not with an API token.');
      const body = c.req.valid('json');
      await attain.auth.changePassword(p, body.currentPassword, body.newPassword, c.get('meta').ip);
      return c.body(null, 204);
    },
  );

  const LinkBody = z.object({ token: z.string().min(10).max(200) }).strict();
  app.openapi(
    secureRoute(table, open, {
      method: 'post',
      path: '/api/auth/link',
      summary: 'Who a one-time set-up or reset link is for (does not use it)',
      request: { body: { required: true, content: { 'application/json': { schema: LinkBody } } } },
      responses: {
        200: {
          description: 'The link’s user',
          content: {
            'application/json': {
              schema: z.object({ email: z.string(), name: z.string(), purpose: z.enum(['setup', 'reset']) }),
            },
          },
        },
        404: { description: 'Unknown, used or expired', content: problemJson },
      },
    }),
    async (c) => c.json(await attain.auth.describeAccountLink(c.req.valid('json').token), 200),
  );

  app.openapi(
    secureRoute(table, open, {
      method: 'post',
      path: '/api/auth/link/complete',
      summary: 'Set a password with a one-time link, and sign in',
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z
                .object({ token: z.string().min(10).max(200), password: z.string().min(1).max(1024) })
                .strict(),
            },
          },
        },
      },
      responses: {
        200: {
          description: 'Password set, signed in',
          content: { 'application/json': { schema: SignedIn } },
        },
        400: { description: 'Password rules', content: problemJson },
        404: { description: 'Unknown, used or expired', content: problemJson },
      },
    }),
    async (c) => {
      const { token, password } = c.req.valid('json');
      const session = await attain.auth.completeAccountLink(
        token,
        password,
        c.get('meta'),
        getCookie(c, sessionCookie),
      );
      setSessionCookie(c, attain, session);
      return c.json(signedInBody(session), 200);
    },
  );

  app.openapi(
    secureRoute(table, open, {
      method: 'get',
      path: '/api/auth/oidc/start',
      summary: 'Start single sign-on: redirects to the OpenID Connect provider (code flow with PKCE)',
      responses: {
        302: { description: 'To the provider' },
        404: { description: 'SSO is off', content: problemJson },
      },
    }),
    async (c) => {
      const client = await attain.oidc();
      if (!client) throw new AppError('not_found', 'Single sign-on is not configured (ATTAIN_OIDC_ISSUER).');
      const { url, pending } = await client.start();
      await attain.auth.savePendingOidc(pending);
      return c.redirect(url, 302);
    },
  );

  app.openapi(
    secureRoute(table, open, {
      method: 'get',
      path: '/api/auth/oidc/callback',
      summary: 'Where the OpenID Connect provider returns; signs in and redirects to the app',
      request: { query: z.object({ state: z.string().max(200).optional() }).passthrough() },
      responses: {
        302: { description: 'Signed in, to the app' },
        401: { description: 'Refused', content: problemJson },
      },
    }),
    async (c) => {
      const client = await attain.oidc();
      if (!client) throw new AppError('not_found', 'Single sign-on is not configured (ATTAIN_OIDC_ISSUER).');
      const state = c.req.valid('query').state;
      if (!state) throw new AppError('unauthenticated', 'The provider’s answer has no state; start again.');
      const pending = await attain.auth.takePendingOidc(state);
      const identity = await client.finish(new URL(c.req.url), pending);
      const session = await attain.auth.signInWithOidc(identity, c.get('meta'), getCookie(c, sessionCookie));
      setSessionCookie(c, attain, session);
      return c.redirect('/', 302);
    },
  );
}
