// Compiles table conditions into closures over derived fact vectors, each able to explain itself.
import { labelsFor } from '../schema/labels.ts'
import type { Condition } from '../schema/table.ts'
import type { FactDef, FactVector } from './facts.ts'

/** What a compiled condition reads: facts as of the evaluation date, as of named dates, and household members. */
export interface Env {
  facts: FactVector
  /** facts as of a named date of the table (computed once per evaluation, then cached) */
  factsAt(dateName: string): FactVector
  /** the calendar date a named date stands for in this evaluation */
  dateOf(dateName: string): string
  /** household tables: one environment per member (parent) */
  members: readonly Env[] | null
}

export interface CompiledCondition {
  test(env: Env): boolean
  /** the facts compared and their outcome, in a sentence: "社保缴费月数（宁波市内）：30 个月（要求不少于 36 个月，不符合）" */
  explain(env: Env): string
}

/** The fact catalogue a condition is compiled against. */
export interface FactScope {
  defs: readonly FactDef[]
  index: ReadonlyMap<string, number>
  /** the scope inside anyMember / allMembers, when this is a household scope */
  member: FactScope | null
  dateNames: ReadonlySet<string>
}

/**
 * A table that cannot be compiled, at `path`. Policy officers read the Chinese (`zh`); `message`
 * (path and English) is what logs and the CLI print.
 */
export class TableCompileError extends Error {
  /** the path and the Chinese text, as the API's 400 gives it to a policy officer */
  readonly zh: string
  constructor(
    readonly path: string,
    zh: string,
    en: string,
  ) {
    super(`${path}: ${en}`)
    this.zh = `${path}：${zh}`
  }
}

const OPS = {
  gte: { sign: '≥' },
  gt: { sign: '>' },
  lte: { sign: '≤' },
  lt: { sign: '<' },
  eq: { sign: '=' },
  ne: { sign: '≠' },
} as const
type Op = keyof typeof OPS

/** The unit a number fact is counted in, from its name (district facts are bare numbers). */
export function unitOf(def: FactDef): string {
  const n = def.name
  if (/(^|\.)(months|[a-zA-Z]*Months)$/.test(n)) return ' 个月'
  if (n === 'age' || n === 'child.age') return ' 周岁'
  if (n === 'graduation.yearsSince') return ' 年'
  if (n === 'city.yearlyTaxYuan') return ' 元'
  if (n === 'city.insuredEmployeesHired') return ' 人'
  if (n.endsWith('Patents')) return ' 项'
  if (n === 'city.publicWelfareHours') return ' 小时'
  if (n === 'city.bloodDonations' || n === 'permit.lateEndorsements') return ' 次'
  if (/^records\..*\.count$/.test(n)) return ' 条'
  if (n === 'skill.level') return ' 级'
  return ''
}

/** An enum value in Chinese: its label, or (a table's own value no map knows) the value itself. */
export function enumLabel(def: FactDef, value: string): string {
  return labelsFor(def.values ?? [])?.[value] ?? value
}

/**
 * What an unknown fact (NaN) means for the caller: the fact they did not send, named with its
 * field, so a reason says what is missing rather than "无".
 */
export function missingFact(def: FactDef): string {
  const n = def.name
  if (n.startsWith('graduation.')) return '未提供毕业信息（graduation）'
  if (n === 'skill.level') return '未提供职业技能等级证书（skills）'
  if (n === 'title.grade') return '未提供专业技术职称（skills）'
  if (n === 'age') return '年龄不详（出生日期 birthDate 在计算日之后）'
  if (n === 'child.age') return '儿童年龄不详（出生日期 child.birthDate 在计算日之后）'
  if (n.startsWith('district.')) return `未提供${def.label}（districtItems.${n.slice('district.'.length)}）`
  return `未提供${def.label}`
}

/** Values below this (non-negative integers: months, ages, counts, enum indexes) have their words kept. */
export const KEPT_BELOW = 1024

/**
 * Words that depend on one fact value alone (a value shown with its unit, a condition's sentence, an
 * item's detail), built the first time a value asks for them and kept by value: a breakdown then
 * reads them rather than concatenating anew. Only non-negative integers below KEPT_BELOW are kept,
 * so a table's words take at most that many strings per place they are kept; other values (NaN,
 * fractions, large amounts) are built every time.
 */
export class KeptWords {
  private readonly words: (string | undefined)[] = []

  /** the words kept for `v`, or undefined (never built, or a value not kept) */
  get(v: number): string | undefined {
    return (v | 0) === v && v >= 0 && v < KEPT_BELOW ? this.words[v] : undefined
  }

  /** keeps `words` for `v` when such a value is kept; returns them */
  keep(v: number, words: string): string {
    if ((v | 0) === v && v >= 0 && v < KEPT_BELOW) this.words[v] = words
    return words
  }
}

/**
 * The words a fact's values are shown with, worked out once per fact definition. Compiled rules and
 * conditions keep their facts' FactText, so that explain() shows a value without looking it up.
 */
export interface FactText {
  type: FactDef['type']
  unit: string
  missing: string
  /** by enum index: the value's label */
  enumShown: readonly string[]
  /** a number fact's values as shown (number and unit), kept */
  numbers: KeptWords
}

// keyed by the definition object: catalogue and table definitions are built once and never changed
const FACT_TEXT = new WeakMap<FactDef, FactText>()

export function factText(def: FactDef): FactText {
  let t = FACT_TEXT.get(def)
  if (t === undefined) {
    t = {
      type: def.type,
      unit: unitOf(def),
      missing: missingFact(def),
      enumShown: def.type === 'enum' ? (def.values ?? []).map((raw) => enumLabel(def, raw)) : [],
      numbers: new KeptWords(),
    }
    FACT_TEXT.set(def, t)
  }
  return t
}

/**
 * A fact's number as text, as `${v}` writes it. An integer is written through `v | 0`, a small
 * integer (Smi) to V8, whose number-to-text cache then answers; a whole number held as a double
 * misses that cache and is converted anew each time.
 */
export function numberText(v: number): string {
  return (v | 0) === v ? `${v | 0}` : `${v}`
}

/** `formatFact` with the fact's words already at hand (what compiled rules call per row). */
export function showFact(t: FactText, v: number): string {
  if (Number.isNaN(v)) return t.missing
  if (t.type === 'boolean') return v === 1 ? '是' : '否'
  if (t.type === 'enum') {
    // an index the enum does not have (never derived) is shown as the number
    const shown = t.enumShown[v]
    return shown === undefined ? String(v) : shown
  }
  return t.numbers.get(v) ?? t.numbers.keep(v, numberText(v) + t.unit)
}

/** A fact's value in Chinese: 是/否, an enum's label, a number with its unit; an unknown one named as missing. */
export function formatFact(def: FactDef, v: number): string {
  return showFact(factText(def), v)
}

/** A fact's value as the caller's vocabulary has it (enum name, boolean, number; null: unknown). */
export function rawFact(def: FactDef, v: number): number | boolean | string | null {
  if (Number.isNaN(v)) return null
  if (def.type === 'boolean') return v === 1
  if (def.type === 'enum') return def.values?.[v] ?? v
  return v
}

/** A condition's target in Chinese, as the fact's values are shown. */
function formatTarget(def: FactDef, raw: number | boolean | string): string {
  if (typeof raw === 'boolean') return raw ? '是' : '否'
  if (typeof raw === 'string') return def.type === 'enum' ? enumLabel(def, raw) : raw
  return `${raw}${unitOf(def)}`
}

/** enum values are ordered levels (学历, 职称): compared as higher or lower, not more or fewer */
const NEEDS: Record<Op, (shown: string, def: FactDef) => string> = {
  gte: (s, def) => (def.type === 'enum' ? `不低于${s}` : `不少于 ${s}`),
  gt: (s, def) => (def.type === 'enum' ? `高于${s}` : `多于 ${s}`),
  lte: (s, def) => (def.type === 'enum' ? `不高于${s}` : `不超过 ${s}`),
  lt: (s, def) => (def.type === 'enum' ? `低于${s}` : `少于 ${s}`),
  eq: (s, def) => (def.type === 'number' ? `等于 ${s}` : `为${s}`),
  ne: (s, def) => (def.type === 'number' ? `不等于 ${s}` : `不为${s}`),
}

/** Turns a condition's target (number, boolean or enum name) into the number the fact vector holds. */
export function encodeValue(def: FactDef, raw: number | boolean | string, path: string): number {
  if (def.type === 'boolean') {
    if (typeof raw !== 'boolean')
      throw new TableCompileError(
        path,
        `${def.name} 是“是/否”事实，只能与 true 或 false 比较`,
        `${def.name} is yes/no; compare it with true or false`,
      )
    return raw ? 1 : 0
  }
  if (def.type === 'enum') {
    const i = typeof raw === 'string' ? (def.values ?? []).indexOf(raw) : -1
    if (i < 0)
      throw new TableCompileError(
        path,
        `${def.name} 只取 ${(def.values ?? []).join('、')} 之一，不取 ${raw}`,
        `${def.name} takes one of ${(def.values ?? []).join(', ')}; got ${raw}`,
      )
    return i
  }
  if (typeof raw !== 'number')
    throw new TableCompileError(
      path,
      `${def.name} 是数值，不是 ${JSON.stringify(raw)}`,
      `${def.name} is a number; got ${JSON.stringify(raw)}`,
    )
  return raw
}

export function resolveFact(scope: FactScope, name: string, path: string): { def: FactDef; index: number } {
  const index = scope.index.get(name)
  if (index === undefined) throw new TableCompileError(path, `未知事实“${name}”`, `unknown fact "${name}"`)
  return { def: scope.defs[index], index }
}

/** One comparison as a closure. An unknown fact (NaN) satisfies none: ordered comparisons with NaN are false anyway. */
function comparison(op: Op | 'in', target: number[]): (v: number) => boolean {
  const t = target[0]
  switch (op) {
    case 'gte':
      return (v) => v >= t
    case 'gt':
      return (v) => v > t
    case 'lte':
      return (v) => v <= t
    case 'lt':
      return (v) => v < t
    case 'eq':
      return (v) => v === t
    case 'ne':
      return (v) => !Number.isNaN(v) && v !== t
    case 'in':
      return (v) => target.includes(v)
  }
}

/**
 * Every string found under `key` at any depth of a table part: the facts a table reads (`fact`),
 * the named dates a condition reads them at (`at`).
 */
export function stringsUnder(key: string, value: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const v of value) stringsUnder(key, v, out)
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === key && typeof v === 'string') out.add(v)
      else stringsUnder(key, v, out)
    }
  }
  return out
}

export function compileCondition(cond: Condition, scope: FactScope, path: string): CompiledCondition {
  if ('all' in cond) {
    const parts = cond.all.map((c, i) => compileCondition(c, scope, `${path}.all[${i}]`))
    return {
      test: (env) => {
        for (const p of parts) if (!p.test(env)) return false
        return true
      },
      explain: (env) => {
        // joined by `；` as it goes: no array of parts per explanation
        let out = ''
        for (let i = 0; i < parts.length; i++)
          out += i === 0 ? parts[i].explain(env) : `；${parts[i].explain(env)}`
        return out
      },
    }
  }
  if ('any' in cond) {
    const parts = cond.any.map((c, i) => compileCondition(c, scope, `${path}.any[${i}]`))
    return {
      test: (env) => {
        for (const p of parts) if (p.test(env)) return true
        return false
      },
      // each alternative in 「」, so the conditions an alternative joins stay visibly together
      explain: (env) => {
        let out = '以下任一项符合即可：'
        for (let i = 0; i < parts.length; i++) out += `${i === 0 ? '' : '或'}「${parts[i].explain(env)}」`
        return out
      },
    }
  }
  if ('not' in cond) {
    const inner = compileCondition(cond.not, scope, `${path}.not`)
    return { test: (env) => !inner.test(env), explain: (env) => `须不符合下列情形：${inner.explain(env)}` }
  }
  if ('anyMember' in cond || 'allMembers' in cond) {
    const any = 'anyMember' in cond
    if (scope.member === null)
      throw new TableCompileError(
        path,
        'anyMember/allMembers 只用于以家庭为单位的积分表',
        'anyMember/allMembers only apply to household tables',
      )
    const inner = compileCondition(
      any ? cond.anyMember : (cond as { allMembers: Condition }).allMembers,
      scope.member,
      path,
    )
    const word = any ? '至少一位家长' : '每位家长'
    return {
      test: (env) => {
        const ms = env.members ?? []
        return any ? ms.some((m) => inner.test(m)) : ms.length > 0 && ms.every((m) => inner.test(m))
      },
      explain: (env) =>
        `${word}：${(env.members ?? []).map((m, i) => `家长${i + 1} ${inner.explain(m)}`).join('；') || '无家长'}`,
    }
  }
  const { def, index } = resolveFact(scope, cond.fact, path)
  const at = cond.at
  if (at !== undefined && !scope.dateNames.has(at))
    throw new TableCompileError(path, `未知的命名日期“${at}”`, `unknown named date "${at}"`)
  const checks: { op: Op | 'in'; target: number[]; shown: string }[] = []
  for (const op of Object.keys(OPS) as Op[]) {
    const raw = cond[op]
    if (raw !== undefined)
      checks.push({
        op,
        target: [encodeValue(def, raw, `${path}.${op}`)],
        shown: NEEDS[op](formatTarget(def, raw), def),
      })
  }
  if (cond.in !== undefined) {
    const shown = cond.in.map((v) => formatTarget(def, v))
    checks.push({
      op: 'in',
      target: cond.in.map((v, i) => encodeValue(def, v, `${path}.in[${i}]`)),
      shown: shown.length === 1 ? `为${shown[0]}` : `为${shown.join('、')}之一`,
    })
  }
  const read = at === undefined ? (env: Env) => env.facts[index] : (env: Env) => env.factsAt(at)[index]
  // each comparison becomes its own small closure at compile time
  const compiled = checks.map((c) => comparison(c.op, c.target))
  const first = compiled[0]
  const test =
    compiled.length === 1
      ? at === undefined
        ? (env: Env): boolean => first(env.facts[index])
        : (env: Env): boolean => first(read(env))
      : (env: Env): boolean => {
          const v = read(env)
          for (const check of compiled) if (!check(v)) return false
          return true
        }
  const needs = checks.map((c) => c.shown).join('且')
  // the sentence's fixed parts, built once: only the value, the date and the verdict vary
  const missing = missingFact(def)
  const text = factText(def)
  const needsMissing = `（要求${def.label}${needs}，`
  const needsKnown = `（要求${needs}，`
  if (at === undefined) {
    // read as of the evaluation date: every sentence is a fixed head, the value shown, a fixed tail
    const head = `${def.label}：`
    const held = `${needsKnown}符合）`
    const failed = `${needsKnown}不符合）`
    const missingHeld = `${missing}${needsMissing}符合）`
    const missingFailed = `${missing}${needsMissing}不符合）`
    // the value decides the verdict too: the whole sentence is kept by value
    const sentences = new KeptWords()
    return {
      test,
      explain: (env) => {
        const v = env.facts[index]
        const kept = sentences.get(v)
        if (kept !== undefined) return kept
        const ok = test(env)
        if (Number.isNaN(v)) return ok ? missingHeld : missingFailed
        return sentences.keep(v, head + showFact(text, v) + (ok ? held : failed))
      },
    }
  }
  return {
    test,
    explain: (env) => {
      const v = read(env)
      // a fact read at a named date says the calendar date, not the table's name for it
      const when = at === undefined ? '' : `（截至 ${env.dateOf(at)}）`
      const verdict = test(env) ? '符合）' : '不符合）'
      // an unknown fact is named as missing, with what the condition needed of it
      if (Number.isNaN(v)) return `${missing}${when}${needsMissing}${verdict}`
      return `${def.label}${when}：${showFact(text, v)}${needsKnown}${verdict}`
    },
  }
}
