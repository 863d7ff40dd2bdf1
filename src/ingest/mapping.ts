import type { StageDefinition } from '../domain/records.ts';
import type { DateFormat } from './parse-values.ts';

/** The kinds of file an import understands, in the order they must be written. */
export const entityKinds = [
  'people',
  'accounts',
  'products',
  'opportunities',
  'opportunity_history',
  'activities',
  'leads',
  'subscriptions',
  'invoices',
  'payments',
  'spend',
  'quotas',
] as const;
export type EntityKind = (typeof entityKinds)[number];

/**
 * A row after the mapping: Attain's native field names (docs/import-native-format.md) to the cell
 * text. `source` tells, for error messages, which column of the user's file a field came from.
 */
export type NativeRow = Record<string, string>;

export type ExpandContext = {
  /** Keys this import has already produced, per entity: for expansions that emit a row once. */
  seen: Set<string>;
};

/** How one kind of source file maps onto one native entity. */
export type FileSpec = {
  entity: EntityKind;
  label: string;
  /** native field → the source column it is read from */
  columns: Record<string, string>;
  /** source columns that must be present; they also identify the file in detection */
  requiredColumns: string[];
  /** native field → a constant, for values the source does not carry (a role, a currency) */
  constants?: Record<string, string>;
  /** native field → source value → native value (a CRM's stage or activity names) */
  values?: Record<string, Record<string, string>>;
  /** native money field → power of ten the source's unit is (Maven account revenue: millions = 6) */
  moneyScale?: Record<string, number>;
  /** turns one source row into several native rows (Maven's team file also names the managers) */
  expand?: (row: NativeRow, context: ExpandContext) => NativeRow[];
  /** this file's date format, where it differs from the mapping's (Data Loader writes ISO dates) */
  dateFormat?: DateFormat;
  /** derives the opportunity's earlier states from its own dates (source history is better) */
  inferHistory?: 'maven_dates';
};

export type Mapping = {
  name: string;
  label: string;
  description: string;
  dateFormat: DateFormat;
  currency: string;
  stages: StageDefinition[];
  files: FileSpec[];
};

/** Does a header carry every column this file spec needs? (case- and space-insensitive) */
export function matchesHeader(spec: FileSpec, header: string[]): boolean {
  const have = new Set(header.map(normaliseColumnName));
  return spec.requiredColumns.every((c) => have.has(normaliseColumnName(c)));
}

export function normaliseColumnName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, ' ');
}
