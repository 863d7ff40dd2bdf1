import { useId } from 'react';
import { queryString } from '../api.ts';
import { compApi } from '../comp-api.ts';
import { formatPay, formatPeriodLabel } from '../comp-format.ts';
import { CompNav } from '../components/comp-nav.tsx';
import { DownloadIcon } from '../components/icons.tsx';
import { PageHeader } from '../components/page-header.tsx';
import { ProblemAlert } from '../components/problem-alert.tsx';
import { SearchToolbar } from '../components/search-toolbar.tsx';
import { formatCount } from '../format.ts';
import { Link, navigate, useSearchParams } from '../router.tsx';
import { useSession } from '../session.tsx';
import { useLoad } from '../use-load.ts';

/** Everyone's statements for a period (within the caller's scope), searchable by name or id. */
export function RewardStatementsPage() {
  const { can } = useSession();
  const params = useSearchParams();
  const periodId = useId();
  const periods = useLoad(() => compApi.periods(), []);
  const withRuns = (periods.data ?? [])
    .filter((p) => p.lastRunId)
    .sort((a, b) => b.period.localeCompare(a.period));
  const requested = params.get('period');
  const period = requested ?? withRuns[0]?.period ?? null;
  const q = params.get('q') ?? '';
  const list = useLoad(() => (period ? compApi.statements({ period }) : Promise.resolve(null)), [period]);
  const needle = q.trim().toLowerCase();
  const rows = (list.data ?? [])
    .filter(
      (s) => !needle || s.payeeName.toLowerCase().includes(needle) || s.payee.toLowerCase().includes(needle),
    )
    .sort((a, b) => a.payeeName.localeCompare(b.payeeName));
  const go = (change: Record<string, string | undefined>) =>
    navigate(
      `/reward/statements${queryString({ period: period ?? undefined, q: q || undefined, ...change })}`,
    );

  const periodChoices = [...new Set([...(period ? [period] : []), ...withRuns.map((p) => p.period)])].sort(
    (a, b) => b.localeCompare(a),
  );

  return (
    <>
      <PageHeader
        title="Statements"
        tagline="The statements of everyone you can see, per period. Open one for its lines and their reasons."
        actions={
          can('pay:manage') && period ? (
            <a
              className="button button-secondary"
              href={compApi.payrollUrl(period)}
              download
              data-testid="payroll-link"
            >
              <DownloadIcon /> Payroll file
            </a>
          ) : undefined
        }
      />
      <CompNav />
      {periods.problem && <ProblemAlert problem={periods.problem} lead="Could not load the periods." />}
      {periods.data && periodChoices.length === 0 ? (
        <section className="card empty-state" data-testid="no-statements">
          <h2>No statements yet</h2>
          <p className="empty-state-lead">
            Statements are made by a run of a period.{' '}
            {can('pay:manage') ? 'Start one on the Runs page.' : 'Your compensation admin runs the periods.'}
          </p>
          {can('pay:manage') && (
            <div className="empty-state-actions">
              <Link to="/reward/runs" className="button button-primary">
                Go to runs
              </Link>
            </div>
          )}
        </section>
      ) : (
        <section className="card" aria-labelledby="statements-title">
          <h2 id="statements-title" className="visually-hidden">
            Statements
          </h2>
          <SearchToolbar
            label="Statements"
            searchLabel="Search statements"
            placeholder="Search by name or payee id"
            value={q}
            onSearch={(text) => go({ q: text || undefined })}
          >
            {periodChoices.length > 0 && (
              <div className="field field-inline">
                <label htmlFor={periodId}>Period</label>
                <select
                  id={periodId}
                  value={period ?? ''}
                  onChange={(event) => go({ period: event.target.value })}
                >
                  {periodChoices.map((p) => (
                    <option key={p} value={p}>
                      {formatPeriodLabel(p)}
                    </option>
                  ))}
                </select>
              </div>
            )}
          </SearchToolbar>
          {list.problem && <ProblemAlert problem={list.problem} lead="Could not load the statements." />}
          {!list.data ? (
            !list.problem && <p className="muted">Loading the statements…</p>
          ) : rows.length === 0 ? (
            <div className="empty-inline" data-testid="statements-empty">
              {list.data.length === 0
                ? `No statement for ${period ? formatPeriodLabel(period) : 'this period'}: the period has not been run yet.`
                : 'No statement matches this search.'}
            </div>
          ) : (
            <>
              <div className="table-wrap">
                <table
                  className="table"
                  aria-label="Statements"
                  data-testid="statements-table"
                  aria-busy={list.loading}
                >
                  <thead>
                    <tr>
                      <th scope="col">Payee</th>
                      <th scope="col">Period</th>
                      <th scope="col" className="num">
                        Earnings
                      </th>
                      <th scope="col" className="num">
                        Adjustments
                      </th>
                      <th scope="col" className="num">
                        Payable
                      </th>
                      <th scope="col">Questions</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((s) => (
                      <tr key={`${s.payee}-${s.period}`} data-payee={s.payee}>
                        <th scope="row">
                          <Link
                            to={`/reward/statements/${encodeURIComponent(s.payee)}/${encodeURIComponent(s.period)}`}
                          >
                            {s.payeeName}
                          </Link>
                          <span className="cell-sub">{s.payee}</span>
                        </th>
                        <td>{formatPeriodLabel(s.period)}</td>
                        <td className="num tabular">{formatPay(s.totals.earnings, s.currency)}</td>
                        <td className="num tabular">{formatPay(s.totals.adjustments, s.currency)}</td>
                        <td className="num tabular">
                          <strong>{formatPay(s.totals.payable, s.currency)}</strong>
                        </td>
                        <td>
                          {s.openDisputes > 0 ? (
                            <span className="badge badge-warning">{formatCount(s.openDisputes)} open</span>
                          ) : (
                            <span className="muted">—</span>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <p className="table-note muted">
                {formatCount(rows.length)} of {formatCount(list.data.length)} statements
              </p>
            </>
          )}
        </section>
      )}
    </>
  );
}
