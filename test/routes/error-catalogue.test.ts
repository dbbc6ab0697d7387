// The error catalogue: every problem is sent with the status of its code, whatever raised it (routes, fastify, plugins, node).
import { connect } from 'node:net'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { ERRORS, type ErrorName } from '../../schema/errors.ts'
import { AppError } from '../../src/errors.ts'
import { routePattern, toProblem } from '../../src/plugins/errors.ts'
import { authHeaders, build, json, pointsRequest } from '../helper.ts'

/** The catalogue entry of a problem's code; fails the test for a code outside the catalogue. */
function entryOf(code: string): { name: ErrorName; status: number } | null {
  const name = code.replace(/^JIFEN_ERR_/, '') as ErrorName
  return name in ERRORS ? { name, status: ERRORS[name].status } : null
}

/** The answer is problem+json, and its status line, body status and code agree with the catalogue. */
function assertCatalogued(tt: Test, res: LightMyRequestResponse, code: string, what: string) {
  tt.match(String(res.headers['content-type']), /^application\/problem\+json/, `${what}: problem+json`)
  const body = json(res)
  const entry = entryOf(body.code)
  tt.equal(body.code, code, `${what}: ${code}`)
  tt.equal(res.statusCode, entry?.status, `${what}: sent with ${entry?.status}, the status of ${body.code}`)
  tt.equal(body.status, res.statusCode, `${what}: the body says the same`)
}

t.test('whatever status an error carries, the problem’s status is its code’s', async (tt) => {
  const seen = new Map<string, number>()
  for (let status = 400; status < 600; status++) {
    for (const code of [undefined, 'FST_ERR_SOMETHING', 'FST_ERR_CTP_INVALID_CONTENT_LENGTH']) {
      const err = Object.assign(new Error('raised'), { statusCode: status, code })
      const p = toProblem(err, 'req-1')
      const entry = entryOf(p.code)
      if (entry === null || entry.status !== p.status)
        tt.fail(`status ${status} (${code}): ${p.code} sent with ${p.status}`)
      seen.set(p.code, p.status)
    }
  }
  for (const name of Object.keys(ERRORS) as ErrorName[]) {
    const p = toProblem(new AppError(name, 'detail'), 'req-1')
    tt.equal(p.status, ERRORS[name].status, `AppError ${name}`)
  }
  // the statuses fastify and its plugins raise each get a code of that status
  for (const [status, code] of [
    [405, 'JIFEN_ERR_METHOD_NOT_ALLOWED'],
    [408, 'JIFEN_ERR_REQUEST_TIMEOUT'],
    [412, 'JIFEN_ERR_PRECONDITION_FAILED'],
    [416, 'JIFEN_ERR_RANGE_NOT_SATISFIABLE'],
    [431, 'JIFEN_ERR_HEADERS_TOO_LARGE'],
  ] as const) {
    tt.equal(
      toProblem(Object.assign(new Error('x'), { statusCode: status }), 'r').code,
      code,
      `${status}: ${code}`,
    )
  }
  // a client status with no code of its own is a malformed request (400), never VALIDATION with 418
  const teapot = toProblem(Object.assign(new Error('x'), { statusCode: 418 }), 'r')
  tt.same([teapot.code, teapot.status], ['JIFEN_ERR_MALFORMED_REQUEST', 400])
  tt.equal(seen.get('JIFEN_ERR_VALIDATION'), undefined, 'VALIDATION is never the fallback')
})

t.test('problems raised through the app carry the status of their code', async (tt) => {
  const app = await build(tt, { config: { rateLimitMax: 2, publicBodyLimit: 4096 } })
  const police = await authHeaders(app, ['police'])
  const admin = await authHeaders(app, ['admin'])
  const cases: [string, Promise<LightMyRequestResponse>, string][] = [
    [
      'a wrong method',
      app.inject({ method: 'DELETE', url: '/v1/points/preview' }),
      'JIFEN_ERR_METHOD_NOT_ALLOWED',
    ],
    [
      'no route',
      app.inject({ method: 'GET', url: '/v1/nothing', headers: police }),
      'JIFEN_ERR_ROUTE_NOT_FOUND',
    ],
    [
      'a range past the end of a /docs asset',
      app.inject({
        method: 'GET',
        url: '/docs/static/swagger-ui.css',
        headers: { range: 'bytes=99999999-' },
      }),
      'JIFEN_ERR_RANGE_NOT_SATISFIABLE',
    ],
    [
      'an If-Match that does not hold',
      app.inject({ method: 'GET', url: '/docs/static/swagger-ui.css', headers: { 'if-match': '"other"' } }),
      'JIFEN_ERR_PRECONDITION_FAILED',
    ],
    [
      'a body shorter than its Content-Length',
      app.inject({
        method: 'POST',
        url: '/v1/points/preview',
        headers: { 'content-type': 'application/json', 'content-length': '5' },
        payload: '{}',
      }),
      'JIFEN_ERR_MALFORMED_REQUEST',
    ],
    [
      'a bad body',
      app.inject({ method: 'POST', url: '/v1/points/evaluations', headers: police, payload: {} }),
      'JIFEN_ERR_VALIDATION',
    ],
    [
      'malformed JSON',
      app.inject({
        method: 'POST',
        url: '/v1/points/evaluations',
        headers: { ...police, 'content-type': 'application/json' },
        payload: '{',
      }),
      'JIFEN_ERR_MALFORMED_JSON',
    ],
    [
      'text',
      app.inject({
        method: 'POST',
        url: '/v1/points/evaluations',
        headers: { ...police, 'content-type': 'text/plain' },
        payload: 'x',
      }),
      'JIFEN_ERR_UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a big public body',
      app.inject({ method: 'POST', url: '/v1/points/preview', payload: { x: 'y'.repeat(5000) } }),
      'JIFEN_ERR_BODY_TOO_LARGE',
    ],
    [
      'a long parameter',
      app.inject({ method: 'GET', url: `/v1/rulesets/${'a'.repeat(500)}`, headers: police }),
      'JIFEN_ERR_URI_TOO_LONG',
    ],
    ['no key', app.inject({ method: 'GET', url: '/v1/audit' }), 'JIFEN_ERR_UNAUTHORIZED'],
    [
      'the wrong scope',
      app.inject({ method: 'GET', url: '/v1/audit', headers: police }),
      'JIFEN_ERR_FORBIDDEN',
    ],
    [
      'an unknown record',
      app.inject({
        method: 'GET',
        url: '/v1/points/evaluations/0b6f3c1e-6a7d-4f7e-9d1c-2a5b8e4f7c3d',
        headers: police,
      }),
      'JIFEN_ERR_NOT_FOUND',
    ],
    [
      'a future date',
      app.inject({
        method: 'POST',
        url: '/v1/points/evaluations',
        headers: police,
        payload: pointsRequest({ asOf: '2027-01-01' }),
      }),
      'JIFEN_ERR_FUTURE_DATE',
    ],
    [
      'a published table',
      app.inject({
        method: 'PUT',
        url: '/v1/rulesets/ningbo-points-2022@1',
        headers: admin,
        payload: { table: {} },
      }),
      'JIFEN_ERR_VALIDATION',
    ],
  ]
  for (const [what, res, code] of cases) assertCatalogued(tt, await res, code, what)
  const wrongMethod = await app.inject({
    method: 'PUT',
    url: '/v1/points/evaluations/0b6f3c1e-6a7d-4f7e-9d1c-2a5b8e4f7c3d',
  })
  tt.equal(wrongMethod.headers.allow, 'GET, HEAD', 'Allow lists the methods the path takes')
  // the rate limit: the third public request in the window
  for (let i = 0; i < 2; i++) await app.inject({ method: 'GET', url: '/openapi.json' })
  assertCatalogued(
    tt,
    await app.inject({ method: 'GET', url: '/openapi.json' }),
    'JIFEN_ERR_RATE_LIMITED',
    'the rate limit',
  )
})

/** Writes raw bytes to the server and returns everything it answers before closing. */
function rawExchange(app: FastifyInstance, request: string): Promise<string> {
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let got = ''
    socket.setEncoding('utf8')
    socket.on('connect', () => socket.write(request))
    socket.on('data', (d) => {
      got += d
    })
    socket.on('close', () => resolve(got))
    socket.on('error', (e) => (got ? resolve(got) : reject(e)))
  })
}

/** Status line and body of a raw HTTP answer; the body must be a problem of the status's code. */
function assertRawProblem(tt: Test, answer: string, code: string, what: string) {
  const [head, body] = [
    answer.slice(0, answer.indexOf('\r\n\r\n')),
    answer.slice(answer.indexOf('\r\n\r\n') + 4),
  ]
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1])
  tt.match(head, /content-type: application\/problem\+json/i, `${what}: problem+json`)
  tt.match(head, /x-content-type-options: nosniff/i, `${what}: security headers`)
  const problem = JSON.parse(body)
  tt.equal(problem.code, code, `${what}: ${code}`)
  tt.equal(status, entryOf(problem.code)?.status, `${what}: sent with the status of its code`)
  tt.equal(problem.status, status)
}

t.test('what node refuses before fastify sees it is problem+json with a code of its own', async (tt) => {
  const app = await build(tt, { config: { requestTimeoutMs: 1000, rateLimitMax: 0 } })
  await app.listen({ port: 0, host: '127.0.0.1' })
  // headers over node's 16 KB limit
  const big = await rawExchange(
    app,
    `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
  )
  assertRawProblem(tt, big, 'JIFEN_ERR_HEADERS_TOO_LARGE', 'headers too large')
  // not HTTP at all
  assertRawProblem(
    tt,
    await rawExchange(app, 'HELLO THERE\r\n\r\n'),
    'JIFEN_ERR_MALFORMED_REQUEST',
    'not HTTP',
  )
  // a request that never finishes: answered when the request timeout passes, however long that takes here
  const slow = await rawExchange(
    app,
    'POST /v1/points/preview HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":',
  )
  assertRawProblem(tt, slow, 'JIFEN_ERR_REQUEST_TIMEOUT', 'request timeout')
})

t.test('the contract lists under each status only codes of that status', async (tt) => {
  const app = await build(tt)
  const doc = app.swagger() as unknown as {
    paths: Record<
      string,
      Record<string, { responses: Record<string, { description: string; content?: object }> }>
    >
  }
  let checked = 0
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (typeof op !== 'object' || op === null || !('responses' in op)) continue
      for (const [status, response] of Object.entries(op.responses)) {
        for (const code of response.description.match(/JIFEN_ERR_[A-Z_]+/g) ?? []) {
          checked++
          if (String(entryOf(code)?.status) !== status)
            tt.fail(`${method} ${path} lists ${code} under ${status}`)
        }
      }
    }
  }
  tt.ok(checked > 50, `${checked} codes listed, each under its own status`)
})

t.test('route patterns for the 405 check', async (tt) => {
  tt.ok(routePattern('/v1/points/evaluations/:id').test('/v1/points/evaluations/abc'))
  tt.notOk(routePattern('/v1/points/evaluations/:id').test('/v1/points/evaluations/abc/replay'))
  tt.ok(routePattern('/docs/static/*').test('/docs/static/a/b.css'))
  tt.ok(routePattern('/v1/rulesets/:id/diff/:otherId').test('/v1/rulesets/a@1/diff/b@2'))
  tt.notOk(routePattern('/v1/rulesets').test('/v1/rulesetsX'))
  tt.notOk(routePattern('/a.b').test('/aXb'), 'dots are literal')
})
