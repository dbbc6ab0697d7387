// The audit log in SQLite: entries chained by hash, appended in the writer's transaction, never changed.
import { asc, desc, gt, sql } from 'drizzle-orm'
import { auditLog } from '../../../schema/db.ts'
import { type AuditEntry, chainEntry } from '../../security/audit-chain.ts'
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
    prevHash: row.prevHash,
    hash: row.hash,
  }
}

/** Entries per page of the streamed walk. */
const PAGE = 1000

export class SqliteAuditRepository implements AuditRepository {
  private readonly last
  private readonly insertRow
  private readonly after

  constructor(read: Db, write: Db) {
    this.last = write.select().from(auditLog).orderBy(desc(auditLog.seq)).limit(1).prepare()
    this.insertRow = write
      .insert(auditLog)
      .values({
        seq: sql.placeholder('seq'),
        at: sql.placeholder('at'),
        keyName: sql.placeholder('keyName'),
        action: sql.placeholder('action'),
        objectId: sql.placeholder('objectId'),
        prevHash: sql.placeholder('prevHash'),
        hash: sql.placeholder('hash'),
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
  appendInTx(e: { at: string; keyName: string; action: string; objectId: string }): AuditEntry {
    const prevRow = this.last.get()
    const prev = prevRow ? toDomain(prevRow) : null
    const entry = chainEntry({ seq: (prev?.seq ?? 0) + 1, ...e }, prev)
    this.insertRow.run({ ...entry })
    return entry
  }

  /** A copied entry, as it was (db copy): its hashes are kept, so the chain verifies or not as before. */
  restoreInTx(entry: AuditEntry): void {
    this.insertRow.run({ ...entry })
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
