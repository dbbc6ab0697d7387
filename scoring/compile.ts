// Table compiler: turns a resolved table into closures once, at load, so evaluation never reads YAML.
import type { Applicant } from '../schema/applicant.ts'
import type {
  DeductionResult,
  GateResult,
  ItemResult,
  LayerResult,
  PointsResult,
  RulesetRef,
} from '../schema/result.ts'
import type { Gate, Item, Table } from '../schema/table.ts'
import { type DayNumber, dayOf, dayParts, daysInMonth, fromDay, toDay } from './calendar.ts'
import {
  type CompiledCondition,
  compileCondition,
  type Env,
  type FactScope,
  formatFact,
  resolveFact,
  TableCompileError,
} from './conditions.ts'
import { fromScaled, perUnitScaled, toScaled } from './exact.ts'
import {
  ALL_FACT_GROUPS,
  derivePersonFacts,
  type FactDef,
  freezeLastDay,
  groupsFor,
  HOUSEHOLD_FACTS,
  indexFacts,
  PERSON_FACTS,
} from './facts.ts'
import { contentSha256, factsSha256 } from './hash.ts'

/** The caller's frame for one evaluation. */
export interface EvalContext {
  asOf: string
  /** jurisdiction of use (defaults to the table's) */
  jurisdiction?: string
  /** dates the table names with `{ context: name }`, e.g. when online enrolment opens */
  dates?: Readonly<Record<string, string>>
  /**
   * factsSha256 of the applicant when the caller already has it (the service hashes each
   * applicant once, and a population re-score under two tables need not hash twice)
   */
  factsSha256?: string
}

/** A request the engine cannot evaluate (e.g. a named date the caller did not supply): the caller's fault. */
export class EvaluationError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message)
  }
}

interface ItemOutcome {
  value: ItemResult['value']
  before: number
  /** the item or the band/tier/category/step it matched is provisional */
  provisional: boolean
  /** the matched band/tier/category/step itself is provisional (it decided the points, even a 0) */
  matchedProvisional?: boolean
  /** how the points were reached, in words; rendered only when a result is read (re-scores never are) */
  detail: () => string
}

interface CompiledItem {
  item: Item
  layerIndex: number
  cap: number
  run(env: Env): ItemOutcome
}

/**
 * One item of a breakdown. Its `detail` (the arithmetic in words) is rendered when read: a result
 * that is serialised, validated or compared reads it like any field (toJSON includes it), while a
 * population re-score that only reads totals never pays for the text.
 */
export class ItemRow implements ItemResult {
  readonly id: string
  readonly label: string
  readonly layer: string
  readonly cap: number | null
  readonly ref: string
  readonly #explain: () => string

  constructor(
    item: Item,
    readonly value: ItemResult['value'],
    readonly pointsBeforeCap: number,
    readonly points: number,
    readonly provisional: boolean,
    explain: () => string,
  ) {
    this.id = item.id
    this.label = item.label
    this.layer = item.layer
    this.cap = item.cap ?? null
    this.ref = item.ref
    this.#explain = explain
  }

  get detail(): string {
    return this.#explain()
  }

  toJSON(): ItemResult {
    const { id, label, layer, value, pointsBeforeCap, points, cap, ref, provisional, detail } = this
    return { id, label, layer, value, pointsBeforeCap, points, cap, ref, provisional, detail }
  }
}

/** One gate's outcome; its `reason` is rendered when read, like an item's detail. */
export class GateRow implements GateResult {
  readonly id: string
  readonly label: string
  readonly ref: string
  readonly provisional: boolean
  readonly #explain: () => string

  constructor(
    gate: Gate,
    readonly passed: boolean,
    readonly at: string,
    explain: () => string,
  ) {
    this.id = gate.id
    this.label = gate.label
    this.ref = gate.ref
    this.provisional = gate.provisional
    this.#explain = explain
  }

  get reason(): string {
    return this.#explain()
  }

  toJSON(): GateResult {
    const { id, label, passed, reason, ref, provisional, at } = this
    return { id, label, passed, reason, ref, provisional, at }
  }
}

export interface CompiledGate {
  gate: Gate
  run(env: Env, at: string): GateResult
}

/** Facts a person table reads: the catalogue plus the table's own `district.<id>` facts. */
export function personScope(table: Table): FactScope {
  const defs: FactDef[] = [
    ...PERSON_FACTS,
    ...table.districtFacts.map((d) => ({ name: `district.${d.id}`, label: d.label, type: d.type })),
  ]
  return { defs, index: indexFacts(defs), member: null, dateNames: new Set(Object.keys(table.dates)) }
}

/** Facts a household table reads at top level; parents' facts are reached through anyMember/allMembers. */
export function householdScope(table: Table): FactScope {
  const member = personScope(table)
  return {
    defs: HOUSEHOLD_FACTS,
    index: indexFacts(HOUSEHOLD_FACTS),
    member,
    dateNames: member.dateNames,
  }
}

/** Resolves a named date of the table for an evaluation as of `asOf`. */
export function namedDay(table: Table, name: string, asOf: DayNumber, ctx: EvalContext): DayNumber {
  const d = table.dates[name]
  if ('date' in d) return toDay(d.date)
  if ('month' in d) {
    const year = dayParts(asOf).year
    // 29 February in a common year is its 28th
    return dayOf(year, d.month, Math.min(d.day, daysInMonth(year, d.month)))
  }
  const given = ctx.dates?.[d.context]
  if (given === undefined)
    throw new EvaluationError(`dates.${d.context}`, `this table needs the date "${d.context}"`)
  return toDay(given)
}

/** Builds the fact environment of one person: facts derived once per date actually asked for. */
export function personEnv(
  applicant: Applicant,
  table: Table,
  scope: FactScope,
  asOf: DayNumber,
  jurisdiction: string,
  ctx: EvalContext,
  groups: number = ALL_FACT_GROUPS,
): Env {
  const derive = (day: DayNumber): Float64Array => {
    const base = derivePersonFacts(applicant, day, jurisdiction, groups)
    if (table.districtFacts.length === 0) return base
    const f = new Float64Array(scope.defs.length)
    f.set(base)
    table.districtFacts.forEach((d, i) => {
      const v = applicant.districtItems[d.id]
      f[PERSON_FACTS.length + i] = v === undefined ? 0 : typeof v === 'boolean' ? (v ? 1 : 0) : v
    })
    return f
  }
  return datedEnv(derive, table, asOf, ctx, null)
}

/**
 * An environment whose facts are derived as of the as-of date, and as of a named date the first
 * time a rule asks for it (cached for the rest of the evaluation).
 */
export function datedEnv(
  derive: (day: DayNumber) => Float64Array,
  table: Table,
  asOf: DayNumber,
  ctx: EvalContext,
  members: readonly Env[] | null,
): Env {
  let cache: Map<string, Float64Array> | undefined
  return {
    facts: derive(asOf),
    members,
    factsAt(name) {
      cache ??= new Map()
      let f = cache.get(name)
      if (!f) {
        f = derive(namedDay(table, name, asOf, ctx))
        cache.set(name, f)
      }
      return f
    },
    dateOf: (name) => fromDay(namedDay(table, name, asOf, ctx)),
  }
}

function maxPoints(item: Item): number {
  switch (item.kind) {
    case 'binary':
      return toScaled(item.points)
    case 'tiers':
      return Math.max(...item.tiers.map((t) => toScaled(t.points)))
    case 'category':
      return Math.max(...item.categories.map((c) => toScaled(c.points)))
    case 'bands':
      return Math.max(
        ...item.bands.map((b) =>
          b.to === undefined
            ? b.perUnit > 0
              ? Number.POSITIVE_INFINITY
              : toScaled(b.points)
            : Math.max(toScaled(b.points), toScaled(b.points + b.perUnit * (b.to - b.from))),
        ),
      )
    case 'per_unit':
      return Number.POSITIVE_INFINITY
  }
}

function compileItem(item: Item, scope: FactScope, layerIndex: number, path: string): CompiledItem {
  const when = item.when ? compileCondition(item.when, scope, `${path}.when`) : null
  const cap = item.cap === undefined ? Number.POSITIVE_INFINITY : toScaled(item.cap)
  let score: (env: Env) => ItemOutcome
  switch (item.kind) {
    case 'per_unit': {
      const terms = item.terms.map((t, i) => ({
        ...resolveFact(scope, t.fact, `${path}.terms[${i}].fact`),
        points: toScaled(t.points),
        per: t.per,
      }))
      const prorated = item.rounding === 'prorated'
      const steps = item.steps
        ? {
            mode: item.steps.mode,
            ...resolveFact(scope, item.steps.fact, `${path}.steps.fact`),
            at: item.steps.at.map((s) => ({
              atLeast: s.atLeast,
              bonus: toScaled(s.bonus),
              provisional: s.provisional,
            })),
          }
        : null
      score = (env) => {
        let before = 0
        let value: ItemOutcome['value']
        if (terms.length === 1) {
          const v = env.facts[terms[0].index]
          value = Number.isNaN(v) ? null : v
          before = perUnitScaled(value ?? 0, terms[0].points, terms[0].per, prorated)
        } else {
          const values: Record<string, number | null> = {}
          for (const t of terms) {
            const v = env.facts[t.index]
            values[t.def.name] = Number.isNaN(v) ? null : v
            before += perUnitScaled(Number.isNaN(v) ? 0 : v, t.points, t.per, prorated)
          }
          value = values
        }
        let matchedProvisional = false
        let bonus = 0
        if (steps) {
          const v = env.facts[steps.index]
          for (const s of steps.at) {
            if (!(v >= s.atLeast)) continue
            bonus = steps.mode === 'stacking' ? bonus + s.bonus : Math.max(bonus, s.bonus)
            matchedProvisional ||= s.provisional
          }
          before += bonus
        }
        const detail = () => {
          const parts = terms.map((t) => {
            const v = env.facts[t.index]
            const n = Number.isNaN(v) ? 0 : v
            const pts = perUnitScaled(n, t.points, t.per, prorated)
            return `${t.def.label} ${n} × ${fromScaled(t.points)}${t.per === 1 ? '' : `/${t.per}`} = ${fromScaled(pts)}`
          })
          if (bonus > 0)
            parts.push(`${steps?.mode === 'stacking' ? '累加' : '取最高'}阶梯加分 ${fromScaled(bonus)}`)
          return parts.join('；')
        }
        return {
          value,
          before,
          provisional: item.provisional || matchedProvisional,
          matchedProvisional,
          detail,
        }
      }
      break
    }
    case 'bands': {
      const f = resolveFact(scope, item.fact, `${path}.fact`)
      const bands = item.bands.map((b) => ({
        ...b,
        to: b.to ?? Number.POSITIVE_INFINITY,
        pts: toScaled(b.points),
        slope: toScaled(b.perUnit),
      }))
      score = (env) => {
        const v = env.facts[f.index]
        let band: (typeof bands)[number] | undefined
        if (!Number.isNaN(v)) for (const b of bands) if (v >= b.from && v <= b.to) band = band ?? b
        if (!band)
          return {
            value: Number.isNaN(v) ? null : v,
            before: 0,
            provisional: item.provisional,
            detail: () => `${f.def.label} ${formatFact(f.def, v)}：不在计分区间`,
          }
        const b = band
        const before = Math.max(0, b.pts + b.slope * (v - b.from))
        const detail = () => {
          const range = b.to === Number.POSITIVE_INFINITY ? `≥ ${b.from}` : `${b.from}–${b.to}`
          const slope =
            b.slope === 0 ? '' : `，每增加 1 ${b.slope > 0 ? '加' : '减'} ${Math.abs(fromScaled(b.slope))}`
          return `${f.def.label} ${formatFact(f.def, v)}，区间 ${range}：${fromScaled(b.pts)}${slope} → ${fromScaled(before)}`
        }
        return {
          value: v,
          before,
          provisional: item.provisional || b.provisional,
          matchedProvisional: b.provisional,
          detail,
        }
      }
      break
    }
    case 'tiers': {
      const tiers = item.tiers.map((t, i) => ({
        ...t,
        pts: toScaled(t.points),
        cond: compileCondition(t.when, scope, `${path}.tiers[${i}].when`),
      }))
      score = (env) => {
        let best: (typeof tiers)[number] | null = null
        for (const t of tiers) if (t.cond.test(env) && (best === null || t.pts > best.pts)) best = t
        if (best === null)
          return { value: null, before: 0, provisional: item.provisional, detail: () => '未达到任何档次' }
        const t = best
        return {
          value: t.label,
          before: t.pts,
          provisional: item.provisional || t.provisional,
          matchedProvisional: t.provisional,
          detail: () => `取最高档：${t.label}（${t.cond.explain(env)}）→ ${fromScaled(t.pts)}`,
        }
      }
      break
    }
    case 'binary': {
      const cond = compileCondition(item.when, scope, `${path}.when`)
      const pts = toScaled(item.points)
      score = (env) => {
        const ok = cond.test(env)
        return {
          value: ok,
          before: ok ? pts : 0,
          provisional: item.provisional,
          detail: () => `${cond.explain(env)} → ${ok ? fromScaled(pts) : 0}`,
        }
      }
      break
    }
    case 'category': {
      const f = resolveFact(scope, item.fact, `${path}.fact`)
      if (f.def.type !== 'enum')
        throw new TableCompileError(`${path}.fact`, `${f.def.name} is not a category fact`)
      const byValue = new Map<number, { pts: number; provisional: boolean; label: string }>()
      item.categories.forEach((c, i) => {
        for (const v of c.values) {
          const idx = (f.def.values ?? []).indexOf(v)
          if (idx < 0)
            throw new TableCompileError(`${path}.categories[${i}]`, `${f.def.name} has no value "${v}"`)
          if (byValue.has(idx))
            throw new TableCompileError(
              `${path}.categories[${i}]`,
              `"${v}" is in two categories; categories are mutually exclusive`,
            )
          byValue.set(idx, { pts: toScaled(c.points), provisional: c.provisional, label: c.label ?? v })
        }
      })
      score = (env) => {
        const v = env.facts[f.index]
        const shown = formatFact(f.def, v)
        const c = byValue.get(v)
        if (!c)
          return {
            value: shown,
            before: 0,
            provisional: item.provisional,
            detail: () => `${f.def.label} ${shown}：不计分`,
          }
        return {
          value: shown,
          before: c.pts,
          provisional: item.provisional || c.provisional,
          matchedProvisional: c.provisional,
          detail: () => `${f.def.label} ${c.label} → ${fromScaled(c.pts)}`,
        }
      }
      break
    }
  }
  const run = when
    ? (env: Env): ItemOutcome => {
        if (when.test(env)) return score(env)
        const o = score(env)
        return {
          value: o.value,
          before: 0,
          provisional: o.provisional,
          detail: () => `不计分：${when.explain(env)}`,
        }
      }
    : score
  return { item, layerIndex, cap, run }
}

/** Named dates a condition reads its facts at (`at:` keys, at any depth). */
function datesMentioned(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const v of value) datesMentioned(v, out)
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'at' && typeof v === 'string') out.add(v)
      else datesMentioned(v, out)
    }
  }
  return out
}

export function compileGate(gate: Gate, scope: FactScope, path: string): CompiledGate {
  const cond: CompiledCondition = compileCondition(gate.when, scope, `${path}.when`)
  // a gate read wholly at one named date (e.g. insurance as of 30 April) reports that date
  const dates = [...datesMentioned(gate.when)]
  const onlyDate = dates.length === 1 ? dates[0] : null
  return {
    gate,
    run(env, asOf) {
      const passed = cond.test(env)
      const at = onlyDate === null ? asOf : env.dateOf(onlyDate)
      return new GateRow(gate, passed, at, () => {
        const facts = cond.explain(env)
        return passed ? `满足：${facts}` : `${gate.failReason ? `${gate.failReason}：` : '不满足：'}${facts}`
      })
    },
  }
}

/** Every fact name a table's rules mention (under any `fact` key, at any depth). */
export function factsMentioned(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const v of value) factsMentioned(v, out)
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'fact' && typeof v === 'string') out.add(v)
      else factsMentioned(v, out)
    }
  }
  return out
}

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
  const items = table.items.map((item, i) => {
    const layerIndex = table.layers.findIndex((l) => l.id === item.layer)
    if (layerIndex < 0) throw new TableCompileError(`items[${i}].layer`, `unknown layer "${item.layer}"`)
    const compiled = compileItem(item, person, layerIndex, `items[${i}]`)
    if (item.cap !== undefined && maxPoints(item) < toScaled(item.cap)) {
      throw new TableCompileError(
        `items[${i}].cap`,
        `cap ${item.cap} cannot be reached: the item gives at most ${fromScaled(maxPoints(item))}`,
      )
    }
    return compiled
  })
  table.layers.forEach((layer, i) => {
    const reachable = items
      .filter((c) => c.layerIndex === i)
      .reduce((s, c) => s + Math.min(c.cap, maxPoints(c.item)), 0)
    if (reachable < toScaled(layer.cap)) {
      warnings.push({
        path: `layers[${i}].cap`,
        message: `layer ${layer.id} cap ${layer.cap} cannot be reached by its items (at most ${fromScaled(reachable)})`,
      })
    }
  })
  const gates = table.gates.map((g, i) => compileGate(g, scope, `gates[${i}]`))
  checkIds(table.routes, 'routes')
  checkIds(table.entitlements, 'entitlements')
  const parts: SchemeParts = {
    entitlements: table.entitlements.map((e, i) => ({
      e,
      cond: e.when ? compileCondition(e.when, scope, `entitlements[${i}].when`) : null,
    })),
    routes: table.routes.map((r, i) => ({
      r,
      gates: r.gates.map((g, j) => compileGate(g, scope, `routes[${i}].gates[${j}]`)),
    })),
    pointsSettlementGates: (table.pointsSettlement?.gates ?? []).map((g, i) =>
      compileGate(g, scope, `pointsSettlement.gates[${i}]`),
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
    provisional: table.provisional,
  }
  const layerCaps = table.layers.map((l) => toScaled(l.cap))
  // admission results also report the scoring parent's insurance and residence months
  const factGroups = groupsFor([
    ...factsMentioned(table),
    ...(table.scheme === 'admission' ? ['insurance.ningbo.months', 'residence.months'] : []),
  ])
  const deductions = table.deductions.map((d) => ({ ...d, pts: toScaled(d.points) }))

  function evaluatePoints(applicant: Applicant, ctx: EvalContext): PointsResult {
    if (table.scheme !== 'points') throw new Error(`${table.id} is a ${table.scheme} table`)
    const asOf = toDay(ctx.asOf)
    const jurisdiction = ctx.jurisdiction ?? table.jurisdiction
    const env = personEnv(applicant, table, person, asOf, jurisdiction, ctx, factGroups)
    const outcomes = items.map((c) => c.run(env))
    const after = outcomes.map((o, i) => Math.min(o.before, items[i].cap))
    const superseded: (string | null)[] = items.map(() => null)
    // highest-only across items: within a group only the best item counts (the first on a tie)
    const bestOfGroup = new Map<string, number>()
    items.forEach((c, i) => {
      const g = c.item.highestOfGroup
      if (g === undefined) return
      const best = bestOfGroup.get(g)
      if (best === undefined || after[i] > after[best]) bestOfGroup.set(g, i)
    })
    items.forEach((c, i) => {
      const g = c.item.highestOfGroup
      if (g === undefined) return
      const best = bestOfGroup.get(g)!
      if (best !== i) {
        superseded[i] = items[best].item.id
        after[i] = 0
      }
    })
    const layerBefore = table.layers.map(() => 0)
    after.forEach((p, i) => {
      layerBefore[items[i].layerIndex] += p
    })
    const layerAfter = layerBefore.map((p, i) => Math.min(p, layerCaps[i]))
    const layers: LayerResult[] = table.layers.map((l, i) => ({
      id: l.id,
      label: l.label,
      pointsBeforeCap: fromScaled(layerBefore[i]),
      points: fromScaled(layerAfter[i]),
      cap: l.cap,
    }))
    const provisionalRows: string[] = []
    const itemResults: ItemResult[] = items.map((c, i) => {
      const o = outcomes[i]
      // listed when a provisional value gave points, or a provisional band/tier/category decided them (even a 0)
      // an item superseded by another of its highest-only group used nothing
      if (superseded[i] === null && ((o.provisional && o.before > 0) || o.matchedProvisional)) {
        provisionalRows.push(c.item.id)
      }
      const supersededBy = superseded[i]
      const capNote = o.before > c.cap ? `；封顶 ${c.item.cap}` : ''
      return new ItemRow(
        c.item,
        o.value,
        fromScaled(o.before),
        fromScaled(after[i]),
        o.provisional,
        () => o.detail() + capNote + (supersededBy === null ? '' : `；同组取最高，计入 ${supersededBy}`),
      )
    })
    const deductionResults: DeductionResult[] = []
    let deducted = 0
    let frozenUntil: DayNumber | null = null
    for (const rec of applicant.records) {
      const day = toDay(rec.date)
      if (day > asOf) continue
      for (const d of deductions) {
        if (d.record !== rec.kind) continue
        const last = d.freezeMonths > 0 ? freezeLastDay(day, d.freezeMonths) : null
        if (last !== null && last >= asOf && (frozenUntil === null || last > frozenUntil)) frozenUntil = last
        deducted += d.pts
        if (d.provisional) provisionalRows.push(d.id)
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
    const gateResults: GateResult[] = gates.map((g) => g.run(env, at))
    for (const v of table.vetoes) {
      const hits = applicant.records.filter((r) => r.kind === v.record && toDay(r.date) <= asOf)
      gateResults.push({
        id: v.id,
        label: v.label,
        passed: hits.length === 0,
        reason:
          hits.length === 0 ? '无一票否决记录' : `一票否决：${hits.map((h) => h.date).join('、')} 的记录`,
        ref: v.ref,
        provisional: v.provisional,
        at,
      })
    }
    if (deductions.some((d) => d.freezeMonths > 0)) {
      gateResults.push({
        id: 'not_frozen',
        label: '积分未被冻结',
        passed: frozenUntil === null,
        reason:
          frozenUntil === null
            ? '计算日无冻结'
            : `积分冻结至 ${fromDay(frozenUntil)}（含），冻结期间不得用于申请`,
        ref: table.deductions.find((d) => d.freezeMonths > 0)?.ref ?? table.ref,
        provisional: table.deductions.some((d) => d.freezeMonths > 0 && d.provisional),
        at,
      })
    }
    for (const g of gateResults) if (g.provisional) provisionalRows.push(g.id)
    const total = layerAfter.reduce((s, p) => s + p, 0) - deducted
    return {
      scheme: 'points',
      jurisdiction,
      asOf: ctx.asOf,
      total: fromScaled(total),
      layers,
      items: itemResults,
      deductions: deductionResults,
      frozenUntil: frozenUntil === null ? null : fromDay(frozenUntil),
      eligible: gateResults.every((g) => g.passed),
      gates: gateResults,
      provisional: provisionalRows.length > 0 || table.provisional,
      provisionalRows: [...new Set(provisionalRows)],
      ruleset: ref,
      factsSha256: ctx.factsSha256 ?? factsSha256(applicant),
    }
  }

  return { table, sha256, ref, scope, items, gates, parts, factGroups, warnings, evaluatePoints }
}
