// Residence-permit and settlement eligibility on the tables in force; nothing is stored.
import type { EvaluationRequest } from '../../schema/api.ts'
import type { PermitResult, SettlementResult } from '../../schema/result.ts'
import type { CompiledTable } from '../../scoring/compile.ts'
import { evaluatePermit, evaluateSettlement } from '../../scoring/schemes.ts'
import type { Clock } from '../clock.ts'
import { checkDistrictItems, districtItemsOf } from './district-items.ts'
import { contextOf, evaluateOrExplain, refuseFuture } from './points.ts'
import type { RulesetService } from './rulesets.ts'

export class SchemeService {
  constructor(
    private readonly rulesets: RulesetService,
    private readonly clock: Clock,
  ) {}

  /**
   * District items belong to the points table of the jurisdiction: they are checked against it (and
   * the scheme's own table) on these routes too, so that one applicant is valid or not everywhere.
   */
  private checkDistrictItems(
    req: EvaluationRequest,
    scheme: CompiledTable,
    points: CompiledTable | null,
  ): void {
    const tables = points === null ? [scheme] : [scheme, points]
    checkDistrictItems(
      req.applicant.districtItems,
      tables.map((c) => districtItemsOf(c.table)),
    )
  }

  permit(req: EvaluationRequest): PermitResult {
    refuseFuture(req, this.clock)
    const registry = this.rulesets.current()
    const compiled = registry.find('residence-permit', req.jurisdiction, req.asOf)
    this.checkDistrictItems(req, compiled, registry.inForce('points', req.jurisdiction, req.asOf))
    return evaluateOrExplain(() => evaluatePermit(compiled, req.applicant, contextOf(req)))
  }

  settlement(req: EvaluationRequest): SettlementResult {
    refuseFuture(req, this.clock)
    const registry = this.rulesets.current()
    const compiled = registry.find('settlement', req.jurisdiction, req.asOf)
    const ctx = contextOf(req)
    // Points settlement needs the points under the points table in force; without one the routes still answer.
    const pointsTable = registry.inForce('points', req.jurisdiction, req.asOf)
    this.checkDistrictItems(req, compiled, pointsTable)
    const points =
      pointsTable === null ? null : evaluateOrExplain(() => pointsTable.evaluatePoints(req.applicant, ctx))
    return evaluateOrExplain(() => evaluateSettlement(compiled, req.applicant, ctx, { points }))
  }
}
