import { useId, useMemo, useState, type FormEvent } from 'react';
import { queryString, toProblem, type Problem } from '../api.ts';
import { formatDelta } from '../comp-format.ts';
import { EChart, type ChartOption } from '../components/echart.tsx';
import { PageHeader } from '../components/page-header.tsx';
import { ProblemAlert } from '../components/problem-alert.tsx';
import {
  forecastApi,
  type AccuracyLayerName,
  type ForecastAccuracy,
  type ForecastCall,
  type ForecastRow,
  type ForecastView,
} from '../forecast-api.ts';
import { Link, navigate, useSearchParams } from '../router.tsx';
import { useLoad } from '../use-load.ts';

const wholeFormats = new Map<string, Intl.NumberFormat>();

/** A forecast amount, to the whole unit: forecasts are estimates, not pay. */
function formatAmount(amount: string | null | undefined, currency: string): string {
  if (amount === null || amount === undefined) return '—';
  let format = wholeFormats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: 0 });
    wholeFormats.set(currency, format);
  }
  return format.format(amount as unknown as number);
}

const percent = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(1)}%`);
const points = (value: number | null) =>
  value === null ? '—' : `${value >= 0 ? '+' : '−'}${Math.abs(value * 100).toFixed(1)} pts`;

const layerLabels: Record<AccuracyLayerName, string> = {
  stage_weighted: 'Stage-weighted pipeline (baseline)',
  historical: 'Historical win rates',
  monte_carlo: 'Monte Carlo P50',
  propensity: 'Win propensity model',
  rep_roll_up: 'Reps’ submissions, summed',
  manager_call: 'Manager’s call',
};

const horizonLabels: Record<string, string> = {
  period_start: 'At the start of the period',
  week_4: 'At week 4',
};

function forecastPath(periodId: number | null, positionId: number | null): string {
  return `/forecast${queryString({ period: periodId, position: positionId })}`;
}

/**
 * The forecast of a period for a position of the hierarchy (a rep's own, a manager's team, the
 * company): the system's number with its P10–P90 range and closed-to-date, the reports' calls
 * rolled up beside it, the holder's own call (a manager's overrides the roll-up, with a note), the
 * deals at risk, and how each layer forecast past periods. Period and position live in the URL.
 */
export function ForecastPage() {
  const params = useSearchParams();
  const periodId = Number(params.get('period')) || null;
  const positionId = Number(params.get('position')) || null;
  const periods = useLoad(() => forecastApi.periods('quarter'), []);
  const view = useLoad(() => forecastApi.view({ periodId, positionId }), [periodId, positionId]);
  const nodeId = view.data?.node?.positionId ?? null;
  const accuracy = useLoad(
    () =>
      view.data
        ? forecastApi.accuracy({ kind: 'quarter', count: 8, positionId: nodeId })
        : Promise.resolve(null),
    [view.data === null, nodeId],
  );
  const pickerId = useId();
  const data = view.data;

  const picker = periods.data && data && (
    <div className="field field-inline">
      <label htmlFor={pickerId}>Period</label>
      <select
        id={pickerId}
        value={data.period.id}
        onChange={(event) => navigate(forecastPath(Number(event.target.value), positionId))}
      >
        {periods.data.map((p) => (
          <option key={p.id} value={p.id}>
            {p.label}
          </option>
        ))}
      </select>
    </div>
  );

  return (
    <>
      <PageHeader
        title="Forecast"
        tagline="The number, how sure it is, and what each manager and rep calls."
        actions={picker}
      />
      {view.problem && <ProblemAlert problem={view.problem} lead="Could not load the forecast." />}
      {!data && !view.problem && (
        <section className="card" aria-busy="true">
          <p className="muted">Computing the forecast…</p>
        </section>
      )}
      {data && (
        <div className="forecast" aria-busy={view.loading}>
          <nav className="forecast-path" aria-label="Hierarchy">
            {data.path.map((step, index) => (
              <span key={step.positionId ?? 'company'}>
                {index > 0 && <span aria-hidden="true"> / </span>}
                {index === data.path.length - 1 ? (
                  <strong aria-current="page">{step.name}</strong>
                ) : (
                  <Link to={forecastPath(data.period.id, step.positionId)}>{step.name}</Link>
                )}
              </span>
            ))}
          </nav>
          <Headline view={data} />
          {data.issues.length > 0 && (
            <div className="notice" role="note">
              {data.issues.map((issue) => (
                <p key={issue.code}>{issue.message}</p>
              ))}
            </div>
          )}
          {data.rows.length > 0 && <RollUpTable view={data} />}
          {data.canSubmit && data.node && (
            <CallForm
              key={`${data.period.id}:${data.node.positionId}`}
              view={data}
              node={data.node}
              onSaved={view.reload}
            />
          )}
          {data.versions.length > 0 && <Versions view={data} />}
          <RiskyDeals view={data} />
          <AccuracyCard report={accuracy.data} problem={accuracy.problem} loading={accuracy.loading} />
        </div>
      )}
    </>
  );
}

function Headline({ view }: { view: ForecastView }) {
  const system = view.node?.system ?? view.company?.system;
  const call = view.node?.call ?? null;
  const currency = view.currency;
  if (!system) return null;
  return (
    <section className="card" aria-labelledby="forecast-headline">
      <div className="card-header">
        <h2 id="forecast-headline">
          {view.period.label} · {view.node?.name ?? 'Company'}
        </h2>
        <p className="card-description">
          As of {view.asOf}
          {view.period.open ? '' : ' (the period has ended: these are its final numbers)'}. {system.openDeals}{' '}
          open deals can still close in the period.
        </p>
      </div>
      <dl className="metric-grid metric-grid-4" data-testid="forecast-headline">
        <div className="metric">
          <dt>Forecast (P50)</dt>
          <dd className="metric-value" data-testid="forecast-p50">
            {formatAmount(system.p50, currency)}
          </dd>
          <dd className="metric-sub" data-testid="forecast-range">
            80% range {formatAmount(system.p10, currency)} – {formatAmount(system.p90, currency)}
          </dd>
          {view.rangeShock && (
            <dd className="metric-sub" data-testid="forecast-range-shock">
              Allows for a good or bad period for everyone (one standard deviation{' '}
              {Math.round(view.rangeShock.sd * 100)}%), learned from {view.rangeShock.windows} past periods
            </dd>
          )}
        </div>
        <div className="metric">
          <dt>Closed to date</dt>
          <dd className="metric-value" data-testid="forecast-closed">
            {formatAmount(system.closed, currency)}
          </dd>
          <dd className="metric-sub">Won with a close date in the period</dd>
        </div>
        <div className="metric">
          <dt>Stage-weighted</dt>
          <dd className="metric-value">{formatAmount(system.stageWeighted, currency)}</dd>
          <dd className="metric-sub">The common practice, kept as the baseline</dd>
        </div>
        <div className="metric">
          <dt>Call (most likely)</dt>
          <dd className="metric-value" data-testid="forecast-call">
            {formatAmount(call?.mostLikely, currency)}
          </dd>
          <dd className="metric-sub">
            {!view.node
              ? 'Open a position to see its call'
              : view.node.source === 'own'
                ? `${view.node.reports > 0 ? 'Override' : 'Submission'} v${view.node.own!.version}`
                : view.node.source === 'roll_up'
                  ? `Rolled up from ${view.node.reportsWithCall} of ${view.node.reports} reports`
                  : 'Not submitted yet'}
          </dd>
        </div>
      </dl>
    </section>
  );
}

function sourceBadge(row: ForecastRow) {
  if (row.source === 'own')
    return (
      <span className={`badge badge-${row.reports > 0 ? 'warning' : 'success'}`}>
        {row.reports > 0 ? 'Override' : 'Submitted'} v{row.own!.version}
      </span>
    );
  if (row.source === 'roll_up')
    return (
      <span className="badge badge-info">
        Rolled up {row.reportsWithCall}/{row.reports}
      </span>
    );
  return <span className="badge badge-neutral">Not submitted</span>;
}

function RollUpTable({ view }: { view: ForecastView }) {
  const { currency } = view;
  const node = view.node;
  return (
    <section className="card" aria-labelledby="rollup-title">
      <div className="card-header">
        <h2 id="rollup-title">{node ? 'Team roll-up' : 'Organisation'}</h2>
        <p className="card-description">
          Each report’s call (their own submission, or the roll-up of their team) beside the system’s number
          for their deals. Open a name to go one level down.
        </p>
      </div>
      <div className="table-wrap">
        <table className="table" data-testid="forecast-rollup">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col" className="num">
                System P50
              </th>
              <th scope="col" className="num">
                P10 – P90
              </th>
              <th scope="col" className="num">
                Closed
              </th>
              <th scope="col" className="num">
                Commit
              </th>
              <th scope="col" className="num">
                Most likely
              </th>
              <th scope="col" className="num">
                Best case
              </th>
              <th scope="col">Call</th>
            </tr>
          </thead>
          <tbody>
            {view.rows.map((row) => (
              <tr key={row.positionId} data-position={row.positionId}>
                <th scope="row">
                  <Link to={forecastPath(view.period.id, row.positionId)}>{row.name}</Link>
                  <span className="cell-sub">{row.title}</span>
                </th>
                <td className="num">{formatAmount(row.system.p50, currency)}</td>
                <td className="num nowrap">
                  {formatAmount(row.system.p10, currency)} – {formatAmount(row.system.p90, currency)}
                </td>
                <td className="num">{formatAmount(row.system.closed, currency)}</td>
                <td className="num">{formatAmount(row.call?.commit, currency)}</td>
                <td className="num" data-testid="row-most-likely">
                  {formatAmount(row.call?.mostLikely, currency)}
                </td>
                <td className="num">{formatAmount(row.call?.bestCase, currency)}</td>
                <td>
                  {sourceBadge(row)}
                  {row.own?.note && <span className="cell-sub">“{row.own.note}”</span>}
                </td>
              </tr>
            ))}
          </tbody>
          {node && (
            <tfoot>
              <tr data-testid="rollup-total">
                <th scope="row">Roll-up of the team</th>
                <td className="num" colSpan={3} />
                <td className="num">{formatAmount(node.rollUp?.commit, currency)}</td>
                <td className="num" data-testid="rollup-most-likely">
                  {formatAmount(node.rollUp?.mostLikely, currency)}
                </td>
                <td className="num">{formatAmount(node.rollUp?.bestCase, currency)}</td>
                <td>
                  {node.override !== null && (
                    <span data-testid="override-delta">Override {formatDelta(node.override, currency)}</span>
                  )}
                </td>
              </tr>
            </tfoot>
          )}
        </table>
      </div>
    </section>
  );
}

const fields: { key: keyof ForecastCall; label: string; hint: string }[] = [
  { key: 'commit', label: 'Commit', hint: 'What you are sure of, closed revenue included' },
  { key: 'mostLikely', label: 'Most likely', hint: 'Your number: commit and what you expect on top' },
  { key: 'bestCase', label: 'Best case', hint: 'If the deals in play go your way' },
  { key: 'pipeline', label: 'Pipeline', hint: 'Everything that could still close in the period' },
];

function CallForm({ view, node, onSaved }: { view: ForecastView; node: ForecastRow; onSaved: () => void }) {
  const isOverride = node.reports > 0;
  // Only the four amounts: the submission object carries its version, note and more.
  const from = node.own ?? node.rollUp ?? view.suggestion;
  const start: ForecastCall = from
    ? { commit: from.commit, mostLikely: from.mostLikely, bestCase: from.bestCase, pipeline: from.pipeline }
    : { commit: '0', mostLikely: '0', bestCase: '0', pipeline: '0' };
  const [values, setValues] = useState<ForecastCall>(start);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const noteId = useId();
  const formId = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const result = await forecastApi.submit({
        periodId: view.period.id,
        positionId: node.positionId,
        ...values,
        note: note.trim() === '' ? null : note,
      });
      setSaved(`Saved as version ${result.version}.`);
      setNote('');
      onSaved();
    } catch (error) {
      setProblem(toProblem(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby={`${formId}-title`}>
      <div className="card-header">
        <h2 id={`${formId}-title`}>{isOverride ? 'Your call for the team' : 'Your call'}</h2>
        <p className="card-description">
          {isOverride
            ? 'Your number overrides your team’s roll-up in the forecast above you; say why in the note. Every version is kept.'
            : 'Categories are cumulative: each includes the one before it. Every version is kept.'}
          {!node.own &&
            !isOverride &&
            view.suggestion &&
            ' Filled in from your deals’ CRM forecast categories.'}
        </p>
      </div>
      <form
        className="forecast-form"
        onSubmit={submit}
        aria-label={isOverride ? 'Override the roll-up' : 'Submit your forecast'}
      >
        <div className="forecast-form-grid">
          {fields.map((field) => (
            <div className="field" key={field.key}>
              <label htmlFor={`${formId}-${field.key}`}>
                {field.label} ({view.currency})
              </label>
              <input
                id={`${formId}-${field.key}`}
                name={field.key}
                className="input tabular"
                inputMode="decimal"
                required
                value={values[field.key]}
                onChange={(event) => {
                  setSaved(null);
                  setValues((v) => ({ ...v, [field.key]: event.target.value }));
                }}
              />
              <span className="field-hint">{field.hint}</span>
            </div>
          ))}
        </div>
        <div className="field">
          <label htmlFor={noteId}>Note{isOverride ? ' (required for an override)' : ' (optional)'}</label>
          <textarea
            id={noteId}
            name="note"
            className="input textarea"
            rows={2}
            maxLength={2000}
            required={isOverride}
            value={note}
            onChange={(event) => {
              setSaved(null);
              setNote(event.target.value);
            }}
            placeholder={
              isOverride ? 'What you know that the roll-up does not' : 'Anything your manager should know'
            }
          />
        </div>
        {problem && <ProblemAlert problem={problem} lead="The forecast was not saved." />}
        <div className="inline-form-actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Saving…' : isOverride ? 'Save override' : 'Submit forecast'}
          </button>
          {saved && (
            <span className="muted" role="status">
              {saved}
            </span>
          )}
        </div>
      </form>
    </section>
  );
}

function Versions({ view }: { view: ForecastView }) {
  return (
    <section className="card" aria-labelledby="versions-title">
      <div className="card-header">
        <h2 id="versions-title">Versions of this call</h2>
      </div>
      <div className="table-wrap">
        <table className="table table-compact" data-testid="forecast-versions">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Submitted</th>
              <th scope="col" className="num">
                Most likely
              </th>
              <th scope="col" className="num">
                Roll-up then
              </th>
              <th scope="col" className="num">
                System then
              </th>
              <th scope="col">Note</th>
            </tr>
          </thead>
          <tbody>
            {view.versions.map((v) => (
              <tr key={v.version}>
                <td>v{v.version}</td>
                <td className="nowrap">
                  {v.submittedAt.slice(0, 16).replace('T', ' ')} · {v.submittedBy}
                </td>
                <td className="num">{formatAmount(v.mostLikely, view.currency)}</td>
                <td className="num">{formatAmount(v.rollUp, view.currency)}</td>
                <td className="num">{formatAmount(v.system, view.currency)}</td>
                <td>{v.note ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function RiskyDeals({ view }: { view: ForecastView }) {
  return (
    <section className="card" aria-labelledby="risky-title">
      <div className="card-header">
        <h2 id="risky-title">Deals at risk</h2>
        <p className="card-description">
          Open deals closing in the period (or overdue) that sit in their stage twice as long as usual, have
          had no activity for three weeks, had their close date pushed more than once, had their amount cut,
          or (in today’s pipeline) rest on one contact.
        </p>
      </div>
      {view.risky.length === 0 ? (
        <p className="empty-inline muted">No deal at risk: every open deal of the period is moving.</p>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="forecast-risky">
            <thead>
              <tr>
                <th scope="col">Deal</th>
                <th scope="col">Owner</th>
                <th scope="col">Stage</th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col">Close date</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {view.risky.map((deal) => (
                <tr key={deal.opportunityId}>
                  <th scope="row">
                    <Link to={`/measure/deals${queryString({ q: deal.name ?? String(deal.opportunityId) })}`}>
                      {deal.name ?? `Deal ${deal.opportunityId}`}
                    </Link>
                  </th>
                  <td>{deal.ownerName ?? '—'}</td>
                  <td>{deal.stage}</td>
                  <td className="num">{formatAmount(deal.amount, view.currency)}</td>
                  <td className="nowrap">{deal.closeOn ?? '—'}</td>
                  <td>
                    <ul className="forecast-reasons">
                      {deal.reasons.map((reason) => (
                        <li key={reason.kind}>{reason.message}</li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function AccuracyCard({
  report,
  problem,
  loading,
}: {
  report: ForecastAccuracy | null;
  problem: Problem | null;
  loading: boolean;
}) {
  const [horizon, setHorizon] = useState('period_start');
  const rows = useMemo(() => (report?.rows ?? []).filter((r) => r.horizon === horizon), [report, horizon]);
  const option = useMemo<ChartOption>(() => {
    const value = (text: string | null) => (text === null ? null : Number(text));
    return {
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0 },
      grid: { left: 70, right: 16, top: 16, bottom: 48 },
      xAxis: { type: 'category', data: rows.map((r) => r.period) },
      yAxis: { type: 'value' },
      series: [
        {
          name: 'Actual',
          type: 'bar',
          data: rows.map((r) => value(r.actual)),
          itemStyle: { color: '#98a2b3' },
        },
        { name: 'Monte Carlo P50', type: 'line', data: rows.map((r) => value(r.p50)) },
        {
          name: 'P10',
          type: 'line',
          data: rows.map((r) => value(r.p10)),
          lineStyle: { type: 'dashed' },
          symbol: 'none',
        },
        {
          name: 'P90',
          type: 'line',
          data: rows.map((r) => value(r.p90)),
          lineStyle: { type: 'dashed' },
          symbol: 'none',
        },
        { name: 'Stage-weighted', type: 'line', data: rows.map((r) => value(r.stageWeighted)) },
        { name: 'Call', type: 'line', data: rows.map((r) => value(r.managerCall ?? r.repRollUp)) },
      ],
    };
  }, [rows]);
  const layers = (report?.layers ?? []).filter((l) => l.horizon === horizon && l.periods > 0);
  const deals = report?.dealScores.find((d) => d.horizon === horizon && d.deals > 0);
  return (
    <section className="card" aria-labelledby="accuracy-title">
      <div className="card-header">
        <h2 id="accuracy-title">Forecast against actual, past quarters</h2>
        <p className="card-description">
          Each layer as it stood on the day, scored against what was won. WAPE: total absolute error over
          total actual. Value added: how many points of WAPE the layer removes from the stage-weighted
          baseline.
        </p>
        <div className="field field-inline">
          <label htmlFor="accuracy-horizon">Forecast made</label>
          <select id="accuracy-horizon" value={horizon} onChange={(event) => setHorizon(event.target.value)}>
            {Object.entries(horizonLabels).map(([key, label]) => (
              <option key={key} value={key}>
                {label}
              </option>
            ))}
          </select>
        </div>
      </div>
      {problem && <ProblemAlert problem={problem} lead="Could not score the past periods." />}
      {!report && loading && <p className="muted">Backtesting the past quarters…</p>}
      {report && rows.length === 0 && <p className="empty-inline muted">No past quarter to score yet.</p>}
      {report && rows.length > 0 && (
        <>
          <EChart
            option={option}
            label={`Won revenue of the last ${rows.length} quarters against the forecasts made ${horizonLabels[horizon]?.toLowerCase()}`}
            testId="forecast-history-chart"
          />
          <div className="table-wrap">
            <table className="table" data-testid="forecast-accuracy">
              <thead>
                <tr>
                  <th scope="col">Layer</th>
                  <th scope="col" className="num">
                    Periods
                  </th>
                  <th scope="col" className="num">
                    WAPE
                  </th>
                  <th scope="col" className="num">
                    Bias
                  </th>
                  <th scope="col" className="num">
                    In P10–P90
                  </th>
                  <th scope="col" className="num">
                    Value added
                  </th>
                </tr>
              </thead>
              <tbody>
                {layers.map((l) => (
                  <tr key={l.layer} data-layer={l.layer}>
                    <th scope="row">{layerLabels[l.layer]}</th>
                    <td className="num">{l.periods}</td>
                    <td className="num">{percent(l.wape)}</td>
                    <td className="num">{percent(l.bias)}</td>
                    <td className="num">{l.coverage === null ? '—' : percent(l.coverage)}</td>
                    <td className="num">{l.layer === 'stage_weighted' ? '—' : points(l.valueAdded)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {deals && (
            <div className="table-wrap" data-testid="forecast-deal-scores">
              <table className="table table-compact">
                <caption className="table-note">
                  Deal scores of the win propensity model: {deals.deals} open deals scored on those days that
                  have closed since. AUC {deals.auc === null ? '—' : deals.auc.toFixed(2)} (1 ranks perfectly,
                  0.5 is chance), Brier score {deals.brier === null ? '—' : deals.brier.toFixed(3)}.
                  Calibration: predicted against what happened, by tenth of the deals.
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Tenth</th>
                    {deals.calibration.map((c) => (
                      <th scope="col" className="num" key={c.bin}>
                        {c.bin + 1}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  <tr>
                    <th scope="row">Predicted</th>
                    {deals.calibration.map((c) => (
                      <td className="num" key={c.bin}>
                        {percent(c.meanPredicted)}
                      </td>
                    ))}
                  </tr>
                  <tr>
                    <th scope="row">Won</th>
                    {deals.calibration.map((c) => (
                      <td className="num" key={c.bin}>
                        {percent(c.observedRate)}
                      </td>
                    ))}
                  </tr>
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
