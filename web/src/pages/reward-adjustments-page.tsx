import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { api, queryString, toProblem, type Problem } from '../api.ts';
import { compApi, type Adjustment, type PayPeriod } from '../comp-api.ts';
import { formatDelta, formatPeriodLabel } from '../comp-format.ts';
import { CompNav } from '../components/comp-nav.tsx';
import { fieldErrors, FormAlert } from '../components/form-alert.tsx';
import { PageHeader } from '../components/page-header.tsx';
import { PersonPicker, type PickedPerson } from '../components/person-picker.tsx';
import { ProblemAlert } from '../components/problem-alert.tsx';
import { formatCount, formatInstant, todayIso } from '../format.ts';
import { Link, navigate, useSearchParams } from '../router.tsx';
import { useSession } from '../session.tsx';
import { useLoad } from '../use-load.ts';

const pageSize = 50;
const adjustmentFields = ['payee', 'period', 'amount', 'reason'];

/** The open pay period running today (of the first kind listed), else the newest open one. */
function currentOpenPeriod(periods: PayPeriod[]): string {
  const today = todayIso();
  const open = periods.filter((p) => p.status === 'open');
  return (
    open.find((p) => p.startsOn <= today && p.endsOn >= today)?.period ??
    [...open].sort((a, b) => b.period.localeCompare(a.period))[0]?.period ??
    ''
  );
}

/**
 * Manual adjustments: one-off amounts for a payee in a period, each with its reason and approver
 * (whoever adds it). A run reads the approved adjustments of its period (run-input.ts), so the next
 * run of the period pays them; the list says which run did.
 */
export function RewardAdjustmentsPage() {
  const { can } = useSession();
  const params = useSearchParams();
  const filterId = useId();
  const period = params.get('period') ?? '';
  const payee = params.get('payee') ?? '';
  const periods = useLoad(() => compApi.periods(), []);
  const list = useLoad(
    () => compApi.adjustments({ period: period || undefined, payee: payee || undefined }),
    [period, payee],
  );
  const [offset, setOffset] = useState(0);
  const [added, setAdded] = useState<Adjustment | null>(null);
  useEffect(() => setOffset(0), [period, payee]);

  const periodOf = new Map((periods.data ?? []).map((p) => [p.period, p]));
  const allPeriods = [...(periods.data ?? [])].sort((a, b) => b.period.localeCompare(a.period));
  // Newest period first; within one, the latest added first.
  const rows = [...(list.data ?? [])].sort(
    (a, b) =>
      b.period.localeCompare(a.period) ||
      (b.createdAt ?? '').localeCompare(a.createdAt ?? '') ||
      Number(b.id) - Number(a.id),
  );
  const shown = rows.slice(offset, offset + pageSize);
  const go = (change: Record<string, string | undefined>) =>
    navigate(
      `/reward/adjustments${queryString({ period: period || undefined, payee: payee || undefined, ...change })}`,
    );

  return (
    <>
      <PageHeader
        title="Adjustments"
        tagline="One-off amounts paid to or taken back from a payee in a period, each with its reason and approver. The next run of the period pays them."
      />
      <CompNav />
      {can('pay:manage') && periods.data && (
        <AdjustmentForm
          periods={periods.data}
          initialPeriod={period}
          initialPayee={payee}
          onAdded={(adjustment) => {
            setAdded(adjustment);
            list.reload();
          }}
        />
      )}
      {periods.problem && <ProblemAlert problem={periods.problem} lead="Could not load the periods." />}

      <section className="card" aria-labelledby="adjustments-title">
        <div className="card-header">
          <div>
            <h2 id="adjustments-title">
              {payee ? `Adjustments of ${rows[0]?.payeeName ?? payee}` : 'Adjustments'}
              {period ? ` in ${formatPeriodLabel(period)}` : ''}
            </h2>
            <p className="card-description">
              Manual adjustments and those that resolved disputes. Status: whether the current statement of
              the payee and period carries it yet.
            </p>
          </div>
          <div className="toolbar-buttons">
            <div className="field field-inline">
              <label htmlFor={filterId}>Period</label>
              <select
                id={filterId}
                value={period}
                onChange={(event) => go({ period: event.target.value || undefined })}
              >
                <option value="">All periods</option>
                {allPeriods.map((p) => (
                  <option key={p.period} value={p.period}>
                    {formatPeriodLabel(p.period)}
                    {p.status === 'closed' ? ' (closed)' : ''}
                  </option>
                ))}
              </select>
            </div>
            {payee && (
              <button type="button" className="button button-ghost" onClick={() => go({ payee: undefined })}>
                All payees
              </button>
            )}
          </div>
        </div>
        {list.problem && <ProblemAlert problem={list.problem} lead="Could not load the adjustments." />}
        {!list.data ? (
          !list.problem && <p className="muted">Loading the adjustments…</p>
        ) : rows.length === 0 ? (
          <div className="empty-inline" data-testid="no-adjustments">
            No adjustment {period ? `in ${formatPeriodLabel(period)}` : 'yet'}. An adjustment pays (or takes
            back) an amount outside the plan’s rules, such as a correction or a one-off award; it needs a
            reason, and whoever adds it approves it.
          </div>
        ) : (
          <>
            <div className="table-wrap">
              <table className="table" aria-label="Adjustments" data-testid="adjustments-table">
                <thead>
                  <tr>
                    <th scope="col">Payee</th>
                    <th scope="col">Period</th>
                    <th scope="col" className="num">
                      Amount
                    </th>
                    <th scope="col">Reason</th>
                    <th scope="col">Approver</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((a) => (
                    <tr
                      key={a.id}
                      data-adjustment-id={a.id}
                      data-payee={a.payee}
                      className={added && String(added.id) === String(a.id) ? 'is-new' : undefined}
                    >
                      <th scope="row">
                        {a.payeeName ?? a.payee}
                        <span className="cell-sub">{a.payee}</span>
                      </th>
                      <td className="nowrap">{formatPeriodLabel(a.period)}</td>
                      <td className="num tabular nowrap" data-testid="adjustment-amount">
                        {formatDelta(a.amount, a.currency)}
                      </td>
                      <td>
                        {a.reason}
                        {a.disputeId != null && (
                          <span className="cell-sub">
                            <Link to={`/reward/disputes/${encodeURIComponent(String(a.disputeId))}`}>
                              From dispute {a.disputeId}
                            </Link>
                          </span>
                        )}
                      </td>
                      <td>
                        {a.approver ?? '—'}
                        <span className="cell-sub">{formatInstant(a.createdAt ?? null)}</span>
                      </td>
                      <td data-testid="adjustment-status">
                        <AdjustmentStatus adjustment={a} period={periodOf.get(a.period)} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {rows.length > pageSize && (
              <nav className="pagination" aria-label="Adjustment pages">
                <span className="muted tabular">
                  {formatCount(offset + 1)}–{formatCount(Math.min(offset + pageSize, rows.length))} of{' '}
                  {formatCount(rows.length)}
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
                    disabled={offset + pageSize >= rows.length}
                    onClick={() => setOffset(offset + pageSize)}
                  >
                    Next
                  </button>
                </div>
              </nav>
            )}
          </>
        )}
      </section>
    </>
  );
}

function AdjustmentStatus({ adjustment, period }: { adjustment: Adjustment; period: PayPeriod | undefined }) {
  if (adjustment.paidInRun != null)
    return (
      <>
        <span className="badge badge-success" data-status="paid">
          Paid
        </span>
        <span className="cell-sub">
          <Link
            to={`/reward/statements/${encodeURIComponent(adjustment.payee)}/${encodeURIComponent(adjustment.period)}`}
          >
            In run {adjustment.paidInRun}
          </Link>
        </span>
      </>
    );
  if (period?.status === 'closed')
    return (
      <>
        <span className="badge badge-warning" data-status="unpaid-closed">
          Not in the closed run
        </span>
        <span className="cell-sub">The period was closed before a run included it.</span>
      </>
    );
  return (
    <>
      <span className="badge badge-info" data-status="waiting">
        Approved
      </span>
      <span className="cell-sub">Waiting for the next run of {formatPeriodLabel(adjustment.period)}</span>
    </>
  );
}

function AdjustmentForm({
  periods,
  initialPeriod,
  initialPayee,
  onAdded,
}: {
  periods: PayPeriod[];
  initialPeriod: string;
  initialPayee: string;
  onAdded: (adjustment: Adjustment) => void;
}) {
  const id = useId();
  const { user } = useSession();
  const open = [...periods]
    .filter((p) => p.status === 'open')
    .sort((a, b) => b.period.localeCompare(a.period));
  const [payee, setPayee] = useState<PickedPerson | null>(null);
  const [period, setPeriod] = useState(
    open.some((p) => p.period === initialPeriod) ? initialPeriod : currentOpenPeriod(periods),
  );
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<(Adjustment & { payeeName: string }) | null>(null);
  const [starting, setStarting] = useState(false);
  const doneRef = useRef<HTMLDivElement>(null);

  // Opened from a statement (?payee=key): the payee is filled in.
  useEffect(() => {
    if (!initialPayee) return;
    let cancelled = false;
    api.people({ q: initialPayee, limit: 20 }).then(
      (page) => {
        const person = page.people.find((p) => p.key === initialPayee);
        if (!cancelled && person)
          setPayee(
            (current) => current ?? { id: person.id, key: person.key, name: person.name, detail: person.key },
          );
      },
      () => {},
    );
    return () => {
      cancelled = true;
    };
  }, [initialPayee]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    setDone(null);
    const local = [
      ...(!payee?.key ? [{ field: 'payee', message: 'choose the payee' }] : []),
      ...(!period ? [{ field: 'period', message: 'choose an open period' }] : []),
      ...(!reason.trim()
        ? [{ field: 'reason', message: 'say why: the payee sees it on their statement' }]
        : []),
    ];
    if (local.length > 0) {
      setProblem({ title: 'The adjustment is not complete.', problems: local });
      return;
    }
    setBusy(true);
    try {
      // The amount goes as the text typed, never through a float; the server checks it (and its
      // decimals against the currency) and says what is wrong beside the field.
      const adjustment = await compApi.createAdjustment({
        payee: payee!.key!,
        period,
        amount: amount.trim(),
        reason: reason.trim(),
      });
      setDone({ ...adjustment, payeeName: payee!.name });
      setPayee(null);
      setAmount('');
      setReason('');
      onAdded(adjustment);
      requestAnimationFrame(() => doneRef.current?.focus());
    } catch (error) {
      setProblem(toProblem(error));
    } finally {
      setBusy(false);
    }
  };

  const runNow = async () => {
    if (!done) return;
    setStarting(true);
    try {
      const run = await compApi.startRun(done.period);
      navigate(`/reward/runs/${encodeURIComponent(String(run.id))}`);
    } catch (error) {
      setProblem(toProblem(error));
      setStarting(false);
    }
  };

  const { invalid, fieldError, describedBy } = fieldErrors(problem, adjustmentFields, id);

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <div className="card-header">
        <div>
          <h2 id={`${id}-title`}>Add an adjustment</h2>
          <p className="card-description">
            A run reads the approved adjustments of its period: the next run of the period pays this one on
            the payee’s statement, as its own line with the reason. A closed period takes none; use the next
            open one.
          </p>
        </div>
      </div>
      {done && (
        <div
          className="notice notice-success comp-adjust-done"
          role="status"
          tabIndex={-1}
          ref={doneRef}
          data-testid="adjustment-added"
        >
          <p>
            {formatDelta(done.amount, done.currency)} for {done.payeeName} in {formatPeriodLabel(done.period)}{' '}
            is approved by you. The next run of {formatPeriodLabel(done.period)} pays it.
          </p>
          <button
            type="button"
            className="button button-secondary button-small"
            onClick={() => void runNow()}
            disabled={starting}
          >
            {starting ? 'Starting…' : `Run ${formatPeriodLabel(done.period)} now`}
          </button>
        </div>
      )}
      <form
        className="form-stack"
        aria-label="Add an adjustment"
        onSubmit={(event) => void submit(event)}
        noValidate
      >
        {problem && (
          <FormAlert problem={problem} title="The adjustment was not added." skipFields={adjustmentFields} />
        )}
        <div className="form-row">
          <div>
            <PersonPicker
              label="Payee"
              hint="The person paid: search by name, key or email."
              value={payee}
              onChange={setPayee}
              invalid={invalid('payee')}
              describedBy={describedBy('payee')}
            />
            {fieldError('payee')}
          </div>
          <div className="field">
            <label htmlFor={`${id}-period`}>Period</label>
            <select
              id={`${id}-period`}
              value={period}
              onChange={(event) => setPeriod(event.target.value)}
              aria-invalid={invalid('period') || undefined}
              aria-describedby={describedBy('period', `${id}-period-hint`)}
            >
              {open.length === 0 && <option value="">No open period</option>}
              {open.map((p) => (
                <option key={p.period} value={p.period}>
                  {formatPeriodLabel(p.period)}
                  {p.startsOn <= todayIso() && p.endsOn >= todayIso() ? ' (current)' : ''}
                </option>
              ))}
            </select>
            <span className="field-hint" id={`${id}-period-hint`}>
              An open pay period of the payee’s plan (a quarterly plan is paid by quarter).
            </span>
            {fieldError('period')}
          </div>
        </div>
        <div className="form-row">
          <div className="field">
            <label htmlFor={`${id}-amount`}>Amount</label>
            <input
              id={`${id}-amount`}
              className="input comp-amount-input"
              inputMode="decimal"
              autoComplete="off"
              placeholder="250.00"
              value={amount}
              onChange={(event) => setAmount(event.target.value)}
              aria-invalid={invalid('amount') || undefined}
              aria-describedby={describedBy('amount', `${id}-amount-hint`)}
            />
            <span className="field-hint" id={`${id}-amount-hint`}>
              In the currency of the payee’s plan. Positive pays the payee, negative takes back; digits and up
              to two decimals, no separators.
            </span>
            {fieldError('amount')}
          </div>
          <div className="field">
            <span className="field-label" id={`${id}-approver`}>
              Approver
            </span>
            <p className="comp-approver" aria-labelledby={`${id}-approver`} data-testid="adjustment-approver">
              You ({user.email})
            </p>
            <span className="field-hint">
              Whoever adds an adjustment approves it; the audit trail records it.
            </span>
          </div>
        </div>
        <div className="field">
          <label htmlFor={`${id}-reason`}>Reason</label>
          <textarea
            id={`${id}-reason`}
            className="input textarea"
            rows={2}
            maxLength={2000}
            value={reason}
            onChange={(event) => setReason(event.target.value)}
            aria-invalid={invalid('reason') || undefined}
            aria-describedby={describedBy('reason', `${id}-reason-hint`)}
          />
          <span className="field-hint" id={`${id}-reason-hint`}>
            Required. The payee reads it on the adjustment’s line of their statement.
          </span>
          {fieldError('reason')}
        </div>
        <div className="inline-form-actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Adding…' : 'Add the adjustment'}
          </button>
        </div>
      </form>
    </section>
  );
}
