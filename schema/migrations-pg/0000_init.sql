CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"scopes" text NOT NULL,
	"secret_hash" text NOT NULL,
	"created_at" text NOT NULL,
	"revoked_at" text
);
--> statement-breakpoint
CREATE TABLE "audit_head" (
	"id" integer PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "audit_head_one_row" CHECK ("audit_head"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"at" text NOT NULL,
	"key_name" text NOT NULL,
	"action" text NOT NULL,
	"object_id" text NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evaluations" (
	"id" text PRIMARY KEY NOT NULL,
	"reference" text NOT NULL,
	"reference_year" integer NOT NULL,
	"reference_seq" integer NOT NULL,
	"scheme" text NOT NULL,
	"ruleset_id" text NOT NULL,
	"ruleset_sha256" text NOT NULL,
	"as_of" text NOT NULL,
	"jurisdiction" text NOT NULL,
	"facts_json" text NOT NULL,
	"facts_sha256" text NOT NULL,
	"id_number_masked" text,
	"id_number_hmac" text,
	"dates_json" text DEFAULT '{}' NOT NULL,
	"result_json" text NOT NULL,
	"created_at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"api_key_id" text NOT NULL,
	"key" text NOT NULL,
	"request_sha256" text NOT NULL,
	"status" integer NOT NULL,
	"response_json" text NOT NULL,
	"location" text,
	"created_at" text NOT NULL,
	CONSTRAINT "idempotency_keys_api_key_id_key_pk" PRIMARY KEY("api_key_id","key")
);
--> statement-breakpoint
CREATE TABLE "reference_counters" (
	"year" integer PRIMARY KEY NOT NULL,
	"last" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rulesets" (
	"id" text PRIMARY KEY NOT NULL,
	"table_id" text NOT NULL,
	"version" integer NOT NULL,
	"scheme" text NOT NULL,
	"jurisdiction" text NOT NULL,
	"valid_from" text NOT NULL,
	"valid_to" text,
	"status" text NOT NULL,
	"sha256" text NOT NULL,
	"table_json" text NOT NULL,
	"origin" text NOT NULL,
	"created_at" text NOT NULL,
	"published_at" text,
	"retired_at" text,
	"retired_reason" text
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "table_generation" (
	"id" integer PRIMARY KEY NOT NULL,
	"generation" bigint NOT NULL,
	CONSTRAINT "table_generation_one_row" CHECK ("table_generation"."id" = 1)
);
--> statement-breakpoint
ALTER TABLE "evaluations" ADD CONSTRAINT "evaluations_ruleset_id_rulesets_id_fk" FOREIGN KEY ("ruleset_id") REFERENCES "public"."rulesets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_name" ON "api_keys" USING btree ("name");--> statement-breakpoint
CREATE UNIQUE INDEX "evaluations_reference" ON "evaluations" USING btree ("reference");--> statement-breakpoint
CREATE UNIQUE INDEX "evaluations_reference_seq" ON "evaluations" USING btree ("reference_year","reference_seq");--> statement-breakpoint
CREATE INDEX "evaluations_ruleset" ON "evaluations" USING btree ("ruleset_id");--> statement-breakpoint
CREATE INDEX "evaluations_id_number_hmac" ON "evaluations" USING btree ("id_number_hmac");--> statement-breakpoint
CREATE UNIQUE INDEX "rulesets_table_version" ON "rulesets" USING btree ("table_id","version");--> statement-breakpoint
CREATE INDEX "rulesets_lookup" ON "rulesets" USING btree ("scheme","jurisdiction","status");