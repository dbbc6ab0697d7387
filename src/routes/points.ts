// Points routes: official evaluations (stored, 201, idempotent), reading, search by ID number, replay, public preview.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
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
  ReferenceParamsSchema,
  ReplaySchema,
  VerificationSchema,
  VerifyQuerySchema,
  VoidRequestSchema,
  VoidResultSchema,
} from '../../schema/api.ts'
import type { Services } from '../state.ts'
import { BODY_PROBLEMS, ok, problems, sendWritten, typed, writeContext } from './common.ts'

/** When GET /v1/points/evaluations?idNumber= was deprecated (2026-11-23, 00:00 UTC), as RFC 9745 spells it. */
export const DEPRECATED_SINCE = `@${Date.UTC(2026, 10, 23) / 1000}`
/** After this the deprecated GET may be removed (RFC 8594 HTTP-date): a service decision, see docs/callers.md. */
export const SUNSET = 'Thu, 31 Dec 2026 23:59:59 GMT'
const SUCCESSOR = '</v1/points/evaluations/search>; rel="successor-version"'

export function pointsRoutes(app: FastifyInstance, services: () => Services): void {
  const r = typed(app)
  // the lookup by ID number, asked with the ID in the body (search) or, deprecated, in the query
  const recordsOf = async (req: FastifyRequest, lookup: { idNumber: string; limit: number }) => ({
    evaluations: await services().points.listByIdNumber(
      lookup.idNumber,
      lookup.limit,
      writeContext(req).actor,
    ),
  })
  r.post(
    '/v1/points/evaluations',
    {
      config: { scopes: ['police', 'education'] },
      schema: {
        tags: ['points'],
        summary:
          'Official points evaluation: scored with the table in force on asOf, stored with a reference number',
        description:
          "The record keeps the facts (without the ID number, which is stored only as a keyed hash and a mask), the table's key and hash and the result, so that it replays identically later. Audited; send an `Idempotency-Key` to make a retry safe.",
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
    async (req) => recordsOf(req, req.body),
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
    async (req, reply) => {
      // RFC 9745 and RFC 8594: callers' HTTP tooling can warn on these without reading the contract
      reply.header('deprecation', DEPRECATED_SINCE).header('sunset', SUNSET).header('link', SUCCESSOR)
      return recordsOf(req, req.query)
    },
  )
  r.get(
    '/v1/points/evaluations/:id',
    {
      config: { scopes: ['police', 'education', 'auditor'] },
      schema: {
        tags: ['points'],
        summary: 'Read a stored official evaluation',
        description:
          "The record as stored, with its state: `status` (`valid` or `void`), the void's reason, and the record it corrects, if any. Not audited.",
        params: EvaluationIdParamsSchema,
        response: {
          200: ok(PointsEvaluationSchema, 'the stored record'),
          ...problems('VALIDATION', 'NOT_FOUND'),
        },
      },
    },
    async (req) => services().points.get(req.params.id),
  )
  r.get(
    '/v1/points/evaluations/by-reference/:reference',
    {
      config: { scopes: ['police', 'education', 'auditor'] },
      schema: {
        tags: ['points'],
        summary: 'Read a stored official evaluation by the reference number printed for the applicant',
        description:
          'The same record, state and scopes as GET /v1/points/evaluations/{id}; for a counter clerk who has only the printed notice.',
        params: ReferenceParamsSchema,
        response: {
          200: ok(PointsEvaluationSchema, 'the stored record'),
          ...problems('VALIDATION', 'NOT_FOUND'),
        },
      },
    },
    async (req) => services().points.getByReference(req.params.reference),
  )
  r.post(
    '/v1/points/evaluations/:id/void',
    {
      config: { scopes: ['police'] },
      schema: {
        tags: ['points'],
        summary: 'Void a record with a reason, optionally storing its correction as a new record',
        description:
          'Nothing is deleted or changed: the record stays readable (status `void`, with the reason) and replayable. A correction is scored with the tables in force and stored as a new record, with its own reference, that points to the voided one (`corrects`). Both are audited (`evaluation.voided`, `evaluation.created`) in one unit of work. A record voids once.',
        params: EvaluationIdParamsSchema,
        headers: IdempotencyHeadersSchema,
        body: VoidRequestSchema,
        response: {
          200: ok(VoidResultSchema, 'the voided record and its correction, if one was sent'),
          ...problems(
            ...BODY_PROBLEMS,
            'NOT_FOUND',
            'RECORD_VOID',
            'IDEMPOTENCY_CONFLICT',
            'FUTURE_DATE',
            'NO_TABLE_IN_FORCE',
            'EVALUATION',
          ),
        },
      },
    },
    async (req, reply) =>
      sendWritten(reply, await services().points.void(req.params.id, req.body, writeContext(req))),
  )
  r.get(
    '/v1/points/evaluations/:id/notice',
    {
      config: { scopes: ['police', 'education', 'auditor'] },
      schema: {
        tags: ['points'],
        summary: 'The printable notice of a record (HTML with print CSS), for the applicant',
        description:
          'Reference, date, masked ID number, total, each item with its points and legal reference, the table (key and hash) and a verification code that a third party checks at GET /v1/verify/{reference}. A void record is marked void on it. Self-contained: no scripts, no external files; print it or save it as PDF.',
        params: EvaluationIdParamsSchema,
        response: {
          200: {
            description: 'the notice, an HTML page',
            content: { 'text/html': { schema: z.string().meta({ example: '<!doctype html>…' }) } },
          },
          ...problems('VALIDATION', 'NOT_FOUND'),
        },
      },
    },
    async (req, reply) =>
      reply.type('text/html; charset=utf-8').send(await services().points.notice(req.params.id)),
  )
  r.get(
    '/v1/verify/:reference',
    {
      config: { scopes: ['public'] },
      schema: {
        tags: ['points'],
        summary: 'Check a printed notice: is it genuine, is the record still valid, what total does it have',
        description:
          'Public (a school or a landlord checks a notice), and rate-limited per client address. It answers nothing beyond those three facts, and the same for an unknown reference as for a wrong code.',
        params: ReferenceParamsSchema,
        querystring: VerifyQuerySchema,
        response: {
          200: ok(VerificationSchema, 'whether the notice is genuine, the record’s state and its total'),
          ...problems('VALIDATION', 'RATE_LIMITED'),
        },
      },
    },
    async (req) => services().points.verify(req.params.reference, req.query.code),
  )
  r.post(
    '/v1/points/evaluations/:id/replay',
    {
      config: { scopes: ['police', 'education', 'auditor'] },
      schema: {
        tags: ['points'],
        summary:
          'Recompute a stored evaluation with its stored table and facts; report whether it is identical and what differs',
        description:
          "Uses the record's own stored table (checked against its hash), never the tables in force now; a void record replays too. Stores nothing.",
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
          'Public and rate-limited per client address; nothing the caller sends is stored or logged. The same scoring as an official evaluation. Advice lists changes the applicant can act on, each with its exact gain, legal reference and provisional mark. With `target`, also the projection: the score on each month-end if only time passes, and the first day it reaches the target (or why it does not).',
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
