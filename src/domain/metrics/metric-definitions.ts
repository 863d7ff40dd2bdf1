/**
 * The metric registry: one written-down definition per metric (DESIGN.md §4 "Definitions are
 * written down"). docs/metrics.md holds the same text, word for word (a test checks it), and
 * /api/metrics can serve it as it is. Terms in the definitions (won in the period, decided, the
 * counted window, credited, amount) are defined once in docs/metrics.md "Conventions".
 */
import { groupBys, personGroupBys, type GroupBy } from './metric-types.ts';

export type MetricUnit = 'money' | 'count' | 'ratio' | 'days' | 'months' | 'per_day';
export type MetricDirection = 'higher' | 'lower';
/** Lagging: records results. Leading: predicts them. Competency: how well people sell. */
export type MetricCategory = 'leading' | 'lagging' | 'competency';
/** Computed: evaluateMetrics computes it. Defined: written down, the data it needs is not in the snapshot yet. */
export type MetricStatus = 'computed' | 'defined';

export type MetricDefinition = {
  id: string;
  label: string;
  unit: MetricUnit;
  /** Whether the value is money (an exact decimal string): money metrics and money per day. */
  money: boolean;
  direction: MetricDirection;
  category: MetricCategory;
  status: MetricStatus;
  /** Formula, which records count in numerator and denominator, and which date puts a record in a period. */
  definition: string;
  /** Where practitioners disagree: the definition Attain did not pick, named. */
  alternative?: string;
  /** The groupings the metric applies to. */
  groupBys: readonly GroupBy[];
};

type Entry = Omit<MetricDefinition, 'money' | 'groupBys' | 'status'> & {
  money?: boolean;
  groupBys?: readonly GroupBy[];
  status?: MetricStatus;
};

/** Person-based groupings except a single rep: spreads over several people. */
const acrossPeople: readonly GroupBy[] = ['company', 'manager', 'team', 'region'];

const entries: Entry[] = [
  // Revenue
  {
    id: 'won_revenue',
    label: 'Won revenue',
    unit: 'money',
    direction: 'higher',
    category: 'lagging',
    definition:
      'Sum of the amounts of the deals won in the period. A deal counts when it is won as of the as-of day and its close day falls in the counted window; its amount is the one recorded at the end of the as-of day. Deals in another currency, and deals without an amount, add nothing.',
  },
  {
    id: 'won_revenue_new_business',
    label: 'Won revenue: new business',
    unit: 'money',
    direction: 'higher',
    category: 'lagging',
    definition: 'Won revenue of the deals whose deal type is new business.',
  },
  {
    id: 'won_revenue_expansion',
    label: 'Won revenue: expansion',
    unit: 'money',
    direction: 'higher',
    category: 'lagging',
    definition: 'Won revenue of the deals whose deal type is expansion (more sold to an existing customer).',
  },
  {
    id: 'won_revenue_renewal',
    label: 'Won revenue: renewal',
    unit: 'money',
    direction: 'higher',
    category: 'lagging',
    definition:
      'Won revenue of the deals whose deal type is renewal. Deals without a deal type are in none of the three, so the three add up to won revenue only when every deal has a type.',
  },
  {
    id: 'won_deals',
    label: 'Deals won',
    unit: 'count',
    direction: 'higher',
    category: 'lagging',
    definition:
      'Number of deals won in the period (by close day), in any currency, with or without an amount.',
  },
  {
    id: 'won_revenue_per_rep',
    label: 'Won revenue per rep',
    unit: 'money',
    direction: 'higher',
    category: 'lagging',
    definition:
      'Won revenue ÷ number of people in the group carrying a quota in the period (a positive quota for the period), rounded half to even to the minor unit.',
    alternative:
      'Dividing by average seller headcount counts sellers without a quota (ramping, leaving) too.',
    groupBys: personGroupBys,
  },
  {
    id: 'average_deal_size',
    label: 'Average deal size',
    unit: 'money',
    direction: 'higher',
    category: 'competency',
    definition:
      'Won revenue ÷ number of deals won in the period that have an amount in the reporting currency, rounded half to even to the minor unit.',
    alternative:
      'Some average over all closed or all created deals, or take the median; Attain takes the mean of won deals.',
  },
  // Margin
  {
    id: 'gross_margin',
    label: 'Gross margin',
    unit: 'money',
    direction: 'higher',
    category: 'lagging',
    definition:
      'Sum, over the deals won in the period that carry a gross margin, of amount × gross margin (basis points) ÷ 10,000, each deal rounded half to even to the minor unit.',
  },
  {
    id: 'gross_margin_rate',
    label: 'Gross margin rate',
    unit: 'ratio',
    direction: 'higher',
    category: 'competency',
    definition:
      'Gross margin ÷ won revenue of the same deals (won in the period, carrying a margin): amount-weighted, so a large deal weighs more than a small one.',
    alternative:
      'The plain mean of the deals’ margin percentages lets small deals weigh as much as large ones.',
  },
  {
    id: 'margin_mix',
    label: 'Margin mix',
    unit: 'ratio',
    direction: 'higher',
    category: 'lagging',
    definition:
      'The group’s gross margin ÷ the gross margin of all groups in the result: its share of the margin. Grouped by product it is the product margin mix.',
  },
  // Win and close rates
  {
    id: 'win_rate',
    label: 'Win rate',
    unit: 'ratio',
    direction: 'higher',
    category: 'competency',
    definition:
      'Deals won in the period ÷ deals decided (won or lost) in the period, both by close day. Open deals are in neither.',
    alternative:
      'Close rate divides the deals won by all deals created in a period (a cohort, open ones included); Attain calls that close_rate.',
  },
  {
    id: 'cohort_win_rate',
    label: 'Cohort win rate',
    unit: 'ratio',
    direction: 'higher',
    category: 'competency',
    definition:
      'Of the deals created in the period, those won as of the as-of day ÷ those won or lost as of the as-of day. Dated by creation day; a recent cohort is incomplete while its deals are open.',
  },
  {
    id: 'close_rate',
    label: 'Close rate (cohort)',
    unit: 'ratio',
    direction: 'higher',
    category: 'competency',
    definition:
      'Of the deals created in the period, those won as of the as-of day ÷ all of them, open ones included.',
    alternative: 'Win rate divides by the deals decided in the period instead.',
  },
  {
    id: 'competitive_win_rate',
    label: 'Win rate against competitors',
    unit: 'ratio',
    direction: 'higher',
    category: 'competency',
    definition:
      'Win rate over the deals decided in the period that name a competitor. Grouped by competitor it is the win rate against each one.',
  },
  {
    id: 'lost_deals',
    label: 'Deals lost',
    unit: 'count',
    direction: 'lower',
    category: 'lagging',
    definition:
      'Number of deals lost in the period (by close day). The breakdown counts them by lost reason.',
  },
  // Cycle and velocity
  {
    id: 'sales_cycle_days',
    label: 'Sales cycle (mean)',
    unit: 'days',
    direction: 'lower',
    category: 'competency',
    definition:
      'Mean of close day − creation day over the deals won in the period. Numerator: the days added up; denominator: the won deals with a creation day.',
    alternative:
      'Some include lost deals, or start the clock at the first qualified stage; Attain measures won deals from creation to close.',
  },
  {
    id: 'sales_cycle_median_days',
    label: 'Sales cycle (median)',
    unit: 'days',
    direction: 'lower',
    category: 'competency',
    definition: 'Median of the same cycle lengths: the middle one, or the mean of the middle two.',
  },
  {
    id: 'sales_velocity',
    label: 'Sales velocity',
    unit: 'per_day',
    money: true,
    direction: 'higher',
    category: 'leading',
    definition:
      '(Deals open on the as-of day × win rate × average deal size) ÷ mean sales cycle, in money per day: exactly open × won × won revenue × cycle deals ÷ (decided × won deals with an amount × cycle days), rounded half to even to the minor unit; null when a factor is undefined.',
  },
  // Pipeline
  {
    id: 'pipeline_created',
    label: 'Pipeline created',
    unit: 'money',
    direction: 'higher',
    category: 'leading',
    definition:
      'Sum of the amounts of the deals created in the period (by creation day), each at its amount at the end of its creation day, so a past period’s number does not move when deals are re-scoped later.',
    alternative: 'Many CRMs report the created deals at their current amount, which changes after the fact.',
  },
  {
    id: 'pipeline_created_count',
    label: 'Deals created',
    unit: 'count',
    direction: 'higher',
    category: 'leading',
    definition: 'Number of deals created in the period (creation day in the counted window).',
  },
  {
    id: 'open_pipeline',
    label: 'Open pipeline',
    unit: 'money',
    direction: 'higher',
    category: 'leading',
    definition:
      'Sum of the amounts of the deals open at the end of the as-of day, whatever their close date, credited to their owner on the as-of day. It does not depend on the period.',
  },
  {
    id: 'open_pipeline_count',
    label: 'Open deals',
    unit: 'count',
    direction: 'higher',
    category: 'leading',
    definition: 'Number of deals open at the end of the as-of day.',
  },
  {
    id: 'pipeline_coverage',
    label: 'Pipeline coverage',
    unit: 'ratio',
    direction: 'higher',
    category: 'leading',
    definition:
      'Open pipeline whose close date (as of the as-of day) falls in the period ÷ remaining quota, where remaining quota = quota − won revenue of the period so far, and at least 0. Flagged coverage_below_3x under 3. The breakdown gives the same by the deals’ stage on the as-of day. Null when nothing remains to sell. Target: the remaining quota.',
    groupBys: personGroupBys,
  },
  // Quota
  {
    id: 'quota',
    label: 'Quota',
    unit: 'money',
    direction: 'higher',
    category: 'lagging',
    definition:
      'Sum of the quota rows’ targets prorated to the period by days: a row of target T for the days [s, e) adds floor(T × (min(to, e) − s) ÷ (e − s)) − floor(T × (max(from, s) − s) ÷ (e − s)), so adjoining periods add up to T exactly. Credited to the person’s group on the last day of the overlap, or the as-of day if earlier.',
    groupBys: personGroupBys,
  },
  {
    id: 'quota_attainment',
    label: 'Quota attainment',
    unit: 'ratio',
    direction: 'higher',
    category: 'lagging',
    definition:
      'Won revenue ÷ quota, both of the period: the revenue won so far against the whole period’s quota. Target: the quota.',
    groupBys: personGroupBys,
  },
  {
    id: 'reps_at_or_above_quota',
    label: 'Reps at or above quota',
    unit: 'ratio',
    direction: 'higher',
    category: 'lagging',
    definition:
      'People carrying a quota in the group whose own won revenue in the period, credited while in the group, is at or above their quota ÷ people carrying a quota in the group.',
    groupBys: personGroupBys,
  },
  // Stages
  {
    id: 'stage_conversion',
    label: 'Stage-to-stage conversion',
    unit: 'ratio',
    direction: 'higher',
    category: 'competency',
    definition:
      'Per open stage: exits to a later stage or to won ÷ all exits from the stage (to a later, an earlier or a lost stage), from the recorded stage changes dated in the counted window. The value is the product of the stage rates over the stages with exits (the funnel yield); the breakdown has each stage’s rate with its numerator and denominator.',
  },
  {
    id: 'stage_losses',
    label: 'Deals lost by stage',
    unit: 'count',
    direction: 'lower',
    category: 'competency',
    definition:
      'Stage changes to a lost stage dated in the counted window, by the open stage the deal left: where deals die. The value counts them all; the breakdown by stage.',
  },
  {
    id: 'time_in_stage_days',
    label: 'Time in stage',
    unit: 'days',
    direction: 'lower',
    category: 'competency',
    definition:
      'Per open stage: mean days from entering the stage to leaving it, over the exits dated in the counted window; entry is the stage change into it, or the creation day when the history starts in it. The value is total days ÷ exits over all stages.',
  },
  // Activities
  {
    id: 'activities',
    label: 'Activities',
    unit: 'count',
    direction: 'higher',
    category: 'leading',
    definition:
      'Number of activities (calls, emails, meetings, demos, quotes, follow-ups, other) that occurred in the counted window, credited to the activity’s person. The breakdown counts them by type.',
  },
  {
    id: 'activities_per_rep_per_day',
    label: 'Activities per rep per day',
    unit: 'per_day',
    direction: 'higher',
    category: 'leading',
    definition:
      'Activities ÷ (people in the group with at least one activity in the counted window × Monday-to-Friday days in the counted window). The breakdown gives the same by type.',
    alternative:
      'Dividing by the whole headcount (people with no activity too) or by calendar days gives smaller numbers.',
  },
  {
    id: 'activities_per_rep_per_week',
    label: 'Activities per rep per week',
    unit: 'count',
    direction: 'higher',
    category: 'leading',
    definition: 'Activities per rep per day × 5 (a five-day week).',
  },
  {
    id: 'activities_per_opportunity',
    label: 'Activities per deal created',
    unit: 'count',
    direction: 'lower',
    category: 'leading',
    definition:
      'Activities in the counted window ÷ deals created in the period: how much activity one new deal takes.',
  },
  {
    id: 'activities_per_won_deal',
    label: 'Activities per deal won',
    unit: 'count',
    direction: 'lower',
    category: 'leading',
    definition: 'Activities in the counted window ÷ deals won in the period.',
  },
  {
    id: 'implied_daily_activities',
    label: 'Daily activities the quota implies',
    unit: 'per_day',
    direction: 'lower',
    category: 'leading',
    definition:
      'The activities a day each quota carrier needs to close the remaining quota at this period’s ratios: remaining quota ÷ average deal size × activities per deal won ÷ Monday-to-Friday days left in the period after the as-of day ÷ people carrying a quota. Null when a factor is undefined.',
    groupBys: personGroupBys,
  },
  // Concentration and ramp
  {
    id: 'top_decile_revenue_share',
    label: 'Revenue share of the top 10% of reps',
    unit: 'ratio',
    direction: 'lower',
    category: 'lagging',
    definition:
      'Won revenue of the top 10% of the group’s people by won revenue ÷ won revenue of all of them. The people: those carrying a quota in the period and anyone credited with a deal won in it; the top 10% is k = max(1, round(n ÷ 10)) people, ties broken by person id.',
    groupBys: acrossPeople,
  },
  {
    id: 'top_bottom_decile_ratio',
    label: 'Top-decile to bottom-decile revenue',
    unit: 'ratio',
    direction: 'lower',
    category: 'lagging',
    definition:
      'Won revenue of the top k people ÷ won revenue of the bottom k (the same k and people as the top-decile share, so it is also the ratio of their means). Needs at least two people; null when the bottom decile sold nothing.',
    groupBys: acrossPeople,
  },
  {
    id: 'ramp_months',
    label: 'Ramp time',
    unit: 'months',
    direction: 'lower',
    category: 'competency',
    definition:
      'For the people hired in the period who carry a quota: the first complete tenure month (month k runs from the hire day + k − 1 months to the hire day + k months) whose won revenue reached the benchmark, the median over tenured sellers of their won revenue in the 365 days to the as-of day ÷ 12. Tenured sellers: hired at least 365 days before those 365 days began, still employed on the as-of day, carrying a quota that overlaps them. The value is the mean over the hires who reached it; the others count in hires_still_ramping. Grouped as of the hire day.',
    groupBys: personGroupBys,
  },
  {
    id: 'hires_still_ramping',
    label: 'Hires still ramping',
    unit: 'count',
    direction: 'lower',
    category: 'competency',
    definition:
      'People hired in the period who carry a quota and have not yet had a complete tenure month at the ramp benchmark.',
    groupBys: personGroupBys,
  },
  // Defined, not yet computed: subscriptions, spend, leads and forecasts are not in the snapshot yet.
  {
    id: 'mrr',
    label: 'Monthly recurring revenue',
    unit: 'money',
    direction: 'higher',
    category: 'lagging',
    status: 'defined',
    definition:
      'Sum of the monthly recurring revenue of the subscriptions active at the end of the as-of day (started on or before it, not ended on or before it), in the reporting currency.',
  },
  {
    id: 'logo_churn_rate',
    label: 'Logo churn',
    unit: 'ratio',
    direction: 'lower',
    category: 'lagging',
    status: 'defined',
    definition:
      'Customers (accounts with an active subscription) at the start of the period that have none at its end ÷ customers at the start of the period. Customers won during the period are in neither.',
  },
  {
    id: 'mrr_churn_rate',
    label: 'MRR churn',
    unit: 'ratio',
    direction: 'lower',
    category: 'lagging',
    status: 'defined',
    definition:
      '(MRR lost to cancellations + MRR lost to downgrades, contraction) in the period, from the customers at its start ÷ MRR at the start of the period.',
    alternative: 'Some report cancellations only (leaving contraction out); Attain includes contraction.',
  },
  {
    id: 'gross_revenue_retention',
    label: 'Gross revenue retention',
    unit: 'ratio',
    direction: 'higher',
    category: 'lagging',
    status: 'defined',
    definition:
      'MRR at the end of the period from the customers at its start, with each customer capped at their starting MRR (no expansion) ÷ their MRR at the start. At most 1.',
  },
  {
    id: 'net_revenue_retention',
    label: 'Net revenue retention',
    unit: 'ratio',
    direction: 'higher',
    category: 'lagging',
    status: 'defined',
    definition:
      'MRR at the end of the period from the customers at its start (expansion added, contraction and churn taken off) ÷ their MRR at the start. New customers are left out.',
    alternative:
      'Some leave contraction out of NRR (only churn and expansion); Attain takes contraction off.',
  },
  {
    id: 'cac',
    label: 'Customer acquisition cost',
    unit: 'money',
    direction: 'lower',
    category: 'lagging',
    status: 'defined',
    definition:
      'Fully loaded, blended: all marketing and sales spend dated in the period (programmes, sales compensation, tools, travel) ÷ new customers (accounts whose first won new-business deal closed in the period). By channel: the channel’s spend ÷ the new customers whose first deal came from the lead source of that name.',
    alternative:
      'Program-only CAC counts marketing programme spend only (no salaries or tools); paid CAC divides paid spend by paid-channel customers only.',
  },
  {
    id: 'customer_lifetime_value',
    label: 'Customer lifetime value',
    unit: 'money',
    direction: 'higher',
    category: 'lagging',
    status: 'defined',
    definition:
      'Average MRR per customer at the end of the period × gross margin rate ÷ monthly logo churn rate (the trailing 12 months’ logo churn ÷ 12).',
  },
  {
    id: 'lead_response_time',
    label: 'Lead response time',
    unit: 'days',
    direction: 'lower',
    category: 'leading',
    status: 'defined',
    definition:
      'Median time from a lead’s creation to its first response, in days (fractions of a day), over the leads created in the period that had a response by the end of the as-of day; the unanswered ones are counted beside it.',
  },
  {
    id: 'lead_conversion_rate',
    label: 'Lead conversion',
    unit: 'ratio',
    direction: 'higher',
    category: 'leading',
    status: 'defined',
    definition:
      'Of the leads created in the period, those converted to a deal by the end of the as-of day ÷ all of them (a cohort by creation day).',
  },
  {
    id: 'forecast_accuracy',
    label: 'Forecast accuracy',
    unit: 'ratio',
    direction: 'higher',
    category: 'lagging',
    status: 'defined',
    definition:
      '1 − WAPE, where WAPE = Σ |forecast − actual| ÷ Σ actual over the people of the group for the period, the forecast being the one submitted at the forecast’s cut-off and the actual the won revenue of the period.',
    alternative:
      '1 − |F − A| ÷ A at the total lets over- and under-forecasts of different people cancel out; WAPE does not.',
  },
];

/** Every metric, computed or defined only, in the order docs/metrics.md lists them. */
export const metricDefinitions: readonly MetricDefinition[] = entries.map((entry) => ({
  ...entry,
  money: entry.money ?? entry.unit === 'money',
  status: entry.status ?? 'computed',
  groupBys: entry.groupBys ?? groupBys,
}));

const byId = new Map(metricDefinitions.map((definition) => [definition.id, definition]));

/** The definition of a metric id, or undefined. */
export function findMetricDefinition(id: string): MetricDefinition | undefined {
  return byId.get(id);
}
