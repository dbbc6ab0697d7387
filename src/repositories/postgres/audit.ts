// The audit log in PostgreSQL: every append locks the chain's head row, so entries from all instances chain one after another.
import { asc, count, desc, eq, gt, sql } from 'drizzle-orm'
import { auditHead, auditLog } from '../../../schema/db-pg.ts'
import {
  type AuditEntry,
  type AuditKey,
  type ChainHead,
  chainEntry,
  type NewAuditEntry,
} from '../../security/audit-chain.ts'
import type { AuditPage, AuditRepository } from '../types.ts'
import type { PgDb } from './db.ts'

type Row = typeof auditLog.$inferSelect

function toDomain(row: Row): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    keyName: row.keyName,
    action: row.action,
    objectId: row.objectId,
    objectHash: row.objectHash,
    prevHash: row.prevHash,
    hash: row.hash,
    keyed: row.keyed,
  }
}

const PAGE = 1000

export class PgAuditRepository implements AuditRepository {
  constructor(private readonly db: PgDb) {}

  /**
   * The head row is locked (FOR UPDATE) until the unit commits: a second append, from this instance
   * or another, waits and then chains onto this entry. The head's seq and hash are those of the last
   * entry, so no scan of the log is needed.
   */
  async appendInTx(tx: PgDb, e: NewAuditEntry, key: AuditKey): Promise<AuditEntry> {
    const [head] = await tx.select().from(auditHead).where(eq(auditHead.id, 1)).for('update')
    if (head === undefined) throw new Error('the audit head row is missing: run the migrations')
    const prev = head.seq === 0 ? null : { seq: head.seq, hash: head.hash }
    const entry = chainEntry(e, prev, key)
    // one round trip for the entry and the head: the head row is locked until commit, so the fewer
    // round trips while it is held, the more appends per second across instances
    await tx.execute(sql`
      WITH entry AS (
        INSERT INTO audit_log (seq, at, key_name, action, object_id, object_hash, prev_hash, hash, keyed)
        VALUES (${entry.seq}, ${entry.at}, ${entry.keyName}, ${entry.action}, ${entry.objectId}, ${entry.objectHash}, ${entry.prevHash}, ${entry.hash}, true)
        RETURNING seq, hash
      )
      UPDATE audit_head SET seq = entry.seq, hash = entry.hash FROM entry WHERE audit_head.id = 1`)
    return entry
  }

  /** A copied entry, hashes kept (db copy); the head follows the last one. */
  async restoreInTx(tx: PgDb, entry: AuditEntry): Promise<void> {
    await tx.insert(auditLog).values(entry)
  }

  /** After a copy: the head onto the last copied entry. */
  async moveHeadInTx(tx: PgDb): Promise<void> {
    await tx.execute(sql`
      UPDATE audit_head SET seq = l.seq, hash = l.hash
      FROM (SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1) l
      WHERE audit_head.id = 1 AND l.seq > audit_head.seq`)
  }

  /** The last entry, read from the log itself (not the head row, which a copy or an attacker may leave behind). */
  async head(): Promise<ChainHead | null> {
    const [row] = await this.db
      .select({ seq: auditLog.seq, hash: auditLog.hash })
      .from(auditLog)
      .orderBy(desc(auditLog.seq))
      .limit(1)
    return row ?? null
  }

  async legacyCount(): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(auditLog).where(eq(auditLog.keyed, false))
    return Number(row?.n ?? 0)
  }

  async page(after: number, limit: number): Promise<AuditPage> {
    const rows = await this.db
      .select()
      .from(auditLog)
      .where(gt(auditLog.seq, after))
      .orderBy(asc(auditLog.seq))
      .limit(limit + 1)
    const entries = rows.slice(0, limit).map(toDomain)
    return { entries, next: rows.length > limit ? entries[entries.length - 1].seq : null }
  }

  async *entries(): AsyncIterable<AuditEntry> {
    let after = 0
    for (;;) {
      const rows = await this.db
        .select()
        .from(auditLog)
        .where(gt(auditLog.seq, after))
        .orderBy(asc(auditLog.seq))
        .limit(PAGE)
      for (const row of rows) yield toDomain(row)
      if (rows.length < PAGE) return
      after = rows[rows.length - 1].seq
    }
  }
}
