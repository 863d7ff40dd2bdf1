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

// ---------------------------------------------------------------- access

export const roles = ['admin', 'comp_admin', 'finance', 'sales_manager', 'sales_rep', 'executive'] as const;
export type Role = (typeof roles)[number];

export const roleLabels: Record<Role, string> = {
  admin: 'Administrator',
  comp_admin: 'Compensation admin',
  finance: 'Finance',
  sales_manager: 'Sales manager',
  sales_rep: 'Sales rep',
  executive: 'Executive',
};

export const permissions = [
  'records:read',
  'pay:read',
  'pay:manage',
  'quotas:write',
  'data:import',
  'audit:read',
  'users:manage',
] as const;
export type Permission = (typeof permissions)[number];

export const permissionLabels: Record<Permission, string> = {
  'records:read': 'Read sales records in scope',
  'pay:read': 'Read individual pay in scope',
  'pay:manage': 'Manage plans, runs and periods',
  'quotas:write': 'Change quotas',
  'data:import': 'Import data',
  'audit:read': 'Read the audit trail',
  'users:manage': 'Manage users',
};

export type Me = {
  id: number;
  email: string;
  name: string;
  role: Role;
  personId: number | null;
  permissions: Permission[];
  via: 'session' | 'token';
};

export type SignedIn = { user: Me; csrfToken: string | null; expiresAt?: string };
export type Providers = { password: boolean; oidc: boolean };
export type AccountLink = { email: string; name: string; purpose: 'setup' | 'reset' };
export type OneTimeLink = { url: string; expiresAt: string };

export type User = {
  id: number;
  email: string;
  name: string;
  role: Role;
  personId: number | null;
  personName: string | null;
  canViewPay: boolean;
  disabled: boolean;
  hasPassword: boolean;
  sso: boolean;
  lockedUntil: string | null;
  lastSignInAt: string | null;
  createdAt: string;
};

export type NewUser = {
  email: string;
  name: string;
  role: Role;
  personId: number | null;
  canViewPay: boolean;
};

export type UserPatch = Partial<{
  name: string;
  role: Role;
  personId: number | null;
  canViewPay: boolean;
  disabled: boolean;
  unlock: boolean;
}>;

export type ApiToken = {
  id: number;
  name: string;
  prefix: string;
  permissions: Permission[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
};

export type AuditEntry = {
  id: number;
  at: string;
  actorUserId: number | null;
  actor: string;
  ip: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  summary: string;
  before: unknown;
  after: unknown;
};

export type AuditFilters = { q?: string; action?: string; entity?: string; from?: string; to?: string };
export type AuditPage = { entries: AuditEntry[]; nextBeforeId: number | null; actions: string[] };

// ---------------------------------------------------------------- sales records

/** An exact decimal amount ("125000.00") in a currency; never a float. */
export type Money = { amount: string; currency: string };

export type Person = {
  id: number;
  key: string;
  name: string;
  email: string | null;
  hiredOn: string | null;
  leftOn: string | null;
  title: string | null;
  positionRole: string | null;
  team: string | null;
  managerName: string | null;
};

export type PeriodKind = 'week' | 'month' | 'quarter' | 'half' | 'year';

export type Period = {
  id: number;
  kind: PeriodKind;
  label: string;
  startsOn: string;
  endsOn: string;
  status: 'open' | 'closed';
};

export type Scorecard = {
  person: Person;
  period: Period;
  currency: string;
  wonRevenue: Money;
  wonDeals: number;
  lostDeals: number;
  /** A percentage with one decimal ("33.3"), or null without decided deals. */
  winRate: string | null;
  averageWonDeal: Money | null;
  quota: Money | null;
  /** Won revenue over quota, a percentage with one decimal, or null without a quota. */
  attainment: string | null;
  openPipeline: Money;
  openDeals: number;
  activities: Record<string, number>;
};

export type DealStatus = 'open' | 'won' | 'lost';

export type Opportunity = {
  id: number;
  key: string;
  name: string | null;
  ownerId: number | null;
  ownerName: string | null;
  account: string | null;
  product: string | null;
  stage: string;
  status: DealStatus;
  amount: Money | null;
  dealType: string | null;
  createdOn: string | null;
  closeOn: string | null;
  closedOn: string | null;
  /** The day a won deal was cancelled. */
  cancelledOn: string | null;
  lostReason: string | null;
  competitor: string | null;
};

export type OpportunityFilters = {
  ownerId?: number;
  status?: DealStatus;
  closedFrom?: string;
  closedTo?: string;
  q?: string;
  sort?: 'close_on' | 'amount' | 'name';
  direction?: 'asc' | 'desc';
};

export type Quota = {
  id: number;
  positionId: number;
  positionKey: string;
  positionTitle: string;
  holderId: number | null;
  holderName: string | null;
  periodId: number;
  periodLabel: string;
  measure: string;
  /** An exact decimal ("30000.0000"). */
  target: string;
  currency: string | null;
  method: string;
  updatedAt: string;
};

// ---------------------------------------------------------------- metrics (docs/metrics.md)

export type MetricUnit = 'money' | 'count' | 'ratio' | 'days' | 'months' | 'per_day';

export type MetricDefinition = {
  id: string;
  label: string;
  unit: MetricUnit;
  money: boolean;
  direction: 'higher' | 'lower';
  category: 'leading' | 'lagging' | 'competency';
  status: 'computed' | 'defined';
  definition: string;
  alternative?: string;
  groupBys: KpiGroupBy[];
};

export const kpiGroupBys = [
  'company',
  'rep',
  'manager',
  'team',
  'region',
  'segment',
  'industry',
  'product',
  'lead_source',
  'competitor',
  'deal_type',
  'lost_reason',
] as const;
export type KpiGroupBy = (typeof kpiGroupBys)[number];

export type KpiPeriod = 'week' | 'month' | 'quarter' | 'half' | 'year' | `trailing_${number}`;

export type KpiQuery = {
  metrics: string[];
  by?: KpiGroupBy;
  period?: KpiPeriod;
  at?: string;
  calendar?: 'fiscal' | 'calendar';
  asOf?: string;
  compare?: 'prior_period';
  withRecords?: boolean;
  /** Only the group with this key (as text; 'null' for the no-group row). */
  group?: string;
  /** false: no parts by stage, activity type or lost reason (tables of many groups that show none). */
  breakdowns?: boolean;
};

/** Money as an exact decimal string ("1234.50"); everything else a number (ratios 0..1). */
export type MetricNumber = number | string;

export type MetricRecords = { kind: 'opportunity' | 'activity' | 'person'; ids: number[] };

export type KpiValue = {
  value: MetricNumber | null;
  numerator?: MetricNumber;
  denominator?: MetricNumber;
  target?: string;
  breakdown?: {
    key: string | null;
    label: string;
    value: MetricNumber | null;
    numerator?: MetricNumber;
    denominator?: MetricNumber;
  }[];
  flags?: string[];
  prior?: { value: MetricNumber | null; numerator?: MetricNumber; denominator?: MetricNumber };
  change?: MetricNumber | null;
  records?: MetricRecords;
};

export type KpiGroup = { key: string | number | null; label: string; metrics: Record<string, KpiValue> };

export type AlertKind = 'low_coverage' | 'behind_activity_pace' | 'conversion_falling' | 'stalled_deal';

/** GET /api/alerts: what to look at now, within the caller's scope (docs/metrics.md, "Alerts"). */
export type AlertReport = {
  asOf: string;
  period: { from: string; to: string; label?: string };
  alerts: {
    kind: AlertKind;
    personId: number | null;
    personName: string | null;
    opportunityId: number | null;
    stage: string | null;
    value: number;
    threshold: number;
    message: string;
  }[];
};

export type KpiReport = {
  metrics: string[];
  groupBy: KpiGroupBy;
  /** [from, to): `to` is the first day after the period. */
  period: { from: string; to: string; label?: string };
  asOf: string;
  currency: string;
  prior?: { from: string; to: string; label?: string; asOf: string };
  groups: KpiGroup[];
  issues: { code: string; message: string; metric?: string; count?: number }[];
};

/** GET /api/kpi/series: metrics over consecutive periods, each as of the same day; values[i] is periods[i]. */
export type KpiSeriesReport = {
  metrics: string[];
  groupBy: KpiGroupBy;
  periods: { from: string; to: string; label?: string }[];
  asOf: string;
  currency: string;
  groups: {
    key: string | number | null;
    label: string;
    metrics: Record<string, { values: (MetricNumber | null)[] }>;
  }[];
  issues: KpiReport['issues'];
};

export type KpiSeriesQuery = Omit<KpiQuery, 'withRecords' | 'group'> & { count: number };

function kpiSeriesPath(query: KpiSeriesQuery): string {
  return `/api/kpi/series${kpiQueryString(query)}&count=${query.count}`;
}

/** A series answer as one KpiReport per period (values only), for views written for KpiReport. */
export function seriesReports(series: KpiSeriesReport): KpiReport[] {
  return series.periods.map((period, i) => ({
    metrics: series.metrics,
    groupBy: series.groupBy,
    period,
    asOf: series.asOf,
    currency: series.currency,
    groups: series.groups.map((g) => ({
      key: g.key,
      label: g.label,
      metrics: Object.fromEntries(
        Object.entries(g.metrics).map(([id, v]) => [id, { value: v.values[i] ?? null }]),
      ),
    })),
    issues: series.issues,
  }));
}

/** The query string of GET /api/kpi (and of its CSV export, which has no drill-down). */
export function kpiQueryString(query: KpiQuery, options: { csv?: boolean } = {}): string {
  return queryString({
    metrics: query.metrics.join(','),
    by: query.by,
    period: query.period,
    at: query.at,
    calendar: query.calendar,
    asOf: query.asOf,
    compare: query.compare,
    withRecords: query.withRecords && !options.csv ? 'true' : undefined,
    group: query.group,
    breakdowns: query.breakdowns === false ? 'false' : undefined,
  });
}

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

// ---------------------------------------------------------------- the session

// The CSRF token of the browser session lives in memory only (never in storage): the session
// cookie is HttpOnly, and every request that changes something repeats this token in a header.
let csrfToken: string | null = null;
const unauthenticatedListeners = new Set<() => void>();
const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Remembers (or forgets) the CSRF token of the signed-in session. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called whenever the server answers 401 outside the sign-in forms: the session has ended. */
export function onUnauthenticated(listener: () => void): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

type RequestOptions = RequestInit & {
  /** A sign-in form: a 401 is the form's error ("wrong password"), not the end of a session. */
  signingIn?: boolean;
};

async function send(path: string, init: RequestOptions = {}): Promise<{ response: Response; body: unknown }> {
  const { signingIn, ...rest } = init;
  const method = (rest.method ?? 'GET').toUpperCase();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (csrfToken && unsafeMethods.has(method)) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      ...rest,
      credentials: 'same-origin',
      headers: { ...headers, ...(rest.headers as Record<string, string> | undefined) },
    });
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
    if (response.status === 401 && !signingIn) {
      csrfToken = null;
      for (const listener of unauthenticatedListeners) listener();
    }
    if (isProblem(body)) throw new ApiError({ ...body, status: body.status ?? response.status });
    throw new ApiError({
      title: response.statusText || 'Request failed',
      status: response.status,
      detail: `${method} ${path} answered ${response.status}${text && body === undefined ? `: ${text.slice(0, 200)}` : ''}`,
    });
  }
  return { response, body };
}

/** Answers asked ahead (`api.prefetch…`), each taken by the first GET of the same path. */
const askedAhead = new Map<string, Promise<unknown>>();

/** Asks a GET now, for a request of the same path soon (kept 30 s if nobody asks). */
function askAhead(path: string, init?: RequestOptions): void {
  if (askedAhead.has(path)) return;
  const answer = request(path, init);
  // A failure is not kept for a later request (a signed-out page that then signs in asks again).
  answer.catch(() => {
    if (askedAhead.get(path) === answer) askedAhead.delete(path);
  });
  askedAhead.set(path, answer);
  setTimeout(() => {
    if (askedAhead.get(path) === answer) askedAhead.delete(path);
  }, 30_000);
}

/** A JSON request with the session's CSRF token and the shared 401 handling (for the API modules of each area). */
export async function request<T>(path: string, init?: RequestOptions): Promise<T> {
  if (!init?.method || init.method.toUpperCase() === 'GET') {
    const ahead = askedAhead.get(path);
    if (ahead) {
      askedAhead.delete(path);
      return ahead as Promise<T>;
    }
  }
  const { response, body } = await send(path, init);
  if (body === undefined) {
    throw new ApiError({
      title: 'Unexpected answer from the server',
      status: response.status,
      detail: `${path} did not return JSON.`,
    });
  }
  return body as T;
}

/** A request whose success has no body (204). */
async function requestNoContent(path: string, init?: RequestOptions): Promise<void> {
  await send(path, init);
}

function jsonInit(method: string, payload: unknown, options: RequestOptions = {}): RequestOptions {
  return {
    ...options,
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  };
}

function postJson<T>(path: string, payload: unknown, options?: RequestOptions): Promise<T> {
  return request<T>(path, jsonInit('POST', payload, options));
}

/** `?a=1&b=x` from the defined, non-empty values (or '' when there are none). */
export function queryString(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

export const api = {
  health: () => request<Health>('/api/health'),

  // -------------------------------------------------------------- sign-in and account

  providers: () => request<Providers>('/api/auth/providers'),

  /** The signed-in user; null when nobody is (401), without ending anything. */
  me: async (): Promise<SignedIn | null> => {
    try {
      const me = await request<{ user: Me; csrfToken: string | null }>('/api/auth/me', { signingIn: true });
      return { user: me.user, csrfToken: me.csrfToken };
    } catch (error) {
      if (error instanceof ApiError && error.problem.status === 401) return null;
      throw error;
    }
  },

  signIn: (email: string, password: string) =>
    postJson<SignedIn>('/api/auth/sign-in', { email, password }, { signingIn: true }),

  signOut: () => requestNoContent('/api/auth/sign-out', { method: 'POST', signingIn: true }),

  describeLink: (token: string) => postJson<AccountLink>('/api/auth/link', { token }, { signingIn: true }),

  completeLink: (token: string, password: string) =>
    postJson<SignedIn>('/api/auth/link/complete', { token, password }, { signingIn: true }),

  changePassword: (currentPassword: string, newPassword: string) =>
    requestNoContent('/api/auth/password', jsonInit('POST', { currentPassword, newPassword })),

  tokens: async () => (await request<{ tokens: ApiToken[] }>('/api/tokens')).tokens,

  createToken: (input: { name: string; permissions: Permission[]; expiresInDays: number | null }) =>
    postJson<{ token: string; apiToken: ApiToken }>('/api/tokens', input),

  revokeToken: async (id: number) =>
    (await request<{ apiToken: ApiToken }>(`/api/tokens/${id}`, { method: 'DELETE' })).apiToken,

  // -------------------------------------------------------------- administration

  users: async () => (await request<{ users: User[] }>('/api/users')).users,

  createUser: (input: NewUser) => postJson<{ user: User; setupLink: OneTimeLink }>('/api/users', input),

  updateUser: async (id: number, patch: UserPatch) =>
    (await request<{ user: User }>(`/api/users/${id}`, jsonInit('PATCH', patch))).user,

  issueResetLink: async (id: number) =>
    (await request<{ link: OneTimeLink }>(`/api/users/${id}/reset-link`, { method: 'POST' })).link,

  audit: (filters: AuditFilters & { beforeId?: number; limit?: number }) =>
    request<AuditPage>(`/api/audit${queryString(filters)}`),

  auditExportUrl: (filters: AuditFilters) => `/api/audit/export.csv${queryString(filters)}`,

  // -------------------------------------------------------------- sales records

  people: (query: { q?: string; limit?: number; offset?: number }) =>
    request<{ people: Person[]; total: number }>(`/api/people${queryString(query)}`),

  person: async (id: number) => (await request<{ person: Person }>(`/api/people/${id}`)).person,

  scorecard: async (personId: number, periodId?: number) =>
    (await request<{ scorecard: Scorecard }>(`/api/people/${personId}/scorecard${queryString({ periodId })}`))
      .scorecard,

  periods: async (kind: PeriodKind) =>
    (await request<{ periods: Period[] }>(`/api/periods${queryString({ kind })}`)).periods,

  opportunities: (filters: OpportunityFilters & { limit?: number; offset?: number }) =>
    request<{ opportunities: Opportunity[]; total: number }>(`/api/opportunities${queryString(filters)}`),

  opportunitiesExportUrl: (filters: OpportunityFilters) =>
    `/api/opportunities/export.csv${queryString(filters)}`,

  quotas: (query: { periodId?: number; personId?: number; limit?: number; offset?: number }) =>
    request<{ quotas: Quota[]; total: number }>(`/api/quotas${queryString(query)}`),

  updateQuota: async (id: number, change: { target: string; reason: string }) =>
    (await request<{ quota: Quota }>(`/api/quotas/${id}`, jsonInit('PATCH', change))).quota,

  // -------------------------------------------------------------- metrics

  metrics: async () => (await request<{ metrics: MetricDefinition[] }>('/api/metrics')).metrics,

  kpi: (query: KpiQuery) => request<KpiReport>(`/api/kpi${kpiQueryString(query)}`),

  /** `count` consecutive periods from the one holding `at`, in one request. */
  kpiSeries: (query: KpiSeriesQuery) => request<KpiSeriesReport>(kpiSeriesPath(query)),

  /** The same requests asked ahead, for the page that will ask them (dashboard-queries.ts). */
  prefetchKpi: (query: KpiQuery) => askAhead(`/api/kpi${kpiQueryString(query)}`),
  prefetchKpiSeries: (query: KpiSeriesQuery) => askAhead(kpiSeriesPath(query)),
  prefetchMetrics: () => askAhead('/api/metrics'),
  /** The session, asked first so that it is answered before numbers that take longer. */
  prefetchMe: () => askAhead('/api/auth/me', { signingIn: true }),
  prefetchAlerts: () => askAhead('/api/alerts'),

  alerts: () => request<AlertReport>('/api/alerts'),

  kpiExportUrl: (query: KpiQuery, format: 'csv' | 'xlsx' = 'csv') =>
    `/api/kpi/export.${format}${kpiQueryString(query, { csv: true })}`,

  opportunity: async (id: number) =>
    (await request<{ opportunity: Opportunity }>(`/api/opportunities/${id}`)).opportunity,

  // -------------------------------------------------------------- data import

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
