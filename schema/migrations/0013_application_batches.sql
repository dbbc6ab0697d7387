-- Each application names the bulk request it came from (batch 1, 2, 3 … per round) and its index in it, so `jifen audit verify` recomputes the hash of each `round.applications_stored` entry; rows stored before stay null. The withdrawal may change only the status and the withdrawal instant; a round, only its status and published version.
ALTER TABLE `admission_applications` ADD `batch` integer;
--> statement-breakpoint
ALTER TABLE `admission_applications` ADD `position` integer;
--> statement-breakpoint
CREATE UNIQUE INDEX `admission_applications_batch` ON `admission_applications` (`round_id`,`batch`,`position`);
--> statement-breakpoint
DROP TRIGGER `admission_applications_withdraw_only`;
--> statement-breakpoint
-- 0008's trigger let the one active → withdrawn UPDATE also rewrite id_number_masked and created_at:
-- now every column but status and withdrawn_at stays as stored, and withdrawn_at is set
CREATE TRIGGER `admission_applications_withdraw_only`
BEFORE UPDATE ON `admission_applications`
WHEN OLD.`status` <> 'active' OR NEW.`status` <> 'withdrawn' OR NEW.`withdrawn_at` IS NULL
  OR NEW.`round_id` IS NOT OLD.`round_id` OR NEW.`application_ref` IS NOT OLD.`application_ref`
  OR NEW.`child_key` IS NOT OLD.`child_key` OR NEW.`id_number_masked` IS NOT OLD.`id_number_masked`
  OR NEW.`household_json` IS NOT OLD.`household_json` OR NEW.`evaluation_json` IS NOT OLD.`evaluation_json`
  OR NEW.`input_json` IS NOT OLD.`input_json` OR NEW.`created_at` IS NOT OLD.`created_at`
  OR NEW.`batch` IS NOT OLD.`batch` OR NEW.`position` IS NOT OLD.`position`
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: an application only moves from active to withdrawn');
END;
--> statement-breakpoint
-- a round's definition, district and creation instant stay as created: only the status and the
-- published version move (the service's one UPDATE); `jifen audit verify` checks those against the log
CREATE TRIGGER `admission_rounds_state_only`
BEFORE UPDATE ON `admission_rounds`
WHEN NEW.`id` IS NOT OLD.`id` OR NEW.`district` IS NOT OLD.`district`
  OR NEW.`spec_json` IS NOT OLD.`spec_json` OR NEW.`created_at` IS NOT OLD.`created_at`
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: a round changes only its status and published version');
END;
