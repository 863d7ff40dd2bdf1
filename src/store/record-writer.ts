import { sql, type Kysely } from 'kysely';
import { AppError } from '../domain/errors.ts';
import {
  recordKinds,
  type AccountRecord,
  type ActivityRecord,
  type CanonicalRecord,
  type InvoiceRecord,
  type LeadRecord,
  type OpportunityHistoryEntry,
  type OpportunityRecord,
  type PaymentRecord,
  type PersonRecord,
  type ProductRecord,
  type QuotaRecord,
  type RecordKind,
  type SpendRecord,
  type StageDefinition,
  type SubscriptionRecord,
} from '../domain/records.ts';
import { trackedOpportunityFields } from '../domain/snapshot/opportunity-snapshot.ts';
import { writeQuotas } from './calendar-writer.ts';
import type { Database, TrackedOpportunityField } from './schema.ts';
import { unnestSource, upsertByKey, type ColumnSpec, type Row, type TableSpec } from './upsert-by-key.ts';

export type EntityCounts = { inserted: number; updated: number; unchanged: number };

/** A reference the import could not resolve: what, the key as written, and the rows naming it. */
export type UnknownReference = {
  entity: 'people' | 'accounts' | 'products' | 'opportunities' | 'invoices' | 'subscriptions' | 'periods';
  key: string;
};

export type WriterOptions = {
  importId: number | null;
  /** The instant of this import: when detected changes are recorded as having happened. */
  now: string;
  /** Create people, accounts and products that records name but that do not exist yet. */
  createUnknown: boolean;
  /** `index`: the record's position in the batch being written, when a record names it. */
  onUnknown: (ref: UnknownReference, index?: number) => void;
  /**
   * A record that cannot be written as it stands with what is stored (`index`: its position in the
   * batch); the record is left out and the import must not commit. Default: throw.
   */
  onRowProblem?: (index: number, problem: { field: string; value: string; message: string }) => void;
};

const SINCE_ALWAYS = '1900-01-01';

const specs = {
  people: {
    table: 'people',
    columns: [
      { name: 'name', type: 'text' },
      { name: 'email', type: 'text' },
      { name: 'hired_on', type: 'date' },
      { name: 'left_on', type: 'date' },
    ],
  },
  positions: {
    table: 'positions',
    columns: [
      { name: 'title', type: 'text' },
      { name: 'role', type: 'text' },
    ],
  },
  accounts: {
    table: 'accounts',
    columns: [
      { name: 'name', type: 'text' },
      { name: 'segment', type: 'text' },
      { name: 'industry', type: 'text' },
      { name: 'region', type: 'text' },
      { name: 'country', type: 'text' },
      { name: 'employees', type: 'integer' },
      { name: 'annual_revenue_minor', type: 'bigint' },
      { name: 'currency', type: 'text' },
      { name: 'year_established', type: 'integer' },
      { name: 'parent_name', type: 'text' },
    ],
  },
  products: {
    table: 'products',
    columns: [
      { name: 'name', type: 'text' },
      { name: 'family', type: 'text' },
      { name: 'list_price_minor', type: 'bigint' },
      { name: 'cost_minor', type: 'bigint' },
      { name: 'currency', type: 'text' },
    ],
  },
  opportunities: {
    table: 'opportunities',
    columns: [
      { name: 'name', type: 'text' },
      { name: 'account_id', type: 'bigint' },
      { name: 'account_ref', type: 'text' },
      { name: 'owner_person_id', type: 'bigint' },
      { name: 'owner_ref', type: 'text' },
      { name: 'product_id', type: 'bigint' },
      { name: 'product_ref', type: 'text' },
      { name: 'stage', type: 'text' },
      { name: 'forecast_category', type: 'text' },
      { name: 'probability', type: 'integer' },
      { name: 'amount_minor', type: 'bigint' },
      { name: 'currency', type: 'text' },
      { name: 'deal_type', type: 'text' },
      { name: 'lead_source', type: 'text' },
      { name: 'created_on', type: 'date' },
      { name: 'engaged_on', type: 'date' },
      { name: 'close_on', type: 'date' },
      { name: 'closed_on', type: 'date' },
      { name: 'cancelled_on', type: 'date' },
      { name: 'is_closed', type: 'boolean' },
      { name: 'is_won', type: 'boolean' },
      { name: 'lost_reason', type: 'text' },
      { name: 'competitor', type: 'text' },
      { name: 'discount_bps', type: 'integer' },
      { name: 'gross_margin_bps', type: 'integer' },
      { name: 'contact_count', type: 'integer' },
    ],
  },
  activities: {
    table: 'activities',
    columns: [
      { name: 'type', type: 'text' },
      { name: 'person_id', type: 'bigint' },
      { name: 'person_ref', type: 'text' },
      { name: 'account_id', type: 'bigint' },
      { name: 'opportunity_id', type: 'bigint' },
      { name: 'occurred_at', type: 'timestamptz' },
      { name: 'duration_minutes', type: 'integer' },
      { name: 'outcome', type: 'text' },
      { name: 'subject', type: 'text' },
    ],
  },
  leads: {
    table: 'leads',
    columns: [
      { name: 'source', type: 'text' },
      { name: 'owner_person_id', type: 'bigint' },
      { name: 'account_id', type: 'bigint' },
      { name: 'created_at', type: 'timestamptz' },
      { name: 'first_response_at', type: 'timestamptz' },
      { name: 'converted_at', type: 'timestamptz' },
      { name: 'opportunity_id', type: 'bigint' },
      { name: 'status', type: 'text' },
    ],
  },
  subscriptions: {
    table: 'subscriptions',
    columns: [
      { name: 'account_id', type: 'bigint' },
      { name: 'product_id', type: 'bigint' },
      { name: 'plan', type: 'text' },
      { name: 'mrr_minor', type: 'bigint' },
      { name: 'currency', type: 'text' },
      { name: 'started_on', type: 'date' },
      { name: 'ended_on', type: 'date' },
      { name: 'churn_reason', type: 'text' },
    ],
  },
  invoices: {
    table: 'invoices',
    columns: [
      { name: 'account_id', type: 'bigint' },
      { name: 'subscription_id', type: 'bigint' },
      { name: 'opportunity_id', type: 'bigint' },
      { name: 'issued_on', type: 'date' },
      { name: 'due_on', type: 'date' },
      { name: 'amount_minor', type: 'bigint' },
      { name: 'currency', type: 'text' },
    ],
  },
  payments: {
    table: 'payments',
    columns: [
      { name: 'invoice_id', type: 'bigint' },
      { name: 'paid_on', type: 'date' },
      { name: 'amount_minor', type: 'bigint' },
      { name: 'currency', type: 'text' },
    ],
  },
} satisfies Record<string, TableSpec>;

type KeyedTable = 'people' | 'accounts' | 'products' | 'opportunities' | 'invoices' | 'subscriptions';

/**
 * Writes canonical records inside one transaction: resolves references by external key, upserts,
 * and records every change of a tracked opportunity field in the append-only history.
 */
export class RecordWriter {
  private readonly ids: Record<KeyedTable, Map<string, number>> = {
    people: new Map(),
    accounts: new Map(),
    products: new Map(),
    opportunities: new Map(),
    invoices: new Map(),
    subscriptions: new Map(),
  };
  private readonly fullyCached = new Set<KeyedTable>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: WriterOptions,
  ) {}

  /** Writes a batch of canonical records, each by its kind's writer, in dependency order. */
  async writeBatch(batch: CanonicalRecord[], stages: Map<string, StageDefinition>): Promise<EntityCounts> {
    const total: EntityCounts = { inserted: 0, updated: 0, unchanged: 0 };
    for (const kind of recordKinds) {
      const records = batch.filter((b) => b.kind === kind).map((b) => b.record);
      if (records.length === 0) continue;
      const counts = await this.writeKind(kind, records as never[], stages);
      total.inserted += counts.inserted;
      total.updated += counts.updated;
      total.unchanged += counts.unchanged;
    }
    return total;
  }

  private writeKind(
    kind: RecordKind,
    records: never[],
    stages: Map<string, StageDefinition>,
  ): Promise<EntityCounts> {
    switch (kind) {
      case 'person':
        return this.writePeople(records);
      case 'account':
        return this.writeAccounts(records);
      case 'product':
        return this.writeProducts(records);
      case 'opportunity':
        return this.writeOpportunities(records, stages);
      case 'activity':
        return this.writeActivities(records);
      case 'lead':
        return this.writeLeads(records);
      case 'subscription':
        return this.writeSubscriptions(records);
      case 'invoice':
        return this.writeInvoices(records);
      case 'payment':
        return this.writePayments(records);
      case 'spend':
        return this.writeSpend(records);
      case 'quota':
        return this.writeQuotas(records);
    }
  }

  /** Stages are defined by the mapping; existing ones keep their name and get the mapping's meaning. */
  async upsertStages(stages: StageDefinition[]): Promise<void> {
    const rows: Row[] = stages.map((s, i) => ({
      name: s.name,
      sort_order: i,
      category: s.category,
      default_probability: s.probability,
    }));
    await sql`
      INSERT INTO stages (name, sort_order, category, default_probability)
      SELECT * FROM unnest(${unnestSource(
        [
          { name: 'name', type: 'text' },
          { name: 'sort_order', type: 'integer' },
          { name: 'category', type: 'text' },
          { name: 'default_probability', type: 'integer' },
        ],
        rows,
      )})
      ON CONFLICT (name) DO UPDATE SET category = excluded.category, default_probability = excluded.default_probability,
        sort_order = excluded.sort_order`.execute(this.db);
  }

  /** Loads every key of a small table once (people, products, accounts). */
  async preload(table: 'people' | 'accounts' | 'products'): Promise<void> {
    const rows = await sql<{
      id: number;
      external_key: string;
    }>`SELECT id, external_key FROM ${sql.raw(table)}`.execute(this.db);
    for (const r of rows.rows) this.ids[table].set(r.external_key, r.id);
    this.fullyCached.add(table);
  }

  /** Resolves keys to ids: from the cache, else one query for the whole batch. */
  private async resolve(table: KeyedTable, keys: (string | null)[]): Promise<void> {
    const cache = this.ids[table];
    if (this.fullyCached.has(table)) return;
    const missing = [...new Set(keys.filter((k): k is string => k !== null && !cache.has(k)))];
    if (missing.length === 0) return;
    // Large tables are resolved batch by batch; the cache must not grow to the table's size.
    if (cache.size > 200_000) cache.clear();
    const rows = await sql<{ id: number; external_key: string }>`
      SELECT id, external_key FROM ${sql.raw(table)} WHERE external_key = ANY(${missing}::text[])`.execute(
      this.db,
    );
    for (const r of rows.rows) cache.set(r.external_key, r.id);
  }

  private async idFor(table: KeyedTable, key: string | null, index?: number): Promise<number | null> {
    if (key === null) return null;
    const id = this.ids[table].get(key);
    if (id !== undefined) return id;
    if (this.options.createUnknown && (table === 'people' || table === 'accounts' || table === 'products')) {
      return this.createStub(table, key);
    }
    this.options.onUnknown({ entity: table, key }, index);
    return null;
  }

  private async createStub(table: 'people' | 'accounts' | 'products', key: string): Promise<number> {
    let id: number;
    if (table === 'people') {
      await this.writePeople([
        {
          key,
          name: key,
          email: null,
          role: 'rep',
          title: null,
          managerRef: null,
          team: null,
          region: null,
          hiredOn: null,
          leftOn: null,
        },
      ]);
      id = this.ids.people.get(key)!;
    } else {
      const result = await upsertByKey(this.db, specs[table], [
        { external_key: key, name: key, currency: 'USD' },
      ]);
      id = result.inserted[0]!.id;
    }
    this.ids[table].set(key, id);
    this.stubCounts[table]++;
    return id;
  }

  readonly stubCounts = { people: 0, accounts: 0, products: 0 };

  async writeAccounts(records: AccountRecord[]): Promise<EntityCounts> {
    const rows = records.map((r) => ({
      external_key: r.key,
      name: r.name,
      segment: r.segment,
      industry: r.industry,
      region: r.region,
      country: r.country,
      employees: r.employees,
      annual_revenue_minor: r.annualRevenueMinor,
      currency: r.currency,
      year_established: r.yearEstablished,
      parent_name: r.parentName,
    }));
    return this.upsertAndCache('accounts', specs.accounts, rows);
  }

  async writeProducts(records: ProductRecord[]): Promise<EntityCounts> {
    const rows = records.map((r) => ({
      external_key: r.key,
      name: r.name,
      family: r.family,
      list_price_minor: r.listPriceMinor,
      cost_minor: r.costMinor,
      currency: r.currency,
    }));
    return this.upsertAndCache('products', specs.products, rows);
  }

  private async upsertAndCache(
    table: KeyedTable,
    spec: TableSpec,
    rows: (Row & { external_key: string })[],
  ): Promise<EntityCounts> {
    const result = await upsertByKey(this.db, spec, rows);
    for (const r of result.inserted) this.ids[table].set(r.key, r.id);
    for (const r of result.updated) this.ids[table].set(r.key, r.id);
    return { inserted: result.inserted.length, updated: result.updated.length, unchanged: result.unchanged };
  }

  /**
   * People with their positions, teams, regions and reporting line. A changed manager or team is
   * not overwritten: the current reporting row is closed today and a new one opens, so the
   * hierarchy as of any past day is kept.
   */
  async writePeople(records: PersonRecord[]): Promise<EntityCounts> {
    const today = this.options.now.slice(0, 10);
    const peopleRows = records.map((r) => ({
      external_key: r.key,
      name: r.name,
      email: r.email,
      hired_on: r.hiredOn,
      left_on: r.leftOn,
    }));
    const people = await upsertByKey(this.db, specs.people, peopleRows);
    for (const r of [...people.inserted, ...people.updated]) this.ids.people.set(r.key, r.id);
    await this.resolve(
      'people',
      records.map((r) => r.key),
    );
    const positions = await upsertByKey(
      this.db,
      specs.positions,
      records.map((r) => ({ external_key: r.key, title: r.title ?? r.role, role: r.role })),
    );
    const positionIds = new Map<string, number>();
    const positionRows = await sql<{ id: number; external_key: string }>`
      SELECT id, external_key FROM positions WHERE external_key = ANY(${records.map((r) => r.key)}::text[])`.execute(
      this.db,
    );
    for (const p of positionRows.rows) positionIds.set(p.external_key, p.id);

    const regionNames = [...new Set(records.map((r) => r.region).filter((r): r is string => r !== null))];
    if (regionNames.length > 0) {
      await sql`INSERT INTO regions (name) SELECT unnest(${regionNames}::text[]) ON CONFLICT (name) DO NOTHING`.execute(
        this.db,
      );
    }
    const teams = new Map<string, string | null>();
    for (const r of records) if (r.team !== null && !teams.has(r.team)) teams.set(r.team, r.region);
    if (teams.size > 0) {
      await sql`
        INSERT INTO teams (name, region_id)
        SELECT t.name, (SELECT id FROM regions WHERE regions.name = t.region)
        FROM unnest(${[...teams.keys()]}::text[], ${[...teams.values()]}::text[]) AS t(name, region)
        ON CONFLICT (name) DO UPDATE SET region_id = excluded.region_id`.execute(this.db);
    }
    const teamIds = new Map<string, number>();
    if (teams.size > 0) {
      const rows = await sql<{
        id: number;
        name: string;
      }>`SELECT id, name FROM teams WHERE name = ANY(${[...teams.keys()]}::text[])`.execute(this.db);
      for (const t of rows.rows) teamIds.set(t.name, t.id);
    }
    // Managers named but not in this batch may already exist.
    const managerKeys = records
      .map((r) => r.managerRef)
      .filter((k): k is string => k !== null && !positionIds.has(k));
    if (managerKeys.length > 0) {
      const rows = await sql<{ id: number; external_key: string }>`
        SELECT id, external_key FROM positions WHERE external_key = ANY(${managerKeys}::text[])`.execute(
        this.db,
      );
      for (const p of rows.rows) positionIds.set(p.external_key, p.id);
    }

    let reportingChanged = new Set<string>();
    const current = await sql<{
      id: number;
      position_id: number;
      parent_position_id: number | null;
      team_id: number | null;
    }>`
      SELECT id, position_id, parent_position_id, team_id FROM position_reporting
      WHERE valid_to IS NULL AND position_id = ANY(${[...positionIds.values()]}::int8[])`.execute(this.db);
    const currentByPosition = new Map(current.rows.map((r) => [r.position_id, r]));
    const holders = await sql<{
      position_id: number;
      person_id: number;
      valid_to: string | null;
      id: number;
    }>`
      SELECT id, position_id, person_id, valid_to FROM position_holders
      WHERE position_id = ANY(${[...positionIds.values()]}::int8[])`.execute(this.db);
    const holderByPosition = new Map(holders.rows.map((h) => [h.position_id, h]));
    const newHolders: Row[] = [];
    const endedHolders: Row[] = [];
    const newLines: Row[] = [];
    const closedLines: number[] = [];
    for (const r of records) {
      const positionId = positionIds.get(r.key)!;
      const personId = this.ids.people.get(r.key)!;
      let parentId: number | null = null;
      if (r.managerRef !== null) {
        parentId = positionIds.get(r.managerRef) ?? null;
        if (parentId === null) this.options.onUnknown({ entity: 'people', key: r.managerRef });
      }
      const teamId = r.team !== null ? (teamIds.get(r.team) ?? null) : null;
      const holder = holderByPosition.get(positionId);
      if (!holder)
        newHolders.push({
          position_id: positionId,
          person_id: personId,
          valid_from: r.hiredOn ?? SINCE_ALWAYS,
          valid_to: r.leftOn,
        });
      else if (holder.valid_to !== r.leftOn) endedHolders.push({ id: holder.id, valid_to: r.leftOn });
      const reporting = currentByPosition.get(positionId);
      if (!reporting) {
        newLines.push({
          position_id: positionId,
          parent_position_id: parentId,
          team_id: teamId,
          valid_from: r.hiredOn ?? SINCE_ALWAYS,
        });
      } else if (reporting.parent_position_id !== parentId || reporting.team_id !== teamId) {
        closedLines.push(reporting.id);
        newLines.push({
          position_id: positionId,
          parent_position_id: parentId,
          team_id: teamId,
          valid_from: today,
        });
        reportingChanged.add(r.key);
      }
    }
    if (newHolders.length > 0) {
      await sql`INSERT INTO position_holders (position_id, person_id, valid_from, valid_to)
        SELECT * FROM unnest(${unnestSource(
          [
            { name: 'position_id', type: 'bigint' },
            { name: 'person_id', type: 'bigint' },
            { name: 'valid_from', type: 'date' },
            { name: 'valid_to', type: 'date' },
          ],
          newHolders,
        )})`.execute(this.db);
    }
    if (endedHolders.length > 0) {
      await sql`UPDATE position_holders SET valid_to = u.valid_to
        FROM unnest(${endedHolders.map((h) => h.id)}::int8[], ${endedHolders.map((h) => h.valid_to)}::date[]) AS u(id, valid_to)
        WHERE position_holders.id = u.id`.execute(this.db);
    }
    // A changed line is closed the day of the change and a new one opens that day.
    if (closedLines.length > 0) {
      await sql`UPDATE position_reporting SET valid_to = ${today} WHERE id = ANY(${closedLines}::int8[])`.execute(
        this.db,
      );
    }
    if (newLines.length > 0) {
      await sql`INSERT INTO position_reporting (position_id, parent_position_id, team_id, valid_from)
        SELECT * FROM unnest(${unnestSource(
          [
            { name: 'position_id', type: 'bigint' },
            { name: 'parent_position_id', type: 'bigint' },
            { name: 'team_id', type: 'bigint' },
            { name: 'valid_from', type: 'date' },
          ],
          newLines,
        )})`.execute(this.db);
    }
    const updatedKeys = new Set([
      ...people.updated.map((u) => u.key),
      ...positions.updated.map((u) => u.key),
      ...reportingChanged,
    ]);
    const insertedKeys = new Set(people.inserted.map((i) => i.key));
    for (const k of insertedKeys) updatedKeys.delete(k);
    reportingChanged = new Set();
    return {
      inserted: insertedKeys.size,
      updated: updatedKeys.size,
      unchanged: records.length - insertedKeys.size - updatedKeys.size,
    };
  }

  /** Opportunities, with every change of a tracked field recorded as it is detected. */
  async writeOpportunities(
    records: OpportunityRecord[],
    stageCategories: Map<string, StageDefinition>,
  ): Promise<EntityCounts> {
    await this.resolve(
      'accounts',
      records.map((r) => r.accountRef),
    );
    const kept = await this.storedCancellations(records);
    const rows = [];
    for (const [i, r] of records.entries()) {
      const category = stageCategories.get(r.stage)?.category ?? 'open';
      // A source without the column keeps what is stored, if the deal can still be cancelled then.
      const cancelledOn = r.cancelledOn !== undefined ? r.cancelledOn : (kept.get(r.key) ?? null);
      if (r.cancelledOn === undefined && cancelledOn !== null) {
        const because = `the deal was cancelled on ${cancelledOn} (kept: this file has no cancelled_on column)`;
        const problem =
          category !== 'won'
            ? {
                field: 'stage',
                value: r.stage,
                message: `${because}; only a won deal can be cancelled. Add a cancelled_on column with a blank cell to remove the cancellation`,
              }
            : r.closedOn === null || r.closedOn > cancelledOn
              ? {
                  field: 'closed_on',
                  value: r.closedOn ?? '',
                  message: `${because}, which is before it closed. Add a cancelled_on column to move or remove the cancellation`,
                }
              : undefined;
        if (problem) {
          this.reportRowProblem(i, problem);
          continue;
        }
      }
      rows.push({
        external_key: r.key,
        name: r.name,
        account_id: await this.idFor('accounts', r.accountRef, i),
        account_ref: r.accountRef,
        owner_person_id: await this.idFor('people', r.ownerRef, i),
        owner_ref: r.ownerRef,
        product_id: await this.idFor('products', r.productRef, i),
        product_ref: r.productRef,
        stage: r.stage,
        forecast_category: r.forecastCategory,
        probability: r.probability,
        amount_minor: r.amountMinor,
        currency: r.currency,
        deal_type: r.dealType,
        lead_source: r.leadSource,
        created_on: r.createdOn,
        engaged_on: r.engagedOn,
        close_on: r.closeOn,
        closed_on: r.closedOn,
        cancelled_on: cancelledOn,
        is_closed: category !== 'open',
        is_won: category === 'won',
        lost_reason: r.lostReason,
        competitor: r.competitor,
        discount_bps: r.discountBps,
        gross_margin_bps: r.grossMarginBps,
        contact_count: r.contactCount,
      });
    }
    const result = await upsertByKey(this.db, specs.opportunities, rows, {
      columns: [
        { name: 'import_id', type: 'bigint' },
        { name: 'updated_at', type: 'timestamptz' },
      ],
      values: { import_id: this.options.importId, updated_at: this.options.now },
    });
    const changes: Row[] = [];
    for (const u of result.updated) {
      for (const field of trackedOpportunityFields) {
        const before = u.before[field] ?? null;
        const after = u.after[field] ?? null;
        if (before !== after) {
          changes.push({
            opportunity_id: u.id,
            changed_at: this.options.now,
            field,
            old_value: textOf(before),
            new_value: textOf(after),
            source: 'import',
            import_id: this.options.importId,
          });
        }
      }
    }
    const byKey = new Map(records.map((r) => [r.key, r]));
    for (const inserted of result.inserted) {
      const record = byKey.get(inserted.key)!;
      for (const change of this.historyChanges(inserted.id, record.history)) changes.push(change);
    }
    await this.insertChanges(changes);
    return { inserted: result.inserted.length, updated: result.updated.length, unchanged: result.unchanged };
  }

  /** Stored cancellation days of the records whose source does not carry cancelled_on, by key. */
  private async storedCancellations(records: OpportunityRecord[]): Promise<Map<string, string>> {
    const keys = records.filter((r) => r.cancelledOn === undefined).map((r) => r.key);
    if (keys.length === 0) return new Map();
    const rows = await sql<{ external_key: string; cancelled_on: string }>`
      SELECT external_key, cancelled_on FROM opportunities
      WHERE cancelled_on IS NOT NULL AND external_key = ANY(${keys}::text[])`.execute(this.db);
    return new Map(rows.rows.map((r) => [r.external_key, r.cancelled_on]));
  }

  private reportRowProblem(index: number, problem: { field: string; value: string; message: string }): void {
    if (this.options.onRowProblem) this.options.onRowProblem(index, problem);
    else
      throw new AppError('validation', `${problem.field} "${problem.value}": ${problem.message}`, [problem]);
  }

  /** Turns a list of earlier states into field changes: each field's value from `at` on. */
  private historyChanges(opportunityId: number, history: OpportunityHistoryEntry[]): Row[] {
    const previous: Partial<Record<TrackedOpportunityField, string | null>> = {};
    const changes: Row[] = [];
    for (const entry of history) {
      const values: [TrackedOpportunityField, string | null | undefined][] = [
        ['stage', entry.stage],
        ['amount_minor', entry.amountMinor === undefined ? undefined : textOf(entry.amountMinor)],
        ['close_on', entry.closeOn],
        ['probability', entry.probability === undefined ? undefined : textOf(entry.probability)],
        [
          'owner_person_id',
          entry.ownerRef === undefined
            ? undefined
            : textOf(entry.ownerRef === null ? null : (this.ids.people.get(entry.ownerRef) ?? null)),
        ],
      ];
      for (const [field, value] of values) {
        if (value === undefined) continue;
        const before = previous[field] ?? null;
        if (before !== value) {
          changes.push({
            opportunity_id: opportunityId,
            changed_at: entry.at,
            field,
            old_value: before,
            new_value: value,
            source: entry.source,
            import_id: this.options.importId,
          });
        }
        previous[field] = value;
      }
    }
    return changes;
  }

  /** Inserts changes not already recorded; returns `opportunity id|instant` of those it added. */
  private async insertChanges(changes: Row[]): Promise<Set<string>> {
    if (changes.length === 0) return new Set();
    const columns: ColumnSpec[] = [
      { name: 'opportunity_id', type: 'bigint' },
      { name: 'changed_at', type: 'timestamptz' },
      { name: 'field', type: 'text' },
      { name: 'old_value', type: 'text' },
      { name: 'new_value', type: 'text' },
      { name: 'source', type: 'text' },
      { name: 'import_id', type: 'bigint' },
    ];
    const added = await sql<{ opportunity_id: number; changed_at: string }>`
      INSERT INTO opportunity_changes (opportunity_id, changed_at, field, old_value, new_value, source, import_id)
      SELECT * FROM unnest(${unnestSource(columns, changes)})
      ON CONFLICT (opportunity_id, field, changed_at, source) DO NOTHING
      RETURNING opportunity_id, changed_at`.execute(this.db);
    return new Set(added.rows.map((r) => `${r.opportunity_id}|${r.changed_at}`));
  }

  /** A source's opportunity history rows (each: the values from `at` on), grouped per opportunity. */
  async writeOpportunityHistory(
    rows: { opportunityKey: string; entry: OpportunityHistoryEntry }[],
  ): Promise<EntityCounts> {
    await this.resolve(
      'opportunities',
      rows.map((r) => r.opportunityKey),
    );
    const grouped = new Map<number, OpportunityHistoryEntry[]>();
    for (const [i, r] of rows.entries()) {
      const id = await this.idFor('opportunities', r.opportunityKey, i);
      if (id === null) continue;
      const list = grouped.get(id) ?? [];
      list.push(r.entry);
      grouped.set(id, list);
    }
    const changes: Row[] = [];
    for (const [id, entries] of grouped) {
      entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
      changes.push(...this.historyChanges(id, entries));
    }
    const added = await this.insertChanges(changes);
    // Counted in the file's rows: a row is new if it recorded at least one change not already kept.
    const counts = { inserted: 0, updated: 0, unchanged: 0 };
    for (const [id, entries] of grouped) {
      for (const entry of entries) {
        if (added.has(`${id}|${entry.at}`)) counts.inserted++;
        else counts.unchanged++;
      }
    }
    return counts;
  }

  async writeActivities(records: ActivityRecord[]): Promise<EntityCounts> {
    await this.resolve(
      'accounts',
      records.map((r) => r.accountRef),
    );
    await this.resolve(
      'opportunities',
      records.map((r) => r.opportunityRef),
    );
    const rows = [];
    for (const [i, r] of records.entries()) {
      rows.push({
        external_key: r.key,
        type: r.type,
        person_id: await this.idFor('people', r.personRef, i),
        person_ref: r.personRef,
        account_id: await this.idFor('accounts', r.accountRef, i),
        opportunity_id: await this.idFor('opportunities', r.opportunityRef, i),
        occurred_at: r.occurredAt,
        duration_minutes: r.durationMinutes,
        outcome: r.outcome,
        subject: r.subject,
      });
    }
    const result = await upsertByKey(this.db, specs.activities, rows);
    return { inserted: result.inserted.length, updated: result.updated.length, unchanged: result.unchanged };
  }

  async writeLeads(records: LeadRecord[]): Promise<EntityCounts> {
    await this.resolve(
      'accounts',
      records.map((r) => r.accountRef),
    );
    await this.resolve(
      'opportunities',
      records.map((r) => r.opportunityRef),
    );
    const rows = [];
    for (const [i, r] of records.entries()) {
      rows.push({
        external_key: r.key,
        source: r.source,
        owner_person_id: await this.idFor('people', r.ownerRef, i),
        account_id: await this.idFor('accounts', r.accountRef, i),
        created_at: r.createdAt,
        first_response_at: r.firstResponseAt,
        converted_at: r.convertedAt,
        opportunity_id: await this.idFor('opportunities', r.opportunityRef, i),
        status: r.status,
      });
    }
    const result = await upsertByKey(this.db, specs.leads, rows);
    return { inserted: result.inserted.length, updated: result.updated.length, unchanged: result.unchanged };
  }

  async writeSubscriptions(records: SubscriptionRecord[]): Promise<EntityCounts> {
    await this.resolve(
      'accounts',
      records.map((r) => r.accountRef),
    );
    const rows = [];
    for (const [i, r] of records.entries()) {
      rows.push({
        external_key: r.key,
        account_id: await this.idFor('accounts', r.accountRef, i),
        product_id: await this.idFor('products', r.productRef, i),
        plan: r.plan,
        mrr_minor: r.mrrMinor,
        currency: r.currency,
        started_on: r.startedOn,
        ended_on: r.endedOn,
        churn_reason: r.churnReason,
      });
    }
    return this.upsertAndCache('subscriptions', specs.subscriptions, rows);
  }

  async writeInvoices(records: InvoiceRecord[]): Promise<EntityCounts> {
    await this.resolve(
      'accounts',
      records.map((r) => r.accountRef),
    );
    await this.resolve(
      'subscriptions',
      records.map((r) => r.subscriptionRef),
    );
    await this.resolve(
      'opportunities',
      records.map((r) => r.opportunityRef),
    );
    const rows = [];
    for (const [i, r] of records.entries()) {
      rows.push({
        external_key: r.key,
        account_id: await this.idFor('accounts', r.accountRef, i),
        subscription_id: await this.idFor('subscriptions', r.subscriptionRef, i),
        opportunity_id: await this.idFor('opportunities', r.opportunityRef, i),
        issued_on: r.issuedOn,
        due_on: r.dueOn,
        amount_minor: r.amountMinor,
        currency: r.currency,
      });
    }
    return this.upsertAndCache('invoices', specs.invoices, rows);
  }

  async writePayments(records: PaymentRecord[]): Promise<EntityCounts> {
    await this.resolve(
      'invoices',
      records.map((r) => r.invoiceRef),
    );
    const rows = [];
    for (const [i, r] of records.entries()) {
      rows.push({
        external_key: r.key,
        invoice_id: await this.idFor('invoices', r.invoiceRef, i),
        paid_on: r.paidOn,
        amount_minor: r.amountMinor,
        currency: r.currency,
      });
    }
    const result = await upsertByKey(this.db, specs.payments, rows);
    return { inserted: result.inserted.length, updated: result.updated.length, unchanged: result.unchanged };
  }

  /** Quotas by the holder's person key and the period's kind and first day. */
  async writeQuotas(records: QuotaRecord[]): Promise<EntityCounts> {
    return writeQuotas(this.db, records, this.options.now, (ref, index) => {
      if (ref.entity === 'periods') this.options.onUnknown({ entity: 'periods', key: ref.key }, index);
      else this.options.onUnknown(ref, index);
    });
  }

  /** Spend has no key of its own: a period, channel and category identify a row. */
  async writeSpend(records: SpendRecord[]): Promise<EntityCounts> {
    const counts = { inserted: 0, updated: 0, unchanged: 0 };
    if (records.length === 0) return counts;
    const keyOf = (r: { starts_on: string; ends_on: string; channel: string; category: string }) =>
      `${r.starts_on}|${r.ends_on}|${r.channel}|${r.category}`;
    const rows = records.map((r) => ({
      starts_on: r.startsOn,
      ends_on: r.endsOn,
      channel: r.channel,
      category: r.category,
      amount_minor: r.amountMinor,
      currency: r.currency,
    }));
    const existing = await sql<{
      id: number;
      starts_on: string;
      ends_on: string;
      channel: string;
      category: string;
      amount_minor: number;
      currency: string;
    }>`
      SELECT s.id, s.starts_on, s.ends_on, s.channel, s.category, s.amount_minor, s.currency FROM spend s
      JOIN unnest(${rows.map((r) => r.starts_on)}::date[], ${rows.map((r) => r.ends_on)}::date[], ${rows.map((r) => r.channel)}::text[], ${rows.map((r) => r.category)}::text[])
        AS w(starts_on, ends_on, channel, category) USING (starts_on, ends_on, channel, category)`.execute(
      this.db,
    );
    const byKey = new Map(existing.rows.map((e) => [keyOf(e), e]));
    const inserts: Row[] = [];
    const updates: Row[] = [];
    for (const r of rows) {
      const current = byKey.get(keyOf(r));
      if (!current) inserts.push(r);
      else if (current.amount_minor !== r.amount_minor || current.currency !== r.currency)
        updates.push({ id: current.id, amount_minor: r.amount_minor, currency: r.currency });
      else counts.unchanged++;
    }
    const columns: ColumnSpec[] = [
      { name: 'starts_on', type: 'date' },
      { name: 'ends_on', type: 'date' },
      { name: 'channel', type: 'text' },
      { name: 'category', type: 'text' },
      { name: 'amount_minor', type: 'bigint' },
      { name: 'currency', type: 'text' },
    ];
    if (inserts.length > 0) {
      await sql`INSERT INTO spend (starts_on, ends_on, channel, category, amount_minor, currency) SELECT * FROM unnest(${unnestSource(columns, inserts)})`.execute(
        this.db,
      );
    }
    if (updates.length > 0) {
      await sql`UPDATE spend SET amount_minor = u.amount_minor, currency = u.currency
        FROM unnest(${unnestSource(
          [
            { name: 'id', type: 'bigint' },
            { name: 'amount_minor', type: 'bigint' },
            { name: 'currency', type: 'text' },
          ],
          updates,
        )}) AS u(id, amount_minor, currency) WHERE spend.id = u.id`.execute(this.db);
    }
    counts.inserted = inserts.length;
    counts.updated = updates.length;
    return counts;
  }
}

function textOf(value: string | number | boolean | null): string | null {
  return value === null ? null : String(value);
}
