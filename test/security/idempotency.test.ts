// Idempotency-Key on creating POSTs: a retry gets the original answer, a different request under the same key a 409.
import Database from 'better-sqlite3'
import t from 'tap'
import { EvaluationRequestSchema } from '../../schema/api.ts'
import { contentSha256 } from '../../scoring/hash.ts'
import { RequestFingerprints } from '../../src/security/request-fingerprint.ts'
import {
  authHeaders,
  build,
  issueKey,
  json,
  pointsRequest,
  standaloneTable,
  TEST_ID_HMAC_SECRET,
  tempDbPath,
} from '../helper.ts'

const URL = '/v1/points/evaluations'

t.test(
  'a retry with the same key and body returns the original response: same status, same id, nothing new stored',
  async (tt) => {
    const app = await build(tt)
    const police = await authHeaders(app, ['police'])
    const headers = { ...police, 'idempotency-key': 'counter-7-ticket-0042' }
    const first = await app.inject({ method: 'POST', url: URL, headers, payload: pointsRequest() })
    tt.equal(first.statusCode, 201)
    tt.notOk(first.headers['idempotent-replayed'])
    const retry = await app.inject({ method: 'POST', url: URL, headers, payload: pointsRequest() })
    tt.equal(retry.statusCode, 201)
    tt.equal(retry.headers['idempotent-replayed'], 'true')
    tt.equal(retry.headers.location, first.headers.location)
    tt.same(json(retry), json(first), 'the same record: id, reference, result')
    const next = json(
      await app.inject({ method: 'POST', url: URL, headers: police, payload: pointsRequest() }),
    )
    tt.equal(next.reference, 'JF-2026-000002', 'the retry stored nothing')
    const audited = (await app.jifen.services().audit.page(0, 1000)).entries.filter(
      (e) => e.action === 'evaluation.created',
    )
    tt.equal(audited.length, 2, 'and audited nothing')
  },
)

t.test('the same key with a different body is a 409 problem, and stores nothing', async (tt) => {
  const app = await build(tt)
  const headers = { ...(await authHeaders(app, ['police'])), 'idempotency-key': 'k-1' }
  await app.inject({ method: 'POST', url: URL, headers, payload: pointsRequest() })
  const other = await app.inject({
    method: 'POST',
    url: URL,
    headers,
    payload: pointsRequest({}, { education: 'bachelor' }),
  })
  tt.equal(other.statusCode, 409)
  tt.match(String(other.headers['content-type']), /^application\/problem\+json/)
  tt.equal(json(other).code, 'JIFEN_ERR_IDEMPOTENCY_CONFLICT')
  tt.same(
    json(other).errors.map((e: { path: string }) => e.path),
    ['headers.idempotency-key'],
  )
  // the same key on another creating route is another request too
  const elsewhere = await app.inject({
    method: 'POST',
    url: '/v1/rulesets/none@1/publish',
    headers: { ...(await authHeaders(app, ['admin'])), 'idempotency-key': 'k-1' },
  })
  tt.equal(elsewhere.statusCode, 404, 'keys are per API key: the admin key never used k-1')
  const next = json(
    await app.inject({
      method: 'POST',
      url: URL,
      headers: await authHeaders(app, ['police']),
      payload: pointsRequest(),
    }),
  )
  tt.equal(next.reference, 'JF-2026-000002')
})

t.test('keys are scoped per API key: two callers using the same key get two records', async (tt) => {
  const app = await build(tt)
  const a = await issueKey(app, ['police'], 'counter-1')
  const b = await issueKey(app, ['police'], 'counter-2')
  const post = (key: string) =>
    app.inject({
      method: 'POST',
      url: URL,
      headers: { authorization: `Bearer ${key}`, 'idempotency-key': 'ticket-1' },
      payload: pointsRequest(),
    })
  const first = json(await post(a))
  const second = json(await post(b))
  tt.not(first.id, second.id)
  tt.equal(json(await post(a)).id, first.id)
  tt.equal(json(await post(b)).id, second.id)
})

t.test('a failed request saves no key: the retry is carried out', async (tt) => {
  const app = await build(tt)
  const headers = { ...(await authHeaders(app, ['police'])), 'idempotency-key': 'k-fail' }
  const future = await app.inject({
    method: 'POST',
    url: URL,
    headers,
    payload: pointsRequest({ asOf: '2027-01-01' }),
  })
  tt.equal(future.statusCode, 422)
  const fixed = await app.inject({ method: 'POST', url: URL, headers, payload: pointsRequest() })
  tt.equal(fixed.statusCode, 201, 'the same key with a corrected body works: the failure was never recorded')
})

t.test(
  'drafts and publication are idempotent too: a retried publish answers 200 again, not 409',
  async (tt) => {
    const app = await build(tt)
    const admin = await authHeaders(app, ['admin'])
    const table = standaloneTable({ id: 'idem-test' })
    const createHeaders = { ...admin, 'idempotency-key': 'draft-1' }
    const created = await app.inject({
      method: 'POST',
      url: '/v1/rulesets',
      headers: createHeaders,
      payload: { table },
    })
    tt.equal(created.statusCode, 201)
    const again = await app.inject({
      method: 'POST',
      url: '/v1/rulesets',
      headers: createHeaders,
      payload: { table },
    })
    tt.equal(again.statusCode, 201, 'not RULESET_EXISTS')
    tt.same(json(again), json(created))
    const without = await app.inject({
      method: 'POST',
      url: '/v1/rulesets',
      headers: admin,
      payload: { table },
    })
    tt.equal(without.statusCode, 409, 'without the key, a second create is refused as before')

    const publishHeaders = { ...admin, 'idempotency-key': 'publish-1' }
    const published = await app.inject({
      method: 'POST',
      url: '/v1/rulesets/idem-test@1/publish',
      headers: publishHeaders,
    })
    tt.equal(published.statusCode, 200)
    const retried = await app.inject({
      method: 'POST',
      url: '/v1/rulesets/idem-test@1/publish',
      headers: publishHeaders,
    })
    tt.equal(retried.statusCode, 200)
    tt.same(json(retried), json(published))
  },
)

t.test('a malformed Idempotency-Key is a 400 naming the header', async (tt) => {
  const app = await build(tt)
  const res = await app.inject({
    method: 'POST',
    url: URL,
    headers: { ...(await authHeaders(app, ['police'])), 'idempotency-key': 'has spaces' },
    payload: pointsRequest(),
  })
  tt.equal(res.statusCode, 400)
  tt.same(
    json(res).errors.map((e: { path: string }) => e.path),
    ['headers.idempotency-key'],
  )
})

t.test(
  'a body with a number JSON cannot hold exactly (1e400) under a key is a 400, not a 500, and stores nothing',
  async (tt) => {
    // found by test/security/fuzz.test.ts: canonical JSON (RFC 8785) has no form for an infinite number,
    // so the request could not be fingerprinted; without a key the same body was already a 4xx
    const app = await build(tt)
    const admin = await authHeaders(app, ['admin'])
    const payload =
      '{"table":{"id":"ningbo-points-2022","version":2,"scheme":"points","jurisdiction":"330200","title":"t","validFrom":"2026-06-01","ref":"ningbo-points-notice","supersedes":"ningbo-points-2022@1","patch":{"reweight":[{"id":"blood_donation","terms":[{"fact":-1e400,"points":3}]}]}}}'
    const res = await app.inject({
      method: 'POST',
      url: '/v1/rulesets',
      headers: { ...admin, 'content-type': 'application/json', 'idempotency-key': 'draft-1' },
      payload,
    })
    tt.equal(res.statusCode, 400)
    tt.equal(json(res).code, 'JIFEN_ERR_VALIDATION')
    tt.same(
      json(res).errors.map((e: { path: string }) => e.path),
      ['body'],
    )
    const drafts = json(await app.inject({ method: 'GET', url: '/v1/rulesets?status=draft', headers: admin }))
    tt.same(drafts.rulesets, [], 'no draft was stored')
  },
)

t.test('the key is stored in the database with the record, and survives a restart', async (tt) => {
  const dbPath = tempDbPath(tt)
  const first = await build(tt, { config: { dbPath } })
  const key = await issueKey(first, ['police'], 'counter-9')
  const headers = { authorization: `Bearer ${key}`, 'idempotency-key': 'restart-1' }
  const original = json(await first.inject({ method: 'POST', url: URL, headers, payload: pointsRequest() }))
  await first.close()
  const raw = new Database(dbPath, { readonly: true })
  const row = raw.prepare('select key, status, response_json from idempotency_keys').get() as {
    key: string
    status: number
    response_json: string
  }
  raw.close()
  const keyed = new RequestFingerprints(TEST_ID_HMAC_SECRET)
  tt.equal(row.key, keyed.storedKey('restart-1'), 'stored as its keyed hash')
  tt.not(row.key, 'restart-1', 'not in clear')
  tt.equal(row.status, 201)
  tt.equal(JSON.parse(row.response_json).id, original.id)
  const second = await build(tt, { config: { dbPath } })
  const retry = await second.inject({ method: 'POST', url: URL, headers, payload: pointsRequest() })
  tt.equal(json(retry).id, original.id)
})

t.test(
  'a key saved before keys and fingerprints were keyed (in clear, plain SHA-256) still replays after the upgrade',
  async (tt) => {
    const dbPath = tempDbPath(tt)
    const first = await build(tt, { config: { dbPath } })
    const key = await issueKey(first, ['police'], 'counter-old')
    const headers = { authorization: `Bearer ${key}`, 'idempotency-key': 'before-upgrade-1' }
    const keyId = (await first.jifen.services().keys.list()).find((k) => k.name === 'counter-old')?.id
    // the answer the earlier version saved: made here through the current code, then rewritten the old way
    const original = await first.inject({ method: 'POST', url: URL, headers, payload: pointsRequest() })
    await first.close()
    const raw = new Database(dbPath)
    // what the earlier version stored: the key in clear and SHA-256 of {route, params, parsed body}
    const oldFingerprint = contentSha256({
      route: 'POST /v1/points/evaluations',
      params: {},
      body: EvaluationRequestSchema.parse(pointsRequest()),
    })
    raw
      .prepare(
        `insert into idempotency_keys (api_key_id, key, request_sha256, status, response_json, location, created_at)
         select api_key_id, ?, ?, status, response_json, location, created_at from idempotency_keys where api_key_id = ?`,
      )
      .run('before-upgrade-1-old', oldFingerprint, keyId)
    raw.close()
    const second = await build(tt, { config: { dbPath } })
    const oldHeaders = { ...headers, 'idempotency-key': 'before-upgrade-1-old' }
    const retry = await second.inject({
      method: 'POST',
      url: URL,
      headers: oldHeaders,
      payload: pointsRequest(),
    })
    tt.equal(retry.statusCode, 201)
    tt.equal(retry.headers['idempotent-replayed'], 'true', 'found under the key in clear')
    tt.equal(json(retry).id, json(original).id, 'the original answer')
    const other = await second.inject({
      method: 'POST',
      url: URL,
      headers: oldHeaders,
      payload: pointsRequest({ asOf: '2026-04-29' }),
    })
    tt.equal(other.statusCode, 409, 'another request under the old key is still a conflict')
  },
)
