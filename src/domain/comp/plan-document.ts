/**
 * The plan language's schema (docs/plans.md is its reference; keep the two in step). A plan is
 * parsed from YAML or JSON text elsewhere; this validates the parsed value, reports every problem
 * with its path, and normalises numbers to exact forms: rates, shares, factors and attainment
 * bounds to integer parts per million (`8%` → 80_000), money to canonical decimal text.
 */
import { z } from 'zod';
import type { Problem } from '../errors.ts';

export const PPM = 1_000_000;

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a day as YYYY-MM-DD');
const cel = z.string().min(1, 'expected a CEL expression');

/**
 * The shortest decimal text of a YAML/JSON number or string ("0.08", "8%", "1e-2" is refused):
 * numbers are taken from their shortest round-trip text, which is what the author wrote.
 */
function decimalText(value: string | number): string | undefined {
  const text = typeof value === 'number' ? String(value) : value.trim();
  return /^-?\d+(\.\d+)?$/.test(text) ? text : undefined;
}

/** "12.5" with scale 6 → 12_500_000; undefined when more decimals than the scale keeps. */
function scaled(text: string, scale: number): number | undefined {
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? text.slice(1) : text).split('.');
  if (fraction.length > scale) return undefined;
  const value = Number(whole) * 10 ** scale + Number(fraction.padEnd(scale, '0') || '0');
  if (!Number.isSafeInteger(value)) return undefined;
  return negative ? -value : value;
}

/**
 * A rate or share: "8%", "12.5%", 0.08, "0.08" → parts per million. Up to 6 decimal places of the
 * fraction are kept; more is an error, never a silent cut (docs/plans.md "Numbers").
 */
export const ratePpm = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const raw = typeof value === 'number' ? String(value) : value.trim();
  const percent = raw.endsWith('%');
  const text = decimalText(percent ? raw.slice(0, -1) : raw);
  const ppm = text === undefined ? undefined : scaled(text, percent ? 4 : 6);
  if (ppm === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a rate such as "8%" or 0.08 with at most 6 decimal places of the fraction, got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
  return ppm;
});

/** A multiplier such as 2, 0.5 or "1.25" → parts per million. */
export const factorPpm = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const text = decimalText(value);
  const ppm = text === undefined ? undefined : scaled(text, 6);
  if (ppm === undefined || ppm < 0) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a non-negative factor such as 2 or 0.5, got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
  return ppm;
});

/** Money as canonical decimal text ("5000", "1234.56"). Converted to minor units with the plan's currency. */
export const money = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const text = decimalText(value);
  if (text === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `expected an amount such as "5000" or "1234.56", got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
  return text;
});

/** An amount-tier bound (money) or an attainment bound (a percentage); which one the tiers' basis says. */
const bound = z.union([z.string(), z.number()]);

const creditType = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a lower-case id such as revenue or new_logos'),
  amount: z.enum(['amount', 'margin', 'units', 'count']),
  when: cel.optional(),
});

export const creditRules = ['owner', 'splits', 'overlays', 'rollup', 'territory'] as const;
export type CreditRule = (typeof creditRules)[number];

const measure = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a lower-case id such as revenue_qtd'),
  credit: z.string(),
  window: z.enum(['period', 'month_to_date', 'quarter_to_date', 'year_to_date']).default('period'),
  quota: z.string().optional(),
});

const band = z.strictObject({
  from: bound.optional(),
  to: bound.optional(),
  rate: ratePpm.optional(),
  /** interpolated tables: the point's position and its payout */
  at: bound.optional(),
  pay: money.optional(),
});

const tiers = z.strictObject({
  basis: z.enum(['attainment', 'amount']),
  measure: z.string().optional(),
  scope: z.enum(['cumulative', 'per_transaction']).default('cumulative'),
  method: z.enum(['marginal', 'whole', 'retroactive', 'interpolated']),
  bounds: z.enum(['lower_inclusive', 'upper_inclusive']).default('lower_inclusive'),
  bands: z.array(band).min(1, 'expected at least one band'),
});

const multiplier = z.strictObject({
  label: z.string().min(1),
  factor: factorPpm,
  when: cel.optional(),
  /** an attainment multiplier: applies while `measure`'s attainment (before the deal) is above */
  attainment_above: ratePpm.optional(),
  attainment_below: ratePpm.optional(),
  measure: z.string().optional(),
});

const threshold = z.strictObject({ measure: z.string(), min_attainment: ratePpm });
const gate = z.strictObject({ measure: z.string(), min_attainment: ratePpm, cap: money });
const cap = z.strictObject({
  per_deal: money.optional(),
  per_period: money.optional(),
  per_year: money.optional(),
});

const rateTable = z.strictObject({
  key: cel,
  rates: z.record(z.string(), ratePpm),
  default: ratePpm.optional(),
});

const commonComponent = {
  id: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'expected a lower-case id such as commission'),
  label: z.string().optional(),
  when: cel.optional(),
  multipliers: z.array(multiplier).default([]),
  threshold: threshold.optional(),
  gate: gate.optional(),
  cap: cap.optional(),
};

const commission = z.strictObject({
  ...commonComponent,
  kind: z.literal('commission'),
  credit: z.string(),
  rate: ratePpm.optional(),
  rate_table: rateTable.optional(),
  tiers: tiers.optional(),
});

const bonus = z.strictObject({
  ...commonComponent,
  kind: z.literal('bonus'),
  credit: z.string().optional(),
  amount: money,
  basis: z.enum(['score', 'attainment']),
  measure: z.string().optional(),
  max_payout: ratePpm.optional(),
  tiers: tiers.optional(),
});

const spiff = z.strictObject({
  ...commonComponent,
  kind: z.literal('spiff'),
  credit: z.string(),
  from: isoDay,
  to: isoDay,
  amount_per_deal: money.optional(),
  rate: ratePpm.optional(),
});

const component = z.discriminatedUnion('kind', [commission, bonus, spiff]);

const draw = z.strictObject({
  kind: z.enum(['non_recoverable', 'recoverable']),
  amount: money,
  until: isoDay.optional(),
  recovery: z
    .strictObject({
      start_after_periods: z.number().int().min(0).default(0),
      max_share: ratePpm.default(PPM),
      min_net_pay: money.default('0'),
    })
    .default({ start_after_periods: 0, max_share: PPM, min_net_pay: '0' }),
});

const clawback = z.strictObject({
  window_days: z.number().int().positive(),
  method: z.enum(['full', 'prorated']).default('full'),
  attainment: z.enum(['keep', 'reduce']).default('keep'),
});

const hold = z.union([
  z.strictObject({ until: z.literal('collected') }),
  z.strictObject({ until: z.literal('days'), days: z.number().int().positive() }),
]);

const expectation = z.strictObject({
  payee: z.string(),
  period: z.string(),
  earnings: money.optional(),
  payable: money.optional(),
  balance_carried: money.optional(),
  line: z.string().optional(),
  amount: money.optional(),
});

const testCase = z.strictObject({
  name: z.string().min(1),
  /** The same shape as `comp simulate --input` (CompInput); validated when the test runs. */
  input: z.record(z.string(), z.unknown()),
  expect: z.array(expectation).min(1, 'a test needs at least one expectation'),
});

export const planDocumentSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a kebab-case id such as ae-revenue-margin'),
  version: z.number().int().positive().default(1),
  name: z.string().min(1),
  description: z.string().optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code such as USD')
    .default('USD'),
  period: z.enum(['month', 'quarter']),
  effective_from: isoDay,
  effective_to: isoDay.optional(),
  eligible: cel.optional(),
  credit: z.strictObject({
    rules: z.array(z.enum(creditRules)).default(['owner', 'splits']),
    rollup_levels: z.number().int().min(0).max(10).default(0),
    types: z.array(creditType).min(1, 'a plan needs at least one credit type'),
  }),
  measures: z.array(measure).default([]),
  components: z.array(component).min(1, 'a plan needs at least one component'),
  draw: draw.optional(),
  clawback: clawback.optional(),
  hold: hold.optional(),
  tests: z.array(testCase).default([]),
});

/** A validated plan: numbers normalised (rates in ppm, money as decimal text). */
export type PlanDocument = z.output<typeof planDocumentSchema>;
export type PlanComponent = PlanDocument['components'][number];
export type PlanTiers = z.output<typeof tiers>;
export type PlanMeasure = PlanDocument['measures'][number];
export type PlanTestCase = PlanDocument['tests'][number];

/** A zod path as the plan author reads it: `components[1].tiers.bands[2].rate`. */
export function formatPlanPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

/** Validates a parsed plan value (the schema only; cross-references are checked by `checkPlan`). */
export function validatePlanShape(value: unknown): { plan?: PlanDocument; problems: Problem[] } {
  const parsed = planDocumentSchema.safeParse(value);
  if (parsed.success) return { plan: parsed.data, problems: [] };
  return {
    problems: parsed.error.issues.map((issue) => ({
      field: formatPlanPath(issue.path) || '(plan)',
      message: issue.message,
    })),
  };
}
