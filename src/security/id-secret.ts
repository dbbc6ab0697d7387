// The ID-number HMAC secret: from configuration or a file, never kept with the database; the SQLite default may generate one (0600).
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { idHmac } from './id-hmac.ts'

/** The settings row holding a check value of the secret the database's ID hashes were made with. */
export const ID_SECRET_CHECK_KEY = 'id_hmac_secret_check'

export type SecretSource = 'config' | 'file' | 'generated' | 'ephemeral'

export interface ResolvedSecret {
  secret: string
  source: SecretSource
  /** the secret file read or written, when there is one */
  path: string | null
  /** the file can be read by group or others: worth a warning */
  looseMode: boolean
  /** the file sits beside the database (where versions before 0.2 generated it): worth moving */
  besideDatabase: boolean
}

/** The secret is missing or wrong for this database; starting would make ID lookups silently fail. */
export class SecretError extends Error {}

/** Where the embedded default generates its secret: in the secrets folder, never beside the database. */
export function secretFilePath(secretsDir: string): string {
  return join(secretsDir, 'id-hmac-secret')
}

/** Where earlier versions generated it, beside the database: still read, with a warning to move it. */
export function legacySecretFilePath(dbPath: string): string {
  return `${dbPath}.id-hmac-secret`
}

/**
 * An HMAC of a fixed label, stored in the database on first start: a later start with another
 * secret is refused instead of storing hashes that never match the earlier ones. It reveals nothing
 * about the secret.
 */
export function secretCheck(secret: string): string {
  return idHmac('jifen:id-hmac-secret-check', secret)
}

export function readSecretFile(path: string): { secret: string; looseMode: boolean } | null {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw e
  }
  const secret = text.trim()
  if (secret.length < 32)
    throw new SecretError(`${path} holds fewer than 32 characters; it is not a jifen secret`)
  return { secret, looseMode: (statSync(path).mode & 0o077) !== 0 }
}

/**
 * Why the secret never sits with the database: an ID number has about 91 candidates once its masked
 * form (region and check character) and the birth date in the facts are known, so whoever holds the
 * database and the secret recovers every stored ID number in under a millisecond each.
 *
 * In order: the configured secret (JIFEN_ID_HMAC_SECRET or a buildApp option); the configured file
 * (JIFEN_ID_HMAC_SECRET_FILE); with PostgreSQL nothing else (every instance must share one secret
 * that the database does not hold: the start fails); for an in-memory database, a throw-away one;
 * the secrets folder's file; a file beside the database left by an earlier version; for a new
 * database, a freshly generated file in the secrets folder (mode 0600, folder 0700). A database that
 * already holds hashes (`databaseHasHashes`) never gets a new secret: that start fails instead.
 */
export function resolveIdHmacSecret(opts: {
  configured: string | undefined
  configuredFile: string | undefined
  backend: 'sqlite' | 'postgres'
  dbPath: string
  secretsDir: string
  databaseHasHashes: boolean
}): ResolvedSecret {
  const plain = { looseMode: false, besideDatabase: false }
  if (opts.configured !== undefined)
    return { secret: opts.configured, source: 'config', path: null, ...plain }
  if (opts.configuredFile !== undefined) {
    const found = readSecretFile(opts.configuredFile)
    if (found === null)
      throw new SecretError(`JIFEN_ID_HMAC_SECRET_FILE: ${opts.configuredFile} does not exist`)
    return { ...found, source: 'file', path: opts.configuredFile, besideDatabase: false }
  }
  if (opts.backend === 'postgres')
    throw new SecretError(
      'with PostgreSQL, set JIFEN_ID_HMAC_SECRET or JIFEN_ID_HMAC_SECRET_FILE: every instance needs the same secret, and it must not be kept in the database',
    )
  if (opts.dbPath === ':memory:')
    return { secret: randomBytes(32).toString('base64url'), source: 'ephemeral', path: null, ...plain }
  const path = secretFilePath(opts.secretsDir)
  const existing = readSecretFile(path)
  if (existing !== null) return { ...existing, source: 'file', path, besideDatabase: false }
  const legacy = legacySecretFilePath(opts.dbPath)
  const old = readSecretFile(legacy)
  if (old !== null) return { ...old, source: 'file', path: legacy, besideDatabase: true }
  if (opts.databaseHasHashes) {
    throw new SecretError(
      `JIFEN_ID_HMAC_SECRET is required: ${opts.dbPath} holds ID-number hashes made with a secret that is neither configured nor in ${path}`,
    )
  }
  mkdirSync(opts.secretsDir, { recursive: true, mode: 0o700 })
  const secret = randomBytes(32).toString('base64url')
  try {
    // wx: if another process created the file first, use theirs
    writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' })
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    const theirs = readSecretFile(path)
    if (theirs !== null) return { ...theirs, source: 'file', path, besideDatabase: false }
  }
  return { secret, source: 'generated', path, ...plain }
}
