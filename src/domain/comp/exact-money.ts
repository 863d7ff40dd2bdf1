/**
 * Exact money for the compensation engine (DESIGN.md §4, docs/plans.md "Numbers, money and
 * rounding"). Amounts are integer minor units held in doubles while they stay below 2^53 (exact);
 * rates, shares and factors are integer parts per million. A product is computed exactly (in
 * doubles when the product is a safe integer, else in BigInt) and rounded once, half to even —
 * the one rounding point and mode of every produced line.
 */
import { DomainError } from '../errors.ts';
import { divideHalfEven, divideHalfEvenBig, minorToDecimal } from '../money.ts';

export { divideHalfEven, divideHalfEvenBig, minorToDecimal };

/** Minor-unit digits of a currency (ISO 4217); 2 unless listed. */
export function currencyDigits(currency: string): number {
  switch (currency) {
    case 'JPY':
    case 'KRW':
    case 'CLP':
    case 'ISK':
    case 'VND':
      return 0;
    case 'BHD':
    case 'KWD':
    case 'OMR':
    case 'JOD':
    case 'TND':
      return 3;
    default:
      return 2;
  }
}

/**
 * "1234.56" → 123456 (digits 2). Throws `invariant` for more decimals than the currency has or an
 * amount beyond exact integers: callers validate input first and report it as a problem.
 */
export function decimalToMinor(text: string, digits: number): number {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new DomainError('invariant', `Not a decimal amount: "${text}"`);
  const [, sign, whole = '0', fraction = ''] = match;
  const trimmed = fraction.replace(/0+$/, '');
  if (trimmed.length > digits)
    throw new DomainError('invariant', `"${text}" has more than ${digits} decimal places`);
  const value = Number(whole) * 10 ** digits + Number(trimmed.padEnd(digits, '0') || '0');
  if (!Number.isSafeInteger(value))
    throw new DomainError('unsafe_integer', `"${text}" is beyond exact integers`);
  return sign === '-' && value !== 0 ? -value : value;
}

/** Whether a decimal text is a valid amount in a currency of `digits` minor digits. */
export function isMinorAmount(text: string, digits: number): boolean {
  try {
    decimalToMinor(text, digits);
    return true;
  } catch {
    return false;
  }
}

/**
 * amountMinor × ppm / 1,000,000, rounded half to even: a rate applied to an amount. Exact: the
 * product is formed in doubles only when it is a safe integer, otherwise in BigInt.
 */
export function applyPpm(amountMinor: number, ppm: number): number {
  const product = amountMinor * ppm;
  if (Number.isSafeInteger(product)) return divideHalfEven(product, 1_000_000);
  return Number(divideHalfEvenBig(BigInt(amountMinor) * BigInt(ppm), 1_000_000n));
}

/** amountMinor × a × b / (c), exact, rounded half to even once (BigInt; for per-payee sums, not hot loops). */
export function mulDivHalfEven(amountMinor: number, multipliers: number[], divisor: bigint): number {
  let product = BigInt(amountMinor);
  for (const m of multipliers) product *= BigInt(m);
  return Number(divideHalfEvenBig(product, divisor));
}

/** Two ppm values multiplied, kept exact when the result is a whole ppm (else undefined: use BigInt paths). */
export function multiplyPpm(a: number, b: number): number | undefined {
  const product = a * b;
  if (!Number.isSafeInteger(product) || product % 1_000_000 !== 0) return undefined;
  return product / 1_000_000;
}

/** A ppm value as decimal text: 80000 → "0.08", 1250000 → "1.25". */
export function ppmToDecimal(ppm: number): string {
  const text = minorToDecimal(ppm, 6);
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/** A ppm value as a percentage for people: 80000 → "8%", 125000 → "12.5%". */
export function ppmToPercent(ppm: number): string {
  return `${ppmToDecimal(ppm * 100)}%`;
}

/**
 * Allocates `amountMinor` over shares (ppm) by largest remainder, so the parts add up exactly to
 * amount × (sum of shares) rounded half to even — a split of 100% adds up to the whole amount.
 */
export function allocateByShares(amountMinor: number, sharesPpm: readonly number[]): number[] {
  const total = sharesPpm.reduce((a, b) => a + b, 0);
  const target = applyPpm(amountMinor, total);
  const exact = sharesPpm.map((s) => BigInt(amountMinor) * BigInt(s));
  const parts = exact.map((e) => {
    // floor toward negative infinity
    const q = e / 1_000_000n;
    return e < 0n && q * 1_000_000n !== e ? q - 1n : q;
  });
  let remaining = BigInt(target) - parts.reduce((a, b) => a + b, 0n);
  const order = exact
    .map((e, i) => ({ i, rem: e - parts[i]! * 1_000_000n }))
    .sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  const result = parts.map(Number);
  for (let k = 0; remaining > 0n && order.length > 0; k = (k + 1) % order.length) {
    result[order[k]!.i]! += 1;
    remaining -= 1n;
  }
  for (
    let k = order.length - 1;
    remaining < 0n && order.length > 0;
    k = (k - 1 + order.length) % order.length
  ) {
    result[order[k]!.i]! -= 1;
    remaining += 1n;
  }
  return result;
}

/** Money for people: 623456 (digits 2, USD) → "$6,234.56". */
export function formatMoney(minor: number, digits: number, currency: string): string {
  const text = minorToDecimal(minor, digits);
  const negative = text.startsWith('-');
  const [whole = '0', fraction] = (negative ? text.slice(1) : text).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const symbol =
    currency === 'USD' ? '$' : currency === 'EUR' ? '€' : currency === 'GBP' ? '£' : `${currency} `;
  return `${negative ? '-' : ''}${symbol}${grouped}${fraction ? `.${fraction}` : ''}`;
}
