import { useEffect, useRef } from 'react';
import type { KpiQuery, MetricRecords, Opportunity } from '../api.ts';
import { api } from '../api.ts';
import { formatDay, formatMoney, humanize, plural } from '../format.ts';
import { useLoad } from '../use-load.ts';
import { ProblemAlert } from './problem-alert.tsx';

/**
 * What a click on a number opens: its label and the records the server says make it, either
 * already in hand or to be asked for (`load`: the number's query for its one group, with records).
 */
export type DrillTarget = {
  title: string;
  value: string;
  records?: MetricRecords;
  load?: { query: KpiQuery; metric: string };
};

/** The records of a drill target: given, or asked of GET /api/kpi for the one group. */
async function recordsOf(target: DrillTarget): Promise<MetricRecords> {
  if (target.records) return target.records;
  const { query, metric } = target.load!;
  const report = await api.kpi({ ...query, withRecords: true });
  return report.groups[0]?.metrics[metric]?.records ?? { kind: 'opportunity', ids: [] };
}

/** The API has no "these ids" filter on the deals list: deals are fetched one by one, at most this many. */
const maxDeals = 50;

/** The deals behind a dashboard number, fetched by id (GET /api/opportunities/{id}). */
export function RecordsDrilldown({ target, onClose }: { target: DrillTarget; onClose: () => void }) {
  const asked = useLoad(() => recordsOf(target), [target]);
  const records: MetricRecords = asked.data ?? { kind: 'opportunity', ids: [] };
  const ids = records.kind === 'opportunity' ? records.ids.slice(0, maxDeals) : [];
  const loaded = useLoad(
    () => Promise.all(ids.map((id) => api.opportunity(id))),
    [records.kind, ids.join(',')],
  );
  const deals: Opportunity[] = loaded.data ?? [];
  const heading = useRef<HTMLHeadingElement>(null);
  // The list opens above the dashboard: bring it into view and move focus to it.
  useEffect(() => {
    heading.current?.focus();
    heading.current?.scrollIntoView({ block: 'nearest' });
  }, [target]);

  return (
    <section className="card drilldown" aria-labelledby="drilldown-title" data-testid="drilldown">
      <div className="card-header">
        <div>
          <h2 id="drilldown-title" ref={heading} tabIndex={-1}>
            Behind {target.title}: <span className="tabular">{target.value}</span>
          </h2>
          <p className="card-description" data-testid="drilldown-count">
            {!asked.data
              ? 'Finding the records behind it…'
              : records.kind !== 'opportunity'
                ? `${plural(records.ids.length, records.kind === 'activity' ? 'activity' : 'person', records.kind === 'activity' ? 'activities' : 'people')} make this number; only deals can be listed here.`
                : records.ids.length > maxDeals
                  ? `The first ${maxDeals} of ${plural(records.ids.length, 'deal')}.`
                  : records.ids.length === 0
                    ? 'No deal makes this number.'
                    : plural(records.ids.length, 'deal')}
          </p>
        </div>
        <button type="button" className="button button-secondary button-small" onClick={onClose}>
          Close
        </button>
      </div>
      {asked.problem && <ProblemAlert problem={asked.problem} lead="Could not find the records." />}
      {loaded.problem && <ProblemAlert problem={loaded.problem} lead="Could not load the deals." />}
      {ids.length > 0 && !loaded.data && !loaded.problem && <p className="muted">Loading the deals…</p>}
      {deals.length > 0 && (
        <div className="table-wrap">
          <table
            className="table table-compact"
            aria-label="Deals behind the number"
            data-testid="drilldown-table"
          >
            <thead>
              <tr>
                <th scope="col">Deal</th>
                <th scope="col">Owner</th>
                <th scope="col">Stage</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col">Close date</th>
              </tr>
            </thead>
            <tbody>
              {deals.map((deal) => (
                <tr key={deal.id} data-deal-id={deal.id}>
                  <th scope="row">
                    {deal.name ?? <span className="muted">Unnamed</span>}
                    <span className="cell-sub">{deal.key}</span>
                  </th>
                  <td data-testid="drilldown-owner">{deal.ownerName ?? '—'}</td>
                  <td>{deal.stage}</td>
                  <td>{humanize(deal.status)}</td>
                  <td className="num tabular nowrap">{formatMoney(deal.amount)}</td>
                  <td className="tabular nowrap">{formatDay(deal.closedOn ?? deal.closeOn)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
