// What `npm start` runs: the esbuild bundle builds, serves the same contract as the sources, scores, and stops cleanly.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { freePort } from '../../bench/lib/free-port.ts'
import { EXAMPLE_POINTS_REQUEST } from '../../schema/api.ts'
import { projectRoot } from '../../src/project-root.ts'
import { readParsedCache } from '../../src/tables/parsed-cache.ts'
import { listTableFiles } from '../../src/tables/shipped.ts'
import { tempDbPath, tempDir } from '../helper.ts'

const BUNDLE = join(projectRoot, 'dist', 'jifen.mjs')

t.test('npm run build writes the bundle npm start runs', async (tt) => {
  // a stale bundle from an earlier build must not pass for a fresh one
  rmSync(BUNDLE, { force: true })
  const r = spawnSync('npm', ['run', '-s', 'build'], { cwd: projectRoot, encoding: 'utf8' })
  tt.equal(r.status, 0, r.stderr)
  // one level below the root, like src/: the bundle finds tables, migrations and package.json from there
  tt.ok(existsSync(BUNDLE), 'dist/jifen.mjs')
  // and the shipped tables parsed once, which the bundle's start reads instead of parsing YAML
  const cache = readParsedCache()
  tt.equal(cache.size, listTableFiles().length + 1, 'every shipped table and the references file')
})

t.test(
  'the bundle serves: ready, the committed contract, a scored preview, the docs, the page; SIGTERM stops it',
  async (tt) => {
    const port = await freePort()
    const child: ChildProcess = spawn(process.execPath, ['--enable-source-maps', BUNDLE, 'serve'], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        JIFEN_DB_PATH: tempDbPath(tt),
        JIFEN_SECRETS_DIR: tempDir(tt),
        JIFEN_PORT: String(port),
        JIFEN_LOG_LEVEL: 'warn',
        // the event-loop check measures the machine: on a loaded one a correct preview would get 503
        JIFEN_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
      },
    })
    let running = true
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => {
        running = false
        resolve(code)
      }),
    )
    tt.teardown(() => {
      child.kill('SIGKILL')
    })
    const base = `http://127.0.0.1:${port}`
    let readyStatus = 0
    // no deadline of its own (start-up takes longer on a loaded machine): until ready or exited
    while (running && readyStatus !== 200) {
      readyStatus = await fetch(`${base}/readyz`).then(
        (r) => r.status,
        () => 0,
      )
      if (readyStatus !== 200) await new Promise((r) => setTimeout(r, 50))
    }
    tt.equal(readyStatus, 200, 'ready')

    const contract = await fetch(`${base}/openapi.json`).then((r) => r.json())
    const committed = JSON.parse(readFileSync(join(projectRoot, 'openapi', 'openapi.json'), 'utf8'))
    tt.same(contract, committed, 'the bundle serves the committed contract, version included')

    const preview = await fetch(`${base}/v1/points/preview`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(EXAMPLE_POINTS_REQUEST),
    })
    tt.equal(preview.status, 200)
    const body = (await preview.json()) as { result: { total: number; ruleset: { provisional: boolean } } }
    // the README's applicant (schema/api.ts EXAMPLE_POINTS_REQUEST): age 20 + education 8 + skills 8 +
    // insurance 30 (86 months × 0.5 = 43, capped at 30) + residence 21.5 + employment 10 + housing 10 = 107.5
    tt.equal(body.result.total, 107.5)
    tt.equal(body.result.ruleset.provisional, true, 'provisional tables stay marked provisional')

    const docs = await fetch(`${base}/docs/static/index.html`)
    tt.equal(docs.status, 200, 'the reference UI is served from node_modules, not a CDN')

    // the applicant page's files are found from the project root, also from dist/
    const page = await fetch(`${base}/`)
    tt.equal(page.status, 200, 'the applicant page')
    tt.match(await page.text(), '<script type="module" src="/assets/app.js">')
    const script = await fetch(`${base}/assets/app.js`)
    tt.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8', 'its script')

    child.kill('SIGTERM')
    tt.equal(await exited, 0, 'graceful shutdown exits 0')
  },
)

t.test('the bundled CLI scores like the sources do', async (tt) => {
  const input = JSON.stringify({ birthDate: '1990-06-15', education: 'bachelor' })
  const args = ['score', '--shipped', '--jurisdiction', '330212', '--as-of', '2026-04-30']
  const bundled = spawnSync(process.execPath, [BUNDLE, ...args], {
    input,
    encoding: 'utf8',
    cwd: projectRoot,
  })
  const sources = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(projectRoot, 'src/cli/main.ts'), ...args],
    {
      input,
      encoding: 'utf8',
      cwd: projectRoot,
    },
  )
  tt.equal(bundled.status, 0, bundled.stderr)
  // age 35 on 2026-04-30: band 18–40 → 20; bachelor → 10; total 30
  tt.equal(JSON.parse(bundled.stdout).total, 30)
  tt.equal(bundled.stdout, sources.stdout, 'byte for byte')
})
