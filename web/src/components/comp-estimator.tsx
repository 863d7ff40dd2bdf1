import { useId, useState, type FormEvent } from 'react';
import { toProblem, type Problem } from '../api.ts';
import { compApi, type DealEstimate, type HypotheticalDeal } from '../comp-api.ts';
import { formatDelta, formatPay, formatPeriodLabel, formatRatio, lineKindLabel } from '../comp-format.ts';
import { todayIso } from '../format.ts';
import { useLoad } from '../use-load.ts';
import { ProblemAlert } from './problem-alert.tsx';

/** What the estimator answered: the payout delta, and the lines the deal would add or change. */
export function EstimateResult({ estimate }: { estimate: DealEstimate }) {
  const currency = estimate.currency;
  return (
    <div className="comp-estimate" data-testid="estimate-result" aria-live="polite">
      <div className="comp-estimate-head">
        <div>
          <span className="comp-payable-label">
            {estimate.deal.name} would pay {estimate.payeeName}
          </span>
          <span className="comp-estimate-delta tabular" data-testid="estimate-delta">
            {formatDelta(estimate.delta, currency)}
          </span>
        </div>
        <p className="comp-estimate-sentence" data-testid="estimate-explanation">
          {estimate.explanation}
        </p>
        <p className="muted">
          {formatPeriodLabel(estimate.period)}: payable {formatPay(estimate.payoutWithout, currency)} →{' '}
          {formatPay(estimate.payoutWith, currency)}
          {estimate.attainmentBefore && estimate.attainmentAfter && (
            <>
              ; {estimate.measure ? <code>{estimate.measure}</code> : 'attainment'}{' '}
              {formatRatio(estimate.attainmentBefore)} → {formatRatio(estimate.attainmentAfter)}
            </>
          )}
          .
        </p>
      </div>
      {estimate.lines.length > 0 ? (
        <ul className="comp-estimate-lines">
          {estimate.lines.map(({ line, delta }) => (
            <li key={line.id} data-testid="estimate-line">
              <span className="comp-estimate-kind">{lineKindLabel(line.kind)}</span>
              <span className="comp-explanation">{line.explanation}</span>
              <span className="tabular nowrap">{formatDelta(delta, currency)}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">The deal adds no line: no component of the plan pays on it in this period.</p>
      )}
      {estimate.issues.map((issue, index) => (
        <p key={index} className="notice notice-warning">
          {issue.message}
        </p>
      ))}
    </div>
  );
}

/** "What would this deal pay me?" for a deal of the CRM, by its id: estimated as soon as it is shown. */
export function DealEstimator({ opportunityId, dealName }: { opportunityId: number; dealName: string }) {
  const loaded = useLoad(() => compApi.estimate({ opportunityId }), [opportunityId]);
  return (
    <div className="comp-estimator" data-testid="deal-estimator">
      {loaded.problem && <ProblemAlert problem={loaded.problem} lead={`Could not estimate ${dealName}.`} />}
      {!loaded.data && !loaded.problem && <p className="muted">Estimating what {dealName} would pay…</p>}
      {loaded.data && <EstimateResult estimate={loaded.data} />}
    </div>
  );
}

/** A hypothetical deal: amount, margin, type, product family and close day. */
export function HypotheticalEstimator({ payee }: { payee?: string }) {
  const id = useId();
  const [deal, setDeal] = useState<HypotheticalDeal>({
    amount: '',
    closeOn: todayIso(),
    type: 'new_business',
  });
  const [margin, setMargin] = useState('');
  const [estimate, setEstimate] = useState<DealEstimate | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const amountValid = /^\d+(\.\d{1,2})?$/.test(deal.amount.trim());

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!amountValid) return;
    setBusy(true);
    setProblem(null);
    try {
      const marginPct = margin.trim() === '' ? undefined : Number(margin);
      setEstimate(
        await compApi.estimate({
          deal: {
            amount: deal.amount.trim(),
            closeOn: deal.closeOn,
            ...(deal.type ? { type: deal.type } : {}),
            ...(deal.productFamily ? { productFamily: deal.productFamily } : {}),
            ...(marginPct !== undefined && Number.isFinite(marginPct) ? { marginPct } : {}),
          },
          ...(payee ? { payee } : {}),
        }),
      );
    } catch (error) {
      setProblem(toProblem(error));
      setEstimate(null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="comp-estimator"
      aria-label="Estimate a deal"
      onSubmit={submit}
      data-testid="hypothetical-estimator"
    >
      <div className="comp-estimator-fields">
        <div className="field">
          <label htmlFor={`${id}-amount`}>Deal amount</label>
          <input
            id={`${id}-amount`}
            className="input input-number"
            inputMode="decimal"
            placeholder="50000"
            value={deal.amount}
            aria-invalid={deal.amount !== '' && !amountValid ? true : undefined}
            onChange={(event) => setDeal({ ...deal, amount: event.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-margin`}>Gross margin %</label>
          <input
            id={`${id}-margin`}
            className="input input-number"
            inputMode="decimal"
            placeholder="40"
            value={margin}
            onChange={(event) => setMargin(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-type`}>Deal type</label>
          <select
            id={`${id}-type`}
            value={deal.type ?? ''}
            onChange={(event) => setDeal({ ...deal, type: event.target.value || undefined })}
          >
            <option value="new_business">New business</option>
            <option value="expansion">Expansion</option>
            <option value="renewal">Renewal</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-family`}>Product family</label>
          <input
            id={`${id}-family`}
            className="input"
            placeholder="optional"
            value={deal.productFamily ?? ''}
            onChange={(event) => setDeal({ ...deal, productFamily: event.target.value || undefined })}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-close`}>Close date</label>
          <input
            id={`${id}-close`}
            className="input"
            type="date"
            value={deal.closeOn}
            onChange={(event) => setDeal({ ...deal, closeOn: event.target.value })}
          />
        </div>
        <button type="submit" className="button button-primary" disabled={busy || !amountValid}>
          {busy ? 'Estimating…' : 'Estimate'}
        </button>
      </div>
      {problem && <ProblemAlert problem={problem} lead="Could not estimate the deal." />}
      {estimate && <EstimateResult estimate={estimate} />}
    </form>
  );
}
