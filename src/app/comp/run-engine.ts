import { calculateFromColumns } from '../../domain/comp/calculate-compensation.ts';
import type { CompColumns } from '../../domain/comp/comp-columns.ts';
import type { CompIssue, PeriodLabel, Statement } from '../../domain/comp/comp-types.ts';
import type { PlanDocument } from '../../domain/comp/plan-document.ts';

export type EngineProgress = (done: number, total: number, phase: string) => void;

/**
 * Calls the engine for one plan and one period through its columnar API: every period of
 * `periods` (the fiscal year to date) is computed — year-to-date measures, caps, balances carried,
 * closed periods compared with what they paid — and statements, with their traces and
 * explanations, are materialised for the target period and the given payees only, a hundred at a
 * time between which other work (progress polls) runs.
 */
export async function calculatePeriod(
  plan: PlanDocument,
  columns: CompColumns,
  periods: PeriodLabel[],
  period: PeriodLabel,
  payees: string[],
  inputFingerprint: string,
  onProgress?: EngineProgress,
): Promise<{ statements: Statement[]; issues: CompIssue[] }> {
  const run = calculateFromColumns(plan, columns, {
    periods,
    payees,
    inputFingerprint,
    ...(onProgress ? { onProgress } : {}),
  });
  const periodIndex = run.periods.indexOf(period);
  const statements: Statement[] = [];
  if (periodIndex >= 0)
    for (let p = 0; p < run.payeeIds.length; p++) {
      statements.push(run.statement(p, periodIndex));
      // Materialising explanations is the slow part: let requests (progress polls) through.
      if (p % 100 === 99) {
        onProgress?.(p + 1, run.payeeIds.length, 'writing statements');
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  return { statements, issues: run.issues };
}
