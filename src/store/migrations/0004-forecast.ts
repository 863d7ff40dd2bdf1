import { sql, type Kysely } from 'kysely';

/**
 * Forecast (issue 7): submissions per position per period, every version kept. A rep's call covers
 * their own deals, a manager's call covers their team and overrides the roll-up of their reports.
 * Categories are cumulative (commit ⊆ most likely ⊆ best case ⊆ pipeline), checked here as well as
 * in the domain. The system's number on the day of submission is kept beside it, so that the
 * accuracy of each layer can be compared with the system's later (forecast value added).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE forecast_submissions (
      id bigserial PRIMARY KEY,
      position_id bigint NOT NULL REFERENCES positions(id),
      period_id bigint NOT NULL REFERENCES periods(id),
      version integer NOT NULL CHECK (version >= 1),
      kind text NOT NULL CHECK (kind IN ('submission', 'override')),
      currency char(3) NOT NULL,
      commit_minor bigint NOT NULL CHECK (commit_minor >= 0),
      most_likely_minor bigint NOT NULL,
      best_case_minor bigint NOT NULL,
      pipeline_minor bigint NOT NULL,
      roll_up_minor bigint,
      system_minor bigint,
      note text,
      as_of date NOT NULL,
      submitted_by text NOT NULL,
      submitted_by_user_id bigint REFERENCES users(id),
      submitted_at timestamptz NOT NULL,
      UNIQUE (position_id, period_id, version),
      CHECK (commit_minor <= most_likely_minor AND most_likely_minor <= best_case_minor
        AND best_case_minor <= pipeline_minor),
      CHECK (kind = 'submission' OR (note IS NOT NULL AND length(trim(note)) > 0))
    );
    CREATE INDEX forecast_submissions_period ON forecast_submissions (period_id, position_id, version);

    -- Every version is kept: a new call is a new row, never an edit. (TRUNCATE stays possible: it
    -- cascades from positions when a whole database is reset, as the import tests do.)
    CREATE FUNCTION forecast_submissions_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'forecast submissions are append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
    END;
    $$;
    CREATE TRIGGER forecast_submissions_no_update BEFORE UPDATE OR DELETE ON forecast_submissions
      FOR EACH ROW EXECUTE FUNCTION forecast_submissions_are_append_only();
  `.execute(db);
}
