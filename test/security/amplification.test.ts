// Amplification: hostile bodies get small problem+json answers, and arrays and maps over their documented maxima are refused before zod walks them.
import type { FastifyInstance, LightMyRequestResponse, RouteOptions } from 'fastify'
import t, { type Test } from 'tap'
import type { z } from 'zod'
import { EvaluationRequestSchema } from '../../schema/api.ts'
import { MAX_DISTRICT_ITEMS } from '../../schema/applicant.ts'
import {
  MAX_FIELD_MESSAGE,
  MAX_FIELD_PATH,
  MAX_PROBLEM_DETAIL,
  MAX_PROBLEM_ERRORS,
} from '../../schema/errors.ts'
import { TABLE_MAXIMA } from '../../schema/table.ts'
import { buildApp } from '../../src/app.ts'
import { testConfig } from '../../src/config.ts'
import { problem } from '../../src/plugins/errors.ts'
import {
  boundedValidatorCompiler,
  RequestValidationError,
  sizeBoundsOf,
} from '../../src/plugins/validation.ts'
import { authHeaders, build, json, pointsRequest, shippedTables, TEST_ID_HMAC_SECRET } from '../helper.ts'

/** The largest answer any of these bodies may get (issue 11: ≤ 64 KB). */
const MAX_ANSWER_BYTES = 64 * 1024

/** A 400 problem+json of bounded size with a bounded list; returns the body. */
function assertBounded(tt: Test, res: LightMyRequestResponse, what: string) {
  tt.equal(res.statusCode, 400, `${what}: 400`)
  tt.match(String(res.headers['content-type']), /^application\/problem\+json/, `${what}: problem+json`)
  tt.ok(res.rawPayload.length <= MAX_ANSWER_BYTES, `${what}: ${res.rawPayload.length} bytes ≤ 64 KB`)
  const body = json(res)
  tt.equal(body.code, 'JIFEN_ERR_VALIDATION', `${what}: code`)
  tt.ok(
    body.errors.length >= 1 && body.errors.length <= MAX_PROBLEM_ERRORS,
    `${what}: ${body.errors.length} errors`,
  )
  tt.ok(body.detail.length <= MAX_PROBLEM_DETAIL, `${what}: detail of ${body.detail.length} characters`)
  for (const e of body.errors) {
    if (e.path.length > MAX_FIELD_PATH || e.message.length > MAX_FIELD_MESSAGE)
      tt.fail(`${what}: an error over its length: ${e.path.slice(0, 80)}`)
  }
  if (body.errorsOmitted !== undefined)
    tt.equal(body.errors.length, MAX_PROBLEM_ERRORS, `${what}: the list is full before any is omitted`)
  return body
}

const post = (app: FastifyInstance, url: string, payload: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, payload, headers: { ...headers, 'content-type': 'application/json' } })

t.test('a 200 KB draft-table body with a 100,000-element array gets a bounded 400', async (tt) => {
  const app = await build(tt, { config: { rateLimitMax: 0 } })
  const admin = await authHeaders(app, ['admin'])
  const base = shippedTables().find((x) => x.id === 'zhejiang-points-2022')
  const payload = JSON.stringify({
    table: { ...base, id: 'hostile-table', version: 1, items: Array(100_000).fill(0) },
  })
  tt.ok(payload.length > 200_000 && payload.length < 220_000, `${payload.length} bytes`)
  const body = assertBounded(tt, await post(app, '/v1/rulesets', payload, admin), 'draft table')
  tt.ok(
    body.errors.every((e: { path: string }) => e.path.startsWith('body.table.items')),
    'every error is about the array',
  )
  // refused whole, by its length, before zod reads an element: one error naming the field
  tt.same(body.errors, [
    { path: 'body.table.items', message: `at most ${TABLE_MAXIMA.items} items (got 100000)` },
  ])
  tt.equal(body.errorsOmitted, undefined)
})

t.test('oversized arrays and maps deep in a draft table get a bounded 400 naming the field', async (tt) => {
  const app = await build(tt, { config: { rateLimitMax: 0 } })
  const admin = await authHeaders(app, ['admin'])
  const base = shippedTables().find((x) => x.id === 'zhejiang-points-2022')!
  const draft = (patch: object) =>
    post(
      app,
      '/v1/rulesets',
      JSON.stringify({ table: { ...base, id: 'hostile-table', version: 1, ...patch } }),
      admin,
    )
  const item = base.items.find((i) => i.kind === 'bands') as unknown as { bands: unknown[] }
  // one item with 5,000 bands: the path names the item and the field
  const bands = assertBounded(
    tt,
    await draft({ items: [{ ...item, bands: Array(5000).fill(item.bands[0]) }] }),
    '5,000 bands',
  )
  tt.same(bands.errors, [
    {
      path: 'body.table.items.0.bands',
      message: `at most ${TABLE_MAXIMA.bands} items (got 5000)`,
    },
  ])
  // a condition's `in` list of 20,000 values, two levels down a gate
  const gate = {
    id: 'hostile_gate',
    label: 'x',
    ref: base.ref,
    when: { all: [{ fact: 'age', in: Array.from({ length: 20_000 }, (_, i) => i) }] },
  }
  const values = assertBounded(tt, await draft({ gates: [gate] }), '20,000 condition values')
  tt.same(values.errors, [
    {
      path: 'body.table.gates.0.when.all.0.in',
      message: `at most ${TABLE_MAXIMA.conditionValues} items (got 20000)`,
    },
  ])
  // a map: 5,000 named dates
  const dates = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`d${i}`, { date: '2020-01-01' }]))
  const many = assertBounded(tt, await draft({ dates }), '5,000 named dates')
  tt.same(many.errors, [
    { path: 'body.table.dates', message: `at most ${TABLE_MAXIMA.dates} entries (got 5000)` },
  ])
  // and nothing was stored
  const list = await app.inject({ method: 'GET', url: '/v1/rulesets?status=draft', headers: admin })
  tt.equal(list.statusCode, 200)
  tt.notMatch(list.body, /hostile-table/, 'no draft was stored')
})

t.test('every shipped table is well within the table maxima', async (tt) => {
  // "well within": at most a quarter of each maximum, so that growth of the policy never meets them
  const observed = new Map<string, number>()
  const note = (path: string, n: number) => observed.set(path, Math.max(observed.get(path) ?? 0, n))
  const COND = new Set(['all', 'any', 'in'])
  const walk = (v: unknown, path: string) => {
    if (Array.isArray(v)) {
      note(path, v.length)
      for (const x of v) walk(x, `${path}[]`)
    } else if (v !== null && typeof v === 'object') {
      if (path === 'references' || path === 'dates') note(path, Object.keys(v).length)
      for (const [k, x] of Object.entries(v))
        walk(
          x,
          path === 'references' || path === 'dates'
            ? `${path}.*`
            : COND.has(k)
              ? `when.${k}`
              : path === ''
                ? k
                : `${path}.${k}`,
        )
    }
  }
  for (const table of shippedTables()) walk(table, '')
  const maxOf = (path: string): number | undefined => {
    const last = path.replace(/\[\]/g, '').split('.').pop()!
    if (path.startsWith('when.'))
      return last === 'in' ? TABLE_MAXIMA.conditionValues : TABLE_MAXIMA.conditions
    if (last === 'ref') return TABLE_MAXIMA.refKeys
    if (last === 'at') return TABLE_MAXIMA.steps
    if (last === 'values') return TABLE_MAXIMA.categoryValues
    if (last === 'fields') return TABLE_MAXIMA.provisionalFields
    return (TABLE_MAXIMA as Record<string, number>)[last]
  }
  tt.ok(observed.size >= 20, `${observed.size} arrays and maps in the shipped tables`)
  for (const [path, n] of observed) {
    const max = maxOf(path)
    if (max === undefined) {
      tt.fail(`${path}: no maximum known to this test`)
      continue
    }
    tt.ok(n * 4 <= max, `${path}: ${n} of at most ${max}`)
  }
})

t.test('64 KB keyless preview bodies get bounded 400s', async (tt) => {
  const app = await build(tt, { config: { rateLimitMax: 0 } })
  const preview = (body: object, what: string) => {
    const payload = JSON.stringify(body)
    tt.ok(payload.length <= 64 * 1024, `${what}: ${payload.length} bytes, within the public body limit`)
    return post(app, '/v1/points/preview', payload)
  }
  // an array far over its maximum: refused by its length, one error
  const skills = assertBounded(
    tt,
    await preview(pointsRequest({}, { skills: Array(30_000).fill(0) }), 'skills'),
    '30,000 skills',
  )
  tt.same(skills.errors, [{ path: 'body.applicant.skills', message: 'at most 50 items (got 30000)' }])
  tt.equal(skills.errorsOmitted, undefined)
  // an array within its maximum whose every element is wrong several times over: the list is cut
  const periods = assertBounded(
    tt,
    await preview(pointsRequest({}, { socialInsurance: Array(450).fill({ backPaid: 'no' }) }), 'periods'),
    '450 bad insurance periods',
  )
  tt.equal(periods.errors.length, MAX_PROBLEM_ERRORS)
  tt.equal(periods.errors.length + periods.errorsOmitted, 450 * 4, 'from, to, region and backPaid of each')
  tt.match(periods.detail, /; and \d+ more$/, 'the detail summarises')
  // thousands of unknown keys: one error naming the first few, found before zod lists them all
  const unknown = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, 0]))
  const keys = assertBounded(tt, await preview(pointsRequest({}, unknown), 'keys'), '5,000 unknown keys')
  tt.same(keys.errors, [
    { path: 'body.applicant', message: 'unknown properties: "k0", "k1", "k2", "k3", "k4" and 4995 more' },
  ])
  // a few unknown keys are zod's to name, as before
  const one = assertBounded(tt, await preview(pointsRequest({}, { k0: 0 }), 'one key'), 'one unknown key')
  tt.match(one.errors[0].message, /k0/)
  // a map over its maximum
  const items = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`item_${i}`, 1]))
  const district = assertBounded(
    tt,
    await preview(pointsRequest({}, { districtItems: items }), 'district items'),
    '3,000 district items',
  )
  tt.same(district.errors, [
    { path: 'body.applicant.districtItems', message: `at most ${MAX_DISTRICT_ITEMS} entries (got 3000)` },
  ])
  // one key of 60,000 characters: path and message clipped
  const long = assertBounded(
    tt,
    await preview(pointsRequest({}, { districtItems: { ['x'.repeat(60_000)]: 1 } }), 'long key'),
    'a 60,000-character key',
  )
  tt.ok(long.errors[0].path.endsWith('…'), 'the path is clipped')
})

t.test('40,000 named dates are refused, and nothing is stored', async (tt) => {
  const app = await build(tt, { config: { rateLimitMax: 0 } })
  const police = await authHeaders(app, ['police'])
  const dates = Object.fromEntries(Array.from({ length: 40_000 }, (_, i) => [`d${i}`, '2020-01-01']))
  const res = await post(app, '/v1/points/evaluations', JSON.stringify(pointsRequest({ dates })), police)
  const body = assertBounded(tt, res, '40,000 dates')
  tt.same(body.errors, [{ path: 'body.dates', message: 'at most 32 entries (got 40000)' }])
  const stored = (await app.jifen.services().audit.page(0, 1000)).entries.filter(
    (e) => e.action === 'evaluation.created',
  )
  tt.equal(stored.length, 0, 'no record was made')
  // within the maximum, named dates are still taken
  const few = pointsRequest({ dates: { registration: '2026-03-01' } })
  tt.equal((await post(app, '/v1/points/evaluations', JSON.stringify(few), police)).statusCode, 201)
})

t.test('an array over its maximum is refused without reading any of its elements', async (tt) => {
  const validate = boundedValidatorCompiler({
    schema: EvaluationRequestSchema,
    method: 'POST',
    url: '/v1/points/preview',
    httpPart: 'body',
  }) as (data: unknown) => { error?: Error; value?: unknown }
  const skills: unknown[] = []
  let read = 0
  for (let i = 0; i < 100_000; i++) {
    Object.defineProperty(skills, i, {
      enumerable: true,
      get() {
        read++
        return { kind: 'skill_level', level: 3 }
      },
    })
  }
  const body = { ...pointsRequest(), applicant: { ...pointsRequest().applicant, skills } }
  const out = validate(body)
  tt.ok(out.error instanceof RequestValidationError)
  tt.same((out.error as RequestValidationError).issues, [
    { path: ['applicant', 'skills'], message: 'at most 50 items (got 100000)' },
  ])
  tt.equal(read, 0, 'no element was read: the work does not grow with the array')
  // within its maximum the same walk lets zod see every element
  const ok = validate({
    ...pointsRequest(),
    applicant: { ...pointsRequest().applicant, skills: skills.slice(0, 3) },
  })
  tt.equal(ok.error, undefined)
  tt.equal(read, 3)
})

t.test('a problem keeps at most 100 errors, counts the rest and clips every text', async (tt) => {
  const errors = Array.from({ length: 250 }, (_, i) => ({
    path: `body.${'p'.repeat(300)}${i}`,
    message: 'm'.repeat(1000),
  }))
  const p = problem('VALIDATION', 'd'.repeat(10_000), errors, 'req-1')
  tt.equal(p.errors.length, 100)
  tt.equal(p.errorsOmitted, 150)
  tt.equal(p.detail.length, MAX_PROBLEM_DETAIL)
  tt.ok(p.errors.every((e) => e.path.length === MAX_FIELD_PATH && e.message.length === MAX_FIELD_MESSAGE))
  tt.equal(problem('VALIDATION', 'short', [{ path: 'body', message: 'x' }]).errorsOmitted, undefined)
  // a cut never leaves half a surrogate pair
  const emoji = problem('VALIDATION', '😀'.repeat(400), []).detail
  tt.notMatch(emoji, /[\ud800-\udbff](?![\udc00-\udfff])/, 'no lone high surrogate')
})

t.test(
  'every array and map in a request body has a documented maximum, shown in the contract',
  async (tt) => {
    const app = buildApp(testConfig(), { seedTables: () => [], idHmacSecret: TEST_ID_HMAC_SECRET })
    tt.teardown(() => app.close())
    const bodies: { route: string; schema: z.ZodType }[] = []
    app.addHook('onRoute', (route: RouteOptions) => {
      const body = (route.schema as { body?: z.ZodType } | undefined)?.body
      if (body) bodies.push({ route: `${route.method} ${route.url}`, schema: body })
    })
    await app.ready()
    tt.ok(bodies.length >= 7, `${bodies.length} routes take a body`)
    const unbounded = bodies.flatMap(({ route, schema }) =>
      sizeBoundsOf(schema)
        .filter((b) => b.max === Number.POSITIVE_INFINITY)
        .map((b) => `${route} ${b.kind} ${b.path}`),
    )
    const isTable = (u: string) => / table\./.test(u)
    tt.same(
      unbounded.filter((u) => !isTable(u)),
      [],
      'requests: applicants, named dates, district items, searches',
    )
    tt.same(unbounded.filter(isTable), [], 'tables: every section, row list, condition list and map')
    // the contract shows them: maxItems on arrays, maxProperties on maps
    const doc = app.swagger() as {
      components: { schemas: Record<string, { properties: Record<string, unknown> }> }
    }
    const applicant = doc.components.schemas.Applicant.properties as Record<string, Record<string, unknown>>
    tt.equal(applicant.skills.maxItems, 50)
    tt.equal(applicant.districtItems.maxProperties, MAX_DISTRICT_ITEMS)
    const request = doc.components.schemas.EvaluationRequest.properties as Record<
      string,
      Record<string, unknown>
    >
    tt.equal(request.dates.maxProperties, 32)
    // and the table format's: maxItems and a description saying it
    const points = doc.components.schemas.PointsTable.properties as Record<string, Record<string, unknown>>
    tt.equal(points.items.maxItems, TABLE_MAXIMA.items)
    tt.match(points.items.description, `at most ${TABLE_MAXIMA.items}`)
    tt.equal(points.references.maxProperties, TABLE_MAXIMA.references)
  },
)
