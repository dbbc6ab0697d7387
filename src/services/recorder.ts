// Official actions as units of work: the write, its audit entry and its idempotency record commit together.
import type { Clock } from '../clock.ts'
import { AppError, bi, type FieldText } from '../errors.ts'
import type { SavedResponse, Storage, StoredResponse, WriteTx } from '../repositories/types.ts'
import type { AuditKey } from '../security/audit-chain.ts'
import {
  type FingerprintedRequest,
  legacyRequestFingerprint,
  type RequestFingerprints,
} from '../security/request-fingerprint.ts'

/** Who acts: an API key (by id and name), or the operator's CLI or the service itself (no key id). */
export interface Actor {
  keyId: string | null
  keyName: string
}

/** The service's own actions, such as seeding the shipped tables on first start. */
export const SYSTEM_ACTOR: Actor = { keyId: null, keyName: 'system' }

/** An Idempotency-Key and the request that came with it (fingerprinted by the Recorder, keyed). */
export interface IdempotencyRequest {
  key: string
  request: FingerprintedRequest
}

/** An Idempotency-Key as stored and compared: both keyed (src/security/request-fingerprint.ts). */
interface KeyedIdempotency {
  given: IdempotencyRequest
  storedKey: string
  fingerprint: string
}

export interface WriteContext {
  actor: Actor
  idempotency: IdempotencyRequest | null
}

/** What a creating POST answers: the first time, and identically on every retry with the same key. */
export interface Written<T> {
  status: number
  body: T
  location: string | null
  /** true when this is the saved answer to an earlier request with the same Idempotency-Key */
  replayed: boolean
}

export interface Work {
  tx: WriteTx
  /** the instant of the action: the record's timestamp and its audit entry's are the same */
  at: string
  /**
   * Appends the audit entry for this action, in this transaction (await it), with the content hash
   * of the object as the action leaves it (src/security/object-hashes.ts), or null for none.
   */
  audit(action: string, objectId: string, objectHash: string | null): Promise<void>
}

export interface RecorderOptions {
  /** keys the audit chain (src/security/audit-key.ts) */
  auditKey: AuditKey
  /** keys the stored Idempotency-Keys and request fingerprints; required for writes that take one */
  fingerprints?: RequestFingerprints | null
  /** days a saved answer is kept (config.idempotencyRetentionDays); older ones have expired */
  idempotencyRetentionDays?: number
}

const DAY_MS = 86_400_000

const KEY_PATH: FieldText[] = [
  {
    path: 'headers.idempotency-key',
    message: bi('已用于另一个请求', 'already used with a different request'),
  },
]

/**
 * The request's fingerprint, or a 400 when its body cannot be written as canonical JSON: a number
 * JSON.parse made infinite (`1e400`) has no RFC 8785 form. Such a body fails validation anyway; without
 * this it was a 500 whenever an Idempotency-Key came with it (found by test/security/fuzz.test.ts).
 */
function fingerprintOf(fingerprints: RequestFingerprints, idem: IdempotencyRequest): string {
  try {
    return fingerprints.request(idem.request)
  } catch {
    const message = bi(
      '请求体含有 JSON 无法精确表示的数值（如 1e400）',
      'the body holds a number JSON cannot represent exactly (such as 1e400)',
    )
    throw new AppError('VALIDATION', message, [{ path: 'body', message }])
  }
}

export class Recorder {
  private readonly keyed = new WeakMap<IdempotencyRequest, KeyedIdempotency>()
  private readonly auditKey: AuditKey
  private readonly fingerprints: RequestFingerprints | null
  private readonly retentionMs: number

  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    options: RecorderOptions,
  ) {
    this.auditKey = options.auditKey
    this.fingerprints = options.fingerprints ?? null
    this.retentionMs = (options.idempotencyRetentionDays ?? 30) * DAY_MS
  }

  /** Saved answers made before this instant have expired (ISO instants compare as strings). */
  private expiredBefore(): string {
    return new Date(this.clock.now().getTime() - this.retentionMs).toISOString()
  }

  private live(saved: SavedResponse | null): SavedResponse | null {
    return saved !== null && saved.createdAt < this.expiredBefore() ? null : saved
  }

  /** Deletes every expired saved answer; the number deleted. */
  pruneIdempotency(): Promise<number> {
    const before = this.expiredBefore()
    return this.storage.transaction((tx) => tx.idempotency.expire(before))
  }

  /** The stored key and fingerprint of a request's Idempotency-Key, computed once per request. */
  private keyedOf(idem: IdempotencyRequest): KeyedIdempotency {
    let k = this.keyed.get(idem)
    if (k === undefined) {
      if (this.fingerprints === null)
        throw new Error('an Idempotency-Key was given to a Recorder made without fingerprint keys')
      k = {
        given: idem,
        storedKey: this.fingerprints.storedKey(idem.key),
        fingerprint: fingerprintOf(this.fingerprints, idem),
      }
      this.keyed.set(idem, k)
    }
    return k
  }

  private replayOf<T>(
    saved: StoredResponse,
    idem: IdempotencyRequest,
    fingerprint: string,
    where: { apiKeyId: string; storedKey: string },
  ): Written<T> {
    // an answer saved with a MAC is replayed only as it was saved
    if (
      saved.mac !== null &&
      (this.fingerprints === null ||
        saved.mac !== this.fingerprints.answerMac(where.apiKeyId, where.storedKey, saved))
    )
      throw new AppError(
        'RECORD_CORRUPT',
        bi(
          '此 Idempotency-Key 保存的应答未通过完整性校验',
          'the saved answer to this Idempotency-Key fails its integrity check',
        ),
      )
    if (saved.requestSha256 !== fingerprint) {
      throw new AppError(
        'IDEMPOTENCY_CONFLICT',
        bi(
          `Idempotency-Key ${JSON.stringify(idem.key)} 已用于另一个请求；新请求请使用新的幂等键`,
          `Idempotency-Key ${JSON.stringify(idem.key)} was used with a different request; use a new key for a new request`,
        ),
        KEY_PATH,
      )
    }
    return { status: saved.status, body: saved.body as T, location: saved.location, replayed: true }
  }

  /**
   * The saved answer when this API key already used this Idempotency-Key (a 409 when for another
   * request), or null. Services ask first, before any check that a retry would now fail (the draft
   * exists, the ruleset is published), so that a retry gets the original answer.
   */
  async replay<T>(ctx: WriteContext): Promise<Written<T> | null> {
    const idem = ctx.idempotency
    if (idem === null || ctx.actor.keyId === null) return null
    const k = this.keyedOf(idem)
    const saved = this.live(await this.storage.idempotency.get(ctx.actor.keyId, k.storedKey))
    if (saved !== null)
      return this.replayOf<T>(saved, idem, k.fingerprint, {
        apiKeyId: ctx.actor.keyId,
        storedKey: k.storedKey,
      })
    // Saved before keys and fingerprints were keyed: under the key in clear, with a plain SHA-256.
    // Such rows are old, so no retry races one and this check outside the transaction suffices.
    const legacy = this.live(await this.storage.idempotency.get(ctx.actor.keyId, idem.key))
    return legacy === null
      ? null
      : this.replayOf<T>(legacy, idem, legacyRequestFingerprint(idem.request), {
          apiKeyId: ctx.actor.keyId,
          storedKey: idem.key,
        })
  }

  /**
   * Runs `work` in one transaction and insists that it audited itself: an official action without
   * its audit entry is a programming error, and rolls back. `mayWriteNothing` is for work that may
   * find nothing to do (seeding tables another process has just seeded).
   */
  async audited<T>(actor: Actor, work: (w: Work) => Promise<T>, mayWriteNothing = false): Promise<T> {
    const at = this.clock.now().toISOString()
    return this.storage.transaction((tx) => this.inTx(tx, actor, at, work, mayWriteNothing))
  }

  private async inTx<T>(
    tx: WriteTx,
    actor: Actor,
    at: string,
    work: (w: Work) => Promise<T>,
    mayWriteNothing = false,
  ): Promise<T> {
    // every append is awaited here too, so that one the work forgot to await still lands in its
    // unit (or fails it) before the unit ends
    const appends: Promise<unknown>[] = []
    if (actor.keyId !== null) {
      // A key revoked while this request was in flight (its body still arriving, say) acts no more:
      // checked again here, under the write's lock, where the revocation either committed already
      // or waits until this unit has.
      const k = await tx.apiKeys.get(actor.keyId)
      if (k === null || k.revokedAt !== null) {
        // the answer a request with the revoked key gets at the door (api-keys.ts authError)
        const detail = bi('API 密钥无效：不存在或已吊销', 'the API key is not valid: unknown or revoked')
        throw new AppError('UNAUTHORIZED', detail, [{ path: 'headers.authorization', message: detail }])
      }
    }
    const out = await work({
      tx,
      at,
      audit: (action, objectId, objectHash) => {
        const p = tx.audit
          .append({ at, keyName: actor.keyName, action, objectId, objectHash }, this.auditKey)
          .then(() => {})
        appends.push(p)
        return p
      },
    })
    await Promise.all(appends)
    if (appends.length === 0 && !mayWriteNothing) throw new Error('an official action wrote no audit entry')
    return out
  }

  /**
   * An audited action that answers a creating POST: with an Idempotency-Key, the answer is saved in
   * the same transaction, so a retry finds either nothing (and the action never happened) or the
   * record's own answer. The key is looked up again under its lock, for two retries racing.
   */
  async record<T>(
    ctx: WriteContext,
    status: number,
    work: (w: Work) => Promise<{ body: T; location?: string }>,
  ): Promise<Written<T>> {
    const at = this.clock.now().toISOString()
    const { actor, idempotency: idem } = ctx
    return this.storage.transaction(async (tx) => {
      const k = idem !== null && actor.keyId !== null ? this.keyedOf(idem) : null
      if (k !== null && actor.keyId !== null) {
        // under the key's lock: a concurrent request with the same key, here or on another
        // instance, waits for this unit and then gets its answer
        const saved = await tx.idempotency.get(actor.keyId, k.storedKey)
        if (saved !== null && this.live(saved) === null)
          // expired and not yet pruned: gone now, and the key starts afresh
          await tx.idempotency.expire(this.expiredBefore(), { apiKeyId: actor.keyId, key: k.storedKey })
        else if (saved !== null)
          return this.replayOf<T>(saved, k.given, k.fingerprint, {
            apiKeyId: actor.keyId,
            storedKey: k.storedKey,
          })
      }
      const out = await this.inTx(tx, actor, at, work)
      const location = out.location ?? null
      if (k !== null && actor.keyId !== null) {
        const answer = { requestSha256: k.fingerprint, status, body: out.body, location }
        // the MAC of the body as it is stored and read back (JSON), so the replay computes the same
        const stored = { ...answer, body: JSON.parse(JSON.stringify(out.body)) as unknown }
        const mac = this.fingerprints?.answerMac(actor.keyId, k.storedKey, stored) ?? null
        await tx.idempotency.save(actor.keyId, k.storedKey, { ...answer, mac }, at)
      }
      return { status, body: out.body, location, replayed: false }
    })
  }
}
