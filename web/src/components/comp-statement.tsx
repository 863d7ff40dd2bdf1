import { Fragment, useState } from 'react';
import { compApi, type Dispute, type StatementDetail, type StatementLine } from '../comp-api.ts';
import {
  dealLink,
  formatAmount,
  formatPay,
  formatPeriodLabel,
  formatRatio,
  isNegative,
  isZero,
  lineKindLabel,
} from '../comp-format.ts';
import { formatInstant, sumDecimals } from '../format.ts';
import { Link } from '../router.tsx';
import { CompTrace } from './comp-trace.tsx';
import { DisputeForm, DisputeStatusBadge } from './comp-dispute.tsx';
import { ChevronIcon, DownloadIcon } from './icons.tsx';

const totalRows: {
  key: Exclude<keyof StatementDetail['statement']['totals'], 'drawOwed'>;
  label: string;
  always?: boolean;
}[] = [
  { key: 'earnings', label: 'Earnings', always: true },
  { key: 'adjustments', label: 'Adjustments' },
  { key: 'clawbacks', label: 'Clawbacks' },
  { key: 'draw', label: 'Draw paid' },
  { key: 'drawRecovered', label: 'Draw recovered' },
  { key: 'held', label: 'Held' },
  { key: 'released', label: 'Released' },
];

const defaultDisputeLink = (dispute: Dispute) => `/reward/disputes/${encodeURIComponent(String(dispute.id))}`;

/** Attainment as a bar: full at 100%, the part beyond said in words. */
function AttainmentBar({ attainment }: { attainment: string | undefined }) {
  if (!attainment) return null;
  const percent = Number(attainment) * 100;
  const width = Math.max(0, Math.min(100, percent));
  return (
    <div className={`attainment-bar${percent >= 100 ? ' is-met' : ''}`} aria-hidden="true">
      <div className="attainment-fill" style={{ width: `${width}%` }} />
    </div>
  );
}

/**
 * One payee's statement for one period: what payroll pays, the measures behind it, and every line
 * with its sentence and, on demand, its trace (credits, tiers, rate, arithmetic). The payee may
 * question a line; disputes already raised are listed with their history.
 */
export function CompStatement({
  detail,
  canDispute,
  onDisputeRaised,
  disputeLink,
}: {
  detail: StatementDetail;
  /** Whether "Question this line" is offered (the payee's own statement). */
  canDispute: boolean;
  onDisputeRaised?: (dispute: Dispute) => void;
  /** Where a dispute opens (the inbox for admins); absent = shown inline only. */
  disputeLink?: (dispute: Dispute) => string;
}) {
  const { statement } = detail;
  const currency = statement.currency;
  const [open, setOpen] = useState<Set<string>>(new Set());
  const [questioning, setQuestioning] = useState<string | null>(null);
  const disputes = detail.disputes ?? [];
  const disputedLines = new Map<string, Dispute[]>();
  for (const dispute of disputes) {
    const list = disputedLines.get(dispute.lineId) ?? [];
    list.push(dispute);
    disputedLines.set(dispute.lineId, list);
  }
  const toggle = (id: string) =>
    setOpen((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const shownTotals = totalRows.filter((row) => row.always || !isZero(statement.totals[row.key] ?? '0'));

  return (
    <div
      className="comp-statement"
      data-testid="statement"
      data-payee={statement.payee}
      data-period={statement.period}
    >
      <section className="card" aria-labelledby="statement-title">
        <div className="card-header">
          <div>
            <h2 id="statement-title">
              {statement.payeeName}
              <span className="muted heading-aside"> · {formatPeriodLabel(statement.period)}</span>
            </h2>
            <p className="card-description">
              {detail.closed ? (
                <span className="badge badge-neutral">Closed period</span>
              ) : (
                <span className="badge badge-info">Open period, may still change</span>
              )}{' '}
              Run <code>{detail.runId}</code>
              {detail.planId && (
                <span data-testid="statement-plan">
                  {' '}
                  · Plan <code>{detail.planId}</code>
                  {detail.planVersion !== undefined ? ` v${detail.planVersion}` : ''}
                </span>
              )}
            </p>
          </div>
          <div className="toolbar-buttons" aria-label="Exports">
            {(['csv', 'xlsx', 'pdf'] as const).map((format) => (
              <a
                key={format}
                className="button button-secondary button-small"
                href={compApi.exportUrl(statement.payee, statement.period, format)}
                download
                data-testid={`export-${format}`}
              >
                <DownloadIcon /> {format.toUpperCase()}
              </a>
            ))}
          </div>
        </div>

        <div className="comp-totals">
          <div className="comp-payable" data-testid="statement-payable">
            <span className="comp-payable-label">Payable</span>
            <span className="comp-payable-value tabular">
              {formatPay(statement.totals.payable, currency)}
            </span>
            {!isZero(statement.totals.balanceCarried ?? '0') && (
              <span className="comp-payable-note">
                {formatPay(statement.totals.balanceCarried, currency)} carried to the next period
                {statement.totals.drawOwed !== undefined &&
                  statement.totals.drawOwed !== statement.totals.balanceCarried &&
                  ` (of which ${formatPay(statement.totals.drawOwed, currency)} draw owed)`}
              </span>
            )}
          </div>
          <dl className="comp-totals-list">
            {shownTotals.map((row) => (
              <div key={row.key} data-testid={`total-${row.key}`}>
                <dt>{row.label}</dt>
                <dd className={`tabular${isNegative(statement.totals[row.key]) ? ' text-danger' : ''}`}>
                  {formatPay(statement.totals[row.key], currency)}
                </dd>
              </div>
            ))}
          </dl>
        </div>
      </section>

      {statement.measures.length > 0 && (
        <section className="card" aria-labelledby="measures-title">
          <h2 id="measures-title" className="card-title">
            Measures
          </h2>
          <div className="table-wrap">
            <table className="table" aria-label="Measures">
              <thead>
                <tr>
                  <th scope="col">Measure</th>
                  <th scope="col" className="num">
                    Value
                  </th>
                  <th scope="col" className="num">
                    Quota
                  </th>
                  <th scope="col" className="comp-attainment-col">
                    Attainment
                  </th>
                </tr>
              </thead>
              <tbody>
                {statement.measures.map((measure) => (
                  <tr key={measure.id} data-measure={measure.id}>
                    <th scope="row">
                      <code>{measure.id}</code>
                    </th>
                    <td className="num tabular">{formatAmount(measure.value)}</td>
                    <td className="num tabular">{formatAmount(measure.quota)}</td>
                    <td>
                      <span className="tabular" data-testid="measure-attainment">
                        {formatRatio(measure.attainment)}
                      </span>
                      <AttainmentBar attainment={measure.attainment} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}

      <section className="card" aria-labelledby="lines-title">
        <div className="card-header">
          <div>
            <h2 id="lines-title">Lines</h2>
            <p className="card-description">
              Each line says why it pays what it pays. Open one to see its credits, tiers, rate and
              arithmetic.
            </p>
          </div>
        </div>
        {statement.lines.length === 0 ? (
          <div className="empty-inline" data-testid="no-lines">
            Nothing was earned or paid in this period.
          </div>
        ) : (
          <div className="table-wrap">
            <table className="table comp-lines" aria-label="Statement lines" data-testid="statement-lines">
              <thead>
                <tr>
                  <th scope="col">Line</th>
                  <th scope="col">Why</th>
                  <th scope="col" className="num">
                    Amount
                  </th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {statement.lines.map((line) => (
                  <LineRows
                    key={line.id}
                    line={line}
                    currency={currency}
                    open={open.has(line.id)}
                    onToggle={() => toggle(line.id)}
                    disputes={disputedLines.get(line.id) ?? []}
                    canDispute={canDispute}
                    questioning={questioning === line.id}
                    onQuestion={() => setQuestioning(line.id)}
                    onCancel={() => setQuestioning(null)}
                    onRaised={(dispute) => {
                      setQuestioning(null);
                      onDisputeRaised?.(dispute);
                    }}
                    payee={statement.payee}
                    period={statement.period}
                  />
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row" colSpan={2}>
                    Total of the lines
                  </th>
                  <td className="num tabular">
                    {formatPay(sumDecimals(statement.lines.map((l) => l.amount)), currency)}
                  </td>
                  <td />
                </tr>
              </tfoot>
            </table>
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="disputes-title" data-testid="statement-disputes">
        <h2 id="disputes-title" className="card-title">
          Questions on this statement
        </h2>
        {disputes.length === 0 ? (
          <p className="muted">
            {canDispute
              ? 'No question raised. If a line looks wrong, use “Question this line” next to it.'
              : 'No question raised on this statement.'}
          </p>
        ) : (
          <ul className="comp-dispute-list">
            {disputes.map((dispute) => (
              <li key={dispute.id} data-testid="statement-dispute" data-dispute-id={dispute.id}>
                <div className="comp-dispute-head">
                  <DisputeStatusBadge status={dispute.status} />
                  <span className="comp-dispute-summary">
                    {lineKindLabel(dispute.line.kind)} line of {formatPay(dispute.line.amount, currency)},
                    raised by {dispute.raisedBy} on {formatInstant(dispute.createdAt)}
                    {dispute.status === 'resolved' &&
                      (dispute.resolution === 'adjusted'
                        ? ', resolved with an adjustment'
                        : ', resolved with an explanation')}
                  </span>
                  <Link
                    to={(disputeLink ?? defaultDisputeLink)(dispute)}
                    className="button button-secondary button-small"
                    data-testid="open-dispute"
                  >
                    Open the conversation
                  </Link>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function LineRows({
  line,
  currency,
  open,
  onToggle,
  disputes,
  canDispute,
  questioning,
  onQuestion,
  onCancel,
  onRaised,
  payee,
  period,
}: {
  line: StatementLine;
  currency: string;
  open: boolean;
  onToggle: () => void;
  disputes: Dispute[];
  canDispute: boolean;
  questioning: boolean;
  onQuestion: () => void;
  onCancel: () => void;
  onRaised: (dispute: Dispute) => void;
  payee: string;
  period: string;
}) {
  const traceId = `trace-${line.id.replace(/[^\w-]/g, '_')}`;
  const openDispute = disputes.find((d) => d.status === 'open');
  const dealName = line.trace.credits?.find((c) => c.transaction === line.transaction)?.transactionName;
  return (
    <Fragment>
      <tr
        className={open ? 'is-open' : undefined}
        data-testid="statement-line"
        data-line-id={line.id}
        data-kind={line.kind}
      >
        <th scope="row" className="comp-line-head">
          <button
            type="button"
            className="row-toggle"
            aria-expanded={open}
            aria-controls={traceId}
            onClick={onToggle}
          >
            <ChevronIcon open={open} />
            {lineKindLabel(line.kind)}
          </button>
          {line.component && <span className="cell-sub">{line.component}</span>}
        </th>
        <td>
          <p className="comp-explanation" data-testid="line-explanation">
            {line.explanation}
          </p>
          {line.transaction && (
            <Link to={dealLink(line.transaction)} className="comp-deal-link" data-testid="line-deal-link">
              Open the deal {dealName ?? line.transaction}
            </Link>
          )}
          {openDispute && (
            <span className="badge badge-warning badge-inline" data-testid="line-disputed">
              Questioned
            </span>
          )}
        </td>
        <td
          className={`num tabular nowrap${isNegative(line.amount) ? ' text-danger' : ''}`}
          data-testid="line-amount"
        >
          {formatPay(line.amount, currency)}
        </td>
        <td className="cell-actions">
          {canDispute && !openDispute && !questioning && (
            <button type="button" className="button button-ghost button-small" onClick={onQuestion}>
              Question this line
            </button>
          )}
        </td>
      </tr>
      {open && (
        <tr className="history-detail-row" id={traceId}>
          <td colSpan={4}>
            <CompTrace trace={line.trace} currency={currency} />
          </td>
        </tr>
      )}
      {questioning && (
        <tr className="inline-form-row">
          <td colSpan={4}>
            <DisputeForm payee={payee} period={period} line={line} onRaised={onRaised} onCancel={onCancel} />
          </td>
        </tr>
      )}
    </Fragment>
  );
}
