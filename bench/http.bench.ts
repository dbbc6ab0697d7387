// HTTP benchmark (npm run bench:http): preview and stored evaluations against a same-run Fastify hello-world.
//
//   npm run bench:http                  5 s per target, 50 connections, loopback
//   npm run bench:http -- --seconds 10
//
// Each server runs in its own child process (so autocannon does not share its event loop), with
// logging at `warn` as in production. Reported as ratios to hello-world from the same run, because
// absolute figures depend on the machine. Exits non-zero when a target is missed or a request fails.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import type { FastifyInstance } from 'fastify'
import { EXAMPLE_APPLICANT, type Preview } from '../schema/api.ts'
import { BENCH_SECRET, benchDatabase, benchKey } from './lib/stored-scale-out.ts'

const CONNECTIONS = 50
const TARGETS = { previewRatio: 0.5, storedRatio: 0.25, p99Ms: 20 }

/**
 * A realistic ~1 KB request: the README's applicant (schema/api.ts), as a counter would send it, with
 * two years insured in Suzhou before Ningbo and two city items.
 */
const BODY = JSON.stringify({
  jurisdiction: '330212',
  asOf: '2026-04-30',
  applicant: {
    ...EXAMPLE_APPLICANT,
    socialInsurance: [
      { from: '2017-01', to: '2018-12', region: '320500', backPaid: false },
      ...EXAMPLE_APPLICANT.socialInsurance,
    ],
    cityItems: { bloodDonations: 2, publicWelfareHours: 45 },
  },
})

// ---------------------------------------------------------------- child: one server

/** Listens on a free loopback port and tells the parent which (and the API key, for the app). */
async function listenAndAnnounce(app: FastifyInstance, key?: string): Promise<void> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  const addr = app.server.address()
  const port = typeof addr === 'object' && addr ? addr.port : 0
  process.stdout.write(`LISTENING ${port}${key === undefined ? '' : ` KEY ${key}`}\n`)
}

async function serve(kind: string, dbPath: string, constantFile = ''): Promise<void> {
  if (kind === 'hello' || kind === 'hello-sized') {
    const { default: Fastify } = await import('fastify')
    const app = Fastify({ logger: false })
    app.get('/', async () => ({ hello: 'world' }))
    // the same bytes as a real preview response, served without any work: what the loopback and the
    // load generator allow for a response of that size (`dbPath` carries the file holding it here)
    if (kind === 'hello-sized') {
      const sized = readFileSync(dbPath, 'utf8')
      app.post('/', (_req, reply) => {
        reply.header('content-type', 'application/json').send(sized)
      })
    }
    await listenAndAnnounce(app)
    return
  }
  if (kind === 'ceiling') {
    // What preview could reach on this stack if scoring, hashing, advice, logging and the security
    // hooks cost nothing: the same request validated by the same zod schema, the same response
    // object serialised as the app serialises it. Preview cannot beat this line.
    const { default: Fastify } = await import('fastify')
    const { validatorCompiler } = await import('fastify-type-provider-zod')
    const { EvaluationRequestSchema } = await import('../schema/api.ts')
    const response = JSON.parse(readFileSync(dbPath, 'utf8')) as unknown
    const app = Fastify({ logger: false })
    app.setValidatorCompiler(validatorCompiler)
    app.setSerializerCompiler(() => (data) => JSON.stringify(data))
    app.post('/', { schema: { body: EvaluationRequestSchema } }, async () => response)
    await listenAndAnnounce(app)
    return
  }
  const { buildApp } = await import('../src/app.ts')
  const { loadConfig } = await import('../src/config.ts')
  // `app-url`: an instance on PostgreSQL (dbPath carries the URL), its key made once by the parent
  const onPg = kind === 'app-url'
  // a police key for the official route, made as `jifen keys create` makes it
  const key = onPg ? constantFile : await benchKey({ dbPath, databaseUrl: null })
  // the public rate limit (120 a minute by default) would turn the load into 429s: off for the bench
  const config = loadConfig({
    ...(onPg
      ? { JIFEN_DATABASE_URL: dbPath, JIFEN_ID_HMAC_SECRET: BENCH_SECRET }
      : { JIFEN_DB_PATH: dbPath }),
    JIFEN_LOG_LEVEL: 'warn',
    JIFEN_PORT: '0',
    JIFEN_RATE_LIMIT_MAX: '0',
  })
  const app = buildApp(config)
  if (kind === 'app-constant') {
    // The real app, every hook and plugin included, with the preview's work (scoring, facts hash,
    // advice) replaced by its finished answer: what that work costs under load, by difference.
    const answer = JSON.parse(readFileSync(constantFile, 'utf8')) as Preview
    await app.ready()
    app.jifen.services().points.preview = () => answer
  }
  await listenAndAnnounce(app, key)
}

// ---------------------------------------------------------------- parent: measure

function start(
  kind: string,
  dbPath: string,
  constantFile = '',
): Promise<{ child: ChildProcess; port: number; key: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve', kind, dbPath, constantFile],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (d: Buffer) => {
      out += String(d)
      const m = /LISTENING (\d+)(?: KEY (\S+))?\n/.exec(out)
      if (m) resolve({ child, port: Number(m[1]), key: m[2] ?? '' })
    })
    child.on('exit', (code) => reject(new Error(`${kind} server exited with ${code} before listening`)))
  })
}

interface Run {
  rps: number
  p99: number
  p50: number
  non2xx: number
  errors: number
}

async function load(
  url: string,
  method: 'GET' | 'POST',
  seconds: number,
  key = '',
  connections = CONNECTIONS,
): Promise<Run> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (key) headers.authorization = `Bearer ${key}`
  const opts = {
    url,
    method,
    connections,
    duration: seconds,
    ...(method === 'POST' ? { body: BODY, headers } : {}),
  }
  await autocannon({ ...opts, duration: 1 }) // warm-up: JIT, statement caches
  const r = await autocannon(opts)
  return {
    rps: r.requests.average,
    p99: r.latency.p99,
    p50: r.latency.p50,
    non2xx: r.non2xx,
    errors: r.errors,
  }
}

/** Checks both routes give the hand-computed total; returns the preview response's exact text. */
async function check(port: number, key: string): Promise<string> {
  let previewText = ''
  // correctness first: a fast wrong answer is no answer (107.5 + blood 2×2 + welfare ⌊45/20⌋ = 113.5,
  // with 24 Jiangsu months added to Zhejiang's? no: only Zhejiang months count, so insurance stays capped)
  for (const [path, status] of [
    ['/v1/points/preview', 200],
    ['/v1/points/evaluations', 201],
  ] as const) {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: BODY,
    })
    const text = await res.text()
    if (path === '/v1/points/preview') previewText = text
    const body = JSON.parse(text) as { result?: { total: number } }
    if (res.status !== status || body.result?.total !== 113.5) {
      throw new Error(`${path}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`)
    }
  }
  return previewText
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--seconds')
  const seconds = i > 0 ? Number(process.argv[i + 1]) : 5
  const dir = mkdtempSync(join(tmpdir(), 'jifen-bench-'))
  const children: ChildProcess[] = []
  try {
    const hello = await start('hello', '')
    children.push(hello.child)
    const h = await load(`http://127.0.0.1:${hello.port}/`, 'GET', seconds)
    hello.child.kill()

    const app = await start('app', join(dir, 'bench.sqlite'))
    children.push(app.child)
    const previewText = await check(app.port, app.key)
    const p = await load(`http://127.0.0.1:${app.port}/v1/points/preview`, 'POST', seconds)
    const s = await load(`http://127.0.0.1:${app.port}/v1/points/evaluations`, 'POST', seconds, app.key)
    app.child.kill()

    const sizedFile = join(dir, 'preview-response.json')
    writeFileSync(sizedFile, previewText)
    const sized = await start('hello-sized', sizedFile)
    children.push(sized.child)
    const hs = await load(`http://127.0.0.1:${sized.port}/`, 'POST', seconds)
    sized.child.kill()

    const ceiling = await start('ceiling', sizedFile)
    children.push(ceiling.child)
    const c = await load(`http://127.0.0.1:${ceiling.port}/`, 'POST', seconds)
    ceiling.child.kill()

    const constant = await start('app-constant', join(dir, 'constant.sqlite'), sizedFile)
    children.push(constant.child)
    const k = await load(`http://127.0.0.1:${constant.port}/v1/points/preview`, 'POST', seconds)

    const fmt = (name: string, r: Run, ratio?: number) =>
      `${name.padEnd(22)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${String(r.p50).padStart(3)} ms  p99 ${String(r.p99).padStart(3)} ms${ratio === undefined ? '' : `  ${(ratio * 100).toFixed(0).padStart(3)} % of hello-world`}`
    const previewRatio = p.rps / h.rps
    const storedRatio = s.rps / h.rps
    console.log(`http: ${CONNECTIONS} connections, ${seconds} s each, loopback`)
    console.log(fmt('hello-world GET /', h))
    console.log(fmt('POST /v1/points/preview', p, previewRatio))
    console.log(fmt('POST …/evaluations', s, storedRatio))
    const bytes = Buffer.byteLength(previewText)
    console.log(
      `${fmt(`hello-world POST, ${bytes} B`, hs)}  (a constant response as large as preview's: preview is ${((p.rps / hs.rps) * 100).toFixed(0)} % of it, stored ${((s.rps / hs.rps) * 100).toFixed(0)} %)`,
    )
    console.log(
      `${fmt('zod in, same JSON out', c, c.rps / h.rps)}  (the stack's ceiling for preview: no scoring, no hooks; preview is ${((p.rps / c.rps) * 100).toFixed(0)} % of it)`,
    )
    console.log(
      `${fmt('preview, work replaced', k, k.rps / h.rps)}  (the app with preview's scoring, hash and advice replaced by its answer: that work is ${((1 - p.rps / k.rps) * 100).toFixed(0)} % of a preview request under load)`,
    )
    const failures: string[] = []
    if (previewRatio < TARGETS.previewRatio)
      failures.push(`preview ${(previewRatio * 100).toFixed(0)} % < 50 %`)
    if (storedRatio < TARGETS.storedRatio) failures.push(`stored ${(storedRatio * 100).toFixed(0)} % < 25 %`)
    if (p.p99 > TARGETS.p99Ms) failures.push(`preview p99 ${p.p99} ms > 20 ms`)
    if (s.p99 > TARGETS.p99Ms) failures.push(`stored p99 ${s.p99} ms > 20 ms`)
    for (const [name, r] of [
      ['preview', p],
      ['stored', s],
    ] as const) {
      if (r.non2xx > 0 || r.errors > 0) failures.push(`${name}: ${r.non2xx} non-2xx, ${r.errors} errors`)
    }
    constant.child.kill()

    // Stored evaluations on each backend: SQLite (the line above, one instance: one file, one
    // writer) and PostgreSQL with one and with two instances sharing the database, each instance
    // in its own process; with two, the 50 connections are split 25 + 25 and the rates added.
    const db = await benchDatabase()
    try {
      const key = await benchKey({ dbPath: ':memory:', databaseUrl: db.url })
      const one = await start('app-url', db.url, key)
      children.push(one.child)
      const pg1 = await load(`http://127.0.0.1:${one.port}/v1/points/evaluations`, 'POST', seconds, key)
      const two = await start('app-url', db.url, key)
      children.push(two.child)
      const [x, y] = await Promise.all(
        [one, two].map((i) =>
          load(`http://127.0.0.1:${i.port}/v1/points/evaluations`, 'POST', seconds, key, CONNECTIONS / 2),
        ),
      )
      one.child.kill()
      two.child.kill()
      const pg2: Run = {
        rps: x.rps + y.rps,
        p50: Math.max(x.p50, y.p50),
        p99: Math.max(x.p99, y.p99),
        non2xx: x.non2xx + y.non2xx,
        errors: x.errors + y.errors,
      }
      console.log('stored evaluations per second, by backend (same run):')
      console.log(fmt('  SQLite, 1 instance', s, s.rps / h.rps))
      console.log(fmt('  PostgreSQL, 1 inst.', pg1, pg1.rps / h.rps))
      console.log(
        `${fmt('  PostgreSQL, 2 inst.', pg2, pg2.rps / h.rps)}  (2 instances / 1: ${(pg2.rps / pg1.rps).toFixed(2)}×; PostgreSQL 1 / SQLite: ${(pg1.rps / s.rps).toFixed(2)}×)`,
      )
      for (const [name, r] of [
        ['PostgreSQL 1', pg1],
        ['PostgreSQL 2', pg2],
      ] as const) {
        if (r.non2xx > 0 || r.errors > 0) failures.push(`${name}: ${r.non2xx} non-2xx, ${r.errors} errors`)
      }
    } finally {
      await db.drop()
    }
    console.log(failures.length === 0 ? 'http: all targets met' : `http: MISSED ${failures.join('; ')}`)
    process.exitCode = failures.length === 0 ? 0 : 1
  } finally {
    for (const c of children) c.kill()
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv.includes('--serve')) {
  const k = process.argv.indexOf('--serve')
  await serve(process.argv[k + 1], process.argv[k + 2], process.argv[k + 3])
} else {
  await main()
}
