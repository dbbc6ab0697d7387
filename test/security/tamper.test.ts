// Issue 11's storage scenarios, one test each, against a real database file opened separately with better-sqlite3 as an attacker would: each change is refused, or detected by audit verify, replay or the table load.
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { EvaluationRequestSchema } from '../../schema/api.ts'
import { contentSha256, factsSha256 } from '../../scoring/hash.ts'
import type { Clock } from '../../src/clock.ts'
import { openStorage } from '../../src/repositories/open.ts'
import { connect, MIGRATIONS_DIR } from '../../src/repositories/sqlite/database.ts'
import { legacyEntryHash } from '../../src/security/audit-chain.ts'
import { AuditService, type VerifyReport } from '../../src/services/audit.ts'
import {
  authHeaders,
  build,
  issueKey,
  json,
  NOW,
  pointsRequest,
  postOfficial,
  TEST_AUDIT_KEY,
  tempDir,
  until,
} from '../helper.ts'

const EVALUATION_COLUMNS =
  'id, reference, reference_year, reference_seq, scheme, ruleset_id, ruleset_sha256, as_of, jurisdiction, facts_json, facts_sha256, id_number_masked, id_number_hmac, dates_json, result_json, created_at'
const RULESET_COLUMNS =
  'id, table_id, version, scheme, jurisdiction, valid_from, valid_to, status, sha256, table_json, origin, created_at, published_at, retired_at, retired_reason'

/** The attacker's connection: the file itself, no service code. */
function attacker(file: string): Database.Database {
  return new Database(file)
}

/** A copy of the base database to attack (the base is made once: three records, a revoked key, a checkpoint). */
interface Base {
  file: string
  checkpoints: string
  references: string[]
  revokedKeyId: string
}

let base: Base | null = null

async function makeBase(tt: Test): Promise<Base> {
  if (base !== null) return base
  const dir = tempDir(t)
  const file = join(dir, 'base.sqlite')
  const checkpoints = join(dir, 'checkpoints.jsonl')
  const app = await build(tt, { config: { dbPath: file, auditCheckpointFile: checkpoints } })
  const police = await authHeaders(app, ['police'])
  const references: string[] = []
  for (let i = 0; i < 3; i++) {
    const res = await postOfficial(app, { ...police, 'idempotency-key': `ticket-${i}` }, pointsRequest())
    references.push(json(res).reference)
  }
  await issueKey(app, ['police'], 'counter-9')
  const revoked = await app.jifen.services().keys.revoke('counter-9', { keyId: null, keyName: 'test' })
  // closing appends the head to the checkpoint file and checkpoints the WAL into the database file
  await app.close()
  base = { file, checkpoints, references, revokedKeyId: revoked.id }
  return base
}

/** A fresh copy of the base database for one scenario. */
async function copyOfBase(tt: Test): Promise<Base & { copy: string }> {
  const b = await makeBase(tt)
  const copy = join(tempDir(tt), 'attacked.sqlite')
  copyFileSync(b.file, copy)
  return { ...b, copy }
}

/** `jifen audit verify` as the service runs it (the CLI prints this report). */
async function verify(file: string, checkpoints?: string): Promise<VerifyReport> {
  const storage = await openStorage({ dbPath: file, databaseUrl: null, dbPoolSize: 1 } as never)
  try {
    const service = new AuditService(storage, TEST_AUDIT_KEY)
    return checkpoints === undefined ? await service.verify() : await service.verifyWithFile(checkpoints)
  } finally {
    await storage.close()
  }
}

const dropAll = (db: Database.Database) => {
  for (const { name } of db.prepare("select name from sqlite_master where type = 'trigger'").all() as {
    name: string
  }[])
    db.exec(`drop trigger ${name}`)
}

t.test('finding 2: INSERT OR REPLACE un-revoking a key and granting it admin is refused', async (tt) => {
  const { copy, revokedKeyId } = await copyOfBase(tt)
  const db = attacker(copy)
  tt.teardown(() => db.close())
  tt.throws(
    () =>
      db
        .prepare(
          `insert or replace into api_keys (id, name, scopes, secret_hash, created_at, revoked_at)
           select id, name, 'police,admin', secret_hash, created_at, null from api_keys where id = ?`,
        )
        .run(revokedKeyId),
    /JIFEN_IMMUTABLE/,
  )
  const row = db.prepare('select scopes, revoked_at from api_keys where id = ?').get(revokedKeyId) as {
    scopes: string
    revoked_at: string | null
  }
  tt.same(row.scopes, 'police', 'the scopes are as issued')
  tt.not(row.revoked_at, null, 'still revoked')
})

t.test('finding 2, triggers dropped: the un-revoked key is detected by audit verify', async (tt) => {
  const { copy, revokedKeyId } = await copyOfBase(tt)
  const db = attacker(copy)
  dropAll(db)
  db.prepare(`update api_keys set revoked_at = null, scopes = 'police,admin' where id = ?`).run(revokedKeyId)
  db.close()
  const report = await verify(copy)
  tt.equal(report.ok, false)
  tt.match(report.problems, [/API key counter-9 differs from its last audit entry/])
})

t.test('finding 2: INSERT OR REPLACE changing a stored result is refused', async (tt) => {
  const { copy, references } = await copyOfBase(tt)
  const db = attacker(copy)
  tt.teardown(() => db.close())
  const before = db.prepare('select result_json from evaluations where reference = ?').get(references[0])
  tt.throws(
    () =>
      db
        .prepare(
          `insert or replace into evaluations (${EVALUATION_COLUMNS})
           select ${EVALUATION_COLUMNS.replace('result_json', `replace(result_json, '"total":', '"total":100+')`)}
           from evaluations where reference = ?`,
        )
        .run(references[0]),
    /JIFEN_IMMUTABLE/,
  )
  tt.same(db.prepare('select result_json from evaluations where reference = ?').get(references[0]), before)
})

t.test(
  'finding 2, triggers dropped: a changed result is detected by audit verify and by replay',
  async (tt) => {
    const { copy, references } = await copyOfBase(tt)
    const db = attacker(copy)
    dropAll(db)
    const row = db
      .prepare('select id, result_json from evaluations where reference = ?')
      .get(references[0]) as {
      id: string
      result_json: string
    }
    const result = JSON.parse(row.result_json)
    // 107.5 → 207.5: the total is in 1/10,000 units or points, whichever the result holds; add 100 points either way
    result.total = typeof result.total === 'number' ? result.total + 100 : result.total
    db.prepare('update evaluations set result_json = ? where id = ?').run(JSON.stringify(result), row.id)
    db.close()
    const report = await verify(copy)
    tt.equal(report.ok, false)
    tt.match(report.problems, [new RegExp(`record ${references[0]} differs from its audit entry`)])

    const app = await build(tt, { config: { dbPath: copy } })
    const auditor = await authHeaders(app, ['auditor', 'police'])
    const replay = await app.inject({
      method: 'POST',
      url: `/v1/points/evaluations/${row.id}/replay`,
      headers: auditor,
    })
    tt.equal(replay.statusCode, 200, replay.body)
    tt.equal(json(replay).identical, false, 'replay finds the stored result differs')
  },
)

t.test('finding 2: INSERT OR REPLACE changing an audit entry is refused', async (tt) => {
  const { copy } = await copyOfBase(tt)
  const db = attacker(copy)
  tt.teardown(() => db.close())
  tt.throws(
    () =>
      db
        .prepare(
          `insert or replace into audit_log (seq, at, key_name, action, object_id, object_hash, prev_hash, hash, keyed)
           select seq, at, 'someone-else', action, object_id, object_hash, prev_hash, hash, keyed from audit_log where seq = 2`,
        )
        .run(),
    /JIFEN_IMMUTABLE/,
  )
})

t.test('finding 2: INSERT OR REPLACE changing a published table is refused', async (tt) => {
  const { copy } = await copyOfBase(tt)
  const db = attacker(copy)
  tt.teardown(() => db.close())
  tt.throws(
    () =>
      db
        .prepare(
          `insert or replace into rulesets (${RULESET_COLUMNS})
           select ${RULESET_COLUMNS.replace('table_json', `replace(table_json, '"title":"', '"title":"X')`)}
           from rulesets where status = 'published' limit 1`,
        )
        .run(),
    /JIFEN_IMMUTABLE/,
  )
})

t.test(
  'finding 3, triggers dropped: a published table that no longer matches its hash is never used',
  async (tt) => {
    const { copy, references } = await copyOfBase(tt)
    const db = attacker(copy)
    dropAll(db)
    const { ruleset_id: id } = db
      .prepare('select ruleset_id from evaluations where reference = ?')
      .get(references[0]) as { ruleset_id: string }
    const { table_json } = db.prepare('select table_json from rulesets where id = ?').get(id) as {
      table_json: string
    }
    // any change to the content: here the title, as a stand-in for housing 10 → 50
    const table = JSON.parse(table_json)
    table.title = `${table.title} (edited)`
    db.prepare('update rulesets set table_json = ? where id = ?').run(JSON.stringify(table), id)
    db.close()

    const app = await build(tt, { config: { dbPath: copy } })
    const police = await authHeaders(app, ['police'])
    const res = await postOfficial(app, police, pointsRequest())
    tt.equal(res.statusCode, 503)
    tt.equal(json(res).code, 'JIFEN_ERR_TABLE_WITHHELD')
    tt.match(json(res).detail, id, 'the error names the table')
    const preview = await app.inject({ method: 'POST', url: '/v1/points/preview', payload: pointsRequest() })
    tt.equal(preview.statusCode, 503, 'previews do not use it either')

    const ready = await app.inject({ method: 'GET', url: '/readyz' })
    tt.equal(ready.statusCode, 503)
    tt.match(json(ready), { checks: { tables: false }, tablesWithheld: [{ id, reason: /hashes to/ }] })

    // the audit records it (the entry is appended beside the load: wait for it)
    let entries: { action: string; objectId: string }[] = []
    await until('the audit records the withheld table', async () => {
      entries = (await app.jifen.services().audit.page(0, 1000)).entries
      return entries.some((e) => e.action === 'ruleset.integrity_failed')
    })
    tt.match(
      entries.filter((e) => e.action === 'ruleset.integrity_failed'),
      [{ objectId: id }],
    )
    await app.close()
    const report = await verify(copy)
    tt.match(report.problems, [new RegExp(`ruleset ${id}: its table does not match its hash`)])
  },
)

t.test(
  'finding 3, triggers dropped: a table edited with its hash column is detected by audit verify',
  async (tt) => {
    const { copy } = await copyOfBase(tt)
    const db = attacker(copy)
    dropAll(db)
    const row = db
      .prepare("select id, table_json from rulesets where status = 'published' limit 1")
      .get() as {
      id: string
      table_json: string
    }
    const table = JSON.parse(row.table_json)
    table.title = `${table.title} (edited)`
    db.prepare('update rulesets set table_json = ?, sha256 = ? where id = ?').run(
      JSON.stringify(table),
      contentSha256(table),
      row.id,
    )
    db.close()
    const report = await verify(copy)
    tt.equal(report.ok, false)
    tt.match(report.problems, [new RegExp(`ruleset ${row.id} differs from its last audit entry`)])
  },
)

t.test('finding 2: a saved idempotent answer cannot be replaced or edited', async (tt) => {
  const { copy } = await copyOfBase(tt)
  const db = attacker(copy)
  tt.teardown(() => db.close())
  tt.throws(
    () =>
      db
        .prepare(
          `insert or replace into idempotency_keys (api_key_id, key, request_sha256, status, response_json, location, created_at)
           select api_key_id, key, request_sha256, status, replace(response_json, '"total":', '"total":100+'), location, created_at
           from idempotency_keys limit 1`,
        )
        .run(),
    /JIFEN_IMMUTABLE/,
  )
  tt.throws(() => db.prepare(`update idempotency_keys set response_json = '{}'`).run(), /JIFEN_IMMUTABLE/)
})

t.test('finding 2, triggers dropped: an edited saved answer is not replayed', async (tt) => {
  const dbPath = join(tempDir(tt), 'jifen.sqlite')
  const app = await build(tt, { config: { dbPath } })
  const headers = { ...(await authHeaders(app, ['police'])), 'idempotency-key': 'ticket-edit' }
  const first = json(await postOfficial(app, headers, pointsRequest()))
  const db = attacker(dbPath)
  dropAll(db)
  const row = db.prepare('select rowid, response_json from idempotency_keys').get() as {
    rowid: number
    response_json: string
  }
  const body = JSON.parse(row.response_json)
  body.result.total += 100
  db.prepare('update idempotency_keys set response_json = ? where rowid = ?').run(
    JSON.stringify(body),
    row.rowid,
  )
  db.close()
  const retry = await postOfficial(app, headers, pointsRequest())
  tt.equal(retry.statusCode, 500)
  tt.equal(json(retry).code, 'JIFEN_ERR_RECORD_CORRUPT')
  tt.not(retry.body.includes(String(body.result.total)), 'the edited answer is not served')
  tt.ok(first.id)
})

t.test('finding 2: settings are written once', async (tt) => {
  const { copy } = await copyOfBase(tt)
  const db = attacker(copy)
  tt.teardown(() => db.close())
  tt.throws(
    () =>
      db
        .prepare(`insert or replace into settings (key, value) values ('audit_legacy_entries', '1000000')`)
        .run(),
    /JIFEN_IMMUTABLE/,
  )
  tt.throws(() => db.prepare(`update settings set value = 'x'`).run(), /JIFEN_IMMUTABLE/)
  tt.throws(() => db.prepare('delete from settings').run(), /JIFEN_IMMUTABLE/)
})

t.test('finding 3: the whole chain rewritten with plain SHA-256 does not verify', async (tt) => {
  const { copy } = await copyOfBase(tt)
  const db = attacker(copy)
  dropAll(db)
  // what the issue's attacker did: every entry re-hashed (here also marked legacy, the old format)
  const rows = db.prepare('select * from audit_log order by seq').all() as {
    seq: number
    at: string
    key_name: string
    action: string
    object_id: string
  }[]
  let prev = '0'.repeat(64)
  for (const r of rows) {
    const content = {
      seq: r.seq,
      at: r.at,
      keyName: r.key_name === 'system' ? 'system' : 'someone-else',
      action: r.action,
      objectId: r.object_id,
      objectHash: null,
    }
    const hash = legacyEntryHash(content, prev)
    db.prepare(
      'update audit_log set key_name = ?, object_hash = null, prev_hash = ?, hash = ?, keyed = 0 where seq = ?',
    ).run(content.keyName, prev, hash, r.seq)
    prev = hash
  }
  db.close()
  const report = await verify(copy)
  tt.match(report, { ok: false, chain: { ok: false, brokenAt: 1, reason: /unkeyed entry/ } })
})

t.test(
  'finding 3: rewritten as legacy with the setting deleted too: the checkpoint kept elsewhere finds it',
  async (tt) => {
    const { copy, checkpoints } = await copyOfBase(tt)
    const db = attacker(copy)
    dropAll(db)
    db.prepare("delete from settings where key = 'audit_legacy_entries'").run()
    const rows = db.prepare('select * from audit_log order by seq').all() as {
      seq: number
      at: string
      key_name: string
      action: string
      object_id: string
    }[]
    let prev = '0'.repeat(64)
    for (const r of rows) {
      const content = {
        seq: r.seq,
        at: r.at,
        keyName: r.key_name,
        action: r.action,
        objectId: r.object_id,
        objectHash: null,
      }
      const hash = legacyEntryHash(content, prev)
      db.prepare(
        'update audit_log set object_hash = null, prev_hash = ?, hash = ?, keyed = 0 where seq = ?',
      ).run(prev, hash, r.seq)
      prev = hash
    }
    db.close()
    const report = await verify(copy, checkpoints)
    tt.equal(report.ok, false)
    tt.match(report.chain, { ok: false, brokenAt: 1 })
  },
)

t.test('finding 3: deleting the last five entries is found against the checkpoint', async (tt) => {
  const { copy, checkpoints } = await copyOfBase(tt)
  const db = attacker(copy)
  dropAll(db)
  db.prepare('delete from audit_log where seq > (select max(seq) - 5 from audit_log)').run()
  db.close()
  const report = await verify(copy, checkpoints)
  tt.match(report, { ok: false, chain: { ok: false, reason: /truncated/ } })
  // without the checkpoint, the records whose entries went are still found
  const alone = await verify(copy)
  tt.equal(alone.ok, false)
  tt.match(alone.problems, [/is in no audit entry \(inserted\)/])
})

t.test('a checkpoint file not signed with the audit key is refused', async (tt) => {
  const { copy, checkpoints } = await copyOfBase(tt)
  const forged = join(tempDir(tt), 'forged.jsonl')
  const { readFileSync } = await import('node:fs')
  const line = JSON.parse(readFileSync(checkpoints, 'utf8').trim().split('\n').at(-1) as string)
  writeFileSync(forged, `${JSON.stringify({ ...line, seq: line.seq - 1 })}\n`)
  const report = await verify(copy, forged)
  tt.match(report, { ok: false, chain: { reason: /not signed with this audit key/ } })
  tt.match(await verify(copy, checkpoints), { ok: true }, 'the genuine file verifies')
})

t.test('finding 3: a deleted record is detected, and so is the gap in reference numbers', async (tt) => {
  const { copy, references } = await copyOfBase(tt)
  const db = attacker(copy)
  dropAll(db)
  db.prepare('delete from evaluations where reference = ?').run(references[1])
  db.close()
  const report = await verify(copy)
  tt.equal(report.ok, false)
  tt.match(report.problems, [/jump from 1 to 3: 1 missing/, /is in the audit log but not stored \(deleted\)/])
})

t.test('finding 3: deleting the last record leaves no gap, but its audit entry finds it', async (tt) => {
  const { copy, references } = await copyOfBase(tt)
  const db = attacker(copy)
  dropAll(db)
  db.prepare('delete from evaluations where reference = ?').run(references[2])
  db.close()
  const report = await verify(copy)
  tt.match(report.problems, [/is in the audit log but not stored \(deleted\)/])
})

t.test(
  'finding 3: a record rewritten consistently (facts hash and result recomputed) is detected',
  async (tt) => {
    const { copy, references } = await copyOfBase(tt)
    const db = attacker(copy)
    dropAll(db)
    const row = db
      .prepare('select id, facts_json from evaluations where reference = ?')
      .get(references[0]) as {
      id: string
      facts_json: string
    }
    const facts = JSON.parse(row.facts_json)
    facts.education = 'bachelor'
    db.prepare('update evaluations set facts_json = ?, facts_sha256 = ? where id = ?').run(
      JSON.stringify(facts),
      factsSha256(facts),
      row.id,
    )
    db.close()
    const report = await verify(copy)
    tt.match(report.problems, [
      new RegExp(`record ${references[0]} differs from its audit entry \\(rewritten\\)`),
    ])
  },
)

t.test('a record inserted without the service is in no audit entry', async (tt) => {
  const { copy, references } = await copyOfBase(tt)
  const db = attacker(copy)
  dropAll(db)
  db.prepare(
    `insert into evaluations (${EVALUATION_COLUMNS})
     select ${EVALUATION_COLUMNS.replace('id,', "'forged-id',").replace('reference,', "'JF-2026-000004',").replace('reference_seq', '4')}
     from evaluations where reference = ?`,
  ).run(references[0])
  db.close()
  const report = await verify(copy)
  tt.match(report.problems, [/record JF-2026-000004 is in no audit entry \(inserted\)/])
})

t.test('the untouched database verifies, with every object checked', async (tt) => {
  const { copy, checkpoints } = await copyOfBase(tt)
  const report = await verify(copy, checkpoints)
  tt.match(report, { ok: true, chain: { ok: true, legacy: 0 }, problems: [] })
  tt.ok(report.checked.records === 3 && report.checked.apiKeys >= 2 && report.checked.rulesets > 0)
})

t.test('finding 8: a key revoked while its write was in flight does not write', async (tt) => {
  const app: FastifyInstance = await build(tt)
  const key = await issueKey(app, ['police'], 'slow-counter')
  const stored = await app.jifen.services().keys.list()
  const k = stored.find((x) => x.name === 'slow-counter')
  if (k === undefined) throw new Error('no key')
  // authenticated at the door, then revoked before its body arrived and its write ran
  const ctx = { actor: { keyId: k.id, keyName: k.name }, idempotency: null }
  await app.jifen.services().keys.revoke('slow-counter', { keyId: null, keyName: 'test' })
  await tt.rejects(
    app.jifen.services().points.createOfficial(EvaluationRequestSchema.parse(pointsRequest()), ctx),
    /unknown or revoked/,
  )
  const after = await postOfficial(app, { authorization: `Bearer ${key}` }, pointsRequest())
  tt.equal(after.statusCode, 401)
  const entries = (await app.jifen.services().audit.page(0, 1000)).entries
  tt.equal(entries.filter((e) => e.action === 'evaluation.created').length, 0, 'nothing written')
})

t.test('finding 9: saved answers expire after the retention period and are pruned', async (tt) => {
  let now = new Date(NOW).getTime()
  const clock: Clock = { now: () => new Date(now) }
  const dbPath = join(tempDir(tt), 'jifen.sqlite')
  const app = await build(tt, { clock, config: { dbPath, idempotencyRetentionDays: 30 } })
  const headers = { ...(await authHeaders(app, ['police'])), 'idempotency-key': 'ticket-1' }
  const first = json(await postOfficial(app, headers, pointsRequest()))
  // 29 days later: still the saved answer
  now += 29 * 86_400_000
  tt.equal(json(await postOfficial(app, headers, pointsRequest())).id, first.id)
  // 31 days after the first: expired, so the key starts afresh and a new record is made
  now += 2 * 86_400_000
  const again = await postOfficial(app, headers, pointsRequest())
  tt.equal(again.statusCode, 201)
  tt.not(json(again).id, first.id)
  const db = new Database(dbPath, { readonly: true })
  tt.teardown(() => db.close())
  const rows = () => (db.prepare('select count(*) as n from idempotency_keys').get() as { n: number }).n
  tt.equal(rows(), 1, 'the expired row was replaced by the new one')
  // and the pruner deletes every expired row
  await postOfficial(app, { ...headers, 'idempotency-key': 'ticket-2' }, pointsRequest())
  now += 31 * 86_400_000
  tt.equal(rows(), 2)
  tt.equal(await app.jifen.services().idempotency.prune(), 2, 'both are older than 30 days now')
  tt.equal(rows(), 0)
})

t.test('finding 10: the SQLite connections sync every commit (synchronous=FULL)', async (tt) => {
  const file = join(tempDir(tt), 'sync.sqlite')
  const db = connect(file)
  tt.teardown(() => db.close())
  // 2 = FULL (0 OFF, 1 NORMAL, 3 EXTRA)
  tt.equal(db.pragma('synchronous', { simple: true }), 2)
})

/** Every trigger of the SQLite migrations that raises JIFEN_IMMUTABLE: its migration, event and table. */
function immutableTriggers(): { file: string; name: string; event: string; table: string }[] {
  const out: { file: string; name: string; event: string; table: string }[] = []
  for (const file of readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql'))) {
    const sql = readFileSync(join(MIGRATIONS_DIR, file), 'utf8')
    for (const m of sql.matchAll(
      /CREATE TRIGGER `(\w+)`\s+BEFORE (INSERT|UPDATE|DELETE) ON `(\w+)`([\s\S]*?)END;/g,
    ))
      if (m[4].includes('JIFEN_IMMUTABLE')) out.push({ file, name: m[1], event: m[2], table: m[3] })
  }
  return out
}

/** Tables some migration protects from change or erasure: each must refuse replacement too. */
function protectedTables(): string[] {
  const triggers = immutableTriggers()
  return [...new Set(triggers.filter((x) => x.event !== 'INSERT').map((x) => x.table))].sort()
}

t.test('finding 2: every append-only table of the migrations has its no-replace trigger', async (tt) => {
  const triggers = immutableTriggers()
  const guarded = new Set(triggers.filter((x) => x.event === 'INSERT').map((x) => x.table))
  // 0007's own list: the tables the issue 11 review named
  const of0007 = triggers
    .filter((x) => x.file.startsWith('0007_') && x.event === 'INSERT')
    .map((x) => x.table)
  tt.same(of0007.sort(), ['api_keys', 'audit_log', 'evaluations', 'idempotency_keys', 'rulesets', 'settings'])
  const tables = protectedTables()
  for (const table of of0007) tt.ok(tables.includes(table), `${table} is append-only`)
  // a table added later with no-update/no-delete triggers and no no-replace one fails here
  for (const table of tables) tt.ok(guarded.has(table), `${table} refuses an insert of an existing key`)
})

t.test('finding 2: INSERT OR REPLACE of an existing row is refused in every protected table', async (tt) => {
  const { copy } = await copyOfBase(tt)
  const db = attacker(copy)
  tt.teardown(() => db.close())
  // the attacker writes rows of tables the base left empty without their parents
  db.pragma('foreign_keys = OFF')
  const tables = protectedTables()
  tt.ok(tables.length >= 11, `${tables.length} protected tables`)
  for (const table of tables) {
    const empty = (db.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n === 0
    if (empty) {
      // a plain insert of a new key is allowed (append-only): one synthetic row to try to replace
      const cols = db.pragma(`table_info(${table})`) as { name: string; type: string }[]
      const values = cols.map((c) => (/int/i.test(c.type) ? 1 : `x-${c.name}`))
      db.prepare(
        `insert into ${table} (${cols.map((c) => c.name).join(', ')}) values (${cols.map(() => '?').join(', ')})`,
      ).run(...values)
    }
    const snapshot = () => JSON.stringify(db.prepare(`select * from ${table} order by rowid`).all())
    const before = snapshot()
    tt.throws(
      () =>
        db.exec(
          `insert or replace into ${table} select * from ${table} where rowid = (select min(rowid) from ${table})`,
        ),
      /JIFEN_IMMUTABLE/,
      `${table}: replacing an existing row is refused`,
    )
    tt.equal(snapshot(), before, `${table}: unchanged`)
  }
})
