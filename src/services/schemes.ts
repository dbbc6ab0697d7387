// Residence-permit and settlement eligibility on the tables in force; nothing is stored.
import type { EvaluationRequest } from '../../schema/api.ts'
import type { PermitResult, PointsResult, SettlementResult } from '../../schema/result.ts'
import type { EvalContext } from '../../scoring/compile.ts'
import { NoTableInForceError } from '../../scoring/registry.ts'
import { evaluatePermit, evaluateSettlement } from '../../scoring/schemes.ts'
import type { Clock } from '../clock.ts'
import { evaluateOrExplain, refuseFuture } from './points.ts'
import type { RulesetService } from './rulesets.ts'

export class SchemeService {
  constructor(
    private readonly rulesets: RulesetService,
    private readonly clock: Clock,
  ) {}

  permit(req: EvaluationRequest): PermitResult {
    refuseFuture(req, this.clock)
    const compiled = this.rulesets.current().find('residence-permit', req.jurisdiction, req.asOf)
    const ctx: EvalContext = { asOf: req.asOf, jurisdiction: req.jurisdiction, dates: req.dates }
    return evaluateOrExplain(() => evaluatePermit(compiled, req.applicant, ctx))
  }

  settlement(req: EvaluationRequest): SettlementResult {
    refuseFuture(req, this.clock)
    const registry = this.rulesets.current()
    const compiled = registry.find('settlement', req.jurisdiction, req.asOf)
    const ctx: EvalContext = { asOf: req.asOf, jurisdiction: req.jurisdiction, dates: req.dates }
    // Points settlement needs the points under the points table in force; without one the routes still answer.
    let points: PointsResult | null = null
    try {
      const pointsTable = registry.find('points', req.jurisdiction, req.asOf)
      points = evaluateOrExplain(() => pointsTable.evaluatePoints(req.applicant, ctx))
    } catch (err) {
      if (!(err instanceof NoTableInForceError)) throw err
    }
    return evaluateOrExplain(() => evaluateSettlement(compiled, req.applicant, ctx, { points }))
  }
}
