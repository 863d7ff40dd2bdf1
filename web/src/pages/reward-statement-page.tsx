import { queryString } from '../api.ts';
import { compApi } from '../comp-api.ts';
import { formatPeriodLabel } from '../comp-format.ts';
import { CompNav } from '../components/comp-nav.tsx';
import { CompStatement } from '../components/comp-statement.tsx';
import { ArrowLeftIcon } from '../components/icons.tsx';
import { PageHeader } from '../components/page-header.tsx';
import { ProblemAlert } from '../components/problem-alert.tsx';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { useLoad } from '../use-load.ts';

/** One payee's statement for one period, as an admin or a manager opens it from the list. */
export function RewardStatementPage({ payee, period }: { payee: string; period: string }) {
  const { can } = useSession();
  const detail = useLoad(() => compApi.statement(payee, period), [payee, period]);
  const notFound = detail.problem && (detail.problem.status === 404 || detail.problem.status === 403);
  return (
    <>
      <Link to={`/reward/statements${queryString({ period })}`} className="back-link">
        <ArrowLeftIcon /> All statements of {formatPeriodLabel(period)}
      </Link>
      <PageHeader
        title={detail.data ? `Statement of ${detail.data.statement.payeeName}` : 'Statement'}
        tagline="Every line with its reason; open a line for its credits, tiers, rate and arithmetic."
        actions={
          can('pay:manage') ? (
            <Link
              to={`/reward/adjustments${queryString({ payee, period: detail.data?.closed ? undefined : period })}`}
              className="button button-secondary"
              data-testid="statement-adjust-link"
            >
              Add an adjustment
            </Link>
          ) : undefined
        }
      />
      <CompNav />
      {notFound ? (
        <section className="card empty-state" role="alert" data-testid="statement-unavailable">
          <h2>This statement is not available</h2>
          <p className="empty-state-lead">
            No run has produced it yet, or it belongs to someone outside the part of the organisation you can
            see.
          </p>
        </section>
      ) : (
        detail.problem && <ProblemAlert problem={detail.problem} lead="Could not load the statement." />
      )}
      {!detail.data && !detail.problem && (
        <section className="card" aria-busy="true">
          <p className="muted">Loading the statement…</p>
        </section>
      )}
      {detail.data && <CompStatement detail={detail.data} canDispute={false} />}
    </>
  );
}
