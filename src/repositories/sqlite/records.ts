// Official records in SQLite, any scheme: append-only, numbered per year inside the writer's immediate transaction.
import { and, asc, desc, eq, gt, inArray, max, or, sql } from 'drizzle-orm'
import { evaluations, recordVoids, tableGeneration } from '../../../schema/db.ts'
import type { Scheme } from '../../../schema/table.ts'
import { foldLives, formatReference } from '../reference.ts'
import {
  type NewRecord,
  type RecordLife,
  type RecordRepository,
  type RecordVoid,
  type StoredRecord,
  TablesChangedError,
} from '../types.ts'
import type { Db } from './db.ts'

type Row = typeof evaluations.$inferSelect

export function toRecord(row: Row): StoredRecord {
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

export function toVoid(row: typeof recordVoids.$inferSelect): RecordVoid {
  return {
    recordId: row.recordId,
    reason: row.reason,
    at: row.voidedAt,
    keyName: row.keyName,
    correctedBy: row.correctedBy,
  }
}

/** How many records one page of `all()` reads. */
const PAGE = 500

export class SqliteRecordRepository implements RecordRepository {
  // Prepared once: the stored-evaluation endpoint is on the hot path (bench:http).
  private readonly lastSeq
  private readonly generation
  private readonly insertRow
  private readonly byId
  private readonly byIdHmac
  private readonly after
  private readonly byReference

  constructor(
    private readonly read: Db,
    private readonly write: Db,
  ) {
    this.byReference = read
      .select()
      .from(evaluations)
      .where(eq(evaluations.reference, sql.placeholder('reference')))
      .prepare()
    this.lastSeq = write
      .select({ seq: max(evaluations.referenceSeq) })
      .from(evaluations)
      .where(eq(evaluations.referenceYear, sql.placeholder('year')))
      .prepare()
    this.generation = write
      .select({ generation: tableGeneration.generation })
      .from(tableGeneration)
      .where(eq(tableGeneration.id, 1))
      .prepare()
    this.insertRow = write
      .insert(evaluations)
      .values({
        id: sql.placeholder('id'),
        reference: sql.placeholder('reference'),
        referenceYear: sql.placeholder('referenceYear'),
        referenceSeq: sql.placeholder('referenceSeq'),
        scheme: sql.placeholder('scheme'),
        rulesetId: sql.placeholder('rulesetId'),
        rulesetSha256: sql.placeholder('rulesetSha256'),
        asOf: sql.placeholder('asOf'),
        jurisdiction: sql.placeholder('jurisdiction'),
        factsJson: sql.placeholder('factsJson'),
        factsSha256: sql.placeholder('factsSha256'),
        idNumberMasked: sql.placeholder('idNumberMasked'),
        idNumberHmac: sql.placeholder('idNumberHmac'),
        datesJson: sql.placeholder('datesJson'),
        resultJson: sql.placeholder('resultJson'),
        createdAt: sql.placeholder('createdAt'),
      })
      .prepare()
    this.byId = read
      .select()
      .from(evaluations)
      .where(eq(evaluations.id, sql.placeholder('id')))
      .prepare()
    this.byIdHmac = read
      .select()
      .from(evaluations)
      .where(eq(evaluations.idNumberHmac, sql.placeholder('hmac')))
      .orderBy(desc(evaluations.createdAt), desc(evaluations.referenceYear), desc(evaluations.referenceSeq))
      .limit(sql.placeholder('limit'))
      .prepare()
    const year = sql.placeholder('year')
    this.after = read
      .select()
      .from(evaluations)
      .where(
        or(
          gt(evaluations.referenceYear, year),
          and(eq(evaluations.referenceYear, year), gt(evaluations.referenceSeq, sql.placeholder('seq'))),
        ),
      )
      .orderBy(asc(evaluations.referenceYear), asc(evaluations.referenceSeq))
      .limit(PAGE)
      .prepare()
  }

  /**
   * Inserts with the next reference number of its year. Runs inside the writer's transaction, which
   * is IMMEDIATE: the write lock is held before the last number (and the tables generation) is read,
   * so no other process can take the number or change the tables before this commits.
   */
  createInTx<F, R>(e: NewRecord<F, R>): StoredRecord<F, R> {
    if (e.tablesGeneration !== null) {
      const actual = this.generation.get()?.generation ?? 0
      if (actual !== e.tablesGeneration) throw new TablesChangedError(e.tablesGeneration, actual)
    }
    const seq = (this.lastSeq.get({ year: e.year })?.seq ?? 0) + 1
    const reference = formatReference(e.year, seq)
    this.insertWith(e, reference, seq, e.at)
    const { at: createdAt, year: _year, tablesGeneration: _generation, ...rest } = e
    return { ...rest, reference, createdAt }
  }

  /** A copied record, with its own reference (db copy). */
  restoreInTx(r: StoredRecord): void {
    const m = /^JF-(\d{4})-(\d+)$/.exec(r.reference)
    if (m === null) throw new Error(`not a reference number: ${r.reference}`)
    this.insertWith({ ...r, year: Number(m[1]) }, r.reference, Number(m[2]), r.createdAt)
  }

  private insertWith(
    e: Omit<StoredRecord, 'reference' | 'createdAt'> & { year: number },
    reference: string,
    seq: number,
    createdAt: string,
  ): void {
    this.insertRow.run({
      id: e.id,
      reference,
      referenceYear: e.year,
      referenceSeq: seq,
      scheme: e.scheme,
      rulesetId: e.rulesetId,
      rulesetSha256: e.rulesetSha256,
      asOf: e.asOf,
      jurisdiction: e.jurisdiction,
      factsJson: JSON.stringify(e.facts),
      factsSha256: e.factsSha256,
      idNumberMasked: e.idNumberMasked,
      idNumberHmac: e.idNumberHmac,
      datesJson: JSON.stringify(e.dates),
      resultJson: JSON.stringify(e.result),
      createdAt,
    })
  }

  async listByIdHmac(idNumberHmac: string, limit: number): Promise<StoredRecord[]> {
    return this.byIdHmac.all({ hmac: idNumberHmac, limit }).map(toRecord)
  }

  async get(id: string): Promise<StoredRecord | null> {
    const row = this.byId.get({ id })
    return row ? toRecord(row) : null
  }

  async getByReference(reference: string): Promise<StoredRecord | null> {
    const row = this.byReference.get({ reference })
    return row ? toRecord(row) : null
  }

  async lives(ids: readonly string[]): Promise<Map<string, RecordLife>> {
    if (ids.length === 0) return foldLives(ids, [])
    const rows = this.read
      .select()
      .from(recordVoids)
      .where(or(inArray(recordVoids.recordId, [...ids]), inArray(recordVoids.correctedBy, [...ids])))
      .all()
    return foldLives(ids, rows.map(toVoid))
  }

  async *voids(): AsyncIterable<RecordVoid> {
    for (const row of this.read.select().from(recordVoids).orderBy(asc(recordVoids.voidedAt)).all())
      yield toVoid(row)
  }

  /**
   * Marks a record void in the writer's transaction; false when it already was. Asked first, not left
   * to a conflict clause: migration 0010's no-replace trigger refuses any insert of an existing key.
   */
  voidInTx(v: RecordVoid): boolean {
    const taken = this.write
      .select({ id: recordVoids.recordId })
      .from(recordVoids)
      .where(
        v.correctedBy === null
          ? eq(recordVoids.recordId, v.recordId)
          : or(eq(recordVoids.recordId, v.recordId), eq(recordVoids.correctedBy, v.correctedBy)),
      )
      .get()
    if (taken !== undefined) return false
    this.write
      .insert(recordVoids)
      .values({
        recordId: v.recordId,
        reason: v.reason,
        voidedAt: v.at,
        keyName: v.keyName,
        correctedBy: v.correctedBy,
      })
      .run()
    return true
  }

  async *all(): AsyncIterable<StoredRecord> {
    // pages by (year, seq), not one long-running statement: the reader connection stays free between pages
    let year = 0
    let seq = 0
    for (;;) {
      const rows = this.after.all({ year, seq })
      for (const row of rows) yield toRecord(row)
      if (rows.length < PAGE) return
      const last = rows[rows.length - 1]
      year = last.referenceYear
      seq = last.referenceSeq
    }
  }
}
