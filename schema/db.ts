// SQLite tables (drizzle): published and draft rulesets, official evaluation records. snake_case columns.
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

export const rulesets = sqliteTable(
  'rulesets',
  {
    /** public id: `${tableId}@${version}` */
    id: text('id').primaryKey(),
    tableId: text('table_id').notNull(),
    version: integer('version').notNull(),
    scheme: text('scheme').notNull(),
    jurisdiction: text('jurisdiction').notNull(),
    validFrom: text('valid_from').notNull(),
    validTo: text('valid_to'),
    status: text('status', { enum: ['draft', 'published', 'retired'] }).notNull(),
    /** SHA-256 of the canonical JSON of `table_json`; checked again whenever the table is read back */
    sha256: text('sha256').notNull(),
    /** the resolved table (schema/table.ts TableSchema) as JSON */
    tableJson: text('table_json').notNull(),
    /** where it came from: the shipped YAML or the API */
    origin: text('origin', { enum: ['shipped', 'api'] }).notNull(),
    createdAt: text('created_at').notNull(),
    publishedAt: text('published_at'),
    retiredAt: text('retired_at'),
  },
  (t) => [
    uniqueIndex('rulesets_table_version').on(t.tableId, t.version),
    index('rulesets_lookup').on(t.scheme, t.jurisdiction, t.status),
  ],
)

export const evaluations = sqliteTable(
  'evaluations',
  {
    id: text('id').primaryKey(),
    /** human reference number, JF-<year>-<seq padded to 6> */
    reference: text('reference').notNull(),
    referenceYear: integer('reference_year').notNull(),
    referenceSeq: integer('reference_seq').notNull(),
    scheme: text('scheme').notNull(),
    rulesetId: text('ruleset_id')
      .notNull()
      .references(() => rulesets.id),
    rulesetSha256: text('ruleset_sha256').notNull(),
    asOf: text('as_of').notNull(),
    jurisdiction: text('jurisdiction').notNull(),
    /** the parsed applicant without its ID number, as JSON */
    factsJson: text('facts_json').notNull(),
    factsSha256: text('facts_sha256').notNull(),
    /** masked ID (region prefix and check character), when the caller gave one */
    idNumberMasked: text('id_number_masked'),
    /** named dates the caller supplied for the evaluation, as JSON */
    datesJson: text('dates_json').notNull().default('{}'),
    resultJson: text('result_json').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('evaluations_reference').on(t.reference),
    uniqueIndex('evaluations_reference_seq').on(t.referenceYear, t.referenceSeq),
    index('evaluations_ruleset').on(t.rulesetId),
  ],
)
