import type { Problem } from '../domain/errors.ts';

/** A data quirk the import noticed and did not fix: counted, with the first lines it occurs on. */
export type ImportWarning = { code: string; message: string; file?: string; lines: number[]; count: number };

export type EntityCounts = { inserted: number; updated: number; unchanged: number };

export type ImportReport = {
  importId: number | null;
  status: 'succeeded' | 'rejected' | 'dry_run' | 'failed';
  dryRun: boolean;
  mapping: string;
  files: { name: string; entity: string; rows: number }[];
  entities: Record<string, EntityCounts>;
  warnings: ImportWarning[];
  errors: Problem[];
  errorCount: number;
  warningCount: number;
  unknown: { people: string[]; accounts: string[]; products: string[] };
  durationMs: number;
};

const MAX_LINES_PER_WARNING = 20;
const MAX_ERRORS_LISTED = 1000;

/** Collects warnings (grouped by code and file) and errors (every one counted, the first 1,000 kept). */
export class ReportCollector {
  private readonly warningsByKey = new Map<string, ImportWarning>();
  readonly errors: Problem[] = [];
  errorCount = 0;

  warn(code: string, message: string, file?: string, line?: number): void {
    const key = `${file ?? ''}\u0000${code}\u0000${message}`;
    let warning = this.warningsByKey.get(key);
    if (!warning) {
      warning = { code, message, file, lines: [], count: 0 };
      this.warningsByKey.set(key, warning);
    }
    warning.count++;
    if (line !== undefined && warning.lines.length < MAX_LINES_PER_WARNING) warning.lines.push(line);
  }

  error(problem: Problem): void {
    this.errorCount++;
    if (this.errors.length < MAX_ERRORS_LISTED) this.errors.push(problem);
  }

  get warnings(): ImportWarning[] {
    return [...this.warningsByKey.values()];
  }

  get warningCount(): number {
    let n = 0;
    for (const w of this.warningsByKey.values()) n += w.count;
    return n;
  }
}
