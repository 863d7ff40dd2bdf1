/**
 * The assumptions the demo organisation is built from, in one place so they can be read and tuned
 * together. Money is USD minor units (cents). Rates are per fully ramped, average-skill rep; the
 * generator bends them by rep skill, ramp, season and effort.
 */
import type { ActivityType } from '../vocabulary.ts';

export const demoCurrency = 'USD';

export type Segment = 'SMB' | 'Mid-Market' | 'Enterprise';

export type SegmentProfile = {
  segment: Segment;
  /** Share of sales teams selling to this segment. */
  teamShare: number;
  /** Size of each rep's book of accounts. */
  accountsPerRep: number;
  /** Annual contract value of an average new-business deal before discount. */
  meanDealMinor: number;
  /** Win rate of an average, fully ramped rep (closed won / closed) on new business. */
  winRate: number;
  /** Mean days an opportunity spends in one open stage; the sales cycle is about six of these. */
  stageDays: number;
  employeesMin: number;
  employeesMax: number;
  /** Typical negotiated discount on a discounted deal, in basis points. */
  discountBps: number;
  /** Share of subscriptions that do not renew at the end of a yearly term. */
  churnRate: number;
  /** Invoicing frequency of subscriptions, in months. */
  billingMonths: number;
  /** Buying-committee size: contacts on a deal that reaches the last open stage. */
  contactsAtClose: number;
};

export const segmentProfiles: readonly SegmentProfile[] = [
  {
    segment: 'SMB',
    teamShare: 0.4,
    accountsPerRep: 30,
    meanDealMinor: 1_200_000,
    winRate: 0.27,
    stageDays: 6,
    employeesMin: 10,
    employeesMax: 200,
    discountBps: 600,
    churnRate: 0.2,
    billingMonths: 3,
    contactsAtClose: 3,
  },
  {
    segment: 'Mid-Market',
    teamShare: 0.35,
    accountsPerRep: 20,
    meanDealMinor: 4_500_000,
    winRate: 0.23,
    stageDays: 12,
    employeesMin: 200,
    employeesMax: 2_000,
    discountBps: 1_000,
    churnRate: 0.12,
    billingMonths: 12,
    contactsAtClose: 6,
  },
  {
    segment: 'Enterprise',
    teamShare: 0.25,
    accountsPerRep: 12,
    meanDealMinor: 16_000_000,
    winRate: 0.19,
    stageDays: 24,
    employeesMin: 2_000,
    employeesMax: 60_000,
    discountBps: 1_500,
    churnRate: 0.07,
    billingMonths: 12,
    contactsAtClose: 11,
  },
];

export type RegionProfile = { name: string; short: string; share: number; countries: readonly string[] };

export const regionProfiles: readonly RegionProfile[] = [
  { name: 'North America', short: 'NA', share: 0.5, countries: ['US', 'US', 'US', 'US', 'CA'] },
  {
    name: 'EMEA',
    short: 'EMEA',
    share: 0.3,
    countries: ['GB', 'GB', 'DE', 'DE', 'FR', 'NL', 'SE', 'ES', 'IE'],
  },
  { name: 'APAC', short: 'APAC', share: 0.15, countries: ['AU', 'AU', 'JP', 'SG', 'IN', 'NZ'] },
  { name: 'LATAM', short: 'LATAM', share: 0.05, countries: ['BR', 'BR', 'MX', 'CO', 'CL'] },
];

/**
 * New opportunities by calendar month (January first), relative to an average month: budgets
 * open in Q1, summer holidays slow July and August, and year-end buying makes Q4 the heaviest.
 */
export const createdSeasonality: readonly number[] = [
  0.92, 0.97, 1.07, 1.02, 1.02, 0.97, 0.76, 0.71, 1.02, 1.17, 1.27, 1.1,
];

export type SkillTier = 'hero' | 'core' | 'tail';

/**
 * Share of reps per tier, the range of their skill multiplier (1 = an average rep) and their yearly
 * attrition. Leavers are not replaced one for one; the new hires of the window roughly balance them.
 */
export const skillTiers: readonly {
  tier: SkillTier;
  share: number;
  skillMin: number;
  skillMax: number;
  yearlyLeaveRate: number;
}[] = [
  // Top performers: the hero-selling concentration executives worry about.
  { tier: 'hero', share: 0.1, skillMin: 1.5, skillMax: 1.9, yearlyLeaveRate: 0.04 },
  { tier: 'core', share: 0.6, skillMin: 0.85, skillMax: 1.2, yearlyLeaveRate: 0.08 },
  // Most attrition is in the long tail (performance-managed out or discouraged).
  { tier: 'tail', share: 0.3, skillMin: 0.55, skillMax: 0.8, yearlyLeaveRate: 0.2 },
];

/** Share of reps hired during the generated window (they ramp), and the ramp length in months. */
export const newHireShare = 0.2;
export const rampMonths = 6;

/**
 * How the log of the win probability is spread over the six open stages: most deals drop out
 * early (no budget, not a fit), fewer at the end.
 */
export const stageDropWeights: readonly number[] = [0.25, 0.2, 0.18, 0.15, 0.12, 0.1];
/** Relative time spent in each open stage. */
export const stageDurationWeights: readonly number[] = [0.8, 0.9, 1.3, 1.0, 1.2, 1.5];

export type LeadSourceProfile = { source: string; share: number; winFactor: number; fromLead: boolean };

export const leadSources: readonly LeadSourceProfile[] = [
  { source: 'Inbound', share: 0.3, winFactor: 1.0, fromLead: true },
  { source: 'Outbound', share: 0.22, winFactor: 0.85, fromLead: false },
  { source: 'SDR', share: 0.2, winFactor: 0.95, fromLead: true },
  { source: 'Partner', share: 0.1, winFactor: 1.2, fromLead: false },
  { source: 'Event', share: 0.1, winFactor: 1.0, fromLead: true },
  { source: 'Referral', share: 0.08, winFactor: 1.4, fromLead: false },
];

/** Why deals are lost, by the open stage they were lost in (index into the native stages). */
export const lostReasonsByStage: readonly (readonly string[])[] = [
  ['No budget', 'Not a fit', 'Unresponsive', 'Unresponsive'],
  ['No budget', 'Not a fit', 'Unresponsive', 'No decision'],
  ['No decision', 'Missing feature', 'Lost to competitor', 'Timing'],
  ['No decision', 'Missing feature', 'Lost to competitor', 'Timing', 'Lost to competitor'],
  ['Price', 'Lost to competitor', 'No decision', 'Timing', 'Lost to competitor'],
  ['Price', 'Lost to competitor', 'Price', 'No decision', 'Legal or procurement'],
];

/** Reasons that always name the competitor the deal went to. */
export const competitiveLostReasons: ReadonlySet<string> = new Set(['Lost to competitor', 'Price']);

/** Fictional competitors, so demo data never names a real company. */
export const competitors: readonly string[] = [
  'Quotient',
  'PayWise',
  'CommissionHQ',
  'Incentra',
  'Spreadsheets (status quo)',
];

export const churnReasons: readonly string[] = [
  'Budget cuts',
  'Switched to competitor',
  'Low adoption',
  'Company acquired',
  'Went out of business',
];

export type CatalogueProduct = {
  key: string;
  name: string;
  family: string;
  listPriceMinor: number;
  costMinor: number;
  /** Sold as a yearly subscription (otherwise invoiced once on closing). */
  recurring: boolean;
  /** Deepest discount the deal desk approves, in basis points. */
  maxDiscountBps: number;
  /** Relative chance of being the main product of a deal, per segment (SMB, Mid-Market, Enterprise). */
  mix: readonly [number, number, number];
};

export const productCatalogue: readonly CatalogueProduct[] = [
  {
    key: 'prod-001',
    name: 'Core Platform (seat, yearly)',
    family: 'Platform',
    listPriceMinor: 120_000,
    costMinor: 18_000,
    recurring: true,
    maxDiscountBps: 4_000,
    mix: [55, 40, 10],
  },
  {
    key: 'prod-002',
    name: 'Core Platform Enterprise (seat, yearly)',
    family: 'Platform',
    listPriceMinor: 180_000,
    costMinor: 25_000,
    recurring: true,
    maxDiscountBps: 4_000,
    mix: [0, 10, 40],
  },
  {
    key: 'prod-003',
    name: 'Analytics (seat, yearly)',
    family: 'Analytics',
    listPriceMinor: 60_000,
    costMinor: 9_000,
    recurring: true,
    maxDiscountBps: 4_000,
    mix: [15, 15, 12],
  },
  {
    key: 'prod-004',
    name: 'Forecasting, Pipeline & Planning (seat, yearly)',
    family: 'Analytics',
    listPriceMinor: 48_000,
    costMinor: 7_000,
    recurring: true,
    maxDiscountBps: 4_000,
    mix: [5, 8, 8],
  },
  {
    key: 'prod-005',
    name: 'Data Connectors (connector, yearly)',
    family: 'Add-ons',
    listPriceMinor: 300_000,
    costMinor: 60_000,
    recurring: true,
    maxDiscountBps: 3_000,
    mix: [5, 7, 6],
  },
  {
    key: 'prod-006',
    name: 'Sandbox (environment, yearly)',
    family: 'Add-ons',
    listPriceMinor: 500_000,
    costMinor: 150_000,
    recurring: true,
    maxDiscountBps: 3_000,
    mix: [0, 3, 5],
  },
  {
    key: 'prod-007',
    name: 'Premium Support (seat, yearly)',
    family: 'Support',
    listPriceMinor: 24_000,
    costMinor: 11_000,
    recurring: true,
    maxDiscountBps: 2_500,
    mix: [5, 5, 5],
  },
  {
    key: 'prod-008',
    name: 'Implementation (day)',
    family: 'Services',
    listPriceMinor: 180_000,
    costMinor: 115_000,
    recurring: false,
    maxDiscountBps: 2_000,
    mix: [10, 8, 7],
  },
  {
    key: 'prod-009',
    name: 'Training (day)',
    family: 'Services',
    listPriceMinor: 150_000,
    costMinor: 85_000,
    recurring: false,
    maxDiscountBps: 2_000,
    mix: [5, 4, 3],
  },
  {
    key: 'prod-010',
    name: '"Edge" Data Appliance (unit)',
    family: 'Hardware',
    listPriceMinor: 2_500_000,
    costMinor: 1_750_000,
    recurring: false,
    maxDiscountBps: 2_000,
    mix: [0, 0, 4],
  },
];

export const industries: readonly string[] = [
  'Software',
  'Financial Services',
  'Healthcare',
  'Manufacturing',
  'Retail',
  'Logistics',
  'Telecommunications',
  'Media',
  'Energy',
  'Education',
  'Insurance',
  'Hospitality',
  'Life Sciences',
  'Professional Services',
];

/** The mix of activity types while a deal sits in each open stage (call, email, meeting, demo, quote, follow_up). */
export const activityMixByStage: readonly (readonly number[])[] = [
  [45, 45, 5, 0, 0, 5],
  [35, 35, 20, 0, 0, 10],
  [20, 25, 40, 5, 0, 10],
  [15, 20, 15, 40, 0, 10],
  [15, 25, 15, 5, 25, 15],
  [20, 30, 20, 0, 10, 20],
];
export const activityTypeOrder: readonly ActivityType[] = [
  'call',
  'email',
  'meeting',
  'demo',
  'quote',
  'follow_up',
];

/** Monthly spend per active rep by channel, before seasonality and noise. */
export const spendChannels: readonly {
  channel: string;
  category: 'marketing' | 'sales';
  perRepMinor: number;
  seasonal: boolean;
}[] = [
  { channel: 'Paid Search', category: 'marketing', perRepMinor: 90_000, seasonal: true },
  { channel: 'Paid Social', category: 'marketing', perRepMinor: 50_000, seasonal: true },
  { channel: 'Events', category: 'marketing', perRepMinor: 70_000, seasonal: true },
  { channel: 'Content', category: 'marketing', perRepMinor: 30_000, seasonal: false },
  { channel: 'Partners', category: 'marketing', perRepMinor: 25_000, seasonal: false },
  { channel: 'Sales Compensation', category: 'sales', perRepMinor: 1_100_000, seasonal: false },
  { channel: 'Sales Tools', category: 'sales', perRepMinor: 25_000, seasonal: false },
  { channel: 'Travel', category: 'sales', perRepMinor: 60_000, seasonal: true },
];

/** Quota stretch over expected bookings: plans are set so that about half the reps make quota. */
export const quotaStretch = 1.1;
export const repsPerTeam = 8;
export const teamsPerDirector = 8;
export const repsPerSdr = 4;
