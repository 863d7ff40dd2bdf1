import { personVisibleDuring, type Scope } from '../../domain/access/scope.ts';
import { fromDayNumber, toDayNumber } from '../../domain/calendar/day-number.ts';
import { checkPlan } from '../../domain/comp/check-plan.ts';
import { compareRuns, type RunComparison } from '../../domain/comp/compare-runs.ts';
import type { CompIssue, CompResult, Statement } from '../../domain/comp/comp-types.ts';
import { currencyDigits, decimalToMinor, minorToDecimal } from '../../domain/comp/exact-money.ts';
import { fingerprintOf } from '../../domain/comp/fingerprint.ts';
import { parsePlanText } from '../../domain/comp/parse-plan.ts';
import type { PlanDocument } from '../../domain/comp/plan-document.ts';
import { runPlanTests, type PlanTestResult } from '../../domain/comp/run-plan-tests.ts';
import { AppError, isAppError, type Problem } from '../../domain/errors.ts';
import type { Store } from '../../store/open-database.ts';
import {
  findPlanVersion,
  findPosition,
  insertAssignment,
  insertPlanVersion,
  listAssignments,
  listCurrentPlanVersions,
  listPlanVersions,
  listPositions,
  type AssignmentRow,
} from '../../store/comp/comp-plan-store.ts';
import {
  findClosedPeriod,
  findRun,
  insertClosedPeriod,
  insertRun,
  latestRunsByPeriod,
  listClosedPeriods,
  listCurrentStatements,
  listRuns,
  updateRun,
  writeRunStatements,
  type RunRow,
  type StatementScope,
  type StatementSource,
  type StatementSummaryRow,
} from '../../store/comp/comp-run-store.ts';
import { findPersonByKey } from '../../store/comp/comp-input-store.ts';
import { listDisputes, type DisputeRow } from '../../store/comp/comp-dispute-store.ts';
import { recordAudit, type Actor } from '../audit/audit-log.ts';
import type { Clock } from '../ports.ts';
import { compPeriodContaining, compPeriodOf, nextCompPeriod, type CompPeriod } from './comp-period.ts';
import { loadRunInput } from './run-input.ts';
import { calculatePeriod, statementSource } from './run-engine.ts';
import { StatementBook } from './statement-book.ts';
import { buildRunColumns } from './run-columns.ts';

export type PlanTestSummary = { passed: number; failed: number };

export type PlanListItem = {
  id: string;
  name: string;
  version: number;
  /** active: every test case passes; draft: some fail (a plan with failing tests is saved as a draft). */
  status: 'active' | 'draft';
  period: 'month' | 'quarter';
  effectiveFrom: string;
  effectiveTo: string | null;
  updatedAt: string;
  tests: PlanTestSummary;
};

export type AssignmentView = {
  id: number;
  position: { id: number; key: string; title: string; role: string };
  holder: { key: string; name: string } | null;
  from: string;
  to: string | null;
  targetIncentive: string | null;
  currency: string;
  payMix: string | null;
};

export type PositionView = {
  id: number;
  key: string;
  title: string;
  role: string;
  holder: { key: string; name: string } | null;
  plans: { planId: string; from: string; to: string | null }[];
};

export type PlanDetail = {
  id: string;
  name: string;
  status: 'active' | 'draft';
  period: 'month' | 'quarter';
  currency: string;
  effectiveFrom: string;
  effectiveTo: string | null;
  current: {
    version: number;
    source: string;
    fingerprint: string;
    createdAt: string;
    createdBy: string;
    testResults: PlanTestResult[];
  };
  versions: { version: number; createdAt: string; createdBy: string; tests: PlanTestSummary }[];
  assignments: AssignmentView[];
};

export type RunView = {
  id: number;
  period: string;
  status: 'running' | 'succeeded' | 'failed';
  progress: { done: number; total: number; phase: string };
  payees: string[] | null;
  startedAt: string;
  finishedAt: string | null;
  inputFingerprint: string | null;
  planVersions: { planId: string; version: number; fingerprint: string }[];
  summary: { payees: number; earnings: string; payable: string; lines: number } | null;
  issues: { code: string; message: string; payee?: string; period?: string; transaction?: string }[];
  issueCount: number;
  createdBy: string;
  error?: { code: string; title: string; problems: unknown[] };
};

export type PeriodView = {
  period: string;
  kind: 'month' | 'quarter';
  startsOn: string;
  endsOn: string;
  status: 'open' | 'closed';
  closedAt: string | null;
  closedBy: string | null;
  lastRunId: number | null;
  running: boolean;
};

export type StatementListItem = {
  payee: string;
  payeeName: string;
  period: string;
  runId: number;
  planId: string;
  planVersion: number;
  currency: string;
  totals: Statement['totals'];
  openDisputes: number;
  closed: boolean;
};

export type DisputeSummary = {
  id: number;
  payee: string;
  payeeName: string | null;
  period: string;
  lineId: string;
  status: 'open' | 'resolved';
  resolution: 'explained' | 'adjusted' | null;
  adjustmentId: number | null;
  raisedBy: string;
  createdAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
  line: { id: string; kind: string; amount: string; explanation: string };
};

/** How many of a run's issues are kept with it (the count is always kept). */
const storedIssues = 500;

function runView(run: RunRow, live?: RunRow['progress']): RunView {
  const issues = run.issues as RunView['issues'];
  return {
    id: run.id,
    period: run.period,
    status: run.status,
    progress: live ?? run.progress,
    payees: run.payees,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    inputFingerprint: run.inputFingerprint,
    planVersions: run.planVersions,
    summary: run.summary
      ? {
          payees: run.summary.payees,
          earnings: run.summary.earnings,
          payable: run.summary.payable,
          lines: run.summary.lines,
        }
      : null,
    issues: issues.slice(0, 100),
    issueCount: (run.summary as { issueCount?: number } | null)?.issueCount ?? issues.length,
    createdBy: run.createdBy,
    ...(run.error ? { error: run.error } : {}),
  };
}

function testSummary(results: readonly PlanTestResult[]): PlanTestSummary {
  const passed = results.filter((r) => r.passed).length;
  return { passed, failed: results.length - passed };
}

function assignmentView(a: AssignmentRow): AssignmentView {
  return {
    id: a.id,
    position: { id: a.positionId, key: a.positionKey, title: a.positionTitle, role: a.positionRole },
    holder: a.holderKey ? { key: a.holderKey, name: a.holderName ?? a.holderKey } : null,
    from: a.from,
    to: a.to,
    targetIncentive:
      a.targetIncentiveMinor === null
        ? null
        : minorToDecimal(a.targetIncentiveMinor, currencyDigits(a.currency)),
    currency: a.currency,
    payMix: a.payMix,
  };
}

/** The days a hierarchy scope shows each person, as the store's statement filter. */
export function statementScopeOf(scope: Scope): StatementScope {
  if (scope.kind === 'all') return null;
  const personIds: number[] = [];
  const fromDays: number[] = [];
  const toDays: number[] = [];
  for (const [person, intervals] of scope.people)
    for (const i of intervals) {
      personIds.push(person);
      fromDays.push(i.from === -Infinity ? -2_147_483_648 : i.from);
      toDays.push(i.to === Infinity ? 2_147_483_647 : i.to);
    }
  return { personIds, fromDays, toDays };
}

/**
 * Compensation (issue 6): plans saved as tested versions, runs in the background with progress,
 * statements stored per run and read through the caller's scope, closing periods, comparing runs.
 * Disputes, adjustments, exports and the estimator build on it (comp-disputes.ts, ...).
 */
export class CompService {
  private readonly live = new Map<number, RunRow['progress']>();
  private queue: Promise<void> = Promise.resolve();
  /** Stored statements, rebuilt with their plan versions. */
  readonly statements: StatementBook;

  constructor(
    readonly store: Store,
    readonly clock: Clock,
    readonly fiscalYearStartMonth: number,
  ) {
    this.statements = new StatementBook(store);
  }

  /** Waits until every queued run has finished (tests, shutdown). */
  async settle(): Promise<void> {
    await this.queue;
  }

  period(label: string, field = 'period'): CompPeriod {
    return compPeriodOf(label, this.fiscalYearStartMonth, field);
  }

  // ---- plans --------------------------------------------------------------------------------

  /** Parses, checks and runs a plan's tests without saving anything. */
  validatePlan(source: string): { plan?: PlanDocument; problems: Problem[]; testResults: PlanTestResult[] } {
    const parsed = parsePlanText(source);
    if (!parsed.plan) return { problems: parsed.problems, testResults: [] };
    const problems = checkPlan(parsed.plan);
    if (problems.length > 0) return { plan: parsed.plan, problems, testResults: [] };
    return { plan: parsed.plan, problems: [], testResults: runPlanTests(parsed.plan) };
  }

  /**
   * Saves a new version of a plan: schema and cross-reference problems refuse it (every problem
   * with its path); failing test cases do not, the version is saved as a draft and the results say
   * what failed.
   */
  async savePlan(
    planId: string,
    source: string,
    actor: Actor,
  ): Promise<{ version: number; status: 'active' | 'draft'; testResults: PlanTestResult[] }> {
    const { plan, problems, testResults } = this.validatePlan(source);
    if (!plan || problems.length > 0) throw new AppError('validation', 'The plan is not valid.', problems);
    if (plan.id !== planId)
      throw new AppError('validation', `The plan's id is "${plan.id}", not "${planId}".`, [
        { field: 'id', value: plan.id, message: `must be "${planId}", the plan being saved` },
      ]);
    const summary = testSummary(testResults);
    const at = this.clock.now();
    const { tests: _tests, version: _version, ...content } = plan;
    const version = await this.store.db.transaction().execute(async (tx) => {
      const saved = await insertPlanVersion(tx, {
        planId,
        name: plan.name,
        period: plan.period,
        currency: plan.currency,
        effectiveFrom: plan.effective_from,
        effectiveTo: plan.effective_to ?? null,
        source,
        document: plan,
        fingerprint: fingerprintOf(content),
        testResults,
        testsPassed: summary.passed,
        testsFailed: summary.failed,
        createdBy: actor.label,
        createdByUserId: actor.userId,
        createdAt: at,
      });
      await recordAudit(tx, actor, at, {
        action: 'comp_plan_saved',
        entity: 'comp_plan',
        entityId: planId,
        summary: `Plan ${plan.name} (${planId}) saved as version ${saved}; tests: ${summary.passed} passed, ${summary.failed} failed.`,
        after: { version: saved, source },
      });
      return saved;
    });
    return { version, status: summary.failed > 0 ? 'draft' : 'active', testResults };
  }

  async listPlans(): Promise<PlanListItem[]> {
    const versions = await listCurrentPlanVersions(this.store.db);
    return versions.map((v) => ({
      id: v.planId,
      name: v.name,
      version: v.version,
      status: v.testsFailed > 0 ? 'draft' : 'active',
      period: v.period,
      effectiveFrom: v.effectiveFrom,
      effectiveTo: v.effectiveTo,
      updatedAt: v.createdAt,
      tests: { passed: v.testsPassed, failed: v.testsFailed },
    }));
  }

  async getPlan(planId: string): Promise<PlanDetail> {
    const current = await findPlanVersion(this.store.db, planId);
    if (!current) throw new AppError('not_found', `No plan ${planId}.`);
    const [versions, assignments] = await Promise.all([
      listPlanVersions(this.store.db, planId),
      listAssignments(this.store.db, planId, this.clock.now().slice(0, 10)),
    ]);
    return {
      id: current.planId,
      name: current.name,
      status: current.testsFailed > 0 ? 'draft' : 'active',
      period: current.period,
      currency: current.currency,
      effectiveFrom: current.effectiveFrom,
      effectiveTo: current.effectiveTo,
      current: {
        version: current.version,
        source: current.source,
        fingerprint: current.fingerprint,
        createdAt: current.createdAt,
        createdBy: current.createdBy,
        testResults: current.testResults as PlanTestResult[],
      },
      versions: versions.map((v) => ({
        version: v.version,
        createdAt: v.createdAt,
        createdBy: v.createdBy,
        tests: { passed: v.testsPassed, failed: v.testsFailed },
      })),
      assignments: assignments.map(assignmentView),
    };
  }

  async listAssignments(planId: string): Promise<AssignmentView[]> {
    if (!(await findPlanVersion(this.store.db, planId)))
      throw new AppError('not_found', `No plan ${planId}.`);
    return (await listAssignments(this.store.db, planId, this.clock.now().slice(0, 10))).map(assignmentView);
  }

  /**
   * The positions a plan can be assigned to, for the assignment form's picker: each with its
   * holder today and the plan assignments not ended by today (a payee is paid by one plan in a
   * period: the assignment starting last wins, run-input.ts).
   */
  async listPositions(filters: { q?: string; limit: number; offset: number }): Promise<{
    positions: PositionView[];
    total: number;
  }> {
    const { positions, total } = await listPositions(this.store.db, {
      ...filters,
      asOf: this.clock.now().slice(0, 10),
    });
    return {
      positions: positions.map((p) => ({
        id: p.id,
        key: p.key,
        title: p.title,
        role: p.role,
        holder: p.holderKey ? { key: p.holderKey, name: p.holderName ?? p.holderKey } : null,
        plans: p.plans,
      })),
      total,
    };
  }

  /** Assigns a plan to a position (by id or external key) from a day, with the target incentive. */
  async assignPlan(
    planId: string,
    assignment: {
      position: number | string;
      from: string;
      to?: string | null;
      targetIncentive?: string | null;
      payMix?: string | null;
    },
    actor: Actor,
  ): Promise<AssignmentView> {
    const plan = await findPlanVersion(this.store.db, planId);
    if (!plan) throw new AppError('not_found', `No plan ${planId}.`);
    const position = await findPosition(this.store.db, assignment.position);
    if (!position)
      throw new AppError('validation', `No position ${assignment.position}.`, [
        { field: 'position', value: String(assignment.position), message: 'no such position' },
      ]);
    if (assignment.to && assignment.to <= assignment.from)
      throw new AppError('validation', 'The assignment ends before it starts.', [
        { field: 'to', value: assignment.to, message: 'must be after from' },
      ]);
    const digits = currencyDigits(plan.currency);
    let targetMinor: number | null = null;
    if (assignment.targetIncentive != null) {
      try {
        targetMinor = decimalToMinor(assignment.targetIncentive, digits);
      } catch {
        targetMinor = -1;
      }
      if (targetMinor < 0)
        throw new AppError('validation', 'The target incentive is not an amount.', [
          {
            field: 'targetIncentive',
            value: assignment.targetIncentive,
            message: `expected a non-negative amount with at most ${digits} decimals`,
          },
        ]);
    }
    const at = this.clock.now();
    const id = await this.store.db.transaction().execute(async (tx) => {
      const created = await insertAssignment(tx, {
        planId,
        positionId: position.id,
        from: assignment.from,
        to: assignment.to ?? null,
        targetIncentiveMinor: targetMinor,
        currency: plan.currency,
        payMix: assignment.payMix ?? null,
        createdAt: at,
      });
      await recordAudit(tx, actor, at, {
        action: 'comp_plan_assigned',
        entity: 'comp_plan',
        entityId: planId,
        summary: `Plan ${plan.name} assigned to ${position.title} (${position.key}) from ${assignment.from}.`,
        after: { ...assignment, assignmentId: created, position: position.key },
      });
      return created;
    });
    const views = await listAssignments(this.store.db, planId, at.slice(0, 10));
    return assignmentView(views.find((v) => v.id === id)!);
  }

  // ---- periods ------------------------------------------------------------------------------

  /**
   * The payout periods of the plans' kinds, newest first: from the earliest plan's start (at most
   * three years back) to the current period, each open or closed, with its last run.
   */
  async listPeriods(): Promise<PeriodView[]> {
    const [plans, closed, runs] = await Promise.all([
      listCurrentPlanVersions(this.store.db),
      listClosedPeriods(this.store.db),
      latestRunsByPeriod(this.store.db),
    ]);
    const today = this.clock.now().slice(0, 10);
    const kinds = [...new Set(plans.map((p) => p.period))];
    if (kinds.length === 0) kinds.push('month');
    const closedBy = new Map(closed.map((c) => [c.period, c]));
    const views: PeriodView[] = [];
    for (const kind of kinds) {
      const earliest = plans
        .filter((p) => p.period === kind)
        .map((p) => p.effectiveFrom)
        .sort()[0];
      let period = compPeriodContaining(kind, today, this.fiscalYearStartMonth);
      const stop = earliest && earliest < today ? earliest : today;
      for (let i = 0; i < (kind === 'month' ? 36 : 12); i++) {
        const close = closedBy.get(period.label);
        const run = runs.get(period.label);
        views.push({
          period: period.label,
          kind,
          startsOn: period.startsOn,
          endsOn: period.endsOn,
          status: close ? 'closed' : 'open',
          closedAt: close?.closedAt ?? null,
          closedBy: close?.closedBy ?? null,
          lastRunId: run?.lastRunId ?? null,
          running: run?.running ?? false,
        });
        if (period.startsOn <= stop) break;
        period = compPeriodContaining(
          kind,
          fromDayNumber(toDayNumber(period.startsOn) - 1),
          this.fiscalYearStartMonth,
        );
      }
    }
    // Periods closed outside that window are listed too.
    for (const c of closed)
      if (!views.some((v) => v.period === c.period)) {
        const p = this.period(c.period);
        views.push({
          period: p.label,
          kind: p.kind,
          startsOn: p.startsOn,
          endsOn: p.endsOn,
          status: 'closed',
          closedAt: c.closedAt,
          closedBy: c.closedBy,
          lastRunId: runs.get(p.label)?.lastRunId ?? c.runId,
          running: false,
        });
      }
    return views.sort((a, b) =>
      a.startsOn === b.startsOn ? a.kind.localeCompare(b.kind) : a.startsOn < b.startsOn ? 1 : -1,
    );
  }

  async isClosed(period: string): Promise<boolean> {
    return (await findClosedPeriod(this.store.db, period)) !== undefined;
  }

  /** The first period from `period` on (itself included) that is not closed. */
  async firstOpenPeriod(period: CompPeriod): Promise<CompPeriod> {
    const closed = new Set((await listClosedPeriods(this.store.db)).map((c) => c.period));
    let current = period;
    while (closed.has(current.label)) current = nextCompPeriod(current, this.fiscalYearStartMonth);
    return current;
  }

  /**
   * Closes a period on its latest run: its statements become what was paid. Later runs never
   * rewrite it; recalculated differences become prior-period adjustments in the open period.
   */
  async closePeriod(label: string, actor: Actor): Promise<PeriodView> {
    const period = this.period(label);
    if (await this.isClosed(period.label))
      throw new AppError('conflict', `Period ${period.label} is already closed.`);
    const runs = await listRuns(this.store.db, { period: period.label, limit: 50 });
    if (runs.some((r) => r.status === 'running'))
      throw new AppError(
        'conflict',
        `A run of ${period.label} is in progress; close the period when it has finished.`,
      );
    const last = runs.find((r) => r.status === 'succeeded');
    if (!last)
      throw new AppError(
        'conflict',
        `Period ${period.label} has no successful run to close on; run it first.`,
      );
    const at = this.clock.now();
    await this.store.db.transaction().execute(async (tx) => {
      await insertClosedPeriod(tx, {
        period: period.label,
        runId: last.id,
        closedAt: at,
        closedBy: actor.label,
        closedByUserId: actor.userId,
      });
      await recordAudit(tx, actor, at, {
        action: 'comp_period_closed',
        entity: 'comp_period',
        entityId: period.label,
        summary: `Compensation period ${period.label} closed on run ${last.id}.`,
        after: { runId: last.id, summary: last.summary },
      });
    });
    return (await this.listPeriods()).find((p) => p.period === period.label)!;
  }

  // ---- runs ---------------------------------------------------------------------------------

  /**
   * Starts a run of a period for all payees or some, in the background; answers at once with the
   * run, whose progress the caller polls. A closed period is not run again.
   */
  async startRun(request: { period: string; payees?: string[] | null }, actor: Actor): Promise<RunView> {
    const period = this.period(request.period);
    if (await this.isClosed(period.label))
      throw new AppError(
        'conflict',
        `Period ${period.label} is closed: it is never recalculated. Run the open period; differences appear there as prior-period adjustments.`,
        [{ field: 'period', value: period.label, message: 'is closed' }],
      );
    const payees = request.payees && request.payees.length > 0 ? [...new Set(request.payees)] : null;
    if (payees) {
      const problems: Problem[] = [];
      for (const [i, key] of payees.entries())
        if (!(await findPersonByKey(this.store.db, key)))
          problems.push({ field: `payees[${i}]`, value: key, message: 'no such person' });
      if (problems.length > 0) throw new AppError('validation', 'Some payees do not exist.', problems);
    }
    const at = this.clock.now();
    const id = await this.store.db.transaction().execute(async (tx) => {
      const runId = await insertRun(tx, {
        period: period.label,
        payees,
        createdBy: actor.label,
        createdByUserId: actor.userId,
        startedAt: at,
      });
      await recordAudit(tx, actor, at, {
        action: 'comp_run_started',
        entity: 'comp_run',
        entityId: runId,
        summary: `Compensation run ${runId} of ${period.label} started${payees ? ` for ${payees.join(', ')}` : ''}.`,
        after: { period: period.label, payees },
      });
      return runId;
    });
    this.live.set(id, { done: 0, total: 0, phase: 'queued' });
    const job = this.queue.then(() => this.execute(id, period, payees, actor));
    this.queue = job.catch(() => undefined);
    return this.getRun(id);
  }

  /** Starts a run and waits for it (the command line). */
  async runNow(request: { period: string; payees?: string[] | null }, actor: Actor): Promise<RunView> {
    const run = await this.startRun(request, actor);
    await this.settle();
    return this.getRun(run.id);
  }

  private async execute(
    id: number,
    period: CompPeriod,
    payees: string[] | null,
    actor: Actor,
  ): Promise<void> {
    const progress = (done: number, total: number, phase: string) =>
      this.live.set(id, { done, total, phase });
    try {
      progress(0, 0, 'loading inputs');
      const input = await loadRunInput(this.store, period, this.fiscalYearStartMonth, payees ?? undefined, {
        transactions: false,
      });
      const totalPayees = input.plans.reduce((n, p) => n + p.payees.length, 0);
      const sources: StatementSource[] = [];
      const issues: (CompIssue | { code: string; message: string; payee?: string })[] = [...input.notes];
      const planVersions: RunRow['planVersions'] = [];
      const inputFingerprints: string[] = [];
      let earningsMinor = 0;
      let payableMinor = 0;
      const payeesPaid = new Set<string>();
      let done = 0;
      for (const planInput of input.plans) {
        const keys = planInput.payees.map((p) => p.key);
        progress(done, totalPayees, `loading deals for ${planInput.plan.id}`);
        const { columns, inputFingerprint } = await buildRunColumns(
          this.store,
          planInput,
          input.yearStart,
          period.endsOn,
        );
        progress(done, totalPayees, `calculating ${planInput.plan.id}`);
        // The engine is synchronous: yield once so that a poll can read the phase first.
        await new Promise((resolve) => setImmediate(resolve));
        const result = calculatePeriod(
          planInput.plan,
          columns,
          planInput.input.periods ?? [period.label],
          period.label,
          keys,
          inputFingerprint,
          (d, t, phase) =>
            progress(done + (t > 0 ? Math.round((d / t) * keys.length) : 0), totalPayees, phase),
        );
        done += keys.length;
        planVersions.push({
          planId: planInput.version.planId,
          version: planInput.version.version,
          fingerprint: planInput.version.fingerprint,
        });
        inputFingerprints.push(inputFingerprint);
        issues.push(...result.issues);
        const source = statementSource(
          planInput.plan,
          result.run,
          result.periodIndex,
          planInput.version,
          new Map(
            planInput.payees.flatMap((p) => (p.personId === null ? [] : [[p.key, p.personId] as const])),
          ),
        );
        sources.push(source);
        const R = result.run.periods.length;
        for (let p = 0; p < source.count; p++) {
          earningsMinor += result.run.totals.earnings[p * R + result.periodIndex]!;
          payableMinor += result.run.totals.payable[p * R + result.periodIndex]!;
          payeesPaid.add(result.run.payeeIds[p]!);
        }
      }
      const statementCount = sources.reduce((n, s) => n + s.count, 0);
      progress(0, statementCount, 'writing statements');
      const digits = currencyDigits(input.plans[0]?.plan.currency ?? 'USD');
      await writeRunStatements(
        this.store,
        id,
        sources,
        async (tx, written) => {
          const at = this.clock.now();
          const summary = {
            payees: payeesPaid.size,
            statements: written.statements,
            earnings: minorToDecimal(earningsMinor, digits),
            payable: minorToDecimal(payableMinor, digits),
            lines: written.lines,
            issueCount: issues.length,
          };
          await updateRun(tx, id, {
            status: 'succeeded',
            progress: { done: totalPayees, total: totalPayees, phase: 'done' },
            inputFingerprint: fingerprintOf(
              inputFingerprints.length === 1 ? inputFingerprints[0] : inputFingerprints,
            ),
            planVersions,
            summary,
            issues: issues.slice(0, storedIssues),
            finishedAt: at,
          });
          await recordAudit(tx, actor, at, {
            action: 'comp_run_succeeded',
            entity: 'comp_run',
            entityId: id,
            summary: `Compensation run ${id} of ${period.label}: ${summary.statements} statements, earnings ${summary.earnings}, payable ${summary.payable}.`,
            after: { planVersions, summary },
          });
        },
        (d, t) => progress(d, t, 'writing statements'),
      );
    } catch (error) {
      if (!isAppError(error)) console.error(`compensation run ${id} failed`, error);
      const failure = isAppError(error)
        ? { code: error.code, title: error.message, problems: error.problems }
        : { code: 'internal', title: 'The run failed unexpectedly; the error was logged.', problems: [] };
      await updateRun(this.store.db, id, {
        status: 'failed',
        progress: this.live.get(id) ?? { done: 0, total: 0, phase: 'failed' },
        error: failure,
        finishedAt: this.clock.now(),
      }).catch((e: unknown) => console.error('recording a failed run failed', e));
    } finally {
      this.live.delete(id);
    }
  }

  async getRun(id: number): Promise<RunView> {
    const run = await findRun(this.store.db, id);
    if (!run) throw new AppError('not_found', `No run ${id}.`);
    return runView(run, run.status === 'running' ? this.live.get(id) : undefined);
  }

  async listRuns(filters: { period?: string; limit: number }): Promise<RunView[]> {
    return (await listRuns(this.store.db, filters)).map((r) =>
      runView(r, r.status === 'running' ? this.live.get(r.id) : undefined),
    );
  }

  /** A stored run as the engine's result, for comparisons. */
  private async resultOf(id: number): Promise<CompResult> {
    const run = await findRun(this.store.db, id);
    if (!run) throw new AppError('not_found', `No run ${id}.`);
    if (run.status !== 'succeeded')
      throw new AppError(
        'conflict',
        `Run ${id} has not succeeded (${run.status}); only finished runs compare.`,
      );
    const statements = await this.statements.ofRun(id);
    const plan =
      run.planVersions.length === 1
        ? {
            id: run.planVersions[0]!.planId,
            version: run.planVersions[0]!.version,
            fingerprint: run.planVersions[0]!.fingerprint,
          }
        : {
            id: run.planVersions.map((p) => p.planId).join('+'),
            version: Math.max(0, ...run.planVersions.map((p) => p.version)),
            fingerprint: fingerprintOf(run.planVersions),
          };
    return {
      engineVersion: 'stored',
      plan,
      inputFingerprint: run.inputFingerprint ?? '',
      currency: statements[0]?.currency ?? 'USD',
      periods: [run.period],
      statements,
      issues: run.issues as CompIssue[],
    };
  }

  /** Which payees and lines changed between two runs, by how much, and why. */
  async compareRuns(a: number, b: number): Promise<RunComparison> {
    const [before, after] = await Promise.all([this.resultOf(a), this.resultOf(b)]);
    return compareRuns(before, after);
  }

  // ---- statements ---------------------------------------------------------------------------

  /** Current statements the caller may see (a rep their own, a manager their team's as it was in each period). */
  async listStatements(
    scope: Scope,
    filters: { period?: string; payee?: string; limit: number },
  ): Promise<StatementListItem[]> {
    if (filters.period) this.period(filters.period);
    const closed = new Set((await listClosedPeriods(this.store.db)).map((c) => c.period));
    const rows = await listCurrentStatements(this.store.db, {
      ...filters,
      scope: statementScopeOf(scope),
      periodDays: (label) => this.period(label),
    });
    return rows.map((r: StatementSummaryRow) => ({
      payee: r.payee,
      payeeName: r.payeeName,
      period: r.period,
      runId: r.runId,
      planId: r.planId,
      planVersion: r.planVersion,
      currency: r.currency,
      totals: r.totals,
      openDisputes: r.openDisputes,
      closed: closed.has(r.period),
    }));
  }

  /** Whether the scope shows a person's pay for a period. */
  visible(scope: Scope, personId: number | null, period: CompPeriod): boolean {
    if (scope.kind === 'all') return true;
    if (personId === null) return false;
    return personVisibleDuring(scope, personId, toDayNumber(period.startsOn), toDayNumber(period.endsOn) + 1);
  }

  /** One current statement; out of scope is not found, as for a statement that does not exist. */
  async getStatementOrThrow(
    scope: Scope,
    payee: string,
    label: string,
  ): Promise<{
    statement: Statement;
    runId: number;
    personId: number | null;
    planId: string;
    planVersion: number;
    closed: boolean;
    period: CompPeriod;
  }> {
    const period = this.period(label);
    const stored = await this.statements.current(payee, period.label);
    if (!stored || !this.visible(scope, stored.personId, period))
      throw new AppError('not_found', `No statement for ${payee} in ${period.label}.`);
    return {
      statement: stored.statement,
      runId: stored.runId,
      personId: stored.personId,
      planId: stored.planId,
      planVersion: stored.planVersion,
      closed: await this.isClosed(period.label),
      period,
    };
  }

  async statementDetail(scope: Scope, payee: string, label: string) {
    const found = await this.getStatementOrThrow(scope, payee, label);
    const disputes = await listDisputes(this.store.db, { payee, period: found.period.label, limit: 200 });
    return {
      statement: found.statement,
      runId: found.runId,
      planId: found.planId,
      planVersion: found.planVersion,
      closed: found.closed,
      disputes: disputes.map((d) => disputeSummary(d, found.statement.payeeName)),
    };
  }
}

export function disputeSummary(d: DisputeRow, payeeName: string | null): DisputeSummary {
  return {
    id: d.id,
    payee: d.payee,
    payeeName,
    period: d.period,
    lineId: d.lineId,
    status: d.status,
    resolution: d.resolution,
    adjustmentId: d.adjustmentId,
    raisedBy: d.raisedBy,
    createdAt: d.createdAt,
    resolvedAt: d.resolvedAt,
    resolvedBy: d.resolvedBy,
    line: { id: d.line.id, kind: d.line.kind, amount: d.line.amount, explanation: d.line.explanation },
  };
}
