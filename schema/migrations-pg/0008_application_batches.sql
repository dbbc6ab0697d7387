-- Each application names the bulk request it came from (batch 1, 2, 3 … per round) and its index in it, so `jifen audit verify` recomputes the hash of each `round.applications_stored` entry; rows stored before stay null. The withdrawal may change only the status and the withdrawal instant; a round, only its status and published version.
ALTER TABLE "admission_applications" ADD COLUMN "batch" integer;
--> statement-breakpoint
ALTER TABLE "admission_applications" ADD COLUMN "position" integer;
--> statement-breakpoint
CREATE UNIQUE INDEX "admission_applications_batch" ON "admission_applications" ("round_id","batch","position");
--> statement-breakpoint
-- 0003's function let the one active → withdrawn UPDATE also rewrite id_number_masked and created_at
-- (and compared with <>, which lets a nullable column change to or from NULL): now every column but
-- status and withdrawn_at stays as stored, and withdrawn_at is set
CREATE OR REPLACE FUNCTION jifen_application_withdraw_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status <> 'active' OR NEW.status <> 'withdrawn' OR NEW.withdrawn_at IS NULL
    OR NEW.round_id IS DISTINCT FROM OLD.round_id OR NEW.application_ref IS DISTINCT FROM OLD.application_ref
    OR NEW.child_key IS DISTINCT FROM OLD.child_key OR NEW.id_number_masked IS DISTINCT FROM OLD.id_number_masked
    OR NEW.household_json IS DISTINCT FROM OLD.household_json
    OR NEW.evaluation_json IS DISTINCT FROM OLD.evaluation_json
    OR NEW.input_json IS DISTINCT FROM OLD.input_json OR NEW.created_at IS DISTINCT FROM OLD.created_at
    OR NEW.batch IS DISTINCT FROM OLD.batch OR NEW.position IS DISTINCT FROM OLD.position THEN
    RAISE EXCEPTION 'JIFEN_IMMUTABLE: an application only moves from active to withdrawn'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
-- a round's definition, district and creation instant stay as created: only the status and the
-- published version move (the service's one UPDATE); `jifen audit verify` checks those against the log
CREATE FUNCTION jifen_round_state_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id IS DISTINCT FROM OLD.id OR NEW.district IS DISTINCT FROM OLD.district
    OR NEW.spec_json IS DISTINCT FROM OLD.spec_json OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
    RAISE EXCEPTION 'JIFEN_IMMUTABLE: a round changes only its status and published version'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER admission_rounds_state_only BEFORE UPDATE ON "admission_rounds"
  FOR EACH ROW EXECUTE FUNCTION jifen_round_state_only();
