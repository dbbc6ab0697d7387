// Ruleset storage in SQLite: rows in, domain objects out; writes run in the caller's transaction; non-drafts never change.
import { and, eq, type SQL } from 'drizzle-orm'
import { rulesets } from '../../../schema/db.ts'
import type { Scheme, Table } from '../../../schema/table.ts'
import type { NewRuleset, RulesetFilter, RulesetRepository, StoredRuleset } from '../types.ts'
import type { Db } from './database.ts'

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
  constructor(private readonly db: Db) {}

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
    const result = this.db
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
      .onConflictDoNothing()
      .run()
    return result.changes === 1
  }

  replaceDraftInTx(id: string, table: Table, sha256: string): boolean {
    const result = this.db
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
    const result = this.db
      .update(rulesets)
      .set({ status: 'published', publishedAt: at })
      .where(and(eq(rulesets.id, id), eq(rulesets.status, 'draft')))
      .run()
    return result.changes === 1
  }

  retireInTx(id: string, at: string, reason: string): boolean {
    const result = this.db
      .update(rulesets)
      .set({ status: 'retired', retiredAt: at, retiredReason: reason })
      .where(and(eq(rulesets.id, id), eq(rulesets.status, 'published')))
      .run()
    return result.changes === 1
  }
}
