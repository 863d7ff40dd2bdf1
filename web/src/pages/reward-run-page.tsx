import { useEffect, useState } from 'react';
import { queryString, toProblem, type Problem } from '../api.ts';
import { compApi, startedRuns, type Run } from '../comp-api.ts';
import { formatPay, formatPeriodLabel } from '../comp-format.ts';
import { CompNav } from '../components/comp-nav.tsx';
import { RunProgress, RunStatusBadge } from '../components/comp-run-status.tsx';
import { ArrowLeftIcon } from '../components/icons.tsx';
import { PageHeader } from '../components/page-header.tsx';
import { ProblemAlert } from '../components/problem-alert.tsx';
import { formatCount, formatInstant, humanize } from '../format.ts';
import { Link } from '../router.tsx';

const pollMs = 400;

type Phase = { phase: string; done: number; total: number };

function phaseOf(run: Run): Phase {
  return {
    phase: run.progress?.phase || run.status,
    done: run.progress?.done ?? 0,
    total: run.progress?.total ?? 0,
  };
}

/** One run: live progress while it computes (polling GET /api/comp/runs/:id), then its summary. */
export function RewardRunPage({ id }: { id: string }) {
  const [run, setRun] = useState<Run | null>(() => startedRuns.get(id) ?? null);
  const [problem, setProblem] = useState<Problem | null>(null);
  // Every phase seen while following the run (from the answer that started it, then each poll).
  const [phases, setPhases] = useState<Phase[]>(() => {
    const first = startedRuns.get(id);
    return first ? [phaseOf(first)] : [];
  });

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const next = await compApi.run(id);
        if (cancelled) return;
        setRun(next);
        setPhases((seen) => {
          const last = seen[seen.length - 1];
          const phase = phaseOf(next);
          if (last && last.phase === phase.phase) {
            return [...seen.slice(0, -1), { ...last, done: phase.done, total: phase.total }];
          }
          return [...seen, phase];
        });
        setProblem(null);
        if (next.status === 'running') timer = setTimeout(poll, pollMs);
      } catch (error) {
        if (cancelled) return;
        setProblem(toProblem(error));
        // A hiccup while it runs: try again a little later.
        timer = setTimeout(poll, pollMs * 5);
      }
    };
    void poll();
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
      startedRuns.delete(id);
    };
  }, [id]);

  const error = run?.error ? (typeof run.error === 'string' ? { title: run.error } : run.error) : null;
  const currency = run?.summary?.currency ?? 'USD';

  return (
    <>
      <Link to="/reward/runs" className="back-link">
        <ArrowLeftIcon /> Runs and periods
      </Link>
      <PageHeader
        title={run ? `Run of ${formatPeriodLabel(run.period)}` : 'Run'}
        tagline={run ? `Started ${formatInstant(run.startedAt)}.` : 'Loading…'}
        actions={run ? <RunStatusBadge status={run.status} /> : undefined}
      />
      <CompNav />
      {problem && <ProblemAlert problem={problem} lead="Could not load the run." />}
      {run && (
        <section className="card" aria-labelledby="run-title" data-testid="run" data-status={run.status}>
          <h2 id="run-title" className="card-title">
            {run.status === 'running'
              ? 'Computing…'
              : run.status === 'succeeded'
                ? 'Summary'
                : 'The run failed'}
          </h2>
          <RunProgress run={run} />
          {phases.length > 0 && (
            <ol className="comp-phases" aria-label="Phases seen" data-testid="run-phases">
              {phases.map((p, index) => (
                <li key={`${p.phase}-${index}`} data-phase={p.phase}>
                  {humanize(p.phase)}
                  {p.total > 0 && (
                    <span className="muted tabular">
                      {' '}
                      {formatCount(p.done)}/{formatCount(p.total)}
                    </span>
                  )}
                </li>
              ))}
            </ol>
          )}
          {run.status === 'failed' && error && <ProblemAlert problem={error} />}
          {run.status === 'succeeded' && run.summary && (
            <dl className="metric-grid" data-testid="run-summary">
              <div className="metric">
                <dt>Payees</dt>
                <dd className="metric-value" data-testid="run-payees">
                  {formatCount(run.summary.payees)}
                </dd>
              </div>
              <div className="metric">
                <dt>Earnings</dt>
                <dd className="metric-value" data-testid="run-earnings">
                  {formatPay(run.summary.earnings, currency)}
                </dd>
              </div>
              <div className="metric">
                <dt>Payable</dt>
                <dd className="metric-value" data-testid="run-payable">
                  {formatPay(run.summary.payable, currency)}
                </dd>
              </div>
            </dl>
          )}
          <dl className="comp-run-facts">
            <div>
              <dt>Run</dt>
              <dd>
                <code>{run.id}</code>
              </dd>
            </div>
            {run.finishedAt && (
              <div>
                <dt>Finished</dt>
                <dd>{formatInstant(run.finishedAt)}</dd>
              </div>
            )}
            {run.inputFingerprint && (
              <div>
                <dt>Input fingerprint</dt>
                <dd>
                  <code title={run.inputFingerprint}>{run.inputFingerprint.slice(0, 16)}…</code>
                </dd>
              </div>
            )}
            {run.planVersions && run.planVersions.length > 0 && (
              <div>
                <dt>Plan versions</dt>
                <dd>
                  <code>{describePlanVersions(run.planVersions)}</code>
                </dd>
              </div>
            )}
          </dl>
          {run.status === 'succeeded' && (
            <div className="form-actions">
              <Link
                to={`/reward/statements${queryString({ period: run.period })}`}
                className="button button-primary"
                data-testid="run-statements-link"
              >
                Open the statements
              </Link>
              <a className="button button-secondary" href={compApi.payrollUrl(run.period)} download>
                Payroll file
              </a>
            </div>
          )}
        </section>
      )}
    </>
  );
}

function describePlanVersions(versions: NonNullable<Run['planVersions']>): string {
  return versions.map((v) => `${v.planId} v${v.version}`).join(', ') || '—';
}
