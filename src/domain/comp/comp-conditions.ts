/**
 * Plan expressions over the columns: each condition is evaluated at most once per transaction, and
 * in practice once per distinct value of the fields it reads (`evaluateKeyed` with the key read
 * from the column), into a Uint8Array the hot loops index. Expressions that read `payee` or
 * `credit` are evaluated per credit (keyed on the payee and rule as well). An expression that fails
 * on a transaction is an `expression_error` issue naming it, and the rule does not apply.
 */
import { fromDayNumber } from '../calendar/day-number.ts';
import type { CompColumns } from './comp-columns.ts';
import type { CompIssue } from './comp-types.ts';
import {
  compileExpression,
  type CompiledExpression,
  type DealView,
  type ExpressionVariables,
} from './plan-expressions.ts';

export const CREDIT_RULES = ['owner', 'split', 'overlay', 'rollup', 'territory'] as const;
export type CreditRuleName = (typeof CREDIT_RULES)[number];

const ISSUE_LIMIT = 200;

type FieldReader = (i: number) => number | string;

/** Evaluates plan expressions against the transaction columns, collecting issues. */
export class ExpressionRunner {
  readonly issues: CompIssue[] = [];
  private issueCount = 0;
  private readonly scale: number;

  constructor(private readonly columns: CompColumns) {
    this.scale = 10 ** columns.digits;
  }

  /** Compiles one plan expression; a compile failure is an issue and the expression never applies. */
  compile(source: string | undefined, path: string): CompiledExpression | undefined {
    if (source === undefined) return undefined;
    const { expression, problem } = compileExpression(source, path);
    if (!expression) {
      this.report({
        code: 'expression_error',
        message: `${path}: ${problem?.message ?? 'invalid expression'}`,
      });
      return undefined;
    }
    return expression;
  }

  /** Whether the expression reads the payee or the credit (then it is evaluated per credit). */
  static perCredit(expression: CompiledExpression): boolean {
    return expression.reads.some(
      (f) => f === 'payee' || f === 'credit' || f.startsWith('payee.') || f.startsWith('credit.'),
    );
  }

  /** The transaction as expressions see it. */
  dealView(i: number): DealView {
    const t = this.columns.transactions;
    const s = this.columns.strings;
    return {
      id: t.id[i]!,
      name: t.name[i]!,
      amount: t.amount[i]! / this.scale,
      margin_pct: t.marginPct[i]!,
      units: t.units[i]! / this.scale,
      type: s[t.type[i]!]!,
      product: s[t.product[i]!]!,
      product_family: s[t.productFamily[i]!]!,
      segment: s[t.segment[i]!]!,
      account: s[t.account[i]!]!,
      date: fromDayNumber(t.day[i]!),
      attributes: t.attributes.get(i) ?? {},
    };
  }

  /** The numeric column behind a field (string fields by dictionary code), when there is one. */
  private column(field: string): Int32Array | Float64Array | undefined {
    const t = this.columns.transactions;
    switch (field) {
      case 'deal.amount':
        return t.amount;
      case 'deal.margin_pct':
        return t.marginPct;
      case 'deal.units':
        return t.units;
      case 'deal.type':
        return t.type;
      case 'deal.product':
        return t.product;
      case 'deal.product_family':
        return t.productFamily;
      case 'deal.segment':
        return t.segment;
      case 'deal.account':
        return t.account;
      case 'deal.date':
        return t.day;
      default:
        return undefined;
    }
  }

  private reader(field: string): FieldReader | undefined {
    const t = this.columns.transactions;
    switch (field) {
      case 'deal.id':
        return (i) => i;
      case 'deal.name':
        return (i) => t.name[i]!;
      case 'deal.amount':
        return (i) => t.amount[i]!;
      case 'deal.margin_pct':
        return (i) => t.marginPct[i]!;
      case 'deal.units':
        return (i) => t.units[i]!;
      case 'deal.type':
        return (i) => t.type[i]!;
      case 'deal.product':
        return (i) => t.product[i]!;
      case 'deal.product_family':
        return (i) => t.productFamily[i]!;
      case 'deal.segment':
        return (i) => t.segment[i]!;
      case 'deal.account':
        return (i) => t.account[i]!;
      case 'deal.date':
        return (i) => t.day[i]!;
      default:
        return undefined;
    }
  }

  /** The memo key of an expression for a transaction (and payee/rule), read from the columns. */
  private keyFunction(
    expression: CompiledExpression,
  ): ((i: number, payee: number, rule: number) => unknown) | undefined {
    if (!expression.memoisable) return undefined;
    const parts: ((i: number, payee: number, rule: number) => number | string)[] = [];
    for (const field of expression.reads) {
      if (field === 'payee.id') parts.push((_i, p) => p);
      else if (field === 'payee.role') parts.push((_i, p) => this.columns.payeeRoles[p] ?? '');
      else if (field === 'credit.rule') parts.push((_i, _p, r) => r);
      else if (field.startsWith('payee.') || field.startsWith('credit.')) parts.push(() => 0);
      else {
        const read = this.reader(field);
        if (!read) return undefined;
        parts.push((i) => read(i));
      }
    }
    if (parts.length === 0) return () => 0;
    if (parts.length === 1) {
      const only = parts[0]!;
      return only;
    }
    return (i, p, r) => {
      let key = '';
      for (const part of parts) key += `${String(part(i, p, r))}\u0000`;
      return key;
    };
  }

  private variables(i: number, payee: number, rule: number): ExpressionVariables {
    return {
      deal: this.dealView(i),
      payee: { id: this.columns.payeeIds[payee] ?? '', role: this.columns.payeeRoles[payee] ?? '' },
      credit: { rule: CREDIT_RULES[rule] ?? 'owner' },
    };
  }

  private report(issue: CompIssue): void {
    this.issueCount += 1;
    if (this.issues.length < ISSUE_LIMIT) this.issues.push(issue);
  }

  /** Issues, with a summary of those left out beyond the limit. */
  allIssues(): CompIssue[] {
    if (this.issueCount <= this.issues.length) return this.issues;
    return [
      ...this.issues,
      {
        code: 'expression_error',
        message: `${this.issueCount - this.issues.length} more expression errors are not listed`,
      },
    ];
  }

  private failed(expression: CompiledExpression, i: number, message: string): void {
    this.report({
      code: 'expression_error',
      message: `${expression.path} (${expression.source}) failed on transaction ${this.columns.transactions.id[i]}: ${message}`,
      transaction: this.columns.transactions.id[i]!,
    });
  }

  /**
   * A condition for transactions [from, to): out[i] = 1 when true. Keyed on the column values of
   * the fields it reads, so each distinct value is evaluated once.
   */
  conditionPerTransaction(expression: CompiledExpression, from: number, to: number, out: Uint8Array): void {
    const column =
      expression.memoisable && expression.reads.length === 1 ? this.column(expression.reads[0]!) : undefined;
    if (column) {
      // one field read from a column: one evaluation per distinct value, looked up without a Map
      const evaluate = (i: number): number => {
        try {
          const result = expression.evaluateKeyed(column[i], () => this.variables(i, 0, 0));
          if (typeof result !== 'boolean') throw new Error(`expected true or false, got ${typeof result}`);
          return result ? 1 : 0;
        } catch (error) {
          this.failed(expression, i, error instanceof Error ? error.message : String(error));
          return 2;
        }
      };
      const cache = new ValueCache();
      for (let i = from; i < to; i++) {
        let value = cache.get(column[i]!);
        if (value < 0) {
          value = evaluate(i);
          // a failure is reported for every transaction it touches, so it is not cached
          if (value !== 2) cache.set(column[i]!, value);
        }
        out[i] = value === 1 ? 1 : 0;
      }
      return;
    }
    const key = this.keyFunction(expression);
    let lastKey: unknown = undefined;
    let lastValue = 0;
    let hasLast = false;
    for (let i = from; i < to; i++) {
      const k = key ? key(i, 0, 0) : undefined;
      if (hasLast && key && k === lastKey) {
        out[i] = lastValue;
        continue;
      }
      let value = 0;
      try {
        const result = expression.evaluateKeyed(k, () => this.variables(i, 0, 0));
        if (typeof result !== 'boolean') throw new Error(`expected true or false, got ${typeof result}`);
        value = result ? 1 : 0;
      } catch (error) {
        this.failed(expression, i, error instanceof Error ? error.message : String(error));
        value = 0;
      }
      out[i] = value;
      lastKey = k;
      lastValue = value;
      hasLast = key !== undefined;
    }
  }

  /**
   * Several conditions that read the same single column, as bits of one mask per transaction:
   * `out[i] |= bits[k]` when condition k holds, with one lookup per transaction for all of them
   * (each distinct value evaluated once). Returns false when they do not all read one column or one
   * fails on a value (`out` may then be partly written: the caller clears it and evaluates them one
   * by one, which reports the failures).
   */
  masksPerTransaction(
    expressions: CompiledExpression[],
    bits: number[],
    from: number,
    to: number,
    out: Uint8Array | Uint16Array,
  ): boolean {
    const field = expressions[0]?.reads[0];
    if (field === undefined) return false;
    for (const expression of expressions)
      if (!expression.memoisable || expression.reads.length !== 1 || expression.reads[0] !== field)
        return false;
    const column = this.column(field);
    if (!column) return false;
    const cache = new ValueCache();
    let lastKey = NaN;
    let lastMask = 0;
    for (let i = from; i < to; i++) {
      const key = column[i]!;
      if (key !== lastKey) {
        let mask = cache.get(key);
        if (mask < 0) {
          mask = 0;
          for (let k = 0; k < expressions.length; k++) {
            let result: unknown;
            try {
              result = expressions[k]!.evaluateKeyed(key, () => this.variables(i, 0, 0));
            } catch {
              return false;
            }
            if (typeof result !== 'boolean') return false;
            if (result) mask |= bits[k]!;
          }
          cache.set(key, mask);
        }
        lastKey = key;
        lastMask = mask;
      }
      out[i]! |= lastMask;
    }
    return true;
  }

  /** A condition for one credit (expressions that read `payee` or `credit`). */
  conditionForCredit(expression: CompiledExpression, i: number, payee: number, rule: number): boolean {
    const key = this.keyFunction(expression);
    try {
      const result = expression.evaluateKeyed(key ? key(i, payee, rule) : undefined, () =>
        this.variables(i, payee, rule),
      );
      if (typeof result !== 'boolean') throw new Error(`expected true or false, got ${typeof result}`);
      return result;
    } catch (error) {
      this.failed(expression, i, error instanceof Error ? error.message : String(error));
      return false;
    }
  }

  /** A key expression (rate_table.key) for transactions [from, to): out[i] = code into `values` (-1 on failure). */
  keyPerTransaction(
    expression: CompiledExpression,
    from: number,
    to: number,
    out: Int32Array,
    values: string[],
  ): void {
    const key = this.keyFunction(expression);
    const index = new Map<string, number>(values.map((v, k) => [v, k]));
    for (let i = from; i < to; i++) {
      let code = -1;
      try {
        const result = expression.evaluateKeyed(key ? key(i, 0, 0) : undefined, () =>
          this.variables(i, 0, 0),
        );
        const text = typeof result === 'string' ? result : String(result);
        let c = index.get(text);
        if (c === undefined) {
          c = values.length;
          values.push(text);
          index.set(text, c);
        }
        code = c;
      } catch (error) {
        this.failed(expression, i, error instanceof Error ? error.message : String(error));
      }
      out[i] = code;
    }
  }
}

/** A small open-addressing hash map from numbers to a result 0..127 (-1 when absent), on typed arrays. */
class ValueCache {
  private keys = new Float64Array(1024);
  private values = new Int16Array(1024).fill(-1);
  private size = 0;
  private readonly view = new Float64Array(1);
  private readonly bits = new Int32Array(this.view.buffer);

  private shift = 22;

  private slot(key: number, keys: Float64Array, values: Int16Array): number {
    this.view[0] = key;
    const mask = keys.length - 1;
    // Fibonacci hashing: the high bits of the product mix every bit of the double
    let h = Math.imul(this.bits[0]! ^ Math.imul(this.bits[1]!, 0x27d4eb2d), 0x9e3779b1) >>> this.shift;
    while (values[h] !== -1 && keys[h] !== key) h = (h + 1) & mask;
    return h;
  }

  get(key: number): number {
    return this.values[this.slot(key, this.keys, this.values)]!;
  }

  set(key: number, value: number): void {
    if ((this.size + 1) * 2 > this.keys.length) {
      const oldKeys = this.keys;
      const oldValues = this.values;
      this.keys = new Float64Array(oldKeys.length * 2);
      this.values = new Int16Array(oldKeys.length * 2).fill(-1);
      this.shift -= 1;
      for (let k = 0; k < oldKeys.length; k++)
        if (oldValues[k] !== -1) {
          const h = this.slot(oldKeys[k]!, this.keys, this.values);
          this.keys[h] = oldKeys[k]!;
          this.values[h] = oldValues[k]!;
        }
    }
    const h = this.slot(key, this.keys, this.values);
    if (this.values[h] === -1) this.size++;
    this.keys[h] = key;
    this.values[h] = value;
  }
}
