/**
 * Builds an OpportunitySnapshot from plain records, with the same encoding as the store's loader:
 * for engine tests and small in-memory data sets. Large data comes from the loader, never through
 * an array of objects.
 */
import { parseIsoDate, toDayNumber } from '../calendar/day-number.ts';
import { DomainError } from '../errors.ts';
import { dealTypes, forecastCategories, type StageCategory } from '../vocabulary.ts';
import {
  NULL_CODE,
  NULL_DAY,
  NULL_INT32,
  NULL_PROBABILITY,
  createDictionaryEncoder,
  createIdIndex,
} from './columns.ts';
import { orderDictionaries } from './order-dictionaries.ts';
import {
  allocateOpportunityColumns,
  encodeChangeValue,
  fieldCodeOf,
  groupChangesByRow,
  type OpportunitySnapshot,
  type TrackedOpportunityField,
  type UnorderedChanges,
} from './opportunity-snapshot.ts';

export type OpportunityInput = {
  id: number;
  stage: string;
  ownerPersonId?: number | null;
  accountId?: number | null;
  productId?: number | null;
  competitor?: string | null;
  lostReason?: string | null;
  leadSource?: string | null;
  dealType?: string | null;
  forecastCategory?: string | null;
  /** Default 'USD', as in the opportunities table. */
  currency?: string;
  amountMinor?: number | null;
  probability?: number | null;
  grossMarginBps?: number | null;
  /** 'YYYY-MM-DD'. */
  createdOn: string;
  closeOn?: string | null;
  closedOn?: string | null;
  isClosed?: boolean;
  isWon?: boolean;
  /** 'YYYY-MM-DD': the day a won deal was cancelled. */
  cancelledOn?: string | null;
};

/** One opportunity_changes row; values as the table holds them (text). */
export type OpportunityChangeInput = {
  /** opportunity_changes.id; default: the position in the list, from 1 (the order of insertion). */
  id?: number;
  opportunityId: number;
  /** ISO-8601 instant with its zone, e.g. '2024-03-01T10:00:00Z'. */
  changedAt: string;
  field: TrackedOpportunityField;
  oldValue: string | null;
  newValue: string | null;
};

export type OpportunitySnapshotInput = {
  /** In pipeline order (stages.sort_order): stage codes follow it. */
  stages: { name: string; category: StageCategory }[];
  opportunities: OpportunityInput[];
  changes?: OpportunityChangeInput[];
};

function dayOrNull(text: string | null | undefined): number {
  return text == null ? NULL_DAY : toDayNumber(text);
}

function idOrNull(id: number | null | undefined): number {
  return id == null ? NULL_CODE : id;
}

// An instant must carry its zone: a local time would put the change on a machine-dependent day.
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

function instantMs(text: string): number {
  const ms =
    INSTANT.test(text) && parseIsoDate(text.slice(0, 10)) !== undefined ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms))
    throw new DomainError('invalid_date', `"${text}" is not an ISO-8601 instant with a zone`);
  return ms;
}

/** An OpportunitySnapshot of the given records (rows ordered by id, like the loader's). */
export function buildOpportunitySnapshot(input: OpportunitySnapshotInput): OpportunitySnapshot {
  const records = [...input.opportunities].sort((a, b) => a.id - b.id);
  const n = records.length;
  const stage = createDictionaryEncoder(input.stages.map((s) => s.name));
  const stageSeedSize = stage.dictionary.length;
  const competitor = createDictionaryEncoder();
  const lostReason = createDictionaryEncoder();
  const leadSource = createDictionaryEncoder();
  const dealType = createDictionaryEncoder(dealTypes);
  const forecastCategory = createDictionaryEncoder(forecastCategories);
  const currency = createDictionaryEncoder();
  const columns = allocateOpportunityColumns(n);
  records.forEach((o, r) => {
    if (r > 0 && records[r - 1]!.id === o.id)
      throw new DomainError('invariant', `Opportunity id ${o.id} appears twice`);
    if (o.amountMinor != null && !Number.isSafeInteger(o.amountMinor)) {
      throw new DomainError(
        'unsafe_integer',
        `Opportunity ${o.id}: amount ${o.amountMinor} is not an exact integer of minor units`,
      );
    }
    columns.id[r] = o.id;
    columns.stage[r] = stage.encode(o.stage);
    columns.owner[r] = idOrNull(o.ownerPersonId);
    columns.account[r] = idOrNull(o.accountId);
    columns.product[r] = idOrNull(o.productId);
    columns.competitor[r] = competitor.encode(o.competitor ?? null);
    columns.lostReason[r] = lostReason.encode(o.lostReason ?? null);
    columns.leadSource[r] = leadSource.encode(o.leadSource ?? null);
    columns.dealType[r] = dealType.encode(o.dealType ?? null);
    columns.forecastCategory[r] = forecastCategory.encode(o.forecastCategory ?? null);
    columns.currency[r] = currency.encode(o.currency ?? 'USD');
    columns.amountMinor[r] = o.amountMinor ?? Number.NaN;
    columns.probability[r] = o.probability ?? NULL_PROBABILITY;
    columns.grossMarginBps[r] = o.grossMarginBps ?? NULL_INT32;
    columns.createdOn[r] = toDayNumber(o.createdOn);
    columns.closeOn[r] = dayOrNull(o.closeOn);
    columns.closedOn[r] = dayOrNull(o.closedOn);
    columns.isClosed[r] = o.isClosed ? 1 : 0;
    columns.isWon[r] = o.isWon ? 1 : 0;
    columns.cancelledOn[r] = dayOrNull(o.cancelledOn);
  });

  const changes = input.changes ?? [];
  const index = createIdIndex(columns.id, n);
  const unordered: UnorderedChanges = {
    count: changes.length,
    id: new Int32Array(changes.length),
    row: new Int32Array(changes.length),
    field: new Uint8Array(changes.length),
    changedAtMs: new Float64Array(changes.length),
    oldValue: new Float64Array(changes.length),
    newValue: new Float64Array(changes.length),
  };
  const encoders = { stage, forecastCategory };
  changes.forEach((change, c) => {
    const row = index.rowOf(change.opportunityId);
    if (row < 0)
      throw new DomainError(
        'invariant',
        `A change names opportunity ${change.opportunityId}, which is not in the snapshot`,
      );
    const field = fieldCodeOf(change.field);
    const oldValue = encodeChangeValue(field, change.oldValue, encoders);
    const newValue = encodeChangeValue(field, change.newValue, encoders);
    if (oldValue === undefined || newValue === undefined) {
      throw new DomainError(
        'invariant',
        `A ${change.field} change of opportunity ${change.opportunityId} has a value the field cannot hold`,
      );
    }
    unordered.id[c] = change.id ?? c + 1;
    unordered.row[c] = row;
    unordered.field[c] = field;
    unordered.changedAtMs[c] = instantMs(change.changedAt);
    unordered.oldValue[c] = oldValue;
    unordered.newValue[c] = newValue;
  });

  const grouped = groupChangesByRow(n, unordered);
  const dictionaries = orderDictionaries(
    {
      stage: { codes: columns.stage, dictionary: stage.dictionary },
      competitor: { codes: columns.competitor, dictionary: competitor.dictionary },
      lostReason: { codes: columns.lostReason, dictionary: lostReason.dictionary },
      leadSource: { codes: columns.leadSource, dictionary: leadSource.dictionary },
      dealType: { codes: columns.dealType, dictionary: dealType.dictionary },
      forecastCategory: { codes: columns.forecastCategory, dictionary: forecastCategory.dictionary },
      currency: { codes: columns.currency, dictionary: currency.dictionary },
    },
    grouped,
    { stage: stageSeedSize, dealType: dealTypes.length, forecastCategory: forecastCategories.length },
  );
  const categories = new Map(input.stages.map((s) => [s.name, s.category]));
  return {
    rowCount: n,
    id: columns.id,
    ...dictionaries,
    stageCategory: dictionaries.stage.dictionary.map((name) => categories.get(name) ?? null),
    owner: columns.owner,
    account: columns.account,
    product: columns.product,
    amountMinor: columns.amountMinor,
    probability: columns.probability,
    grossMarginBps: columns.grossMarginBps,
    createdOn: columns.createdOn,
    closeOn: columns.closeOn,
    closedOn: columns.closedOn,
    isClosed: columns.isClosed,
    isWon: columns.isWon,
    cancelledOn: columns.cancelledOn,
    changes: grouped,
  };
}
