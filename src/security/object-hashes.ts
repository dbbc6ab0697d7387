// Content hashes of the objects audit entries record: what `jifen audit verify` compares each stored object with.
import { createHash } from 'node:crypto'
import { contentSha256, sha256Hex } from '../../scoring/hash.ts'
import type { StoredApiKey, StoredApplicationText, StoredRecord } from '../repositories/types.ts'

/**
 * Canonical JSON (RFC 8785, as `canonicalize` writes it) of a value as JSON would store it: the
 * same text as `canonicalJson(JSON.parse(JSON.stringify(value)))` in one pass, without the string
 * and the copy in between. JSON.stringify's rules: toJSON is called, object properties holding
 * undefined, a function or a symbol are left out, array elements holding them and non-finite
 * numbers are null. A stored record's result is its largest part, and this was most of the CPU of a
 * stored evaluation. Top-level undefined is an error, as the round trip's JSON.parse made it.
 */
export function storedCanonicalJson(value: unknown): string {
  const out = write(value, '')
  if (out === undefined) throw new Error('value cannot be canonicalised')
  return out
}

/** One value as JSON.stringify would see it under `key`; undefined where JSON.stringify leaves it out. */
function write(value: unknown, key: string): string | undefined {
  let v = value
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function')
    v = (v as { toJSON(k: string): unknown }).toJSON(key)
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return JSON.stringify(v)
    case 'number':
      return Number.isFinite(v) ? JSON.stringify(v) : 'null'
    case 'object': {
      if (v === null) return 'null'
      if (Array.isArray(v)) {
        let out = '['
        for (let i = 0; i < v.length; i++) {
          if (i > 0) out += ','
          out += write(v[i], String(i)) ?? 'null'
        }
        return `${out}]`
      }
      const o = v as Record<string, unknown>
      let out = '{'
      let first = true
      for (const k of Object.keys(o).sort()) {
        const w = write(o[k], k)
        if (w === undefined) continue
        out += `${first ? '' : ','}${JSON.stringify(k)}:${w}`
        first = false
      }
      return `${out}}`
    }
    case 'bigint':
      // JSON.stringify's own error
      return JSON.stringify(v)
    default:
      // undefined, a function, a symbol
      return undefined
  }
}

/**
 * An official record as stored: every column, the facts and the result by their own hashes (so
 * a record whose education was changed and whose facts hash was recomputed still differs). Computed
 * from the JSON the record is stored as, so the hash at creation is the hash of what is read back.
 */
export function recordHash(r: StoredRecord): string {
  return contentSha256({
    id: r.id,
    reference: r.reference,
    scheme: r.scheme,
    rulesetId: r.rulesetId,
    rulesetSha256: r.rulesetSha256,
    asOf: r.asOf,
    jurisdiction: r.jurisdiction,
    factsSha256: r.factsSha256,
    facts: sha256Hex(storedCanonicalJson(r.facts)),
    result: sha256Hex(storedCanonicalJson(r.result)),
    idNumberMasked: r.idNumberMasked,
    idNumberHmac: r.idNumberHmac,
    dates: JSON.parse(JSON.stringify(r.dates)) as unknown,
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
