// Authentication: every route declares its scopes; an onRequest hook checks the bearer key against them.
import type { FastifyInstance, RouteOptions } from 'fastify'
import { AppError, bi } from '../errors.ts'
import { problems, type Scope } from '../routes/common.ts'
import { type ApiKeyService, type AuthenticatedKey, authError } from '../services/api-keys.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** the key the request was authenticated with; null on public routes */
    apiKey: AuthenticatedKey | null
  }
}

/** The name of the security scheme in the OpenAPI document. */
export const SECURITY_SCHEME = 'bearerAuth'

export const SECURITY_SCHEMES = {
  [SECURITY_SCHEME]: {
    type: 'http',
    scheme: 'bearer',
    description:
      'An API key issued with `jifen keys create --name NAME --scopes police,education`, sent as `Authorization: Bearer jf_…`. Each operation lists the scopes any one of which admits a key.',
  },
} as const

/** The reference UI's own routes (registered by @fastify/swagger-ui) are public like the document. */
const UI_PREFIX = '/docs'

/**
 * Checks every route as it is registered: a route that declares no scopes is a start-up error, not
 * an open door. Scoped routes get the security requirement and the 401/403 problems in the contract,
 * one requirement per scope because OpenAPI reads a list of requirements as alternatives.
 */
function declareSecurity(route: RouteOptions): void {
  const scopes = route.config?.scopes
  if (scopes === undefined || scopes.length === 0) {
    if (route.url.startsWith(UI_PREFIX)) {
      route.config = { ...route.config, scopes: ['public'] }
      return
    }
    throw new Error(`${route.method} ${route.url} declares no scopes (config.scopes)`)
  }
  const schema = route.schema as { hide?: boolean; security?: unknown; response?: Record<string, unknown> }
  if (schema === undefined || schema.hide) return
  if (scopes.includes('public')) {
    schema.security = []
    return
  }
  schema.security = scopes.map((s) => ({ [SECURITY_SCHEME]: [s] }))
  schema.response = { ...schema.response, ...problems('UNAUTHORIZED', 'FORBIDDEN') }
}

export function registerAuth(app: FastifyInstance, keys: () => ApiKeyService): void {
  app.decorateRequest('apiKey', null)
  app.addHook('onRoute', declareSecurity)
  // callback style: public routes (preview, the bench's hot path) pass without allocating a promise
  app.addHook('onRequest', (req, reply, done) => {
    const scopes: readonly Scope[] | undefined = req.routeOptions.config.scopes
    // no scopes at request time means no route matched: the 404 handler answers
    if (scopes === undefined || scopes.includes('public')) return done()
    keys()
      .authenticate(req.headers.authorization)
      .then((key) => {
        if (typeof key === 'string') {
          reply.header(
            'www-authenticate',
            `Bearer realm="jifen"${key === 'missing' ? '' : ', error="invalid_token"'}`,
          )
          return done(authError(key))
        }
        if (!scopes.some((s) => (key.scopes as readonly string[]).includes(s))) {
          const detail = bi(
            `密钥 ${key.name} 的权限范围为 ${key.scopes.join('、')}；此接口需要其中之一：${scopes.join('、')}`,
            `key ${key.name} has scopes ${key.scopes.join(', ')}; this route needs one of ${scopes.join(', ')}`,
          )
          return done(new AppError('FORBIDDEN', detail, [{ path: 'headers.authorization', message: detail }]))
        }
        req.apiKey = key
        done()
      }, done)
  })
}
