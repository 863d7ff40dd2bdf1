/**
 * Forecast submissions and their roll-up through the hierarchy (docs/forecasting.md §Submissions).
 * A submission is a position's call for a period in four cumulative categories: commit ⊆ most
 * likely ⊆ best case ⊆ pipeline, so each number includes the one before it. A rep's call covers
 * their own deals; a manager's call covers their team and overrides the roll-up of their reports'
 * calls. Every version is kept; the roll-up uses each position's latest one. Pure: plain data in,
 * plain data out. Amounts are integer minor units of one currency.
 */
import type { Problem } from '../errors.ts';
import type { ForecastCategory } from '../vocabulary.ts';

/** The categories of a call, narrowest first: each includes the ones before it. */
export const submissionCategories = ['commit', 'mostLikely', 'bestCase', 'pipeline'] as const;
export type SubmissionCategory = (typeof submissionCategories)[number];

export type ForecastCall = {
  commitMinor: number;
  mostLikelyMinor: number;
  bestCaseMinor: number;
  pipelineMinor: number;
};

export type SubmissionVersion = ForecastCall & {
  positionId: number;
  /** 1 for the first submission of the position for the period, then 2, 3, ... */
  version: number;
  note: string | null;
  submittedAt: string;
  submittedBy: string;
};

/** A seat in the hierarchy on the roll-up's day. */
export type ForecastNode = {
  positionId: number;
  parentId: number | null;
  personId: number | null;
  name: string;
};

export type RollUpRow = {
  positionId: number;
  /** Σ of the children's calls (the positions reporting to this one that have a call); null for none. */
  rollUp: ForecastCall | null;
  /** The call that counts for this position: its own latest submission, else its roll-up. */
  call: ForecastCall | null;
  source: 'own' | 'roll_up' | 'none';
  own: SubmissionVersion | null;
  /** Own most-likely minus the roll-up's, when both exist (what the manager's judgement changed). */
  overrideMinor: number | null;
  children: number[];
  /** Children with a call / all children. */
  childrenWithCall: number;
};

const fieldOf: Record<SubmissionCategory, keyof ForecastCall> = {
  commit: 'commitMinor',
  mostLikely: 'mostLikelyMinor',
  bestCase: 'bestCaseMinor',
  pipeline: 'pipelineMinor',
};

/**
 * Problems of a call: each amount a whole, non-negative number of minor units, and the categories
 * cumulative (commit ≤ most likely ≤ best case ≤ pipeline), each problem naming its field.
 */
export function checkForecastCall(call: ForecastCall): Problem[] {
  const problems: Problem[] = [];
  for (const category of submissionCategories) {
    const value = call[fieldOf[category]];
    if (!Number.isSafeInteger(value) || value < 0)
      problems.push({ field: category, value: String(value), message: 'must be an amount of 0 or more' });
  }
  if (problems.length > 0) return problems;
  for (let i = 1; i < submissionCategories.length; i++) {
    const narrower = submissionCategories[i - 1]!;
    const wider = submissionCategories[i]!;
    if (call[fieldOf[wider]] < call[fieldOf[narrower]])
      problems.push({
        field: wider,
        value: String(call[fieldOf[wider]]),
        message: `must be at least ${narrower} (categories are cumulative: ${narrower} is part of ${wider})`,
      });
  }
  return problems;
}

/**
 * The call a set of deals suggests from their CRM forecast categories, revenue closed so far
 * included in every category: commit = closed + commit deals; most likely = commit (the rep's own
 * judgement moves it); best case = commit + best-case deals; pipeline = best case + pipeline deals.
 * Cumulative by construction: adding a deal to any category never lowers a wider one.
 */
export function callFromCategories(
  closedMinor: number,
  deals: readonly { amountMinor: number; category: ForecastCategory | null }[],
): ForecastCall {
  let commit = 0;
  let bestCase = 0;
  let pipeline = 0;
  for (const deal of deals) {
    const amount = Math.max(0, Math.round(deal.amountMinor));
    if (deal.category === 'commit' || deal.category === 'closed') commit += amount;
    else if (deal.category === 'best_case') bestCase += amount;
    else if (deal.category === 'pipeline' || deal.category === null) pipeline += amount;
    // 'omitted' deals are in no category.
  }
  const closed = Math.max(0, Math.round(closedMinor));
  return {
    commitMinor: closed + commit,
    mostLikelyMinor: closed + commit,
    bestCaseMinor: closed + commit + bestCase,
    pipelineMinor: closed + commit + bestCase + pipeline,
  };
}

function addCall(sum: ForecastCall, call: ForecastCall): void {
  sum.commitMinor += call.commitMinor;
  sum.mostLikelyMinor += call.mostLikelyMinor;
  sum.bestCaseMinor += call.bestCaseMinor;
  sum.pipelineMinor += call.pipelineMinor;
}

function callOf(version: SubmissionVersion): ForecastCall {
  return {
    commitMinor: version.commitMinor,
    mostLikelyMinor: version.mostLikelyMinor,
    bestCaseMinor: version.bestCaseMinor,
    pipelineMinor: version.pipelineMinor,
  };
}

/** Each position's latest version (the highest version number) among the versions given. */
export function latestVersions(versions: readonly SubmissionVersion[]): Map<number, SubmissionVersion> {
  const latest = new Map<number, SubmissionVersion>();
  for (const v of versions) {
    const before = latest.get(v.positionId);
    if (!before || v.version > before.version) latest.set(v.positionId, v);
  }
  return latest;
}

/**
 * Rolls the calls up the tree: a position's roll-up is the sum of its children's calls, and its
 * call is its own latest submission (an override of the roll-up, for a manager) or else the
 * roll-up. A position without a call of its own or below it has none. Cycles are refused by the
 * store; here a position is visited once.
 */
export function rollUpForecast(
  nodes: readonly ForecastNode[],
  latest: ReadonlyMap<number, SubmissionVersion>,
): Map<number, RollUpRow> {
  const children = new Map<number, number[]>();
  const known = new Set(nodes.map((n) => n.positionId));
  for (const node of nodes) {
    if (node.parentId === null || !known.has(node.parentId)) continue;
    const list = children.get(node.parentId) ?? [];
    list.push(node.positionId);
    children.set(node.parentId, list);
  }
  const rows = new Map<number, RollUpRow>();
  const visiting = new Set<number>();
  const visit = (positionId: number): RollUpRow => {
    const done = rows.get(positionId);
    if (done) return done;
    visiting.add(positionId);
    const kids = (children.get(positionId) ?? []).filter((k) => !visiting.has(k)).sort((a, b) => a - b);
    let rollUp: ForecastCall | null = null;
    let withCall = 0;
    for (const kid of kids) {
      const row = visit(kid);
      if (!row.call) continue;
      withCall++;
      rollUp ??= { commitMinor: 0, mostLikelyMinor: 0, bestCaseMinor: 0, pipelineMinor: 0 };
      addCall(rollUp, row.call);
    }
    const own = latest.get(positionId) ?? null;
    const row: RollUpRow = {
      positionId,
      rollUp,
      call: own ? callOf(own) : rollUp,
      source: own ? 'own' : rollUp ? 'roll_up' : 'none',
      own,
      overrideMinor: own && rollUp ? own.mostLikelyMinor - rollUp.mostLikelyMinor : null,
      children: kids,
      childrenWithCall: withCall,
    };
    visiting.delete(positionId);
    rows.set(positionId, row);
    return row;
  };
  for (const node of nodes) visit(node.positionId);
  return rows;
}
