import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toDayNumber } from '../calendar/day-number.ts';
import { evaluateMetrics } from './evaluate-metrics.ts';
import { findMetricDefinition, metricDefinitions } from './metric-definitions.ts';
import { buildOrganisation } from './testing/random-organisation.ts';

const docs = readFileSync(new URL('../../../docs/metrics.md', import.meta.url), 'utf8');

describe('the metric registry', () => {
  it('has one definition per id, each complete', () => {
    const ids = metricDefinitions.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const d of metricDefinitions) {
      expect(d.label.length).toBeGreaterThan(3);
      expect(d.definition.length).toBeGreaterThan(40);
      expect(d.groupBys.length).toBeGreaterThan(0);
      expect(d.money).toBe(d.unit === 'money' || d.id === 'sales_velocity');
      expect(findMetricDefinition(d.id)).toBe(d);
    }
    expect(findMetricDefinition('nonsense')).toBeUndefined();
  });

  it('says the same as docs/metrics.md, word for word', () => {
    for (const d of metricDefinitions) {
      expect(docs).toContain(`#### \`${d.id}\` — ${d.label}`);
      expect(docs).toContain(d.definition);
      if (d.alternative) expect(docs).toContain(d.alternative);
    }
  });

  it('marks honestly what is computed: every computed metric evaluates, every defined one says it is not', () => {
    const input = buildOrganisation({
      deals: [],
      activities: [],
      assignments: [0, 1, 2, 3].map(() => ({ firstTeam: 10, secondTeam: 20, moveDay: 10 })) as never,
      quotas: [1, 2, 3, 4, 5, 6, 7, 8],
    });
    const day = toDayNumber('2024-03-31');
    for (const d of metricDefinitions) {
      const result = evaluateMetrics(input, {
        metrics: [d.id],
        groupBy: d.groupBys[0]!,
        period: { from: day - 30, to: day + 1 },
        asOf: day,
      });
      const notComputed = result.issues.some((issue) => issue.code === 'not_computed');
      expect([d.id, notComputed]).toEqual([d.id, d.status === 'defined']);
      expect(result.groups[0]?.metrics[d.id]).toBeDefined();
    }
  });
});
