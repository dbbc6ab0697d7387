// The points scheme: its table and result schemas, compile, score (numbers only) and explain (the plain JSON breakdown).
import type { Applicant } from '../../../schema/applicant.ts'
import { RECORD_KIND_LABELS } from '../../../schema/labels.ts'
import type {
  DeductionResult,
  GateResult,
  ItemResult,
  LayerResult,
  PointsResult,
  RulesetRef,
} from '../../../schema/result.ts'
import type { Table } from '../../../schema/table.ts'
import { type DayNumber, fromDay, toDay } from '../../calendar.ts'
import type { CompiledTable, PointsParts, TableProblems } from '../../compiled.ts'
import { type Env, type FactScope, TableCompileError } from '../../conditions.ts'
import { type EvalContext, personEnv } from '../../env.ts'
import { fromScaled, toScaled } from '../../exact.ts'
import { freezeLastDay } from '../../facts.ts'
import { factsSha256 } from '../../hash.ts'
import { CompiledItem, type ItemOutcome } from '../../items.ts'
import { isProvisional, provisionalForEveryResult, reasonOf } from '../../provisional.ts'

export { PointsResultSchema as ResultSchema } from '../../../schema/result.ts'
export { PointsTableSchema as TableSchema } from '../../../schema/table.ts'

export const SCHEME = 'points'

/** ItemOutcome flags packed per item in a PointsOutcome. */
export const ITEM_PROVISIONAL = 1
export const ITEM_MATCHED_PROVISIONAL = 2
export const ITEM_EXCLUDED = 4

/**
 * What `score()` returns: numbers and flags, nothing that refers back to the applicant or the table.
 * Points are integers of 1/10,000 point (scoring/exact.ts); per-item arrays follow the table's item
 * order, per-layer arrays its layer order. A population run reads `total` and `eligible` and never
 * builds text; `explain()` turns an outcome into the breakdown callers see.
 */
export interface PointsOutcome {
  scheme: 'points'
  asOf: string
  jurisdiction: string
  total: number
  eligible: boolean
  /** some row that contributed is provisional, or the table itself is */
  provisional: boolean
  /** last day of a freeze in force on the as-of date (a day number), or null */
  frozenUntil: DayNumber | null
  /** per item: points before the item cap (0 when the item's `when` did not hold) */
  before: number[]
  /** per item: points after the item cap and any highest-only group */
  points: number[]
  /** per item: the band, tier, category or step picked (-1: none) */
  pick: number[]
  /** per item: ITEM_* flags */
  flags: number[]
  /** per item: the item that outranked it in its highest-only group (-1: none) */
  supersededBy: number[]
  /** per layer: the sum of its items before the layer cap */
  layers: number[]
  /** deductions applied, as flat [deduction row, record index] pairs in the order applied */
  deductions: number[]
  /** per table gate: passed */
  gates: boolean[]
  /** per veto: no vetoing record on or before the as-of date */
  vetoes: boolean[]
}

/** Compiles the points-only parts of a table: its items against the person scope, layers, deductions. */
export function compile(
  table: Table,
  person: FactScope,
  warnings: TableProblems['warnings'],
  references: CompiledTable['references'],
): { items: CompiledItem[]; points: PointsParts } {
  const items = table.items.map((item, i) => {
    const layerIndex = table.layers.findIndex((l) => l.id === item.layer)
    if (layerIndex < 0)
      throw new TableCompileError(
        `items[${i}].layer`,
        `未知层级“${item.layer}”`,
        `unknown layer "${item.layer}"`,
      )
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
  const freezeRef = table.deductions.find((d) => d.freezeMonths > 0)
  const freezeProvisional = table.deductions.some((d) => d.freezeMonths > 0 && isProvisional(d.provisional))
  return {
    items,
    points: {
      layerCaps: table.layers.map((l) => toScaled(l.cap)),
      deductions: table.deductions.map((d) => ({ ...d, pts: toScaled(d.points) })),
      deductionProvisional: table.deductions.map((d) => isProvisional(d.provisional)),
      groups: groupsOf(items),
      freezeRef,
      freezeProvisional,
      gatesProvisional:
        table.gates.some((g) => isProvisional(g.provisional)) ||
        table.vetoes.some((v) => isProvisional(v.provisional)) ||
        (freezeRef !== undefined && freezeProvisional),
      everyResultProvisional: provisionalForEveryResult(table),
      // as referencesOf gives it: none for a table stored before references were data
      referencesMember: Object.keys(references).length > 0 ? { references } : {},
      vetoRecords: table.vetoes.map((v) => v.record),
      vetoReasons: table.vetoes.map((v) => ({
        none: `无${RECORD_KIND_LABELS[v.record]}记录`,
        head: `有${RECORD_KIND_LABELS[v.record]}记录（`,
        provisional: isProvisional(v.provisional),
        reason: reasonOf(v.provisional).provisionalReason,
      })),
      deductionReasons: table.deductions.map((d) => reasonOf(d.provisional).provisionalReason),
      freezeReason:
        freezeRef !== undefined && freezeProvisional
          ? reasonOf(freezeRef.provisional).provisionalReason
          : undefined,
    },
  }
}

/** The highest-only groups: each group's items in table order (a group of one item outranks nothing). */
function groupsOf(items: CompiledItem[]): number[][] {
  const byName = new Map<string, number[]>()
  items.forEach((c, i) => {
    const g = c.item.highestOfGroup
    if (g === undefined) return
    const members = byName.get(g)
    if (members === undefined) byName.set(g, [i])
    else members.push(i)
  })
  return [...byName.values()]
}

function expectPoints(c: CompiledTable): void {
  if (c.table.scheme !== 'points') throw new Error(`${c.table.id} is a ${c.table.scheme} table`)
}

/** The environment of one applicant under a points table (what score and explain read). */
export function envOf(c: CompiledTable, applicant: Applicant, ctx: EvalContext): Env {
  const jurisdiction = ctx.jurisdiction ?? c.table.jurisdiction
  return personEnv(applicant, c.table, toDay(ctx.asOf), jurisdiction, ctx, c.factGroups)
}

/** Scores one applicant: numbers and flags only, no text, no hash. */
export function score(c: CompiledTable, applicant: Applicant, ctx: EvalContext): PointsOutcome {
  expectPoints(c)
  return scoreIn(c, envOf(c, applicant, ctx), applicant, ctx)
}

/** One item's outcome, refilled for each item of each score() (nothing keeps it): no object per item. */
const scratch: ItemOutcome = {
  before: 0,
  provisional: false,
  matchedProvisional: false,
  pick: -1,
  excluded: false,
}

/** `score` on an environment the caller already derived. */
export function scoreIn(c: CompiledTable, env: Env, applicant: Applicant, ctx: EvalContext): PointsOutcome {
  const { items } = c
  const p = c.points
  const asOf = toDay(ctx.asOf)
  // read up front: the applicant is likely out of cache, and the load can overlap the items' work
  const records = applicant.records
  const nRecords = records.length
  const n = items.length
  const before = new Array<number>(n)
  const points = new Array<number>(n)
  const pick = new Array<number>(n)
  const flags = new Array<number>(n)
  const supersededBy = new Array<number>(n)
  const o = scratch
  for (let i = 0; i < n; i++) {
    const item = items[i]
    item.run(env, o)
    before[i] = o.before
    // the item cap (+Infinity when none), as a comparison: V8 may type Math.min's result as a
    // double even when it is a small integer, and the array would then hold doubles
    // biome-ignore lint/complexity/useMathMinMax: see above
    points[i] = o.before > item.cap ? item.cap : o.before
    pick[i] = o.pick
    supersededBy[i] = -1
    flags[i] =
      (o.provisional ? ITEM_PROVISIONAL : 0) |
      (o.matchedProvisional ? ITEM_MATCHED_PROVISIONAL : 0) |
      (o.excluded ? ITEM_EXCLUDED : 0)
  }
  // highest-only across items: within a group only the best item counts (the first on a tie)
  for (let g = 0; g < p.groups.length; g++) {
    const members = p.groups[g]
    let best = members[0]
    for (let j = 1; j < members.length; j++) if (points[members[j]] > points[best]) best = members[j]
    for (let j = 0; j < members.length; j++) {
      const i = members[j]
      if (i !== best) {
        supersededBy[i] = best
        points[i] = 0
      }
    }
  }
  const layers = new Array<number>(p.layerCaps.length)
  for (let i = 0; i < layers.length; i++) layers[i] = 0
  for (let i = 0; i < n; i++) layers[items[i].layerIndex] += points[i]
  let total = 0
  for (let i = 0; i < layers.length; i++) total += Math.min(layers[i], p.layerCaps[i])
  let provisional = p.everyResultProvisional || p.gatesProvisional
  for (let i = 0; i < n; i++) {
    const f = flags[i]
    if (
      supersededBy[i] < 0 &&
      (((f & ITEM_PROVISIONAL) !== 0 && before[i] > 0) || (f & ITEM_MATCHED_PROVISIONAL) !== 0)
    )
      provisional = true
  }
  const deductions: number[] = []
  let frozenUntil: DayNumber | null = null
  const vetoRecords = p.vetoRecords
  const vetoes = new Array<boolean>(vetoRecords.length)
  for (let k = 0; k < vetoes.length; k++) vetoes[k] = true
  for (let r = 0; r < nRecords; r++) {
    const rec = records[r]
    const day = toDay(rec.date)
    if (day > asOf) continue
    for (let k = 0; k < p.deductions.length; k++) {
      const d = p.deductions[k]
      if (d.record !== rec.kind) continue
      const last = d.freezeMonths > 0 ? freezeLastDay(day, d.freezeMonths) : null
      if (last !== null && last >= asOf && (frozenUntil === null || last > frozenUntil)) frozenUntil = last
      total -= d.pts
      provisional ||= p.deductionProvisional[k]
      deductions.push(k, r)
    }
    // a veto holds when no record of its kind is dated on or before the as-of date
    for (let k = 0; k < vetoRecords.length; k++) if (vetoRecords[k] === rec.kind) vetoes[k] = false
  }
  let eligible = true
  const gates = new Array<boolean>(c.gates.length)
  for (let i = 0; i < gates.length; i++) {
    gates[i] = c.gates[i].test(env)
    eligible &&= gates[i]
  }
  for (let i = 0; i < vetoes.length; i++) eligible &&= vetoes[i]
  if (p.freezeRef !== undefined) eligible &&= frozenUntil === null
  return {
    scheme: 'points',
    asOf: ctx.asOf,
    jurisdiction: ctx.jurisdiction ?? c.table.jurisdiction,
    total,
    eligible,
    provisional,
    frozenUntil,
    before,
    points,
    pick,
    flags,
    supersededBy,
    layers,
    deductions,
    gates,
    vetoes,
  }
}

/** The plain JSON breakdown of an outcome: every row with its reference and its arithmetic in words. */
export function explain(
  c: CompiledTable,
  outcome: PointsOutcome,
  applicant: Applicant,
  ctx: EvalContext,
): PointsResult {
  expectPoints(c)
  return explainIn(c, outcome, envOf(c, applicant, ctx), applicant, ctx)
}

/** `explain` on the environment `score` used. */
export function explainIn(
  c: CompiledTable,
  o: PointsOutcome,
  env: Env,
  applicant: Applicant,
  ctx: EvalContext,
): PointsResult {
  const { table, items } = c
  const p = c.points
  const layers: LayerResult[] = []
  for (let i = 0; i < table.layers.length; i++) {
    const l = table.layers[i]
    layers.push({
      id: l.id,
      label: l.label,
      pointsBeforeCap: fromScaled(o.layers[i]),
      points: fromScaled(Math.min(o.layers[i], p.layerCaps[i])),
      cap: l.cap,
    })
  }
  const provisionalRows: string[] = []
  // one outcome object refilled per item: CompiledItem.explain reads it and keeps nothing of it
  const io: ItemOutcome = {
    before: 0,
    provisional: false,
    matchedProvisional: false,
    pick: -1,
    excluded: false,
  }
  const itemResults: ItemResult[] = []
  for (let i = 0; i < items.length; i++) {
    const item = items[i]
    const f = o.flags[i]
    io.before = o.before[i]
    io.provisional = (f & ITEM_PROVISIONAL) !== 0
    io.matchedProvisional = (f & ITEM_MATCHED_PROVISIONAL) !== 0
    io.pick = o.pick[i]
    io.excluded = (f & ITEM_EXCLUDED) !== 0
    const supersededBy = o.supersededBy[i] < 0 ? null : items[o.supersededBy[i]].id
    // listed when a provisional value gave points, or a provisional band/tier/category decided
    // them (even a 0); an item outranked in its highest-only group used nothing
    if (supersededBy === null && ((io.provisional && io.before > 0) || io.matchedProvisional))
      provisionalRows.push(item.id)
    itemResults.push(item.explain(env, io, o.points[i], supersededBy))
  }
  const deductions: DeductionResult[] = []
  for (let k = 0; k < o.deductions.length; k += 2) {
    const d = p.deductions[o.deductions[k]]
    const reason = p.deductionReasons[o.deductions[k]]
    const rec = applicant.records[o.deductions[k + 1]]
    const last = d.freezeMonths > 0 ? freezeLastDay(toDay(rec.date), d.freezeMonths) : null
    const provisional = isProvisional(d.provisional)
    // two records of one kind apply one deduction row twice: list the row once
    if (provisional && !provisionalRows.includes(d.id)) provisionalRows.push(d.id)
    const row: DeductionResult = {
      id: d.id,
      label: d.label,
      recordDate: rec.date,
      points: d.points,
      frozenUntil: last === null ? null : fromDay(last),
      ref: d.ref,
      provisional,
    }
    if (reason !== undefined) row.provisionalReason = reason
    deductions.push(row)
  }
  const at = ctx.asOf
  const asOf = toDay(at)
  const gates: GateResult[] = []
  for (let i = 0; i < c.gates.length; i++) gates.push(c.gates[i].explain(env, o.gates[i], at))
  const records = applicant.records
  for (let i = 0; i < table.vetoes.length; i++) {
    const v = table.vetoes[i]
    const words = p.vetoReasons[i]
    // the vetoing records' dates joined by `、` ('' when none): no array per veto
    let hits = ''
    for (let r = 0; r < records.length; r++) {
      const rec = records[r]
      if (rec.kind === v.record && toDay(rec.date) <= asOf)
        hits = hits === '' ? rec.date : `${hits}、${rec.date}`
    }
    gates.push(
      gateRow(
        v.id,
        v.label,
        o.vetoes[i],
        hits === '' ? words.none : `${words.head}${hits}），一票否决`,
        v.ref,
        words.provisional,
        words.reason,
        at,
      ),
    )
  }
  if (p.freezeRef !== undefined) {
    gates.push(
      gateRow(
        'not_frozen',
        '积分未被冻结',
        o.frozenUntil === null,
        o.frozenUntil === null
          ? '计算日无冻结'
          : `积分冻结至 ${fromDay(o.frozenUntil)}（含），冻结期间不得用于申请`,
        p.freezeRef.ref,
        p.freezeProvisional,
        p.freezeReason,
        at,
      ),
    )
  }
  for (const g of gates) if (g.provisional && !provisionalRows.includes(g.id)) provisionalRows.push(g.id)
  const total = fromScaled(o.total)
  const frozenUntil = o.frozenUntil === null ? null : fromDay(o.frozenUntil)
  const provisional = provisionalRows.length > 0 || p.everyResultProvisional
  const hash = ctx.factsSha256 ?? factsSha256(applicant)
  const references = p.referencesMember.references
  // two literals rather than a spread of referencesMember: one fixed shape each, and the same key order
  if (references === undefined)
    return {
      scheme: 'points',
      jurisdiction: o.jurisdiction,
      asOf: o.asOf,
      total,
      layers,
      items: itemResults,
      deductions,
      frozenUntil,
      eligible: o.eligible,
      gates,
      provisional,
      provisionalRows,
      ruleset: c.ref,
      factsSha256: hash,
    }
  return {
    scheme: 'points',
    jurisdiction: o.jurisdiction,
    asOf: o.asOf,
    total,
    layers,
    items: itemResults,
    deductions,
    frozenUntil,
    eligible: o.eligible,
    gates,
    provisional,
    provisionalRows,
    ruleset: c.ref,
    references,
    factsSha256: hash,
  }
}

/** A veto's or the freeze's gate row, in one of two fixed shapes (with its provisional reason or without). */
function gateRow(
  id: string,
  label: string,
  passed: boolean,
  reason: string,
  ref: GateResult['ref'],
  provisional: boolean,
  provisionalReason: string | undefined,
  at: string,
): GateResult {
  if (provisionalReason === undefined) return { id, label, passed, reason, ref, provisional, at }
  return { id, label, passed, reason, ref, provisional, provisionalReason, at }
}

/** score + explain on one environment: the full result, as `compiled.evaluatePoints` has always given it. */
export function evaluate(c: CompiledTable, applicant: Applicant, ctx: EvalContext): PointsResult {
  expectPoints(c)
  const env = envOf(c, applicant, ctx)
  return explainIn(c, scoreIn(c, env, applicant, ctx), env, applicant, ctx)
}

/**
 * What other schemes read of a person's points (settlement's threshold, admission's household
 * points): a PointsResult has these fields, and `pointsUsed` gives them from an outcome without
 * building the breakdown.
 */
export interface PointsUsed {
  /** points (not scaled), as in PointsResult */
  total: number
  eligible: boolean
  frozenUntil: string | null
  ruleset: RulesetRef
}

export function pointsUsed(c: CompiledTable, o: PointsOutcome): PointsUsed {
  return {
    total: fromScaled(o.total),
    eligible: o.eligible,
    frozenUntil: o.frozenUntil === null ? null : fromDay(o.frozenUntil),
    ruleset: c.ref,
  }
}
