// The dashboards' KPI requests, built in one place: the views ask them, and the page's first
// script asks them at once when it opens on a dashboard address (prefetchDashboard), before the
// session and the dashboard's code have arrived, so that the numbers are computed meanwhile. The
// two ask the same URLs by construction, and the view takes the answer already on its way.
import { api, kpiGroupBys, type KpiGroupBy, type KpiQuery } from './api.ts';
import { monthsBefore } from './dashboard-stats.ts';
import { todayIso } from './format.ts';

export type DashboardView = 'rep' | 'manager' | 'executive';
export const periodKinds = ['month', 'quarter', 'year'] as const;
export type PeriodKind = (typeof periodKinds)[number];

export type Filters = {
  view: DashboardView;
  period: PeriodKind;
  at: string | undefined;
  calendar: 'fiscal' | 'calendar';
  by: KpiGroupBy;
  rep: string | undefined;
  metric: string;
};

export const managerMetrics = [
  'won_revenue',
  'quota_attainment',
  'pipeline_coverage',
  'open_pipeline',
  'win_rate',
  'activities_per_rep_per_day',
];
export const funnelMetrics = ['stage_conversion', 'time_in_stage_days', 'stage_losses'];
export const executiveMetrics = [
  'won_revenue',
  'won_revenue_per_rep',
  'gross_margin',
  'gross_margin_rate',
  'top_decile_revenue_share',
  'top_bottom_decile_ratio',
  'sales_velocity',
  'win_rate',
];
export const executiveByMetrics = ['won_revenue', 'won_revenue_per_rep', 'gross_margin', 'win_rate'];
export const trendMetrics = ['sales_velocity', 'won_revenue', 'win_rate'];

/** The filters in a dashboard address (view: the requested one when allowed, else the first allowed). */
export function filtersOf(params: URLSearchParams, allowed: readonly DashboardView[]): Filters {
  const requestedView = params.get('view') as DashboardView | null;
  const requestedBy = params.get('by') as KpiGroupBy | null;
  return {
    view: requestedView && allowed.includes(requestedView) ? requestedView : allowed[0]!,
    period: periodKinds.find((p) => p === params.get('period')) ?? 'quarter',
    at: /^\d{4}-\d{2}-\d{2}$/.test(params.get('at') ?? '') ? params.get('at')! : undefined,
    calendar: params.get('calendar') === 'calendar' ? 'calendar' : 'fiscal',
    by: requestedBy && kpiGroupBys.includes(requestedBy) ? requestedBy : 'rep',
    rep: params.get('rep') ?? undefined,
    metric: params.get('metric') ?? 'quota_attainment',
  };
}

export function baseOf(filters: Filters): Omit<KpiQuery, 'metrics'> {
  return { period: filters.period, at: filters.at, calendar: filters.calendar };
}

/** The executive view's requests: company tiles, the table by group, the four-quarter trend, the trailing year. */
export function executiveQueries(filters: Filters) {
  const base = baseOf(filters);
  const day = filters.at ?? todayIso();
  return {
    company: { ...base, metrics: executiveMetrics, by: 'company', compare: 'prior_period' } as KpiQuery,
    byGroup: { ...base, metrics: executiveByMetrics, by: filters.by, breakdowns: false } as KpiQuery,
    // Four quarters ending with the one containing the chosen day.
    trend: {
      metrics: trendMetrics,
      by: 'company' as const,
      period: 'quarter' as const,
      at: monthsBefore(day, 9),
      calendar: base.calendar,
      count: 4,
    },
    annual: { metrics: ['won_revenue'], by: 'company', period: 'trailing_365', at: day } as KpiQuery,
  };
}

/** The manager view's requests: the team by group, and the company funnel. */
export function managerQueries(filters: Filters) {
  const base = baseOf(filters);
  return {
    team: { ...base, metrics: managerMetrics, by: filters.by, breakdowns: false } as KpiQuery,
    funnel: { ...base, metrics: funnelMetrics, by: 'company' } as KpiQuery,
  };
}

/**
 * On a dashboard address naming the executive or the manager view, asks for its numbers (and the
 * metric definitions) now. A view the caller may not open, or a signed-out caller, gets an error
 * nobody reads: the page then asks what it may.
 */
export function prefetchDashboard(location: { pathname: string; search: string }): void {
  if (location.pathname.replace(/\/+$/, '') !== '/measure/dashboard') return;
  const params = new URLSearchParams(location.search);
  const view = params.get('view');
  if (view !== 'executive' && view !== 'manager') return;
  const filters = filtersOf(params, [view]);
  // The server answers in the order asked: the session first, then the definitions, the numbers.
  api.prefetchMe();
  api.prefetchMetrics();
  if (view === 'executive') {
    const q = executiveQueries(filters);
    api.prefetchKpi(q.company);
    api.prefetchKpi(q.byGroup);
    api.prefetchKpiSeries(q.trend);
    api.prefetchKpi(q.annual);
  } else {
    const q = managerQueries(filters);
    api.prefetchKpi(q.team);
    api.prefetchKpi(q.funnel);
    api.prefetchAlerts();
  }
}
