// Scores a columnar population under one compiled points table, a column at a time, exactly as points.evaluate does row by row.
import type { Applicant } from '../../schema/applicant.ts'
import { RECORD_KINDS } from '../../schema/applicant.ts'
import type { PointsResult } from '../../schema/result.ts'
import type { Condition, Item } from '../../schema/table.ts'
import { type DayNumber, toDay } from '../calendar.ts'
import type { CompiledTable } from '../compiled.ts'
import { encodeValue, resolveFact } from '../conditions.ts'
import type { EvalContext } from '../env.ts'
import { perUnitScaled, SCALE, toScaled } from '../exact.ts'
import { freezeLastDay } from '../facts.ts'
import { provisionalForEveryResult } from '../provisional.ts'
import { evaluate } from '../schemes/points/index.ts'
import { columnKey, dayOfName, jurisdictionOf, type PopulationFacts } from './store.ts'

/**
 * A population's scores under one table, as columns (points in 1/10,000, scoring/exact.ts): the
 * same numbers `evaluate` gives each applicant, without building any breakdown.
 */
export interface PopulationScores {
  table: CompiledTable
  ctx: EvalContext
  size: number
  /** per applicant: the total (layer totals capped, minus deductions) */
  total: Float64Array
  /** per layer (table order), per applicant: the sum of its items before the layer cap */
  layers: Float64Array[]
  /** per layer: its cap, so that a layer's points are min(layers[l][i], layerCaps[l]) */
  layerCaps: number[]
  /** per item (table order), per applicant: points after the item cap and any highest-only group */
  items: Float64Array[]
  /** per applicant: 1 when every gate and veto passes and no freeze is in force */
  eligible: Uint8Array
  /** per applicant: 1 when the result is provisional (as PointsResult.provisional) */
  provisional: Uint8Array
}

type Columns = (key: string) => Float64Array
/** held locally: a module binding read in a hot loop costs a getter call per read under tsx */
const unitPoints = perUnitScaled
/** A condition compiled to a whole-population mask: 1 where it holds. */
type MaskFn = (cols: Columns, n: number) => Uint8Array

type Op = 'gte' | 'gt' | 'lte' | 'lt' | 'eq' | 'ne' | 'in'
const OPS: readonly Op[] = ['gte', 'gt', 'lte', 'lt', 'eq', 'ne', 'in']

/** Clears m[i] where the comparison fails (m starts all ones); NaN satisfies none, as in conditions.ts. */
function narrow(op: Op, target: readonly number[], col: Float64Array, m: Uint8Array, n: number): void {
  const t = target[0]
  switch (op) {
    case 'gte':
      for (let i = 0; i < n; i++) if (!(col[i] >= t)) m[i] = 0
      return
    case 'gt':
      for (let i = 0; i < n; i++) if (!(col[i] > t)) m[i] = 0
      return
    case 'lte':
      for (let i = 0; i < n; i++) if (!(col[i] <= t)) m[i] = 0
      return
    case 'lt':
      for (let i = 0; i < n; i++) if (!(col[i] < t)) m[i] = 0
      return
    case 'eq':
      for (let i = 0; i < n; i++) if (col[i] !== t) m[i] = 0
      return
    case 'ne':
      for (let i = 0; i < n; i++) if (Number.isNaN(col[i]) || col[i] === t) m[i] = 0
      return
    case 'in': {
      // enum and yes/no targets are small integers: a lookup table indexed by the value (NaN,
      // fractions and values past the end index nothing); others compare one by one
      if (target.every((x) => Number.isInteger(x) && x >= 0 && x < 256)) {
        const hit = new Uint8Array(Math.max(...target) + 1)
        for (const x of target) hit[x] = 1
        for (let i = 0; i < n; i++) if (hit[col[i]] !== 1) m[i] = 0
      } else for (let i = 0; i < n; i++) if (!target.includes(col[i])) m[i] = 0
      return
    }
  }
}

function compileMask(cond: Condition, c: CompiledTable, ctx: EvalContext, path: string): MaskFn {
  if ('all' in cond || 'any' in cond) {
    const all = 'all' in cond
    const parts = (all ? cond.all : (cond as { any: Condition[] }).any).map((p, i) =>
      compileMask(p, c, ctx, `${path}.${all ? 'all' : 'any'}[${i}]`),
    )
    return (cols, n) => {
      const m = parts[0](cols, n)
      for (let k = 1; k < parts.length; k++) {
        const o = parts[k](cols, n)
        if (all) for (let i = 0; i < n; i++) m[i] &= o[i]
        else for (let i = 0; i < n; i++) m[i] |= o[i]
      }
      return m
    }
  }
  if ('not' in cond) {
    const inner = compileMask(cond.not, c, ctx, `${path}.not`)
    return (cols, n) => {
      const m = inner(cols, n)
      for (let i = 0; i < n; i++) m[i] ^= 1
      return m
    }
  }
  // a leaf: anyMember/allMembers never reach here, compileTable rejects them in a person scope
  const leaf = cond as Extract<Condition, { fact: string }>
  const { def } = resolveFact(c.scope, leaf.fact, path)
  const key = columnKey(leaf.fact, dayOfName(c.table, leaf.at, toDay(ctx.asOf), ctx))
  const checks: { op: Op; target: number[] }[] = []
  for (const op of OPS) {
    const raw = leaf[op]
    if (raw === undefined) continue
    const values = op === 'in' ? (raw as (number | boolean | string)[]) : [raw as number | boolean | string]
    checks.push({
      op,
      target: values.map((v, i) => encodeValue(def, v, `${path}.${op}${op === 'in' ? `[${i}]` : ''}`)),
    })
  }
  return (cols, n) => {
    const col = cols(key)
    const m = new Uint8Array(n).fill(1)
    for (const ch of checks) narrow(ch.op, ch.target, col, m, n)
    return m
  }
}

/** One item's points before its cap, and where a provisional row decided them (matchedProvisional). */
type ItemFn = (cols: Columns, n: number, before: Float64Array, matched: Uint8Array) => void

function compileRule(item: Item, c: CompiledTable, ctx: EvalContext, path: string): ItemFn {
  const key = (fact: string): string => {
    resolveFact(c.scope, fact, path)
    return columnKey(fact, null)
  }
  switch (item.kind) {
    case 'per_unit': {
      const terms = item.terms.map((t) => ({ key: key(t.fact), pts: toScaled(t.points), per: t.per }))
      const prorated = item.rounding === 'prorated'
      const steps = item.steps
      const stepKey = steps ? key(steps.fact) : ''
      const at = steps ? steps.at.map((s) => ({ ...s, bonus: toScaled(s.bonus) })) : []
      const stacking = steps?.mode === 'stacking'
      return (cols, n, before, matched) => {
        for (const t of terms) {
          const col = cols(t.key)
          if (prorated) {
            for (let i = 0; i < n; i++) before[i] += unitPoints(col[i], t.pts, t.per, true)
            continue
          }
          // whole blocks: perUnitScaled's arithmetic written out (value and per scaled to integers first)
          const pts = t.pts
          const q = Math.round(t.per * SCALE)
          for (let i = 0; i < n; i++) {
            const v = col[i]
            if (v > 0) before[i] += Math.floor(Math.round(v * SCALE) / q) * pts
          }
        }
        if (!steps) return
        const col = cols(stepKey)
        for (let i = 0; i < n; i++) {
          const v = col[i]
          let bonus = 0
          for (const s of at) {
            if (!(v >= s.atLeast)) continue
            bonus = stacking ? bonus + s.bonus : Math.max(bonus, s.bonus)
            if (s.provisional) matched[i] = 1
          }
          before[i] += bonus
        }
      }
    }
    case 'bands': {
      const k = key(item.fact)
      const bands = item.bands.map((b) => ({
        from: b.from,
        to: b.to ?? Number.POSITIVE_INFINITY,
        pts: toScaled(b.points),
        slope: toScaled(b.perUnit),
        provisional: b.provisional ? 1 : 0,
      }))
      return (cols, n, before, matched) => {
        const col = cols(k)
        for (let i = 0; i < n; i++) {
          const v = col[i]
          for (const b of bands) {
            // the first band that holds the value (NaN is in none): the same expression as BandsRule
            if (v >= b.from && v <= b.to) {
              before[i] = Math.max(0, b.pts + b.slope * (v - b.from))
              matched[i] = b.provisional
              break
            }
          }
        }
      }
    }
    case 'tiers': {
      const tiers = item.tiers.map((t, i) => ({
        pts: toScaled(t.points),
        provisional: t.provisional ? 1 : 0,
        mask: compileMask(t.when, c, ctx, `${path}.tiers[${i}].when`),
      }))
      return (cols, n, before, matched) => {
        // highest only: the tier with the most points among those that hold (the first on a tie)
        const best = new Int16Array(n).fill(-1)
        tiers.forEach((t, k) => {
          const m = t.mask(cols, n)
          for (let i = 0; i < n; i++) {
            const b = best[i]
            if (m[i] === 1 && (b < 0 || t.pts > tiers[b].pts)) best[i] = k
          }
        })
        for (let i = 0; i < n; i++) {
          const b = best[i]
          if (b < 0) continue
          before[i] = tiers[b].pts
          matched[i] = tiers[b].provisional
        }
      }
    }
    case 'binary': {
      const mask = compileMask(item.when, c, ctx, `${path}.when`)
      const pts = toScaled(item.points)
      return (cols, n, before) => {
        const m = mask(cols, n)
        for (let i = 0; i < n; i++) if (m[i] === 1) before[i] = pts
      }
    }
    case 'category': {
      const k = key(item.fact)
      const values = resolveFact(c.scope, item.fact, path).def.values ?? []
      // by the fact's enum index: points, and 1 when the category is provisional (compileTable checked them)
      const pts = new Float64Array(values.length)
      const prov = new Uint8Array(values.length)
      for (const cat of item.categories) {
        for (const v of cat.values) {
          const idx = values.indexOf(v)
          pts[idx] = toScaled(cat.points)
          prov[idx] = cat.provisional ? 1 : 0
        }
      }
      return (cols, n, before, matched) => {
        const col = cols(k)
        for (let i = 0; i < n; i++) {
          const v = col[i]
          // NaN and values outside the list index nothing (undefined), as in CategoryRule
          if (pts[v] === undefined) continue
          before[i] = pts[v]
          matched[i] = prov[v]
        }
      }
    }
  }
}

/** A points table compiled to column loops, for one population context (named dates resolved). */
export interface PopulationScorer {
  table: CompiledTable
  ctx: EvalContext
  score(pop: PopulationFacts): PopulationScores
}

/** Compiles a points table's items, gates, deductions and vetoes into column loops. */
export function compilePopulationScorer(c: CompiledTable, ctx: EvalContext): PopulationScorer {
  if (c.table.scheme !== 'points') throw new Error(`${c.table.id} is a ${c.table.scheme} table`)
  const table = c.table
  const asOf = toDay(ctx.asOf)
  const items = table.items.map((item, i) => ({
    rule: compileRule(item, c, ctx, `items[${i}]`),
    when: item.when ? compileMask(item.when, c, ctx, `items[${i}].when`) : null,
    cap: c.items[i].cap,
    layer: c.items[i].layerIndex,
    provisional: item.provisional,
  }))
  const groups = new Map<string, number[]>()
  table.items.forEach((item, i) => {
    if (item.highestOfGroup === undefined) return
    const g = groups.get(item.highestOfGroup) ?? []
    g.push(i)
    groups.set(item.highestOfGroup, g)
  })
  const gates = table.gates.map((g, i) => compileMask(g.when, c, ctx, `gates[${i}].when`))
  const deductions = c.points.deductions.map((d) => ({
    kind: RECORD_KINDS.indexOf(d.record),
    pts: d.pts,
    freezeMonths: d.freezeMonths,
    provisional: d.provisional,
  }))
  const vetoKinds = table.vetoes.map((v) => RECORD_KINDS.indexOf(v.record))
  const freezes = c.points.freezeRef !== undefined
  const layerCaps = c.points.layerCaps
  const everyResultProvisional = provisionalForEveryResult(table) || c.points.gatesProvisional

  return {
    table: c,
    ctx,
    score(pop: PopulationFacts): PopulationScores {
      if (pop.ctx.asOf !== ctx.asOf || jurisdictionOf(table, pop.ctx) !== pop.jurisdiction)
        throw new Error(
          `${table.id} scores as of ${ctx.asOf} in ${jurisdictionOf(table, ctx)}; the population is as of ${pop.ctx.asOf} in ${pop.jurisdiction}`,
        )
      const n = pop.size
      const cols: Columns = (key) => {
        const col = pop.columns.get(key)
        if (col === undefined)
          throw new Error(`the population has no column ${key}: derive it with ${table.id} among its tables`)
        return col
      }
      const provisional = new Uint8Array(n).fill(everyResultProvisional ? 1 : 0)
      const itemPoints: Float64Array[] = []
      // per item: 1 where it made the result provisional (cleared when outranked in its group)
      const itemProv: Uint8Array[] = []
      for (const it of items) {
        const before = new Float64Array(n)
        const matched = new Uint8Array(n)
        it.rule(cols, n, before, matched)
        const held = it.when === null ? null : it.when(cols, n)
        const prov = new Uint8Array(n)
        const cap = it.cap
        for (let i = 0; i < n; i++) {
          if (held !== null && held[i] === 0) {
            before[i] = 0
            continue
          }
          if (matched[i] === 1 || (it.provisional && before[i] > 0)) prov[i] = 1
          if (before[i] > cap) before[i] = cap
        }
        itemPoints.push(before)
        itemProv.push(prov)
      }
      // highest-only across items: within a group only the best item counts (the first on a tie)
      for (const members of groups.values()) {
        for (let i = 0; i < n; i++) {
          let best = members[0]
          for (const k of members) if (itemPoints[k][i] > itemPoints[best][i]) best = k
          for (const k of members) {
            if (k === best) continue
            itemPoints[k][i] = 0
            itemProv[k][i] = 0
          }
        }
      }
      const layers = layerCaps.map(() => new Float64Array(n))
      items.forEach((it, k) => {
        const l = layers[it.layer]
        const pts = itemPoints[k]
        const prov = itemProv[k]
        for (let i = 0; i < n; i++) {
          l[i] += pts[i]
          provisional[i] |= prov[i]
        }
      })
      const total = new Float64Array(n)
      layers.forEach((l, k) => {
        const cap = layerCaps[k]
        for (let i = 0; i < n; i++) total[i] += Math.min(l[i], cap)
      })
      const eligible = new Uint8Array(n).fill(1)
      for (const g of gates) {
        const m = g(cols, n)
        for (let i = 0; i < n; i++) eligible[i] &= m[i]
      }
      const { recordStart, recordKind, recordDay } = pop
      for (let i = 0; i < n; i++) {
        const end = recordStart[i + 1]
        for (let r = recordStart[i]; r < end; r++) {
          const kind = recordKind[r]
          const day: DayNumber = recordDay[r]
          for (const d of deductions) {
            if (d.kind !== kind) continue
            // a freeze still running on the as-of date makes the points unusable (not_frozen)
            if (freezes && d.freezeMonths > 0 && freezeLastDay(day, d.freezeMonths) >= asOf) eligible[i] = 0
            total[i] -= d.pts
            if (d.provisional) provisional[i] = 1
          }
          if (vetoKinds.includes(kind)) eligible[i] = 0
        }
      }
      return {
        table: c,
        ctx,
        size: n,
        total,
        layers,
        layerCaps,
        items: itemPoints,
        eligible,
        provisional,
      }
    },
  }
}

/** Scores a population under one table (compile, then one pass of column loops). */
export function scorePopulation(c: CompiledTable, pop: PopulationFacts): PopulationScores {
  return compilePopulationScorer(c, pop.ctx).score(pop)
}

/**
 * The full breakdown of one applicant of a scored population, built only when asked for: the
 * normal `evaluate` on that applicant (the store keeps facts, not applicants; the caller passes the row).
 */
export function breakdownOf(scores: PopulationScores, applicant: Applicant): PointsResult {
  return evaluate(scores.table, applicant, scores.ctx)
}
