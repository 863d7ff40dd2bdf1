import { Fragment, useId, useState } from 'react';
import { api, queryString, type DealStatus, type OpportunityFilters } from '../api.ts';
import { DealEstimator } from '../components/comp-estimator.tsx';
import { ArrowLeftIcon, DownloadIcon } from '../components/icons.tsx';
import { PageHeader } from '../components/page-header.tsx';
import { ProblemAlert } from '../components/problem-alert.tsx';
import { SearchToolbar } from '../components/search-toolbar.tsx';
import { formatCount, formatDay, formatMoney, humanize, sumDecimals } from '../format.ts';
import { Link, navigate, usePathname, useSearchParams } from '../router.tsx';
import { useSession } from '../session.tsx';
import { useLoad } from '../use-load.ts';

const pageSize = 50;
const statuses: DealStatus[] = ['open', 'won', 'lost'];
const statusTones: Record<DealStatus, string> = { open: 'info', won: 'success', lost: 'neutral' };

function isStatus(value: string | null): value is DealStatus {
  return value !== null && (statuses as string[]).includes(value);
}

function isDay(value: string | null): value is string {
  return value !== null && /^\d{4}-\d{2}-\d{2}$/.test(value);
}

/** The filters of the deals list, from the URL (so a scorecard number links to exactly its deals). */
function filtersOf(params: URLSearchParams): OpportunityFilters & { offset: number } {
  const ownerId = Number(params.get('ownerId'));
  const status = params.get('status');
  const closedFrom = params.get('closedFrom');
  const closedTo = params.get('closedTo');
  const sort = params.get('sort');
  return {
    ownerId: Number.isInteger(ownerId) && ownerId > 0 ? ownerId : undefined,
    status: isStatus(status) ? status : undefined,
    closedFrom: isDay(closedFrom) ? closedFrom : undefined,
    closedTo: isDay(closedTo) ? closedTo : undefined,
    q: params.get('q') || undefined,
    sort: sort === 'amount' || sort === 'name' || sort === 'close_on' ? sort : undefined,
    offset: Math.max(0, Number(params.get('offset')) || 0),
  };
}

/** Deals the user may see, filtered by owner, status and close dates; the drill-down of a scorecard. */
export function DealsPage() {
  const { user, can } = useSession();
  // Reward's estimator: "what would this deal pay me", for whoever has a plan (or manages pay).
  const canEstimate = can('pay:read') && (user.personId !== null || can('pay:manage'));
  const [estimating, setEstimating] = useState<number | null>(null);
  const pathname = usePathname();
  const params = useSearchParams();
  const filters = filtersOf(params);
  const { offset, ...query } = filters;
  const periodId = Number(params.get('periodId')) || undefined;
  const key = JSON.stringify(filters);
  const loaded = useLoad(() => api.opportunities({ ...query, limit: pageSize, offset }), [key]);
  const owner = useLoad(
    () => (filters.ownerId ? api.person(filters.ownerId) : Promise.resolve(null)),
    [filters.ownerId],
  );
  const statusId = useId();

  const go = (change: Record<string, string | number | undefined>) => {
    const next = Object.fromEntries(params.entries()) as Record<string, string | number | undefined>;
    navigate(`${pathname}${queryString({ ...next, offset: undefined, ...change })}`);
  };

  const ownerName = owner.data?.name ?? loaded.data?.opportunities[0]?.ownerName ?? null;
  const statusWord = filters.status
    ? `${humanize(filters.status)} deals`
    : filters.closedFrom
      ? 'Closed deals'
      : 'Deals';
  const title = ownerName ? `${statusWord} of ${ownerName}` : statusWord;
  const closedRange =
    filters.closedFrom || filters.closedTo
      ? `Closed ${filters.closedFrom ? `from ${formatDay(filters.closedFrom)}` : ''}${filters.closedTo ? ` to ${formatDay(filters.closedTo)}` : ''}`
      : null;
  const page = loaded.data;
  const amounts = page?.opportunities.flatMap((o) => (o.amount ? [o.amount] : [])) ?? [];
  const currencies = new Set(amounts.map((a) => a.currency));
  const total =
    page && page.total <= pageSize && amounts.length > 0 && currencies.size === 1
      ? { amount: sumDecimals(amounts.map((a) => a.amount)), currency: amounts[0]!.currency }
      : null;
  const backTo = filters.ownerId
    ? filters.ownerId === user.personId
      ? `/measure${queryString({ periodId })}`
      : `/measure/people/${filters.ownerId}${queryString({ periodId })}`
    : `/measure${queryString({ periodId })}`;

  return (
    <>
      <Link to={backTo} className="back-link">
        <ArrowLeftIcon /> Back to the scorecard
      </Link>
      <PageHeader
        title={title}
        tagline={[closedRange, 'Every deal you may see, as the scorecard counts it.']
          .filter(Boolean)
          .join(' · ')}
        actions={
          <a className="button button-secondary" href={api.opportunitiesExportUrl(query)} download>
            <DownloadIcon /> Export CSV
          </a>
        }
      />

      {owner.problem && <ProblemAlert problem={owner.problem} lead="This person is not available." />}

      <section className="card" aria-labelledby="deals-title">
        <h2 id="deals-title" className="visually-hidden">
          {title}
        </h2>
        <SearchToolbar
          label="Deals"
          searchLabel="Search deals"
          placeholder="Search by deal, key or account"
          value={filters.q ?? ''}
          onSearch={(q) => go({ q: q || undefined })}
        >
          <div className="field field-inline">
            <label htmlFor={statusId}>Status</label>
            <select
              id={statusId}
              value={filters.status ?? ''}
              onChange={(event) => go({ status: event.target.value || undefined })}
            >
              <option value="">Any</option>
              {statuses.map((status) => (
                <option key={status} value={status}>
                  {humanize(status)}
                </option>
              ))}
            </select>
          </div>
        </SearchToolbar>

        {filters.status === 'open' && periodId !== undefined && (
          <p className="notice">
            All open deals are listed, whatever their expected close date; the scorecard’s open pipeline
            counts only those expected to close in its quarter.
          </p>
        )}

        {loaded.problem && <ProblemAlert problem={loaded.problem} lead="Could not load the deals." />}
        {!page ? (
          !loaded.problem && <p className="muted">Loading deals…</p>
        ) : page.total === 0 ? (
          <div className="empty-inline" data-testid="deals-empty">
            No deal matches these filters. Widen them, or choose another quarter on the scorecard.
          </div>
        ) : (
          <>
            <div className="table-wrap">
              <table
                className="table"
                aria-label="Deals"
                data-testid="deals-table"
                aria-busy={loaded.loading}
              >
                <thead>
                  <tr>
                    <th scope="col">Deal</th>
                    <th scope="col">Owner</th>
                    <th scope="col">Account</th>
                    <th scope="col">Stage</th>
                    <th scope="col">Status</th>
                    <th scope="col" className="num">
                      Amount
                    </th>
                    <th scope="col">Close date</th>
                    {canEstimate && (
                      <th scope="col">
                        <span className="visually-hidden">Pay</span>
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {page.opportunities.map((deal) => (
                    <Fragment key={deal.id}>
                      <tr data-owner-id={deal.ownerId ?? ''} data-deal-key={deal.key}>
                        <th scope="row">
                          {deal.name ?? <span className="muted">Unnamed</span>}
                          <span className="cell-sub">{deal.key}</span>
                        </th>
                        <td data-testid="deal-owner">{deal.ownerName ?? <span className="muted">—</span>}</td>
                        <td>{deal.account ?? <span className="muted">—</span>}</td>
                        <td>{deal.stage}</td>
                        <td>
                          <span className={`badge badge-${statusTones[deal.status]}`}>
                            {humanize(deal.status)}
                          </span>
                        </td>
                        <td className="num tabular nowrap" data-testid="deal-amount">
                          {formatMoney(deal.amount)}
                        </td>
                        <td className="tabular nowrap">
                          {formatDay(deal.closedOn ?? deal.closeOn)}
                          {!deal.closedOn && deal.closeOn && <span className="cell-sub">expected</span>}
                          {deal.cancelledOn && (
                            <span className="cell-sub">cancelled {formatDay(deal.cancelledOn)}</span>
                          )}
                        </td>
                        {canEstimate && (
                          <td className="cell-actions">
                            {deal.status !== 'lost' && (
                              <button
                                type="button"
                                className="button button-ghost button-small"
                                aria-expanded={estimating === deal.id}
                                onClick={() => setEstimating(estimating === deal.id ? null : deal.id)}
                              >
                                {deal.status === 'open' ? 'What would it pay?' : 'What did it pay?'}
                              </button>
                            )}
                          </td>
                        )}
                      </tr>
                      {estimating === deal.id && (
                        <tr className="inline-form-row">
                          <td colSpan={8}>
                            <DealEstimator
                              key={deal.id}
                              opportunityId={deal.id}
                              dealName={deal.name ?? deal.key}
                            />
                          </td>
                        </tr>
                      )}
                    </Fragment>
                  ))}
                </tbody>
                {total && (
                  <tfoot>
                    <tr>
                      <th scope="row" colSpan={5}>
                        Total of {formatCount(page.total)} {page.total === 1 ? 'deal' : 'deals'}
                      </th>
                      <td className="num tabular" data-testid="deals-total">
                        {formatMoney(total)}
                      </td>
                      <td />
                      {canEstimate && <td />}
                    </tr>
                  </tfoot>
                )}
              </table>
            </div>
            <nav className="pagination" aria-label="Deal pages">
              <span className="muted tabular" data-testid="deals-count">
                {formatCount(offset + 1)}–{formatCount(offset + page.opportunities.length)} of{' '}
                {formatCount(page.total)}
              </span>
              {page.total > pageSize && (
                <div className="pagination-buttons">
                  <button
                    type="button"
                    className="button button-secondary button-small"
                    disabled={offset === 0}
                    onClick={() => go({ offset: Math.max(0, offset - pageSize) || undefined })}
                  >
                    Previous
                  </button>
                  <button
                    type="button"
                    className="button button-secondary button-small"
                    disabled={offset + pageSize >= page.total}
                    onClick={() => go({ offset: offset + pageSize })}
                  >
                    Next
                  </button>
                </div>
              )}
            </nav>
          </>
        )}
      </section>
    </>
  );
}
