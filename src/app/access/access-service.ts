import { roleScope } from '../../domain/access/roles.ts';
import { everything, hierarchyScope, type Hierarchy, type Scope } from '../../domain/access/scope.ts';
import { toDayNumber } from '../../domain/calendar/day-number.ts';
import type { Store } from '../../store/open-database.ts';
import type { Principal } from '../auth/principal.ts';

/** How long a loaded hierarchy is used before it is read again (imports also refresh it at once). */
const hierarchyTtlMs = 5_000;

/**
 * The data scope of each caller, computed by the pure engine in src/domain/access from the
 * effective-dated hierarchy. The hierarchy is read once and shared by every request until an
 * import changes it; scopes are cached per person.
 */
export class AccessService {
  private hierarchy: { loadedAt: number; value: Promise<Hierarchy> } | null = null;
  private readonly scopes = new Map<number | null, Scope>();

  constructor(private readonly store: Store) {}

  /** Called after every import (the hierarchy may have changed). */
  invalidate(): void {
    this.hierarchy = null;
    this.scopes.clear();
  }

  /** The effective-dated hierarchy (holders and reporting lines), shared with the forecast roll-up. */
  currentHierarchy(): Promise<Hierarchy> {
    return this.loadHierarchy();
  }

  private async loadHierarchy(): Promise<Hierarchy> {
    const now = Date.now();
    if (!this.hierarchy || now - this.hierarchy.loadedAt > hierarchyTtlMs) {
      // Another process (the CLI) may have imported: read again, and compute scopes afresh.
      this.hierarchy = { loadedAt: now, value: this.readHierarchy() };
      this.scopes.clear();
    }
    return this.hierarchy.value;
  }

  private async readHierarchy(): Promise<Hierarchy> {
    const [holders, reporting] = await Promise.all([
      this.store.db
        .selectFrom('position_holders')
        .select(['position_id', 'person_id', 'valid_from', 'valid_to'])
        .orderBy('id')
        .execute(),
      this.store.db
        .selectFrom('position_reporting')
        .select(['position_id', 'parent_position_id', 'valid_from', 'valid_to'])
        .orderBy('id')
        .execute(),
    ]);
    return {
      holders: holders.map((h) => ({
        positionId: h.position_id,
        personId: h.person_id,
        from: toDayNumber(h.valid_from),
        to: h.valid_to ? toDayNumber(h.valid_to) : Infinity,
      })),
      reporting: reporting.map((r) => ({
        positionId: r.position_id,
        parentId: r.parent_position_id,
        from: toDayNumber(r.valid_from),
        to: r.valid_to ? toDayNumber(r.valid_to) : Infinity,
      })),
    };
  }

  /** What this caller may see: everything, or the hierarchy below their person. */
  async scopeFor(principal: Pick<Principal, 'role' | 'personId'>): Promise<Scope> {
    if (roleScope(principal.role) === 'all') return everything;
    const hierarchy = await this.loadHierarchy();
    const cached = this.scopes.get(principal.personId);
    if (cached) return cached;
    const scope = hierarchyScope(hierarchy, principal.personId);
    this.scopes.set(principal.personId, scope);
    return scope;
  }
}
