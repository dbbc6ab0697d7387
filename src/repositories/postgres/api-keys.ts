// API keys in PostgreSQL: the secret's hash, never the key; rows are revoked, never deleted or edited.
import { and, asc, eq, isNull, sql } from 'drizzle-orm'
import { apiKeys } from '../../../schema/db-pg.ts'
import type { Scope } from '../../security/api-keys.ts'
import type { ApiKeyRepository, StoredApiKey } from '../types.ts'
import type { PgDb } from './db.ts'

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

export class PgApiKeyRepository implements ApiKeyRepository {
  // read on every authenticated request, with no cache: a revocation from any instance or the CLI
  // applies to the very next request
  private readonly byId

  constructor(private readonly db: PgDb) {
    this.byId = db
      .select()
      .from(apiKeys)
      .where(eq(apiKeys.id, sql.placeholder('id')))
      .prepare('jifen_api_key_by_id')
  }

  async get(id: string): Promise<StoredApiKey | null> {
    const [row] = await this.byId.execute({ id })
    return row ? toDomain(row) : null
  }

  /**
   * Inside a keyed write: FOR SHARE waits for a revocation in progress and then reads it, and holds
   * off a later one until the write commits; either way the write sees the key's state at commit.
   */
  async getInTx(tx: PgDb, id: string): Promise<StoredApiKey | null> {
    const [row] = await tx.select().from(apiKeys).where(eq(apiKeys.id, id)).for('share')
    return row ? toDomain(row) : null
  }

  async getByName(name: string): Promise<StoredApiKey | null> {
    const [row] = await this.db.select().from(apiKeys).where(eq(apiKeys.name, name))
    return row ? toDomain(row) : null
  }

  async list(): Promise<StoredApiKey[]> {
    const rows = await this.db.select().from(apiKeys).orderBy(asc(apiKeys.createdAt), asc(apiKeys.name))
    return rows.map(toDomain)
  }

  async createInTx(tx: PgDb, k: Omit<StoredApiKey, 'revokedAt'>): Promise<boolean> {
    const inserted = await tx
      .insert(apiKeys)
      .values({
        id: k.id,
        name: k.name,
        scopes: k.scopes.join(','),
        secretHash: k.secretHash,
        createdAt: k.createdAt,
      })
      .onConflictDoNothing()
      .returning({ id: apiKeys.id })
    return inserted.length === 1
  }

  async restoreInTx(tx: PgDb, k: StoredApiKey): Promise<void> {
    await tx.insert(apiKeys).values({ ...k, scopes: k.scopes.join(',') })
  }

  async revokeInTx(tx: PgDb, id: string, at: string): Promise<boolean> {
    const changed = await tx
      .update(apiKeys)
      .set({ revokedAt: at })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id })
    return changed.length === 1
  }
}
