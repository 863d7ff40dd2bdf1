import type { Area } from '../areas.ts';
import { entityLabels } from '../components/entity-counts.tsx';
import { AreaIcon, CheckIcon } from '../components/icons.tsx';
import { PageHeader } from '../components/page-header.tsx';
import { formatCount, formatList } from '../format.ts';
import { Link } from '../router.tsx';
import type { CountsState } from '../use-counts.ts';

/** An area not built yet: what it will show, which data it needs, and how much of it is already here. */
export function AreaPage({
  area,
  counts,
  canImport,
}: {
  area: Area;
  counts: CountsState;
  /** Whether the user may bring data in (and see the counts); others are told who does. */
  canImport: boolean;
}) {
  const values = counts.counts;
  const missing = values ? area.uses.filter((entity) => values[entity] === 0) : [];
  return (
    <>
      <PageHeader title={area.label} tagline={area.tagline} />
      <section className="card empty-state" aria-labelledby="empty-title">
        <div className="empty-state-icon">
          <AreaIcon area={area.id} size={28} />
        </div>
        <h2 id="empty-title">{area.label} is on its way</h2>
        <p className="empty-state-lead">
          This area is not built yet. It will compute from the data you import, so bringing your CRM data in
          now means it is ready the day {area.label} ships.
        </p>

        <div className="empty-state-columns">
          <div>
            <h3>What you will find here</h3>
            <ul className="feature-list">
              {area.features.map((feature) => (
                <li key={feature}>{feature}</li>
              ))}
            </ul>
          </div>
          <div>
            <h3>Data it uses</h3>
            <ul className="data-checklist">
              {area.uses.map((entity) => {
                const count = values?.[entity];
                const present = count !== undefined && count > 0;
                return (
                  <li key={entity} className={present ? 'is-present' : 'is-missing'}>
                    <span className="data-check" aria-hidden="true">
                      {present ? <CheckIcon /> : null}
                    </span>
                    <span className="data-name">{entityLabels[entity]}</span>
                    {canImport && (
                      <span className="data-count tabular">
                        {count === undefined ? '…' : count === 0 ? 'none yet' : formatCount(count)}
                      </span>
                    )}
                  </li>
                );
              })}
            </ul>
          </div>
        </div>

        {canImport ? (
          <div className="empty-state-actions">
            <Link to="/data" className="button button-primary">
              Bring data in
            </Link>
            <span className="muted">
              {missing.length > 0
                ? `Import ${formatList(missing.map((e) => entityLabels[e].toLowerCase()))} as CSV or XLSX on the Data page.`
                : 'Import CRM exports as CSV or XLSX on the Data page.'}
            </span>
          </div>
        ) : (
          <p className="muted">Your administrators bring this data in from your CRM.</p>
        )}
      </section>
    </>
  );
}
