// The embedded SQLite backend (better-sqlite3, WAL): a writer connection behind the group committer, a reader connection for everything else.
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import Database from 'better-sqlite3'
import { asc, eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import * as tables from '../../../schema/db.ts'
import { projectRoot } from '../../project-root.ts'
import { type DumpRow, SettingConflictError, type Storage, type WriteTx } from '../types.ts'
import { SqliteAdmissionRepository } from './admission.ts'
import { SqliteApiKeyRepository } from './api-keys.ts'
import { SqliteAuditRepository } from './audit.ts'
import type { Db } from './db.ts'
import { GroupCommitter, type UnitTx } from './group-commit.ts'
import { SqliteIdempotencyRepository } from './idempotency.ts'
import { SqliteRecordRepository } from './records.ts'
import { SqliteRulesetRepository } from './rulesets.ts'
import { SqliteSimulationRepository } from './simulations.ts'

export type { Db } from './db.ts'

/** Found from the project root, not import.meta.url of this file, so that it survives compilation. */
export const MIGRATIONS_DIR = join(projectRoot, 'schema', 'migrations')

/**
 * The database file, created with mode 0600 before SQLite opens it: SQLite gives its -wal and -shm
 * files the mode of the database file, so none of the three is readable by other users. An
 * existing file that others can read is tightened to 0600 too (with its -wal and -shm).
 */
function createPrivate(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600))
  for (const f of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(f) && (statSync(f).mode & 0o077) !== 0) chmodSync(f, 0o600)
  }
}

export function connect(path: string): Database.Database {
  const sqlite = new Database(path)
  // WAL lets the reader run beside the single writer. FULL syncs the WAL at every commit, so an
  // acknowledged record survives a power loss too (NORMAL only survives a process crash); group
  // commit (group-commit.ts) makes that one sync per batch of units, not per record.
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = FULL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  return sqlite
}

/**
 * Opens (creating and migrating) the SQLite database at `path`. `:memory:` gives a throw-away
 * database: a file in a fresh temporary folder, removed on close, because the reader connection
 * must see the same database as the writer (two `:memory:` connections would be two databases).
 */
export function openSqlite(path: string): Storage {
  const temporary = path === ':memory:' ? mkdtempSync(join(tmpdir(), 'jifen-memory-')) : null
  const file = temporary === null ? path : join(temporary, 'jifen.sqlite')
  createPrivate(file)
  const writer = connect(file)
  const write: Db = drizzle(writer, { schema: tables })
  migrate(write, { migrationsFolder: MIGRATIONS_DIR })
  const reader = connect(file)
  // the reader never writes: a programming error that tries is refused by SQLite itself
  reader.pragma('query_only = ON')
  const read: Db = drizzle(reader, { schema: tables })

  const ping = reader.prepare('select count(*) as n from table_generation')
  const rulesets = new SqliteRulesetRepository(read, write, reader)
  const records = new SqliteRecordRepository(read, write)
  const apiKeys = new SqliteApiKeyRepository(read, write)
  const audit = new SqliteAuditRepository(read, write)
  const idempotency = new SqliteIdempotencyRepository(read, write)
  const admission = new SqliteAdmissionRepository(reader, writer)
  const simulations = new SqliteSimulationRepository(reader, writer)
  const settingsOf = (db: Db) => db.select().from(tables.settings).orderBy(asc(tables.settings.key)).all()
  const settingOf = (key: string): string | null =>
    write.select().from(tables.settings).where(eq(tables.settings.key, key)).get()?.value ?? null
  // Settings are written once (the 0007 triggers refuse a change): under the write lock, an equal
  // value is nothing to do and another value a conflict.
  const setOnce = (key: string, value: string): void => {
    const existing = settingOf(key)
    if (existing === value) return
    if (existing !== null) throw new SettingConflictError(key)
    write.insert(tables.settings).values({ key, value }).run()
  }

  // A fresh tx object per unit of work: its methods write on the writer connection, inside the
  // unit's savepoint, and refuse to run once the unit has ended.
  const newTx = (): UnitTx<WriteTx> => {
    let open = true
    const live = <A extends unknown[], R>(f: (...args: A) => R) => {
      return async (...args: A): Promise<R> => {
        if (!open) throw new Error('this unit of work has ended: await every tx call inside transaction()')
        return f(...args)
      }
    }
    const tx: WriteTx = {
      records: {
        create: live((e) => records.createInTx(e)) as WriteTx['records']['create'],
        void: live((v) => records.voidInTx(v)),
      },
      rulesets: {
        insert: live((r) => rulesets.insertInTx(r)),
        replaceDraft: live((id, table, sha256) => rulesets.replaceDraftInTx(id, table, sha256)),
        publish: live((id, at) => rulesets.publishInTx(id, at)),
        retire: live((id, at, reason) => rulesets.retireInTx(id, at, reason)),
      },
      audit: { append: live((e, key) => audit.appendInTx(e, key)) },
      idempotency: {
        get: live((apiKeyId, key) => idempotency.getInTx(apiKeyId, key)),
        save: live((apiKeyId, key, r, at) => idempotency.saveInTx(apiKeyId, key, r, at)),
        expire: live((before, only) => idempotency.expireInTx(before, only)),
      },
      apiKeys: {
        get: live((id) => apiKeys.getInTx(id)),
        create: live((k) => apiKeys.createInTx(k)),
        revoke: live((id, at) => apiKeys.revokeInTx(id, at)),
      },
      admission: {
        createRound: live((r) => admission.createRoundInTx(r)),
        lockRound: live((id) => admission.lockRoundInTx(id)),
        setRoundStatus: live((id, status, v) => admission.setRoundStatusInTx(id, status, v)),
        conflicts: live((roundId, refs, keys) => admission.conflictsInTx(roundId, refs, keys)),
        nextBatch: live((roundId) => admission.nextBatchInTx(roundId)),
        insertApplications: live((rows) => admission.insertApplicationsInTx(rows)),
        withdraw: live((roundId, ref, at) => admission.withdrawInTx(roundId, ref, at)),
        activeInputs: live((roundId) => admission.activeInputsInTx(roundId)),
        insertResult: live((r) => admission.insertResultInTx(r)),
      },
      simulations: {
        insert: live((x) => simulations.insertInTx(x)),
        finish: live((id, end, at) => simulations.finishInTx(id, end, at)),
        heartbeat: live((ids, owner, at) => simulations.heartbeatInTx(ids, owner, at)),
      },
      settings: {
        get: live((key: string) => settingOf(key)),
        set: live((key: string, value: string) => setOnce(key, value)),
      },
    }
    return {
      tx,
      end: () => {
        open = false
      },
    }
  }
  const committer = new GroupCommitter(writer, newTx)

  return {
    backend: 'sqlite',
    location: temporary === null ? path : ':memory:',
    rulesets,
    records,
    apiKeys,
    audit,
    idempotency,
    admission,
    simulations,
    // Units submitted together share one IMMEDIATE transaction, each in its own savepoint (see
    // group-commit.ts): the write lock is taken first, so reads inside (last reference number, last
    // audit hash) cannot be raced by another process writing the same file.
    transaction: (work) => committer.submit(work),
    async *dump(): AsyncIterable<DumpRow> {
      for (const row of settingsOf(read)) yield { kind: 'setting', row }
      for (const row of await rulesets.list()) yield { kind: 'ruleset', row }
      for (const row of await apiKeys.list()) yield { kind: 'apiKey', row }
      for await (const row of records.all()) yield { kind: 'record', row }
      for await (const row of records.voids()) yield { kind: 'recordVoid', row }
      for await (const row of audit.entries()) yield { kind: 'audit', row }
      for await (const row of idempotency.all()) yield { kind: 'idempotency', row }
    },
    restore: (rows) =>
      // one unit: the copy is all or nothing
      committer.submit(async () => {
        const nonEmpty = writer
          .prepare(
            'select (select count(*) from rulesets) + (select count(*) from evaluations) + (select count(*) from api_keys) + (select count(*) from audit_log) as n',
          )
          .get() as { n: number }
        if (nonEmpty.n > 0) throw new Error(`${path} is not empty: copy into a new database`)
        for await (const r of rows) {
          if (r.kind === 'setting') setOnce(r.row.key, r.row.value)
          else if (r.kind === 'ruleset') rulesets.restoreInTx(r.row)
          else if (r.kind === 'apiKey') apiKeys.restoreInTx(r.row)
          else if (r.kind === 'record') records.restoreInTx(r.row)
          else if (r.kind === 'recordVoid') records.voidInTx(r.row)
          else if (r.kind === 'audit') audit.restoreInTx(r.row)
          else idempotency.restoreInTx(r.row)
        }
      }),
    ping: async () => (ping.get() as { n: number }).n === 1,
    close: async () => {
      if (!writer.open) return
      await committer.drain()
      reader.close()
      writer.close()
      if (temporary !== null) rmSync(temporary, { recursive: true, force: true })
    },
  }
}

/**
 * An online, consistent copy of the database into `file` (better-sqlite3's backup API: pages are
 * copied while the service keeps writing, and the copy is one committed state). Mode 0600.
 */
export async function backupSqlite(path: string, file: string): Promise<{ pages: number }> {
  const source = new Database(path, { readonly: true, fileMustExist: true })
  try {
    createPrivate(file)
    const progress = await source.backup(file)
    chmodSync(file, 0o600)
    return { pages: progress.totalPages }
  } finally {
    source.close()
  }
}
