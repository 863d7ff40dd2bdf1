import type { LineTrace } from '../comp-api.ts';
import { dealLink, formatAmount, formatPay, formatRatio } from '../comp-format.ts';
import { formatDay, humanize } from '../format.ts';
import { Link } from '../router.tsx';

const methodLabels: Record<string, string> = {
  flat: 'flat rate',
  rate_table: 'rate table',
  marginal: 'marginal tiers (each band pays its own rate)',
  whole: 'whole amount at the highest tier reached',
  retroactive: 'retroactive tiers (earlier deals repriced)',
  interpolated: 'interpolated table',
};

/** A line's machine-readable reason, laid out so its arithmetic can be redone by hand. */
export function CompTrace({ trace, currency }: { trace: LineTrace; currency: string }) {
  const credits = trace.credits ?? [];
  const portions = trace.portions ?? [];
  const multipliers = trace.multipliers ?? [];
  const details = Object.entries(trace.details ?? {});
  return (
    <div className="history-detail comp-trace" data-testid="line-trace">
      <dl className="comp-trace-facts">
        <div>
          <dt>Rule</dt>
          <dd>
            <code>{trace.rule}</code>
          </dd>
        </div>
        {trace.method && (
          <div>
            <dt>Method</dt>
            <dd>
              {methodLabels[trace.method] ?? trace.method}
              {trace.basis ? `, on ${trace.basis}` : ''}
            </dd>
          </div>
        )}
        {trace.rate && (
          <div>
            <dt>Rate</dt>
            <dd className="tabular">{formatRatio(trace.rate)}</dd>
          </div>
        )}
        {(trace.attainmentBefore || trace.attainmentAfter) && (
          <div>
            <dt>Attainment</dt>
            <dd className="tabular">
              {formatRatio(trace.attainmentBefore)} → {formatRatio(trace.attainmentAfter)}
            </dd>
          </div>
        )}
        {multipliers.map((m) => (
          <div key={m.label}>
            <dt>Multiplier</dt>
            <dd>
              {m.label} × <span className="tabular">{m.factor}</span>
            </dd>
          </div>
        ))}
        {trace.capped && (
          <div>
            <dt>Cap</dt>
            <dd className="tabular">
              {trace.capped.cap}: {formatAmount(trace.capped.before)} cut to{' '}
              {formatAmount(trace.capped.after)}
            </dd>
          </div>
        )}
        {details.map(([key, value]) => (
          <div key={key}>
            <dt>{humanize(key)}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>

      {credits.length > 0 && (
        <div className="table-wrap">
          <table className="table table-compact" aria-label="Credits">
            <thead>
              <tr>
                <th scope="col">Deal</th>
                <th scope="col">Credit</th>
                <th scope="col">How</th>
                <th scope="col" className="num">
                  Deal amount
                </th>
                <th scope="col" className="num">
                  Share
                </th>
                <th scope="col" className="num">
                  Credited
                </th>
                <th scope="col">Date</th>
              </tr>
            </thead>
            <tbody>
              {credits.map((credit, index) => (
                <tr key={`${credit.transaction}-${index}`}>
                  <th scope="row">
                    <Link to={dealLink(credit.transaction)} data-testid="trace-deal-link">
                      {credit.transactionName || credit.transaction}
                    </Link>
                  </th>
                  <td>{humanize(credit.creditType)}</td>
                  <td>
                    {humanize(credit.rule)}
                    {credit.rule === 'rollup' && credit.from
                      ? ` from ${credit.from}${credit.level ? ` (level ${credit.level})` : ''}`
                      : ''}
                  </td>
                  <td className="num tabular">{formatAmount(credit.baseAmount)}</td>
                  <td className="num tabular">{formatRatio(credit.share)}</td>
                  <td className="num tabular">{formatAmount(credit.amount)}</td>
                  <td className="tabular nowrap">{formatDay(credit.date)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {portions.length > 0 && (
        <div className="table-wrap">
          <table className="table table-compact" aria-label="Tier portions">
            <thead>
              <tr>
                <th scope="col">Tier</th>
                <th scope="col" className="num">
                  Amount in the tier
                </th>
                <th scope="col" className="num">
                  Rate
                </th>
                <th scope="col" className="num">
                  Pays
                </th>
              </tr>
            </thead>
            <tbody>
              {portions.map((portion, index) => (
                <tr key={`${portion.tier}-${index}`}>
                  <th scope="row">Tier {portion.tier}</th>
                  <td className="num tabular">{formatAmount(portion.amount)}</td>
                  <td className="num tabular">{formatRatio(portion.rate)}</td>
                  <td className="num tabular">{formatPay(portion.pay, currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <p className="comp-arithmetic" data-testid="line-arithmetic">
        <span className="visually-hidden">Arithmetic: </span>
        {trace.arithmetic}
      </p>
    </div>
  );
}
