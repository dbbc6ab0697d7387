-- Admission rounds (issue 10): rounds, their applications (never deleted) and immutable result versions.
-- application_ref and id are ordered byte-wise (COLLATE "C"), as SQLite and the allocator order them.
CREATE TABLE "admission_rounds" (
	"id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"district" text NOT NULL,
	"spec_json" text NOT NULL,
	"status" text NOT NULL,
	"published_version" integer,
	"created_at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "admission_applications" (
	"round_id" text COLLATE "C" NOT NULL REFERENCES "admission_rounds"("id"),
	"application_ref" text COLLATE "C" NOT NULL,
	"child_key" text NOT NULL,
	"id_number_masked" text,
	"household_json" text NOT NULL,
	"evaluation_json" text NOT NULL,
	"input_json" text NOT NULL,
	"status" text NOT NULL,
	"created_at" text NOT NULL,
	"withdrawn_at" text,
	CONSTRAINT "admission_applications_round_id_application_ref_pk" PRIMARY KEY("round_id","application_ref")
);
--> statement-breakpoint
CREATE INDEX "admission_applications_child" ON "admission_applications" ("round_id","child_key");
--> statement-breakpoint
CREATE TABLE "admission_results" (
	"round_id" text COLLATE "C" NOT NULL REFERENCES "admission_rounds"("id"),
	"version" integer NOT NULL,
	"inputs_sha256" text NOT NULL,
	"inputs_json" text NOT NULL,
	"result_json" text NOT NULL,
	"created_at" text NOT NULL,
	CONSTRAINT "admission_results_round_id_version_pk" PRIMARY KEY("round_id","version")
);
--> statement-breakpoint
CREATE TRIGGER admission_results_no_update BEFORE UPDATE ON "admission_results"
  FOR EACH ROW EXECUTE FUNCTION jifen_refuse('admission result versions never change');
--> statement-breakpoint
CREATE TRIGGER admission_results_no_delete BEFORE DELETE ON "admission_results"
  FOR EACH ROW EXECUTE FUNCTION jifen_refuse('admission result versions never change');
--> statement-breakpoint
CREATE TRIGGER admission_results_no_truncate BEFORE TRUNCATE ON "admission_results"
  FOR EACH STATEMENT EXECUTE FUNCTION jifen_refuse('admission result versions never change');
--> statement-breakpoint
CREATE TRIGGER admission_applications_no_delete BEFORE DELETE ON "admission_applications"
  FOR EACH ROW EXECUTE FUNCTION jifen_refuse('applications are withdrawn, never erased');
--> statement-breakpoint
CREATE TRIGGER admission_applications_no_truncate BEFORE TRUNCATE ON "admission_applications"
  FOR EACH STATEMENT EXECUTE FUNCTION jifen_refuse('applications are withdrawn, never erased');
--> statement-breakpoint
CREATE FUNCTION jifen_application_withdraw_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status <> 'active' OR NEW.status <> 'withdrawn' OR NEW.round_id <> OLD.round_id
    OR NEW.application_ref <> OLD.application_ref OR NEW.child_key <> OLD.child_key
    OR NEW.household_json <> OLD.household_json OR NEW.evaluation_json <> OLD.evaluation_json
    OR NEW.input_json <> OLD.input_json THEN
    RAISE EXCEPTION 'JIFEN_IMMUTABLE: an application only moves from active to withdrawn'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER admission_applications_withdraw_only BEFORE UPDATE ON "admission_applications"
  FOR EACH ROW EXECUTE FUNCTION jifen_application_withdraw_only();
--> statement-breakpoint
CREATE TRIGGER admission_rounds_no_delete BEFORE DELETE ON "admission_rounds"
  FOR EACH ROW EXECUTE FUNCTION jifen_refuse('admission rounds are never erased');
