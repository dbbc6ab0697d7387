-- The append-only and immutability rules of the SQLite triggers (schema/migrations/0001, 0003, 0005,
-- 0006), as PL/pgSQL triggers: the service's own checks come first; these stop a stray script or a
-- bug from changing what must never change. Messages start with JIFEN_IMMUTABLE, as in SQLite.
-- The one rows: the chain's head at genesis, the tables generation at 0.
INSERT INTO "audit_head" ("id", "seq", "hash") VALUES (1, 0, repeat('0', 64));
--> statement-breakpoint
INSERT INTO "table_generation" ("id", "generation") VALUES (1, 0);
--> statement-breakpoint
CREATE FUNCTION jifen_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'JIFEN_IMMUTABLE: %', TG_ARGV[0] USING ERRCODE = 'check_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER evaluations_no_update BEFORE UPDATE ON "evaluations"
  FOR EACH ROW EXECUTE FUNCTION jifen_refuse('evaluation records are append-only');
--> statement-breakpoint
CREATE TRIGGER evaluations_no_delete BEFORE DELETE ON "evaluations"
  FOR EACH ROW EXECUTE FUNCTION jifen_refuse('evaluation records are append-only');
--> statement-breakpoint
CREATE TRIGGER evaluations_no_truncate BEFORE TRUNCATE ON "evaluations"
  FOR EACH STATEMENT EXECUTE FUNCTION jifen_refuse('evaluation records are append-only');
--> statement-breakpoint
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION jifen_refuse('the audit log is append-only');
--> statement-breakpoint
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION jifen_refuse('the audit log is append-only');
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON "audit_log"
  FOR EACH STATEMENT EXECUTE FUNCTION jifen_refuse('the audit log is append-only');
--> statement-breakpoint
CREATE FUNCTION jifen_audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- the head only moves forward (one entry at a time in service, written in the same statement as
  -- the entry; a copy of a whole log moves it once, to its last entry)
  IF NEW.id <> OLD.id OR NEW.seq <= OLD.seq THEN
    RAISE EXCEPTION 'JIFEN_IMMUTABLE: the audit head only moves forward'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_head_forward BEFORE UPDATE ON "audit_head"
  FOR EACH ROW EXECUTE FUNCTION jifen_audit_head_forward();
--> statement-breakpoint
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON "audit_head"
  FOR EACH ROW EXECUTE FUNCTION jifen_refuse('the audit head stays');
--> statement-breakpoint
CREATE FUNCTION jifen_api_keys_revoke_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id IS DISTINCT FROM OLD.id OR NEW.name IS DISTINCT FROM OLD.name
    OR NEW.scopes IS DISTINCT FROM OLD.scopes OR NEW.secret_hash IS DISTINCT FROM OLD.secret_hash
    OR NEW.created_at IS DISTINCT FROM OLD.created_at
    OR (OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS DISTINCT FROM OLD.revoked_at) THEN
    RAISE EXCEPTION 'JIFEN_IMMUTABLE: an API key can only be revoked' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER api_keys_revoke_only BEFORE UPDATE ON "api_keys"
  FOR EACH ROW EXECUTE FUNCTION jifen_api_keys_revoke_only();
--> statement-breakpoint
CREATE TRIGGER api_keys_no_delete BEFORE DELETE ON "api_keys"
  FOR EACH ROW EXECUTE FUNCTION jifen_refuse('API keys are revoked, not deleted');
--> statement-breakpoint
CREATE FUNCTION jifen_rulesets_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status <> 'draft' AND (
    NEW.table_json IS DISTINCT FROM OLD.table_json OR NEW.sha256 IS DISTINCT FROM OLD.sha256 OR
    NEW.table_id IS DISTINCT FROM OLD.table_id OR NEW.version IS DISTINCT FROM OLD.version OR
    NEW.valid_from IS DISTINCT FROM OLD.valid_from OR NEW.valid_to IS DISTINCT FROM OLD.valid_to OR
    NEW.scheme IS DISTINCT FROM OLD.scheme OR NEW.jurisdiction IS DISTINCT FROM OLD.jurisdiction OR
    NEW.origin IS DISTINCT FROM OLD.origin OR NEW.created_at IS DISTINCT FROM OLD.created_at OR
    NEW.published_at IS DISTINCT FROM OLD.published_at OR
    NEW.status = 'draft' OR (OLD.status = 'retired' AND NEW.status <> 'retired') OR
    -- retirement is recorded with the move to retired and never afterwards
    (OLD.status = 'retired' AND (NEW.retired_at IS DISTINCT FROM OLD.retired_at OR
      NEW.retired_reason IS DISTINCT FROM OLD.retired_reason)) OR
    (NEW.status = 'published' AND (NEW.retired_at IS NOT NULL OR NEW.retired_reason IS NOT NULL)) OR
    (NEW.status = 'retired' AND (NEW.retired_at IS NULL OR NEW.retired_reason IS NULL))
  ) THEN
    RAISE EXCEPTION 'JIFEN_IMMUTABLE: a published ruleset cannot be changed' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER rulesets_published_immutable BEFORE UPDATE ON "rulesets"
  FOR EACH ROW EXECUTE FUNCTION jifen_rulesets_immutable();
--> statement-breakpoint
CREATE FUNCTION jifen_rulesets_undeletable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status <> 'draft' THEN
    RAISE EXCEPTION 'JIFEN_IMMUTABLE: a published ruleset cannot be deleted' USING ERRCODE = 'check_violation';
  END IF;
  RETURN OLD;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER rulesets_published_undeletable BEFORE DELETE ON "rulesets"
  FOR EACH ROW EXECUTE FUNCTION jifen_rulesets_undeletable();
--> statement-breakpoint
CREATE TRIGGER rulesets_no_truncate BEFORE TRUNCATE ON "rulesets"
  FOR EACH STATEMENT EXECUTE FUNCTION jifen_refuse('published rulesets cannot be deleted');
--> statement-breakpoint
CREATE FUNCTION jifen_generation_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id <> OLD.id OR NEW.generation <= OLD.generation THEN
    RAISE EXCEPTION 'JIFEN_IMMUTABLE: the tables generation only moves forward' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER table_generation_forward BEFORE UPDATE ON "table_generation"
  FOR EACH ROW EXECUTE FUNCTION jifen_generation_forward();
--> statement-breakpoint
CREATE TRIGGER table_generation_no_delete BEFORE DELETE ON "table_generation"
  FOR EACH ROW EXECUTE FUNCTION jifen_refuse('the tables generation row stays');
--> statement-breakpoint
CREATE FUNCTION jifen_counter_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- numbers are never given twice: a year's counter only moves forward
  IF NEW.year <> OLD.year OR NEW.last <= OLD.last THEN
    RAISE EXCEPTION 'JIFEN_IMMUTABLE: a reference counter only moves forward' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER reference_counters_forward BEFORE UPDATE ON "reference_counters"
  FOR EACH ROW EXECUTE FUNCTION jifen_counter_forward();
--> statement-breakpoint
CREATE TRIGGER reference_counters_no_delete BEFORE DELETE ON "reference_counters"
  FOR EACH ROW EXECUTE FUNCTION jifen_refuse('reference counters stay');
