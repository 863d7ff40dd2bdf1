/**
 * Fresh databases for tests: the store's contract suite runs once per kind (PGlite always,
 * PostgreSQL when configured), the way Kysely's own suite loops over its dialects.
 * A PGlite test database is a copy of a migrated template made once per test run, so a test file
 * pays ~1 s to open it instead of ~4 s to initialise a cluster.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadTestDatabaseConfig } from '../../config/config.ts';
import { migrateToLatest } from '../migrate.ts';
import { openDatabase, type Store } from '../open-database.ts';

export type TestDatabaseKind = 'pglite' | 'postgres';

export type TestStore = Store & { dispose(): Promise<void> };

/** The kinds of database this run tests against. */
export function testDatabaseKinds(): TestDatabaseKind[] {
  return loadTestDatabaseConfig().kinds;
}

const templateRoot = path.join(os.tmpdir(), 'attain-test-templates');

function migrationsFingerprint(): string {
  const dir = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'migrations');
  const hash = crypto.createHash('sha256');
  for (const file of fs.readdirSync(dir).sort())
    hash.update(file).update(fs.readFileSync(path.join(dir, file)));
  return hash.digest('hex').slice(0, 16);
}

/** Builds (once per migration set) a migrated PGlite data directory to copy. */
export async function ensurePgliteTemplate(): Promise<string> {
  const dir = path.join(templateRoot, migrationsFingerprint());
  if (fs.existsSync(path.join(dir, 'ready'))) return dir;
  fs.mkdirSync(templateRoot, { recursive: true });
  const building = fs.mkdtempSync(path.join(templateRoot, 'building-'));
  const store = await openDatabase({ kind: 'pglite', dataDir: building }, { relaxedDurability: true });
  await migrateToLatest(store.db as never);
  await store.close();
  fs.writeFileSync(path.join(building, 'ready'), '');
  try {
    fs.renameSync(building, dir);
  } catch {
    // Another test process won the race; its template is as good as ours.
    fs.rmSync(building, { recursive: true, force: true });
  }
  return dir;
}

/**
 * A fresh, migrated, empty database of the given kind; `dispose` deletes it. `migrated: false`:
 * no migration applied (tests of a migration on the data of the one before).
 */
export async function createTestStore(
  kind: TestDatabaseKind,
  options: { migrated?: boolean } = {},
): Promise<TestStore> {
  const migrated = options.migrated !== false;
  if (kind === 'pglite') {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attain-test-db-'));
    if (migrated) {
      const template = await ensurePgliteTemplate();
      fs.cpSync(template, dataDir, { recursive: true });
      fs.rmSync(path.join(dataDir, 'attain.lock'), { force: true });
    }
    const store = await openDatabase({ kind: 'pglite', dataDir }, { relaxedDurability: true });
    return {
      ...store,
      async dispose() {
        await store.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const adminUrl = loadTestDatabaseConfig().postgresAdminUrl;
  const name = `attain_test_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const store = await openDatabase({ kind: 'postgres', url: url.toString() }, { poolSize: 4 });
  if (migrated) await migrateToLatest(store.db as never);
  return {
    ...store,
    async dispose() {
      await store.close();
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
