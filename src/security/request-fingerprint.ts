// Keyed fingerprints for idempotency: the request's and the Idempotency-Key's, so no stored value is a bare hash of an ID number.
import { createHmac } from 'node:crypto'
import { canonicalJson, contentSha256 } from '../../scoring/hash.ts'

/** What a retry must repeat: the route, its path parameters and the parsed body. */
export interface FingerprintedRequest {
  route: string
  params: unknown
  body: unknown
}

/**
 * A subkey of the ID-number secret for one purpose. Deriving it (HMAC of a label) keeps the uses
 * apart: a fingerprint can never equal an ID number's lookup hash, whatever the input.
 */
function subkey(secret: string, purpose: string): Buffer {
  return createHmac('sha256', secret).update(`jifen/${purpose}/v1`).digest()
}

/**
 * Fingerprints under keys derived from the ID-number secret. A request body may hold an ID number,
 * and so may a caller's Idempotency-Key; a plain SHA-256 of either, stored, gives the ID back to
 * anyone holding the database: the masked form keeps the region and check character and the facts
 * keep the birth date, which leaves about 91 candidates to hash. With the key outside the database
 * (JIFEN_ID_HMAC_SECRET or its file) there is nothing to test candidates against.
 */
export class RequestFingerprints {
  private readonly requestKey: Buffer
  private readonly idempotencyKey: Buffer
  private readonly answerKey: Buffer

  constructor(idHmacSecret: string) {
    this.requestKey = subkey(idHmacSecret, 'idempotency-request')
    this.idempotencyKey = subkey(idHmacSecret, 'idempotency-key')
    this.answerKey = subkey(idHmacSecret, 'idempotency-answer')
  }

  /**
   * A MAC of a saved answer, bound to its API key and stored key: an answer edited in the database
   * (or moved under another key) no longer matches, and is not replayed.
   */
  answerMac(
    apiKeyId: string,
    storedKey: string,
    a: { requestSha256: string; status: number; body: unknown; location: string | null },
  ): string {
    const { requestSha256, status, body, location } = a
    return createHmac('sha256', this.answerKey)
      .update(canonicalJson({ apiKeyId, storedKey, requestSha256, status, body, location }))
      .digest('hex')
  }

  /** HMAC-SHA256 of the request's canonical JSON (RFC 8785): equal requests, equal fingerprints. */
  request(request: FingerprintedRequest): string {
    return createHmac('sha256', this.requestKey).update(canonicalJson(request)).digest('hex')
  }

  /** The Idempotency-Key as stored: its HMAC, so a key made of an ID number is not kept in clear. */
  storedKey(idempotencyKey: string): string {
    return createHmac('sha256', this.idempotencyKey).update(idempotencyKey).digest('hex')
  }
}

/**
 * The fingerprint this service stored before it was keyed (a plain SHA-256 of the same canonical
 * JSON). Only compared, never stored: a retry of a request made before the upgrade, whose row still
 * holds it under the key in clear, gets its original answer instead of a 409. Rows of that age go
 * when idempotency keys expire; then this goes too.
 */
export function legacyRequestFingerprint(request: FingerprintedRequest): string {
  return contentSha256(request)
}
