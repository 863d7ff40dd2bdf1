import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDictionaryEncoder, NULL_CODE, NULL_DAY } from '../../domain/snapshot/columns.ts';
import { toDayNumber } from '../../domain/calendar/day-number.ts';
import { createTestStore, testDatabaseKinds, type TestStore } from '../testing/test-store.ts';
import { ByteDictionary } from './byte-dictionary.ts';
import { copyTuples, type TupleReader } from './copy-binary.ts';

type Row = { n: number; big: number; label: number; day: number; at: number; flag: number; note: number };

// 40,000 rows of mixed types, nulls every 7th row, and a 200 kB text every 10,000th row so rows
// straddle the socket's chunks in every way.
const SELECT = `
  SELECT g::int4 AS n, (g::int8 * 4294967296 + g) AS big,
    CASE WHEN g % 7 = 0 THEN NULL ELSE (ARRAY['Zürich', 'Ōsaka', 'São Paulo', '🚀 launch', ''])[1 + g % 5] END AS label,
    CASE WHEN g % 7 = 0 THEN NULL ELSE DATE '2024-02-29' + (g % 400) END AS day,
    TIMESTAMPTZ '2024-03-01 10:00:00.123456+00' + make_interval(secs => g) AS at,
    g % 2 = 0 AS flag,
    CASE WHEN g % 10000 = 0 THEN repeat('x', 200000) ELSE 'short' END AS note
  FROM generate_series(1, 40000) g`;

function reading(labels: ByteDictionary, notes: ByteDictionary, rows: Row[]) {
  return (reader: TupleReader) => {
    rows.push({
      n: reader.integer(NULL_CODE, 'n'),
      big: reader.integer(NULL_CODE, 'big'),
      label: reader.code(labels, NULL_CODE),
      day: reader.dayNumber(NULL_DAY, 'day'),
      at: reader.epochMs(Number.NaN, 'at'),
      flag: reader.flag(),
      note: reader.code(notes, NULL_CODE),
    });
  };
}

describe.each(testDatabaseKinds())('copyTuples on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it.each([true, false])('decodes every row exactly (reading the socket directly: %s)', async (direct) => {
    const client = await store.pool.connect();
    try {
      const labels = new ByteDictionary(createDictionaryEncoder());
      const notes = new ByteDictionary(createDictionaryEncoder());
      const rows: Row[] = [];
      const count = await copyTuples(client, SELECT, 7, reading(labels, notes, rows), { direct });
      expect(count).toBe(40_000);
      expect(rows).toHaveLength(40_000);
      expect(rows[0]).toEqual({
        n: 1,
        big: 4_294_967_297,
        label: 0,
        day: toDayNumber('2024-03-01'),
        at: Date.UTC(2024, 2, 1, 10, 0, 1, 123),
        flag: 0,
        note: 0,
      });
      expect(rows[6]).toMatchObject({ n: 7, label: NULL_CODE, day: NULL_DAY });
      expect(labels.encoder.dictionary).toEqual(['Ōsaka', 'São Paulo', '🚀 launch', '', 'Zürich']);
      expect(rows[39_999]).toMatchObject({
        n: 40_000,
        big: 40_000 * 4_294_967_296 + 40_000,
        flag: 1,
        note: 1,
      });
      expect(notes.encoder.dictionary[1]).toHaveLength(200_000);
      // Every row in order, nothing lost or doubled at chunk boundaries.
      expect(
        rows.every(
          (row, i) => row.n === i + 1 && row.at === Date.UTC(2024, 2, 1, 10, 0, 0, 123) + (i + 1) * 1000,
        ),
      ).toBe(true);
      // The connection is still in step with the server afterwards.
      expect((await client.query('SELECT 41 + 1 AS answer')).rows).toEqual([{ answer: 42 }]);
    } finally {
      client.release();
    }
  });

  it.each([true, false])(
    'reports a server error mid-copy and leaves the connection usable (direct: %s)',
    async (direct) => {
      const client = await store.pool.connect();
      try {
        let seen = 0;
        const failed = copyTuples(
          client,
          'SELECT (1 / (g - 30000))::int4 FROM generate_series(1, 40000) g',
          1,
          (reader) => {
            reader.integer(0, 'x');
            seen++;
          },
          { direct },
        );
        await expect(failed).rejects.toThrow(/division by zero/);
        expect(seen).toBeLessThan(30_000);
        expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      } finally {
        client.release();
      }
    },
  );

  it.each([true, false])(
    'reports a decoder error after the statement ends, connection intact (direct: %s)',
    async (direct) => {
      const client = await store.pool.connect();
      try {
        const wrongColumns = copyTuples(
          client,
          'SELECT g, g FROM generate_series(1, 1000) g',
          1,
          (reader) => void reader.integer(0, 'g'),
          { direct },
        );
        await expect(wrongColumns).rejects.toThrow(/2 columns, expected 1/);
        const wrongDecoder = copyTuples(
          client,
          'SELECT g::int4, g::int4 FROM generate_series(1, 1000) g',
          2,
          (reader) => void reader.integer(0, 'g'),
          { direct },
        );
        await expect(wrongDecoder).rejects.toThrow(/do not match the decoder/);
        const tooBig = copyTuples(
          client,
          'SELECT 9007199254740993::int8',
          1,
          (reader) => void reader.integer(0, 'amount_minor'),
          { direct },
        );
        await expect(tooBig).rejects.toThrow(/amount_minor 9007199254740993 is beyond/);
        expect((await client.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
      } finally {
        client.release();
      }
    },
  );
});
