import {
  createContext,
  useContext,
  useDeferredValue,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import {
  api,
  kpiGroupBys,
  queryString,
  seriesReports,
  type KpiGroup,
  type KpiGroupBy,
  type KpiQuery,
  type AlertKind,
  type KpiReport,
  type KpiValue,
  type MetricDefinition,
  type Role,
} from '../api.ts';
import {
  addDays,
  formatMetric,
  growthStageOf,
  growthStages,
  histogram,
  type HistogramBin,
  median,
  metricValues,
  rankedBy,
  tiers,
  toNumber,
  topDecile,
  weekdaysBetween,
} from '../dashboard-stats.ts';
import { EChart, preloadCharts, type ChartOption } from '../components/echart.tsx';
import { ArrowLeftIcon } from '../components/icons.tsx';
import { ExportLinks, KpiNumber, KpiTable, MetricLabel, type MetricIndex } from '../components/kpi-table.tsx';
import { PageHeader } from '../components/page-header.tsx';
import { ProblemAlert } from '../components/problem-alert.tsx';
import { RecordsDrilldown, type DrillTarget } from '../components/records-drilldown.tsx';
import {
  baseOf,
  executiveByMetrics,
  executiveMetrics,
  executiveQueries,
  filtersOf,
  funnelMetrics,
  managerMetrics,
  managerQueries,
  periodKinds,
  trendMetrics,
  type DashboardView,
  type Filters,
  type PeriodKind,
} from '../dashboard-queries.ts';
import { formatDay, humanize, todayIso } from '../format.ts';
import { Link, navigate, usePathname, useSearchParams } from '../router.tsx';
import { useSession } from '../session.tsx';
import { useLoad, type Loaded } from '../use-load.ts';

export type { DashboardView } from '../dashboard-queries.ts';

const viewLabels: Record<DashboardView, string> = { rep: 'Rep', manager: 'Manager', executive: 'Executive' };

/** Who opens which view: a rep their own, a manager theirs or a rep's, everyone who sees all any. */
function viewsFor(role: Role): DashboardView[] {
  if (role === 'sales_rep') return ['rep'];
  if (role === 'sales_manager') return ['manager', 'rep'];
  return ['executive', 'manager', 'rep'];
}

const repLeading = ['pipeline_created', 'open_pipeline', 'pipeline_coverage', 'activities_per_rep_per_day'];
const repOutcomes = ['won_revenue', 'win_rate', 'average_deal_size', 'quota_attainment'];
const repMetrics = [...repLeading, ...repOutcomes, 'quota', 'implied_daily_activities'];

const chartColors = { top: '#067647', middle: '#4f46e5', bottom: '#b54708', muted: '#98a2b3' };

/**
 * Dashboards (`/measure/dashboard`): the rep's leading indicators and outcomes, the manager's team
 * distribution and funnel, the executive's growth and concentration, all from GET /api/kpi in
 * the caller's scope. Filters live in the URL so a view can be shared; every number opens the
 * deals behind it.
 */
export function DashboardPage() {
  // Every view draws charts: ECharts is fetched and compiled while the numbers are computed.
  useEffect(preloadCharts, []);
  const { user } = useSession();
  const pathname = usePathname();
  const params = useSearchParams();
  const definitions = useLoad(() => api.metrics(), []);
  const [drill, setDrill] = useState<DrillTarget | null>(null);

  const allowed = viewsFor(user.role);
  const filters = filtersOf(params, allowed);
  const go = (change: Partial<Filters>) => {
    const next = { ...filters, ...change };
    setDrill(null);
    navigate(
      `${pathname}${queryString({
        view: next.view,
        period: next.period,
        at: next.at,
        calendar: next.calendar === 'fiscal' ? undefined : next.calendar,
        by: next.by === 'rep' ? undefined : next.by,
        rep: next.rep,
        metric: next.metric === 'quota_attainment' ? undefined : next.metric,
      })}`,
    );
  };
  const base = baseOf(filters);

  const index: MetricIndex = useMemo(
    () => new Map((definitions.data ?? []).map((d: MetricDefinition) => [d.id, d])),
    [definitions.data],
  );
  const context: ViewContext = { filters, base, metrics: index, onDrill: setDrill, go };

  return (
    <>
      <Link to="/measure" className="back-link">
        <ArrowLeftIcon /> {user.personId === null ? 'Measure' : 'My scorecard'}
      </Link>
      <PageHeader
        title="Dashboards"
        tagline="Leading indicators and outcomes against targets, the team’s spread and the company’s growth. Click any number to see the deals behind it."
      />
      <form
        className="toolbar toolbar-wrap dashboard-filters"
        aria-label="Dashboard filters"
        onSubmit={(e) => e.preventDefault()}
      >
        {allowed.length > 1 && (
          <div className="segmented" role="group" aria-label="View">
            {allowed.map((view) => (
              <button
                key={view}
                type="button"
                className={`button button-small ${filters.view === view ? 'button-primary' : 'button-secondary'}`}
                aria-pressed={filters.view === view}
                onClick={() => go({ view })}
              >
                {viewLabels[view]}
              </button>
            ))}
          </div>
        )}
        <div className="field field-inline">
          <label htmlFor="dashboard-period">Period</label>
          <select
            id="dashboard-period"
            value={filters.period}
            onChange={(e) => go({ period: e.target.value as PeriodKind })}
          >
            {periodKinds.map((kind) => (
              <option key={kind} value={kind}>
                {humanize(kind)}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor="dashboard-at">Containing</label>
          <input
            id="dashboard-at"
            className="input"
            type="date"
            value={filters.at ?? todayIso()}
            onChange={(e) => go({ at: e.target.value || undefined })}
          />
        </div>
        <div className="field field-inline">
          <label htmlFor="dashboard-calendar">Calendar</label>
          <select
            id="dashboard-calendar"
            value={filters.calendar}
            onChange={(e) => go({ calendar: e.target.value as Filters['calendar'] })}
          >
            <option value="fiscal">Fiscal</option>
            <option value="calendar">Calendar</option>
          </select>
        </div>
        {filters.view !== 'rep' && (
          <div className="field field-inline">
            <label htmlFor="dashboard-by">Group by</label>
            <select
              id="dashboard-by"
              value={filters.by}
              onChange={(e) => go({ by: e.target.value as KpiGroupBy })}
            >
              {kpiGroupBys
                .filter((by) => by !== 'company')
                .map((by) => (
                  <option key={by} value={by}>
                    {humanize(by)}
                  </option>
                ))}
            </select>
          </div>
        )}
      </form>

      {definitions.problem && (
        <ProblemAlert problem={definitions.problem} lead="Could not load the metric definitions." />
      )}
      {drill && <RecordsDrilldown target={drill} onClose={() => setDrill(null)} />}
      {/* The view asks for its numbers while the definitions load; it shows them once both are here. */}
      {!definitions.problem && (
        <DefinitionsLoaded.Provider value={definitions.data !== null}>
          {filters.view === 'rep' ? (
            <RepView {...context} />
          ) : filters.view === 'manager' ? (
            <ManagerView {...context} />
          ) : (
            <ExecutiveView {...context} />
          )}
        </DefinitionsLoaded.Provider>
      )}
    </>
  );
}

type ViewContext = {
  filters: Filters;
  base: Omit<KpiQuery, 'metrics'>;
  metrics: MetricIndex;
  onDrill: (target: DrillTarget) => void;
  go: (change: Partial<Filters>) => void;
};

/** Whether the metric definitions (labels, units, directions) the numbers are shown with are here. */
const DefinitionsLoaded = createContext(true);

/** Loading, a problem, or the loaded report (shown once the definitions are here too). */
function Loading({
  loaded,
  what,
  children,
}: {
  loaded: Pick<Loaded<unknown>, 'data' | 'problem'>;
  what: string;
  children: ReactNode;
}) {
  const definitionsLoaded = useContext(DefinitionsLoaded);
  if (loaded.problem) return <ProblemAlert problem={loaded.problem} lead={`Could not load ${what}.`} />;
  if (!loaded.data || !definitionsLoaded)
    return (
      <section className="card" aria-busy="true">
        <p className="muted">Loading {what}…</p>
      </section>
    );
  return <>{children}</>;
}

/** Where a chart will be, in a box of its size, while the numbers beside it are shown first. */
function ChartPlaceholder({ height = 260 }: { height?: number }) {
  return <div className="chart" style={{ height }} aria-busy="true" />;
}

function EmptyNumbers({ report }: { report: KpiReport }) {
  return (
    <section className="card empty-state" data-testid="dashboard-empty">
      <h2>No numbers for {report.period.label ?? 'this period'}</h2>
      <p className="empty-state-lead">
        Nothing in your scope was won, created or logged between {formatDay(report.period.from)} and{' '}
        {formatDay(addDays(report.period.to, -1))}. Choose another period above; if none has numbers, the
        opportunities, activities and quotas have not been imported yet (Data page).
      </p>
    </section>
  );
}

function periodLine(report: KpiReport): string {
  return `${report.period.label ?? ''} (${formatDay(report.period.from)} – ${formatDay(addDays(report.period.to, -1))}), as of ${formatDay(report.asOf)}, in ${report.currency}`;
}

function hasNumbers(report: KpiReport): boolean {
  return report.groups.some((group) =>
    Object.values(group.metrics).some((v) => toNumber(v.value) !== null && toNumber(v.value) !== 0),
  );
}

// ---------------------------------------------------------------- rep

function RepView({ filters, base, metrics, onDrill, go }: ViewContext) {
  const { user } = useSession();
  const reps = useLoad(
    () => api.kpi({ ...base, metrics: repMetrics, by: 'rep', breakdowns: false }),
    [base.period, base.at, base.calendar],
  );
  const day = filters.at ?? todayIso();
  const today = useLoad(
    () =>
      api.kpi({ metrics: ['activities'], by: 'rep', period: 'trailing_1', at: day, calendar: base.calendar }),
    [day, base.calendar],
  );
  const month = useLoad(
    () => api.kpi({ metrics: ['activities'], by: 'rep', period: 'month', at: day, calendar: base.calendar }),
    [day, base.calendar],
  );

  return (
    <Loading loaded={reps} what="the rep dashboard">
      {reps.data &&
        (() => {
          const report = reps.data;
          const groups = report.groups;
          const wanted = filters.rep ?? (user.personId === null ? undefined : String(user.personId));
          const subject =
            groups.find((g) => String(g.key) === wanted) ??
            groups.find((g) => toNumber(g.metrics.quota?.value) !== 0) ??
            groups[0];
          if (!subject) return <EmptyNumbers report={report} />;
          const comparable = groups.length >= 2;
          const find = (r: KpiReport | null) => r?.groups.find((g) => String(g.key) === String(subject.key));
          return (
            <div className="dashboard" data-testid="rep-dashboard" data-person-id={String(subject.key)}>
              <section className="card" aria-labelledby="rep-title">
                <div className="card-header">
                  <div>
                    <h2 id="rep-title">{subject.label}</h2>
                    <p className="card-description">{periodLine(report)}</p>
                  </div>
                  {groups.length > 1 && (
                    <div className="field field-inline">
                      <label htmlFor="dashboard-rep">Rep</label>
                      <select
                        id="dashboard-rep"
                        value={String(subject.key)}
                        onChange={(e) => go({ rep: e.target.value })}
                      >
                        {groups.map((g) => (
                          <option key={String(g.key)} value={String(g.key)}>
                            {g.label}
                          </option>
                        ))}
                      </select>
                    </div>
                  )}
                </div>
                {!comparable && (
                  <p className="notice" data-testid="no-team-comparison">
                    You can see only your own numbers, so there is no team median or top decile to compare
                    with: team comparisons need a manager’s view.
                  </p>
                )}
                <ActivityPacing
                  subject={subject}
                  todayGroup={find(today.data)}
                  monthReport={month.data}
                  monthGroup={find(month.data)}
                  asOf={report.asOf}
                />
                <h3 className="dashboard-subheading">Leading indicators</h3>
                <RepTiles
                  ids={repLeading}
                  subject={subject}
                  report={report}
                  comparable={comparable}
                  metrics={metrics}
                  onDrill={onDrill}
                  base={base}
                />
                <h3 className="dashboard-subheading">Outcomes</h3>
                <RepTiles
                  ids={repOutcomes}
                  subject={subject}
                  report={report}
                  comparable={comparable}
                  metrics={metrics}
                  onDrill={onDrill}
                  base={base}
                />
              </section>
            </div>
          );
        })()}
    </Loading>
  );
}

/** Each metric against the rep's own target, the team median and the top decile. */
function RepTiles({
  ids,
  subject,
  report,
  comparable,
  metrics,
  onDrill,
  base,
}: {
  ids: string[];
  subject: KpiGroup;
  report: KpiReport;
  comparable: boolean;
  metrics: MetricIndex;
  onDrill: (target: DrillTarget) => void;
  /** The page's query (period, day, calendar): a click asks it for the rep's records. */
  base: Omit<KpiQuery, 'metrics'>;
}) {
  return (
    <dl className="metric-grid metric-grid-4">
      {ids.map((id) => {
        const definition = metrics.get(id);
        const value = subject.metrics[id];
        const values = metricValues(report.groups, id);
        const target =
          id === 'activities_per_rep_per_day'
            ? formatMetric(
                metrics.get('implied_daily_activities'),
                subject.metrics.implied_daily_activities?.value,
                report.currency,
              )
            : id === 'won_revenue' && subject.metrics.quota?.value !== undefined
              ? formatMetric(metrics.get('quota'), subject.metrics.quota.value, report.currency)
              : id === 'quota_attainment'
                ? '100.0%'
                : id === 'pipeline_coverage'
                  ? '3.0×'
                  : value?.target !== undefined
                    ? formatMetric(definition, value.target, report.currency)
                    : null;
        return (
          <MetricTile
            key={id}
            id={id}
            testId="rep"
            value={value}
            metrics={metrics}
            currency={report.currency}
            onDrill={onDrill}
            drill={{ query: { ...base, metrics: [id], by: 'rep', group: String(subject.key) }, metric: id }}
            flag={
              value?.flags?.includes('coverage_below_3x') && (
                <span className="badge badge-danger badge-inline">Below 3:1</span>
              )
            }
          >
            <span>{target === null ? 'No target' : `Target ${target}`}</span>
            {comparable && (
              <>
                {' · '}
                <span>Median {formatMetric(definition, median(values), report.currency)}</span>
                {' · '}
                <span>
                  Top 10%{' '}
                  {formatMetric(
                    definition,
                    topDecile(values, definition?.direction ?? 'higher'),
                    report.currency,
                  )}
                </span>
              </>
            )}
          </MetricTile>
        );
      })}
    </dl>
  );
}

/** "Target N activities a day: X made today, Y short; Z short this month." */
function ActivityPacing({
  subject,
  todayGroup,
  monthReport,
  monthGroup,
  asOf,
}: {
  subject: KpiGroup;
  todayGroup: KpiGroup | undefined;
  monthReport: KpiReport | null;
  monthGroup: KpiGroup | undefined;
  asOf: string;
}) {
  const implied = toNumber(subject.metrics.implied_daily_activities?.value);
  if (implied === null)
    return (
      <p className="notice" data-testid="activity-pacing">
        No daily activity target yet: it follows from the remaining quota, the average won deal and the
        activities a won deal took this period, and one of them is missing (no quota, nothing won yet, or
        nothing left to sell).
      </p>
    );
  const target = Math.ceil(implied);
  const madeToday = toNumber(todayGroup?.metrics.activities?.value) ?? 0;
  const monthMade = toNumber(monthGroup?.metrics.activities?.value) ?? 0;
  const monthDays = monthReport
    ? weekdaysBetween(
        monthReport.period.from,
        addDays(
          monthReport.asOf < monthReport.period.to ? monthReport.asOf : addDays(monthReport.period.to, -1),
          1,
        ),
      )
    : 0;
  const monthShort = Math.max(0, target * monthDays - monthMade);
  return (
    <p className="notice pacing" data-testid="activity-pacing">
      Target <strong>{target}</strong> activities a day: <strong>{madeToday}</strong> made on{' '}
      {formatDay(asOf)}, {madeToday >= target ? 'on target' : `${target - madeToday} short`};{' '}
      {monthReport
        ? monthShort === 0
          ? 'on pace this month'
          : `${monthShort} short this month`
        : 'month loading…'}
      <span className="muted"> (all activity types; the target is what the remaining quota implies)</span>
    </p>
  );
}

// ---------------------------------------------------------------- manager

function ManagerView({ filters, base, metrics, onDrill, go }: ViewContext) {
  const queries = managerQueries(filters);
  const team = useLoad(() => api.kpi(queries.team), [base.period, base.at, base.calendar, filters.by]);
  const funnel = useLoad(() => api.kpi(queries.funnel), [base.period, base.at, base.calendar]);
  const metric = managerMetrics.includes(filters.metric) ? filters.metric : 'quota_attainment';
  const definition = metrics.get(metric);
  // The table first: the charts are drawn in a render after the one that shows it (React's
  // deferred value), so a team of thousands does not hold its rows back while ECharts lays out.
  const chartReport = useDeferredValue(team.data);

  return (
    <div className="dashboard" data-testid="manager-dashboard">
      <AlertsCard onDrill={onDrill} />
      <Loading loaded={team} what="the team">
        {team.data &&
          (() => {
            const report = team.data;
            if (!hasNumbers(report)) return <EmptyNumbers report={report} />;
            const chartsReady = chartReport === report;
            const tierMap = tiers(report.groups, metric, definition?.direction ?? 'higher');
            const sorted = rankedBy(
              report.groups.filter((g) => toNumber(g.metrics[metric]?.value) !== null),
              metric,
              'highest',
            );
            const elapsed = elapsedShare(report);
            const behind = report.groups.filter((g) => {
              const attainment = toNumber(g.metrics.quota_attainment?.value);
              return attainment !== null && attainment < elapsed;
            });
            const coverageAll = report.groups.filter((g) => g.metrics.pipeline_coverage?.value !== null);
            // Beyond a readable number of bars, the ones most in need: the lowest coverage.
            const coverage =
              coverageAll.length <= barsPerGroupUpTo
                ? coverageAll
                : rankedBy(coverageAll, 'pipeline_coverage', 'lowest').slice(0, barsPerGroupUpTo);
            const behindShown = rankedBy(behind, 'quota_attainment', 'lowest').slice(0, behindListed);
            const byLabel = humanize(filters.by).toLowerCase();
            return (
              <>
                <section className="card" aria-labelledby="distribution-title">
                  <div className="card-header">
                    <div>
                      <h2 id="distribution-title">Distribution by {byLabel}</h2>
                      <p className="card-description">
                        {periodLine(report)}. Top 10% in green, bottom 10% in orange.
                      </p>
                    </div>
                    <div className="field field-inline">
                      <label htmlFor="dashboard-metric">Metric</label>
                      <select
                        id="dashboard-metric"
                        value={metric}
                        onChange={(e) => go({ metric: e.target.value })}
                      >
                        {managerMetrics.map((id) => (
                          <option key={id} value={id}>
                            {metrics.get(id)?.label ?? id}
                          </option>
                        ))}
                      </select>
                    </div>
                  </div>
                  {!chartsReady ? (
                    <ChartPlaceholder />
                  ) : sorted.length <= barsPerGroupUpTo ? (
                    <EChart
                      testId="distribution-chart"
                      label={`${definition?.label ?? metric} by ${byLabel}: ${groupValues(sorted, definition, metric, report.currency)}`}
                      option={barOption(
                        sorted.map((g) => g.label),
                        sorted.map((g) => ({
                          value: toNumber(g.metrics[metric]?.value) ?? 0,
                          itemStyle: { color: chartColors[tierMap.get(g.key) ?? 'middle'] },
                        })),
                        (v) => formatMetric(definition, v, report.currency),
                      )}
                      onBarClick={(i) => {
                        const g = sorted[i];
                        if (g)
                          onDrill({
                            title: `${definition?.label ?? metric} of ${g.label}`,
                            value: formatMetric(definition, g.metrics[metric]?.value, report.currency),
                            load: {
                              query: { ...base, metrics: [metric], by: filters.by, group: String(g.key) },
                              metric,
                            },
                          });
                      }}
                    />
                  ) : (
                    (() => {
                      // Thousands of bars would take the browser seconds and show nothing one can
                      // read: a histogram of how many have each value; the table names each one.
                      const bins = histogram(
                        sorted.map((g) => ({
                          value: toNumber(g.metrics[metric]!.value)!,
                          tier: tierMap.get(g.key) ?? 'middle',
                        })),
                      );
                      const range = (b: HistogramBin) =>
                        `${formatMetric(definition, b.from, report.currency)} – ${formatMetric(definition, b.to, report.currency)}`;
                      return (
                        <EChart
                          testId="distribution-chart"
                          label={`${definition?.label ?? metric}: how many of ${sorted.length.toLocaleString('en')} ${byLabel}s fall in each range: ${bins
                            .filter((b) => b.count > 0)
                            .map((b) => `${range(b)}: ${b.count}`)
                            .join(', ')}`}
                          option={barOption(
                            bins.map(range),
                            bins.map((b) => ({ value: b.count, itemStyle: { color: chartColors[b.tier] } })),
                            (v) => `${v.toLocaleString('en')} ${byLabel}s`,
                          )}
                        />
                      );
                    })()
                  )}
                  <KpiTable
                    report={report}
                    metricIds={managerMetrics}
                    metrics={metrics}
                    label={`Team by ${byLabel}`}
                    onDrill={onDrill}
                    exportQuery={{ ...base, metrics: managerMetrics, by: filters.by }}
                    tierOf={(g) => tierMap.get(g.key)}
                    testId="manager-table"
                    extraColumn={{
                      header: 'Pace',
                      cell: (g) => {
                        const attainment = toNumber(g.metrics.quota_attainment?.value);
                        if (attainment === null) return <span className="muted">No quota</span>;
                        return attainment < elapsed ? (
                          <span className="badge badge-warning">Behind</span>
                        ) : (
                          <span className="badge badge-success">On pace</span>
                        );
                      },
                    }}
                  />
                </section>

                <div className="dashboard-columns">
                  <section className="card" aria-labelledby="coverage-title">
                    <div className="card-header">
                      <div>
                        <h2 id="coverage-title">Coverage by {byLabel}</h2>
                        <p className="card-description">
                          Open pipeline closing in the period ÷ remaining quota; the line marks 3:1.
                          {coverage.length < coverageAll.length &&
                            ` The ${coverage.length} lowest of ${coverageAll.length.toLocaleString('en')}; the table above has them all.`}
                        </p>
                      </div>
                    </div>
                    {!chartsReady ? (
                      <ChartPlaceholder />
                    ) : coverage.length === 0 ? (
                      <div className="empty-inline">
                        No remaining quota to cover: set quotas for the period.
                      </div>
                    ) : (
                      <EChart
                        testId="coverage-chart"
                        label={`Pipeline coverage${coverage.length < coverageAll.length ? `, the ${coverage.length} lowest of ${coverageAll.length.toLocaleString('en')}` : ''}: ${groupValues(coverage, metrics.get('pipeline_coverage'), 'pipeline_coverage', report.currency)}`}
                        option={barOption(
                          coverage.map((g) => g.label),
                          coverage.map((g) => {
                            const value = toNumber(g.metrics.pipeline_coverage?.value) ?? 0;
                            return {
                              value,
                              itemStyle: { color: value < 3 ? chartColors.bottom : chartColors.top },
                            };
                          }),
                          (v) => `${v.toFixed(1)}×`,
                          3,
                        )}
                      />
                    )}
                  </section>
                  <section className="card" aria-labelledby="behind-title">
                    <div className="card-header">
                      <div>
                        <h2 id="behind-title">Behind pace</h2>
                        <p className="card-description">
                          Attainment below the {Math.round(elapsed * 100)}% of the period gone by.
                          {behind.length > behindShown.length &&
                            ` The ${behindShown.length} furthest behind of ${behind.length.toLocaleString('en')}; sort the table by attainment for the rest.`}
                        </p>
                      </div>
                    </div>
                    {behind.length === 0 ? (
                      <div className="empty-inline">Nobody with a quota is behind pace.</div>
                    ) : (
                      <ul className="activity-list" data-testid="behind-pace">
                        {behindShown.map((g) => (
                          <li key={String(g.key)}>
                            <span className="activity-type">{g.label}</span>
                            <span className="activity-count tabular">
                              {formatMetric(
                                metrics.get('quota_attainment'),
                                g.metrics.quota_attainment?.value,
                                report.currency,
                              )}
                            </span>
                          </li>
                        ))}
                      </ul>
                    )}
                  </section>
                </div>
              </>
            );
          })()}
      </Loading>
      <Loading loaded={funnel} what="the funnel">
        {funnel.data && <Funnel report={funnel.data} metrics={metrics} base={base} onDrill={onDrill} />}
      </Loading>
    </div>
  );
}

/** The share of the period gone by on the as-of day (1 once it is over). */
function elapsedShare(report: KpiReport): number {
  const from = Date.parse(report.period.from);
  const to = Date.parse(report.period.to);
  const asOf = Date.parse(addDays(report.asOf, 1));
  return Math.max(0, Math.min(1, (asOf - from) / (to - from)));
}

/** Stage conversion, time in stage and losses per stage, from the breakdowns of the company row. */
function Funnel({
  report,
  metrics,
  base,
  onDrill,
}: {
  report: KpiReport;
  metrics: MetricIndex;
  base: Omit<KpiQuery, 'metrics'>;
  onDrill: (target: DrillTarget) => void;
}) {
  const company = report.groups[0];
  const conversion = company?.metrics.stage_conversion;
  const stages = (conversion?.breakdown ?? []).map((part) => ({
    stage: part.label,
    conversion: part,
    time: company?.metrics.time_in_stage_days?.breakdown?.find((b) => b.key === part.key),
    losses: company?.metrics.stage_losses?.breakdown?.find((b) => b.key === part.key),
  }));
  const withExits = stages.filter((s) => toNumber(s.conversion.denominator) !== 0);
  return (
    <section className="card" aria-labelledby="funnel-title">
      <div className="card-header">
        <div>
          <h2 id="funnel-title">Stage funnel</h2>
          <p className="card-description">
            Stage changes dated in {report.period.label}: how many deals move on from each stage, how long
            they stay, and where they are lost. Funnel yield{' '}
            <KpiNumber
              value={conversion}
              definition={metrics.get('stage_conversion')}
              currency={report.currency}
              title="Stage-to-stage conversion"
              onDrill={onDrill}
              testId="funnel-yield"
              drill={{
                query: { ...base, metrics: ['stage_conversion'], by: 'company', group: 'company' },
                metric: 'stage_conversion',
              }}
            />
            .
          </p>
        </div>
      </div>
      {withExits.length === 0 ? (
        <div className="empty-inline">
          No stage change in this period: choose a longer period, or import the deals’ stage history.
        </div>
      ) : (
        <>
          <EChart
            testId="funnel-chart"
            label={`Conversion by stage: ${withExits
              .map(
                (s) =>
                  `${s.stage} ${formatMetric(metrics.get('stage_conversion'), s.conversion.value, report.currency)}`,
              )
              .join(', ')}`}
            option={barOption(
              withExits.map((s) => s.stage),
              withExits.map((s) => ({
                value: (toNumber(s.conversion.value) ?? 0) * 100,
                itemStyle: { color: chartColors.middle },
              })),
              (v) => `${v.toFixed(1)}%`,
            )}
          />
          <div className="table-wrap">
            <table className="table table-compact" aria-label="Stage funnel" data-testid="funnel-table">
              <thead>
                <tr>
                  <th scope="col">Stage</th>
                  <th scope="col" className="num">
                    <MetricLabel id="stage_conversion" metrics={metrics} />
                  </th>
                  <th scope="col" className="num">
                    Moved on / exits
                  </th>
                  <th scope="col" className="num">
                    <MetricLabel id="time_in_stage_days" metrics={metrics} />
                  </th>
                  <th scope="col" className="num">
                    <MetricLabel id="stage_losses" metrics={metrics} />
                  </th>
                </tr>
              </thead>
              <tbody>
                {stages.map((s) => (
                  <tr key={s.stage}>
                    <th scope="row">{s.stage}</th>
                    <td className="num tabular">
                      {formatMetric(metrics.get('stage_conversion'), s.conversion.value, report.currency)}
                    </td>
                    <td className="num tabular">
                      {s.conversion.numerator ?? 0} / {s.conversion.denominator ?? 0}
                    </td>
                    <td className="num tabular">
                      {formatMetric(metrics.get('time_in_stage_days'), s.time?.value, report.currency)}
                    </td>
                    <td className="num tabular">{s.losses?.value ?? 0}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <ExportLinks query={{ ...base, metrics: funnelMetrics, by: 'company' }} />
        </>
      )}
    </section>
  );
}

// ---------------------------------------------------------------- executive

function ExecutiveView({ filters, base, metrics, onDrill }: ViewContext) {
  const queries = executiveQueries(filters);
  const company = useLoad(() => api.kpi(queries.company), [base.period, base.at, base.calendar]);
  const byGroup = useLoad(() => api.kpi(queries.byGroup), [base.period, base.at, base.calendar, filters.by]);
  const day = filters.at ?? todayIso();
  const trend = useLoad(() => api.kpiSeries(queries.trend).then(seriesReports), [day, base.calendar]);
  const annual = useLoad(() => api.kpi(queries.annual), [day]);
  const byLabel = humanize(filters.by).toLowerCase();
  // The company's tiles first: the trend and the by-group chart and table (thousands of reps) are
  // drawn in a render after the one that shows the tiles (React's deferred values).
  const byGroupShown = { ...byGroup, data: useDeferredValue(byGroup.data) };
  const trendShown = { ...trend, data: useDeferredValue(trend.data) };

  return (
    <div className="dashboard" data-testid="executive-dashboard">
      <Loading loaded={company} what="the company’s numbers">
        {company.data &&
          (() => {
            const report = company.data;
            const row = report.groups[0];
            if (!row || !hasNumbers(report)) return <EmptyNumbers report={report} />;
            return (
              <section className="card" aria-labelledby="company-title">
                <div className="card-header">
                  <div>
                    <h2 id="company-title">Company</h2>
                    <p className="card-description">
                      {periodLine(report)}; compared with {report.prior?.label ?? 'the prior period'} as of{' '}
                      {formatDay(report.prior?.asOf ?? null)}.
                    </p>
                  </div>
                </div>
                <dl className="metric-grid metric-grid-4">
                  {executiveMetrics.map((id) => {
                    const definition = metrics.get(id);
                    const value = row.metrics[id];
                    const prior = toNumber(value?.prior?.value);
                    const current = toNumber(value?.value);
                    const growth =
                      prior !== null && current !== null && prior !== 0
                        ? (current - prior) / Math.abs(prior)
                        : null;
                    return (
                      <MetricTile
                        key={id}
                        id={id}
                        testId="exec"
                        value={value}
                        metrics={metrics}
                        currency={report.currency}
                        onDrill={onDrill}
                        drill={{
                          query: { ...base, metrics: [id], by: 'company', group: 'company' },
                          metric: id,
                        }}
                      >
                        Prior {formatMetric(definition, value?.prior?.value, report.currency)}
                        {growth !== null && (
                          <span
                            className={
                              growth >= 0 === (definition?.direction !== 'lower')
                                ? 'text-success'
                                : 'text-danger'
                            }
                          >
                            {' '}
                            {growth >= 0 ? '▲' : '▼'} {(Math.abs(growth) * 100).toFixed(1)}%
                          </span>
                        )}
                      </MetricTile>
                    );
                  })}
                </dl>
                <ExportLinks
                  query={{ ...base, metrics: executiveMetrics, by: 'company', compare: 'prior_period' }}
                />
              </section>
            );
          })()}
      </Loading>

      <Loading loaded={annual} what="the annualised revenue">
        {annual.data && <GrowthStageCard report={annual.data} metrics={metrics} />}
      </Loading>

      <div className="dashboard-columns">
        <Loading loaded={trendShown} what="the quarterly trend">
          {trendShown.data && <TrendCard reports={trendShown.data} metrics={metrics} />}
        </Loading>
        <Loading loaded={byGroupShown} what={`revenue by ${byLabel}`}>
          {byGroupShown.data &&
            (() => {
              const report = byGroupShown.data;
              const won = (g: KpiGroup) => toNumber(g.metrics.won_revenue?.value) ?? 0;
              // Beyond a readable number of bars, the ones with the most revenue (the table has all).
              const shown =
                report.groups.length <= barsPerGroupUpTo
                  ? report.groups
                  : rankedBy(report.groups, 'won_revenue', 'highest').slice(0, barsPerGroupUpTo);
              const few = shown.length < report.groups.length;
              return (
                <section className="card" aria-labelledby="revenue-by-title">
                  <div className="card-header">
                    <div>
                      <h2 id="revenue-by-title">Won revenue by {byLabel}</h2>
                      <p className="card-description">
                        {periodLine(report)}
                        {few &&
                          `. The ${shown.length} with the most of ${report.groups.length.toLocaleString('en')}; the table below has them all.`}
                      </p>
                    </div>
                  </div>
                  <EChart
                    testId="revenue-chart"
                    label={`Won revenue by ${byLabel}${few ? `, the ${shown.length} highest` : ''}: ${groupValues(shown, metrics.get('won_revenue'), 'won_revenue', report.currency)}`}
                    option={barOption(
                      shown.map((g) => g.label),
                      shown.map((g) => ({ value: won(g), itemStyle: { color: chartColors.middle } })),
                      (v) => formatMetric(metrics.get('won_revenue'), v, report.currency),
                    )}
                  />
                </section>
              );
            })()}
        </Loading>
      </div>

      {byGroupShown.data && (
        <section className="card" aria-labelledby="by-table-title">
          <div className="card-header">
            <div>
              <h2 id="by-table-title">Revenue, margin and win rate by {byLabel}</h2>
            </div>
          </div>
          <KpiTable
            report={byGroupShown.data}
            metricIds={executiveByMetrics}
            metrics={metrics}
            label={`Revenue by ${byLabel}`}
            onDrill={onDrill}
            exportQuery={{ ...base, metrics: executiveByMetrics, by: filters.by }}
            testId="executive-table"
          />
        </section>
      )}
    </div>
  );
}

function TrendCard({ reports, metrics }: { reports: KpiReport[]; metrics: MetricIndex }) {
  const labels = reports.map((r) => r.period.label ?? r.period.from);
  const velocity = reports.map((r) => toNumber(r.groups[0]?.metrics.sales_velocity?.value));
  const currency = reports[0]?.currency ?? 'USD';
  const definition = metrics.get('sales_velocity');
  return (
    <section className="card" aria-labelledby="trend-title">
      <div className="card-header">
        <div>
          <h2 id="trend-title">Sales velocity, last 4 quarters</h2>
          <p className="card-description">
            Money per day the open pipeline is expected to bring, each quarter as of its end (or today).
          </p>
        </div>
      </div>
      <EChart
        testId="trend-chart"
        label={`Sales velocity by quarter: ${labels.map((l, i) => `${l} ${formatMetric(definition, velocity[i], currency)}`).join(', ')}`}
        option={{
          grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
          tooltip: { trigger: 'axis' },
          xAxis: { type: 'category', data: labels },
          yAxis: {
            type: 'value',
            axisLabel: { formatter: (v: number) => formatMetric(definition, v, currency) },
          },
          series: [
            {
              type: 'line',
              data: velocity,
              smooth: false,
              symbolSize: 8,
              itemStyle: { color: chartColors.middle },
            },
          ],
        }}
      />
      <div className="table-wrap">
        <table className="table table-compact" aria-label="Quarterly trend" data-testid="trend-table">
          <thead>
            <tr>
              <th scope="col">Quarter</th>
              {trendMetrics.map((id) => (
                <th key={id} scope="col" className="num">
                  {metrics.get(id)?.label ?? id}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {reports.map((r) => (
              <tr key={r.period.from}>
                <th scope="row" className="nowrap">
                  {r.period.label}
                </th>
                {trendMetrics.map((id) => (
                  <td key={id} className="num tabular">
                    {formatMetric(metrics.get(id), r.groups[0]?.metrics[id]?.value, r.currency)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function GrowthStageCard({ report, metrics }: { report: KpiReport; metrics: MetricIndex }) {
  const revenue = toNumber(report.groups[0]?.metrics.won_revenue?.value) ?? 0;
  const stage = growthStageOf(revenue);
  return (
    <section className="card" aria-labelledby="stage-title" data-testid="growth-stage" data-stage={stage.id}>
      <div className="card-header">
        <div>
          <h2 id="stage-title">Growth stage: {stage.label}</h2>
          <p className="card-description">
            Annualised revenue{' '}
            {formatMetric(
              metrics.get('won_revenue'),
              report.groups[0]?.metrics.won_revenue?.value ?? '0',
              report.currency,
            )}{' '}
            (won in the 365 days to {formatDay(addDays(report.period.to, -1))}). {stage.focus}: the metrics
            below matter most now.
          </p>
        </div>
      </div>
      <ol className="stage-list">
        {growthStages.map((s) => (
          <li
            key={s.id}
            className={s.id === stage.id ? 'is-current' : undefined}
            aria-current={s.id === stage.id ? 'step' : undefined}
          >
            <strong>{s.label}</strong>
            <span className="muted">{s.focus}</span>
            <span className="tag-list">
              {s.metrics.map((id) => (
                <span key={id} className={`badge ${s.id === stage.id ? 'badge-info' : 'badge-neutral'}`}>
                  {metrics.get(id)?.label ?? id}
                </span>
              ))}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** A chart's groups in words for its label: "Ann $1,200.00, Ben $900.00". */
function groupValues(
  groups: KpiGroup[],
  definition: MetricDefinition | undefined,
  metric: string,
  currency: string,
) {
  return groups
    .map((g) => `${g.label} ${formatMetric(definition, g.metrics[metric]?.value, currency)}`)
    .join(', ');
}

/** Up to this many groups a chart has a bar each; beyond, a histogram or the ones most in need. */
const barsPerGroupUpTo = 60;
/** The reps behind pace listed by name (the furthest behind first). */
const behindListed = 25;

/** A horizontal-label bar chart with a value formatter and an optional reference line. */
function barOption(
  labels: string[],
  data: { value: number; itemStyle: { color: string } }[],
  format: (value: number) => string,
  markAt?: number,
): ChartOption {
  return {
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => format(Number(v)) },
    // Every name under up to 40 bars; beyond that (a distribution of thousands of reps) the names
    // are unreadable: the tooltip and the table below name each bar.
    xAxis: {
      type: 'category',
      data: labels,
      axisLabel: labels.length > 40 ? { show: false } : { interval: 0, rotate: labels.length > 6 ? 30 : 0 },
    },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => format(v) } },
    series: [
      {
        type: 'bar',
        data,
        barMaxWidth: 36,
        ...(markAt !== undefined
          ? {
              markLine: {
                symbol: 'none',
                data: [{ yAxis: markAt }],
                label: { formatter: `${markAt}:1`, position: 'insideEndTop' },
                lineStyle: { color: chartColors.bottom, type: 'dashed' },
              },
            }
          : {}),
      },
    ],
  };
}

const alertLabels: Record<AlertKind, string> = {
  low_coverage: 'Coverage below 3:1',
  behind_activity_pace: 'Behind activity pace',
  conversion_falling: 'Conversion falling',
  stalled_deal: 'Stalled deal',
};

/** The alerts computed after the last import (GET /api/alerts), grouped by kind, each deal clickable. */
function AlertsCard({ onDrill }: Pick<ViewContext, 'onDrill'>) {
  const loaded = useLoad(() => api.alerts(), []);
  const report = loaded.data;
  const kinds = Object.keys(alertLabels) as AlertKind[];
  return (
    <section className="card" aria-labelledby="alerts-title" data-testid="alerts">
      <div className="card-header">
        <div>
          <h2 id="alerts-title">Alerts</h2>
          <p className="card-description">
            What to look at now
            {report ? `, as of ${report.asOf} (${report.period.label ?? report.period.from})` : ''}: pipeline
            coverage, activity pace, stage conversion against the quarter before, and deals stuck in a stage.
          </p>
        </div>
      </div>
      {loaded.problem ? (
        <div className="empty-inline">The alerts could not be loaded: {loaded.problem.title}</div>
      ) : !report ? (
        <div className="empty-inline">Loading the alerts…</div>
      ) : report.alerts.length === 0 ? (
        <div className="empty-inline">No alerts: coverage, pace, conversion and stage times look normal.</div>
      ) : (
        <div className="alert-groups">
          {kinds.map((kind) => {
            const list = report.alerts.filter((a) => a.kind === kind);
            if (list.length === 0) return null;
            return (
              <details key={kind} open={list.length <= 5}>
                <summary>
                  {alertLabels[kind]} <span className="tabular">({list.length})</span>
                </summary>
                <ul className="alert-list">
                  {list.slice(0, 50).map((a, i) => (
                    <li key={`${kind}-${a.personId ?? ''}-${a.opportunityId ?? ''}-${a.stage ?? ''}-${i}`}>
                      {a.opportunityId !== null ? (
                        <button
                          type="button"
                          className="kpi-link"
                          onClick={() =>
                            onDrill({
                              title: alertLabels[kind],
                              value: a.message,
                              records: { kind: 'opportunity', ids: [a.opportunityId!] },
                            })
                          }
                        >
                          {a.message}
                        </button>
                      ) : (
                        a.message
                      )}
                    </li>
                  ))}
                </ul>
                {list.length > 50 ? <p className="card-description">First 50 of {list.length}.</p> : null}
              </details>
            );
          })}
        </div>
      )}
    </section>
  );
}

/**
 * One number of a metric grid: its label (with the definition as help), the value (clickable to
 * the records behind it), an optional flag beside it, and a line under it (`children`).
 */
function MetricTile({
  id,
  testId,
  value,
  metrics,
  currency,
  onDrill,
  drill,
  flag,
  children,
}: {
  id: string;
  testId: 'rep' | 'exec';
  value: KpiValue | undefined;
  metrics: MetricIndex;
  currency: string;
  onDrill: (target: DrillTarget) => void;
  drill?: { query: KpiQuery; metric: string };
  flag?: ReactNode;
  children: ReactNode;
}) {
  const definition = metrics.get(id);
  return (
    <div className="metric" data-testid={`${testId}-${id}`}>
      <dt>
        <MetricLabel id={id} metrics={metrics} />
      </dt>
      <dd className="metric-value">
        <KpiNumber
          value={value}
          definition={definition}
          currency={currency}
          title={definition?.label ?? id}
          onDrill={onDrill}
          testId={`${testId}-value-${id}`}
          {...(drill ? { drill } : {})}
        />
        {flag}
      </dd>
      <dd className="metric-sub">{children}</dd>
    </div>
  );
}
