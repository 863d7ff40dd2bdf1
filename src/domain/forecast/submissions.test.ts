import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forecastCategories } from '../vocabulary.ts';
import {
  callFromCategories,
  checkForecastCall,
  latestVersions,
  rollUpForecast,
  type ForecastCall,
  type ForecastNode,
  type SubmissionVersion,
} from './submissions.ts';

const call = (commit: number, mostLikely: number, bestCase: number, pipeline: number): ForecastCall => ({
  commitMinor: commit,
  mostLikelyMinor: mostLikely,
  bestCaseMinor: bestCase,
  pipelineMinor: pipeline,
});

const version = (positionId: number, v: number, numbers: ForecastCall, note: string | null = null) =>
  ({
    positionId,
    version: v,
    note,
    submittedAt: `2026-01-0${v}T00:00:00.000Z`,
    submittedBy: 'someone',
    ...numbers,
  }) satisfies SubmissionVersion;

describe('checkForecastCall', () => {
  it('accepts cumulative categories and refuses a wider category below a narrower one, naming it', () => {
    expect(checkForecastCall(call(10, 20, 20, 30))).toEqual([]);
    const problems = checkForecastCall(call(50, 40, 60, 55));
    expect(problems.map((p) => p.field)).toEqual(['mostLikely', 'pipeline']);
    expect(problems[0]!.message).toContain('at least commit');
  });

  it('refuses negative and fractional amounts', () => {
    expect(checkForecastCall(call(-1, 0, 0.5, 0)).map((p) => p.field)).toEqual(['commit', 'bestCase']);
  });
});

describe('callFromCategories', () => {
  it('adds closed revenue to every category and each category to the wider ones', () => {
    const result = callFromCategories(100, [
      { amountMinor: 10, category: 'commit' },
      { amountMinor: 20, category: 'best_case' },
      { amountMinor: 40, category: 'pipeline' },
      { amountMinor: 80, category: 'omitted' },
    ]);
    expect(result).toEqual(call(110, 110, 130, 170));
  });

  it('never lets a wider category shrink: cumulative for any deals, and adding a deal never lowers one', () => {
    const deal = fc.record({
      amountMinor: fc.integer({ min: 0, max: 1e9 }),
      category: fc.constantFrom(...forecastCategories, null),
    });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.array(deal), deal, (closed, deals, extra) => {
        const before = callFromCategories(closed, deals);
        expect(checkForecastCall(before)).toEqual([]);
        const after = callFromCategories(closed, [...deals, extra]);
        expect(after.commitMinor).toBeGreaterThanOrEqual(before.commitMinor);
        expect(after.bestCaseMinor).toBeGreaterThanOrEqual(before.bestCaseMinor);
        expect(after.pipelineMinor).toBeGreaterThanOrEqual(before.pipelineMinor);
      }),
    );
  });
});

describe('rollUpForecast', () => {
  // VP 1 ← managers 2, 3 ← reps 4, 5 (under 2) and 6 (under 3).
  const nodes: ForecastNode[] = [
    { positionId: 1, parentId: null, personId: 11, name: 'VP' },
    { positionId: 2, parentId: 1, personId: 12, name: 'Manager A' },
    { positionId: 3, parentId: 1, personId: 13, name: 'Manager B' },
    { positionId: 4, parentId: 2, personId: 14, name: 'Rep 4' },
    { positionId: 5, parentId: 2, personId: 15, name: 'Rep 5' },
    { positionId: 6, parentId: 3, personId: 16, name: 'Rep 6' },
  ];

  it('sums the reps’ latest calls to their manager and the managers’ calls to the VP', () => {
    const rows = rollUpForecast(
      nodes,
      latestVersions([
        version(4, 1, call(10, 10, 10, 10)),
        version(4, 2, call(10, 20, 30, 40)),
        version(5, 1, call(1, 2, 3, 4)),
        version(6, 1, call(100, 100, 200, 300)),
      ]),
    );
    expect(rows.get(2)!.rollUp).toEqual(call(11, 22, 33, 44));
    expect(rows.get(2)!.source).toBe('roll_up');
    expect(rows.get(1)!.rollUp).toEqual(call(111, 122, 233, 344));
    expect(rows.get(1)!.childrenWithCall).toBe(2);
  });

  it('a manager’s override replaces their roll-up in the roll-up above, and says by how much', () => {
    const rows = rollUpForecast(
      nodes,
      latestVersions([
        version(4, 1, call(10, 20, 30, 40)),
        version(5, 1, call(1, 2, 3, 4)),
        version(6, 1, call(100, 100, 200, 300)),
        version(2, 1, call(15, 30, 40, 50), 'Acme slips to next quarter'),
      ]),
    );
    expect(rows.get(2)!.source).toBe('own');
    expect(rows.get(2)!.overrideMinor).toBe(30 - 22);
    expect(rows.get(1)!.rollUp).toEqual(call(115, 130, 240, 350));
  });

  it('a position with no call of its own or below it has none, and is not counted', () => {
    const rows = rollUpForecast(nodes, latestVersions([version(6, 1, call(5, 5, 5, 5))]));
    expect(rows.get(2)!.call).toBeNull();
    expect(rows.get(1)!.rollUp).toEqual(call(5, 5, 5, 5));
    expect(rows.get(1)!.childrenWithCall).toBe(1);
  });
});
