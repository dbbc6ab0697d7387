// product.md "What bad input gets": each listed bad input, its own test, a 4xx problem+json naming the field.
import t, { type Test } from 'tap'
import { idCheckChar } from '../../schema/id-number.ts'
import { authHeaders, build, json, pointsRequest } from '../helper.ts'

const URL = '/v1/points/evaluations'

/** Asserts a problem+json answer with this status and code that names `path` among its errors. */
function assertProblem(
  tt: Test,
  res: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
  code: string,
  path: string,
) {
  tt.equal(res.statusCode, status, `status ${status}`)
  tt.match(String(res.headers['content-type']), /^application\/problem\+json/)
  const body = JSON.parse(res.body)
  tt.equal(body.code, code)
  tt.equal(body.status, status)
  tt.ok(
    body.errors.some((e: { path: string }) => e.path === path),
    `names ${path}; got ${JSON.stringify(body.errors.map((e: { path: string }) => e.path))}`,
  )
  tt.notMatch(res.body, /at .*\.ts:\d+|SQLITE|select |insert /i, 'no stack trace or SQL')
}

/** No bad request may leave a record behind: the next good one is still the year's first. */
async function assertNothingStored(tt: Test, app: Awaited<ReturnType<typeof build>>) {
  const auth = await authHeaders(app, ['police'])
  const res = await app.inject({ headers: auth, method: 'POST', url: URL, payload: pointsRequest() })
  tt.equal(json(res).reference, 'JF-2026-000001', 'no partial write')
}

t.test('malformed JSON is a 400 naming the body', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['police'])
  const res = await app.inject({
    method: 'POST',
    url: URL,
    headers: { ...auth, 'content-type': 'application/json' },
    payload: '{"jurisdiction": "330212", "asOf": ',
  })
  assertProblem(tt, res, 400, 'JIFEN_ERR_MALFORMED_JSON', 'body')
  await assertNothingStored(tt, app)
})

t.test('a wrong type is a 400 naming the field', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['police'])
  const res = await app.inject({
    headers: auth,
    method: 'POST',
    url: URL,
    payload: pointsRequest({}, { birthDate: 19880302 }),
  })
  assertProblem(tt, res, 400, 'JIFEN_ERR_VALIDATION', 'body.applicant.birthDate')
  await assertNothingStored(tt, app)
})

t.test('an unknown enum value is a 400 naming the field', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['police'])
  const res = await app.inject({
    headers: auth,
    method: 'POST',
    url: URL,
    payload: pointsRequest({}, { education: 'phd' }),
  })
  assertProblem(tt, res, 400, 'JIFEN_ERR_VALIDATION', 'body.applicant.education')
})

t.test('an impossible date (2023-02-30) is a 400 naming the field', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['police'])
  const res = await app.inject({
    headers: auth,
    method: 'POST',
    url: URL,
    payload: pointsRequest(
      {},
      { residence: { registeredSince: '2023-02-30', region: '330212', permit: null } },
    ),
  })
  assertProblem(tt, res, 400, 'JIFEN_ERR_VALIDATION', 'body.applicant.residence.registeredSince')
})

t.test('`to` before `from` is a 400 naming `to`', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['police'])
  const res = await app.inject({
    headers: auth,
    method: 'POST',
    url: URL,
    payload: pointsRequest({}, { socialInsurance: [{ from: '2020-05', to: '2020-04', region: '330212' }] }),
  })
  assertProblem(tt, res, 400, 'JIFEN_ERR_VALIDATION', 'body.applicant.socialInsurance.0.to')
})

t.test('a future date in the facts is a 422 naming the field', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['police'])
  // today is 2026-05-15 (test/helper.ts); a contract starting tomorrow cannot be a fact yet
  const res = await app.inject({
    headers: auth,
    method: 'POST',
    url: URL,
    payload: pointsRequest(
      {},
      { employment: [{ kind: 'labour_contract', from: '2026-05-16', to: null, region: '330212' }] },
    ),
  })
  assertProblem(tt, res, 422, 'JIFEN_ERR_FUTURE_DATE', 'body.applicant.employment.0.from')
  await assertNothingStored(tt, app)
})

t.test('a future month in the facts is a 422 naming the field', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['police'])
  const res = await app.inject({
    headers: auth,
    method: 'POST',
    url: URL,
    payload: pointsRequest({}, { socialInsurance: [{ from: '2019-03', to: '2026-06', region: '330212' }] }),
  })
  assertProblem(tt, res, 422, 'JIFEN_ERR_FUTURE_DATE', 'body.applicant.socialInsurance.0.to')
})

t.test('an as-of date after today is a 422 naming asOf; today itself is fine', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['police'])
  const res = await app.inject({
    headers: auth,
    method: 'POST',
    url: URL,
    payload: pointsRequest({ asOf: '2026-05-16' }),
  })
  assertProblem(tt, res, 422, 'JIFEN_ERR_FUTURE_DATE', 'body.asOf')
  const todayRes = await app.inject({
    headers: auth,
    method: 'POST',
    url: URL,
    payload: pointsRequest({ asOf: '2026-05-15' }),
  })
  tt.equal(todayRes.statusCode, 201)
})

t.test('an ID number with a bad checksum is a 400 naming idNumber', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['police'])
  const first17 = '33021219880302123'
  const good = first17 + idCheckChar(first17)
  const bad = first17 + (good[17] === '0' ? '1' : '0')
  const res = await app.inject({
    headers: auth,
    method: 'POST',
    url: URL,
    payload: pointsRequest({}, { idNumber: bad }),
  })
  assertProblem(tt, res, 400, 'JIFEN_ERR_VALIDATION', 'body.applicant.idNumber')
  const ok = await app.inject({
    headers: auth,
    method: 'POST',
    url: URL,
    payload: pointsRequest({}, { idNumber: good }),
  })
  tt.equal(ok.statusCode, 201, 'the same ID with its right check character is accepted')
})

t.test(
  'a jurisdiction with no table in force on the as-of date is a 422 naming jurisdiction and asOf',
  async (tt) => {
    const app = await build(tt)
    const auth = await authHeaders(app, ['police'])
    // Shanghai (310000) has no table at all
    const shanghai = await app.inject({
      headers: auth,
      method: 'POST',
      url: URL,
      payload: pointsRequest({ jurisdiction: '310000' }),
    })
    assertProblem(tt, shanghai, 422, 'JIFEN_ERR_NO_TABLE_IN_FORCE', 'body.jurisdiction')
    // Ningbo before any shipped points table (the oldest is 2021) names asOf too
    const early = await app.inject({
      headers: auth,
      method: 'POST',
      url: URL,
      payload: pointsRequest({ asOf: '2015-06-30' }),
    })
    assertProblem(tt, early, 422, 'JIFEN_ERR_NO_TABLE_IN_FORCE', 'body.asOf')
    await assertNothingStored(tt, app)
  },
)

t.test('an oversize body is a 413 naming the body', async (tt) => {
  const app = await build(tt, { config: { bodyLimit: 4096 } })
  const auth = await authHeaders(app, ['police'])
  const big = pointsRequest(
    {},
    { records: Array.from({ length: 200 }, () => ({ kind: 'dishonesty', date: '2020-01-01' })) },
  )
  const res = await app.inject({ headers: auth, method: 'POST', url: URL, payload: big })
  assertProblem(tt, res, 413, 'JIFEN_ERR_BODY_TOO_LARGE', 'body')
  await assertNothingStored(tt, app)
})

t.test('a body that is not JSON is a 415 naming the content type', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['police'])
  const res = await app.inject({
    method: 'POST',
    url: URL,
    headers: { ...auth, 'content-type': 'text/plain' },
    payload: 'hello',
  })
  assertProblem(tt, res, 415, 'JIFEN_ERR_UNSUPPORTED_MEDIA_TYPE', 'headers.content-type')
})

t.test('an unknown field is a 400 naming it (bodies are strict)', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['police'])
  const res = await app.inject({
    headers: auth,
    method: 'POST',
    url: URL,
    payload: pointsRequest({}, { salary: 1 }),
  })
  assertProblem(tt, res, 400, 'JIFEN_ERR_VALIDATION', 'body.applicant')
  tt.match(json(res).detail, /salary/)
})

t.test('a __proto__ key is refused, not merged', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['police'])
  const res = await app.inject({
    method: 'POST',
    url: URL,
    headers: { ...auth, 'content-type': 'application/json' },
    payload:
      '{"jurisdiction":"330212","asOf":"2026-04-30","applicant":{"birthDate":"1988-03-02","__proto__":{"x":1}}}',
  })
  tt.equal(res.statusCode, 400)
  tt.equal(json(res).code, 'JIFEN_ERR_MALFORMED_JSON')
})

t.test('an unknown route is a 404 problem', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['police'])
  const res = await app.inject({ headers: auth, method: 'GET', url: '/v1/nothing-here' })
  tt.equal(res.statusCode, 404)
  tt.equal(json(res).code, 'JIFEN_ERR_ROUTE_NOT_FOUND')
})
