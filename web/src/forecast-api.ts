// The Forecast part of the HTTP API (/api/forecast/*): a period's number and range per position,
// submissions and their roll-up, deals at risk, and the accuracy of every layer. The shapes mirror
// src/http/routes/forecast-routes.ts; the web UI keeps its own copy because it talks only to the API.
import { queryString, request } from './api.ts';

/** An exact decimal amount as text ("1234.56"). */
export type Amount = string;

export type ForecastNumbers = {
  closed: Amount;
  stageWeighted: Amount;
  expected: Amount;
  p10: Amount;
  p50: Amount;
  p90: Amount;
  openDeals: number;
};

export type ForecastCall = { commit: Amount; mostLikely: Amount; bestCase: Amount; pipeline: Amount };

export type ForecastSubmission = ForecastCall & {
  positionId: number;
  version: number;
  kind: 'submission' | 'override';
  note: string | null;
  asOf: string;
  submittedAt: string;
  submittedBy: string;
  rollUp: Amount | null;
  system: Amount | null;
};

export type ForecastRow = {
  positionId: number;
  personId: number | null;
  name: string;
  title: string;
  reports: number;
  system: ForecastNumbers;
  rollUp: ForecastCall | null;
  call: ForecastCall | null;
  source: 'own' | 'roll_up' | 'none';
  own: ForecastSubmission | null;
  override: Amount | null;
  reportsWithCall: number;
};

export type RiskyDeal = {
  opportunityId: number;
  name: string | null;
  ownerId: number | null;
  ownerName: string | null;
  stage: string;
  amount: Amount;
  closeOn: string | null;
  ageInStageDays: number;
  daysSinceActivity: number | null;
  pushes: number;
  /** Contacts on the deal (today's pipeline only; null when not known or not judged). */
  contacts: number | null;
  reasons: { kind: string; message: string }[];
};

export type ForecastView = {
  period: {
    id: number;
    kind: string;
    label: string;
    from: string;
    to: string;
    status: string;
    open: boolean;
  };
  asOf: string;
  currency: string;
  node: ForecastRow | null;
  company: { name: string; system: ForecastNumbers } | null;
  path: { positionId: number | null; name: string }[];
  rows: ForecastRow[];
  risky: RiskyDeal[];
  canSubmit: boolean;
  suggestion: ForecastCall | null;
  versions: ForecastSubmission[];
  rangeShock: { sd: number; windows: number } | null;
  issues: { code: string; message: string }[];
};

export type ForecastPeriod = { id: number; label: string; from: string; to: string };

export type AccuracyLayerName =
  'stage_weighted' | 'historical' | 'monte_carlo' | 'propensity' | 'rep_roll_up' | 'manager_call';

export type ForecastAccuracy = {
  kind: string;
  currency: string;
  node: { positionId: number | null; name: string };
  rows: {
    period: string;
    horizon: string;
    asOf: string;
    actual: Amount;
    stageWeighted: Amount;
    historical: Amount;
    propensity: Amount;
    p10: Amount;
    p50: Amount;
    p90: Amount;
    repRollUp: Amount | null;
    managerCall: Amount | null;
  }[];
  layers: {
    layer: AccuracyLayerName;
    horizon: string;
    periods: number;
    wape: number | null;
    bias: number | null;
    coverage: number | null;
    valueAdded: number | null;
  }[];
  dealScores: {
    horizon: string;
    deals: number;
    won: number;
    auc: number | null;
    brier: number | null;
    calibration: { bin: number; count: number; meanPredicted: number; observedRate: number }[];
  }[];
};

export type SubmitForecast = ForecastCall & { periodId: number; positionId: number; note?: string | null };

export const forecastApi = {
  periods: (kind = 'quarter') =>
    request<{ periods: ForecastPeriod[] }>(`/api/forecast/periods${queryString({ kind })}`).then(
      (r) => r.periods,
    ),
  view: (query: { periodId?: number | null; positionId?: number | null }) =>
    request<ForecastView>(`/api/forecast${queryString(query)}`),
  submit: (body: SubmitForecast) =>
    request<ForecastSubmission>('/api/forecast/submissions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  accuracy: (query: { kind?: string; count?: number; positionId?: number | null }) =>
    request<ForecastAccuracy>(`/api/forecast/accuracy${queryString(query)}`),
};
