// `npm test`'s runner: tap once on the embedded SQLite backend (every test), then once on PostgreSQL (the backend-dependent folders).
//
//   tsx test/run.ts [tap options…]        e.g. --reporter=tap (CI counts the TAP lines of both runs)
//
// PostgreSQL must answer at JIFEN_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres):
// when it does not, the run fails and says so. Only JIFEN_TEST_PG=off skips the PostgreSQL run.
import { spawnSync } from 'node:child_process'
import { pgAnswers, TEST_PG_ENABLED, TEST_PG_URL } from './backend.ts'

/** Tests whose behaviour depends on the storage backend: run a second time on PostgreSQL. */
const BACKEND_DEPENDENT = ['test/routes', 'test/storage', 'test/postgres']

const args = process.argv.slice(2)

function tap(label: string, tapArgs: string[], env: Record<string, string>): boolean {
  process.stdout.write(`# ${label}\n`)
  const r = spawnSync('npx', ['tap', ...tapArgs, ...args], {
    stdio: 'inherit',
    env: { ...process.env, ...env },
  })
  return r.status === 0
}

// test/postgres needs a PostgreSQL server whatever the backend: it runs in the PostgreSQL run only
const sqliteOk = tap('storage backend: SQLite (embedded)', ['--exclude=test/postgres/**'], {
  JIFEN_TEST_BACKEND: 'sqlite',
})

let pgOk = true
if (!TEST_PG_ENABLED) {
  process.stdout.write('# storage backend: PostgreSQL run skipped (JIFEN_TEST_PG=off)\n')
} else if (!(await pgAnswers())) {
  // a TAP line, so that CI's count shows the failure as well as the exit status
  process.stdout.write(
    `not ok 1 - PostgreSQL does not answer at ${TEST_PG_URL}: the PostgreSQL run fails (set JIFEN_TEST_PG=off to skip it, JIFEN_TEST_PG_URL to point elsewhere)\n`,
  )
  pgOk = false
} else {
  pgOk = tap('storage backend: PostgreSQL', [`--include={${BACKEND_DEPENDENT.join(',')}}/**/*.test.ts`], {
    JIFEN_TEST_BACKEND: 'postgres',
  })
}
process.exitCode = sqliteOk && pgOk ? 0 : 1
