// The storage contract: domain objects, reads, and the async unit of work; SQLite and PostgreSQL both fill it.
//
// Adding a repository (an admission round, say), for both backends:
//   1. here: its domain type, a read interface (`XRepository`, async) on `Storage`, and its writes
//      as async methods on `WriteTx`;
//   2. tables: `schema/db.ts` (SQLite) and `schema/db-pg.ts` (PostgreSQL), then `npm run db:generate`
//      (both migration folders; append-only rules as triggers in a custom migration of each);
//   3. `src/repositories/sqlite/x.ts` and `src/repositories/postgres/x.ts`: one class each with the
//      reads and the `…InTx` writes, wired into `sqlite/database.ts` and `postgres/database.ts`;
//   4. `jifen db copy` (src/services/database-copy.ts) gets its rows: a `DumpRow` kind, and both
//      adapters' `dump`/`restore`;
//   5. the contract test (`test/storage/contract.test.ts`) runs against both backends.
import type { Applicant } from '../../schema/applicant.ts'
import type { Scheme, Table } from '../../schema/table.ts'
import type { Scope } from '../security/api-keys.ts'
import type { AuditEntry, AuditKey, ChainHead, NewAuditEntry } from '../security/audit-chain.ts'

export type Backend = 'sqlite' | 'postgres'

export type RulesetStatus = 'draft' | 'published' | 'retired'
export type RulesetOrigin = 'shipped' | 'api'

export interface StoredRuleset {
  /** `${tableId}@${version}` */
  id: string
  tableId: string
  version: number
  scheme: Scheme
  jurisdiction: string
  validFrom: string
  validTo: string | null
  status: RulesetStatus
  sha256: string
  table: Table
  origin: RulesetOrigin
  createdAt: string
  publishedAt: string | null
  retiredAt: string | null
  retiredReason: string | null
}

export interface RulesetFilter {
  scheme?: Scheme
  jurisdiction?: string
  status?: RulesetStatus
}

export interface NewRuleset {
  table: Table
  sha256: string
  status: 'draft' | 'published'
  origin: RulesetOrigin
  at: string
}

/** Reads; writes go through `Storage.transaction` with their audit entries. */
export interface RulesetRepository {
  list(filter?: RulesetFilter): Promise<StoredRuleset[]>
  get(id: string): Promise<StoredRuleset | null>
  /**
   * The tables generation: a counter that every change to the published set (seeding, publication,
   * retirement) bumps in its own transaction. An instance whose compiled tables were built at another
   * generation reloads them before it scores (src/services/rulesets.ts).
   */
  generation(): Promise<number>
  /**
   * The same generation when it can be had without waiting (SQLite reads it synchronously;
   * PostgreSQL has it while its LISTEN connection works), else null: the per-request check then
   * costs no promise.
   */
  generationNow(): number | null
}

/** The facts of a points, permit or settlement decision as stored: the applicant without the ID number. */
export type StoredFacts = Omit<Applicant, 'idNumber'>

/**
 * An official record of any scheme, stored generically: `facts` are what was decided on (the
 * scheme's input without the ID number) and `result` is the scheme's result JSON. Replaying it
 * needs only the stored table and these (src/services/replay.ts).
 */
export interface NewRecord<Facts = unknown, Result = unknown> {
  scheme: Scheme
  rulesetId: string
  rulesetSha256: string
  asOf: string
  jurisdiction: string
  facts: Facts
  factsSha256: string
  idNumberMasked: string | null
  /** keyed HMAC of the ID number (src/security/id-hmac.ts), for lookups; never the number itself */
  idNumberHmac: string | null
  dates: Record<string, string>
  /** the scheme's result, stored as JSON (JSON.stringify) and read back by JSON.parse */
  result: Result
  /** the record's id, chosen by the service so its audit entry can name it in the same transaction */
  id: string
  /** creation instant (ISO), and the calendar year the reference number is counted in */
  at: string
  year: number
  /**
   * The tables generation the result was computed at: the write is refused with TablesChangedError
   * when a publication or retirement committed since (checked under the write's locks), so that no
   * record is ever made with a table withdrawn before it. null: no check (copying stored records).
   */
  tablesGeneration: number | null
}

export interface StoredRecord<Facts = unknown, Result = unknown>
  extends Omit<NewRecord<Facts, Result>, 'at' | 'year' | 'tablesGeneration'> {
  reference: string
  createdAt: string
}

/** A setting is written once: this one already holds another value. */
export class SettingConflictError extends Error {
  constructor(readonly key: string) {
    super(`the setting ${key} already holds another value; settings are written once`)
    this.name = 'SettingConflictError'
  }
}

/** The tables changed between scoring and storing: the service reloads them and scores again. */
export class TablesChangedError extends Error {
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`the tables in force changed (generation ${expected} → ${actual}) while the record was made`)
    this.name = 'TablesChangedError'
  }
}

/** A record's void (issue 15): the record itself never changes; this row says it no longer stands. */
export interface RecordVoid {
  recordId: string
  reason: string
  /** when it was voided (ISO) */
  at: string
  /** the API key's name that voided it, as in the audit log */
  keyName: string
  /** the record made to replace it, or null when it was voided without a correction */
  correctedBy: string | null
}

/** Where a record stands: its void, if any, and the record it corrects, if it is a correction. */
export interface RecordLife {
  void: RecordVoid | null
  corrects: string | null
}

export interface RecordRepository {
  get(id: string): Promise<StoredRecord | null>
  /** The record with this reference number (JF-2026-000123), or null. */
  getByReference(reference: string): Promise<StoredRecord | null>
  /** Its void and what it corrects, for each id asked (ids never voided nor correcting: both null). */
  lives(ids: readonly string[]): Promise<Map<string, RecordLife>>
  /** Every void, streamed (copying a whole database). */
  voids(): AsyncIterable<RecordVoid>
  /** A person's records, newest first, found by the HMAC of their ID number. */
  listByIdHmac(idNumberHmac: string, limit: number): Promise<StoredRecord[]>
  /** Every record in reference order, streamed (copying and checking a whole database). */
  all(): AsyncIterable<StoredRecord>
}

/** An admission round as stored: its definition (RoundCreate, kept opaque here) and its state. */
export interface StoredRound {
  id: string
  district: string
  spec: unknown
  /** as written: `open` is read as closed by the service once the window has closed */
  status: 'open' | 'closed' | 'allocated' | 'published'
  publishedVersion: number | null
  createdAt: string
  /** active applications (not withdrawn) */
  applications: number
  latestVersion: number | null
}

export interface StoredApplication {
  roundId: string
  applicationRef: string
  /** keyed hash naming the child in the round (src/services/admission.ts childKeyOf) */
  childKey: string
  idNumberMasked: string | null
  /** the household without ID numbers */
  household: unknown
  /** the admission evaluation (AdmissionResult) */
  evaluation: unknown
  /** the allocator's input (AllocationApplication) */
  input: unknown
  status: 'active' | 'withdrawn'
  createdAt: string
  withdrawnAt: string | null
  /** the bulk request it was stored by, 1, 2, 3 … per round; null when stored before batch numbers */
  batch: number | null
  /** its 0-based index in that request; null when stored before batch numbers */
  position: number | null
}

/**
 * An application's columns that its `round.applications_stored` entry hashes, as the stored text (the
 * JSON columns exactly as written): what `jifen audit verify` recomputes the hash from.
 */
export interface StoredApplicationText {
  applicationRef: string
  childKey: string
  idNumberMasked: string | null
  householdJson: string
  evaluationJson: string
  inputJson: string
}

/** How many applications one round holds under one batch number (null: stored before batch numbers). */
export interface ApplicationBatchCount {
  roundId: string
  batch: number | null
  applications: number
}

/** An application as its withdrawal left it: what `jifen audit verify` compares with the withdrawal entries. */
export interface StoredWithdrawal {
  roundId: string
  applicationRef: string
  status: StoredApplication['status']
  withdrawnAt: string | null
}

export interface StoredResultVersion {
  roundId: string
  version: number
  inputsSha256: string
  /** the allocator's round and applications, and the rulesets used, as hashed */
  inputs: unknown
  result: unknown
  createdAt: string
}

/** Reads of admission rounds; pages are ordered byte-wise by id (rounds) or applicationRef. */
export interface AdmissionRepository {
  listRounds(after: string | null, limit: number): Promise<StoredRound[]>
  getRound(id: string): Promise<StoredRound | null>
  listApplications(roundId: string, after: string | null, limit: number): Promise<StoredApplication[]>
  getApplications(roundId: string, refs: readonly string[]): Promise<StoredApplication[]>
  /** Every round's applications counted per batch, in round and batch order (batch null first). */
  applicationBatches(): Promise<ApplicationBatchCount[]>
  /** The hashed columns of one batch's applications, in position order. */
  batchText(roundId: string, batch: number): Promise<StoredApplicationText[]>
  /** Every application not plainly active (withdrawn, or carrying a withdrawal instant), in round and ref order. */
  withdrawals(): Promise<StoredWithdrawal[]>
  /** a version, or the newest when `version` is null */
  getResult(roundId: string, version: number | null): Promise<StoredResultVersion | null>
}

/**
 * A policy simulation (issue 13): its inputs and their hash never change; its state moves once,
 * running → completed (with the report) or failed (with the reason). Progress is kept in memory by
 * the instance running it, not here; while it runs, that instance (its owner) moves its heartbeat.
 */
export interface StoredSimulation {
  id: string
  createdAt: string
  /** the API key's name (or `cli`) that asked for it */
  createdBy: string
  inputsSha256: string
  /** what was compared: draft and table (ids and hashes), the population's description and hash, the parameters */
  inputs: unknown
  /** the population's size */
  total: number
  state: 'running' | 'completed' | 'failed'
  report: unknown | null
  failure: string | null
  finishedAt: string | null
  /** the instance that runs (or ran) it; null on a record from before owners */
  owner: string | null
  /** when its owner last said it still runs it (set at creation); null on a record from before */
  heartbeatAt: string | null
}

export interface SimulationRepository {
  get(id: string): Promise<StoredSimulation | null>
  /**
   * ids of simulations still running whose heartbeat is older than `before` (or absent): their
   * instance is gone (restart, crash), and any instance fails them.
   */
  stale(before: string): Promise<string[]>
}

export interface StoredApiKey {
  /** the public part of the key, 12 hex characters */
  id: string
  name: string
  scopes: Scope[]
  secretHash: string
  createdAt: string
  revokedAt: string | null
}

export interface ApiKeyRepository {
  get(id: string): Promise<StoredApiKey | null>
  getByName(name: string): Promise<StoredApiKey | null>
  list(): Promise<StoredApiKey[]>
}

export interface AuditPage {
  entries: AuditEntry[]
  /** the `after` cursor for the next page, or null when this page reached the end */
  next: number | null
}

export interface AuditRepository {
  /** Entries with seq > after, in order. */
  page(after: number, limit: number): Promise<AuditPage>
  /** Every entry in seq order, streamed (the verifier walks millions without holding them). */
  entries(): AsyncIterable<AuditEntry>
  /** The last entry's seq and hash (a checkpoint states it), or null for an empty log. */
  head(): Promise<ChainHead | null>
  /** How many entries are unkeyed (written before the chain was keyed). */
  legacyCount(): Promise<number>
}

export interface StoredResponse {
  requestSha256: string
  status: number
  body: unknown
  location: string | null
  /** keyed MAC of the answer (RequestFingerprints.answerMac); null for answers saved before it existed */
  mac: string | null
}

/** A saved answer with the instant it was saved: older than the retention period, it has expired. */
export interface SavedResponse extends StoredResponse {
  createdAt: string
}

export interface IdempotencyRepository {
  get(apiKeyId: string, key: string): Promise<SavedResponse | null>
}

/** An idempotency record as copied between databases. */
export interface StoredIdempotencyKey extends SavedResponse {
  apiKeyId: string
  key: string
}

/**
 * The writes of one unit of work, all async. Inside `Storage.transaction` only: a method called
 * after its unit ended throws. A unit should await nothing but these methods: on SQLite every unit
 * of a batch holds the one write lock until the batch commits.
 */
export interface WriteTx {
  records: {
    /** Stores a record with the next reference number of its year (unique and gapless). */
    create<F, R>(e: NewRecord<F, R>): Promise<StoredRecord<F, R>>
    /** Marks a record void (a row of its own, never a change to the record); false when it already was. */
    void(v: RecordVoid): Promise<boolean>
  }
  rulesets: {
    /** Inserts; false (and writes nothing) when the id@version exists. A published insert bumps the generation. */
    insert(r: NewRuleset): Promise<boolean>
    /** Replaces the content of a draft; false when there is no draft with this id. */
    replaceDraft(id: string, table: Table, sha256: string): Promise<boolean>
    /** draft → published, bumping the generation; false when there is no draft with this id. */
    publish(id: string, at: string): Promise<boolean>
    /** published → retired with the reason, bumping the generation; false when it is not published. */
    retire(id: string, at: string, reason: string): Promise<boolean>
  }
  audit: {
    /** Chains and appends an entry after the last one (serialised across instances), keyed with `key`. */
    append(e: NewAuditEntry, key: AuditKey): Promise<AuditEntry>
  }
  idempotency: {
    /**
     * The saved answer for this (API key, Idempotency-Key), read under the write's lock on that key:
     * a concurrent unit with the same key (in this or another instance) waits until this one ends.
     */
    get(apiKeyId: string, key: string): Promise<SavedResponse | null>
    save(apiKeyId: string, key: string, response: StoredResponse, at: string): Promise<void>
    /**
     * Deletes saved answers made before `before` (ISO instant), all of them or only this one: an
     * expired key is pruned, and may then be used again. The number deleted.
     */
    expire(before: string, only?: { apiKeyId: string; key: string }): Promise<number>
  }
  apiKeys: {
    /**
     * The key as it is now, read under the write's lock: a keyed write checks again, in its own
     * transaction, that its key was not revoked while its request was in flight.
     */
    get(id: string): Promise<StoredApiKey | null>
    /** false when the name is taken (revoked keys included) */
    create(k: Omit<StoredApiKey, 'revokedAt'>): Promise<boolean>
    /** false when there is no such key or it was already revoked */
    revoke(id: string, at: string): Promise<boolean>
  }
  admission: {
    createRound(r: Omit<StoredRound, 'applications' | 'latestVersion'>): Promise<void>
    /** the round, read under the write's lock on it (PostgreSQL: FOR UPDATE) */
    lockRound(id: string): Promise<StoredRound | null>
    setRoundStatus(id: string, status: StoredRound['status'], publishedVersion: number | null): Promise<void>
    /** refs already in the round (withdrawn too), and active applications holding one of these child keys */
    conflicts(
      roundId: string,
      refs: readonly string[],
      childKeys: readonly string[],
    ): Promise<{ refs: string[]; children: { childKey: string; applicationRef: string }[] }>
    /** the next batch number of the round: its highest so far + 1 (1 for the first), read under the write's lock */
    nextBatch(roundId: string): Promise<number>
    insertApplications(rows: readonly StoredApplication[]): Promise<void>
    /** active → withdrawn; false when there is no active application with this ref */
    withdraw(roundId: string, ref: string, at: string): Promise<boolean>
    /** the active applications' allocator inputs, in ref order */
    activeInputs(roundId: string): Promise<unknown[]>
    insertResult(r: StoredResultVersion): Promise<void>
  }
  simulations: {
    /** inserted running; its heartbeat starts at its creation time */
    insert(
      s: Omit<StoredSimulation, 'report' | 'failure' | 'finishedAt' | 'state' | 'owner' | 'heartbeatAt'> & {
        owner?: string | null
      },
    ): Promise<void>
    /** moves the heartbeat of these running simulations of `owner` to `at`; returns the ids it moved */
    heartbeat(ids: readonly string[], owner: string, at: string): Promise<string[]>
    /** running → completed or failed; false when it was not running (triggers refuse any other change) */
    finish(
      id: string,
      end: { state: 'completed'; report: unknown } | { state: 'failed'; failure: string },
      at: string,
    ): Promise<boolean>
  }
  /** Facts about the database, each written once (triggers refuse a change). */
  settings: {
    get(key: string): Promise<string | null>
    /** Writes the setting when absent; nothing when it holds this value; SettingConflictError when another. */
    set(key: string, value: string): Promise<void>
  }
}

/** Everything a database holds, row by row, for `jifen db copy` (src/repositories/copy.ts). */
export type DumpRow =
  | { kind: 'ruleset'; row: StoredRuleset }
  | { kind: 'apiKey'; row: StoredApiKey }
  | { kind: 'record'; row: StoredRecord }
  | { kind: 'recordVoid'; row: RecordVoid }
  | { kind: 'audit'; row: AuditEntry }
  | { kind: 'idempotency'; row: StoredIdempotencyKey }
  | { kind: 'setting'; row: { key: string; value: string } }

export interface Storage {
  readonly backend: Backend
  /** where it is, for messages: the SQLite file, or the PostgreSQL URL without its password */
  readonly location: string
  rulesets: RulesetRepository
  records: RecordRepository
  apiKeys: ApiKeyRepository
  audit: AuditRepository
  idempotency: IdempotencyRepository
  admission: AdmissionRepository
  simulations: SimulationRepository
  /**
   * Runs `work` as one atomic unit: every write made through `tx` commits together, or none does
   * when `work` throws (after an await too). The promise resolves only once the unit is committed.
   * Reads made outside `tx` (the repositories above) never see a unit's writes before that.
   * Official actions, their audit entries and their idempotency records are written this way.
   */
  transaction<T>(work: (tx: WriteTx) => Promise<T>): Promise<T>
  /** Every row, for copying to another database. */
  dump(): AsyncIterable<DumpRow>
  /** Writes copied rows into this (empty) database, keeping ids, sequence numbers and hashes. */
  restore(rows: AsyncIterable<DumpRow>): Promise<void>
  /** a real query, for /readyz */
  ping(): Promise<boolean>
  /** Finishes the writes already submitted, then closes. */
  close(): Promise<void>
}
