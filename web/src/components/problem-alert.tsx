import type { Problem } from '../api.ts';
import { AlertIcon } from './icons.tsx';
import { ErrorsTable } from './issue-tables.tsx';

/** A server problem (application/problem+json) with every row or field it names. */
export function ProblemAlert({ problem, lead }: { problem: Problem; lead?: string }) {
  const problems = problem.problems ?? [];
  return (
    <div className="alert alert-danger" role="alert">
      <div className="alert-icon">
        <AlertIcon />
      </div>
      <div className="alert-body">
        <p className="alert-title">
          {lead ? `${lead} ` : ''}
          {problem.title}
          {(problem.code || (problem.status ?? 0) > 0) && (
            <span className="alert-code"> ({problem.code ?? `HTTP ${problem.status}`})</span>
          )}
        </p>
        {problem.detail && <p>{problem.detail}</p>}
        {problems.length > 0 && <ErrorsTable errors={problems} caption="Problems reported by the server" />}
      </div>
    </div>
  );
}
