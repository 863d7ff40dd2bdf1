import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, fingerprintOf } from './fingerprint.ts';

describe('fingerprintOf', () => {
  it('is the SHA-256 of canonical JSON (known vector)', () => {
    // sha256('{"a":1,"b":[true,null,"x"]}')
    expect(canonicalJson({ b: [true, undefined, 'x'], a: 1 })).toBe('{"a":1,"b":[true,null,"x"]}');
    expect(fingerprintOf({ b: [true, undefined, 'x'], a: 1 })).toBe(
      'eca8cfb31ab74533e1eb2f4c74d2d55dfe3c79ac704787e54be8647ea7777eb1',
    );
    expect(fingerprintOf('')).toBe('12ae32cb1ec02d01eda3581b127c1fee3b0dc53572ed6baf239721a03d82e126'); // sha256('""')
  });

  it('does not depend on key order, at any depth', () => {
    const a = { plan: { id: 'p', version: 2 }, rows: [{ x: 1, y: 'a' }], currency: 'USD' };
    const b = { currency: 'USD', rows: [{ y: 'a', x: 1 }], plan: { version: 2, id: 'p' } };
    expect(fingerprintOf(a)).toBe(fingerprintOf(b));
    expect(fingerprintOf(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes when a value changes, and keeps array order significant', () => {
    expect(fingerprintOf({ amount: '100' })).not.toBe(fingerprintOf({ amount: '100.0' }));
    expect(fingerprintOf([1, 2])).not.toBe(fingerprintOf([2, 1]));
  });

  it('round-trips: canonical JSON parses back to an equal value, and is stable under shuffled keys', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        const reversed = JSON.parse(text, (_k, v) =>
          v && typeof v === 'object' && !Array.isArray(v)
            ? Object.fromEntries(Object.entries(v as Record<string, unknown>).reverse())
            : v,
        );
        expect(fingerprintOf(reversed)).toBe(fingerprintOf(value));
      }),
    );
  });

  it('refuses cyclic values', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(() => fingerprintOf(a)).toThrow(/cyclic/);
  });
});
