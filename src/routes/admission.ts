// School admission routes: one household's eligibility, rounds, bulk applications, allocation, replay, publication.
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import {
  AdmissionEligibilityRequestSchema,
  AdmissionEligibilitySchema,
  ApplicationListQuerySchema,
  ApplicationListSchema,
  ApplicationParamsSchema,
  ApplicationSchema,
  BulkApplicationsSchema,
  BulkEnvelopeSchema,
  BulkResultSchema,
  PublicationSchema,
  ResultQuerySchema,
  ResultVersionParamsSchema,
  ResultVersionSchema,
  RoundCreateSchema,
  RoundIdParamsSchema,
  RoundListQuerySchema,
  RoundListSchema,
  RoundReplaySchema,
  RoundSchema,
} from '../../schema/admission.ts'
import { IdempotencyHeadersSchema } from '../../schema/api.ts'
import { boundedValidatorCompiler } from '../plugins/validation.ts'
import { publicationCsv } from '../services/admission.ts'
import type { Services } from '../state.ts'
import { BODY_PROBLEMS, ok, problems, sendWritten, typed, writeContext } from './common.ts'

/** A bulk request of 10,000 households is some 10–15 MB of JSON. */
export const BULK_BODY_LIMIT = 48 * 1024 * 1024

const PublishRequestSchema = z
  .object({
    version: z
      .number()
      .int()
      .min(1)
      .optional()
      .meta({ description: 'the version to publish; default the newest' }),
  })
  .strict()
  .meta({ id: 'RoundPublishRequest', example: { version: 1 } })

export function admissionRoutes(app: FastifyInstance, services: () => Services): void {
  const r = typed(app)
  const education = { scopes: ['education'] as const }
  const readers = { scopes: ['education', 'auditor'] as const }
  r.post(
    '/v1/admission/eligibility',
    {
      config: education,
      schema: {
        tags: ['admission'],
        summary:
          'One household: the district’s admission gates with reasons, the priority tier, household points and tie-break values',
        body: AdmissionEligibilityRequestSchema,
        response: {
          200: ok(AdmissionEligibilitySchema, 'the admission result; nothing was stored'),
          ...problems(...BODY_PROBLEMS, 'FUTURE_DATE', 'NO_TABLE_IN_FORCE', 'EVALUATION'),
        },
      },
    },
    async (req) => services().admission.eligibility(req.body),
  )
  r.post(
    '/v1/admission/rounds',
    {
      config: education,
      schema: {
        tags: ['admission'],
        summary:
          'Create an admission round: district, grade, window, schools or pools with seats, tie-breaks, seed',
        headers: IdempotencyHeadersSchema,
        body: RoundCreateSchema,
        response: {
          201: ok(RoundSchema, 'the round, open'),
          ...problems(...BODY_PROBLEMS, 'IDEMPOTENCY_CONFLICT', 'NO_TABLE_IN_FORCE'),
        },
      },
    },
    async (req, reply) =>
      sendWritten(reply, await services().admission.createRound(req.body, writeContext(req))),
  )
  r.get(
    '/v1/admission/rounds',
    {
      config: readers,
      schema: {
        tags: ['admission'],
        summary: 'Admission rounds, oldest first, in pages',
        querystring: RoundListQuerySchema,
        response: { 200: ok(RoundListSchema, 'a page of rounds'), ...problems('VALIDATION') },
      },
    },
    async (req) => services().admission.listRounds(req.query.after ?? null, req.query.limit),
  )
  r.get(
    '/v1/admission/rounds/:id',
    {
      config: readers,
      schema: {
        tags: ['admission'],
        summary: 'One admission round and its state',
        params: RoundIdParamsSchema,
        response: { 200: ok(RoundSchema, 'the round'), ...problems('VALIDATION', 'NOT_FOUND') },
      },
    },
    async (req) => services().admission.getRound(req.params.id),
  )
  r.post(
    '/v1/admission/rounds/:id/close',
    {
      config: education,
      schema: {
        tags: ['admission'],
        summary: 'Close the application window now (a round is closed anyway once its window has passed)',
        params: RoundIdParamsSchema,
        response: {
          200: ok(RoundSchema, 'the round, closed'),
          ...problems('VALIDATION', 'NOT_FOUND', 'ROUND_STATE'),
        },
      },
    },
    async (req) => services().admission.close(req.params.id, writeContext(req)),
  )
  r.post(
    '/v1/admission/rounds/:id/applications',
    {
      config: education,
      bodyLimit: BULK_BODY_LIMIT,
      // The envelope only: each row is validated in full by the service, so that a 400 names the row's
      // index and applicationRef. The contract still shows the full row schema.
      validatorCompiler: ({ schema, ...rest }) =>
        boundedValidatorCompiler({
          ...rest,
          schema: rest.httpPart === 'body' ? BulkEnvelopeSchema : (schema as unknown as z.ZodType),
        }),
      schema: {
        tags: ['admission'],
        summary: `Store up to 10,000 applications: all validated and evaluated first, then stored in one transaction, or none`,
        headers: IdempotencyHeadersSchema,
        params: RoundIdParamsSchema,
        body: BulkApplicationsSchema,
        response: {
          201: ok(BulkResultSchema, 'how many were stored (all of them)'),
          ...problems(
            ...BODY_PROBLEMS,
            'NOT_FOUND',
            'IDEMPOTENCY_CONFLICT',
            'ROUND_STATE',
            'DUPLICATE_APPLICATION',
            'APPLICATION_LATE',
            'FUTURE_DATE',
            'NO_TABLE_IN_FORCE',
            'EVALUATION',
          ),
        },
      },
    },
    async (req, reply) =>
      sendWritten(
        reply,
        await services().admission.addApplications(
          req.params.id,
          req.body as unknown as { applications: { applicationRef?: unknown; household?: unknown }[] },
          writeContext(req),
        ),
      ),
  )
  r.get(
    '/v1/admission/rounds/:id/applications',
    {
      config: readers,
      schema: {
        tags: ['admission'],
        summary: 'Applications of a round by applicationRef, in pages, optionally only one outcome',
        params: RoundIdParamsSchema,
        querystring: ApplicationListQuerySchema,
        response: {
          200: ok(ApplicationListSchema, 'a page of applications'),
          ...problems('VALIDATION', 'NOT_FOUND'),
        },
      },
    },
    async (req) => services().admission.listApplications(req.params.id, req.query),
  )
  r.get(
    '/v1/admission/rounds/:id/applications/:ref',
    {
      config: readers,
      schema: {
        tags: ['admission'],
        summary: 'One application: its evaluation, status and outcome in the newest version',
        params: ApplicationParamsSchema,
        response: { 200: ok(ApplicationSchema, 'the application'), ...problems('VALIDATION', 'NOT_FOUND') },
      },
    },
    async (req) => services().admission.getApplication(req.params.id, req.params.ref),
  )
  r.delete(
    '/v1/admission/rounds/:id/applications/:ref',
    {
      config: education,
      schema: {
        tags: ['admission'],
        summary: 'Withdraw an application until a result is published: kept, marked withdrawn, audited',
        params: ApplicationParamsSchema,
        response: {
          200: ok(ApplicationSchema, 'the application, withdrawn'),
          ...problems('VALIDATION', 'NOT_FOUND', 'ROUND_STATE'),
        },
      },
    },
    async (req) => services().admission.withdraw(req.params.id, req.params.ref, writeContext(req)),
  )
  r.post(
    '/v1/admission/rounds/:id/allocate',
    {
      config: education,
      schema: {
        tags: ['admission'],
        summary:
          'Allocate seats (tier, tie-breaks, serial dictatorship) and store an immutable result version with its inputs hash',
        params: RoundIdParamsSchema,
        response: {
          200: ok(ResultVersionSchema, 'nothing changed since the newest version: that version'),
          201: ok(ResultVersionSchema, 'a new version'),
          ...problems('VALIDATION', 'NOT_FOUND', 'ROUND_STATE'),
        },
      },
    },
    async (req, reply) => {
      const { status, body } = await services().admission.allocate(req.params.id, writeContext(req))
      return reply.code(status === 201 ? 201 : 200).send(body)
    },
  )
  r.get(
    '/v1/admission/rounds/:id/results',
    {
      config: readers,
      schema: {
        tags: ['admission'],
        summary: 'A result version: the outcome of every application and each school’s or pool’s cut-off',
        params: RoundIdParamsSchema,
        querystring: ResultQuerySchema,
        response: { 200: ok(ResultVersionSchema, 'the version'), ...problems('VALIDATION', 'NOT_FOUND') },
      },
    },
    async (req) => services().admission.getResult(req.params.id, req.query.version ?? null),
  )
  r.post(
    '/v1/admission/rounds/:id/results/:version/replay',
    {
      config: readers,
      schema: {
        tags: ['admission'],
        summary: 'Recompute a stored version from its stored inputs: identical, or the exact differences',
        params: ResultVersionParamsSchema,
        response: { 200: ok(RoundReplaySchema, 'the comparison'), ...problems('VALIDATION', 'NOT_FOUND') },
      },
    },
    async (req) => services().admission.replay(req.params.id, req.params.version),
  )
  r.post(
    '/v1/admission/rounds/:id/publish',
    {
      config: education,
      schema: {
        tags: ['admission'],
        summary: 'Publish a version (the newest by default): the round is frozen and its public list opens',
        params: RoundIdParamsSchema,
        body: PublishRequestSchema.nullish().meta({ example: { version: 1 } }),
        response: {
          200: ok(RoundSchema, 'the round, published'),
          ...problems(...BODY_PROBLEMS, 'NOT_FOUND', 'ROUND_STATE'),
        },
      },
    },
    async (req) => services().admission.publish(req.params.id, req.body?.version ?? null, writeContext(req)),
  )
  r.get(
    '/v1/admission/rounds/:id/results/publication',
    {
      config: { scopes: ['public'] },
      schema: {
        tags: ['admission'],
        summary:
          'The public list of a published round: applicationRef, masked ID (region code only), placed school, points; JSON or CSV',
        description:
          'Open to anyone once the round is published; 404 before. With `Accept: text/csv` the list comes as CSV, UTF-8 with a byte-order mark.',
        params: RoundIdParamsSchema,
        response: {
          200: {
            description: 'the publication',
            content: {
              'application/json': { schema: PublicationSchema },
              'text/csv': {
                schema: z.string().meta({ description: 'UTF-8 with a BOM; one row per application' }),
              },
            },
          },
          ...problems('VALIDATION', 'NOT_FOUND', 'RATE_LIMITED'),
        },
      },
    },
    async (req, reply) => {
      const p = await services().admission.publication(req.params.id)
      const accept = String(req.headers.accept ?? '')
      if (/\btext\/csv\b/.test(accept)) return reply.type('text/csv; charset=utf-8').send(publicationCsv(p))
      return reply.type('application/json; charset=utf-8').send(p)
    },
  )
}
