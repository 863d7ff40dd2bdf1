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

/**
 * A form's per-field errors from the server's problem: whether a field has any (`invalid`), the
 * error beside it (`fieldError`) and its `aria-describedby` (`describedBy`, with the field's own
 * hint if any).
 */
export function fieldErrors(problem: Problem | null, fields: readonly string[], formId: string) {
  const errors = new Map(fields.map((f) => [f, fieldProblems(problem, f)]));
  const errorId = (field: string) => `${formId}-${field}-error`;
  const messages = (field: string) => errors.get(field) ?? [];
  return {
    invalid: (field: string) => messages(field).length > 0,
    fieldError: (field: string) =>
      messages(field).length > 0 ? (
        <span className="field-error" id={errorId(field)} data-testid={`error-${field}`}>
          {messages(field).join('; ')}
        </span>
      ) : null,
    describedBy: (field: string, hint?: string) =>
      [hint, messages(field).length > 0 ? errorId(field) : null].filter(Boolean).join(' ') || undefined,
  };
}
