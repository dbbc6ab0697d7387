-- Tamper evidence (issue 11), as schema/migrations/0007 for SQLite. PostgreSQL has no INSERT OR
-- REPLACE: a conflicting INSERT fails on the unique keys, and INSERT … ON CONFLICT DO UPDATE runs
-- the BEFORE UPDATE triggers of 0001 (records, audit, keys, rulesets). What was missing: rules for
-- idempotency answers and settings, and TRUNCATE on the key table. Someone holding the database
-- (superuser) can still disable triggers: what they then change is detected by the keyed audit chain.
CREATE TRIGGER idempotency_keys_no_update BEFORE UPDATE ON "idempotency_keys"
  FOR EACH ROW EXECUTE FUNCTION jifen_refuse('a saved idempotent answer is never changed');
--> statement-breakpoint
CREATE TRIGGER settings_no_update BEFORE UPDATE ON "settings"
  FOR EACH ROW EXECUTE FUNCTION jifen_refuse('a setting is written once');
--> statement-breakpoint
CREATE TRIGGER settings_no_delete BEFORE DELETE ON "settings"
  FOR EACH ROW EXECUTE FUNCTION jifen_refuse('a setting is written once');
--> statement-breakpoint
CREATE TRIGGER settings_no_truncate BEFORE TRUNCATE ON "settings"
  FOR EACH STATEMENT EXECUTE FUNCTION jifen_refuse('a setting is written once');
--> statement-breakpoint
CREATE TRIGGER api_keys_no_truncate BEFORE TRUNCATE ON "api_keys"
  FOR EACH STATEMENT EXECUTE FUNCTION jifen_refuse('API keys are revoked, not deleted');
--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "object_hash" text;
--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "keyed" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_at" ON "idempotency_keys" ("created_at");
--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD COLUMN "response_mac" text;
