// Route helpers: problem+json responses declared in the contract, the typed instance, scopes, and writes' context.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { ERRORS, type ErrorName, ProblemSchema } from '../../schema/errors.ts'
import type { WriteContext, Written } from '../services/recorder.ts'

/** Who may call a route: any one of the scopes admits a key (src/plugins/auth.ts enforces it). */
export type Scope = 'police' | 'education' | 'admin' | 'auditor' | 'public'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** scopes any one of which admits a caller; `public` admits callers without a key */
    scopes?: readonly Scope[]
  }
}

export function typed(app: FastifyInstance) {
  return app.withTypeProvider<ZodTypeProvider>()
}

/**
 * Problem responses for a route, keyed by status, served as application/problem+json. Several
 * catalogue entries may share a status; the description lists their codes.
 */
export function problems(...names: ErrorName[]) {
  const all: ErrorName[] = [...new Set<ErrorName>([...names, 'INTERNAL'])]
  const byStatus = new Map<number, ErrorName[]>()
  for (const n of all) byStatus.set(ERRORS[n].status, [...(byStatus.get(ERRORS[n].status) ?? []), n])
  const out: Record<
    number,
    { description: string; content: { 'application/problem+json': { schema: typeof ProblemSchema } } }
  > = {}
  for (const [status, ns] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    out[status] = {
      description: ns.map((n) => `JIFEN_ERR_${n}: ${ERRORS[n].title}`).join('; '),
      content: { 'application/problem+json': { schema: ProblemSchema } },
    }
  }
  return out
}

/** A success response with its description (the OpenAPI document shows it instead of "Default Response"). */
export function ok<S>(schema: S, description: string) {
  return { description, content: { 'application/json': { schema } } }
}

/** Errors any JSON-body route can raise before its handler runs. */
export const BODY_PROBLEMS: ErrorName[] = [
  'VALIDATION',
  'MALFORMED_JSON',
  'BODY_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
]

/**
 * Who acts and, with an Idempotency-Key, the request a retry must repeat: route, path parameters and
 * parsed body (the Recorder stores only a keyed fingerprint of it). The key is scoped to the caller's
 * API key, so callers never collide.
 */
export function writeContext(req: FastifyRequest): WriteContext {
  const key = req.apiKey
  if (key === null)
    throw new Error(`${req.method} ${req.routeOptions.url} writes without an authenticated key`)
  const given = req.headers['idempotency-key']
  return {
    actor: { keyId: key.id, keyName: key.name },
    idempotency:
      typeof given === 'string'
        ? {
            key: given,
            request: {
              route: `${req.method} ${req.routeOptions.url}`,
              params: req.params ?? {},
              body: req.body ?? null,
            },
          }
        : null,
  }
}

/** Sends a write's answer; a replayed one says so in `idempotent-replayed`, as Stripe and the IETF draft do. */
export function sendWritten<T>(reply: FastifyReply, w: Written<T>) {
  if (w.location !== null) reply.header('location', w.location)
  if (w.replayed) reply.header('idempotent-replayed', 'true')
  return reply.code(w.status).send(w.body)
}
