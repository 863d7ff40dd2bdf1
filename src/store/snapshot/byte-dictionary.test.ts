import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDictionaryEncoder } from '../../domain/snapshot/columns.ts';
import { ByteDictionary } from './byte-dictionary.ts';

const utf8 = new TextEncoder();

describe('ByteDictionary', () => {
  it('gives UTF-8 bytes the codes their strings get from the encoder (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 30 }), { maxLength: 300 }), (values) => {
        const fromBytes = new ByteDictionary(createDictionaryEncoder(['Closed Won']));
        const fromStrings = createDictionaryEncoder(['Closed Won']);
        // Values sit inside one larger buffer, as they do in a COPY row.
        const buffer = utf8.encode(`|${values.join('|')}|`);
        let start = 1;
        for (const value of values) {
          const length = utf8.encode(value).length;
          expect(fromBytes.codeOf(buffer, start, length)).toBe(fromStrings.encode(value));
          start += length + 1;
        }
        expect(fromBytes.encoder.dictionary).toEqual(fromStrings.dictionary);
      }),
    );
  });

  it('keeps thousands of distinct values apart, including ones with equal heads and tails', () => {
    const dictionary = new ByteDictionary(createDictionaryEncoder());
    const values = Array.from({ length: 5000 }, (_, i) => `Account-name-prefix ${i} -suffix`);
    const codes = values.map((value) => {
      const bytes = utf8.encode(value);
      return dictionary.codeOf(bytes, 0, bytes.length);
    });
    expect(codes).toEqual(values.map((_, i) => i));
    const again = utf8.encode(values[4321]!);
    expect(dictionary.codeOf(again, 0, again.length)).toBe(4321);
  });

  it('refuses bytes that are not UTF-8', () => {
    const dictionary = new ByteDictionary(createDictionaryEncoder());
    expect(() => dictionary.codeOf(Uint8Array.of(0xc3, 0x28), 0, 2)).toThrow(/not valid UTF-8/);
  });
});
