-- The no-replace rule of 0007 for the append-only tables added after it (0006's generation row, 0008's
-- admission rounds, 0009's record voids): SQLite runs no DELETE trigger for the row an `INSERT OR
-- REPLACE` removes, so without these a row their no-delete/no-update triggers protect could be swapped.
-- test/security/tamper.test.ts finds every protected table in the migrations and checks it has one.
CREATE TRIGGER `table_generation_no_replace`
BEFORE INSERT ON `table_generation`
WHEN EXISTS (SELECT 1 FROM `table_generation` WHERE `id` = NEW.`id`)
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: the tables generation row stays');
END;
--> statement-breakpoint
CREATE TRIGGER `admission_rounds_no_replace`
BEFORE INSERT ON `admission_rounds`
WHEN EXISTS (SELECT 1 FROM `admission_rounds` WHERE `id` = NEW.`id`)
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: admission rounds are never replaced');
END;
--> statement-breakpoint
CREATE TRIGGER `admission_applications_no_replace`
BEFORE INSERT ON `admission_applications`
WHEN EXISTS (SELECT 1 FROM `admission_applications` WHERE `round_id` = NEW.`round_id` AND `application_ref` = NEW.`application_ref`)
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: applications are withdrawn, never replaced');
END;
--> statement-breakpoint
CREATE TRIGGER `admission_results_no_replace`
BEFORE INSERT ON `admission_results`
WHEN EXISTS (SELECT 1 FROM `admission_results` WHERE `round_id` = NEW.`round_id` AND `version` = NEW.`version`)
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: admission result versions never change');
END;
--> statement-breakpoint
CREATE TRIGGER `record_voids_no_replace`
BEFORE INSERT ON `record_voids`
WHEN EXISTS (SELECT 1 FROM `record_voids` WHERE `record_id` = NEW.`record_id`)
  OR EXISTS (SELECT 1 FROM `record_voids` WHERE `corrected_by` = NEW.`corrected_by`)
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: record voids are append-only');
END;
