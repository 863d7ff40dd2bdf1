import { fromDayNumber, toDayNumber } from '../../domain/calendar/day-number.ts';
import { findPeriod } from '../../domain/calendar/fiscal-calendar.ts';
import { findPlanVersion, insertAssignment } from '../../store/comp/comp-plan-store.ts';
import {
  listPositionsByRole,
  loadTeamDeals,
  upsertOpportunitySplits,
} from '../../store/comp/crediting-store.ts';
import { recordAudit, systemActor } from '../audit/audit-log.ts';
import { compPeriodContaining } from './comp-period.ts';
import type { CompService, RunView } from './comp-service.ts';

/**
 * Compensation for the demo organisation: an account executive plan (marginal tiers on quarterly
 * revenue attainment, a margin accelerator and a discount decelerator, splits) for every rep
 * position, a team plan for the managers (their team's revenue rolled up), some split deals, and
 * one run of the last complete month so that statements are there on first start.
 */

const repPlan = (
  from: string,
) => `# The demo's account executive plan: quota-carrying reps, paid monthly on quarter-to-date
# revenue attainment, with margin protection.
id: demo-account-executive
name: Account executive — revenue and margin
period: month
effective_from: ${from}
credit:
  rules: [owner, splits]
  types:
    - { id: revenue, amount: amount }
measures:
  - { id: revenue_qtd, credit: revenue, window: quarter_to_date, quota: revenue }
components:
  - id: commission
    kind: commission
    label: Commission on revenue
    credit: revenue
    tiers:
      basis: attainment
      measure: revenue_qtd
      method: marginal
      bands:
        - { to: 100%, rate: 8% }
        - { to: 150%, rate: 12% }
        - { rate: 15% }
    multipliers:
      - { label: margin accelerator, when: "deal.margin_pct >= 80", factor: 1.25 }
      - { label: discounted-deal decelerator, when: "deal.margin_pct > 0 && deal.margin_pct < 45", factor: 0.75 }
    cap: { per_deal: "25000" }
tests:
  - name: a quarter's first deal below quota pays 8%, the margin accelerator adds a quarter
    input:
      periods: [${from.slice(0, 7)}]
      quotas: [{ payee: ann, period: ${quarterOf(from)}, measure: revenue, amount: "300000" }]
      transactions:
        - { id: D1, date: ${from}, owner: ann, amount: "40000", margin_pct: 60 }
        - { id: D2, date: ${from}, owner: ann, amount: "20000", margin_pct: 85 }
    expect:
      - { payee: ann, period: ${from.slice(0, 7)}, line: "commission:D1", amount: "3200.00" }
      - { payee: ann, period: ${from.slice(0, 7)}, earnings: "5200.00" }
`;

const managerPlan = (
  from: string,
) => `# The demo's sales manager plan: paid on the team's revenue, rolled up from the reps as of each
# deal's day, against the team quota.
id: demo-sales-manager
name: Sales manager — team revenue
period: month
effective_from: ${from}
credit:
  rules: [owner, splits, rollup]
  rollup_levels: 1
  types:
    - { id: revenue, amount: amount }
measures:
  - { id: team_revenue_qtd, credit: revenue, window: quarter_to_date, quota: revenue }
components:
  - id: team-override
    kind: commission
    label: Override on team revenue
    credit: revenue
    tiers:
      basis: attainment
      measure: team_revenue_qtd
      method: marginal
      bands:
        - { to: 100%, rate: 2% }
        - { rate: 3% }
tests:
  - name: a manager earns 2% of the team's revenue to plan
    input:
      periods: [${from.slice(0, 7)}]
      reporting: [{ payee: ann, manager: maria, from: ${from} }]
      quotas: [{ payee: maria, period: ${quarterOf(from)}, measure: revenue, amount: "900000" }]
      transactions: [{ id: D1, date: ${from}, owner: ann, amount: "50000" }]
    expect:
      - { payee: maria, period: ${from.slice(0, 7)}, earnings: "1000.00" }
`;

function quarterOf(day: string): string {
  const month = Number(day.slice(5, 7));
  return `${day.slice(0, 4)}-Q${Math.ceil(month / 3)}`;
}

export type CompDemoResult = {
  plans: string[];
  assignments: number;
  splits: number;
  run: RunView | null;
  runMs: number | null;
};

/**
 * Seeds the demo's compensation: plans, assignments, splits on every eighth won deal of the last
 * six months (half to a teammate), and, with `runMonth`, one run of the last complete month.
 */
export async function seedCompDemo(
  comp: CompService,
  options: { asOf: string; historyStartsOn: string; runMonth: boolean },
): Promise<CompDemoResult> {
  const actor = systemActor('demo');
  const fsm = comp.fiscalYearStartMonth;
  // Seeded once: a second demo load into the same database leaves the plans as they are.
  if (await findPlanVersion(comp.store.db, 'demo-account-executive'))
    return { plans: [], assignments: 0, splits: 0, run: null, runMs: null };
  // The plans apply from the start of the fiscal year in which the demo's history starts.
  const from = findPeriod('year', toDayNumber(options.historyStartsOn), fsm).startsOn;
  const rep = await comp.savePlan('demo-account-executive', repPlan(from), actor);
  const manager = await comp.savePlan('demo-sales-manager', managerPlan(from), actor);
  const at = comp.clock.now();
  const db = comp.store.db;
  const [reps, managers] = await Promise.all([
    listPositionsByRole(db, 'rep'),
    listPositionsByRole(db, 'manager'),
  ]);
  const asOfDay = toDayNumber(options.asOf);
  const deals = await loadTeamDeals(db, fromDayNumber(asOfDay - 183), options.asOf);
  const splits = deals
    .filter((d, i) => i % 8 === 0 && d.teammateId !== null)
    .flatMap((d) => [
      { opportunityId: d.opportunityId, personId: d.ownerId, kind: 'split' as const, sharePpm: 500_000 },
      { opportunityId: d.opportunityId, personId: d.teammateId!, kind: 'split' as const, sharePpm: 500_000 },
    ]);
  await db.transaction().execute(async (tx) => {
    for (const p of reps)
      await insertAssignment(tx, {
        planId: 'demo-account-executive',
        positionId: p.id,
        from,
        to: null,
        targetIncentiveMinor: 6_000_000,
        currency: 'USD',
        payMix: '60/40',
        createdAt: at,
      });
    for (const p of managers)
      await insertAssignment(tx, {
        planId: 'demo-sales-manager',
        positionId: p.id,
        from,
        to: null,
        targetIncentiveMinor: 4_000_000,
        currency: 'USD',
        payMix: '70/30',
        createdAt: at,
      });
    await upsertOpportunitySplits(tx, splits);
    await recordAudit(tx, actor, at, {
      action: 'comp_plan_assigned',
      entity: 'comp_plan',
      entityId: 'demo',
      summary: `Demo plans assigned: ${reps.length} rep positions, ${managers.length} manager positions from ${from}; ${splits.length / 2} deals split.`,
    });
  });
  let run: RunView | null = null;
  let runMs: number | null = null;
  if (options.runMonth) {
    // The last complete month before today.
    const thisMonth = compPeriodContaining('month', options.asOf, fsm);
    const lastMonth = compPeriodContaining('month', fromDayNumber(toDayNumber(thisMonth.startsOn) - 1), fsm);
    const started = Date.now();
    run = await comp.runNow({ period: lastMonth.label }, actor);
    runMs = Date.now() - started;
  }
  return {
    plans: [`demo-account-executive v${rep.version}`, `demo-sales-manager v${manager.version}`],
    assignments: reps.length + managers.length,
    splits: splits.length / 2,
    run,
    runMs,
  };
}
