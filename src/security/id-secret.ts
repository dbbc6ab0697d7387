// The ID-number HMAC secret: from configuration, or generated next to the database on first start (0600).
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
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
}

/** The secret is missing or wrong for this database; starting would make ID lookups silently fail. */
export class SecretError extends Error {}

/** Next to the database, named after it: copying the two files together keeps lookups working. */
export function secretFilePath(dbPath: string): string {
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

function readSecretFile(path: string): { secret: string; looseMode: boolean } | null {
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
 * In order: the configured secret (JIFEN_ID_HMAC_SECRET or a buildApp option); the secret file next
 * to the database; for an in-memory database, a throw-away one (nothing outlives the process); for a
 * new database, a freshly generated file. A database that already holds hashes (`databaseHasHashes`)
 * never gets a new secret: that start fails instead.
 */
export function resolveIdHmacSecret(opts: {
  configured: string | undefined
  dbPath: string
  databaseHasHashes: boolean
}): ResolvedSecret {
  if (opts.configured !== undefined)
    return { secret: opts.configured, source: 'config', path: null, looseMode: false }
  if (opts.dbPath === ':memory:')
    return {
      secret: randomBytes(32).toString('base64url'),
      source: 'ephemeral',
      path: null,
      looseMode: false,
    }
  const path = secretFilePath(opts.dbPath)
  const existing = readSecretFile(path)
  if (existing !== null) return { ...existing, source: 'file', path }
  if (opts.databaseHasHashes) {
    throw new SecretError(
      `JIFEN_ID_HMAC_SECRET is required: ${opts.dbPath} holds ID-number hashes made with a secret that is neither configured nor in ${path}`,
    )
  }
  mkdirSync(dirname(path), { recursive: true })
  const secret = randomBytes(32).toString('base64url')
  try {
    // wx: if another process created the file first, use theirs
    writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' })
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    const theirs = readSecretFile(path)
    if (theirs !== null) return { ...theirs, source: 'file', path }
  }
  return { secret, source: 'generated', path, looseMode: false }
}
