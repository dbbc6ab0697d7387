// Idempotency keys in SQLite: the first response to a (API key, Idempotency-Key) pair, saved with its record.
import { and, asc, eq, gt, lt, or, sql } from 'drizzle-orm'
import { idempotencyKeys } from '../../../schema/db.ts'
import type { IdempotencyRepository, SavedResponse, StoredIdempotencyKey, StoredResponse } from '../types.ts'
import type { Db } from './db.ts'

type Row = typeof idempotencyKeys.$inferSelect

function toResponse(row: Row): SavedResponse {
  return {
    requestSha256: row.requestSha256,
    status: row.status,
    body: JSON.parse(row.responseJson) as unknown,
    location: row.location,
    createdAt: row.createdAt,
    mac: row.responseMac,
  }
}

export class SqliteIdempotencyRepository implements IdempotencyRepository {
  private readonly byKey
  private readonly byKeyInTx

  constructor(
    private readonly db: Db,
    private readonly write: Db,
  ) {
    const prepare = (d: Db) =>
      d
        .select()
        .from(idempotencyKeys)
        .where(
          and(
            eq(idempotencyKeys.apiKeyId, sql.placeholder('apiKeyId')),
            eq(idempotencyKeys.key, sql.placeholder('key')),
          ),
        )
        .prepare()
    this.byKey = prepare(db)
    this.byKeyInTx = prepare(write)
  }

  async get(apiKeyId: string, key: string): Promise<SavedResponse | null> {
    const row = this.byKey.get({ apiKeyId, key })
    return row ? toResponse(row) : null
  }

  /** Under the write lock (the writer's IMMEDIATE transaction), so no other unit can save it meanwhile. */
  getInTx(apiKeyId: string, key: string): SavedResponse | null {
    const row = this.byKeyInTx.get({ apiKeyId, key })
    return row ? toResponse(row) : null
  }

  /** Inside the transaction that wrote the record: a second save of the same pair fails the whole unit. */
  saveInTx(apiKeyId: string, key: string, r: StoredResponse, at: string): void {
    this.write
      .insert(idempotencyKeys)
      .values({
        apiKeyId,
        key,
        requestSha256: r.requestSha256,
        status: r.status,
        responseJson: JSON.stringify(r.body),
        location: r.location,
        responseMac: r.mac,
        createdAt: at,
      })
      .run()
  }

  /** Deletes answers saved before `before` (all, or the one named), inside the writer's transaction. */
  expireInTx(before: string, only?: { apiKeyId: string; key: string }): number {
    const old = lt(idempotencyKeys.createdAt, before)
    const where =
      only === undefined
        ? old
        : and(old, eq(idempotencyKeys.apiKeyId, only.apiKeyId), eq(idempotencyKeys.key, only.key))
    return this.write.delete(idempotencyKeys).where(where).run().changes
  }

  /** Every saved answer in key order, a page at a time (db copy). */
  async *all(): AsyncIterable<StoredIdempotencyKey> {
    let apiKeyId = ''
    let key = ''
    for (;;) {
      const rows = this.db
        .select()
        .from(idempotencyKeys)
        .where(
          or(
            gt(idempotencyKeys.apiKeyId, apiKeyId),
            and(eq(idempotencyKeys.apiKeyId, apiKeyId), gt(idempotencyKeys.key, key)),
          ),
        )
        .orderBy(asc(idempotencyKeys.apiKeyId), asc(idempotencyKeys.key))
        .limit(500)
        .all()
      for (const row of rows) yield { ...toResponse(row), apiKeyId: row.apiKeyId, key: row.key }
      if (rows.length < 500) return
      apiKeyId = rows[rows.length - 1].apiKeyId
      key = rows[rows.length - 1].key
    }
  }

  /** A copied answer (db copy). */
  restoreInTx(k: StoredIdempotencyKey): void {
    this.saveInTx(k.apiKeyId, k.key, k, k.createdAt)
  }
}
