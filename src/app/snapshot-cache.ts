import type { ActivitySnapshot } from '../domain/snapshot/activity-snapshot.ts';
import type { OpportunitySnapshot } from '../domain/snapshot/opportunity-snapshot.ts';
import type { Store } from '../store/open-database.ts';
import { loadActivitySnapshot, loadOpportunitySnapshot } from '../store/snapshot/load-snapshots.ts';

export type Snapshots = {
  opportunities: OpportunitySnapshot;
  activities: ActivitySnapshot;
  loadedAt: string;
  loadMs: number;
};

/**
 * The columnar snapshots the engines compute over (DESIGN.md §2), loaded once and reloaded after
 * every successful import. Readers get the last complete snapshot while a new one loads.
 */
export class SnapshotCache {
  private current: Snapshots | undefined;
  private loading: Promise<Snapshots> | undefined;
  private stale = true;
  /** The last successful import the loaded snapshot includes. */
  private loadedImportId: number | null = null;
  private checkedAt = 0;

  constructor(
    private readonly store: Store,
    private readonly now: () => string,
  ) {}

  /** The latest snapshots, loading them first if there are none or they are stale. */
  async get(): Promise<Snapshots> {
    if (this.loading) return this.loading;
    // Another process (`attain import` against the same PostgreSQL) may have imported since.
    // Asked at most once a second: at thousands of reads a second, the check must not be a query each.
    if (this.current && !this.stale) {
      const now = Date.now();
      if (now - this.checkedAt < 1_000) return this.current;
      this.checkedAt = now;
      if ((await this.latestImportId()) === this.loadedImportId) return this.current;
    }
    return this.refresh();
  }

  private async latestImportId(): Promise<number | null> {
    const row = await this.store.db
      .selectFrom('imports')
      .select((eb) => eb.fn.max('id').as('id'))
      .where('status', '=', 'succeeded')
      .executeTakeFirst();
    return row?.id ?? null;
  }

  /** Marks the data changed and loads new snapshots (one load at a time; a change during a load loads again). */
  refresh(): Promise<Snapshots> {
    this.stale = true;
    if (this.loading) return this.loading.then(() => (this.stale ? this.refresh() : this.current!));
    this.stale = false;
    const started = performance.now();
    this.loading = (async () => {
      const importId = await this.latestImportId();
      const opportunities = await loadOpportunitySnapshot(this.store);
      const activities = await loadActivitySnapshot(this.store);
      this.current = {
        opportunities,
        activities,
        loadedAt: this.now(),
        loadMs: Math.round(performance.now() - started),
      };
      this.loadedImportId = importId;
      return this.current;
    })().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /** Waits for a load under way (before the store closes). */
  async settle(): Promise<void> {
    await this.loading?.catch(() => undefined);
  }

  /** What is loaded now, without loading. */
  peek(): Snapshots | undefined {
    return this.current;
  }
}
