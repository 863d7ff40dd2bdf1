import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, testDatabaseKinds, type TestStore } from './testing/test-store.ts';
import { AppError } from '../domain/errors.ts';
import { translateDatabaseError } from './database-error.ts';

describe.each(testDatabaseKinds())('store on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('has the foundation tables, migrated and empty', async () => {
    const { rows } = await store.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM opportunities');
    expect(rows[0]?.n).toBe(0);
  });

  it('returns bigint as exact numbers, dates as plain text and instants as ISO-8601', async () => {
    const { rows } = await store.pool.query(
      "SELECT 9007199254740991::bigint AS big, DATE '2024-02-29' AS d, TIMESTAMPTZ '2024-03-01 10:00:00+02' AS t",
    );
    expect(rows[0]).toEqual({ big: 9007199254740991, d: '2024-02-29', t: '2024-03-01T08:00:00.000Z' });
  });

  it('returns a bigint beyond the safe-integer range exactly, as a JS bigint, rather than rounding it', async () => {
    const { rows } = await store.pool.query('SELECT 9007199254740993::bigint AS big');
    expect(rows[0].big).toBe(9007199254740993n);
  });

  it('translates a duplicate key into a conflict AppError', async () => {
    await store.db.insertInto('regions').values({ name: 'Central' }).execute();
    const error = await store.db
      .insertInto('regions')
      .values({ name: 'Central' })
      .execute()
      .catch((e: unknown) => e);
    const translated = translateDatabaseError(error);
    expect(translated).toBeInstanceOf(AppError);
    expect((translated as AppError).code).toBe('conflict');
  });

  it('rolls a failed transaction back whole', async () => {
    await expect(
      store.db.transaction().execute(async (trx) => {
        await trx.insertInto('regions').values({ name: 'West' }).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const rows = await store.db.selectFrom('regions').select('name').where('name', '=', 'West').execute();
    expect(rows).toEqual([]);
  });
});
