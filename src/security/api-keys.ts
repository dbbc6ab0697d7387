// API keys: generated once, shown once, stored only as a SHA-256 hash; scopes say what a key may do.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

export const SCOPES = ['police', 'education', 'admin', 'auditor'] as const
export type Scope = (typeof SCOPES)[number]

/** A key as written in `Authorization: Bearer …`: a public id to find the row, and the secret. */
const KEY_RE = /^jf_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/

export interface NewApiKey {
  /** the full key: print it once, never store it */
  key: string
  keyId: string
  secretHash: string
}

/**
 * 256 random bits need no slow password hash: a SHA-256 of the secret cannot be searched, and
 * lets every request check its key in microseconds.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}

export function generateApiKey(): NewApiKey {
  const keyId = randomBytes(6).toString('hex')
  const secret = randomBytes(32).toString('base64url')
  return { key: `jf_${keyId}_${secret}`, keyId, secretHash: hashSecret(secret) }
}

/** Splits a presented key into its id and secret, or null when it is not shaped like one of ours. */
export function parseApiKey(key: string): { keyId: string; secret: string } | null {
  const m = KEY_RE.exec(key)
  return m ? { keyId: m[1], secret: m[2] } : null
}

/** Constant-time comparison of a presented secret with the stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex')
  const b = Buffer.from(storedHash, 'hex')
  return a.length === b.length && timingSafeEqual(a, b)
}
