CREATE TABLE `evaluations` (
	`id` text PRIMARY KEY NOT NULL,
	`reference` text NOT NULL,
	`reference_year` integer NOT NULL,
	`reference_seq` integer NOT NULL,
	`scheme` text NOT NULL,
	`ruleset_id` text NOT NULL,
	`ruleset_sha256` text NOT NULL,
	`as_of` text NOT NULL,
	`jurisdiction` text NOT NULL,
	`facts_json` text NOT NULL,
	`facts_sha256` text NOT NULL,
	`id_number_masked` text,
	`dates_json` text DEFAULT '{}' NOT NULL,
	`result_json` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`ruleset_id`) REFERENCES `rulesets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `evaluations_reference` ON `evaluations` (`reference`);--> statement-breakpoint
CREATE UNIQUE INDEX `evaluations_reference_seq` ON `evaluations` (`reference_year`,`reference_seq`);--> statement-breakpoint
CREATE INDEX `evaluations_ruleset` ON `evaluations` (`ruleset_id`);--> statement-breakpoint
CREATE TABLE `rulesets` (
	`id` text PRIMARY KEY NOT NULL,
	`table_id` text NOT NULL,
	`version` integer NOT NULL,
	`scheme` text NOT NULL,
	`jurisdiction` text NOT NULL,
	`valid_from` text NOT NULL,
	`valid_to` text,
	`status` text NOT NULL,
	`sha256` text NOT NULL,
	`table_json` text NOT NULL,
	`origin` text NOT NULL,
	`created_at` text NOT NULL,
	`published_at` text,
	`retired_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rulesets_table_version` ON `rulesets` (`table_id`,`version`);--> statement-breakpoint
CREATE INDEX `rulesets_lookup` ON `rulesets` (`scheme`,`jurisdiction`,`status`);