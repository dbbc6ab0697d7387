// deploy/nginx.conf in front of two instances on PostgreSQL: TLS, both instances serve, and each client (X-Forwarded-For, JIFEN_TRUST_PROXY) has its own shared rate limit.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { request } from 'node:https'
import { join } from 'node:path'
import t from 'tap'
import { freePort } from '../../bench/lib/free-port.ts'
import { EXAMPLE_POINTS_REQUEST } from '../../schema/api.ts'
import { projectRoot } from '../../src/project-root.ts'
import { freshPgDatabase } from '../backend.ts'
import { tempDir, until } from '../helper.ts'
import { instanceEnv, jifenCli, startInstance } from './processes.ts'

// npm ci and builds, or real processes under load: longer than .taprc's 600 s on a loaded machine
t.setTimeout(2_400_000)

/** nginx from Debian's packages, installed by this test when missing; null (with why) where apt cannot. */
function nginxBinary(): { path: string } | { missing: string } {
  const path = '/usr/sbin/nginx'
  if (existsSync(path)) return { path }
  const install = spawnSync(
    'sh',
    ['-c', 'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx'],
    {
      encoding: 'utf8',
    },
  )
  if (existsSync(path)) return { path }
  return {
    missing: `apt-get install nginx failed (${install.status}): ${(install.stderr ?? '').slice(-300)}`,
  }
}

interface Answer {
  status: number
  body: string
}

/** One HTTPS request through nginx, from a chosen loopback address (a client of its own). */
function via(
  port: number,
  ca: Buffer,
  from: string,
  method: string,
  path: string,
  opts: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body)
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        ca,
        servername: 'jifen.test',
        localAddress: from,
        headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...opts.headers },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => {
          text += d
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

t.test('nginx (TLS) in front of two instances', async (tt) => {
  tt.setTimeout(900_000)
  const nginx = nginxBinary()
  if ('missing' in nginx) {
    tt.skip(`nginx is not installed and could not be: ${nginx.missing}`, async () => {})
    return
  }
  const dir = tempDir(tt)
  const url = await freshPgDatabase(tt)
  // behind the proxy: trust its address for X-Forwarded-For; count every instance's clients in one Redis
  const env = instanceEnv(url, {
    JIFEN_TRUST_PROXY: '127.0.0.1',
    JIFEN_RATE_LIMIT_MAX: '2',
    JIFEN_REDIS_URL: 'redis://127.0.0.1:6379',
    JIFEN_REDIS_PREFIX: `jifen-nginx-test-${randomBytes(6).toString('hex')}:`,
    JIFEN_LOG_LEVEL: 'info',
  })
  const made = jifenCli(['keys', 'create', '--name', 'via-nginx', '--scopes', 'police'], env)
  tt.equal(made.code, 0, made.err)
  const key = made.out.trim()
  const [a, b] = await Promise.all([startInstance(tt, env), startInstance(tt, env)])

  const cert = join(dir, 'jifen.crt')
  const certKey = join(dir, 'jifen.key')
  const ssl = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=jifen.test',
      '-addext',
      'subjectAltName=DNS:jifen.test',
      '-keyout',
      certKey,
      '-out',
      cert,
    ],
    { encoding: 'utf8' },
  )
  tt.equal(ssl.status, 0, ssl.status === 0 ? 'a self-signed certificate' : ssl.stderr)
  const port = await freePort()
  // the example as shipped, with this test's ports, certificate and files
  const site = readFileSync(join(projectRoot, 'deploy', 'nginx.conf'), 'utf8')
    .replace('server 127.0.0.1:3001', `server 127.0.0.1:${a.port}`)
    .replace('server 127.0.0.1:3002', `server 127.0.0.1:${b.port}`)
    .replace(/server \{\s*listen 80;[\s\S]*?\n\}\n/, '')
    .replace('listen 443 ssl;', `listen 127.0.0.1:${port} ssl;`)
    .replace('/etc/nginx/tls/jifen.crt', cert)
    .replace('/etc/nginx/tls/jifen.key', certKey)
  tt.notMatch(site, /:3001|:3002|\/etc\/nginx/, 'every deployment-specific value replaced')
  const conf = join(dir, 'nginx.conf')
  writeFileSync(
    conf,
    `worker_processes 1;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents {}\nhttp {\naccess_log ${dir}/access.log;\nclient_body_temp_path ${dir}/body;\nproxy_temp_path ${dir}/proxy;\n${site}\n}\n`,
  )
  const proxy: ChildProcess = spawn(nginx.path, ['-c', conf, '-p', dir, '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let proxyErr = ''
  proxy.stderr?.on('data', (d: Buffer) => {
    proxyErr += String(d)
  })
  tt.teardown(() => {
    proxy.kill('SIGTERM')
  })
  const ca = readFileSync(cert)
  let ready = 0
  for (let i = 0; i < 1200 && ready !== 200; i++) {
    ready = await via(port, ca, '127.0.0.1', 'GET', '/readyz').then(
      (r) => r.status,
      () => 0,
    )
    if (ready !== 200) await new Promise((r) => setTimeout(r, 50))
  }
  tt.equal(ready, 200, `ready through nginx over TLS ${proxyErr}`)

  const references = []
  for (let i = 0; i < 12; i++) {
    const r = await via(port, ca, '127.0.0.1', 'POST', '/v1/points/evaluations', {
      body: EXAMPLE_POINTS_REQUEST,
      headers: { authorization: `Bearer ${key}` },
    })
    tt.equal(r.status, 201, r.status === 201 ? `evaluation ${i} through nginx` : r.body.slice(0, 300))
    references.push(JSON.parse(r.body).reference)
  }
  tt.equal(new Set(references).size, 12, 'twelve records, twelve references')
  const served = [a, b].map((x) => (x.stdout().match(/"route":"\/v1\/points\/evaluations"/g) ?? []).length)
  tt.ok(served[0] > 0 && served[1] > 0, `both instances served (${served.join(' + ')})`)

  // the public preview, rate-limited per client address as nginx reports it, shared by both instances
  const preview = (from: string, headers: Record<string, string> = {}) =>
    via(port, ca, from, 'POST', '/v1/points/preview', { body: EXAMPLE_POINTS_REQUEST, headers }).then(
      (r) => r.status,
    )
  const first = [await preview('127.0.0.2'), await preview('127.0.0.2'), await preview('127.0.0.2')]
  tt.same(first, [200, 200, 429], 'client 127.0.0.2: two a window in all, whichever instance answers')
  tt.equal(
    await preview('127.0.0.2', { 'x-forwarded-for': '10.9.8.7' }),
    429,
    'a forged X-Forwarded-For buys no new allowance',
  )
  tt.equal(await preview('127.0.0.3'), 200, 'another client has its own allowance')
  // the answer can reach the test before the instance's log line crosses its stdout pipe: wait for it (bounded)
  const clientLogged = /"remoteAddress":"127\.0\.0\.3"/
  await until('an instance logs the request from 127.0.0.3', async () =>
    clientLogged.test(a.stdout() + b.stdout()),
  ).catch(() => undefined)
  const logged = a.stdout() + b.stdout()
  tt.match(logged, clientLogged, 'the instances log the client, not the proxy')
})
