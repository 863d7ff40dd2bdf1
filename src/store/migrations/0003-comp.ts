import { sql, type Kysely } from 'kysely';

/**
 * Reward (issue 6): compensation plans as versioned documents assigned to positions, the crediting
 * inputs the foundation lacks (opportunity splits and overlays, territory owners), runs with their
 * stored statements, closed periods, adjustments and disputes. Money is `bigint` minor units;
 * shares are integer parts per million; periods are the engine's labels ("2026-06", "2026-Q2").
 * Payees are people, named in statements by their `external_key`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE comp_plans (
      id text PRIMARY KEY,
      name text NOT NULL,
      current_version integer NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    );

    -- Every saved version, never changed afterwards: the source as written, the validated document,
    -- its fingerprint and the results of its test cases when it was saved.
    CREATE TABLE comp_plan_versions (
      plan_id text NOT NULL REFERENCES comp_plans(id),
      version integer NOT NULL CHECK (version > 0),
      name text NOT NULL,
      period text NOT NULL CHECK (period IN ('month', 'quarter')),
      currency char(3) NOT NULL,
      effective_from date NOT NULL,
      effective_to date,
      source text NOT NULL,
      document jsonb NOT NULL,
      fingerprint text NOT NULL,
      test_results jsonb NOT NULL DEFAULT '[]'::jsonb,
      tests_passed integer NOT NULL DEFAULT 0,
      tests_failed integer NOT NULL DEFAULT 0,
      created_by text NOT NULL,
      created_by_user_id bigint,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (plan_id, version)
    );

    -- Which positions a plan pays, effective-dated [valid_from, valid_to), with the target incentive.
    CREATE TABLE comp_plan_assignments (
      id bigserial PRIMARY KEY,
      plan_id text NOT NULL REFERENCES comp_plans(id),
      position_id bigint NOT NULL REFERENCES positions(id),
      valid_from date NOT NULL,
      valid_to date,
      target_incentive_minor bigint CHECK (target_incentive_minor IS NULL OR target_incentive_minor >= 0),
      currency char(3) NOT NULL DEFAULT 'USD',
      pay_mix text,
      created_at timestamptz NOT NULL,
      CHECK (valid_to IS NULL OR valid_to > valid_from)
    );
    CREATE INDEX comp_plan_assignments_plan ON comp_plan_assignments (plan_id, valid_from);
    CREATE INDEX comp_plan_assignments_position ON comp_plan_assignments (position_id);

    -- Splits share a deal's credit among people (they should sum to 100%); overlays credit on top.
    CREATE TABLE opportunity_splits (
      id bigserial PRIMARY KEY,
      opportunity_id bigint NOT NULL REFERENCES opportunities(id),
      person_id bigint NOT NULL REFERENCES people(id),
      kind text NOT NULL CHECK (kind IN ('split', 'overlay')),
      share_ppm integer NOT NULL CHECK (share_ppm > 0 AND share_ppm <= 10000000),
      UNIQUE (opportunity_id, person_id, kind)
    );
    CREATE INDEX opportunity_splits_person ON opportunity_splits (person_id);

    -- An account's territory owner over [valid_from, valid_to), for territory crediting.
    CREATE TABLE territory_assignments (
      id bigserial PRIMARY KEY,
      account_id bigint NOT NULL REFERENCES accounts(id),
      person_id bigint NOT NULL REFERENCES people(id),
      valid_from date NOT NULL,
      valid_to date,
      CHECK (valid_to IS NULL OR valid_to > valid_from)
    );
    CREATE INDEX territory_assignments_account ON territory_assignments (account_id, valid_from);

    CREATE TABLE comp_runs (
      id bigserial PRIMARY KEY,
      period text NOT NULL,
      status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
      progress jsonb NOT NULL DEFAULT '{"done":0,"total":0,"phase":"queued"}'::jsonb,
      -- The payees asked for (null: everybody the plans pay).
      payees jsonb,
      input_fingerprint text,
      -- [{ planId, version, fingerprint }]
      plan_versions jsonb NOT NULL DEFAULT '[]'::jsonb,
      summary jsonb,
      issues jsonb NOT NULL DEFAULT '[]'::jsonb,
      error jsonb,
      created_by text NOT NULL,
      created_by_user_id bigint,
      started_at timestamptz NOT NULL,
      finished_at timestamptz
    );
    CREATE INDEX comp_runs_period ON comp_runs (period, id DESC);

    -- One statement per run, payee and period: the engine's Statement as it was computed (lines with
    -- their traces and explanations), so it is served as it was paid, after any restart.
    CREATE TABLE comp_statements (
      run_id bigint NOT NULL REFERENCES comp_runs(id),
      payee text NOT NULL,
      person_id bigint REFERENCES people(id),
      period text NOT NULL,
      plan_id text NOT NULL,
      plan_version integer NOT NULL,
      payee_name text NOT NULL,
      currency char(3) NOT NULL,
      earnings_minor bigint NOT NULL,
      payable_minor bigint NOT NULL,
      line_count integer NOT NULL,
      totals jsonb NOT NULL,
      statement jsonb NOT NULL,
      PRIMARY KEY (run_id, payee, period)
    );
    CREATE INDEX comp_statements_payee ON comp_statements (payee, period, run_id DESC);
    CREATE INDEX comp_statements_period ON comp_statements (period, run_id DESC);

    -- Closing locks a period on the run that closed it: later runs never rewrite it; differences
    -- become prior-period adjustments in the open period.
    CREATE TABLE comp_closed_periods (
      period text PRIMARY KEY,
      run_id bigint NOT NULL REFERENCES comp_runs(id),
      closed_at timestamptz NOT NULL,
      closed_by text NOT NULL,
      closed_by_user_id bigint
    );

    CREATE TABLE comp_adjustments (
      id bigserial PRIMARY KEY,
      payee text NOT NULL,
      person_id bigint NOT NULL REFERENCES people(id),
      period text NOT NULL,
      amount_minor bigint NOT NULL CHECK (amount_minor <> 0),
      currency char(3) NOT NULL DEFAULT 'USD',
      reason text NOT NULL CHECK (length(reason) > 0),
      approver text NOT NULL,
      approved_by_user_id bigint,
      dispute_id bigint,
      created_at timestamptz NOT NULL
    );
    CREATE INDEX comp_adjustments_period ON comp_adjustments (period, payee);

    -- A question on one statement line; it keeps a copy of the line (trace, explanation, amount)
    -- as the payee saw it.
    CREATE TABLE comp_disputes (
      id bigserial PRIMARY KEY,
      payee text NOT NULL,
      person_id bigint NOT NULL REFERENCES people(id),
      period text NOT NULL,
      run_id bigint NOT NULL REFERENCES comp_runs(id),
      line_id text NOT NULL,
      line jsonb NOT NULL,
      status text NOT NULL CHECK (status IN ('open', 'resolved')),
      resolution text CHECK (resolution IN ('explained', 'adjusted')),
      adjustment_id bigint REFERENCES comp_adjustments(id),
      raised_by text NOT NULL,
      raised_by_user_id bigint,
      created_at timestamptz NOT NULL,
      resolved_at timestamptz,
      resolved_by text
    );
    CREATE INDEX comp_disputes_payee ON comp_disputes (payee, period);

    CREATE TABLE comp_dispute_events (
      id bigserial PRIMARY KEY,
      dispute_id bigint NOT NULL REFERENCES comp_disputes(id),
      at timestamptz NOT NULL,
      kind text NOT NULL CHECK (kind IN ('raised', 'message', 'resolved')),
      actor text NOT NULL,
      actor_user_id bigint,
      message text NOT NULL
    );
    CREATE INDEX comp_dispute_events_dispute ON comp_dispute_events (dispute_id, id);
  `.execute(db);
}
