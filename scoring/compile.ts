// Table compiler: turns a resolved table into rule objects once, at load, so evaluation never reads YAML.
import type { Applicant } from '../schema/applicant.ts'
import type { PointsResult, RulesetRef } from '../schema/result.ts'
import type { Table } from '../schema/table.ts'
import type { CompiledTable, SchemeParts, TableProblems } from './compiled.ts'
import { type FactScope, stringsUnder, TableCompileError } from './conditions.ts'
import { type EvalContext, householdScope, personScope } from './env.ts'
import { groupsFor } from './facts.ts'
import { CompiledGate } from './gates.ts'
import { contentSha256 } from './hash.ts'
import { provisionalFields, provisionalParameters } from './provisional.ts'
import { freezeReferences } from './references.ts'
import * as admission from './schemes/admission/index.ts'
import * as points from './schemes/points/index.ts'
import * as permit from './schemes/residence-permit/index.ts'
import * as settlement from './schemes/settlement/index.ts'

export type { CompiledTable, PointsParts, SchemeParts, TableProblems } from './compiled.ts'
export { type EvalContext, EvaluationError } from './env.ts'
export { CompiledGate } from './gates.ts'

function checkIds(rows: readonly { id: string }[], path: string): void {
  const seen = new Set<string>()
  for (const r of rows) {
    if (seen.has(r.id))
      throw new TableCompileError(`${path}.${r.id}`, `重复的 id“${r.id}”`, `duplicate id "${r.id}"`)
    seen.add(r.id)
  }
}

export function compileTable(table: Table): CompiledTable {
  const scope = table.scheme === 'admission' ? householdScope(table) : personScope(table)
  const person = table.scheme === 'admission' ? (scope.member as FactScope) : scope
  const warnings: TableProblems['warnings'] = []
  checkIds(table.items, 'items')
  checkIds(table.layers, 'layers')
  checkIds(table.gates, 'gates')
  checkIds(table.routes, 'routes')
  checkIds(table.entitlements, 'entitlements')
  const references = freezeReferences(table.references)
  const { items, points: pointsParts } = points.compile(table, person, warnings, references)
  const gates = table.gates.map((g, i) => new CompiledGate(g, scope, `gates[${i}]`))
  const parts: SchemeParts = {
    entitlements: permit.compile(table, scope),
    ...settlement.compile(table, scope),
    tiers: admission.compile(table, scope),
  }
  const sha256 = contentSha256(table)
  const ref: RulesetRef = {
    id: table.id,
    version: table.version,
    sha256,
    scheme: table.scheme,
    jurisdiction: table.jurisdiction,
    validFrom: table.validFrom,
    validTo: table.validTo,
    provisional: table.provisional !== false || provisionalParameters(table).length > 0,
    // only a structured flag (or a provisional parameter) says which fields: a table stored before it
    // (`provisional: true`) gives results without the field, exactly as they were stored, so that its
    // records replay identical
    ...(typeof table.provisional === 'object' || provisionalParameters(table).length > 0
      ? { provisionalFields: provisionalFields(table) }
      : {}),
    // the pinned bases it was built from, each with its hash: the result names all the rules it used
    ...(table.components ? { components: table.components } : {}),
  }
  // admission results also report the scoring parent's tie-break facts
  const factGroups = groupsFor([
    ...stringsUnder('fact', table),
    ...(table.scheme === 'admission' ? admission.TIE_BREAK_FACTS : []),
  ])
  const compiled: CompiledTable = {
    table,
    sha256,
    ref,
    references,
    scope,
    items,
    gates,
    parts,
    points: pointsParts,
    factGroups,
    warnings,
    evaluatePoints: (applicant: Applicant, ctx: EvalContext): PointsResult =>
      points.evaluate(compiled, applicant, ctx),
  }
  return compiled
}
