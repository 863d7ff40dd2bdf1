import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NULL_CODE, createDictionaryEncoder, createIdIndex, decodeDictionaryValue } from './columns.ts';

describe('createDictionaryEncoder', () => {
  it('codes strings by first appearance after the seed, null as NULL_CODE', () => {
    const encoder = createDictionaryEncoder(['pipeline', 'commit']);
    expect(encoder.encode('commit')).toBe(1);
    expect(encoder.encode('omitted')).toBe(2);
    expect(encoder.encode(null)).toBe(NULL_CODE);
    expect(encoder.encode('omitted')).toBe(2);
    expect(encoder.encode('')).toBe(3);
    expect(encoder.dictionary).toEqual(['pipeline', 'commit', 'omitted', '']);
  });

  it('decodes what it encoded (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.string(), { nil: null })), (values) => {
        const encoder = createDictionaryEncoder();
        const codes = Int32Array.from(values.map((v) => encoder.encode(v)));
        const column = { codes, dictionary: encoder.dictionary };
        expect(values.map((_, row) => decodeDictionaryValue(column, row))).toEqual(values);
        expect(new Set(encoder.dictionary).size).toBe(encoder.dictionary.length);
      }),
    );
  });
});

describe('createIdIndex', () => {
  it('finds rows of dense and of sparse ascending ids, and -1 for a missing id (property)', () => {
    const idSets = fc
      .uniqueArray(fc.integer({ min: 1, max: 2_000_000_000 }), { maxLength: 200 })
      .chain((sparse) =>
        fc.constantFrom(
          sparse,
          sparse.map((_, i) => 5 + i * 2),
        ),
      );
    fc.assert(
      fc.property(idSets, fc.integer({ min: 0, max: 2_000_000_001 }), (ids, probe) => {
        const sorted = Int32Array.from([...ids].sort((a, b) => a - b));
        const index = createIdIndex(sorted);
        sorted.forEach((id, row) => expect(index.rowOf(id)).toBe(row));
        expect(index.rowOf(probe)).toBe(sorted.indexOf(probe));
      }),
    );
  });
});
