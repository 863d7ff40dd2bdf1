/**
 * opportunity_changes.old_value / new_value, encoded from the UTF-8 bytes of a binary COPY the
 * way the domain's `encodeChangeValue` encodes the same text (a property test holds them equal):
 * decoding each of ~6M values into a JS string first would cost more than the whole load.
 */
import { daysInMonth, fromCivilDate } from '../../domain/calendar/day-number.ts';
import { MAX_INT32_ID } from '../../domain/snapshot/columns.ts';
import { FIELD_CODE } from '../../domain/snapshot/opportunity-snapshot.ts';
import type { ByteDictionary } from './byte-dictionary.ts';

const CHAR_0 = 48;
const CHAR_MINUS = 45;
/** Up to 15 digits a double accumulates exactly; longer texts take the exact (BigInt) path. */
const FAST_DIGITS = 15;

/** The integer a `-?[0-9]+` ASCII text names, if within ±(2^53 - 1); else undefined. */
export function parseAsciiInteger(bytes: Uint8Array, start: number, length: number): number | undefined {
  const negative = length > 0 && bytes[start] === CHAR_MINUS;
  const first = negative ? start + 1 : start;
  const end = start + length;
  if (first >= end) return undefined;
  let value = 0;
  for (let i = first; i < end; i++) {
    const digit = bytes[i]! - CHAR_0;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  if (end - first > FAST_DIGITS) {
    let exact = 0n;
    for (let i = first; i < end; i++) exact = exact * 10n + BigInt(bytes[i]! - CHAR_0);
    if (exact > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
    value = Number(exact);
  }
  return negative ? -value : value;
}

function digits(bytes: Uint8Array, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const digit = bytes[i]! - CHAR_0;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** The day number of a strict 'YYYY-MM-DD' ASCII text, else undefined (as parseIsoDate). */
export function parseAsciiIsoDate(bytes: Uint8Array, start: number, length: number): number | undefined {
  if (length !== 10 || bytes[start + 4] !== CHAR_MINUS || bytes[start + 7] !== CHAR_MINUS) return undefined;
  const year = digits(bytes, start, 4);
  const month = digits(bytes, start + 5, 2);
  const day = digits(bytes, start + 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return fromCivilDate(year, month, day);
}

/**
 * Encodes one change value (bytes of its text; length -1 for null) for its field: NaN for null,
 * undefined for a text the field cannot hold. Same rules as `encodeChangeValue`.
 */
export function readChangeValue(
  field: number,
  bytes: Uint8Array,
  start: number,
  length: number,
  dictionaries: { stage: ByteDictionary; forecastCategory: ByteDictionary },
): number | undefined {
  if (length === -1) return Number.NaN;
  switch (field) {
    case FIELD_CODE.stage:
      return dictionaries.stage.codeOf(bytes, start, length);
    case FIELD_CODE.forecast_category:
      return dictionaries.forecastCategory.codeOf(bytes, start, length);
    case FIELD_CODE.amount_minor:
      return parseAsciiInteger(bytes, start, length);
    case FIELD_CODE.close_on:
    case FIELD_CODE.cancelled_on:
      return parseAsciiIsoDate(bytes, start, length);
    case FIELD_CODE.probability: {
      const value = parseAsciiInteger(bytes, start, length);
      return value !== undefined && value >= 0 && value <= 100 ? value : undefined;
    }
    case FIELD_CODE.owner_person_id: {
      const value = parseAsciiInteger(bytes, start, length);
      return value !== undefined && value > 0 && value <= MAX_INT32_ID ? value : undefined;
    }
    default:
      return undefined;
  }
}
