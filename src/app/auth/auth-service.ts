import { sql } from 'kysely';
import type { AppConfig } from '../../config/config.ts';
import {
  isPermission,
  isRole,
  permissionsOf,
  roles,
  type Permission,
  type Role,
} from '../../domain/access/roles.ts';
import { AppError } from '../../domain/errors.ts';
import type { Store } from '../../store/open-database.ts';
import { recordAudit, type Actor } from '../audit/audit-log.ts';
import type { Clock } from '../ports.ts';
import type { OidcIdentity } from './oidc.ts';
import { actorOf, principalOf, type Principal, type UserRow } from './principal.ts';
import { checkPasswordRules, digestToken, hashPassword, randomToken, verifyPassword } from './secrets.ts';

/** Sign-in policy, in one place (docs/security.md explains each number). */
export const authPolicy = {
  /** Consecutive failed sign-ins that lock an account… */
  maxFailures: 5,
  /** …for this long. */
  lockMs: 15 * 60_000,
  /** Failed sign-ins from one address in `ipWindowMs` before that address is refused for a while. */
  maxFailuresPerIp: 30,
  ipWindowMs: 15 * 60_000,
  /** A session ends this long after sign-in, or after this long unused. */
  sessionAbsoluteMs: 7 * 24 * 3600_000,
  sessionIdleMs: 12 * 3600_000,
  /** How long a session or token check is trusted from memory before the database is asked again. */
  cacheMs: 30_000,
  /** last_seen_at / last_used_at are written at most this often per session or token. */
  touchMs: 60_000,
  setupLinkMs: 7 * 24 * 3600_000,
  resetLinkMs: 24 * 3600_000,
} as const;

export type RequestMeta = { ip: string | null; userAgent: string | null };
export type NewSession = { token: string; csrfToken: string; expiresAt: string; principal: Principal };

export type UserView = {
  id: number;
  email: string;
  name: string;
  role: Role;
  personId: number | null;
  personName: string | null;
  canViewPay: boolean;
  disabled: boolean;
  hasPassword: boolean;
  sso: boolean;
  lockedUntil: string | null;
  lastSignInAt: string | null;
  createdAt: string;
};

export type TokenView = {
  id: number;
  name: string;
  prefix: string;
  permissions: Permission[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
};

type CachedCheck = { principal: Principal; checkedAt: number; touchedAt: number };

const userColumns = ['id', 'email', 'name', 'role', 'person_id', 'can_view_pay'] as const;

/**
 * Accounts, sign-in, sessions, API tokens and set-up links. Every change is written to the audit
 * trail in the same transaction as the change.
 */
export class AuthService {
  private readonly sessions = new Map<string, CachedCheck>();
  private readonly tokens = new Map<string, CachedCheck>();
  private readonly failuresByIp = new Map<string, number[]>();

  private publicUrl: string;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly config: Pick<AppConfig, 'secret' | 'publicUrl' | 'firstAdmin'>,
  ) {
    this.publicUrl = config.publicUrl;
  }

  /** The address links point at, once the server knows where it listens (ATTAIN_PUBLIC_URL unset). */
  usePublicUrl(url: string): void {
    this.publicUrl = url.replace(/\/+$/, '');
  }

  private digest(token: string): string {
    return digestToken(this.config.secret, token);
  }

  private nowMs(): number {
    return Date.parse(this.clock.now());
  }

  private iso(ms: number): string {
    return new Date(ms).toISOString();
  }

  /** Forgets cached checks of one user (after a change to the user) or of everybody. */
  forget(userId?: number): void {
    for (const cache of [this.sessions, this.tokens])
      for (const [key, entry] of cache)
        if (userId === undefined || entry.principal.userId === userId) cache.delete(key);
  }

  // ---------------------------------------------------------------- sign-in and sessions

  private throttleIp(ip: string | null): void {
    if (!ip) return;
    const now = this.nowMs();
    const recent = (this.failuresByIp.get(ip) ?? []).filter((t) => t > now - authPolicy.ipWindowMs);
    this.failuresByIp.set(ip, recent);
    if (recent.length >= authPolicy.maxFailuresPerIp)
      throw new AppError(
        'rate_limited',
        'Too many failed sign-ins from this address; try again in 15 minutes.',
      );
  }

  private noteIpFailure(ip: string | null): void {
    if (!ip) return;
    const list = this.failuresByIp.get(ip) ?? [];
    list.push(this.nowMs());
    this.failuresByIp.set(ip, list);
  }

  /**
   * Signs in with email and password. The session presented with the request, if any, is revoked
   * and a new one issued (no session fixation). Five failures in a row lock the account for 15
   * minutes; the answer to a wrong email and a wrong password is the same, and takes as long.
   */
  async signIn(
    email: string,
    password: string,
    meta: RequestMeta,
    presentedSession?: string,
  ): Promise<NewSession> {
    this.throttleIp(meta.ip);
    const now = this.nowMs();
    const user = await this.store.db
      .selectFrom('users')
      .selectAll()
      .where(sql<string>`lower(email)`, '=', email.trim().toLowerCase())
      .executeTakeFirst();
    const actor: Actor = {
      userId: user?.id ?? null,
      label: email.trim().slice(0, 200),
      sessionId: null,
      tokenId: null,
      ip: meta.ip,
    };
    if (user?.locked_until && Date.parse(user.locked_until) > now) {
      await verifyPassword(null, password);
      await recordAudit(this.store.db, actor, this.iso(now), {
        action: 'sign_in_failed',
        entity: 'user',
        entityId: user.id,
        summary: `Sign-in refused for ${user.email}: the account is locked until ${user.locked_until}.`,
      });
      throw new AppError(
        'rate_limited',
        'This account is locked after repeated failed sign-ins. Try again in 15 minutes, or ask an administrator for a reset link.',
      );
    }
    const ok = await verifyPassword(user && !user.disabled ? user.password_hash : null, password);
    if (!user || !ok) {
      this.noteIpFailure(meta.ip);
      await this.store.db.transaction().execute(async (tx) => {
        if (user) {
          const failures = user.failed_sign_ins + 1;
          const lock = failures >= authPolicy.maxFailures;
          await tx
            .updateTable('users')
            .set({
              failed_sign_ins: lock ? 0 : failures,
              locked_until: lock ? this.iso(now + authPolicy.lockMs) : user.locked_until,
            })
            .where('id', '=', user.id)
            .execute();
          if (lock)
            await recordAudit(tx, actor, this.iso(now), {
              action: 'account_locked',
              entity: 'user',
              entityId: user.id,
              summary: `${user.email} locked for 15 minutes after ${authPolicy.maxFailures} failed sign-ins in a row.`,
            });
        }
        await recordAudit(tx, actor, this.iso(now), {
          action: 'sign_in_failed',
          entity: 'user',
          entityId: user?.id ?? null,
          summary: user
            ? `Failed sign-in for ${user.email}${user.disabled ? ' (account disabled)' : ''}.`
            : `Failed sign-in for an unknown email.`,
        });
      });
      throw new AppError('unauthenticated', 'The email or the password is not right.');
    }
    return this.openSession(user, 'password', meta, presentedSession);
  }

  private async openSession(
    user: UserRow & { email: string },
    method: 'password' | 'oidc' | 'setup_link',
    meta: RequestMeta,
    presentedSession?: string,
  ): Promise<NewSession> {
    const now = this.nowMs();
    const token = randomToken();
    const csrfToken = randomToken();
    const expiresAt = this.iso(now + authPolicy.sessionAbsoluteMs);
    const session = await this.store.db.transaction().execute(async (tx) => {
      if (presentedSession) {
        const hash = this.digest(presentedSession);
        this.sessions.delete(hash);
        await tx
          .updateTable('sessions')
          .set({ revoked_at: this.iso(now), revoked_reason: 'replaced at sign-in' })
          .where('token_hash', '=', hash)
          .where('revoked_at', 'is', null)
          .execute();
      }
      await tx
        .updateTable('users')
        .set({ failed_sign_ins: 0, locked_until: null, last_sign_in_at: this.iso(now) })
        .where('id', '=', user.id)
        .execute();
      const row = await tx
        .insertInto('sessions')
        .values({
          token_hash: this.digest(token),
          csrf_token: csrfToken,
          user_id: user.id,
          created_at: this.iso(now),
          expires_at: expiresAt,
          last_seen_at: this.iso(now),
          ip: meta.ip,
          user_agent: meta.userAgent?.slice(0, 300) ?? null,
          sign_in_method: method,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await recordAudit(
        tx,
        { userId: user.id, label: user.email, sessionId: row.id, tokenId: null, ip: meta.ip },
        this.iso(now),
        {
          action: 'sign_in',
          entity: 'user',
          entityId: user.id,
          summary: `${user.email} signed in (${method === 'password' ? 'password' : method === 'oidc' ? 'single sign-on' : 'set-up link'}).`,
        },
      );
      return row;
    });
    const principal = principalOf(user, { kind: 'session', sessionId: session.id, csrfToken });
    return { token, csrfToken, expiresAt, principal };
  }

  /**
   * A session or token check made less than `cacheMs` ago: its caller, recording the time of use
   * (`touch`) at most once a `touchMs`. Undefined, and forgotten, when there is none or it is stale.
   */
  private async fromCache(
    cache: Map<string, CachedCheck>,
    hash: string,
    now: number,
    touch: () => Promise<unknown>,
  ): Promise<Principal | undefined> {
    const cached = cache.get(hash);
    if (!cached || now - cached.checkedAt >= authPolicy.cacheMs) {
      cache.delete(hash);
      return undefined;
    }
    if (now - cached.touchedAt >= authPolicy.touchMs) {
      cached.touchedAt = now;
      await touch();
    }
    return cached.principal;
  }

  /** The caller behind a session cookie, or null when it is unknown, revoked or expired. */
  async authenticateSession(token: string): Promise<Principal | null> {
    const hash = this.digest(token);
    const now = this.nowMs();
    const cached = await this.fromCache(this.sessions, hash, now, () =>
      this.store.db
        .updateTable('sessions')
        .set({ last_seen_at: this.iso(now) })
        .where('token_hash', '=', hash)
        .execute(),
    );
    if (cached) return cached;
    const row = await this.store.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select([
        'sessions.id as session_id',
        'sessions.csrf_token',
        'sessions.expires_at',
        'sessions.last_seen_at',
        'sessions.revoked_at',
        'users.disabled',
        ...userColumns.map((c) => `users.${c}` as const),
      ])
      .where('sessions.token_hash', '=', hash)
      .executeTakeFirst();
    if (
      !row ||
      row.revoked_at !== null ||
      row.disabled ||
      Date.parse(row.expires_at) <= now ||
      Date.parse(row.last_seen_at) + authPolicy.sessionIdleMs <= now
    )
      return null;
    if (now - Date.parse(row.last_seen_at) >= authPolicy.touchMs)
      await this.store.db
        .updateTable('sessions')
        .set({ last_seen_at: this.iso(now) })
        .where('id', '=', row.session_id)
        .execute();
    const principal = principalOf(row, {
      kind: 'session',
      sessionId: row.session_id,
      csrfToken: row.csrf_token,
    });
    this.sessions.set(hash, { principal, checkedAt: now, touchedAt: now });
    return principal;
  }

  async signOut(token: string, meta: RequestMeta): Promise<void> {
    const hash = this.digest(token);
    this.sessions.delete(hash);
    const now = this.iso(this.nowMs());
    await this.store.db.transaction().execute(async (tx) => {
      const row = await tx
        .updateTable('sessions')
        .set({ revoked_at: now, revoked_reason: 'signed out' })
        .where('token_hash', '=', hash)
        .where('revoked_at', 'is', null)
        .returning(['id', 'user_id'])
        .executeTakeFirst();
      if (row) {
        const user = await tx
          .selectFrom('users')
          .select('email')
          .where('id', '=', row.user_id)
          .executeTakeFirstOrThrow();
        await recordAudit(
          tx,
          { userId: row.user_id, label: user.email, sessionId: row.id, tokenId: null, ip: meta.ip },
          now,
          {
            action: 'sign_out',
            entity: 'user',
            entityId: row.user_id,
            summary: `${user.email} signed out.`,
          },
        );
      }
    });
  }

  /** Ends every open session of a user (password change, disabling, an admin's request). */
  private async revokeSessionsOf(
    tx: Store['db'],
    userId: number,
    reason: string,
    except?: number,
  ): Promise<number> {
    let query = tx
      .updateTable('sessions')
      .set({ revoked_at: this.clock.now(), revoked_reason: reason })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null);
    if (except !== undefined) query = query.where('id', '!=', except);
    const result = await query.executeTakeFirst();
    this.forget(userId);
    return Number(result.numUpdatedRows);
  }

  // ---------------------------------------------------------------- single sign-on

  /** Signs in the Attain user linked to an OIDC identity; links by verified email the first time. */
  async signInWithOidc(
    identity: OidcIdentity,
    meta: RequestMeta,
    presentedSession?: string,
  ): Promise<NewSession> {
    const linked = await this.store.db
      .selectFrom('users')
      .selectAll()
      .where('oidc_issuer', '=', identity.issuer)
      .where('oidc_subject', '=', identity.subject)
      .executeTakeFirst();
    let user = linked;
    if (!user && identity.email && identity.emailVerified) {
      user = await this.store.db
        .selectFrom('users')
        .selectAll()
        .where(sql<string>`lower(email)`, '=', identity.email.toLowerCase())
        .where('oidc_subject', 'is', null)
        .executeTakeFirst();
      if (user)
        await this.store.db.transaction().execute(async (tx) => {
          await tx
            .updateTable('users')
            .set({
              oidc_issuer: identity.issuer,
              oidc_subject: identity.subject,
              updated_at: this.clock.now(),
            })
            .where('id', '=', user!.id)
            .execute();
          await recordAudit(
            tx,
            { userId: user!.id, label: user!.email, sessionId: null, tokenId: null, ip: meta.ip },
            this.clock.now(),
            {
              action: 'sso_linked',
              entity: 'user',
              entityId: user!.id,
              summary: `${user!.email} linked to single sign-on (${identity.issuer}).`,
              after: { oidc_issuer: identity.issuer, oidc_subject: identity.subject },
            },
          );
        });
    }
    if (!user || user.disabled) {
      await recordAudit(
        this.store.db,
        {
          userId: user?.id ?? null,
          label: identity.email ?? identity.subject,
          sessionId: null,
          tokenId: null,
          ip: meta.ip,
        },
        this.clock.now(),
        {
          action: 'sign_in_failed',
          entity: 'user',
          entityId: user?.id ?? null,
          summary: `Single sign-on refused for ${identity.email ?? identity.subject}: ${user ? 'the account is disabled' : 'no Attain account'}.`,
        },
      );
      throw new AppError(
        'forbidden',
        `${identity.email ?? 'This identity'} has no Attain account${user ? ' that is enabled' : ''}. Ask an administrator to add you.`,
      );
    }
    return this.openSession(user, 'oidc', meta, presentedSession);
  }

  async savePendingOidc(pending: { state: string; nonce: string; codeVerifier: string }): Promise<void> {
    const now = this.nowMs();
    await this.store.db
      .deleteFrom('oidc_pending')
      .where('created_at', '<', this.iso(now - 15 * 60_000))
      .execute();
    await this.store.db
      .insertInto('oidc_pending')
      .values({
        state: pending.state,
        nonce: pending.nonce,
        code_verifier: pending.codeVerifier,
        created_at: this.iso(now),
      })
      .execute();
  }

  /** Takes (and deletes: one use only) the sign-in started with this state. */
  async takePendingOidc(state: string): Promise<{ state: string; nonce: string; codeVerifier: string }> {
    const row = await this.store.db
      .deleteFrom('oidc_pending')
      .where('state', '=', state)
      .returningAll()
      .executeTakeFirst();
    if (!row || Date.parse(row.created_at) < this.nowMs() - 15 * 60_000)
      throw new AppError(
        'unauthenticated',
        'This single sign-on attempt is unknown or has expired; start again.',
      );
    return { state: row.state, nonce: row.nonce, codeVerifier: row.code_verifier };
  }

  // ---------------------------------------------------------------- set-up and reset links

  /** A one-time link that lets a user set their password; the token is shown only here. */
  async issueAccountLink(
    userId: number,
    purpose: 'setup' | 'reset',
    actor: Actor,
  ): Promise<{ url: string; expiresAt: string }> {
    const token = randomToken();
    const now = this.nowMs();
    const expiresAt = this.iso(now + (purpose === 'setup' ? authPolicy.setupLinkMs : authPolicy.resetLinkMs));
    await this.store.db.transaction().execute(async (tx) => {
      const user = await tx
        .selectFrom('users')
        .select(['id', 'email'])
        .where('id', '=', userId)
        .executeTakeFirst();
      if (!user) throw new AppError('not_found', `No user ${userId}.`);
      // A new link replaces the unused ones.
      await tx
        .updateTable('account_links')
        .set({ used_at: this.iso(now) })
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .execute();
      await tx
        .insertInto('account_links')
        .values({
          token_hash: this.digest(token),
          user_id: userId,
          purpose,
          created_by: actor.userId,
          created_at: this.iso(now),
          expires_at: expiresAt,
        })
        .execute();
      await recordAudit(tx, actor, this.iso(now), {
        action: purpose === 'setup' ? 'setup_link_issued' : 'reset_link_issued',
        entity: 'user',
        entityId: userId,
        summary: `${purpose === 'setup' ? 'Set-up' : 'Password reset'} link issued for ${user.email}, valid until ${expiresAt}.`,
      });
    });
    return { url: `${this.publicUrl}/setup#token=${token}`, expiresAt };
  }

  /** Who a link is for, without using it (the set-up page greets the user by name). */
  async describeAccountLink(
    token: string,
  ): Promise<{ email: string; name: string; purpose: 'setup' | 'reset' }> {
    const row = await this.store.db
      .selectFrom('account_links')
      .innerJoin('users', 'users.id', 'account_links.user_id')
      .select([
        'users.email',
        'users.name',
        'account_links.purpose',
        'account_links.used_at',
        'account_links.expires_at',
      ])
      .where('account_links.token_hash', '=', this.digest(token))
      .executeTakeFirst();
    if (!row || row.used_at !== null || Date.parse(row.expires_at) <= this.nowMs())
      throw new AppError(
        'not_found',
        'This link is unknown, used or expired. Ask an administrator for a new one.',
      );
    return { email: row.email, name: row.name, purpose: row.purpose };
  }

  /** Sets the password through a one-time link, ends the user's other sessions and signs them in. */
  async completeAccountLink(
    token: string,
    password: string,
    meta: RequestMeta,
    presentedSession?: string,
  ): Promise<NewSession> {
    const hash = this.digest(token);
    const link = await this.store.db
      .selectFrom('account_links')
      .innerJoin('users', 'users.id', 'account_links.user_id')
      .select([
        'account_links.id as link_id',
        'account_links.used_at',
        'account_links.expires_at',
        'account_links.purpose',
        ...userColumns.map((c) => `users.${c}` as const),
        'users.disabled',
      ])
      .where('account_links.token_hash', '=', hash)
      .executeTakeFirst();
    if (!link || link.used_at !== null || Date.parse(link.expires_at) <= this.nowMs() || link.disabled)
      throw new AppError(
        'not_found',
        'This link is unknown, used or expired. Ask an administrator for a new one.',
      );
    checkPasswordRules(password, link.email);
    const passwordHash = await hashPassword(password);
    const now = this.clock.now();
    await this.store.db.transaction().execute(async (tx) => {
      const used = await tx
        .updateTable('account_links')
        .set({ used_at: now })
        .where('id', '=', link.link_id)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      if (Number(used.numUpdatedRows) !== 1) throw new AppError('conflict', 'This link has just been used.');
      await tx
        .updateTable('users')
        .set({
          password_hash: passwordHash,
          password_changed_at: now,
          failed_sign_ins: 0,
          locked_until: null,
          updated_at: now,
        })
        .where('id', '=', link.id)
        .execute();
      await this.revokeSessionsOf(tx, link.id, 'password changed');
      await recordAudit(
        tx,
        { userId: link.id, label: link.email, sessionId: null, tokenId: null, ip: meta.ip },
        now,
        {
          action: link.purpose === 'setup' ? 'password_set' : 'password_reset',
          entity: 'user',
          entityId: link.id,
          summary: `${link.email} ${link.purpose === 'setup' ? 'set a password' : 'reset their password'} with a one-time link.`,
        },
      );
    });
    return this.openSession(link, 'setup_link', meta, presentedSession);
  }

  /** A signed-in user changes their own password; their other sessions end. */
  async changePassword(
    principal: Principal,
    current: string,
    next: string,
    ip: string | null,
  ): Promise<void> {
    const user = await this.store.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', principal.userId)
      .executeTakeFirstOrThrow();
    if (!(await verifyPassword(user.password_hash, current)))
      throw new AppError('validation', 'The current password is not right.', [
        { field: 'currentPassword', message: 'is not right' },
      ]);
    checkPasswordRules(next, user.email);
    const hash = await hashPassword(next);
    const now = this.clock.now();
    await this.store.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('users')
        .set({ password_hash: hash, password_changed_at: now, updated_at: now })
        .where('id', '=', user.id)
        .execute();
      await this.revokeSessionsOf(
        tx,
        user.id,
        'password changed',
        principal.via.kind === 'session' ? principal.via.sessionId : undefined,
      );
      await recordAudit(tx, actorOf(principal, ip), now, {
        action: 'password_changed',
        entity: 'user',
        entityId: user.id,
        summary: `${user.email} changed their password; their other sessions were ended.`,
      });
    });
  }

  // ---------------------------------------------------------------- users and roles

  /** Every user, by name; or only the user with this id. */
  async listUsers(id?: number): Promise<UserView[]> {
    let query = this.store.db
      .selectFrom('users')
      .leftJoin('people', 'people.id', 'users.person_id')
      .select([
        'users.id',
        'users.email',
        'users.name',
        'users.role',
        'users.person_id',
        'people.name as person_name',
        'users.can_view_pay',
        'users.disabled',
        'users.password_hash',
        'users.oidc_subject',
        'users.locked_until',
        'users.last_sign_in_at',
        'users.created_at',
      ]);
    if (id !== undefined) query = query.where('users.id', '=', id);
    const rows = await query.orderBy('users.name').execute();
    const now = this.nowMs();
    return rows.map((r) => ({
      id: r.id,
      email: r.email,
      name: r.name,
      role: r.role,
      personId: r.person_id,
      personName: r.person_name,
      canViewPay: r.can_view_pay,
      disabled: r.disabled,
      hasPassword: r.password_hash !== null,
      sso: r.oidc_subject !== null,
      lockedUntil: r.locked_until && Date.parse(r.locked_until) > now ? r.locked_until : null,
      lastSignInAt: r.last_sign_in_at,
      createdAt: r.created_at,
    }));
  }

  async getUser(id: number): Promise<UserView> {
    const [user] = await this.listUsers(id);
    if (!user) throw new AppError('not_found', `No user ${id}.`);
    return user;
  }

  private async checkPerson(personId: number | null): Promise<void> {
    if (personId === null) return;
    const person = await this.store.db
      .selectFrom('people')
      .select('id')
      .where('id', '=', personId)
      .executeTakeFirst();
    if (!person)
      throw new AppError('validation', `No person ${personId}.`, [
        { field: 'personId', message: `no person ${personId}` },
      ]);
  }

  /** Creates a user and returns their one-time set-up link (never a default password). */
  async createUser(
    input: { email: string; name: string; role: Role; personId: number | null; canViewPay: boolean },
    actor: Actor,
  ): Promise<{ user: UserView; setupLink: { url: string; expiresAt: string } }> {
    if ((input.role === 'sales_manager' || input.role === 'sales_rep') && input.personId === null)
      throw new AppError(
        'validation',
        'A sales manager or rep must be linked to their person in the hierarchy.',
        [{ field: 'personId', message: 'is required for this role' }],
      );
    await this.checkPerson(input.personId);
    const taken = await this.store.db
      .selectFrom('users')
      .select('id')
      .where(sql<string>`lower(email)`, '=', input.email.trim().toLowerCase())
      .executeTakeFirst();
    if (taken)
      throw new AppError('conflict', `A user with the email ${input.email.trim()} already exists.`, [
        { field: 'email', value: input.email, message: 'is already taken' },
      ]);
    const now = this.clock.now();
    const id = await this.store.db.transaction().execute(async (tx) => {
      const row = await tx
        .insertInto('users')
        .values({
          email: input.email.trim(),
          name: input.name.trim(),
          role: input.role,
          person_id: input.personId,
          can_view_pay: input.canViewPay,
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await recordAudit(tx, actor, now, {
        action: 'user_created',
        entity: 'user',
        entityId: row.id,
        summary: `User ${input.email} created as ${input.role}.`,
        after: input,
      });
      return row.id;
    });
    const setupLink = await this.issueAccountLink(id, 'setup', actor);
    return { user: await this.getUser(id), setupLink };
  }

  /** Changes a user's role, person, pay grant, name or status; a change of rights ends their sessions. */
  async updateUser(
    id: number,
    patch: Partial<{
      name: string;
      role: Role;
      personId: number | null;
      canViewPay: boolean;
      disabled: boolean;
      unlock: boolean;
    }>,
    actor: Actor,
  ): Promise<UserView> {
    const before = await this.getUser(id);
    if (patch.personId !== undefined) await this.checkPerson(patch.personId);
    const role = patch.role ?? before.role;
    const personId = patch.personId !== undefined ? patch.personId : before.personId;
    if ((role === 'sales_manager' || role === 'sales_rep') && personId === null)
      throw new AppError(
        'validation',
        'A sales manager or rep must be linked to their person in the hierarchy.',
        [{ field: 'personId', message: 'is required for this role' }],
      );
    const now = this.clock.now();
    await this.store.db.transaction().execute(async (tx) => {
      // Serialise changes to users, so that two admins cannot demote each other at once.
      await sql`SELECT id FROM users WHERE id = ${id} FOR UPDATE`.execute(tx);
      const losesAdmin = before.role === 'admin' && (role !== 'admin' || patch.disabled === true);
      if (losesAdmin) {
        const admins = await tx
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('role', '=', 'admin')
          .where('disabled', '=', false)
          .where('id', '!=', id)
          .executeTakeFirstOrThrow();
        if (Number(admins.n) === 0)
          throw new AppError(
            'conflict',
            'This is the last enabled administrator; make someone else an administrator first.',
          );
      }
      await tx
        .updateTable('users')
        .set({
          ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
          role,
          person_id: personId,
          ...(patch.canViewPay !== undefined ? { can_view_pay: patch.canViewPay } : {}),
          ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
          ...(patch.unlock ? { locked_until: null, failed_sign_ins: 0 } : {}),
          updated_at: now,
        })
        .where('id', '=', id)
        .execute();
      const rightsChanged =
        role !== before.role ||
        personId !== before.personId ||
        (patch.canViewPay !== undefined && patch.canViewPay !== before.canViewPay) ||
        patch.disabled === true;
      if (rightsChanged) await this.revokeSessionsOf(tx, id, 'rights changed');
      const changed = Object.fromEntries(
        Object.entries({
          name: patch.name,
          role,
          personId,
          canViewPay: patch.canViewPay,
          disabled: patch.disabled,
        }).filter(([k, v]) => v !== undefined && v !== (before as Record<string, unknown>)[k]),
      );
      await recordAudit(tx, actor, now, {
        action: patch.role !== undefined && patch.role !== before.role ? 'role_changed' : 'user_updated',
        entity: 'user',
        entityId: id,
        summary: `User ${before.email}: ${
          Object.entries(changed)
            .map(([k, v]) => `${k} ${String((before as Record<string, unknown>)[k])} → ${String(v)}`)
            .join(', ') || (patch.unlock ? 'unlocked' : 'no change')
        }${rightsChanged ? '; their sessions were ended' : ''}.`,
        before: {
          role: before.role,
          personId: before.personId,
          canViewPay: before.canViewPay,
          disabled: before.disabled,
          name: before.name,
        },
        after: changed,
      });
    });
    this.forget(id);
    return this.getUser(id);
  }

  /**
   * The first start: an administrator, with the configured password or a one-time set-up link
   * printed once. While no administrator has a password yet, each start replaces the link.
   */
  async ensureFirstAdmin(log: (line: string) => void): Promise<void> {
    const admins = await this.store.db
      .selectFrom('users')
      .select(['id', 'email', 'password_hash', 'oidc_subject'])
      .where('role', '=', 'admin')
      .execute();
    const actor: Actor = {
      userId: null,
      label: 'system (first start)',
      sessionId: null,
      tokenId: null,
      ip: null,
    };
    if (admins.some((a) => a.password_hash !== null || a.oidc_subject !== null)) return;
    let adminId = admins[0]?.id;
    const now = this.clock.now();
    if (adminId === undefined) {
      const email = this.config.firstAdmin.email;
      adminId = await this.store.db.transaction().execute(async (tx) => {
        const row = await tx
          .insertInto('users')
          .values({
            email,
            name: 'Administrator',
            role: 'admin',
            person_id: null,
            created_at: now,
            updated_at: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await recordAudit(tx, actor, now, {
          action: 'user_created',
          entity: 'user',
          entityId: row.id,
          summary: `First administrator ${email} created.`,
        });
        return row.id;
      });
    }
    const password = this.config.firstAdmin.password;
    if (password) {
      const email = admins[0]?.email ?? this.config.firstAdmin.email;
      try {
        checkPasswordRules(password, email);
      } catch (error) {
        if (error instanceof AppError)
          throw new AppError(
            'validation',
            'ATTAIN_ADMIN_PASSWORD does not meet the password rules.',
            error.problems.map((p) => ({ ...p, field: 'ATTAIN_ADMIN_PASSWORD' })),
          );
        throw error;
      }
      const hash = await hashPassword(password);
      await this.store.db.transaction().execute(async (tx) => {
        await tx
          .updateTable('users')
          .set({ password_hash: hash, password_changed_at: now })
          .where('id', '=', adminId)
          .execute();
        await recordAudit(tx, actor, now, {
          action: 'password_set',
          entity: 'user',
          entityId: adminId,
          summary: `Password of ${email} set from ATTAIN_ADMIN_PASSWORD.`,
        });
      });
      log(`Administrator ${email} can sign in with the password from ATTAIN_ADMIN_PASSWORD.`);
      return;
    }
    const link = await this.issueAccountLink(adminId, 'setup', actor);
    log(
      `Set up the administrator account (${admins[0]?.email ?? this.config.firstAdmin.email}) within 7 days at this one-time link:\n  ${link.url}`,
    );
  }

  // ---------------------------------------------------------------- API tokens

  /** A token for integrations: shown once, stored as a digest, never wider than its user. */
  async createApiToken(
    principal: Principal,
    input: { name: string; permissions?: string[]; expiresInDays?: number | null },
    ip: string | null,
  ): Promise<{ token: string; view: TokenView }> {
    const requested = input.permissions ?? [...principal.permissions];
    const unknown = requested.filter((p) => !isPermission(p));
    const beyond = requested.filter((p) => isPermission(p) && !principal.permissions.includes(p));
    if (unknown.length > 0 || beyond.length > 0)
      throw new AppError('validation', 'A token can have only permissions you have.', [
        ...unknown.map((p) => ({ field: 'permissions', value: p, message: 'is not a permission' })),
        ...beyond.map((p) => ({ field: 'permissions', value: p, message: 'is more than you have' })),
      ]);
    const token = randomToken('atn_');
    const now = this.nowMs();
    const expiresAt = input.expiresInDays ? this.iso(now + input.expiresInDays * 24 * 3600_000) : null;
    const row = await this.store.db.transaction().execute(async (tx) => {
      const inserted = await tx
        .insertInto('api_tokens')
        .values({
          user_id: principal.userId,
          name: input.name.trim(),
          token_hash: this.digest(token),
          prefix: token.slice(0, 10),
          permissions: requested,
          created_at: this.iso(now),
          expires_at: expiresAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(tx, actorOf(principal, ip), this.iso(now), {
        action: 'token_created',
        entity: 'api_token',
        entityId: inserted.id,
        summary: `API token "${inserted.name}" (${inserted.prefix}…) created for ${principal.email} with ${requested.join(', ') || 'no permissions'}${expiresAt ? `, expiring ${expiresAt}` : ''}.`,
        after: { name: inserted.name, permissions: requested, expiresAt },
      });
      return inserted;
    });
    return { token, view: tokenView(row) };
  }

  async listApiTokens(userId: number): Promise<TokenView[]> {
    const rows = await this.store.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('id', 'desc')
      .execute();
    return rows.map(tokenView);
  }

  /** Revokes a token of one's own, or anybody's with users:manage; others' tokens are not found. */
  async revokeApiToken(principal: Principal, tokenId: number, ip: string | null): Promise<TokenView> {
    const row = await this.store.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', tokenId)
      .executeTakeFirst();
    if (!row || (row.user_id !== principal.userId && !principal.permissions.includes('users:manage')))
      throw new AppError('not_found', `No API token ${tokenId}.`);
    if (row.revoked_at) return tokenView(row);
    const now = this.clock.now();
    const updated = await this.store.db.transaction().execute(async (tx) => {
      const u = await tx
        .updateTable('api_tokens')
        .set({ revoked_at: now })
        .where('id', '=', tokenId)
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(tx, actorOf(principal, ip), now, {
        action: 'token_revoked',
        entity: 'api_token',
        entityId: tokenId,
        summary: `API token "${row.name}" (${row.prefix}…) revoked.`,
      });
      return u;
    });
    this.tokens.clear();
    return tokenView(updated);
  }

  /** The caller behind an API token; a clear error for a revoked or expired one. */
  async authenticateApiToken(token: string): Promise<Principal> {
    const hash = this.digest(token);
    const now = this.nowMs();
    const cached = await this.fromCache(this.tokens, hash, now, () =>
      this.store.db
        .updateTable('api_tokens')
        .set({ last_used_at: this.iso(now) })
        .where('token_hash', '=', hash)
        .execute(),
    );
    if (cached) return cached;
    const row = await this.store.db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .select([
        'api_tokens.id as token_id',
        'api_tokens.permissions',
        'api_tokens.expires_at',
        'api_tokens.revoked_at',
        'users.disabled',
        ...userColumns.map((c) => `users.${c}` as const),
      ])
      .where('api_tokens.token_hash', '=', hash)
      .executeTakeFirst();
    if (!row || row.disabled) throw new AppError('unauthenticated', 'The API token is not valid.');
    if (row.revoked_at) throw new AppError('unauthenticated', 'The API token was revoked.');
    if (row.expires_at && Date.parse(row.expires_at) <= now)
      throw new AppError('unauthenticated', 'The API token has expired.');
    await this.store.db
      .updateTable('api_tokens')
      .set({ last_used_at: this.iso(now) })
      .where('id', '=', row.token_id)
      .execute();
    const principal = principalOf(row, { kind: 'token', tokenId: row.token_id }, row.permissions);
    this.tokens.set(hash, { principal, checkedAt: now, touchedAt: now });
    return principal;
  }
}

function tokenView(row: {
  id: number;
  name: string;
  prefix: string;
  permissions: string[];
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}): TokenView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    permissions: row.permissions.filter(isPermission),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export { isRole, permissionsOf, roles };
