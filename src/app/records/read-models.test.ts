import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everything, hierarchyScope, type Scope } from '../../domain/access/scope.ts';
import { testDatabaseKinds } from '../../store/testing/test-store.ts';
import type { Attain } from '../create-attain.ts';
import { createAccessFixture, type AccessFixture } from '../testing/access-fixture.ts';
import { createTestAttain } from '../testing/test-attain.ts';
import { listOpportunities, type OpportunityFilters } from './records.ts';

// The deal list has two ways to its page: the columnar snapshot in memory (the fast path) and SQL
// (text search). Whatever the caller, filters and order, both must give the same page and total.
describe.each(testDatabaseKinds())('deal list from the snapshot and from SQL on %s', (kind) => {
  let attain: Attain & { dispose(): Promise<void> };
  let fx: AccessFixture;
  let scopes: Record<string, Scope>;

  beforeAll(async () => {
    attain = await createTestAttain(kind);
    fx = await createAccessFixture(attain.store);
    const scopeOf = (personId: number) => attain.access.scopeFor({ role: 'sales_manager', personId });
    scopes = {
      all: everything,
      east: await scopeOf(fx.people.east),
      mia: await scopeOf(fx.people.mia),
      repA: await scopeOf(fx.people.a),
      nobody: hierarchyScope({ holders: [], reporting: [] }, null),
    };
  });
  afterAll(async () => {
    await attain?.dispose();
  });

  it('gives the same page and total for any caller, filter and order (property)', async () => {
    const days = fc.constantFrom(
      undefined,
      '2026-01-01',
      '2026-02-10',
      '2026-04-01',
      '2026-08-15',
      '2026-12-31',
    );
    const filters: fc.Arbitrary<OpportunityFilters> = fc.record(
      {
        ownerId: fc.constantFrom(undefined, fx.people.a, fx.people.b, fx.people.c),
        status: fc.constantFrom(undefined, 'open' as const, 'won' as const, 'lost' as const),
        stage: fc.constantFrom(undefined, 'Won', 'Prospecting', 'Nonexistent'),
        closedFrom: days,
        closedTo: days,
        closeFrom: days,
        closeTo: days,
        sort: fc.constantFrom(undefined, 'close_on' as const, 'amount' as const),
        direction: fc.constantFrom(undefined, 'asc' as const, 'desc' as const),
        limit: fc.integer({ min: 1, max: 5 }),
        offset: fc.integer({ min: 0, max: 6 }),
      },
      { requiredKeys: ['limit', 'offset'] },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('all', 'east', 'mia', 'repA', 'nobody'), filters, async (who, f) => {
        const clean = Object.fromEntries(
          Object.entries(f).filter(([, v]) => v !== undefined),
        ) as OpportunityFilters;
        const run = (fast: boolean) =>
          listOpportunities(
            attain.store,
            scopes[who]!,
            '2026-11-23',
            clean,
            fast ? attain.reads : undefined,
          ).then(
            (r) => r,
            (e: unknown) => (e as Error).message,
          );
        expect(await run(true)).toEqual(await run(false));
      }),
      { numRuns: 150 },
    );
  });
});
