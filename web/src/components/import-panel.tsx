import { useEffect, useId, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { api, toProblem, type ImportJob, type Mapping, type Problem, type Upload } from '../api.ts';
import { formatBytes, plural } from '../format.ts';
import { CloseIcon, UploadIcon } from './icons.tsx';
import { ImportReportView } from './import-report.tsx';
import { FilePreview } from './file-preview.tsx';
import { ProblemAlert } from './problem-alert.tsx';
import { ProgressBar } from './progress-bar.tsx';

export type ChosenFile = {
  key: string;
  file: File;
  state: 'uploading' | 'ready' | 'failed';
  upload?: Upload;
  problem?: Problem;
};

const pollIntervalMs = 300;

/**
 * Choose files → they are uploaded and previewed at once → pick a mapping and options → Import.
 * The import runs as a server job; we poll it for progress and show its report when it ends.
 */
export function ImportPanel({
  mappings,
  onFinished,
}: {
  mappings: Mapping[] | null;
  onFinished: (job: ImportJob) => void;
}) {
  const inputId = useId();
  const mappingId = useId();
  const [files, setFiles] = useState<ChosenFile[]>([]);
  const [mapping, setMapping] = useState('detect');
  const [dryRun, setDryRun] = useState(false);
  const [createUnknown, setCreateUnknown] = useState(false);
  const [job, setJob] = useState<ImportJob | null>(null);
  const [startProblem, setStartProblem] = useState<Problem | null>(null);
  const [starting, setStarting] = useState(false);
  // The poller calls the latest handler without restarting when the page re-renders.
  const finishRef = useRef<(job: ImportJob) => void>(() => {});
  useEffect(() => {
    finishRef.current = (finished: ImportJob) => {
      onFinished(finished);
      // A committed import has consumed the files; after a dry run or a rejection they stay, to retry.
      if (finished.status === 'succeeded') setFiles([]);
    };
  });

  const running = starting || job?.status === 'running';
  const uploading = files.some((f) => f.state === 'uploading');
  const readyUploads = files.flatMap((f) => (f.state === 'ready' && f.upload ? [f.upload] : []));
  const canImport = !running && !uploading && readyUploads.length > 0 && readyUploads.length === files.length;
  const selectedMapping = mappings?.find((m) => m.name === mapping);

  const uploadFile = async (entry: ChosenFile) => {
    try {
      const upload = await api.upload(entry.file);
      setFiles((current) => current.map((f) => (f.key === entry.key ? { ...f, state: 'ready', upload } : f)));
    } catch (error) {
      setFiles((current) =>
        current.map((f) => (f.key === entry.key ? { ...f, state: 'failed', problem: toProblem(error) } : f)),
      );
    }
  };

  const chooseFiles = (event: ChangeEvent<HTMLInputElement>) => {
    const chosen = Array.from(event.target.files ?? []);
    event.target.value = ''; // so that choosing the same file again (after fixing it) triggers a change
    if (chosen.length === 0) return;
    const entries = chosen.map<ChosenFile>((file) => ({
      key: `${file.name}:${file.size}:${file.lastModified}:${Math.random().toString(36).slice(2)}`,
      file,
      state: 'uploading',
    }));
    // A file chosen again replaces its earlier version rather than being imported twice.
    const names = new Set(chosen.map((f) => f.name));
    setFiles((current) => [...current.filter((f) => !names.has(f.file.name)), ...entries]);
    setJob(null);
    setStartProblem(null);
    for (const entry of entries) void uploadFile(entry);
  };

  const removeFile = (key: string) => setFiles((current) => current.filter((f) => f.key !== key));

  const clearAll = () => {
    setFiles([]);
    setJob(null);
    setStartProblem(null);
  };

  const startImport = async (event: FormEvent) => {
    event.preventDefault();
    if (!canImport) return;
    setStarting(true);
    setStartProblem(null);
    setJob(null);
    try {
      const started = await api.startImport({
        uploads: readyUploads.map((u) => u.id),
        mapping,
        dryRun,
        createUnknown,
      });
      setJob(started);
      if (started.status !== 'running') finishRef.current(started);
    } catch (error) {
      setStartProblem(toProblem(error));
    } finally {
      setStarting(false);
    }
  };

  // Poll the job while it runs; hand the finished job to the page (counts and history refresh).
  const jobId = job?.id;
  const jobRunning = job?.status === 'running';
  useEffect(() => {
    if (!jobId) return;
    if (!jobRunning) return;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const next = await api.importJob(jobId);
        if (cancelled) return;
        setJob(next);
        if (next.status === 'running') timer = setTimeout(poll, pollIntervalMs);
        else finishRef.current(next);
      } catch (error) {
        if (cancelled) return;
        // Lost track of the job (server restarted?): say so; the import history shows what happened.
        setJob((current) =>
          current ? { ...current, status: 'failed', report: null, error: toProblem(error) } : current,
        );
      }
    };
    timer = setTimeout(poll, pollIntervalMs);
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [jobId, jobRunning]);

  return (
    <form className="import-form" onSubmit={startImport} aria-label="Import files">
      <div className="dropzone">
        <input
          id={inputId}
          className="visually-hidden"
          type="file"
          multiple
          accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          onChange={chooseFiles}
          disabled={running}
        />
        <label htmlFor={inputId} className="dropzone-label">
          <span className="dropzone-icon">
            <UploadIcon />
          </span>
          <span className="dropzone-text">
            <strong>Choose CSV or XLSX files</strong>
            <span className="muted">
              One file per entity: people, accounts, opportunities… You can choose several at once.
            </span>
          </span>
          <span className="button button-secondary" aria-hidden="true">
            Browse files
          </span>
        </label>
      </div>

      {files.length > 0 && (
        <section className="file-list" aria-label="Chosen files">
          {files.map((entry) => (
            <article key={entry.key} className="file-card" aria-label={entry.file.name}>
              <header className="file-card-header">
                <div className="file-card-title">
                  <span className="file-name">{entry.file.name}</span>
                  <span className="muted">
                    {formatBytes(entry.file.size)}
                    {entry.upload && ` · ${entry.upload.format.toUpperCase()}`}
                  </span>
                </div>
                {entry.state === 'uploading' && <span className="badge badge-info">Uploading…</span>}
                {entry.state === 'failed' && <span className="badge badge-danger">Upload failed</span>}
                <button
                  type="button"
                  className="icon-button"
                  onClick={() => removeFile(entry.key)}
                  disabled={running}
                  aria-label={`Remove ${entry.file.name}`}
                  title="Remove"
                >
                  <CloseIcon />
                </button>
              </header>
              {entry.state === 'uploading' && (
                <ProgressBar value={0} max={0} label={`Uploading ${entry.file.name}`} />
              )}
              {entry.problem && <ProblemAlert problem={entry.problem} />}
              {entry.upload && <FilePreview upload={entry.upload} mappings={mappings} mapping={mapping} />}
            </article>
          ))}
        </section>
      )}

      <div className="form-row">
        <div className="field">
          <label htmlFor={mappingId}>Mapping</label>
          <select
            id={mappingId}
            value={mapping}
            onChange={(e) => setMapping(e.target.value)}
            disabled={running}
          >
            <option value="detect">Detect from the column headers</option>
            {(mappings ?? []).map((m) => (
              <option key={m.name} value={m.name}>
                {m.label}
              </option>
            ))}
          </select>
          <p className="field-hint">
            {selectedMapping
              ? selectedMapping.description
              : 'Each file is matched to a mapping and an entity by its header; the preview shows what was recognised.'}
          </p>
        </div>
        <fieldset className="field options">
          <legend>Options</legend>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={dryRun}
              onChange={(e) => setDryRun(e.target.checked)}
              disabled={running}
            />
            <span>
              Dry run
              <span className="field-hint">
                Check everything and report what would change, without writing.
              </span>
            </span>
          </label>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={createUnknown}
              onChange={(e) => setCreateUnknown(e.target.checked)}
              disabled={running}
            />
            <span>
              Create unknown reps, accounts and products
              <span className="field-hint">
                Otherwise rows naming one that does not exist are kept unlinked and listed as warnings.
              </span>
            </span>
          </label>
        </fieldset>
      </div>

      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={!canImport}>
          {running ? 'Importing…' : dryRun ? 'Run dry run' : 'Import'}
        </button>
        {files.length > 0 && (
          <button type="button" className="button button-ghost" onClick={clearAll} disabled={running}>
            Clear files
          </button>
        )}
        <span className="muted form-status" aria-live="polite">
          {files.length === 0
            ? 'Choose at least one file to import.'
            : uploading
              ? 'Uploading files…'
              : readyUploads.length < files.length
                ? 'Remove the files that failed to upload.'
                : `${files.length === 1 ? '1 file' : `${files.length} files`} ready, ${formatBytes(readyUploads.reduce((s, u) => s + u.bytes, 0))}.`}
        </span>
      </div>

      {startProblem && !job?.error && (
        <ProblemAlert problem={startProblem} lead="The import could not start." />
      )}

      {job?.status === 'running' && <ImportProgress job={job} />}
      {job && job.status !== 'running' && <ImportReportView job={job} />}
    </form>
  );
}

function ImportProgress({ job }: { job: ImportJob }) {
  const { progress } = job;
  return (
    <section className="import-progress" aria-label="Import progress" aria-live="polite">
      <div className="import-progress-text">
        <strong>{progress.file ? `Reading ${progress.file}` : 'Starting the import…'}</strong>
        <span className="muted tabular">
          {plural(progress.rowsRead, 'row')} · {formatBytes(progress.bytesRead)} of{' '}
          {formatBytes(progress.totalBytes)}
        </span>
      </div>
      <ProgressBar value={progress.bytesRead} max={progress.totalBytes} label="Import progress" />
    </section>
  );
}
