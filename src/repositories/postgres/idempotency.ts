// Idempotency keys in PostgreSQL: a unique (API key, Idempotency-Key) pair, locked for the unit that checks it.
import { and, asc, eq, gt, lt, or, sql } from 'drizzle-orm'
import { idempotencyKeys } from '../../../schema/db-pg.ts'
import type { IdempotencyRepository, SavedResponse, StoredIdempotencyKey, StoredResponse } from '../types.ts'
import type { PgDb } from './db.ts'

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

export class PgIdempotencyRepository implements IdempotencyRepository {
  constructor(private readonly db: PgDb) {}

  private async read(db: PgDb, apiKeyId: string, key: string): Promise<SavedResponse | null> {
    const [row] = await db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.apiKeyId, apiKeyId), eq(idempotencyKeys.key, key)))
    return row ? toResponse(row) : null
  }

  get(apiKeyId: string, key: string): Promise<SavedResponse | null> {
    return this.read(this.db, apiKeyId, key)
  }

  /**
   * Two instances given the same key at once: each unit first takes a transaction-scoped advisory
   * lock on the pair, so the second waits until the first commits and then finds its answer (one
   * record, the same answer to both). The primary key stays the last word: a save that still
   * collides fails its unit, which the adapter runs again (postgres/database.ts).
   */
  async getInTx(tx: PgDb, apiKeyId: string, key: string): Promise<SavedResponse | null> {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`${apiKeyId}:${key}`}, 0))`)
    return this.read(tx, apiKeyId, key)
  }

  async saveInTx(tx: PgDb, apiKeyId: string, key: string, r: StoredResponse, at: string): Promise<void> {
    await tx.insert(idempotencyKeys).values({
      apiKeyId,
      key,
      requestSha256: r.requestSha256,
      status: r.status,
      responseJson: JSON.stringify(r.body),
      location: r.location,
      responseMac: r.mac,
      createdAt: at,
    })
  }

  /** Deletes answers saved before `before` (all, or the one named). */
  async expireInTx(tx: PgDb, before: string, only?: { apiKeyId: string; key: string }): Promise<number> {
    const old = lt(idempotencyKeys.createdAt, before)
    const where =
      only === undefined
        ? old
        : and(old, eq(idempotencyKeys.apiKeyId, only.apiKeyId), eq(idempotencyKeys.key, only.key))
    const gone = await tx.delete(idempotencyKeys).where(where).returning({ key: idempotencyKeys.key })
    return gone.length
  }

  async restoreInTx(tx: PgDb, k: StoredIdempotencyKey): Promise<void> {
    await this.saveInTx(tx, k.apiKeyId, k.key, k, k.createdAt)
  }

  async *all(): AsyncIterable<StoredIdempotencyKey> {
    let apiKeyId = ''
    let key = ''
    for (;;) {
      const rows = await this.db
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
      for (const row of rows) yield { ...toResponse(row), apiKeyId: row.apiKeyId, key: row.key }
      if (rows.length < 500) return
      apiKeyId = rows[rows.length - 1].apiKeyId
      key = rows[rows.length - 1].key
    }
  }
}
