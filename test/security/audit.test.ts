// The audit log: every official action appends a chained entry in its own transaction; verification finds tampering.
import { copyFileSync } from 'node:fs'
import Database from 'better-sqlite3'
import t from 'tap'
import type { Config } from '../../src/config.ts'
import { openStorage } from '../../src/repositories/open.ts'
import type { Storage, WriteTx } from '../../src/repositories/types.ts'
import { GENESIS_HASH } from '../../src/security/audit-chain.ts'
import {
  authHeaders,
  build,
  issueKey,
  json,
  pointsRequest,
  postOfficial,
  standaloneTable,
  TEST_AUDIT_KEY,
  TEST_AUDIT_KEY_SECRET,
  tempDbPath,
} from '../helper.ts'
import { jifen } from './cli.ts'

/** The CLI reads the audit key the test apps use. */
const KEY_ENV = { JIFEN_AUDIT_KEY: TEST_AUDIT_KEY_SECRET }

type Entry = {
  seq: number
  keyName: string
  action: string
  objectId: string
  prevHash: string
  hash: string
}

async function allEntries(app: Awaited<ReturnType<typeof build>>): Promise<Entry[]> {
  return (await app.jifen.services().audit.page(0, 10_000)).entries
}

/** A ruleset draft for a jurisdiction no shipped table covers (fictional 330299). */
function draft(version = 1) {
  return { table: standaloneTable({ id: 'audit-test', version }) }
}

/** Storage whose unit of work is changed by `patch`, to fail one write of an action. */
function patchedTx(patch: (tx: WriteTx) => WriteTx) {
  return async (config: Config): Promise<Storage> => {
    const r = await openStorage(config)
    const transaction = r.transaction.bind(r)
    r.transaction = <T>(work: (tx: WriteTx) => Promise<T>) => transaction((tx) => work(patch(tx)))
    return r
  }
}

t.test('each official action appends an entry naming the key, the action and the object', async (tt) => {
  const app = await build(tt)
  const police = await issueKey(app, ['police'], 'yinzhou-counter-7')
  const admin = await authHeaders(app, ['admin'])
  const seeded = (await allEntries(app)).filter((e) => e.action === 'ruleset.seeded')
  tt.ok(seeded.length > 10, 'the shipped tables entered the database as audited actions')
  tt.ok(seeded.every((e) => e.keyName === 'system'))

  const evaluation = json(await postOfficial(app, { authorization: `Bearer ${police}` }, pointsRequest()))
  await app.inject({ method: 'POST', url: '/v1/rulesets', headers: admin, payload: draft() })
  await app.inject({ method: 'PUT', url: '/v1/rulesets/audit-test@1', headers: admin, payload: draft() })
  await app.inject({ method: 'POST', url: '/v1/rulesets/audit-test@1/publish', headers: admin })
  const revoked = await app.jifen
    .services()
    .keys.revoke('yinzhou-counter-7', { keyId: null, keyName: 'cli:ops' })

  const adminName = (await app.jifen.services().keys.list()).find((k) => k.scopes.join() === 'admin')!.name
  const tail = (await allEntries(app)).filter((e) => e.action !== 'ruleset.seeded')
  tt.same(
    tail.map((e) => [e.keyName, e.action, e.objectId]),
    [
      ['test', 'api_key.created', revoked.id],
      ['test', 'api_key.created', tail[1].objectId],
      ['yinzhou-counter-7', 'evaluation.created', evaluation.id],
      [adminName, 'ruleset.draft_created', 'audit-test@1'],
      [adminName, 'ruleset.draft_replaced', 'audit-test@1'],
      [adminName, 'ruleset.published', 'audit-test@1'],
      ['cli:ops', 'api_key.revoked', revoked.id],
    ],
  )
  const report = await app.jifen.services().audit.verify()
  tt.match(report, { ok: true, chain: { ok: true, entries: seeded.length + 7, legacy: 0 }, problems: [] })
})

t.test('a refused action leaves no entry; reads leave none', async (tt) => {
  const app = await build(tt)
  const admin = await authHeaders(app, ['admin', 'police'])
  const before = (await allEntries(app)).length
  // refused before any write: overlapping an existing draft id, an unknown ruleset, a bad body
  await app.inject({ method: 'POST', url: '/v1/rulesets', headers: admin, payload: draft() })
  const twice = await app.inject({ method: 'POST', url: '/v1/rulesets', headers: admin, payload: draft() })
  tt.equal(twice.statusCode, 409)
  const missing = await app.inject({ method: 'POST', url: '/v1/rulesets/none@1/publish', headers: admin })
  tt.equal(missing.statusCode, 404)
  const bad = await postOfficial(app, admin, {})
  tt.equal(bad.statusCode, 400)
  await app.inject({ method: 'GET', url: '/v1/rulesets', headers: admin })
  await app.inject({ method: 'POST', url: '/v1/points/preview', payload: pointsRequest() })
  tt.equal((await allEntries(app)).length, before + 1, 'only the one draft created')
})

t.test('no action without its entry: when the audit append fails, the record is not stored', async (tt) => {
  let failAudit = true
  const app = await build(tt, {
    openStorage: patchedTx((tx) => ({
      ...tx,
      audit: {
        append: async (e, key) => {
          if (failAudit && e.action === 'evaluation.created') throw new Error('disk full')
          return tx.audit.append(e, key)
        },
      },
    })),
  })
  const police = await authHeaders(app, ['police'])
  const failed = await postOfficial(app, police, pointsRequest())
  tt.equal(failed.statusCode, 500)
  failAudit = false
  const next = json(await postOfficial(app, police, pointsRequest()))
  tt.equal(next.reference, 'JF-2026-000001', 'the failed evaluation was rolled back with its entry')
  const created = (await allEntries(app)).filter((e) => e.action === 'evaluation.created')
  tt.same(
    created.map((e) => e.objectId),
    [next.id],
  )
})

t.test('no entry without its action: when the record write fails, no entry remains', async (tt) => {
  const app = await build(tt, {
    openStorage: patchedTx((tx) => ({
      ...tx,
      rulesets: {
        ...tx.rulesets,
        // the write itself goes through, then the transaction fails after the audit entry was appended
        publish: async (id, at) => {
          await tx.rulesets.publish(id, at)
          await tx.audit.append(
            { at, keyName: 'x', action: 'ruleset.published', objectId: id },
            TEST_AUDIT_KEY,
          )
          throw new Error('I/O error')
        },
      },
    })),
  })
  const admin = await authHeaders(app, ['admin'])
  await app.inject({ method: 'POST', url: '/v1/rulesets', headers: admin, payload: draft() })
  const before = await allEntries(app)
  const res = await app.inject({ method: 'POST', url: '/v1/rulesets/audit-test@1/publish', headers: admin })
  tt.equal(res.statusCode, 500)
  tt.same(await allEntries(app), before, 'the log is as it was')
  const status = json(await app.inject({ method: 'GET', url: '/v1/rulesets/audit-test@1', headers: admin }))
    .ruleset.status
  tt.equal(status, 'draft', 'and so is the ruleset')
})

t.test(
  'the log is append-only in the database; `jifen audit verify` finds the first altered or missing entry',
  async (tt) => {
    const dbPath = tempDbPath(tt)
    const app = await build(tt, { config: { dbPath } })
    const police = await authHeaders(app, ['police'])
    for (let i = 0; i < 3; i++) await postOfficial(app, police, pointsRequest())
    const entries = await allEntries(app)
    tt.equal(entries[0].prevHash, GENESIS_HASH)
    const target = entries[entries.length - 2].seq

    const raw = new Database(dbPath)
    tt.throws(
      () => raw.prepare(`update audit_log set action = 'x' where seq = ?`).run(target),
      /JIFEN_IMMUTABLE/,
    )
    tt.throws(() => raw.prepare('delete from audit_log where seq = ?').run(target), /JIFEN_IMMUTABLE/)

    const intact = jifen(['audit', 'verify', '--db', dbPath], KEY_ENV)
    tt.equal(intact.code, 0, intact.err)
    tt.match(intact.out, `audit chain intact: ${entries.length} entries`)
    tt.match(intact.out, 'verdict: intact')

    // closing the last connection checkpoints the WAL into the file, so the copies below are complete
    raw.close()
    await app.close()
    // tampering below the triggers: copies of the file with them dropped, as an attacker with the file could
    const altered = `${dbPath}.altered`
    copyFileSync(dbPath, altered)
    const a = new Database(altered)
    a.exec('drop trigger audit_log_no_update')
    a.prepare(`update audit_log set object_id = 'someone-else' where seq = ?`).run(target)
    a.close()
    const r1 = jifen(['audit', 'verify', '--db', altered], KEY_ENV)
    tt.equal(r1.code, 1, 'non-zero exit')
    tt.equal(
      r1.out.trim(),
      `audit log broken at entry ${target}: entry content was altered, or written without the audit key (${target} entries read)`,
    )

    const removed = `${dbPath}.removed`
    copyFileSync(dbPath, removed)
    const d = new Database(removed)
    d.exec('drop trigger audit_log_no_delete')
    d.prepare('delete from audit_log where seq = ?').run(target)
    d.close()
    const r2 = jifen(['audit', 'verify', '--db', removed, '--json'], KEY_ENV)
    tt.equal(r2.code, 1)
    tt.same(JSON.parse(r2.out).chain, {
      ok: false,
      entries: target,
      legacy: 0,
      brokenAt: target + 1,
      reason: `entry ${target} is missing`,
    })

    // a rewritten entry with a recomputed own hash still breaks the link to its successor
    const rechained = `${dbPath}.rechained`
    copyFileSync(dbPath, rechained)
    const c = new Database(rechained)
    c.exec('drop trigger audit_log_no_update')
    c.prepare(`update audit_log set hash = ? where seq = ?`).run('f'.repeat(64), target)
    c.close()
    const r3 = jifen(['audit', 'verify', '--db', rechained, '--json'], KEY_ENV)
    tt.equal(r3.code, 1)
    tt.equal(JSON.parse(r3.out).chain.brokenAt, target)
  },
)

t.test('GET /v1/audit pages through the log in order', async (tt) => {
  const app = await build(tt)
  const auditor = await authHeaders(app, ['auditor'])
  const total = (await allEntries(app)).length
  const seen: number[] = []
  let after = 0
  for (;;) {
    const res = await app.inject({ method: 'GET', url: `/v1/audit?after=${after}&limit=5`, headers: auditor })
    tt.equal(res.statusCode, 200)
    const page = json(res)
    tt.ok(page.entries.length <= 5)
    seen.push(...page.entries.map((e: Entry) => e.seq))
    if (page.next === null) break
    after = page.next
  }
  tt.same(
    seen,
    Array.from({ length: total }, (_, i) => i + 1),
  )
  const bad = await app.inject({ method: 'GET', url: '/v1/audit?limit=0', headers: auditor })
  tt.equal(bad.statusCode, 400)
})
