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
import { isNingboUrban, isWithin, isWithinPrefix, isYrd, NINGBO, regionPrefix, ZHEJIANG } from './regions.ts'

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
  num('employment.ningbo.businessRunMonths', '在宁波持营业执照连续经营满月数（至计算日）'),
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
  // Zhenhai (policy.md §5): read at a named date, e.g. the day online enrolment opens; unknown when not given
  bool('household.pointsAppliedBefore', '积分申请日在该日之前'),
]

/**
 * Derived facts, by position in a catalogue; NaN = unknown. A plain array of doubles, not a
 * Float64Array: typed-array allocation costs ~0.6 µs, copying an array template ~40 ns, and
 * every evaluation allocates one.
 */
export type FactVector = number[]

/** Where a fact's value is read from: its position in the derived vector. */
export type FactIndex = ReadonlyMap<string, number>

export function indexFacts(defs: readonly FactDef[]): FactIndex {
  return new Map(defs.map((d, i) => [d.name, i]))
}

export const PERSON_INDEX = indexFacts(PERSON_FACTS)
const UNKNOWN_PERSON_FACTS: FactVector = new Array(PERSON_FACTS.length).fill(Number.NaN)
const UNKNOWN_HOUSEHOLD_FACTS: FactVector = new Array(HOUSEHOLD_FACTS.length).fill(Number.NaN)
export const HOUSEHOLD_INDEX = indexFacts(HOUSEHOLD_FACTS)
const P = (name: string): number => {
  const i = PERSON_INDEX.get(name)
  if (i === undefined) throw new Error(`unknown fact ${name}`)
  return i
}

const byStart = (a: [number, number], b: [number, number]): number => a[0] - b[0]

/**
 * Sorts spans by start, stably (as Array.prototype.sort does). An applicant has a handful of
 * periods, and for so few an insertion sort beats sort() calling a comparator for every pair.
 */
function sortByStart(spans: [number, number][]): void {
  if (spans.length > 16) {
    spans.sort(byStart)
    return
  }
  for (let i = 1; i < spans.length; i++) {
    const s = spans[i]
    let j = i - 1
    for (; j >= 0 && spans[j][0] > s[0]; j--) spans[j + 1] = spans[j]
    spans[j + 1] = s
  }
}

/**
 * Merges inclusive [from, to] integer intervals and returns them sorted. Works in place: `spans`
 * and its pairs must be the caller's own, freshly built (every caller builds them per call).
 */
function mergeIntervals(spans: [number, number][], joinAdjacent: boolean): [number, number][] {
  sortByStart(spans)
  const gap = joinAdjacent ? 1 : 0
  let n = 0 // spans[0..n) are the merged runs so far
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]
    const last = n > 0 ? spans[n - 1] : undefined
    if (last !== undefined && s[0] <= last[1] + gap) {
      if (s[1] > last[1]) last[1] = s[1]
    } else spans[n++] = s
  }
  spans.length = n
  return spans
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
export function countInsurance<A>(
  periods: readonly InsurancePeriod[],
  inScope: (region: string, arg: A) => boolean,
  last: MonthIndex,
  /** passed on to `inScope`, so that a scope needs no closure built per evaluation */
  arg?: A,
): InsuranceCount {
  const all: [number, number][] = []
  const onTime: [number, number][] = []
  for (const p of periods) {
    if (!inScope(p.region, arg as A)) continue
    const from = toMonth(p.from)
    const to = Math.min(p.to === null ? last : toMonth(p.to), last)
    if (to < from) continue
    all.push([from, to])
    if (!p.backPaid) onTime.push([from, to])
  }
  // most applicants have no back-paid month: then the on-time periods are all of them
  const allOnTime = onTime.length === all.length
  const allMerged = mergeIntervals(all, true) // (merges in place: `all` may shrink)
  const onTimeMerged = allOnTime ? allMerged : mergeIntervals(onTime, true)
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

/**
 * Day intervals of the periods inside the region of `prefix` (see regionPrefix; and of `kind`,
 * when given), clipped to `asOf`; `to: null` runs to `asOf`.
 */
function dayRuns(
  periods: readonly { from: string; to: string | null; region: string; kind?: string }[],
  prefix: string,
  kind: string | null,
  asOf: DayNumber,
): [number, number][] {
  const spans: [number, number][] = []
  for (const p of periods) {
    if (!isWithinPrefix(p.region, prefix) || (kind !== null && p.kind !== kind)) continue
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

/** The run that reaches day `at` (a current job, a current study), if any. */
function runReaching(runs: readonly [number, number][], at: DayNumber): [number, number] | undefined {
  for (const r of runs) if (r[1] === at) return r
  return undefined
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

const ascending = (x: number, y: number): number => x - y

function notHeld(): PermitStatus {
  return { held: false, valid: false, validSince: null, lateEndorsements: 0, lastLateEndorsement: null }
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
  if (permit === null) return notHeld()
  const issued = toDay(permit.issuedOn)
  if (issued > at) return notHeld()
  const endorsements: DayNumber[] = []
  let inOrder = true
  for (const e of permit.endorsements) {
    const d = toDay(e)
    if (d > at) continue
    if (endorsements.length > 0 && d < endorsements[endorsements.length - 1]) inOrder = false
    endorsements.push(d)
  }
  // they usually arrive in date order: sort (a comparator call per pair) only when they did not
  if (!inOrder) endorsements.sort(ascending)
  let yearStart = issued // the current validity year runs from yearStart up to (not including) expiry
  let expiry = addYears(issued, 1)
  let validSince = issued
  let late = 0
  let lastLate: DayNumber | null = null
  for (const e of endorsements) {
    if (e >= expiry) {
      late++
      lastLate = e
      validSince = e
      yearStart = e
      expiry = addYears(e, 1)
    } else if (e >= yearStart) {
      yearStart = expiry
      expiry = addYears(expiry, 1)
    }
  }
  return { held: true, valid: at < expiry, validSince, lateEndorsements: late, lastLateEndorsement: lastLate }
}

const b = (x: boolean): number => (x ? 1 : 0)

/**
 * Facts come in groups derived together (all insurance facts of one scope, the permit and
 * residence facts, …). A compiled table derives only the groups its rules read.
 */
export function factGroup(name: string): string {
  const parts = name.split('.')
  if (parts[0] === 'insurance' || parts[0] === 'employment') return `${parts[0]}.${parts[1]}`
  if (parts[0] === 'permit') return 'residence'
  if (parts[0] === 'skill' || parts[0] === 'title') return 'skills'
  return parts[0]
}

const GROUP_NAMES = [...new Set(PERSON_FACTS.map((d) => factGroup(d.name)))]
/** One bit per fact group; `ALL_FACT_GROUPS` derives everything. */
export const GROUP_BIT: ReadonlyMap<string, number> = new Map(GROUP_NAMES.map((g, i) => [g, 1 << i]))
export const ALL_FACT_GROUPS = (1 << GROUP_NAMES.length) - 1

/** The group mask that covers the given fact names (unknown names, e.g. district facts, add nothing). */
export function groupsFor(factNames: Iterable<string>): number {
  let mask = 0
  for (const n of factNames) mask |= GROUP_BIT.get(factGroup(n)) ?? 0
  return mask
}

const bit = (group: string): number => GROUP_BIT.get(group)!

// Fact positions resolved once at load, not per evaluation.
const I = {
  age: P('age'),
  education: P('education'),
  skillLevel: P('skill.level'),
  titleGrade: P('title.grade'),
  special: P('skill.specialAbility'),
  registered: P('residence.registered'),
  inZhejiang: P('residence.inZhejiang'),
  inNingbo: P('residence.inNingbo'),
  inDistrict: P('residence.inDistrict'),
  registeredMonths: P('residence.registeredMonths'),
  residenceMonths: P('residence.months'),
  permitHeld: P('permit.held'),
  permitValid: P('permit.valid'),
  permitValidMonths: P('permit.validMonths'),
  lateEndorsements: P('permit.lateEndorsements'),
  empActive: P('employment.ningbo.active'),
  empRun: P('employment.ningbo.currentRunMonths'),
  empLongest: P('employment.ningbo.longestRunMonths'),
  empBusiness: P('employment.ningbo.businessActive'),
  empBusinessRun: P('employment.ningbo.businessRunMonths'),
  empDistrictActive: P('employment.district.active'),
  empDistrictRun: P('employment.district.currentRunMonths'),
  study: P('study.ningbo.active'),
  housingKind: P('housing.kind'),
  housingNingbo: P('housing.inNingbo'),
  housingDistrict: P('housing.inDistrict'),
  housingUrban: P('housing.inNingboUrban'),
  housingOwned: P('housing.ownedBySelfOrSpouse'),
  hukouZhejiang: P('hukou.inZhejiang'),
  hukouNingbo: P('hukou.inNingbo'),
  hukouDistrict: P('hukou.inDistrict'),
  gradLevel: P('graduation.level'),
  gradFullTime: P('graduation.fullTime'),
  gradYears: P('graduation.yearsSince'),
  shortage: P('city.shortageOccupation'),
  tax: P('city.yearlyTaxYuan'),
  hired: P('city.insuredEmployeesHired'),
  inventions: P('city.inventionPatents'),
  utility: P('city.utilityPatents'),
  honour: P('city.honour'),
  welfare: P('city.publicWelfareHours'),
  blood: P('city.bloodDonations'),
  organ: P('city.organDonation'),
  dishonesty: P('records.dishonesty.count'),
  crime: P('records.crime.count'),
  veto: P('records.veto.count'),
}
const INSURANCE = INSURANCE_SCOPES.map(([scope]) => ({
  scope,
  bit: bit(`insurance.${scope}`),
  months: P(`insurance.${scope}.months`),
  paid: P(`insurance.${scope}.paidMonths`),
  backPaid: P(`insurance.${scope}.backPaidMonths`),
  run: P(`insurance.${scope}.currentRunMonths`),
}))
const G = {
  age: bit('age'),
  education: bit('education'),
  skills: bit('skills'),
  residence: bit('residence'),
  employmentNingbo: bit('employment.ningbo'),
  employmentDistrict: bit('employment.district'),
  study: bit('study'),
  housing: bit('housing'),
  hukou: bit('hukou'),
  graduation: bit('graduation'),
  city: bit('city'),
  records: bit('records'),
}

const ZHEJIANG_PREFIX = regionPrefix(ZHEJIANG)
const NINGBO_PREFIX = regionPrefix(NINGBO)
// Insurance scope tests take their variable part (a region prefix, the housing's town) as an
// argument rather than closing over it: a closure made per evaluation is costly (and under tsx,
// esbuild's keepNames wraps each one in a __name call).
const isTown = (r: string, town: string | null) => town !== null && r === town

/**
 * Derives the person facts of the groups in `groups` (default: all) as of `at`, for use in
 * `jurisdiction`; facts of other groups stay NaN (unknown). District facts (`district.<id>`)
 * are appended by the compiled table, which knows their ids.
 */
export function derivePersonFacts(
  a: Applicant,
  at: DayNumber,
  jurisdiction: string,
  groups: number = ALL_FACT_GROUPS,
): FactVector {
  const f = UNKNOWN_PERSON_FACTS.slice()
  const districtPrefix = regionPrefix(jurisdiction)
  if (groups & G.age) {
    const birth = toDay(a.birthDate)
    f[I.age] = birth <= at ? fullYearsBetween(birth, at) : Number.NaN
  }
  if (groups & G.education) f[I.education] = EDUCATION_LEVELS.indexOf(a.education)

  if (groups & G.skills) {
    let bestLevel = Number.NaN
    let bestTitle = -1
    let special = false
    for (const s of a.skills) {
      if (s.kind === 'skill_level')
        bestLevel = Number.isNaN(bestLevel) ? s.level : Math.min(bestLevel, s.level)
      else if (s.kind === 'title') bestTitle = Math.max(bestTitle, TITLE_GRADES.indexOf(s.grade))
      else special = true
    }
    f[I.skillLevel] = bestLevel
    f[I.titleGrade] = bestTitle < 0 ? Number.NaN : bestTitle
    f[I.special] = b(special)
  }

  const lastMonth = monthOfDay(at)
  for (const ins of INSURANCE) {
    if (!(groups & ins.bit)) continue
    const periods = a.socialInsurance
    let c: InsuranceCount
    if (ins.scope === 'zhejiang') c = countInsurance(periods, isWithinPrefix, lastMonth, ZHEJIANG_PREFIX)
    else if (ins.scope === 'ningbo') c = countInsurance(periods, isWithinPrefix, lastMonth, NINGBO_PREFIX)
    else if (ins.scope === 'district') c = countInsurance(periods, isWithinPrefix, lastMonth, districtPrefix)
    else if (ins.scope === 'yrd') c = countInsurance(periods, isYrd, lastMonth)
    else {
      const town = a.housing?.region?.length === 9 ? a.housing.region : null
      c = countInsurance(periods, isTown, lastMonth, town)
    }
    f[ins.months] = c.months
    f[ins.paid] = c.paidMonths
    f[ins.backPaid] = c.backPaidMonths
    f[ins.run] = c.currentRunMonths
  }

  if (groups & G.residence) {
    const r = a.residence
    const permit = permitStatus(r?.permit ?? null, at)
    const since = r === null ? Number.NaN : toDay(r.registeredSince)
    const registered = r !== null && since <= at
    f[I.registered] = b(registered)
    f[I.inZhejiang] = b(registered && isWithinPrefix(r?.region, ZHEJIANG_PREFIX))
    f[I.inNingbo] = b(registered && isWithinPrefix(r?.region, NINGBO_PREFIX))
    f[I.inDistrict] = b(registered && isWithinPrefix(r?.region, districtPrefix))
    if (registered) {
      f[I.registeredMonths] = fullMonthsBetween(since, at)
      const restart = permit.lastLateEndorsement
      f[I.residenceMonths] = fullMonthsBetween(restart !== null && restart > since ? restart : since, at)
    } else {
      f[I.registeredMonths] = 0
      f[I.residenceMonths] = 0
    }
    f[I.permitHeld] = b(permit.held)
    f[I.permitValid] = b(permit.valid)
    f[I.permitValidMonths] =
      permit.valid && permit.validSince !== null ? fullMonthsBetween(permit.validSince, at) : 0
    f[I.lateEndorsements] = permit.lateEndorsements
  }

  if (groups & G.employmentNingbo) {
    const runs = dayRuns(a.employment, NINGBO_PREFIX, null, at)
    const current = runReaching(runs, at)
    f[I.empActive] = b(current !== undefined)
    f[I.empRun] = current ? runMonths(current) : 0
    let longest = 0
    for (const r of runs) longest = Math.max(longest, runMonths(r))
    f[I.empLongest] = longest
    // a second pass over the contracts only when there is a business licence among them
    let hasBusiness = false
    for (const e of a.employment) hasBusiness ||= e.kind === 'business_licence'
    const business = hasBusiness
      ? runReaching(dayRuns(a.employment, NINGBO_PREFIX, 'business_licence', at), at)
      : undefined
    f[I.empBusiness] = b(business !== undefined)
    f[I.empBusinessRun] = business ? runMonths(business) : 0
  }
  if (groups & G.employmentDistrict) {
    const current = runReaching(dayRuns(a.employment, districtPrefix, null, at), at)
    f[I.empDistrictActive] = b(current !== undefined)
    f[I.empDistrictRun] = current ? runMonths(current) : 0
  }
  if (groups & G.study)
    f[I.study] = b(runReaching(dayRuns(a.study, NINGBO_PREFIX, null, at), at) !== undefined)

  if (groups & G.housing) {
    const h = a.housing
    const has = h !== null && h.kind !== 'none'
    f[I.housingKind] = HOUSING_KINDS.indexOf(h?.kind ?? 'none')
    f[I.housingNingbo] = b(has && isWithinPrefix(h.region, NINGBO_PREFIX))
    f[I.housingDistrict] = b(has && isWithinPrefix(h.region, districtPrefix))
    f[I.housingUrban] = b(has && isNingboUrban(h.region))
    f[I.housingOwned] = b(h?.kind === 'owned' && (h.owner === 'self' || h.owner === 'spouse'))
  }
  if (groups & G.hukou) {
    f[I.hukouZhejiang] = b(isWithinPrefix(a.hukou, ZHEJIANG_PREFIX))
    f[I.hukouNingbo] = b(isWithinPrefix(a.hukou, NINGBO_PREFIX))
    f[I.hukouDistrict] = b(isWithinPrefix(a.hukou, districtPrefix))
  }
  if (groups & G.graduation) {
    const g = a.graduation
    if (g !== null && toDay(g.graduatedOn) <= at) {
      f[I.gradLevel] = EDUCATION_LEVELS.indexOf(g.level)
      f[I.gradFullTime] = b(g.fullTime)
      f[I.gradYears] = fullYearsBetween(toDay(g.graduatedOn), at)
    } else f[I.gradFullTime] = 0
  }
  if (groups & G.city) {
    const c = a.cityItems
    f[I.shortage] = b(c.shortageOccupation)
    f[I.tax] = c.yearlyTaxYuan
    f[I.hired] = c.insuredEmployeesHired
    f[I.inventions] = c.inventionPatents
    f[I.utility] = c.utilityPatents
    let honour = 0
    for (const x of c.honours) honour = Math.max(honour, HONOURS.indexOf(x))
    f[I.honour] = honour
    f[I.welfare] = c.publicWelfareHours
    f[I.blood] = c.bloodDonations
    f[I.organ] = ORGAN_DONATION.indexOf(c.organDonation)
  }
  if (groups & G.records) {
    let dishonesty = 0
    let crime = 0
    let veto = 0
    for (const rec of a.records) {
      if (toDay(rec.date) > at) continue
      if (rec.kind === 'dishonesty') dishonesty++
      else if (rec.kind === 'crime') crime++
      else veto++
    }
    f[I.dishonesty] = dishonesty
    f[I.crime] = crime
    f[I.veto] = veto
  }
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
  pointsAppliedOn?: string,
): FactVector {
  const f = UNKNOWN_HOUSEHOLD_FACTS.slice()
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
  if (pointsAppliedOn !== undefined) f[H('household.pointsAppliedBefore')] = b(toDay(pointsAppliedOn) < at)
  return f
}

/** The date a freeze of `months` months from a record on `recordDay` ends (last frozen day). */
export function freezeLastDay(recordDay: DayNumber, months: number): DayNumber {
  return addMonths(recordDay, months) - 1
}
