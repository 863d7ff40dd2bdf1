import { findMetricDefinition, type MetricDefinition } from '../../domain/metrics/metric-definitions.ts';
import type { MetricNumber } from '../../domain/metrics/metric-types.ts';
import type { KpiReport } from './metrics-service.ts';

export type KpiCell = string | number | null;

/** A KPI report as one row per group and a column per metric value (and prior value and change, when compared). */
export type KpiTable = { header: string[]; rows: KpiCell[][] };

type Format = (value: MetricNumber, definition: MetricDefinition | undefined) => KpiCell;

/**
 * The report as a table: `group_key`, `group`, then each metric's value, followed by
 * `<metric>_prior` and `<metric>_change` when the report compares with the prior period. With
 * `labels`, the header names columns in words ("Won revenue (USD)") instead of ids; `format`
 * turns values into cells (default: as they are, money as exact decimal text; null stays null).
 */
export function kpiTable(report: KpiReport, options: { labels?: boolean; format?: Format } = {}): KpiTable {
  const format: Format = options.format ?? ((value) => value);
  const compared = report.prior !== undefined;
  const header = options.labels ? ['Key', groupHeading[report.groupBy]] : ['group_key', 'group'];
  for (const id of report.metrics) {
    const definition = findMetricDefinition(id);
    const label = options.labels
      ? `${definition?.label ?? id}${definition?.money ? ` (${report.currency})` : ''}`
      : id;
    header.push(label);
    if (compared)
      header.push(
        options.labels ? `${label}, prior` : `${id}_prior`,
        options.labels ? `${label}, change` : `${id}_change`,
      );
  }
  const rows = report.groups.map((group) => {
    const row: KpiCell[] = [group.key, group.label];
    for (const id of report.metrics) {
      const definition = findMetricDefinition(id);
      const cell = (value: MetricNumber | null | undefined): KpiCell =>
        value === null || value === undefined ? null : format(value, definition);
      const value = group.metrics[id];
      row.push(cell(value?.value));
      if (compared) row.push(cell(value?.prior?.value), cell(value?.change));
    }
    return row;
  });
  return { header, rows };
}

const groupHeading: Record<KpiReport['groupBy'], string> = {
  company: 'Company',
  rep: 'Rep',
  manager: 'Manager',
  team: 'Team',
  region: 'Region',
  segment: 'Segment',
  industry: 'Industry',
  product: 'Product',
  lead_source: 'Lead source',
  competitor: 'Competitor',
  deal_type: 'Deal type',
  lost_reason: 'Lost reason',
};
