import type { EntityChanges, ImportError, ImportWarning } from '../api.ts';
import { formatCount, formatLines, humanize } from '../format.ts';

/** Row-level errors: the file, line, field and value at fault, and what is wrong with it. */
export function ErrorsTable({
  errors,
  caption,
  total,
}: {
  errors: ImportError[];
  caption: string;
  total?: number;
}) {
  return (
    <div className="table-wrap">
      <table className="table table-compact issues-table" aria-label={caption}>
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col" className="num">
              Line
            </th>
            <th scope="col">Field</th>
            <th scope="col">Value</th>
            <th scope="col">Problem</th>
          </tr>
        </thead>
        <tbody>
          {errors.map((error, index) => (
            <tr key={index}>
              <td className="cell-file">{error.file ?? '—'}</td>
              <td className="num">{error.line ?? '—'}</td>
              <td className="cell-field">{error.field ? <code>{error.field}</code> : '—'}</td>
              <td className={`cell-value${(error.value?.length ?? 0) > 32 ? ' is-long' : ''}`}>
                {error.value === undefined || error.value === null || error.value === '' ? (
                  '—'
                ) : (
                  <code>{String(error.value)}</code>
                )}
              </td>
              <td>{error.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {total !== undefined && total > errors.length && (
        <p className="table-note">
          Showing the first {formatCount(errors.length)} of {formatCount(total)} errors.
        </p>
      )}
    </div>
  );
}

/** Warnings are grouped by kind: how often each happened and on which lines. */
export function WarningsTable({ warnings, caption }: { warnings: ImportWarning[]; caption: string }) {
  return (
    <div className="table-wrap">
      <table className="table table-compact issues-table" aria-label={caption}>
        <thead>
          <tr>
            <th scope="col">Warning</th>
            <th scope="col">File</th>
            <th scope="col" className="num">
              Count
            </th>
            <th scope="col">Lines</th>
          </tr>
        </thead>
        <tbody>
          {warnings.map((warning, index) => (
            <tr key={`${warning.code}-${index}`}>
              <td>
                {warning.message}
                <div className="cell-sub">
                  <code>{warning.code}</code>
                </div>
              </td>
              <td className="cell-file">{warning.file ?? '—'}</td>
              <td className="num">{formatCount(warning.count)}</td>
              <td className="cell-lines">{formatLines(warning.lines)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Inserted / updated / unchanged per entity, as the import counted them. */
export function EntityChangesTable({
  entities,
  caption,
}: {
  entities: Record<string, EntityChanges>;
  caption: string;
}) {
  const rows = Object.entries(entities);
  if (rows.length === 0) return <p className="muted">No records were read.</p>;
  const total = rows.reduce(
    (sum, [, c]) => ({
      inserted: sum.inserted + c.inserted,
      updated: sum.updated + c.updated,
      unchanged: sum.unchanged + c.unchanged,
    }),
    { inserted: 0, updated: 0, unchanged: 0 },
  );
  return (
    <div className="table-wrap">
      <table className="table table-compact" aria-label={caption}>
        <thead>
          <tr>
            <th scope="col">Entity</th>
            <th scope="col" className="num">
              Inserted
            </th>
            <th scope="col" className="num">
              Updated
            </th>
            <th scope="col" className="num">
              Unchanged
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([entity, changes]) => (
            <tr key={entity} data-entity={entity}>
              <th scope="row">{humanize(entity)}</th>
              <td className="num">{formatCount(changes.inserted)}</td>
              <td className="num">{formatCount(changes.updated)}</td>
              <td className="num">{formatCount(changes.unchanged)}</td>
            </tr>
          ))}
        </tbody>
        {rows.length > 1 && (
          <tfoot>
            <tr>
              <th scope="row">Total</th>
              <td className="num">{formatCount(total.inserted)}</td>
              <td className="num">{formatCount(total.updated)}</td>
              <td className="num">{formatCount(total.unchanged)}</td>
            </tr>
          </tfoot>
        )}
      </table>
    </div>
  );
}
