// Opens the SQLite database (better-sqlite3, WAL), applies the drizzle migrations, builds the repositories.
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import Database from 'better-sqlite3'
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import * as tables from '../../../schema/db.ts'
import { projectRoot } from '../../project-root.ts'
import type { Repositories } from '../types.ts'
import { SqliteEvaluationRepository } from './evaluations.ts'
import { SqliteRulesetRepository } from './rulesets.ts'

export type Db = BetterSQLite3Database<typeof tables>

/** Found from the project root, not import.meta.url of this file, so that it survives compilation. */
export const MIGRATIONS_DIR = join(projectRoot, 'schema', 'migrations')

export function openSqlite(path: string): Repositories {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const sqlite = new Database(path)
  // WAL lets readers run beside the single writer; NORMAL sync is durable across process crashes in WAL mode.
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  const db: Db = drizzle(sqlite, { schema: tables })
  migrate(db, { migrationsFolder: MIGRATIONS_DIR })
  const ping = sqlite.prepare('select 1 as ok')
  return {
    rulesets: new SqliteRulesetRepository(db),
    evaluations: new SqliteEvaluationRepository(db),
    ping: async () => (ping.get() as { ok: number }).ok === 1,
    close: async () => {
      if (sqlite.open) sqlite.close()
    },
  }
}
