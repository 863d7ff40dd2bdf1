import type { Scope } from '../../domain/access/scope.ts';
import type { TransactionInput } from '../../domain/comp/comp-types.ts';
import { estimateDeal, type DealEstimate } from '../../domain/comp/estimate-deal.ts';
import { AppError } from '../../domain/errors.ts';
import {
  findPersonById,
  findPersonByKey,
  loadOpportunityTransaction,
  loadPlanPayees,
} from '../../store/comp/comp-input-store.ts';
import { planVersionsForPeriod } from '../../store/comp/comp-plan-store.ts';
import { getOpportunity } from '../records/records.ts';
import { compPeriodContaining } from './comp-period.ts';
import type { CompService } from './comp-service.ts';
import { loadRunInput } from './run-input.ts';

export type HypotheticalDeal = {
  amount: string;
  marginPct?: number | null;
  type?: string | null;
  productFamily?: string | null;
  closeOn?: string | null;
};

export type EstimateRequest = { opportunityId?: number; deal?: HypotheticalDeal; payee?: string };

/**
 * "What would this deal pay me" (issue 6 point 8): the payee's plan state in the period of the
 * deal's (expected) close — attainment so far, tiers, accelerators, splits, caps, draws — run with
 * and without the deal. An open deal must be one the caller may see; another payee than oneself
 * must be in the caller's scope.
 */
export async function estimate(
  comp: CompService,
  scope: Scope,
  caller: { personId: number | null },
  request: EstimateRequest,
): Promise<DealEstimate & { payee: string; period: string; planId: string; planVersion: number }> {
  const db = comp.store.db;
  const today = comp.clock.now().slice(0, 10);
  let payee: { id: number; key: string } | undefined;
  if (request.payee) {
    const person = await findPersonByKey(db, request.payee);
    if (!person || !(scope.kind === 'all' || scope.people.has(person.id) || person.id === caller.personId))
      throw new AppError('not_found', `No payee ${request.payee}.`);
    payee = person;
  }
  let deal: TransactionInput;
  if (request.opportunityId !== undefined) {
    // Through the records' scope: a deal the caller may not see is not found.
    await getOpportunity(comp.store, scope, today, request.opportunityId);
    const loaded = await loadOpportunityTransaction(db, request.opportunityId);
    if (!loaded)
      throw new AppError('validation', 'The deal has no close date to estimate it on.', [
        { field: 'opportunityId', value: String(request.opportunityId), message: 'has no close date' },
      ]);
    deal = loaded.transaction;
    if (!payee) {
      const owner = await findPersonById(db, loaded.ownerPersonId);
      payee =
        caller.personId !== null && caller.personId !== loaded.ownerPersonId
          ? await findPersonById(db, caller.personId)
          : owner;
    }
  } else if (request.deal) {
    if (!payee && caller.personId !== null) payee = await findPersonById(db, caller.personId);
    if (!payee)
      throw new AppError('validation', 'Whose pay to estimate: name a payee.', [
        { field: 'payee', message: 'is required for a caller who is not a payee' },
      ]);
    const d = request.deal;
    deal = {
      id: 'estimate',
      name: 'Hypothetical deal',
      date: d.closeOn ?? today,
      owner: payee.key,
      amount: d.amount,
      ...(d.marginPct != null ? { margin_pct: d.marginPct } : {}),
      ...(d.type ? { type: d.type } : {}),
      ...(d.productFamily ? { product_family: d.productFamily } : {}),
    };
  } else {
    throw new AppError('validation', 'Name a deal: opportunityId or deal.', [
      { field: 'opportunityId', message: 'either opportunityId or deal is required' },
    ]);
  }
  if (!payee)
    throw new AppError('validation', 'Whose pay to estimate: name a payee.', [
      { field: 'payee', message: 'is required' },
    ]);
  // The payee's plan on the deal's day decides the period kind.
  const assigned = (await loadPlanPayees(db, deal.date, deal.date)).find((p) => p.key === payee.key);
  const versions = await planVersionsForPeriod(db, deal.date, deal.date);
  const version = versions.find((v) => v.planId === assigned?.planId);
  if (!assigned || !version)
    throw new AppError('conflict', `${payee.key} has no compensation plan on ${deal.date}.`, [
      { field: 'payee', value: payee.key, message: `no plan assigned on ${deal.date}` },
    ]);
  const period = compPeriodContaining(version.period, deal.date, comp.fiscalYearStartMonth);
  const run = await loadRunInput(comp.store, period, comp.fiscalYearStartMonth, [payee.key]);
  const planInput = run.plans.find((p) => p.version.planId === version.planId);
  if (!planInput) throw new AppError('conflict', `${payee.key} has no compensation plan in ${period.label}.`);
  // The deal is estimated on top of everything else: a deal already won is taken out first.
  const input = {
    ...planInput.input,
    transactions: planInput.input.transactions.filter((t) => t.id !== deal.id),
  };
  const result = estimateDeal(planInput.plan, input, deal, payee.key);
  return {
    ...result,
    payee: payee.key,
    period: period.label,
    planId: version.planId,
    planVersion: version.version,
  };
}
