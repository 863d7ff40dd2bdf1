import crypto from 'node:crypto';
import { AppError, isAppError, type Problem } from '../domain/errors.ts';
import type { ImportReport } from '../ingest/import-report.ts';
import { runImport, type ImportFile, type ImportOptions, type ImportProgress } from '../ingest/run-import.ts';
import type { Store } from '../store/open-database.ts';

export type ImportJob = {
  id: string;
  status: 'running' | ImportReport['status'];
  progress: ImportProgress;
  report: ImportReport | null;
  error: { code: string; title: string; problems: Problem[] } | null;
};

/**
 * Imports started from the API run in the background: the request answers at once with a job,
 * which the UI polls for progress and, at the end, the report.
 */
export class ImportJobs {
  private readonly jobs = new Map<string, ImportJob>();
  private readonly order: string[] = [];

  constructor(
    private readonly store: Store,
    private readonly afterImport: (report: ImportReport) => Promise<void>,
  ) {}

  start(files: ImportFile[], options: Omit<ImportOptions, 'onProgress'>, onDone?: () => void): ImportJob {
    const job: ImportJob = {
      id: crypto.randomUUID(),
      status: 'running',
      progress: { file: null, rowsRead: 0, bytesRead: 0, totalBytes: 0 },
      report: null,
      error: null,
    };
    this.jobs.set(job.id, job);
    this.order.push(job.id);
    // Keep the last 100 jobs; their reports stay in import history.
    while (this.order.length > 100) this.jobs.delete(this.order.shift()!);
    void this.run(job, files, options).finally(onDone);
    return job;
  }

  private async run(
    job: ImportJob,
    files: ImportFile[],
    options: Omit<ImportOptions, 'onProgress'>,
  ): Promise<void> {
    try {
      const report = await runImport(this.store, files, {
        ...options,
        onProgress: (p) => (job.progress = p),
      });
      // The job is done once what follows an import (the snapshot refresh) is done too.
      if (report.status === 'succeeded') {
        // The import is committed whatever happens here; a failed refresh is retried on next use.
        await this.afterImport(report).catch((error: unknown) =>
          console.error('refresh after import failed', error),
        );
      }
      job.report = report;
      job.status = report.status;
    } catch (error) {
      job.status = isAppError(error) && error.code === 'import_rejected' ? 'rejected' : 'failed';
      job.error = isAppError(error)
        ? { code: error.code, title: error.message, problems: error.problems }
        : { code: 'internal', title: 'The import failed unexpectedly; nothing was changed.', problems: [] };
      if (!isAppError(error)) console.error('import job failed', error);
    }
  }

  getOrThrow(id: string): ImportJob {
    const job = this.jobs.get(id);
    if (!job) throw new AppError('not_found', `No import job ${id}.`);
    return job;
  }
}
