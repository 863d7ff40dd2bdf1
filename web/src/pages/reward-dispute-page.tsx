import { useId, useState, type FormEvent } from 'react';
import { toProblem, type Problem } from '../api.ts';
import { compApi, type Dispute } from '../comp-api.ts';
import { formatPay, formatPeriodLabel, lineKindLabel } from '../comp-format.ts';
import { DisputeStatusBadge, DisputeThread } from '../components/comp-dispute.tsx';
import { CompNav } from '../components/comp-nav.tsx';
import { CompTrace } from '../components/comp-trace.tsx';
import { ArrowLeftIcon } from '../components/icons.tsx';
import { PageHeader } from '../components/page-header.tsx';
import { ProblemAlert } from '../components/problem-alert.tsx';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { useLoad } from '../use-load.ts';

/** One dispute: the questioned line with its trace, the history, a reply, and (admins) the resolution. */
export function RewardDisputePage({ id }: { id: string }) {
  const { can } = useSession();
  const loaded = useLoad(() => compApi.dispute(id), [id]);
  const dispute = loaded.data;
  return (
    <>
      <Link to="/reward/disputes" className="back-link">
        <ArrowLeftIcon /> {can('pay:manage') ? 'Disputes inbox' : 'My disputes'}
      </Link>
      <PageHeader
        title={dispute ? `Question from ${dispute.payeeName ?? dispute.payee}` : 'Dispute'}
        tagline={
          dispute
            ? `On a line of the ${formatPeriodLabel(dispute.period)} statement.`
            : 'A question on a statement line.'
        }
        actions={dispute ? <DisputeStatusBadge status={dispute.status} /> : undefined}
      />
      <CompNav />
      {loaded.problem && <ProblemAlert problem={loaded.problem} lead="Could not load the dispute." />}
      {!dispute && !loaded.problem && <p className="muted">Loading the dispute…</p>}
      {dispute && <DisputeBody dispute={dispute} onChanged={loaded.reload} />}
    </>
  );
}

function DisputeBody({ dispute, onChanged }: { dispute: Dispute; onChanged: () => void }) {
  const { can } = useSession();
  const line = dispute.disputedLine ?? dispute.line;
  const trace = dispute.disputedLine?.trace ?? dispute.line.trace ?? null;
  const currency = 'USD';
  return (
    <div className="comp-dispute-grid" data-testid="dispute" data-dispute-id={dispute.id}>
      <section className="card" aria-labelledby="line-title">
        <div className="card-header">
          <div>
            <h2 id="line-title">The questioned line</h2>
            <p className="card-description">
              As it was when the question was raised. <code>{dispute.lineId}</code>
            </p>
          </div>
          <Link
            to={`/reward/statements/${encodeURIComponent(dispute.payee)}/${encodeURIComponent(dispute.period)}`}
            className="button button-secondary button-small"
          >
            Open the statement
          </Link>
        </div>
        {
          <div className="comp-dispute-line">
            <span className="badge badge-neutral">{lineKindLabel(line.kind)}</span>
            <p className="comp-explanation">{line.explanation}</p>
            <strong className="tabular">{formatPay(line.amount, currency)}</strong>
          </div>
        }
        {trace ? (
          <CompTrace trace={trace} currency={currency} />
        ) : (
          <p className="muted">The line’s trace was not kept with the question.</p>
        )}
      </section>

      <section className="card" aria-labelledby="history-title">
        <h2 id="history-title" className="card-title">
          History
        </h2>
        <DisputeThread dispute={dispute} currency={currency} />
        {dispute.status === 'open' && <ReplyForm id={String(dispute.id)} onSent={onChanged} />}
      </section>

      {can('pay:manage') && dispute.status === 'open' && (
        <ResolveForm id={String(dispute.id)} onResolved={onChanged} period={dispute.period} />
      )}
    </div>
  );
}

function ReplyForm({ id, onSent }: { id: string; onSent: () => void }) {
  const fieldId = useId();
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!message.trim()) return;
    setBusy(true);
    setProblem(null);
    try {
      await compApi.replyDispute(id, message.trim());
      setMessage('');
      onSent();
    } catch (error) {
      setProblem(toProblem(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="comp-reply" aria-label="Reply" onSubmit={submit}>
      <div className="field">
        <label htmlFor={fieldId}>Reply</label>
        <textarea
          id={fieldId}
          className="input textarea"
          rows={3}
          value={message}
          onChange={(event) => setMessage(event.target.value)}
        />
      </div>
      {problem && <ProblemAlert problem={problem} lead="The reply was not sent." />}
      <div className="inline-form-actions">
        <button type="submit" className="button button-secondary" disabled={busy || !message.trim()}>
          {busy ? 'Sending…' : 'Send reply'}
        </button>
      </div>
    </form>
  );
}

function ResolveForm({ id, onResolved, period }: { id: string; onResolved: () => void; period: string }) {
  const fieldId = useId();
  const [resolution, setResolution] = useState<'explained' | 'adjusted'>('explained');
  const [message, setMessage] = useState('');
  const [amount, setAmount] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const amountValid = /^-?\d+(\.\d{1,2})?$/.test(amount.trim());
  const ready = message.trim() !== '' && (resolution === 'explained' || amountValid);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!ready) return;
    setBusy(true);
    setProblem(null);
    try {
      await compApi.resolveDispute(id, {
        resolution,
        message: message.trim(),
        ...(resolution === 'adjusted' ? { amount: amount.trim() } : {}),
      });
      onResolved();
    } catch (error) {
      setProblem(toProblem(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="resolve-title">
      <h2 id="resolve-title" className="card-title">
        Resolve
      </h2>
      <form className="form-stack" aria-label="Resolve the dispute" onSubmit={submit}>
        <fieldset className="field options">
          <legend>Resolution</legend>
          <label className="checkbox">
            <input
              type="radio"
              name={`${fieldId}-resolution`}
              checked={resolution === 'explained'}
              onChange={() => setResolution('explained')}
            />
            Explain: the line is right
          </label>
          <label className="checkbox">
            <input
              type="radio"
              name={`${fieldId}-resolution`}
              checked={resolution === 'adjusted'}
              onChange={() => setResolution('adjusted')}
            />
            Adjust: pay a correction in the next open period
          </label>
        </fieldset>
        {resolution === 'adjusted' && (
          <div className="field">
            <label htmlFor={`${fieldId}-amount`}>Adjustment amount</label>
            <input
              id={`${fieldId}-amount`}
              className="input input-number"
              inputMode="decimal"
              placeholder="250.00"
              value={amount}
              aria-invalid={amount !== '' && !amountValid ? true : undefined}
              onChange={(event) => setAmount(event.target.value)}
            />
            <span className="field-hint">
              Positive pays the payee, negative takes back. It is approved by you and added to the first open
              period after {formatPeriodLabel(period)} that the next run computes.
            </span>
          </div>
        )}
        <div className="field">
          <label htmlFor={`${fieldId}-message`}>Explanation to the payee</label>
          <textarea
            id={`${fieldId}-message`}
            className="input textarea"
            rows={3}
            value={message}
            onChange={(event) => setMessage(event.target.value)}
          />
        </div>
        {problem && <ProblemAlert problem={problem} lead="The dispute was not resolved." />}
        <div className="inline-form-actions">
          <button type="submit" className="button button-primary" disabled={busy || !ready}>
            {busy ? 'Resolving…' : resolution === 'adjusted' ? 'Resolve with the adjustment' : 'Resolve'}
          </button>
        </div>
      </form>
    </section>
  );
}
