// The PostgreSQL backend (drizzle over node-postgres): a pool, migrations under an advisory lock, and LISTEN for table changes.
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import type { Client } from 'pg'
import * as tables from '../../../schema/db-pg.ts'
import { projectRoot } from '../../project-root.ts'
import { type DumpRow, SettingConflictError, type Storage, type WriteTx } from '../types.ts'
import { PgAdmissionRepository } from './admission.ts'
import { PgApiKeyRepository } from './api-keys.ts'
import { PgAuditRepository } from './audit.ts'
import type { PgDb } from './db.ts'
import { PgIdempotencyRepository } from './idempotency.ts'
import { PgRecordRepository } from './records.ts'
import { PgRulesetRepository, TABLES_CHANNEL } from './rulesets.ts'
import { PgSimulationRepository } from './simulations.ts'

export type { PgDb }

/** Found from the project root, like SQLite's, so that it survives bundling. */
export const PG_MIGRATIONS_DIR = join(projectRoot, 'schema', 'migrations-pg')

/** The advisory lock two instances starting together take around migrating: one migrates, the other waits. */
const MIGRATION_LOCK = 0x6a6966656e // "jifen"

/** How often a unit that lost a race (deadlock, serialisation, a colliding idempotency save) is run again. */
const ATTEMPTS = 5

/**
 * The driver and drizzle's adapter for it, loaded when a PostgreSQL database is first opened: an
 * instance on SQLite (the default) never loads them, which saves their share of every start.
 */
async function driver() {
  const [{ default: pg }, { drizzle }, { migrate }] = await Promise.all([
    import('pg'),
    import('drizzle-orm/node-postgres'),
    import('drizzle-orm/node-postgres/migrator'),
  ])
  return { pg, drizzle, migrate }
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password !== '') u.password = '***'
    return u.toString()
  } catch {
    return 'postgres://(unparsable URL)'
  }
}

/** drizzle wraps driver errors with the SQL and its parameters; the driver's own error says enough, and no parameter leaks into a log. */
function unwrap(e: unknown): unknown {
  const cause = (e as { cause?: unknown }).cause
  return cause instanceof Error && 'code' in cause ? cause : e
}

function retryable(e: unknown): boolean {
  const err = e as { code?: string; constraint?: string }
  return (
    err.code === '40001' || // serialization_failure
    err.code === '40P01' || // deadlock_detected
    (err.code === '23505' && err.constraint === 'idempotency_keys_api_key_id_key_pk')
  )
}

export async function migratePostgres(url: string): Promise<void> {
  const { pg, drizzle, migrate } = await driver()
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK])
    try {
      await migrate(drizzle(client), { migrationsFolder: PG_MIGRATIONS_DIR })
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK])
    }
  } finally {
    await client.end()
  }
}

/**
 * LISTENs for table changes on a connection of its own. While it listens, the generation is known
 * without a round trip; when the connection drops, `known()` is null (readers ask the database)
 * until it is back.
 */
class GenerationWatch {
  private client: Client | null = null
  private value: number | null = null
  private closing = false
  private retry: NodeJS.Timeout | null = null

  constructor(
    private readonly url: string,
    private readonly read: () => Promise<number>,
  ) {}

  known(): number | null {
    return this.value
  }

  /** A generation committed by this instance itself. */
  observe(generation: number): void {
    if (this.value !== null && generation > this.value) this.value = generation
  }

  async start(): Promise<void> {
    const { pg } = await driver()
    const client = new pg.Client({ connectionString: this.url })
    const lost = () => {
      this.value = null
      if (this.client === client) this.client = null
      if (!this.closing && this.retry === null)
        this.retry = setTimeout(() => {
          this.retry = null
          this.start().catch(lost)
        }, 1000).unref()
    }
    client.on('error', lost)
    client.on('end', lost)
    client.on('notification', (n) => {
      if (n.channel !== TABLES_CHANNEL) return
      const g = Number(n.payload)
      if (Number.isFinite(g) && this.value !== null && g > this.value) this.value = g
    })
    await client.connect()
    this.client = client
    await client.query(`LISTEN ${TABLES_CHANNEL}`)
    // read after LISTEN: a change committed in between is either in this read or notified
    this.value = await this.read()
  }

  async stop(): Promise<void> {
    this.closing = true
    if (this.retry !== null) clearTimeout(this.retry)
    this.value = null
    const c = this.client
    this.client = null
    await c?.end().catch(() => {})
  }
}

export async function openPostgres(url: string, options: { poolSize?: number } = {}): Promise<Storage> {
  await migratePostgres(url)
  const { pg, drizzle } = await driver()
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 })
  // an idle client that errors (the server restarted) must not crash the process; the pool replaces it
  pool.on('error', () => {})
  const db: PgDb = drizzle(pool, { schema: tables })
  let watch: GenerationWatch | null = null
  // generations bumped by a unit, applied once that unit has committed
  const bumpedBy = new WeakMap<object, number>()
  const rulesets = new PgRulesetRepository(
    db,
    () => watch?.known() ?? null,
    (tx, g) => bumpedBy.set(tx, g),
  )
  watch = new GenerationWatch(url, () => rulesets.readGeneration())
  try {
    await watch.start()
  } catch (e) {
    await pool.end()
    throw e
  }
  const records = new PgRecordRepository(db)
  const apiKeys = new PgApiKeyRepository(db)
  const audit = new PgAuditRepository(db)
  const idempotency = new PgIdempotencyRepository(db)
  const admission = new PgAdmissionRepository(db)
  const simulations = new PgSimulationRepository(db)

  // Settings are written once (0002's triggers refuse a change): two instances starting together
  // may both write the same value, so an equal value is nothing to do and another a conflict.
  const setOnce = async (t: PgDb, key: string, value: string): Promise<void> => {
    await t.execute(
      sql`INSERT INTO settings (key, value) VALUES (${key}, ${value}) ON CONFLICT (key) DO NOTHING`,
    )
    const r = await t.execute<{ value: string }>(sql`SELECT value FROM settings WHERE key = ${key}`)
    if (r.rows[0]?.value !== value) throw new SettingConflictError(key)
  }

  const newTx = (t: PgDb) => {
    let open = true
    const live = <A extends unknown[], R>(f: (...args: A) => Promise<R>) => {
      return (...args: A): Promise<R> => {
        if (!open)
          return Promise.reject(
            new Error('this unit of work has ended: await every tx call inside transaction()'),
          )
        return f(...args)
      }
    }
    const tx: WriteTx = {
      records: {
        create: live((e) => records.createInTx(t, e)) as WriteTx['records']['create'],
        void: live((v) => records.voidInTx(t, v)),
      },
      rulesets: {
        insert: live((r) => rulesets.insertInTx(t, r)),
        replaceDraft: live((id, table, sha256) => rulesets.replaceDraftInTx(t, id, table, sha256)),
        publish: live((id, at) => rulesets.publishInTx(t, id, at)),
        retire: live((id, at, reason) => rulesets.retireInTx(t, id, at, reason)),
      },
      audit: { append: live((e, key) => audit.appendInTx(t, e, key)) },
      idempotency: {
        get: live((apiKeyId, key) => idempotency.getInTx(t, apiKeyId, key)),
        save: live((apiKeyId, key, r, at) => idempotency.saveInTx(t, apiKeyId, key, r, at)),
        expire: live((before, only) => idempotency.expireInTx(t, before, only)),
      },
      apiKeys: {
        get: live((id) => apiKeys.getInTx(t, id)),
        create: live((k) => apiKeys.createInTx(t, k)),
        revoke: live((id, at) => apiKeys.revokeInTx(t, id, at)),
      },
      admission: {
        createRound: live((r) => admission.createRoundInTx(t, r)),
        lockRound: live((id) => admission.lockRoundInTx(t, id)),
        setRoundStatus: live((id, status, v) => admission.setRoundStatusInTx(t, id, status, v)),
        conflicts: live((roundId, refs, keys) => admission.conflictsInTx(t, roundId, refs, keys)),
        nextBatch: live((roundId) => admission.nextBatchInTx(t, roundId)),
        insertApplications: live((rows) => admission.insertApplicationsInTx(t, rows)),
        withdraw: live((roundId, ref, at) => admission.withdrawInTx(t, roundId, ref, at)),
        activeInputs: live((roundId) => admission.activeInputsInTx(t, roundId)),
        insertResult: live((r) => admission.insertResultInTx(t, r)),
      },
      simulations: {
        insert: live((x) => simulations.insertInTx(t, x)),
        finish: live((id, end, at) => simulations.finishInTx(t, id, end, at)),
        heartbeat: live((ids, owner, at) => simulations.heartbeatInTx(t, ids, owner, at)),
      },
      settings: {
        get: live(async (key: string) => {
          const r = await t.execute<{ value: string }>(sql`SELECT value FROM settings WHERE key = ${key}`)
          return r.rows[0]?.value ?? null
        }),
        set: live((key: string, value: string) => setOnce(t, key, value)),
      },
    }
    return {
      tx,
      end: () => {
        open = false
      },
    }
  }

  let closed = false
  const transaction = async <T>(work: (tx: WriteTx) => Promise<T>): Promise<T> => {
    if (closed) throw new Error('the database is closed')
    for (let attempt = 1; ; attempt++) {
      try {
        let committed: object | null = null
        const value = await db.transaction(async (t) => {
          committed = t
          const unit = newTx(t as unknown as PgDb)
          try {
            return await work(unit.tx)
          } finally {
            unit.end()
          }
        })
        const g = committed === null ? undefined : bumpedBy.get(committed)
        if (g !== undefined) watch?.observe(g)
        return value
      } catch (e) {
        const err = unwrap(e)
        if (attempt < ATTEMPTS && retryable(err)) continue
        throw err
      }
    }
  }

  return {
    backend: 'postgres',
    location: redactUrl(url),
    rulesets,
    records,
    apiKeys,
    audit,
    idempotency,
    admission,
    simulations,
    transaction,
    async *dump(): AsyncIterable<DumpRow> {
      const settings = await db.select().from(tables.settings).orderBy(tables.settings.key)
      for (const row of settings) yield { kind: 'setting', row }
      for (const row of await rulesets.list()) yield { kind: 'ruleset', row }
      for (const row of await apiKeys.list()) yield { kind: 'apiKey', row }
      for await (const row of records.all()) yield { kind: 'record', row }
      for await (const row of records.voids()) yield { kind: 'recordVoid', row }
      for await (const row of audit.entries()) yield { kind: 'audit', row }
      for await (const row of idempotency.all()) yield { kind: 'idempotency', row }
    },
    restore: (rows) =>
      // one transaction: the copy is all or nothing
      db
        .transaction(async (t) => {
          const tx = t as unknown as PgDb
          const n = await tx.execute<{ n: string }>(
            sql`SELECT (SELECT count(*) FROM rulesets) + (SELECT count(*) FROM evaluations) + (SELECT count(*) FROM api_keys) + (SELECT count(*) FROM audit_log) AS n`,
          )
          if (Number(n.rows[0].n) > 0)
            throw new Error(`${redactUrl(url)} is not empty: copy into a new database`)
          for await (const r of rows) {
            if (r.kind === 'setting') await setOnce(tx, r.row.key, r.row.value)
            else if (r.kind === 'ruleset') await rulesets.restoreInTx(tx, r.row)
            else if (r.kind === 'apiKey') await apiKeys.restoreInTx(tx, r.row)
            else if (r.kind === 'record') await records.restoreInTx(tx, r.row)
            else if (r.kind === 'recordVoid') await records.voidInTx(tx, r.row)
            else if (r.kind === 'audit') await audit.restoreInTx(tx, r.row)
            else await idempotency.restoreInTx(tx, r.row)
          }
          await audit.moveHeadInTx(tx)
        })
        .catch((e: unknown) => {
          throw unwrap(e)
        }),
    ping: async () => {
      const r = await db.execute<{ n: string }>(sql`SELECT count(*) AS n FROM table_generation`)
      return Number(r.rows[0]?.n) === 1
    },
    close: async () => {
      if (closed) return
      closed = true
      await watch?.stop()
      await pool.end()
    },
  }
}
