import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { toProblem, type Problem } from '../api.ts';
import {
  compApi,
  type PlanCheck,
  type PlanDetail,
  type PlanProblem,
  type PlanTestResult,
} from '../comp-api.ts';
import { newPlanTemplate, planIdOf } from '../comp-plan-template.ts';
import { PlanAssignments } from '../components/comp-assignments.tsx';
import { CompNav } from '../components/comp-nav.tsx';
import { PlanProblems, PlanTestResults } from '../components/comp-plan-tests.tsx';
import { ArrowLeftIcon } from '../components/icons.tsx';
import { PageHeader } from '../components/page-header.tsx';
import { ProblemAlert } from '../components/problem-alert.tsx';
import { formatInstant } from '../format.ts';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session.tsx';
import { useLoad } from '../use-load.ts';

type Outcome =
  | { kind: 'checked'; check: PlanCheck }
  | { kind: 'saved'; version: number; testResults: PlanTestResult[] }
  | { kind: 'rejected'; problems: PlanProblem[]; problem: Problem };

/** The plan editor: its YAML, "Check" (validate + run its tests), "Save" (a new version), and history. */
export function RewardPlanPage({ id }: { id: string }) {
  const isNew = id === 'new';
  const loaded = useLoad<PlanDetail | null>(() => (isNew ? Promise.resolve(null) : compApi.plan(id)), [id]);
  const plan = loaded.data;
  const { can } = useSession();
  // The pay calendar, for the default start of a new assignment (the current period's first day).
  const periods = useLoad(() => (isNew ? Promise.resolve([]) : compApi.periods()), [isNew]);
  return (
    <>
      <Link to="/reward/plans" className="back-link">
        <ArrowLeftIcon /> Plans
      </Link>
      <PageHeader
        title={isNew ? 'New plan' : (plan?.name ?? 'Plan')}
        tagline={
          isNew
            ? 'Write the plan in YAML (the reference is docs/plans.md). Saving creates version 1.'
            : plan
              ? `Version ${plan.current.version}, saved ${formatInstant(plan.current.createdAt)}${plan.current.createdBy ? ` by ${plan.current.createdBy}` : ''}.`
              : 'Loading…'
        }
      />
      <CompNav />
      {loaded.problem && <ProblemAlert problem={loaded.problem} lead="Could not load the plan." />}
      {isNew ? (
        <PlanEditor
          key="new"
          planId={null}
          initialSource={newPlanTemplate}
          initialResults={null}
          onSaved={() => {}}
        />
      ) : (
        plan && (
          <>
            <PlanEditor
              key={`${plan.id}-${plan.current.version}`}
              planId={plan.id}
              initialSource={plan.current.source}
              initialResults={plan.current.testResults}
              onSaved={loaded.reload}
            />
            <div className="comp-columns">
              <VersionHistory plan={plan} />
              <PlanAssignments
                plan={plan}
                canAssign={can('pay:manage')}
                periods={periods.data}
                onAssigned={loaded.reload}
              />
            </div>
          </>
        )
      )}
    </>
  );
}

function PlanEditor({
  planId,
  initialSource,
  initialResults,
  onSaved,
}: {
  planId: string | null;
  initialSource: string;
  initialResults: PlanTestResult[] | null;
  onSaved: () => void;
}) {
  const editorId = useId();
  const [source, setSource] = useState(initialSource);
  const [saved, setSaved] = useState(initialSource);
  const [busy, setBusy] = useState<'check' | 'save' | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [failure, setFailure] = useState<Problem | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const dirty = source !== saved;
  const lineCount = source.split('\n').length;

  const check = useCallback(async () => {
    setBusy('check');
    setFailure(null);
    try {
      setOutcome({ kind: 'checked', check: await compApi.validatePlan(source) });
    } catch (error) {
      setFailure(toProblem(error));
    } finally {
      setBusy(null);
    }
  }, [source]);

  const save = useCallback(async () => {
    const target = planId ?? planIdOf(source);
    if (!target) {
      setFailure({ title: 'The plan has no id', detail: 'Write `id: your-plan-id` on the first line.' });
      return;
    }
    setBusy('save');
    setFailure(null);
    try {
      const result = await compApi.savePlan(target, source);
      setSaved(source);
      setOutcome({ kind: 'saved', version: result.version, testResults: result.testResults });
      if (!planId) navigate(`/reward/plans/${encodeURIComponent(target)}`, { replace: true });
      else onSaved();
    } catch (error) {
      const problem = toProblem(error);
      if (problem.problems && problem.problems.length > 0)
        setOutcome({ kind: 'rejected', problem, problems: problem.problems as PlanProblem[] });
      else setFailure(problem);
    } finally {
      setBusy(null);
    }
  }, [planId, source, onSaved]);

  // Leaving with unsaved changes asks first.
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    const mod = event.ctrlKey || event.metaKey;
    if (mod && event.key.toLowerCase() === 's') {
      event.preventDefault();
      if (!busy) void save();
    } else if (mod && event.key === 'Enter') {
      event.preventDefault();
      if (!busy) void check();
    }
  };

  const goToLine = (line: number) => {
    const el = area.current;
    if (!el) return;
    const lines = source.split('\n');
    const start = lines.slice(0, Math.max(0, line - 1)).reduce((sum, l) => sum + l.length + 1, 0);
    const end = start + (lines[line - 1]?.length ?? 0);
    el.focus();
    el.setSelectionRange(start, end);
    const lineHeight = parseFloat(getComputedStyle(el).lineHeight) || 20;
    el.scrollTop = Math.max(0, (line - 4) * lineHeight);
  };

  const problems =
    outcome?.kind === 'checked'
      ? outcome.check.problems
      : outcome?.kind === 'rejected'
        ? outcome.problems
        : [];
  const results =
    outcome?.kind === 'checked'
      ? outcome.check.testResults
      : outcome?.kind === 'saved'
        ? outcome.testResults
        : outcome?.kind === 'rejected'
          ? null
          : initialResults;

  return (
    <div className="comp-editor-layout">
      <section className="card comp-editor-card" aria-labelledby={`${editorId}-title`}>
        <div className="card-header">
          <div>
            <h2 id={`${editorId}-title`}>Plan document</h2>
            <p className="card-description">
              <kbd>Ctrl</kbd>/<kbd>⌘</kbd>+<kbd>S</kbd> saves, <kbd>Ctrl</kbd>+<kbd>Enter</kbd> checks.
              {dirty ? ' Unsaved changes.' : ''}
            </p>
          </div>
          <div className="toolbar-buttons">
            <button
              type="button"
              className="button button-secondary"
              onClick={check}
              disabled={busy !== null}
            >
              {busy === 'check' ? 'Checking…' : 'Check'}
            </button>
            <button
              type="button"
              className="button button-primary"
              onClick={save}
              disabled={busy !== null || (!dirty && planId !== null)}
            >
              {busy === 'save' ? 'Saving…' : planId ? 'Save new version' : 'Save plan'}
            </button>
          </div>
        </div>
        <div className="comp-editor">
          <div className="comp-gutter" ref={gutter} aria-hidden="true">
            {Array.from({ length: lineCount }, (_, i) => (
              <span key={i}>{i + 1}</span>
            ))}
          </div>
          <label htmlFor={editorId} className="visually-hidden">
            Plan YAML
          </label>
          <textarea
            id={editorId}
            ref={area}
            className="comp-source"
            value={source}
            spellCheck={false}
            autoCapitalize="off"
            autoComplete="off"
            wrap="off"
            data-testid="plan-source"
            onChange={(event) => setSource(event.target.value)}
            onKeyDown={onKeyDown}
            onScroll={(event) => {
              if (gutter.current) gutter.current.scrollTop = event.currentTarget.scrollTop;
            }}
          />
        </div>
      </section>

      <section className="card comp-results-card" aria-labelledby={`${editorId}-results`} aria-live="polite">
        <h2 id={`${editorId}-results`} className="card-title">
          {outcome?.kind === 'saved' ? `Saved as version ${outcome.version}` : 'Check and test cases'}
        </h2>
        {outcome?.kind === 'saved' && (
          <p className="notice notice-success" data-testid="plan-saved">
            Version {outcome.version} is saved.
            {outcome.testResults.some((t) => !t.passed) ? ' Some of its tests fail: see below.' : ''}
          </p>
        )}
        {failure && <ProblemAlert problem={failure} lead="The plan could not be processed." />}
        {outcome?.kind === 'rejected' && (
          <p className="muted">The plan was not saved: fix the problems below first.</p>
        )}
        {problems.length > 0 && <PlanProblems problems={problems} onGoToLine={goToLine} />}
        {outcome?.kind === 'checked' && problems.length === 0 && (
          <p className="notice notice-success" data-testid="plan-valid">
            The plan is valid.
          </p>
        )}
        {problems.length > 0 ? (
          <p className="muted">The test cases run once the plan is valid.</p>
        ) : results ? (
          <PlanTestResults results={results} />
        ) : (
          !outcome && <p className="muted">Press Check to validate the plan and run its test cases.</p>
        )}
      </section>
    </div>
  );
}

function VersionHistory({ plan }: { plan: PlanDetail }) {
  const versions = [...plan.versions].sort((a, b) => b.version - a.version);
  return (
    <section className="card" aria-labelledby="versions-title">
      <h2 id="versions-title" className="card-title">
        Versions
      </h2>
      <ol className="comp-versions" data-testid="plan-versions">
        {versions.map((v) => (
          <li key={v.version}>
            <span className="tabular">
              <strong>v{v.version}</strong>
              {v.version === plan.current.version && (
                <span className="badge badge-success badge-inline">Current</span>
              )}
            </span>
            <span className="muted">
              {formatInstant(v.createdAt)}
              {v.createdBy ? ` · ${v.createdBy}` : ''}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}
