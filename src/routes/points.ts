// Points routes: official evaluations (stored, 201, idempotent), reading, search by ID number, replay, public preview.
import type { FastifyInstance } from 'fastify'
import {
  EvaluationIdParamsSchema,
  EvaluationListSchema,
  EvaluationLookupQuerySchema,
  EvaluationRequestSchema,
  EvaluationSearchSchema,
  IdempotencyHeadersSchema,
  PointsEvaluationSchema,
  PreviewRequestSchema,
  PreviewSchema,
  ReplaySchema,
} from '../../schema/api.ts'
import type { Services } from '../state.ts'
import { BODY_PROBLEMS, ok, problems, sendWritten, typed, writeContext } from './common.ts'

export function pointsRoutes(app: FastifyInstance, services: () => Services): void {
  const r = typed(app)
  // the lookup by ID number, asked with the ID in the body (search) or, deprecated, in the query
  const recordsOf = async (lookup: { idNumber: string; limit: number }) => ({
    evaluations: await services().points.listByIdNumber(lookup.idNumber, lookup.limit),
  })
  r.post(
    '/v1/points/evaluations',
    {
      config: { scopes: ['police', 'education'] },
      schema: {
        tags: ['points'],
        summary:
          'Official points evaluation: scored with the table in force on asOf, stored with a reference number',
        headers: IdempotencyHeadersSchema,
        body: EvaluationRequestSchema,
        response: {
          201: ok(
            PointsEvaluationSchema,
            'the stored record: id, reference number and result (also the answer to a retry with the same Idempotency-Key)',
          ),
          ...problems(
            ...BODY_PROBLEMS,
            'IDEMPOTENCY_CONFLICT',
            'FUTURE_DATE',
            'NO_TABLE_IN_FORCE',
            'EVALUATION',
          ),
        },
      },
    },
    async (req, reply) =>
      sendWritten(reply, await services().points.createOfficial(req.body, writeContext(req))),
  )
  r.post(
    '/v1/points/evaluations/search',
    {
      config: { scopes: ['police', 'auditor'] },
      schema: {
        tags: ['points'],
        summary: 'A person’s official records, found by ID number (matched through its keyed hash)',
        description:
          'The ID number travels in the body, so proxies and access logs that record URLs never see it. Stores nothing.',
        body: EvaluationSearchSchema,
        response: {
          200: ok(EvaluationListSchema, 'the records made with this ID number, newest first'),
          ...problems(...BODY_PROBLEMS),
        },
      },
    },
    async (req) => recordsOf(req.body),
  )
  r.get(
    '/v1/points/evaluations',
    {
      config: { scopes: ['police', 'auditor'] },
      schema: {
        tags: ['points'],
        summary: 'A person’s official records, found by ID number (matched through its keyed hash)',
        description:
          'Deprecated: the ID number is in the URL, which proxies and access logs may record in full. Use POST /v1/points/evaluations/search.',
        deprecated: true,
        querystring: EvaluationLookupQuerySchema,
        response: {
          200: ok(EvaluationListSchema, 'the records made with this ID number, newest first'),
          ...problems('VALIDATION'),
        },
      },
    },
    async (req) => recordsOf(req.query),
  )
  r.get(
    '/v1/points/evaluations/:id',
    {
      config: { scopes: ['police', 'education', 'auditor'] },
      schema: {
        tags: ['points'],
        summary: 'Read a stored official evaluation',
        params: EvaluationIdParamsSchema,
        response: {
          200: ok(PointsEvaluationSchema, 'the stored record'),
          ...problems('VALIDATION', 'NOT_FOUND'),
        },
      },
    },
    async (req) => services().points.get(req.params.id),
  )
  r.post(
    '/v1/points/evaluations/:id/replay',
    {
      config: { scopes: ['police', 'education', 'auditor'] },
      schema: {
        tags: ['points'],
        summary:
          'Recompute a stored evaluation with its stored table and facts; report whether it is identical and what differs',
        params: EvaluationIdParamsSchema,
        response: {
          200: ok(ReplaySchema, 'the replayed result and any differences from the stored one'),
          ...problems('VALIDATION', 'NOT_FOUND', 'RECORD_CORRUPT', 'EVALUATION'),
        },
      },
    },
    async (req) => services().points.replay(req.params.id),
  )
  r.post(
    '/v1/points/preview',
    {
      config: { scopes: ['public'] },
      schema: {
        tags: ['points'],
        summary: 'Preview points without storing anything, with advice on what would raise the score',
        description:
          'Advice lists changes the applicant can act on, each with its exact gain, legal reference and provisional mark. With `target`, also the projection: the score on each month-end if only time passes, and the first day it reaches the target (or why it does not).',
        body: PreviewRequestSchema,
        response: {
          200: ok(PreviewSchema, 'the result, advice and projection; nothing was stored'),
          ...problems(...BODY_PROBLEMS, 'FUTURE_DATE', 'NO_TABLE_IN_FORCE', 'EVALUATION'),
        },
      },
    },
    async (req) => services().points.preview(req.body),
  )
}
