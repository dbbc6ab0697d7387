-- Voiding official records (issue 15): a row per voided record, never a change to the record itself.
CREATE TABLE `record_voids` (
	`record_id` text PRIMARY KEY NOT NULL,
	`reason` text NOT NULL,
	`voided_at` text NOT NULL,
	`key_name` text NOT NULL,
	`corrected_by` text,
	FOREIGN KEY (`record_id`) REFERENCES `evaluations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`corrected_by`) REFERENCES `evaluations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `record_voids_corrected_by` ON `record_voids` (`corrected_by`);
--> statement-breakpoint
CREATE TRIGGER `record_voids_no_update`
BEFORE UPDATE ON `record_voids`
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: record voids are append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `record_voids_no_delete`
BEFORE DELETE ON `record_voids`
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: record voids are append-only');
END;
