import { sql, type Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import type { Store } from '../../store/open-database.ts';

/** Who did something: a user through a session or an API token, or the system / the CLI. */
export type Actor = {
  userId: number | null;
  label: string;
  sessionId: number | null;
  tokenId: number | null;
  ip: string | null;
};

export function systemActor(label: string): Actor {
  return { userId: null, label, sessionId: null, tokenId: null, ip: null };
}

export type AuditEntry = {
  action: string;
  entity: string;
  entityId?: string | number | null;
  summary: string;
  before?: unknown;
  after?: unknown;
};

const secretKeys = /password|token_hash|secret|csrf|code_verifier/i;

/** Copies a value for the log with every secret-looking field replaced: hashes never reach it. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        secretKeys.test(k) ? (v == null ? v : '[redacted]') : redactSecrets(v),
      ]),
    );
  }
  return typeof value === 'bigint' ? value.toString() : value;
}

function json(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(redactSecrets(value));
}

/**
 * Appends one entry, inside the caller's transaction when given one, so that a change and its
 * audit entry commit together or not at all.
 */
export async function recordAudit(
  db: Kysely<Database>,
  actor: Actor,
  at: string,
  entry: AuditEntry,
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at,
      actor_user_id: actor.userId,
      actor: actor.label,
      session_id: actor.sessionId,
      token_id: actor.tokenId,
      ip: actor.ip,
      action: entry.action,
      entity: entry.entity,
      entity_id: entry.entityId == null ? null : String(entry.entityId),
      summary: entry.summary,
      before: json(entry.before),
      after: json(entry.after),
    })
    .execute();
}

export type AuditFilters = {
  q?: string;
  actorUserId?: number;
  action?: string;
  entity?: string;
  entityId?: string;
  from?: string;
  to?: string;
  /** Keyset pagination: entries older than this id. */
  beforeId?: number;
  limit: number;
};

export type AuditRow = {
  id: number;
  at: string;
  actorUserId: number | null;
  actor: string;
  sessionId: number | null;
  tokenId: number | null;
  ip: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  summary: string;
  before: unknown;
  after: unknown;
};

/** Newest first; `nextBeforeId` continues the list. Every filter is a bound parameter. */
export async function searchAudit(
  store: Store,
  filters: AuditFilters,
): Promise<{ entries: AuditRow[]; nextBeforeId: number | null }> {
  let query = store.db.selectFrom('audit_log').selectAll();
  if (filters.q) {
    const pattern = `%${filters.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    query = query.where((eb) =>
      eb.or([
        eb('summary', 'ilike', pattern),
        eb('actor', 'ilike', pattern),
        eb('action', 'ilike', pattern),
        eb('entity_id', 'ilike', pattern),
      ]),
    );
  }
  if (filters.actorUserId !== undefined) query = query.where('actor_user_id', '=', filters.actorUserId);
  if (filters.action) query = query.where('action', '=', filters.action);
  if (filters.entity) query = query.where('entity', '=', filters.entity);
  if (filters.entityId) query = query.where('entity_id', '=', filters.entityId);
  if (filters.from) query = query.where('at', '>=', filters.from);
  if (filters.to) query = query.where('at', '<', filters.to);
  if (filters.beforeId !== undefined) query = query.where('id', '<', filters.beforeId);
  const rows = await query
    .orderBy('id', 'desc')
    .limit(filters.limit + 1)
    .execute();
  const page = rows.slice(0, filters.limit);
  return {
    entries: page.map((r) => ({
      id: r.id,
      at: r.at,
      actorUserId: r.actor_user_id,
      actor: r.actor,
      sessionId: r.session_id,
      tokenId: r.token_id,
      ip: r.ip,
      action: r.action,
      entity: r.entity,
      entityId: r.entity_id,
      summary: r.summary,
      before: r.before,
      after: r.after,
    })),
    nextBeforeId: rows.length > filters.limit ? page[page.length - 1]!.id : null,
  };
}

/** The distinct actions in the log, for the UI's filter. */
export async function auditActions(store: Store): Promise<string[]> {
  const rows = await sql<{ action: string }>`SELECT DISTINCT action FROM audit_log ORDER BY action`.execute(
    store.db,
  );
  return rows.rows.map((r) => r.action);
}
