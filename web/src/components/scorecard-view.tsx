import type { ReactNode } from 'react';
import { api, queryString, type DealStatus, type Scorecard } from '../api.ts';
import { formatCount, formatDay, formatMoney, formatPercent, humanize, plural } from '../format.ts';
import { Link } from '../router.tsx';
import { useLoad } from '../use-load.ts';
import { ProblemAlert } from './problem-alert.tsx';

/** The deals list filtered like a scorecard number (owner, status, closed in the period). */
export function dealsLink(
  card: Pick<Scorecard, 'person' | 'period'>,
  filters: { status?: DealStatus; closed?: boolean; sort?: 'amount' },
): string {
  const closed = filters.closed ?? filters.status !== 'open';
  return `/measure/deals${queryString({
    ownerId: card.person.id,
    status: filters.status,
    closedFrom: closed ? card.period.startsOn : undefined,
    closedTo: closed ? card.period.endsOn : undefined,
    sort: filters.sort,
    periodId: card.period.id,
  })}`;
}

function Metric({
  label,
  value,
  to,
  linkLabel,
  children,
  testId,
}: {
  label: string;
  value: string;
  to?: string;
  linkLabel?: string;
  children?: ReactNode;
  testId: string;
}) {
  return (
    <div className="metric" data-testid={testId}>
      <dt>{label}</dt>
      <dd className="metric-value">
        {to ? (
          <Link to={to} className="metric-link">
            {value}
            <span className="visually-hidden">, {linkLabel}</span>
          </Link>
        ) : (
          value
        )}
      </dd>
      {children && <dd className="metric-sub">{children}</dd>}
    </div>
  );
}

/** Attainment as a bar: full at 100 %, with the overflow beyond it said in words. */
function AttainmentBar({ attainment }: { attainment: string | null }) {
  if (attainment === null) return null;
  const value = Number(attainment);
  const width = Math.max(0, Math.min(100, value));
  return (
    <div
      className={`attainment-bar${value >= 100 ? ' is-met' : ''}`}
      role="img"
      aria-label={`${attainment}% of quota`}
    >
      <div className="attainment-fill" style={{ width: `${width}%` }} />
    </div>
  );
}

/** One person's numbers for one period, each deal-based number linking to the deals behind it. */
export function ScorecardView({ personId, periodId }: { personId: number; periodId: number | undefined }) {
  const loaded = useLoad(() => api.scorecard(personId, periodId), [personId, periodId]);
  const card = loaded.data;

  if (loaded.problem && (loaded.problem.status === 404 || loaded.problem.code === 'not_found')) {
    return (
      <section className="card empty-state" data-testid="scorecard-unavailable" role="alert">
        <h2>This scorecard is not available</h2>
        <p className="empty-state-lead">
          The person does not exist, or is outside the part of the organisation you can see. You can see your
          own scorecard and, if you manage a team, those of the people in it.
        </p>
        <p className="muted">{loaded.problem.title}</p>
        <div className="empty-state-actions">
          <Link to="/measure" className="button button-primary">
            Back to Measure
          </Link>
        </div>
      </section>
    );
  }
  if (loaded.problem) return <ProblemAlert problem={loaded.problem} lead="Could not load the scorecard." />;
  if (!card || (loaded.loading && card.person.id !== personId))
    return (
      <section className="card" aria-busy="true">
        <p className="muted">Loading the scorecard…</p>
      </section>
    );

  const person = card.person;
  const decided = card.wonDeals + card.lostDeals;
  const activityTotal = Object.values(card.activities).reduce((sum, n) => sum + n, 0);
  const nothing = decided === 0 && card.openDeals === 0 && card.quota === null && activityTotal === 0;

  return (
    <div className="scorecard" aria-busy={loaded.loading} data-testid="scorecard" data-person-id={person.id}>
      <section className="card" aria-labelledby="scorecard-title">
        <div className="card-header">
          <div>
            <h2 id="scorecard-title">
              {person.name}
              <span className="muted heading-aside"> · {card.period.label}</span>
            </h2>
            <p className="card-description">
              {[person.title, person.team, person.managerName ? `reports to ${person.managerName}` : null]
                .filter(Boolean)
                .join(' · ') || 'No position today'}
              {person.leftOn ? ` · left on ${formatDay(person.leftOn)}` : ''}
            </p>
          </div>
          <span className="muted tabular period-range">
            {formatDay(card.period.startsOn)} – {formatDay(card.period.endsOn)}
            {card.period.status === 'closed' ? ' · closed' : ''}
          </span>
        </div>

        {nothing && (
          <p className="notice" data-testid="scorecard-empty">
            No deals, quota or activities for {person.name} in {card.period.label}. Choose another quarter
            above; if none has numbers, the opportunities and quotas have not been imported yet.
          </p>
        )}

        <dl className="metric-grid">
          <Metric
            testId="metric-won-revenue"
            label="Won revenue"
            value={formatMoney(card.wonRevenue)}
            to={dealsLink(card, { status: 'won' })}
            linkLabel={`see the ${plural(card.wonDeals, 'won deal')}`}
          >
            <Link to={dealsLink(card, { status: 'won' })}>{plural(card.wonDeals, 'won deal')}</Link> closed in
            the quarter
          </Metric>
          <Metric testId="metric-quota" label="Quota" value={formatMoney(card.quota)}>
            {card.quota ? `Revenue quota for ${card.period.label}` : 'No revenue quota for this quarter'}
          </Metric>
          <Metric
            testId="metric-attainment"
            label="Attainment"
            value={formatPercent(card.attainment)}
            to={card.attainment === null ? undefined : dealsLink(card, { status: 'won' })}
            linkLabel="see the won deals it counts"
          >
            <AttainmentBar attainment={card.attainment} />
            {card.attainment === null ? 'Needs a quota' : 'Won revenue ÷ quota'}
          </Metric>
          <Metric
            testId="metric-win-rate"
            label="Win rate"
            value={formatPercent(card.winRate)}
            to={decided === 0 ? undefined : dealsLink(card, { closed: true })}
            linkLabel={`see the ${plural(decided, 'deal')} decided in the quarter`}
          >
            {decided === 0 ? (
              'No deal won or lost in the quarter'
            ) : (
              <>
                <Link to={dealsLink(card, { status: 'won' })}>{formatCount(card.wonDeals)} won</Link>
                {' · '}
                <Link to={dealsLink(card, { status: 'lost' })}>{formatCount(card.lostDeals)} lost</Link>
              </>
            )}
          </Metric>
          <Metric
            testId="metric-average-won-deal"
            label="Average won deal"
            value={formatMoney(card.averageWonDeal)}
            to={card.wonDeals === 0 ? undefined : dealsLink(card, { status: 'won', sort: 'amount' })}
            linkLabel="see the won deals by amount"
          >
            {card.wonDeals === 0 ? 'No won deal yet' : `Over ${plural(card.wonDeals, 'won deal')}`}
          </Metric>
          <Metric
            testId="metric-open-pipeline"
            label="Open pipeline"
            value={formatMoney(card.openPipeline)}
            to={dealsLink(card, { status: 'open' })}
            linkLabel="see the open deals"
          >
            {plural(card.openDeals, 'open deal')} expected to close in the quarter
          </Metric>
        </dl>
      </section>

      <section className="card" aria-labelledby="activities-title">
        <div className="card-header">
          <div>
            <h2 id="activities-title">Activities</h2>
            <p className="card-description">
              Calls, emails, meetings and other activities {person.name} logged in {card.period.label}.
            </p>
          </div>
          <span className="metric-total tabular">{plural(activityTotal, 'activity', 'activities')}</span>
        </div>
        {activityTotal === 0 ? (
          <div className="empty-inline">No activity logged in this quarter.</div>
        ) : (
          <ul className="activity-list" aria-label="Activities by type">
            {Object.entries(card.activities).map(([type, count]) => (
              <li key={type} data-testid={`activity-${type}`}>
                <span className="activity-type">{humanize(type)}</span>
                <span className="activity-count tabular">{formatCount(count)}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
