// Fact catalogue: the person and household facts rules compare, generated from the list of fact group modules in scoring/facts/.
import type { Applicant } from '../schema/applicant.ts'
import { addMonths, type DayNumber, monthOfDay } from './calendar.ts'
import { age } from './facts/age.ts'
import { city } from './facts/city.ts'
import { education, skills } from './facts/education.ts'
import { employmentDistrict, employmentNingbo, study } from './facts/employment.ts'
import { graduation } from './facts/graduation.ts'
import { type AnyFactGroup, buildCatalogue, compileDeriver, type FactDef } from './facts/group.ts'
import { type Household, type HouseholdChild, household } from './facts/household.ts'
import { housing, hukou } from './facts/housing.ts'
import { insurance } from './facts/insurance.ts'
import { EDITION_1_PARAMETERS, type FactParameters } from './facts/parameters.ts'
import { records } from './facts/records.ts'
import { residence } from './facts/residence.ts'
import { regionPrefix } from './regions.ts'

export type { FactDef, FactType } from './facts/group.ts'
export type { HouseholdChild } from './facts/household.ts'
export { EDITION_1_PARAMETERS, type FactParameters } from './facts/parameters.ts'
export { countInsurance, type InsuranceCount, type PermitStatus, permitStatus } from './facts/periods.ts'

/**
 * The person fact groups, in catalogue order: a fact's position in the derived vector, and a
 * group's bit, follow this list. Adding a fact is one edit, in its group's module; a new group is
 * a module and a line here (appended, so that existing positions and bits stay where they are).
 */
export const PERSON_GROUPS: readonly AnyFactGroup<Applicant>[] = [
  age,
  education,
  skills,
  ...insurance,
  residence,
  employmentNingbo,
  employmentDistrict,
  study,
  housing,
  hukou,
  graduation,
  city,
  records,
]
export const HOUSEHOLD_GROUPS: readonly AnyFactGroup<Household>[] = [household]

const PERSON = buildCatalogue(PERSON_GROUPS)
const HOUSEHOLD = buildCatalogue(HOUSEHOLD_GROUPS)
const derivePerson = compileDeriver(PERSON)
const deriveHousehold = compileDeriver(HOUSEHOLD)

/** Every fact a person has; a table may add `district.<id>` facts of its own. */
export const PERSON_FACTS: readonly FactDef[] = PERSON.defs

/** Facts of an admission household: the child and the home; parents' facts go through anyMember/allMembers. */
export const HOUSEHOLD_FACTS: readonly FactDef[] = HOUSEHOLD.defs

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

export const PERSON_INDEX: FactIndex = PERSON.index
export const HOUSEHOLD_INDEX: FactIndex = HOUSEHOLD.index
const UNKNOWN_PERSON_FACTS: FactVector = new Array(PERSON_FACTS.length).fill(Number.NaN)
const UNKNOWN_HOUSEHOLD_FACTS: FactVector = new Array(HOUSEHOLD_FACTS.length).fill(Number.NaN)

/**
 * The group a fact is derived in (all insurance facts of one scope, the permit and residence
 * facts, …): the group module that declares it. A name no module declares (a table's own
 * `district.<id>` fact) is in no group; its first segment is returned, which has no bit.
 */
export function factGroup(name: string): string {
  return PERSON.groupOf.get(name) ?? name.split('.')[0]
}

/** One bit per fact group; `ALL_FACT_GROUPS` derives everything. */
export const GROUP_BIT: ReadonlyMap<string, number> = PERSON.bits
export const ALL_FACT_GROUPS = PERSON.all

/** The group mask that covers the given fact names (unknown names, e.g. district facts, add nothing). */
export function groupsFor(factNames: Iterable<string>): number {
  let mask = 0
  for (const n of factNames) mask |= GROUP_BIT.get(factGroup(n)) ?? 0
  return mask
}

/**
 * Derives the person facts of the groups in `groups` (default: all) as of `at`, for use in
 * `jurisdiction`, under the table's policy `params`; facts of other groups stay NaN (unknown).
 * District facts (`district.<id>`) are appended by the compiled table, which knows their ids.
 */
export function derivePersonFacts(
  a: Applicant,
  at: DayNumber,
  jurisdiction: string,
  groups: number = ALL_FACT_GROUPS,
  params: FactParameters = EDITION_1_PARAMETERS,
): FactVector {
  const ctx = {
    at,
    jurisdiction,
    districtPrefix: regionPrefix(jurisdiction),
    lastMonth: monthOfDay(at),
    params,
  }
  return derivePerson(UNKNOWN_PERSON_FACTS.slice(), a, ctx, groups)
}

/** Household facts as of `at` (the P1 age window is the table's `p1AgeCutoff`, scoring/facts/household.ts). */
export function deriveHouseholdFacts(
  child: HouseholdChild,
  ownsHomeIn: readonly string[],
  at: DayNumber,
  jurisdiction: string,
  params: FactParameters = EDITION_1_PARAMETERS,
  /** the day the household's points were applied for (Zhenhai's gate), when given */
  pointsAppliedOn?: string,
): FactVector {
  const ctx = {
    at,
    jurisdiction,
    districtPrefix: regionPrefix(jurisdiction),
    lastMonth: monthOfDay(at),
    params,
  }
  return deriveHousehold(
    UNKNOWN_HOUSEHOLD_FACTS.slice(),
    { child, ownsHomeIn, pointsAppliedOn },
    ctx,
    HOUSEHOLD.all,
  )
}

/** The date a freeze of `months` months from a record on `recordDay` ends (last frozen day). */
export function freezeLastDay(recordDay: DayNumber, months: number): DayNumber {
  return addMonths(recordDay, months) - 1
}
