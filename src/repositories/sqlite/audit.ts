// The audit log in SQLite: entries chained by hash, appended in the caller's transaction, never changed.
import type { Database } from 'better-sqlite3'
import { asc, desc, gt, sql } from 'drizzle-orm'
import { auditLog } from '../../../schema/db.ts'
import { type AuditEntry, chainEntry } from '../../security/audit-chain.ts'
import type { AuditPage, AuditRepository } from '../types.ts'
import type { Db } from './database.ts'

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

export class SqliteAuditRepository implements AuditRepository {
  private readonly last
  private readonly insertRow
  private readonly after

  constructor(
    db: Db,
    /** the raw connection, for streaming rows with iterate() (drizzle's prepared queries cannot) */
    private readonly sqlite: Database,
  ) {
    this.last = db.select().from(auditLog).orderBy(desc(auditLog.seq)).limit(1).prepare()
    this.insertRow = db
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
    this.after = db
      .select()
      .from(auditLog)
      .where(gt(auditLog.seq, sql.placeholder('after')))
      .orderBy(asc(auditLog.seq))
      .limit(sql.placeholder('limit'))
      .prepare()
  }

  /**
   * Must run inside an IMMEDIATE transaction (Repositories.transaction): the last entry is read
   * under the write lock, so two writers cannot chain onto the same predecessor; the seq primary
   * key would refuse the second anyway.
   */
  appendInTx(e: { at: string; keyName: string; action: string; objectId: string }): AuditEntry {
    const prevRow = this.last.get()
    const prev = prevRow ? toDomain(prevRow) : null
    const entry = chainEntry({ seq: (prev?.seq ?? 0) + 1, ...e }, prev)
    this.insertRow.run({ ...entry })
    return entry
  }

  async page(after: number, limit: number): Promise<AuditPage> {
    // one row more than asked tells whether another page follows, without a count
    const rows = this.after.all({ after, limit: limit + 1 })
    const entries = rows.slice(0, limit).map(toDomain)
    return { entries, next: rows.length > limit ? entries[entries.length - 1].seq : null }
  }

  *entries(): Iterable<AuditEntry> {
    for (const row of this.sqlite.prepare('select * from audit_log order by seq').iterate()) {
      const r = row as Record<string, string | number>
      yield {
        seq: r.seq as number,
        at: r.at as string,
        keyName: r.key_name as string,
        action: r.action as string,
        objectId: r.object_id as string,
        prevHash: r.prev_hash as string,
        hash: r.hash as string,
      }
    }
  }
}
