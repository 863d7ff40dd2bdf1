/**
 * Validation of a `CompInput` (comp-types.ts) at the edges that read one from outside: the
 * `comp simulate --input` file or directory and a plan's own test cases. Every bad field is named
 * with its path (`transactions[3].amount`), all at once. Amounts may be written as JSON numbers or
 * text; they come out as canonical decimal text, checked against the currency's minor digits.
 */
import { z } from 'zod';
import { parseIsoDate } from '../calendar/day-number.ts';
import type { Problem } from '../errors.ts';
import type { CompInput } from './comp-types.ts';
import { currencyDigits, isMinorAmount } from './exact-money.ts';
import { formatPlanPath, ratePpm } from './plan-document.ts';

const day = z
  .string()
  .refine((text) => parseIsoDate(text) !== undefined, 'expected a calendar day as YYYY-MM-DD');
const optionalEndDay = day.nullable().optional();
const id = z.string().trim().min(1, 'expected a non-empty id');
const period = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$/, 'expected a period such as 2026-06 (month) or 2026-Q2 (quarter)');

/** Money as decimal text; a JSON number is taken from its shortest text. */
const decimal = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const text = typeof value === 'number' ? String(value) : value.trim();
  if (!/^-?\d+(\.\d+)?$/.test(text)) {
    ctx.addIssue({
      code: 'custom',
      message: `expected an amount such as "1234.56", got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
  return text;
});

/** A share or rate: "50%", 0.5 — kept as written (the engine reads it), checked here. */
const share = z.union([z.string(), z.number()]).superRefine((value, ctx) => {
  if (!ratePpm.safeParse(value).success)
    ctx.addIssue({
      code: 'custom',
      message: `expected a share such as "50%" or 0.5, got ${JSON.stringify(value)}`,
    });
});

const split = z.strictObject({ payee: id, share });

const transaction = z.strictObject({
  id,
  date: day,
  owner: id,
  amount: decimal,
  margin_pct: z
    .union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/, 'expected a percentage such as 42')])
    .optional(),
  margin: decimal.optional(),
  units: z.number().finite().optional(),
  type: z.string().optional(),
  product: z.string().optional(),
  product_family: z.string().optional(),
  segment: z.string().optional(),
  account: z.string().optional(),
  account_name: z.string().optional(),
  name: z.string().optional(),
  cancelled_on: day.nullable().optional(),
  splits: z.array(split).optional(),
  overlays: z.array(split).optional(),
  collections: z.array(z.strictObject({ date: day, amount: decimal })).optional(),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
});

export const compInputSchema = z.strictObject({
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code such as USD')
    .optional(),
  fiscalYearStartMonth: z.number().int().min(1).max(12).optional(),
  periods: z.array(period).optional(),
  payees: z
    .array(z.strictObject({ id, name: z.string().optional(), role: z.string().optional() }))
    .optional(),
  reporting: z
    .array(z.strictObject({ payee: id, manager: id.nullable(), from: day, to: optionalEndDay }))
    .optional(),
  territories: z.array(z.strictObject({ account: id, payee: id, from: day, to: optionalEndDay })).optional(),
  transactions: z.array(transaction),
  quotas: z
    .array(z.strictObject({ payee: id, period, measure: id, amount: decimal, from: day.optional() }))
    .optional(),
  scores: z.array(z.strictObject({ payee: id, period, component: id, score: share })).optional(),
  adjustments: z
    .array(
      z.strictObject({
        id: z.string().optional(),
        payee: id,
        period,
        amount: decimal,
        reason: z.string().trim().min(1, 'an adjustment needs a reason'),
        approver: z.string().trim().min(1, 'an adjustment needs an approver'),
      }),
    )
    .optional(),
  assignments: z
    .array(
      z.strictObject({
        payee: id,
        from: day.optional(),
        to: optionalEndDay,
        target_incentive: decimal.optional(),
        pay_mix: z.string().optional(),
      }),
    )
    .optional(),
  locked: z
    .array(
      z.strictObject({
        payee: id,
        period,
        earnings: decimal,
        lines: z.record(z.string(), decimal).optional(),
      }),
    )
    .optional(),
  carried: z
    .array(
      z.strictObject({
        payee: id,
        transaction: id,
        earned: decimal,
        held: decimal.optional(),
        periods: z.array(period).optional(),
      }),
    )
    .optional(),
  opening: z
    .array(
      z.strictObject({
        payee: id,
        draw_owed: decimal.optional(),
        balance_owed: decimal.optional(),
        since: period.optional(),
      }),
    )
    .optional(),
});

/**
 * Validates a CompInput: the shape, then amounts against the currency's minor digits
 * (the plan's when the input names none, and the two must agree) and day ranges in order.
 */
export function validateCompInput(
  value: unknown,
  planCurrency?: string,
): { input?: CompInput; problems: Problem[] } {
  const parsed = compInputSchema.safeParse(value);
  if (!parsed.success) {
    return {
      problems: parsed.error.issues.flatMap((issue) => {
        const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
        if (issue.code === 'unrecognized_keys')
          return issue.keys.map((key) => ({
            field: formatPlanPath([...path, key]),
            message: `unknown field "${key}"${path.length === 2 && path[0] === 'transactions' ? ' (extra fields go in attributes)' : ''}`,
          }));
        return [{ field: formatPlanPath(path) || '(input)', message: issue.message }];
      }),
    };
  }
  const input = parsed.data as CompInput;
  const problems: Problem[] = [];
  const currency = input.currency ?? planCurrency ?? 'USD';
  if (planCurrency !== undefined && input.currency !== undefined && input.currency !== planCurrency)
    problems.push({
      field: 'currency',
      value: input.currency,
      message: `the plan pays in ${planCurrency}; the input must be in the same currency`,
    });
  const digits = currencyDigits(currency);
  const amount = (text: string | undefined, field: string) => {
    if (text !== undefined && !isMinorAmount(text, digits))
      problems.push({
        field,
        value: text,
        message: `${currency} amounts have at most ${digits} decimal places`,
      });
  };
  const range = (from: string | undefined, to: string | null | undefined, field: string) => {
    if (from !== undefined && to !== undefined && to !== null && to <= from)
      problems.push({ field, value: to, message: `must be after from (${from}); it is exclusive` });
  };
  input.transactions.forEach((t, i) => {
    amount(t.amount, `transactions[${i}].amount`);
    amount(t.margin, `transactions[${i}].margin`);
    t.collections?.forEach((c, j) => amount(c.amount, `transactions[${i}].collections[${j}].amount`));
    if (t.cancelled_on && t.cancelled_on < t.date)
      problems.push({
        field: `transactions[${i}].cancelled_on`,
        value: t.cancelled_on,
        message: `is before the transaction's date (${t.date})`,
      });
  });
  const ids = new Map<string, number>();
  input.transactions.forEach((t, i) => {
    const first = ids.get(t.id);
    if (first !== undefined)
      problems.push({
        field: `transactions[${i}].id`,
        value: t.id,
        message: `duplicate transaction id (also transactions[${first}])`,
      });
    else ids.set(t.id, i);
  });
  input.quotas?.forEach((q, i) => amount(q.amount, `quotas[${i}].amount`));
  input.adjustments?.forEach((a, i) => amount(a.amount, `adjustments[${i}].amount`));
  input.locked?.forEach((l, i) => {
    amount(l.earnings, `locked[${i}].earnings`);
    for (const [line, value] of Object.entries(l.lines ?? {})) amount(value, `locked[${i}].lines.${line}`);
  });
  input.carried?.forEach((c, i) => {
    amount(c.earned, `carried[${i}].earned`);
    amount(c.held, `carried[${i}].held`);
    if (!ids.has(c.transaction))
      problems.push({
        field: `carried[${i}].transaction`,
        value: c.transaction,
        message: 'names no transaction of the input (the deal must be in transactions)',
      });
  });
  const openingOf = new Map<string, number>();
  input.opening?.forEach((o, i) => {
    amount(o.draw_owed, `opening[${i}].draw_owed`);
    amount(o.balance_owed, `opening[${i}].balance_owed`);
    for (const [field, value] of [
      ['draw_owed', o.draw_owed],
      ['balance_owed', o.balance_owed],
    ] as const)
      if (value !== undefined && value.trim().startsWith('-'))
        problems.push({ field: `opening[${i}].${field}`, value, message: 'a balance owed is not negative' });
    const first = openingOf.get(o.payee);
    if (first !== undefined)
      problems.push({
        field: `opening[${i}].payee`,
        value: o.payee,
        message: `a second opening balance for this payee (also opening[${first}])`,
      });
    else openingOf.set(o.payee, i);
  });
  input.reporting?.forEach((r, i) => range(r.from, r.to, `reporting[${i}].to`));
  input.territories?.forEach((t, i) => range(t.from, t.to, `territories[${i}].to`));
  input.assignments?.forEach((a, i) => range(a.from, a.to, `assignments[${i}].to`));
  return problems.length > 0 ? { problems } : { input, problems: [] };
}
