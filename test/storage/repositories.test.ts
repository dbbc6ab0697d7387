// SQLite repositories: domain objects out, reference numbers per year, immutability enforced by the database too.
import { randomUUID } from 'node:crypto'
import type { Database as SqliteDatabase } from 'better-sqlite3'
import t, { type Test } from 'tap'
import { ApplicantSchema } from '../../schema/applicant.ts'
import type { PointsResult } from '../../schema/result.ts'
import { compileTable } from '../../scoring/compile.ts'
import { factsSha256 } from '../../scoring/hash.ts'
import type { Config } from '../../src/config.ts'
import { openSqlite } from '../../src/repositories/sqlite/database.ts'
import type { NewEvaluation, Repositories, StoredEvaluation, WriteTx } from '../../src/repositories/types.ts'
import { applicant, authHeaders, build, json, NOW, postOfficial, shippedTables } from '../helper.ts'

function repos(tt: Test): Repositories {
  const r = openSqlite(':memory:')
  tt.teardown(() => r.close())
  return r
}

async function seedOne(r: Repositories) {
  const table = shippedTables().find((x) => x.id === 'yinzhou-points-2022')!
  const compiled = compileTable(table)
  await r.transaction((tx) =>
    tx.rulesets.insert({ table, sha256: compiled.sha256, status: 'published', origin: 'shipped', at: NOW }),
  )
  return compiled
}

function create(r: Repositories, e: NewEvaluation): Promise<StoredEvaluation> {
  return r.transaction((tx) => tx.evaluations.create(e))
}

/**
 * SQLite storage whose evaluation writes pass through `change` first, as a changed engine or a
 * corrupted disk would leave them; `seen` gets each stored record.
 */
function alteringEvaluations(
  change: (e: NewEvaluation) => NewEvaluation,
  seen: (s: StoredEvaluation) => void = () => {},
) {
  return (config: Config): Repositories => {
    const r = openSqlite(config.dbPath)
    const transaction = r.transaction.bind(r)
    r.transaction = <T>(work: (tx: WriteTx) => T) =>
      transaction((tx) =>
        work({
          ...tx,
          evaluations: {
            create: (e) => {
              const s = tx.evaluations.create(change(e))
              seen(s)
              return s
            },
          },
        }),
      )
    return r
  }
}

function evaluation(
  compiled: ReturnType<typeof compileTable>,
  year: number,
  result?: PointsResult,
): NewEvaluation {
  const a = ApplicantSchema.parse(applicant())
  const r = result ?? compiled.evaluatePoints(a, { asOf: '2026-04-30', jurisdiction: '330212' })
  return {
    id: randomUUID(),
    scheme: 'points',
    rulesetId: 'yinzhou-points-2022@1',
    rulesetSha256: compiled.sha256,
    asOf: '2026-04-30',
    jurisdiction: '330212',
    facts: a,
    factsSha256: factsSha256(a),
    idNumberMasked: null,
    idNumberHmac: null,
    dates: {},
    result: JSON.parse(JSON.stringify(r)),
    at: NOW,
    year,
  }
}

t.test('reference numbers count per year and are unique', async (tt) => {
  const r = repos(tt)
  const compiled = await seedOne(r)
  const refs = []
  for (const year of [2026, 2026, 2027, 2026])
    refs.push((await create(r, evaluation(compiled, year))).reference)
  tt.same(refs, ['JF-2026-000001', 'JF-2026-000002', 'JF-2027-000001', 'JF-2026-000003'])
})

t.test('a stored evaluation reads back as the same domain object', async (tt) => {
  const r = repos(tt)
  const compiled = await seedOne(r)
  const created = await create(r, evaluation(compiled, 2026))
  tt.same(await r.evaluations.get(created.id), created)
  tt.equal(await r.evaluations.get('00000000-0000-4000-8000-000000000000'), null)
})

t.test('the database itself refuses to change a published ruleset or an evaluation record', async (tt) => {
  const r = repos(tt)
  const compiled = await seedOne(r)
  const created = await create(r, evaluation(compiled, 2026))
  tt.equal(
    await r.transaction((tx) => tx.rulesets.replaceDraft('yinzhou-points-2022@1', compiled.table, 'x')),
    false,
    'not a draft',
  )
  tt.equal(
    await r.transaction((tx) => tx.rulesets.publish('yinzhou-points-2022@1', NOW)),
    false,
    'already published',
  )
  // below the repository: the triggers of migration 0001
  const raw = (r as unknown as { rulesets: { db: { $client: SqliteDatabase } } }).rulesets.db.$client
  tt.throws(
    () => raw.prepare(`update rulesets set table_json = '{}' where id = 'yinzhou-points-2022@1'`).run(),
    /JIFEN_IMMUTABLE/,
  )
  tt.throws(
    () => raw.prepare(`delete from rulesets where id = 'yinzhou-points-2022@1'`).run(),
    /JIFEN_IMMUTABLE/,
  )
  tt.throws(
    () => raw.prepare(`update evaluations set result_json = '{}' where id = ?`).run(created.id),
    /JIFEN_IMMUTABLE/,
  )
  tt.throws(() => raw.prepare('delete from evaluations where id = ?').run(created.id), /JIFEN_IMMUTABLE/)
})

t.test(
  'retiring: published → retired once, with when and why; then the database refuses every change',
  async (tt) => {
    const r = repos(tt)
    await seedOne(r)
    const id = 'yinzhou-points-2022@1'
    tt.equal(await r.transaction((tx) => tx.rulesets.retire(id, NOW, 'entered with a wrong value')), true)
    const retired = await r.rulesets.get(id)
    tt.same(
      { status: retired?.status, retiredAt: retired?.retiredAt, retiredReason: retired?.retiredReason },
      { status: 'retired', retiredAt: NOW, retiredReason: 'entered with a wrong value' },
    )
    tt.equal(await r.transaction((tx) => tx.rulesets.retire(id, NOW, 'again')), false, 'only a published one')
    // below the repository: the triggers of migration 0005
    const raw = (r as unknown as { rulesets: { db: { $client: SqliteDatabase } } }).rulesets.db.$client
    for (const sql of [
      `update rulesets set retired_reason = 'rewritten' where id = '${id}'`,
      `update rulesets set retired_at = '2030-01-01T00:00:00.000Z' where id = '${id}'`,
      `update rulesets set status = 'published', retired_at = null, retired_reason = null where id = '${id}'`,
      `update rulesets set published_at = null where id = '${id}'`,
    ]) {
      tt.throws(() => raw.prepare(sql).run(), /JIFEN_IMMUTABLE/, sql)
    }
    // a published ruleset cannot be retired without saying when and why
    const other = shippedTables().find((x) => x.id === 'ningbo-points-2022')!
    await r.transaction((tx) =>
      tx.rulesets.insert({
        table: other,
        sha256: compileTable(other).sha256,
        status: 'published',
        origin: 'shipped',
        at: NOW,
      }),
    )
    tt.throws(
      () => raw.prepare(`update rulesets set status = 'retired' where id = 'ningbo-points-2022@1'`).run(),
      /JIFEN_IMMUTABLE/,
    )
    tt.throws(
      () =>
        raw
          .prepare(`update rulesets set retired_reason = 'not retired yet' where id = 'ningbo-points-2022@1'`)
          .run(),
      /JIFEN_IMMUTABLE/,
    )
  },
)

t.test('replay reports exactly which items differ from the stored result', async (tt) => {
  // A record whose stored result disagrees with what its table gives (as an engine change would cause).
  let stored: { id: string } | undefined
  const app = await build(tt, {
    openRepositories: alteringEvaluations(
      (e) => {
        // copied through JSON, as a repository stores it (result rows render their text on read)
        const result = JSON.parse(JSON.stringify(e.result)) as typeof e.result
        const age = result.items.find((i) => i.id === 'age')!
        age.points = 19
        age.pointsBeforeCap = 19
        result.total -= 1
        return { ...e, result }
      },
      (s) => {
        stored = s
      },
    ),
  })
  const auth = await authHeaders(app, ['police'])
  await postOfficial(app, auth, { jurisdiction: '330212', asOf: '2026-04-30', applicant: applicant() })
  const replayRes = await app.inject({
    headers: auth,
    method: 'POST',
    url: `/v1/points/evaluations/${stored!.id}/replay`,
  })
  tt.equal(replayRes.statusCode, 200, replayRes.body.slice(0, 300))
  const replay = json(replayRes)
  tt.equal(replay.identical, false)
  tt.same(replay.differences, [
    { path: 'total', item: null, stored: 106.5, replayed: 107.5 },
    { path: 'items[age].pointsBeforeCap', item: 'age', stored: 19, replayed: 20 },
    { path: 'items[age].points', item: 'age', stored: 19, replayed: 20 },
  ])
})

t.test('a record whose table no longer matches its hash is refused as corrupt, not replayed', async (tt) => {
  const app = await build(tt, {
    openRepositories: alteringEvaluations((e) => ({ ...e, rulesetSha256: '0'.repeat(64) })),
  })
  const auth = await authHeaders(app, ['police'])
  const created = json(
    await postOfficial(app, auth, { jurisdiction: '330212', asOf: '2026-04-30', applicant: applicant() }),
  )
  const res = await app.inject({
    headers: auth,
    method: 'POST',
    url: `/v1/points/evaluations/${created.id}/replay`,
  })
  tt.equal(res.statusCode, 500)
  tt.equal(json(res).code, 'JIFEN_ERR_RECORD_CORRUPT')
})
