import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, type TestStore } from '../store/testing/test-store.ts';
import { nativeMapping } from './mappings/native-mapping.ts';
import { runImport } from './run-import.ts';

const stages = nativeMapping.stages.map((s) => s.name);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attain-import-prop-'));

type Row = { key: string; stage: string; amountCents: number; created: string };

const rowArbitrary = fc.record({
  stage: fc.constantFrom(...stages),
  amountCents: fc.integer({ min: 0, max: 1e10 }),
  created: fc
    .date({ min: new Date('2015-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
});

function csv(rows: Row[]): { path: string; name: string } {
  const file = path.join(dir, `opps-${Math.random().toString(36).slice(2)}.csv`);
  const money = (c: number) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
  fs.writeFileSync(
    file,
    [
      'opportunity_key,stage,amount,created_on',
      ...rows.map((r) => `${r.key},${r.stage},${money(r.amountCents)},${r.created}`),
    ].join('\n'),
  );
  return { path: file, name: 'opportunities.csv' };
}

describe('import invariants (property)', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore('pglite');
  });
  afterAll(async () => {
    await store.dispose();
  });

  it('re-importing changes nothing; a changed file updates exactly the changed rows, amounts exact to the cent', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(rowArbitrary, { minLength: 1, maxLength: 40 }),
        fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
        async (drafts, changeMask) => {
          round++;
          await store.pool.query(
            'TRUNCATE opportunity_changes, opportunities, imports RESTART IDENTITY CASCADE',
          );
          const rows = drafts.map((d, i) => ({ ...d, key: `r${round}-${i}` }));
          const options = {
            mapping: nativeMapping,
            dryRun: false,
            createUnknown: false,
            now: () => '2026-11-23T09:00:00.000Z',
          };
          const first = await runImport(store, [csv(rows)], options);
          expect(first.entities.opportunities).toEqual({ inserted: rows.length, updated: 0, unchanged: 0 });
          const again = await runImport(store, [csv(rows)], options);
          expect(again.entities.opportunities).toEqual({ inserted: 0, updated: 0, unchanged: rows.length });

          const changed = rows.map((r, i) => (changeMask[i] ? { ...r, amountCents: r.amountCents + 1 } : r));
          const expectedUpdates = rows.filter((_, i) => changeMask[i]).length;
          const third = await runImport(store, [csv(changed)], options);
          expect(third.entities.opportunities).toEqual({
            inserted: 0,
            updated: expectedUpdates,
            unchanged: rows.length - expectedUpdates,
          });
          const stored = await store.pool.query<{ external_key: string; amount_minor: number }>(
            'SELECT external_key, amount_minor FROM opportunities',
          );
          const byKey = new Map(stored.rows.map((r) => [r.external_key, r.amount_minor]));
          for (const r of changed) expect(byKey.get(r.key)).toBe(r.amountCents);
          const history = await store.pool.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM opportunity_changes WHERE field = 'amount_minor'",
          );
          expect(history.rows[0]!.n).toBe(expectedUpdates);
        },
      ),
      { numRuns: 12 },
    );
  });
});
