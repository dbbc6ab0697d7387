// Idempotency keys in SQLite: the first response to a (API key, Idempotency-Key) pair, saved with its record.
import { and, eq, sql } from 'drizzle-orm'
import { idempotencyKeys } from '../../../schema/db.ts'
import type { IdempotencyRepository, StoredResponse } from '../types.ts'
import type { Db } from './database.ts'

export class SqliteIdempotencyRepository implements IdempotencyRepository {
  private readonly byKey

  constructor(private readonly db: Db) {
    this.byKey = db
      .select()
      .from(idempotencyKeys)
      .where(
        and(
          eq(idempotencyKeys.apiKeyId, sql.placeholder('apiKeyId')),
          eq(idempotencyKeys.key, sql.placeholder('key')),
        ),
      )
      .prepare()
  }

  getSync(apiKeyId: string, key: string): StoredResponse | null {
    const row = this.byKey.get({ apiKeyId, key })
    return row
      ? {
          requestSha256: row.requestSha256,
          status: row.status,
          body: JSON.parse(row.responseJson) as unknown,
          location: row.location,
        }
      : null
  }

  async get(apiKeyId: string, key: string): Promise<StoredResponse | null> {
    return this.getSync(apiKeyId, key)
  }

  /** Inside the transaction that wrote the record: a second save of the same pair fails the whole unit. */
  saveInTx(apiKeyId: string, key: string, r: StoredResponse, at: string): void {
    this.db
      .insert(idempotencyKeys)
      .values({
        apiKeyId,
        key,
        requestSha256: r.requestSha256,
        status: r.status,
        responseJson: JSON.stringify(r.body),
        location: r.location,
        createdAt: at,
      })
      .run()
  }
}
