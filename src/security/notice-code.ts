// Verification codes printed on notices: a short HMAC of the record under a key derived from the service's secret.
import { createHmac, timingSafeEqual } from 'node:crypto'

/** Crockford's base-32: no I, L, O or U, so a code read aloud or typed from paper is hard to get wrong. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
/** 10 characters × 5 bits = 50 bits: guessing one code takes ~10^15 tries, and verification is rate-limited. */
const LENGTH = 10

/** What a code vouches for: the record's identity, its total and the hashes of its facts and table. */
export interface Vouched {
  id: string
  reference: string
  total: number
  factsSha256: string
  rulesetSha256: string
}

/**
 * The key for codes, derived from the ID-number secret with a label: one secret to keep safe, and a
 * code never doubles as an ID hash. Changing the secret makes every printed code fail, as it would the
 * ID look-ups (src/security/id-secret.ts refuses such a start).
 */
export function noticeKey(idHmacSecret: string): Buffer {
  return createHmac('sha256', idHmacSecret).update('jifen notice verification code v1').digest()
}

/** The printable code: `XXXXX-XXXXX`. */
export function verificationCode(key: Buffer, r: Vouched): string {
  const mac = createHmac('sha256', key)
    .update([r.id, r.reference, String(r.total), r.factsSha256, r.rulesetSha256].join('\n'))
    .digest()
  let bits = 0n
  for (let i = 0; i < 8; i++) bits = (bits << 8n) | BigInt(mac[i])
  let out = ''
  for (let i = 0; i < LENGTH; i++) out += ALPHABET[Number((bits >> BigInt(64 - 5 * (i + 1))) & 31n)]
  return `${out.slice(0, 5)}-${out.slice(5)}`
}

/** A code as typed: case, spaces and dashes ignored; O read as 0, I and L as 1 (Crockford). */
export function normalizeCode(given: string): string {
  return given.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1')
}

/** Whether `given` is the code of `r`, compared in constant time. */
export function codeMatches(key: Buffer, r: Vouched, given: string): boolean {
  const want = Buffer.from(normalizeCode(verificationCode(key, r)))
  const got = Buffer.from(normalizeCode(given))
  return want.length === got.length && timingSafeEqual(want, got)
}
