// Residence-permit and settlement eligibility on the tables in force; nothing is stored.
import type { EvaluationRequest } from '../../schema/api.ts'
import type { PermitResult, SettlementResult } from '../../schema/result.ts'
import { evaluatePermit, evaluateSettlement } from '../../scoring/schemes.ts'
import type { Clock } from '../clock.ts'
import { contextOf, evaluateOrExplain, refuseFuture } from './points.ts'
import type { RulesetService } from './rulesets.ts'

export class SchemeService {
  constructor(
    private readonly rulesets: RulesetService,
    private readonly clock: Clock,
  ) {}

  permit(req: EvaluationRequest): PermitResult {
    refuseFuture(req, this.clock)
    const compiled = this.rulesets.current().find('residence-permit', req.jurisdiction, req.asOf)
    return evaluateOrExplain(() => evaluatePermit(compiled, req.applicant, contextOf(req)))
  }

  settlement(req: EvaluationRequest): SettlementResult {
    refuseFuture(req, this.clock)
    const registry = this.rulesets.current()
    const compiled = registry.find('settlement', req.jurisdiction, req.asOf)
    const ctx = contextOf(req)
    // Points settlement needs the points under the points table in force; without one the routes still answer.
    const pointsTable = registry.inForce('points', req.jurisdiction, req.asOf)
    const points =
      pointsTable === null ? null : evaluateOrExplain(() => pointsTable.evaluatePoints(req.applicant, ctx))
    return evaluateOrExplain(() => evaluateSettlement(compiled, req.applicant, ctx, { points }))
  }
}
