// API keys in SQLite: the secret's hash, never the key; rows are revoked, never deleted or edited.
import { and, asc, eq, isNull, sql } from 'drizzle-orm'
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

  constructor(
    private readonly db: Db,
    private readonly write: Db,
  ) {
    this.byId = db
      .select()
      .from(apiKeys)
      .where(eq(apiKeys.id, sql.placeholder('id')))
      .prepare()
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
    const result = this.write
      .insert(apiKeys)
      .values({
        id: k.id,
        name: k.name,
        scopes: k.scopes.join(','),
        secretHash: k.secretHash,
        createdAt: k.createdAt,
      })
      .onConflictDoNothing()
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
