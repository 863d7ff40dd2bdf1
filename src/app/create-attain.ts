import path from 'node:path';
import os from 'node:os';
import type { AppConfig } from '../config/config.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { openDatabase, type Store } from '../store/open-database.ts';
import { markInterruptedImports } from './import-history.ts';
import { failInterruptedRuns } from '../store/comp/comp-run-store.ts';
import { ensureCalendar } from './ensure-calendar.ts';
import { ImportJobs } from './import-jobs.ts';
import { SnapshotCache } from './snapshot-cache.ts';
import type { Clock } from './ports.ts';
import { UploadStore } from './uploads.ts';
import { AccessService } from './access/access-service.ts';
import { ReadModels } from './records/read-models.ts';
import { everything } from '../domain/access/scope.ts';
import { AuthService } from './auth/auth-service.ts';
import { OidcClient } from './auth/oidc.ts';
import { MetricsService } from './metrics/metrics-service.ts';
import { CompService } from './comp/comp-service.ts';
import { ForecastService } from './forecast/forecast-service.ts';

/** The running application: the store and the services the edges (HTTP, CLI) call. */
export type Attain = {
  config: AppConfig;
  store: Store;
  clock: Clock;
  uploads: UploadStore;
  imports: ImportJobs;
  snapshots: SnapshotCache;
  auth: AuthService;
  access: AccessService;
  reads: ReadModels;
  metrics: MetricsService;
  /** Compensation: plans, runs, statements, periods, disputes (issue 6). */
  comp: CompService;
  /** Forecasts: numbers and ranges per position, submissions and their roll-up, accuracy (issue 7). */
  forecast: ForecastService;
  /** The single sign-on client, discovered on first use; null when SSO is not configured. */
  oidc(): Promise<OidcClient | null>;
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
    await failInterruptedRuns(store.db, clock.now());
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
  const access = new AccessService(store);
  const reads = new ReadModels(store, snapshots);
  const metrics = new MetricsService(
    store,
    snapshots,
    clock,
    config.fiscalYearStartMonth,
    config.kpiCacheEntries,
  );
  const forecast = new ForecastService(store, snapshots, access, clock);
  // The engines' columnar snapshots and the hierarchy behind data scopes follow every import.
  const imports = new ImportJobs(store, async () => {
    access.invalidate();
    reads.invalidate();
    metrics.invalidate();
    forecast.invalidate();
    await snapshots.refresh();
    // Alerts are computed after each import, for the whole organisation, ready for the first reader.
    await metrics
      .alerts(everything, 'all')
      .catch((error: unknown) => console.error('alerts after import failed', error));
  });
  const auth = new AuthService(store, clock, config);
  const comp = new CompService(store, clock, config.fiscalYearStartMonth);
  let oidc: Promise<OidcClient | null> | undefined;
  const oidcClient = () => {
    const settings = config.oidc;
    if (!settings) return Promise.resolve(null);
    // Discovery is retried on the next sign-in when the provider was not reachable.
    oidc ??= OidcClient.discover({
      ...settings,
      redirectUri: `${config.publicUrl}/api/auth/oidc/callback`,
      scopes: 'openid email profile',
    }).catch((error: unknown) => {
      oidc = undefined;
      throw error;
    });
    return oidc;
  };
  return {
    config,
    store,
    clock,
    uploads,
    imports,
    snapshots,
    auth,
    access,
    reads,
    metrics,
    comp,
    forecast,
    oidc: oidcClient,
    close: async () => {
      await snapshots.settle();
      await comp.settle();
      await store.close();
    },
  };
}
