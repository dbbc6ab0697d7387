// API keys: issued once, stored as a hash, checked on every request, revoked from the CLI while the service runs.
import Database from 'better-sqlite3'
import t from 'tap'
import {
  authHeaders,
  build,
  issueKey,
  json,
  pointsRequest,
  postOfficial,
  TEST_AUDIT_KEY_SECRET,
  tempDbPath,
} from '../helper.ts'
import { jifen } from './cli.ts'

t.test('a key revoked in the middle of a run stops working on the next request', async (tt) => {
  const app = await build(tt)
  const key = await issueKey(app, ['police'], 'counter-7')
  const headers = { authorization: `Bearer ${key}` }
  const before = await postOfficial(app, headers, pointsRequest())
  tt.equal(before.statusCode, 201)
  await app.jifen.services().keys.revoke('counter-7', { keyId: null, keyName: 'test' })
  const after = await postOfficial(app, headers, pointsRequest())
  tt.equal(after.statusCode, 401)
  tt.equal(json(after).code, 'JIFEN_ERR_UNAUTHORIZED')
  tt.match(json(after).detail, /unknown or revoked|不存在或已吊销/)
  const read = await app.inject({ method: 'GET', url: `/v1/points/evaluations/${json(before).id}`, headers })
  tt.equal(read.statusCode, 401, 'every route, not just the one used before')
})

t.test('the CLI creates, lists and revokes keys in the database a running service uses', async (tt) => {
  const dbPath = tempDbPath(tt)
  // the audit key the test app uses: the CLI's entries chain onto the same log
  const env = { JIFEN_DB_PATH: dbPath, JIFEN_AUDIT_KEY: TEST_AUDIT_KEY_SECRET }
  const app = await build(tt, { config: { dbPath } })

  const created = jifen(
    ['keys', 'create', '--name', 'yinzhou-counter-7', '--scopes', 'police,education'],
    env,
  )
  tt.equal(created.code, 0, created.err)
  const key = created.out.trim()
  tt.match(key, /^jf_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/, 'only the key on stdout')
  tt.match(created.err, /only time it is shown/)
  const headers = { authorization: `Bearer ${key}` }
  const ok = await postOfficial(app, headers, pointsRequest())
  tt.equal(ok.statusCode, 201, 'the running service accepts a key the CLI just made')

  const listed = jifen(['keys', 'list', '--json'], env)
  tt.equal(listed.code, 0, listed.err)
  const keys = JSON.parse(listed.out)
  tt.same(
    keys.map((k: { name: string; scopes: string[]; revokedAt: null }) => [k.name, k.scopes, k.revokedAt]),
    [['yinzhou-counter-7', ['police', 'education'], null]],
  )
  tt.notOk(listed.out.includes(key.slice(16)), 'the list never shows a secret')
  tt.notOk('secretHash' in keys[0], 'nor its hash')

  const revoked = jifen(['keys', 'revoke', '--name', 'yinzhou-counter-7'], env)
  tt.equal(revoked.code, 0, revoked.err)
  const refused = await postOfficial(app, headers, pointsRequest())
  tt.equal(
    refused.statusCode,
    401,
    'revoked by another process: refused on the next request, no cache to expire',
  )

  const again = jifen(['keys', 'revoke', key.slice(3, 15)], env)
  tt.equal(again.code, 2, 'revoking twice (here by id) is an error')
  tt.match(again.err, /was revoked at/)
  const reuse = jifen(['keys', 'create', '--name', 'yinzhou-counter-7', '--scopes', 'police'], env)
  tt.equal(reuse.code, 2, 'a name is never reused: audit entries name keys')
  const badScope = jifen(['keys', 'create', '--name', 'x', '--scopes', 'police,root'], env)
  tt.equal(badScope.code, 2)
  tt.match(badScope.err, /unknown scope root/)

  // below the service: what the database holds is the secret's hash, never the key
  const raw = new Database(dbPath, { readonly: true })
  tt.teardown(() => raw.close())
  const dump = JSON.stringify(raw.prepare('select * from api_keys').all())
  tt.notOk(dump.includes(key.slice(16)), 'the secret is not stored')
  tt.match(dump, /"secret_hash":"[0-9a-f]{64}"/)
})

t.test('a key is only revoked, never edited or deleted: the database refuses', async (tt) => {
  const dbPath = tempDbPath(tt)
  const app = await build(tt, { config: { dbPath } })
  await issueKey(app, ['auditor'], 'read-only')
  const raw = new Database(dbPath)
  tt.teardown(() => raw.close())
  tt.throws(
    () => raw.prepare(`update api_keys set scopes = 'admin' where name = 'read-only'`).run(),
    /JIFEN_IMMUTABLE/,
  )
  tt.throws(() => raw.prepare(`delete from api_keys where name = 'read-only'`).run(), /JIFEN_IMMUTABLE/)
  await app.jifen.services().keys.revoke('read-only', { keyId: null, keyName: 'test' })
  tt.throws(
    () => raw.prepare(`update api_keys set revoked_at = null where name = 'read-only'`).run(),
    /JIFEN_IMMUTABLE/,
  )
})

t.test('a key with several scopes passes where any one of them is needed', async (tt) => {
  const app = await build(tt)
  const both = await authHeaders(app, ['education', 'auditor'])
  const created = await postOfficial(app, both, pointsRequest())
  tt.equal(created.statusCode, 201, 'education')
  const audit = await app.inject({ method: 'GET', url: '/v1/audit', headers: both })
  tt.equal(audit.statusCode, 200, 'auditor')
  // settlement, not the permit: education may check a parent's permit since issue 15
  const permit = await app.inject({
    method: 'POST',
    url: '/v1/settlement/eligibility',
    headers: both,
    payload: pointsRequest(),
  })
  tt.equal(permit.statusCode, 403, 'neither is police')
  tt.match(json(permit).detail, /needs one of police|需要其中之一：police/)
})
