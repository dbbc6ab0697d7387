-- Simulations on several instances (issue 13): a running simulation has an owner (the instance running it) and a heartbeat; only the heartbeat moves while it runs.
ALTER TABLE "simulations" ADD COLUMN "owner" text;
--> statement-breakpoint
ALTER TABLE "simulations" ADD COLUMN "heartbeat_at" text;
--> statement-breakpoint
-- the changes allowed, from running only: the heartbeat moves (nothing else does), or the state moves
-- once to completed (with its report) or failed (with its reason); owner and heartbeat stay as they were
CREATE OR REPLACE FUNCTION jifen_simulation_finish_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.state <> 'running' OR NEW.state NOT IN ('running', 'completed', 'failed')
    OR NEW.id IS DISTINCT FROM OLD.id OR NEW.created_at IS DISTINCT FROM OLD.created_at
    OR NEW.created_by IS DISTINCT FROM OLD.created_by
    OR NEW.inputs_sha256 IS DISTINCT FROM OLD.inputs_sha256 OR NEW.inputs_json IS DISTINCT FROM OLD.inputs_json
    OR NEW.total IS DISTINCT FROM OLD.total OR NEW.owner IS DISTINCT FROM OLD.owner
    OR (NEW.state = 'running' AND (NEW.heartbeat_at IS NULL OR NEW.report_json IS NOT NULL
      OR NEW.failure IS NOT NULL OR NEW.finished_at IS NOT NULL))
    OR (NEW.state <> 'running' AND (NEW.finished_at IS NULL OR NEW.heartbeat_at IS DISTINCT FROM OLD.heartbeat_at))
    OR (NEW.state = 'completed' AND (NEW.report_json IS NULL OR NEW.failure IS NOT NULL))
    OR (NEW.state = 'failed' AND (NEW.failure IS NULL OR NEW.report_json IS NOT NULL)) THEN
    RAISE EXCEPTION 'JIFEN_IMMUTABLE: a simulation only moves from running to completed or failed, and only its heartbeat moves while it runs'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;
