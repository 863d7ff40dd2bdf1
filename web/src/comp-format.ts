// Display of pay: exact decimal text in, text out. Amounts are never turned into floats for
// arithmetic; percentages are made by moving the decimal point of the text.
import type { LineKind } from './comp-api.ts';

const payFormats = new Map<string, Intl.NumberFormat>();

/** A paid amount with its currency and always its minor units: "$6,240.00", "-$500.00". */
export function formatPay(amount: string | null | undefined, currency = 'USD'): string {
  if (amount === null || amount === undefined || amount === '') return '—';
  let format = payFormats.get(currency);
  if (!format) {
    try {
      format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    } catch {
      return `${amount} ${currency}`;
    }
    payFormats.set(currency, format);
  }
  // Intl.NumberFormat reads a numeric string exactly (ES2023); the cast is for the types.
  return format.format(amount as unknown as number);
}

/** A change in pay with its sign: "+$120.00", "−$45.50", "$0.00". */
export function formatDelta(amount: string | null | undefined, currency = 'USD'): string {
  if (amount === null || amount === undefined || amount === '') return '—';
  if (isZero(amount)) return formatPay(amount.replace(/^-/, ''), currency);
  return isNegative(amount) ? `−${formatPay(amount.slice(1), currency)}` : `+${formatPay(amount, currency)}`;
}

export function isNegative(amount: string): boolean {
  return amount.trim().startsWith('-') && !isZero(amount);
}

export function isZero(amount: string): boolean {
  return /^[-+]?0*(\.0*)?$/.test(amount.trim());
}

/** Moves the decimal point of a decimal text two places right: "1.0833" → "108.33", "0.08" → "8". */
export function shiftPercent(decimal: string): string {
  const negative = decimal.startsWith('-');
  const [whole = '0', fraction = ''] = decimal.replace(/^[-+]/, '').split('.');
  const padded = fraction.padEnd(2, '0');
  const intPart = `${whole}${padded.slice(0, 2)}`.replace(/^0+(?=\d)/, '');
  const rest = padded.slice(2).replace(/0+$/, '');
  return `${negative ? '-' : ''}${intPart}${rest ? `.${rest}` : ''}`;
}

/** A ratio as a percentage: "1.0833" → "108.33%"; absent → "—". */
export function formatRatio(decimal: string | null | undefined): string {
  if (decimal === null || decimal === undefined || decimal === '') return '—';
  if (decimal.trim().endsWith('%')) return decimal.trim();
  return `${shiftPercent(decimal)}%`;
}

/** A plain decimal with separators ("375000" → "375,000"), keeping its cents when it has any. */
export function formatAmount(amount: string | null | undefined): string {
  if (amount === null || amount === undefined || amount === '') return '—';
  const cents = amount.includes('.') && !/\.0*$/.test(amount);
  return new Intl.NumberFormat('en-US', {
    minimumFractionDigits: cents ? 2 : 0,
    maximumFractionDigits: cents ? 6 : 0,
  }).format(amount as unknown as number);
}

const kindLabels: Record<LineKind, string> = {
  commission: 'Commission',
  bonus: 'Bonus',
  spiff: 'SPIFF',
  retro_adjustment: 'Retroactive tier',
  draw: 'Draw',
  draw_recovery: 'Draw recovery',
  clawback: 'Clawback',
  hold: 'Held',
  release: 'Released',
  adjustment: 'Adjustment',
  prior_period_adjustment: 'Prior period',
};

export function lineKindLabel(kind: string): string {
  return kindLabels[kind as LineKind] ?? kind.replace(/_/g, ' ');
}

/** "2026-06" → "June 2026", "2026-Q2" → "Q2 2026"; anything else as given. */
export function formatPeriodLabel(period: string): string {
  const month = /^(\d{4})-(\d{2})$/.exec(period);
  if (month) {
    const date = new Date(Date.UTC(Number(month[1]), Number(month[2]) - 1, 1));
    return new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(date);
  }
  const quarter = /^(\d{4})-Q([1-4])$/.exec(period);
  if (quarter) return `Q${quarter[2]} ${quarter[1]}`;
  return period;
}

/** Where a statement line's transaction leads: the deals list narrowed to that deal. */
export function dealLink(transaction: string): string {
  return `/measure/deals?q=${encodeURIComponent(transaction)}`;
}
