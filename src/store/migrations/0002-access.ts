import { sql, type Kysely } from 'kysely';

/**
 * Access and trust: users with a role and a link to a person of the hierarchy, server-side
 * sessions, API tokens, one-time set-up and reset links, OIDC sign-ins in flight, and the
 * append-only audit trail. Secrets are never stored: only SHA-256 digests of random tokens and
 * argon2id hashes of passwords.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE users (
      id bigserial PRIMARY KEY,
      email text NOT NULL,
      name text NOT NULL,
      role text NOT NULL CHECK (role IN ('admin', 'comp_admin', 'finance', 'sales_manager', 'sales_rep', 'executive')),
      -- The person whose place in the hierarchy scopes what a manager or rep sees.
      person_id bigint REFERENCES people(id),
      -- An executive sees individual pay only when granted.
      can_view_pay boolean NOT NULL DEFAULT false,
      password_hash text,
      password_changed_at timestamptz,
      oidc_issuer text,
      oidc_subject text,
      disabled boolean NOT NULL DEFAULT false,
      failed_sign_ins integer NOT NULL DEFAULT 0,
      locked_until timestamptz,
      last_sign_in_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (oidc_issuer, oidc_subject)
    );
    CREATE UNIQUE INDEX users_email ON users (lower(email));

    CREATE TABLE sessions (
      id bigserial PRIMARY KEY,
      token_hash text NOT NULL UNIQUE,
      csrf_token text NOT NULL,
      user_id bigint NOT NULL REFERENCES users(id),
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL,
      revoked_at timestamptz,
      revoked_reason text,
      ip text,
      user_agent text,
      sign_in_method text NOT NULL CHECK (sign_in_method IN ('password', 'oidc', 'setup_link'))
    );
    CREATE INDEX sessions_user ON sessions (user_id);

    CREATE TABLE api_tokens (
      id bigserial PRIMARY KEY,
      user_id bigint NOT NULL REFERENCES users(id),
      name text NOT NULL,
      token_hash text NOT NULL UNIQUE,
      -- The first characters of the token, shown so that a user can tell their tokens apart.
      prefix text NOT NULL,
      -- The token's rights: a subset of its user's permissions, checked again on every use.
      permissions text[] NOT NULL,
      created_at timestamptz NOT NULL,
      expires_at timestamptz,
      last_used_at timestamptz,
      revoked_at timestamptz
    );
    CREATE INDEX api_tokens_user ON api_tokens (user_id);

    CREATE TABLE account_links (
      id bigserial PRIMARY KEY,
      token_hash text NOT NULL UNIQUE,
      user_id bigint NOT NULL REFERENCES users(id),
      purpose text NOT NULL CHECK (purpose IN ('setup', 'reset')),
      created_by bigint REFERENCES users(id),
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz
    );

    CREATE TABLE oidc_pending (
      state text PRIMARY KEY,
      nonce text NOT NULL,
      code_verifier text NOT NULL,
      created_at timestamptz NOT NULL
    );

    -- Append-only: every change, sign-in, failed sign-in and pay export. The triggers below refuse
    -- UPDATE, DELETE and TRUNCATE, so not even a bug in the application can rewrite history.
    CREATE TABLE audit_log (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL,
      -- No foreign keys: the trail outlives anything it names, and nothing cascades into it.
      actor_user_id bigint,
      actor text NOT NULL,
      session_id bigint,
      token_id bigint,
      ip text,
      action text NOT NULL,
      entity text NOT NULL,
      entity_id text,
      summary text NOT NULL,
      before jsonb,
      after jsonb
    );
    CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);
    CREATE INDEX audit_log_actor ON audit_log (actor_user_id, at DESC);
    CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

    CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'the audit log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
    END;
    $$;
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
  `.execute(db);
}
