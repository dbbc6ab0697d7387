// Item rules compiled once per table: each scores a fact environment and can explain its points.
import type { ItemResult } from '../schema/result.ts'
import type { Item } from '../schema/table.ts'
import {
  type CompiledCondition,
  compileCondition,
  type Env,
  enumLabel,
  type FactScope,
  type FactText,
  factText,
  KeptWords,
  numberText,
  rawFact,
  resolveFact,
  showFact,
  TableCompileError,
} from './conditions.ts'
import { fromScaled, perUnitScaled, scaledText, toScaled } from './exact.ts'
import type { FactDef } from './facts.ts'
import { isProvisional, reasonOf } from './provisional.ts'

/** What an item's rule gave, before the item cap (all points in 1/10,000): numbers and flags only. */
export interface ItemOutcome {
  before: number
  /** the item, or the band/tier/category/step it matched, is provisional */
  provisional: boolean
  /** the matched band/tier/category/step itself is provisional (it decided the points, even a 0) */
  matchedProvisional: boolean
  /** which band/tier/category matched (-1: none); for per-unit items, the step bonus */
  pick: number
  /** the item's `when` did not hold, so it scored nothing */
  excluded: boolean
}

/** Fills `o` with a rule's outcome: scoring refills one object per item rather than allocating one. */
function set(o: ItemOutcome, before: number, provisional: boolean, matched: boolean, pick: number): void {
  o.before = before
  o.provisional = provisional || matched
  o.matchedProvisional = matched
  o.pick = pick
  o.excluded = false
}

/** The rule of one item kind. Implementations are classes so that evaluation allocates no closures. */
interface Rule {
  /** scores the facts into `o` (every field set) */
  score(env: Env, o: ItemOutcome): void
  /** the raw fact(s) the item scored, as the breakdown shows them (built only when explaining) */
  value(env: Env, pick: number): ItemResult['value']
  explain(env: Env, o: ItemOutcome): string
  /** the most points the rule can give (before the item cap), for "cap cannot be reached" checks */
  maxPoints(): number
}

interface Term {
  def: FactDef
  text: FactText
  index: number
  points: number
  per: number
  /** the explain sentence's fixed parts: `label ` before the value, ` × points/per = ` after it */
  head: string
  mid: string
}

class PerUnitRule implements Rule {
  /** the item's own provisional mark (isProvisional), worked out once */
  private readonly provisional: boolean
  private readonly terms: Term[]
  /** one term and no steps: the detail is the term's value's alone, kept by value */
  private readonly details = new KeptWords()
  private readonly prorated: boolean
  private readonly stepWord: string
  private readonly steps: {
    mode: 'stacking' | 'highest'
    index: number
    at: { atLeast: number; bonus: number; provisional: boolean }[]
  } | null

  constructor(item: Extract<Item, { kind: 'per_unit' }>, scope: FactScope, path: string) {
    this.provisional = isProvisional(item.provisional)
    this.terms = item.terms.map((t, i) => {
      const { def, index } = resolveFact(scope, t.fact, `${path}.terms[${i}].fact`)
      const points = toScaled(t.points)
      const per = t.per === 1 ? '' : `/${t.per}`
      return {
        def,
        text: factText(def),
        index,
        points,
        per: t.per,
        head: `${def.label} `,
        mid: ` × ${fromScaled(points)}${per} = `,
      }
    })
    this.prorated = item.rounding === 'prorated'
    this.stepWord = item.steps?.mode === 'stacking' ? '累加阶梯加分 ' : '取最高阶梯加分 '
    this.steps = item.steps
      ? {
          mode: item.steps.mode,
          index: resolveFact(scope, item.steps.fact, `${path}.steps.fact`).index,
          at: item.steps.at.map((s) => ({
            atLeast: s.atLeast,
            bonus: toScaled(s.bonus),
            provisional: s.provisional,
          })),
        }
      : null
  }

  private termPoints(env: Env, t: Term): number {
    const v = env.facts[t.index]
    return perUnitScaled(Number.isNaN(v) ? 0 : v, t.points, t.per, this.prorated)
  }

  score(env: Env, o: ItemOutcome): void {
    let before = 0
    for (const t of this.terms) before += this.termPoints(env, t)
    let matched = false
    let bonus = 0
    if (this.steps) {
      const v = env.facts[this.steps.index]
      for (const s of this.steps.at) {
        if (!(v >= s.atLeast)) continue
        bonus = this.steps.mode === 'stacking' ? bonus + s.bonus : Math.max(bonus, s.bonus)
        matched ||= s.provisional
      }
    }
    set(o, before + bonus, this.provisional, matched, bonus)
  }

  value(env: Env): ItemResult['value'] {
    if (this.terms.length === 1) {
      const { def, text, index } = this.terms[0]
      const v = env.facts[index]
      return { raw: rawFact(def, v), label: showFact(text, v) }
    }
    const values: Record<string, number | null> = {}
    let label = ''
    for (let i = 0; i < this.terms.length; i++) {
      const t = this.terms[i]
      const v = env.facts[t.index]
      values[t.def.name] = Number.isNaN(v) ? null : v
      label += `${i === 0 ? '' : '，'}${t.head}${showFact(t.text, v)}`
    }
    return { raw: values, label }
  }

  explain(env: Env, o: ItemOutcome): string {
    const terms = this.terms
    if (terms.length === 1 && this.steps === null) {
      // one term and no steps: its points are the item's points before the cap
      const t = terms[0]
      const v = env.facts[t.index]
      const kept = this.details.get(v)
      if (kept !== undefined) return kept
      return this.details.keep(
        v,
        t.head + (Number.isNaN(v) ? '0' : numberText(v)) + t.mid + scaledText(o.before),
      )
    }
    // the terms joined by `；`, concatenated directly rather than through an array
    let out = ''
    for (let i = 0; i < terms.length; i++) {
      const t = terms[i]
      const v = env.facts[t.index]
      if (i > 0) out += '；'
      out += t.head + (Number.isNaN(v) ? '0' : numberText(v)) + t.mid + scaledText(this.termPoints(env, t))
    }
    if (o.pick > 0) out += `${terms.length > 0 ? '；' : ''}${this.stepWord}${scaledText(o.pick)}`
    return out
  }

  maxPoints(): number {
    return Number.POSITIVE_INFINITY
  }
}

class BandsRule implements Rule {
  /** the item's own provisional mark (isProvisional), worked out once */
  private readonly provisional: boolean
  private readonly fact: { def: FactDef; index: number }
  private readonly text: FactText
  private readonly bands: {
    from: number
    to: number
    pts: number
    slope: number
    provisional: boolean
    /** the explain sentence after the value: `，区间 range：points, slope → ` */
    text: string
  }[]
  /** `label ` and the no-band ending of the explain sentence */
  private readonly head: string
  /** the value decides the band and the points: the detail is kept by value */
  private readonly details = new KeptWords()

  constructor(item: Extract<Item, { kind: 'bands' }>, scope: FactScope, path: string) {
    this.provisional = isProvisional(item.provisional)
    this.fact = resolveFact(scope, item.fact, `${path}.fact`)
    this.text = factText(this.fact.def)
    this.head = `${this.fact.def.label} `
    this.bands = item.bands.map((b) => {
      const to = b.to ?? Number.POSITIVE_INFINITY
      const pts = toScaled(b.points)
      const slope = toScaled(b.perUnit)
      const range = to === Number.POSITIVE_INFINITY ? `≥ ${b.from}` : `${b.from}–${to}`
      const slopeText =
        slope === 0 ? '' : `，每增加 1 ${slope > 0 ? '加' : '减'} ${Math.abs(fromScaled(slope))}`
      return {
        from: b.from,
        to,
        pts,
        slope,
        provisional: b.provisional,
        text: `，区间 ${range}：${fromScaled(pts)}${slopeText} → `,
      }
    })
  }

  score(env: Env, o: ItemOutcome): void {
    const v = env.facts[this.fact.index]
    const bands = this.bands
    for (let i = 0; i < bands.length; i++) {
      const b = bands[i]
      // the first band that holds the value (NaN is in none)
      if (v >= b.from && v <= b.to) {
        set(o, Math.max(0, b.pts + b.slope * (v - b.from)), this.provisional, b.provisional, i)
        return
      }
    }
    set(o, 0, this.provisional, false, -1)
  }

  value(env: Env): ItemResult['value'] {
    const { def, index } = this.fact
    const v = env.facts[index]
    return { raw: rawFact(def, v), label: showFact(this.text, v) }
  }

  explain(env: Env, o: ItemOutcome): string {
    const v = env.facts[this.fact.index]
    const kept = this.details.get(v)
    if (kept !== undefined) return kept
    const shown = showFact(this.text, v)
    if (o.pick < 0) return this.details.keep(v, `${this.head}${shown}：不在计分区间`)
    return this.details.keep(v, `${this.head}${shown}${this.bands[o.pick].text}${scaledText(o.before)}`)
  }

  maxPoints(): number {
    let max = 0
    for (const b of this.bands) {
      const atEnd =
        b.to === Number.POSITIVE_INFINITY
          ? b.slope > 0
            ? Number.POSITIVE_INFINITY
            : b.pts
          : b.pts + b.slope * (b.to - b.from)
      max = Math.max(max, b.pts, atEnd)
    }
    return max
  }
}

class TiersRule implements Rule {
  /** the item's own provisional mark (isProvisional), worked out once */
  private readonly provisional: boolean
  private readonly tiers: {
    label: string
    pts: number
    provisional: boolean
    cond: CompiledCondition
    /** the explain sentence around the condition's words */
    head: string
    tail: string
  }[]

  constructor(item: Extract<Item, { kind: 'tiers' }>, scope: FactScope, path: string) {
    this.provisional = isProvisional(item.provisional)
    this.tiers = item.tiers.map((t, i) => ({
      label: t.label,
      pts: toScaled(t.points),
      provisional: t.provisional,
      cond: compileCondition(t.when, scope, `${path}.tiers[${i}].when`),
      head: `取最高档：${t.label}（`,
      tail: `）→ ${fromScaled(toScaled(t.points))}`,
    }))
  }

  score(env: Env, o: ItemOutcome): void {
    // highest only: the tier with the most points among those that hold (the first on a tie)
    let best = -1
    for (let i = 0; i < this.tiers.length; i++) {
      const t = this.tiers[i]
      if ((best < 0 || t.pts > this.tiers[best].pts) && t.cond.test(env)) best = i
    }
    if (best < 0) set(o, 0, this.provisional, false, -1)
    else set(o, this.tiers[best].pts, this.provisional, this.tiers[best].provisional, best)
  }

  value(_env: Env, pick: number): ItemResult['value'] {
    // the tier matched is what the item derived from the facts: its label is both raw and shown
    return pick < 0
      ? { raw: null, label: '未达到任何档次' }
      : { raw: this.tiers[pick].label, label: this.tiers[pick].label }
  }

  explain(env: Env, o: ItemOutcome): string {
    if (o.pick < 0) return '未达到任何档次'
    const t = this.tiers[o.pick]
    return `${t.head}${t.cond.explain(env)}${t.tail}`
  }

  maxPoints(): number {
    return Math.max(...this.tiers.map((t) => t.pts))
  }
}

class BinaryRule implements Rule {
  /** the item's own provisional mark (isProvisional), worked out once */
  private readonly provisional: boolean
  private readonly cond: CompiledCondition
  private readonly pts: number
  /** ` → points` when the condition held */
  private readonly tail: string

  constructor(item: Extract<Item, { kind: 'binary' }>, scope: FactScope, path: string) {
    this.provisional = isProvisional(item.provisional)
    this.cond = compileCondition(item.when, scope, `${path}.when`)
    this.pts = toScaled(item.points)
    this.tail = ` → ${fromScaled(this.pts)}`
  }

  score(env: Env, o: ItemOutcome): void {
    const ok = this.cond.test(env)
    set(o, ok ? this.pts : 0, this.provisional, false, ok ? 0 : -1)
  }

  value(_env: Env, pick: number): ItemResult['value'] {
    return { raw: pick === 0, label: pick === 0 ? '是' : '否' }
  }

  explain(env: Env, o: ItemOutcome): string {
    return this.cond.explain(env) + (o.before === this.pts ? this.tail : ` → ${scaledText(o.before)}`)
  }

  maxPoints(): number {
    return this.pts
  }
}

class CategoryRule implements Rule {
  /** the item's own provisional mark (isProvisional), worked out once */
  private readonly provisional: boolean
  private readonly fact: { def: FactDef; index: number }
  private readonly text: FactText
  /** by the fact's enum index: the category it falls in */
  private readonly byValue: (
    | { pts: number; provisional: boolean; label: string; text: string }
    | undefined
  )[] = []
  /** by value: the detail of a value in no category */
  private readonly uncounted = new KeptWords()

  constructor(item: Extract<Item, { kind: 'category' }>, scope: FactScope, path: string) {
    this.provisional = isProvisional(item.provisional)
    this.fact = resolveFact(scope, item.fact, `${path}.fact`)
    const def = this.fact.def
    this.text = factText(def)
    if (def.type !== 'enum')
      throw new TableCompileError(
        `${path}.fact`,
        `${def.name} 不是分类事实`,
        `${def.name} is not a category fact`,
      )
    item.categories.forEach((c, i) => {
      for (const v of c.values) {
        const idx = (def.values ?? []).indexOf(v)
        if (idx < 0)
          throw new TableCompileError(
            `${path}.categories[${i}]`,
            `${def.name} 没有取值“${v}”`,
            `${def.name} has no value "${v}"`,
          )
        if (this.byValue[idx]) {
          throw new TableCompileError(
            `${path}.categories[${i}]`,
            `“${v}”出现在两个类别中；类别互斥`,
            `"${v}" is in two categories; categories are mutually exclusive`,
          )
        }
        const label = c.label ?? enumLabel(def, v)
        // the whole explain sentence of a value in a category depends on the table alone
        this.byValue[idx] = {
          pts: toScaled(c.points),
          provisional: c.provisional,
          label,
          text: `${def.label} ${label} → ${fromScaled(toScaled(c.points))}`,
        }
      }
    })
  }

  score(env: Env, o: ItemOutcome): void {
    const v = env.facts[this.fact.index]
    const c = Number.isNaN(v) ? undefined : this.byValue[v]
    if (!c) set(o, 0, this.provisional, false, -1)
    else set(o, c.pts, this.provisional, c.provisional, v)
  }

  value(env: Env): ItemResult['value'] {
    const { def, index } = this.fact
    const v = env.facts[index]
    const c = Number.isNaN(v) ? undefined : this.byValue[v]
    // a category's own label (the table's wording) when the value falls in one
    return { raw: rawFact(def, v), label: c?.label ?? showFact(this.text, v) }
  }

  explain(env: Env, o: ItemOutcome): string {
    if (o.pick >= 0) return this.byValue[o.pick]!.text
    const v = env.facts[this.fact.index]
    return (
      this.uncounted.get(v) ??
      this.uncounted.keep(v, `${this.fact.def.label} ${showFact(this.text, v)}：不计分`)
    )
  }

  maxPoints(): number {
    let max = 0
    for (const c of this.byValue) if (c) max = Math.max(max, c.pts)
    return max
  }
}

function ruleOf(item: Item, scope: FactScope, path: string): Rule {
  switch (item.kind) {
    case 'per_unit':
      return new PerUnitRule(item, scope, path)
    case 'bands':
      return new BandsRule(item, scope, path)
    case 'tiers':
      return new TiersRule(item, scope, path)
    case 'binary':
      return new BinaryRule(item, scope, path)
    case 'category':
      return new CategoryRule(item, scope, path)
  }
}

/** An item ready to score: its rule, its `when`, its cap (1/10,000 points) and its layer. */
export class CompiledItem {
  readonly rule: Rule
  readonly when: CompiledCondition | null
  readonly cap: number
  /** `；封顶 cap`, appended to a capped row's detail */
  private readonly capText: string
  /** the row's cap as the breakdown shows it */
  private readonly capShown: number | null
  /** the row's provisional reason (reasonOf), when its mark gives one */
  private readonly reason: string | undefined
  /**
   * The row's fixed fields, copied out of the table's item: items of different kinds are objects of
   * different shapes, so reading them from `item` per row is a megamorphic load.
   */
  readonly id: string
  private readonly label: string
  private readonly layer: string
  private readonly ref: Item['ref']

  constructor(
    readonly item: Item,
    scope: FactScope,
    readonly layerIndex: number,
    path: string,
  ) {
    this.rule = ruleOf(item, scope, path)
    this.when = item.when ? compileCondition(item.when, scope, `${path}.when`) : null
    this.cap = item.cap === undefined ? Number.POSITIVE_INFINITY : toScaled(item.cap)
    this.capText = `；封顶 ${item.cap}`
    this.capShown = item.cap ?? null
    this.reason = reasonOf(item.provisional).provisionalReason
    this.id = item.id
    this.label = item.label
    this.layer = item.layer
    this.ref = item.ref
    if (item.cap !== undefined && this.rule.maxPoints() < this.cap) {
      throw new TableCompileError(
        `${path}.cap`,
        `上限 ${item.cap} 分达不到：该项最多得 ${fromScaled(this.rule.maxPoints())} 分`,
        `cap ${item.cap} cannot be reached: the item gives at most ${fromScaled(this.rule.maxPoints())}`,
      )
    }
  }

  /** Scores the item into `o` (every field set): its rule, then its `when`. */
  run(env: Env, o: ItemOutcome): void {
    this.rule.score(env, o)
    if (this.when !== null && !this.when.test(env)) {
      o.before = 0
      o.matchedProvisional = false
      o.excluded = true
    }
  }

  /**
   * The item's row of a breakdown, as plain data: `after` is its points after the item cap and any
   * highest-only rule, `supersededBy` the item that outranked it in its group.
   */
  explain(env: Env, o: ItemOutcome, after: number, supersededBy: string | null): ItemResult {
    let detail =
      o.excluded && this.when !== null ? `不计分：${this.when.explain(env)}` : this.rule.explain(env, o)
    if (o.before > this.cap) detail += this.capText
    if (supersededBy !== null) detail += `；同组取最高，计入 ${supersededBy}`
    const value = this.rule.value(env, o.pick)
    // two literals rather than a spread of reasonOf: one fixed shape each, and the same key order
    if (this.reason === undefined)
      return {
        id: this.id,
        label: this.label,
        layer: this.layer,
        value,
        pointsBeforeCap: fromScaled(o.before),
        points: fromScaled(after),
        cap: this.capShown,
        ref: this.ref,
        provisional: o.provisional,
        detail,
      }
    return {
      id: this.id,
      label: this.label,
      layer: this.layer,
      value,
      pointsBeforeCap: fromScaled(o.before),
      points: fromScaled(after),
      cap: this.capShown,
      ref: this.ref,
      provisional: o.provisional,
      provisionalReason: this.reason,
      detail,
    }
  }

  /** the most this item can add to its layer: its cap, or its rule's maximum when lower */
  reachable(): number {
    return Math.min(this.cap, this.rule.maxPoints())
  }
}
