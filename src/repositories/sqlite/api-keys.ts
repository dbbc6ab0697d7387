// API keys in SQLite: the secret's hash, never the key; rows are revoked, never deleted or edited.
import { and, asc, eq, isNull, or, sql } from 'drizzle-orm'
import { apiKeys } from '../../../schema/db.ts'
import type { Scope } from '../../security/api-keys.ts'
import type { ApiKeyRepository, StoredApiKey } from '../types.ts'
import type { Db } from './db.ts'

type Row = typeof apiKeys.$inferSelect

function toDomain(row: Row): StoredApiKey {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes.split(',') as Scope[],
    secretHash: row.secretHash,
    createdAt: row.createdAt,
    revokedAt: row.revokedAt,
  }
}

export class SqliteApiKeyRepository implements ApiKeyRepository {
  // Prepared once: every authenticated request reads its key by id, so that a revocation made by
  // another process (the CLI) takes effect on the very next request, with no cache to expire.
  private readonly byId
  private readonly byIdInTx
  private readonly taken

  constructor(
    private readonly db: Db,
    private readonly write: Db,
  ) {
    const byId = (d: Db) =>
      d
        .select()
        .from(apiKeys)
        .where(eq(apiKeys.id, sql.placeholder('id')))
        .prepare()
    this.byId = byId(db)
    this.byIdInTx = byId(write)
    this.taken = write
      .select({ id: apiKeys.id })
      .from(apiKeys)
      .where(or(eq(apiKeys.id, sql.placeholder('id')), eq(apiKeys.name, sql.placeholder('name'))))
      .prepare()
  }

  /** Under the write lock: the state a keyed write checks again inside its transaction. */
  getInTx(id: string): StoredApiKey | null {
    const row = this.byIdInTx.get({ id })
    return row ? toDomain(row) : null
  }

  async get(id: string): Promise<StoredApiKey | null> {
    const row = this.byId.get({ id })
    return row ? toDomain(row) : null
  }

  async getByName(name: string): Promise<StoredApiKey | null> {
    const row = this.db.select().from(apiKeys).where(eq(apiKeys.name, name)).get()
    return row ? toDomain(row) : null
  }

  async list(): Promise<StoredApiKey[]> {
    return this.db
      .select()
      .from(apiKeys)
      .orderBy(asc(apiKeys.createdAt), asc(apiKeys.name))
      .all()
      .map(toDomain)
  }

  createInTx(k: Omit<StoredApiKey, 'revokedAt'>): boolean {
    // checked first, under the write lock: the no-replace trigger (0007) refuses even an INSERT …
    // ON CONFLICT DO NOTHING whose key exists, so the conflict never reaches the clause
    if (this.taken.get({ id: k.id, name: k.name }) !== undefined) return false
    const result = this.write
      .insert(apiKeys)
      .values({
        id: k.id,
        name: k.name,
        scopes: k.scopes.join(','),
        secretHash: k.secretHash,
        createdAt: k.createdAt,
      })
      .run()
    return result.changes === 1
  }

  /** A copied key, revoked or not (db copy). */
  restoreInTx(k: StoredApiKey): void {
    this.write
      .insert(apiKeys)
      .values({
        id: k.id,
        name: k.name,
        scopes: k.scopes.join(','),
        secretHash: k.secretHash,
        createdAt: k.createdAt,
        revokedAt: k.revokedAt,
      })
      .run()
  }

  revokeInTx(id: string, at: string): boolean {
    const result = this.write
      .update(apiKeys)
      .set({ revokedAt: at })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .run()
    return result.changes === 1
  }
}
