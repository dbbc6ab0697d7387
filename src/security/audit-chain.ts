// The audit log's chain: each entry is an HMAC, under an audit key kept outside the database, of its content, its object's hash and the previous entry's hash.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { canonicalJson, contentSha256 } from '../../scoring/hash.ts'

export const GENESIS_HASH = '0'.repeat(64)

/** What an official action records. */
export interface AuditContent {
  seq: number
  at: string
  keyName: string
  action: string
  objectId: string
  /**
   * The content hash of the object as the action left it (src/security/object-hashes.ts): a record's
   * facts and result, a table's hash, a key's scopes and state. null: an action on no stored object,
   * or an entry written before entries carried one.
   */
  objectHash: string | null
}

export interface AuditEntry extends AuditContent {
  prevHash: string
  hash: string
  /** true: `hash` is an HMAC under the audit key; false: a plain SHA-256, written before the chain was keyed */
  keyed: boolean
}

/** The head of the chain: its last entry's sequence number and hash. */
export interface ChainHead {
  seq: number
  hash: string
}

/**
 * The hash of an entry written before the chain was keyed: SHA-256 of the canonical JSON of its
 * content and the previous hash. Anyone holding the database can recompute it, so such entries
 * prove nothing by themselves; the first keyed entry after them pins their last hash.
 */
export function legacyEntryHash(content: AuditContent, prevHash: string): string {
  const { seq, at, keyName, action, objectId } = content
  return contentSha256({ seq, at, keyName, action, objectId, prevHash })
}

/** What a checkpoint states: the head at one moment, and how many entries before it are legacy (unkeyed). */
export interface CheckpointBody {
  seq: number
  hash: string
  legacy: number
  at: string
}

export interface Checkpoint extends CheckpointBody {
  /** HMAC of the body under the audit key: only the key's holder can make one */
  mac: string
}

/**
 * The audit key. Kept outside the database, like the ID-number secret (src/security/audit-key.ts):
 * whoever holds only the database can neither make an entry that verifies nor rewrite one. Subkeys
 * per purpose, so an entry's hash can never pass for a checkpoint's MAC or the key's check value.
 */
export class AuditKey {
  private readonly entryKey: Buffer
  private readonly checkpointKey: Buffer
  private readonly checkKey: Buffer

  constructor(secret: string) {
    const sub = (purpose: string) => createHmac('sha256', secret).update(`jifen/${purpose}/v1`).digest()
    this.entryKey = sub('audit-entry')
    this.checkpointKey = sub('audit-checkpoint')
    this.checkKey = sub('audit-key-check')
  }

  /** HMAC-SHA256 of the canonical JSON of the entry's content, object hash and previous hash. */
  entryHash(content: AuditContent, prevHash: string): string {
    const { seq, at, keyName, action, objectId, objectHash } = content
    return createHmac('sha256', this.entryKey)
      .update(canonicalJson({ seq, at, keyName, action, objectId, objectHash, prevHash }))
      .digest('hex')
  }

  /** A value stored in the database on first use: a later start with another key is refused. Reveals nothing. */
  check(): string {
    return createHmac('sha256', this.checkKey).update('jifen:audit-key-check').digest('hex')
  }

  checkpoint(body: CheckpointBody): Checkpoint {
    const { seq, hash, legacy, at } = body
    return { seq, hash, legacy, at, mac: this.checkpointMac({ seq, hash, legacy, at }) }
  }

  /** Whether the checkpoint was signed with this key. */
  signed(c: Checkpoint): boolean {
    const want = Buffer.from(this.checkpointMac(c), 'hex')
    const got = Buffer.from(typeof c.mac === 'string' ? c.mac : '', 'hex')
    return got.length === want.length && timingSafeEqual(got, want)
  }

  private checkpointMac(c: CheckpointBody): string {
    const { seq, hash, legacy, at } = c
    return createHmac('sha256', this.checkpointKey)
      .update(canonicalJson({ seq, hash, legacy, at }))
      .digest('hex')
  }
}

/** What an action appends: the repository adds seq and the chain. */
export type NewAuditEntry = Omit<AuditContent, 'seq' | 'objectHash'> & { objectHash?: string | null }

/** The next keyed entry after `prev` (null: the first entry of the log). */
export function chainEntry(e: NewAuditEntry, prev: ChainHead | null, key: AuditKey): AuditEntry {
  const content: AuditContent = { ...e, seq: (prev?.seq ?? 0) + 1, objectHash: e.objectHash ?? null }
  const prevHash = prev?.hash ?? GENESIS_HASH
  return { ...content, prevHash, hash: key.entryHash(content, prevHash), keyed: true }
}

export type ChainVerdict =
  | { ok: true; entries: number; legacy: number; head: ChainHead | null }
  | { ok: false; entries: number; legacy: number; brokenAt: number; reason: string }

export interface ChainOptions {
  /**
   * How many entries at the start of the log may be legacy (unkeyed): those written before the
   * chain was keyed. null when not known (a database that never ran a version that records it):
   * then legacy entries are accepted only before the first keyed entry.
   */
  legacyUntil?: number | null
  /** Heads the operator kept elsewhere: the log must still hold each, unchanged. */
  checkpoints?: readonly Checkpoint[]
}

/**
 * Checks entries one at a time, in sequence order: a gap in the sequence, an entry whose stored
 * previous hash is not its predecessor's hash, whose HMAC does not match its content (a row altered
 * or forged without the key), an unkeyed entry where only keyed ones may be, or an entry that
 * differs from a checkpoint, is the first broken link. `finish` then finds a log that ends before
 * a checkpoint (truncated).
 */
export class ChainWalk {
  private prev: AuditEntry | null = null
  private seenKeyed = false
  private readonly pinned = new Map<number, string>()
  n = 0
  legacy = 0

  constructor(
    private readonly key: AuditKey,
    private readonly options: ChainOptions = {},
  ) {
    for (const c of options.checkpoints ?? []) this.pinned.set(c.seq, c.hash)
  }

  private broken(seq: number, reason: string): ChainVerdict {
    return { ok: false, entries: this.n, legacy: this.legacy, brokenAt: seq, reason }
  }

  /** null while the chain holds */
  step(e: AuditEntry): ChainVerdict | null {
    const prev = this.prev
    this.n++
    const expectedSeq = prev === null ? 1 : prev.seq + 1
    if (prev === null && e.seq !== 1) return this.broken(e.seq, `chain starts at ${e.seq}, not 1`)
    if (e.seq !== expectedSeq) return this.broken(e.seq, `entry ${expectedSeq} is missing`)
    const wantPrev = prev?.hash ?? GENESIS_HASH
    if (e.prevHash !== wantPrev) return this.broken(e.seq, 'previous-hash link does not match')
    if (e.keyed) {
      if (e.hash !== this.key.entryHash(e, e.prevHash))
        return this.broken(e.seq, 'entry content was altered, or written without the audit key')
      this.seenKeyed = true
    } else {
      const until = this.options.legacyUntil ?? null
      if (this.seenKeyed || (until !== null && e.seq > until))
        return this.broken(e.seq, 'an unkeyed entry where the chain is keyed')
      if (e.hash !== legacyEntryHash(e, e.prevHash)) return this.broken(e.seq, 'entry content was altered')
      this.legacy++
    }
    const pinned = this.pinned.get(e.seq)
    if (pinned !== undefined && pinned !== e.hash)
      return this.broken(e.seq, `entry ${e.seq} is not the one the checkpoint names (rewritten)`)
    this.prev = e
    return null
  }

  finish(): ChainVerdict {
    const last = this.prev?.seq ?? 0
    const beyond = [...this.pinned.keys()].filter((s) => s > last)
    if (beyond.length > 0) {
      const at = Math.max(...beyond)
      return this.broken(last + 1, `truncated: a checkpoint names entry ${at}, the log ends at ${last}`)
    }
    const head = this.prev === null ? null : { seq: this.prev.seq, hash: this.prev.hash }
    return { ok: true, entries: this.n, legacy: this.legacy, head }
  }
}

/** Walks entries in sequence order and reports the first broken link. */
export function verifyChain(
  entries: Iterable<AuditEntry>,
  key: AuditKey,
  options?: ChainOptions,
): ChainVerdict {
  const walk = new ChainWalk(key, options)
  for (const e of entries) {
    const broken = walk.step(e)
    if (broken !== null) return broken
  }
  return walk.finish()
}

/** The same walk over a stream of entries (the storage's audit walk), holding one entry at a time. */
export async function verifyChainStream(
  entries: AsyncIterable<AuditEntry> | Iterable<AuditEntry>,
  key: AuditKey,
  options?: ChainOptions,
): Promise<ChainVerdict> {
  const walk = new ChainWalk(key, options)
  for await (const e of entries) {
    const broken = walk.step(e)
    if (broken !== null) return broken
  }
  return walk.finish()
}
