// Advice: changes an applicant can act on, each priced by scoring the changed facts with the same table.
import type { Applicant } from '../schema/applicant.ts'
import type { PointsResult } from '../schema/result.ts'
import { addMonths, fromDay, fromMonth, toDay, toMonth } from './calendar.ts'
import type { CompiledTable, EvalContext } from './compile.ts'
import { fromScaled, toScaled } from './exact.ts'
import { citation } from './references.ts'
import { points } from './schemes.ts'

/**
 * A compiled points table. Candidates are priced with the scheme's `score()` (numbers only): the
 * breakdown's text and the facts hash of each changed applicant would be built and thrown away.
 */
export type AdviceTable = CompiledTable

export type AdviceKind = 'education' | 'skill' | 'employment' | 'housing' | 'city' | 'district' | 'accrual'

/**
 * A change to the applicant's facts: the value to put at a dotted path of the applicant
 * (`education`, `cityItems.bloodDonations`, `employment` …). Applied with `applyChange`, and by a
 * client to its own copy of the facts before asking again.
 */
export interface AdviceChange {
  set: string
  value: unknown
}

export interface AdviceEntry {
  /** the item whose points the change raises (the one that rises most) */
  item: string
  label: string
  kind: AdviceKind
  /** the condition in words: what the applicant would have to do or have */
  action: string
  change: AdviceChange
  /** what the change adds to the total, after item caps, highest-of-group, layer caps and deductions */
  gain: number
  /** the item's points now, and its cap */
  points: number
  cap: number | null
  /** the legal basis of the value that gives the gain, as citation text */
  ref: string
  /** the value that gives the gain is provisional (policy.md: P) */
  provisional: boolean
  /** for accrual: the fact that grows, its label and by how much (1 month); null otherwise */
  fact: string | null
  factLabel: string | null
  more: number | null
}

interface Candidate {
  kind: AdviceKind
  action: string
  change: AdviceChange
  fact?: { name: string; label: string; more: number }
}

const EDUCATION_ZH: Record<Applicant['education'], string> = {
  none: '无学历',
  primary: '小学',
  junior: '初中',
  senior: '高中',
  vocational_secondary: '中职',
  junior_college: '大学专科',
  bachelor: '大学本科',
  master: '硕士研究生',
  doctorate: '博士研究生',
}
const EDUCATION_ORDER = Object.keys(EDUCATION_ZH) as Applicant['education'][]
const SKILL_ZH = [
  '',
  '一级（高级技师）',
  '二级（技师）',
  '三级（高级工）',
  '四级（中级工）',
  '五级（初级工）',
]
const HONOUR_ZH = {
  district: '区（县、市）级',
  city: '市级',
  provincial: '省级',
  national: '国家级',
} as const
const HONOUR_ORDER = ['district', 'city', 'provincial', 'national'] as const

/** A copy of the applicant with `change` applied (the input is not modified). */
export function applyChange(applicant: Applicant, change: AdviceChange): Applicant {
  const copy = structuredClone(applicant) as unknown as Record<string, unknown>
  const keys = change.set.split('.')
  let at = copy
  for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>
  at[keys[keys.length - 1]] = structuredClone(change.value)
  return copy as unknown as Applicant
}

/**
 * The applicant with `change` applied for pricing: the objects on the change's path are copied, every
 * other part is shared with the input, which scoring only reads. A deep copy per candidate
 * (applyChange) was most of a preview's advice under load.
 */
function withChange(applicant: Applicant, change: AdviceChange): Applicant {
  const keys = change.set.split('.')
  const copy: Record<string, unknown> = { ...applicant }
  let at = copy
  for (const k of keys.slice(0, -1)) {
    const next = { ...(at[k] as Record<string, unknown>) }
    at[k] = next
    at = next
  }
  at[keys[keys.length - 1]] = change.value
  return copy as unknown as Applicant
}

/** thresholdsOf per compiled table and fact: a table never changes once compiled. */
const thresholdCache = new WeakMap<object, Map<string, readonly number[]>>()

/** thresholdsOf(table.items, fact), walked once per table and fact. */
function tableThresholds(table: AdviceTable['table'], fact: string): readonly number[] {
  let byFact = thresholdCache.get(table)
  if (byFact === undefined) {
    byFact = new Map()
    thresholdCache.set(table, byFact)
  }
  let found = byFact.get(fact)
  if (found === undefined) {
    found = thresholdsOf(table.items, fact)
    byFact.set(fact, found)
  }
  return found
}

/** Numbers a table compares `fact` with (`gte`/`gt`), ascending: the thresholds of its tiers. */
function thresholdsOf(node: unknown, fact: string, out: Set<number> = new Set()): number[] {
  if (Array.isArray(node)) for (const n of node) thresholdsOf(n, fact, out)
  else if (node !== null && typeof node === 'object') {
    const o = node as Record<string, unknown>
    if (o.fact === fact) {
      if (typeof o.gte === 'number') out.add(o.gte)
      if (typeof o.gt === 'number') out.add(o.gt + 1)
    }
    for (const v of Object.values(o)) thresholdsOf(v, fact, out)
  }
  return [...out].sort((a, b) => a - b)
}

/** The block a per-unit term of the table counts `fact` in (20 hours a point …); 1 when none does. */
function perOf(table: AdviceTable['table'], fact: string): number {
  for (const item of table.items)
    if (item.kind === 'per_unit') for (const t of item.terms) if (t.fact === fact) return t.per
  return 1
}

/** A Ningbo region for a new employment or rental record: the jurisdiction's, else the city's. */
function ningboRegion(jurisdiction: string): string {
  return jurisdiction.startsWith('3302') ? jurisdiction : '330200'
}

/** What the applicant could change, one candidate per advice line (some have a ladder of them). */
function candidates(a: Applicant, table: AdviceTable['table'], asOf: string, jurisdiction: string) {
  const ladders: Candidate[][] = []
  const single = (c: Candidate) => ladders.push([c])

  // the next education tier: the lowest higher level that scores more
  ladders.push(
    EDUCATION_ORDER.slice(EDUCATION_ORDER.indexOf(a.education) + 1).map((level) => ({
      kind: 'education' as const,
      action: `学历提升至${EDUCATION_ZH[level]}`,
      change: { set: 'education', value: level },
    })),
  )
  // the next skill tier: the lowest higher skill level that scores more
  let best = 6
  for (const s of a.skills) if (s.kind === 'skill_level') best = Math.min(best, s.level)
  const levels: Candidate[] = []
  for (let level = best - 1; level >= 1; level--)
    levels.push({
      kind: 'skill',
      action: `取得职业技能等级${SKILL_ZH[level]}证书（或对应职称）`,
      change: { set: 'skills', value: [...a.skills, { kind: 'skill_level', level }] },
    })
  ladders.push(levels)

  // employment: a continuous Ningbo run of 12 months up to the as-of date (policy.md §3.2 就业)
  const runFrom = fromDay(addMonths(toDay(asOf), -12) + 1)
  single({
    kind: 'employment',
    action: '在宁波连续就业满 12 个月（劳动合同并办理就业登记、宁波营业执照或土地承包）',
    change: {
      set: 'employment',
      value: [
        ...a.employment,
        { kind: 'labour_contract', from: runFrom, to: null, region: ningboRegion(jurisdiction) },
      ],
    },
  })
  // housing: registering the rental contract, for an applicant with no housing on record
  if (a.housing === null || a.housing.kind === 'none') {
    const region = a.residence?.region.startsWith('3302') ? a.residence.region : ningboRegion(jurisdiction)
    single({
      kind: 'housing',
      action: '租赁住房办理登记备案（或入住单位宿舍、公共租赁住房）',
      change: { set: 'housing', value: { kind: 'registered_rental', region, owner: null } },
    })
  }

  // the city items (policy.md §3.2)
  const c = a.cityItems
  const city = (
    action: string,
    key: keyof Applicant['cityItems'],
    value: unknown,
    fact?: { label: string; more: number },
  ) =>
    single({
      kind: 'city',
      action,
      change: { set: `cityItems.${key}`, value },
      ...(fact ? { fact: { name: `city.${key}`, ...fact } } : {}),
    })
  if (!c.shortageOccupation) city('在本市紧缺岗位目录所列岗位就业', 'shortageOccupation', true)
  ladders.push(
    tableThresholds(table, 'city.yearlyTaxYuan')
      .filter((n) => n > c.yearlyTaxYuan)
      .map((n) => ({
        kind: 'city' as const,
        action: `在甬年纳税额达到 ${n} 元`,
        change: { set: 'cityItems.yearlyTaxYuan', value: n },
      })),
  )
  city('再招用 1 名参保职工', 'insuredEmployeesHired', c.insuredEmployeesHired + 1, {
    label: '带动参保就业人数',
    more: 1,
  })
  city('再取得 1 项发明专利', 'inventionPatents', c.inventionPatents + 1, { label: '发明专利数', more: 1 })
  city('再取得 1 项实用新型或外观设计专利', 'utilityPatents', c.utilityPatents + 1, {
    label: '实用新型或外观设计专利数',
    more: 1,
  })
  let honour = -1
  for (const h of c.honours) honour = Math.max(honour, HONOUR_ORDER.indexOf(h))
  ladders.push(
    HONOUR_ORDER.slice(honour + 1).map((h) => ({
      kind: 'city' as const,
      action: `获得${HONOUR_ZH[h]}表彰奖励`,
      change: { set: 'cityItems.honours', value: [...c.honours, h] },
    })),
  )
  const per = perOf(table, 'city.publicWelfareHours')
  // hours to the next full block; whole hours, as the register counts them
  const hours = Math.max(1, Math.ceil(per - (c.publicWelfareHours % per)))
  city(`再参加 ${hours} 小时登记的志愿服务`, 'publicWelfareHours', c.publicWelfareHours + hours, {
    label: '志愿服务时数',
    more: hours,
  })
  city('再无偿献血 1 次', 'bloodDonations', c.bloodDonations + 1, { label: '无偿献血次数', more: 1 })
  // donation: registering first, then donating (highest only)
  const donation: Candidate[] = []
  if (c.organDonation === 'none')
    donation.push({
      kind: 'city',
      action: '登记为遗体、器官或造血干细胞捐献志愿者',
      change: { set: 'cityItems.organDonation', value: 'registered' },
    })
  if (c.organDonation !== 'donated')
    donation.push({
      kind: 'city',
      action: '实际捐献遗体、器官或造血干细胞',
      change: { set: 'cityItems.organDonation', value: 'donated' },
    })
  ladders.push(donation)

  // the district's own items, as the table declares them (applicant.districtItems)
  for (const d of table.districtFacts) {
    const now = a.districtItems[d.id]
    const change = (value: unknown) => ({ set: `districtItems.${d.id}`, value })
    if (d.type === 'boolean') {
      if (now !== true) single({ kind: 'district', action: d.label, change: change(true) })
    } else {
      const more = perOf(table, `district.${d.id}`)
      single({
        kind: 'district',
        action: `${d.label}再增加 ${more}`,
        change: change((typeof now === 'number' ? now : 0) + more),
        fact: { name: `district.${d.id}`, label: d.label, more },
      })
    }
  }

  // months of accrual: one more month of each, as if it had already been counted
  const asOfMonth = toMonth(asOf.slice(0, 7))
  let first = asOfMonth + 1
  for (const p of a.socialInsurance) first = Math.min(first, toMonth(p.from))
  const month = fromMonth(Math.min(first - 1, asOfMonth))
  single({
    kind: 'accrual',
    action: '在浙江省内再缴纳 1 个月社会保险',
    change: {
      set: 'socialInsurance',
      value: [...a.socialInsurance, { from: month, to: month, region: jurisdiction, backPaid: false }],
    },
    fact: { name: 'insurance.zhejiang.months', label: '社保缴费月数（浙江省内）', more: 1 },
  })
  if (a.residence !== null)
    single({
      kind: 'accrual',
      action: '在浙江省内再居住满 1 个月',
      change: {
        set: 'residence.registeredSince',
        value: fromDay(addMonths(toDay(a.residence.registeredSince), -1)),
      },
      fact: { name: 'residence.months', label: '居住满月数（逾期签注后重新起算）', more: 1 },
    })
  return ladders
}

/**
 * The item that rose most between the base result and a candidate's outcome of the same table (the
 * first on a tie), or -1. `before` holds the base items' points, scaled.
 */
function risen(before: readonly number[], after: points.PointsOutcome): number {
  let best = -1
  let rise = 0
  for (let i = 0; i < before.length; i++) {
    const d = after.points[i] - before[i]
    if (d > rise) {
      rise = d
      best = i
    }
  }
  return best
}

/**
 * What the applicant can act on, highest gain first: the next education and skill tier, employment
 * reaching 12 months, registering the rental contract, each city item, each district item the table
 * declares, and one more month of insurance and of residence. Each change is applied to the facts and scored with the same table and as-of
 * date, so its gain is the engine's own arithmetic (item caps, highest-of-group, layer caps) and
 * applying it raises the score by exactly that. A ladder (education, skills, tax, honours) gives its
 * first rung that gains. Changes that add nothing are left out.
 */
export function advise(
  table: AdviceTable,
  applicant: Applicant,
  ctx: EvalContext,
  base: PointsResult = table.evaluatePoints(applicant, ctx),
): AdviceEntry[] {
  const jurisdiction = ctx.jurisdiction ?? table.table.jurisdiction
  const baseTotal = toScaled(base.total)
  const baseItems = base.items.map((item) => toScaled(item.points))
  const entries: AdviceEntry[] = []
  for (const ladder of candidates(applicant, table.table, ctx.asOf, jurisdiction)) {
    for (const c of ladder) {
      const after = points.score(table, withChange(applicant, c.change), ctx)
      const gain = after.total - baseTotal
      const best = gain > 0 ? risen(baseItems, after) : -1
      if (best < 0) continue
      const now = base.items[best]
      entries.push({
        item: now.id,
        label: now.label,
        kind: c.kind,
        action: c.action,
        change: c.change,
        gain: fromScaled(gain),
        points: now.points,
        cap: now.cap,
        // the legal basis in words (the page and callers show it as it is): the item's row, as the
        // breakdown would give it; provisional as the breakdown's item flag
        ref: citation(table.items[best].item.ref, base.references),
        provisional: (after.flags[best] & points.ITEM_PROVISIONAL) !== 0,
        fact: c.fact?.name ?? null,
        factLabel: c.fact?.label ?? null,
        more: c.fact?.more ?? null,
      })
      break
    }
  }
  // stable: equal gains keep the order above
  return entries.sort((x, y) => y.gain - x.gain)
}
