// Admission allocation: ranks evaluated applications and gives out seats by serial dictatorship (pure, no I/O).
//
// policy.md §5 and product.md capability 5. The round service evaluates every household first (gates,
// priority tier, household points, tie-break facts) and hands the results here; this module only orders
// and places, so that the same inputs and seed always give the same output, byte for byte.
import { hash } from 'node:crypto'
import { dayOf, daysInMonth } from './calendar.ts'

// ---------------------------------------------------------------- the contract: input

// the tie-break vocabulary is part of the API's round schema: defined in schema/, below both
import { DEFAULT_TIE_BREAK, TIE_BREAK_KEYS, type TieBreakKey } from '../schema/household.ts'

export { DEFAULT_TIE_BREAK, TIE_BREAK_KEYS, type TieBreakKey }

/**
 * What a cut-off is taken over. `school`: each unit is a school and a child below its cut-off is simply not
 * placed there. `pool`: each unit is a pool of schools (Cixi's towns, policy.md §5) and a child below the
 * cut-off of every pool listed is referred to a private migrant-children school (`referred`). A
 * points-settlement quota round (policy.md §4) is one unit, the year's quota, with `quota` scope: a ranked
 * applicant the quota did not reach is `quota_exhausted` (counted with `belowCutoff` in the summary).
 */
export type CutoffScope = 'school' | 'pool' | 'quota'

/** The gate that made an application ineligible, as the admission evaluation reported it. */
export interface FailedGate {
  id: string
  label: string
  /** the gate's reason in words (the facts compared), as evaluated */
  reason: string
}

/** One application, already evaluated by the round service (from the household's admission result). */
export interface AllocationApplication {
  /** the enrolment system's applicationRef: unique in the round; also the last, implicit tie-break key */
  ref: string
  /** every admission gate passed; only eligible applications are ranked */
  eligible: boolean
  /** the failed gate when `eligible` is false; null when eligible */
  failedGate: FailedGate | null
  /** priority tier rank (an integer ≥ 1; tier 1 is placed first), or null for no priority tier */
  tier: number | null
  /**
   * household points as an integer of 1/10,000 point (scoring/exact.ts: 107.5 points is 1075000), or null
   * when no points table applied; null ranks below any number
   */
  points: number | null
  /** social-insurance months counted for admission (an integer ≥ 0) */
  insuranceMonths: number
  /** residence months (an integer ≥ 0) */
  residenceMonths: number
  /**
   * when the application was made: an RFC 3339 instant with an offset (`2026-04-01T09:30:00+08:00`),
   * compared as instants, exactly (fractions of a second of any length); null ranks last
   */
  appliedAt: string | null
  /**
   * unit ids in the family's order of preference. Ids the round does not know and repeats of a unit are
   * ignored for placement and reported (`ignoredPreferences`); positions still count as the family wrote
   * them, so `preferenceRank` is the position on the family's own form.
   */
  preferences: readonly string[]
}

/** A school, or a pool of schools (Cixi's towns), with its seats. */
export interface AllocationUnit {
  id: string
  name: string
  /** an integer ≥ 0 */
  seats: number
}

export interface AllocationRound {
  /** schools or pools; the output lists them in this order */
  units: readonly AllocationUnit[]
  cutoffScope: CutoffScope
  /**
   * tie-break keys in order, each at most once, applied after the priority tier. Keys left out are not
   * used. After them, `ref` ascending (by Unicode code point, i.e. UTF-8 byte order) is always the final,
   * implicit key, so the order is total even when the lottery is left out.
   */
  tieBreak: readonly TieBreakKey[]
  /** published with the round; required (non-empty) when `tieBreak` has the lottery */
  lotterySeed: string
}

// ---------------------------------------------------------------- the contract: output

/** Where a child was placed: the unit and its 1-based position on the family's form. */
export interface Placement {
  unit: string
  preferenceRank: number
}

/**
 * Why a listed unit did not take the child: it was full when the child's turn came (`below_cutoff`, with
 * the rank of the last child it admitted: the unit's cut-off, whose values are in `units[].cutoff`) or it
 * had no seats at all (`no_seats`).
 */
export type PreferenceRefusal =
  | { preferenceRank: number; unit: string; refusal: 'below_cutoff'; cutoffRank: number }
  | { preferenceRank: number; unit: string; refusal: 'no_seats'; cutoffRank: null }

/** A preference that took no part in placement: a unit id the round does not have, or a repeat. */
export interface IgnoredPreference {
  preferenceRank: number
  unit: string
  why: 'unknown_unit' | 'duplicate'
}

/** One tie-break value of a cut-off, in the round's key order. */
export type TieBreakValue =
  | { key: 'points'; value: number | null }
  | { key: 'insuranceMonths'; value: number }
  | { key: 'residenceMonths'; value: number }
  | { key: 'appliedAt'; value: string | null }
  | { key: 'lottery'; value: string }

/**
 * A unit's cut-off: the last child it admitted. Any child ranked after `rank` who listed the unit found it
 * full. `rank` and `ref` make the cut-off exact even when every published value ties.
 */
export interface CutOff {
  rank: number
  ref: string
  tier: number | null
  /** 1/10,000 point, as given */
  points: number | null
  /** that child's values for the round's tie-break keys, in the round's order (appliedAt as given) */
  tieBreak: TieBreakValue[]
}

export interface UnitOutcome {
  id: string
  name: string
  seats: number
  placed: number
  seatsLeft: number
  /** null when nobody was placed */
  cutoff: CutOff | null
}

export type Outcome =
  | 'placed'
  | 'gate_failed'
  | 'below_cutoff'
  | 'referred'
  | 'quota_exhausted'
  | 'no_preferences'

interface OutcomeBase {
  ref: string
  /**
   * when not placed, why each unit listed did not take the child (empty otherwise). A placed child found
   * every unit it listed above its placement full, and each one's cut-off is in `units[]`: the refusals are
   * not repeated for the tens of thousands placed, whose outcomes are most of the result.
   */
  refusals: readonly PreferenceRefusal[]
  ignoredPreferences: readonly IgnoredPreference[]
}

/**
 * One application's outcome. Every variant has the same keys (null where they do not apply):
 * - `placed`: `placed` is the unit and preference rank;
 * - `gate_failed`: not eligible, so not ranked (`rank` null); `gate` says which gate and why;
 * - `below_cutoff` (school scope) / `referred` (pool scope: to a private migrant-children school): every
 *   listed unit was full when the child's turn came, `refusals` gives each one's cut-off rank;
 * - `no_preferences`: eligible and ranked, but listed no unit of the round.
 */
export type ApplicationOutcome = OutcomeBase &
  (
    | { rank: number; outcome: 'placed'; placed: Placement; gate: null }
    | { rank: null; outcome: 'gate_failed'; placed: null; gate: FailedGate }
    | {
        rank: number
        outcome: 'below_cutoff' | 'referred' | 'quota_exhausted' | 'no_preferences'
        placed: null
        gate: null
      }
  )

export interface AllocationSummary {
  applications: number
  /** eligible applications, all of which are ranked */
  ranked: number
  placed: number
  gateFailed: number
  /** below every listed unit's cut-off: `below_cutoff`, and in a quota round `quota_exhausted` */
  belowCutoff: number
  referred: number
  noPreferences: number
  seats: number
  seatsLeft: number
}

export interface AllocationResult {
  cutoffScope: CutoffScope
  tieBreak: TieBreakKey[]
  lotterySeed: string
  /** in the round's order */
  units: UnitOutcome[]
  /** by ref ascending (Unicode code point order) */
  applications: ApplicationOutcome[]
  summary: AllocationSummary
}

/** One problem in the input, with its path (`applications[3].ref`, `round.units[1].seats`). */
export interface AllocationIssue {
  path: string
  message: string
}

/**
 * Input the allocator refuses: the caller's fault, for the service to answer with a 400. `issues` lists
 * up to MAX_ISSUES problems, each with its path; `path` is the first one's.
 */
export class AllocationInputError extends Error {
  override readonly name = 'AllocationInputError'
  readonly path: string
  constructor(readonly issues: readonly AllocationIssue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '))
    this.path = issues[0]?.path ?? ''
  }
}

const MAX_ISSUES = 100

// ---------------------------------------------------------------- public helpers

/**
 * The lottery key of an application: SHA-256 over the UTF-8 bytes of `${seed}:${ref}`, as lowercase hex.
 * The smaller key ranks higher. Anyone holding the published seed can recompute it, e.g.
 * `printf '%s' 'seed:ref' | sha256sum`.
 */
export function lotteryKey(seed: string, ref: string): string {
  return hash('sha256', `${seed}:${ref}`, 'hex')
}

/**
 * Orders two strings by Unicode code point, which is also the order of their UTF-8 bytes (what `sort` does
 * under LC_ALL=C, or Python's `sorted`). JavaScript's `<` compares UTF-16 code units instead, which differs
 * only when a character above U+FFFF meets one in U+E000–U+FFFF.
 */
export function compareRefs(a: string, b: string): number {
  if (a === b) return 0
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) return codePointUnit(x) - codePointUnit(y)
  }
  return a.length - b.length
}

/**
 * A UTF-16 unit moved so that units compare in code point order: surrogates (D800–DFFF, the halves of the
 * characters above U+FFFF) go after E000–FFFF, which move down to make room.
 */
function codePointUnit(u: number): number {
  return u < 0xd800 ? u : u >= 0xe000 ? u - 0x800 : u + 0x2000
}

// ---------------------------------------------------------------- application time

/** Two ASCII digits at `i`, or -1. */
function digits2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48
  const b = s.charCodeAt(i + 1) - 48
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1
}

/**
 * Whole seconds since 1970-01-01T00:00:00Z of an RFC 3339 instant `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`
 * (what zod's `z.iso.datetime({ offset: true })` accepts), or NaN when `s` is not one (2026-02-30,
 * 24:00:00 and leap seconds included). Parsed by hand: a regular expression costs several times more and
 * this runs once per application. The fraction is left to instantFraction.
 */
function instantSeconds(s: string): number {
  if (s.length < 20) return Number.NaN
  const y = digits2(s, 0) * 100 + digits2(s, 2)
  const mo = digits2(s, 5)
  const d = digits2(s, 8)
  const h = digits2(s, 11)
  const mi = digits2(s, 14)
  const se = digits2(s, 17)
  if (
    s.charCodeAt(4) !== 45 || // -
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 || // T
    s.charCodeAt(13) !== 58 || // :
    s.charCodeAt(16) !== 58 ||
    y < 0 ||
    digits2(s, 0) < 0 ||
    digits2(s, 2) < 0 ||
    mo < 1 ||
    mo > 12 ||
    d < 1 ||
    d > daysInMonth(y, mo) ||
    h < 0 ||
    h > 23 ||
    mi < 0 ||
    mi > 59 ||
    se < 0 ||
    se > 59
  )
    return Number.NaN
  let i = 19
  if (s.charCodeAt(i) === 46) {
    // . and at least one digit
    const start = ++i
    while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++
    if (i === start) return Number.NaN
  }
  let offset = 0
  const z = s.charCodeAt(i)
  if (z === 90) {
    // Z
    if (i + 1 !== s.length) return Number.NaN
  } else if (z === 43 || z === 45) {
    // + or -
    const oh = digits2(s, i + 1)
    const om = digits2(s, i + 4)
    if (i + 6 !== s.length || s.charCodeAt(i + 3) !== 58 || oh < 0 || oh > 23 || om < 0 || om > 59)
      return Number.NaN
    offset = (z === 43 ? 1 : -1) * (oh * 3600 + om * 60)
  } else return Number.NaN
  return dayOf(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se - offset
}

/**
 * The fraction of a second of a valid instant as its digits without trailing zeros ('' for none). Such
 * digit strings compare as strings exactly as the decimals they write ('5' > '49', '1' = '10'), at any
 * length, where a number would round beyond microseconds.
 */
function instantFraction(s: string): string {
  if (s.charCodeAt(19) !== 46) return ''
  let end = 20
  while (s.charCodeAt(end) >= 48 && s.charCodeAt(end) <= 57) end++
  while (end > 20 && s.charCodeAt(end - 1) === 48) end--
  return s.slice(20, end)
}

// ---------------------------------------------------------------- validation

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null
const isNonNegativeInt = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0
/** Lone surrogates would hash as U+FFFD and make two refs one lottery ticket. */
const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed()

class Issues {
  readonly list: AllocationIssue[] = []
  add(path: string, message: string): void {
    if (this.list.length < MAX_ISSUES) this.list.push({ path, message })
  }
  throwIfAny(): void {
    if (this.list.length > 0) throw new AllocationInputError(this.list)
  }
}

function validateRound(round: unknown, issues: Issues): Map<string, number> {
  const unitIndex = new Map<string, number>()
  if (!isObject(round)) {
    issues.add('round', 'expected an object')
    return unitIndex
  }
  if (!Array.isArray(round.units)) issues.add('round.units', 'expected an array')
  else
    round.units.forEach((u: unknown, i: number) => {
      const at = `round.units[${i}]`
      if (!isObject(u)) {
        issues.add(at, 'expected an object')
        return
      }
      if (typeof u.id !== 'string' || u.id === '') issues.add(`${at}.id`, 'expected a non-empty string')
      else if (unitIndex.has(u.id))
        issues.add(
          `${at}.id`,
          `duplicate unit id ${JSON.stringify(u.id)} (also round.units[${unitIndex.get(u.id)}])`,
        )
      else unitIndex.set(u.id, i)
      if (typeof u.name !== 'string') issues.add(`${at}.name`, 'expected a string')
      if (!isNonNegativeInt(u.seats)) issues.add(`${at}.seats`, 'expected an integer ≥ 0')
    })
  if (round.cutoffScope !== 'school' && round.cutoffScope !== 'pool' && round.cutoffScope !== 'quota')
    issues.add('round.cutoffScope', "expected 'school', 'pool' or 'quota'")
  if (!Array.isArray(round.tieBreak)) issues.add('round.tieBreak', 'expected an array')
  else {
    const seen = new Map<unknown, number>()
    round.tieBreak.forEach((k: unknown, i: number) => {
      if (!(TIE_BREAK_KEYS as readonly unknown[]).includes(k))
        issues.add(
          `round.tieBreak[${i}]`,
          `unknown tie-break key ${JSON.stringify(k)}; expected one of ${TIE_BREAK_KEYS.join(', ')}`,
        )
      else if (seen.has(k))
        issues.add(
          `round.tieBreak[${i}]`,
          `duplicate key ${JSON.stringify(k)} (also round.tieBreak[${seen.get(k)}])`,
        )
      else seen.set(k, i)
    })
  }
  if (typeof round.lotterySeed !== 'string') issues.add('round.lotterySeed', 'expected a string')
  else if (!isWellFormed(round.lotterySeed)) issues.add('round.lotterySeed', 'not well-formed Unicode')
  else if (round.lotterySeed === '' && Array.isArray(round.tieBreak) && round.tieBreak.includes('lottery'))
    issues.add('round.lotterySeed', 'empty, but the lottery is a tie-break key of the round')
  return unitIndex
}

// ---------------------------------------------------------------- reading the applications

const INF = Number.POSITIVE_INFINITY

/**
 * What ranking, placement and the outcomes read, gathered in the one pass over the applications that
 * validates them, into arrays indexed by application: later passes go through the applications in ref or
 * rank order, and reading scattered objects in that order costs a cache miss each.
 */
interface Gathered {
  refs: string[]
  eligible: Uint8Array
  eligibleCount: number
  /**
   * ranking values as ascending numbers: priority tier; points, insurance and residence months negated
   * (descending); application time in whole seconds (fractions: instantFraction, when needed); a null is
   * +Infinity, which ranks last. 0 - x rather than -x: -0 sorts before 0 in a Float64Array.
   */
  tier: Float64Array
  points: Float64Array
  insuranceMonths: Float64Array
  residenceMonths: Float64Array
  seconds: Float64Array
  /** some application time has a fraction of a second */
  hasFractions: boolean
  /**
   * the known, distinct units each application listed, as unit indices: application i's are
   * prefUnit[prefStart[i] … prefStart[i + 1]), at 1-based form positions prefPos[…]
   */
  prefStart: Int32Array
  prefUnit: Int32Array
  prefPos: Int32Array
  /** per application, the preferences ignored for placement (undefined: none) */
  ignored: (IgnoredPreference[] | undefined)[]
}

function gather(
  applications: readonly AllocationApplication[],
  unitIndex: ReadonlyMap<string, number>,
  issues: Issues,
): Gathered {
  const n = applications.length
  const refs: string[] = new Array(n)
  const eligible = new Uint8Array(n)
  let eligibleCount = 0
  const tier = new Float64Array(n)
  const points = new Float64Array(n)
  const insuranceMonths = new Float64Array(n)
  const residenceMonths = new Float64Array(n)
  const seconds = new Float64Array(n)
  let hasFractions = false
  const prefStart = new Int32Array(n + 1)
  let prefUnit = new Int32Array(Math.max(16, n * 5))
  let prefPos = new Int32Array(prefUnit.length)
  let nPrefs = 0
  const ignored: (IgnoredPreference[] | undefined)[] = new Array(n)
  // paths are built only for an issue: a template string per application would cost more than the checks
  for (let i = 0; i < n; i++) {
    const a = applications[i] as unknown
    prefStart[i] = nPrefs
    refs[i] = ''
    if (!isObject(a)) {
      issues.add(`applications[${i}]`, 'expected an object')
      continue
    }
    const ref = a.ref
    if (typeof ref !== 'string' || ref === '')
      issues.add(`applications[${i}].ref`, 'expected a non-empty string')
    else if (!isWellFormed(ref)) issues.add(`applications[${i}].ref`, 'not well-formed Unicode')
    else refs[i] = ref
    if (a.eligible === true) {
      eligible[i] = 1
      eligibleCount++
      if (a.failedGate !== null && a.failedGate !== undefined)
        issues.add(`applications[${i}].failedGate`, 'must be null when the application is eligible')
    } else if (a.eligible === false) {
      const g = a.failedGate
      if (!isObject(g))
        issues.add(`applications[${i}].failedGate`, 'required when the application is not eligible')
      else
        for (const f of ['id', 'label', 'reason'] as const)
          if (typeof g[f] !== 'string') issues.add(`applications[${i}].failedGate.${f}`, 'expected a string')
    } else issues.add(`applications[${i}].eligible`, 'expected a boolean')
    const t = a.tier
    if (t === null) tier[i] = INF
    else if (Number.isSafeInteger(t) && (t as number) >= 1) tier[i] = t as number
    else issues.add(`applications[${i}].tier`, 'expected an integer ≥ 1 or null')
    const p = a.points
    if (p === null) points[i] = INF
    else if (Number.isSafeInteger(p)) points[i] = 0 - (p as number)
    else issues.add(`applications[${i}].points`, 'expected an integer (1/10,000 point) or null')
    if (isNonNegativeInt(a.insuranceMonths)) insuranceMonths[i] = 0 - a.insuranceMonths
    else issues.add(`applications[${i}].insuranceMonths`, 'expected an integer ≥ 0')
    if (isNonNegativeInt(a.residenceMonths)) residenceMonths[i] = 0 - a.residenceMonths
    else issues.add(`applications[${i}].residenceMonths`, 'expected an integer ≥ 0')
    const at = a.appliedAt
    const t0 = at === null ? INF : typeof at === 'string' ? instantSeconds(at) : Number.NaN
    seconds[i] = t0
    if (Number.isNaN(t0))
      issues.add(
        `applications[${i}].appliedAt`,
        'expected an RFC 3339 instant with an offset (2026-04-01T09:30:00+08:00) or null',
      )
    else if (!hasFractions && at !== null && (at as string).charCodeAt(19) === 46) hasFractions = true
    const prefs = a.preferences
    if (!Array.isArray(prefs)) {
      issues.add(`applications[${i}].preferences`, 'expected an array of unit ids')
      continue
    }
    if (nPrefs + prefs.length > prefUnit.length) {
      const grown = Math.max(prefUnit.length * 2, nPrefs + prefs.length)
      const u = new Int32Array(grown)
      u.set(prefUnit)
      prefUnit = u
      const q = new Int32Array(grown)
      q.set(prefPos)
      prefPos = q
    }
    const first = nPrefs
    for (let k = 0; k < prefs.length; k++) {
      const id: unknown = prefs[k]
      if (typeof id !== 'string') {
        issues.add(`applications[${i}].preferences[${k}]`, 'expected a unit id (a string)')
        continue
      }
      const u = unitIndex.get(id)
      let why: IgnoredPreference['why'] | null = u === undefined ? 'unknown_unit' : null
      for (let q = first; why === null && q < nPrefs; q++) if (prefUnit[q] === u) why = 'duplicate'
      if (why === null) {
        prefUnit[nPrefs] = u as number
        prefPos[nPrefs] = k + 1
        nPrefs++
      } else {
        const list = ignored[i] ?? []
        list.push({ preferenceRank: k + 1, unit: id, why })
        ignored[i] = list
      }
    }
  }
  prefStart[n] = nPrefs
  return {
    refs,
    eligible,
    eligibleCount,
    tier,
    points,
    insuranceMonths,
    residenceMonths,
    seconds,
    hasFractions,
    prefStart,
    prefUnit,
    prefPos,
    ignored,
  }
}

// ---------------------------------------------------------------- sorting through packed numbers

/**
 * Sorts ids 0 … m-1 by `key[id]` (integers ≥ 0 with max(key) · m < 2^53), then, among equal keys, by `rest`
 * (null: by id).
 *
 * A sort of 100,000 items with a JavaScript comparator costs several times a native sort of a
 * Float64Array, which compares in C++. So each item becomes one exact number, key · m + id, those are sorted
 * natively, and a comparator only orders runs of items whose keys are equal.
 */
function sortByKey(
  key: Float64Array,
  rest: ((a: number, b: number) => number) | null,
  sortRun: ((run: Int32Array) => void) | null = null,
): Int32Array {
  const m = key.length
  const packed = new Float64Array(m)
  for (let id = 0; id < m; id++) packed[id] = key[id] * m + id
  packed.sort()
  const ids = new Int32Array(m)
  let runStart = 0
  let runBase = -1
  for (let p = 0; p < m; p++) {
    const x = packed[p]
    const id = x % m // exact on integers below 2^53, as is x - id
    ids[p] = id
    if (x - id !== runBase) {
      if (sortRun !== null && p - runStart > 1) sortRun(ids.subarray(runStart, p))
      else if (rest !== null && p - runStart > 1) ids.subarray(runStart, p).sort(rest)
      runStart = p
      runBase = x - id
    }
  }
  if (sortRun !== null && m - runStart > 1) sortRun(ids.subarray(runStart, m))
  else if (rest !== null && m - runStart > 1) ids.subarray(runStart, m).sort(rest)
  return ids
}

/**
 * A number per ref that orders refs as the first few characters after the prefix they all share do
 * (`000123` in `YZ2026P1000123`, in code point order): those characters as the digits of one integer, 0
 * standing for the end of a ref, as many as keep key · n below 2^53. Refs with equal keys are compared in
 * full after.
 */
function refKeys(refs: readonly string[]): Float64Array {
  const n = refs.length
  const keys = new Float64Array(n)
  if (n === 0) return keys
  const r0 = refs[0]
  let shared = r0.length
  for (let i = 1; i < n && shared > 0; i++) {
    const r = refs[i]
    const m = Math.min(shared, r.length)
    let j = 0
    while (j < m && r.charCodeAt(j) === r0.charCodeAt(j)) j++
    shared = j
  }
  const MAX_WIDTH = 8
  let maxUnit = 0
  for (let i = 0; i < n; i++) {
    const r = refs[i]
    const end = Math.min(r.length, shared + MAX_WIDTH)
    for (let j = shared; j < end; j++) {
      const u = codePointUnit(r.charCodeAt(j))
      if (u > maxUnit) maxUnit = u
    }
  }
  const base = maxUnit + 2 // digit 0: the end of the ref; 1 + unit: a character
  const budget = Math.floor(Number.MAX_SAFE_INTEGER / n)
  let width = 0
  for (let span = base; width < MAX_WIDTH && span <= budget; width++) span *= base
  for (let i = 0; i < n; i++) {
    const r = refs[i]
    let key = 0
    for (let j = shared; j < shared + width; j++)
      key = key * base + (j < r.length ? codePointUnit(r.charCodeAt(j)) + 1 : 0)
    keys[i] = key
  }
  return keys
}

/**
 * The applications in ref order (code point order): the output's order and the last ranking key.
 * Duplicate refs end up side by side, and are reported here.
 */
function refOrder(refs: readonly string[], issues: Issues): Int32Array {
  const byRef = sortByKey(refKeys(refs), (x, y) => compareRefs(refs[x], refs[y]))
  for (let k = 1; k < refs.length; k++) {
    const i = byRef[k]
    if (refs[i] !== '' && refs[i] === refs[byRef[k - 1]]) {
      const p = Math.min(i, byRef[k - 1])
      const q = Math.max(i, byRef[k - 1])
      issues.add(
        `applications[${q}].ref`,
        `duplicate ref ${JSON.stringify(refs[q])} (also applications[${p}])`,
      )
    }
  }
  return byRef
}

// ---------------------------------------------------------------- ranking

const LOTTERY = 'lottery'
/** A ranking column (ascending; integers, +Infinity for null, which ranks last), or the lottery. */
type Step = Float64Array | typeof LOTTERY

/** Distinct values of a column, ascending. */
function distinctValues(col: Float64Array): Float64Array {
  const sorted = col.slice().sort()
  let d = 0
  for (let i = 0; i < sorted.length; i++) if (d === 0 || sorted[i] !== sorted[d - 1]) sorted[d++] = sorted[i]
  return sorted.subarray(0, d)
}

/** Position of `v` among `distinct` (ascending, holding v), by binary search. */
function denseRank(distinct: Float64Array, v: number): number {
  let lo = 0
  let hi = distinct.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (distinct[mid] < v) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * Folds the leading numeric steps into one key per position, exact below 2^53 / E: each column mapped to
 * 0 … s-1 in order (by its range, or by its distinct values when the range is too wide) and appended as a
 * digit of base s, for as long as the key fits. Returns the key and how many steps it holds.
 */
function packLeading(steps: readonly Step[], E: number): { key: Float64Array; packed: number } {
  const budget = Math.floor(Number.MAX_SAFE_INTEGER / Math.max(E, 1))
  const key = new Float64Array(E)
  let keySpan = 1
  let packed = 0
  for (const col of steps) {
    if (col === LOTTERY) break
    let min = INF
    let max = Number.NEGATIVE_INFINITY
    let hasNull = false
    for (let e = 0; e < E; e++) {
      const v = col[e]
      if (v === INF) hasNull = true
      else {
        if (v < min) min = v
        if (v > max) max = v
      }
    }
    if (min > max) {
      min = 0
      max = -1
    }
    const rangeSpan = max - min + 1 + (hasNull ? 1 : 0)
    if (rangeSpan <= Math.floor(budget / keySpan)) {
      const nullDigit = max - min + 1
      for (let e = 0; e < E; e++) {
        const v = col[e]
        key[e] = key[e] * rangeSpan + (v === INF ? nullDigit : v - min)
      }
      keySpan *= rangeSpan
    } else {
      if (keySpan * 2 > budget) break
      const distinct = distinctValues(col)
      if (distinct.length > Math.floor(budget / keySpan)) break
      for (let e = 0; e < E; e++) key[e] = key[e] * distinct.length + denseRank(distinct, col[e])
      keySpan *= distinct.length
    }
    packed++
  }
  return { key, packed }
}

/** Lottery keys of the eligible (in ref order), hashed when first needed and kept. */
class Lottery {
  private readonly keys: (string | undefined)[]
  constructor(
    private readonly seed: string,
    private readonly refs: readonly string[],
    private readonly eligible: Int32Array,
  ) {
    this.keys = new Array(eligible.length)
  }
  of(e: number): string {
    let h = this.keys[e]
    if (h === undefined) {
      h = lotteryKey(this.seed, this.refs[this.eligible[e]])
      this.keys[e] = h
    }
    return h
  }
}

/** A gathered column read at the eligible, in their order. */
function columnOf(values: Float64Array, eligible: Int32Array): Float64Array {
  const col = new Float64Array(eligible.length)
  for (let e = 0; e < eligible.length; e++) col[e] = values[eligible[e]]
  return col
}

/**
 * The eligible (given by application index, in ref order) in rank order, as positions in `eligible`:
 * priority tier, then the round's keys, then ref. The leading keys are packed into one number for a native
 * sort, the others compared only where those tie, and the lottery hashed only for applications still
 * tied when it is reached. Since positions follow ref order, the last key is the position itself.
 */
function rankingOrder(
  applications: readonly AllocationApplication[],
  g: Gathered,
  eligible: Int32Array,
  keys: readonly TieBreakKey[],
  lottery: Lottery,
): Int32Array {
  const E = eligible.length
  const steps: Step[] = [columnOf(g.tier, eligible)]
  for (const key of keys) {
    if (key === 'lottery') steps.push(LOTTERY)
    else if (key === 'points') steps.push(columnOf(g.points, eligible))
    else if (key === 'insuranceMonths') steps.push(columnOf(g.insuranceMonths, eligible))
    else if (key === 'residenceMonths') steps.push(columnOf(g.residenceMonths, eligible))
    else {
      steps.push(columnOf(g.seconds, eligible))
      if (!g.hasFractions) continue
      // then the fraction of a second, as its rank among the distinct fractions
      const fractions: string[] = new Array(E)
      const rankOf = new Map<string, number>()
      for (let e = 0; e < E; e++) {
        const at = applications[eligible[e]].appliedAt
        fractions[e] = at === null ? '' : instantFraction(at)
        rankOf.set(fractions[e], 0)
      }
      const distinct = [...rankOf.keys()].sort()
      for (let r = 0; r < distinct.length; r++) rankOf.set(distinct[r], r)
      const frac = new Float64Array(E)
      for (let e = 0; e < E; e++) frac[e] = rankOf.get(fractions[e]) as number
      steps.push(frac)
    }
  }
  const { key, packed } = packLeading(steps, E)
  const rest = steps.slice(packed)
  if (rest.length === 0) return sortByKey(key, null)
  const nRest = rest.length
  const compare = (a: number, b: number): number => {
    for (let s = 0; s < nRest; s++) {
      const col = rest[s]
      if (col === LOTTERY) {
        const p = lottery.of(a)
        const q = lottery.of(b)
        if (p !== q) return p < q ? -1 : 1
      } else {
        const v = col[a]
        const w = col[b]
        if (v !== w) return v < w ? -1 : 1
      }
    }
    return a - b
  }
  if (rest[0] !== LOTTERY) return sortByKey(key, compare)
  // the lottery comes first among the rest: a run of equal packed keys (when the lottery follows points
  // directly, runs of thousands) is sorted natively by the first 32 bits of each lottery key, which order
  // as the hex strings do; the comparator only orders the rare items whose first 32 bits are equal
  const sortRun = (run: Int32Array): void => {
    const r = run.length
    const prefix = new Float64Array(r)
    for (let i = 0; i < r; i++) prefix[i] = Number.parseInt(lottery.of(run[i]).slice(0, 8), 16)
    const members = run.slice()
    const order = sortByKey(prefix, (x, y) => compare(members[x], members[y]))
    for (let i = 0; i < r; i++) run[i] = members[order[i]]
  }
  return sortByKey(key, compare, sortRun)
}

// ---------------------------------------------------------------- the allocation

const NO_REFUSALS: readonly PreferenceRefusal[] = Object.freeze([])
const NO_IGNORED: readonly IgnoredPreference[] = Object.freeze([])

/**
 * Ranks the eligible applications and places them (policy.md §5):
 * 1. order: priority tier (1 before 2 before none), then the round's tie-break keys in its order, then
 *    `ref` ascending (code point order): a total order that does not depend on the input order;
 * 2. serial dictatorship: in rank order, each child gets the highest preference that still has a seat.
 *
 * Throws AllocationInputError (with paths) on bad input. The output is a function of the inputs as sets:
 * applications come out by ref and units in the round's order, so shuffling the applications changes
 * nothing, byte for byte, once serialised. The inputs are not modified.
 */
export function allocate(
  round: AllocationRound,
  applications: readonly AllocationApplication[],
): AllocationResult {
  const issues = new Issues()
  const unitIndex = validateRound(round, issues)
  if (!Array.isArray(applications)) issues.add('applications', 'expected an array')
  issues.throwIfAny()
  const g = gather(applications, unitIndex, issues)
  const byRef = refOrder(g.refs, issues)
  issues.throwIfAny()

  const n = applications.length
  const units = round.units
  const U = units.length
  const unitIds = units.map((u) => u.id)
  const seats = Int32Array.from(units, (u) => u.seats)
  const keys = round.tieBreak
  const { refs, prefStart, prefUnit, prefPos } = g
  // the eligible in ref order: the ranking's positions, whose own order is its last key
  const elig = new Int32Array(g.eligibleCount)
  for (let k = 0, e = 0; k < n; k++) if (g.eligible[byRef[k]] === 1) elig[e++] = byRef[k]
  const E = elig.length
  const lottery = new Lottery(round.lotterySeed, refs, elig)
  const order = rankingOrder(applications, g, elig, keys, lottery)

  // ---- serial dictatorship
  const seatsLeft = seats.slice()
  const lastRank = new Int32Array(U).fill(-1) // 0-based rank of the last child each unit admitted
  const rankOf = new Int32Array(n).fill(-1) // application → 0-based rank; -1: not ranked
  const placedAt = new Int32Array(n).fill(-1) // application → index into prefUnit of its placement
  for (let r = 0; r < E; r++) {
    const i = elig[order[r]]
    rankOf[i] = r
    for (let k = prefStart[i], end = prefStart[i + 1]; k < end; k++) {
      const u = prefUnit[k]
      if (seatsLeft[u] > 0) {
        seatsLeft[u]--
        lastRank[u] = r
        placedAt[i] = k
        break
      }
    }
  }

  // ---- outcomes, by ref
  const summary: AllocationSummary = {
    applications: n,
    ranked: E,
    placed: 0,
    gateFailed: 0,
    belowCutoff: 0,
    referred: 0,
    noPreferences: 0,
    seats: 0,
    seatsLeft: 0,
  }
  const notPlaced =
    round.cutoffScope === 'pool'
      ? 'referred'
      : round.cutoffScope === 'quota'
        ? 'quota_exhausted'
        : 'below_cutoff'
  const out = new Array<ApplicationOutcome>(n)
  for (let o = 0; o < n; o++) {
    const i = byRef[o]
    const ignoredPreferences = g.ignored[i] ?? NO_IGNORED
    const r = rankOf[i]
    if (r < 0) {
      summary.gateFailed++
      const gate = applications[i].failedGate as FailedGate
      out[o] = {
        ref: refs[i],
        rank: null,
        outcome: 'gate_failed',
        placed: null,
        gate: { id: gate.id, label: gate.label, reason: gate.reason },
        refusals: NO_REFUSALS,
        ignoredPreferences,
      }
      continue
    }
    // not placed: every unit listed was full at the child's turn (or had no seats)
    const start = prefStart[i]
    const end = prefStart[i + 1]
    const k = placedAt[i]
    let refusals = NO_REFUSALS
    if (k < 0 && end > start) {
      const list: PreferenceRefusal[] = []
      for (let q = start; q < end; q++) {
        const u = prefUnit[q]
        list.push(
          seats[u] === 0
            ? { preferenceRank: prefPos[q], unit: unitIds[u], refusal: 'no_seats', cutoffRank: null }
            : {
                preferenceRank: prefPos[q],
                unit: unitIds[u],
                refusal: 'below_cutoff',
                cutoffRank: lastRank[u] + 1,
              },
        )
      }
      refusals = list
    }
    if (k >= 0) {
      summary.placed++
      out[o] = {
        ref: refs[i],
        rank: r + 1,
        outcome: 'placed',
        placed: { unit: unitIds[prefUnit[k]], preferenceRank: prefPos[k] },
        gate: null,
        refusals,
        ignoredPreferences,
      }
    } else {
      const outcome = end === start ? 'no_preferences' : notPlaced
      if (outcome === 'no_preferences') summary.noPreferences++
      else if (outcome === 'referred') summary.referred++
      else summary.belowCutoff++
      out[o] = { ref: refs[i], rank: r + 1, outcome, placed: null, gate: null, refusals, ignoredPreferences }
    }
  }

  // ---- units, in the round's order, each with its cut-off: the last child it admitted
  const cutoffOf = (r: number): CutOff => {
    const e = order[r]
    const a = applications[elig[e]]
    return {
      rank: r + 1,
      ref: a.ref,
      tier: a.tier,
      points: a.points,
      tieBreak: keys.map((key): TieBreakValue => {
        switch (key) {
          case 'points':
            return { key, value: a.points }
          case 'insuranceMonths':
            return { key, value: a.insuranceMonths }
          case 'residenceMonths':
            return { key, value: a.residenceMonths }
          case 'appliedAt':
            return { key, value: a.appliedAt }
          default:
            return { key: 'lottery', value: lottery.of(e) }
        }
      }),
    }
  }
  const unitOutcomes = units.map((unit, u): UnitOutcome => {
    summary.seats += seats[u]
    summary.seatsLeft += seatsLeft[u]
    return {
      id: unit.id,
      name: unit.name,
      seats: seats[u],
      placed: seats[u] - seatsLeft[u],
      seatsLeft: seatsLeft[u],
      cutoff: lastRank[u] < 0 ? null : cutoffOf(lastRank[u]),
    }
  })

  return {
    cutoffScope: round.cutoffScope,
    tieBreak: [...keys],
    lotterySeed: round.lotterySeed,
    units: unitOutcomes,
    applications: out,
    summary,
  }
}
