// The CLI's contract with scripts (issue 15): --version, exit 2 for usage errors and 1 for failures, `score [FILE]` with the tables in force in the database, a port in use in one line.
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import t from 'tap'
import { projectRoot } from '../../src/project-root.ts'
import { build, tempDbPath, tempDir } from '../helper.ts'

function jifen(args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(projectRoot, 'src/cli/main.ts'), ...args], {
    input: options.input ?? '',
    encoding: 'utf8',
    cwd: projectRoot,
    env: { ...process.env, ...options.env },
    timeout: 120_000,
  })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

const VERSION = (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string })
  .version

t.test('--version prints the package version and exits 0; --help documents the exit codes', async (tt) => {
  const v = jifen(['--version'])
  tt.equal(v.code, 0)
  tt.equal(v.out.trim(), VERSION)
  const h = jifen(['--help'])
  tt.equal(h.code, 0)
  tt.match(h.out, /Exit codes: 0 done; 1 failed .*; 2 usage error/)
})

t.test('every usage error exits 2: commander’s and the app’s alike', async (tt) => {
  const cases: [string, string[]][] = [
    ['an unknown command', ['nonsense']],
    [
      'an unknown option',
      ['score', '--shipped', '--jurisdiction', '330212', '--as-of', '2026-04-30', '--bogus'],
    ],
    ['a missing required option', ['score', '--shipped', '--jurisdiction', '330212']],
    ['a missing argument', ['keys', 'create']],
    ['a bad option value', ['score', '--shipped', '--jurisdiction', '330212', '--as-of', '2026-13-01']],
    [
      'a file that does not exist',
      [
        'score',
        '--shipped',
        '--jurisdiction',
        '330212',
        '--as-of',
        '2026-04-30',
        '/nonexistent/applicant.json',
      ],
    ],
  ]
  for (const [what, args] of cases) {
    const r = jifen(args, { input: '{"birthDate":"1990-06-15"}' })
    tt.equal(r.code, 2, `${what}: ${r.err.split('\n')[0]}`)
  }
})

t.test('score [FILE] reads the file, or stdin when it is absent', async (tt) => {
  const dir = tempDir(tt)
  const file = join(dir, 'applicant.json')
  // born 1990-06-15: 35 on 2026-04-30 → age 20; bachelor → 10; nothing else: 30
  writeFileSync(file, JSON.stringify({ birthDate: '1990-06-15', education: 'bachelor' }))
  const args = ['score', '--shipped', '--jurisdiction', '330212', '--as-of', '2026-04-30']
  const fromFile = jifen([...args, file])
  tt.equal(fromFile.code, 0, fromFile.err)
  tt.equal(JSON.parse(fromFile.out).total, 30)
  const fromStdin = jifen(args, { input: readFileSync(file, 'utf8') })
  tt.equal(fromStdin.out, fromFile.out, 'the same result either way')
})

t.test(
  'score uses the tables in force in the database: after a retirement it agrees with the service, --shipped does not',
  async (tt) => {
    const dbPath = tempDbPath(tt)
    const app = await build(tt, { config: { dbPath } })
    const services = app.jifen.services()
    await services.rulesets.retire('yinzhou-points-2022@1', 'test: withdrawn', {
      actor: { keyId: null, keyName: 'test' },
      idempotency: null,
    })
    await app.close()
    const input = JSON.stringify({ birthDate: '1990-06-15', education: 'bachelor' })
    const args = ['score', '--jurisdiction', '330212', '--as-of', '2026-04-30']
    const fromDb = jifen([...args, '--db', dbPath], { input })
    tt.equal(fromDb.code, 0, fromDb.err)
    // Yinzhou's table retired: the service falls back to the city table, and so does the CLI
    tt.equal(JSON.parse(fromDb.out).ruleset.id, 'ningbo-points-2022')
    const shipped = jifen([...args, '--shipped'], { input })
    tt.equal(JSON.parse(shipped.out).ruleset.id, 'yinzhou-points-2022', 'the shipped YAML still has it')
    const empty = jifen([...args, '--db', join(tempDir(tt), 'new.sqlite')], { input })
    tt.equal(empty.code, 2, 'a database never started holds no tables: said, not scored with nothing')
    tt.match(empty.err, /holds no published tables .*--shipped/)
  },
)

t.test('a port in use is one clear line and exit 1', async (tt) => {
  const blocker = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  tt.teardown(() => new Promise<void>((resolve) => blocker.close(() => resolve())))
  const address = blocker.address()
  const port = typeof address === 'object' && address ? address.port : 0
  const r = jifen(['serve', '--port', String(port), '--host', '127.0.0.1', '--db', tempDbPath(tt)], {
    env: { JIFEN_SECRETS_DIR: join(tempDir(tt), 'secrets'), JIFEN_LOG_LEVEL: 'error' },
  })
  tt.equal(r.code, 1)
  const lines = r.err.trim().split('\n')
  tt.equal(lines.length, 1, r.err)
  tt.match(lines[0], new RegExp(`^jifen: port ${port} on 127.0.0.1 is already in use`))
  tt.notMatch(r.err, /\n\s+at /, 'no stack trace')
})
