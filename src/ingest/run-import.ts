import { sql, type Kysely } from 'kysely';
import { AppError, type Problem } from '../domain/errors.ts';
import type { CanonicalRecord, StageDefinition } from '../domain/records.ts';
import type { Store } from '../store/open-database.ts';
import type { Database } from '../store/schema.ts';
import { RecordWriter, type EntityCounts, type UnknownReference } from '../store/record-writer.ts';
import { ReportCollector, type ImportReport } from './import-report.ts';
import {
  entityKinds,
  matchesHeader,
  normaliseColumnName,
  type EntityKind,
  type FileSpec,
  type Mapping,
  type NativeRow,
} from './mapping.ts';
import { builtInMappings } from './mappings/mapping-registry.ts';
import { normaliseRow, type HistoryRow, type NormalisedRecord } from './normalise-row.ts';
import { openTable, type Table } from './read-table.ts';
import type { DateFormat } from './parse-values.ts';

export type ImportFile = { path: string; name: string };

export type ImportProgress = { file: string | null; rowsRead: number; bytesRead: number; totalBytes: number };

export type ImportOptions = {
  /** A mapping, or 'detect' to recognise each file by its header among the built-in mappings. */
  mapping: Mapping | 'detect';
  dryRun: boolean;
  createUnknown: boolean;
  dateFormat?: DateFormat;
  /** The clock, injected: when the import happens and when its detected changes are dated. */
  now: () => string;
  onProgress?: (progress: ImportProgress) => void;
  batchSize?: number;
  /**
   * Runs inside the import's transaction just before it commits, so that what it writes (the
   * audit entry) commits with the data or not at all.
   */
  beforeCommit?: (
    trx: Kysely<Database>,
    done: {
      importId: number;
      files: { name: string; entity: string; rows: number }[];
      entities: Record<string, { inserted: number; updated: number; unchanged: number }>;
    },
  ) => Promise<void>;
};

type PlannedFile = { file: ImportFile; table: Table; mapping: Mapping; spec: FileSpec };

class Rollback extends Error {}

const entityOrder = new Map<EntityKind, number>(entityKinds.map((e, i) => [e, i]));

/** Which mapping and file spec read this header, or every problem explaining why none does. */
function planFile(file: ImportFile, table: Table, choice: Mapping | 'detect'): PlannedFile | Problem {
  const candidates = choice === 'detect' ? builtInMappings : [choice];
  const have = new Set(table.header.map(normaliseColumnName));
  let best: { spec: FileSpec; mapping: Mapping; missing: string[] } | undefined;
  let chosen: { spec: FileSpec; mapping: Mapping; score: number } | undefined;
  for (const mapping of candidates) {
    for (const spec of mapping.files) {
      if (matchesHeader(spec, table.header)) {
        // Several layouts can fit one header (an opportunities file has account_key and name too):
        // the one that reads most of the file's columns wins.
        const used = Object.values(spec.columns).filter((c) => have.has(normaliseColumnName(c))).length;
        const score = spec.requiredColumns.length * 1000 + used;
        if (!chosen || score > chosen.score) chosen = { spec, mapping, score };
        continue;
      }
      const missing = spec.requiredColumns.filter((c) => !have.has(normaliseColumnName(c)));
      if (!best || missing.length < best.missing.length) best = { spec, mapping, missing };
    }
  }
  if (chosen) return { file, table, mapping: chosen.mapping, spec: chosen.spec };
  const closest = best
    ? ` The closest layout is ${best.mapping.label}: ${best.spec.label}, which needs the column(s) ${best.missing.join(', ')}.`
    : '';
  return {
    file: file.name,
    line: 1,
    message: `The header does not match ${choice === 'detect' ? 'any known layout' : `any file of the ${choice.name} mapping`}.${closest}`,
  };
}

/** Reads a header and the first rows of a file to preview it, and guesses its mapping. */
export async function previewFile(
  file: ImportFile,
  sampleSize = 5,
): Promise<{
  format: Table['format'];
  header: string[];
  sampleRows: string[][];
  detected: { mapping: string | null; entity: EntityKind | null };
}> {
  const table = await openTable(file.path, file.name);
  const sampleRows: string[][] = [];
  try {
    for await (const row of table.rows) {
      sampleRows.push(row.cells);
      if (sampleRows.length >= sampleSize) break;
    }
  } finally {
    table.close();
  }
  const planned = planFile(file, table, 'detect');
  const detected =
    'spec' in planned
      ? { mapping: planned.mapping.name, entity: planned.spec.entity }
      : { mapping: null, entity: null };
  return { format: table.format, header: table.header, sampleRows, detected };
}

/**
 * Imports files all or nothing, in one transaction: every bad row is reported at once with its
 * file, line, column and reason, and a file with any error changes nothing. Re-importing the same
 * data changes nothing; a changed row is updated and the change recorded in the history.
 */
export async function runImport(
  store: Store,
  files: ImportFile[],
  options: ImportOptions,
): Promise<ImportReport> {
  const started = Date.now();
  const report = new ReportCollector();
  const tables: Table[] = [];
  const planned: PlannedFile[] = [];
  try {
    for (const file of files) {
      const table = await openTable(file.path, file.name);
      tables.push(table);
      const plan = planFile(file, table, options.mapping);
      if ('spec' in plan) planned.push(plan);
      else report.error(plan);
    }
  } catch (error) {
    for (const t of tables) t.close();
    throw error;
  }
  planned.sort((a, b) => entityOrder.get(a.spec.entity)! - entityOrder.get(b.spec.entity)!);
  const mappingName =
    options.mapping === 'detect'
      ? [...new Set(planned.map((p) => p.mapping.name))].join('+') || 'detect'
      : options.mapping.name;

  const importRow = await store.db
    .insertInto('imports')
    .values({
      started_at: options.now(),
      status: 'running',
      mapping: mappingName,
      files: JSON.stringify(
        files.map((f) => ({ name: f.name, entity: planned.find((p) => p.file === f)?.spec.entity ?? null })),
      ),
      options: JSON.stringify({ dryRun: options.dryRun, createUnknown: options.createUnknown }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const importId = importRow.id;
  if (report.errorCount > 0) {
    // A file that cannot be placed stops the import before any row is read; it is still history.
    for (const t of tables) t.close();
    await store.db
      .updateTable('imports')
      .set({
        status: 'rejected',
        finished_at: options.now(),
        errors: JSON.stringify(report.errors),
        error_count: report.errorCount,
      })
      .where('id', '=', importId)
      .execute();
    throw new AppError(
      'import_rejected',
      `${files.length === 1 ? 'The file' : 'Some files'} could not be read; nothing was imported.`,
      report.errors,
    );
  }

  const entities: Record<string, EntityCounts> = {};
  const fileRows: ImportReport['files'] = [];
  const unknown = new Map<
    string,
    { entity: UnknownReference['entity']; key: string; count: number; file: string; lines: number[] }
  >();
  const totalBytes = planned.reduce((n, p) => n + p.table.totalBytes, 0);
  let bytesDone = 0;
  let status: ImportReport['status'] = 'succeeded';
  let stubCounts = { people: 0, accounts: 0, products: 0 };

  try {
    await store.db.transaction().execute(async (trx) => {
      let batchLines: number[] = [];
      let writingLines: number[] = [];
      let currentFile = '';
      let currentColumn = (field: string) => field;
      const writer = new RecordWriter(trx, {
        importId,
        now: options.now(),
        createUnknown: options.createUnknown,
        onUnknown(ref, index) {
          const id = `${ref.entity}\u0000${ref.key}`;
          let entry = unknown.get(id);
          if (!entry) {
            entry = { ...ref, count: 0, file: currentFile, lines: [] };
            unknown.set(id, entry);
          }
          entry.count++;
          const line = index === undefined ? undefined : writingLines[index];
          if (line !== undefined && entry.lines.length < 20) entry.lines.push(line);
        },
        onRowProblem(index, problem) {
          const line = writingLines[index];
          report.error({
            file: currentFile,
            ...(line !== undefined ? { line } : {}),
            ...problem,
            field: currentColumn(problem.field),
          });
        },
      });
      const stages = new Map<string, StageDefinition>();
      for (const p of planned) {
        for (const s of p.mapping.stages) {
          stages.set(s.name, s);
          stages.set(s.name.toLowerCase(), s);
        }
      }
      await writer.upsertStages([...new Map([...stages.values()].map((s) => [s.name, s])).values()]);
      await writer.preload('people');
      await writer.preload('products');
      await writer.preload('accounts');

      for (const p of planned) {
        currentFile = p.file.name;
        const seenKeys = new Map<string, number>();
        const expandContext = { seen: new Set<string>() };
        const header = p.table.header.map(normaliseColumnName);
        const columnIndex = new Map<string, number>();
        for (const [field, column] of Object.entries(p.spec.columns)) {
          const index = header.indexOf(normaliseColumnName(column));
          if (index >= 0) columnIndex.set(field, index);
        }
        const used = new Set(columnIndex.values());
        for (const [i, column] of p.table.header.entries()) {
          if (!used.has(i) && column !== '')
            report.warn(
              'unused_column',
              `Column "${column}" is not used by ${p.mapping.label}: ${p.spec.label}`,
              p.file.name,
              1,
            );
        }
        const sourceColumn = (field: string) => p.spec.columns[field] ?? field;
        currentColumn = sourceColumn;
        const counts = (entities[p.spec.entity] ??= { inserted: 0, updated: 0, unchanged: 0 });
        let batch: NormalisedRecord[] = [];
        let rows = 0;
        const batchSize = p.spec.entity === 'people' ? Number.POSITIVE_INFINITY : (options.batchSize ?? 5000);

        // One batch is written while the next is read and checked: the database works on its own
        // core (its own process) while this one parses. Writes stay one at a time, in order.
        let inFlight: Promise<void> = Promise.resolve();
        const flush = async () => {
          if (batch.length === 0) return;
          const toWrite = batch;
          const lines = batchLines;
          batch = [];
          batchLines = [];
          await inFlight;
          if (report.errorCount > 0) return;
          inFlight = (async () => {
            writingLines = lines;
            add(counts, await writeBatch(writer, p.spec.entity, toWrite, stages));
          })();
          // Awaited by the next flush or at the end of the file; never left unobserved.
          inFlight.catch(() => undefined);
        };

        const safeRows = async function* (table: Table) {
          // A broken file (an unterminated quote) ends its rows with an error naming the line.
          try {
            yield* table.rows;
          } catch (error) {
            if (!(error instanceof AppError)) throw error;
            for (const problem of error.problems) report.error(problem);
          }
        };
        for await (const { line, cells } of safeRows(p.table)) {
          rows++;
          if (rows % 2000 === 0) {
            options.onProgress?.({
              file: p.file.name,
              rowsRead: rows,
              bytesRead: bytesDone + p.table.bytesRead(),
              totalBytes,
            });
          }
          if (cells.length !== p.table.header.length) {
            report.error({
              file: p.file.name,
              line,
              message: `has ${cells.length} cells where the header has ${p.table.header.length} columns`,
            });
            continue;
          }
          const native: NativeRow = {};
          for (const [field, index] of columnIndex) {
            const raw = (cells[index] ?? '').trim();
            const translated = p.spec.values?.[field]?.[raw];
            native[field] = translated ?? raw;
          }
          for (const [field, value] of Object.entries(p.spec.constants ?? {}))
            if (!native[field]) native[field] = value;
          const expanded = p.spec.expand ? p.spec.expand(native, expandContext) : [native];
          for (const row of expanded) {
            const result = normaliseRow(p.spec.entity, row, {
              file: p.file.name,
              line,
              dateFormat: options.dateFormat ?? p.spec.dateFormat ?? p.mapping.dateFormat,
              currency: p.mapping.currency,
              stages,
              sourceColumn,
              moneyScale: p.spec.moneyScale ?? {},
              inferHistory: p.spec.inferHistory,
            });
            if (!result.ok) {
              for (const problem of result.problems) report.error(problem);
              continue;
            }
            const key = recordKey(result.value);
            if (key !== null) {
              const firstLine = seenKeys.get(key);
              if (firstLine !== undefined) {
                report.error({
                  file: p.file.name,
                  line,
                  field: sourceColumn(keyField(p.spec.entity)),
                  value: key,
                  message: `repeats a key already on line ${firstLine}: which row is right is ambiguous`,
                });
                continue;
              }
              // A cell is a slice of the parser's 1 MiB chunk and would keep the chunk alive: keep
              // a copy of the key, so memory holds keys, not the file.
              seenKeys.set((' ' + key).slice(1), line);
            }
            noteQuirks(result.value, report, p.file.name, line);
            batch.push(result.value);
            batchLines.push(line);
          }
          if (batch.length >= batchSize) await flush();
        }
        await flush();
        await inFlight;
        bytesDone += p.table.totalBytes;
        options.onProgress?.({ file: p.file.name, rowsRead: rows, bytesRead: bytesDone, totalBytes });
        fileRows.push({ name: p.file.name, entity: p.spec.entity, rows });
      }
      stubCounts = { ...writer.stubCounts };
      if (report.errorCount > 0 || options.dryRun) throw new Rollback();
      await options.beforeCommit?.(trx, { importId, files: fileRows, entities });
    });
  } catch (error) {
    if (!(error instanceof Rollback)) {
      await store.db
        .updateTable('imports')
        .set({
          status: 'failed',
          finished_at: options.now(),
          errors: JSON.stringify([{ message: error instanceof Error ? error.message : String(error) }]),
          error_count: 1,
        })
        .where('id', '=', importId)
        .execute();
      throw error;
    }
    status = report.errorCount > 0 ? 'rejected' : 'dry_run';
    // Counts of a rejected import describe nothing that happened.
    if (status === 'rejected') for (const key of Object.keys(entities)) delete entities[key];
  } finally {
    for (const t of tables) t.close();
  }

  for (const u of unknown.values()) {
    const hint = nearMiss(
      u.key,
      u.entity === 'products' || u.entity === 'people' ? await existingKeys(store, u.entity) : [],
    );
    report.warn(
      `unknown_${u.entity}`,
      `${u.count} row(s) name ${u.entity === 'people' ? 'a person' : u.entity.replace(/s$/, '')} "${u.key}" that does not exist${hint ? ` (did you mean "${hint}"?)` : ''}: left unlinked, with the name kept. Re-import with --create-unknown to create it, or correct the file.`,
      u.file,
    );
    const w = report.warnings.find(
      (x) => x.code === `unknown_${u.entity}` && x.message.includes(`"${u.key}"`),
    );
    if (w) {
      w.count = u.count;
      w.lines = u.lines;
    }
  }
  for (const [entity, n] of Object.entries(stubCounts)) {
    if (n > 0)
      report.warn(
        'created_unknown',
        `Created ${n} ${entity} that the files named but that did not exist (--create-unknown).`,
      );
  }
  const unknownList = (entity: string) =>
    [...unknown.values()].filter((u) => u.entity === entity).map((u) => u.key);
  const result: ImportReport = {
    importId,
    status,
    dryRun: options.dryRun,
    mapping: mappingName,
    files: fileRows,
    entities,
    warnings: report.warnings,
    errors: report.errors,
    errorCount: report.errorCount,
    warningCount: report.warningCount,
    unknown: {
      people: unknownList('people'),
      accounts: unknownList('accounts'),
      products: unknownList('products'),
    },
    durationMs: Date.now() - started,
  };
  await store.db
    .updateTable('imports')
    .set({
      status,
      finished_at: options.now(),
      summary: JSON.stringify({ files: fileRows, entities, unknown: result.unknown }),
      warnings: JSON.stringify(result.warnings),
      errors: JSON.stringify(result.errors),
      error_count: result.errorCount,
      warning_count: result.warningCount,
    })
    .where('id', '=', importId)
    .execute();
  return result;
}

function add(total: EntityCounts, more: EntityCounts): void {
  total.inserted += more.inserted;
  total.updated += more.updated;
  total.unchanged += more.unchanged;
}

/** The file's rows, by the writer for their kind; a source's opportunity history has its own. */
async function writeBatch(
  writer: RecordWriter,
  entity: EntityKind,
  batch: NormalisedRecord[],
  stages: Map<string, StageDefinition>,
): Promise<EntityCounts> {
  if (entity === 'opportunity_history') {
    return writer.writeOpportunityHistory(batch.map((b) => b.record as HistoryRow));
  }
  return writer.writeBatch(batch as CanonicalRecord[], stages);
}

function recordKey(value: NormalisedRecord): string | null {
  switch (value.kind) {
    case 'opportunity_history':
    case 'spend':
    case 'quota':
      return null;
    default:
      return value.record.key;
  }
}

function keyField(entity: EntityKind): string {
  const fields: Partial<Record<EntityKind, string>> = {
    people: 'person_key',
    accounts: 'account_key',
    products: 'product_key',
    opportunities: 'opportunity_key',
    activities: 'activity_key',
    leads: 'lead_key',
    subscriptions: 'subscription_key',
    invoices: 'invoice_key',
    payments: 'payment_key',
  };
  return fields[entity] ?? 'key';
}

/** Data quirks worth knowing that are not errors: reported, never silently fixed. */
function noteQuirks(value: NormalisedRecord, report: ReportCollector, file: string, line: number): void {
  if (value.kind !== 'opportunity') return;
  const o = value.record;
  if (o.accountRef === null)
    report.warn('no_account', 'Opportunities with no account: kept, with no account.', file, line);
  if (o.ownerRef === null)
    report.warn('no_owner', 'Opportunities with no owner: kept, credited to nobody.', file, line);
  if (o.createdOn === null)
    report.warn(
      'no_created_date',
      "Opportunities with no creation date: in the current pipeline, but in no past day's pipeline.",
      file,
      line,
    );
  if (o.amountMinor !== null && o.amountMinor < 0)
    report.warn('negative_amount', 'Opportunities with a negative amount.', file, line);
}

async function existingKeys(store: Store, entity: 'products' | 'people'): Promise<string[]> {
  const rows = await sql<{
    external_key: string;
  }>`SELECT external_key FROM ${sql.raw(entity)} LIMIT 10000`.execute(store.db);
  return rows.rows.map((r) => r.external_key);
}

/** An existing key that differs from the given one only in spacing, case or punctuation. */
function nearMiss(key: string, candidates: string[]): string | undefined {
  const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  const wanted = squash(key);
  return candidates.find((c) => c !== key && squash(c) === wanted);
}
