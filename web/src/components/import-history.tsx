import { Fragment, useEffect, useRef, useState } from 'react';
import { api, toProblem, type ImportDetail, type ImportSummary, type Mapping, type Problem } from '../api.ts';
import { formatCount, formatInstant, plural } from '../format.ts';
import { ChevronIcon } from './icons.tsx';
import { EntityChangesTable, ErrorsTable, WarningsTable } from './issue-tables.tsx';
import { ProblemAlert } from './problem-alert.tsx';
import { StatusBadge } from './status-badge.tsx';

const pageSize = 10;

type Detail =
  { state: 'loading' } | { state: 'loaded'; detail: ImportDetail } | { state: 'failed'; problem: Problem };

/** Past imports, newest first, a page at a time; a row opens to its warnings and errors. */
export function ImportHistory({ mappings, refreshKey }: { mappings: Mapping[] | null; refreshKey: number }) {
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<{ imports: ImportSummary[]; total: number } | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [expanded, setExpanded] = useState<Set<number>>(new Set());
  const [details, setDetails] = useState<Map<number, Detail>>(new Map());

  // A new import (refreshKey changes) shifts the pages: go back to the newest first.
  const seenRefreshKey = useRef(refreshKey);
  useEffect(() => {
    if (seenRefreshKey.current !== refreshKey) {
      seenRefreshKey.current = refreshKey;
      if (offset !== 0) {
        setOffset(0);
        return;
      }
    }
    let cancelled = false;
    api.imports({ limit: pageSize, offset }).then(
      (loaded) => {
        if (cancelled) return;
        setPage(loaded);
        setProblem(null);
      },
      (error: unknown) => {
        if (!cancelled) setProblem(toProblem(error));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [offset, refreshKey]);

  const loadDetail = async (id: number) => {
    setDetails((current) => new Map(current).set(id, { state: 'loading' }));
    try {
      const detail = await api.importDetail(id);
      setDetails((current) => new Map(current).set(id, { state: 'loaded', detail }));
    } catch (error) {
      setDetails((current) => new Map(current).set(id, { state: 'failed', problem: toProblem(error) }));
    }
  };

  const toggle = (id: number) => {
    const opening = !expanded.has(id);
    setExpanded((current) => {
      const next = new Set(current);
      if (opening) next.add(id);
      else next.delete(id);
      return next;
    });
    const known = details.get(id);
    if (opening && (!known || known.state === 'failed')) void loadDetail(id);
  };

  const labelOf = (name: string) =>
    name === 'detect' ? 'Detected' : (mappings?.find((m) => m.name === name)?.label ?? name);

  if (problem && !page) return <ProblemAlert problem={problem} lead="Could not load the import history." />;
  if (!page) return <p className="muted">Loading the import history…</p>;
  if (page.total === 0) {
    return (
      <div className="empty-inline">
        <p>No imports yet. Files you import above will be listed here, with their warnings and errors.</p>
      </div>
    );
  }

  const first = offset + 1;
  const last = Math.min(offset + page.imports.length, page.total);
  return (
    <div>
      <div className="table-wrap">
        <table className="table history-table" aria-label="Import history">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Mapping</th>
              <th scope="col">Files</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">
                Warnings
              </th>
              <th scope="col" className="num">
                Errors
              </th>
            </tr>
          </thead>
          <tbody>
            {page.imports.map((item) => {
              const open = expanded.has(item.id);
              const detailId = `import-detail-${item.id}`;
              const rows = item.files.reduce((sum, f) => sum + f.rows, 0);
              return (
                <Fragment key={item.id}>
                  <tr
                    className={`history-row${open ? ' is-open' : ''}`}
                    onClick={() => toggle(item.id)}
                    data-import-id={item.id}
                  >
                    <td>
                      <button
                        type="button"
                        className="row-toggle"
                        aria-expanded={open}
                        aria-controls={open ? detailId : undefined}
                        onClick={(event) => {
                          event.stopPropagation();
                          toggle(item.id);
                        }}
                      >
                        <ChevronIcon open={open} />
                        <span>{formatInstant(item.startedAt)}</span>
                        <span className="visually-hidden">
                          , import #{item.id}: {open ? 'hide' : 'show'} details
                        </span>
                      </button>
                    </td>
                    <td>{labelOf(item.mapping)}</td>
                    <td className="cell-files">
                      <span title={item.files.map((f) => f.name).join(', ')}>
                        {item.files.length === 1
                          ? item.files[0]?.name
                          : `${item.files[0]?.name ?? ''} +${item.files.length - 1}`}
                      </span>
                      <span className="cell-sub">{plural(rows, 'row')}</span>
                    </td>
                    <td>
                      <StatusBadge status={item.status} />
                    </td>
                    <td className={`num${item.warningCount > 0 ? ' text-warning' : ' muted'}`}>
                      {formatCount(item.warningCount)}
                    </td>
                    <td className={`num${item.errorCount > 0 ? ' text-danger' : ' muted'}`}>
                      {formatCount(item.errorCount)}
                    </td>
                  </tr>
                  {open && (
                    <tr className="history-detail-row">
                      <td colSpan={6} id={detailId}>
                        <ImportDetailView summary={item} detail={details.get(item.id)} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
      <nav className="pagination" aria-label="Import history pages">
        <span className="muted tabular">
          {formatCount(first)}–{formatCount(last)} of {formatCount(page.total)}
        </span>
        <div className="pagination-buttons">
          <button
            type="button"
            className="button button-secondary button-small"
            disabled={offset === 0}
            onClick={() => setOffset(Math.max(0, offset - pageSize))}
          >
            Previous
          </button>
          <button
            type="button"
            className="button button-secondary button-small"
            disabled={offset + pageSize >= page.total}
            onClick={() => setOffset(offset + pageSize)}
          >
            Next
          </button>
        </div>
      </nav>
    </div>
  );
}

function ImportDetailView({ summary, detail }: { summary: ImportSummary; detail: Detail | undefined }) {
  if (!detail || detail.state === 'loading') return <p className="muted">Loading details…</p>;
  if (detail.state === 'failed')
    return <ProblemAlert problem={detail.problem} lead="Could not load this import." />;
  const { warnings, errors } = detail.detail;
  return (
    <div className="history-detail">
      <p className="muted">
        Started {formatInstant(summary.startedAt)}
        {summary.finishedAt && `, finished ${formatInstant(summary.finishedAt)}`}. Files:{' '}
        {summary.files.map((f) => `${f.name} (${plural(f.rows, 'row')})`).join(', ')}.
        {summary.status !== 'succeeded' &&
          summary.status !== 'running' &&
          ' Nothing was changed by this import.'}
      </p>
      {summary.summary && Object.keys(summary.summary).length > 0 && (
        <EntityChangesTable entities={summary.summary} caption={`Changes of import #${summary.id}`} />
      )}
      {errors.length > 0 && (
        <>
          <h4 className="report-heading">Errors ({formatCount(summary.errorCount)})</h4>
          <ErrorsTable
            errors={errors}
            caption={`Errors of import #${summary.id}`}
            total={summary.errorCount}
          />
        </>
      )}
      {warnings.length > 0 && (
        <>
          <h4 className="report-heading">Warnings ({formatCount(summary.warningCount)})</h4>
          <WarningsTable warnings={warnings} caption={`Warnings of import #${summary.id}`} />
        </>
      )}
      {errors.length === 0 && warnings.length === 0 && <p className="muted">No warnings or errors.</p>}
    </div>
  );
}
