import type { Kysely, Selectable } from 'kysely';
import type { StatementLine } from '../../domain/comp/comp-types.ts';
import type { Database } from '../schema.ts';

/** Manual adjustments and disputes on statement lines (migration 0003-comp). */

export type AdjustmentRow = {
  id: number;
  payee: string;
  personId: number;
  period: string;
  amountMinor: number;
  currency: string;
  reason: string;
  approver: string;
  disputeId: number | null;
  createdAt: string;
};

function adjustmentRow(r: Selectable<Database['comp_adjustments']>): AdjustmentRow {
  return {
    id: r.id,
    payee: r.payee,
    personId: r.person_id,
    period: r.period,
    amountMinor: Number(r.amount_minor),
    currency: r.currency,
    reason: r.reason,
    approver: r.approver,
    disputeId: r.dispute_id,
    createdAt: r.created_at,
  };
}

export async function insertAdjustment(
  db: Kysely<Database>,
  adjustment: Omit<AdjustmentRow, 'id'> & { approvedByUserId: number | null },
): Promise<number> {
  const row = await db
    .insertInto('comp_adjustments')
    .values({
      payee: adjustment.payee,
      person_id: adjustment.personId,
      period: adjustment.period,
      amount_minor: adjustment.amountMinor,
      currency: adjustment.currency,
      reason: adjustment.reason,
      approver: adjustment.approver,
      approved_by_user_id: adjustment.approvedByUserId,
      dispute_id: adjustment.disputeId,
      created_at: adjustment.createdAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function listAdjustments(
  db: Kysely<Database>,
  filters: { periods?: readonly string[]; payee?: string },
): Promise<AdjustmentRow[]> {
  let query = db.selectFrom('comp_adjustments').selectAll();
  if (filters.periods) {
    if (filters.periods.length === 0) return [];
    query = query.where('period', 'in', [...filters.periods]);
  }
  if (filters.payee) query = query.where('payee', '=', filters.payee);
  const rows = await query.orderBy('period').orderBy('payee').orderBy('id').execute();
  return rows.map(adjustmentRow);
}

export type DisputeRow = {
  id: number;
  payee: string;
  personId: number;
  period: string;
  runId: number;
  lineId: string;
  line: StatementLine;
  status: 'open' | 'resolved';
  resolution: 'explained' | 'adjusted' | null;
  adjustmentId: number | null;
  raisedBy: string;
  raisedByUserId: number | null;
  createdAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
};

export type DisputeEventRow = {
  id: number;
  at: string;
  kind: 'raised' | 'message' | 'resolved';
  actor: string;
  actorUserId: number | null;
  message: string;
};

function disputeRow(r: Selectable<Database['comp_disputes']>): DisputeRow {
  return {
    id: r.id,
    payee: r.payee,
    personId: r.person_id,
    period: r.period,
    runId: r.run_id,
    lineId: r.line_id,
    line: r.line as StatementLine,
    status: r.status,
    resolution: r.resolution,
    adjustmentId: r.adjustment_id,
    raisedBy: r.raised_by,
    raisedByUserId: r.raised_by_user_id,
    createdAt: r.created_at,
    resolvedAt: r.resolved_at,
    resolvedBy: r.resolved_by,
  };
}

export async function insertDispute(
  db: Kysely<Database>,
  dispute: Omit<DisputeRow, 'id' | 'status' | 'resolution' | 'adjustmentId' | 'resolvedAt' | 'resolvedBy'>,
): Promise<number> {
  const row = await db
    .insertInto('comp_disputes')
    .values({
      payee: dispute.payee,
      person_id: dispute.personId,
      period: dispute.period,
      run_id: dispute.runId,
      line_id: dispute.lineId,
      line: JSON.stringify(dispute.line),
      status: 'open',
      raised_by: dispute.raisedBy,
      raised_by_user_id: dispute.raisedByUserId,
      created_at: dispute.createdAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function insertDisputeEvent(
  db: Kysely<Database>,
  disputeId: number,
  event: Omit<DisputeEventRow, 'id'>,
): Promise<void> {
  await db
    .insertInto('comp_dispute_events')
    .values({
      dispute_id: disputeId,
      at: event.at,
      kind: event.kind,
      actor: event.actor,
      actor_user_id: event.actorUserId,
      message: event.message,
    })
    .execute();
}

export async function resolveDisputeRow(
  db: Kysely<Database>,
  id: number,
  resolution: {
    resolution: 'explained' | 'adjusted';
    adjustmentId: number | null;
    resolvedAt: string;
    resolvedBy: string;
  },
): Promise<void> {
  await db
    .updateTable('comp_disputes')
    .set({
      status: 'resolved',
      resolution: resolution.resolution,
      adjustment_id: resolution.adjustmentId,
      resolved_at: resolution.resolvedAt,
      resolved_by: resolution.resolvedBy,
    })
    .where('id', '=', id)
    .execute();
}

export async function findDispute(db: Kysely<Database>, id: number): Promise<DisputeRow | undefined> {
  const row = await db.selectFrom('comp_disputes').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? disputeRow(row) : undefined;
}

/** Disputes, newest first; `personIds` limits them to those people (a caller's scope). */
export async function listDisputes(
  db: Kysely<Database>,
  filters: {
    payee?: string;
    period?: string;
    status?: 'open' | 'resolved';
    personIds?: readonly number[];
    limit: number;
  },
): Promise<DisputeRow[]> {
  let query = db.selectFrom('comp_disputes').selectAll();
  if (filters.payee) query = query.where('payee', '=', filters.payee);
  if (filters.period) query = query.where('period', '=', filters.period);
  if (filters.status) query = query.where('status', '=', filters.status);
  if (filters.personIds) {
    if (filters.personIds.length === 0) return [];
    query = query.where('person_id', 'in', [...filters.personIds]);
  }
  const rows = await query.orderBy('id', 'desc').limit(filters.limit).execute();
  return rows.map(disputeRow);
}

export async function listDisputeEvents(db: Kysely<Database>, disputeId: number): Promise<DisputeEventRow[]> {
  const rows = await db
    .selectFrom('comp_dispute_events')
    .selectAll()
    .where('dispute_id', '=', disputeId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    kind: r.kind,
    actor: r.actor,
    actorUserId: r.actor_user_id,
    message: r.message,
  }));
}
