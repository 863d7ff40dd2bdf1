import { useId, useRef, useState, type FormEvent } from 'react';
import { toProblem, type Problem } from '../api.ts';
import {
  compApi,
  type CompPosition,
  type PayPeriod,
  type PlanAssignment,
  type PlanDetail,
} from '../comp-api.ts';
import { formatPay } from '../comp-format.ts';
import { formatDay, todayIso } from '../format.ts';
import { fieldErrors, FormAlert } from './form-alert.tsx';
import { PositionPicker } from './position-picker.tsx';
import type { PickerItem } from './search-picker.tsx';

const assignmentFields = ['position', 'from', 'to', 'targetIncentive', 'payMix'];

/**
 * The day a new assignment starts by default: the first day of the plan's pay period running today
 * (from the server's calendar of periods), never before the plan takes effect.
 */
export function defaultAssignmentStart(plan: PlanDetail, periods: PayPeriod[] | null): string {
  const today = todayIso();
  const kind = plan.period ?? 'month';
  const current = periods?.find((p) => p.kind === kind && p.startsOn <= today && p.endsOn >= today);
  const start = current?.startsOn ?? `${today.slice(0, 7)}-01`;
  return plan.effectiveFrom && plan.effectiveFrom > start ? plan.effectiveFrom : start;
}

/** A plan's assignments to positions, and (for those who may change pay) the form to add one. */
export function PlanAssignments({
  plan,
  canAssign,
  periods,
  onAssigned,
}: {
  plan: PlanDetail;
  canAssign: boolean;
  periods: PayPeriod[] | null;
  onAssigned: () => void;
}) {
  const [added, setAdded] = useState<PlanAssignment | null>(null);
  return (
    <section className="card" aria-labelledby="assignments-title" data-testid="plan-assignments">
      <div className="card-header">
        <div>
          <h2 id="assignments-title">Assigned to</h2>
          <p className="card-description">
            The positions this plan pays. Whoever holds a position on a day is paid by the plan for that day;
            a run of a period computes the holders of the positions assigned in it.
          </p>
        </div>
      </div>
      {plan.assignments.length === 0 ? (
        <div className="empty-inline" data-testid="no-assignments">
          No position is assigned this plan yet, so no run pays anybody by it. Assign it to the positions it
          is written for
          {canAssign ? ' below' : ''}: from the day given, the position’s holder is paid by this plan, with
          the target incentive and pay mix of the assignment.
        </div>
      ) : (
        <div className="table-wrap">
          <table className="table table-compact" aria-label="Assignments" data-testid="assignments-table">
            <thead>
              <tr>
                <th scope="col">Position</th>
                <th scope="col">Dates</th>
                <th scope="col" className="num">
                  Target incentive
                </th>
                <th scope="col">Pay mix</th>
              </tr>
            </thead>
            <tbody>
              {plan.assignments.map((a) => (
                <tr
                  key={a.id}
                  data-position={a.position.key}
                  className={added?.id === a.id ? 'is-new' : undefined}
                >
                  <th scope="row">
                    {a.position.title}
                    <span className="cell-sub" data-testid="assignment-holder">
                      {a.holder ? a.holder.name : 'vacant'} · <code>{a.position.key}</code>
                    </span>
                  </th>
                  <td className="nowrap tabular" data-testid="assignment-dates">
                    from {formatDay(a.from)}
                    <span className="cell-sub">
                      {a.to ? `until ${formatDay(a.to)} (first day off)` : 'open-ended'}
                    </span>
                  </td>
                  <td className="num tabular" data-testid="assignment-target">
                    {a.targetIncentive === null ? '—' : formatPay(a.targetIncentive, a.currency)}
                  </td>
                  <td data-testid="assignment-pay-mix">{a.payMix ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canAssign && (
        <AssignmentForm
          key={plan.id}
          plan={plan}
          defaultFrom={defaultAssignmentStart(plan, periods)}
          onAssigned={(assignment) => {
            setAdded(assignment);
            onAssigned();
          }}
        />
      )}
    </section>
  );
}

function AssignmentForm({
  plan,
  defaultFrom,
  onAssigned,
}: {
  plan: PlanDetail;
  defaultFrom: string;
  onAssigned: (assignment: PlanAssignment) => void;
}) {
  const id = useId();
  const [position, setPosition] = useState<{ item: PickerItem; found: CompPosition } | null>(null);
  // The default start follows the periods once they have loaded, until the field is edited.
  const [from, setFrom] = useState<string | null>(null);
  const [to, setTo] = useState('');
  const [target, setTarget] = useState('');
  const [payMix, setPayMix] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<PlanAssignment | null>(null);
  const doneRef = useRef<HTMLParagraphElement>(null);
  const start = from ?? defaultFrom;
  const currency = plan.currency ?? 'USD';
  const otherPlans = (position?.found.plans ?? []).filter((p) => p.planId !== plan.id);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    setDone(null);
    if (!position) {
      setProblem({
        title: 'Choose the position to assign the plan to.',
        problems: [{ field: 'position', message: 'choose a position' }],
      });
      return;
    }
    setBusy(true);
    try {
      const assignment = await compApi.assignPlan(plan.id, {
        position: position.found.id,
        from: start,
        to: to.trim() || null,
        targetIncentive: target.trim() || null,
        payMix: payMix.trim() || null,
      });
      setDone(assignment);
      setPosition(null);
      setTo('');
      setTarget('');
      setPayMix('');
      onAssigned(assignment);
      requestAnimationFrame(() => doneRef.current?.focus());
    } catch (error) {
      setProblem(toProblem(error));
    } finally {
      setBusy(false);
    }
  };

  const { invalid, fieldError, describedBy } = fieldErrors(problem, assignmentFields, id);

  return (
    <form
      className="form-stack comp-assign-form"
      aria-label="Assign the plan to a position"
      onSubmit={(event) => void submit(event)}
      noValidate
    >
      <h3 className="comp-form-title">Assign to a position</h3>
      {done && (
        <p className="notice notice-success" role="status" tabIndex={-1} ref={doneRef} data-testid="assigned">
          {done.position.title} ({done.holder ? done.holder.name : 'vacant'}) is on this plan from{' '}
          {formatDay(done.from)}
          {done.to ? ` until ${formatDay(done.to)}` : ''}. The next run of each period from then on pays the
          position’s holder by it.
        </p>
      )}
      {problem && (
        <FormAlert problem={problem} title="The plan was not assigned." skipFields={assignmentFields} />
      )}
      <div>
        <PositionPicker
          label="Position"
          hint="Search by title, position key or the holder’s name."
          value={position?.item ?? null}
          onChange={(item, found) => setPosition(item && found ? { item, found } : null)}
          invalid={invalid('position')}
          describedBy={describedBy('position')}
        />
        {fieldError('position')}
        {otherPlans.length > 0 && (
          <p className="field-hint comp-field-note" data-testid="other-plans">
            This position is also on{' '}
            {otherPlans.map((p) => `${p.planId} from ${formatDay(p.from)}`).join(', ')}. A payee is paid by
            one plan in a period: where the two overlap, the assignment that starts later is used (the run
            notes it).
          </p>
        )}
      </div>
      <div className="form-row">
        <div className="field">
          <label htmlFor={`${id}-from`}>From</label>
          <input
            id={`${id}-from`}
            className="input input-number"
            type="date"
            required
            value={start}
            onChange={(event) => setFrom(event.target.value)}
            aria-invalid={invalid('from') || undefined}
            aria-describedby={describedBy('from', `${id}-from-hint`)}
          />
          <span className="field-hint" id={`${id}-from-hint`}>
            The first day the plan pays the position. Default: the start of the current pay period.
          </span>
          {fieldError('from')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-to`}>Until (optional)</label>
          <input
            id={`${id}-to`}
            className="input input-number"
            type="date"
            value={to}
            min={start}
            onChange={(event) => setTo(event.target.value)}
            aria-invalid={invalid('to') || undefined}
            aria-describedby={describedBy('to', `${id}-to-hint`)}
          />
          <span className="field-hint" id={`${id}-to-hint`}>
            The first day it no longer does. Empty: open-ended.
          </span>
          {fieldError('to')}
        </div>
      </div>
      <div className="form-row">
        <div className="field">
          <label htmlFor={`${id}-target`}>Target incentive ({currency}, optional)</label>
          <input
            id={`${id}-target`}
            className="input input-number"
            inputMode="decimal"
            autoComplete="off"
            placeholder="60000"
            value={target}
            onChange={(event) => setTarget(event.target.value)}
            aria-invalid={invalid('targetIncentive') || undefined}
            aria-describedby={describedBy('targetIncentive', `${id}-target-hint`)}
          />
          <span className="field-hint" id={`${id}-target-hint`}>
            Variable pay at 100% of target, as digits (up to two decimals). Kept with the assignment for
            reference: the plan’s rules decide what is paid.
          </span>
          {fieldError('targetIncentive')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-mix`}>Pay mix (optional)</label>
          <input
            id={`${id}-mix`}
            className="input input-number"
            autoComplete="off"
            placeholder="70/30"
            list={`${id}-mixes`}
            value={payMix}
            onChange={(event) => setPayMix(event.target.value)}
            aria-invalid={invalid('payMix') || undefined}
            aria-describedby={describedBy('payMix', `${id}-mix-hint`)}
          />
          <datalist id={`${id}-mixes`}>
            {['50/50', '60/40', '70/30', '80/20', '90/10'].map((mix) => (
              <option key={mix} value={mix} />
            ))}
          </datalist>
          <span className="field-hint" id={`${id}-mix-hint`}>
            Base / variable, such as 70/30.
          </span>
          {fieldError('payMix')}
        </div>
      </div>
      <div className="inline-form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Assigning…' : 'Assign the plan'}
        </button>
      </div>
    </form>
  );
}
