// `npm start` as the README runs it: SIGTERM sent to npm reaches node, which answers the request in flight, then exits cleanly.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { connect } from 'node:net'
import { join } from 'node:path'
import t from 'tap'
import { freePort } from '../../bench/lib/free-port.ts'
import { EXAMPLE_POINTS_REQUEST } from '../../schema/api.ts'
import { projectRoot } from '../../src/project-root.ts'
import { tempDir } from '../helper.ts'

t.test('SIGTERM to `npm start` stops node cleanly, after answering the request in flight', async (tt) => {
  const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: projectRoot, encoding: 'utf8' })
  tt.equal(build.status, 0, build.stderr)
  const dir = tempDir(tt)
  const port = await freePort()
  const env = {
    ...process.env,
    JIFEN_DB_PATH: join(dir, 'jifen.sqlite'),
    JIFEN_SECRETS_DIR: join(dir, 'secrets'),
    JIFEN_PORT: String(port),
    // info: the "incoming request" line tells the test that the server is reading the request
    JIFEN_LOG_LEVEL: 'info',
    // the overload checks measure the machine, not the code: a busy CI neighbour must not turn the
    // request in flight into a 503 (testConfig turns them off for the same reason)
    JIFEN_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
  }
  // a key, made as the README makes one
  const created = spawnSync(
    'npm',
    ['run', '-s', 'jifen', '--', 'keys', 'create', '--name', 'c1', '--scopes', 'police'],
    {
      cwd: projectRoot,
      env,
      encoding: 'utf8',
    },
  )
  tt.equal(created.status, 0, created.stderr)
  const key = created.stdout.trim()

  const npm: ChildProcess = spawn('npm', ['start'], {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  tt.teardown(() => {
    npm.kill('SIGKILL')
  })
  let out = ''
  npm.stdout?.setEncoding('utf8')
  npm.stdout?.on('data', (d: string) => {
    out += d
  })
  const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)))
  const base = `http://127.0.0.1:${port}`
  let ready = 0
  // bounded, not timed: a loaded CI machine may take long to start
  for (let i = 0; i < 1200 && ready !== 200; i++) {
    ready = await fetch(`${base}/readyz`).then(
      (r) => r.status,
      () => 0,
    )
    if (ready !== 200) await new Promise((r) => setTimeout(r, 50))
  }
  tt.equal(ready, 200, 'ready')

  // An official evaluation in flight: headers and half the body sent; the server has begun it.
  const body = Buffer.from(JSON.stringify(EXAMPLE_POINTS_REQUEST))
  const half = Math.floor(body.length / 2)
  const socket = connect(port, '127.0.0.1')
  let response = ''
  socket.setEncoding('utf8')
  socket.on('data', (d: string) => {
    response += d
  })
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
  socket.write(
    [
      'POST /v1/points/evaluations HTTP/1.1',
      `Host: 127.0.0.1:${port}`,
      'Content-Type: application/json',
      `Authorization: Bearer ${key}`,
      'X-Request-Id: in-flight-at-sigterm',
      'Connection: close',
      `Content-Length: ${body.length}`,
      '',
      '',
    ].join('\r\n'),
  )
  socket.write(body.subarray(0, half))
  for (let i = 0; i < 1200 && !/"reqId":"in-flight-at-sigterm"[^\n]*incoming request/.test(out); i++)
    await new Promise((r) => setTimeout(r, 50))
  tt.match(out, /"reqId":"in-flight-at-sigterm"[^\n]*incoming request/, 'the server is reading the request')

  // as an operator or a supervisor would: the signal goes to the process the README starts, npm
  npm.kill('SIGTERM')
  for (let i = 0; i < 1200 && !/shutting down/.test(out); i++) await new Promise((r) => setTimeout(r, 50))
  tt.match(out, /"signal":"SIGTERM"[^\n]*shutting down/, 'node itself received SIGTERM')
  socket.end(body.subarray(half))
  await closed
  tt.match(response, /^HTTP\/1\.1 201 /, 'the request in flight was answered 201')
  const answer = JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4))
  tt.match(answer.reference, /^JF-\d{4}-000001$/, 'stored with the first reference number')
  // the README's applicant: 107.5 (schema/api.ts EXAMPLE_POINTS_REQUEST, arithmetic in the README)
  tt.equal(answer.result.total, 107.5)

  tt.equal(await exited, 0, 'npm start exits 0: node closed gracefully')
  const after = await fetch(`${base}/healthz`).then(
    () => 'answered',
    () => 'refused',
  )
  tt.equal(after, 'refused', 'nothing listens any more: no node left running')
})
