CREATE TABLE `table_generation` (
	`id` integer PRIMARY KEY NOT NULL,
	`generation` integer NOT NULL
);
--> statement-breakpoint
-- The one row, at generation 1 when the database already holds published tables (they were loaded
-- by every instance at start anyway), else 0.
INSERT INTO `table_generation` (`id`, `generation`) VALUES (1, (SELECT count(*) > 0 FROM `rulesets`));
--> statement-breakpoint
CREATE TRIGGER `table_generation_forward_only`
BEFORE UPDATE ON `table_generation`
WHEN NEW.`id` IS NOT OLD.`id` OR NEW.`generation` <= OLD.`generation`
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: the tables generation only moves forward');
END;
--> statement-breakpoint
CREATE TRIGGER `table_generation_no_delete`
BEFORE DELETE ON `table_generation`
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: the tables generation row stays');
END;
