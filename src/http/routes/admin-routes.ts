import { z } from '@hono/zod-openapi';
import type { Attain } from '../../app/create-attain.ts';
import { auditActions, recordAudit, searchAudit } from '../../app/audit/audit-log.ts';
import { permissions, roles } from '../../domain/access/roles.ts';
import { actorFor, principalOf, secureRoute, type Api, type RouteTable } from '../access.ts';
import { csvResponse } from '../csv.ts';
import { IdParam, problemJson } from './schemas.ts';

const User = z
  .object({
    id: z.number(),
    email: z.string(),
    name: z.string(),
    role: z.enum(roles),
    personId: z.number().nullable(),
    personName: z.string().nullable(),
    canViewPay: z.boolean(),
    disabled: z.boolean(),
    hasPassword: z.boolean(),
    sso: z.boolean(),
    lockedUntil: z.string().nullable(),
    lastSignInAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('User');

const Link = z.object({ url: z.string(), expiresAt: z.string() });

const Token = z
  .object({
    id: z.number(),
    name: z.string(),
    prefix: z.string(),
    permissions: z.array(z.enum(permissions)),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi('ApiToken');

const AuditEntry = z
  .object({
    id: z.number(),
    at: z.string(),
    actorUserId: z.number().nullable(),
    actor: z.string(),
    sessionId: z.number().nullable(),
    tokenId: z.number().nullable(),
    ip: z.string().nullable(),
    action: z.string(),
    entity: z.string(),
    entityId: z.string().nullable(),
    summary: z.string(),
    before: z.unknown(),
    after: z.unknown(),
  })
  .openapi('AuditEntry');

const AuditQuery = z.object({
  q: z.string().max(200).optional(),
  actorUserId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  action: z.string().max(100).optional(),
  entity: z.string().max(100).optional(),
  entityId: z.string().max(100).optional(),
  from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  beforeId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/** Users and roles, API tokens, and the audit trail. */
export function registerAdminRoutes(app: Api, table: RouteTable, attain: Attain): void {
  const admin = { kind: 'permission', permission: 'users:manage' } as const;
  const auditor = { kind: 'permission', permission: 'audit:read' } as const;
  const signedIn = { kind: 'signed_in' } as const;

  app.openapi(
    secureRoute(table, admin, {
      method: 'get',
      path: '/api/users',
      summary: 'Every user, with role, person and status',
      responses: {
        200: {
          description: 'Users',
          content: { 'application/json': { schema: z.object({ users: z.array(User) }) } },
        },
      },
    }),
    async (c) => c.json({ users: await attain.auth.listUsers() }, 200),
  );

  app.openapi(
    secureRoute(table, admin, {
      method: 'post',
      path: '/api/users',
      summary: 'Create a user; answers with their one-time set-up link (shown once)',
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z
                .object({
                  email: z.email().max(320),
                  name: z.string().trim().min(1).max(200),
                  role: z.enum(roles),
                  personId: z.number().int().positive().nullable().default(null),
                  canViewPay: z.boolean().default(false),
                })
                .strict(),
            },
          },
        },
      },
      responses: {
        201: {
          description: 'Created',
          content: { 'application/json': { schema: z.object({ user: User, setupLink: Link }) } },
        },
        409: { description: 'Email taken', content: problemJson },
      },
    }),
    async (c) => c.json(await attain.auth.createUser(c.req.valid('json'), actorFor(c)), 201),
  );

  app.openapi(
    secureRoute(table, admin, {
      method: 'patch',
      path: '/api/users/{id}',
      summary: 'Change a user’s role, person, pay grant, name, or status; unlock a locked account',
      request: {
        params: IdParam,
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z
                .object({
                  name: z.string().trim().min(1).max(200).optional(),
                  role: z.enum(roles).optional(),
                  personId: z.number().int().positive().nullable().optional(),
                  canViewPay: z.boolean().optional(),
                  disabled: z.boolean().optional(),
                  unlock: z.boolean().optional(),
                })
                .strict(),
            },
          },
        },
      },
      responses: {
        200: {
          description: 'Changed',
          content: { 'application/json': { schema: z.object({ user: User }) } },
        },
        404: { description: 'No such user', content: problemJson },
      },
    }),
    async (c) =>
      c.json(
        { user: await attain.auth.updateUser(c.req.valid('param').id, c.req.valid('json'), actorFor(c)) },
        200,
      ),
  );

  app.openapi(
    secureRoute(table, admin, {
      method: 'post',
      path: '/api/users/{id}/reset-link',
      summary: 'Issue a one-time password reset link for a user (valid 24 hours, shown once)',
      request: { params: IdParam },
      responses: {
        201: { description: 'Issued', content: { 'application/json': { schema: z.object({ link: Link }) } } },
        404: { description: 'No such user', content: problemJson },
      },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      const user = await attain.auth.getUser(id);
      const link = await attain.auth.issueAccountLink(id, user.hasPassword ? 'reset' : 'setup', actorFor(c));
      return c.json({ link }, 201);
    },
  );

  app.openapi(
    secureRoute(table, signedIn, {
      method: 'get',
      path: '/api/tokens',
      summary: 'One’s own API tokens (never the tokens themselves)',
      responses: {
        200: {
          description: 'Tokens',
          content: { 'application/json': { schema: z.object({ tokens: z.array(Token) }) } },
        },
      },
    }),
    async (c) => c.json({ tokens: await attain.auth.listApiTokens(principalOf(c).userId) }, 200),
  );

  app.openapi(
    secureRoute(table, signedIn, {
      method: 'post',
      path: '/api/tokens',
      summary: 'Create an API token with one’s own rights or fewer; the token is shown only in this answer',
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z
                .object({
                  name: z.string().trim().min(1).max(100),
                  permissions: z.array(z.string().max(50)).max(20).optional(),
                  expiresInDays: z.number().int().min(1).max(3650).nullable().optional(),
                })
                .strict(),
            },
          },
        },
      },
      responses: {
        201: {
          description: 'Created',
          content: { 'application/json': { schema: z.object({ token: z.string(), apiToken: Token }) } },
        },
        400: { description: 'Wider than the user', content: problemJson },
      },
    }),
    async (c) => {
      const { token, view } = await attain.auth.createApiToken(
        principalOf(c),
        c.req.valid('json'),
        c.get('meta').ip,
      );
      return c.json({ token, apiToken: view }, 201);
    },
  );

  app.openapi(
    secureRoute(table, signedIn, {
      method: 'delete',
      path: '/api/tokens/{id}',
      summary: 'Revoke an API token (one’s own; any, for an administrator)',
      request: { params: IdParam },
      responses: {
        200: {
          description: 'Revoked',
          content: { 'application/json': { schema: z.object({ apiToken: Token }) } },
        },
        404: { description: 'No such token of yours', content: problemJson },
      },
    }),
    async (c) =>
      c.json(
        {
          apiToken: await attain.auth.revokeApiToken(
            principalOf(c),
            c.req.valid('param').id,
            c.get('meta').ip,
          ),
        },
        200,
      ),
  );

  app.openapi(
    secureRoute(table, auditor, {
      method: 'get',
      path: '/api/audit',
      summary: 'Search the audit trail, newest first (keyset pages: pass nextBeforeId as beforeId)',
      request: { query: AuditQuery },
      responses: {
        200: {
          description: 'Entries',
          content: {
            'application/json': {
              schema: z.object({
                entries: z.array(AuditEntry),
                nextBeforeId: z.number().nullable(),
                actions: z.array(z.string()),
              }),
            },
          },
        },
      },
    }),
    async (c) => {
      const result = await searchAudit(attain.store, c.req.valid('query'));
      return c.json({ ...result, actions: await auditActions(attain.store) }, 200);
    },
  );

  app.openapi(
    secureRoute(table, auditor, {
      method: 'get',
      path: '/api/audit/export.csv',
      summary: 'The audit entries matching the filters, as CSV (at most 100,000)',
      request: { query: AuditQuery.omit({ limit: true, beforeId: true }) },
      responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } } },
    }),
    async (c) => {
      const { entries } = await searchAudit(attain.store, { ...c.req.valid('query'), limit: 100_000 });
      await recordAudit(attain.store.db, actorFor(c), attain.clock.now(), {
        action: 'audit_exported',
        entity: 'audit_log',
        summary: `Exported ${entries.length} audit entries as CSV.`,
        after: c.req.valid('query'),
      });
      return csvResponse(
        'attain-audit.csv',
        ['id', 'at', 'actor', 'ip', 'action', 'entity', 'entity_id', 'summary', 'before', 'after'],
        entries.map((e) => [
          e.id,
          e.at,
          e.actor,
          e.ip,
          e.action,
          e.entity,
          e.entityId,
          e.summary,
          e.before == null ? '' : JSON.stringify(e.before),
          e.after == null ? '' : JSON.stringify(e.after),
        ]),
      );
    },
  );
}
