import { sql, type Kysely } from 'kysely';

/**
 * Statement lines as numbers (issue 6, the benchmark's 2.75M lines a December run): 0003 kept each
 * statement's lines, with traces and explanations, as jsonb (~1 KB a line), which cannot be
 * written in a run's time at that size. From here a statement row keeps its header (measures,
 * totals) and each line is one row of `comp_statement_lines`: the numbers its trace and sentence
 * are written from (credit, share, rate, tiers, attainment before and after, multipliers, cuts),
 * written by COPY in the run's transaction. The text is written again when a statement is opened,
 * from these numbers and the plan version the run used (comp_plan_versions never changes), by
 * the code that wrote it during the run: the same statement, byte for byte. Ledger lines (draws,
 * recoveries, clawbacks, holds, releases, adjustments, prior-period corrections: a few per
 * statement) keep their line as JSON text. Codes: src/store/comp/statement-lines.ts.
 *
 * Statements stored before this migration keep their lines as they were (`legacy_lines`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE comp_statements ADD COLUMN statement_no integer;
    -- json, not jsonb: the text as written, keys in the order the engine wrote them
    ALTER TABLE comp_statements ADD COLUMN measures json;
    -- The people whose credit rolled up into this statement: [[payee, name], ...], named by index
    -- from comp_statement_lines.credit_from (their names as of the run).
    ALTER TABLE comp_statements ADD COLUMN credit_from json NOT NULL DEFAULT '[]'::json;
    ALTER TABLE comp_statements ADD COLUMN legacy_lines jsonb;
    UPDATE comp_statements SET measures = (statement->'measures')::json, legacy_lines = statement->'lines';
    ALTER TABLE comp_statements ALTER COLUMN measures SET NOT NULL;
    ALTER TABLE comp_statements DROP COLUMN statement;
    ALTER TABLE comp_statements ADD CONSTRAINT comp_statements_lines_stored
      CHECK ((statement_no IS NULL) <> (legacy_lines IS NULL));
    CREATE UNIQUE INDEX comp_statements_number ON comp_statements (run_id, statement_no);

    -- One row per statement line. No foreign keys: the rows are written only by COPY in the
    -- transaction that writes their statements (a per-row trigger would cost more than the row).
    -- Nulls are free (a bit each); "null = derived" columns say what they are derived from.
    CREATE TABLE comp_statement_lines (
      run_id bigint NOT NULL,
      statement_no integer NOT NULL,
      line_no integer NOT NULL,
      -- code of the line kind (commission, bonus, spiff, retro_adjustment, draw, ...)
      kind smallint NOT NULL,
      -- index of the component in the plan version's components (null: a ledger line without one)
      component smallint,
      transaction_key text,
      -- null: "<component id>:<transaction_key>"
      line_id text,
      amount_minor bigint NOT NULL,
      -- the credit: day of the deal, owner/split/overlay/rollup/territory, whose credit rolled up
      -- (index into comp_statements.credit_from), level, base amount (null: = credited), share, credited
      deal_name text, -- null: = transaction_key
      deal_day date,
      credit_rule smallint,
      credit_from smallint,
      credit_level smallint,
      base_minor bigint,
      share_ppm integer,
      credited_minor bigint,
      -- the incentive: method and basis codes, flat rate, multipliers that applied (bit k =
      -- multiplier k of the component), the band of a line in one band (tier, rate; its amount is
      -- the credit and its pay the raw pay) or every band as (tier, amount, rate, pay) groups
      method smallint,
      basis smallint,
      rate_ppm bigint,
      multipliers integer,
      tier smallint,
      tier_rate_ppm bigint,
      tiers bigint[],
      quota_minor bigint,
      position_before_minor bigint,
      position_after_minor bigint, -- null: before + credited
      raw_minor bigint, -- pay before cuts; null: = amount
      cuts bigint[], -- (cap code, before, after) groups: threshold, gate, per-deal, per-period, per-year
      threshold_value_minor bigint,
      -- numbers of the rarer lines (true-ups, retro re-pricing, bonuses, SPIFFs, amount tables), as JSON
      detail json,
      -- a ledger line as written: {id, kind, component?, transaction?, amount, trace, explanation}
      ledger json,
      PRIMARY KEY (run_id, statement_no, line_no)
    );
  `.execute(db);
}
