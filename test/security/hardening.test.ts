// Hardening: public rate limit and body limit, security headers (and /docs still loading), timeouts, 503 under pressure, parameterised SQL.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { getHeapStatistics } from 'node:v8'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { ERROR_CODES } from '../../schema/errors.ts'
import { loadConfig } from '../../src/config.ts'
import { projectRoot } from '../../src/project-root.ts'
import * as helper from '../helper.ts'

const { build, json, pointsRequest } = helper

const PREVIEW = '/v1/points/preview'
const OFFICIAL = '/v1/points/evaluations'

/**
 * Headers that admit a caller to keyed routes: a key with every scope once the security layer's
 * helper exists, none before it (keyed routes were open then).
 */
async function keyed(app: FastifyInstance): Promise<Record<string, string>> {
  const authHeaders = (helper as Record<string, unknown>).authHeaders as
    | ((app: FastifyInstance, scopes: string[]) => Promise<Record<string, string>>)
    | undefined
  return authHeaders ? await authHeaders(app, ['police', 'education', 'admin', 'auditor']) : {}
}

/** A problem+json answer with this status and a catalogue code. */
function assertProblem(tt: Test, res: LightMyRequestResponse, status: number) {
  tt.equal(res.statusCode, status, `status ${status}`)
  tt.match(String(res.headers['content-type']), /^application\/problem\+json/)
  const body = json(res)
  tt.equal(body.status, status, 'the body repeats the status')
  tt.ok((ERROR_CODES as string[]).includes(body.code), `a catalogue code: ${body.code}`)
  tt.type(body.requestId, 'string')
  tt.notMatch(res.body, /at .*\.[jt]s:\d+/, 'no stack trace')
  return body
}

t.test('public routes are rate limited per client address; keyed routes are not', async (tt) => {
  const app = await build(tt, { config: { rateLimitMax: 3, rateLimitWindowMs: 60_000 } })
  for (let i = 0; i < 3; i++) {
    const res = await app.inject({ method: 'POST', url: PREVIEW, payload: pointsRequest() })
    tt.equal(res.statusCode, 200, `request ${i + 1} of 3 passes`)
    tt.equal(res.headers['x-ratelimit-limit'], '3')
    tt.equal(res.headers['x-ratelimit-remaining'], String(2 - i))
  }
  const refused = await app.inject({ method: 'POST', url: PREVIEW, payload: pointsRequest() })
  const body = assertProblem(tt, refused, 429)
  tt.equal(body.code, 'JIFEN_ERR_RATE_LIMITED')
  tt.match(body.detail, /rate limit|请求过多/)
  tt.ok(Number(refused.headers['retry-after']) > 0, 'Retry-After says when to come back')
  // GET routes marked public are limited too (separately counted per route)
  for (let i = 0; i < 3; i++) await app.inject({ method: 'GET', url: '/openapi.json' })
  tt.equal((await app.inject({ method: 'GET', url: '/openapi.json' })).statusCode, 429)
  // another client address has its own allowance
  const other = await app.inject({
    method: 'POST',
    url: PREVIEW,
    payload: pointsRequest(),
    remoteAddress: '10.1.2.3',
  })
  tt.equal(other.statusCode, 200, 'another address is not refused')
  // a keyed route (police/education) is not rate limited here: the key is accountable instead
  const headers = await keyed(app)
  for (let i = 0; i < 6; i++) {
    const res = await app.inject({ method: 'POST', url: OFFICIAL, payload: pointsRequest(), headers })
    tt.equal(res.statusCode, 201, `official request ${i + 1} is stored, not rate limited`)
    tt.equal(res.headers['x-ratelimit-limit'], undefined)
  }
})

t.test(
  'behind a trusted proxy the rate limit counts each forwarded client; spoofed headers change nothing',
  async (tt) => {
    const send = (app: Awaited<ReturnType<typeof build>>, from: string, forwardedFor?: string) =>
      app.inject({
        method: 'POST',
        url: PREVIEW,
        payload: pointsRequest(),
        remoteAddress: from,
        headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
      })
    const PROXY = '10.0.0.5'
    const proxied = await build(tt, { config: { rateLimitMax: 2, trustProxy: [PROXY] } })
    for (let i = 0; i < 2; i++) tt.equal((await send(proxied, PROXY, '203.0.113.7')).statusCode, 200)
    tt.equal(
      (await send(proxied, PROXY, '203.0.113.7')).statusCode,
      429,
      'the forwarded client used its allowance',
    )
    tt.equal(
      (await send(proxied, PROXY, '203.0.113.8')).statusCode,
      200,
      'another client behind the same proxy has its own',
    )
    // a client reaching us directly cannot pick an address: its header is not vouched for by a trusted proxy
    const direct = '198.51.100.9'
    for (let i = 0; i < 2; i++) await send(proxied, direct, `192.0.2.${i}`)
    tt.equal(
      (await send(proxied, direct, '192.0.2.99')).statusCode,
      429,
      'X-Forwarded-For from a non-proxy is ignored',
    )

    // without trustProxy (the default), everyone behind a proxy shares the proxy's allowance
    const unconfigured = await build(tt, { config: { rateLimitMax: 2 } })
    await send(unconfigured, PROXY, '203.0.113.7')
    await send(unconfigured, PROXY, '203.0.113.8')
    tt.equal((await send(unconfigured, PROXY, '203.0.113.9')).statusCode, 429)
  },
)

t.test('a rate limit of 0 turns the limit off (test and bench apps)', async (tt) => {
  const app = await build(tt, { config: { rateLimitMax: 0 } })
  for (let i = 0; i < 150; i++) {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' })
    if (res.statusCode !== 200) tt.fail(`request ${i + 1}: ${res.statusCode}`)
  }
  const res = await app.inject({ method: 'GET', url: '/openapi.json' })
  tt.equal(res.statusCode, 200)
  tt.equal(res.headers['x-ratelimit-limit'], undefined, 'no rate-limit headers')
})

t.test('the default configuration limits public routes (120 per minute)', async (tt) => {
  const app = await build(tt)
  const res = await app.inject({ method: 'GET', url: '/openapi.json' })
  tt.equal(res.headers['x-ratelimit-limit'], '120')
})

t.test('probes are never rate limited: 1,000 /healthz calls from one address all get 200', async (tt) => {
  // a limit low enough that the public routes are refused well before the probes are done
  const app = await build(tt, { config: { rateLimitMax: 5, rateLimitWindowMs: 60_000 } })
  const from = { remoteAddress: '10.0.0.9' }
  const statuses = new Map<number, number>()
  for (let i = 0; i < 1000; i++) {
    const res = await app.inject({ method: 'GET', url: '/healthz', ...from })
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
    if (i === 0) tt.equal(res.headers['x-ratelimit-limit'], undefined, 'no rate-limit headers on a probe')
  }
  tt.same(Object.fromEntries(statuses), { 200: 1000 }, '1,000 × 200')
  for (let i = 0; i < 20; i++) {
    const res = await app.inject({ method: 'GET', url: '/readyz', ...from })
    if (res.statusCode !== 200) tt.fail(`/readyz call ${i + 1}: ${res.statusCode}`)
  }
  // the same address on a public route is limited: the limit is on, the probes are exempt
  const answers = []
  for (let i = 0; i < 6; i++)
    answers.push((await app.inject({ method: 'GET', url: '/openapi.json', ...from })).statusCode)
  tt.same(answers, [200, 200, 200, 200, 200, 429])
})

t.test('oversize bodies are a 413 problem+json naming the body; public routes take less', async (tt) => {
  const app = await build(tt, { config: { bodyLimit: 16 * 1024, publicBodyLimit: 2048, rateLimitMax: 0 } })
  // ~3 KB: over the public limit, under the global one (30 named dates, within their maximum of 32)
  const dates = Object.fromEntries(
    Array.from({ length: 30 }, (_, i) => [`date-${'n'.repeat(50)}-${i}`, '2020-01-01']),
  )
  const medium = pointsRequest({ dates })
  tt.ok(JSON.stringify(medium).length > 2048 && JSON.stringify(medium).length < 16 * 1024)
  const pub = await app.inject({ method: 'POST', url: PREVIEW, payload: medium })
  const body = assertProblem(tt, pub, 413)
  tt.equal(body.code, 'JIFEN_ERR_BODY_TOO_LARGE')
  tt.same(body.errors, [{ path: 'body', message: '过大' }], 'names the body (in Chinese, the default)')
  const headers = await keyed(app)
  const official = await app.inject({ method: 'POST', url: OFFICIAL, payload: medium, headers })
  tt.equal(official.statusCode, 201, 'the same body is within a keyed route’s limit')
  // over the global limit: refused everywhere, nothing stored
  const huge = pointsRequest({
    dates: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`d${i}`, '2020-01-01'])),
  })
  const big = await app.inject({ method: 'POST', url: OFFICIAL, payload: huge, headers })
  tt.equal(assertProblem(tt, big, 413).code, 'JIFEN_ERR_BODY_TOO_LARGE')
  // a body sent without content-length (chunked) is cut off at the limit too
  const chunked = await app.inject({
    method: 'POST',
    url: PREVIEW,
    headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    payload: JSON.stringify(medium),
  })
  tt.equal(chunked.statusCode, 413)
})

t.test('a body nested deeper than the limit is a 400 naming the body, not a stack overflow', async (tt) => {
  const app = await build(tt, { config: { rateLimitMax: 0 } })
  const deep = (n: number) => '{"not":'.repeat(n) + '{"fact":"age","gte":1}' + '}'.repeat(n)
  // a table condition thousands of levels deep: zod's recursive validation overflowed the stack (a 500)
  const table = {
    ...helper.shippedTables().find((x) => x.id === 'zhejiang-points-2022'),
    id: 'deep',
    version: 1,
  }
  const text = JSON.stringify({ table }).replace(/"when":\{/, `"when":${deep(5000)},"was":{`)
  tt.ok(text.includes('{"not":{"not":'), 'the deep condition is in the body')
  const res = await app.inject({
    method: 'POST',
    url: '/v1/rulesets',
    headers: { ...(await keyed(app)), 'content-type': 'application/json' },
    payload: text,
  })
  const body = assertProblem(tt, res, 400)
  tt.equal(body.code, 'JIFEN_ERR_VALIDATION')
  tt.same(body.errors, [{ path: 'body', message: '嵌套超过 64 层' }])
  // on a public route too, and at the configured limit
  const strict = await build(tt, { config: { rateLimitMax: 0, bodyMaxDepth: 8 } })
  const nine = pointsRequest({}, { districtItems: { a: [[[[[[1]]]]]] } })
  tt.equal((await strict.inject({ method: 'POST', url: PREVIEW, payload: nine })).statusCode, 400)
  // the limit leaves real bodies alone: the deepest shipped table is 11 levels
  tt.equal((await app.inject({ method: 'POST', url: PREVIEW, payload: pointsRequest() })).statusCode, 200)
})

t.test('the nesting measure counts levels without recursing', async (tt) => {
  const { nestsDeeperThan } = await import('../../src/plugins/hardening.ts')
  tt.equal(nestsDeeperThan(1, 1), false)
  tt.equal(nestsDeeperThan({}, 1), false)
  tt.equal(nestsDeeperThan({ a: [] }, 1), true)
  tt.equal(nestsDeeperThan({ a: [] }, 2), false)
  tt.equal(nestsDeeperThan([1, [2, [3]]], 3), false)
  tt.equal(nestsDeeperThan([1, [2, [3]]], 2), true)
  let v: unknown = 0
  for (let i = 0; i < 200_000; i++) v = [v]
  tt.equal(nestsDeeperThan(v, 64), true, 'two hundred thousand levels: no stack overflow')
})

t.test('responses carry security headers, errors included', async (tt) => {
  const app = await build(tt, { config: { rateLimitMax: 0 } })
  for (const res of [
    await app.inject({ method: 'GET', url: '/healthz' }),
    await app.inject({ method: 'GET', url: '/v1/rulesets', headers: await keyed(app) }),
    // refused before any route code runs (no key, where one is needed)
    await app.inject({ method: 'POST', url: OFFICIAL, payload: pointsRequest() }),
    await app.inject({ method: 'GET', url: '/v1/nothing-here' }),
    await app.inject({
      method: 'POST',
      url: PREVIEW,
      payload: '{',
      headers: { 'content-type': 'application/json' },
    }),
  ]) {
    const h = res.headers
    tt.equal(h['x-content-type-options'], 'nosniff', `${res.statusCode}: nosniff`)
    tt.equal(h['x-frame-options'], 'SAMEORIGIN')
    tt.equal(h['referrer-policy'], 'no-referrer')
    tt.equal(h['cross-origin-opener-policy'], 'same-origin')
    tt.equal(h['x-powered-by'], undefined)
    const csp = String(h['content-security-policy'])
    tt.match(csp, /default-src 'self'/)
    tt.match(csp, /frame-ancestors 'none'/)
    tt.match(csp, /object-src 'none'/)
    tt.notMatch(csp, /https:/, 'nothing from a CDN: the page works offline')
    tt.notMatch(csp, /upgrade-insecure-requests/, 'plain HTTP behind a proxy keeps working')
  }
})

t.test('/docs still loads under the security headers: every asset it names is served', async (tt) => {
  const app = await build(tt, { config: { rateLimitMax: 0 } })
  let res = await app.inject({ method: 'GET', url: '/docs' })
  if (res.statusCode >= 300 && res.statusCode < 400) {
    res = await app.inject({
      method: 'GET',
      url: new URL(String(res.headers.location), 'http://x/docs/').pathname,
    })
  }
  tt.equal(res.statusCode, 200)
  tt.match(String(res.headers['content-type']), /^text\/html/)
  tt.equal(res.headers['x-content-type-options'], 'nosniff')
  const csp = String(res.headers['content-security-policy'])
  tt.match(csp, /script-src 'self'/, 'scripts from this origin are allowed')
  // inline scripts would need their hash in the policy; swagger-ui's page has none, and must stay so
  for (const m of res.body.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
    const hash = createHash('sha256').update(m[1]).digest('base64')
    tt.ok(csp.includes(`'sha256-${hash}'`), 'an inline script is allowed by hash')
  }
  const assets = [...res.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1])
  tt.ok(
    assets.some((a) => a.endsWith('swagger-ui-bundle.js')),
    'names the bundle',
  )
  tt.ok(
    assets.some((a) => a.endsWith('.css')),
    'names a style sheet',
  )
  for (const a of assets) {
    const url = new URL(a, 'http://x/docs/').pathname
    const asset = await app.inject({ method: 'GET', url })
    tt.equal(asset.statusCode, 200, `${url} is served`)
    // with nosniff a browser runs a script or applies a style sheet only if its type says so
    const type = String(asset.headers['content-type'])
    if (url.endsWith('.js')) tt.match(type, /javascript/, `${url} is served as JavaScript`)
    if (url.endsWith('.css')) tt.match(type, /^text\/css/, `${url} is served as CSS`)
    tt.notMatch(a, /^https?:/, `${a} is local: no CDN`)
  }
  // the initializer loads the document from this origin, which connect-src (default-src 'self') allows
  const init = await app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' })
  const docUrl = /url: '([^']+)'/.exec(init.body)?.[1] ?? '/docs/json'
  const doc = await app.inject({ method: 'GET', url: new URL(docUrl, 'http://x/docs/').pathname })
  tt.equal(doc.statusCode, 200)
  tt.equal(json(doc).openapi, '3.1.0')
})

t.test('timeouts come from configuration', async (tt) => {
  const app = await build(tt, { config: { requestTimeoutMs: 5000, connectionTimeoutMs: 7000 } })
  tt.equal(app.server.requestTimeout, 5000)
  tt.ok(app.server.headersTimeout <= 5000, 'headers must arrive within the request timeout too')
  tt.equal(app.server.timeout, 7000, 'idle sockets are closed')
  const off = await build(tt, { config: { requestTimeoutMs: 0, connectionTimeoutMs: 0 } })
  tt.equal(off.server.requestTimeout, 0)
  tt.equal(off.server.timeout, 0)
})

/** Sends headers and half a body, then waits for whatever the server says (or for it to hang up). */
function slowClient(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let got = ''
    socket.setEncoding('utf8')
    socket.on('connect', () => {
      socket.write(
        `POST ${PREVIEW} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"jurisdiction":`,
      )
    })
    socket.on('data', (d) => {
      got += d
    })
    socket.on('close', () => resolve(got))
    socket.on('error', (e) => (got ? resolve(got) : reject(e)))
  })
}

t.test('a client that never finishes its request gets a 408 once the request timeout passes', async (tt) => {
  // Without the hardening node would wait 300 s (its default) and this test would time out.
  tt.setTimeout(30_000)
  const app: FastifyInstance = await build(tt, { config: { requestTimeoutMs: 1000, rateLimitMax: 0 } })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  const answer = await slowClient(port)
  tt.match(answer, /^HTTP\/1\.1 408/, 'node answers 408 Request Timeout and closes')
})

/**
 * Waits until under-pressure's sampler (once a second) has taken a sample that satisfies `done`. No
 * deadline of its own: on a loaded machine timers run late, and tap's timeout catches a real hang.
 */
async function untilSampled(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 50))
}

t.test(
  'under pressure, requests get a 503 problem+json with Retry-After; the probes still answer',
  async (tt) => {
    // one byte of heap: always over, as soon as the first sample is taken, however busy the machine
    const app = await build(tt, { config: { pressureMaxHeapUsedBytes: 1, rateLimitMax: 0 } })
    await untilSampled(() => app.isUnderPressure())
    const res = await app.inject({ method: 'POST', url: PREVIEW, payload: pointsRequest() })
    const body = assertProblem(tt, res, 503)
    tt.equal(body.code, 'JIFEN_ERR_OVERLOADED')
    tt.match(body.detail, /under pressure|服务繁忙/)
    tt.equal(res.headers['retry-after'], '10')
    tt.equal(res.headers['x-content-type-options'], 'nosniff', 'the refusal carries the security headers')
    // Probes are exempt: a busy process is alive (do not restart it) and reports its own checks,
    // rather than the overload answer meant for callers.
    tt.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'alive')
    const ready = await app.inject({ method: 'GET', url: '/readyz' })
    tt.equal(ready.statusCode, 200, 'ready: its checks pass')
    tt.equal(json(ready).status, 'ready')
  },
)

t.test('the default pressure limits, and the heap limit leaves a normal process alone', async (tt) => {
  const defaults = loadConfig({})
  tt.equal(defaults.pressureMaxEventLoopDelayMs, 1000)
  tt.equal(defaults.pressureMaxHeapUsedBytes, Math.floor(getHeapStatistics().heap_size_limit * 0.9))
  tt.equal(defaults.pressureMaxRssBytes, 0)
  // The event-loop check measures the machine (a busy neighbour on a shared CI machine pushes it over a
  // second), so this test leaves it off; the heap check depends on this process only.
  const app = await build(tt, {
    config: { rateLimitMax: 0, pressureMaxHeapUsedBytes: defaults.pressureMaxHeapUsedBytes },
  })
  await untilSampled(() => app.memoryUsage().heapUsed > 0)
  tt.equal(app.isUnderPressure(), false)
  tt.equal((await app.inject({ method: 'POST', url: PREVIEW, payload: pointsRequest() })).statusCode, 200)
})

// ---------------------------------------------------------------- parameterised SQL only
//
// Every value reaches SQLite as a bound parameter (drizzle's query builder, `sql` template values and
// `sql.placeholder`, or better-sqlite3 `?`/named parameters). A string built by concatenation or
// interpolation and handed to the driver, or drizzle's `sql.raw`, would put caller text into the SQL
// itself: one forgotten escape away from injection. Migrations are static files, not scanned. This
// scan is crude on purpose: it fails on the shapes that matter and a reviewer decides about the rest.

const SQL_VERB = '(?:select|insert|update|delete|replace|pragma|drop|alter|create|attach)'

const UNSAFE: { name: string; re: RegExp }[] = [
  { name: 'drizzle sql.raw()', re: /\bsql\.raw\s*\(/ },
  { name: 'sql.identifier() from a variable', re: /\bsql\.identifier\s*\(\s*[^'"`\s)]/ },
  {
    name: 'an interpolated template handed to the driver',
    re: /\.(?:prepare|exec|run|all|pragma)\s*\(\s*`[^`]*\$\{/,
  },
  {
    name: 'a concatenated string handed to the driver',
    re: /\.(?:prepare|exec|run|all|pragma)\s*\(\s*(?:(['"`])[^'"`]*\1\s*\+|[\w.]+\s*\+\s*['"`])/,
  },
  {
    name: 'SQL text built by concatenation',
    re: new RegExp(['"', "'", '`'].map((q) => `${q}\\s*${SQL_VERB}\\b[^${q}]*${q}\\s*\\+`).join('|'), 'i'),
  },
  {
    // drizzle's sql`…${value}` binds the value, so a template tagged `sql` is fine
    name: 'SQL text built by interpolation',
    re: new RegExp(`(?<!\\bsql)\`\\s*${SQL_VERB}\\b[^\`]*\\$\\{`, 'i'),
  },
]

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? filesUnder(p) : /\.[cm]?[jt]s$/.test(name) ? [p] : []
  })
}

function unsafeSql(source: string): string[] {
  // A statement may span lines; join them so a call and its argument are read together.
  const flat = source.replace(/\s*\n\s*/g, ' ')
  return UNSAFE.filter((u) => u.re.test(flat)).map((u) => u.name)
}

t.test('the scan recognises unsafe SQL (so that its silence means something)', async (tt) => {
  // `${x}` in source text, spelt so that the linter does not take these samples for mistaken templates
  const $ = (name: string) => '$' + '{' + name + '}'
  const bad = [
    `db.run(sql.raw(\`delete from evaluations where id = '${$('id')}'\`))`,
    `sqlite.prepare(\`select * from evaluations where id = ${$('id')}\`)`,
    "sqlite.prepare('select * from evaluations where id = ' + id)",
    "sqlite.exec(\n  'drop table ' +\n name)",
    'const q = "select * from rulesets where id = \'" + id + "\'"',
    `const q = \`update rulesets set status = ${$('s')}\``,
  ]
  for (const b of bad) tt.ok(unsafeSql(b).length > 0, `caught: ${b}`)
  const good = [
    "sqlite.prepare('select 1 as ok')",
    'db.select().from(evaluations).where(eq(evaluations.id, sql.placeholder("id")))',
    `db.run(sql\`delete from t where id = ${$('id')}\`)`,
    "sqlite.pragma('journal_mode = WAL')",
  ]
  for (const g of good) tt.same(unsafeSql(g), [], `accepted: ${g}`)
})

t.test('repositories and the rest of src/ pass values to SQL only as parameters', async (tt) => {
  const files = filesUnder(join(projectRoot, 'src'))
  tt.ok(
    files.some((f) => f.includes(join('src', 'repositories'))),
    'the repositories are scanned',
  )
  for (const f of files) {
    const found = unsafeSql(readFileSync(f, 'utf8'))
    tt.same(found, [], `${f.slice(projectRoot.length + 1)}: no unsafe SQL`)
  }
})
