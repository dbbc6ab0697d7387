// Table compiler: turns a resolved table into rule objects once, at load, so evaluation never reads YAML.
import type { Applicant } from '../schema/applicant.ts'
import type { DeductionResult, GateResult, LayerResult, PointsResult, RulesetRef } from '../schema/result.ts'
import type { Reference, Table } from '../schema/table.ts'
import { type DayNumber, fromDay, toDay } from './calendar.ts'
import {
  type CompiledCondition,
  compileCondition,
  type FactScope,
  stringsUnder,
  TableCompileError,
} from './conditions.ts'
import { type EvalContext, householdScope, personEnv, personScope } from './env.ts'
import { fromScaled, toScaled } from './exact.ts'
import { freezeLastDay, groupsFor } from './facts.ts'
import { CompiledGate } from './gates.ts'
import { contentSha256, factsSha256 } from './hash.ts'
import { CompiledItem, ItemRow } from './items.ts'
import { provisionalFields, provisionalForEveryResult } from './provisional.ts'
import { freezeReferences } from './references.ts'

export { type EvalContext, EvaluationError } from './env.ts'
export { CompiledGate } from './gates.ts'

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
  /** the fact groups this table's rules read: only those are derived per evaluation */
  factGroups: number
  warnings: TableProblems['warnings']
  /** Points of one person: the per-item breakdown, layers, deductions, gates (points tables only). */
  evaluatePoints(applicant: Applicant, ctx: EvalContext): PointsResult
}

function checkIds(rows: readonly { id: string }[], path: string): void {
  const seen = new Set<string>()
  for (const r of rows) {
    if (seen.has(r.id)) throw new TableCompileError(`${path}.${r.id}`, `duplicate id "${r.id}"`)
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
  const items = table.items.map((item, i) => {
    const layerIndex = table.layers.findIndex((l) => l.id === item.layer)
    if (layerIndex < 0) throw new TableCompileError(`items[${i}].layer`, `unknown layer "${item.layer}"`)
    return new CompiledItem(item, person, layerIndex, `items[${i}]`)
  })
  table.layers.forEach((layer, i) => {
    let reachable = 0
    for (const c of items) if (c.layerIndex === i) reachable += c.reachable()
    if (reachable < toScaled(layer.cap)) {
      warnings.push({
        path: `layers[${i}].cap`,
        message: `layer ${layer.id} cap ${layer.cap} cannot be reached by its items (at most ${fromScaled(reachable)})`,
      })
    }
  })
  const gates = table.gates.map((g, i) => new CompiledGate(g, scope, `gates[${i}]`))
  const parts: SchemeParts = {
    entitlements: table.entitlements.map((e, i) => ({
      e,
      cond: e.when ? compileCondition(e.when, scope, `entitlements[${i}].when`) : null,
    })),
    routes: table.routes.map((r, i) => ({
      r,
      gates: r.gates.map((g, j) => new CompiledGate(g, scope, `routes[${i}].gates[${j}]`)),
    })),
    pointsSettlementGates: (table.pointsSettlement?.gates ?? []).map(
      (g, i) => new CompiledGate(g, scope, `pointsSettlement.gates[${i}]`),
    ),
    tiers: table.priorityTiers.map((t, i) => ({
      t,
      cond: compileCondition(t.when, scope, `priorityTiers[${i}].when`),
    })),
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
    provisional: table.provisional !== false,
    ...(table.provisional !== false ? { provisionalFields: provisionalFields(table) } : {}),
    // the pinned bases it was built from, each with its hash: the result names all the rules it used
    ...(table.components ? { components: table.components } : {}),
  }
  const references = freezeReferences(table.references)
  const layerCaps = table.layers.map((l) => toScaled(l.cap))
  // admission results also report the scoring parent's insurance and residence months
  const factGroups = groupsFor([
    ...stringsUnder('fact', table),
    ...(table.scheme === 'admission' ? ['insurance.ningbo.months', 'residence.months'] : []),
  ])
  const deductions = table.deductions.map((d) => ({ ...d, pts: toScaled(d.points) }))
  const hasGroups = items.some((c) => c.item.highestOfGroup !== undefined)
  const freezeRef = table.deductions.find((d) => d.freezeMonths > 0)
  const freezeProvisional = table.deductions.some((d) => d.freezeMonths > 0 && d.provisional)

  function evaluatePoints(applicant: Applicant, ctx: EvalContext): PointsResult {
    if (table.scheme !== 'points') throw new Error(`${table.id} is a ${table.scheme} table`)
    const asOf = toDay(ctx.asOf)
    const jurisdiction = ctx.jurisdiction ?? table.jurisdiction
    const env = personEnv(applicant, table, asOf, jurisdiction, ctx, factGroups)
    const n = items.length
    const outcomes = new Array(n)
    const after = new Array<number>(n)
    for (let i = 0; i < n; i++) {
      const o = items[i].run(env)
      outcomes[i] = o
      after[i] = Math.min(o.before, items[i].cap)
    }
    // highest-only across items: within a group only the best item counts (the first on a tie)
    const superseded: (string | null)[] | null = hasGroups ? new Array(n).fill(null) : null
    if (superseded !== null) {
      const bestOfGroup = new Map<string, number>()
      for (let i = 0; i < n; i++) {
        const g = items[i].item.highestOfGroup
        if (g === undefined) continue
        const best = bestOfGroup.get(g)
        if (best === undefined || after[i] > after[best]) bestOfGroup.set(g, i)
      }
      for (let i = 0; i < n; i++) {
        const g = items[i].item.highestOfGroup
        const best = g === undefined ? i : bestOfGroup.get(g)!
        if (best !== i) {
          superseded[i] = items[best].item.id
          after[i] = 0
        }
      }
    }
    const layerBefore = new Array<number>(layerCaps.length).fill(0)
    for (let i = 0; i < n; i++) layerBefore[items[i].layerIndex] += after[i]
    const layers: LayerResult[] = []
    let total = 0
    for (let i = 0; i < layerCaps.length; i++) {
      const capped = Math.min(layerBefore[i], layerCaps[i])
      total += capped
      const l = table.layers[i]
      layers.push({
        id: l.id,
        label: l.label,
        pointsBeforeCap: fromScaled(layerBefore[i]),
        points: fromScaled(capped),
        cap: l.cap,
      })
    }
    const provisionalRows: string[] = []
    const itemResults: ItemRow[] = []
    for (let i = 0; i < n; i++) {
      const o = outcomes[i]
      // listed when a provisional value gave points, or a provisional band/tier/category decided
      // them (even a 0); an item outranked in its highest-only group used nothing
      const supersededBy = superseded === null ? null : superseded[i]
      if (supersededBy === null && ((o.provisional && o.before > 0) || o.matchedProvisional)) {
        provisionalRows.push(items[i].item.id)
      }
      itemResults.push(new ItemRow(items[i], env, o, fromScaled(after[i]), supersededBy))
    }
    const deductionResults: DeductionResult[] = []
    let frozenUntil: DayNumber | null = null
    for (const rec of applicant.records) {
      const day = toDay(rec.date)
      if (day > asOf) continue
      for (const d of deductions) {
        if (d.record !== rec.kind) continue
        const last = d.freezeMonths > 0 ? freezeLastDay(day, d.freezeMonths) : null
        if (last !== null && last >= asOf && (frozenUntil === null || last > frozenUntil)) frozenUntil = last
        total -= d.pts
        // two records of one kind apply one deduction row twice: list the row once
        if (d.provisional && !provisionalRows.includes(d.id)) provisionalRows.push(d.id)
        deductionResults.push({
          id: d.id,
          label: d.label,
          recordDate: rec.date,
          points: d.points,
          frozenUntil: last === null ? null : fromDay(last),
          ref: d.ref,
          provisional: d.provisional,
        })
      }
    }
    const at = ctx.asOf
    const gateResults: GateResult[] = []
    for (const g of gates) gateResults.push(g.run(env, at))
    for (const v of table.vetoes) {
      const hits: string[] = []
      for (const r of applicant.records) if (r.kind === v.record && toDay(r.date) <= asOf) hits.push(r.date)
      gateResults.push({
        id: v.id,
        label: v.label,
        passed: hits.length === 0,
        reason: hits.length === 0 ? '无一票否决记录' : `一票否决：${hits.join('、')} 的记录`,
        ref: v.ref,
        provisional: v.provisional,
        at,
      })
    }
    if (freezeRef !== undefined) {
      gateResults.push({
        id: 'not_frozen',
        label: '积分未被冻结',
        passed: frozenUntil === null,
        reason:
          frozenUntil === null
            ? '计算日无冻结'
            : `积分冻结至 ${fromDay(frozenUntil)}（含），冻结期间不得用于申请`,
        ref: freezeRef.ref,
        provisional: freezeProvisional,
        at,
      })
    }
    let eligible = true
    for (const g of gateResults) {
      if (g.provisional && !provisionalRows.includes(g.id)) provisionalRows.push(g.id)
      eligible &&= g.passed
    }
    return {
      scheme: 'points',
      jurisdiction,
      asOf: ctx.asOf,
      total: fromScaled(total),
      layers,
      items: itemResults,
      deductions: deductionResults,
      frozenUntil: frozenUntil === null ? null : fromDay(frozenUntil),
      eligible,
      gates: gateResults,
      provisional: provisionalRows.length > 0 || provisionalForEveryResult(table),
      provisionalRows,
      ruleset: ref,
      references,
      factsSha256: ctx.factsSha256 ?? factsSha256(applicant),
    }
  }

  return { table, sha256, ref, references, scope, items, gates, parts, factGroups, warnings, evaluatePoints }
}
