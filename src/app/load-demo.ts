import { generatePeriods } from '../domain/calendar/fiscal-calendar.ts';
import { generateOrganisation } from '../domain/demo/generate-organisation.ts';
import { nativeStages } from '../domain/demo/native-stages.ts';
import { recordKinds, type CanonicalRecord, type RecordKind } from '../domain/records.ts';
import { savePeriods } from '../store/calendar-writer.ts';
import type { Store } from '../store/open-database.ts';
import { RecordWriter, type EntityCounts } from '../store/record-writer.ts';

export type DemoOptions = {
  seed: number;
  reps: number;
  months: number;
  asOf: string;
  fiscalYearStartMonth: number;
};

/** The first day of the demo's history: `months` before `asOf` (compensation plans start from it). */
export function demoHistoryStart(asOf: string, months: number): string {
  return monthsBefore(asOf, months);
}

/** The first day of the month `months` before the given date. */
function monthsBefore(date: string, months: number): string {
  const [y, m] = date.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) - months;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}

/**
 * Fills the database with the generated demo organisation in one transaction: history up to
 * `asOf`, open pipeline after it. The same options give the same organisation.
 */
export async function loadDemo(
  store: Store,
  options: DemoOptions,
  onProgress?: (written: number) => void,
): Promise<Record<string, EntityCounts>> {
  // Two years of history before today, half a year of open pipeline after it.
  const startOn = monthsBefore(options.asOf, options.months);
  const records = generateOrganisation({
    seed: options.seed,
    reps: options.reps,
    startOn,
    months: options.months + 6,
    asOf: options.asOf,
  });
  const counts: Record<string, EntityCounts> = {};
  await store.db.transaction().execute(async (trx) => {
    const startYear = Number(startOn.slice(0, 4));
    await savePeriods(
      trx,
      generatePeriods({
        fiscalYearStartMonth: options.fiscalYearStartMonth,
        fromFiscalYear: startYear - 1,
        toFiscalYear: startYear + Math.ceil(options.months / 12) + 2,
      }),
    );
    const writer = new RecordWriter(trx, {
      importId: null,
      now: `${options.asOf}T00:00:00.000Z`,
      createUnknown: false,
      onUnknown: () => undefined,
    });
    await writer.upsertStages(nativeStages);
    const buffers = new Map<RecordKind, CanonicalRecord[]>(recordKinds.map((k) => [k, []]));
    let buffered = 0;
    let written = 0;
    const stages = new Map(nativeStages.map((s) => [s.name, s]));
    // Records only name records emitted before them, so writing every buffer in dependency order
    // keeps each reference resolvable.
    const flush = async () => {
      for (const kind of recordKinds) {
        const batch = buffers.get(kind)!;
        if (batch.length === 0) continue;
        const c = await writer.writeBatch(batch, stages);
        const total = (counts[kind] ??= { inserted: 0, updated: 0, unchanged: 0 });
        total.inserted += c.inserted;
        total.updated += c.updated;
        total.unchanged += c.unchanged;
        written += batch.length;
        buffers.set(kind, []);
      }
      buffered = 0;
      onProgress?.(written);
    };
    for (const record of records) {
      buffers.get(record.kind)!.push(record);
      if (++buffered >= 5000 && record.kind !== 'person') await flush();
    }
    await flush();
  });
  return counts;
}
