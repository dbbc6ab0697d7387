// Fact derivation: turns an applicant (caller vocabulary) into the named numeric facts rules compare.
import {
  type Applicant,
  EDUCATION_LEVELS,
  HOUSING_KINDS,
  type InsurancePeriod,
  ORGAN_DONATION,
  TITLE_GRADES,
} from '../schema/applicant.ts'
import {
  addMonths,
  addYears,
  type DayNumber,
  dayOf,
  dayParts,
  fullMonthsBetween,
  fullYearsBetween,
  type MonthIndex,
  monthOfDay,
  toDay,
  toMonth,
} from './calendar.ts'
import { isNingboUrban, isWithin, isYrd, NINGBO, ZHEJIANG } from './regions.ts'

export type FactType = 'number' | 'boolean' | 'enum'
export interface FactDef {
  name: string
  label: string
  type: FactType
  /** enum facts hold the index of their value in this list */
  values?: readonly string[]
}

const HONOURS = ['none', 'district', 'city', 'provincial', 'national'] as const
const ENTRY_GRADES = ['P1', 'J1'] as const

/** Insurance scopes: which contribution regions count. `town` is the 9-digit town/street of the housing. */
const INSURANCE_SCOPES = [
  ['zhejiang', '浙江省内'],
  ['ningbo', '宁波市内'],
  ['district', '本区（县、市）内'],
  ['yrd', '长三角（沪苏浙皖）'],
  ['town', '住房所在镇（街道）'],
] as const
type InsuranceScope = (typeof INSURANCE_SCOPES)[number][0]

const num = (name: string, label: string): FactDef => ({ name, label, type: 'number' })
const bool = (name: string, label: string): FactDef => ({ name, label, type: 'boolean' })
const enumeration = (name: string, label: string, values: readonly string[]): FactDef => ({
  name,
  label,
  type: 'enum',
  values,
})

/** Every fact a person has; a table may add `district.<id>` facts of its own. */
export const PERSON_FACTS: readonly FactDef[] = [
  num('age', '年龄（周岁）'),
  enumeration('education', '学历', EDUCATION_LEVELS),
  num('skill.level', '职业技能等级（1 最高）'),
  enumeration('title.grade', '专业技术职称', TITLE_GRADES),
  bool('skill.specialAbility', '专项职业能力证书'),
  ...INSURANCE_SCOPES.flatMap(([scope, label]) => [
    num(`insurance.${scope}.months`, `社保缴费月数（${label}）`),
    num(`insurance.${scope}.paidMonths`, `社保按时缴费月数（${label}，不含补缴）`),
    num(`insurance.${scope}.backPaidMonths`, `社保补缴月数（${label}）`),
    num(`insurance.${scope}.currentRunMonths`, `社保连续缴费至当月的月数（${label}，不含补缴）`),
  ]),
  bool('residence.registered', '已办理居住登记'),
  bool('residence.inZhejiang', '居住地在浙江省'),
  bool('residence.inNingbo', '居住地在宁波市'),
  bool('residence.inDistrict', '居住地在本区（县、市）'),
  num('residence.registeredMonths', '居住登记满月数'),
  num('residence.months', '居住满月数（逾期签注后重新起算）'),
  bool('permit.held', '持有居住证'),
  bool('permit.valid', '居住证有效'),
  num('permit.validMonths', '居住证连续有效满月数'),
  num('permit.lateEndorsements', '逾期签注次数'),
  bool('employment.ningbo.active', '在宁波就业（至计算日）'),
  num('employment.ningbo.currentRunMonths', '在宁波连续就业满月数（至计算日）'),
  num('employment.ningbo.longestRunMonths', '在宁波最长连续就业满月数'),
  bool('employment.ningbo.businessActive', '在宁波持营业执照经营（至计算日）'),
  bool('employment.district.active', '在本区（县、市）就业（至计算日）'),
  num('employment.district.currentRunMonths', '在本区（县、市）连续就业满月数（至计算日）'),
  bool('study.ningbo.active', '在宁波连续就学'),
  enumeration('housing.kind', '住房类型', HOUSING_KINDS),
  bool('housing.inNingbo', '住房在宁波市'),
  bool('housing.inDistrict', '住房在本区（县、市）'),
  bool('housing.inNingboUrban', '住房在宁波市区'),
  bool('housing.ownedBySelfOrSpouse', '本人或配偶拥有产权住房'),
  bool('hukou.inZhejiang', '户籍在浙江省'),
  bool('hukou.inNingbo', '户籍在宁波市'),
  bool('hukou.inDistrict', '户籍在本区（县、市）'),
  enumeration('graduation.level', '毕业学历', EDUCATION_LEVELS),
  bool('graduation.fullTime', '全日制毕业'),
  num('graduation.yearsSince', '毕业满年数'),
  bool('city.shortageOccupation', '紧缺岗位'),
  num('city.yearlyTaxYuan', '年纳税额（元）'),
  num('city.insuredEmployeesHired', '带动参保就业人数'),
  num('city.inventionPatents', '发明专利数'),
  num('city.utilityPatents', '实用新型或外观设计专利数'),
  enumeration('city.honour', '最高表彰奖励', HONOURS),
  num('city.publicWelfareHours', '志愿服务时数'),
  num('city.bloodDonations', '无偿献血次数'),
  enumeration('city.organDonation', '无偿捐献', ORGAN_DONATION),
  num('records.dishonesty.count', '违法失信记录数'),
  num('records.crime.count', '违法犯罪记录数'),
  num('records.veto.count', '一票否决记录数'),
]

/** Facts of an admission household: the child and the home; parents' facts go through anyMember/allMembers. */
export const HOUSEHOLD_FACTS: readonly FactDef[] = [
  enumeration('child.entryGrade', '入学年级', ENTRY_GRADES),
  num('child.age', '儿童年龄（周岁）'),
  bool('child.p1AgeOk', '儿童在入学当年 8 月 31 日前满 6 周岁且未满 7 周岁'),
  bool('child.hukouInDistrict', '儿童户籍在本区（县、市）'),
  bool('child.hukouInNingbo', '儿童户籍在宁波市'),
  bool('child.permitValid', '儿童持有效居住证'),
  bool('household.ownsHomeInDistrict', '家庭在本区（县、市）有产权住房'),
  bool('household.ownsHomeInNingbo', '家庭在宁波市有产权住房'),
]

/** Where a fact's value is read from: its position in the derived vector. */
export type FactIndex = ReadonlyMap<string, number>

export function indexFacts(defs: readonly FactDef[]): FactIndex {
  return new Map(defs.map((d, i) => [d.name, i]))
}

export const PERSON_INDEX = indexFacts(PERSON_FACTS)
export const HOUSEHOLD_INDEX = indexFacts(HOUSEHOLD_FACTS)
const P = (name: string): number => {
  const i = PERSON_INDEX.get(name)
  if (i === undefined) throw new Error(`unknown fact ${name}`)
  return i
}

/** Merges inclusive [from, to] integer intervals and returns them sorted. */
function mergeIntervals(spans: [number, number][], joinAdjacent: boolean): [number, number][] {
  spans.sort((a, b) => a[0] - b[0])
  const out: [number, number][] = []
  for (const s of spans) {
    const last = out[out.length - 1]
    if (last && s[0] <= last[1] + (joinAdjacent ? 1 : 0)) {
      if (s[1] > last[1]) last[1] = s[1]
    } else out.push([s[0], s[1]])
  }
  return out
}

function totalLength(spans: [number, number][]): number {
  let n = 0
  for (const s of spans) n += s[1] - s[0] + 1
  return n
}

export interface InsuranceCount {
  months: number
  paidMonths: number
  backPaidMonths: number
  currentRunMonths: number
}

/**
 * Months of social insurance in a scope, as of month `last` (inclusive): overlapping periods count
 * once; `to: null` runs to `last`; months after `last` are not yet paid. Back-paid months count
 * in `months` and are flagged in `backPaidMonths`; a month both paid on time and back-paid is on time.
 */
export function countInsurance(
  periods: readonly InsurancePeriod[],
  inScope: (region: string) => boolean,
  last: MonthIndex,
): InsuranceCount {
  const all: [number, number][] = []
  const onTime: [number, number][] = []
  for (const p of periods) {
    if (!inScope(p.region)) continue
    const from = toMonth(p.from)
    const to = Math.min(p.to === null ? last : toMonth(p.to), last)
    if (to < from) continue
    all.push([from, to])
    if (!p.backPaid) onTime.push([from, to])
  }
  const allMerged = mergeIntervals(all, true)
  const onTimeMerged = mergeIntervals(onTime, true)
  const months = totalLength(allMerged)
  const paidMonths = totalLength(onTimeMerged)
  const lastRun = onTimeMerged[onTimeMerged.length - 1]
  return {
    months,
    paidMonths,
    backPaidMonths: months - paidMonths,
    currentRunMonths: lastRun && lastRun[1] === last ? lastRun[1] - lastRun[0] + 1 : 0,
  }
}

/** Day intervals of the periods that match, clipped to `asOf`; `to: null` runs to `asOf`. */
function dayRuns<T extends { from: string; to: string | null; region: string }>(
  periods: readonly T[],
  keep: (p: T) => boolean,
  asOf: DayNumber,
): [number, number][] {
  const spans: [number, number][] = []
  for (const p of periods) {
    if (!keep(p)) continue
    const from = toDay(p.from)
    const to = Math.min(p.to === null ? asOf : toDay(p.to), asOf)
    if (to >= from) spans.push([from, to])
  }
  // a new contract starting the day after the last one ended keeps the run continuous
  return mergeIntervals(spans, true)
}

/** Full months of a run of days [from, to] inclusive: 2025-05-01..2026-04-30 is 12; ..2026-04-29 is 11. */
function runMonths(run: [number, number]): number {
  return fullMonthsBetween(run[0], run[1] + 1)
}

export interface PermitStatus {
  held: boolean
  valid: boolean
  /** start of the current unbroken validity: the issue date or the latest late endorsement */
  validSince: DayNumber | null
  lateEndorsements: number
  /** the latest late endorsement on or before the date, which restarts the residence count */
  lastLateEndorsement: DayNumber | null
}

/**
 * A permit is valid for one year from its issue; each yearly endorsement made while it is valid
 * extends it by one more year (663号 art. 10). A permit lapses on the anniversary it was not
 * endorsed by. An endorsement made after it lapsed is late: the permit was suspended until then,
 * is valid again for one year from that day, and the count of residence years restarts from it.
 * A second endorsement within the same validity year extends nothing.
 */
export function permitStatus(
  permit: { issuedOn: string; endorsements: string[] } | null,
  at: DayNumber,
): PermitStatus {
  const none: PermitStatus = {
    held: false,
    valid: false,
    validSince: null,
    lateEndorsements: 0,
    lastLateEndorsement: null,
  }
  if (permit === null) return none
  const issued = toDay(permit.issuedOn)
  if (issued > at) return none
  const endorsements = permit.endorsements
    .map(toDay)
    .filter((d) => d <= at)
    .sort((x, y) => x - y)
  let expiry = addYears(issued, 1) // first day the permit is no longer valid
  let validSince = issued
  let late = 0
  let lastLate: DayNumber | null = null
  for (const e of endorsements) {
    if (e >= expiry) {
      late++
      lastLate = e
      validSince = e
      expiry = addYears(e, 1)
    } else if (e >= addYears(expiry, -1)) {
      expiry = addYears(expiry, 1)
    }
  }
  return { held: true, valid: at < expiry, validSince, lateEndorsements: late, lastLateEndorsement: lastLate }
}

const b = (x: boolean): number => (x ? 1 : 0)

/**
 * Derives every person fact as of `at` for use in `jurisdiction`. District facts (`district.<id>`)
 * are appended by the compiled table, which knows their ids.
 */
export function derivePersonFacts(a: Applicant, at: DayNumber, jurisdiction: string): Float64Array {
  const f = new Float64Array(PERSON_FACTS.length).fill(Number.NaN)
  const birth = toDay(a.birthDate)
  f[P('age')] = birth <= at ? fullYearsBetween(birth, at) : Number.NaN
  f[P('education')] = EDUCATION_LEVELS.indexOf(a.education)

  let bestLevel = Number.NaN
  let bestTitle = -1
  let special = false
  for (const s of a.skills) {
    if (s.kind === 'skill_level') bestLevel = Number.isNaN(bestLevel) ? s.level : Math.min(bestLevel, s.level)
    else if (s.kind === 'title') bestTitle = Math.max(bestTitle, TITLE_GRADES.indexOf(s.grade))
    else special = true
  }
  f[P('skill.level')] = bestLevel
  f[P('title.grade')] = bestTitle < 0 ? Number.NaN : bestTitle
  f[P('skill.specialAbility')] = b(special)

  const lastMonth = monthOfDay(at)
  const townCode = a.housing?.region?.length === 9 ? a.housing.region : null
  const scopeTest: Record<InsuranceScope, (r: string) => boolean> = {
    zhejiang: (r) => isWithin(r, ZHEJIANG),
    ningbo: (r) => isWithin(r, NINGBO),
    district: (r) => isWithin(r, jurisdiction),
    yrd: isYrd,
    town: (r) => townCode !== null && r === townCode,
  }
  for (const [scope] of INSURANCE_SCOPES) {
    const c = countInsurance(a.socialInsurance, scopeTest[scope], lastMonth)
    f[P(`insurance.${scope}.months`)] = c.months
    f[P(`insurance.${scope}.paidMonths`)] = c.paidMonths
    f[P(`insurance.${scope}.backPaidMonths`)] = c.backPaidMonths
    f[P(`insurance.${scope}.currentRunMonths`)] = c.currentRunMonths
  }

  const r = a.residence
  const permit = permitStatus(r?.permit ?? null, at)
  const registered = r !== null && toDay(r.registeredSince) <= at
  f[P('residence.registered')] = b(registered)
  f[P('residence.inZhejiang')] = b(registered && isWithin(r?.region, ZHEJIANG))
  f[P('residence.inNingbo')] = b(registered && isWithin(r?.region, NINGBO))
  f[P('residence.inDistrict')] = b(registered && isWithin(r?.region, jurisdiction))
  if (registered && r) {
    const since = toDay(r.registeredSince)
    f[P('residence.registeredMonths')] = fullMonthsBetween(since, at)
    const restart = permit.lastLateEndorsement
    f[P('residence.months')] = fullMonthsBetween(restart !== null && restart > since ? restart : since, at)
  } else {
    f[P('residence.registeredMonths')] = 0
    f[P('residence.months')] = 0
  }
  f[P('permit.held')] = b(permit.held)
  f[P('permit.valid')] = b(permit.valid)
  f[P('permit.validMonths')] =
    permit.valid && permit.validSince !== null ? fullMonthsBetween(permit.validSince, at) : 0
  f[P('permit.lateEndorsements')] = permit.lateEndorsements

  const ningboRuns = dayRuns(a.employment, (p) => isWithin(p.region, NINGBO), at)
  const current = ningboRuns.find((s) => s[1] === at)
  f[P('employment.ningbo.active')] = b(current !== undefined)
  f[P('employment.ningbo.currentRunMonths')] = current ? runMonths(current) : 0
  f[P('employment.ningbo.longestRunMonths')] = ningboRuns.reduce((m, s) => Math.max(m, runMonths(s)), 0)
  f[P('employment.ningbo.businessActive')] = b(
    dayRuns(a.employment, (p) => isWithin(p.region, NINGBO) && p.kind === 'business_licence', at).some(
      (s) => s[1] === at,
    ),
  )
  const districtCurrent = dayRuns(a.employment, (p) => isWithin(p.region, jurisdiction), at).find(
    (s) => s[1] === at,
  )
  f[P('employment.district.active')] = b(districtCurrent !== undefined)
  f[P('employment.district.currentRunMonths')] = districtCurrent ? runMonths(districtCurrent) : 0
  f[P('study.ningbo.active')] = b(
    dayRuns(a.study, (p) => isWithin(p.region, NINGBO), at).some((s) => s[1] === at),
  )

  const h = a.housing
  f[P('housing.kind')] = HOUSING_KINDS.indexOf(h?.kind ?? 'none')
  f[P('housing.inNingbo')] = b(h !== null && h.kind !== 'none' && isWithin(h.region, NINGBO))
  f[P('housing.inDistrict')] = b(h !== null && h.kind !== 'none' && isWithin(h.region, jurisdiction))
  f[P('housing.inNingboUrban')] = b(h !== null && h.kind !== 'none' && isNingboUrban(h.region))
  f[P('housing.ownedBySelfOrSpouse')] = b(h?.kind === 'owned' && (h.owner === 'self' || h.owner === 'spouse'))
  f[P('hukou.inZhejiang')] = b(isWithin(a.hukou, ZHEJIANG))
  f[P('hukou.inNingbo')] = b(isWithin(a.hukou, NINGBO))
  f[P('hukou.inDistrict')] = b(isWithin(a.hukou, jurisdiction))

  const g = a.graduation
  if (g !== null && toDay(g.graduatedOn) <= at) {
    f[P('graduation.level')] = EDUCATION_LEVELS.indexOf(g.level)
    f[P('graduation.fullTime')] = b(g.fullTime)
    f[P('graduation.yearsSince')] = fullYearsBetween(toDay(g.graduatedOn), at)
  } else f[P('graduation.fullTime')] = 0

  const c = a.cityItems
  f[P('city.shortageOccupation')] = b(c.shortageOccupation)
  f[P('city.yearlyTaxYuan')] = c.yearlyTaxYuan
  f[P('city.insuredEmployeesHired')] = c.insuredEmployeesHired
  f[P('city.inventionPatents')] = c.inventionPatents
  f[P('city.utilityPatents')] = c.utilityPatents
  f[P('city.honour')] = c.honours.reduce((m, x) => Math.max(m, HONOURS.indexOf(x)), 0)
  f[P('city.publicWelfareHours')] = c.publicWelfareHours
  f[P('city.bloodDonations')] = c.bloodDonations
  f[P('city.organDonation')] = ORGAN_DONATION.indexOf(c.organDonation)

  let dishonesty = 0
  let crime = 0
  let veto = 0
  for (const rec of a.records) {
    if (toDay(rec.date) > at) continue
    if (rec.kind === 'dishonesty') dishonesty++
    else if (rec.kind === 'crime') crime++
    else veto++
  }
  f[P('records.dishonesty.count')] = dishonesty
  f[P('records.crime.count')] = crime
  f[P('records.veto.count')] = veto
  return f
}

export interface HouseholdChild {
  idNumber?: string
  birthDate: string
  hukou: string | null
  entryGrade: 'P1' | 'J1'
  permit?: { issuedOn: string; endorsements: string[] } | null
}

const H = (name: string): number => HOUSEHOLD_INDEX.get(name)!

/**
 * Household facts as of `at`. P1 age (policy.md §5): born 1 Sep of Y−7 through 31 Aug of Y−6,
 * Y being the intake year, taken as the year of the as-of date.
 */
export function deriveHouseholdFacts(
  child: HouseholdChild,
  ownsHomeIn: readonly string[],
  at: DayNumber,
  jurisdiction: string,
): Float64Array {
  const f = new Float64Array(HOUSEHOLD_FACTS.length).fill(Number.NaN)
  const birth = toDay(child.birthDate)
  const year = dayParts(at).year
  f[H('child.entryGrade')] = ENTRY_GRADES.indexOf(child.entryGrade)
  f[H('child.age')] = birth <= at ? fullYearsBetween(birth, at) : Number.NaN
  f[H('child.p1AgeOk')] = b(birth >= dayOf(year - 7, 9, 1) && birth <= dayOf(year - 6, 8, 31))
  f[H('child.hukouInDistrict')] = b(isWithin(child.hukou, jurisdiction))
  f[H('child.hukouInNingbo')] = b(isWithin(child.hukou, NINGBO))
  f[H('child.permitValid')] = b(permitStatus(child.permit ?? null, at).valid)
  f[H('household.ownsHomeInDistrict')] = b(ownsHomeIn.some((r) => isWithin(r, jurisdiction)))
  f[H('household.ownsHomeInNingbo')] = b(ownsHomeIn.some((r) => isWithin(r, NINGBO)))
  return f
}

/** The date a freeze of `months` months from a record on `recordDay` ends (last frozen day). */
export function freezeLastDay(recordDay: DayNumber, months: number): DayNumber {
  return addMonths(recordDay, months) - 1
}
