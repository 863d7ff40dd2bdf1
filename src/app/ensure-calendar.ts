import { sql } from 'kysely';
import { generatePeriods } from '../domain/calendar/fiscal-calendar.ts';
import { AppError } from '../domain/errors.ts';
import { savePeriods } from '../store/calendar-writer.ts';
import type { Store } from '../store/open-database.ts';

/**
 * The fiscal calendar's periods from FY2000 to five years ahead. The fiscal-year start is fixed
 * once periods exist: changing it later would move every period and what it holds.
 */
export async function ensureCalendar(store: Store, fiscalYearStartMonth: number, now: string): Promise<void> {
  const stored = await store.db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', 'fiscal_year_start_month')
    .executeTakeFirst();
  if (stored && stored.value !== fiscalYearStartMonth) {
    throw new AppError(
      'conflict',
      `This database's fiscal year starts in month ${String(stored.value)}, but ATTAIN_FISCAL_YEAR_START_MONTH is ${fiscalYearStartMonth}. Set it back to ${String(stored.value)}.`,
    );
  }
  if (!stored) {
    await sql`INSERT INTO settings (key, value) VALUES ('fiscal_year_start_month', ${JSON.stringify(fiscalYearStartMonth)}::jsonb)`.execute(
      store.db,
    );
  }
  const year = Number(now.slice(0, 4));
  // Most starts find the calendar already reaching five years ahead: nothing to generate.
  const latest = await store.db
    .selectFrom('periods')
    .select((eb) => eb.fn.max('fiscal_year').as('fiscal_year'))
    .where('kind', '=', 'year')
    .executeTakeFirst();
  if ((latest?.fiscal_year ?? 0) >= year + 5) return;
  await savePeriods(
    store.db,
    generatePeriods({ fiscalYearStartMonth, fromFiscalYear: 2000, toFiscalYear: year + 5 }),
  );
}
