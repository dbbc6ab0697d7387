// Two instances on one database (the backend under test): tables, reference numbers, the audit chain and idempotency stay right across them.
import t, { type Test } from 'tap'
import { openStorage } from '../../src/repositories/open.ts'
import { verifyChainStream } from '../../src/security/audit-chain.ts'
import {
  authHeaders,
  build,
  json,
  pointsRequest,
  postOfficial,
  TEST_AUDIT_KEY,
  TEST_BACKEND,
  tempDatabase,
} from '../helper.ts'

t.comment(`backend: ${TEST_BACKEND}`)

/** Two apps on one database, as two processes behind a load balancer would be. */
async function twoInstances(tt: Test) {
  const database = await tempDatabase(tt)
  const a = await build(tt, { config: { ...database, rateLimitMax: 0 } })
  const b = await build(tt, { config: { ...database, rateLimitMax: 0 } })
  return { a, b, database }
}

t.test("a table retired through instance A is never used by instance B's next evaluation", async (tt) => {
  const { a, b } = await twoInstances(tt)
  const adminA = await authHeaders(a, ['admin'])
  const policeB = await authHeaders(b, ['police'])
  // B has scored with Yinzhou's table: its cache holds it
  const before = json(await postOfficial(b, policeB, pointsRequest()))
  tt.equal(before.rulesetId, 'yinzhou-points-2022@1')

  const retired = await a.inject({
    method: 'POST',
    url: '/v1/rulesets/yinzhou-points-2022@1/retire',
    headers: adminA,
    payload: { reason: 'withdrawn in a test' },
  })
  tt.equal(retired.statusCode, 200, retired.body.slice(0, 300))

  // at once, with no wait: the official record is checked against the tables generation under the
  // write's own lock, so it cannot be made with the withdrawn table on either backend
  const next = await postOfficial(b, policeB, pointsRequest())
  tt.equal(next.statusCode, 201, next.body.slice(0, 300))
  tt.equal(json(next).rulesetId, 'ningbo-points-2022@1', 'B falls back to the city table at once')
  const replay = json(
    await b.inject({
      method: 'POST',
      url: `/v1/points/evaluations/${json(next).id}/replay`,
      headers: policeB,
    }),
  )
  tt.equal(replay.identical, true)

  // previews read no record: on SQLite B reads the generation before it scores (at once); on
  // PostgreSQL B hears of the change by NOTIFY, milliseconds later (bounded wait, no timing assertion)
  let previewTable = ''
  for (let i = 0; i < 200; i++) {
    const preview = json(
      await b.inject({ method: 'POST', url: '/v1/points/preview', payload: pointsRequest() }),
    )
    previewTable = `${preview.result.ruleset.id}@${preview.result.ruleset.version}`
    if (previewTable === 'ningbo-points-2022@1' || TEST_BACKEND === 'sqlite') break
    await new Promise((r) => setTimeout(r, 50))
  }
  tt.equal(previewTable, 'ningbo-points-2022@1', 'B previews with the city table')
})

t.test(
  'a table published through A is used by B; both number records in one gapless sequence',
  async (tt) => {
    const { a, b, database } = await twoInstances(tt)
    const policeA = await authHeaders(a, ['police'])
    const policeB = await authHeaders(b, ['police'])
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        postOfficial(i % 2 === 0 ? a : b, i % 2 === 0 ? policeA : policeB, pointsRequest()),
      ),
    )
    tt.same(
      responses.map((r) => r.statusCode),
      Array(40).fill(201),
    )
    tt.same(
      responses.map((r) => json(r).reference as string).sort(),
      Array.from({ length: 40 }, (_, i) => `JF-2026-${String(i + 1).padStart(6, '0')}`),
      'unique and gapless across the two instances',
    )
    await a.close()
    await b.close()
    const storage = await openStorage(database)
    tt.teardown(() => storage.close())
    const verdict = await verifyChainStream(storage.audit.entries(), TEST_AUDIT_KEY)
    tt.equal(verdict.ok, true, 'one audit chain, intact')
  },
)

t.test(
  'the same Idempotency-Key sent to both instances at once: one record, the same answer to both',
  async (tt) => {
    const { a, b, database } = await twoInstances(tt)
    // one API key, known to both (keys live in the database)
    const police = await authHeaders(a, ['police'])
    for (let round = 0; round < 5; round++) {
      const headers = { ...police, 'idempotency-key': `race-${round}` }
      const [ra, rb] = await Promise.all([
        postOfficial(a, headers, pointsRequest()),
        postOfficial(b, headers, pointsRequest()),
      ])
      tt.same([ra.statusCode, rb.statusCode], [201, 201], `round ${round}: both answered 201`)
      tt.equal(json(ra).id, json(rb).id, `round ${round}: the same record`)
      tt.same(json(ra), json(rb), `round ${round}: the same answer`)
      tt.equal(
        [ra.headers['idempotent-replayed'], rb.headers['idempotent-replayed']].filter((h) => h === 'true')
          .length,
        1,
        `round ${round}: one of the two is the replay`,
      )
    }
    await a.close()
    await b.close()
    const storage = await openStorage(database)
    tt.teardown(() => storage.close())
    let records = 0
    for await (const _r of storage.records.all()) records++
    tt.equal(records, 5, 'five keys, five records')
  },
)
