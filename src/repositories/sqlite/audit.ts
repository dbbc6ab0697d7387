// The audit log in SQLite: entries chained by hash, appended in the writer's transaction, never changed.
import { asc, count, desc, eq, gt, sql } from 'drizzle-orm'
import { auditLog } from '../../../schema/db.ts'
import {
  type AuditEntry,
  type AuditKey,
  type ChainHead,
  chainEntry,
  type NewAuditEntry,
} from '../../security/audit-chain.ts'
import type { AuditPage, AuditRepository } from '../types.ts'
import type { Db } from './db.ts'

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

/** Entries per page of the streamed walk. */
const PAGE = 1000

export class SqliteAuditRepository implements AuditRepository {
  private readonly last
  private readonly insertRow
  private readonly after

  constructor(
    private readonly read: Db,
    write: Db,
  ) {
    this.last = write.select().from(auditLog).orderBy(desc(auditLog.seq)).limit(1).prepare()
    this.insertRow = write
      .insert(auditLog)
      .values({
        seq: sql.placeholder('seq'),
        at: sql.placeholder('at'),
        keyName: sql.placeholder('keyName'),
        action: sql.placeholder('action'),
        objectId: sql.placeholder('objectId'),
        objectHash: sql.placeholder('objectHash'),
        prevHash: sql.placeholder('prevHash'),
        hash: sql.placeholder('hash'),
        keyed: sql.placeholder('keyed'),
      })
      .prepare()
    this.after = read
      .select()
      .from(auditLog)
      .where(gt(auditLog.seq, sql.placeholder('after')))
      .orderBy(asc(auditLog.seq))
      .limit(sql.placeholder('limit'))
      .prepare()
  }

  /**
   * Inside the writer's IMMEDIATE transaction: the last entry is read under the write lock, so two
   * writers cannot chain onto the same predecessor; the seq primary key would refuse the second anyway.
   */
  appendInTx(e: NewAuditEntry, key: AuditKey): AuditEntry {
    const prevRow = this.last.get()
    const entry = chainEntry(e, prevRow ? toDomain(prevRow) : null, key)
    this.insertRow.run({ ...entry, keyed: entry.keyed ? 1 : 0 })
    return entry
  }

  /** A copied entry, as it was (db copy): its hashes are kept, so the chain verifies or not as before. */
  restoreInTx(entry: AuditEntry): void {
    this.insertRow.run({ ...entry, keyed: entry.keyed ? 1 : 0 })
  }

  async head(): Promise<ChainHead | null> {
    const row = this.read.select().from(auditLog).orderBy(desc(auditLog.seq)).limit(1).get()
    return row ? { seq: row.seq, hash: row.hash } : null
  }

  async legacyCount(): Promise<number> {
    return this.read.select({ n: count() }).from(auditLog).where(eq(auditLog.keyed, false)).get()?.n ?? 0
  }

  async page(after: number, limit: number): Promise<AuditPage> {
    // one row more than asked tells whether another page follows, without a count
    const rows = this.after.all({ after, limit: limit + 1 })
    const entries = rows.slice(0, limit).map(toDomain)
    return { entries, next: rows.length > limit ? entries[entries.length - 1].seq : null }
  }

  async *entries(): AsyncIterable<AuditEntry> {
    // pages by seq rather than one open statement: the reader connection stays free for requests
    // between pages (a better-sqlite3 connection runs one statement at a time)
    let after = 0
    for (;;) {
      const rows = this.after.all({ after, limit: PAGE })
      for (const row of rows) yield toDomain(row)
      if (rows.length < PAGE) return
      after = rows[rows.length - 1].seq
    }
  }
}
