import { sql, type Kysely } from 'kysely';

/**
 * The foundation's domain model (DESIGN.md §3). Money is `bigint` minor units beside a currency
 * code; dates that put a record in a period are `date`; instants are `timestamptz`.
 * Rows imported from a source carry `external_key`, unique per table, so re-imports update in place.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE settings (
      key text PRIMARY KEY,
      value jsonb NOT NULL
    );

    CREATE TABLE regions (
      id bigserial PRIMARY KEY,
      name text NOT NULL UNIQUE
    );

    CREATE TABLE teams (
      id bigserial PRIMARY KEY,
      name text NOT NULL UNIQUE,
      region_id bigint REFERENCES regions(id)
    );

    CREATE TABLE people (
      id bigserial PRIMARY KEY,
      external_key text NOT NULL UNIQUE,
      name text NOT NULL,
      email text,
      hired_on date,
      left_on date,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    -- A position is a seat in the sales organisation (rep, manager, SDR, overlay, ...).
    CREATE TABLE positions (
      id bigserial PRIMARY KEY,
      external_key text NOT NULL UNIQUE,
      title text NOT NULL,
      role text NOT NULL CHECK (role IN ('rep', 'manager', 'sdr', 'overlay', 'director', 'executive'))
    );

    -- Who holds a position, effective-dated: [valid_from, valid_to).
    CREATE TABLE position_holders (
      id bigserial PRIMARY KEY,
      position_id bigint NOT NULL REFERENCES positions(id),
      person_id bigint NOT NULL REFERENCES people(id),
      valid_from date NOT NULL,
      valid_to date,
      CHECK (valid_to IS NULL OR valid_to > valid_from)
    );
    CREATE INDEX position_holders_person ON position_holders (person_id, valid_from);
    CREATE INDEX position_holders_position ON position_holders (position_id, valid_from);

    -- The hierarchy over time: a position's parent and team for [valid_from, valid_to).
    -- Credit and visibility follow the hierarchy as of a transaction's date.
    CREATE TABLE position_reporting (
      id bigserial PRIMARY KEY,
      position_id bigint NOT NULL REFERENCES positions(id),
      parent_position_id bigint REFERENCES positions(id),
      team_id bigint REFERENCES teams(id),
      valid_from date NOT NULL,
      valid_to date,
      CHECK (valid_to IS NULL OR valid_to > valid_from),
      CHECK (parent_position_id IS DISTINCT FROM position_id)
    );
    CREATE INDEX position_reporting_position ON position_reporting (position_id, valid_from);
    CREATE INDEX position_reporting_parent ON position_reporting (parent_position_id, valid_from);

    CREATE TABLE accounts (
      id bigserial PRIMARY KEY,
      external_key text NOT NULL UNIQUE,
      name text NOT NULL,
      segment text,
      industry text,
      region text,
      country text,
      employees integer,
      annual_revenue_minor bigint,
      currency char(3) NOT NULL DEFAULT 'USD',
      year_established integer,
      parent_account_id bigint REFERENCES accounts(id),
      parent_name text,
      potential_minor bigint,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE products (
      id bigserial PRIMARY KEY,
      external_key text NOT NULL UNIQUE,
      name text NOT NULL,
      family text,
      list_price_minor bigint,
      cost_minor bigint,
      currency char(3) NOT NULL DEFAULT 'USD'
    );

    -- The pipeline's stages, as the source names them, with what each means.
    CREATE TABLE stages (
      name text PRIMARY KEY,
      sort_order integer NOT NULL,
      category text NOT NULL CHECK (category IN ('open', 'won', 'lost')),
      default_probability integer NOT NULL CHECK (default_probability BETWEEN 0 AND 100)
    );

    CREATE TABLE opportunities (
      id bigserial PRIMARY KEY,
      external_key text NOT NULL UNIQUE,
      name text,
      account_id bigint REFERENCES accounts(id),
      account_ref text,
      owner_person_id bigint REFERENCES people(id),
      owner_ref text,
      product_id bigint REFERENCES products(id),
      product_ref text,
      stage text NOT NULL REFERENCES stages(name),
      forecast_category text CHECK (forecast_category IN ('pipeline', 'best_case', 'commit', 'closed', 'omitted')),
      probability integer CHECK (probability BETWEEN 0 AND 100),
      amount_minor bigint,
      currency char(3) NOT NULL DEFAULT 'USD',
      deal_type text CHECK (deal_type IN ('new_business', 'expansion', 'renewal')),
      lead_source text,
      created_on date,
      engaged_on date,
      close_on date,
      closed_on date,
      is_closed boolean NOT NULL,
      is_won boolean NOT NULL,
      lost_reason text,
      competitor text,
      discount_bps integer,
      gross_margin_bps integer,
      contact_count integer,
      import_id bigint,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (NOT is_won OR is_closed)
    );
    CREATE INDEX opportunities_owner ON opportunities (owner_person_id);
    CREATE INDEX opportunities_account ON opportunities (account_id);
    CREATE INDEX opportunities_close ON opportunities (close_on);

    -- Append-only: every change of a tracked field, with the value before and after. The state of
    -- the pipeline on any past day is the current row with each later change undone.
    CREATE TABLE opportunity_changes (
      id bigserial PRIMARY KEY,
      opportunity_id bigint NOT NULL REFERENCES opportunities(id),
      changed_at timestamptz NOT NULL,
      field text NOT NULL CHECK (field IN ('stage', 'amount_minor', 'close_on', 'probability', 'owner_person_id', 'forecast_category')),
      old_value text,
      new_value text,
      source text NOT NULL CHECK (source IN ('import', 'source_history', 'inferred', 'generated', 'user')),
      import_id bigint
    );
    -- Re-importing the same history adds nothing; the index also serves the as-of lookups
    -- (opportunity, field, changed after a day).
    CREATE UNIQUE INDEX opportunity_changes_once ON opportunity_changes (opportunity_id, field, changed_at, source);

    CREATE TABLE activities (
      id bigserial PRIMARY KEY,
      external_key text NOT NULL UNIQUE,
      type text NOT NULL CHECK (type IN ('call', 'email', 'meeting', 'demo', 'quote', 'follow_up', 'other')),
      person_id bigint REFERENCES people(id),
      person_ref text,
      account_id bigint REFERENCES accounts(id),
      opportunity_id bigint REFERENCES opportunities(id),
      occurred_at timestamptz NOT NULL,
      duration_minutes integer,
      outcome text,
      subject text,
      import_id bigint
    );
    CREATE INDEX activities_person_time ON activities (person_id, occurred_at);
    CREATE INDEX activities_opportunity ON activities (opportunity_id);

    CREATE TABLE leads (
      id bigserial PRIMARY KEY,
      external_key text NOT NULL UNIQUE,
      source text,
      owner_person_id bigint REFERENCES people(id),
      account_id bigint REFERENCES accounts(id),
      created_at timestamptz NOT NULL,
      first_response_at timestamptz,
      converted_at timestamptz,
      opportunity_id bigint REFERENCES opportunities(id),
      status text
    );

    CREATE TABLE subscriptions (
      id bigserial PRIMARY KEY,
      external_key text NOT NULL UNIQUE,
      account_id bigint REFERENCES accounts(id),
      product_id bigint REFERENCES products(id),
      plan text,
      mrr_minor bigint NOT NULL,
      currency char(3) NOT NULL DEFAULT 'USD',
      started_on date NOT NULL,
      ended_on date,
      churn_reason text
    );

    CREATE TABLE invoices (
      id bigserial PRIMARY KEY,
      external_key text NOT NULL UNIQUE,
      account_id bigint REFERENCES accounts(id),
      subscription_id bigint REFERENCES subscriptions(id),
      opportunity_id bigint REFERENCES opportunities(id),
      issued_on date NOT NULL,
      due_on date,
      amount_minor bigint NOT NULL,
      currency char(3) NOT NULL DEFAULT 'USD'
    );

    CREATE TABLE payments (
      id bigserial PRIMARY KEY,
      external_key text NOT NULL UNIQUE,
      invoice_id bigint REFERENCES invoices(id),
      paid_on date NOT NULL,
      amount_minor bigint NOT NULL,
      currency char(3) NOT NULL DEFAULT 'USD'
    );

    -- Marketing and sales cost by period and channel (for CAC).
    CREATE TABLE spend (
      id bigserial PRIMARY KEY,
      starts_on date NOT NULL,
      ends_on date NOT NULL,
      channel text NOT NULL,
      category text NOT NULL CHECK (category IN ('marketing', 'sales')),
      amount_minor bigint NOT NULL,
      currency char(3) NOT NULL DEFAULT 'USD',
      UNIQUE (starts_on, ends_on, channel, category)
    );

    -- The fiscal calendar's periods, generated from the fiscal-year start month.
    CREATE TABLE periods (
      id bigserial PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('week', 'month', 'quarter', 'half', 'year')),
      fiscal_year integer NOT NULL,
      number integer NOT NULL,
      label text NOT NULL,
      starts_on date NOT NULL,
      ends_on date NOT NULL,
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
      UNIQUE (kind, starts_on),
      CHECK (ends_on >= starts_on)
    );

    CREATE TABLE quotas (
      id bigserial PRIMARY KEY,
      position_id bigint NOT NULL REFERENCES positions(id),
      period_id bigint NOT NULL REFERENCES periods(id),
      measure text NOT NULL CHECK (measure IN ('revenue', 'bookings', 'margin', 'units', 'activities', 'new_logos')),
      target numeric(20, 4) NOT NULL CHECK (target >= 0),
      currency char(3),
      method text NOT NULL DEFAULT 'manual' CHECK (method IN ('manual', 'top_down', 'bottom_up', 'historical', 'capacity', 'generated')),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (position_id, period_id, measure)
    );

    -- Every change of a quota, append-only.
    CREATE TABLE quota_changes (
      id bigserial PRIMARY KEY,
      quota_id bigint NOT NULL REFERENCES quotas(id),
      changed_at timestamptz NOT NULL,
      old_target numeric(20, 4),
      new_target numeric(20, 4) NOT NULL,
      method text NOT NULL,
      reason text
    );

    CREATE TABLE imports (
      id bigserial PRIMARY KEY,
      started_at timestamptz NOT NULL,
      finished_at timestamptz,
      status text NOT NULL CHECK (status IN ('running', 'succeeded', 'rejected', 'dry_run', 'failed', 'interrupted')),
      mapping text NOT NULL,
      files jsonb NOT NULL,
      options jsonb NOT NULL DEFAULT '{}'::jsonb,
      summary jsonb,
      warnings jsonb NOT NULL DEFAULT '[]'::jsonb,
      errors jsonb NOT NULL DEFAULT '[]'::jsonb,
      error_count integer NOT NULL DEFAULT 0,
      warning_count integer NOT NULL DEFAULT 0
    );
  `.execute(db);
}
