import type { Scope } from '../../domain/access/scope.ts';
import { AppError } from '../../domain/errors.ts';
import { findPeopleByKeys } from '../../store/comp/comp-input-store.ts';
import { findPlanVersion } from '../../store/comp/comp-plan-store.ts';
import { recordAudit, type Actor } from '../audit/audit-log.ts';
import type { CompService } from './comp-service.ts';
import { payrollCsv, statementCsv, statementPdf, statementXlsx } from './statement-exports.ts';

/** Pay-data exports: every one is in the audit trail (issue 4: "exports of pay data"). */

export type ExportFile = { body: string | Buffer; contentType: string; fileName: string };

const contentTypes = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
} as const;

/** One statement as CSV, XLSX or PDF, if the caller may see it. */
export async function exportStatement(
  comp: CompService,
  scope: Scope,
  payee: string,
  period: string,
  format: 'csv' | 'xlsx' | 'pdf',
  actor: Actor,
): Promise<ExportFile> {
  const found = await comp.getStatementOrThrow(scope, payee, period);
  const plan = await findPlanVersion(comp.store.db, found.planId, found.planVersion);
  const body =
    format === 'csv'
      ? statementCsv(found.statement)
      : format === 'xlsx'
        ? await statementXlsx(found.statement)
        : await statementPdf(found.statement, {
            planName: plan?.name ?? found.planId,
            closed: found.closed,
            runId: String(found.runId),
          });
  await recordAudit(comp.store.db, actor, comp.clock.now(), {
    action: 'comp_statement_exported',
    entity: 'comp_statement',
    entityId: `${payee}/${found.period.label}`,
    summary: `Statement of ${payee} for ${found.period.label} (run ${found.runId}) exported as ${format.toUpperCase()}.`,
    after: { runId: found.runId, format },
  });
  return {
    body,
    contentType: contentTypes[format],
    fileName: `statement-${payee}-${found.period.label}.${format}`,
  };
}

/**
 * The payroll file of a period: what each payee's current statement pays, for the statements in
 * the caller's scope (finance and compensation admins: everybody; a manager: their team).
 */
export async function exportPayroll(
  comp: CompService,
  scope: Scope,
  period: string,
  actor: Actor,
): Promise<ExportFile> {
  const p = comp.period(period);
  const computed = await comp.listStatements({ kind: 'all' }, { period: p.label, limit: 1 });
  if (computed.length === 0)
    throw new AppError('not_found', `No statements for ${p.label}: run the period first.`);
  // A caller whose scope holds nobody computed gets the header alone, not a hint that others exist.
  const statements = await comp.listStatements(scope, { period: p.label, limit: 1_000_000 });
  const people = await findPeopleByKeys(
    comp.store.db,
    statements.map((s) => s.payee),
  );
  const rows = [];
  for (const s of statements.sort((a, b) => a.payee.localeCompare(b.payee))) {
    const person = people.get(s.payee);
    rows.push({
      payee: s.payee,
      payeeName: s.payeeName,
      ...(person?.email ? { email: person.email } : {}),
      period: s.period,
      payable: s.totals.payable,
      currency: s.currency,
    });
  }
  const closed = await comp.isClosed(p.label);
  await recordAudit(comp.store.db, actor, comp.clock.now(), {
    action: 'comp_payroll_exported',
    entity: 'comp_period',
    entityId: p.label,
    summary: `Payroll file of ${p.label} exported (${rows.length} payees${closed ? ', closed period' : ', period still open'}).`,
    after: { payees: rows.length, closed },
  });
  return { body: payrollCsv(rows), contentType: contentTypes.csv, fileName: `payroll-${p.label}.csv` };
}
