// Content hashes: SHA-256 over canonical JSON (RFC 8785), so equal content always hashes equal.
import { createHash } from 'node:crypto'
import canonicalizeModule from 'canonicalize'

// canonicalize is CommonJS with an ESM-style .d.ts; under NodeNext its default import types as the module.
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined

export function canonicalJson(value: unknown): string {
  const s = canonicalize(value)
  if (s === undefined) throw new Error('value cannot be canonicalised')
  return s
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

export function contentSha256(value: unknown): string {
  return sha256Hex(canonicalJson(value))
}

/**
 * Hash of an applicant's facts. The ID number is left out on purpose: a bare hash of an
 * 18-digit ID can be reversed by enumeration, so IDs are only ever stored as a keyed HMAC.
 */
export function factsSha256(applicant: { idNumber?: string }): string {
  const { idNumber: _omit, ...facts } = applicant
  return contentSha256(facts)
}
