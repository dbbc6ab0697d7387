// The app factory: plugins, storage, services and routes, registered without listening (tests inject, server listens).
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import Fastify, { type FastifyInstance } from 'fastify'
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod'
import type { DestinationStream } from 'pino'
import { MAX_UPLOAD_APPLICANTS } from '../schema/simulation.ts'
import type { Table } from '../schema/table.ts'
import { type Clock, systemClock } from './clock.ts'
import { type Config, ConfigError } from './config.ts'
import { registerAuth, SECURITY_SCHEMES } from './plugins/auth.ts'
import { registerErrorHandling, sendProblem } from './plugins/errors.ts'
import { addSecurityHeaders, answerClientError, registerHardening } from './plugins/hardening.ts'
import { LOG_REDACT_PATHS, requestLogFields, requestLogger, scrubIdNumbers } from './plugins/logging.ts'
import { registerSerialization } from './plugins/serializer.ts'
import { boundedValidatorCompiler } from './plugins/validation.ts'
import { projectRoot } from './project-root.ts'
import { openStorage } from './repositories/open.ts'
import type { Storage } from './repositories/types.ts'
import { admissionRoutes } from './routes/admission.ts'
import { auditRoutes } from './routes/audit.ts'
import { problems } from './routes/common.ts'
import { healthRoutes } from './routes/health.ts'
import { openapiRoutes, withEnumLabels } from './routes/openapi.ts'
import { pointsRoutes } from './routes/points.ts'
import { problemRoutes } from './routes/problems.ts'
import { rulesetRoutes } from './routes/rulesets.ts'
import { schemeRoutes } from './routes/schemes.ts'
import { simulationRoutes } from './routes/simulations.ts'
import { webRoutes } from './routes/web.ts'
import { auditKeyFor } from './security/audit-key.ts'
import { ID_SECRET_CHECK_KEY, resolveIdHmacSecret, SecretError, secretCheck } from './security/id-secret.ts'
import { RequestFingerprints } from './security/request-fingerprint.ts'
import { AdmissionService } from './services/admission.ts'
import { ApiKeyService } from './services/api-keys.ts'
import { AuditService } from './services/audit.ts'
import { PointsService } from './services/points.ts'
import { Recorder } from './services/recorder.ts'
import { RulesetService } from './services/rulesets.ts'
import { SchemeService } from './services/schemes.ts'
import { SimulationService } from './services/simulation.ts'
import type { AppState, Services } from './state.ts'
import { loadShippedTables } from './tables/shipped.ts'

export interface AppOptions {
  /** today's date and record timestamps come from here; tests fix it */
  clock?: Clock
  /** this instance's id, the owner of the simulations it runs (default: host, process id and a random part) */
  instanceId?: string
  /** tables seeded on first start; defaults to the shipped YAML tables */
  seedTables?: () => Table[]
  /** opens storage; defaults to openStorage (PostgreSQL for config.databaseUrl, else SQLite at config.dbPath) */
  openStorage?: (config: Config) => Promise<Storage>
  /**
   * Also check every response against its zod schema before it is serialized (tests turn this on).
   * Off in service: responses are built from typed engine results, and the check costs as much as the
   * evaluation. The bytes sent come from the same compiled serializer either way.
   */
  validateResponses?: boolean
  /** where logs go (tests capture them); defaults to stdout */
  logStream?: DestinationStream
  /**
   * The ID-number HMAC secret, overriding config.idHmacSecret (tests pass a fixed one). With neither,
   * the configured secret file is read or, for a new SQLite database, one is generated in the
   * secrets folder (src/security/id-secret.ts).
   */
  idHmacSecret?: string
  /**
   * The audit key, overriding config.auditKey (tests pass a fixed one). With neither, the configured
   * file is read or, for SQLite, one is kept in the secrets folder (src/security/audit-key.ts).
   */
  auditKey?: string
}

export type { AppState, Services } from './state.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** the app's services once started: tests and tools issue keys and read the audit log through them */
    jifen: { services(): Services }
  }
}

const VERSION = (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string })
  .version

/**
 * The secret for ID-number hashes, checked against the one this database's hashes were made with:
 * a start with another secret fails here rather than store hashes no lookup will ever match.
 */
async function idSecretFor(
  config: Config,
  options: AppOptions,
  storage: Storage,
  log: FastifyInstance['log'],
): Promise<string> {
  const stored = await storage.transaction((tx) => tx.settings.get(ID_SECRET_CHECK_KEY))
  let resolved: ReturnType<typeof resolveIdHmacSecret>
  try {
    resolved = resolveIdHmacSecret({
      configured: options.idHmacSecret ?? config.idHmacSecret,
      configuredFile: config.idHmacSecretFile,
      backend: storage.backend,
      dbPath: config.dbPath,
      secretsDir: config.secretsDir,
      databaseHasHashes: stored !== null,
    })
  } catch (e) {
    if (e instanceof SecretError) throw new ConfigError(e.message)
    throw e
  }
  const check = secretCheck(resolved.secret)
  if (stored !== null && stored !== check) {
    throw new ConfigError(
      `the ID-number HMAC secret (${resolved.source === 'file' ? resolved.path : 'JIFEN_ID_HMAC_SECRET'}) is not the one ${storage.location} was made with; restore the original`,
    )
  }
  if (stored === null) await storage.transaction((tx) => tx.settings.set(ID_SECRET_CHECK_KEY, check))
  if (resolved.source === 'generated') {
    log.warn(
      { path: resolved.path },
      'generated the ID-number HMAC secret on first start (file mode 0600); back it up, but never in the same place as the database backups, or set JIFEN_ID_HMAC_SECRET(_FILE)',
    )
  } else if (resolved.besideDatabase) {
    log.warn(
      { path: resolved.path },
      'the ID-number HMAC secret file sits beside the database, so a copy of the folder holds both: move it into JIFEN_SECRETS_DIR or set JIFEN_ID_HMAC_SECRET_FILE',
    )
  }
  if (resolved.looseMode) {
    log.warn({ path: resolved.path }, 'the ID-number HMAC secret file is readable by others; chmod 600 it')
  }
  return resolved.secret
}

/** `GET /v1/points/evaluations/{id}/replay` → `getPointsEvaluationsIdReplay`: unique per method and path. */
export function operationIdOf(method: string, url: string): string {
  const words = url
    .split('/')
    .filter((w) => w !== '' && w !== 'v1')
    .map((w) =>
      w
        .replace(/^:/, '')
        .replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase()),
    )
  return [method.toLowerCase(), ...words.map((w) => w.charAt(0).toUpperCase() + w.slice(1))].join('')
}

/**
 * The contract's view of a route: an operationId where the route names none, 503 on every route but
 * the probes (under-pressure answers it before any handler), 429 on public routes (rate-limited).
 */
const documented: typeof jsonSchemaTransform = (input) => {
  const { schema, url, route } = input
  if (schema === undefined || (schema as { hide?: boolean }).hide) return jsonSchemaTransform(input)
  const config = (route.config ?? {}) as { probe?: boolean; scopes?: readonly string[] }
  const extra = [
    ...(config.probe === true ? [] : (['OVERLOADED'] as const)),
    ...(config.scopes?.includes('public') && config.probe !== true ? (['RATE_LIMITED'] as const) : []),
  ]
  const s = schema as { operationId?: string; response?: Record<string, unknown> }
  const withExtras = {
    ...schema,
    operationId: s.operationId ?? operationIdOf([route.method].flat()[0], url),
    ...(s.response === undefined || extra.length === 0
      ? {}
      : { response: { ...problems(...extra), ...s.response } }),
  }
  return jsonSchemaTransform({ ...input, schema: withExtras })
}

export function buildApp(config: Config, options: AppOptions = {}): FastifyInstance {
  const clock = options.clock ?? systemClock
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
      // the route pattern and the decoded, scrubbed query: never the raw URL
      serializers: { req: requestLogFields },
      // last line of defence: an ID number that reaches a log line by a path nobody listed is masked too
      hooks: { streamWrite: scrubIdNumbers },
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    // each request's child logger is made when it first writes a line (src/plugins/logging.ts)
    childLoggerFactory: requestLogger,
    bodyLimit: config.bodyLimit,
    // start-up migrates and seeds the database: on a busy machine or a large PostgreSQL database that
    // can take longer than fastify's 10 s default, and waiting is better than failing the start
    pluginTimeout: 120_000,
    // behind a proxy, req.ip (the rate limit's key, the logs' client) comes from X-Forwarded-For as far
    // as the configured proxies vouch for it; otherwise every caller would share the proxy's address
    trustProxy: config.trustProxy,
    // callers may pass their own request id (a counter system's ticket); anything odd gets a fresh one
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && /^[\w.:-]{1,64}$/.test(given) ? given : randomUUID()
    },
    // `__proto__` / `constructor` keys in a body are errors, not silently dropped
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // a path parameter too long or badly percent-encoded is refused before routing, where no onSend
    // hook runs: same problem+json, same security headers
    frameworkErrors: (err, req, reply) => {
      addSecurityHeaders(reply)
      return sendProblem(err, req, reply)
    },
    // what node refuses before routing (408, 431, not HTTP): problem+json with codes of their own too
    clientErrorHandler: answerClientError,
  })
  // The API speaks JSON only: a text/plain body is a 415, not a string that fails validation later.
  app.removeContentTypeParser('text/plain')
  // zod, after the documented size limits, keeping at most 100 issues (src/plugins/validation.ts)
  app.setValidatorCompiler(boundedValidatorCompiler)
  // one compiled serializer per response schema, in tests and in service alike (src/plugins/serializer.ts)
  registerSerialization(app, { validate: options.validateResponses ?? false })
  // callback style, not async: this runs on every request and a promise per request shows in the bench
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id)
    done()
  })
  registerErrorHandling(app)
  // before any route is registered: it checks each route's scopes as it is added
  registerAuth(app, () => services().keys)
  registerHardening(app, config)

  const state: AppState = {
    migrated: false,
    tablesLoaded: false,
    publishedRulesets: 0,
    storage: null,
    services: null,
  }
  const services = (): Services => {
    if (state.services === null) throw new Error('services used before start-up finished')
    return state.services
  }

  app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'jifen',
        version: VERSION,
        contact: { name: 'jifen service operators (see docs/callers.md)' },
        description:
          'Points (积分) for Ningbo residence permits, settlement and school admission. Errors are RFC 9457 problem+json with a stable `code` (JIFEN_ERR_*) and the field paths at fault.',
      },
      tags: [
        { name: 'points', description: 'Points evaluations: official (stored, replayable) and preview' },
        { name: 'residence-permit', description: 'Residence-permit eligibility and entitlements' },
        { name: 'settlement', description: 'Settlement routes and points settlement' },
        {
          name: 'admission',
          description: 'School admission: one household, rounds, bulk applications, allocation, publication',
        },
        { name: 'rulesets', description: 'Versioned scoring tables' },
        { name: 'audit', description: 'The hash-chained log of official actions' },
        { name: 'health', description: 'Probes' },
      ],
      components: { securitySchemes: SECURITY_SCHEMES },
      // relative: the document describes the service that serves it, wherever it is deployed
      servers: [{ url: '/', description: 'this jifen service' }],
    },
    transform: documented,
    // Chinese labels on every enum the label maps cover (schema/labels.ts)
    transformObject: (input) => withEnumLabels(jsonSchemaTransformObject(input)),
  })
  // The UI's assets are served from node_modules by the plugin itself: no CDN, works offline.
  app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true })

  // Storage first: routes registered after it only ever run once it is up.
  app.register(async () => {
    const storage = await (options.openStorage ?? openStorage)(config)
    state.storage = storage
    state.migrated = true
    const idHmacSecret = await idSecretFor(config, options, storage, app.log)
    const auditKey = await auditKeyFor(config, options.auditKey, storage, idHmacSecret, app.log)
    const recorder = new Recorder(storage, clock, {
      auditKey,
      fingerprints: new RequestFingerprints(idHmacSecret),
      idempotencyRetentionDays: config.idempotencyRetentionDays,
    })
    const rulesets = new RulesetService(storage.rulesets, recorder, app.log)
    await rulesets.seed((options.seedTables ?? loadShippedTables)())
    state.publishedRulesets = await rulesets.reloadRegistry()
    state.services = {
      rulesets,
      points: new PointsService(rulesets, storage.records, recorder, clock, idHmacSecret),
      schemes: new SchemeService(rulesets, clock),
      keys: new ApiKeyService(storage.apiKeys, recorder),
      audit: new AuditService(storage, auditKey),
      admission: new AdmissionService(rulesets, storage.admission, recorder, clock, idHmacSecret),
      simulations: new SimulationService(
        rulesets,
        storage,
        recorder,
        app.log,
        MAX_UPLOAD_APPLICANTS,
        undefined,
        {
          instanceId: options.instanceId,
          heartbeatMs: config.simulationHeartbeatMs,
          staleMs: config.simulationStaleMs,
          clock,
        },
      ),
      idempotency: { prune: () => recorder.pruneIdempotency() },
      clock,
    }
    // a simulation left running by an instance that is gone (its heartbeat stale) never finishes:
    // failed now, with the reason, and checked again every JIFEN_SIMULATION_STALE_MS (housekeeping);
    // one query on the running records
    await state.services.simulations.failStale()
    state.tablesLoaded = true
    startHousekeeping(state.services, recorder)
  })
  // Before a handler scores, its instance's tables must be those in force: another instance (or the
  // CLI) may have published or retired one since. Callback style: this runs on every API request.
  app.addHook('preHandler', (req, _reply, done) => {
    const s = state.services
    if (s === null || !req.url.startsWith('/v1/') || s.rulesets.freshNow()) return done()
    s.rulesets.ensureFresh().then(() => done(), done)
  })
  // Expired idempotency answers are pruned at start and hourly; the audit head is appended to the
  // checkpoint file (when configured) at its interval and once more at close. Timers are unref'd:
  // they never keep the process alive.
  const timers: NodeJS.Timeout[] = []
  const checkpoint = async (s: Services) => {
    if (config.auditCheckpointFile === null) return
    try {
      await s.audit.appendCheckpoint(config.auditCheckpointFile, clock.now().toISOString())
    } catch (err) {
      app.log.error({ err }, 'could not append an audit checkpoint')
    }
  }
  const startHousekeeping = (s: Services, recorder: Recorder) => {
    const prune = () =>
      recorder.pruneIdempotency().then(
        (n) => {
          if (n > 0) app.log.info({ pruned: n }, 'pruned expired idempotency keys')
        },
        (err: unknown) => app.log.error({ err }, 'could not prune expired idempotency keys'),
      )
    void prune()
    timers.push(setInterval(prune, 3_600_000).unref())
    const sweep = () =>
      s.simulations.failStale().then(
        (ids) => {
          if (ids.length > 0) app.log.warn({ simulations: ids }, 'failed simulations whose instance is gone')
        },
        (err: unknown) => app.log.error({ err }, 'could not check for simulations whose instance is gone'),
      )
    timers.push(setInterval(sweep, config.simulationStaleMs).unref())
    if (config.auditCheckpointFile !== null) {
      void checkpoint(s)
      timers.push(setInterval(() => void checkpoint(s), config.auditCheckpointIntervalMs).unref())
    }
  }
  app.addHook('onClose', async () => {
    for (const t of timers) clearInterval(t)
    if (state.services !== null) await state.services.simulations.stop()
    if (state.services !== null) await checkpoint(state.services)
    state.tablesLoaded = false
    await state.storage?.close()
  })

  app.decorate('jifen', { services })
  app.register(async (scope) => {
    healthRoutes(scope, state)
    openapiRoutes(scope)
    rulesetRoutes(scope, services)
    pointsRoutes(scope, services)
    schemeRoutes(scope, services)
    admissionRoutes(scope, services)
    simulationRoutes(scope, services)
    auditRoutes(scope, services)
    webRoutes(scope)
    problemRoutes(scope)
  })
  return app
}
