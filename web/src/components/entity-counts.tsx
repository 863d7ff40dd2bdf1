import { entityNames, type EntityName } from '../api.ts';
import { formatCount } from '../format.ts';
import type { CountsState } from '../use-counts.ts';
import { ProblemAlert } from './problem-alert.tsx';

export const entityLabels: Record<EntityName, string> = {
  people: 'People',
  positions: 'Positions',
  teams: 'Teams',
  regions: 'Regions',
  accounts: 'Accounts',
  products: 'Products',
  opportunities: 'Opportunities',
  opportunity_changes: 'Opportunity changes',
  activities: 'Activities',
  leads: 'Leads',
  subscriptions: 'Subscriptions',
  invoices: 'Invoices',
  payments: 'Payments',
  spend: 'Spend lines',
  quotas: 'Quotas',
  periods: 'Periods',
};

/** One card per entity with the number of records stored. */
export function EntityCounts({ state }: { state: CountsState }) {
  const { counts, problem } = state;
  if (problem && !counts) return <ProblemAlert problem={problem} lead="Could not load the record counts." />;
  return (
    <dl className="count-grid" aria-busy={state.loading}>
      {entityNames.map((entity) => {
        const value = counts?.[entity];
        return (
          <div
            key={entity}
            className={`count-card${value === 0 ? ' count-card-empty' : ''}`}
            data-testid={`count-${entity}`}
          >
            <dt>{entityLabels[entity]}</dt>
            <dd className="count-value">
              {value === undefined ? <span className="skeleton" aria-label="Loading" /> : formatCount(value)}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}
