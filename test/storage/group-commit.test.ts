// Group commit: units submitted together share a transaction, yet each stays atomic, ordered and unacknowledged until committed.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import t, { type Test } from 'tap'
import { openSqlite } from '../../src/repositories/sqlite/database.ts'
import { GroupCommitter } from '../../src/repositories/sqlite/group-commit.ts'
import { verifyChain } from '../../src/security/audit-chain.ts'
import { authHeaders, build, json, pointsRequest, postOfficial, tempDbPath } from '../helper.ts'

/** A file database (a second connection must be able to look at it) with one table of rows. */
function fileDb(tt: Test): { db: Database.Database; path: string; commits: () => number } {
  const dir = mkdtempSync(join(tmpdir(), 'jifen-group-commit-'))
  const path = join(dir, 'g.sqlite')
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma('foreign_keys = ON')
  db.exec('create table row (n integer primary key, label text not null)')
  tt.teardown(() => {
    if (db.open) db.close()
    rmSync(dir, { recursive: true, force: true })
  })
  // counts outermost transactions: the committer makes one with transaction() outside any transaction
  // (its savepoints are made inside one), and runs it at once
  let commits = 0
  const transaction = db.transaction.bind(db)
  db.transaction = ((fn: Parameters<typeof transaction>[0]) => {
    if (!db.inTransaction) commits++
    return transaction(fn)
  }) as typeof db.transaction
  return { db, path, commits: () => commits }
}

type Tx = { insert(label: string): number; count(): number }

function committerOn(db: Database.Database, maxBatch?: number): GroupCommitter<Tx> {
  const insert = db.prepare('insert into row (label) values (?)')
  const count = db.prepare('select count(*) as c from row')
  const tx: Tx = {
    insert: (label) => Number(insert.run(label).lastInsertRowid),
    count: () => (count.get() as { c: number }).c,
  }
  return new GroupCommitter(db, tx, maxBatch)
}

function labels(db: Database.Database): string[] {
  return (db.prepare('select label from row order by n').all() as { label: string }[]).map((r) => r.label)
}

t.test('units submitted in the same turn share one transaction; later turns get their own', async (tt) => {
  const { db, commits } = fileDb(tt)
  const c = committerOn(db)
  const first = await Promise.all([1, 2, 3, 4, 5].map((i) => c.submit((tx) => tx.insert(`a${i}`))))
  tt.same(first, [1, 2, 3, 4, 5], 'each unit gets its own result, in submission order')
  tt.equal(commits(), 1, 'five units, one transaction')
  await c.submit((tx) => tx.insert('b'))
  tt.equal(commits(), 2, 'a unit submitted after the batch committed gets a transaction of its own')
  tt.same(labels(db), ['a1', 'a2', 'a3', 'a4', 'a5', 'b'])
})

t.test('each unit sees the writes of the units before it in its batch', async (tt) => {
  const { db } = fileDb(tt)
  const c = committerOn(db)
  // what the reference-number and audit-chain reads rely on: "the last one" includes the batch so far
  const seen = await Promise.all(
    [0, 1, 2, 3].map(() =>
      c.submit((tx) => {
        const before = tx.count()
        tx.insert(`after ${before}`)
        return before
      }),
    ),
  )
  tt.same(seen, [0, 1, 2, 3])
})

t.test('a unit that throws rolls back its own writes only and rejects alone', async (tt) => {
  const { db, commits } = fileDb(tt)
  const c = committerOn(db)
  const outcomes = await Promise.allSettled([
    c.submit((tx) => tx.insert('kept 1')),
    c.submit((tx) => {
      tx.insert('half-written')
      throw new Error('second unit fails after writing')
    }),
    c.submit((tx) => tx.insert('kept 2')),
  ])
  tt.same(
    outcomes.map((o) => o.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  )
  tt.match((outcomes[1] as PromiseRejectedResult).reason, { message: 'second unit fails after writing' })
  tt.same(labels(db), ['kept 1', 'kept 2'], 'nothing of the failed unit remains')
  tt.equal(commits(), 1)
})

t.test('a failed commit rejects every unit of its batch, and none of their writes remain', async (tt) => {
  const { db } = fileDb(tt)
  // a deferred foreign key is checked at COMMIT, after every unit returned: the one way a commit fails here
  db.exec(
    'create table parent (id integer primary key); create table child (p integer references parent(id) deferrable initially deferred)',
  )
  const orphan = db.prepare('insert into child (p) values (42)')
  const c = committerOn(db)
  const outcomes = await Promise.allSettled([
    c.submit((tx) => tx.insert('innocent')),
    c.submit(() => orphan.run()),
  ])
  tt.same(
    outcomes.map((o) => o.status),
    ['rejected', 'rejected'],
    'the innocent unit is not acknowledged: its writes were not committed',
  )
  tt.match((outcomes[0] as PromiseRejectedResult).reason, { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' })
  tt.same(labels(db), [])
  // the committer goes on working after a failed batch
  await c.submit((tx) => tx.insert('next'))
  tt.same(labels(db), ['next'])
})

t.test('a unit is acknowledged only once another connection can read its writes', async (tt) => {
  const { db, path } = fileDb(tt)
  const c = committerOn(db)
  const reader = new Database(path, { readonly: true })
  tt.teardown(() => reader.close())
  const visibleAtResolve = await Promise.all(
    ['x', 'y'].map((label) =>
      c
        .submit((tx) => tx.insert(label))
        .then(() => {
          const row = reader.prepare('select count(*) as c from row where label = ?').get(label) as {
            c: number
          }
          return row.c
        }),
    ),
  )
  tt.same(visibleAtResolve, [1, 1])
})

t.test('a burst larger than the batch limit is split into several transactions, in order', async (tt) => {
  const { db, commits } = fileDb(tt)
  const c = committerOn(db, 4)
  const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => c.submit((tx) => tx.insert(`u${i}`))))
  tt.same(
    ids,
    Array.from({ length: 10 }, (_, i) => i + 1),
  )
  tt.equal(commits(), 3, '10 units at 4 per transaction: 3 transactions')
})

t.test('drain commits what is queued at once, before the connection closes', async (tt) => {
  const { db, path } = fileDb(tt)
  const c = committerOn(db)
  const pending = c.submit((tx) => tx.insert('queued at shutdown'))
  c.drain()
  db.close()
  tt.equal(await pending, 1)
  const reader = new Database(path, { readonly: true })
  tt.teardown(() => reader.close())
  tt.same(
    (reader.prepare('select label from row').all() as { label: string }[]).map((r) => r.label),
    ['queued at shutdown'],
  )
  tt.rejects(
    c.submit((tx) => tx.insert('too late')),
    { message: 'the database is closed' },
  )
})

t.test(
  '50 official evaluations at once: consecutive reference numbers, an intact chain, all readable',
  async (tt) => {
    const dbPath = tempDbPath(tt)
    const app = await build(tt, { config: { dbPath } })
    const auth = await authHeaders(app, ['police'])
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => postOfficial(app, auth, pointsRequest())),
    )
    tt.same(
      responses.map((r) => r.statusCode),
      Array(50).fill(201),
    )
    const references = responses.map((r) => json(r).reference as string).sort()
    tt.same(
      references,
      Array.from({ length: 50 }, (_, i) => `JF-2026-${String(i + 1).padStart(6, '0')}`),
      'no number taken twice, none skipped',
    )
    for (const r of responses.slice(0, 5)) {
      const read = await app.inject({
        headers: auth,
        method: 'GET',
        url: `/v1/points/evaluations/${json(r).id}`,
      })
      tt.same(json(read), json(r))
    }
    await app.close()
    const repos = openSqlite(dbPath)
    tt.teardown(() => repos.close())
    const entries = [...repos.audit.entries()]
    tt.equal(verifyChain(entries).ok, true, 'the audit chain verifies')
    tt.equal(
      entries.filter((e) => e.action === 'evaluation.created').length,
      50,
      'one audit entry per record',
    )
    // the ids are time-ordered (UUIDv7), so the primary-key index grows at its end
    tt.ok(
      responses.every((r) =>
        /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(json(r).id),
      ),
      'record ids are UUIDv7',
    )
  },
)
