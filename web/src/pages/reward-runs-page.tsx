import { useId, useState } from 'react';
import { queryString, toProblem, type Problem } from '../api.ts';
import { compApi, type PayPeriod, type RunId } from '../comp-api.ts';
import { formatPay, formatPeriodLabel } from '../comp-format.ts';
import { ConfirmDialog } from '../components/comp-confirm-dialog.tsx';
import { CompNav } from '../components/comp-nav.tsx';
import { RunStatusBadge } from '../components/comp-run-status.tsx';
import { PageHeader } from '../components/page-header.tsx';
import { ProblemAlert } from '../components/problem-alert.tsx';
import { formatCount, formatDay, formatInstant, humanize } from '../format.ts';
import { Link, navigate } from '../router.tsx';
import { useLoad } from '../use-load.ts';

/** Periods and runs: start a run of a period, follow it, compare two runs, close a period. */
export function RewardRunsPage() {
  const periods = useLoad(() => compApi.periods(), []);
  const runs = useLoad(() => compApi.runs(), []);
  const plans = useLoad(() => compApi.plans(), []);
  const periodId = useId();
  const [chosen, setChosen] = useState('');
  const [starting, setStarting] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [closing, setClosing] = useState<PayPeriod | null>(null);
  const [closeBusy, setCloseBusy] = useState(false);
  const [compare, setCompare] = useState<string[]>([]);
  const key = (id: RunId) => String(id);

  const allPeriods = [...(periods.data ?? [])].sort((a, b) => b.period.localeCompare(a.period));
  const open = allPeriods.filter((p) => p.status === 'open');
  const period =
    chosen ||
    open.find((p) => p.lastRunId === null && p.startsOn <= new Date().toISOString().slice(0, 10))?.period ||
    open[0]?.period ||
    '';
  const runList = [...(runs.data ?? [])].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  const noPlans = plans.data !== null && plans.data.length === 0;

  const start = async () => {
    if (!period) return;
    setStarting(true);
    setProblem(null);
    try {
      const run = await compApi.startRun(period);
      navigate(`/reward/runs/${encodeURIComponent(key(run.id))}`);
    } catch (error) {
      setProblem(toProblem(error));
      setStarting(false);
    }
  };

  const close = async () => {
    if (!closing) return;
    setCloseBusy(true);
    setProblem(null);
    try {
      await compApi.closePeriod(closing.period);
      setClosing(null);
      periods.reload();
    } catch (error) {
      setProblem(toProblem(error));
      setClosing(null);
    } finally {
      setCloseBusy(false);
    }
  };

  const toggleCompare = (id: string) =>
    setCompare((current) =>
      current.includes(id) ? current.filter((x) => x !== id) : [...current, id].slice(-2),
    );

  return (
    <>
      <PageHeader
        title="Runs and periods"
        tagline="A run computes a period's statements from a fingerprinted snapshot of its inputs. Closing a period locks it."
      />
      <CompNav />
      {noPlans && (
        <section className="card empty-state" data-testid="runs-no-plan">
          <h2>No plan yet</h2>
          <p className="empty-state-lead">A run needs a plan to compute. Write one first.</p>
          <div className="empty-state-actions">
            <Link to="/reward/plans/new" className="button button-primary">
              Write a plan
            </Link>
          </div>
        </section>
      )}

      <section className="card" aria-labelledby="start-title">
        <div className="card-header">
          <div>
            <h2 id="start-title">Start a run</h2>
            <p className="card-description">
              Computes every payee of the period. Rerunning an open period replaces its statements; a closed
              period is never rewritten (differences become adjustments in the next open period). A run pays
              the <Link to="/reward/adjustments">approved adjustments</Link> of its period.
            </p>
          </div>
        </div>
        <form
          className="toolbar"
          aria-label="Start a run"
          onSubmit={(event) => {
            event.preventDefault();
            void start();
          }}
        >
          <div className="field field-inline comp-field-left">
            <label htmlFor={periodId}>Period</label>
            <select
              id={periodId}
              value={period}
              onChange={(event) => setChosen(event.target.value)}
              disabled={allPeriods.length === 0}
            >
              {allPeriods.map((p) => (
                <option key={p.period} value={p.period}>
                  {formatPeriodLabel(p.period)}
                  {p.status === 'closed' ? ' (closed)' : ''}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="button button-primary" disabled={!period || starting || noPlans}>
            {starting ? 'Starting…' : 'Start run'}
          </button>
        </form>
        {problem && <ProblemAlert problem={problem} />}
      </section>

      <section className="card" aria-labelledby="periods-title">
        <h2 id="periods-title" className="card-title">
          Periods
        </h2>
        {periods.problem && <ProblemAlert problem={periods.problem} lead="Could not load the periods." />}
        {!periods.data ? (
          !periods.problem && <p className="muted">Loading the periods…</p>
        ) : allPeriods.length === 0 ? (
          <div className="empty-inline">No pay period yet: periods come from the plan’s calendar.</div>
        ) : (
          <div className="table-wrap comp-scroll">
            <table className="table table-compact" aria-label="Periods" data-testid="periods-table">
              <thead>
                <tr>
                  <th scope="col">Period</th>
                  <th scope="col">Dates</th>
                  <th scope="col">Status</th>
                  <th scope="col">Last run</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {allPeriods.map((p) => (
                  <tr key={p.period} data-period={p.period}>
                    <th scope="row">{formatPeriodLabel(p.period)}</th>
                    <td className="nowrap tabular">
                      {formatDay(p.startsOn)} – {formatDay(p.endsOn)}
                    </td>
                    <td>
                      <span className={`badge badge-${p.status === 'closed' ? 'neutral' : 'info'}`}>
                        {p.status === 'closed' ? `Closed ${formatInstant(p.closedAt)}` : 'Open'}
                      </span>
                    </td>
                    <td>
                      {p.lastRunId ? (
                        <Link to={`/reward/runs/${encodeURIComponent(key(p.lastRunId))}`}>
                          <code>{p.lastRunId}</code>
                        </Link>
                      ) : (
                        <span className="muted">Not run</span>
                      )}
                    </td>
                    <td className="cell-actions">
                      {p.lastRunId && (
                        <Link
                          to={`/reward/statements${queryString({ period: p.period })}`}
                          className="button button-ghost button-small"
                        >
                          Statements
                        </Link>
                      )}
                      {p.status === 'open' && p.lastRunId && (
                        <button
                          type="button"
                          className="button button-secondary button-small"
                          onClick={() => setClosing(p)}
                        >
                          Close period
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="runs-title">
        <div className="card-header">
          <div>
            <h2 id="runs-title">Runs</h2>
            <p className="card-description">Tick two runs to see which payees and lines changed, and why.</p>
          </div>
          <button
            type="button"
            className="button button-secondary"
            disabled={compare.length !== 2}
            onClick={() => navigate(`/reward/runs/compare${queryString({ a: compare[0], b: compare[1] })}`)}
          >
            Compare {compare.length === 2 ? 'the two runs' : `(${compare.length} of 2)`}
          </button>
        </div>
        {runs.problem && <ProblemAlert problem={runs.problem} lead="Could not load the runs." />}
        {!runs.data ? (
          !runs.problem && <p className="muted">Loading the runs…</p>
        ) : runList.length === 0 ? (
          <div className="empty-inline" data-testid="no-runs">
            No run yet. Start one above: it computes the statements of every payee for the period.
          </div>
        ) : (
          <div className="table-wrap">
            <table className="table" aria-label="Runs" data-testid="runs-table">
              <thead>
                <tr>
                  <th scope="col">
                    <span className="visually-hidden">Compare</span>
                  </th>
                  <th scope="col">Run</th>
                  <th scope="col">Period</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Payees
                  </th>
                  <th scope="col" className="num">
                    Payable
                  </th>
                  <th scope="col">Started</th>
                </tr>
              </thead>
              <tbody>
                {runList.map((run) => (
                  <tr key={run.id} data-run-id={run.id}>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Compare run ${run.id}`}
                        checked={compare.includes(key(run.id))}
                        onChange={() => toggleCompare(key(run.id))}
                      />
                    </td>
                    <th scope="row">
                      <Link to={`/reward/runs/${encodeURIComponent(key(run.id))}`}>
                        <code>{run.id}</code>
                      </Link>
                    </th>
                    <td>{formatPeriodLabel(run.period)}</td>
                    <td>
                      <RunStatusBadge status={run.status} />
                      {run.status === 'running' && (
                        <span className="cell-sub">{humanize(run.progress?.phase ?? '')}</span>
                      )}
                    </td>
                    <td className="num tabular">{run.summary ? formatCount(run.summary.payees) : '—'}</td>
                    <td className="num tabular">
                      {run.summary ? formatPay(run.summary.payable, run.summary.currency) : '—'}
                    </td>
                    <td className="nowrap">{formatInstant(run.startedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {closing && (
        <ConfirmDialog
          title={`Close ${formatPeriodLabel(closing.period)}?`}
          confirmLabel="Close the period"
          busy={closeBusy}
          onConfirm={close}
          onCancel={() => setClosing(null)}
        >
          <p>
            Its statements from run <code>{closing.lastRunId}</code> become final and are locked. A later
            recalculation never rewrites them: any difference is paid as an adjustment in the next open
            period.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
