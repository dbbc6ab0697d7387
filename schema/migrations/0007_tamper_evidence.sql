-- Tamper evidence (issue 11). SQLite runs no DELETE trigger for the row an `INSERT OR REPLACE`
-- removes (unless recursive_triggers is on), so the append-only triggers of 0001, 0003 and 0005
-- could be bypassed by replacing a row. These BEFORE INSERT triggers refuse a row whose key (any of
-- its unique keys) already exists, whatever the conflict clause; idempotency answers and settings
-- get the update and delete rules they lacked. Someone holding the file can still drop triggers:
-- what they then change is detected by the keyed audit chain (src/security/audit-chain.ts).
CREATE TRIGGER `evaluations_no_replace`
BEFORE INSERT ON `evaluations`
WHEN EXISTS (SELECT 1 FROM `evaluations` WHERE `id` = NEW.`id`)
  OR EXISTS (SELECT 1 FROM `evaluations` WHERE `reference` = NEW.`reference`)
  OR EXISTS (SELECT 1 FROM `evaluations` WHERE `reference_year` = NEW.`reference_year` AND `reference_seq` = NEW.`reference_seq`)
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: evaluation records are append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_no_replace`
BEFORE INSERT ON `audit_log`
WHEN EXISTS (SELECT 1 FROM `audit_log` WHERE `seq` = NEW.`seq`)
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: the audit log is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `api_keys_no_replace`
BEFORE INSERT ON `api_keys`
WHEN EXISTS (SELECT 1 FROM `api_keys` WHERE `id` = NEW.`id`)
  OR EXISTS (SELECT 1 FROM `api_keys` WHERE `name` = NEW.`name`)
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: an API key can only be revoked');
END;
--> statement-breakpoint
CREATE TRIGGER `rulesets_no_replace`
BEFORE INSERT ON `rulesets`
WHEN EXISTS (SELECT 1 FROM `rulesets` WHERE `id` = NEW.`id`)
  OR EXISTS (SELECT 1 FROM `rulesets` WHERE `table_id` = NEW.`table_id` AND `version` = NEW.`version`)
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: a ruleset is never replaced');
END;
--> statement-breakpoint
-- A saved answer is replayed as it was: never replaced nor edited. Rows may be deleted (expiry).
CREATE TRIGGER `idempotency_keys_no_replace`
BEFORE INSERT ON `idempotency_keys`
WHEN EXISTS (SELECT 1 FROM `idempotency_keys` WHERE `api_key_id` = NEW.`api_key_id` AND `key` = NEW.`key`)
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: a saved idempotent answer is never replaced');
END;
--> statement-breakpoint
CREATE TRIGGER `idempotency_keys_no_update`
BEFORE UPDATE ON `idempotency_keys`
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: a saved idempotent answer is never changed');
END;
--> statement-breakpoint
-- Settings are facts about the database (check values of its secrets, where its keyed audit chain
-- starts): written once, never changed.
CREATE TRIGGER `settings_no_replace`
BEFORE INSERT ON `settings`
WHEN EXISTS (SELECT 1 FROM `settings` WHERE `key` = NEW.`key`)
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: a setting is written once');
END;
--> statement-breakpoint
CREATE TRIGGER `settings_no_update`
BEFORE UPDATE ON `settings`
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: a setting is written once');
END;
--> statement-breakpoint
CREATE TRIGGER `settings_no_delete`
BEFORE DELETE ON `settings`
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: a setting is written once');
END;
--> statement-breakpoint
-- The keyed chain: each entry carries the content hash of the object it records, and `keyed` says
-- its hash is an HMAC under the audit key (0: an entry written before, a plain SHA-256).
ALTER TABLE `audit_log` ADD `object_hash` text;
--> statement-breakpoint
ALTER TABLE `audit_log` ADD `keyed` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
CREATE INDEX `idempotency_keys_created_at` ON `idempotency_keys` (`created_at`);
--> statement-breakpoint
-- A keyed MAC of each saved answer (src/security/request-fingerprint.ts): an answer edited in the
-- file is not replayed. Null for answers saved before.
ALTER TABLE `idempotency_keys` ADD `response_mac` text;
