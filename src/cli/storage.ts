// Opening the service's database from the CLI (keys, audit, db): the configuration `jifen serve` reads, or --db.
import { userInfo } from 'node:os'
import { type Config, ConfigError, isPostgresUrl, loadConfig } from '../config.ts'
import { openStorage } from '../repositories/open.ts'
import type { Storage } from '../repositories/types.ts'
import type { AuditKey } from '../security/audit-chain.ts'
import { auditKeyFor } from '../security/audit-key.ts'
import { resolveIdHmacSecret, SecretError } from '../security/id-secret.ts'
import type { Actor } from '../services/recorder.ts'
import { UsageError } from './usage-error.ts'

export const DB_OPTION = [
  '--db <path-or-url>',
  'SQLite file or postgres:// URL; overrides JIFEN_DATABASE_URL and JIFEN_DB_PATH',
] as const

/** The configuration with --db in place of JIFEN_DATABASE_URL / JIFEN_DB_PATH. */
export function cliConfig(db: string | undefined): Config {
  try {
    const env = { ...process.env }
    if (db !== undefined) {
      delete env.JIFEN_DATABASE_URL
      if (isPostgresUrl(db)) env.JIFEN_DATABASE_URL = db
      else env.JIFEN_DB_PATH = db
    }
    return loadConfig(env)
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message)
    throw e
  }
}

/** The database of the configuration (or --db), migrated; the caller closes it. */
export function openCliStorage(db: string | undefined): Promise<Storage> {
  return openStorage(cliConfig(db))
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

/**
 * The audit key the service uses for this database (configuration, or the secrets folder's file),
 * checked against it. With PostgreSQL and no key configured, the service derives it from the ID
 * secret, so the CLI reads that secret too.
 */
export async function cliAuditKey(config: Config, storage: Storage): Promise<AuditKey> {
  try {
    let idSecret = ''
    if (storage.backend === 'postgres' && config.auditKey === undefined && config.auditKeyFile === undefined)
      idSecret = resolveIdHmacSecret({
        configured: config.idHmacSecret,
        configuredFile: config.idHmacSecretFile,
        backend: storage.backend,
        dbPath: config.dbPath,
        secretsDir: config.secretsDir,
        databaseHasHashes: true,
      }).secret
    return await auditKeyFor(config, undefined, storage, idSecret, null)
  } catch (e) {
    if (e instanceof SecretError || e instanceof ConfigError) throw new UsageError(e.message)
    throw e
  }
}
