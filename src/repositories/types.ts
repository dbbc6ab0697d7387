// Storage interfaces and the domain objects they return; SQLite fills them today, PostgreSQL can later.
import type { Applicant } from '../../schema/applicant.ts'
import type { PointsResult } from '../../schema/result.ts'
import type { Scheme, Table } from '../../schema/table.ts'
import type { Scope } from '../security/api-keys.ts'
import type { AuditEntry } from '../security/audit-chain.ts'

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

/** Reads; writes go through `Repositories.transaction` with their audit entries. */
export interface RulesetRepository {
  list(filter?: RulesetFilter): Promise<StoredRuleset[]>
  get(id: string): Promise<StoredRuleset | null>
}

export type StoredFacts = Omit<Applicant, 'idNumber'>

export interface NewEvaluation {
  scheme: Scheme
  rulesetId: string
  rulesetSha256: string
  asOf: string
  jurisdiction: string
  facts: StoredFacts
  factsSha256: string
  idNumberMasked: string | null
  /** keyed HMAC of the ID number (src/security/id-hmac.ts), for lookups; never the number itself */
  idNumberHmac: string | null
  dates: Record<string, string>
  /**
   * The engine's result. Store it with JSON.stringify: its item and gate rows render their text
   * when read (toJSON), so a structuredClone or spread copy would lose it.
   */
  result: PointsResult
  /** the record's id, chosen by the service so its audit entry can name it in the same transaction */
  id: string
  /** creation instant (ISO), and the calendar year the reference number is counted in */
  at: string
  year: number
}

export interface StoredEvaluation extends Omit<NewEvaluation, 'at' | 'year'> {
  reference: string
  createdAt: string
}

export interface EvaluationRepository {
  get(id: string): Promise<StoredEvaluation | null>
  /** A person's records, newest first, found by the HMAC of their ID number. */
  listByIdHmac(idNumberHmac: string, limit: number): Promise<StoredEvaluation[]>
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
  entries(): Iterable<AuditEntry>
}

export interface StoredResponse {
  requestSha256: string
  status: number
  body: unknown
  location: string | null
}

export interface IdempotencyRepository {
  get(apiKeyId: string, key: string): Promise<StoredResponse | null>
}

/**
 * The writes of one unit of work. Synchronous on purpose: better-sqlite3 transactions are, and an
 * async callback would commit before its awaits and never roll back. (A PostgreSQL implementation
 * makes these async and `transaction` awaits the callback inside BEGIN … COMMIT; services already
 * await `transaction`.)
 */
export interface WriteTx {
  evaluations: {
    /** Stores a record with the next reference number of its year. */
    create(e: NewEvaluation): StoredEvaluation
  }
  rulesets: {
    /** Inserts; false (and writes nothing) when the id@version exists. */
    insert(r: NewRuleset): boolean
    /** Replaces the content of a draft; false when there is no draft with this id. */
    replaceDraft(id: string, table: Table, sha256: string): boolean
    /** draft → published; false when there is no draft with this id. */
    publish(id: string, at: string): boolean
    /** published → retired, with the reason; false when there is no published ruleset with this id. */
    retire(id: string, at: string, reason: string): boolean
  }
  audit: {
    /** Chains and appends an entry after the last one. */
    append(e: { at: string; keyName: string; action: string; objectId: string }): AuditEntry
  }
  idempotency: {
    get(apiKeyId: string, key: string): StoredResponse | null
    save(apiKeyId: string, key: string, response: StoredResponse, at: string): void
  }
  apiKeys: {
    /** false when the name is taken (revoked keys included) */
    create(k: Omit<StoredApiKey, 'revokedAt'>): boolean
    /** false when there is no such key or it was already revoked */
    revoke(id: string, at: string): boolean
  }
  settings: {
    get(key: string): string | null
    set(key: string, value: string): void
  }
}

export interface Repositories {
  rulesets: RulesetRepository
  evaluations: EvaluationRepository
  apiKeys: ApiKeyRepository
  audit: AuditRepository
  idempotency: IdempotencyRepository
  /**
   * Runs `work` as one atomic unit holding the write lock: every write made through `tx` commits
   * together, or none does when `work` throws. Official actions, their audit entries and their
   * idempotency records are written this way, so none exists without the others.
   */
  transaction<T>(work: (tx: WriteTx) => T): Promise<T>
  /** a trivial query, for /readyz */
  ping(): Promise<boolean>
  close(): Promise<void>
}
