// Ruleset storage in SQLite: reads on the reader connection, writes in the writer's transaction; non-drafts never change.
import type { Database, Statement } from 'better-sqlite3'
import { and, eq, type SQL, sql } from 'drizzle-orm'
import { rulesets, tableGeneration } from '../../../schema/db.ts'
import type { Scheme, Table } from '../../../schema/table.ts'
import type { NewRuleset, RulesetFilter, RulesetRepository, StoredRuleset } from '../types.ts'
import type { Db } from './db.ts'

type Row = typeof rulesets.$inferSelect

function toDomain(row: Row): StoredRuleset {
  return {
    id: row.id,
    tableId: row.tableId,
    version: row.version,
    scheme: row.scheme as Scheme,
    jurisdiction: row.jurisdiction,
    validFrom: row.validFrom,
    validTo: row.validTo,
    status: row.status,
    sha256: row.sha256,
    table: JSON.parse(row.tableJson) as Table,
    origin: row.origin,
    createdAt: row.createdAt,
    publishedAt: row.publishedAt,
    retiredAt: row.retiredAt,
    retiredReason: row.retiredReason,
  }
}

export function rulesetId(tableId: string, version: number): string {
  return `${tableId}@${version}`
}

export class SqliteRulesetRepository implements RulesetRepository {
  // A read before every request that scores (src/services/rulesets.ts ensureFresh): prepared once,
  // on better-sqlite3 itself with the one column plucked, because drizzle's prepared query mapped
  // its row on every call and was the largest cost the app added to a preview under load.
  private readonly readGeneration: Statement<[], number | undefined>

  constructor(
    private readonly db: Db,
    private readonly write: Db,
    /** the connection under `db` */
    reader: Database,
  ) {
    this.readGeneration = reader
      .prepare<[], number | undefined>('select generation from table_generation where id = 1')
      .pluck()
  }

  async generation(): Promise<number> {
    return this.generationNow()
  }

  generationNow(): number {
    return this.readGeneration.get() ?? 0
  }

  /** In the writer's transaction: every instance reloads its tables before its next evaluation. */
  private bumpGeneration(): void {
    this.write
      .update(tableGeneration)
      .set({ generation: sql`${tableGeneration.generation} + 1` })
      .where(eq(tableGeneration.id, 1))
      .run()
  }

  async list(filter: RulesetFilter = {}): Promise<StoredRuleset[]> {
    const where: SQL[] = []
    if (filter.scheme) where.push(eq(rulesets.scheme, filter.scheme))
    if (filter.jurisdiction) where.push(eq(rulesets.jurisdiction, filter.jurisdiction))
    if (filter.status) where.push(eq(rulesets.status, filter.status))
    const rows = this.db
      .select()
      .from(rulesets)
      .where(where.length > 0 ? and(...where) : undefined)
      .orderBy(rulesets.scheme, rulesets.jurisdiction, rulesets.tableId, rulesets.version)
      .all()
    return rows.map(toDomain)
  }

  async get(id: string): Promise<StoredRuleset | null> {
    const row = this.db.select().from(rulesets).where(eq(rulesets.id, id)).get()
    return row ? toDomain(row) : null
  }

  insertInTx(r: NewRuleset): boolean {
    const t = r.table
    // checked first, under the write lock: the no-replace trigger (0007) refuses an existing id
    // before ON CONFLICT DO NOTHING could skip it
    const id = rulesetId(t.id, t.version)
    if (this.write.select({ id: rulesets.id }).from(rulesets).where(eq(rulesets.id, id)).get() !== undefined)
      return false
    const result = this.write
      .insert(rulesets)
      .values({
        id: rulesetId(t.id, t.version),
        tableId: t.id,
        version: t.version,
        scheme: t.scheme,
        jurisdiction: t.jurisdiction,
        validFrom: t.validFrom,
        validTo: t.validTo,
        status: r.status,
        sha256: r.sha256,
        tableJson: JSON.stringify(t),
        origin: r.origin,
        createdAt: r.at,
        publishedAt: r.status === 'published' ? r.at : null,
      })
      .run()
    if (result.changes === 1 && r.status === 'published') this.bumpGeneration()
    return result.changes === 1
  }

  /** A copied ruleset, exactly as stored, whatever its status (db copy). */
  restoreInTx(r: StoredRuleset): void {
    this.write
      .insert(rulesets)
      .values({
        id: r.id,
        tableId: r.tableId,
        version: r.version,
        scheme: r.scheme,
        jurisdiction: r.jurisdiction,
        validFrom: r.validFrom,
        validTo: r.validTo,
        status: r.status,
        sha256: r.sha256,
        tableJson: JSON.stringify(r.table),
        origin: r.origin,
        createdAt: r.createdAt,
        publishedAt: r.publishedAt,
        retiredAt: r.retiredAt,
        retiredReason: r.retiredReason,
      })
      .run()
    if (r.status !== 'draft') this.bumpGeneration()
  }

  replaceDraftInTx(id: string, table: Table, sha256: string): boolean {
    const result = this.write
      .update(rulesets)
      .set({
        scheme: table.scheme,
        jurisdiction: table.jurisdiction,
        validFrom: table.validFrom,
        validTo: table.validTo,
        sha256,
        tableJson: JSON.stringify(table),
      })
      .where(and(eq(rulesets.id, id), eq(rulesets.status, 'draft')))
      .run()
    return result.changes === 1
  }

  publishInTx(id: string, at: string): boolean {
    const result = this.write
      .update(rulesets)
      .set({ status: 'published', publishedAt: at })
      .where(and(eq(rulesets.id, id), eq(rulesets.status, 'draft')))
      .run()
    if (result.changes === 1) this.bumpGeneration()
    return result.changes === 1
  }

  retireInTx(id: string, at: string, reason: string): boolean {
    const result = this.write
      .update(rulesets)
      .set({ status: 'retired', retiredAt: at, retiredReason: reason })
      .where(and(eq(rulesets.id, id), eq(rulesets.status, 'published')))
      .run()
    if (result.changes === 1) this.bumpGeneration()
    return result.changes === 1
  }
}
