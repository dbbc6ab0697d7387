// Official records in PostgreSQL, any scheme: append-only, numbered from a per-year counter row in the record's own transaction.
import { and, asc, desc, eq, gt, inArray, or, sql } from 'drizzle-orm'
import { evaluations, recordVoids } from '../../../schema/db-pg.ts'
import type { Scheme } from '../../../schema/table.ts'
import { foldLives } from '../reference.ts'
import {
  type NewRecord,
  type RecordLife,
  type RecordRepository,
  type RecordVoid,
  type StoredRecord,
  TablesChangedError,
} from '../types.ts'
import type { PgDb } from './db.ts'

type Row = typeof evaluations.$inferSelect

function toRecord(row: Row): StoredRecord {
  return {
    id: row.id,
    reference: row.reference,
    scheme: row.scheme as Scheme,
    rulesetId: row.rulesetId,
    rulesetSha256: row.rulesetSha256,
    asOf: row.asOf,
    jurisdiction: row.jurisdiction,
    facts: JSON.parse(row.factsJson) as unknown,
    factsSha256: row.factsSha256,
    idNumberMasked: row.idNumberMasked,
    idNumberHmac: row.idNumberHmac,
    dates: JSON.parse(row.datesJson) as Record<string, string>,
    result: JSON.parse(row.resultJson) as unknown,
    createdAt: row.createdAt,
  }
}

function toVoid(row: typeof recordVoids.$inferSelect): RecordVoid {
  return {
    recordId: row.recordId,
    reason: row.reason,
    at: row.voidedAt,
    keyName: row.keyName,
    correctedBy: row.correctedBy,
  }
}

const PAGE = 500

export class PgRecordRepository implements RecordRepository {
  private readonly byId

  constructor(private readonly db: PgDb) {
    this.byId = db
      .select()
      .from(evaluations)
      .where(eq(evaluations.id, sql.placeholder('id')))
      .prepare('jifen_record_by_id')
  }

  /**
   * One statement: the year's counter row is taken (UPDATE … RETURNING through an upsert, its row lock
   * held to the commit, so instances take numbers one after another and a rollback gives the number
   * back: unique and gapless), the tables generation is compared with the one the result was computed
   * at, and the record is inserted with its reference.
   */
  async createInTx<F, R>(tx: PgDb, e: NewRecord<F, R>): Promise<StoredRecord<F, R>> {
    const result = await tx.execute<{ reference: string }>(sql`
      WITH c AS (
        INSERT INTO reference_counters (year, last) VALUES (${e.year}, 1)
        ON CONFLICT (year) DO UPDATE SET last = reference_counters.last + 1
        RETURNING last
      ), g AS (SELECT generation FROM table_generation WHERE id = 1)
      INSERT INTO evaluations (id, reference, reference_year, reference_seq, scheme, ruleset_id, ruleset_sha256,
        as_of, jurisdiction, facts_json, facts_sha256, id_number_masked, id_number_hmac, dates_json, result_json,
        created_at)
      SELECT ${e.id}, 'JF-' || ${e.year}::int || '-' || lpad(c.last::text, greatest(6, length(c.last::text)), '0'),
        ${e.year}, c.last, ${e.scheme}, ${e.rulesetId}, ${e.rulesetSha256}, ${e.asOf}, ${e.jurisdiction},
        ${JSON.stringify(e.facts)}, ${e.factsSha256}, ${e.idNumberMasked}, ${e.idNumberHmac},
        ${JSON.stringify(e.dates)}, ${JSON.stringify(e.result)}, ${e.at}
      FROM c, g
      WHERE ${e.tablesGeneration}::bigint IS NULL OR g.generation = ${e.tablesGeneration}::bigint
      RETURNING reference`)
    const reference = result.rows[0]?.reference
    if (reference === undefined) {
      const g = await tx.execute<{ generation: string }>(
        sql`SELECT generation FROM table_generation WHERE id = 1`,
      )
      throw new TablesChangedError(e.tablesGeneration ?? 0, Number(g.rows[0]?.generation ?? 0))
    }
    const { at: createdAt, year: _year, tablesGeneration: _generation, ...rest } = e
    return { ...rest, reference, createdAt }
  }

  /** A copied record with its own reference; the year's counter follows it (db copy). */
  async restoreInTx(tx: PgDb, r: StoredRecord): Promise<void> {
    const m = /^JF-(\d{4})-(\d+)$/.exec(r.reference)
    if (m === null) throw new Error(`not a reference number: ${r.reference}`)
    const year = Number(m[1])
    const seq = Number(m[2])
    await tx.insert(evaluations).values({
      id: r.id,
      reference: r.reference,
      referenceYear: year,
      referenceSeq: seq,
      scheme: r.scheme,
      rulesetId: r.rulesetId,
      rulesetSha256: r.rulesetSha256,
      asOf: r.asOf,
      jurisdiction: r.jurisdiction,
      factsJson: JSON.stringify(r.facts),
      factsSha256: r.factsSha256,
      idNumberMasked: r.idNumberMasked,
      idNumberHmac: r.idNumberHmac,
      datesJson: JSON.stringify(r.dates),
      resultJson: JSON.stringify(r.result),
      createdAt: r.createdAt,
    })
    await tx.execute(sql`
      INSERT INTO reference_counters (year, last) VALUES (${year}, ${seq})
      ON CONFLICT (year) DO UPDATE SET last = excluded.last WHERE reference_counters.last < excluded.last`)
  }

  async get(id: string): Promise<StoredRecord | null> {
    const [row] = await this.byId.execute({ id })
    return row ? toRecord(row) : null
  }

  async getByReference(reference: string): Promise<StoredRecord | null> {
    const [row] = await this.db.select().from(evaluations).where(eq(evaluations.reference, reference))
    return row ? toRecord(row) : null
  }

  async lives(ids: readonly string[]): Promise<Map<string, RecordLife>> {
    if (ids.length === 0) return foldLives(ids, [])
    const rows = await this.db
      .select()
      .from(recordVoids)
      .where(or(inArray(recordVoids.recordId, [...ids]), inArray(recordVoids.correctedBy, [...ids])))
    return foldLives(ids, rows.map(toVoid))
  }

  async *voids(): AsyncIterable<RecordVoid> {
    const rows = await this.db.select().from(recordVoids).orderBy(asc(recordVoids.voidedAt))
    for (const row of rows) yield toVoid(row)
  }

  /** Marks a record void in the unit's transaction; false when it already was. */
  async voidInTx(tx: PgDb, v: RecordVoid): Promise<boolean> {
    const rows = await tx
      .insert(recordVoids)
      .values({
        recordId: v.recordId,
        reason: v.reason,
        voidedAt: v.at,
        keyName: v.keyName,
        correctedBy: v.correctedBy,
      })
      .onConflictDoNothing()
      .returning({ recordId: recordVoids.recordId })
    return rows.length === 1
  }

  async listByIdHmac(idNumberHmac: string, limit: number): Promise<StoredRecord[]> {
    const rows = await this.db
      .select()
      .from(evaluations)
      .where(eq(evaluations.idNumberHmac, idNumberHmac))
      .orderBy(desc(evaluations.createdAt), desc(evaluations.referenceYear), desc(evaluations.referenceSeq))
      .limit(limit)
    return rows.map(toRecord)
  }

  async *all(): AsyncIterable<StoredRecord> {
    let year = 0
    let seq = 0
    for (;;) {
      const rows = await this.db
        .select()
        .from(evaluations)
        .where(
          or(
            gt(evaluations.referenceYear, year),
            and(eq(evaluations.referenceYear, year), gt(evaluations.referenceSeq, seq)),
          ),
        )
        .orderBy(asc(evaluations.referenceYear), asc(evaluations.referenceSeq))
        .limit(PAGE)
      for (const row of rows) yield toRecord(row)
      if (rows.length < PAGE) return
      year = rows[rows.length - 1].referenceYear
      seq = rows[rows.length - 1].referenceSeq
    }
  }
}
