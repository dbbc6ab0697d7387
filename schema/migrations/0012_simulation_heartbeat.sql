-- Simulations on several instances (issue 13): a running simulation has an owner (the instance running it) and a heartbeat; only the heartbeat moves while it runs.
ALTER TABLE `simulations` ADD `owner` text;
--> statement-breakpoint
ALTER TABLE `simulations` ADD `heartbeat_at` text;
--> statement-breakpoint
DROP TRIGGER `simulations_finish_only`;
--> statement-breakpoint
-- the changes allowed, from running only: the heartbeat moves (nothing else does), or the state moves
-- once to completed (with its report) or failed (with its reason); owner and heartbeat stay as they were
CREATE TRIGGER `simulations_finish_only`
BEFORE UPDATE ON `simulations`
WHEN OLD.`state` <> 'running' OR NEW.`state` NOT IN ('running', 'completed', 'failed')
  OR NEW.`id` IS NOT OLD.`id` OR NEW.`created_at` IS NOT OLD.`created_at`
  OR NEW.`created_by` IS NOT OLD.`created_by` OR NEW.`inputs_sha256` IS NOT OLD.`inputs_sha256`
  OR NEW.`inputs_json` IS NOT OLD.`inputs_json` OR NEW.`total` IS NOT OLD.`total`
  OR NEW.`owner` IS NOT OLD.`owner`
  OR (NEW.`state` = 'running' AND (NEW.`heartbeat_at` IS NULL OR NEW.`report_json` IS NOT NULL
    OR NEW.`failure` IS NOT NULL OR NEW.`finished_at` IS NOT NULL))
  OR (NEW.`state` <> 'running' AND (NEW.`finished_at` IS NULL OR NEW.`heartbeat_at` IS NOT OLD.`heartbeat_at`))
  OR (NEW.`state` = 'completed' AND (NEW.`report_json` IS NULL OR NEW.`failure` IS NOT NULL))
  OR (NEW.`state` = 'failed' AND (NEW.`failure` IS NULL OR NEW.`report_json` IS NOT NULL))
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: a simulation only moves from running to completed or failed, and only its heartbeat moves while it runs');
END;
