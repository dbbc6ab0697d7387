-- The audit log is append-only in the database itself, like the evaluation records (0001): the hash
-- chain detects an altered row, these triggers stop the service or a stray script from making one.
-- API keys may only be revoked: the secret hash, name and scopes of a key never change, and a
-- revoked key stays revoked (issuing a new key is the way back).
CREATE TRIGGER `audit_log_no_update`
BEFORE UPDATE ON `audit_log`
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: the audit log is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_no_delete`
BEFORE DELETE ON `audit_log`
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: the audit log is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `api_keys_revoke_only`
BEFORE UPDATE ON `api_keys`
WHEN NEW.`id` IS NOT OLD.`id` OR NEW.`name` IS NOT OLD.`name` OR NEW.`scopes` IS NOT OLD.`scopes` OR
  NEW.`secret_hash` IS NOT OLD.`secret_hash` OR NEW.`created_at` IS NOT OLD.`created_at` OR
  (OLD.`revoked_at` IS NOT NULL AND NEW.`revoked_at` IS NOT OLD.`revoked_at`)
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: an API key can only be revoked');
END;
--> statement-breakpoint
CREATE TRIGGER `api_keys_no_delete`
BEFORE DELETE ON `api_keys`
BEGIN
  SELECT RAISE(ABORT, 'JIFEN_IMMUTABLE: API keys are revoked, not deleted');
END;
