import { useEffect, useState } from 'react';
import { api, toProblem, type ImportJob, type Mapping, type Problem } from '../api.ts';
import type { Area } from '../areas.ts';
import { EntityCounts } from '../components/entity-counts.tsx';
import { ImportHistory } from '../components/import-history.tsx';
import { ImportPanel } from '../components/import-panel.tsx';
import { PageHeader } from '../components/page-header.tsx';
import { ProblemAlert } from '../components/problem-alert.tsx';
import type { CountsState } from '../use-counts.ts';

/** Data: what is stored, bringing CRM exports in, and what past imports did. */
export function DataPage({ area, counts }: { area: Area; counts: CountsState }) {
  const [mappings, setMappings] = useState<Mapping[] | null>(null);
  const [mappingsProblem, setMappingsProblem] = useState<Problem | null>(null);
  const [historyKey, setHistoryKey] = useState(0);

  useEffect(() => {
    api.mappings().then(setMappings, (error: unknown) => setMappingsProblem(toProblem(error)));
  }, []);

  const onImportFinished = (_job: ImportJob) => {
    void counts.reload();
    setHistoryKey((key) => key + 1);
  };

  return (
    <>
      <PageHeader title={area.label} tagline={area.tagline} />

      <section className="card" aria-labelledby="records-title">
        <div className="card-header">
          <div>
            <h2 id="records-title">Records</h2>
            <p className="card-description">How many records of each kind Attain holds now.</p>
          </div>
          <button
            type="button"
            className="button button-ghost button-small"
            onClick={() => void counts.reload()}
            disabled={counts.loading}
          >
            Refresh
          </button>
        </div>
        <EntityCounts state={counts} />
      </section>

      <section className="card" aria-labelledby="import-title">
        <div className="card-header">
          <div>
            <h2 id="import-title">Import</h2>
            <p className="card-description">
              CSV or XLSX exports from your CRM, or files in Attain’s native layout. Imports are
              all-or-nothing: if any row is wrong, nothing is written and every problem is listed.
            </p>
          </div>
        </div>
        {mappingsProblem && (
          <ProblemAlert
            problem={mappingsProblem}
            lead="Could not load the mappings; detection still works."
          />
        )}
        <ImportPanel mappings={mappings} onFinished={onImportFinished} />
      </section>

      <section className="card" aria-labelledby="history-title">
        <div className="card-header">
          <div>
            <h2 id="history-title">Import history</h2>
            <p className="card-description">
              Every import, newest first. Open one to see its warnings and errors.
            </p>
          </div>
        </div>
        <ImportHistory mappings={mappings} refreshKey={historyKey} />
      </section>
    </>
  );
}
