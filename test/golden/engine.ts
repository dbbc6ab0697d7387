// Scores one golden case with the engine, exactly as the service does, and gives its normalised JSON.
import { ApplicantSchema } from '../../schema/applicant.ts'
import { HouseholdSchema } from '../../schema/household.ts'
import type { PointsResult } from '../../schema/result.ts'
import type { EvalContext } from '../../scoring/compile.ts'
import type { TableRegistry } from '../../scoring/registry.ts'
import { evaluateAdmission, evaluatePermit, evaluateSettlement } from '../../scoring/schemes.ts'
import { type GoldenCase, normalise } from './cases.ts'

function evaluate(registry: TableRegistry, c: GoldenCase): unknown {
  const ctx: EvalContext = { asOf: c.asOf, jurisdiction: c.jurisdiction, dates: c.dates }
  const table = registry.find(c.scheme, c.jurisdiction, c.asOf)
  const pointsTable = registry.inForce('points', c.jurisdiction, c.asOf)
  const pointsOf = (a: ReturnType<typeof ApplicantSchema.parse>): PointsResult | null =>
    pointsTable === null ? null : pointsTable.evaluatePoints(a, ctx)
  switch (c.scheme) {
    case 'points':
      return table.evaluatePoints(ApplicantSchema.parse(c.applicant), ctx)
    case 'residence-permit':
      return evaluatePermit(table, ApplicantSchema.parse(c.applicant), ctx)
    case 'settlement': {
      const a = ApplicantSchema.parse(c.applicant)
      return evaluateSettlement(table, a, ctx, { points: pointsOf(a) })
    }
    case 'admission':
      return evaluateAdmission(table, HouseholdSchema.parse(c.household), ctx, pointsOf)
  }
}

/** The case's result as JSON text, normalised (see cases.ts); an engine error is recorded as such. */
export function goldenJson(registry: TableRegistry, c: GoldenCase): string {
  let result: unknown
  try {
    // through JSON first: that is how results leave the engine for callers and storage
    result = JSON.parse(JSON.stringify(evaluate(registry, c)))
  } catch (e) {
    result = { error: e instanceof Error ? e.message : String(e) }
  }
  return JSON.stringify(normalise(result))
}
