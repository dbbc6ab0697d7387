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
      .meta({ description: 'the version to publish; default the newest', example: 1 }),
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
        description:
          'Scored with the admission table in force for the district on asOf (and the points tables it reads). Stores nothing and audits nothing: the same evaluation a round stores for each application.',
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
        description:
          'The round opens with its spec fixed: the as-of date must fall in the intake year, unit ids and tie-break keys be unique, and the district have admission tables in force (refused now rather than at the first application). `kind: settlement` makes a points-settlement quota round (policy.md §4): one unit of at most the settlement table’s yearly quota, no grade or permit check date, ranked by points first; its rows are `{ applicationRef, applicant, appliedAt? }`. Audited (`round.created`); send an `Idempotency-Key` to make a retry safe.',
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
        description:
          'Each with its state and counts; `next` is the cursor for the following page (`after`), null on the last. Not audited.',
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
        description:
          'Its spec, status (open, closed, allocated, published), the number of active applications, the newest and the published result version. Not audited.',
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
        description:
          'Only an open round closes (409 otherwise); applications are refused from then on and the round can be allocated. Audited (`round.closed`).',
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
        description:
          'Every row is validated in full and evaluated before anything is stored: a 400 names each bad row (index, applicationRef, field), a 409 each applicationRef or child already in the round, and a request after the window closes is refused whole. ID numbers are stored only masked and as keyed hashes. Audited (`round.applications_stored`); send an `Idempotency-Key` to make a retry safe.',
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
        description:
          'Each with its evaluation, status and outcome in the newest result version (none before the first allocation); `next` is the cursor for the following page. Not audited.',
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
        description:
          'The application as stored (ID number masked), whether it is active or withdrawn, and its outcome in the newest result version, if any. Not audited.',
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
        description:
          'Nothing is deleted: the application stays readable, marked withdrawn, and the next allocation leaves it out. Refused (409) once a result is published. Audited (`round.application_withdrawn`).',
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
        description:
          'A closed or allocated round only (409 otherwise). The inputs (round spec, active applications, the tables’ hashes) are stored with the result, so the version replays identically; when they are unchanged since the newest version, that version is the answer (200) and nothing is stored. Audited (`round.allocated`).',
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
        description:
          'The newest version unless `version` names another; 404 before the first allocation. Says whether it is the published one. Not audited.',
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
        description:
          'Uses the version’s own stored inputs, never the applications or tables as they are now, and checks them against their hash (`inputsIntact`). Stores nothing.',
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
        description:
          'An allocated round only (409 otherwise). From then on no application is added or withdrawn and no version allocated, and GET /v1/admission/rounds/{id}/results/publication answers. Audited (`round.published`).',
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
