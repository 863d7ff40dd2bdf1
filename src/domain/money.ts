/**
 * Integer minor units to an exact decimal string ("123456" with 2 digits → "1234.56"). Money is
 * carried as integers (DESIGN.md §4); this is the one place it becomes text for people and APIs.
 */
export function minorToDecimal(minor: number | bigint, digits: number): string {
  const value = BigInt(minor);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  if (digits === 0) return `${negative ? '-' : ''}${abs}`;
  const text = abs.toString().padStart(digits + 1, '0');
  return `${negative ? '-' : ''}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}
