// The browser's only way to the server: typed calls to the HTTP API (DESIGN.md §2: the web UI never
// imports app or store). Errors arrive as application/problem+json and are surfaced as ApiError,
// keeping every problem (file, line, field, value) so the UI can show the row at fault.

export type DatabaseKind = 'pglite' | 'postgres';

export type Health = { status: 'ok'; database: DatabaseKind; version: string };

export const entityNames = [
  'people',
  'positions',
  'teams',
  'regions',
  'accounts',
  'products',
  'opportunities',
  'opportunity_changes',
  'activities',
  'leads',
  'subscriptions',
  'invoices',
  'payments',
  'spend',
  'quotas',
  'periods',
] as const;
export type EntityName = (typeof entityNames)[number];

export type EntityCounts = Record<EntityName, number>;

export type MappingFile = { entity: string; requiredColumns: string[] };
export type Mapping = { name: string; label: string; description: string; files: MappingFile[] };

export type Upload = {
  id: string;
  fileName: string;
  bytes: number;
  format: 'csv' | 'xlsx';
  header: string[];
  sampleRows: string[][];
  detected: { mapping: string | null; entity: string | null };
};

export type ProblemDetail = { file?: string; line?: number; field?: string; value?: string; message: string };

export type Problem = {
  type?: string;
  title: string;
  /** HTTP status; absent on a job's error, which is not an HTTP answer. */
  status?: number;
  detail?: string;
  code?: string;
  problems?: ProblemDetail[];
};

export type ImportStatus = 'running' | 'succeeded' | 'rejected' | 'dry_run' | 'failed';

export type EntityChanges = { inserted: number; updated: number; unchanged: number };

export type ImportWarning = { code: string; message: string; file?: string; lines?: number[]; count: number };

export type ImportError = ProblemDetail;

export type ImportReport = {
  importId: number | null;
  status: ImportStatus;
  dryRun: boolean;
  files: { name: string; entity: string; rows: number }[];
  entities: Record<string, EntityChanges>;
  warnings: ImportWarning[];
  errors: ImportError[];
  errorCount: number;
  warningCount: number;
  unknown: { people: string[]; accounts: string[]; products: string[] };
};

export type ImportJob = {
  id: string;
  status: ImportStatus;
  progress: { file: string | null; rowsRead: number; bytesRead: number; totalBytes: number };
  report: ImportReport | null;
  error: Problem | null;
};

/** A past import's state: a job's final status, or `interrupted` when the server stopped during it. */
export type ImportRecordStatus = ImportStatus | 'interrupted';

export type ImportSummary = {
  id: number;
  startedAt: string;
  finishedAt: string | null;
  status: ImportRecordStatus;
  mapping: string;
  files: { name: string; rows: number }[];
  summary: Record<string, EntityChanges> | null;
  warningCount: number;
  errorCount: number;
};

export type ImportDetail = ImportSummary & { warnings: ImportWarning[]; errors: ImportError[] };

export type StartImport = { uploads: string[]; mapping: string; dryRun?: boolean; createUnknown?: boolean };

/** An HTTP error with the server's problem document (or one made up for network failures). */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
    this.name = 'ApiError';
  }
}

function isProblem(value: unknown): value is Problem {
  return (
    typeof value === 'object' && value !== null && typeof (value as { title?: unknown }).title === 'string'
  );
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers: { accept: 'application/json', ...init?.headers } });
  } catch (cause) {
    throw new ApiError({
      title: 'Could not reach the Attain server',
      status: 0,
      detail: cause instanceof Error ? cause.message : String(cause),
    });
  }
  const text = await response.text();
  let body: unknown = undefined;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  if (!response.ok) {
    if (isProblem(body)) throw new ApiError({ ...body, status: body.status ?? response.status });
    throw new ApiError({
      title: response.statusText || 'Request failed',
      status: response.status,
      detail: `${init?.method ?? 'GET'} ${path} answered ${response.status}${text && body === undefined ? `: ${text.slice(0, 200)}` : ''}`,
    });
  }
  if (body === undefined) {
    throw new ApiError({
      title: 'Unexpected answer from the server',
      status: response.status,
      detail: `${path} did not return JSON.`,
    });
  }
  return body as T;
}

function postJson<T>(path: string, payload: unknown): Promise<T> {
  return request<T>(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
}

export const api = {
  health: () => request<Health>('/api/health'),

  counts: async () => (await request<{ counts: EntityCounts }>('/api/data/counts')).counts,

  mappings: async () => (await request<{ mappings: Mapping[] }>('/api/mappings')).mappings,

  /** Sends the raw bytes of one file; the answer previews it and says which mapping recognised it. */
  upload: async (file: File, signal?: AbortSignal) =>
    (
      await request<{ upload: Upload }>(`/api/uploads?name=${encodeURIComponent(file.name)}`, {
        method: 'POST',
        headers: { 'content-type': file.type || 'application/octet-stream' },
        body: file,
        signal,
      })
    ).upload,

  startImport: async (input: StartImport) => (await postJson<{ job: ImportJob }>('/api/imports', input)).job,

  importJob: async (id: string) =>
    (await request<{ job: ImportJob }>(`/api/import-jobs/${encodeURIComponent(id)}`)).job,

  imports: (page: { limit: number; offset: number }) =>
    request<{ imports: ImportSummary[]; total: number }>(
      `/api/imports?limit=${page.limit}&offset=${page.offset}`,
    ),

  importDetail: async (id: number) => (await request<{ import: ImportDetail }>(`/api/imports/${id}`)).import,
};

/** Turns anything thrown into a problem the UI can display. */
export function toProblem(error: unknown): Problem {
  if (error instanceof ApiError) return error.problem;
  return {
    title: 'Something went wrong',
    status: 0,
    detail: error instanceof Error ? error.message : String(error),
  };
}
