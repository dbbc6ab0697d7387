// The audit log's hash chain: each entry hashes its content with the previous entry's hash.
import { contentSha256 } from '../../scoring/hash.ts'

export const GENESIS_HASH = '0'.repeat(64)

/** What an official action records. */
export interface AuditContent {
  seq: number
  at: string
  keyName: string
  action: string
  objectId: string
}

export interface AuditEntry extends AuditContent {
  prevHash: string
  hash: string
}

/** The hash of an entry: SHA-256 of the canonical JSON of its content and the previous hash. */
export function entryHash(content: AuditContent, prevHash: string): string {
  const { seq, at, keyName, action, objectId } = content
  return contentSha256({ seq, at, keyName, action, objectId, prevHash })
}

export function chainEntry(content: AuditContent, prev: AuditEntry | null): AuditEntry {
  const prevHash = prev?.hash ?? GENESIS_HASH
  return { ...content, prevHash, hash: entryHash(content, prevHash) }
}

export type ChainVerdict =
  | { ok: true; entries: number }
  | { ok: false; entries: number; brokenAt: number; reason: string }

/**
 * Checks entries one at a time, in sequence order: a gap in the sequence, an entry whose stored
 * previous hash is not its predecessor's hash, or whose own hash does not match its content (a row
 * altered in place) is the first broken link.
 */
class ChainWalk {
  private prev: AuditEntry | null = null
  n = 0

  /** null while the chain holds */
  step(e: AuditEntry): ChainVerdict | null {
    const prev = this.prev
    const n = ++this.n
    const expectedSeq = prev === null ? e.seq : prev.seq + 1
    if (prev === null && e.seq !== 1)
      return { ok: false, entries: n, brokenAt: e.seq, reason: `chain starts at ${e.seq}, not 1` }
    if (e.seq !== expectedSeq)
      return { ok: false, entries: n, brokenAt: e.seq, reason: `entry ${expectedSeq} is missing` }
    const wantPrev = prev?.hash ?? GENESIS_HASH
    if (e.prevHash !== wantPrev)
      return { ok: false, entries: n, brokenAt: e.seq, reason: 'previous-hash link does not match' }
    if (e.hash !== entryHash(e, e.prevHash))
      return { ok: false, entries: n, brokenAt: e.seq, reason: 'entry content was altered' }
    this.prev = e
    return null
  }
}

/** Walks entries in sequence order and reports the first broken link. */
export function verifyChain(entries: Iterable<AuditEntry>): ChainVerdict {
  const walk = new ChainWalk()
  for (const e of entries) {
    const broken = walk.step(e)
    if (broken !== null) return broken
  }
  return { ok: true, entries: walk.n }
}

/** The same walk over a stream of entries (the storage's audit walk), holding one entry at a time. */
export async function verifyChainStream(
  entries: AsyncIterable<AuditEntry> | Iterable<AuditEntry>,
): Promise<ChainVerdict> {
  const walk = new ChainWalk()
  for await (const e of entries) {
    const broken = walk.step(e)
    if (broken !== null) return broken
  }
  return { ok: true, entries: walk.n }
}
