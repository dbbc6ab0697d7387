// Storage interfaces and the domain objects they return; SQLite fills them today, PostgreSQL can later.
import type { Applicant } from '../../schema/applicant.ts'
import type { PointsResult } from '../../schema/result.ts'
import type { Scheme, Table } from '../../schema/table.ts'

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

export interface RulesetRepository {
  list(filter?: RulesetFilter): Promise<StoredRuleset[]>
  get(id: string): Promise<StoredRuleset | null>
  /** Inserts; resolves false (and writes nothing) when the id@version exists. */
  insert(r: NewRuleset): Promise<boolean>
  /** Replaces the content of a draft; resolves false when there is no draft with this id. */
  replaceDraft(id: string, table: Table, sha256: string): Promise<boolean>
  /** draft → published; resolves false when there is no draft with this id. */
  publish(id: string, at: string): Promise<boolean>
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
  dates: Record<string, string>
  result: PointsResult
  /** creation instant (ISO), and the calendar year the reference number is counted in */
  at: string
  year: number
}

export interface StoredEvaluation extends Omit<NewEvaluation, 'at' | 'year'> {
  id: string
  reference: string
  createdAt: string
}

export interface EvaluationRepository {
  /** Stores a record atomically, with the next reference number of its year. */
  create(e: NewEvaluation): Promise<StoredEvaluation>
  get(id: string): Promise<StoredEvaluation | null>
}

export interface Repositories {
  rulesets: RulesetRepository
  evaluations: EvaluationRepository
  /** a trivial query, for /readyz */
  ping(): Promise<boolean>
  close(): Promise<void>
}
