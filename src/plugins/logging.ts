// Log hygiene: requests logged by route pattern and scrubbed query (never the raw URL), ID numbers and credentials redacted everywhere.
import type { FastifyRequest } from 'fastify'
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
