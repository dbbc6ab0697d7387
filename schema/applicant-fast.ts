// A fast path for ApplicantSchema: accepts only what the zod schema accepts, with its output; anything else goes to zod.
//
// `parseApplicantFast(x)` returns zod's output for `x` (the same values, the same keys in the same
// order, defaults filled in, new objects and arrays), or undefined when it is not sure that zod would
// accept `x`: then the caller runs `ApplicantSchema` itself, so a rejection and its messages are
// always zod's. It is written rule by rule from schema/applicant.ts and schema/common.ts (the
// same bounds, patterns and refinements, the patterns as character tests) and costs about a quarter of zod on a
// valid applicant. It is deliberately narrow: only plain objects (as JSON.parse makes them), no key
// present with the value undefined, no key zod would strip. test/schema/applicant-fast.test.ts
// compares its verdict and output with zod's on seeded applicants and on a fuzz corpus of mutated
// and hostile ones; a change to ApplicantSchema that this file does not follow fails that test.
import { daysInMonth } from '../lib/calendar.ts'
import {
  type Applicant,
  ApplicantSchema,
  type CityItems,
  EDUCATION_LEVELS,
  EMPLOYMENT_KINDS,
  HONOUR_LEVELS,
  HOUSING_KINDS,
  ORGAN_DONATION,
  RECORD_KINDS,
  TITLE_GRADES,
} from './applicant.ts'
import { idBirthDate, idNumberProblem } from './id-number.ts'

/** Thrown inside the fast path when zod must decide; caught at its entry. */
const UNSURE = Symbol('unsure')
type Obj = Record<string, unknown>

function unsure(): never {
  throw UNSURE
}

const OBJECT_PROTO = Object.prototype

/** A plain object (JSON.parse's kind) whose every key is in `keys` and has a defined value. */
function obj(v: unknown, keys: ReadonlySet<string>): Obj {
  if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== OBJECT_PROTO) unsure()
  // own enumerable string keys (as zod's unknown-key check reads them); symbol keys zod ignores
  const own = Object.keys(v)
  for (let i = 0; i < own.length; i++) {
    const k = own[i]
    if (!keys.has(k) || (v as Obj)[k] === undefined) unsure()
  }
  return v as Obj
}

/** A real array (not a subclass, no holes, prototype intact) of at most `max` items. */
function arr(v: unknown, max: number): unknown[] {
  if (!Array.isArray(v) || Object.getPrototypeOf(v) !== Array.prototype || v.length > max) unsure()
  return v
}

const ID_RE = /^\d{17}[\dX]$/
const DISTRICT_KEY_RE = /^[a-z][a-z0-9_]{0,63}$/

/** The ASCII digit at `i` as a number, or -1 (`\d` without the u flag is [0-9]). */
function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48
  return c >= 0 && c <= 9 ? c : -1
}

/** `^\d{4}-\d{2}` with a year and month isCalendarMonth accepts: year × 16 + month, else 0. */
function yearMonth(s: string): number {
  const y0 = digit(s, 0)
  const y1 = digit(s, 1)
  const y2 = digit(s, 2)
  const y3 = digit(s, 3)
  const m0 = digit(s, 5)
  const m1 = digit(s, 6)
  if ((y0 | y1 | y2 | y3 | m0 | m1) < 0 || s.charCodeAt(4) !== 45) return 0
  const y = y0 * 1000 + y1 * 100 + y2 * 10 + y3
  const m = m0 * 10 + m1
  return y >= 1900 && y <= 2200 && m >= 1 && m <= 12 ? y * 16 + m : 0
}

/** DateStringSchema: /^\d{4}-\d{2}-\d{2}$/ and isCalendarDate (which the test holds this to). */
function date(v: unknown): string {
  if (typeof v !== 'string' || v.length !== 10 || v.charCodeAt(7) !== 45) unsure()
  const ym = yearMonth(v)
  const d0 = digit(v, 8)
  const d1 = digit(v, 9)
  if (ym === 0 || (d0 | d1) < 0) unsure()
  const d = d0 * 10 + d1
  if (d < 1 || d > daysInMonth(ym >> 4, ym & 15)) unsure()
  return v
}
/** MonthStringSchema: /^\d{4}-\d{2}$/ and isCalendarMonth. */
function month(v: unknown): string {
  if (typeof v !== 'string' || v.length !== 7 || yearMonth(v) === 0) unsure()
  return v
}
/** RegionCodeSchema: /^(\d{6}|\d{9})$/. */
function region(v: unknown): string {
  if (typeof v !== 'string' || (v.length !== 6 && v.length !== 9)) unsure()
  for (let i = 0; i < v.length; i++) if (digit(v, i) < 0) unsure()
  return v
}
function bool(v: unknown): boolean {
  if (typeof v !== 'boolean') unsure()
  return v
}
function oneOf<T extends string>(v: unknown, values: ReadonlySet<string>): T {
  if (typeof v !== 'string' || !values.has(v)) unsure()
  return v as T
}
/** z.number().min(0).max(max): finite. */
function num(v: unknown, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !(v >= 0) || !(v <= max)) unsure()
  return v
}
/** z.number().int().min(0).max(max): a safe integer. */
function count(v: unknown, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || !(v >= 0) || !(v <= max)) unsure()
  return v
}

const EDUCATION = new Set<string>(EDUCATION_LEVELS)
const TITLES = new Set<string>(TITLE_GRADES)
const HONOURS = new Set<string>(HONOUR_LEVELS)
const ORGAN = new Set<string>(ORGAN_DONATION)
const HOUSING = new Set<string>(HOUSING_KINDS)
const EMPLOYMENT = new Set<string>(EMPLOYMENT_KINDS)
const RECORDS = new Set<string>(RECORD_KINDS)
const OWNERS = new Set<string>(['self', 'spouse'])

const keys = (...k: string[]) => new Set(k)
const APPLICANT_KEYS = keys(
  'idNumber',
  'birthDate',
  'education',
  'skills',
  'socialInsurance',
  'residence',
  'employment',
  'study',
  'housing',
  'hukou',
  'graduation',
  'cityItems',
  'districtItems',
  'records',
)
const SKILL_LEVEL_KEYS = keys('kind', 'level')
const TITLE_KEYS = keys('kind', 'grade')
const SPECIAL_KEYS = keys('kind')
const INSURANCE_KEYS = keys('from', 'to', 'region', 'backPaid')
const PERMIT_KEYS = keys('issuedOn', 'endorsements')
const RESIDENCE_KEYS = keys('registeredSince', 'region', 'permit')
const PERIOD_KEYS = keys('kind', 'from', 'to', 'region')
const STUDY_KEYS = keys('from', 'to', 'region')
const HOUSING_KEYS = keys('kind', 'region', 'owner')
const GRADUATION_KEYS = keys('level', 'fullTime', 'graduatedOn')
const CITY_KEYS = keys(
  'shortageOccupation',
  'yearlyTaxYuan',
  'insuredEmployeesHired',
  'inventionPatents',
  'utilityPatents',
  'honours',
  'publicWelfareHours',
  'bloodDonations',
  'organDonation',
)
const RECORD_KEYS = keys('kind', 'date')

function skill(v: unknown): Applicant['skills'][number] {
  if (typeof v !== 'object' || v === null) unsure()
  const kind = (v as Obj).kind
  if (kind === 'skill_level') {
    const o = obj(v, SKILL_LEVEL_KEYS)
    const level = o.level
    if (typeof level !== 'number' || !Number.isSafeInteger(level) || !(level >= 1) || !(level <= 5)) unsure()
    return { kind, level }
  }
  if (kind === 'title') {
    const o = obj(v, TITLE_KEYS)
    return { kind, grade: oneOf(o.grade, TITLES) }
  }
  if (kind === 'special_ability') {
    obj(v, SPECIAL_KEYS)
    return { kind }
  }
  return unsure()
}

function insurance(v: unknown): Applicant['socialInsurance'][number] {
  const o = obj(v, INSURANCE_KEYS)
  const from = month(o.from)
  const to = o.to === null ? null : month(o.to)
  const out = {
    from,
    to,
    region: region(o.region),
    backPaid: o.backPaid === undefined ? false : bool(o.backPaid),
  }
  if (to !== null && !(to >= from)) unsure()
  return out
}

function residence(v: unknown): Applicant['residence'] {
  if (v === undefined || v === null) return null
  const o = obj(v, RESIDENCE_KEYS)
  const registeredSince = date(o.registeredSince)
  const reg = region(o.region)
  let permit: NonNullable<Applicant['residence']>['permit'] = null
  if (o.permit !== undefined && o.permit !== null) {
    const p = obj(o.permit, PERMIT_KEYS)
    const issuedOn = date(p.issuedOn)
    const endorsements: string[] = []
    if (p.endorsements !== undefined) for (const e of arr(p.endorsements, 100)) endorsements.push(date(e))
    for (const e of endorsements) if (!(e >= issuedOn)) unsure()
    permit = { issuedOn, endorsements }
  }
  return { registeredSince, region: reg, permit }
}

/** A study period: `from`, `to` (nullable) and `region`; `to` not before `from`. */
function study(v: unknown): Applicant['study'][number] {
  const o = obj(v, STUDY_KEYS)
  const from = date(o.from)
  const to = o.to === null ? null : date(o.to)
  const out = { from, to, region: region(o.region) }
  if (to !== null && !(to >= from)) unsure()
  return out
}

/** A work period: `kind`, then as a study period. */
function employment(v: unknown): Applicant['employment'][number] {
  const o = obj(v, PERIOD_KEYS)
  const kind = oneOf<Applicant['employment'][number]['kind']>(o.kind, EMPLOYMENT)
  const from = date(o.from)
  const to = o.to === null ? null : date(o.to)
  const out = { kind, from, to, region: region(o.region) }
  if (to !== null && !(to >= from)) unsure()
  return out
}

function housing(v: unknown): Applicant['housing'] {
  if (v === undefined || v === null) return null
  const o = obj(v, HOUSING_KEYS)
  return {
    kind: oneOf(o.kind, HOUSING),
    region: o.region === undefined || o.region === null ? null : region(o.region),
    owner: o.owner === undefined || o.owner === null ? null : oneOf<'self' | 'spouse'>(o.owner, OWNERS),
  }
}

function graduation(v: unknown): Applicant['graduation'] {
  if (v === undefined || v === null) return null
  const o = obj(v, GRADUATION_KEYS)
  return { level: oneOf(o.level, EDUCATION), fullTime: bool(o.fullTime), graduatedOn: date(o.graduatedOn) }
}

function cityItems(v: unknown): CityItems {
  if (v === undefined) v = {}
  const o = obj(v, CITY_KEYS)
  const honours: CityItems['honours'] = []
  if (o.honours !== undefined) for (const h of arr(o.honours, 100)) honours.push(oneOf(h, HONOURS))
  return {
    shortageOccupation: o.shortageOccupation === undefined ? false : bool(o.shortageOccupation),
    yearlyTaxYuan: o.yearlyTaxYuan === undefined ? 0 : num(o.yearlyTaxYuan, 1e12),
    insuredEmployeesHired:
      o.insuredEmployeesHired === undefined ? 0 : count(o.insuredEmployeesHired, 1_000_000),
    inventionPatents: o.inventionPatents === undefined ? 0 : count(o.inventionPatents, 100_000),
    utilityPatents: o.utilityPatents === undefined ? 0 : count(o.utilityPatents, 100_000),
    honours,
    publicWelfareHours: o.publicWelfareHours === undefined ? 0 : num(o.publicWelfareHours, 1_000_000),
    bloodDonations: o.bloodDonations === undefined ? 0 : count(o.bloodDonations, 10_000),
    organDonation: o.organDonation === undefined ? 'none' : oneOf(o.organDonation, ORGAN),
  }
}

function districtItems(v: unknown): Applicant['districtItems'] {
  if (v === undefined) return {}
  if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== OBJECT_PROTO) unsure()
  const out: Applicant['districtItems'] = {}
  let n = 0
  for (const k in v) {
    if (!Object.hasOwn(v, k) || !DISTRICT_KEY_RE.test(k)) unsure()
    const x = (v as Obj)[k]
    if (typeof x === 'boolean') out[k] = x
    else out[k] = num(x, 1_000_000)
    n++
  }
  // symbol keys are zod's to judge (it reads Reflect.ownKeys)
  if (n > 64 || Object.getOwnPropertySymbols(v).length > 0) unsure()
  return out
}

function list<T>(v: unknown, max: number, item: (x: unknown) => T): T[] {
  const out: T[] = []
  if (v === undefined) return out
  for (const x of arr(v, max)) out.push(item(x))
  return out
}

function applicant(v: unknown): Applicant {
  const o = obj(v, APPLICANT_KEYS)
  let idNumber: string | undefined
  if (o.idNumber !== undefined) {
    const id = o.idNumber
    if (typeof id !== 'string' || !ID_RE.test(id) || idNumberProblem(id) !== null) unsure()
    idNumber = id
  }
  const birthDate = date(o.birthDate)
  if (idNumber !== undefined && idBirthDate(idNumber) !== birthDate) unsure()
  const out = {
    ...(idNumber === undefined ? {} : { idNumber }),
    birthDate,
    education: o.education === undefined ? 'none' : oneOf<Applicant['education']>(o.education, EDUCATION),
    skills: list(o.skills, 50, skill),
    socialInsurance: list(o.socialInsurance, 500, insurance),
    residence: residence(o.residence),
    employment: list(o.employment, 200, employment),
    study: list(o.study, 50, study),
    housing: housing(o.housing),
    hukou: o.hukou === undefined || o.hukou === null ? null : region(o.hukou),
    graduation: graduation(o.graduation),
    cityItems: cityItems(o.cityItems),
    districtItems: districtItems(o.districtItems),
    records: list(o.records, 200, (x) => {
      const r = obj(x, RECORD_KEYS)
      return { kind: oneOf<Applicant['records'][number]['kind']>(r.kind, RECORDS), date: date(r.date) }
    }),
  }
  return out as Applicant
}

/** ApplicantSchema's output for `value` when it surely accepts it; undefined when zod must decide. */
export function parseApplicantFast(value: unknown): Applicant | undefined {
  try {
    return applicant(value)
  } catch (e) {
    if (e === UNSURE) return undefined
    throw e
  }
}

/** `ApplicantSchema.safeParse(value)`'s verdict and output: the fast path, and zod when it declines. */
export function safeParseApplicant(value: unknown): ReturnType<typeof ApplicantSchema.safeParse> {
  const fast = parseApplicantFast(value)
  return fast === undefined ? ApplicantSchema.safeParse(value) : { success: true, data: fast }
}
