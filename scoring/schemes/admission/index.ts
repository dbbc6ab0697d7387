// The admission scheme: its table and result schemas, compile, score (numbers only), explain, and the tie-break values.
import type { Applicant } from '../../../schema/applicant.ts'
import type { Household } from '../../../schema/household.ts'
import type { AdmissionResult } from '../../../schema/result.ts'
import type { Table } from '../../../schema/table.ts'
import { toDay } from '../../calendar.ts'
import type { CompiledTable, SchemeParts } from '../../compiled.ts'
import { compileCondition, type FactScope } from '../../conditions.ts'
import { DatedEnv, type EvalContext, HouseholdDeriver, personEnv } from '../../env.ts'
import { toScaled } from '../../exact.ts'
import { parametersOf } from '../../facts/parameters.ts'
import { PERSON_INDEX } from '../../facts.ts'
import { contentSha256, factsSha256 } from '../../hash.ts'
import { isProvisional, reasonOf } from '../../provisional.ts'
import { expectScheme, provisionalMarks, referencesOf } from '../common.ts'
import type { PointsUsed } from '../points/index.ts'

export { AdmissionResultSchema as ResultSchema } from '../../../schema/result.ts'
export { AdmissionTableSchema as TableSchema } from '../../../schema/table.ts'

export const SCHEME = 'admission'

const INSURANCE = PERSON_INDEX.get('insurance.ningbo.months')!
const RESIDENCE = PERSON_INDEX.get('residence.months')!

/** Facts every admission table derives for its parents, whatever its rules read: the tie-break values. */
export const TIE_BREAK_FACTS = ['insurance.ningbo.months', 'residence.months'] as const

/**
 * The values a round ranks a household by after its priority tier (scoring/allocation.ts takes
 * them as they are): household points in 1/10,000 point (null: no points table applied), and the
 * scoring parent's social-insurance and residence months (0 when no parent's points count).
 */
export interface AdmissionTieBreak {
  points: number | null
  insuranceMonths: number
  residenceMonths: number
}

/** What `score()` returns: the gates, the priority tier, each parent's points and the tie-break values. */
export interface AdmissionOutcome {
  scheme: 'admission'
  asOf: string
  jurisdiction: string
  eligible: boolean
  /** per table gate: passed */
  gates: boolean[]
  /** index of the priority tier placed in (in the table's order), -1: none */
  tier: number
  /** per parent: the points that may count for the household (null: no points table in force) */
  parents: (PointsUsed | null)[]
  /** index of the parent whose points count, or null */
  scoringParent: number | null
  tieBreak: AdmissionTieBreak
}

/** Compiles the priority tiers against the household scope. */
export function compile(table: Table, scope: FactScope): SchemeParts['tiers'] {
  return table.priorityTiers.map((t, i) => ({
    t,
    cond: compileCondition(t.when, scope, `priorityTiers[${i}].when`),
  }))
}

function envOf(c: CompiledTable, household: Household, ctx: EvalContext): DatedEnv {
  const asOf = toDay(ctx.asOf)
  const jurisdiction = ctx.jurisdiction ?? c.table.jurisdiction
  const members = household.parents.map((p) => personEnv(p, c.table, asOf, jurisdiction, ctx, c.factGroups))
  return new DatedEnv(
    new HouseholdDeriver(
      household.child,
      household.ownsHomeIn,
      jurisdiction,
      parametersOf(c.table),
      household.pointsAppliedOn,
    ),
    c.table,
    asOf,
    ctx,
    members,
  )
}

/**
 * School admission of a migrant child (policy.md §5): the district's gates on the household, the
 * priority tier, and household points = the higher-scoring parent whose score may be used (first
 * parent on a tie). `pointsOf` scores one parent under the points table in force (a PointsResult,
 * or `pointsUsed` of a points outcome), or returns null when none is in force (legacy gate-only
 * rules): the gates still decide eligibility.
 */
export function score(
  c: CompiledTable,
  household: Household,
  ctx: EvalContext,
  pointsOf: (parent: Applicant) => PointsUsed | null,
): AdmissionOutcome {
  expectScheme(c, 'admission')
  return scoreIn(c, envOf(c, household, ctx), household, ctx, pointsOf)
}

function scoreIn(
  c: CompiledTable,
  env: DatedEnv,
  household: Household,
  ctx: EvalContext,
  pointsOf: (parent: Applicant) => PointsUsed | null,
): AdmissionOutcome {
  const gates = c.gates.map((g) => g.test(env))
  // the tier of lowest rank that holds (the first in the table on a tie)
  let tier = -1
  c.parts.tiers.forEach(({ t, cond }, i) => {
    if ((tier < 0 || t.rank < c.parts.tiers[tier].t.rank) && cond.test(env)) tier = i
  })
  const parents = household.parents.map(pointsOf)
  let best: number | null = null
  parents.forEach((p, i) => {
    if (p?.eligible && (best === null || p.total > (parents[best]?.total ?? 0))) best = i
  })
  const scoring = best === null ? null : env.members?.[best]
  const points = best === null ? null : (parents[best]?.total ?? null)
  return {
    scheme: 'admission',
    asOf: ctx.asOf,
    jurisdiction: ctx.jurisdiction ?? c.table.jurisdiction,
    eligible: gates.every((g) => g),
    gates,
    tier,
    parents: parents.map((p) =>
      p === null
        ? null
        : { total: p.total, eligible: p.eligible, frozenUntil: p.frozenUntil, ruleset: p.ruleset },
    ),
    scoringParent: best,
    tieBreak: {
      points: points === null ? null : toScaled(points),
      insuranceMonths: scoring ? scoring.facts[INSURANCE] : 0,
      residenceMonths: scoring ? scoring.facts[RESIDENCE] : 0,
    },
  }
}

export function explain(
  c: CompiledTable,
  o: AdmissionOutcome,
  household: Household,
  ctx: EvalContext,
): AdmissionResult {
  expectScheme(c, 'admission')
  return explainIn(c, o, envOf(c, household, ctx), household, ctx)
}

function explainIn(
  c: CompiledTable,
  o: AdmissionOutcome,
  env: DatedEnv,
  household: Household,
  ctx: EvalContext,
): AdmissionResult {
  const gates = c.gates.map((g, i) => g.explain(env, o.gates[i], ctx.asOf))
  const tier = o.tier < 0 ? null : c.parts.tiers[o.tier].t
  const rows = [...gates, ...(tier ? [tier] : [])]
  return {
    scheme: 'admission',
    jurisdiction: o.jurisdiction,
    asOf: o.asOf,
    eligible: o.eligible,
    gates,
    priorityTier: tier
      ? {
          id: tier.id,
          label: tier.label,
          rank: tier.rank,
          ref: tier.ref,
          provisional: isProvisional(tier.provisional),
          ...reasonOf(tier.provisional),
        }
      : null,
    points: o.scoringParent === null ? null : (o.parents[o.scoringParent]?.total ?? null),
    scoringParent: o.scoringParent,
    parents: o.parents.map((p) =>
      p === null
        ? { total: null, eligible: false, frozenUntil: null, ruleset: null }
        : { total: p.total, eligible: p.eligible, frozenUntil: p.frozenUntil, ruleset: p.ruleset },
    ),
    insuranceMonths: o.tieBreak.insuranceMonths,
    residenceMonths: o.tieBreak.residenceMonths,
    ...provisionalMarks(c, rows),
    ruleset: c.ref,
    ...referencesOf(c),
    factsSha256: contentSha256({
      parents: household.parents.map((p) => factsSha256(p)),
      child: { ...household.child, idNumber: undefined },
      ownsHomeIn: household.ownsHomeIn,
      // only when given, so that the facts hash of a household without it is what it always was
      ...(household.pointsAppliedOn === undefined ? {} : { pointsAppliedOn: household.pointsAppliedOn }),
    }),
  }
}

/** The tie-break values of an admission result (what a round ranks by, points in 1/10,000). */
export function tieBreakOf(result: AdmissionResult): AdmissionTieBreak {
  return {
    points: result.points === null ? null : toScaled(result.points),
    insuranceMonths: result.insuranceMonths,
    residenceMonths: result.residenceMonths,
  }
}

/** score + explain on one environment: the full result. */
export function evaluate(
  c: CompiledTable,
  household: Household,
  ctx: EvalContext,
  pointsOf: (parent: Applicant) => PointsUsed | null,
): AdmissionResult {
  expectScheme(c, 'admission')
  const env = envOf(c, household, ctx)
  return explainIn(c, scoreIn(c, env, household, ctx, pointsOf), env, household, ctx)
}
