// SQLite tables (drizzle): rulesets, official evaluation records, API keys, the audit log, idempotency keys. snake_case columns.
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

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
    /** why an admin withdrew it (POST /v1/rulesets/{id}/retire); null until retired */
    retiredReason: text('retired_reason'),
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
    /** HMAC-SHA256 of the ID number under the service's secret: finds a person's records, reveals nothing */
    idNumberHmac: text('id_number_hmac'),
    /** named dates the caller supplied for the evaluation, as JSON */
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

export const apiKeys = sqliteTable(
  'api_keys',
  {
    /** the public part of the key (`jf_<id>_<secret>`), 12 hex characters */
    id: text('id').primaryKey(),
    /** unique for ever, revoked keys included: audit entries name the key that acted */
    name: text('name').notNull(),
    /** comma-separated scopes: police, education, admin, auditor */
    scopes: text('scopes').notNull(),
    /** SHA-256 of the secret part; the key itself is never stored */
    secretHash: text('secret_hash').notNull(),
    createdAt: text('created_at').notNull(),
    revokedAt: text('revoked_at'),
  },
  (t) => [uniqueIndex('api_keys_name').on(t.name)],
)

export const auditLog = sqliteTable('audit_log', {
  /** 1, 2, 3 … without gaps; the chain is walked in this order */
  seq: integer('seq').primaryKey(),
  at: text('at').notNull(),
  /** the API key's name, or `cli:<user>` / `system` for actions outside the HTTP API */
  keyName: text('key_name').notNull(),
  action: text('action').notNull(),
  objectId: text('object_id').notNull(),
  /** the content hash of the object the entry records (src/security/audit-chain.ts); null for entries written before 0007 */
  objectHash: text('object_hash'),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull(),
  /** true: `hash` is an HMAC under the audit key; false: a plain SHA-256 (an entry written before 0007) */
  keyed: integer('keyed', { mode: 'boolean' }).notNull().default(false),
})

export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    /** keys are scoped per API key: two callers may use the same Idempotency-Key independently */
    apiKeyId: text('api_key_id').notNull(),
    /** HMAC-SHA256 of the caller's Idempotency-Key (src/security/request-fingerprint.ts); rows from earlier versions hold it in clear */
    key: text('key').notNull(),
    /** HMAC-SHA256 of the route, path parameters and body: a retry must send the same request (earlier versions: plain SHA-256) */
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

/**
 * Voids of official records (issue 15): a record is never changed or deleted; voiding adds a row here,
 * append-only like the records. `corrected_by` names the record made to replace it, when there is one.
 */
export const recordVoids = sqliteTable(
  'record_voids',
  {
    recordId: text('record_id')
      .primaryKey()
      .references(() => evaluations.id),
    reason: text('reason').notNull(),
    voidedAt: text('voided_at').notNull(),
    /** the API key's name that voided it, as in the audit log */
    keyName: text('key_name').notNull(),
    correctedBy: text('corrected_by').references(() => evaluations.id),
  },
  (t) => [uniqueIndex('record_voids_corrected_by').on(t.correctedBy)],
)

/** Facts about the database itself, e.g. a check value of the ID HMAC secret its hashes were made with. */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
})

/**
 * One row: the generation of the published tables. Seeding, publication and retirement bump it in
 * their transaction; every instance compares it with the one its compiled tables were built at.
 */
export const tableGeneration = sqliteTable('table_generation', {
  id: integer('id').primaryKey(),
  generation: integer('generation').notNull(),
})

/** Admission rounds (issue 10): the round's definition as JSON, its status moving forward only. */
export const admissionRounds = sqliteTable('admission_rounds', {
  /** UUIDv7: the list pages by id, which is creation order */
  id: text('id').primaryKey(),
  district: text('district').notNull(),
  /** the round as created (schema/admission.ts RoundCreateSchema, defaults applied) */
  specJson: text('spec_json').notNull(),
  /** open, closed, allocated, published; `open` reads as closed once the window has closed */
  status: text('status').notNull(),
  publishedVersion: integer('published_version'),
  createdAt: text('created_at').notNull(),
})

/** Applications of a round: never deleted; a withdrawal marks the row. */
export const admissionApplications = sqliteTable(
  'admission_applications',
  {
    roundId: text('round_id')
      .notNull()
      .references(() => admissionRounds.id),
    applicationRef: text('application_ref').notNull(),
    /** keyed hash naming the child (ID number, or birth date + parents): the same child twice is refused */
    childKey: text('child_key').notNull(),
    idNumberMasked: text('id_number_masked'),
    /** the household without ID numbers, as JSON */
    householdJson: text('household_json').notNull(),
    /** the admission evaluation (AdmissionResult) as JSON */
    evaluationJson: text('evaluation_json').notNull(),
    /** what the allocator reads (scoring/allocation.ts AllocationApplication) as JSON */
    inputJson: text('input_json').notNull(),
    status: text('status').notNull(),
    createdAt: text('created_at').notNull(),
    withdrawnAt: text('withdrawn_at'),
    /** the bulk request it came from, 1, 2, 3 … per round (0013); null on a row stored before */
    batch: integer('batch'),
    /** its 0-based index in that request: the order its audit entry's hash covers (0013) */
    position: integer('position'),
  },
  (t) => [
    primaryKey({ columns: [t.roundId, t.applicationRef] }),
    index('admission_applications_child').on(t.roundId, t.childKey),
    uniqueIndex('admission_applications_batch').on(t.roundId, t.batch, t.position),
  ],
)

/** Allocation result versions: immutable, numbered 1, 2, 3 … per round. */
export const admissionResults = sqliteTable(
  'admission_results',
  {
    roundId: text('round_id')
      .notNull()
      .references(() => admissionRounds.id),
    version: integer('version').notNull(),
    inputsSha256: text('inputs_sha256').notNull(),
    /** the allocator's inputs (round and applications) and the rulesets, as JSON: replay reads them */
    inputsJson: text('inputs_json').notNull(),
    resultJson: text('result_json').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.roundId, t.version] })],
)

/**
 * Policy simulations (issue 13): inputs and their hash fixed at creation; the state moves once,
 * running → completed (report) or failed (reason), and triggers refuse every other change.
 */
export const simulations = sqliteTable('simulations', {
  /** UUIDv7 */
  id: text('id').primaryKey(),
  createdAt: text('created_at').notNull(),
  createdBy: text('created_by').notNull(),
  inputsSha256: text('inputs_sha256').notNull(),
  inputsJson: text('inputs_json').notNull(),
  total: integer('total').notNull(),
  /** running, completed, failed */
  state: text('state').notNull(),
  reportJson: text('report_json'),
  failure: text('failure'),
  finishedAt: text('finished_at'),
  /** the instance running it (0012); null on a record from before */
  owner: text('owner'),
  /** when its instance last said it still runs it (0012); only this moves while it runs */
  heartbeatAt: text('heartbeat_at'),
})
