// Log hygiene: requests logged by route pattern and scrubbed query (never the raw URL), ID numbers and credentials redacted everywhere.
import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import type { Bindings, ChildLoggerOptions, Logger } from 'pino'
import { maskIdNumber } from '../../schema/id-number.ts'

/** pino redact paths: request headers carrying keys, and ID numbers at the depths our bodies put them. */
export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'idNumber',
  '*.idNumber',
  '*.*.idNumber',
  '*.*.*.idNumber',
  'parents[*].idNumber',
  '*.parents[*].idNumber',
  '*.*.parents[*].idNumber',
]

// 18-character GB 11643 numbers standing alone (not inside a longer run of digits or a hex hash).
const ID_NUMBER = /(?<![\dA-Za-z])(\d{6})\d{11}([\dXx])(?![\dA-Za-z])/g

/** Masks any ID number in a serialised log line, keeping region and check character like maskIdNumber. */
export function scrubIdNumbers(line: string): string {
  return line.replace(ID_NUMBER, '$1***********$2')
}

/** Query parameters whose value is an ID number whatever it looks like: masked, or redacted when malformed. */
const ID_PARAMETERS = new Set(['idnumber'])

/** How much of a query a log line keeps: enough to see what was asked, never a flood. */
const MAX_LOGGED_PARAMETERS = 20
const MAX_LOGGED_VALUE = 100

function clipped(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`
}

/**
 * A query as a log line may show it. Fastify has already decoded it (percent-encoding, `+`), so an
 * ID number written `…45%37` is an ID number here: scrubbing the serialised line instead, as before,
 * let the encoded form through. Keys and values are scrubbed, ID parameters masked or redacted.
 */
export function scrubQuery(query: unknown): Record<string, string | string[]> | undefined {
  if (query === null || typeof query !== 'object') return undefined
  const entries = Object.entries(query as Record<string, unknown>)
  if (entries.length === 0) return undefined
  const out: Record<string, string | string[]> = {}
  for (const [key, value] of entries.slice(0, MAX_LOGGED_PARAMETERS)) {
    const scrub = (v: unknown): string => {
      const text = String(v)
      if (ID_PARAMETERS.has(key.toLowerCase()))
        return /^\d{17}[\dXx]$/.test(text) ? maskIdNumber(text) : '[redacted]'
      return clipped(scrubIdNumbers(text), MAX_LOGGED_VALUE)
    }
    out[clipped(scrubIdNumbers(key), MAX_LOGGED_VALUE)] = Array.isArray(value)
      ? value.map(scrub)
      : scrub(value)
  }
  return out
}

/** The path of a request no route matched, decoded and scrubbed (a 404 may still carry an ID in its path). */
function scrubbedPath(url: string): string {
  const path = url.split('?')[0]
  let decoded: string
  try {
    decoded = decodeURIComponent(path)
  } catch {
    return '[not decodable]'
  }
  return clipped(scrubIdNumbers(decoded), 200)
}

/**
 * pino's `req` serializer: the route pattern (`/v1/points/evaluations/:id`), not the URL, and the
 * query scrubbed after decoding. Replaces fastify's, which logs `req.url` as received.
 */
export function requestLogFields(req: FastifyRequest): Record<string, unknown> {
  const route = req.routeOptions?.url
  return {
    method: req.method,
    ...(route === undefined ? { path: scrubbedPath(req.url) } : { route }),
    query: scrubQuery(req.query),
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  }
}

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'

/**
 * A request's logger that makes its pino child (with the request id bound) only when a line at an
 * enabled level is written. pino writes a child's bindings through the redaction when it makes it,
 * and with our wildcard paths that cost several µs per request, although at the production level
 * (`warn`) most requests write no line. Once made, the child is pino's own: same lines, same redaction.
 */
class LazyRequestLogger {
  private made: Logger | undefined

  constructor(
    private readonly parent: Logger,
    private readonly bound: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  private child_(): Logger {
    this.made ??= this.parent.child(this.bound, this.options)
    return this.made
  }

  private write(level: Level, args: unknown[]): void {
    if (this.made === undefined && !this.parent.isLevelEnabled(level)) return
    const child = this.child_()
    child[level].apply(child, args as Parameters<Logger[Level]>)
  }

  fatal(...args: unknown[]): void {
    this.write('fatal', args)
  }
  error(...args: unknown[]): void {
    this.write('error', args)
  }
  warn(...args: unknown[]): void {
    this.write('warn', args)
  }
  info(...args: unknown[]): void {
    this.write('info', args)
  }
  debug(...args: unknown[]): void {
    this.write('debug', args)
  }
  trace(...args: unknown[]): void {
    this.write('trace', args)
  }
  silent(): void {}
  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.child_().child(bindings, options)
  }
  isLevelEnabled(level: string): boolean {
    return this.made === undefined ? this.parent.isLevelEnabled(level) : this.made.isLevelEnabled(level)
  }
  get level(): string {
    return this.made === undefined ? this.parent.level : this.made.level
  }
  set level(level: string) {
    this.child_().level = level
  }
}

/**
 * fastify's childLoggerFactory: a lazy child per request. A route with its own log level gets pino's
 * child at once (its level is the child's, not the parent's).
 */
export function requestLogger(
  parent: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  if (options.level !== undefined) return parent.child(bindings, options)
  // the app's logger is pino's (buildApp's `logger` options)
  return new LazyRequestLogger(parent as Logger, bindings, options) as unknown as FastifyBaseLogger
}
