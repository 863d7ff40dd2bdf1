import type { ImportOptions } from '../../ingest/run-import.ts';
import { recordAudit, type Actor } from './audit-log.ts';

/**
 * The audit entry of an import, written in the import's own transaction. Field-level before and
 * after of every changed deal are in opportunity_changes (and quota_changes); the entry says who
 * imported what, and how many rows it added and changed.
 */
export function auditImport(actor: Actor, now: () => string): NonNullable<ImportOptions['beforeCommit']> {
  return async (trx, done) => {
    const changed = Object.entries(done.entities)
      .filter(([, c]) => c.inserted + c.updated > 0)
      .map(([entity, c]) => `${entity} ${c.inserted} new, ${c.updated} updated`);
    await recordAudit(trx, actor, now(), {
      action: 'data_imported',
      entity: 'import',
      entityId: done.importId,
      summary: `Imported ${done.files.map((f) => `${f.name} (${f.rows} rows)`).join(', ')}: ${changed.join('; ') || 'no change'}.`,
      after: { files: done.files, entities: done.entities },
    });
  };
}
