// Who may call what: every registered route × every kind of caller, against a table written by hand.
import t from 'tap'
import { buildApp } from '../../src/app.ts'
import { fixedClock } from '../../src/clock.ts'
import { testConfig } from '../../src/config.ts'
import type { Scope } from '../../src/security/api-keys.ts'
import { ALL_SCOPES, authHeaders, build, issueKey, json, NOW, TEST_ID_HMAC_SECRET } from '../helper.ts'

const READERS: Scope[] = ['police', 'education', 'admin', 'auditor']

/**
 * The access policy (issue 5), one row per route. It is written out, not read from the routes'
 * config, so that a route whose declared scopes drift from the policy fails here; and the route list
 * is taken from the app, so that a new route without a row fails too.
 */
const POLICY: Record<string, Scope[] | 'public'> = {
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /openapi.json': 'public',
  'GET /docs': 'public',
  'HEAD /docs/': 'public',
  'GET /docs/static/index.html': 'public',
  'GET /docs/static/swagger-initializer.js': 'public',
  'GET /docs/json': 'public',
  'GET /docs/yaml': 'public',
  'GET /docs/static/*': 'public',
  'POST /v1/points/preview': 'public',
  // the applicant's page and its files (src/routes/web.ts)
  'GET /': 'public',
  'GET /assets/app.js': 'public',
  'GET /assets/request.js': 'public',
  'GET /assets/i18n.js': 'public',
  'GET /assets/chart.js': 'public',
  'GET /assets/style.css': 'public',
  'POST /v1/points/evaluations': ['police', 'education'],
  'GET /v1/points/evaluations': ['police', 'auditor'],
  'POST /v1/points/evaluations/search': ['police', 'auditor'],
  'GET /v1/points/evaluations/:id': ['police', 'education', 'auditor'],
  'POST /v1/points/evaluations/:id/replay': ['police', 'education', 'auditor'],
  'GET /v1/points/evaluations/by-reference/:reference': ['police', 'education', 'auditor'],
  'POST /v1/points/evaluations/:id/void': ['police'],
  'GET /v1/points/evaluations/:id/notice': ['police', 'education', 'auditor'],
  // a school or a landlord checks a printed notice: public, rate-limited, answers three facts only
  'GET /v1/verify/:reference': 'public',
  // the pages problem types point to
  'GET /problems/:code': 'public',
  // enrolment systems check a parent's residence permit, on which admission depends (issue 15)
  'POST /v1/residence-permit/eligibility': ['police', 'education'],
  'POST /v1/settlement/eligibility': ['police'],
  'GET /v1/rulesets': READERS,
  'GET /v1/rulesets/:id': READERS,
  'GET /v1/rulesets/:id/diff/:otherId': READERS,
  'POST /v1/rulesets': ['admin'],
  'PUT /v1/rulesets/:id': ['admin'],
  'POST /v1/rulesets/:id/publish': ['admin'],
  'POST /v1/rulesets/:id/retire': ['admin'],
  'GET /v1/audit': ['auditor', 'admin'],
  // school admission (issue 10): education acts; auditors read; the publication is public once published
  // policy simulation (issue 13): policy officers (admin) only
  'POST /v1/simulations': ['admin'],
  'GET /v1/simulations/:id': ['admin'],
  'POST /v1/admission/eligibility': ['education'],
  'POST /v1/admission/rounds': ['education'],
  'GET /v1/admission/rounds': ['education', 'auditor'],
  'GET /v1/admission/rounds/:id': ['education', 'auditor'],
  'POST /v1/admission/rounds/:id/close': ['education'],
  'POST /v1/admission/rounds/:id/applications': ['education'],
  'GET /v1/admission/rounds/:id/applications': ['education', 'auditor'],
  'GET /v1/admission/rounds/:id/applications/:ref': ['education', 'auditor'],
  'DELETE /v1/admission/rounds/:id/applications/:ref': ['education'],
  'POST /v1/admission/rounds/:id/allocate': ['education'],
  'GET /v1/admission/rounds/:id/results': ['education', 'auditor'],
  'POST /v1/admission/rounds/:id/results/:version/replay': ['education', 'auditor'],
  'POST /v1/admission/rounds/:id/publish': ['education'],
  'GET /v1/admission/rounds/:id/results/publication': 'public',
}

/** Every method and URL the app registers, as fastify reports them. */
async function registeredRoutes(): Promise<{ method: string; url: string }[]> {
  const app = buildApp(testConfig(), {
    clock: fixedClock(NOW),
    seedTables: () => [],
    idHmacSecret: TEST_ID_HMAC_SECRET,
  })
  const routes: { method: string; url: string }[] = []
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) routes.push({ method, url: r.url })
  })
  await app.ready()
  await app.close()
  return routes
}

/** HEAD routes fastify adds for GET routes follow their GET row. */
function policyOf(method: string, url: string): Scope[] | 'public' | undefined {
  return POLICY[`${method} ${url}`] ?? (method === 'HEAD' ? POLICY[`GET ${url}`] : undefined)
}

/** A concrete URL for a route pattern: ids that pass validation but name nothing. */
function concrete(url: string): string {
  return url
    .replace('/v1/points/evaluations/:id', '/v1/points/evaluations/0b6f3c1e-6a7d-4f7e-9d1c-2a5b8e4f7c3d')
    .replace(':reference', 'JF-2026-000001')
    .replace(':otherId', 'nothing@2')
    .replace(':id', 'nothing@1')
    .replace('*', 'index.html')
}

t.test('every route has a row in the policy table, and every row a route', async (tt) => {
  const routes = await registeredRoutes()
  tt.ok(routes.length >= 20, `${routes.length} routes`)
  const missing = routes
    .filter((r) => policyOf(r.method, r.url) === undefined)
    .map((r) => `${r.method} ${r.url}`)
  tt.same(missing, [], 'routes without a row: add them to POLICY with the scopes the issue gives them')
  const registered = new Set(routes.map((r) => `${r.method} ${r.url}`))
  tt.same(
    Object.keys(POLICY).filter((k) => !registered.has(k)),
    [],
    'rows without a route',
  )
})

t.test(
  'route × caller: public routes admit anyone; scoped routes 401 without a valid key, 403 without the scope',
  async (tt) => {
    const routes = await registeredRoutes()
    const app = await build(tt)
    const revoked = await issueKey(app, ALL_SCOPES, 'revoked-everything')
    await app.jifen.services().keys.revoke('revoked-everything', { keyId: null, keyName: 'test' })
    // well-formed but never issued; and one of ours with its secret changed
    const unknown = 'jf_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
    const real = await issueKey(app, ALL_SCOPES)
    const forged = `${real.slice(0, 16)}${real[16] === 'A' ? 'B' : 'A'}${real.slice(17)}`
    const invalid: Record<string, Record<string, string>> = {
      'no key': {},
      'not a bearer header': { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
      'a bearer token not shaped like a key': { authorization: 'Bearer letmein' },
      'an unknown key': { authorization: `Bearer ${unknown}` },
      'a forged secret': { authorization: `Bearer ${forged}` },
      'a revoked key': { authorization: `Bearer ${revoked}` },
    }
    const scoped: [Scope, Record<string, string>][] = []
    for (const s of ALL_SCOPES) scoped.push([s, await authHeaders(app, [s])])

    let checked = 0
    for (const { method, url } of routes) {
      const policy = policyOf(method, url)!
      const request = (headers: Record<string, string>) =>
        app.inject({
          method: method as 'GET',
          url: concrete(url),
          headers,
          ...(method === 'POST' || method === 'PUT' ? { payload: {} } : {}),
        })
      for (const [who, headers] of [...Object.entries(invalid), ...scoped]) {
        const res = await request(headers)
        checked++
        const name = `${method} ${url} with ${who}`
        const admitted = policy === 'public' || (policy as string[]).includes(who)
        if (admitted) {
          tt.ok(
            res.statusCode !== 401 && res.statusCode !== 403 && res.statusCode < 500,
            `${name}: admitted (${res.statusCode})`,
          )
          continue
        }
        const want = who in invalid ? 401 : 403
        tt.equal(res.statusCode, want, `${name}: ${want}`)
        if (method === 'HEAD') continue
        tt.match(String(res.headers['content-type']), /^application\/problem\+json/, `${name}: problem+json`)
        tt.equal(
          json(res).code,
          want === 401 ? 'JIFEN_ERR_UNAUTHORIZED' : 'JIFEN_ERR_FORBIDDEN',
          `${name}: code`,
        )
        if (want === 401)
          tt.match(String(res.headers['www-authenticate']), /^Bearer realm="jifen"/, `${name}: challenge`)
      }
    }
    tt.ok(checked >= 200, `${checked} requests`)
  },
)

t.test('a route registered without scopes stops the app from starting', async (tt) => {
  const app = buildApp(testConfig(), { seedTables: () => [], idHmacSecret: TEST_ID_HMAC_SECRET })
  tt.teardown(() => app.close())
  tt.throws(
    () => app.get('/v1/forgotten', async () => ({ open: true })),
    /GET \/v1\/forgotten declares no scopes/,
  )
})

t.test(
  'the contract declares the bearer scheme, each scoped route’s scopes, and 401/403 problems',
  async (tt) => {
    const app = await build(tt)
    const doc = json(await app.inject({ method: 'GET', url: '/openapi.json' }))
    tt.same(doc.components.securitySchemes.bearerAuth.type, 'http')
    tt.same(doc.components.securitySchemes.bearerAuth.scheme, 'bearer')
    for (const [key, policy] of Object.entries(POLICY)) {
      const [method, url] = key.split(' ')
      const path = url.replace(/:(\w+)/g, '{$1}')
      const op = doc.paths[path]?.[method.toLowerCase()]
      if (op === undefined) continue // hidden: the document and UI routes
      if (policy === 'public') {
        tt.same(op.security, [], `${key}: no key needed`)
        continue
      }
      tt.same(
        op.security,
        policy.map((s) => ({ bearerAuth: [s] })),
        `${key}: any one of ${policy.join(', ')}`,
      )
      for (const status of ['401', '403'])
        tt.equal(
          op.responses[status]?.content?.['application/problem+json']?.schema?.$ref,
          '#/components/schemas/Problem',
          `${key}: ${status}`,
        )
    }
  },
)
