import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { minorToDecimal } from './money.ts';

describe('minorToDecimal', () => {
  it('writes a safe integer exactly as its BigInt does, for every number of digits', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.integer({ min: 0, max: 6 }), (minor, digits) => {
        expect(minorToDecimal(minor, digits)).toBe(minorToDecimal(BigInt(minor), digits));
      }),
      { numRuns: 2_000 },
    );
  });

  it('pads small amounts and keeps the sign', () => {
    expect(minorToDecimal(5, 2)).toBe('0.05');
    expect(minorToDecimal(-5, 2)).toBe('-0.05');
    expect(minorToDecimal(-0, 2)).toBe('0.00');
    expect(minorToDecimal(123456, 2)).toBe('1234.56');
    expect(minorToDecimal(-123456, 0)).toBe('-123456');
    expect(minorToDecimal(Number.MAX_SAFE_INTEGER, 3)).toBe('9007199254740.991');
    expect(minorToDecimal(12345678901234567890n, 2)).toBe('123456789012345678.90');
  });
});
