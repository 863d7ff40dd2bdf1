import { sql, type Kysely } from 'kysely';

/**
 * Cancellations and cash for compensation runs (issue 6, "Reward"): a plan's `clawback:` and its
 * `hold: { until: collected }` read, for each won deal, the day it was cancelled and the cash
 * collected on it. A cancellation is a fact of the deal: `opportunities.cancelled_on`, the day a
 * won deal was cancelled (null: it stands), imported with the deal and kept in the append-only
 * history like the other tracked fields, so a later re-import that moves or removes it leaves the
 * before and after. Cash collected is what `payments` record on the `invoices` that name the deal
 * (0001); the indexes here serve that join.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE opportunities ADD COLUMN cancelled_on date;
    -- Only a won deal, with its close day, can be cancelled, and not before it closed.
    ALTER TABLE opportunities ADD CONSTRAINT opportunities_cancelled_when_won
      CHECK (cancelled_on IS NULL OR (is_won AND closed_on IS NOT NULL AND cancelled_on >= closed_on));
    CREATE INDEX opportunities_cancelled ON opportunities (cancelled_on) WHERE cancelled_on IS NOT NULL;

    ALTER TABLE opportunity_changes DROP CONSTRAINT opportunity_changes_field_check;
    ALTER TABLE opportunity_changes ADD CONSTRAINT opportunity_changes_field_check
      CHECK (field IN ('stage', 'amount_minor', 'close_on', 'probability', 'owner_person_id', 'forecast_category', 'cancelled_on'));

    CREATE INDEX invoices_opportunity ON invoices (opportunity_id) WHERE opportunity_id IS NOT NULL;
    CREATE INDEX payments_invoice ON payments (invoice_id) WHERE invoice_id IS NOT NULL;
  `.execute(db);
}
