import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pipelineAsOf } from '../snapshot/pipeline-as-of.ts';
import { lastChangeMs } from './last-change.ts';
import { RowHistory, endOfDayMs } from './row-history.ts';
import { baseDay, buildOrganisation, organisationSpec } from './testing/random-organisation.ts';

describe('RowHistory', () => {
  it('reads each deal as pipelineAsOf rebuilds it, on any day (property)', () => {
    fc.assert(
      fc.property(organisationSpec, fc.integer({ min: -5, max: 220 }), (spec, offset) => {
        const snapshot = buildOrganisation(spec).opportunities;
        const day = baseDay + offset;
        const pipeline = pipelineAsOf(snapshot, day);
        const history = new RowHistory(snapshot);
        for (let i = 0; i < pipeline.rowCount; i++) {
          const r = pipeline.row[i]!;
          history.read(r, endOfDayMs(day));
          expect([history.stage, history.amountMinor, history.closeOn, history.owner]).toEqual([
            pipeline.stage[i],
            pipeline.amountMinor[i],
            pipeline.closeOn[i],
            pipeline.owner[i],
          ]);
          expect(history.ownerBefore(r, endOfDayMs(day))).toBe(pipeline.owner[i]);
          const changed = snapshot.changes.offsets[r + 1]! > snapshot.changes.offsets[r]!;
          const last = changed
            ? snapshot.changes.changedAtMs[snapshot.changes.offsets[r + 1]! - 1]!
            : -Infinity;
          expect(history.changesAfter(r, endOfDayMs(day))).toBe(last >= endOfDayMs(day));
        }
        expect(lastChangeMs(snapshot)).toBe(lastChangeMs(snapshot));
      }),
      { numRuns: 60 },
    );
  });
});
