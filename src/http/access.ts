import { createRoute, type OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Attain } from '../app/create-attain.ts';
import type { RequestMeta } from '../app/auth/auth-service.ts';
import { actorOf, type Principal } from '../app/auth/principal.ts';
import type { Actor } from '../app/audit/audit-log.ts';
import type { Permission } from '../domain/access/roles.ts';
import type { Scope } from '../domain/access/scope.ts';
import { AppError } from '../domain/errors.ts';
import { sameSecret } from '../app/auth/secrets.ts';

/** What a route requires of its caller. Every API route declares one; the authorization matrix test reads them. */
export type Access =
  { kind: 'public' } | { kind: 'signed_in' } | { kind: 'permission'; permission: Permission };

export type AppEnv = { Variables: { principal: Principal | null; meta: RequestMeta } };
export type Api = OpenAPIHono<AppEnv>;
export type RouteTable = { method: string; path: string; access: Access }[];

export const sessionCookie = 'attain_session';
export const csrfHeader = 'x-csrf-token';

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/**
 * Signing in opens a new session and revokes the one presented, so it needs no token of that old
 * session; login CSRF is refused by SameSite cookies, the JSON-only body and the origin check.
 */
const csrfExempt = new Set(['/api/auth/sign-in', '/api/auth/link', '/api/auth/link/complete']);

/**
 * The client's address: the socket's, or behind one trusted reverse proxy (ATTAIN_TRUST_PROXY) the
 * last X-Forwarded-For entry, the one the proxy itself added (earlier entries are the client's
 * say-so and could be forged).
 */
export function clientIp(c: Context, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for');
    const last = forwarded?.split(',').at(-1)?.trim();
    if (last) return last;
  }
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? null;
}

/**
 * Finds the caller of every /api request: an API token (Authorization: Bearer), or the session
 * cookie. A cookie-authenticated request that changes something must carry the session's CSRF
 * token in X-CSRF-Token (double submit, checked in constant time) and, if it says where it came
 * from, come from this origin.
 */
export function identify(attain: Attain): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('meta', {
      ip: clientIp(c, attain.config.trustProxy),
      userAgent: c.req.header('user-agent') ?? null,
    });
    const authorization = c.req.header('authorization');
    if (authorization) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      if (!match)
        throw new AppError('unauthenticated', 'The Authorization header must be "Bearer <API token>".');
      c.set('principal', await attain.auth.authenticateApiToken(match[1]!));
      return next();
    }
    const token = getCookie(c, sessionCookie);
    const principal = token ? await attain.auth.authenticateSession(token) : null;
    c.set('principal', principal);
    if (unsafeMethods.has(c.req.method)) {
      const origin = c.req.header('origin');
      if (origin && origin !== new URL(c.req.url).origin && origin !== attain.config.publicUrl)
        throw new AppError('forbidden', `Requests from ${origin} are not accepted.`);
      if (principal && principal.via.kind === 'session' && !csrfExempt.has(c.req.path)) {
        const sent = c.req.header(csrfHeader) ?? '';
        if (!sameSecret(sent, principal.via.csrfToken))
          throw new AppError(
            'forbidden',
            'The request lacks the CSRF token of its session (X-CSRF-Token); reload the page.',
          );
      }
    }
    return next();
  };
}

/** The route's gate: 401 without a caller, 403 without the permission. */
export function guard(access: Access): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (access.kind === 'public') return next();
    const principal = c.get('principal');
    if (!principal) throw new AppError('unauthenticated', 'Sign in first.');
    if (access.kind === 'permission' && !principal.permissions.includes(access.permission))
      throw new AppError(
        'forbidden',
        `Your role (${principal.role}) does not allow this${principal.via.kind === 'token' ? ' with this token' : ''} (needs ${access.permission}).`,
      );
    return next();
  };
}

/** createRoute, with the route's access declared, gated and entered in the route table. */
export function secureRoute<R extends RouteConfig>(table: RouteTable, access: Access, route: R) {
  table.push({ method: route.method.toUpperCase(), path: route.path, access });
  const middleware = route.middleware ? [guard(access), ...[route.middleware].flat()] : [guard(access)];
  return createRoute({ ...route, middleware } as R);
}

export function principalOf(c: Context<AppEnv>): Principal {
  const principal = c.get('principal');
  if (!principal) throw new AppError('unauthenticated', 'Sign in first.');
  return principal;
}

export function actorFor(c: Context<AppEnv>): Actor {
  return actorOf(principalOf(c), c.get('meta').ip);
}

export async function scopeOf(c: Context<AppEnv>, attain: Attain): Promise<Scope> {
  return attain.access.scopeFor(principalOf(c));
}
