// Official evaluation records in SQLite: append-only, numbered per year inside the caller's immediate transaction.
import { desc, eq, max, sql } from 'drizzle-orm'
import { evaluations } from '../../../schema/db.ts'
import type { PointsResult } from '../../../schema/result.ts'
import type { Scheme } from '../../../schema/table.ts'
import type { EvaluationRepository, NewEvaluation, StoredEvaluation, StoredFacts } from '../types.ts'
import type { Db } from './database.ts'

type Row = typeof evaluations.$inferSelect

export function formatReference(year: number, seq: number): string {
  return `JF-${year}-${String(seq).padStart(6, '0')}`
}

function toDomain(row: Row): StoredEvaluation {
  return {
    id: row.id,
    reference: row.reference,
    scheme: row.scheme as Scheme,
    rulesetId: row.rulesetId,
    rulesetSha256: row.rulesetSha256,
    asOf: row.asOf,
    jurisdiction: row.jurisdiction,
    facts: JSON.parse(row.factsJson) as StoredFacts,
    factsSha256: row.factsSha256,
    idNumberMasked: row.idNumberMasked,
    idNumberHmac: row.idNumberHmac,
    dates: JSON.parse(row.datesJson) as Record<string, string>,
    result: JSON.parse(row.resultJson) as PointsResult,
    createdAt: row.createdAt,
  }
}

export class SqliteEvaluationRepository implements EvaluationRepository {
  // Prepared once: the stored-evaluation endpoint is on the hot path (bench:http).
  private readonly lastSeq
  private readonly insertRow
  private readonly byId
  private readonly byIdHmac

  constructor(db: Db) {
    this.lastSeq = db
      .select({ seq: max(evaluations.referenceSeq) })
      .from(evaluations)
      .where(eq(evaluations.referenceYear, sql.placeholder('year')))
      .prepare()
    this.insertRow = db
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
    this.byId = db
      .select()
      .from(evaluations)
      .where(eq(evaluations.id, sql.placeholder('id')))
      .prepare()
    this.byIdHmac = db
      .select()
      .from(evaluations)
      .where(eq(evaluations.idNumberHmac, sql.placeholder('hmac')))
      .orderBy(desc(evaluations.createdAt), desc(evaluations.referenceYear), desc(evaluations.referenceSeq))
      .limit(sql.placeholder('limit'))
      .prepare()
  }

  /**
   * Inserts with the next reference number of its year. Runs inside the caller's transaction, which
   * is IMMEDIATE: the write lock is held before the last number is read, so two processes cannot
   * both take it.
   */
  createInTx(e: NewEvaluation): StoredEvaluation {
    const seq = (this.lastSeq.get({ year: e.year })?.seq ?? 0) + 1
    const reference = formatReference(e.year, seq)
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
      createdAt: e.at,
    })
    const { at: createdAt, year: _year, ...rest } = e
    return { ...rest, reference, createdAt }
  }

  async listByIdHmac(idNumberHmac: string, limit: number): Promise<StoredEvaluation[]> {
    return this.byIdHmac.all({ hmac: idNumberHmac, limit }).map(toDomain)
  }

  async get(id: string): Promise<StoredEvaluation | null> {
    const row = this.byId.get({ id })
    return row ? toDomain(row) : null
  }
}
