import type { PlanProblem, PlanTestResult } from '../comp-api.ts';
import { AlertIcon, CheckIcon } from './icons.tsx';

/** A plan's test cases after a check or a save: each passes (green) or fails with expected vs actual (red). */
export function PlanTestResults({ results }: { results: PlanTestResult[] }) {
  if (results.length === 0)
    return (
      <p className="notice notice-warning" data-testid="no-plan-tests">
        This plan has no test cases. Add some under <code>tests:</code> (given these transactions and quotas,
        expect these payouts) so that every save proves the plan still pays what it should.
      </p>
    );
  const failed = results.filter((r) => !r.passed).length;
  return (
    <div className="comp-tests" data-testid="plan-tests">
      <p
        className={`comp-tests-summary ${failed > 0 ? 'text-danger' : 'text-success'}`}
        data-testid="plan-tests-summary"
      >
        {failed > 0
          ? `${failed} of ${results.length} test${results.length === 1 ? '' : 's'} failing`
          : `All ${results.length} test${results.length === 1 ? '' : 's'} passing`}
      </p>
      <ul className="comp-test-list">
        {results.map((result, index) => (
          <li
            key={`${result.name}-${index}`}
            className={`comp-test ${result.passed ? 'is-passed' : 'is-failed'}`}
            data-testid="plan-test"
            data-passed={result.passed}
          >
            <div className="comp-test-head">
              <span className="comp-test-icon" aria-hidden="true">
                {result.passed ? <CheckIcon /> : <AlertIcon />}
              </span>
              <span className="comp-test-name">{result.name}</span>
              <span className={`badge badge-${result.passed ? 'success' : 'danger'}`}>
                {result.passed ? 'Passed' : 'Failed'}
              </span>
            </div>
            {result.error && <p className="comp-test-error">{result.error}</p>}
            {result.failures.length > 0 && (
              <table
                className="table table-compact comp-test-failures"
                aria-label={`Failures of ${result.name}`}
              >
                <thead>
                  <tr>
                    <th scope="col">Expectation</th>
                    <th scope="col" className="num">
                      Expected
                    </th>
                    <th scope="col" className="num">
                      Actual
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {result.failures.map((failure, i) => (
                    <tr key={i} data-testid="plan-test-failure">
                      <td>{failure.expectation}</td>
                      <td className="num tabular" data-testid="failure-expected">
                        {failure.expected}
                      </td>
                      <td className="num tabular text-danger" data-testid="failure-actual">
                        {failure.actual}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Validation problems, each with its line and path; a click puts the cursor on the line. */
export function PlanProblems({
  problems,
  onGoToLine,
}: {
  problems: PlanProblem[];
  onGoToLine: (line: number) => void;
}) {
  return (
    <div className="alert alert-danger" role="alert" data-testid="plan-problems">
      <div className="alert-icon">
        <AlertIcon />
      </div>
      <div className="alert-body">
        <p className="alert-title">
          {problems.length === 1 ? 'One problem' : `${problems.length} problems`} in the plan
        </p>
        <ul className="comp-problem-list">
          {problems.map((problem, index) => (
            <li key={index} data-testid="plan-problem">
              {problem.line !== undefined ? (
                <button type="button" className="comp-line-ref" onClick={() => onGoToLine(problem.line!)}>
                  Line {problem.line}
                </button>
              ) : (
                <span className="comp-line-ref">—</span>
              )}
              {(problem.field ?? problem.path) && <code>{problem.field ?? problem.path}</code>}
              <span>{problem.message}</span>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
