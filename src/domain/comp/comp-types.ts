/**
 * The contract of the compensation engine (DESIGN.md §3, the standard ICM pipeline:
 * transaction → credit → measure → incentive → ledger → statement). Everything here is plain
 * data: the store, the CLI's `comp simulate` and the tests build a `CompInput`, the engine returns
 * a `CompResult`. Money crosses this boundary as exact decimal strings ("1234.56"); inside the
 * engine it is integer minor units. Dates are ISO days ("2026-06-15"); periods are labelled
 * "2026-06" (month) or "2026-Q2" (quarter) in a calendar whose fiscal year starts in
 * `fiscalYearStartMonth`.
 */

/** An exact decimal amount in the input's currency, as text: "1234.56", "-500", "0.5". */
export type DecimalText = string;
/** A share or rate: "50%", "0.5", 0.5 or 50 with a % sign only as text. See docs/plans.md "Numbers". */
export type ShareText = string | number;
/** An ISO calendar day, "2026-06-15". */
export type IsoDay = string;
/** A period label: "2026-06" for a month, "2026-Q2" for a quarter (fiscal quarters). */
export type PeriodLabel = string;

/** A person who can be paid and credited. */
export type PayeeInput = {
  id: string;
  name?: string;
  /** The role the payee holds: rep, manager, overlay, ... (for rules and reports). */
  role?: string;
};

/** The hierarchy over time: `payee` reports to `manager` on [from, to). Credit rolls up along it as of the transaction's day. */
export type ReportingInput = {
  payee: string;
  manager: string | null;
  from: IsoDay;
  /** Exclusive; absent = open-ended. */
  to?: IsoDay | null;
};

/** A territory assignment: the account's territory owner on [from, to). */
export type TerritoryInput = {
  account: string;
  payee: string;
  from: IsoDay;
  to?: IsoDay | null;
};

export type SplitInput = {
  payee: string;
  /** Share of the transaction: "50%". Splits of one transaction should sum to 100% (an issue is reported when not). */
  share: ShareText;
};

export type CollectionInput = { date: IsoDay; amount: DecimalText };

/** A credited transaction: a won deal (or order, invoice line) with its attributes. */
export type TransactionInput = {
  id: string;
  /** The day that puts it in a period (close day for a deal). */
  date: IsoDay;
  owner: string;
  amount: DecimalText;
  /** Gross margin as a percentage of amount: 42 means 42%. Optional. */
  margin_pct?: number | string;
  /** Gross margin amount; when absent and margin_pct is given it is amount × margin_pct, rounded half-even. */
  margin?: DecimalText;
  units?: number;
  /** new_business | expansion | renewal | any text the plan's rules read. */
  type?: string;
  product?: string;
  product_family?: string;
  segment?: string;
  account?: string;
  account_name?: string;
  /** The deal's name, for statements ("Acme-042"); defaults to the id. */
  name?: string;
  /** When the deal was cancelled (clawback applies in the period containing this day). */
  cancelled_on?: IsoDay | null;
  /** Splits among several people (replaces owner credit when present). */
  splits?: SplitInput[];
  /** Overlay credit on top of the 100% (solution engineers, specialists). */
  overlays?: SplitInput[];
  /** Cash collected against this deal, for plans that hold pay until collection. */
  collections?: CollectionInput[];
  /** Anything else a plan's expressions read as `deal.attributes.<name>`. */
  attributes?: Record<string, string | number | boolean | null>;
};

/** A quota: target for one payee, period and measure. Several rows for one period with `from` days mean the quota changed mid-period (prorated by days, docs/plans.md "Quota proration"). */
export type QuotaInput = {
  payee: string;
  period: PeriodLabel;
  /** The quota measure the plan's measure names in `quota:` (revenue, margin, units, new_logos, ...). */
  measure: string;
  amount: DecimalText;
  /** The first day this target applies within the period (default: the period's first day). */
  from?: IsoDay;
};

/** A management-by-objectives score for a bonus component: 0%–100% or more. */
export type ScoreInput = { payee: string; period: PeriodLabel; component: string; score: ShareText };

/** A manual adjustment: it must name a reason and an approver. */
export type AdjustmentInput = {
  id?: string;
  payee: string;
  period: PeriodLabel;
  amount: DecimalText;
  reason: string;
  approver: string;
};

/** A plan assignment: which payees the plan pays, from when, with their target incentive. */
export type AssignmentInput = {
  payee: string;
  from?: IsoDay;
  to?: IsoDay | null;
  /** Target incentive for the year at 100% attainment (informational, and for bonus `of_target`). */
  target_incentive?: DecimalText;
  /** Pay mix as "70/30" base/variable (informational). */
  pay_mix?: string;
};

/** What a closed period paid, for recalculation: the engine never rewrites it, the difference becomes an adjustment in the first open period. */
export type LockedPeriodInput = {
  payee: string;
  period: PeriodLabel;
  /** The closed statement's earnings total (before draws and holds). */
  earnings: DecimalText;
  /** The closed statement's lines' amounts by line id, so a difference names the line. */
  lines?: Record<string, DecimalText>;
};

/**
 * What a payee was paid on a deal in periods before the ones computed (the statements of an earlier
 * fiscal year, which a run does not compute again): a clawback in the computed periods gives it
 * back too, and what of it was still held is released as the deal's cash arrives (docs/plans.md
 * "The ledger"). The deal must be one of the input's transactions.
 */
export type CarriedDealInput = {
  payee: string;
  /** The transaction id of the deal. */
  transaction: string;
  /** What the deal's earnings lines paid this payee, in total, before the first period computed. */
  earned: DecimalText;
  /** What of `earned` was still held at the end of those periods (holds less releases). Default 0. */
  held?: DecimalText;
  /** The periods it was earned in, for the statement's explanation. */
  periods?: PeriodLabel[];
};

/**
 * What a payee owed at the end of the periods before the ones computed (an earlier fiscal year's
 * last statement, which a run does not compute again): recovered from pay in the computed periods
 * as the ledger recovers any balance owed (docs/plans.md "The ledger", balances carry).
 */
export type OpeningBalanceInput = {
  payee: string;
  /** A recoverable draw still owed. Under a plan without a recoverable draw it is a balance owed. Default 0. */
  draw_owed?: DecimalText;
  /** A negative balance still owed (clawbacks or adjustments larger than the pay). Default 0. */
  balance_owed?: DecimalText;
  /** The period the balance dates from, for the statement's explanation. */
  since?: PeriodLabel;
};

/** Everything one calculation reads. `comp simulate --input` takes exactly this as JSON (or a directory of CSV/JSON files, docs/plans.md). */
export type CompInput = {
  currency?: string;
  /** 1 = January (default). */
  fiscalYearStartMonth?: number;
  /** The periods to compute, in order; default: every plan period from the first transaction or quota to the last. */
  periods?: PeriodLabel[];
  /** Only these payees' statements (the others are still computed when they roll up). */
  payees?: PayeeInput[];
  reporting?: ReportingInput[];
  territories?: TerritoryInput[];
  transactions: TransactionInput[];
  quotas?: QuotaInput[];
  scores?: ScoreInput[];
  adjustments?: AdjustmentInput[];
  assignments?: AssignmentInput[];
  locked?: LockedPeriodInput[];
  /** Pay on deals before the periods computed, for clawbacks and holds across them. */
  carried?: CarriedDealInput[];
  /** Balances owed from before the periods computed (one per payee). */
  opening?: OpeningBalanceInput[];
};

// ---------------------------------------------------------------------------------------------
// Output

export type CompIssueCode =
  | 'split_not_100' // a transaction's splits do not sum to 100%
  | 'unknown_payee' // a transaction, split, quota or adjustment names a payee that is not known
  | 'missing_quota' // a measure with a quota has no quota for a payee and period (attainment not computed)
  | 'expression_error' // a plan expression failed on a transaction (the rule did not apply; the row is named)
  | 'cap_applied' // informational: a cap cut a payout
  | 'out_of_periods' // a transaction falls outside every computed period
  | 'unknown_transaction'; // carried pay names a transaction that is not in the input

export type CompIssue = {
  code: CompIssueCode;
  message: string;
  payee?: string;
  period?: PeriodLabel;
  transaction?: string;
  component?: string;
};

/** One credit: a share of a transaction's credit type given to one payee. */
export type CreditTrace = {
  transaction: string;
  transactionName: string;
  creditType: string;
  /** owner | split | overlay | rollup | territory */
  rule: 'owner' | 'split' | 'overlay' | 'rollup' | 'territory';
  /** For rollup: whose credit rolled up (the rep), and the level (1 = direct manager). */
  from?: string;
  level?: number;
  /** The transaction's amount for this credit type, before the share. */
  baseAmount: DecimalText;
  share: DecimalText; // "0.5"
  amount: DecimalText;
  date: IsoDay;
};

export type TierPortion = {
  /** 1-based band number in the plan. */
  tier: number;
  /** The part of the credit that fell in the band. */
  amount: DecimalText;
  /** The band's rate after multipliers, as a decimal ("0.12"). */
  rate: DecimalText;
  pay: DecimalText;
};

export type LineKind =
  | 'commission'
  | 'bonus'
  | 'spiff'
  | 'retro_adjustment' // retroactive tier repricing of earlier deals in the period
  | 'draw' // a non-recoverable top-up or a recoverable advance
  | 'draw_recovery'
  | 'clawback'
  | 'hold'
  | 'release'
  | 'adjustment'
  | 'prior_period_adjustment'; // a difference found when recalculating a closed period

/** The machine-readable reason for one line: enough to redo its arithmetic by hand. */
export type LineTrace = {
  rule: string; // the plan component id, or the ledger rule ("draw", "clawback", ...)
  credits?: CreditTrace[];
  basis?: 'amount' | 'attainment';
  method?: 'flat' | 'rate_table' | 'marginal' | 'whole' | 'retroactive' | 'interpolated';
  rate?: DecimalText;
  multipliers?: { label: string; factor: DecimalText }[];
  portions?: TierPortion[];
  attainmentBefore?: DecimalText; // "0.92"
  attainmentAfter?: DecimalText;
  capped?: { cap: string; before: DecimalText; after: DecimalText };
  /** Plain arithmetic: "60000.00 × 0.08 = 4800.00". */
  arithmetic: string;
  /** Anything else the rule reports (approver, reason, window, collected share, ...). */
  details?: Record<string, string>;
};

export type StatementLine = {
  /** Stable within a plan version and input: "<component>:<transaction>[:<payee>]" and so on, so runs can be compared line by line. */
  id: string;
  kind: LineKind;
  component?: string;
  transaction?: string;
  amount: DecimalText;
  trace: LineTrace;
  /** The same in a sentence a rep understands. */
  explanation: string;
};

export type MeasureValue = {
  id: string;
  value: DecimalText;
  quota?: DecimalText;
  /** value / quota as a decimal with 4 places ("1.0833"). */
  attainment?: DecimalText;
};

export type Statement = {
  payee: string;
  payeeName: string;
  period: PeriodLabel;
  currency: string;
  measures: MeasureValue[];
  lines: StatementLine[];
  totals: {
    /** Commission, bonus, SPIFF, retro and prior-period lines. */
    earnings: DecimalText;
    adjustments: DecimalText;
    clawbacks: DecimalText;
    /** Top-up or advance paid this period. */
    draw: DecimalText;
    drawRecovered: DecimalText;
    held: DecimalText;
    released: DecimalText;
    /** What payroll pays: earnings + adjustments + clawbacks + draw − recovered − held + released. Never below zero; a negative remainder is carried. */
    payable: DecimalText;
    /** Owed by the payee after this period (recoverable draw and unrecovered clawbacks), carried to the next period. */
    balanceCarried: DecimalText;
    /** Of balanceCarried, the recoverable draw still owed; present only when it is not zero. */
    drawOwed?: DecimalText;
  };
};

export type CompResult = {
  engineVersion: string;
  plan: { id: string; version: number; fingerprint: string };
  /** SHA-256 of the canonical input (sorted keys), so a run names exactly what it read. */
  inputFingerprint: string;
  currency: string;
  periods: PeriodLabel[];
  statements: Statement[];
  issues: CompIssue[];
};
