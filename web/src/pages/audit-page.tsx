import { Fragment, useEffect, useId, useState, type FormEvent } from 'react';
import { api, toProblem, type AuditEntry, type AuditFilters, type Problem } from '../api.ts';
import { ChevronIcon, DownloadIcon } from '../components/icons.tsx';
import { PageHeader } from '../components/page-header.tsx';
import { ProblemAlert } from '../components/problem-alert.tsx';
import { formatInstant, humanize } from '../format.ts';

const pageSize = 50;

/** The day after `day` ("2026-11-23" → "2026-11-24"): the server's `to` is exclusive, the form's inclusive. */
function nextDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

function Json({ label, value }: { label: string; value: unknown }) {
  return (
    <div className="json-block">
      <h4 className="report-heading">{label}</h4>
      {value === null || value === undefined ? (
        <p className="muted">Nothing recorded.</p>
      ) : (
        <pre className="json" tabIndex={0} aria-label={label}>
          {JSON.stringify(value, null, 2)}
        </pre>
      )}
    </div>
  );
}

/** The audit trail: who did what and when, newest first, searchable, exportable as CSV. */
export function AuditPage() {
  const id = useId();
  const [draft, setDraft] = useState({ q: '', action: '', from: '', to: '' });
  const [filters, setFilters] = useState<AuditFilters>({});
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [nextBeforeId, setNextBeforeId] = useState<number | null>(null);
  const [actions, setActions] = useState<string[]>([]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [loading, setLoading] = useState(false);
  const [open, setOpen] = useState<Set<number>>(new Set());

  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    api.audit({ ...filters, limit: pageSize }).then(
      (page) => {
        if (cancelled) return;
        setEntries(page.entries);
        setNextBeforeId(page.nextBeforeId);
        setActions(page.actions);
        setProblem(null);
        setLoading(false);
      },
      (error: unknown) => {
        if (cancelled) return;
        setProblem(toProblem(error));
        setLoading(false);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [filters]);

  const loadMore = async () => {
    if (nextBeforeId === null) return;
    setLoading(true);
    try {
      const page = await api.audit({ ...filters, beforeId: nextBeforeId, limit: pageSize });
      setEntries((current) => [...(current ?? []), ...page.entries]);
      setNextBeforeId(page.nextBeforeId);
      setProblem(null);
    } catch (error) {
      setProblem(toProblem(error));
    } finally {
      setLoading(false);
    }
  };

  const apply = (next: typeof draft) => {
    setOpen(new Set());
    setFilters({
      q: next.q.trim() || undefined,
      action: next.action || undefined,
      from: next.from || undefined,
      to: next.to ? nextDay(next.to) : undefined,
    });
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    apply(draft);
  };

  const toggle = (entryId: number) =>
    setOpen((current) => {
      const next = new Set(current);
      if (next.has(entryId)) next.delete(entryId);
      else next.add(entryId);
      return next;
    });

  const filtered = Object.values(filters).some(Boolean);
  return (
    <>
      <PageHeader
        title="Audit trail"
        tagline="Every sign-in, change of users, quotas and data, and every export: who, when, from where, before and after."
        actions={
          <a className="button button-secondary" href={api.auditExportUrl(filters)} download>
            <DownloadIcon /> Export CSV
          </a>
        }
      />
      <section className="card" aria-labelledby="audit-title">
        <h2 id="audit-title" className="visually-hidden">
          Entries
        </h2>
        <form className="toolbar toolbar-wrap" role="search" aria-label="Audit trail" onSubmit={submit}>
          <div className="field field-grow">
            <label htmlFor={`${id}-q`}>Search</label>
            <input
              id={`${id}-q`}
              className="input"
              type="search"
              placeholder="Summary, actor, action or record id"
              value={draft.q}
              onChange={(event) => setDraft({ ...draft, q: event.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-action`}>Action</label>
            <select
              id={`${id}-action`}
              value={draft.action}
              onChange={(event) => {
                const next = { ...draft, action: event.target.value };
                setDraft(next);
                apply(next);
              }}
            >
              <option value="">All actions</option>
              {actions.map((action) => (
                <option key={action} value={action}>
                  {humanize(action)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-from`}>From</label>
            <input
              id={`${id}-from`}
              className="input"
              type="date"
              value={draft.from}
              onChange={(event) => setDraft({ ...draft, from: event.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-to`}>Until (inclusive)</label>
            <input
              id={`${id}-to`}
              className="input"
              type="date"
              value={draft.to}
              onChange={(event) => setDraft({ ...draft, to: event.target.value })}
            />
          </div>
          <div className="toolbar-buttons">
            <button type="submit" className="button button-primary">
              Search
            </button>
            {filtered && (
              <button
                type="button"
                className="button button-ghost"
                onClick={() => {
                  const cleared = { q: '', action: '', from: '', to: '' };
                  setDraft(cleared);
                  apply(cleared);
                }}
              >
                Clear
              </button>
            )}
          </div>
        </form>

        {problem && <ProblemAlert problem={problem} lead="Could not load the audit trail." />}
        {!entries ? (
          !problem && <p className="muted">Loading the audit trail…</p>
        ) : entries.length === 0 ? (
          <div className="empty-inline">
            {filtered
              ? 'No entry matches these filters. Clear them to see everything.'
              : 'Nothing recorded yet.'}
          </div>
        ) : (
          <>
            <div className="table-wrap">
              <table
                className="table history-table audit-table"
                aria-label="Audit entries"
                aria-busy={loading}
              >
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Who</th>
                    <th scope="col">Action</th>
                    <th scope="col">Record</th>
                    <th scope="col">Summary</th>
                  </tr>
                </thead>
                <tbody>
                  {entries.map((entry) => {
                    const isOpen = open.has(entry.id);
                    const detailId = `audit-detail-${entry.id}`;
                    const hasDetail = entry.before != null || entry.after != null;
                    return (
                      <Fragment key={entry.id}>
                        <tr
                          className={`history-row${isOpen ? ' is-open' : ''}`}
                          data-action={entry.action}
                          data-testid="audit-row"
                          onClick={() => hasDetail && toggle(entry.id)}
                        >
                          <td className="tabular">
                            {hasDetail ? (
                              <button
                                type="button"
                                className="row-toggle"
                                aria-expanded={isOpen}
                                aria-controls={isOpen ? detailId : undefined}
                                onClick={(event) => {
                                  event.stopPropagation();
                                  toggle(entry.id);
                                }}
                              >
                                <ChevronIcon open={isOpen} />
                                <span>{formatInstant(entry.at)}</span>
                                <span className="visually-hidden">
                                  : {isOpen ? 'hide' : 'show'} before and after
                                </span>
                              </button>
                            ) : (
                              <span className="row-toggle-spacer">{formatInstant(entry.at)}</span>
                            )}
                          </td>
                          <td data-testid="audit-actor">
                            {entry.actor}
                            {entry.ip && <span className="cell-sub">{entry.ip}</span>}
                          </td>
                          <td>
                            <code>{entry.action}</code>
                          </td>
                          <td>
                            {humanize(entry.entity)}
                            {entry.entityId && <span className="cell-sub">#{entry.entityId}</span>}
                          </td>
                          <td className="cell-summary" data-testid="audit-summary">
                            {entry.summary}
                          </td>
                        </tr>
                        {isOpen && (
                          <tr className="history-detail-row">
                            <td colSpan={5} id={detailId}>
                              <div className="json-pair">
                                <Json label="Before" value={entry.before} />
                                <Json label="After" value={entry.after} />
                              </div>
                            </td>
                          </tr>
                        )}
                      </Fragment>
                    );
                  })}
                </tbody>
              </table>
            </div>
            <div className="pagination">
              <span className="muted tabular">
                {entries.length} {entries.length === 1 ? 'entry' : 'entries'} shown, newest first
              </span>
              {nextBeforeId !== null && (
                <button
                  type="button"
                  className="button button-secondary button-small"
                  onClick={() => void loadMore()}
                  disabled={loading}
                >
                  {loading ? 'Loading…' : 'Load more'}
                </button>
              )}
            </div>
          </>
        )}
      </section>
    </>
  );
}
