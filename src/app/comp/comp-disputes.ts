import type { Scope } from '../../domain/access/scope.ts';
import type { StatementLine } from '../../domain/comp/comp-types.ts';
import { currencyDigits, decimalToMinor, minorToDecimal } from '../../domain/comp/exact-money.ts';
import { AppError } from '../../domain/errors.ts';
import { findPeopleByKeys, findPersonById, findPersonByKey } from '../../store/comp/comp-input-store.ts';
import {
  findDispute,
  insertAdjustment,
  insertDispute,
  insertDisputeEvent,
  listAdjustments,
  listDisputeEvents,
  listDisputes,
  resolveDisputeRow,
  type AdjustmentRow,
  type DisputeEventRow,
  type DisputeRow,
} from '../../store/comp/comp-dispute-store.ts';
import { planVersionsForPeriod } from '../../store/comp/comp-plan-store.ts';
import { findCurrentRunsWithLine } from '../../store/comp/comp-run-store.ts';
import { loadPlanPayees } from '../../store/comp/comp-input-store.ts';
import { recordAudit, type Actor } from '../audit/audit-log.ts';
import { disputeSummary, statementScopeOf, type CompService, type DisputeSummary } from './comp-service.ts';
import type { CompPeriod } from './comp-period.ts';
import { adjustmentLineId } from './run-input.ts';

/**
 * Disputes and manual adjustments (issue 6 point 7, point 5): a payee raises a question on a line
 * of their statement, which keeps a copy of the line and its trace; an administrator answers with
 * an explanation or an adjustment, which the next run of the open period pays. Every change is in
 * the audit trail, in the same transaction.
 */

export type DisputeDetail = DisputeSummary & {
  runId: number;
  /** The line as the payee saw it: amount, trace and explanation. */
  disputedLine: StatementLine;
  events: DisputeEventRow[];
  adjustment: AdjustmentView | null;
};

export type AdjustmentView = {
  id: number;
  payee: string;
  period: string;
  amount: string;
  currency: string;
  reason: string;
  approver: string;
  disputeId: number | null;
  createdAt: string;
};

function adjustmentView(a: AdjustmentRow): AdjustmentView {
  return {
    id: a.id,
    payee: a.payee,
    period: a.period,
    amount: minorToDecimal(a.amountMinor, currencyDigits(a.currency)),
    currency: a.currency,
    reason: a.reason,
    approver: a.approver,
    disputeId: a.disputeId,
    createdAt: a.createdAt,
  };
}

function requireMessage(message: string, field = 'message'): string {
  const text = message.trim();
  if (!text)
    throw new AppError('validation', 'A message is required.', [{ field, message: 'must not be empty' }]);
  return text;
}

/** The dispute, if the caller may see the statement it is about (else not found). */
async function visibleDisputeOrThrow(comp: CompService, scope: Scope, id: number): Promise<DisputeRow> {
  const dispute = await findDispute(comp.store.db, id);
  if (!dispute || !comp.visible(scope, dispute.personId, comp.period(dispute.period)))
    throw new AppError('not_found', `No dispute ${id}.`);
  return dispute;
}

async function detail(comp: CompService, dispute: DisputeRow): Promise<DisputeDetail> {
  const [events, person, adjustments] = await Promise.all([
    listDisputeEvents(comp.store.db, dispute.id),
    findPersonById(comp.store.db, dispute.personId),
    dispute.adjustmentId === null
      ? Promise.resolve([])
      : listAdjustments(comp.store.db, { payee: dispute.payee }),
  ]);
  const adjustment = adjustments.find((a) => a.id === dispute.adjustmentId);
  return {
    ...disputeSummary(dispute, person?.name ?? null),
    runId: dispute.runId,
    disputedLine: dispute.line,
    events,
    adjustment: adjustment ? adjustmentView(adjustment) : null,
  };
}

/** Raises a question on one line of a statement the caller may see; the line's trace is copied into it. */
export async function raiseDispute(
  comp: CompService,
  scope: Scope,
  request: { payee: string; period: string; lineId: string; message: string },
  actor: Actor,
): Promise<DisputeDetail> {
  const message = requireMessage(request.message);
  const found = await comp.getStatementOrThrow(scope, request.payee, request.period);
  const line = found.statement.lines.find((l) => l.id === request.lineId);
  if (!line)
    throw new AppError('validation', `The statement has no line ${request.lineId}.`, [
      { field: 'lineId', value: request.lineId, message: 'is not a line of this statement' },
    ]);
  if (found.personId === null) throw new AppError('not_found', `No statement for ${request.payee}.`);
  const at = comp.clock.now();
  const id = await comp.store.db.transaction().execute(async (tx) => {
    const disputeId = await insertDispute(tx, {
      payee: request.payee,
      personId: found.personId!,
      period: found.period.label,
      runId: found.runId,
      lineId: line.id,
      line,
      raisedBy: actor.label,
      raisedByUserId: actor.userId,
      createdAt: at,
    });
    await insertDisputeEvent(tx, disputeId, {
      at,
      kind: 'raised',
      actor: actor.label,
      actorUserId: actor.userId,
      message,
    });
    await recordAudit(tx, actor, at, {
      action: 'comp_dispute_raised',
      entity: 'comp_dispute',
      entityId: disputeId,
      summary: `Dispute ${disputeId} raised on line ${line.id} of ${request.payee}'s ${found.period.label} statement.`,
      after: { lineId: line.id, amount: line.amount, message },
    });
    return disputeId;
  });
  return detail(comp, (await findDispute(comp.store.db, id))!);
}

/** Disputes the caller may see, newest first. */
export async function listVisibleDisputes(
  comp: CompService,
  scope: Scope,
  filters: { status?: 'open' | 'resolved'; period?: string; payee?: string; limit: number },
): Promise<DisputeSummary[]> {
  const statementScope = statementScopeOf(scope);
  const rows = await listDisputes(comp.store.db, {
    ...filters,
    ...(statementScope ? { personIds: [...new Set(statementScope.personIds)] } : {}),
  });
  const visible = rows.filter((d) => comp.visible(scope, d.personId, comp.period(d.period)));
  const names = new Map<number, string | null>();
  for (const d of visible)
    if (!names.has(d.personId))
      names.set(d.personId, (await findPersonById(comp.store.db, d.personId))?.name ?? null);
  return visible.map((d) => disputeSummary(d, names.get(d.personId) ?? null));
}

export async function getDispute(comp: CompService, scope: Scope, id: number): Promise<DisputeDetail> {
  return detail(comp, await visibleDisputeOrThrow(comp, scope, id));
}

/** Adds a message to a dispute's history (the payee, their manager, or an administrator). */
export async function addDisputeMessage(
  comp: CompService,
  scope: Scope,
  id: number,
  text: string,
  actor: Actor,
): Promise<DisputeDetail> {
  const message = requireMessage(text);
  const dispute = await visibleDisputeOrThrow(comp, scope, id);
  const at = comp.clock.now();
  await comp.store.db.transaction().execute(async (tx) => {
    await insertDisputeEvent(tx, id, {
      at,
      kind: 'message',
      actor: actor.label,
      actorUserId: actor.userId,
      message,
    });
    await recordAudit(tx, actor, at, {
      action: 'comp_dispute_message',
      entity: 'comp_dispute',
      entityId: id,
      summary: `Message on dispute ${id} (${dispute.payee}, ${dispute.period}).`,
      after: { message },
    });
  });
  return detail(comp, dispute);
}

/**
 * The currency of the plan that pays a payee's adjustments in a period. A run pays an adjustment
 * on the statement of the payee's plan: with no plan in the period it would never be paid, so the
 * caller's refusal is thrown rather than the adjustment left waiting unseen.
 */
async function payingCurrencyOf(
  comp: CompService,
  payee: string,
  period: CompPeriod,
  refusal: () => AppError,
): Promise<string> {
  const [versions, payees] = await Promise.all([
    planVersionsForPeriod(comp.store.db, period.startsOn, period.endsOn),
    loadPlanPayees(comp.store.db, period.startsOn, period.endsOn),
  ]);
  const planId = payees.find((p) => p.key === payee)?.planId;
  const version = planId === undefined ? undefined : versions.find((v) => v.planId === planId);
  if (!version) throw refusal();
  return version.currency;
}

function amountMinor(text: string, currency: string, field = 'amount'): number {
  const digits = currencyDigits(currency);
  let minor: number | undefined;
  try {
    minor = decimalToMinor(text, digits);
  } catch {
    minor = undefined;
  }
  if (minor === undefined || minor === 0)
    throw new AppError('validation', 'The amount is not valid.', [
      {
        field,
        value: text,
        message: `expected a non-zero amount such as "250" or "-80.50" (at most ${digits} decimals)`,
      },
    ]);
  return minor;
}

/**
 * Resolves a dispute with an explanation, or with an adjustment: an approved adjustment in the
 * dispute's period if it is still open, else in the first open period after it, which the next run
 * of that period pays.
 */
export async function resolveDispute(
  comp: CompService,
  id: number,
  request: { resolution: 'explained' | 'adjusted'; message: string; amount?: string | null },
  actor: Actor,
): Promise<DisputeDetail> {
  const message = requireMessage(request.message);
  const dispute = await findDispute(comp.store.db, id);
  if (!dispute) throw new AppError('not_found', `No dispute ${id}.`);
  if (dispute.status === 'resolved') throw new AppError('conflict', `Dispute ${id} is already resolved.`);
  let adjustment: { period: CompPeriod; amountMinor: number; currency: string } | undefined;
  if (request.resolution === 'adjusted') {
    if (request.amount == null || request.amount === '')
      throw new AppError('validation', 'An adjustment needs an amount.', [
        { field: 'amount', message: 'is required when the resolution is "adjusted"' },
      ]);
    const period = await comp.firstOpenPeriod(comp.period(dispute.period));
    // The payee may have left their plan after the disputed period.
    const currency = await payingCurrencyOf(
      comp,
      dispute.payee,
      period,
      () =>
        new AppError(
          'validation',
          `${dispute.payee} is on no plan in ${period.label}, the open period that would pay this adjustment; ` +
            'assign a plan in that period first, or resolve the dispute as explained and pay it outside Attain.',
          [
            {
              field: 'resolution',
              value: 'adjusted',
              message: `${dispute.payee} has no plan in ${period.label}`,
            },
          ],
        ),
    );
    adjustment = { period, amountMinor: amountMinor(request.amount, currency), currency };
  }
  const at = comp.clock.now();
  await comp.store.db.transaction().execute(async (tx) => {
    let adjustmentId: number | null = null;
    if (adjustment) {
      adjustmentId = await insertAdjustment(tx, {
        payee: dispute.payee,
        personId: dispute.personId,
        period: adjustment.period.label,
        amountMinor: adjustment.amountMinor,
        currency: adjustment.currency,
        reason: `Dispute ${id} on ${dispute.lineId} (${dispute.period}): ${message}`,
        approver: actor.label,
        approvedByUserId: actor.userId,
        disputeId: id,
        createdAt: at,
      });
      await recordAudit(tx, actor, at, {
        action: 'comp_adjustment_created',
        entity: 'comp_adjustment',
        entityId: adjustmentId,
        summary: `Adjustment of ${minorToDecimal(adjustment.amountMinor, currencyDigits(adjustment.currency))} ${adjustment.currency} for ${dispute.payee} in ${adjustment.period.label} (dispute ${id}).`,
        after: { payee: dispute.payee, period: adjustment.period.label, amountMinor: adjustment.amountMinor },
      });
    }
    await resolveDisputeRow(tx, id, {
      resolution: request.resolution,
      adjustmentId,
      resolvedAt: at,
      resolvedBy: actor.label,
    });
    await insertDisputeEvent(tx, id, {
      at,
      kind: 'resolved',
      actor: actor.label,
      actorUserId: actor.userId,
      message,
    });
    await recordAudit(tx, actor, at, {
      action: 'comp_dispute_resolved',
      entity: 'comp_dispute',
      entityId: id,
      summary: `Dispute ${id} resolved (${request.resolution}).`,
      before: { status: dispute.status },
      after: { status: 'resolved', resolution: request.resolution, adjustmentId, message },
    });
  });
  return detail(comp, (await findDispute(comp.store.db, id))!);
}

/** A manual adjustment with its reason; the approver is the caller. A closed period takes none. */
export async function createAdjustment(
  comp: CompService,
  request: { payee: string; period: string; amount: string; reason: string },
  actor: Actor,
): Promise<AdjustmentView> {
  const reason = requireMessage(request.reason, 'reason');
  const period = comp.period(request.period);
  const person = await findPersonByKey(comp.store.db, request.payee);
  if (!person)
    throw new AppError('validation', `No payee ${request.payee}.`, [
      { field: 'payee', value: request.payee, message: 'no such person' },
    ]);
  if (await comp.isClosed(period.label))
    throw new AppError('conflict', `Period ${period.label} is closed; adjust the open period instead.`, [
      { field: 'period', value: period.label, message: 'is closed' },
    ]);
  const currency = await payingCurrencyOf(
    comp,
    person.key,
    period,
    () =>
      new AppError(
        'validation',
        `${person.key} is on no plan in ${period.label}; assign a plan first, or adjust a period they are paid in.`,
        [{ field: 'payee', value: request.payee, message: `has no plan in ${period.label}` }],
      ),
  );
  const minor = amountMinor(request.amount, currency);
  const at = comp.clock.now();
  const id = await comp.store.db.transaction().execute(async (tx) => {
    const created = await insertAdjustment(tx, {
      payee: person.key,
      personId: person.id,
      period: period.label,
      amountMinor: minor,
      currency,
      reason,
      approver: actor.label,
      approvedByUserId: actor.userId,
      disputeId: null,
      createdAt: at,
    });
    await recordAudit(tx, actor, at, {
      action: 'comp_adjustment_created',
      entity: 'comp_adjustment',
      entityId: created,
      summary: `Adjustment of ${request.amount} ${currency} for ${person.key} in ${period.label}: ${reason}`,
      after: { payee: person.key, period: period.label, amountMinor: minor, reason },
    });
    return created;
  });
  const rows = await listAdjustments(comp.store.db, { payee: person.key });
  return adjustmentView(rows.find((r) => r.id === id)!);
}

/**
 * An adjustment in the list: with the payee's name, and the run whose current statement of the
 * payee and period pays it (null while no run has: the next run of the period will, as long as a
 * plan pays the payee then; a closed period is never run again).
 */
export type AdjustmentListItem = AdjustmentView & { payeeName: string | null; paidInRun: number | null };

export async function listAdjustmentViews(
  comp: CompService,
  scope: Scope,
  filters: { period?: string; payee?: string },
): Promise<AdjustmentListItem[]> {
  const periods = filters.period ? [comp.period(filters.period).label] : undefined;
  const rows = await listAdjustments(comp.store.db, {
    ...(periods ? { periods } : {}),
    ...(filters.payee ? { payee: filters.payee } : {}),
  });
  const people = await findPeopleByKeys(
    comp.store.db,
    rows.map((r) => r.payee),
  );
  // Within the caller's scope, as statements are: a payee they could see in the adjustment's period.
  const visible = rows.filter((r) =>
    comp.visible(scope, people.get(r.payee)?.id ?? null, comp.period(r.period)),
  );
  const paidIn = await findCurrentRunsWithLine(
    comp.store.db,
    visible.map((r) => ({ payee: r.payee, period: r.period, lineId: adjustmentLineId(r.id) })),
  );
  return visible.map((r, i) => ({
    ...adjustmentView(r),
    payeeName: people.get(r.payee)?.name ?? null,
    paidInRun: paidIn[i] ?? null,
  }));
}
