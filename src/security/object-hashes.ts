// Content hashes of the objects audit entries record: what `jifen audit verify` compares each stored object with.
import { contentSha256 } from '../../scoring/hash.ts'
import type { StoredApiKey, StoredRecord } from '../repositories/types.ts'

/**
 * An official record as stored: every column, the facts and the result by their own hashes (so
 * a record whose education was changed and whose facts hash was recomputed still differs). Computed
 * from the JSON the record is stored as, so the hash at creation is the hash of what is read back.
 */
export function recordHash(r: StoredRecord): string {
  const json = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T
  return contentSha256({
    id: r.id,
    reference: r.reference,
    scheme: r.scheme,
    rulesetId: r.rulesetId,
    rulesetSha256: r.rulesetSha256,
    asOf: r.asOf,
    jurisdiction: r.jurisdiction,
    factsSha256: r.factsSha256,
    facts: contentSha256(json(r.facts)),
    result: contentSha256(json(r.result)),
    idNumberMasked: r.idNumberMasked,
    idNumberHmac: r.idNumberHmac,
    dates: json(r.dates),
    createdAt: r.createdAt,
  })
}

/** An API key's identity, scopes and state: un-revoking a key or granting it a scope changes it. */
export function apiKeyHash(k: StoredApiKey): string {
  return contentSha256({
    id: k.id,
    name: k.name,
    scopes: k.scopes,
    secretHash: k.secretHash,
    createdAt: k.createdAt,
    revokedAt: k.revokedAt,
  })
}

/** A ruleset's audit entries carry its table's content hash (the ruleset's own sha256). */
export function rulesetHash(r: { sha256: string }): string {
  return r.sha256
}
