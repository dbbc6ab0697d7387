// The audit key: from configuration or a file in the secrets folder, never kept with the database; checked against the database on every start.
import { createHmac, randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyBaseLogger } from 'fastify'
import { type Config, ConfigError } from '../config.ts'
import type { Storage } from '../repositories/types.ts'
import { AuditKey } from './audit-chain.ts'
import { readSecretFile, SecretError } from './id-secret.ts'

/** The settings row holding the audit key's check value (AuditKey.check). */
export const AUDIT_KEY_CHECK = 'audit_key_check'
/**
 * The settings row holding how many entries the log held, unkeyed, when the chain was first keyed:
 * `jifen audit verify` accepts unkeyed entries up to there and nowhere else.
 */
export const AUDIT_LEGACY_ENTRIES = 'audit_legacy_entries'

export type AuditKeySource = 'config' | 'file' | 'generated' | 'ephemeral' | 'derived'

export interface ResolvedAuditKey {
  key: AuditKey
  source: AuditKeySource
  path: string | null
  looseMode: boolean
}

/** Where the embedded default keeps the key it generates: the secrets folder, beside the ID secret. */
export function auditKeyFilePath(secretsDir: string): string {
  return join(secretsDir, 'audit-key')
}

/**
 * In order: the configured key (JIFEN_AUDIT_KEY or a buildApp option), the configured file
 * (JIFEN_AUDIT_KEY_FILE), for an in-memory database a throw-away key, the secrets folder's file,
 * and for a new SQLite database a freshly generated file there (0600). With PostgreSQL and nothing
 * configured, the key is derived from the ID-number secret (so that existing deployments keep
 * starting), with a warning: whoever holds that secret and the database can then rewrite the log.
 * A database whose chain is keyed already never gets a new key: that start fails instead.
 */
export function resolveAuditKey(opts: {
  configured: string | undefined
  configuredFile: string | undefined
  backend: 'sqlite' | 'postgres'
  dbPath: string
  secretsDir: string
  /** the database holds an audit key check value: a generated key could not match it */
  databaseIsKeyed: boolean
  idHmacSecret: string
}): ResolvedAuditKey {
  const plain = { path: null, looseMode: false }
  if (opts.configured !== undefined) return { key: new AuditKey(opts.configured), source: 'config', ...plain }
  if (opts.configuredFile !== undefined) {
    const found = readSecretFile(opts.configuredFile)
    if (found === null) throw new SecretError(`JIFEN_AUDIT_KEY_FILE: ${opts.configuredFile} does not exist`)
    return {
      key: new AuditKey(found.secret),
      source: 'file',
      path: opts.configuredFile,
      looseMode: found.looseMode,
    }
  }
  if (opts.backend === 'postgres') {
    const derived = createHmac('sha256', opts.idHmacSecret)
      .update('jifen/audit-key-fallback/v1')
      .digest('hex')
    return { key: new AuditKey(derived), source: 'derived', ...plain }
  }
  if (opts.dbPath === ':memory:')
    return { key: new AuditKey(randomBytes(32).toString('base64url')), source: 'ephemeral', ...plain }
  const path = auditKeyFilePath(opts.secretsDir)
  const existing = readSecretFile(path)
  if (existing !== null)
    return { key: new AuditKey(existing.secret), source: 'file', path, looseMode: existing.looseMode }
  if (opts.databaseIsKeyed)
    throw new SecretError(
      `JIFEN_AUDIT_KEY is required: the audit log of ${opts.dbPath} is keyed with a key that is neither configured nor in ${path}`,
    )
  mkdirSync(opts.secretsDir, { recursive: true, mode: 0o700 })
  const secret = randomBytes(32).toString('base64url')
  try {
    writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' })
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    const theirs = readSecretFile(path)
    if (theirs !== null)
      return { key: new AuditKey(theirs.secret), source: 'file', path, looseMode: theirs.looseMode }
  }
  return { key: new AuditKey(secret), source: 'generated', path, looseMode: false }
}

/** Whether this database's audit chain is keyed already (its key check value is stored). */
export async function databaseIsKeyed(storage: Storage): Promise<boolean> {
  return (await storage.transaction((tx) => tx.settings.get(AUDIT_KEY_CHECK))) !== null
}

/**
 * Binds the key to the database: the first time, stores its check value and how many unkeyed
 * entries the log holds (they were written before the chain was keyed); afterwards, refuses
 * another key. Call before the first entry is appended with it.
 */
export async function bindAuditKey(storage: Storage, key: AuditKey, where: string): Promise<void> {
  const check = key.check()
  const legacy = await storage.audit.legacyCount()
  await storage.transaction(async (tx) => {
    const stored = await tx.settings.get(AUDIT_KEY_CHECK)
    if (stored !== null && stored !== check)
      throw new SecretError(
        `the audit key (${where}) is not the one ${storage.location}'s audit log is keyed with; restore the original`,
      )
    if (stored === null) {
      await tx.settings.set(AUDIT_KEY_CHECK, check)
      if ((await tx.settings.get(AUDIT_LEGACY_ENTRIES)) === null)
        await tx.settings.set(AUDIT_LEGACY_ENTRIES, String(legacy))
    }
  })
}

/** How many entries at the start of the log may be unkeyed, as the database states it (null: not stated). */
export async function legacyEntriesOf(storage: Storage): Promise<number | null> {
  const v = await storage.transaction((tx) => tx.settings.get(AUDIT_LEGACY_ENTRIES))
  return v === null || !/^\d+$/.test(v) ? null : Number(v)
}

/**
 * The audit key, bound to this database: a start with another key than the one its chain is keyed
 * with fails here, as with the ID secret.
 */
export async function auditKeyFor(
  config: Config,
  configured: string | undefined,
  storage: Storage,
  idHmacSecret: string,
  log: Pick<FastifyBaseLogger, 'warn'> | null,
): Promise<AuditKey> {
  try {
    const resolved = resolveAuditKey({
      configured: configured ?? config.auditKey,
      configuredFile: config.auditKeyFile,
      backend: storage.backend,
      dbPath: config.dbPath,
      secretsDir: config.secretsDir,
      databaseIsKeyed: await databaseIsKeyed(storage),
      idHmacSecret,
    })
    await bindAuditKey(
      storage,
      resolved.key,
      resolved.path ?? (resolved.source === 'config' ? 'JIFEN_AUDIT_KEY' : resolved.source),
    )
    if (resolved.source === 'generated')
      log?.warn(
        { path: resolved.path },
        'generated the audit key on first start (file mode 0600); keep a copy apart from the database and its backups, or set JIFEN_AUDIT_KEY(_FILE)',
      )
    else if (resolved.source === 'derived')
      log?.warn(
        'no JIFEN_AUDIT_KEY(_FILE): the audit key is derived from the ID-number secret, so whoever holds that secret and the database can rewrite the audit log; set a key of its own',
      )
    if (resolved.looseMode)
      log?.warn({ path: resolved.path }, 'the audit key file is readable by others; chmod 600 it')
    return resolved.key
  } catch (e) {
    if (e instanceof SecretError) throw new ConfigError(e.message)
    throw e
  }
}
