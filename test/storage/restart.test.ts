// Durable storage: a temp-file database survives a restart; records read and replay identically; seeding is idempotent.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { openRaw } from '../backend.ts'
import {
  authHeaders,
  build,
  json,
  pointsRequest,
  postOfficial,
  TEST_BACKEND,
  tempDatabase,
} from '../helper.ts'

t.test(
  'restarting keeps every stored record, and a stored record replays identically after restart',
  async (tt) => {
    const dir = mkdtempSync(join(tmpdir(), 'jifen-restart-'))
    tt.teardown(() => rmSync(dir, { recursive: true, force: true }))
    // SQLite: a file in a folder that does not exist yet; PostgreSQL: a fresh database
    const database =
      TEST_BACKEND === 'sqlite'
        ? { dbPath: join(dir, 'nested', 'jifen.sqlite'), databaseUrl: null }
        : await tempDatabase(tt)

    const first = await build(tt, { config: database })
    const auth = await authHeaders(first, ['police'])
    const created = []
    for (let i = 0; i < 3; i++) {
      created.push(json(await postOfficial(first, auth, pointsRequest())))
    }
    const seeded = json(await first.inject({ headers: auth, method: 'GET', url: '/v1/rulesets' })).rulesets
      .length
    await first.close()

    // the key issued before the restart still works: keys live in the database, not in the process
    const second = await build(tt, { config: database })
    for (const c of created) {
      const read = await second.inject({
        headers: auth,
        method: 'GET',
        url: `/v1/points/evaluations/${c.id}`,
      })
      tt.equal(read.statusCode, 200)
      tt.same(json(read), c, `${c.reference} reads back unchanged`)
      const replay = json(
        await second.inject({ headers: auth, method: 'POST', url: `/v1/points/evaluations/${c.id}/replay` }),
      )
      tt.equal(replay.identical, true, `${c.reference} replays identically`)
    }
    // numbering continues after the restart
    const next = json(await postOfficial(second, auth, pointsRequest()))
    tt.equal(next.reference, 'JF-2026-000004')
    // seeding again inserted nothing new and changed nothing
    tt.equal(
      json(await second.inject({ headers: auth, method: 'GET', url: '/v1/rulesets' })).rulesets.length,
      seeded,
    )
    await second.close()

    const raw = await openRaw(tt, database)
    if (TEST_BACKEND === 'sqlite') {
      const [mode] = await raw.all<{ journal_mode: string }>('pragma journal_mode')
      tt.equal(mode.journal_mode, 'wal', 'the database runs in WAL mode')
    }
    const [count] = await raw.all<{ n: number | string }>('select count(*) as n from evaluations')
    tt.equal(Number(count.n), 4)
    const [stored] = await raw.all<{ facts_json: string }>('select facts_json from evaluations limit 1')
    tt.notMatch(stored.facts_json, /idNumber/, 'facts are stored without the ID number')
  },
)
