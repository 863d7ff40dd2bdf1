import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromDayNumber } from '../calendar/day-number.ts';
import { NULL_CODE, NULL_DAY } from '../snapshot/columns.ts';
import { buildOpportunitySnapshot } from '../snapshot/build-opportunity-snapshot.ts';
import type { OpportunitySnapshot } from '../snapshot/opportunity-snapshot.ts';
import { candidateRows, type RowNeeds } from './opportunity-row-index.ts';
import { RowHistory, endOfDayMs } from './row-history.ts';
import { baseDay, buildOrganisation, organisationSpec, randomStages } from './testing/random-organisation.ts';

/** The rows a family can count, by walking every row (the rule the index must never undercut). */
function bruteForce(s: OpportunitySnapshot, needs: RowNeeds): Set<number> {
  const out = new Set<number>();
  const history = new RowHistory(s);
  for (let r = 0; r < s.rowCount; r++) {
    const closedOn = s.closedOn[r]!;
    if (
      needs.closed &&
      (closedOn === NULL_DAY || (closedOn >= needs.closed.from && closedOn < needs.closed.to))
    )
      out.add(r);
    const created = s.createdOn[r]!;
    if (needs.created && created !== NULL_DAY && created >= needs.created.from && created < needs.created.to)
      out.add(r);
    if (needs.openAsOf !== undefined) {
      const asOf = needs.openAsOf;
      history.read(r, endOfDayMs(asOf));
      const stage = history.stage;
      const category = stage === NULL_CODE ? null : s.stageCategory[stage];
      const closedByStage =
        category === null || category === undefined ? s.isClosed[r] === 1 : category !== 'open';
      const closed = !(closedOn !== NULL_DAY && closedOn > asOf) && closedByStage;
      if (!closed) out.add(r);
    }
  }
  return out;
}

const range = fc
  .tuple(fc.integer({ min: -20, max: 220 }), fc.integer({ min: 1, max: 150 }))
  .map(([start, length]) => ({ from: baseDay + start, to: baseDay + start + length }));
const needsArbitrary = fc.record(
  {
    closed: range,
    created: range,
    openAsOf: fc.integer({ min: -20, max: 220 }).map((d) => baseDay + d),
  },
  { requiredKeys: [] },
);

describe('candidateRows', () => {
  it('holds every row any requested family can count, each once', () => {
    fc.assert(
      fc.property(organisationSpec, needsArbitrary, (spec, needs) => {
        const s = buildOrganisation(spec).opportunities;
        const rows = [...candidateRows(s, needs)];
        expect(new Set(rows).size).toBe(rows.length);
        const given = new Set(rows);
        for (const r of bruteForce(s, needs)) expect(given.has(r)).toBe(true);
        // Nothing outside the union of the families either (the point of the index).
        const wanted = bruteForce(s, needs);
        for (const r of rows) {
          // The open family's candidates are a superset: rows without closed_on, closed after the
          // day or changed after it may still be closed as of the day.
          const closedOn = s.closedOn[r]!;
          const openCandidate =
            needs.openAsOf !== undefined &&
            (closedOn === NULL_DAY ||
              closedOn > needs.openAsOf ||
              new RowHistory(s).changesAfter(r, endOfDayMs(needs.openAsOf)));
          expect(wanted.has(r) || openCandidate).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('gives an open-by-stage row with a closed_on to the open family (inconsistent data)', () => {
    const day = baseDay + 10;
    const iso = fromDayNumber(day);
    const s = buildOpportunitySnapshot({
      stages: randomStages,
      opportunities: [
        // closed_on set, yet in an open stage, no history: open by its stage.
        { id: 1, stage: 'Proposal', createdOn: '2024-01-01', closedOn: iso, amountMinor: 500 },
        // closed properly on the day.
        {
          id: 2,
          stage: 'Closed Won',
          createdOn: '2024-01-01',
          closedOn: iso,
          amountMinor: 700,
          isClosed: true,
          isWon: true,
        },
      ],
    });
    expect([...candidateRows(s, { openAsOf: day + 5 })]).toEqual([0]);
    expect([...candidateRows(s, { closed: { from: day, to: day + 1 } })].sort()).toEqual([0, 1]);
    expect([...candidateRows(s, { closed: { from: day + 1, to: day + 9 } })]).toEqual([]);
  });
});
