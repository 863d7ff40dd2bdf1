/**
 * Reads a plan's text (YAML or JSON; JSON is read by the same YAML 1.2 parser, so both give line
 * numbers) and validates it against the plan schema (plan-document.ts). Every problem is reported
 * at once, each with its path and, where the text has one, the line of the offending node, so an
 * admin can go straight to it: `line 14, components[0].tiers.bands[2].rate: expected a rate`.
 * Cross-references and expressions are checked afterwards by `checkPlan`.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { Problem } from '../errors.ts';
import { checkPlan } from './check-plan.ts';
import { formatPlanPath, planDocumentSchema, type PlanDocument } from './plan-document.ts';

type PathKey = string | number;

/** Parses YAML or JSON plan text; the plan is returned only when it has no schema problem. */
export function parsePlanText(text: string, fileName?: string): { plan?: PlanDocument; problems: Problem[] } {
  const { plan, problems } = parseDocumentText(text, fileName);
  return plan ? { plan, problems } : { problems };
}

/**
 * Parses and checks plan text: schema problems, then (when the shape is valid) `checkPlan`'s
 * cross-reference and expression problems, each located on its line. The plan is returned only
 * when there is no problem at all.
 */
export function readPlanText(text: string, fileName?: string): { plan?: PlanDocument; problems: Problem[] } {
  const parsed = parseDocumentText(text, fileName);
  if (!parsed.plan || !parsed.doc || !parsed.lineCounter) return { problems: parsed.problems };
  const { doc, lineCounter } = parsed;
  const problems = checkPlan(parsed.plan).map((problem) => ({
    ...(fileName === undefined ? {} : { file: fileName }),
    ...lineOf(doc, lineCounter, parsePlanPath(problem.field ?? ''), false),
    ...problem,
  }));
  return problems.length > 0 ? { problems } : { plan: parsed.plan, problems: [] };
}

/**
 * Reads YAML or JSON data other than a plan (a simulate input file) with the same line tracking:
 * the value, syntax problems, and a function giving the line of a path in the text.
 */
export function readDataText(
  text: string,
  fileName?: string,
): { value?: unknown; problems: Problem[]; lineOfPath: (path: readonly PathKey[]) => number | undefined } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const problems = syntaxProblems(doc, fileName);
  return {
    ...(problems.length === 0 ? { value: doc.toJS({ maxAliasCount: 100 }) as unknown } : {}),
    problems,
    lineOfPath: (path) => lineOf(doc, lineCounter, path, false).line,
  };
}

/** `components[0].multipliers[1].when` → ['components', 0, 'multipliers', 1, 'when']. */
export function parsePlanPath(field: string): PathKey[] {
  const path: PathKey[] = [];
  for (const match of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (match[2] !== undefined) path.push(Number(match[2]));
    else if (match[1] !== undefined && !match[1].startsWith('(')) path.push(match[1]);
  }
  return path;
}

function parseDocumentText(
  text: string,
  fileName?: string,
): { plan?: PlanDocument; problems: Problem[]; doc?: Document; lineCounter?: LineCounter } {
  const file = fileName === undefined ? {} : { file: fileName };
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) return { problems: syntaxProblems(doc, fileName) };
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  if (value === null || value === undefined) {
    return { problems: [{ ...file, line: 1, field: '(plan)', message: 'the plan is empty' }] };
  }
  const parsed = planDocumentSchema.safeParse(value);
  if (parsed.success) return { plan: parsed.data, problems: [], doc, lineCounter };
  const problems: Problem[] = [];
  for (const issue of parsed.error.issues) {
    const path = issue.path.filter((k): k is PathKey => typeof k === 'string' || typeof k === 'number');
    // An unknown field is named itself (a misspelt `multiplers:`), on its own line.
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const keyPath = [...path, key];
        problems.push({
          ...file,
          ...lineOf(doc, lineCounter, keyPath, true),
          field: formatPlanPath(keyPath),
          message: `unknown field "${key}"`,
        });
      }
      continue;
    }
    problems.push({
      ...file,
      ...lineOf(doc, lineCounter, path, false),
      field: formatPlanPath(path) || '(plan)',
      message: issue.message,
    });
  }
  return { problems };
}

function syntaxProblems(doc: Document, fileName: string | undefined): Problem[] {
  return doc.errors.map((error) => {
    const position = error.linePos?.[0];
    return {
      ...(fileName === undefined ? {} : { file: fileName }),
      ...(position ? { line: position.line } : {}),
      field: '(syntax)',
      message: `${syntaxMessage(error.message)}${position ? ` (column ${position.col})` : ''}`,
    };
  });
}

/** The YAML library's message without its own position and excerpt (we report the line apart). */
function syntaxMessage(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return first.replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * The 1-based line of the node at `path`, or of its nearest existing ancestor when the node is
 * missing (a required field left out is reported on the object that lacks it). With `atKey`, the
 * line of the key itself (for unknown fields).
 */
function lineOf(
  doc: Document,
  lineCounter: LineCounter,
  path: readonly PathKey[],
  atKey: boolean,
): { line?: number } {
  for (let depth = path.length; depth >= 0; depth--) {
    const prefix = path.slice(0, depth);
    if (atKey && depth === path.length && depth > 0) {
      const parent = prefix.length > 1 ? doc.getIn(prefix.slice(0, -1), true) : doc.contents;
      const key = prefix[prefix.length - 1];
      if (isMap(parent)) {
        const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
        const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
        if (range) return { line: lineCounter.linePos(range[0]).line };
      }
      continue;
    }
    const node = depth === 0 ? doc.contents : doc.getIn(prefix, true);
    if (node && (isScalar(node) || isMap(node) || isSeq(node)) && node.range) {
      return { line: lineCounter.linePos(node.range[0]).line };
    }
  }
  return {};
}
