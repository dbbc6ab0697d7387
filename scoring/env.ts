// Fact environments: the derived facts one evaluation reads, as of the as-of date and named dates.
import type { Applicant } from '../schema/applicant.ts'
import type { Table } from '../schema/table.ts'
import { type DayNumber, dayOf, dayParts, daysInMonth, fromDay, toDay } from './calendar.ts'
import type { Env, FactScope } from './conditions.ts'
import { p1AgeLabel } from './facts/household.ts'
import { parametersOf } from './facts/parameters.ts'
import {
  deriveHouseholdFacts,
  derivePersonFacts,
  EDITION_1_PARAMETERS,
  type FactDef,
  type FactParameters,
  type FactVector,
  HOUSEHOLD_FACTS,
  type HouseholdChild,
  indexFacts,
  PERSON_FACTS,
} from './facts.ts'

/** The caller's frame for one evaluation. */
export interface EvalContext {
  asOf: string
  /** jurisdiction of use (defaults to the table's) */
  jurisdiction?: string
  /** dates the table names with `{ context: name }`, e.g. when online enrolment opens */
  dates?: Readonly<Record<string, string>>
  /**
   * factsSha256 of the applicant when the caller already has it (the service hashes each
   * applicant once, and a population re-score under two tables need not hash twice)
   */
  factsSha256?: string
}

/** A request the engine cannot evaluate (e.g. a named date the caller did not supply): the caller's fault. */
export class EvaluationError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message)
  }
}

/** Facts a person table reads: the catalogue plus the table's own `district.<id>` facts. */
export function personScope(table: Table): FactScope {
  const defs: FactDef[] = [
    ...PERSON_FACTS,
    ...table.districtFacts.map((d) => ({ name: `district.${d.id}`, label: d.label, type: d.type })),
  ]
  return { defs, index: indexFacts(defs), member: null, dateNames: new Set(Object.keys(table.dates)) }
}

/** Facts a household table reads at top level; parents' facts are reached through anyMember/allMembers. */
export function householdScope(table: Table): FactScope {
  const member = personScope(table)
  // the P1 age fact's words name the table's own cut-off (a table without one keeps 31 August)
  const cutoff = parametersOf(table).p1AgeCutoff
  const defs =
    cutoff === EDITION_1_PARAMETERS.p1AgeCutoff
      ? HOUSEHOLD_FACTS
      : HOUSEHOLD_FACTS.map((d) => (d.name === 'child.p1AgeOk' ? { ...d, label: p1AgeLabel(cutoff) } : d))
  return { defs, index: indexFacts(defs), member, dateNames: member.dateNames }
}

/** Resolves a named date of the table for an evaluation as of `asOf`. */
export function namedDay(table: Table, name: string, asOf: DayNumber, ctx: EvalContext): DayNumber {
  const d = table.dates[name]
  if ('date' in d) return toDay(d.date)
  if ('month' in d) {
    const year = dayParts(asOf).year
    // 29 February in a common year is its 28th
    return dayOf(year, d.month, Math.min(d.day, daysInMonth(year, d.month)))
  }
  const given = ctx.dates?.[d.context]
  if (given === undefined)
    throw new EvaluationError(`dates.${d.context}`, `this table needs the date "${d.context}"`)
  return toDay(given)
}

/** Derives a fact vector as of a day; one per kind of subject (a person, a household). */
export interface FactDeriver {
  derive(day: DayNumber): FactVector
}

/** A person's facts: the fact groups the table reads, plus the table's district facts. */
export class PersonDeriver implements FactDeriver {
  constructor(
    private readonly applicant: Applicant,
    private readonly table: Table,
    private readonly jurisdiction: string,
    private readonly groups: number,
  ) {}

  derive(day: DayNumber): FactVector {
    // the table's policy parameters (urban districts, YRD provinces): scoring/facts/parameters.ts
    const base = derivePersonFacts(
      this.applicant,
      day,
      this.jurisdiction,
      this.groups,
      parametersOf(this.table),
    )
    const district = this.table.districtFacts
    if (district.length === 0) return base
    // district facts follow the catalogue's, in the table's order
    for (const d of district) {
      const v = this.applicant.districtItems[d.id]
      base.push(v === undefined ? 0 : typeof v === 'boolean' ? (v ? 1 : 0) : v)
    }
    return base
  }
}

/** A household's own facts (the child, homes owned); parents are members with their own environments. */
export class HouseholdDeriver implements FactDeriver {
  constructor(
    private readonly child: HouseholdChild,
    private readonly ownsHomeIn: readonly string[],
    private readonly jurisdiction: string,
    /** the table's policy parameters (the P1 age cut-off): parametersOf(table) */
    private readonly params: FactParameters = EDITION_1_PARAMETERS,
    /** the day the household's points were applied for (Zhenhai's gate), when given */
    private readonly pointsAppliedOn?: string,
  ) {}

  derive(day: DayNumber): FactVector {
    return deriveHouseholdFacts(
      this.child,
      this.ownsHomeIn,
      day,
      this.jurisdiction,
      this.params,
      this.pointsAppliedOn,
    )
  }
}

/**
 * The environment of one evaluation: facts as of the as-of date, derived up front, and as of a
 * named date the first time a rule asks for it (then cached).
 */
export class DatedEnv implements Env {
  readonly facts: FactVector
  #byDate: Map<string, FactVector> | undefined

  constructor(
    private readonly deriver: FactDeriver,
    private readonly table: Table,
    private readonly asOf: DayNumber,
    private readonly ctx: EvalContext,
    readonly members: readonly Env[] | null,
  ) {
    this.facts = deriver.derive(asOf)
  }

  factsAt(name: string): FactVector {
    this.#byDate ??= new Map()
    let f = this.#byDate.get(name)
    if (!f) {
      f = this.deriver.derive(namedDay(this.table, name, this.asOf, this.ctx))
      this.#byDate.set(name, f)
    }
    return f
  }

  dateOf(name: string): string {
    return fromDay(namedDay(this.table, name, this.asOf, this.ctx))
  }
}

/** The environment of one person as of `asOf`, deriving only the fact groups in `groups`. */
export function personEnv(
  applicant: Applicant,
  table: Table,
  asOf: DayNumber,
  jurisdiction: string,
  ctx: EvalContext,
  groups: number,
): DatedEnv {
  return new DatedEnv(new PersonDeriver(applicant, table, jurisdiction, groups), table, asOf, ctx, null)
}

/** The same environment with its as-of facts replaced (what-if advice: one more month, one more hour). */
export function withFacts(env: Env, facts: FactVector): Env {
  return {
    facts,
    members: env.members,
    factsAt: (name) => env.factsAt(name),
    dateOf: (name) => env.dateOf(name),
  }
}
