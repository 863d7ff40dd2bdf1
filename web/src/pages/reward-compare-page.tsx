import { Fragment } from 'react';
import { compApi } from '../comp-api.ts';
import { formatDelta, formatPay, formatPeriodLabel, isNegative } from '../comp-format.ts';
import { CompNav } from '../components/comp-nav.tsx';
import { ArrowLeftIcon } from '../components/icons.tsx';
import { PageHeader } from '../components/page-header.tsx';
import { ProblemAlert } from '../components/problem-alert.tsx';
import { formatCount } from '../format.ts';
import { Link, useSearchParams } from '../router.tsx';
import { useLoad } from '../use-load.ts';

/** "Why did pay change": two runs side by side, per payee and line, with the reasons. */
export function RewardComparePage() {
  const params = useSearchParams();
  const a = params.get('a') ?? '';
  const b = params.get('b') ?? '';
  const loaded = useLoad(() => (a && b ? compApi.compare(a, b) : Promise.resolve(null)), [a, b]);
  const comparison = loaded.data;
  const changes = comparison?.statements ?? [];
  const currency = comparison?.currency ?? 'USD';
  return (
    <>
      <Link to="/reward/runs" className="back-link">
        <ArrowLeftIcon /> Runs and periods
      </Link>
      <PageHeader
        title="Compare runs"
        tagline={`Run ${a || '?'} (before) against run ${b || '?'} (after): who changed, by how much, and why.`}
      />
      <CompNav />
      {(!a || !b) && <p className="notice">Choose two runs on the Runs page, then press Compare.</p>}
      {loaded.problem && <ProblemAlert problem={loaded.problem} lead="Could not compare the runs." />}
      {a && b && !comparison && !loaded.problem && <p className="muted">Comparing…</p>}
      {comparison && (
        <section className="card" aria-labelledby="compare-title" data-testid="comparison">
          <div className="card-header">
            <div>
              <h2 id="compare-title">
                {changes.length === 0
                  ? 'No statement changed'
                  : `${formatCount(comparison.payeesChanged.length)} payee${comparison.payeesChanged.length === 1 ? '' : 's'} changed · payable ${formatDelta(comparison.totalsDelta.payable, currency)}`}
              </h2>
              {comparison.reasons.length > 0 && (
                <ul className="card-description comp-reasons">
                  {comparison.reasons.map((r) => (
                    <li key={r}>{r}</li>
                  ))}
                </ul>
              )}
              <p className="card-description">
                {formatCount(comparison.unchangedStatements)} statement
                {comparison.unchangedStatements === 1 ? '' : 's'} unchanged.
              </p>
            </div>
          </div>
          {changes.length > 0 && (
            <div className="table-wrap">
              <table className="table" aria-label="Changes" data-testid="comparison-table">
                <thead>
                  <tr>
                    <th scope="col">Payee / line</th>
                    <th scope="col" className="num">
                      Before
                    </th>
                    <th scope="col" className="num">
                      After
                    </th>
                    <th scope="col" className="num">
                      Change
                    </th>
                    <th scope="col">Why</th>
                  </tr>
                </thead>
                <tbody>
                  {changes.map((p) => (
                    <Fragment key={`${p.payee}-${p.period}`}>
                      <tr className="comp-compare-payee" data-payee={p.payee} data-testid="compare-payee">
                        <th scope="row">
                          {p.payeeName}
                          <span className="cell-sub">
                            {formatPeriodLabel(p.period)} · payable
                            {p.change === 'changed' ? '' : ` (${p.change})`}
                          </span>
                        </th>
                        <td className="num tabular">{formatPay(p.totalsBefore?.payable, currency)}</td>
                        <td className="num tabular">{formatPay(p.totalsAfter?.payable, currency)}</td>
                        <td
                          className={`num tabular ${isNegative(p.delta.payable) ? 'text-danger' : 'text-success'}`}
                        >
                          <strong>{formatDelta(p.delta.payable, currency)}</strong>
                        </td>
                        <td>{p.reasons.join('; ')}</td>
                      </tr>
                      {p.lines.map((line) => (
                        <tr key={line.lineId} className="comp-compare-line" data-testid="compare-line">
                          <th scope="row">
                            <code>{line.lineId}</code>
                            <span className="cell-sub">{line.change}</span>
                          </th>
                          <td className="num tabular">{formatPay(line.before, currency)}</td>
                          <td className="num tabular">{formatPay(line.after, currency)}</td>
                          <td className={`num tabular ${isNegative(line.delta) ? 'text-danger' : ''}`}>
                            {formatDelta(line.delta, currency)}
                          </td>
                          <td>
                            {line.reasons.join('; ') || line.explanationAfter || line.explanationBefore}
                          </td>
                        </tr>
                      ))}
                    </Fragment>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
    </>
  );
}
