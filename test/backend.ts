// Which database the backend-dependent tests run on (JIFEN_TEST_BACKEND=sqlite|postgres), and fresh PostgreSQL databases for them.
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { Test } from 'tap'
import { z } from 'zod'

/** The test run's own switches, read once (the service's configuration is src/config.ts). */
const TestEnvSchema = z.object({
  JIFEN_TEST_BACKEND: z.enum(['sqlite', 'postgres']).default('sqlite'),
  /** the server the PostgreSQL tests create their databases on; trust auth as user postgres here */
  JIFEN_TEST_PG_URL: z.string().default('postgres://postgres@127.0.0.1:5432/postgres'),
  /** off: a developer without PostgreSQL skips its run (npm test says so); never set in CI */
  JIFEN_TEST_PG: z.enum(['on', 'off']).default('on'),
})

const env = TestEnvSchema.parse(process.env)

export const TEST_BACKEND = env.JIFEN_TEST_BACKEND
export const TEST_PG_URL = env.JIFEN_TEST_PG_URL
export const TEST_PG_ENABLED = env.JIFEN_TEST_PG === 'on'

/** The URL of another database on the same server. */
export function pgUrlFor(database: string, base = TEST_PG_URL): string {
  const u = new URL(base)
  u.pathname = `/${database}`
  return u.toString()
}

async function admin<T>(run: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: TEST_PG_URL })
  await c.connect()
  try {
    return await run(c)
  } finally {
    await c.end()
  }
}

/**
 * A new, empty PostgreSQL database for one test, dropped at its teardown (after every app the test
 * built on it has closed: tap runs teardowns last-in, first-out). Returns its URL.
 */
export async function freshPgDatabase(t: Test): Promise<string> {
  const name = `jifen_t_${randomBytes(6).toString('hex')}`
  await admin((c) => c.query(`CREATE DATABASE ${name}`))
  t.teardown(() => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)))
  return pgUrlFor(name)
}

/** Whether the test server answers (the runner says so plainly when it does not). */
export async function pgAnswers(): Promise<boolean> {
  try {
    await admin((c) => c.query('SELECT 1'))
    return true
  } catch {
    return false
  }
}

/**
 * Plain SQL on a test database, below the repositories (to try what the triggers must refuse, or to
 * read columns as stored): SQLite through better-sqlite3, PostgreSQL through pg. `?` placeholders
 * on both.
 */
export interface RawDb {
  all<T = Record<string, unknown>>(query: string, params?: unknown[]): Promise<T[]>
  run(query: string, params?: unknown[]): Promise<void>
  close(): Promise<void>
}

export async function openRaw(
  t: Test,
  target: { dbPath: string; databaseUrl: string | null },
): Promise<RawDb> {
  let raw: RawDb
  if (target.databaseUrl !== null) {
    const c = new pg.Client({ connectionString: target.databaseUrl })
    await c.connect()
    let n = 0
    const numbered = (q: string) => q.replace(/\?/g, () => `$${++n}`)
    raw = {
      all: async (q, params = []) => {
        n = 0
        return (await c.query(numbered(q), params)).rows
      },
      run: async (q, params = []) => {
        n = 0
        await c.query(numbered(q), params)
      },
      close: () => c.end(),
    }
  } else {
    const { default: Database } = await import('better-sqlite3')
    const db = new Database(target.dbPath)
    raw = {
      all: async (q, params = []) => db.prepare(q).all(...params) as never[],
      run: async (q, params = []) => {
        db.prepare(q).run(...params)
      },
      close: async () => {
        db.close()
      },
    }
  }
  t.teardown(() => raw.close())
  return raw
}

/** The SQLite triggers that keep each admission table as the service wrote it (PostgreSQL: the tables' user triggers). */
const ADMISSION_TRIGGERS = {
  admission_applications: ['admission_applications_withdraw_only'],
  admission_results: ['admission_results_no_update', 'admission_results_no_delete'],
  admission_rounds: ['admission_rounds_no_delete', 'admission_rounds_state_only'],
} as const

/** Lets raw UPDATEs and DELETEs through these admission tables' triggers, as someone holding the database could. */
export async function bypassAdmissionTriggers(
  raw: RawDb,
  tables: readonly (keyof typeof ADMISSION_TRIGGERS)[],
): Promise<void> {
  for (const table of tables) {
    if (TEST_BACKEND === 'postgres') await raw.run(`ALTER TABLE ${table} DISABLE TRIGGER USER`)
    else for (const trigger of ADMISSION_TRIGGERS[table]) await raw.run(`DROP TRIGGER ${trigger}`)
  }
}
