import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { toProblem, type Problem } from '../api.ts';
import { compApi, type Dispute, type DisputeEvent, type StatementLine } from '../comp-api.ts';
import { formatDelta, formatPeriodLabel } from '../comp-format.ts';
import { formatInstant, humanize } from '../format.ts';
import { ProblemAlert } from './problem-alert.tsx';

/** "Question this line": a message about one statement line; the server copies the line's trace. */
export function DisputeForm({
  payee,
  period,
  line,
  onRaised,
  onCancel,
}: {
  payee: string;
  period: string;
  line: StatementLine;
  onRaised: (dispute: Dispute) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  useEffect(() => area.current?.focus(), []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (message.trim() === '') return;
    setBusy(true);
    setProblem(null);
    try {
      onRaised(await compApi.raiseDispute({ payee, period, lineId: line.id, message: message.trim() }));
    } catch (error) {
      setProblem(toProblem(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="comp-dispute-form" aria-label="Question this line" onSubmit={submit}>
      <div className="field">
        <label htmlFor={`${id}-message`}>What is wrong with this line?</label>
        <textarea
          id={`${id}-message`}
          ref={area}
          className="input textarea"
          rows={3}
          value={message}
          required
          placeholder="For example: the deal was split 50/50 with my colleague, not 30/70."
          onChange={(event) => setMessage(event.target.value)}
        />
        <span className="field-hint">
          Your compensation admin receives the question with this line’s full calculation.
        </span>
      </div>
      {problem && <ProblemAlert problem={problem} lead="The question was not sent." />}
      <div className="inline-form-actions">
        <button type="submit" className="button button-primary" disabled={busy || message.trim() === ''}>
          {busy ? 'Sending…' : 'Send the question'}
        </button>
        <button type="button" className="button button-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

const statusTones: Record<string, string> = { open: 'warning', resolved: 'success', closed: 'neutral' };

export function DisputeStatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge badge-${statusTones[status] ?? 'info'}`} data-testid="dispute-status">
      {humanize(status)}
    </span>
  );
}

function eventTitle(event: DisputeEvent, dispute: Dispute): string {
  switch (event.kind) {
    case 'raised':
      return 'Question raised';
    case 'message':
      return 'Message';
    case 'resolved':
      return (event.resolution ?? dispute.resolution) === 'adjusted'
        ? 'Resolved with an adjustment'
        : 'Resolved with an explanation';
    default:
      return humanize(event.kind);
  }
}

/** The history of one dispute, as both sides see it. */
export function DisputeThread({ dispute, currency = 'USD' }: { dispute: Dispute; currency?: string }) {
  const events: DisputeEvent[] =
    dispute.events && dispute.events.length > 0
      ? dispute.events
      : [{ at: dispute.createdAt, kind: 'raised', actor: dispute.raisedBy }];
  const adjustment = dispute.adjustment ?? null;
  return (
    <ol className="comp-thread" aria-label="Dispute history" data-testid="dispute-thread">
      {events.map((event, index) => (
        <li key={event.id ?? index} className={`comp-thread-item is-${event.kind}`} data-kind={event.kind}>
          <div className="comp-thread-head">
            <strong>{eventTitle(event, dispute)}</strong>
            <span className="muted">
              {event.actor ? `${event.actor} · ` : ''}
              {formatInstant(event.at)}
            </span>
          </div>
          {event.message && <p className="comp-thread-message">{event.message}</p>}
          {event.kind === 'resolved' && (event.amount ?? adjustment?.amount) && (
            <p className="comp-thread-amount tabular" data-testid="dispute-adjustment">
              Adjustment of {formatDelta(event.amount ?? adjustment!.amount, currency)}
              {adjustment ? ` in ${formatPeriodLabel(adjustment.period)}` : ''}
            </p>
          )}
        </li>
      ))}
    </ol>
  );
}
