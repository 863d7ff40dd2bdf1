import type { Problem } from '../domain/errors.ts';
import type {
  CanonicalRecord,
  OpportunityHistoryEntry,
  OpportunityRecord,
  StageDefinition,
} from '../domain/records.ts';
import { activityTypes, dealTypes, forecastCategories, positionRoles } from '../domain/vocabulary.ts';
import type { EntityKind, NativeRow } from './mapping.ts';
import {
  parseChoice,
  parseCurrency,
  parseDate,
  parseInstant,
  parseInteger,
  parseMoney,
  parsePercentToBps,
  parseProbability,
  type DateFormat,
  type Parsed,
} from './parse-values.ts';

/** What the normaliser needs to know beyond the row. */
export type NormaliseContext = {
  file: string;
  line: number;
  dateFormat: DateFormat;
  currency: string;
  stages: Map<string, StageDefinition>;
  /** native field → the user's column name, for messages that name what the user sees */
  sourceColumn: (field: string) => string;
  moneyScale: Record<string, number>;
  inferHistory?: 'maven_dates';
};

export type HistoryRow = { opportunityKey: string; entry: OpportunityHistoryEntry };

/** A canonical record, or one row of an opportunity's history (which has no key of its own). */
export type NormalisedRecord = CanonicalRecord | { kind: 'opportunity_history'; record: HistoryRow };

export type NormaliseResult = { ok: true; value: NormalisedRecord } | { ok: false; problems: Problem[] };

/** Reads fields of one native row, collecting every problem instead of stopping at the first. */
class FieldReader {
  readonly problems: Problem[] = [];
  constructor(
    private readonly row: NativeRow,
    private readonly ctx: NormaliseContext,
  ) {}

  private raw(field: string): string {
    return (this.row[field] ?? '').trim();
  }

  private problem(field: string, value: string, message: string): void {
    const column = this.ctx.sourceColumn(field);
    // Two native fields can read one column (Maven's close_date is close_on and closed_on): say it once.
    if (this.problems.some((p) => p.field === column && p.value === value)) return;
    // The value is reported beside the message; the parsers' reasons start by quoting it.
    const reason = message.startsWith(`"${value}" `) ? message.slice(value.length + 3) : message;
    this.problems.push({ file: this.ctx.file, line: this.ctx.line, field: column, value, message: reason });
  }

  private read<T>(field: string, parser: (text: string) => Parsed<T>): T | null {
    const text = this.raw(field);
    if (text === '') return null;
    const parsed = parser(text);
    if (!parsed.ok) {
      this.problem(field, text, parsed.reason);
      return null;
    }
    return parsed.value;
  }

  /** Whether the file carries this field at all (a column mapped to it), even blank. */
  has(field: string): boolean {
    return field in this.row;
  }

  text(field: string): string | null {
    const text = this.raw(field);
    return text === '' ? null : text;
  }

  required(field: string): string {
    const text = this.raw(field);
    if (text === '') this.problem(field, text, 'is required');
    return text;
  }

  date(field: string): string | null {
    return this.read(field, (t) => parseDate(t, this.ctx.dateFormat));
  }

  requiredDate(field: string): string {
    const text = this.required(field);
    return text === '' ? '' : (this.date(field) ?? '');
  }

  instant(field: string): string | null {
    return this.read(field, (t) => parseInstant(t, this.ctx.dateFormat));
  }

  requiredInstant(field: string): string {
    const text = this.required(field);
    return text === '' ? '' : (this.instant(field) ?? '');
  }

  currency(field = 'currency'): string {
    return this.read(field, parseCurrency) ?? this.ctx.currency;
  }

  money(field: string, currency: string): number | null {
    return this.read(field, (t) => parseMoney(t, currency, this.ctx.moneyScale[field] ?? 0));
  }

  requiredMoney(field: string, currency: string): number {
    const text = this.required(field);
    return text === '' ? 0 : (this.money(field, currency) ?? 0);
  }

  integer(field: string): number | null {
    return this.read(field, parseInteger);
  }

  bps(field: string): number | null {
    return this.read(field, parsePercentToBps);
  }

  probability(field: string): number | null {
    return this.read(field, parseProbability);
  }

  choice<T extends string>(field: string, allowed: readonly T[]): T | null {
    return this.read(field, (t) => parseChoice(t, allowed));
  }

  requiredChoice<T extends string>(field: string, allowed: readonly T[]): T {
    const text = this.required(field);
    return (text === '' ? allowed[0] : (this.choice(field, allowed) ?? allowed[0])) as T;
  }

  stage(field: string): StageDefinition | null {
    const text = this.required(field);
    if (text === '') return null;
    const stage = this.ctx.stages.get(text) ?? this.ctx.stages.get(text.toLowerCase());
    if (!stage) {
      this.problem(
        field,
        text,
        `is not a known stage (expected one of ${[...new Set([...this.ctx.stages.values()].map((s) => s.name))].join(', ')})`,
      );
      return null;
    }
    return stage;
  }
}

function finish<T extends NormalisedRecord>(reader: FieldReader, value: T): NormaliseResult {
  return reader.problems.length > 0 ? { ok: false, problems: reader.problems } : { ok: true, value };
}

/** Turns one native row into a canonical record, or every problem it has. */
export function normaliseRow(entity: EntityKind, row: NativeRow, ctx: NormaliseContext): NormaliseResult {
  const r = new FieldReader(row, ctx);
  switch (entity) {
    case 'people':
      return finish(r, {
        kind: 'person',
        record: {
          key: r.required('person_key'),
          name: r.required('name'),
          email: r.text('email'),
          role: r.requiredChoice('role', positionRoles),
          title: r.text('title'),
          managerRef: r.text('manager_key'),
          team: r.text('team'),
          region: r.text('region'),
          hiredOn: r.date('hired_on'),
          leftOn: r.date('left_on'),
        },
      });
    case 'accounts': {
      const currency = r.currency();
      return finish(r, {
        kind: 'account',
        record: {
          key: r.required('account_key'),
          name: r.required('name'),
          segment: r.text('segment'),
          industry: r.text('industry'),
          region: r.text('region'),
          country: r.text('country'),
          employees: r.integer('employees'),
          annualRevenueMinor: r.money('annual_revenue', currency),
          currency,
          yearEstablished: r.integer('year_established'),
          parentName: r.text('parent_name'),
        },
      });
    }
    case 'products': {
      const currency = r.currency();
      return finish(r, {
        kind: 'product',
        record: {
          key: r.required('product_key'),
          name: r.required('name'),
          family: r.text('family'),
          listPriceMinor: r.money('list_price', currency),
          costMinor: r.money('cost', currency),
          currency,
        },
      });
    }
    case 'opportunities':
      return normaliseOpportunity(r, ctx);
    case 'opportunity_history': {
      const currency = r.currency();
      const entry: OpportunityHistoryEntry = {
        at: r.requiredInstant('changed_at'),
        source: 'source_history',
      };
      const stage = r.text('stage') === null ? null : r.stage('stage');
      if (stage) entry.stage = stage.name;
      if (r.text('amount') !== null) entry.amountMinor = r.money('amount', currency);
      if (r.text('close_on') !== null) entry.closeOn = r.date('close_on');
      if (r.text('probability') !== null) entry.probability = r.probability('probability');
      if (r.text('owner_key') !== null) entry.ownerRef = r.text('owner_key');
      return finish(r, {
        kind: 'opportunity_history',
        record: { opportunityKey: r.required('opportunity_key'), entry },
      });
    }
    case 'activities':
      return finish(r, {
        kind: 'activity',
        record: {
          key: r.required('activity_key'),
          type: r.requiredChoice('type', activityTypes),
          personRef: r.text('person_key'),
          accountRef: r.text('account_key'),
          opportunityRef: r.text('opportunity_key'),
          occurredAt: r.requiredInstant('occurred_at'),
          durationMinutes: r.integer('duration_minutes'),
          outcome: r.text('outcome'),
          subject: r.text('subject'),
        },
      });
    case 'leads':
      return finish(r, {
        kind: 'lead',
        record: {
          key: r.required('lead_key'),
          source: r.text('source'),
          ownerRef: r.text('owner_key'),
          accountRef: r.text('account_key'),
          createdAt: r.requiredInstant('created_at'),
          firstResponseAt: r.instant('first_response_at'),
          convertedAt: r.instant('converted_at'),
          opportunityRef: r.text('opportunity_key'),
          status: r.text('status'),
        },
      });
    case 'subscriptions': {
      const currency = r.currency();
      return finish(r, {
        kind: 'subscription',
        record: {
          key: r.required('subscription_key'),
          accountRef: r.text('account_key'),
          productRef: r.text('product_key'),
          plan: r.text('plan'),
          mrrMinor: r.requiredMoney('mrr', currency),
          currency,
          startedOn: r.requiredDate('started_on'),
          endedOn: r.date('ended_on'),
          churnReason: r.text('churn_reason'),
        },
      });
    }
    case 'invoices': {
      const currency = r.currency();
      return finish(r, {
        kind: 'invoice',
        record: {
          key: r.required('invoice_key'),
          accountRef: r.text('account_key'),
          subscriptionRef: r.text('subscription_key'),
          opportunityRef: r.text('opportunity_key'),
          issuedOn: r.requiredDate('issued_on'),
          dueOn: r.date('due_on'),
          amountMinor: r.requiredMoney('amount', currency),
          currency,
        },
      });
    }
    case 'payments': {
      const currency = r.currency();
      return finish(r, {
        kind: 'payment',
        record: {
          key: r.required('payment_key'),
          invoiceRef: r.text('invoice_key'),
          paidOn: r.requiredDate('paid_on'),
          amountMinor: r.requiredMoney('amount', currency),
          currency,
        },
      });
    }
    case 'spend': {
      const currency = r.currency();
      return finish(r, {
        kind: 'spend',
        record: {
          startsOn: r.requiredDate('starts_on'),
          endsOn: r.requiredDate('ends_on'),
          channel: r.required('channel'),
          category: r.requiredChoice('category', ['marketing', 'sales'] as const),
          amountMinor: r.requiredMoney('amount', currency),
          currency,
        },
      });
    }
    case 'quotas': {
      const target = r.required('target');
      if (target !== '' && !/^\d+(\.\d{1,4})?$/.test(target)) {
        r.problems.push({
          file: ctx.file,
          line: ctx.line,
          field: ctx.sourceColumn('target'),
          value: target,
          message: 'is not a non-negative number with at most 4 decimals',
        });
      }
      return finish(r, {
        kind: 'quota',
        record: {
          positionRef: r.required('person_key'),
          periodKind: r.requiredChoice('period_kind', ['month', 'quarter', 'year'] as const),
          periodStartsOn: r.requiredDate('period_starts_on'),
          measure: r.requiredChoice('measure', [
            'revenue',
            'bookings',
            'margin',
            'units',
            'activities',
            'new_logos',
          ] as const),
          target,
          currency: r.text('currency'),
        },
      });
    }
  }
}

function normaliseOpportunity(r: FieldReader, ctx: NormaliseContext): NormaliseResult {
  const currency = r.currency();
  const key = r.required('opportunity_key');
  const stage = r.stage('stage');
  const createdOn = r.date('created_on');
  const closedOn = r.date('closed_on');
  const record: OpportunityRecord = {
    key,
    name: r.text('name'),
    accountRef: r.text('account_key'),
    ownerRef: r.text('owner_key'),
    productRef: r.text('product_key'),
    stage: stage?.name ?? '',
    forecastCategory: r.choice('forecast_category', forecastCategories),
    probability: r.probability('probability') ?? stage?.probability ?? null,
    amountMinor: r.money('amount', currency),
    currency,
    dealType: r.choice('deal_type', dealTypes),
    leadSource: r.text('lead_source'),
    createdOn,
    engagedOn: r.date('engaged_on'),
    closeOn: r.date('close_on'),
    closedOn,
    // A file without the column leaves a stored cancellation as it is (CRM exports carry none).
    ...(r.has('cancelled_on') ? { cancelledOn: r.date('cancelled_on') } : {}),
    lostReason: r.text('lost_reason'),
    competitor: r.text('competitor'),
    discountBps: r.bps('discount_percent'),
    grossMarginBps: r.bps('gross_margin_percent'),
    contactCount: r.integer('contact_count'),
    history: [],
  };
  if (stage && stage.category !== 'open' && record.closedOn === null && record.closeOn !== null) {
    // A closed deal's close date is when it closed.
    record.closedOn = record.closeOn;
  }
  if (record.createdOn && record.closedOn && record.closedOn < record.createdOn && r.problems.length === 0) {
    r.problems.push({
      file: ctx.file,
      line: ctx.line,
      field: ctx.sourceColumn('closed_on'),
      value: record.closedOn,
      message: `closes before it was created (${record.createdOn})`,
    });
  }
  const closeColumns = new Set([ctx.sourceColumn('closed_on'), ctx.sourceColumn('close_on')]);
  const closeUnreadable = r.problems.some((p) => closeColumns.has(p.field ?? ''));
  if (record.cancelledOn && stage && !closeUnreadable) {
    // Only a won deal can be cancelled (a plan claws back what it paid), and not before it closed.
    const problem = (message: string) =>
      r.problems.push({
        file: ctx.file,
        line: ctx.line,
        field: ctx.sourceColumn('cancelled_on'),
        value: record.cancelledOn!,
        message,
      });
    if (stage.category !== 'won')
      problem(`cancels a deal that is not won (stage ${stage.name} is ${stage.category})`);
    else if (record.closedOn === null)
      problem('cancels a won deal without a close date (closed_on or close_on)');
    else if (record.cancelledOn < record.closedOn) problem(`is before the deal closed (${record.closedOn})`);
  }
  if (ctx.inferHistory === 'maven_dates' && stage) {
    // Maven records when a deal entered Engaging and when it was won or lost: its only history.
    if (record.engagedOn)
      record.history.push({
        at: `${record.engagedOn}T00:00:00.000Z`,
        source: 'inferred',
        stage: 'Engaging',
        amountMinor: null,
        closeOn: null,
      });
    if (stage.category !== 'open' && record.closedOn) {
      record.history.push({
        at: `${record.closedOn}T00:00:00.000Z`,
        source: 'inferred',
        stage: stage.name,
        amountMinor: record.amountMinor,
        closeOn: record.closeOn,
      });
    }
  }
  return finish(r, { kind: 'opportunity', record });
}
