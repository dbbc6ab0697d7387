// The evaluate* entry points every caller has used: each is score + explain of its scheme module (scoring/schemes/<scheme>/).
import type { Applicant } from '../schema/applicant.ts'
import type { Household } from '../schema/household.ts'
import type { AdmissionResult, PermitResult, PointsResult, SettlementResult } from '../schema/result.ts'
import type { CompiledTable } from './compiled.ts'
import type { EvalContext } from './env.ts'
import * as admission from './schemes/admission/index.ts'
import * as points from './schemes/points/index.ts'
import * as permit from './schemes/residence-permit/index.ts'
import * as settlement from './schemes/settlement/index.ts'

export { admission, permit, points, settlement }

/** Points of one person: the per-item breakdown, layers, deductions, gates (points tables only). */
export function evaluatePoints(c: CompiledTable, applicant: Applicant, ctx: EvalContext): PointsResult {
  return points.evaluate(c, applicant, ctx)
}

/** Residence permit: the gate for holding one (663号 art. 2), the permit's state, and what it entitles to. */
export function evaluatePermit(c: CompiledTable, applicant: Applicant, ctx: EvalContext): PermitResult {
  return permit.evaluate(c, applicant, ctx)
}

/**
 * Settlement: every route of the period with each gate's reason, and points settlement (threshold +
 * yearly quota) when the table has it. `points` is the applicant's points result under the points
 * table in force, which the caller looks up (null when none is in force).
 */
export function evaluateSettlement(
  c: CompiledTable,
  applicant: Applicant,
  ctx: EvalContext,
  deps: { points: PointsResult | null },
): SettlementResult {
  return settlement.evaluate(c, applicant, ctx, deps)
}

/**
 * School admission of a migrant child (policy.md §5). `pointsOf` scores one parent under the points
 * table in force, or returns null when none is in force: see scoring/schemes/admission.
 */
export function evaluateAdmission(
  c: CompiledTable,
  household: Household,
  ctx: EvalContext,
  pointsOf: (parent: Applicant) => PointsResult | null,
): AdmissionResult {
  return admission.evaluate(c, household, ctx, pointsOf)
}
