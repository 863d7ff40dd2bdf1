import { useState } from 'react';
import { api, queryString } from '../api.ts';
import { formatCount, formatDay } from '../format.ts';
import { Link } from '../router.tsx';
import { useLoad } from '../use-load.ts';
import { ProblemAlert } from './problem-alert.tsx';
import { SearchToolbar } from './search-toolbar.tsx';

const pageSize = 25;

/** The people the signed-in user may see (their team, or everyone), each opening their scorecard. */
export function TeamList({
  selfPersonId,
  periodId,
  emptyHint,
}: {
  selfPersonId: number | null;
  periodId: number | undefined;
  emptyHint: string;
}) {
  const [q, setQ] = useState('');
  const [offset, setOffset] = useState(0);
  const loaded = useLoad(() => api.people({ q: q || undefined, limit: pageSize, offset }), [q, offset]);
  const page = loaded.data;

  return (
    <div className="stack">
      <SearchToolbar
        label="People"
        searchLabel="Search people"
        placeholder="Search by name, key or email"
        value={q}
        onSearch={(text) => {
          setOffset(0);
          setQ(text);
        }}
      />
      {loaded.problem && <ProblemAlert problem={loaded.problem} lead="Could not load the people." />}
      {!page ? (
        !loaded.problem && <p className="muted">Loading people…</p>
      ) : page.total === 0 ? (
        <div className="empty-inline">{q ? `Nobody matches “${q}”.` : emptyHint}</div>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table" aria-label="Team" data-testid="team-table" aria-busy={loaded.loading}>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Title</th>
                  <th scope="col">Team</th>
                  <th scope="col">Manager</th>
                </tr>
              </thead>
              <tbody>
                {page.people.map((person) => (
                  <tr key={person.id} data-person-id={person.id}>
                    <th scope="row">
                      <Link to={`/measure/people/${person.id}${queryString({ periodId })}`}>
                        {person.name}
                      </Link>
                      {person.id === selfPersonId && (
                        <span className="badge badge-info badge-inline">You</span>
                      )}
                      <span className="cell-sub">{person.key}</span>
                    </th>
                    <td>{person.title ?? <span className="muted">—</span>}</td>
                    <td>
                      {person.team ?? (
                        <span className="muted">
                          {person.leftOn ? `Left on ${formatDay(person.leftOn)}` : 'No team today'}
                        </span>
                      )}
                    </td>
                    <td>{person.managerName ?? <span className="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {page.total > pageSize && (
            <nav className="pagination" aria-label="People pages">
              <span className="muted tabular">
                {formatCount(offset + 1)}–{formatCount(Math.min(offset + page.people.length, page.total))} of{' '}
                {formatCount(page.total)}
              </span>
              <div className="pagination-buttons">
                <button
                  type="button"
                  className="button button-secondary button-small"
                  disabled={offset === 0}
                  onClick={() => setOffset(Math.max(0, offset - pageSize))}
                >
                  Previous
                </button>
                <button
                  type="button"
                  className="button button-secondary button-small"
                  disabled={offset + pageSize >= page.total}
                  onClick={() => setOffset(offset + pageSize)}
                >
                  Next
                </button>
              </div>
            </nav>
          )}
        </>
      )}
    </div>
  );
}
