// `jifen db copy --from <SQLite file> --to <postgres URL>`: every record, key, table and audit entry; afterwards the chain verifies and every record replays identical.
import t from 'tap'
import { idCheckChar } from '../../schema/id-number.ts'
import { freshPgDatabase, openRaw } from '../backend.ts'
import {
  authHeaders,
  build,
  bulkApplication,
  bulkRound,
  issueKey,
  json,
  pointsRequest,
  postOfficial,
  TEST_ID_HMAC_SECRET,
  tempDbPath,
} from '../helper.ts'
import { instanceEnv, jifenCli } from './processes.ts'

const first17 = '33021219880302123'
const ID = first17 + idCheckChar(first17)

t.test('an SQLite database copied to PostgreSQL serves on as it was', async (tt) => {
  const dbPath = tempDbPath(tt)
  const sqlite = await build(tt, { config: { dbPath, databaseUrl: null } })
  const police = await authHeaders(sqlite, ['police', 'auditor'])
  const admin = await authHeaders(sqlite, ['admin'])
  const revoked = await issueKey(sqlite, ['police'], 'to-be-revoked')
  await sqlite.jifen.services().keys.revoke('to-be-revoked', { keyId: null, keyName: 'test' })
  const made = []
  for (let i = 0; i < 5; i++)
    made.push(
      json(
        await postOfficial(
          sqlite,
          { ...police, 'idempotency-key': `copy-${i}` },
          pointsRequest({}, i === 0 ? { idNumber: ID } : { birthDate: `198${i}-01-0${i}` }),
        ),
      ),
    )
  const retired = await sqlite.inject({
    method: 'POST',
    url: '/v1/rulesets/yinzhou-points-2022@1/retire',
    headers: admin,
    payload: { reason: 'copied as retired' },
  })
  tt.equal(retired.statusCode, 200)
  // an admission round, allocated and published, with one application withdrawn
  const education = await authHeaders(sqlite, ['education'])
  const created = await sqlite.inject({
    method: 'POST',
    url: '/v1/admission/rounds',
    headers: education,
    payload: bulkRound('copy-2026', [{ id: 's1', name: '一校', seats: 1 }]),
  })
  const roundUrl = `/v1/admission/rounds/${json(created).id}`
  const stored = await sqlite.inject({
    method: 'POST',
    url: `${roundUrl}/applications`,
    headers: education,
    payload: { applications: [0, 1, 2].map((n) => bulkApplication(n)) },
  })
  tt.equal(stored.statusCode, 201, stored.body)
  await sqlite.inject({ method: 'DELETE', url: `${roundUrl}/applications/B0-00002`, headers: education })
  await sqlite.inject({ method: 'POST', url: `${roundUrl}/close`, headers: education })
  await sqlite.inject({ method: 'POST', url: `${roundUrl}/allocate`, headers: education })
  tt.equal(
    (await sqlite.inject({ method: 'POST', url: `${roundUrl}/publish`, headers: education, payload: {} }))
      .statusCode,
    200,
  )
  const before = {
    round: json(await sqlite.inject({ method: 'GET', url: roundUrl, headers: education })),
    applications: json(
      await sqlite.inject({ method: 'GET', url: `${roundUrl}/applications`, headers: education }),
    ),
    result: json(await sqlite.inject({ method: 'GET', url: `${roundUrl}/results`, headers: education })),
    publication: json(await sqlite.inject({ method: 'GET', url: `${roundUrl}/results/publication` })),
  }
  await sqlite.close()

  const url = await freshPgDatabase(tt)
  const env = instanceEnv(url)
  const copy = jifenCli(['db', 'copy', '--from', dbPath, '--to', url, '--json'], env)
  tt.equal(copy.code, 0, copy.err)
  const report = JSON.parse(copy.out)
  tt.equal(report.ok, true)
  tt.match(report.copied, {
    record: 5,
    apiKey: 4,
    idempotency: 5,
    round: 1,
    application: 3,
    resultVersion: 1,
  })
  tt.ok(report.copied.ruleset > 10 && report.copied.audit > 10, 'tables and audit entries')
  tt.same(report.notIdentical, [], 'every record replays identical on PostgreSQL')
  tt.equal(report.replayed, 5)
  tt.equal(report.audit.ok, true, 'the audit chain verifies on PostgreSQL')
  // the bulk's batch number and positions came along: verify hashes the bulk again from them
  const raw = await openRaw(tt, { dbPath: ':memory:', databaseUrl: url })
  tt.same(
    await raw.all(
      'SELECT application_ref, batch, position FROM admission_applications ORDER BY application_ref',
    ),
    [0, 1, 2].map((n) => ({ application_ref: `B0-0000${n}`, batch: 1, position: n })),
  )

  // a second copy into the same database is refused: it is no longer empty
  const again = jifenCli(['db', 'copy', '--from', dbPath, '--to', url], env)
  tt.not(again.code, 0)
  tt.match(again.err, /not empty/)

  // the service on the copy: same records, same keys, same secret, numbering continues
  const pg = await build(tt, { config: { databaseUrl: url }, idHmacSecret: TEST_ID_HMAC_SECRET })
  for (const m of made) {
    const read = await pg.inject({ method: 'GET', url: `/v1/points/evaluations/${m.id}`, headers: police })
    tt.same(json(read), m, `${m.reference} reads back as stored`)
    const replay = json(
      await pg.inject({ method: 'POST', url: `/v1/points/evaluations/${m.id}/replay`, headers: police }),
    )
    tt.equal(replay.identical, true)
  }
  const found = json(
    await pg.inject({
      method: 'POST',
      url: '/v1/points/evaluations/search',
      headers: police,
      payload: { idNumber: ID },
    }),
  )
  tt.same(
    found.evaluations.map((e: { id: string }) => e.id),
    [made[0].id],
    'found by ID number: the keyed hashes came along',
  )
  const retry = await postOfficial(
    pg,
    { ...police, 'idempotency-key': 'copy-1' },
    pointsRequest({}, { birthDate: '1981-01-01' }),
  )
  tt.equal(json(retry).id, made[1].id, 'an idempotent retry after the move gets the original answer')
  tt.equal(
    json(await postOfficial(pg, police, pointsRequest())).reference,
    'JF-2026-000006',
    'numbering continues',
  )
  const stale = await pg.inject({
    method: 'GET',
    url: '/v1/rulesets/yinzhou-points-2022@1',
    headers: { authorization: `Bearer ${revoked}` },
  })
  tt.equal(stale.statusCode, 401, 'a revoked key stays revoked')
  const listed = json(
    await pg.inject({ method: 'GET', url: '/v1/rulesets/yinzhou-points-2022@1', headers: police }),
  )
  tt.equal(listed.ruleset.status, 'retired')
  tt.equal(listed.ruleset.retiredReason, 'copied as retired')
  // the round reads back as it was: state, applications (the withdrawn one too), result, publication
  const after = {
    round: json(await pg.inject({ method: 'GET', url: roundUrl, headers: education })),
    applications: json(
      await pg.inject({ method: 'GET', url: `${roundUrl}/applications`, headers: education }),
    ),
    result: json(await pg.inject({ method: 'GET', url: `${roundUrl}/results`, headers: education })),
    publication: json(await pg.inject({ method: 'GET', url: `${roundUrl}/results/publication` })),
  }
  tt.same(after, before, 'the admission round reads back as stored')
  tt.equal(after.round.status, 'published')
  tt.equal(
    after.applications.applications.find((a: { applicationRef: string }) => a.applicationRef === 'B0-00002')
      .status,
    'withdrawn',
  )
  const roundReplay = json(
    await pg.inject({ method: 'POST', url: `${roundUrl}/results/1/replay`, headers: education }),
  )
  tt.match(roundReplay, { identical: true, inputsIntact: true })
  await pg.close()
  const verify = jifenCli(['audit', 'verify', '--json'], env)
  tt.equal(verify.code, 0, verify.out)
})

t.test('db migrate migrates without serving; db backup on PostgreSQL says how to use pg_dump', async (tt) => {
  const url = await freshPgDatabase(tt)
  const env = instanceEnv(url)
  const migrated = jifenCli(['db', 'migrate'], env)
  tt.equal(migrated.code, 0, migrated.err)
  tt.match(migrated.out, /migrated: postgres:\/\/.* \(postgres\)/)
  const backup = jifenCli(['db', 'backup', '/tmp/never-written.dump'], env)
  tt.equal(backup.code, 2)
  tt.match(backup.err, /pg_dump --format=custom --file \/tmp\/never-written\.dump/)
})

t.test('with PostgreSQL, a start without the ID secret stops with a reason', async (tt) => {
  const url = await freshPgDatabase(tt)
  const env = instanceEnv(url, { JIFEN_ID_HMAC_SECRET: '', JIFEN_PORT: '0' })
  const r = jifenCli(['serve'], env)
  tt.not(r.code, 0)
  tt.match(r.out + r.err, /with PostgreSQL, set JIFEN_ID_HMAC_SECRET or JIFEN_ID_HMAC_SECRET_FILE/)
})
