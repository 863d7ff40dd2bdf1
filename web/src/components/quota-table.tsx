import { Fragment, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { api, queryString, toProblem, type Problem, type Quota } from '../api.ts';
import { formatCount, formatDecimal, formatInstant, humanize } from '../format.ts';
import { Link } from '../router.tsx';
import { useLoad } from '../use-load.ts';
import { ProblemAlert } from './problem-alert.tsx';

const targetPattern = /^\d{1,15}(\.\d{1,4})?$/;

/** "125,000.50" or "125000.5" → "125000.5"; the server wants plain decimals. */
function cleanTarget(text: string): string {
  return text.trim().replace(/[,\s_]/g, '');
}

function QuotaEditForm({
  quota,
  onSaved,
  onCancel,
}: {
  quota: Quota;
  onSaved: (quota: Quota) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const targetInput = useRef<HTMLInputElement>(null);
  const [target, setTarget] = useState(quota.target.replace(/\.0+$/, ''));
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [errors, setErrors] = useState<{ target?: string; reason?: string }>({});
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    targetInput.current?.focus();
    targetInput.current?.select();
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const clean = cleanTarget(target);
    const found: typeof errors = {};
    if (!targetPattern.test(clean)) found.target = 'Enter an amount like 125000 or 125000.50.';
    if (reason.trim().length < 3) found.reason = 'Say why the target changes (at least 3 characters).';
    setErrors(found);
    if (found.target || found.reason) return;
    setSaving(true);
    setProblem(null);
    try {
      onSaved(await api.updateQuota(quota.id, { target: clean, reason: reason.trim() }));
    } catch (error) {
      setProblem(toProblem(error));
      setSaving(false);
    }
  };

  return (
    <form
      className="inline-form"
      aria-label={`Change the quota of ${quota.holderName ?? quota.positionTitle}`}
      onSubmit={(event) => void submit(event)}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.preventDefault();
          onCancel();
        }
      }}
    >
      <div className="inline-form-fields">
        <div className="field">
          <label htmlFor={`${id}-target`}>New target{quota.currency ? ` (${quota.currency})` : ''}</label>
          <input
            ref={targetInput}
            id={`${id}-target`}
            className="input input-number"
            inputMode="decimal"
            value={target}
            onChange={(event) => setTarget(event.target.value)}
            aria-invalid={errors.target ? true : undefined}
            aria-describedby={errors.target ? `${id}-target-error` : undefined}
          />
          {errors.target && (
            <span className="field-error" id={`${id}-target-error`}>
              {errors.target}
            </span>
          )}
        </div>
        <div className="field field-grow">
          <label htmlFor={`${id}-reason`}>Reason</label>
          <input
            id={`${id}-reason`}
            className="input"
            value={reason}
            maxLength={500}
            placeholder="Why does the target change? It is kept in the history and the audit trail."
            onChange={(event) => setReason(event.target.value)}
            aria-invalid={errors.reason ? true : undefined}
            aria-describedby={errors.reason ? `${id}-reason-error` : undefined}
          />
          {errors.reason && (
            <span className="field-error" id={`${id}-reason-error`}>
              {errors.reason}
            </span>
          )}
        </div>
        <div className="inline-form-actions">
          <button type="submit" className="button button-primary" disabled={saving}>
            {saving ? 'Saving…' : 'Save quota'}
          </button>
          <button type="button" className="button button-ghost" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </div>
      {problem && <ProblemAlert problem={problem} lead="The quota was not changed." />}
    </form>
  );
}

/** The quotas of a period the user may see; with quotas:write, a target changes inline, with a reason. */
export function QuotaTable({
  periodId,
  canEdit,
  isOwnQuota,
}: {
  periodId: number;
  canEdit: boolean;
  /** A manager may not change their own quota: no button for it (the server refuses it anyway). */
  isOwnQuota: (quota: Quota) => boolean;
}) {
  const loaded = useLoad(() => api.quotas({ periodId, limit: 500 }), [periodId]);
  const [editing, setEditing] = useState<number | null>(null);
  const [message, setMessage] = useState('');
  const editButtons = useRef(new Map<number, HTMLButtonElement>());
  const page = loaded.data;

  const close = (quotaId: number) => {
    setEditing(null);
    // Back to the button that opened the form, for keyboard users.
    setTimeout(() => editButtons.current.get(quotaId)?.focus(), 0);
  };

  if (loaded.problem) return <ProblemAlert problem={loaded.problem} lead="Could not load the quotas." />;
  if (!page) return <p className="muted">Loading quotas…</p>;
  if (page.total === 0)
    return (
      <div className="empty-inline">
        No quotas in this quarter for the people you can see. Choose another quarter, or import quotas on the
        Data page.
      </div>
    );

  return (
    <div className="stack">
      <p
        role="status"
        className={message ? 'notice notice-success' : 'visually-hidden'}
        data-testid="quota-saved"
      >
        {message}
      </p>
      <div className="table-wrap">
        <table className="table quota-table" aria-label="Quotas" aria-busy={loaded.loading}>
          <thead>
            <tr>
              <th scope="col">Holder</th>
              <th scope="col">Position</th>
              <th scope="col">Measure</th>
              <th scope="col" className="num">
                Target
              </th>
              <th scope="col">Set</th>
              {canEdit && (
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {page.quotas.map((quota) => {
              const own = isOwnQuota(quota);
              return (
                <Fragment key={quota.id}>
                  <tr data-quota-id={quota.id} className={editing === quota.id ? 'is-editing' : undefined}>
                    <th scope="row">
                      {quota.holderId ? (
                        <Link to={`/measure/people/${quota.holderId}${queryString({ periodId })}`}>
                          {quota.holderName}
                        </Link>
                      ) : (
                        <span className="muted">Vacant</span>
                      )}
                    </th>
                    <td>
                      {quota.positionTitle}
                      <span className="cell-sub">{quota.positionKey}</span>
                    </td>
                    <td>{humanize(quota.measure)}</td>
                    <td className="num tabular" data-testid="quota-target">
                      {formatDecimal(quota.target)}
                      {quota.currency && <span className="cell-sub">{quota.currency}</span>}
                    </td>
                    <td>
                      {humanize(quota.method)}
                      <span className="cell-sub">{formatInstant(quota.updatedAt)}</span>
                    </td>
                    {canEdit && (
                      <td className="cell-actions">
                        {own ? (
                          <span className="muted cell-note">Your own: set by your manager</span>
                        ) : (
                          <button
                            type="button"
                            ref={(node) => {
                              if (node) editButtons.current.set(quota.id, node);
                              else editButtons.current.delete(quota.id);
                            }}
                            className="button button-secondary button-small"
                            aria-expanded={editing === quota.id}
                            onClick={() => {
                              setMessage('');
                              setEditing(editing === quota.id ? null : quota.id);
                            }}
                          >
                            Change<span className="visually-hidden"> the quota of {quota.holderName}</span>
                          </button>
                        )}
                      </td>
                    )}
                  </tr>
                  {editing === quota.id && (
                    <tr className="inline-form-row">
                      <td colSpan={canEdit ? 6 : 5}>
                        <QuotaEditForm
                          quota={quota}
                          onCancel={() => close(quota.id)}
                          onSaved={(saved) => {
                            loaded.setData((current) =>
                              current
                                ? {
                                    ...current,
                                    quotas: current.quotas.map((q) => (q.id === saved.id ? saved : q)),
                                  }
                                : current,
                            );
                            setMessage(
                              `Quota of ${saved.holderName ?? saved.positionTitle} for ${saved.periodLabel} changed from ${formatDecimal(quota.target)} to ${formatDecimal(saved.target)}.`,
                            );
                            close(quota.id);
                          }}
                        />
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
      {page.total > page.quotas.length && (
        <p className="muted">
          Showing {formatCount(page.quotas.length)} of {formatCount(page.total)} quotas.
        </p>
      )}
    </div>
  );
}
