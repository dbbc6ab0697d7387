// PostgreSQL tables (drizzle): the same rows as schema/db.ts, plus the counters that keep numbering and the audit chain right across instances.

import { sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core'

// JSON is kept as text, exactly as written, like SQLite: a stored result reads back byte for byte.

export const rulesets = pgTable(
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
    origin: text('origin', { enum: ['shipped', 'api'] }).notNull(),
    createdAt: text('created_at').notNull(),
    publishedAt: text('published_at'),
    retiredAt: text('retired_at'),
    retiredReason: text('retired_reason'),
  },
  (t) => [
    uniqueIndex('rulesets_table_version').on(t.tableId, t.version),
    index('rulesets_lookup').on(t.scheme, t.jurisdiction, t.status),
  ],
)

/** Official records of every scheme: `result_json` is the scheme's result. */
export const evaluations = pgTable(
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
    factsJson: text('facts_json').notNull(),
    factsSha256: text('facts_sha256').notNull(),
    idNumberMasked: text('id_number_masked'),
    idNumberHmac: text('id_number_hmac'),
    datesJson: text('dates_json').notNull().default('{}'),
    resultJson: text('result_json').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('evaluations_reference').on(t.reference),
    uniqueIndex('evaluations_reference_seq').on(t.referenceYear, t.referenceSeq),
    index('evaluations_ruleset').on(t.rulesetId),
    index('evaluations_id_number_hmac').on(t.idNumberHmac),
  ],
)

/**
 * The last reference number given per year. Taken with UPDATE … RETURNING in the record's own
 * transaction: the row lock serialises instances, and a rolled-back record gives its number back,
 * so numbers stay unique and gapless.
 */
export const referenceCounters = pgTable('reference_counters', {
  year: integer('year').primaryKey(),
  last: integer('last').notNull(),
})

export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    scopes: text('scopes').notNull(),
    secretHash: text('secret_hash').notNull(),
    createdAt: text('created_at').notNull(),
    revokedAt: text('revoked_at'),
  },
  (t) => [uniqueIndex('api_keys_name').on(t.name)],
)

export const auditLog = pgTable('audit_log', {
  /** 1, 2, 3 … without gaps; the chain is walked in this order */
  seq: bigint('seq', { mode: 'number' }).primaryKey(),
  at: text('at').notNull(),
  keyName: text('key_name').notNull(),
  action: text('action').notNull(),
  objectId: text('object_id').notNull(),
  /** the content hash of the object the entry records; null for entries written before 0002 */
  objectHash: text('object_hash'),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull(),
  /** true: `hash` is an HMAC under the audit key; false: a plain SHA-256 (an entry written before 0002) */
  keyed: boolean('keyed').notNull().default(false),
})

/**
 * The head of the audit chain, one row, locked (SELECT … FOR UPDATE) by every append: appends from
 * every instance are serialised through it, each chaining onto the one before.
 */
export const auditHead = pgTable(
  'audit_head',
  {
    id: integer('id').primaryKey(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [check('audit_head_one_row', sql`${t.id} = 1`)],
)

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    apiKeyId: text('api_key_id').notNull(),
    key: text('key').notNull(),
    requestSha256: text('request_sha256').notNull(),
    status: integer('status').notNull(),
    responseJson: text('response_json').notNull(),
    location: text('location'),
    createdAt: text('created_at').notNull(),
    /** HMAC of the saved answer under a key derived from the ID secret; null for answers saved before 0007 */
    responseMac: text('response_mac'),
  },
  (t) => [primaryKey({ columns: [t.apiKeyId, t.key] }), index('idempotency_keys_created_at').on(t.createdAt)],
)

/** Voids of official records (see schema/db.ts): append-only; the record itself never changes. */
export const recordVoids = pgTable(
  'record_voids',
  {
    recordId: text('record_id')
      .primaryKey()
      .references(() => evaluations.id),
    reason: text('reason').notNull(),
    voidedAt: text('voided_at').notNull(),
    keyName: text('key_name').notNull(),
    correctedBy: text('corrected_by').references(() => evaluations.id),
  },
  (t) => [uniqueIndex('record_voids_corrected_by').on(t.correctedBy)],
)

export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
})

/** One row: the generation of the published tables (see schema/db.ts); bumps are NOTIFYed to every instance. */
export const tableGeneration = pgTable(
  'table_generation',
  {
    id: integer('id').primaryKey(),
    generation: bigint('generation', { mode: 'number' }).notNull(),
  },
  (t) => [check('table_generation_one_row', sql`${t.id} = 1`)],
)

/** Admission rounds (issue 10): the round's definition as JSON, its status moving forward only. */
export const admissionRounds = pgTable('admission_rounds', {
  id: text('id').primaryKey(),
  district: text('district').notNull(),
  specJson: text('spec_json').notNull(),
  status: text('status').notNull(),
  publishedVersion: integer('published_version'),
  createdAt: text('created_at').notNull(),
})

/** Applications of a round: never deleted; a withdrawal marks the row. */
export const admissionApplications = pgTable(
  'admission_applications',
  {
    roundId: text('round_id')
      .notNull()
      .references(() => admissionRounds.id),
    applicationRef: text('application_ref').notNull(),
    childKey: text('child_key').notNull(),
    idNumberMasked: text('id_number_masked'),
    householdJson: text('household_json').notNull(),
    evaluationJson: text('evaluation_json').notNull(),
    inputJson: text('input_json').notNull(),
    status: text('status').notNull(),
    createdAt: text('created_at').notNull(),
    withdrawnAt: text('withdrawn_at'),
    /** as schema/db.ts (0008): the bulk request and the row's index in it; null on a row stored before */
    batch: integer('batch'),
    position: integer('position'),
  },
  (t) => [
    primaryKey({ columns: [t.roundId, t.applicationRef] }),
    index('admission_applications_child').on(t.roundId, t.childKey),
    uniqueIndex('admission_applications_batch').on(t.roundId, t.batch, t.position),
  ],
)

/** Allocation result versions: immutable, numbered 1, 2, 3 … per round. */
export const admissionResults = pgTable(
  'admission_results',
  {
    roundId: text('round_id')
      .notNull()
      .references(() => admissionRounds.id),
    version: integer('version').notNull(),
    inputsSha256: text('inputs_sha256').notNull(),
    inputsJson: text('inputs_json').notNull(),
    resultJson: text('result_json').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.roundId, t.version] })],
)

/** Policy simulations: as schema/db.ts; the state moves once, running → completed or failed. */
export const simulations = pgTable('simulations', {
  id: text('id').primaryKey(),
  createdAt: text('created_at').notNull(),
  createdBy: text('created_by').notNull(),
  inputsSha256: text('inputs_sha256').notNull(),
  inputsJson: text('inputs_json').notNull(),
  total: integer('total').notNull(),
  state: text('state').notNull(),
  reportJson: text('report_json'),
  failure: text('failure'),
  finishedAt: text('finished_at'),
  owner: text('owner'),
  heartbeatAt: text('heartbeat_at'),
})
