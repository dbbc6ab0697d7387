// What a compiled table is (types only): scheme modules and the compiler both read it, neither imports the other through it.
import type { Applicant } from '../schema/applicant.ts'
import type { PointsResult, RulesetRef } from '../schema/result.ts'
import type { Reference, Table } from '../schema/table.ts'
import type { CompiledCondition, FactScope } from './conditions.ts'
import type { EvalContext } from './env.ts'
import type { CompiledGate } from './gates.ts'
import type { CompiledItem } from './items.ts'

/** Checks that can be made without an applicant; errors stop publication, warnings are shown. */
export interface TableProblems {
  errors: { path: string; message: string }[]
  warnings: { path: string; message: string }[]
}

/** Compiled non-item parts: permit entitlements, settlement routes, admission priority tiers. */
export interface SchemeParts {
  entitlements: { e: Table['entitlements'][number]; cond: CompiledCondition | null }[]
  routes: { r: Table['routes'][number]; gates: CompiledGate[] }[]
  pointsSettlementGates: CompiledGate[]
  tiers: { t: Table['priorityTiers'][number]; cond: CompiledCondition }[]
}

/** What points scoring precomputes from a points table besides its items (all points in 1/10,000). */
export interface PointsParts {
  layerCaps: number[]
  deductions: (Table['deductions'][number] & { pts: number })[]
  /** per deduction row: isProvisional of its mark */
  deductionProvisional: boolean[]
  /** the highest-only groups: each group's item indexes in table order */
  groups: number[][]
  /** the deduction row whose freeze the `not_frozen` gate cites, if any row freezes */
  freezeRef: Table['deductions'][number] | undefined
  freezeProvisional: boolean
  /** some gate row (table gate, veto, not_frozen) is provisional: every result lists it */
  gatesProvisional: boolean
  /** `provisionalForEveryResult(table)`, worked out once: explain() reads it per result */
  everyResultProvisional: boolean
  /** the result's `references` member (`referencesOf`), built once */
  referencesMember: { references?: Readonly<Record<string, Reference>> }
  /** per veto: the record kind that vetoes */
  vetoRecords: string[]
  /** per veto: its reason's words without a record (`none`) and before the records' dates (`head`) */
  vetoReasons: { none: string; head: string; provisional: boolean; reason: string | undefined }[]
  /** per deduction row: its provisional reason (reasonOf), when its mark gives one */
  deductionReasons: (string | undefined)[]
  /** the `not_frozen` gate's provisional reason, when it is provisional and its row gives one */
  freezeReason: string | undefined
}

/** A table compiled once: its identity, its hash and its evaluators. */
export interface CompiledTable {
  table: Table
  sha256: string
  ref: RulesetRef
  /** the table's legal references by key, frozen: every result carries them beside the keys its rows cite */
  references: Readonly<Record<string, Reference>>
  scope: FactScope
  items: readonly CompiledItem[]
  gates: readonly CompiledGate[]
  parts: SchemeParts
  points: PointsParts
  /** the fact groups this table's rules read: only those are derived per evaluation */
  factGroups: number
  warnings: TableProblems['warnings']
  /** Points of one person (points tables only): score + explain, kept for existing callers. */
  evaluatePoints(applicant: Applicant, ctx: EvalContext): PointsResult
}
