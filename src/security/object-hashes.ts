// Content hashes of the objects audit entries record: what `jifen audit verify` compares each stored object with.
import { createHash } from 'node:crypto'
import { contentSha256 } from '../../scoring/hash.ts'
import type { StoredApiKey, StoredApplicationText, StoredRecord } from '../repositories/types.ts'

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

/**
 * A bulk of applications as stored (`round.applications_stored`): SHA-256 over each row in request
 * order, one line per column (ref, child key, masked ID, then the household, evaluation and allocator
 * input as the JSON text the store holds). Native JSON rather than canonical JSON: canonicalising 10,000
 * evaluations cost about a second of the bulk request; since both backends keep that text byte for byte,
 * `jifen audit verify` recomputes the hash from the rows. Status and withdrawal instant are left out:
 * they are what a withdrawal changes.
 */
export function applicationsHash(rows: Iterable<StoredApplicationText>): string {
  const h = createHash('sha256')
  for (const a of rows)
    h.update(
      `${a.applicationRef}\n${a.childKey}\n${a.idNumberMasked ?? ''}\n${a.householdJson}\n${a.evaluationJson}\n${a.inputJson}\n`,
    )
  return h.digest('hex')
}

/**
 * The object of a `round.applications_stored` entry: `<round>:<count>:<batch>`. Entries written before
 * batch numbers read `<round>:<count>` (batch null): their rows carry no batch either.
 */
export function applicationsStoredTarget(roundId: string, count: number, batch: number): string {
  return `${roundId}:${count}:${batch}`
}

export function parseApplicationsStoredTarget(
  target: string,
): { roundId: string; count: number; batch: number | null } | null {
  const m = /^(.+?):(\d+)(?::(\d+))?$/.exec(target)
  if (m === null) return null
  return { roundId: m[1], count: Number(m[2]), batch: m[3] === undefined ? null : Number(m[3]) }
}

/** A round's definition (`round.created`): its spec as stored. */
export function roundSpecHash(spec: unknown): string {
  return contentSha256(spec)
}

/** `round.closed`: the round id and the status only, so it pins that the round was closed, nothing more. */
export function roundClosedHash(roundId: string): string {
  return contentSha256({ id: roundId, status: 'closed' })
}

/** `round.application_withdrawn` (object `<round>/<ref>`): the application and its withdrawal instant as stored. */
export function withdrawalHash(roundId: string, ref: string, withdrawnAt: string | null): string {
  return contentSha256({ id: roundId, ref, withdrawnAt })
}

/** `round.allocated` and `round.published` (object `<round>@<version>`): a result version's inputs hash and result. */
export function resultVersionHash(v: { inputsSha256: string; result: unknown }): string {
  return contentSha256({ inputsSha256: v.inputsSha256, result: v.result })
}

/** `<round>/<ref>`: round ids hold no slash (refs may), so the first one splits. */
export function parseWithdrawalTarget(target: string): { roundId: string; ref: string } | null {
  const i = target.indexOf('/')
  return i <= 0 ? null : { roundId: target.slice(0, i), ref: target.slice(i + 1) }
}

/** `<round>@<version>` */
export function parseVersionTarget(target: string): { roundId: string; version: number } | null {
  const m = /^(.+)@(\d+)$/.exec(target)
  return m === null ? null : { roundId: m[1], version: Number(m[2]) }
}
