// Liveness and readiness probes: /healthz answers while the process runs; /readyz once storage and tables are up.
import type { FastifyInstance } from 'fastify'
import { HealthSchema, ReadySchema } from '../../schema/api.ts'
import type { AppState } from '../state.ts'
import { ok, problems, typed } from './common.ts'

export function healthRoutes(app: FastifyInstance, state: AppState): void {
  const r = typed(app)
  r.get(
    '/healthz',
    {
      config: { scopes: ['public'], probe: true },
      logLevel: 'warn',
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process answers',
        description: 'Never rate limited and never refused as overloaded.',
        response: { 200: ok(HealthSchema, 'the process is up'), ...problems() },
      },
    },
    async () => ({ status: 'ok' as const }),
  )
  r.get(
    '/readyz',
    {
      config: { scopes: ['public'], probe: true },
      logLevel: 'warn',
      schema: {
        tags: ['health'],
        summary: 'Readiness: migrations applied, tables loaded, database answering',
        description:
          'Never rate limited and never refused as overloaded, like /healthz: it reports the checks below, not the load.',
        response: {
          200: ok(ReadySchema, 'ready'),
          503: ok(ReadySchema, 'not ready: see checks'),
          ...problems(),
        },
      },
    },
    async (_req, reply) => {
      const database = state.storage !== null && (await state.storage.ping().catch(() => false))
      // a published table that fails its hash is a tampered database: not ready, and this says which
      const tablesWithheld = (state.services?.rulesets.withheld() ?? []).map((w) => ({
        id: w.rulesetId,
        reason: w.reason,
      }))
      const checks = {
        migrations: state.migrated,
        tables: state.tablesLoaded && tablesWithheld.length === 0,
        database,
      }
      const ready = checks.migrations && checks.tables && checks.database
      return reply.code(ready ? 200 : 503).send({
        status: ready ? 'ready' : 'not_ready',
        checks,
        publishedRulesets: state.publishedRulesets,
        tablesWithheld,
      })
    },
  )
}
