/**
 * Strict parsers for the cells of an import file. Each returns `{ ok: true, value }` or
 * `{ ok: false, reason }`, the reason worded for the person who must fix the file. Nothing is
 * guessed or rounded silently: "31/02/2017" is not a date, "12.345" is not a USD amount.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (reason: string): Parsed<never> => ({ ok: false, reason });

export const dateFormats = ['YYYY-MM-DD', 'MM/DD/YYYY', 'DD/MM/YYYY', 'DD.MM.YYYY', 'DD-MM-YYYY'] as const;
export type DateFormat = (typeof dateFormats)[number];

const datePatterns: Record<DateFormat, { re: RegExp; order: [number, number, number] }> = {
  // order: indexes of year, month, day in the match groups
  'YYYY-MM-DD': {
    re: /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/,
    order: [1, 2, 3],
  },
  'MM/DD/YYYY': {
    re: /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:,? \d{1,2}:\d{2}(?::\d{2})?(?: ?[AP]M)?)?$/i,
    order: [3, 1, 2],
  },
  'DD/MM/YYYY': { re: /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$/, order: [3, 2, 1] },
  'DD.MM.YYYY': { re: /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$/, order: [3, 2, 1] },
  'DD-MM-YYYY': { re: /^(\d{1,2})-(\d{1,2})-(\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$/, order: [3, 2, 1] },
};

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const daysInMonth = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Parses a calendar date in the given format to 'YYYY-MM-DD'; a time part, if any, is dropped. */
export function parseDate(text: string, format: DateFormat = 'YYYY-MM-DD'): Parsed<string> {
  const pattern = datePatterns[format];
  const match = pattern.re.exec(text.trim());
  if (!match) return fail(`"${text}" is not a date in the format ${format}`);
  const year = Number(match[pattern.order[0]]);
  const month = Number(match[pattern.order[1]]);
  const day = Number(match[pattern.order[2]]);
  if (month < 1 || month > 12) return fail(`"${text}" is not a date: there is no month ${month}`);
  const maxDay = month === 2 && isLeapYear(year) ? 29 : (daysInMonth[month - 1] ?? 31);
  if (day < 1 || day > maxDay)
    return fail(`"${text}" is not a date: month ${month} of ${year} has ${maxDay} days`);
  if (year < 1900 || year > 2200) return fail(`"${text}" is not a plausible date (year ${year})`);
  return ok(
    `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
  );
}

/**
 * Parses an instant. ISO-8601 with an offset is exact; a date-time without an offset, or a date
 * alone, is read as UTC (stated in docs/import.md).
 */
export function parseInstant(text: string, format: DateFormat = 'YYYY-MM-DD'): Parsed<string> {
  const trimmed = text.trim();
  const iso = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(
    trimmed,
  );
  if (iso) {
    const date = parseDate(iso[1]!, 'YYYY-MM-DD');
    if (!date.ok) return date;
    const [hh, mm, ss] = [Number(iso[2]), Number(iso[3]), Number(iso[4] ?? 0)];
    if (hh > 23 || mm > 59 || ss > 59) return fail(`"${text}" is not a valid time of day`);
    const offset = iso[6] ?? 'Z';
    const normalisedOffset =
      offset === 'Z' ? 'Z' : offset.length === 5 ? `${offset.slice(0, 3)}:${offset.slice(3)}` : offset;
    const ms = Date.parse(
      `${date.value}T${iso[2]}:${iso[3]}:${String(ss).padStart(2, '0')}${iso[5] ?? ''}${normalisedOffset}`,
    );
    if (Number.isNaN(ms)) return fail(`"${text}" is not a date and time`);
    return ok(new Date(ms).toISOString());
  }
  const date = parseDate(trimmed, format);
  if (!date.ok)
    return fail(
      `"${text}" is not a date and time (ISO-8601 like 2024-03-01T14:05:00Z, or a date in ${format})`,
    );
  const time = /(\d{1,2}):(\d{2})(?::(\d{2}))?(?: ?([AP]M))?$/i.exec(trimmed);
  let hours = 0;
  let minutes = 0;
  let seconds = 0;
  if (time && trimmed.length > 10) {
    hours = Number(time[1]);
    minutes = Number(time[2]);
    seconds = Number(time[3] ?? 0);
    const meridiem = time[4]?.toUpperCase();
    if (meridiem === 'PM' && hours < 12) hours += 12;
    if (meridiem === 'AM' && hours === 12) hours = 0;
    if (hours > 23 || minutes > 59 || seconds > 59) return fail(`"${text}" is not a valid time of day`);
  }
  const hms = [hours, minutes, seconds].map((n) => String(n).padStart(2, '0')).join(':');
  return ok(new Date(`${date.value}T${hms}Z`).toISOString());
}

const currencyMinorDigits: Record<string, number> = {
  JPY: 0,
  KRW: 0,
  CLP: 0,
  ISK: 0,
  BHD: 3,
  KWD: 3,
  OMR: 3,
  TND: 3,
  JOD: 3,
};

/** Decimal places of a currency's minor unit (ISO 4217); 2 unless listed otherwise. */
export function minorDigits(currency: string): number {
  return currencyMinorDigits[currency] ?? 2;
}

/**
 * Parses a money amount in major units to integer minor units, exactly (string arithmetic, no
 * binary float). Accepts an optional currency symbol or code and comma thousands separators
 * ("$1,234.50", "USD 1234.5"). More decimals than the currency has is an error, not a rounding.
 * `scale` multiplies by a power of ten first (Maven's account revenue is in millions: scale 6).
 */
export function parseMoney(text: string, currency = 'USD', scale = 0): Parsed<number> {
  const cleaned = text
    .trim()
    .replace(/^(?:[A-Z]{3}\s*|[$€£¥])/, '')
    .replace(/\s*[A-Z]{3}$/, '');
  const match = /^(-)?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/.exec(cleaned);
  if (!match) return fail(`"${text}" is not an amount of money`);
  const negative = match[1] === '-';
  const whole = match[2]!.replace(/,/g, '');
  let fraction = match[3] ?? '';
  const digits = minorDigits(currency);
  // Shift the decimal point right by `scale` before checking the currency's precision.
  const shifted = whole + fraction.slice(0, scale).padEnd(scale, '0');
  fraction = fraction.slice(scale);
  if (fraction.replace(/0+$/, '').length > digits) {
    return fail(`"${text}" has more decimals than ${currency} allows (${digits})`);
  }
  const minorText = shifted + fraction.padEnd(digits, '0').slice(0, digits);
  const value = Number(minorText);
  if (!Number.isSafeInteger(value)) return fail(`"${text}" is too large an amount`);
  return ok(negative && value !== 0 ? -value : value);
}

/** Parses a whole number, optionally with comma thousands separators. */
export function parseInteger(text: string): Parsed<number> {
  const cleaned = text.trim();
  if (!/^-?(\d{1,3}(,\d{3})+|\d+)(\.0+)?$/.test(cleaned)) return fail(`"${text}" is not a whole number`);
  const value = Number(cleaned.replace(/,/g, '').replace(/\.0+$/, ''));
  if (!Number.isSafeInteger(value)) return fail(`"${text}" is too large`);
  return ok(value);
}

/** Parses a percentage ("12.5", "12.5%") to basis points, exactly (at most 2 decimals). */
export function parsePercentToBps(text: string): Parsed<number> {
  const match = /^(-)?(\d+)(?:\.(\d{1,2}))?\s*%?$/.exec(text.trim());
  if (!match) return fail(`"${text}" is not a percentage with at most 2 decimals`);
  const bps = Number(match[2]) * 100 + Number((match[3] ?? '').padEnd(2, '0'));
  return ok(match[1] ? -bps : bps);
}

/** Parses a probability as a whole percent 0–100 ("60", "60%", "0.6" is refused as ambiguous). */
export function parseProbability(text: string): Parsed<number> {
  const match = /^(\d{1,3})(?:\.0+)?\s*%?$/.exec(text.trim());
  if (!match) return fail(`"${text}" is not a probability (a whole percent from 0 to 100)`);
  const value = Number(match[1]);
  if (value > 100) return fail(`"${text}" is not a probability: above 100%`);
  return ok(value);
}

/** Parses one of a closed set of values, case-insensitively, naming the allowed ones on failure. */
export function parseChoice<T extends string>(text: string, allowed: readonly T[]): Parsed<T> {
  const wanted = text
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  const found = allowed.find((a) => a.toLowerCase() === wanted);
  return found ? ok(found) : fail(`"${text}" is not one of ${allowed.join(', ')}`);
}

/** Parses a currency code (ISO 4217 shape: three capital letters). */
export function parseCurrency(text: string): Parsed<string> {
  const code = text.trim().toUpperCase();
  return /^[A-Z]{3}$/.test(code) ? ok(code) : fail(`"${text}" is not a currency code like USD`);
}
