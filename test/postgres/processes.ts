// Real jifen processes for the multi-instance tests: `jifen serve` and CLI commands on a PostgreSQL database, as an operator runs them.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import type { Test } from 'tap'
import { freePort } from '../../bench/lib/free-port.ts'
import { projectRoot } from '../../src/project-root.ts'
import { TEST_AUDIT_KEY_SECRET } from '../helper.ts'

const CLI = join(projectRoot, 'src', 'cli', 'main.ts')

/** The ID secret every instance of a test shares (with PostgreSQL a missing one stops the start). */
export const SHARED_SECRET = 'jifen-test-only-shared-secret-0123456789abcdef'

export function instanceEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...(process.env as Record<string, string>),
    JIFEN_DATABASE_URL: databaseUrl,
    JIFEN_ID_HMAC_SECRET: SHARED_SECRET,
    // the audit key of the test apps (test/helper.ts): processes and in-test apps chain one log
    JIFEN_AUDIT_KEY: TEST_AUDIT_KEY_SECRET,
    JIFEN_LOG_LEVEL: 'warn',
    JIFEN_RATE_LIMIT_MAX: '0',
    JIFEN_DB_POOL_SIZE: '8',
    // the CI machine is shared: an event-loop delay there is not this instance's overload
    JIFEN_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
    ...extra,
  }
}

/** `jifen <args>` through the sources, as `npm run -s jifen --` runs it. */
export function jifenCli(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: projectRoot,
    env,
    encoding: 'utf8',
  })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

export interface Instance {
  child: ChildProcess
  base: string
  port: number
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  stderr(): string
  /** its log lines (JSON, one per line) */
  stdout(): string
}

/** Starts `jifen serve` and waits (bounded, not timed) until /readyz answers 200. */
export async function startInstance(t: Test, env: Record<string, string>): Promise<Instance> {
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve'], {
    cwd: projectRoot,
    env: { ...env, JIFEN_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout?.setEncoding('utf8')
  child.stdout?.on('data', (d: string) => {
    out += d
  })
  let err = ''
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (d: string) => {
    err += d
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  t.teardown(() => {
    child.kill('SIGKILL')
  })
  const base = `http://127.0.0.1:${port}`
  let gone = false
  exited.then(() => {
    gone = true
  })
  for (let i = 0; i < 2400 && !gone; i++) {
    const status = await fetch(`${base}/readyz`).then(
      (r) => r.status,
      () => 0,
    )
    if (status === 200) return { child, base, port, exited, stderr: () => err, stdout: () => out }
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`the instance did not become ready: ${err.slice(0, 2000)}`)
}

/** Runs `jobs` with at most `width` in flight at once, in order of the array; results in the same order. */
export async function pooled<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(width, jobs.length) }, async () => {
      while (next < jobs.length) {
        const i = next++
        out[i] = await jobs[i]()
      }
    }),
  )
  return out
}
