// Ruleset storage in PostgreSQL: reads on the pool, writes in the unit's transaction; each change to the published set is NOTIFYed.
import { and, eq, type SQL, sql } from 'drizzle-orm'
import { rulesets, tableGeneration } from '../../../schema/db-pg.ts'
import type { Scheme, Table } from '../../../schema/table.ts'
import { rulesetId } from '../sqlite/rulesets.ts'
import type { NewRuleset, RulesetFilter, RulesetRepository, StoredRuleset } from '../types.ts'
import type { PgDb } from './db.ts'

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

/** The channel every instance LISTENs on (postgres/database.ts); the payload is the new generation. */
export const TABLES_CHANNEL = 'jifen_tables'

export class PgRulesetRepository implements RulesetRepository {
  constructor(
    private readonly db: PgDb,
    /** the generation last NOTIFYed to this instance, or null while the listener is down */
    private readonly known: () => number | null,
    /** a generation this instance's own unit committed: known here at once, before its NOTIFY comes back */
    private readonly bumped: (tx: PgDb, generation: number) => void,
  ) {}

  async list(filter: RulesetFilter = {}): Promise<StoredRuleset[]> {
    const where: SQL[] = []
    if (filter.scheme) where.push(eq(rulesets.scheme, filter.scheme))
    if (filter.jurisdiction) where.push(eq(rulesets.jurisdiction, filter.jurisdiction))
    if (filter.status) where.push(eq(rulesets.status, filter.status))
    const rows = await this.db
      .select()
      .from(rulesets)
      .where(where.length > 0 ? and(...where) : undefined)
      .orderBy(rulesets.scheme, rulesets.jurisdiction, rulesets.tableId, rulesets.version)
    return rows.map(toDomain)
  }

  async get(id: string): Promise<StoredRuleset | null> {
    const [row] = await this.db.select().from(rulesets).where(eq(rulesets.id, id))
    return row ? toDomain(row) : null
  }

  /** No round trip while LISTEN works: the value NOTIFY brought; else a read. */
  async generation(): Promise<number> {
    return this.known() ?? this.readGeneration()
  }

  generationNow(): number | null {
    return this.known()
  }

  async readGeneration(): Promise<number> {
    const [row] = await this.db
      .select({ generation: tableGeneration.generation })
      .from(tableGeneration)
      .where(eq(tableGeneration.id, 1))
    return row?.generation ?? 0
  }

  /** In the unit's transaction; NOTIFY is transactional, so instances hear of it only once it commits. */
  private async bumpGeneration(tx: PgDb): Promise<void> {
    const r = await tx.execute<{ generation: string }>(
      sql`WITH g AS (UPDATE table_generation SET generation = generation + 1 WHERE id = 1 RETURNING generation)
          SELECT pg_notify(${TABLES_CHANNEL}, generation::text), generation FROM g`,
    )
    this.bumped(tx, Number(r.rows[0].generation))
  }

  async insertInTx(tx: PgDb, r: NewRuleset): Promise<boolean> {
    const t = r.table
    const inserted = await tx
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
      .returning({ id: rulesets.id })
    if (inserted.length === 1 && r.status === 'published') await this.bumpGeneration(tx)
    return inserted.length === 1
  }

  async restoreInTx(tx: PgDb, r: StoredRuleset): Promise<void> {
    await tx.insert(rulesets).values({
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
    if (r.status !== 'draft') await this.bumpGeneration(tx)
  }

  async replaceDraftInTx(tx: PgDb, id: string, table: Table, sha256: string): Promise<boolean> {
    const changed = await tx
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
      .returning({ id: rulesets.id })
    return changed.length === 1
  }

  async publishInTx(tx: PgDb, id: string, at: string): Promise<boolean> {
    const changed = await tx
      .update(rulesets)
      .set({ status: 'published', publishedAt: at })
      .where(and(eq(rulesets.id, id), eq(rulesets.status, 'draft')))
      .returning({ id: rulesets.id })
    if (changed.length === 1) await this.bumpGeneration(tx)
    return changed.length === 1
  }

  async retireInTx(tx: PgDb, id: string, at: string, reason: string): Promise<boolean> {
    const changed = await tx
      .update(rulesets)
      .set({ status: 'retired', retiredAt: at, retiredReason: reason })
      .where(and(eq(rulesets.id, id), eq(rulesets.status, 'published')))
      .returning({ id: rulesets.id })
    if (changed.length === 1) await this.bumpGeneration(tx)
    return changed.length === 1
  }
}
