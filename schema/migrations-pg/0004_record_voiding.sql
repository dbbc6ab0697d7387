-- Voiding official records (issue 15): a row per voided record, never a change to the record itself.
CREATE TABLE "record_voids" (
	"record_id" text PRIMARY KEY NOT NULL REFERENCES "evaluations"("id"),
	"reason" text NOT NULL,
	"voided_at" text NOT NULL,
	"key_name" text NOT NULL,
	"corrected_by" text REFERENCES "evaluations"("id")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "record_voids_corrected_by" ON "record_voids" USING btree ("corrected_by");
--> statement-breakpoint
CREATE TRIGGER record_voids_no_update BEFORE UPDATE ON "record_voids"
  FOR EACH ROW EXECUTE FUNCTION jifen_refuse('record voids are append-only');
--> statement-breakpoint
CREATE TRIGGER record_voids_no_delete BEFORE DELETE ON "record_voids"
  FOR EACH ROW EXECUTE FUNCTION jifen_refuse('record voids are append-only');
--> statement-breakpoint
CREATE TRIGGER record_voids_no_truncate BEFORE TRUNCATE ON "record_voids"
  FOR EACH STATEMENT EXECUTE FUNCTION jifen_refuse('record voids are append-only');
