// Hardening: rate limit and smaller bodies on public routes, a nesting limit, security headers, request timeouts, 503 under pressure; probes exempt.
import { randomUUID } from 'node:crypto'
import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http'
import { createRequire } from 'node:module'
import type { Socket } from 'node:net'
import rateLimit from '@fastify/rate-limit'
import underPressure from '@fastify/under-pressure'
import type { FastifyInstance, FastifyReply } from 'fastify'
import helmet from 'helmet'
import type { Redis } from 'ioredis'
import { ERRORS, type ErrorName } from '../../schema/errors.ts'
import type { Config } from '../config.ts'
import { AppError, bi } from '../errors.ts'
import { languageOf, problem } from './errors.ts'
import { serializeProblem } from './serializer.ts'

/** Seconds a refused caller is told to wait when the process is under pressure. */
const PRESSURE_RETRY_AFTER_S = 10

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * A probe (/healthz, /readyz): never rate limited and never refused under pressure. A load
     * balancer shares its address with clients, and a probe refused for someone else's traffic
     * would take a healthy process out of rotation or restart it.
     */
    probe?: boolean
  }
}

/**
 * Whether a parsed JSON value nests objects and arrays deeper than `limit`. Iterative: the point is to
 * refuse values too deep for the recursive code downstream (zod's validation of the recursive table
 * conditions overflows the stack at a few thousand levels, which a 40 KB body reaches).
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false
  const values: object[] = [value]
  const depths: number[] = [1]
  while (values.length > 0) {
    const v = values.pop() as object
    const d = depths.pop() as number
    if (d > limit) return true
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') {
        values.push(child)
        depths.push(d + 1)
      }
    }
  }
  return false
}

/**
 * helmet's headers for our policy, worked out once: with no nonces in the policy, helmet sets the same
 * headers on every response, so they are captured from one run of its middleware instead of running
 * its dozen middlewares per request.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = (() => {
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        // the applicant page works offline: everything from this origin, no CDN (helmet allows https: styles)
        'default-src': ["'self'"],
        'font-src': ["'self'", 'data:'],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'frame-ancestors': ["'none'"],
        // The service is reached over plain HTTP (loopback or behind a TLS-terminating proxy); upgrading
        // same-origin requests to https would break the page there.
        'upgrade-insecure-requests': null,
      },
    },
  })
  const headers: Record<string, string> = {}
  const captured = {
    setHeader: (name: string, value: unknown) => {
      headers[name.toLowerCase()] = String(value)
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()]
    },
  }
  let ran = false
  securityHeaders({} as IncomingMessage, captured as unknown as ServerResponse, () => {
    ran = true
  })
  if (!ran) throw new Error('helmet did not finish synchronously: its headers cannot be captured once')
  return Object.freeze(headers)
})()

/** Adds the security headers a response does not set itself. */
export function addSecurityHeaders(reply: FastifyReply): void {
  for (const name in SECURITY_HEADERS) {
    if (!reply.hasHeader(name)) reply.header(name, SECURITY_HEADERS[name])
  }
}

/**
 * Answers what node refuses before fastify sees a request (a request not received within the
 * timeout, headers over node's limit, a request that is not HTTP) with problem+json and a code of its
 * own, instead of fastify's plain JSON. Bound to the fastify instance (the clientErrorHandler option).
 * The error is not logged whole: its rawPacket holds the bytes of the request, URL included.
 */
export function answerClientError(
  this: FastifyInstance,
  err: Error & { code?: string },
  socket: Socket,
): void {
  // a reset connection has nobody to answer (node's own handler does the same)
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const name: ErrorName =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? 'REQUEST_TIMEOUT'
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? 'HEADERS_TOO_LARGE'
        : 'MALFORMED_REQUEST'
  // no request was parsed, so no Accept-Language either: Chinese, the default, with the English after it
  const detail =
    name === 'REQUEST_TIMEOUT'
      ? '未在请求超时之内收到完整请求（the whole request must arrive within the request timeout）'
      : name === 'HEADERS_TOO_LARGE'
        ? '请求头超过大小上限（the request headers exceed the limit）'
        : '请求不是有效的 HTTP（the request is not valid HTTP）'
  const requestId = randomUUID()
  // written before fastify sees a request, so no route serializer runs: the compiled Problem one does
  const body = serializeProblem(problem(name, detail, [], requestId))
  this.log.debug({ requestId, code: err.code, problem: name }, 'client error')
  if (socket.writable) {
    const status = ERRORS[name].status
    const headers = Object.entries({
      ...SECURITY_HEADERS,
      'content-type': 'application/problem+json; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      'x-request-id': requestId,
      connection: 'close',
    })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${headers}\r\n${body}`)
  }
  socket.destroy(err)
}

/** ioredis, loaded only when a shared rate-limit store is configured: most starts never need it. */
function loadRedis(): typeof Redis {
  return (createRequire(import.meta.url)('ioredis') as { Redis: typeof Redis }).Redis
}

function isPublic(scopes: readonly string[] | undefined): boolean {
  return scopes?.includes('public') === true
}

/**
 * Registers the hardening plugins on the root instance. Call it before any route is registered: the
 * per-route settings are attached by an onRoute hook, which sees only routes declared after it.
 */
export function registerHardening(app: FastifyInstance, config: Config): void {
  // Before validation: a body nested too deeply is the caller's 400, not a stack overflow (a 500) in zod.
  // Callback style: this runs on every request with a body.
  app.addHook('preValidation', (req, _reply, done) => {
    if (req.body !== undefined && nestsDeeperThan(req.body, config.bodyMaxDepth)) {
      const message = bi(
        `嵌套超过 ${config.bodyMaxDepth} 层`,
        `nested deeper than ${config.bodyMaxDepth} levels`,
      )
      done(
        new AppError('VALIDATION', bi(`body：${message.zh}`, `body: ${message.en}`), [
          { path: 'body', message },
        ]),
      )
      return
    }
    done()
  })

  // Public routes are the ones anyone can reach without a key: they get a smaller body limit (an
  // applicant is a few kilobytes) and, when configured, a rate limit per client address.
  const publicBodyLimit = Math.min(config.publicBodyLimit, config.bodyLimit)
  const limitRate = config.rateLimitMax > 0
  app.addHook('onRoute', (route) => {
    if (!isPublic(route.config?.scopes)) return
    route.bodyLimit = Math.min(route.bodyLimit ?? config.bodyLimit, publicBodyLimit)
    if (limitRate && route.config?.probe !== true) {
      route.config = {
        ...route.config,
        rateLimit: { max: config.rateLimitMax, timeWindow: config.rateLimitWindowMs },
      }
    }
  })
  if (limitRate) {
    // With several instances behind a load balancer, each would count alone and a client would get
    // the allowance once per instance: JIFEN_REDIS_URL gives them one shared count.
    const redis =
      config.redisUrl === null
        ? null
        : new (loadRedis())(config.redisUrl, {
            connectTimeout: 2000,
            maxRetriesPerRequest: 1,
            lazyConnect: false,
          })
    if (redis !== null) {
      // reconnects by itself; a Redis outage must not crash the service
      redis.on('error', (err) => app.log.warn({ err: err.message }, 'rate-limit Redis unavailable'))
      app.addHook('onClose', async () => {
        await redis.quit().catch(() => redis.disconnect())
      })
    }
    app.register(rateLimit, {
      ...(redis === null
        ? {}
        : {
            redis,
            nameSpace: config.redisPrefix,
            // a Redis outage lets public requests through rather than failing them: the limit is abuse
            // protection, and every keyed route stays accountable to its key
            skipOnError: true,
          }),
      // only routes marked above; keyed routes are accountable to their key instead
      global: false,
      max: config.rateLimitMax,
      timeWindow: config.rateLimitWindowMs,
      // The error goes through the root error handler, which keeps its 429 and answers problem+json.
      errorResponseBuilder: (_req, ctx) =>
        Object.assign(
          new Error(`rate limit exceeded: ${ctx.max} requests per window; retry in ${ctx.after}`),
          {
            statusCode: ctx.statusCode,
          },
        ),
    })
  }

  // Security headers on every response, refusals included: set in onSend, because a hook that fails
  // before them (auth's 401) would skip an onRequest hook such as @fastify/helmet's. Headers a route
  // sets itself win: /docs keeps its own policy (@fastify/swagger-ui staticCSP, with the hashes of its
  // inline scripts).
  app.addHook('onSend', (_req, reply, payload, done) => {
    addSecurityHeaders(reply)
    done(null, payload)
  })

  // Timeouts are properties of the HTTP server fastify created: a client must send its whole request
  // within requestTimeout (else node answers 408), and a socket idle for connectionTimeout is closed.
  const server = app.server as Server & { connectionsCheckingInterval: number }
  server.requestTimeout = config.requestTimeoutMs
  if (config.requestTimeoutMs > 0) {
    server.headersTimeout = Math.min(server.headersTimeout, config.requestTimeoutMs)
    // node checks these timeouts on an interval (30 s by default); check often enough for the limit to mean something
    server.connectionsCheckingInterval = Math.min(
      30_000,
      Math.max(250, Math.floor(config.requestTimeoutMs / 4)),
    )
  }
  server.setTimeout(config.connectionTimeoutMs)

  app.register(underPressure, {
    maxEventLoopDelay: config.pressureMaxEventLoopDelayMs,
    maxHeapUsedBytes: config.pressureMaxHeapUsedBytes,
    maxRssBytes: config.pressureMaxRssBytes,
    // Answered here rather than thrown: the root handler would turn a non-4xx error into a 500.
    // Sending in the handler ends the request (the README's pattern); returning without sending lets it through.
    pressureHandler: (req, reply, type, value) => {
      if (req.routeOptions.config.probe === true) return
      req.log.warn({ type, value }, 'under pressure: request refused')
      const lang = languageOf(req.headers['accept-language'])
      const body = problem(
        'OVERLOADED',
        lang === 'zh'
          ? `服务繁忙（${type}）；请在 ${PRESSURE_RETRY_AFTER_S} 秒后重试`
          : `the service is under pressure (${type}); retry after ${PRESSURE_RETRY_AFTER_S} s`,
        [],
        req.id,
        0,
        lang,
      )
      reply
        .code(503)
        .header('retry-after', PRESSURE_RETRY_AFTER_S)
        .type('application/problem+json')
        .send(body)
    },
  })
}
