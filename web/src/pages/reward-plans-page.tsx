import { compApi } from '../comp-api.ts';
import { CompNav } from '../components/comp-nav.tsx';
import { PageHeader } from '../components/page-header.tsx';
import { ProblemAlert } from '../components/problem-alert.tsx';
import { formatDay, formatInstant, humanize } from '../format.ts';
import { Link } from '../router.tsx';
import { useLoad } from '../use-load.ts';

/** The compensation plans: versioned documents with their own test cases. */
export function RewardPlansPage() {
  const loaded = useLoad(() => compApi.plans(), []);
  const plans = loaded.data ?? [];
  return (
    <>
      <PageHeader
        title="Plans"
        tagline="Plans are YAML documents, versioned and effective-dated, with test cases that run on every save."
        actions={
          <Link to="/reward/plans/new" className="button button-primary">
            New plan
          </Link>
        }
      />
      <CompNav />
      {loaded.problem && <ProblemAlert problem={loaded.problem} lead="Could not load the plans." />}
      {!loaded.data ? (
        !loaded.problem && (
          <section className="card" aria-busy="true">
            <p className="muted">Loading the plans…</p>
          </section>
        )
      ) : plans.length === 0 ? (
        <section className="card empty-state" data-testid="no-plans">
          <h2>No plan yet</h2>
          <p className="empty-state-lead">
            A plan says what is credited, how attainment is measured and what each component pays. Start from
            a template and write test cases with it: they run every time you save.
          </p>
          <div className="empty-state-actions">
            <Link to="/reward/plans/new" className="button button-primary">
              Write the first plan
            </Link>
            <a className="muted" href="https://cel.dev" rel="noreferrer" target="_blank">
              Conditions are written in CEL
            </a>
          </div>
        </section>
      ) : (
        <section className="card" aria-labelledby="plans-title">
          <h2 id="plans-title" className="visually-hidden">
            Plans
          </h2>
          <div className="table-wrap">
            <table className="table" aria-label="Plans" data-testid="plans-table">
              <thead>
                <tr>
                  <th scope="col">Plan</th>
                  <th scope="col">Version</th>
                  <th scope="col">Status</th>
                  <th scope="col">Period</th>
                  <th scope="col">Effective</th>
                  <th scope="col">Tests</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {plans.map((plan) => (
                  <tr key={plan.id} data-plan-id={plan.id}>
                    <th scope="row">
                      <Link to={`/reward/plans/${encodeURIComponent(plan.id)}`}>{plan.name}</Link>
                      <span className="cell-sub">
                        <code>{plan.id}</code>
                      </span>
                    </th>
                    <td className="tabular">v{plan.version}</td>
                    <td>
                      <span className={`badge badge-${plan.status === 'active' ? 'success' : 'neutral'}`}>
                        {humanize(plan.status)}
                      </span>
                    </td>
                    <td>{humanize(plan.period)}</td>
                    <td className="nowrap">
                      {formatDay(plan.effectiveFrom)}
                      {plan.effectiveTo ? ` – ${formatDay(plan.effectiveTo)}` : ' onwards'}
                    </td>
                    <td>
                      {plan.tests.failed > 0 ? (
                        <span className="badge badge-danger">{plan.tests.failed} failing</span>
                      ) : plan.tests.passed > 0 ? (
                        <span className="badge badge-success">{plan.tests.passed} passing</span>
                      ) : (
                        <span className="badge badge-warning">No tests</span>
                      )}
                    </td>
                    <td className="nowrap">{formatInstant(plan.updatedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </>
  );
}
