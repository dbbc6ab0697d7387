// Opens the SQLite database (better-sqlite3, WAL), applies the drizzle migrations, builds the repositories.
import { closeSync, mkdirSync, openSync } from 'node:fs'
import { dirname, join } from 'node:path'
import Database from 'better-sqlite3'
import { eq } from 'drizzle-orm'
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import * as tables from '../../../schema/db.ts'
import { projectRoot } from '../../project-root.ts'
import type { Repositories, WriteTx } from '../types.ts'
import { SqliteApiKeyRepository } from './api-keys.ts'
import { SqliteAuditRepository } from './audit.ts'
import { SqliteEvaluationRepository } from './evaluations.ts'
import { GroupCommitter } from './group-commit.ts'
import { SqliteIdempotencyRepository } from './idempotency.ts'
import { SqliteRulesetRepository } from './rulesets.ts'

export type Db = BetterSQLite3Database<typeof tables>

/** Found from the project root, not import.meta.url of this file, so that it survives compilation. */
export const MIGRATIONS_DIR = join(projectRoot, 'schema', 'migrations')

export function openSqlite(path: string): Repositories {
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true })
    // A new database file is readable by its owner only (records, hashes, masked IDs); SQLite gives
    // its -wal and -shm files the same mode. An existing file keeps the mode the operator gave it.
    closeSync(openSync(path, 'a', 0o600))
  }
  const sqlite = new Database(path)
  // WAL lets readers run beside the single writer; NORMAL sync is durable across process crashes in WAL mode.
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  const db: Db = drizzle(sqlite, { schema: tables })
  migrate(db, { migrationsFolder: MIGRATIONS_DIR })
  const ping = sqlite.prepare('select 1 as ok')
  const rulesets = new SqliteRulesetRepository(db)
  const evaluations = new SqliteEvaluationRepository(db)
  const apiKeys = new SqliteApiKeyRepository(db)
  const audit = new SqliteAuditRepository(db, sqlite)
  const idempotency = new SqliteIdempotencyRepository(db)
  // One object for every unit of work: its methods only write through this connection, so they join
  // whichever transaction is open on it.
  const tx: WriteTx = {
    evaluations: { create: (e) => evaluations.createInTx(e) },
    rulesets: {
      insert: (r) => rulesets.insertInTx(r),
      replaceDraft: (id, table, sha256) => rulesets.replaceDraftInTx(id, table, sha256),
      publish: (id, at) => rulesets.publishInTx(id, at),
      retire: (id, at, reason) => rulesets.retireInTx(id, at, reason),
    },
    audit: { append: (e) => audit.appendInTx(e) },
    idempotency: {
      get: (apiKeyId, key) => idempotency.getSync(apiKeyId, key),
      save: (apiKeyId, key, r, at) => idempotency.saveInTx(apiKeyId, key, r, at),
    },
    apiKeys: {
      create: (k) => apiKeys.createInTx(k),
      revoke: (id, at) => apiKeys.revokeInTx(id, at),
    },
    settings: {
      get: (key) =>
        db.select().from(tables.settings).where(eq(tables.settings.key, key)).get()?.value ?? null,
      set: (key, value) => {
        db.insert(tables.settings)
          .values({ key, value })
          .onConflictDoUpdate({ target: tables.settings.key, set: { value } })
          .run()
      },
    },
  }
  const committer = new GroupCommitter(sqlite, tx)
  return {
    rulesets,
    evaluations,
    apiKeys,
    audit,
    idempotency,
    // Synchronous callback: with better-sqlite3 an async one would commit early and never roll back.
    // Units submitted together share one IMMEDIATE transaction, each in its own savepoint (see
    // group-commit.ts): the write lock is taken first, so reads inside (last reference number, last
    // audit hash) cannot be raced by another process writing the same file.
    transaction: (work) => committer.submit(work),
    ping: async () => (ping.get() as { ok: number }).ok === 1,
    close: async () => {
      if (!sqlite.open) return
      committer.drain()
      sqlite.close()
    },
  }
}
