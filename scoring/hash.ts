// Content hashes: SHA-256 over canonical JSON (RFC 8785), so equal content always hashes equal.
import { hash } from 'node:crypto'
import canonicalizeModule from 'canonicalize'
import { canonicalFactsJson } from './canonical-compiled.ts'

// canonicalize is CommonJS with an ESM-style .d.ts; under NodeNext its default import types as the module.
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined

export function canonicalJson(value: unknown): string {
  const s = canonicalize(value)
  if (s === undefined) throw new Error('value cannot be canonicalised')
  return s
}

/** One-shot crypto.hash: the same digest as createHash().update().digest(), without the hash object. */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex')
}

export function contentSha256(value: unknown): string {
  return sha256Hex(canonicalJson(value))
}

/**
 * Hash of an applicant's facts. The ID number is left out on purpose: a bare hash of an
 * 18-digit ID can be reversed by enumeration, so IDs are only ever stored as a keyed HMAC.
 * The canonical JSON is written by a writer compiled from the applicant schema
 * (canonical-compiled.ts), byte for byte what canonicalJson writes of the applicant without its ID.
 */
export function factsSha256(applicant: { idNumber?: string }): string {
  return sha256Hex(canonicalFactsJson(applicant))
}
