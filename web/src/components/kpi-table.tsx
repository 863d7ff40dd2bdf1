import { useState, type ReactNode } from 'react';
import {
  api,
  type KpiGroup,
  type KpiQuery,
  type KpiReport,
  type KpiValue,
  type MetricDefinition,
} from '../api.ts';
import { formatMetric, toNumber, type Tier } from '../dashboard-stats.ts';
import { DownloadIcon } from './icons.tsx';
import type { DrillTarget } from './records-drilldown.tsx';

export type MetricIndex = Map<string, MetricDefinition>;

/** A metric's label with its written-down definition one click (or hover) away. */
export function MetricLabel({ id, metrics }: { id: string; metrics: MetricIndex }) {
  const definition = metrics.get(id);
  if (!definition) return <>{id}</>;
  return (
    <span className="metric-help" title={definition.definition}>
      {definition.label}
      <details className="metric-help-details">
        <summary aria-label={`What ${definition.label} means`}>?</summary>
        <span className="metric-help-text">{definition.definition}</span>
      </details>
    </span>
  );
}

/** A number that opens the records behind it, or plain text when there are none to show. */
export function KpiNumber({
  value,
  definition,
  currency,
  title,
  onDrill,
  testId,
  drill,
}: {
  value: KpiValue | undefined;
  definition: MetricDefinition | undefined;
  currency: string;
  title: string;
  onDrill: (target: DrillTarget) => void;
  testId?: string;
  /**
   * The number's query for its one group (`group` set), when its records are asked for on a click
   * rather than loaded with the page: at 10,000 reps the records of every number are megabytes.
   */
  drill?: { query: KpiQuery; metric: string };
}) {
  const text = formatMetric(definition, value?.value, currency);
  const records = value?.records;
  // Nothing behind it: no value and no parts (a win rate of 0% over five losses has five deals).
  const empty =
    value === undefined ||
    [value.value, value.numerator, value.denominator].every((n) => !toNumber(n ?? null));
  if (drill && !records && !empty)
    return (
      <button
        type="button"
        className="kpi-link tabular"
        data-testid={testId}
        data-value={value?.value ?? ''}
        onClick={() => onDrill({ title, value: text, load: drill })}
      >
        {text}
        <span className="visually-hidden">, list the records behind it</span>
      </button>
    );
  if (!records || records.ids.length === 0)
    return (
      <span className="tabular" data-testid={testId} data-value={value?.value ?? ''}>
        {text}
      </span>
    );
  return (
    <button
      type="button"
      className="kpi-link tabular"
      data-testid={testId}
      data-value={value?.value ?? ''}
      onClick={() => onDrill({ title, value: text, records })}
    >
      {text}
      <span className="visually-hidden">, list the records behind it</span>
    </button>
  );
}

type Sort = { column: string; descending: boolean };

/** Rows a table shows at once. */
const pageSize = 50;

/** One row per group, one column per metric, sortable by any column, each number drillable. */
export function KpiTable({
  report,
  metricIds,
  metrics,
  label,
  onDrill,
  exportQuery,
  tierOf,
  testId,
  extraColumn,
}: {
  report: KpiReport;
  metricIds: string[];
  metrics: MetricIndex;
  label: string;
  onDrill: (target: DrillTarget) => void;
  /** The query whose CSV and XLSX exports the table offers (and a click asks for one row of). */
  exportQuery: KpiQuery;
  tierOf?: (group: KpiGroup) => Tier | undefined;
  testId?: string;
  extraColumn?: { header: string; cell: (group: KpiGroup) => ReactNode };
}) {
  const [sort, setSort] = useState<Sort>({ column: metricIds[0] ?? 'label', descending: true });
  // At 10,000 reps a table of every row is most of a page's time: rows a page at a time, sorted
  // over all of them.
  const [page, setPage] = useState(0);
  const rows = [...report.groups].sort((a, b) => {
    if (sort.column === 'label') return a.label.localeCompare(b.label) * (sort.descending ? -1 : 1);
    const x = toNumber(a.metrics[sort.column]?.value);
    const y = toNumber(b.metrics[sort.column]?.value);
    // Undefined values go last whichever the direction.
    if (x === null || y === null) return x === null ? (y === null ? 0 : 1) : -1;
    return (x - y) * (sort.descending ? -1 : 1);
  });
  const pages = Math.max(1, Math.ceil(rows.length / pageSize));
  const shown = Math.min(page, pages - 1);
  const pageRows = rows.slice(shown * pageSize, (shown + 1) * pageSize);
  const toggle = (column: string) => {
    setPage(0);
    setSort((current) =>
      current.column === column
        ? { column, descending: !current.descending }
        : { column, descending: column !== 'label' },
    );
  };
  const ariaSort = (column: string) =>
    sort.column === column ? (sort.descending ? 'descending' : 'ascending') : undefined;

  return (
    <div className="kpi-table">
      <div className="table-wrap">
        <table className="table table-compact" aria-label={label} data-testid={testId}>
          <thead>
            <tr>
              <th scope="col" aria-sort={ariaSort('label')}>
                <button type="button" className="sort-button" onClick={() => toggle('label')}>
                  Name{sort.column === 'label' ? (sort.descending ? ' ↓' : ' ↑') : ''}
                </button>
              </th>
              {metricIds.map((id) => (
                <th key={id} scope="col" className="num" aria-sort={ariaSort(id)}>
                  <button type="button" className="sort-button" onClick={() => toggle(id)}>
                    {metrics.get(id)?.label ?? id}
                    {sort.column === id ? (sort.descending ? ' ↓' : ' ↑') : ''}
                  </button>
                </th>
              ))}
              {extraColumn && <th scope="col">{extraColumn.header}</th>}
            </tr>
          </thead>
          <tbody>
            {pageRows.map((group) => {
              const tier = tierOf?.(group);
              return (
                <tr key={String(group.key)} data-group-key={String(group.key)} data-tier={tier}>
                  <th scope="row">
                    {group.label}
                    {tier === 'top' && <span className="badge badge-success badge-inline">Top 10%</span>}
                    {tier === 'bottom' && (
                      <span className="badge badge-warning badge-inline">Bottom 10%</span>
                    )}
                  </th>
                  {metricIds.map((id) => (
                    <td key={id} className="num nowrap">
                      <KpiNumber
                        value={group.metrics[id]}
                        definition={metrics.get(id)}
                        currency={report.currency}
                        title={`${metrics.get(id)?.label ?? id} of ${group.label}`}
                        onDrill={onDrill}
                        testId={`cell-${id}-${String(group.key)}`}
                        drill={{
                          query: { ...exportQuery, metrics: [id], group: String(group.key) },
                          metric: id,
                        }}
                      />
                      {group.metrics[id]?.flags?.includes('coverage_below_3x') && (
                        <span className="badge badge-danger badge-inline" title="Coverage below 3:1">
                          &lt; 3×
                        </span>
                      )}
                    </td>
                  ))}
                  {extraColumn && <td>{extraColumn.cell(group)}</td>}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {pages > 1 && (
        <nav className="table-pager" aria-label={`${label}: pages`} data-testid="table-pager">
          <button
            type="button"
            className="button button-secondary button-small"
            onClick={() => setPage(shown - 1)}
            disabled={shown === 0}
          >
            Previous
          </button>
          <span className="muted tabular" data-testid="table-pager-status">
            Rows {(shown * pageSize + 1).toLocaleString('en-US')}–
            {Math.min(rows.length, (shown + 1) * pageSize).toLocaleString('en-US')} of{' '}
            {rows.length.toLocaleString('en-US')}
          </span>
          <button
            type="button"
            className="button button-secondary button-small"
            onClick={() => setPage(shown + 1)}
            disabled={shown >= pages - 1}
          >
            Next
          </button>
        </nav>
      )}
      <ExportLinks query={exportQuery} />
    </div>
  );
}

/** Download links for a KPI query's table, as CSV and as XLSX (the server's export routes). */
export function ExportLinks({ query }: { query: KpiQuery }) {
  return (
    <p className="table-note">
      <a href={api.kpiExportUrl(query)} className="button button-ghost button-small" download>
        <DownloadIcon /> Export CSV
      </a>{' '}
      <a
        href={api.kpiExportUrl(query, 'xlsx')}
        className="button button-ghost button-small"
        download
        data-testid="export-xlsx"
      >
        <DownloadIcon /> Export XLSX
      </a>
    </p>
  );
}
