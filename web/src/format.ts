// Display formatting in one place: counts with thousands separators, sizes, instants.
const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const dateTimeFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short' });

export function formatCount(value: number): string {
  return integerFormat.format(value);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${integerFormat.format(bytes)} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatInstant(iso: string | null): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTimeFormat.format(date);
}

/** "people" → "People", "opportunity_changes" → "Opportunity changes". */
export function humanize(name: string): string {
  const words = name.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Line numbers as "3, 7, 12 and 40 more". */
export function formatLines(lines: number[] | undefined, shown = 8): string {
  if (!lines || lines.length === 0) return '—';
  const head = lines.slice(0, shown).join(', ');
  return lines.length > shown ? `${head} and ${lines.length - shown} more` : head;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}

/** ["a", "b", "c"] → "a, b and c". */
export function formatList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

const dayFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' });

/** A calendar day ("2026-10-23") as "Oct 23, 2026", read in UTC so it never shifts a day. */
export function formatDay(day: string | null): string {
  if (!day) return '—';
  const date = new Date(`${day.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? day : dayFormat.format(date);
}

/** Today as the server counts days (UTC), "2026-11-23". */
export function todayIso(): string {
  return new Date().toISOString().slice(0, 10);
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

/**
 * An exact decimal amount for display: Intl.NumberFormat reads the decimal string itself (not a
 * float), and cents are shown only when there are any.
 */
export function formatMoney(money: { amount: string; currency: string } | null): string {
  if (!money) return '—';
  const cents = !/\.0*$/.test(money.amount) && money.amount.includes('.');
  const key = `${money.currency}:${cents}`;
  let format = moneyFormats.get(key);
  if (!format) {
    try {
      format = new Intl.NumberFormat('en-US', {
        style: 'currency',
        currency: money.currency,
        minimumFractionDigits: cents ? 2 : 0,
        maximumFractionDigits: cents ? 2 : 0,
      });
    } catch {
      return `${money.amount} ${money.currency}`;
    }
    moneyFormats.set(key, format);
  }
  // A numeric string keeps its exact value in Intl.NumberFormat (ES2023); the cast is for the types.
  return format.format(money.amount as unknown as number);
}

/** A decimal string ("30000.0000") with thousands separators and at most 2 decimals. */
export function formatDecimal(amount: string): string {
  const cents = !/\.0*$/.test(amount) && amount.includes('.');
  return new Intl.NumberFormat('en-US', {
    minimumFractionDigits: cents ? 2 : 0,
    maximumFractionDigits: cents ? 4 : 0,
  }).format(amount as unknown as number);
}

/** "106.5" → "106.5%"; null → "—". */
export function formatPercent(value: string | null): string {
  return value === null ? '—' : `${value}%`;
}

/**
 * The exact sum of decimal strings ("9024.00" + "22920.5" = "31944.50"), in integers, so a list of
 * deals can be reconciled with the scorecard to the cent.
 */
export function sumDecimals(amounts: string[]): string {
  const digits = Math.max(0, ...amounts.map((a) => (a.split('.')[1] ?? '').length));
  let total = 0n;
  for (const amount of amounts) {
    const negative = amount.startsWith('-');
    const [whole = '0', fraction = ''] = amount.replace(/^[-+]/, '').split('.');
    const scaled = BigInt(whole + fraction.padEnd(digits, '0'));
    total += negative ? -scaled : scaled;
  }
  const negative = total < 0n;
  const text = (negative ? -total : total).toString().padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits);
  const fraction = text.slice(text.length - digits);
  return `${negative ? '-' : ''}${whole}${digits > 0 ? `.${fraction}` : ''}`;
}
