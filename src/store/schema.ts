import type { ColumnType, Generated } from 'kysely';
import type {
  ActivityType,
  DealType,
  ForecastCategory,
  PositionRole,
  StageCategory,
} from '../domain/vocabulary.ts';
import type { Role } from '../domain/access/roles.ts';

/**
 * Row types of the tables created by src/store/migrations. `bigint` columns come back as numbers
 * (beyond Number.MAX_SAFE_INTEGER: a JS bigint, never rounded); `date` columns as
 * 'YYYY-MM-DD' strings; `timestamptz` as ISO-8601 strings; `numeric` as strings (exact).
 */
type Id = Generated<number>;
type DateText = string;
/** A jsonb column: read as parsed JSON, written as JSON text. */
type Json = ColumnType<unknown, string, string>;

export type Database = {
  settings: { key: string; value: unknown };
  regions: { id: Id; name: string };
  teams: { id: Id; name: string; region_id: number | null };
  people: {
    id: Id;
    external_key: string;
    name: string;
    email: string | null;
    hired_on: DateText | null;
    left_on: DateText | null;
    created_at: Generated<string>;
  };
  positions: { id: Id; external_key: string; title: string; role: PositionRole };
  position_holders: {
    id: Id;
    position_id: number;
    person_id: number;
    valid_from: DateText;
    valid_to: DateText | null;
  };
  position_reporting: {
    id: Id;
    position_id: number;
    parent_position_id: number | null;
    team_id: number | null;
    valid_from: DateText;
    valid_to: DateText | null;
  };
  accounts: {
    id: Id;
    external_key: string;
    name: string;
    segment: string | null;
    industry: string | null;
    region: string | null;
    country: string | null;
    employees: number | null;
    annual_revenue_minor: number | null;
    currency: Generated<string>;
    year_established: number | null;
    parent_account_id: number | null;
    parent_name: string | null;
    potential_minor: number | null;
    created_at: Generated<string>;
  };
  products: {
    id: Id;
    external_key: string;
    name: string;
    family: string | null;
    list_price_minor: number | null;
    cost_minor: number | null;
    currency: Generated<string>;
  };
  stages: { name: string; sort_order: number; category: StageCategory; default_probability: number };
  opportunities: {
    id: Id;
    external_key: string;
    name: string | null;
    account_id: number | null;
    account_ref: string | null;
    owner_person_id: number | null;
    owner_ref: string | null;
    product_id: number | null;
    product_ref: string | null;
    stage: string;
    forecast_category: ForecastCategory | null;
    probability: number | null;
    amount_minor: number | null;
    currency: Generated<string>;
    deal_type: DealType | null;
    lead_source: string | null;
    created_on: DateText | null;
    engaged_on: DateText | null;
    close_on: DateText | null;
    closed_on: DateText | null;
    /** The day a won deal was cancelled (0006); null: it stands. */
    cancelled_on: Generated<DateText | null>;
    is_closed: boolean;
    is_won: boolean;
    lost_reason: string | null;
    competitor: string | null;
    discount_bps: number | null;
    gross_margin_bps: number | null;
    contact_count: number | null;
    import_id: number | null;
    updated_at: Generated<string>;
  };
  opportunity_changes: {
    id: Id;
    opportunity_id: number;
    changed_at: string;
    field: TrackedOpportunityField;
    old_value: string | null;
    new_value: string | null;
    source: 'import' | 'source_history' | 'inferred' | 'generated' | 'user';
    import_id: number | null;
  };
  activities: {
    id: Id;
    external_key: string;
    type: ActivityType;
    person_id: number | null;
    person_ref: string | null;
    account_id: number | null;
    opportunity_id: number | null;
    occurred_at: string;
    duration_minutes: number | null;
    outcome: string | null;
    subject: string | null;
    import_id: number | null;
  };
  leads: {
    id: Id;
    external_key: string;
    source: string | null;
    owner_person_id: number | null;
    account_id: number | null;
    created_at: string;
    first_response_at: string | null;
    converted_at: string | null;
    opportunity_id: number | null;
    status: string | null;
  };
  subscriptions: {
    id: Id;
    external_key: string;
    account_id: number | null;
    product_id: number | null;
    plan: string | null;
    mrr_minor: number;
    currency: Generated<string>;
    started_on: DateText;
    ended_on: DateText | null;
    churn_reason: string | null;
  };
  invoices: {
    id: Id;
    external_key: string;
    account_id: number | null;
    subscription_id: number | null;
    opportunity_id: number | null;
    issued_on: DateText;
    due_on: DateText | null;
    amount_minor: number;
    currency: Generated<string>;
  };
  payments: {
    id: Id;
    external_key: string;
    invoice_id: number | null;
    paid_on: DateText;
    amount_minor: number;
    currency: Generated<string>;
  };
  spend: {
    id: Id;
    starts_on: DateText;
    ends_on: DateText;
    channel: string;
    category: 'marketing' | 'sales';
    amount_minor: number;
    currency: Generated<string>;
  };
  periods: {
    id: Id;
    kind: PeriodKind;
    fiscal_year: number;
    number: number;
    label: string;
    starts_on: DateText;
    ends_on: DateText;
    status: Generated<'open' | 'closed'>;
  };
  quotas: {
    id: Id;
    position_id: number;
    period_id: number;
    measure: QuotaMeasure;
    target: string;
    currency: string | null;
    method: Generated<QuotaMethod>;
    updated_at: Generated<string>;
  };
  quota_changes: {
    id: Id;
    quota_id: number;
    changed_at: string;
    old_target: string | null;
    new_target: string;
    method: string;
    reason: string | null;
  };
  imports: {
    id: Id;
    started_at: string;
    finished_at: string | null;
    status: ImportStatus;
    mapping: string;
    files: ColumnType<unknown, string, string>;
    options: ColumnType<unknown, string | undefined, string>;
    summary: ColumnType<unknown, string | null | undefined, string | null>;
    warnings: ColumnType<unknown, string | undefined, string>;
    errors: ColumnType<unknown, string | undefined, string>;
    error_count: Generated<number>;
    warning_count: Generated<number>;
  };
  users: {
    id: Id;
    email: string;
    name: string;
    role: Role;
    person_id: number | null;
    can_view_pay: Generated<boolean>;
    password_hash: string | null;
    password_changed_at: string | null;
    oidc_issuer: string | null;
    oidc_subject: string | null;
    disabled: Generated<boolean>;
    failed_sign_ins: Generated<number>;
    locked_until: string | null;
    last_sign_in_at: string | null;
    created_at: Generated<string>;
    updated_at: Generated<string>;
  };
  sessions: {
    id: Id;
    token_hash: string;
    csrf_token: string;
    user_id: number;
    created_at: string;
    expires_at: string;
    last_seen_at: string;
    revoked_at: string | null;
    revoked_reason: string | null;
    ip: string | null;
    user_agent: string | null;
    sign_in_method: 'password' | 'oidc' | 'setup_link';
  };
  api_tokens: {
    id: Id;
    user_id: number;
    name: string;
    token_hash: string;
    prefix: string;
    permissions: string[];
    created_at: string;
    expires_at: string | null;
    last_used_at: string | null;
    revoked_at: string | null;
  };
  account_links: {
    id: Id;
    token_hash: string;
    user_id: number;
    purpose: 'setup' | 'reset';
    created_by: number | null;
    created_at: string;
    expires_at: string;
    used_at: string | null;
  };
  oidc_pending: { state: string; nonce: string; code_verifier: string; created_at: string };
  audit_log: {
    id: Id;
    at: string;
    actor_user_id: number | null;
    actor: string;
    session_id: number | null;
    token_id: number | null;
    ip: string | null;
    action: string;
    entity: string;
    entity_id: string | null;
    summary: string;
    before: ColumnType<unknown, string | null, never>;
    after: ColumnType<unknown, string | null, never>;
  };
  comp_plans: {
    id: string;
    name: string;
    current_version: number;
    created_at: string;
    updated_at: string;
  };
  comp_plan_versions: {
    plan_id: string;
    version: number;
    name: string;
    period: 'month' | 'quarter';
    currency: string;
    effective_from: DateText;
    effective_to: DateText | null;
    source: string;
    document: Json;
    fingerprint: string;
    test_results: ColumnType<unknown, string | undefined, string>;
    tests_passed: Generated<number>;
    tests_failed: Generated<number>;
    created_by: string;
    created_by_user_id: number | null;
    created_at: string;
  };
  comp_plan_assignments: {
    id: Id;
    plan_id: string;
    position_id: number;
    valid_from: DateText;
    valid_to: DateText | null;
    target_incentive_minor: number | null;
    currency: Generated<string>;
    pay_mix: string | null;
    created_at: string;
  };
  opportunity_splits: {
    id: Id;
    opportunity_id: number;
    person_id: number;
    kind: 'split' | 'overlay';
    share_ppm: number;
  };
  territory_assignments: {
    id: Id;
    account_id: number;
    person_id: number;
    valid_from: DateText;
    valid_to: DateText | null;
  };
  comp_runs: {
    id: Id;
    period: string;
    status: CompRunStatus;
    progress: ColumnType<unknown, string | undefined, string>;
    payees: ColumnType<unknown, string | null | undefined, string | null>;
    input_fingerprint: string | null;
    plan_versions: ColumnType<unknown, string | undefined, string>;
    summary: ColumnType<unknown, string | null | undefined, string | null>;
    issues: ColumnType<unknown, string | undefined, string>;
    error: ColumnType<unknown, string | null | undefined, string | null>;
    created_by: string;
    created_by_user_id: number | null;
    started_at: string;
    finished_at: string | null;
  };
  comp_statements: {
    run_id: number;
    payee: string;
    person_id: number | null;
    period: string;
    plan_id: string;
    plan_version: number;
    payee_name: string;
    currency: string;
    earnings_minor: number;
    payable_minor: number;
    line_count: number;
    totals: Json;
    statement_no: number | null;
    measures: Json;
    credit_from: Json;
    legacy_lines: Json | null;
  };
  comp_statement_lines: {
    run_id: number;
    statement_no: number;
    line_no: number;
    kind: number;
    component: number | null;
    transaction_key: string | null;
    line_id: string | null;
    amount_minor: number;
    deal_name: string | null;
    deal_day: string | null;
    credit_rule: number | null;
    credit_from: number | null;
    credit_level: number | null;
    base_minor: number | null;
    share_ppm: number | null;
    credited_minor: number | null;
    method: number | null;
    basis: number | null;
    rate_ppm: number | null;
    multipliers: number | null;
    tier: number | null;
    tier_rate_ppm: number | null;
    tiers: string[] | null;
    quota_minor: number | null;
    position_before_minor: number | null;
    position_after_minor: number | null;
    raw_minor: number | null;
    cuts: string[] | null;
    threshold_value_minor: number | null;
    detail: Json | null;
    ledger: Json | null;
  };
  comp_closed_periods: {
    period: string;
    run_id: number;
    closed_at: string;
    closed_by: string;
    closed_by_user_id: number | null;
  };
  comp_adjustments: {
    id: Id;
    payee: string;
    person_id: number;
    period: string;
    amount_minor: number;
    currency: Generated<string>;
    reason: string;
    approver: string;
    approved_by_user_id: number | null;
    dispute_id: number | null;
    created_at: string;
  };
  comp_disputes: {
    id: Id;
    payee: string;
    person_id: number;
    period: string;
    run_id: number;
    line_id: string;
    line: Json;
    status: 'open' | 'resolved';
    resolution: 'explained' | 'adjusted' | null;
    adjustment_id: number | null;
    raised_by: string;
    raised_by_user_id: number | null;
    created_at: string;
    resolved_at: string | null;
    resolved_by: string | null;
  };
  forecast_submissions: {
    id: Id;
    position_id: number;
    period_id: number;
    version: number;
    kind: 'submission' | 'override';
    currency: string;
    commit_minor: number;
    most_likely_minor: number;
    best_case_minor: number;
    pipeline_minor: number;
    roll_up_minor: number | null;
    system_minor: number | null;
    note: string | null;
    as_of: DateText;
    submitted_by: string;
    submitted_by_user_id: number | null;
    submitted_at: string;
  };
  comp_dispute_events: {
    id: Id;
    dispute_id: number;
    at: string;
    kind: 'raised' | 'message' | 'resolved';
    actor: string;
    actor_user_id: number | null;
    message: string;
  };
};

export type { ActivityType, DealType, ForecastCategory, PositionRole, StageCategory };
export type TrackedOpportunityField =
  | 'stage'
  | 'amount_minor'
  | 'close_on'
  | 'probability'
  | 'owner_person_id'
  | 'forecast_category'
  | 'cancelled_on';
export type PeriodKind = 'week' | 'month' | 'quarter' | 'half' | 'year';
export type QuotaMeasure = 'revenue' | 'bookings' | 'margin' | 'units' | 'activities' | 'new_logos';
export type QuotaMethod = 'manual' | 'top_down' | 'bottom_up' | 'historical' | 'capacity' | 'generated';
export type CompRunStatus = 'running' | 'succeeded' | 'failed';
export type ImportStatus = 'running' | 'succeeded' | 'rejected' | 'dry_run' | 'failed' | 'interrupted';
