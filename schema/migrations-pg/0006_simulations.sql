-- Policy simulations (issue 13): immutable inputs; the state moves once, running → completed or failed.
CREATE TABLE "simulations" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" text NOT NULL,
	"created_by" text NOT NULL,
	"inputs_sha256" text NOT NULL,
	"inputs_json" text NOT NULL,
	"total" integer NOT NULL,
	"state" text NOT NULL,
	"report_json" text,
	"failure" text,
	"finished_at" text
);
--> statement-breakpoint
CREATE TRIGGER simulations_no_delete BEFORE DELETE ON "simulations"
  FOR EACH ROW EXECUTE FUNCTION jifen_refuse('simulations are never erased');
--> statement-breakpoint
CREATE TRIGGER simulations_no_truncate BEFORE TRUNCATE ON "simulations"
  FOR EACH STATEMENT EXECUTE FUNCTION jifen_refuse('simulations are never erased');
--> statement-breakpoint
CREATE FUNCTION jifen_simulation_finish_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.state <> 'running' OR NEW.state NOT IN ('completed', 'failed')
    OR NEW.id <> OLD.id OR NEW.created_at <> OLD.created_at OR NEW.created_by <> OLD.created_by
    OR NEW.inputs_sha256 <> OLD.inputs_sha256 OR NEW.inputs_json <> OLD.inputs_json OR NEW.total <> OLD.total
    OR NEW.finished_at IS NULL
    OR (NEW.state = 'completed' AND (NEW.report_json IS NULL OR NEW.failure IS NOT NULL))
    OR (NEW.state = 'failed' AND (NEW.failure IS NULL OR NEW.report_json IS NOT NULL)) THEN
    RAISE EXCEPTION 'JIFEN_IMMUTABLE: a simulation only moves from running to completed or failed'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER simulations_finish_only BEFORE UPDATE ON "simulations"
  FOR EACH ROW EXECUTE FUNCTION jifen_simulation_finish_only();
