// The golden population: 100,000 seeded cases spread over every shipped table and scheme, and how each is scored.

import { generateApplicants, mulberry32 } from '../../bench/lib/applicants.ts'
import type { ApplicantInput } from '../../schema/applicant.ts'

/** One case: a scheme, the jurisdiction and as-of date to score in, and the applicant or household. */
export interface GoldenCase {
  index: number
  scheme: 'points' | 'residence-permit' | 'settlement' | 'admission'
  jurisdiction: string
  asOf: string
  dates?: Record<string, string>
  applicant?: ApplicantInput
  household?: unknown
}

/** A shipped table to aim cases at: its scheme, jurisdiction and the days it is in force. */
export interface GoldenTarget {
  scheme: GoldenCase['scheme']
  jurisdiction: string
  validFrom: string
  validTo: string | null
  districtItems?: readonly { id: string; type: 'number' | 'boolean' }[]
}

/** Every as-of date stays on or before this day, so that the file never depends on when it is made. */
const LAST_AS_OF = '2026-10-31'
const MS_PER_DAY = 86_400_000
const dayOf = (s: string): number => Date.parse(`${s}T00:00:00Z`) / MS_PER_DAY
const iso = (day: number): string => new Date(day * MS_PER_DAY).toISOString().slice(0, 10)

/**
 * Case `index` of the golden population. The target is chosen round-robin (every table gets an
 * equal share), the as-of date uniformly inside the target's window, and the people by the bench's
 * seeded generator, with the parts it leaves out (graduation, study, district items, ID numbers'
 * absence) added from the same seed.
 */
export function goldenCase(index: number, targets: readonly GoldenTarget[]): GoldenCase {
  const target = targets[index % targets.length]
  const rnd = mulberry32(0x9e3779b9 ^ index)
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1))
  const first = dayOf(target.validFrom)
  const last = Math.min(dayOf(target.validTo ?? LAST_AS_OF), dayOf(LAST_AS_OF))
  const asOf = iso(int(first, last))
  const person = (seed: number): ApplicantInput => {
    const a = generateApplicants(1, seed, asOf)[0]
    const r = mulberry32(seed ^ 0x5bd1e995)
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]
    if (r() < 0.3) {
      const graduatedOn = iso(int(dayOf('1995-06-30'), dayOf(asOf)))
      a.graduation = {
        level: pick(['vocational_secondary', 'junior_college', 'bachelor', 'master', 'senior'] as const),
        fullTime: r() < 0.7,
        graduatedOn,
      }
    }
    if (r() < 0.1) {
      const from = iso(int(dayOf('2015-09-01'), dayOf(asOf)))
      a.study = [{ from, to: r() < 0.7 ? null : asOf, region: pick(['330212', '330203', '330106']) }]
    }
    if (target.districtItems !== undefined && target.districtItems.length > 0 && r() < 0.6) {
      const items: Record<string, number | boolean> = {}
      for (const d of target.districtItems) {
        if (r() < 0.5) continue
        items[d.id] = d.type === 'boolean' ? r() < 0.6 : int(0, 4)
      }
      a.districtItems = items
    }
    return a
  }
  const base = { index, scheme: target.scheme, jurisdiction: target.jurisdiction, asOf }
  if (target.scheme !== 'admission') return { ...base, applicant: person(index * 7 + 1) }
  // a household: one or two parents, a child around school-entry age, sometimes local hukou or a home
  const parents = [person(index * 7 + 1)]
  if (rnd() < 0.7) parents.push(person(index * 7 + 2))
  const year = Number(asOf.slice(0, 4))
  const p1 = rnd() < 0.7
  const born = p1 ? iso(int(dayOf(`${year - 7}-06-01`), dayOf(`${year - 6}-10-31`))) : `${year - 12}-03-15`
  const childPermit =
    rnd() < 0.4
      ? { issuedOn: iso(Math.min(dayOf(born) + int(0, 2000), dayOf(asOf))), endorsements: [] }
      : null
  const household = {
    parents,
    child: {
      birthDate: born,
      hukou: rnd() < 0.15 ? target.jurisdiction : rnd() < 0.5 ? '330203' : '410105',
      entryGrade: p1 ? 'P1' : 'J1',
      permit: childPermit,
    },
    ownsHomeIn: rnd() < 0.15 ? [target.jurisdiction] : rnd() < 0.1 ? ['330203'] : [],
    preferences: [],
  }
  // tables that name caller-supplied dates (Zhenhai: registration, checking) get them around the as-of date
  const dates = {
    registration: iso(Math.max(first, dayOf(asOf) - int(0, 60))),
    checking: asOf,
    // Zhenhai version 2: online enrolment opens on the registration day (no draw: the stream stays as it was)
    enrolmentOpens: iso(Math.max(first, dayOf(asOf) - 60)),
  }
  // Zhenhai households: points applied for 90 days before the as-of date, after it for one in five, none for
  // one in five (from the index, not the stream, so that every other case keeps its values)
  // (⌊index / 97⌋: targets are round-robin, so index mod a small number would give one table one kind only)
  const kind = Math.floor(index / 97) % 5
  if (target.jurisdiction === '330211' && kind !== 0)
    Object.assign(household, { pointsAppliedOn: iso(dayOf(asOf) - (kind === 1 ? 0 : 90)) })
  return { ...base, household, dates }
}

/**
 * The golden comparison ignores what the engine redesign changes on purpose: legal references
 * (free text today, resolved reference objects after), the table identity (its content gains the
 * reference data, so its hash changes) and the result-level provisional flag (the table-level flag
 * becomes structured). Every other byte must stay.
 */
const CHANGED_BY_DESIGN = new Set(['ref', 'references', 'ruleset', 'pointsRuleset'])

export function normalise(value: unknown, depth = 0): unknown {
  if (Array.isArray(value)) return value.map((v) => normalise(v, depth + 1))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) {
      if (CHANGED_BY_DESIGN.has(k)) continue
      if (depth === 0 && k === 'provisional') continue
      out[k] = normalise(v, depth + 1)
    }
    return out
  }
  return value
}
