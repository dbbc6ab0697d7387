-- Retiring: a published ruleset may move to retired, once, recording when and why; after that
-- nothing about it changes. Replaces 0001's trigger, which did not know the retirement columns
-- (nor guarded published_at).
DROP TRIGGER IF EXISTS `rulesets_published_immutable`;
--> statement-breakpoint
CREATE TRIGGER `rulesets_published_immutable`
BEFORE UPDATE ON `rulesets`
WHEN OLD.`status` <> 'draft' AND (
  NEW.`table_json` IS NOT OLD.`table_json` OR NEW.`sha256` IS NOT OLD.`sha256` OR
  NEW.`table_id` IS NOT OLD.`table_id` OR NEW.`version` IS NOT OLD.`version` OR
  NEW.`valid_from` IS NOT OLD.`valid_from` OR NEW.`valid_to` IS NOT OLD.`valid_to` OR
  NEW.`scheme` IS NOT OLD.`scheme` OR NEW.`jurisdiction` IS NOT OLD.`jurisdiction` OR
  NEW.`origin` IS NOT OLD.`origin` OR NEW.`created_at` IS NOT OLD.`created_at` OR
  NEW.`published_at` IS NOT OLD.`published_at` OR
  NEW.`status` = 'draft' OR (OLD.`status` = 'retired' AND NEW.`status` <> 'retired') OR
  -- retirement is recorded with the move to retired and never afterwards
  (OLD.`status` = 'retired' AND (NEW.`retired_at` IS NOT OLD.`retired_at` OR NEW.`retired_reason` IS NOT OLD.`retired_reason`)) OR
  (NEW.`status` = 'published' AND (NEW.`retired_at` IS NOT NULL OR NEW.`retired_reason` IS NOT NULL)) OR
  (NEW.`status` = 'retired' AND (NEW.`retired_at` IS NULL OR NEW.`retired_reason` IS NULL))
)
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: a published ruleset cannot be changed');
END;
