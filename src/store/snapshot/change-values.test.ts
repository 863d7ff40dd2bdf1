import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDictionaryEncoder } from '../../domain/snapshot/columns.ts';
import {
  encodeChangeValue,
  fieldCodeOf,
  trackedOpportunityFields,
} from '../../domain/snapshot/opportunity-snapshot.ts';
import { ByteDictionary } from './byte-dictionary.ts';
import { parseAsciiInteger, readChangeValue } from './change-values.ts';

const utf8 = new TextEncoder();

/** Texts near the valid ones: digits, signs, dates, near-dates, long numbers, stray characters. */
const texts = fc.oneof(
  fc.stringMatching(/^-?[0-9]{1,20}$/),
  fc.stringMatching(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/),
  fc.integer({ min: -1e6, max: 1e6 }).map(String),
  fc.constantFrom(
    '',
    '-',
    '+5',
    '1e3',
    '12.5',
    ' 7',
    '007',
    '-0',
    '9007199254740991',
    '9007199254740992',
    '-9007199254740991',
    '2147483647',
    '2147483648',
    '2024-02-29',
    '2023-02-29',
    '2024-2-29',
    '０',
  ),
  fc.string({ maxLength: 12 }),
);

describe('readChangeValue', () => {
  it('encodes bytes exactly as encodeChangeValue encodes the same text (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...trackedOpportunityFields), texts, (fieldName, text) => {
        const field = fieldCodeOf(fieldName);
        const stage = createDictionaryEncoder(['Prospecting']);
        const forecastCategory = createDictionaryEncoder(['pipeline']);
        const bytes = utf8.encode(`##${text}##`);
        const fromBytes = readChangeValue(field, bytes, 2, bytes.length - 4, {
          stage: new ByteDictionary(stage),
          forecastCategory: new ByteDictionary(forecastCategory),
        });
        const fromText = encodeChangeValue(field, text, {
          stage: createDictionaryEncoder(['Prospecting']),
          forecastCategory: createDictionaryEncoder(['pipeline']),
        });
        expect(Object.is(fromBytes, fromText) || (Number.isNaN(fromBytes) && Number.isNaN(fromText))).toBe(
          true,
        );
      }),
      { numRuns: 3000 },
    );
  });

  it('reads null as NaN for every field', () => {
    const dictionaries = {
      stage: new ByteDictionary(createDictionaryEncoder()),
      forecastCategory: new ByteDictionary(createDictionaryEncoder()),
    };
    for (const field of trackedOpportunityFields)
      expect(readChangeValue(fieldCodeOf(field), new Uint8Array(0), 0, -1, dictionaries)).toBeNaN();
  });

  it('reads integers beyond 15 digits exactly, and refuses beyond 2^53', () => {
    const read = (text: string) => parseAsciiInteger(utf8.encode(text), 0, text.length);
    expect(read('9007199254740991')).toBe(9_007_199_254_740_991);
    expect(read('-0009007199254740991')).toBe(-9_007_199_254_740_991);
    expect(read('9007199254740992')).toBeUndefined();
    expect(read('123456789012345678901234')).toBeUndefined();
  });
});
