import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Kysely } from 'kysely';
import { AppError } from '../domain/errors.ts';
import * as foundation from './migrations/0001-foundation.ts';
import * as access from './migrations/0002-access.ts';
import * as comp from './migrations/0003-comp.ts';
import * as forecast from './migrations/0004-forecast.ts';
import * as statementLines from './migrations/0005-comp-statement-lines.ts';
import * as dealCancellations from './migrations/0006-deal-cancellations.ts';

/** Forward-only migrations, in order. Never edit one that has shipped: add the next. */
const migrations: Record<string, Migration> = {
  '0001-foundation': foundation,
  '0002-access': access,
  '0003-comp': comp,
  '0004-forecast': forecast,
  '0005-comp-statement-lines': statementLines,
  '0006-deal-cancellations': dealCancellations,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Brings the schema up to date; returns the names of the migrations it applied. */
export async function migrateToLatest(db: Kysely<unknown>): Promise<string[]> {
  return migrate(db);
}

/** Brings the schema up to one migration (tests of a migration on data of the one before). */
export async function migrateUpTo(db: Kysely<unknown>, name: keyof typeof migrations): Promise<string[]> {
  return migrate(db, name);
}

async function migrate(db: Kysely<unknown>, target?: string): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'attain_migrations',
    migrationLockTableName: 'attain_migrations_lock',
  });
  const { error, results } =
    target === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(target);
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new AppError(
      'internal',
      `Migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
