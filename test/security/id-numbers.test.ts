// ID numbers: stored as a keyed HMAC plus a masked form, found through the HMAC, never stored or logged in full.
import { existsSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import { idCheckChar } from '../../schema/id-number.ts'
import { buildApp } from '../../src/app.ts'
import { fixedClock } from '../../src/clock.ts'
import { testConfig } from '../../src/config.ts'
import { idHmac } from '../../src/security/id-hmac.ts'
import {
  authHeaders,
  build,
  captureLogs,
  issueKey,
  json,
  logLeaks,
  NOW,
  pointsRequest,
  postOfficial,
  shippedTables,
  TEST_ID_HMAC_SECRET,
  tempDbPath,
  tempDir,
} from '../helper.ts'

/** A valid ID for the helper's applicant (born 1988-03-02), registered in Yinzhou. */
function idFor(serial: string): string {
  const first17 = `33021219880302${serial}`
  return first17 + idCheckChar(first17)
}
const ALICE = idFor('123')
const BOB = idFor('456')

t.test('the database holds the HMAC and the masked form, never the number', async (tt) => {
  const dbPath = tempDbPath(tt)
  const app = await build(tt, { config: { dbPath } })
  const police = await authHeaders(app, ['police'])
  const created = json(await postOfficial(app, police, pointsRequest({}, { idNumber: ALICE })))
  tt.equal(created.idNumberMasked, `330212***********${ALICE[17]}`)
  await app.close()
  const raw = new Database(dbPath, { readonly: true })
  tt.teardown(() => raw.close())
  const row = raw.prepare('select id_number_hmac, id_number_masked from evaluations').get() as Record<
    string,
    string
  >
  tt.equal(row.id_number_hmac, idHmac(ALICE, TEST_ID_HMAC_SECRET), 'keyed with the configured secret')
  tt.not(row.id_number_hmac, idHmac(ALICE, 'another secret of at least thirty-two chars'))
  // every table, every column: the full number appears nowhere
  const tables = (
    raw.prepare(`select name from sqlite_master where type = 'table'`).all() as { name: string }[]
  ).map((r) => r.name)
  for (const name of tables) {
    const dump = JSON.stringify(raw.prepare(`select * from "${name}"`).all())
    tt.notOk(dump.includes(ALICE), `${name} holds no full ID number`)
    tt.notOk(dump.includes(ALICE.slice(6, 17)), `${name} holds no unmasked middle part`)
  }
})

t.test(
  'GET /v1/points/evaluations?idNumber= finds that person’s records, newest first, and nobody else’s',
  async (tt) => {
    const app = await build(tt)
    const police = await authHeaders(app, ['police'])
    const make = async (id: string | undefined) =>
      json(await postOfficial(app, police, pointsRequest({}, id === undefined ? {} : { idNumber: id })))
    const a1 = await make(ALICE)
    await make(BOB)
    await make(undefined)
    const a2 = await make(ALICE)

    const auditor = await authHeaders(app, ['auditor'])
    for (const headers of [police, auditor]) {
      const res = await app.inject({
        method: 'GET',
        url: `/v1/points/evaluations?idNumber=${ALICE}`,
        headers,
      })
      tt.equal(res.statusCode, 200)
      tt.same(
        json(res).evaluations.map((e: { reference: string }) => e.reference),
        [a2.reference, a1.reference],
      )
      tt.notOk(res.body.includes(ALICE), 'the answer shows the masked form only')
    }
    const limited = json(
      await app.inject({
        method: 'GET',
        url: `/v1/points/evaluations?idNumber=${ALICE}&limit=1`,
        headers: police,
      }),
    )
    tt.same(
      limited.evaluations.map((e: { id: string }) => e.id),
      [a2.id],
    )
    const nobody = json(
      await app.inject({
        method: 'GET',
        url: `/v1/points/evaluations?idNumber=${idFor('789')}`,
        headers: police,
      }),
    )
    tt.same(nobody.evaluations, [])
    const badChecksum = `${ALICE.slice(0, 17)}${ALICE[17] === '0' ? '1' : '0'}`
    const bad = await app.inject({
      method: 'GET',
      url: `/v1/points/evaluations?idNumber=${badChecksum}`,
      headers: police,
    })
    tt.equal(bad.statusCode, 400)
    tt.same(
      json(bad).errors.map((e: { path: string }) => e.path),
      ['querystring.idNumber'],
    )
  },
)

t.test(
  'POST /v1/points/evaluations/search finds the same records with the ID number kept out of the URL',
  async (tt) => {
    const app = await build(tt)
    const police = await authHeaders(app, ['police'])
    const make = async (id: string) =>
      json(await postOfficial(app, police, pointsRequest({}, { idNumber: id })))
    const a1 = await make(ALICE)
    await make(BOB)
    const a2 = await make(ALICE)
    const search = (payload: unknown, headers = police) =>
      app.inject({
        method: 'POST',
        url: '/v1/points/evaluations/search',
        headers,
        payload: payload as object,
      })

    const auditor = await authHeaders(app, ['auditor'])
    for (const headers of [police, auditor]) {
      const res = await search({ idNumber: ALICE }, headers)
      tt.equal(res.statusCode, 200)
      tt.same(
        json(res).evaluations.map((e: { reference: string }) => e.reference),
        [a2.reference, a1.reference],
        'newest first, nobody else’s',
      )
      tt.notOk(res.body.includes(ALICE), 'the answer shows the masked form only')
    }
    tt.same(
      json(await search({ idNumber: ALICE, limit: 1 })).evaluations.map((e: { id: string }) => e.id),
      [a2.id],
    )
    // the GET gives the same answer: one lookup, two ways to ask
    tt.same(
      json(
        await app.inject({ method: 'GET', url: `/v1/points/evaluations?idNumber=${ALICE}`, headers: police }),
      ),
      json(await search({ idNumber: ALICE })),
    )
    tt.same(json(await search({ idNumber: idFor('789') })).evaluations, [])

    const badChecksum = `${ALICE.slice(0, 17)}${ALICE[17] === '0' ? '1' : '0'}`
    for (const [payload, path] of [
      [{ idNumber: badChecksum }, 'body.idNumber'],
      [{}, 'body.idNumber'],
      [{ idNumber: ALICE, limit: 0 }, 'body.limit'],
      [{ idNumber: ALICE, limit: '5' }, 'body.limit'],
      [{ idNumber: ALICE, name: 'Alice' }, 'body'],
    ] as const) {
      const bad = await search(payload)
      tt.equal(bad.statusCode, 400, JSON.stringify(payload))
      tt.ok(
        json(bad).errors.some((e: { path: string }) => e.path === path),
        `${JSON.stringify(payload)} names ${path}`,
      )
      tt.notOk(bad.body.includes(badChecksum), 'the refusal does not echo the ID number')
    }
    const education = await authHeaders(app, ['education'])
    tt.equal((await search({ idNumber: ALICE }, education)).statusCode, 403, 'education cannot search by ID')
    tt.equal((await search({ idNumber: ALICE }, {})).statusCode, 401, 'nor can anyone without a key')
  },
)

t.test('logs of a whole flow hold no full ID number and no key', async (tt) => {
  const logs = captureLogs()
  const app = await build(tt, { config: { logLevel: 'trace' }, logStream: logs.stream })
  const key = await issueKey(app, ['police', 'auditor'], 'logged-counter')
  const headers = { authorization: `Bearer ${key}`, 'idempotency-key': 'log-1' }
  const badChecksum = `${BOB.slice(0, 17)}${BOB[17] === '0' ? '1' : '0'}`
  await postOfficial(app, headers, pointsRequest({}, { idNumber: ALICE }))
  await postOfficial(app, headers, pointsRequest({}, { idNumber: ALICE }))
  await app.inject({ method: 'GET', url: `/v1/points/evaluations?idNumber=${ALICE}`, headers })
  await app.inject({ method: 'GET', url: `/v1/points/evaluations?idNumber=${badChecksum}`, headers })
  await app.inject({
    method: 'POST',
    url: '/v1/points/evaluations/search',
    headers,
    payload: { idNumber: ALICE },
  })
  await app.inject({
    method: 'POST',
    url: '/v1/points/evaluations/search',
    headers,
    payload: { idNumber: badChecksum },
  })
  await app.inject({
    method: 'POST',
    url: '/v1/points/preview',
    payload: pointsRequest({}, { idNumber: badChecksum }),
  })
  await app.inject({ method: 'GET', url: '/v1/audit', headers })
  await app.inject({
    method: 'GET',
    url: '/v1/audit',
    headers: { authorization: `Bearer ${key.slice(0, -1)}x` },
  })
  await app.jifen.services().keys.revoke('logged-counter', { keyId: null, keyName: 'test' })
  await app.inject({ method: 'GET', url: '/v1/audit', headers })
  tt.ok(logs.lines.length > 10, `${logs.lines.length} lines`)
  tt.same(logLeaks(logs.text(), [key]), [])
  tt.ok(
    logs.text().includes('"query":{"idNumber":"[redacted]"}'),
    'the lookup is logged with its ID parameter redacted',
  )
  // the check itself finds what it looks for
  tt.equal(logLeaks(`{"msg":"${ALICE}"}`).length, 1)
  tt.equal(logLeaks(`{"h":"Bearer ${key}"}`, [key]).length, 2)
})

t.test(
  'without a configured secret: generated in the secrets folder, apart from the database (0600), on first start, reused after',
  async (tt) => {
    const dbPath = tempDbPath(tt)
    // a folder of its own, not the database's: a copy of the database folder never holds the secret
    const secretsDir = join(tempDir(tt), 'secrets')
    const secretPath = join(secretsDir, 'id-hmac-secret')
    const logs = captureLogs()
    const first = await build(tt, {
      config: { dbPath, secretsDir, logLevel: 'warn' },
      logStream: logs.stream,
      idHmacSecret: undefined,
    })
    tt.ok(existsSync(secretPath))
    tt.notOk(existsSync(`${dbPath}.id-hmac-secret`), 'nothing beside the database')
    tt.equal(statSync(secretPath).mode & 0o777, 0o600)
    tt.equal(statSync(secretsDir).mode & 0o777, 0o700)
    tt.match(logs.text(), /generated the ID-number HMAC secret/)
    tt.ok(logs.text().includes(secretPath), 'the log line says where')
    const key = await issueKey(first, ['police'])
    const headers = { authorization: `Bearer ${key}` }
    const created = json(await postOfficial(first, headers, pointsRequest({}, { idNumber: ALICE })))
    await first.close()

    const second = await build(tt, { config: { dbPath, secretsDir }, idHmacSecret: undefined })
    const found = json(
      await second.inject({ method: 'GET', url: `/v1/points/evaluations?idNumber=${ALICE}`, headers }),
    )
    tt.same(
      found.evaluations.map((e: { id: string }) => e.id),
      [created.id],
      'the same secret after a restart: the lookup still works',
    )
    await second.close()

    const start = async (idHmacSecret: string | undefined) => {
      const app = buildApp(testConfig({ dbPath, secretsDir }), {
        clock: fixedClock(NOW),
        seedTables: shippedTables,
        idHmacSecret,
      })
      try {
        await app.ready()
        return null
      } catch (e) {
        return (e as Error).message
      } finally {
        await app.close()
      }
    }
    tt.match(
      await start('another-secret-that-is-long-enough-0123456789'),
      /not the one .* was made with/,
      'a different secret fails fast',
    )
    rmSync(secretPath)
    tt.match(
      await start(undefined),
      /JIFEN_ID_HMAC_SECRET is required/,
      'a lost secret file fails fast, no new secret made',
    )
    tt.notOk(existsSync(secretPath))
  },
)
