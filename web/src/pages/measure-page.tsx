import { api, queryString } from '../api.ts';
import { ArrowLeftIcon } from '../components/icons.tsx';
import { PageHeader } from '../components/page-header.tsx';
import { currentPeriod, PeriodSelect } from '../components/period-select.tsx';
import { ProblemAlert } from '../components/problem-alert.tsx';
import { QuotaTable } from '../components/quota-table.tsx';
import { ScorecardView } from '../components/scorecard-view.tsx';
import { TeamList } from '../components/team-list.tsx';
import { Link, navigate, usePathname, useSearchParams } from '../router.tsx';
import { useSession } from '../session.tsx';
import { useLoad } from '../use-load.ts';

/**
 * Measure: the signed-in user's own scorecard (`/measure`) or a person's (`/measure/people/7`),
 * for a quarter kept in the URL; and, for whoever sees more than themselves, their team and the
 * team's quotas.
 */
export function MeasurePage({ personId }: { personId?: number }) {
  const { user, can } = useSession();
  const pathname = usePathname();
  const params = useSearchParams();
  const periods = useLoad(() => api.periods('quarter'), []);
  // Only the total matters here: does the user see anyone but themselves?
  const people = useLoad(() => api.people({ limit: 1 }), []);

  const list = periods.data ?? [];
  const requested = Number(params.get('periodId')) || undefined;
  const period = list.find((p) => p.id === requested) ?? currentPeriod(list);
  const periodId = period?.id;
  const subjectId = personId ?? user.personId;
  const seesOthers = people.data ? people.data.total > (user.personId === null ? 0 : 1) : false;
  const onOwnPage = personId === undefined;

  const choosePeriod = (id: number) => navigate(`${pathname}${queryString({ periodId: id })}`);
  // The link last: the actions sit at the header's right edge, so the period picker, which appears
  // once the periods load, grows to its left instead of moving the link under the pointer.
  const periodPicker = (
    <>
      {list.length > 0 && <PeriodSelect periods={list} value={periodId} onChange={choosePeriod} />}
      <Link to="/measure/dashboard" className="button button-secondary" data-testid="dashboards-link">
        Dashboards
      </Link>
    </>
  );

  const noPeriods = periods.data !== null && list.length === 0;
  const importHint = can('data:import')
    ? 'Import them on the Data page.'
    : 'Ask an administrator to import them.';

  return (
    <>
      {onOwnPage ? (
        <PageHeader
          title={user.personId === null ? 'Measure' : 'My scorecard'}
          tagline={
            user.personId === null
              ? 'Scorecards of the people you can see: won revenue, quota, attainment, pipeline and activity.'
              : 'Your won revenue, quota, attainment, pipeline and activity for a quarter.'
          }
          actions={periodPicker}
        />
      ) : (
        <>
          <Link to={`/measure${queryString({ periodId: requested })}`} className="back-link">
            <ArrowLeftIcon />{' '}
            {user.personId === null ? 'Measure' : seesOthers ? 'My scorecard and team' : 'My scorecard'}
          </Link>
          <PageHeader
            title={subjectId === user.personId ? 'My scorecard' : 'Scorecard'}
            tagline="Won revenue, quota, attainment, pipeline and activity for a quarter."
            actions={periodPicker}
          />
        </>
      )}

      {periods.problem && <ProblemAlert problem={periods.problem} lead="Could not load the quarters." />}

      {noPeriods ? (
        <section className="card empty-state" data-testid="no-periods">
          <h2>No fiscal quarters yet</h2>
          <p className="empty-state-lead">
            Scorecards are computed per quarter of the fiscal calendar, and none is stored yet. {importHint}
          </p>
          {can('data:import') && (
            <div className="empty-state-actions">
              <Link to="/data" className="button button-primary">
                Bring data in
              </Link>
            </div>
          )}
        </section>
      ) : subjectId !== null ? (
        periodId !== undefined && <ScorecardView personId={subjectId} periodId={periodId} />
      ) : (
        <p className="notice" data-testid="no-own-scorecard">
          Your account is not linked to a person of the sales organisation, so you have no scorecard of your
          own. Open anyone’s scorecard from the list below.
        </p>
      )}

      {onOwnPage && (seesOthers || user.personId === null) && (
        <>
          <section className="card" aria-labelledby="team-title">
            <div className="card-header">
              <div>
                <h2 id="team-title">{user.personId === null ? 'People' : 'Team'}</h2>
                <p className="card-description">
                  {user.personId === null
                    ? 'Everyone in the sales organisation. Open a person to see their scorecard.'
                    : 'The people below you in the organisation, and people who were. Open one to see their scorecard.'}
                </p>
              </div>
            </div>
            <TeamList
              selfPersonId={user.personId}
              periodId={periodId}
              emptyHint={`No people yet: the sales organisation has not been imported. ${importHint}`}
            />
          </section>

          {periodId !== undefined && period && (
            <section className="card" aria-labelledby="quotas-title">
              <div className="card-header">
                <div>
                  <h2 id="quotas-title">Quotas · {period.label}</h2>
                  <p className="card-description">
                    {can('quotas:write')
                      ? user.role === 'sales_manager'
                        ? 'Targets of your team for the quarter. Change one with a reason; the change is kept in the quota history and the audit trail. Your own quota is set above you.'
                        : 'Targets for the quarter. Change one with a reason; the change is kept in the quota history and the audit trail.'
                      : 'Targets for the quarter.'}
                  </p>
                </div>
              </div>
              <QuotaTable
                periodId={periodId}
                canEdit={can('quotas:write')}
                isOwnQuota={(quota) =>
                  user.role === 'sales_manager' && user.personId !== null && quota.holderId === user.personId
                }
              />
            </section>
          )}
        </>
      )}
    </>
  );
}
