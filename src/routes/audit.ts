// The audit log, read-only and paginated by sequence number, for auditors and administrators.
import type { FastifyInstance } from 'fastify'
import { AuditPageSchema, AuditQuerySchema } from '../../schema/api.ts'
import type { Services } from '../state.ts'
import { ok, problems, typed } from './common.ts'

export function auditRoutes(app: FastifyInstance, services: () => Services): void {
  typed(app).get(
    '/v1/audit',
    {
      config: { scopes: ['auditor', 'admin'] },
      schema: {
        tags: ['audit'],
        summary:
          'Audit log entries in order, each chained to the previous by hash (`jifen audit verify` walks the chain)',
        description:
          'Pages of at most `limit` entries after the sequence number `after`; pass `next` as `after` for the next page. Entries name the acting key, never an ID number.',
        querystring: AuditQuerySchema,
        response: { 200: ok(AuditPageSchema, 'one page of entries'), ...problems('VALIDATION') },
      },
    },
    async (req) => services().audit.page(req.query.after, req.query.limit),
  )
}
