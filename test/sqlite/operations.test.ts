// SQLite operations: the files are private (0600), `jifen db backup` is online and consistent, `db migrate` works without serving; secrets stay apart.
import { existsSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import { buildApp } from '../../src/app.ts'
import { fixedClock } from '../../src/clock.ts'
import { testConfig } from '../../src/config.ts'
import {
  authHeaders,
  build,
  captureLogs,
  json,
  NOW,
  pointsRequest,
  postOfficial,
  shippedTables,
  TEST_AUDIT_KEY_SECRET,
  tempDbPath,
  tempDir,
} from '../helper.ts'
import { jifen } from '../security/cli.ts'

t.test('the database file, its WAL and shared memory are created 0600', async (tt) => {
  const dbPath = tempDbPath(tt)
  const app = await build(tt, { config: { dbPath } })
  await postOfficial(app, await authHeaders(app, ['police']), pointsRequest())
  for (const f of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) {
    tt.ok(existsSync(f), f)
    tt.equal(statSync(f).mode & 0o777, 0o600, `${f} is 0600`)
  }
})

t.test('db backup: an online, consistent copy while the service writes', async (tt) => {
  const dbPath = tempDbPath(tt)
  const app = await build(tt, { config: { dbPath } })
  const auth = await authHeaders(app, ['police'])
  for (let i = 0; i < 3; i++) await postOfficial(app, auth, pointsRequest())
  // writes go on while the backup runs in another process: the copy is one committed state
  const writing = Promise.all(Array.from({ length: 20 }, () => postOfficial(app, auth, pointsRequest())))
  const file = join(tempDir(tt), 'backup.sqlite')
  const r = jifen(['db', 'backup', file, '--db', dbPath])
  await writing
  tt.equal(r.code, 0, r.err)
  tt.match(r.out, /backed up .* \(\d+ pages, consistent\)/)
  tt.match(r.err, /secret is not in this backup/)
  tt.equal(statSync(file).mode & 0o777, 0o600, 'the backup is private too')
  const copy = new Database(file, { readonly: true })
  tt.teardown(() => copy.close())
  tt.same(copy.pragma('integrity_check'), [{ integrity_check: 'ok' }])
  const seqs = (
    copy.prepare('select reference_seq as s from evaluations order by s').all() as { s: number }[]
  ).map((x) => x.s)
  tt.ok(seqs.length >= 3, `${seqs.length} records in the backup`)
  tt.same(
    seqs,
    seqs.map((_, i) => i + 1),
    'a prefix of the numbering: no half-written batch',
  )
  const again = jifen(['db', 'backup', file, '--db', dbPath])
  tt.equal(again.code, 2, 'an existing file is never overwritten')
  const verify = jifen(['audit', 'verify', '--db', file], { JIFEN_AUDIT_KEY: TEST_AUDIT_KEY_SECRET })
  tt.equal(verify.code, 0, `the backup's audit chain verifies: ${verify.out}`)
})

t.test('db migrate creates and migrates a database without serving', async (tt) => {
  const dbPath = tempDbPath(tt)
  const r = jifen(['db', 'migrate', '--db', dbPath])
  tt.equal(r.code, 0, r.err)
  tt.match(r.out, /migrated: .* \(sqlite\)/)
  const db = new Database(dbPath, { readonly: true })
  tt.teardown(() => db.close())
  const tables = (
    db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]
  ).map((x) => x.name)
  tt.ok(tables.includes('evaluations') && tables.includes('table_generation'))
})

t.test(
  'a secret file beside the database (earlier versions) is still used, with a warning to move it',
  async (tt) => {
    const dbPath = tempDbPath(tt)
    const legacy = `${dbPath}.id-hmac-secret`
    writeFileSync(legacy, 'an-old-secret-beside-the-database-0123456789\n', { mode: 0o600 })
    const logs = captureLogs()
    const app = await build(tt, {
      config: { dbPath, logLevel: 'warn' },
      logStream: logs.stream,
      idHmacSecret: undefined,
    })
    tt.equal(json(await app.inject({ method: 'GET', url: '/readyz' })).status, 'ready')
    tt.match(logs.text(), /sits beside the database/)
  },
)

t.test(
  'JIFEN_ID_HMAC_SECRET_FILE is read; JIFEN_ID_HMAC_SECRET and the file together are refused',
  async (tt) => {
    const file = join(tempDir(tt), 'secret')
    writeFileSync(file, 'a-secret-from-a-file-0123456789abcdef\n', { mode: 0o600 })
    const app = buildApp(testConfig({ idHmacSecretFile: file, dbPath: tempDbPath(tt) }), {
      clock: fixedClock(NOW),
      seedTables: shippedTables,
    })
    tt.teardown(() => app.close())
    await app.ready()
    tt.equal(json(await app.inject({ method: 'GET', url: '/readyz' })).status, 'ready')
    const both = jifen(['keys', 'list'], {
      JIFEN_ID_HMAC_SECRET: 'x'.repeat(40),
      JIFEN_ID_HMAC_SECRET_FILE: file,
    })
    tt.equal(both.code, 2)
    tt.match(both.err, /either JIFEN_ID_HMAC_SECRET or JIFEN_ID_HMAC_SECRET_FILE/)
  },
)
