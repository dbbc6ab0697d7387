-- Admission rounds (issue 10): rounds, their applications (never deleted) and immutable result versions.
CREATE TABLE `admission_rounds` (
	`id` text PRIMARY KEY NOT NULL,
	`district` text NOT NULL,
	`spec_json` text NOT NULL,
	`status` text NOT NULL,
	`published_version` integer,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `admission_applications` (
	`round_id` text NOT NULL,
	`application_ref` text NOT NULL,
	`child_key` text NOT NULL,
	`id_number_masked` text,
	`household_json` text NOT NULL,
	`evaluation_json` text NOT NULL,
	`input_json` text NOT NULL,
	`status` text NOT NULL,
	`created_at` text NOT NULL,
	`withdrawn_at` text,
	PRIMARY KEY(`round_id`, `application_ref`),
	FOREIGN KEY (`round_id`) REFERENCES `admission_rounds`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `admission_applications_child` ON `admission_applications` (`round_id`,`child_key`);
--> statement-breakpoint
CREATE TABLE `admission_results` (
	`round_id` text NOT NULL,
	`version` integer NOT NULL,
	`inputs_sha256` text NOT NULL,
	`inputs_json` text NOT NULL,
	`result_json` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`round_id`, `version`),
	FOREIGN KEY (`round_id`) REFERENCES `admission_rounds`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TRIGGER `admission_results_no_update`
BEFORE UPDATE ON `admission_results`
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: admission result versions never change');
END;
--> statement-breakpoint
CREATE TRIGGER `admission_results_no_delete`
BEFORE DELETE ON `admission_results`
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: admission result versions never change');
END;
--> statement-breakpoint
CREATE TRIGGER `admission_applications_no_delete`
BEFORE DELETE ON `admission_applications`
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: applications are withdrawn, never erased');
END;
--> statement-breakpoint
-- only the status and the withdrawal instant of an application change, once: active → withdrawn
CREATE TRIGGER `admission_applications_withdraw_only`
BEFORE UPDATE ON `admission_applications`
WHEN OLD.`status` <> 'active' OR NEW.`status` <> 'withdrawn'
  OR NEW.`round_id` IS NOT OLD.`round_id` OR NEW.`application_ref` IS NOT OLD.`application_ref`
  OR NEW.`child_key` IS NOT OLD.`child_key` OR NEW.`household_json` IS NOT OLD.`household_json`
  OR NEW.`evaluation_json` IS NOT OLD.`evaluation_json` OR NEW.`input_json` IS NOT OLD.`input_json`
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: an application only moves from active to withdrawn');
END;
--> statement-breakpoint
CREATE TRIGGER `admission_rounds_no_delete`
BEFORE DELETE ON `admission_rounds`
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: admission rounds are never erased');
END;
