// bench:http's storage lines: stored evaluations per second on SQLite (one instance) and PostgreSQL (one and two instances).
import { randomBytes } from 'node:crypto'
import pg from 'pg'

/** The PostgreSQL server the bench makes its databases on (trust auth as on this machine kind). */
export const BENCH_PG_URL = 'postgres://postgres@127.0.0.1:5432/postgres'
/** The secret every bench instance shares (PostgreSQL needs one configured). */
export const BENCH_SECRET = 'jifen-bench-only-shared-secret-0123456789abcdef'

/** A new database for one bench run; `drop` removes it. */
export async function benchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `jifen_bench_${randomBytes(4).toString('hex')}`
  const admin = async (q: string) => {
    const c = new pg.Client({ connectionString: BENCH_PG_URL })
    await c.connect()
    try {
      await c.query(q)
    } finally {
      await c.end()
    }
  }
  await admin(`CREATE DATABASE ${name}`)
  const u = new URL(BENCH_PG_URL)
  u.pathname = `/${name}`
  return { url: u.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) }
}

/** A police key in the database, made as `jifen keys create` makes it. */
export async function benchKey(config: { dbPath: string; databaseUrl: string | null }): Promise<string> {
  const { openStorage } = await import('../../src/repositories/open.ts')
  const { ApiKeyService } = await import('../../src/services/api-keys.ts')
  const { Recorder } = await import('../../src/services/recorder.ts')
  const { systemClock } = await import('../../src/clock.ts')
  const { auditKeyFor } = await import('../../src/security/audit-key.ts')
  const { loadConfig } = await import('../../src/config.ts')
  const storage = await openStorage(config)
  try {
    // the audit key the bench's servers use: the environment's, the secrets folder's, or (PostgreSQL
    // without one) derived from the bench's ID secret
    const full = { ...loadConfig(), ...config }
    const auditKey = await auditKeyFor(full, undefined, storage, BENCH_SECRET, null)
    const { key } = await new ApiKeyService(
      storage.apiKeys,
      new Recorder(storage, systemClock, { auditKey }),
    ).create(`bench-${randomBytes(3).toString('hex')}`, ['police'], { keyId: null, keyName: 'bench' })
    return key
  } finally {
    await storage.close()
  }
}
