/**
 * The plan language's expressions: CEL (docs/plans.md "Expressions"), through
 * @marcbachmann/cel-js. Each expression is parsed and type-checked once per run (`compileExpression`),
 * never per row. Evaluation is memoised on the values of the fields the expression reads, so a
 * condition over `deal.margin_pct` and `deal.type` runs once per distinct pair, not once per
 * transaction — plans read few fields with few distinct values.
 */
import { Environment } from '@marcbachmann/cel-js';
import type { Problem } from '../errors.ts';

/** The variables a plan expression may read (docs/plans.md "Expressions"). */
export type ExpressionVariables = {
  deal: DealView;
  payee?: { id: string; role: string };
  credit?: { rule: string };
};

/** A transaction as expressions see it: money in major units as a double (conditions only, never pay). */
export type DealView = {
  id: string;
  name: string;
  amount: number;
  margin_pct: number;
  units: number;
  type: string;
  product: string;
  product_family: string;
  segment: string;
  account: string;
  date: string;
  attributes: Record<string, string | number | boolean | null>;
};

export type CompiledExpression = {
  source: string;
  /** Where it sits in the plan, for issues: `components[0].multipliers[1].when`. */
  path: string;
  /** The `deal.` fields it reads (memo key); `payee`/`credit` when it reads those. */
  reads: string[];
  /** Whether results can be memoised on the values of `reads` (false when it reads a whole map). */
  memoisable: boolean;
  /** Evaluates; throws an Error with a message when the expression fails on these values. */
  evaluate: (variables: ExpressionVariables) => unknown;
  /**
   * The columnar fast path: the caller computes the memo key itself (the value of the single field
   * in `reads`, or the values joined as `memoKey` does) and builds the variables only on a miss.
   */
  evaluateKeyed: (key: unknown, variables: () => ExpressionVariables) => unknown;
};

const environment = new Environment()
  .registerVariable('deal', 'map')
  .registerVariable('payee', 'map')
  .registerVariable('credit', 'map');

const MEMO_LIMIT = 100_000;

/** Parses and checks one expression; a problem names its path and the CEL message (with the column). */
export function compileExpression(
  source: string,
  path: string,
): { expression?: CompiledExpression; problem?: Problem } {
  let program: (context: Record<string, unknown>) => unknown;
  try {
    program = environment.parse(source) as unknown as (context: Record<string, unknown>) => unknown;
    const checked = environment.check(source) as { valid: boolean; error?: Error };
    if (!checked.valid) throw checked.error ?? new Error('invalid expression');
  } catch (error) {
    return { problem: { field: path, value: source, message: celMessage(error) } };
  }
  const reads = readFields(source);
  const memo = new Map<unknown, { value?: unknown; error?: string }>();
  const memoisable = !reads.some(
    (f) => f === 'deal' || f === 'payee' || f === 'credit' || f === 'deal.attributes',
  );
  const parts = reads.map((f) => f.split('.') as [keyof ExpressionVariables, string]);
  const valueOf = (v: ExpressionVariables, [root, name]: [keyof ExpressionVariables, string]): unknown =>
    (v[root] as Record<string, unknown> | undefined)?.[name];
  // One field: its value is the key; several: their values joined (typed, so 1 and "1" differ).
  const memoKey = (v: ExpressionVariables): unknown => {
    if (!memoisable) return undefined;
    if (parts.length === 1) return valueOf(v, parts[0]!);
    let key = '';
    for (const part of parts) {
      const value = valueOf(v, part);
      key += `${typeof value === 'string' ? 's' : 'n'}${String(value)}\u0000`;
    }
    return key;
  };
  return {
    expression: {
      source,
      path,
      reads,
      memoisable,
      evaluate(variables) {
        return this.evaluateKeyed(memoisable ? memoKey(variables) : undefined, () => variables);
      },
      evaluateKeyed(key, variables) {
        const hit = memoisable ? memo.get(key) : undefined;
        if (hit) {
          if (hit.error !== undefined) throw new Error(hit.error);
          return hit.value;
        }
        let outcome: { value?: unknown; error?: string };
        try {
          outcome = { value: program(variables() as unknown as Record<string, unknown>) };
        } catch (error) {
          outcome = { error: celMessage(error) };
        }
        if (memoisable && memo.size < MEMO_LIMIT) memo.set(key, outcome);
        if (outcome.error !== undefined) throw new Error(outcome.error);
        return outcome.value;
      },
    },
  };
}

/** Evaluates a condition: true only for a CEL `true` (anything else is a failure the caller reports). */
export function evaluateCondition(expression: CompiledExpression, variables: ExpressionVariables): boolean {
  const value = expression.evaluate(variables);
  if (typeof value !== 'boolean')
    throw new Error(`expected true or false, got ${typeof value === 'bigint' ? 'an integer' : typeof value}`);
  return value;
}

/** The `deal.x`, `payee.x`, `credit.x` fields an expression names (a whole root when used bare). */
function readFields(source: string): string[] {
  const withoutStrings = source.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  const fields = new Set<string>();
  for (const match of withoutStrings.matchAll(
    /\b(deal|payee|credit)\b(?:\s*\.\s*([A-Za-z_][A-Za-z0-9_]*))?/g,
  )) {
    fields.add(match[2] === undefined ? match[1]! : `${match[1]}.${match[2]}`);
  }
  return [...fields].sort();
}

/** The CEL library's message: first line, plus the caret line when present. */
function celMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const caret = lines.findIndex((l) => l.trim() === '^');
  const first = lines[0] ?? 'invalid expression';
  if (caret > 0) {
    const column = lines[caret]!.indexOf('^') - (lines[caret - 1]!.indexOf('|') + 2) + 1;
    return `${first} (column ${column})`;
  }
  return first;
}
