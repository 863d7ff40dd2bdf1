import type { Problem } from '../api.ts';
import { AlertIcon } from './icons.tsx';

/**
 * A form's failure in plain words: the server's title, then each problem it names (the field's own
 * problems are shown under that field by the form, so `skipFields` leaves them out here).
 */
export function FormAlert({
  problem,
  title,
  tone = 'danger',
  skipFields = [],
}: {
  problem: Problem;
  title?: string;
  tone?: 'danger' | 'warning';
  skipFields?: string[];
}) {
  const details = (problem.problems ?? []).filter(
    (p) => !p.field || !skipFields.some((f) => p.field === f || p.field?.endsWith(`.${f}`)),
  );
  return (
    <div className={`alert alert-${tone}`} role="alert" data-testid="form-alert">
      <div className="alert-icon">
        <AlertIcon />
      </div>
      <div className="alert-body">
        <p className="alert-title">{title ?? problem.title}</p>
        {title && <p>{problem.title}</p>}
        {problem.detail && <p>{problem.detail}</p>}
        {details.length > 0 && (
          <ul className="alert-list">
            {details.map((p, index) => (
              <li key={index}>
                {p.field ? (
                  <>
                    <code>{p.field.replace(/^json\./, '')}</code> {p.message}
                  </>
                ) : (
                  p.message
                )}
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

/** The messages the server gave for one field ("password" or "json.password"). */
export function fieldProblems(problem: Problem | null, field: string): string[] {
  return (problem?.problems ?? [])
    .filter((p) => p.field === field || p.field === `json.${field}`)
    .map((p) => p.message);
}
