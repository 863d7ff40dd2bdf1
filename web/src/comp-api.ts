// The Reward part of the HTTP API (/api/comp/*): plans, runs, periods, statements, disputes and the
// estimator. The shapes mirror src/domain/comp/comp-types.ts and the routes of
// src/http/routes/comp-routes.ts; the web UI keeps its own copy because it talks only to the API.
import { queryString, request, type Problem } from './api.ts';

// ---------------------------------------------------------------- statements (comp-types.ts)

/** An exact decimal amount as text ("1234.56"); never turned into a float for arithmetic. */
export type DecimalText = string;

export type LineKind =
  | 'commission'
  | 'bonus'
  | 'spiff'
  | 'retro_adjustment'
  | 'draw'
  | 'draw_recovery'
  | 'clawback'
  | 'hold'
  | 'release'
  | 'adjustment'
  | 'prior_period_adjustment';

export type CreditTrace = {
  transaction: string;
  transactionName: string;
  creditType: string;
  rule: 'owner' | 'split' | 'overlay' | 'rollup' | 'territory';
  from?: string;
  level?: number;
  baseAmount: DecimalText;
  share: DecimalText;
  amount: DecimalText;
  date: string;
};

export type TierPortion = { tier: number; amount: DecimalText; rate: DecimalText; pay: DecimalText };

export type LineTrace = {
  rule: string;
  credits?: CreditTrace[];
  basis?: 'amount' | 'attainment';
  method?: 'flat' | 'rate_table' | 'marginal' | 'whole' | 'retroactive' | 'interpolated';
  rate?: DecimalText;
  multipliers?: { label: string; factor: DecimalText }[];
  portions?: TierPortion[];
  attainmentBefore?: DecimalText;
  attainmentAfter?: DecimalText;
  capped?: { cap: string; before: DecimalText; after: DecimalText };
  arithmetic: string;
  details?: Record<string, string>;
};

export type StatementLine = {
  id: string;
  kind: LineKind;
  component?: string;
  transaction?: string;
  amount: DecimalText;
  trace: LineTrace;
  explanation: string;
};

export type MeasureValue = { id: string; value: DecimalText; quota?: DecimalText; attainment?: DecimalText };

export type StatementTotals = {
  earnings: DecimalText;
  adjustments: DecimalText;
  clawbacks: DecimalText;
  draw: DecimalText;
  drawRecovered: DecimalText;
  held: DecimalText;
  released: DecimalText;
  payable: DecimalText;
  balanceCarried: DecimalText;
  /** Of balanceCarried, the recoverable draw still owed; present only when not zero. */
  drawOwed?: DecimalText;
};

export type Statement = {
  payee: string;
  payeeName: string;
  period: string;
  currency: string;
  measures: MeasureValue[];
  lines: StatementLine[];
  totals: StatementTotals;
};

export type StatementSummary = {
  payee: string;
  payeeName: string;
  period: string;
  runId: RunId;
  planId?: string;
  planVersion?: number;
  currency: string;
  totals: StatementTotals;
  openDisputes: number;
  closed?: boolean;
};

/** Runs are numbered by the server (ids are numbers in JSON); paths take them as text. */
export type RunId = string | number;

// ---------------------------------------------------------------- plans

export type PlanTestResult = {
  name: string;
  passed: boolean;
  failures: { expectation: string; expected: string; actual: string }[];
  error?: string;
};

export type PlanProblem = { field?: string; path?: string; line?: number; column?: number; message: string };

export type PlanSummary = {
  id: string;
  name: string;
  version: number;
  status: string;
  period: string;
  effectiveFrom: string;
  effectiveTo: string | null;
  updatedAt: string;
  tests: { passed: number; failed: number };
};

/** A plan paying a position for [from, to): `to` is the first day it no longer does (null: open-ended). */
export type PlanAssignment = {
  id: number;
  position: { id: number; key: string; title: string; role: string };
  /** Who holds the position today (null: vacant). */
  holder: { key: string; name: string } | null;
  from: string;
  to: string | null;
  targetIncentive: DecimalText | null;
  currency: string;
  /** Base/variable, such as "70/30". */
  payMix: string | null;
};

export type PlanDetail = {
  id: string;
  name: string;
  status?: 'active' | 'draft';
  period?: 'month' | 'quarter';
  currency?: string;
  effectiveFrom?: string;
  effectiveTo?: string | null;
  current: {
    version: number;
    source: string;
    createdAt: string;
    createdBy: string | null;
    testResults: PlanTestResult[];
  };
  versions: {
    version: number;
    createdAt: string;
    createdBy: string | null;
    tests?: { passed: number; failed: number };
  }[];
  assignments: PlanAssignment[];
};

/** A position a plan can be assigned to, with its holder today and its plan assignments not ended. */
export type CompPosition = {
  id: number;
  key: string;
  title: string;
  role: string;
  holder: { key: string; name: string } | null;
  plans: { planId: string; from: string; to: string | null }[];
};

export type NewAssignment = {
  position: number | string;
  from: string;
  to?: string | null;
  targetIncentive?: DecimalText | null;
  payMix?: string | null;
};

export type PlanCheck = { problems: PlanProblem[]; testResults: PlanTestResult[] };

// ---------------------------------------------------------------- periods and runs

export type PayPeriod = {
  period: string;
  kind: string;
  startsOn: string;
  endsOn: string;
  status: 'open' | 'closed';
  closedAt: string | null;
  lastRunId: RunId | null;
  running?: boolean;
};

export type RunStatus = 'running' | 'succeeded' | 'failed';

export type Run = {
  id: RunId;
  period: string;
  status: RunStatus;
  progress: { done: number; total: number; phase: string };
  startedAt: string;
  finishedAt: string | null;
  inputFingerprint?: string | null;
  planVersions?: { planId: string; version: number; fingerprint?: string }[];
  summary?: {
    payees: number;
    earnings: DecimalText;
    payable: DecimalText;
    lines?: number;
    currency?: string;
  } | null;
  issueCount?: number;
  issues?: { code: string; message: string; payee?: string; period?: string; transaction?: string }[];
  createdBy?: string;
  error?: Problem | string | null;
};

/** "Why did my pay change": what differs between two runs (src/domain/comp/compare-runs.ts). */
export type LineChange = {
  lineId: string;
  kind: LineKind;
  component?: string;
  transaction?: string;
  change: 'added' | 'removed' | 'changed';
  before?: DecimalText;
  after?: DecimalText;
  delta: DecimalText;
  reasons: string[];
  explanationBefore?: string;
  explanationAfter?: string;
};

export type StatementChange = {
  payee: string;
  payeeName: string;
  period: string;
  change: 'added' | 'removed' | 'changed';
  totalsBefore: StatementTotals | null;
  totalsAfter: StatementTotals | null;
  delta: Record<keyof StatementTotals, DecimalText>;
  lines: LineChange[];
  measures: { id: string; reasons: string[] }[];
  reasons: string[];
};

export type RunComparison = {
  currency: string;
  before: { planId: string; planVersion: number; inputFingerprint: string; periods: string[] };
  after: { planId: string; planVersion: number; inputFingerprint: string; periods: string[] };
  planChanged: boolean;
  inputChanged: boolean;
  reasons: string[];
  statements: StatementChange[];
  unchangedStatements: number;
  payeesChanged: string[];
  totalsBefore: StatementTotals;
  totalsAfter: StatementTotals;
  totalsDelta: Record<keyof StatementTotals, DecimalText>;
};

// ---------------------------------------------------------------- disputes and adjustments

export type DisputeStatus = 'open' | 'resolved';

export type DisputeEvent = {
  id?: number;
  at: string;
  kind: 'raised' | 'message' | 'resolved' | string;
  actor?: string | null;
  message?: string | null;
  amount?: DecimalText | null;
  resolution?: string | null;
};

/** A question on a statement line (the list's summary; the detail adds the trace and the events). */
export type Dispute = {
  id: number;
  payee: string;
  payeeName: string | null;
  period: string;
  lineId: string;
  status: DisputeStatus;
  resolution: 'explained' | 'adjusted' | null;
  adjustmentId: number | null;
  raisedBy: string;
  createdAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
  line: Pick<StatementLine, 'id' | 'kind' | 'amount' | 'explanation'> & Partial<Pick<StatementLine, 'trace'>>;
  runId?: RunId;
  /** The line as it was when the question was raised, with its trace (the detail only). */
  disputedLine?: StatementLine;
  events?: DisputeEvent[];
  adjustment?: { id: number; period: string; amount: DecimalText; reason?: string } | null;
  currency?: string;
};

/** An approved adjustment (every adjustment is approved by whoever creates it). */
export type Adjustment = {
  id: string | number;
  payee: string;
  payeeName?: string | null;
  period: string;
  amount: DecimalText;
  currency?: string;
  reason: string;
  approver?: string | null;
  createdAt?: string;
  disputeId?: string | number | null;
  /** The run whose current statement of the payee and period pays it; null until one does (the list only). */
  paidInRun?: number | null;
};

export type NewAdjustment = { payee: string; period: string; amount: DecimalText; reason: string };

export type StatementDetail = {
  statement: Statement;
  runId: RunId;
  planId?: string;
  planVersion?: number;
  closed: boolean;
  disputes: Dispute[];
};

// ---------------------------------------------------------------- estimator

export type HypotheticalDeal = {
  amount: string;
  marginPct?: number;
  type?: string;
  productFamily?: string;
  closeOn: string;
};

/** src/domain/comp/estimate-deal.ts: the payee's plan run with and without the deal. */
export type DealEstimate = {
  period: string;
  payee: string;
  payeeName: string;
  currency: string;
  deal: { id: string; name: string; amount: DecimalText; date: string };
  payoutWithout: DecimalText;
  payoutWith: DecimalText;
  /** The payout delta the deal would add. */
  delta: DecimalText;
  earningsWithout: DecimalText;
  earningsWith: DecimalText;
  earningsDelta: DecimalText;
  /** The lines the deal adds or changes (retroactive repricing, draw and holds included). */
  lines: { line: StatementLine; before?: DecimalText; delta: DecimalText }[];
  measure?: string;
  attainmentBefore?: DecimalText;
  attainmentAfter?: DecimalText;
  explanation: string;
  issues: { code: string; message: string }[];
  planId?: string;
  planVersion?: number;
};

// ---------------------------------------------------------------- requests

/** A Reward request through api.ts's `request` (CSRF token, 401 handling, problem+json errors). */
function compRequest<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  return request<T>(path, {
    method: init.method ?? 'GET',
    ...(init.body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.body) }),
  });
}

const enc = encodeURIComponent;

/** Runs this page started, as the server first answered (its first phase), for the run page to show at once. */
export const startedRuns = new Map<string, Run>();

export const compApi = {
  plans: async () => (await compRequest<{ plans: PlanSummary[] }>('/api/comp/plans')).plans,
  plan: (id: string) => compRequest<PlanDetail>(`/api/comp/plans/${enc(id)}`),
  planVersion: (id: string, version: number) =>
    compRequest<PlanDetail>(`/api/comp/plans/${enc(id)}${queryString({ version })}`),
  validatePlan: (source: string) =>
    compRequest<PlanCheck>('/api/comp/plans/validate', { method: 'POST', body: { source } }),
  savePlan: (id: string, source: string) =>
    compRequest<{ version: number; testResults: PlanTestResult[] }>(`/api/comp/plans/${enc(id)}`, {
      method: 'PUT',
      body: { source },
    }),

  assignments: async (planId: string) =>
    (await compRequest<{ assignments: PlanAssignment[] }>(`/api/comp/plans/${enc(planId)}/assignments`))
      .assignments,
  assignPlan: async (planId: string, input: NewAssignment) =>
    (
      await compRequest<{ assignment: PlanAssignment }>(`/api/comp/plans/${enc(planId)}/assignments`, {
        method: 'POST',
        body: input,
      })
    ).assignment,
  positions: (query: { q?: string; limit?: number; offset?: number }) =>
    compRequest<{ positions: CompPosition[]; total: number }>(`/api/comp/positions${queryString(query)}`),

  periods: async () => (await compRequest<{ periods: PayPeriod[] }>('/api/comp/periods')).periods,
  closePeriod: (period: string) =>
    compRequest<unknown>(`/api/comp/periods/${enc(period)}/close`, { method: 'POST', body: {} }),

  startRun: async (period: string, payees?: string[]) => {
    const { run } = await compRequest<{ run: Run }>('/api/comp/runs', {
      method: 'POST',
      body: { period, ...(payees ? { payees } : {}) },
    });
    startedRuns.set(String(run.id), run);
    return run;
  },
  runs: async () => (await compRequest<{ runs: Run[] }>('/api/comp/runs')).runs,
  run: async (id: RunId) =>
    unwrapRun(await compRequest<Run | { run: Run }>(`/api/comp/runs/${enc(String(id))}`)),
  compare: (a: string, b: string) => compRequest<RunComparison>(`/api/comp/runs/${enc(a)}/compare/${enc(b)}`),

  statements: async (query: { period?: string; payee?: string }) =>
    (await compRequest<{ statements: StatementSummary[] }>(`/api/comp/statements${queryString(query)}`))
      .statements,
  statement: (payee: string, period: string) =>
    compRequest<StatementDetail>(`/api/comp/statements/${enc(payee)}/${enc(period)}`),
  exportUrl: (payee: string, period: string, format: 'csv' | 'xlsx' | 'pdf') =>
    `/api/comp/statements/${enc(payee)}/${enc(period)}/export.${format}`,
  payrollUrl: (period: string) => `/api/comp/payroll/${enc(period)}.csv`,

  disputes: async () => (await compRequest<{ disputes: Dispute[] }>('/api/comp/disputes')).disputes,
  dispute: async (id: string) =>
    unwrapDispute(await compRequest<Dispute | { dispute: Dispute }>(`/api/comp/disputes/${enc(id)}`)),
  raiseDispute: async (input: { payee: string; period: string; lineId: string; message: string }) =>
    unwrapDispute(
      await compRequest<Dispute | { dispute: Dispute }>('/api/comp/disputes', {
        method: 'POST',
        body: input,
      }),
    ),
  replyDispute: (id: string, message: string) =>
    compRequest<unknown>(`/api/comp/disputes/${enc(id)}/messages`, { method: 'POST', body: { message } }),
  resolveDispute: (
    id: string,
    input: { resolution: 'explained' | 'adjusted'; message: string; amount?: string },
  ) => compRequest<unknown>(`/api/comp/disputes/${enc(id)}/resolve`, { method: 'POST', body: input }),

  adjustments: async (query: { period?: string; payee?: string } = {}) =>
    (await compRequest<{ adjustments: Adjustment[] }>(`/api/comp/adjustments${queryString(query)}`))
      .adjustments,
  createAdjustment: async (input: NewAdjustment) =>
    (
      await compRequest<{ adjustment: Adjustment }>('/api/comp/adjustments', {
        method: 'POST',
        body: input,
      })
    ).adjustment,

  estimate: async (
    input: { opportunityId: number; payee?: string } | { deal: HypotheticalDeal; payee?: string },
  ) =>
    unwrapEstimate(
      await compRequest<DealEstimate | { estimate: DealEstimate }>('/api/comp/estimate', {
        method: 'POST',
        body: input,
      }),
    ),
};

function unwrapRun(value: Run | { run: Run }): Run {
  return 'run' in value && typeof value.run === 'object' ? value.run : (value as Run);
}

function unwrapDispute(value: Dispute | { dispute: Dispute }): Dispute {
  return 'dispute' in value && typeof value.dispute === 'object' ? value.dispute : (value as Dispute);
}

function unwrapEstimate(value: DealEstimate | { estimate: DealEstimate }): DealEstimate {
  return 'estimate' in value && typeof value.estimate === 'object' ? value.estimate : (value as DealEstimate);
}
