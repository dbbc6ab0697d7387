-- Policy simulations (issue 13): immutable inputs; the state moves once, running → completed or failed.
CREATE TABLE `simulations` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL,
	`created_by` text NOT NULL,
	`inputs_sha256` text NOT NULL,
	`inputs_json` text NOT NULL,
	`total` integer NOT NULL,
	`state` text NOT NULL,
	`report_json` text,
	`failure` text,
	`finished_at` text
);
--> statement-breakpoint
CREATE TRIGGER `simulations_no_delete`
BEFORE DELETE ON `simulations`
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: simulations are never erased');
END;
--> statement-breakpoint
-- the one change allowed: running → completed (with its report) or failed (with its reason), once
CREATE TRIGGER `simulations_finish_only`
BEFORE UPDATE ON `simulations`
WHEN OLD.`state` <> 'running' OR NEW.`state` NOT IN ('completed', 'failed')
  OR NEW.`id` IS NOT OLD.`id` OR NEW.`created_at` IS NOT OLD.`created_at`
  OR NEW.`created_by` IS NOT OLD.`created_by` OR NEW.`inputs_sha256` IS NOT OLD.`inputs_sha256`
  OR NEW.`inputs_json` IS NOT OLD.`inputs_json` OR NEW.`total` IS NOT OLD.`total`
  OR NEW.`finished_at` IS NULL
  OR (NEW.`state` = 'completed' AND (NEW.`report_json` IS NULL OR NEW.`failure` IS NOT NULL))
  OR (NEW.`state` = 'failed' AND (NEW.`failure` IS NULL OR NEW.`report_json` IS NOT NULL))
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: a simulation only moves from running to completed or failed');
END;
--> statement-breakpoint
-- as 0007/0010 for every append-only table: SQLite runs no DELETE trigger for the row an INSERT OR REPLACE removes
CREATE TRIGGER `simulations_no_replace`
BEFORE INSERT ON `simulations`
WHEN EXISTS (SELECT 1 FROM `simulations` WHERE `id` = NEW.`id`)
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: simulations are never replaced');
END;
