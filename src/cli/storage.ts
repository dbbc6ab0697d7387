// Opening the service's database from the CLI (keys, audit): the same file and migrations as `jifen serve`.
import { userInfo } from 'node:os'
import { ConfigError, loadConfig } from '../config.ts'
import { openSqlite } from '../repositories/sqlite/database.ts'
import type { Repositories } from '../repositories/types.ts'
import type { Actor } from '../services/recorder.ts'
import { UsageError } from './score.ts'

export const DB_OPTION = ['--db <path>', 'database file; overrides JIFEN_DB_PATH'] as const

/** The database of JIFEN_DB_PATH (or --db), migrated; the caller closes it. */
export function openStorage(db: string | undefined): Repositories {
  let dbPath: string
  try {
    dbPath = loadConfig({ ...process.env, ...(db !== undefined ? { JIFEN_DB_PATH: db } : {}) }).dbPath
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message)
    throw e
  }
  return openSqlite(dbPath)
}

/** Audit entries made from the CLI name the operating-system user who ran it. */
export function cliActor(): Actor {
  let user = 'unknown'
  try {
    user = userInfo().username
  } catch {
    // no passwd entry (some containers): the entry still says it came from the CLI
  }
  return { keyId: null, keyName: `cli:${user}` }
}
