import { explainPlanFor } from '../../domain/comp/calculate-compensation.ts';
import type { Statement } from '../../domain/comp/comp-types.ts';
import type { ExplainPlan } from '../../domain/comp/explain-earnings.ts';
import { statementFromRecord } from '../../domain/comp/statement-record.ts';
import { AppError } from '../../domain/errors.ts';
import { findPlanVersion } from '../../store/comp/comp-plan-store.ts';
import {
  findCurrentStatement,
  listRunStatements,
  loadStatementLines,
  type StoredStatement,
} from '../../store/comp/comp-run-store.ts';
import type { Store } from '../../store/open-database.ts';
import { planOfVersion } from './run-input.ts';

type PlanForLines = { explain: ExplainPlan; componentIds: string[] };

/** Plan versions never change: their compiled form is kept (a few per process). */
const PLAN_CACHE_SIZE = 64;

/**
 * Stored statements as the run computed them: the header and the lines' numbers from the store,
 * the trace and sentences of every earnings line written again from them and the plan version the
 * run used (statementFromRecord, the run's own code), so a statement reads the same, byte for
 * byte, whenever it is opened: the API, the UI, the CSV/XLSX/PDF exports, disputes, comparisons.
 */
export class StatementBook {
  private readonly plans = new Map<string, PlanForLines>();

  constructor(private readonly store: Store) {}

  /** The current statement of a payee and period, with its lines. */
  async current(
    payee: string,
    period: string,
  ): Promise<(StoredStatement & { statement: Statement }) | undefined> {
    const stored = await findCurrentStatement(this.store.db, payee, period);
    if (!stored) return undefined;
    const [statement] = await this.rebuild([stored]);
    return { ...stored, statement: statement! };
  }

  /** Every statement of a run, in payee order. */
  async ofRun(runId: number): Promise<Statement[]> {
    return this.rebuild(await listRunStatements(this.store.db, runId));
  }

  /** Statements from their stored headers and lines. */
  async rebuild(stored: readonly StoredStatement[]): Promise<Statement[]> {
    const plans = new Map<string, PlanForLines>();
    for (const s of stored) {
      const key = `${s.planId}@${s.planVersion}`;
      if (!plans.has(key)) plans.set(key, await this.plan(s.planId, s.planVersion));
    }
    const planOf = (s: StoredStatement) => plans.get(`${s.planId}@${s.planVersion}`)!;
    const lines = await loadStatementLines(this.store.db, stored, (s) => planOf(s).componentIds);
    return stored.map((s, i) =>
      statementFromRecord(planOf(s).explain, { header: s.header, lines: lines[i]! }),
    );
  }

  private async plan(planId: string, version: number): Promise<PlanForLines> {
    const key = `${planId}@${version}`;
    const cached = this.plans.get(key);
    if (cached) return cached;
    const row = await findPlanVersion(this.store.db, planId, version);
    if (!row)
      throw new AppError('internal', `Plan ${planId} version ${version} of a stored statement is missing.`);
    const plan = planOfVersion(row);
    const entry = { explain: explainPlanFor(plan), componentIds: plan.components.map((c) => c.id) };
    if (this.plans.size >= PLAN_CACHE_SIZE) this.plans.delete(this.plans.keys().next().value!);
    this.plans.set(key, entry);
    return entry;
  }
}
