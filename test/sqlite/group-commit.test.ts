// Group commit: async units submitted together share a transaction, yet each stays atomic, ordered, unacknowledged until committed and unseen by readers until then.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import t, { type Test } from 'tap'
import { openSqlite } from '../../src/repositories/sqlite/database.ts'
import { GroupCommitter } from '../../src/repositories/sqlite/group-commit.ts'
import { verifyChainStream } from '../../src/security/audit-chain.ts'
import {
  authHeaders,
  build,
  json,
  pointsRequest,
  postOfficial,
  TEST_AUDIT_KEY,
  tempDbPath,
} from '../helper.ts'

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
  // counts COMMIT statements: the committer issues BEGIN IMMEDIATE … COMMIT itself
  let commits = 0
  const exec = db.exec.bind(db)
  db.exec = ((sql: string) => {
    if (sql === 'COMMIT') commits++
    return exec(sql)
  }) as typeof db.exec
  return { db, path, commits: () => commits }
}

type Tx = { insert(label: string): Promise<number>; count(): Promise<number> }

function committerOn(db: Database.Database, maxBatch?: number): GroupCommitter<Tx> {
  const insert = db.prepare('insert into row (label) values (?)')
  const count = db.prepare('select count(*) as c from row')
  const newTx = () => {
    let open = true
    const live = <R>(f: () => R) => {
      if (!open) throw new Error('unit ended')
      return Promise.resolve(f())
    }
    const tx: Tx = {
      insert: (label) => live(() => Number(insert.run(label).lastInsertRowid)),
      count: () => live(() => (count.get() as { c: number }).c),
    }
    return {
      tx,
      end: () => {
        open = false
      },
    }
  }
  return new GroupCommitter(db, newTx, maxBatch)
}

/** A promise the test resolves when it chooses: a unit awaiting it is held in the middle of its batch. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {}
  const wait = new Promise<void>((resolve) => {
    open = resolve
  })
  return { wait, open }
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
      c.submit(async (tx) => {
        const before = await tx.count()
        await tx.insert(`after ${before}`)
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
    c.submit(async (tx) => {
      await tx.insert('half-written')
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
    c.submit(async () => orphan.run()),
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
  await c.drain()
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

t.test('a unit that throws after an await rolls back alone; the units around it commit', async (tt) => {
  const { db, commits } = fileDb(tt)
  const c = committerOn(db)
  const g = gate()
  const outcomes = Promise.allSettled([
    c.submit((tx) => tx.insert('before')),
    c.submit(async (tx) => {
      await tx.insert('written, then the unit waits')
      await g.wait
      await tx.insert('written after the wait')
      throw new Error('fails after an await')
    }),
    c.submit((tx) => tx.insert('after')),
  ])
  // the second unit is now suspended inside the batch's transaction
  await new Promise((r) => setImmediate(r))
  g.open()
  const settled = await outcomes
  tt.same(
    settled.map((o) => o.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  )
  tt.same(labels(db), ['before', 'after'], 'neither write of the failed unit remains')
  tt.equal(commits(), 1, 'one transaction for the three')
})

t.test(
  "a read during a batch never sees a unit's uncommitted rows; its promise resolves after COMMIT",
  async (tt) => {
    const storage = openSqlite(tempDbPath(tt))
    tt.teardown(() => storage.close())
    const g = gate()
    let acknowledged = false
    const written = storage
      .transaction(async (tx) => {
        await tx.settings.set('probe', 'uncommitted')
        await tx.apiKeys.create({
          id: 'aaaaaaaaaaaa',
          name: 'during-batch',
          scopes: ['police'],
          secretHash: '0'.repeat(64),
          createdAt: '2026-05-15T02:00:00.000Z',
        })
        // the unit waits inside its savepoint, its rows written but not committed
        await g.wait
        return 'done'
      })
      .then((v) => {
        acknowledged = true
        return v
      })
    // let the batch start and reach the wait
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r))
    tt.equal(await storage.apiKeys.get('aaaaaaaaaaaa'), null, 'a read now does not see the key')
    tt.equal(await storage.apiKeys.getByName('during-batch'), null)
    tt.same(await storage.apiKeys.list(), [], 'nor does a list')
    tt.equal(acknowledged, false, 'not acknowledged while its batch is open')
    g.open()
    tt.equal(await written, 'done')
    tt.equal((await storage.apiKeys.get('aaaaaaaaaaaa'))?.name, 'during-batch', 'visible once acknowledged')
  },
)

t.test('a tx method called after its unit ended is refused, not written into another unit', async (tt) => {
  const { db } = fileDb(tt)
  const c = committerOn(db)
  let leaked: Tx | null = null
  await c.submit(async (tx) => {
    leaked = tx
    await tx.insert('inside')
  })
  await tt.rejects(
    c.submit(async () => leaked!.insert('leaked')),
    /unit ended/,
  )
  tt.same(labels(db), ['inside'])
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
    const storage = openSqlite(dbPath)
    tt.teardown(() => storage.close())
    const entries = []
    for await (const e of storage.audit.entries()) entries.push(e)
    tt.equal((await verifyChainStream(entries, TEST_AUDIT_KEY)).ok, true, 'the audit chain verifies')
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
