/**
 * The shapes the metrics engine takes and returns (docs/metrics.md defines every metric). Plain
 * data in, plain data out: the engine reads columnar snapshots and small dimension tables, and
 * returns one row per group with one value per metric.
 *
 * Days are day numbers (days since 1970-01-01, src/domain/calendar/day-number.ts). Every day range
 * here is half-open: `from` is the first day in it, `to` the first day after it.
 */
import type { ActivitySnapshot } from '../snapshot/activity-snapshot.ts';
import type { OpportunitySnapshot } from '../snapshot/opportunity-snapshot.ts';

/** How the rows of a result are grouped. Person-based groupings follow the hierarchy as of each record's day. */
export const groupBys = [
  'company',
  'rep',
  'manager',
  'team',
  'region',
  'segment',
  'industry',
  'product',
  'lead_source',
  'competitor',
  'deal_type',
  'lost_reason',
] as const;
export type GroupBy = (typeof groupBys)[number];

/** Groupings that follow the person a record is credited to (and so can carry a quota). */
export const personGroupBys: readonly GroupBy[] = ['company', 'rep', 'manager', 'team', 'region'];

/** Where a person sits in the hierarchy on a day. */
export type Assignment = { managerId: number | null; teamId: number | null; regionId: number | null };

/** The effective-dated hierarchy as interval rows: the person's assignment on the days [from, to). */
export type AssignmentRow = Assignment & { personId: number; from: number; to: number };

export type PersonDimension = {
  id: number;
  name: string;
  /** First day employed (for ramp); null when unknown. */
  hiredOn?: number | null;
  /** First day no longer employed; null while employed. */
  leftOn?: number | null;
};

export type AccountDimension = { id: number; segment: string | null; industry: string | null };
export type NamedDimension = { id: number; name: string };

export type MetricDimensions = {
  people: readonly PersonDimension[];
  /**
   * The effective-dated hierarchy: interval rows (fast: compiled to typed arrays once per request)
   * or a function (called once per counted record for manager/team/region groupings).
   */
  assignments: readonly AssignmentRow[] | ((personId: number, day: number) => Assignment | null);
  accounts?: readonly AccountDimension[];
  products?: readonly NamedDimension[];
  teams?: readonly NamedDimension[];
  regions?: readonly NamedDimension[];
  /** Label of the single group of `groupBy: 'company'`. Default 'Company'. */
  companyName?: string;
};

/**
 * A person's target for the days [from, to), in minor units of the reporting currency. Pass the
 * individual quotas of the people who carry them (reps): a manager's roll-up quota passed as well
 * would be counted twice in the manager's team.
 */
export type QuotaRow = { personId: number; from: number; to: number; targetMinor: number };

export type MetricsInput = {
  opportunities: OpportunitySnapshot;
  activities: ActivitySnapshot;
  dimensions: MetricDimensions;
  quotas: readonly QuotaRow[];
  /**
   * The caller's data scope: a record counts only when the person it is credited to is visible on
   * the record's day. Records without an owner count only when no scope is given. Default: all.
   */
  visible?: (personId: number, day: number) => boolean;
};

/** Days [from, to). */
export type PeriodSpan = { from: number; to: number; label?: string };

/** The period a request measures, and optionally the one `compareTo: 'prior_period'` compares it with. */
export type MetricPeriod = PeriodSpan & {
  /** The previous period of the same kind (metric-periods.ts fills it); default: the same number of days just before. */
  prior?: PeriodSpan;
};

export type MetricsRequest = {
  /** Metric ids from the registry (metric-definitions.ts). */
  metrics: readonly string[];
  groupBy: GroupBy;
  period: MetricPeriod;
  /** The last day whose events count (its end): nothing dated after it is seen. */
  asOf: number;
  compareTo?: 'prior_period';
  /**
   * Money metrics count only deals in this currency (ISO 4217). Required when the snapshot holds
   * more than one currency; otherwise the one it holds (or 'USD' when it holds none).
   */
  currency?: string;
  /** Decimal places of the currency's minor unit. Default 2. */
  currencyDigits?: number;
  /** Return, per group and metric, the ids of the records that make the number. */
  withRecords?: boolean;
  /**
   * Parts of a metric by stage, activity type or lost reason (`breakdown`). Default true; false
   * leaves them out (the value, its numerator and denominator stay), for large groupings whose
   * parts are not shown.
   */
  breakdowns?: boolean;
  /** Only the group whose key, as text, is this ('null' for the no-group row). */
  group?: string;
};

/** A money amount as an exact decimal string ("1234.50"), or a plain number. */
export type MetricNumber = number | string;

export type BreakdownEntry = {
  /** The part's key (a stage, an activity type, a lost reason); null for "none". */
  key: string | null;
  label: string;
  value: MetricNumber | null;
  numerator?: MetricNumber;
  denominator?: MetricNumber;
};

export type MetricRecords = { kind: 'opportunity' | 'activity' | 'person'; ids: number[] };

export type PriorValue = {
  value: MetricNumber | null;
  numerator?: MetricNumber;
  denominator?: MetricNumber;
};

export type MetricValue = {
  /** Money: exact decimal string; everything else a number; null when undefined (nothing to divide by). */
  value: MetricNumber | null;
  numerator?: MetricNumber;
  denominator?: MetricNumber;
  /** The quota the value is measured against, where one applies (money, exact decimal). */
  target?: string;
  /** Parts of the value (by stage, activity type, lost reason): their numerators add up to the value's. */
  breakdown?: BreakdownEntry[];
  /** Conditions worth a flag, e.g. 'coverage_below_3x'. */
  flags?: string[];
  prior?: PriorValue;
  /** value − prior value (money as exact decimal), null when either is null. */
  change?: MetricNumber | null;
  records?: MetricRecords;
};

export type GroupResult = {
  /** Person, team, region or product id; a string for segment, industry and the dictionary groupings; null for "none". */
  key: string | number | null;
  label: string;
  metrics: Record<string, MetricValue>;
};

export const metricIssueCodes = [
  'not_computed', // the metric is defined but the data it needs is not in the snapshot yet
  'not_applicable', // the metric does not apply to this grouping (a quota by product)
  'other_currency', // deals in another currency left out of money metrics
  'missing_amount', // deals without an amount: counted, but add nothing to money metrics
  'closed_without_date', // closed deals with neither closed_on nor close_on: in no period
  'negative_cycle', // won deals closed before they were created: left out of the sales cycle
  'unknown_stage', // stage changes from or to a stage the stages table does not define
  'no_quota', // a quota-based metric asked for where no quota applies
] as const;
export type MetricIssueCode = (typeof metricIssueCodes)[number];

/** An expected data condition, reported beside the result rather than thrown. */
export type MetricIssue = { code: MetricIssueCode; message: string; metric?: string; count?: number };

export type MetricsResult = {
  groupBy: GroupBy;
  period: PeriodSpan;
  asOf: number;
  currency: string;
  /** The period and as-of day the prior values were computed for, when compareTo was given. */
  prior?: PeriodSpan & { asOf: number };
  groups: GroupResult[];
  issues: MetricIssue[];
};
