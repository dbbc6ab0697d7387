-- Belt and braces under the service's own checks: a published or retired ruleset's content never
-- changes, its status only moves forward, and official evaluation records are append-only.
CREATE TRIGGER `rulesets_published_immutable`
BEFORE UPDATE ON `rulesets`
WHEN OLD.`status` <> 'draft' AND (
  NEW.`table_json` IS NOT OLD.`table_json` OR NEW.`sha256` IS NOT OLD.`sha256` OR
  NEW.`table_id` IS NOT OLD.`table_id` OR NEW.`version` IS NOT OLD.`version` OR
  NEW.`valid_from` IS NOT OLD.`valid_from` OR NEW.`valid_to` IS NOT OLD.`valid_to` OR
  NEW.`scheme` IS NOT OLD.`scheme` OR NEW.`jurisdiction` IS NOT OLD.`jurisdiction` OR
  NEW.`status` = 'draft' OR (OLD.`status` = 'retired' AND NEW.`status` <> 'retired')
)
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: a published ruleset cannot be changed');
END;
--> statement-breakpoint
CREATE TRIGGER `rulesets_published_undeletable`
BEFORE DELETE ON `rulesets`
WHEN OLD.`status` <> 'draft'
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: a published ruleset cannot be deleted');
END;
--> statement-breakpoint
CREATE TRIGGER `evaluations_no_update`
BEFORE UPDATE ON `evaluations`
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: evaluation records are append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `evaluations_no_delete`
BEFORE DELETE ON `evaluations`
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: evaluation records are append-only');
END;
