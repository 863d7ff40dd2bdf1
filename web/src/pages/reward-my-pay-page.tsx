import { useId } from 'react';
import { api, queryString } from '../api.ts';
import { compApi } from '../comp-api.ts';
import { formatPay, formatPeriodLabel } from '../comp-format.ts';
import { CompNav } from '../components/comp-nav.tsx';
import { HypotheticalEstimator } from '../components/comp-estimator.tsx';
import { CompStatement } from '../components/comp-statement.tsx';
import { PageHeader } from '../components/page-header.tsx';
import { ProblemAlert } from '../components/problem-alert.tsx';
import { navigate, useSearchParams } from '../router.tsx';
import { useSession } from '../session.tsx';
import { useLoad } from '../use-load.ts';

/** A rep's own pay: their statements by period, each line explained, and a deal estimator. */
export function RewardMyPayPage() {
  const { user } = useSession();
  const params = useSearchParams();
  const selectId = useId();
  const person = useLoad(
    () => (user.personId === null ? Promise.resolve(null) : api.person(user.personId)),
    [user.personId],
  );
  const payee = person.data?.key ?? null;
  const list = useLoad(() => (payee ? compApi.statements({ payee }) : Promise.resolve(null)), [payee]);
  const statements = [...(list.data ?? [])].sort((a, b) => b.period.localeCompare(a.period));
  const requested = params.get('period');
  const chosen = statements.find((s) => s.period === requested) ?? statements[0];
  const detail = useLoad(
    () => (payee && chosen ? compApi.statement(payee, chosen.period) : Promise.resolve(null)),
    [payee, chosen?.period, chosen?.runId],
  );

  const picker =
    statements.length > 0 && chosen ? (
      <div className="field field-inline">
        <label htmlFor={selectId}>Period</label>
        <select
          id={selectId}
          value={chosen.period}
          onChange={(event) => navigate(`/reward/my-pay${queryString({ period: event.target.value })}`)}
        >
          {statements.map((s) => (
            <option key={s.period} value={s.period}>
              {formatPeriodLabel(s.period)} · {formatPay(s.totals.payable, s.currency)}
            </option>
          ))}
        </select>
      </div>
    ) : undefined;

  const problem = person.problem ?? list.problem;
  return (
    <>
      <PageHeader
        title="My pay"
        tagline="Your statements: what you are paid, and why, line by line."
        actions={picker}
      />
      <CompNav />
      {problem && <ProblemAlert problem={problem} lead="Could not load your statements." />}
      {!problem && (person.loading || list.loading) && !list.data ? (
        <section className="card" aria-busy="true">
          <p className="muted">Loading your statements…</p>
        </section>
      ) : list.data && statements.length === 0 ? (
        <section className="card empty-state" data-testid="no-statements">
          <h2>No statement yet</h2>
          <p className="empty-state-lead">
            Statements appear here once your compensation admin has run a period of your plan. Until then,
            estimate what a deal would pay you below.
          </p>
        </section>
      ) : null}
      {detail.problem && <ProblemAlert problem={detail.problem} lead="Could not load the statement." />}
      {detail.data && (
        <CompStatement detail={detail.data} canDispute onDisputeRaised={() => detail.reload()} />
      )}
      {chosen && !detail.data && !detail.problem && (
        <section className="card" aria-busy="true">
          <p className="muted">Loading the statement of {formatPeriodLabel(chosen.period)}…</p>
        </section>
      )}
      {user.personId !== null && (
        <section className="card" aria-labelledby="estimator-title">
          <div className="card-header">
            <div>
              <h2 id="estimator-title">What would a deal pay me?</h2>
              <p className="card-description">
                A hypothetical deal, computed with your plan and everything you have closed in its period.
                Nothing is saved.
              </p>
            </div>
          </div>
          <HypotheticalEstimator />
        </section>
      )}
    </>
  );
}
