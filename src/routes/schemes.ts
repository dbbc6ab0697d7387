// Residence-permit and settlement eligibility routes: gates with reasons, entitlements, routes that pass or fail.
import type { FastifyInstance } from 'fastify'
import {
  EvaluationRequestSchema,
  PermitEligibilitySchema,
  SettlementEligibilitySchema,
} from '../../schema/api.ts'
import type { Services } from '../state.ts'
import { BODY_PROBLEMS, ok, problems, typed } from './common.ts'

export function schemeRoutes(app: FastifyInstance, services: () => Services): void {
  const r = typed(app)
  const errors = problems(...BODY_PROBLEMS, 'FUTURE_DATE', 'NO_TABLE_IN_FORCE', 'EVALUATION')
  r.post(
    '/v1/residence-permit/eligibility',
    {
      // enrolment systems check a parent's permit: admission depends on it (issue 15)
      config: { scopes: ['police', 'education'] },
      schema: {
        tags: ['residence-permit'],
        summary:
          'Whether the applicant may hold a residence permit, the permit’s state, and what it entitles to',
        description:
          "Police counters, and enrolment systems checking a parent's permit (admission depends on it). Stores nothing.",
        body: EvaluationRequestSchema,
        response: {
          200: ok(PermitEligibilitySchema, 'gates with reasons, the permit’s state and entitlements'),
          ...errors,
        },
      },
    },
    async (req) => services().schemes.permit(req.body),
  )
  r.post(
    '/v1/settlement/eligibility',
    {
      config: { scopes: ['police'] },
      schema: {
        tags: ['settlement'],
        summary:
          'Every settlement route of the period with the reason it passes or fails, and points settlement',
        description:
          'The routes of the settlement rules in force on the as-of date, each with its gates and reasons. Stores nothing.',
        body: EvaluationRequestSchema,
        response: {
          200: ok(SettlementEligibilitySchema, 'each route with whether it passes and why'),
          ...errors,
        },
      },
    },
    async (req) => services().schemes.settlement(req.body),
  )
}
