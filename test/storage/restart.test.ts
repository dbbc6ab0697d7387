// Durable storage: a temp-file database survives a restart; records read and replay identically; seeding is idempotent.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import { authHeaders, build, json, pointsRequest, postOfficial } from '../helper.ts'

t.test(
  'restarting keeps every stored record, and a stored record replays identically after restart',
  async (tt) => {
    const dir = mkdtempSync(join(tmpdir(), 'jifen-restart-'))
    tt.teardown(() => rmSync(dir, { recursive: true, force: true }))
    const dbPath = join(dir, 'nested', 'jifen.sqlite')

    const first = await build(tt, { config: { dbPath } })
    const auth = await authHeaders(first, ['police'])
    const created = []
    for (let i = 0; i < 3; i++) {
      created.push(json(await postOfficial(first, auth, pointsRequest())))
    }
    const seeded = json(await first.inject({ headers: auth, method: 'GET', url: '/v1/rulesets' })).rulesets
      .length
    await first.close()

    // the key issued before the restart still works: keys live in the database, not in the process
    const second = await build(tt, { config: { dbPath } })
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

    const raw = new Database(dbPath, { readonly: true })
    tt.teardown(() => raw.close())
    tt.equal(raw.pragma('journal_mode', { simple: true }), 'wal', 'the database runs in WAL mode')
    tt.equal((raw.prepare('select count(*) n from evaluations').get() as { n: number }).n, 4)
    const stored = raw.prepare('select facts_json, id_number_masked from evaluations limit 1').get() as {
      facts_json: string
    }
    tt.notMatch(stored.facts_json, /idNumber/, 'facts are stored without the ID number')
  },
)
