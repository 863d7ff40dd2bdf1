/**
 * Canonical records: the shape every source (a CRM export through a mapping, the demo generator)
 * is normalised to before it reaches the store. References to other records are by external key
 * (`ownerRef`, `accountRef`, ...), resolved to ids by the import. Money is integer minor units.
 * Dates are 'YYYY-MM-DD'; instants are ISO-8601 strings in UTC.
 */
import type { ActivityType, DealType, ForecastCategory, PositionRole, StageCategory } from './vocabulary.ts';

export type RegionRecord = { name: string };

export type TeamRecord = { name: string; region: string | null };

/** A person and the position they hold; the hierarchy is given by `managerRef` (a person key). */
export type PersonRecord = {
  key: string;
  name: string;
  email: string | null;
  role: PositionRole;
  title: string | null;
  managerRef: string | null;
  team: string | null;
  region: string | null;
  hiredOn: string | null;
  leftOn: string | null;
};

export type AccountRecord = {
  key: string;
  name: string;
  segment: string | null;
  industry: string | null;
  region: string | null;
  country: string | null;
  employees: number | null;
  annualRevenueMinor: number | null;
  currency: string;
  yearEstablished: number | null;
  parentName: string | null;
};

export type ProductRecord = {
  key: string;
  name: string;
  family: string | null;
  listPriceMinor: number | null;
  costMinor: number | null;
  currency: string;
};

export type StageDefinition = { name: string; category: StageCategory; probability: number };

export type OpportunityRecord = {
  key: string;
  name: string | null;
  accountRef: string | null;
  ownerRef: string | null;
  productRef: string | null;
  stage: string;
  forecastCategory: ForecastCategory | null;
  probability: number | null;
  amountMinor: number | null;
  currency: string;
  dealType: DealType | null;
  leadSource: string | null;
  /** Null where the source has no creation date (Maven: deals still in Prospecting). */
  createdOn: string | null;
  engagedOn: string | null;
  closeOn: string | null;
  closedOn: string | null;
  /**
   * The day a won deal was cancelled (a plan's clawback reads it); null: it stands. Absent: the
   * source does not say, and a stored cancellation is kept.
   */
  cancelledOn?: string | null;
  lostReason: string | null;
  competitor: string | null;
  discountBps: number | null;
  grossMarginBps: number | null;
  contactCount: number | null;
  /** Known earlier states, oldest first (from a source's history, or inferred from its dates). */
  history: OpportunityHistoryEntry[];
};

/** One point of an opportunity's past: the value of each given field from `at` on. */
export type OpportunityHistoryEntry = {
  at: string;
  source: 'source_history' | 'inferred' | 'generated';
  stage?: string;
  amountMinor?: number | null;
  closeOn?: string | null;
  probability?: number | null;
  ownerRef?: string | null;
};

export type ActivityRecord = {
  key: string;
  type: ActivityType;
  personRef: string | null;
  accountRef: string | null;
  opportunityRef: string | null;
  occurredAt: string;
  durationMinutes: number | null;
  outcome: string | null;
  subject: string | null;
};

export type LeadRecord = {
  key: string;
  source: string | null;
  ownerRef: string | null;
  accountRef: string | null;
  createdAt: string;
  firstResponseAt: string | null;
  convertedAt: string | null;
  opportunityRef: string | null;
  status: string | null;
};

export type SubscriptionRecord = {
  key: string;
  accountRef: string | null;
  productRef: string | null;
  plan: string | null;
  mrrMinor: number;
  currency: string;
  startedOn: string;
  endedOn: string | null;
  churnReason: string | null;
};

export type InvoiceRecord = {
  key: string;
  accountRef: string | null;
  subscriptionRef: string | null;
  opportunityRef: string | null;
  issuedOn: string;
  dueOn: string | null;
  amountMinor: number;
  currency: string;
};

export type PaymentRecord = {
  key: string;
  invoiceRef: string | null;
  paidOn: string;
  amountMinor: number;
  currency: string;
};

export type SpendRecord = {
  startsOn: string;
  endsOn: string;
  channel: string;
  category: 'marketing' | 'sales';
  amountMinor: number;
  currency: string;
};

export type QuotaRecord = {
  positionRef: string; // the holder's person key
  periodKind: 'month' | 'quarter' | 'year';
  periodStartsOn: string;
  measure: 'revenue' | 'bookings' | 'margin' | 'units' | 'activities' | 'new_logos';
  target: string; // decimal text: exact
  currency: string | null;
};

/** Every entity an import or the generator can produce, tagged by kind. */
export type CanonicalRecord =
  | { kind: 'person'; record: PersonRecord }
  | { kind: 'account'; record: AccountRecord }
  | { kind: 'product'; record: ProductRecord }
  | { kind: 'opportunity'; record: OpportunityRecord }
  | { kind: 'activity'; record: ActivityRecord }
  | { kind: 'lead'; record: LeadRecord }
  | { kind: 'subscription'; record: SubscriptionRecord }
  | { kind: 'invoice'; record: InvoiceRecord }
  | { kind: 'payment'; record: PaymentRecord }
  | { kind: 'spend'; record: SpendRecord }
  | { kind: 'quota'; record: QuotaRecord };

export type RecordKind = CanonicalRecord['kind'];

/** Every record kind, in dependency order: a kind refers only to kinds before it. */
export const recordKinds = [
  'person',
  'account',
  'product',
  'opportunity',
  'activity',
  'lead',
  'subscription',
  'invoice',
  'payment',
  'spend',
  'quota',
] as const satisfies readonly RecordKind[];
