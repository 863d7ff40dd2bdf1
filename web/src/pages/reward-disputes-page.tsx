import { compApi } from '../comp-api.ts';
import { formatPeriodLabel } from '../comp-format.ts';
import { DisputeStatusBadge } from '../components/comp-dispute.tsx';
import { CompNav } from '../components/comp-nav.tsx';
import { PageHeader } from '../components/page-header.tsx';
import { ProblemAlert } from '../components/problem-alert.tsx';
import { formatCount, formatInstant } from '../format.ts';
import { Link, navigate, useSearchParams } from '../router.tsx';
import { useSession } from '../session.tsx';
import { useLoad } from '../use-load.ts';

const filters = [
  { value: 'open', label: 'Open' },
  { value: 'resolved', label: 'Resolved' },
  { value: 'all', label: 'All' },
] as const;

/** Questions raised on statement lines: the admins' inbox, or a payee's own questions. */
export function RewardDisputesPage() {
  const { can } = useSession();
  const manage = can('pay:manage');
  const params = useSearchParams();
  const status = params.get('status') ?? 'open';
  const loaded = useLoad(() => compApi.disputes(), []);
  const all = loaded.data ?? [];
  const rows = all
    .filter((d) => status === 'all' || (status === 'open' ? d.status === 'open' : d.status !== 'open'))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const openCount = all.filter((d) => d.status === 'open').length;

  return (
    <>
      <PageHeader
        title={manage ? 'Disputes inbox' : 'My disputes'}
        tagline={
          manage
            ? 'Questions payees raised on their statement lines. Open one to see the line’s trace, reply, and resolve it.'
            : 'The questions you raised on your statement lines, and their answers.'
        }
      />
      <CompNav />
      <section className="card" aria-labelledby="disputes-list-title">
        <div className="card-header">
          <div>
            <h2 id="disputes-list-title">{loaded.data ? `${formatCount(openCount)} open` : 'Disputes'}</h2>
          </div>
          <div className="segmented" role="group" aria-label="Show">
            {filters.map((f) => (
              <button
                key={f.value}
                type="button"
                className={`button button-small ${status === f.value ? 'button-primary' : 'button-secondary'}`}
                aria-pressed={status === f.value}
                onClick={() => navigate(`/reward/disputes?status=${f.value}`, { replace: true })}
              >
                {f.label}
              </button>
            ))}
          </div>
        </div>
        {loaded.problem && <ProblemAlert problem={loaded.problem} lead="Could not load the disputes." />}
        {!loaded.data ? (
          !loaded.problem && <p className="muted">Loading the disputes…</p>
        ) : rows.length === 0 ? (
          <div className="empty-inline" data-testid="disputes-empty">
            {status === 'open'
              ? manage
                ? 'No open question. Payees raise them from a line of their statement.'
                : 'You have no open question. Raise one from a line of your statement on My pay.'
              : 'Nothing here.'}
          </div>
        ) : (
          <div className="table-wrap">
            <table className="table" aria-label="Disputes" data-testid="disputes-table">
              <thead>
                <tr>
                  <th scope="col">Status</th>
                  <th scope="col">Payee</th>
                  <th scope="col">Period</th>
                  <th scope="col">Questioned line</th>
                  <th scope="col">Raised</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((d) => (
                  <tr key={d.id} data-dispute-id={d.id}>
                    <td>
                      <DisputeStatusBadge status={d.status} />
                    </td>
                    <th scope="row">
                      <Link
                        to={`/reward/disputes/${encodeURIComponent(String(d.id))}`}
                        data-testid="dispute-link"
                      >
                        {d.payeeName ?? d.payee}
                      </Link>
                      <span className="cell-sub">
                        <code>{d.lineId}</code>
                      </span>
                    </th>
                    <td>{formatPeriodLabel(d.period)}</td>
                    <td className="cell-summary">
                      {d.line.explanation}
                      <span className="cell-sub">raised by {d.raisedBy}</span>
                    </td>
                    <td className="nowrap">{formatInstant(d.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
