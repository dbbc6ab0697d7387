// Opens the configured storage: PostgreSQL for a postgres:// URL, else the embedded SQLite file; the app and every CLI command come through here.
import type { Config } from '../config.ts'
import { openPostgres } from './postgres/database.ts'
import { openSqlite } from './sqlite/database.ts'
import type { Storage } from './types.ts'

/** Where the data lives, as configuration names it. */
export type StorageTarget = { backend: 'sqlite'; path: string } | { backend: 'postgres'; url: string }

export function storageTarget(config: Pick<Config, 'dbPath' | 'databaseUrl'>): StorageTarget {
  return config.databaseUrl !== null
    ? { backend: 'postgres', url: config.databaseUrl }
    : { backend: 'sqlite', path: config.dbPath }
}

/** Opens and migrates the database the configuration names; the caller closes it. */
export async function openStorage(
  config: Pick<Config, 'dbPath' | 'databaseUrl'> & Partial<Pick<Config, 'dbPoolSize'>>,
): Promise<Storage> {
  const target = storageTarget(config)
  return target.backend === 'postgres'
    ? openPostgres(target.url, { poolSize: config.dbPoolSize })
    : openSqlite(target.path)
}
