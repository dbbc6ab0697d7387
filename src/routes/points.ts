// Points routes: official evaluations (stored, 201), reading and replaying them, and the public preview.
import type { FastifyInstance } from 'fastify'
import {
  EvaluationIdParamsSchema,
  EvaluationRequestSchema,
  PointsEvaluationSchema,
  PreviewSchema,
  ReplaySchema,
} from '../../schema/api.ts'
import type { Services } from '../app.ts'
import { BODY_PROBLEMS, ok, problems, typed } from './common.ts'

export function pointsRoutes(app: FastifyInstance, services: () => Services): void {
  const r = typed(app)
  r.post(
    '/v1/points/evaluations',
    {
      config: { scopes: ['police', 'education'] },
      schema: {
        tags: ['points'],
        summary:
          'Official points evaluation: scored with the table in force on asOf, stored with a reference number',
        body: EvaluationRequestSchema,
        response: {
          201: ok(PointsEvaluationSchema, 'the stored record: id, reference number and result'),
          ...problems(...BODY_PROBLEMS, 'FUTURE_DATE', 'NO_TABLE_IN_FORCE', 'EVALUATION'),
        },
      },
    },
    async (req, reply) => {
      const record = await services().points.createOfficial(req.body)
      return reply.code(201).header('location', `/v1/points/evaluations/${record.id}`).send(record)
    },
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
        body: EvaluationRequestSchema,
        response: {
          200: ok(PreviewSchema, 'the result and advice; nothing was stored'),
          ...problems(...BODY_PROBLEMS, 'FUTURE_DATE', 'NO_TABLE_IN_FORCE', 'EVALUATION'),
        },
      },
    },
    async (req) => services().points.preview(req.body),
  )
}
