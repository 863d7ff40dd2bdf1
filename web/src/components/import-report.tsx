import type { ReactNode } from 'react';
import type { ImportJob, ImportReport } from '../api.ts';
import { formatCount, humanize, plural } from '../format.ts';
import { AlertIcon, CheckIcon } from './icons.tsx';
import { EntityChangesTable, ErrorsTable, WarningsTable } from './issue-tables.tsx';
import { ProblemAlert } from './problem-alert.tsx';

/** The outcome of one import job: what changed (or would have), and every warning and error. */
export function ImportReportView({ job }: { job: ImportJob }) {
  const report = job.report;
  if (!report) {
    // The files were refused before any row was read (e.g. a header no mapping recognises).
    const rejected = job.status === 'rejected';
    const problems = job.error?.problems ?? [];
    return (
      <section className="report" aria-label="Import report">
        <Outcome
          tone="danger"
          title={
            rejected ? 'Import rejected. Nothing was changed.' : 'The import failed. Nothing was changed.'
          }
        >
          {job.error?.title ?? 'The server stopped the import before it finished; no record was written.'}
          {job.error?.detail ? ` ${job.error.detail}` : ''}
        </Outcome>
        {problems.length > 0 && (
          <div className="report-block">
            <h3 className="report-heading">
              Errors <span className="count-pill count-pill-danger">{formatCount(problems.length)}</span>
            </h3>
            <ErrorsTable errors={problems} caption="Import errors" />
          </div>
        )}
      </section>
    );
  }
  return (
    <section className="report" aria-label="Import report">
      <ReportOutcome report={report} />
      {job.error && <ProblemAlert problem={job.error} />}

      <div className="report-grid">
        {(report.status === 'succeeded' || Object.keys(report.entities).length > 0) && (
          <div className="report-block">
            <h3 className="report-heading">
              {report.dryRun
                ? 'Would change'
                : report.status === 'succeeded'
                  ? 'Changes'
                  : 'Would have changed (not applied)'}
            </h3>
            <EntityChangesTable entities={report.entities} caption="Changes per entity" />
          </div>
        )}
        <div className="report-block">
          <h3 className="report-heading">Files</h3>
          <ul className="report-files">
            {report.files.map((file) => (
              <li key={file.name}>
                <span className="file-name">{file.name}</span>
                <span className="muted">
                  {humanize(file.entity)} · {plural(file.rows, 'row')}
                </span>
              </li>
            ))}
          </ul>
          <UnknownReferences report={report} />
        </div>
      </div>

      {report.errors.length > 0 && (
        <div className="report-block">
          <h3 className="report-heading">
            Errors <span className="count-pill count-pill-danger">{formatCount(report.errorCount)}</span>
          </h3>
          <ErrorsTable errors={report.errors} caption="Import errors" total={report.errorCount} />
        </div>
      )}
      {report.warnings.length > 0 && (
        <div className="report-block">
          <h3 className="report-heading">
            Warnings <span className="count-pill count-pill-warning">{formatCount(report.warningCount)}</span>
          </h3>
          <WarningsTable warnings={report.warnings} caption="Import warnings" />
        </div>
      )}
    </section>
  );
}

function ReportOutcome({ report }: { report: ImportReport }) {
  const totals = Object.values(report.entities).reduce(
    (sum, c) => ({ inserted: sum.inserted + c.inserted, updated: sum.updated + c.updated }),
    {
      inserted: 0,
      updated: 0,
    },
  );
  const changed = `${plural(totals.inserted, 'record')} inserted, ${formatCount(totals.updated)} updated`;
  const warnings = report.warningCount > 0 ? ` ${plural(report.warningCount, 'warning')} below.` : '';
  switch (report.status) {
    case 'succeeded':
      return (
        <Outcome tone="success" title="Import complete" status={report}>
          {changed}.{warnings}
        </Outcome>
      );
    case 'dry_run':
      return (
        <Outcome tone="info" title="Dry run finished. Nothing was changed." status={report}>
          {report.errorCount > 0
            ? `A real import would be rejected: fix the ${plural(report.errorCount, 'error')} below first.`
            : `A real import would apply: ${changed}.`}
          {warnings}
        </Outcome>
      );
    case 'rejected':
      return (
        <Outcome tone="danger" title="Import rejected. Nothing was changed." status={report}>
          {`The files have ${plural(report.errorCount, 'error')}. Imports are all-or-nothing, so no record was written. Fix the rows below and import again.`}
        </Outcome>
      );
    case 'failed':
      return (
        <Outcome tone="danger" title="The import failed. Nothing was changed." status={report}>
          No record was written.
        </Outcome>
      );
    case 'running':
      return null;
  }
}

function Outcome({
  tone,
  title,
  status,
  children,
}: {
  tone: 'success' | 'info' | 'danger';
  title: string;
  status?: ImportReport;
  children: ReactNode;
}) {
  return (
    <div className={`outcome outcome-${tone}`} role={tone === 'danger' ? 'alert' : 'status'}>
      <span className="outcome-icon">{tone === 'success' ? <CheckIcon /> : <AlertIcon />}</span>
      <div>
        <p className="outcome-title">
          {title}
          {status?.importId != null && <span className="muted outcome-id">Import #{status.importId}</span>}
        </p>
        <p className="outcome-text">{children}</p>
      </div>
    </div>
  );
}

function UnknownReferences({ report }: { report: ImportReport }) {
  const groups = (
    [
      ['people', 'Unknown reps'],
      ['accounts', 'Unknown accounts'],
      ['products', 'Unknown products'],
    ] as const
  ).filter(([key]) => (report.unknown?.[key]?.length ?? 0) > 0);
  if (groups.length === 0) return null;
  return (
    <div className="unknown-refs">
      <h4>Referenced but not known</h4>
      {groups.map(([key, label]) => {
        const keys = report.unknown[key];
        return (
          <p key={key}>
            <span className="unknown-label">{label}:</span> {keys.slice(0, 10).join(', ')}
            {keys.length > 10 && ` and ${formatCount(keys.length - 10)} more`}
          </p>
        );
      })}
      <p className="field-hint">
        Tick “Create unknown reps, accounts and products” to create them with the import.
      </p>
    </div>
  );
}
