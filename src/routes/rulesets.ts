// Ruleset routes: list, read with legal references, diff item by item, create and replace drafts, publish and retire (audited).
import type { FastifyInstance } from 'fastify'
import {
  CreateRulesetRequestSchema,
  IdempotencyHeadersSchema,
  RetireRequestSchema,
  RulesetDiffParamsSchema,
  RulesetDiffSchema,
  RulesetIdParamsSchema,
  RulesetListQuerySchema,
  RulesetListSchema,
  RulesetReadParamsSchema,
  RulesetReadSchema,
  RulesetWriteResultSchema,
} from '../../schema/api.ts'
import { todayOf } from '../clock.ts'
import type { Services } from '../state.ts'
import { BODY_PROBLEMS, ok, problems, sendWritten, typed, writeContext } from './common.ts'

/**
 * Tables are law, but not public API: every caller system may read them (records cite their table;
 * auditors check them), while the applicant page gets references through the preview.
 */
const READERS = ['police', 'education', 'admin', 'auditor'] as const

export function rulesetRoutes(app: FastifyInstance, services: () => Services): void {
  const r = typed(app)
  r.get(
    '/v1/rulesets',
    {
      config: { scopes: READERS },
      schema: {
        tags: ['rulesets'],
        summary: 'List rulesets, optionally by scheme, jurisdiction and status',
        description:
          'Summaries only (no table content), every status; filter by scheme, jurisdiction and status. `key` (`<id>@<version>`) names each version in the other ruleset routes.',
        querystring: RulesetListQuerySchema,
        response: { 200: ok(RulesetListSchema, 'the rulesets'), ...problems('VALIDATION') },
      },
    },
    async (req) => ({ rulesets: await services().rulesets.list(req.query) }),
  )
  r.get(
    '/v1/rulesets/:id',
    {
      config: { scopes: READERS },
      schema: {
        tags: ['rulesets'],
        summary: 'Read a ruleset version (`<id>@<version>`), or list a table’s versions (`<id>`)',
        description:
          'With `<tableId>@<version>`: that version, its table and every row’s legal reference. With the table id alone: every version, and which one is in force today.',
        params: RulesetReadParamsSchema,
        response: {
          200: ok(
            RulesetReadSchema,
            'a version (RulesetDetail) or, for a table id alone, its versions (RulesetVersions)',
          ),
          ...problems('VALIDATION', 'NOT_FOUND'),
        },
      },
    },
    async (req) =>
      req.params.id.includes('@')
        ? services().rulesets.get(req.params.id)
        : services().rulesets.versions(req.params.id, todayOf(services().clock)),
  )
  r.get(
    '/v1/rulesets/:id/diff/:otherId',
    {
      config: { scopes: READERS },
      schema: {
        tags: ['rulesets'],
        summary: 'Differences between two rulesets, row by row and field by field',
        description:
          'Both given by key (`<id>@<version>`); any two rulesets, of any status. Rows are matched by id within each section.',
        params: RulesetDiffParamsSchema,
        response: {
          200: ok(RulesetDiffSchema, 'the changes from the first to the second'),
          ...problems('VALIDATION', 'NOT_FOUND'),
        },
      },
    },
    async (req) => services().rulesets.diff(req.params.id, req.params.otherId),
  )
  r.post(
    '/v1/rulesets',
    {
      config: { scopes: ['admin'] },
      schema: {
        tags: ['rulesets'],
        summary:
          'Create a draft ruleset (validated: schema, unknown facts and items, overlapping windows, unreachable caps)',
        description:
          'A draft takes no part in scoring until published. Audited; `Idempotency-Key` makes a retry safe. Warnings (for example an unreachable cap) do not stop the draft.',
        headers: IdempotencyHeadersSchema,
        body: CreateRulesetRequestSchema,
        response: {
          201: ok(RulesetWriteResultSchema, 'the draft, with warnings'),
          ...problems(
            ...BODY_PROBLEMS,
            'IDEMPOTENCY_CONFLICT',
            'RULESET_EXISTS',
            'RULESET_IMMUTABLE',
            'RULESET_OVERLAP',
            'TABLE_INVALID',
          ),
        },
      },
    },
    async (req, reply) =>
      sendWritten(reply, await services().rulesets.createDraft(req.body.table, writeContext(req))),
  )
  r.put(
    '/v1/rulesets/:id',
    {
      config: { scopes: ['admin'] },
      schema: {
        tags: ['rulesets'],
        summary: 'Replace a draft’s table; a published or retired ruleset answers 409',
        description:
          "The same checks as creating a draft. The id and version in the body must be the draft's. Audited.",
        params: RulesetIdParamsSchema,
        body: CreateRulesetRequestSchema,
        response: {
          200: ok(RulesetWriteResultSchema, 'the replaced draft, with warnings'),
          ...problems(...BODY_PROBLEMS, 'NOT_FOUND', 'RULESET_IMMUTABLE', 'RULESET_OVERLAP', 'TABLE_INVALID'),
        },
      },
    },
    async (req) => services().rulesets.replaceDraft(req.params.id, req.body.table, writeContext(req)),
  )
  r.post(
    '/v1/rulesets/:id/publish',
    {
      config: { scopes: ['admin'] },
      schema: {
        tags: ['rulesets'],
        summary: 'Publish a draft: it becomes immutable and takes part in table lookup',
        description:
          'From now on the table is used for requests whose as-of date falls in its validity window; its content never changes again. Audited; every instance reloads its tables.',
        params: RulesetIdParamsSchema,
        headers: IdempotencyHeadersSchema,
        response: {
          200: ok(RulesetWriteResultSchema, 'the published ruleset, with warnings'),
          ...problems(
            'VALIDATION',
            'NOT_FOUND',
            'IDEMPOTENCY_CONFLICT',
            'RULESET_IMMUTABLE',
            'RULESET_OVERLAP',
            'TABLE_INVALID',
          ),
        },
      },
    },
    async (req, reply) =>
      sendWritten(reply, await services().rulesets.publish(req.params.id, writeContext(req))),
  )
  r.post(
    '/v1/rulesets/:id/retire',
    {
      config: { scopes: ['admin'] },
      schema: {
        tags: ['rulesets'],
        summary:
          'Retire a published ruleset: no evaluation uses it from now on; its records still replay with it',
        description:
          'Table lookup then falls back as if it had never been published (the previous version in force, or the city or provincial table). Its content never changes; the reason is kept with it. Audited.',
        params: RulesetIdParamsSchema,
        headers: IdempotencyHeadersSchema,
        body: RetireRequestSchema,
        response: {
          200: ok(RulesetWriteResultSchema, 'the retired ruleset'),
          ...problems(...BODY_PROBLEMS, 'NOT_FOUND', 'IDEMPOTENCY_CONFLICT', 'RULESET_NOT_PUBLISHED'),
        },
      },
    },
    async (req, reply) =>
      sendWritten(reply, await services().rulesets.retire(req.params.id, req.body.reason, writeContext(req))),
  )
}
