import { calculateFromColumns, type CompRun } from '../../domain/comp/calculate-compensation.ts';
import type { CompColumns } from '../../domain/comp/comp-columns.ts';
import type { CompIssue, PeriodLabel } from '../../domain/comp/comp-types.ts';
import type { PlanDocument } from '../../domain/comp/plan-document.ts';
import type { StatementSource } from '../../store/comp/comp-run-store.ts';

export type EngineProgress = (done: number, total: number, phase: string) => void;

/**
 * Calls the engine for one plan and one period through its columnar API: every period of
 * `periods` (the fiscal year to date) is computed — year-to-date measures, caps, balances carried,
 * closed periods compared with what they paid. The target period's statements are not made
 * here: `statements` hands them to the store one at a time while it writes them (each as its
 * header and its lines' facts: the sentences are written when a statement is read).
 */
export function calculatePeriod(
  plan: PlanDocument,
  columns: CompColumns,
  periods: PeriodLabel[],
  period: PeriodLabel,
  payees: string[],
  inputFingerprint: string,
  onProgress?: EngineProgress,
): { run: CompRun; periodIndex: number; issues: CompIssue[] } {
  const run = calculateFromColumns(plan, columns, {
    periods,
    payees,
    inputFingerprint,
    ...(onProgress ? { onProgress } : {}),
  });
  return { run, periodIndex: run.periods.indexOf(period), issues: run.issues };
}

/** The target period's statements of a computed run, as the store writes them. */
export function statementSource(
  plan: PlanDocument,
  run: CompRun,
  periodIndex: number,
  version: { planId: string; version: number },
  personOf: ReadonlyMap<string, number>,
): StatementSource {
  const R = run.periods.length;
  return {
    componentIds: plan.components.map((c) => c.id),
    count: periodIndex >= 0 ? run.payeeIds.length : 0,
    statement(p) {
      return {
        record: run.statementRecord(p, periodIndex),
        personId: personOf.get(run.payeeIds[p]!) ?? null,
        planId: version.planId,
        planVersion: version.version,
        earningsMinor: run.totals.earnings[p * R + periodIndex]!,
        payableMinor: run.totals.payable[p * R + periodIndex]!,
      };
    },
  };
}
