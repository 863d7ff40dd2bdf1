import path from 'node:path';
import os from 'node:os';
import type { AppConfig } from '../config/config.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { openDatabase, type Store } from '../store/open-database.ts';
import { markInterruptedImports } from './import-history.ts';
import { ensureCalendar } from './ensure-calendar.ts';
import { ImportJobs } from './import-jobs.ts';
import { SnapshotCache } from './snapshot-cache.ts';
import type { Clock } from './ports.ts';
import { UploadStore } from './uploads.ts';

/** The running application: the store and the services the edges (HTTP, CLI) call. */
export type Attain = {
  config: AppConfig;
  store: Store;
  clock: Clock;
  uploads: UploadStore;
  imports: ImportJobs;
  snapshots: SnapshotCache;
  close(): Promise<void>;
};

/** Opens the store, brings its schema up to date and wires the services. */
export async function createAttain(config: AppConfig, clock: Clock): Promise<Attain> {
  return assembleAttain(config, await openDatabase(config.database), clock);
}

/** Wires the services over an open store (tests hand in a fresh test database). */
export async function assembleAttain(config: AppConfig, store: Store, clock: Clock): Promise<Attain> {
  try {
    await migrateToLatest(store.db as never);
    await markInterruptedImports(store, clock.now());
    await ensureCalendar(store, config.fiscalYearStartMonth, clock.now());
  } catch (error) {
    await store.close();
    throw error;
  }
  const uploadDir =
    config.database.kind === 'pglite'
      ? path.join(config.database.dataDir, 'uploads')
      : path.join(os.tmpdir(), `attain-uploads-${process.pid}`);
  const uploads = new UploadStore(uploadDir, config.maxUploadBytes);
  const snapshots = new SnapshotCache(store, () => clock.now());
  // The engines' columnar snapshots follow every successful import.
  const imports = new ImportJobs(store, async () => {
    await snapshots.refresh();
  });
  return {
    config,
    store,
    clock,
    uploads,
    imports,
    snapshots,
    close: async () => {
      await snapshots.settle();
      await store.close();
    },
  };
}
