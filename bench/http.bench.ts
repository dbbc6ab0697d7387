// HTTP benchmark (npm run bench:http): preview and stored evaluations as shares of a same-run ceiling route, and the cost of synchronous=FULL.
//
//   npm run bench:http                  5 s per target, 50 connections, loopback (BENCH_QUICK=1: 2 s)
//   npm run bench:http -- --seconds 10
//
// Each server runs in its own child process (so autocannon does not share its event loop), with
// logging at `warn` as in production. product.md's bars are ratios to the same run's ceiling route:
// a bare Fastify route with preview's request validation (zod) and the app's compiled response
// serializer (src/plugins/serializer.ts), doing no work; the ceiling's own ratio to hello-world is
// reported too. Durability (issue 11): stored evaluations on the production repository with its
// synchronous=FULL, against the same app whose SQLite connections are switched to synchronous=NORMAL
// in the bench's child process only (production stays FULL), in alternating runs. Figures go to
// BENCH_JSON_OUT. Exits non-zero when a target is missed or a request fails.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import type { FastifyInstance } from 'fastify'
import { EXAMPLE_APPLICANT, type Preview } from '../schema/api.ts'
import { fig, QUICK, writeFigures } from './lib/figures.ts'
import { BENCH_SECRET, benchDatabase, benchKey } from './lib/stored-scale-out.ts'

const CONNECTIONS = 50
/** product.md: preview ≥ 60 % and stored ≥ 40 % of the ceiling route; preview p99 ≤ 20 ms */
const TARGETS = { previewRatio: 0.6, storedRatio: 0.4, p99Ms: 20 }

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
    const { PreviewRequestSchema, PreviewSchema } = await import('../schema/api.ts')
    const { responseSerializerCompiler } = await import('../src/plugins/serializer.ts')
    const response = JSON.parse(readFileSync(dbPath, 'utf8')) as unknown
    const app = Fastify({ logger: false })
    app.setValidatorCompiler(validatorCompiler)
    // the app's own compiled serializer (fast-json-stringify from the response schema), as production
    app.setSerializerCompiler(responseSerializerCompiler(false))
    app.post(
      '/',
      { schema: { body: PreviewRequestSchema, response: { 200: PreviewSchema } } },
      async () => response,
    )
    await listenAndAnnounce(app)
    return
  }
  let switched = 0
  if (kind === 'app-normal') {
    // Durability's cost, measured: this child's SQLite connections get synchronous=NORMAL where
    // connect() (src/repositories/sqlite/database.ts) asks for FULL. Only this bench process is
    // changed; the production code and its setting stay as they are.
    const { default: Database } = await import('better-sqlite3')
    const pragma = Database.prototype.pragma
    Database.prototype.pragma = function (
      this: InstanceType<typeof Database>,
      source: string,
      options?: never,
    ) {
      if (/^\s*synchronous\s*=\s*FULL\s*$/i.test(source)) {
        switched++
        return pragma.call(this, 'synchronous = NORMAL', options)
      }
      return pragma.call(this, source, options)
    } as typeof pragma
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
    // the overload check (under-pressure) would answer 503 on this shared, loaded machine: the bench
    // measures throughput, so it is off here as in the tests; production keeps it
    JIFEN_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
  })
  const app = buildApp(config)
  if (kind === 'app-normal') {
    await app.ready()
    if (switched === 0)
      throw new Error('app-normal: no connection asked for synchronous = FULL, nothing was switched')
  }
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
    // no answer within the run: its latency is at least the run's length, not autocannon's 0
    p99: r.requests.total === 0 ? seconds * 1000 : r.latency.p99,
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
  const seconds = i > 0 ? Number(process.argv[i + 1]) : QUICK ? 2 : 5
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
    const previewVsCeiling = p.rps / c.rps
    const storedVsCeiling = s.rps / c.rps
    const failures: string[] = []
    if (previewVsCeiling < TARGETS.previewRatio)
      failures.push(`preview ${(previewVsCeiling * 100).toFixed(0)} % of the ceiling < 60 %`)
    if (storedVsCeiling < TARGETS.storedRatio)
      failures.push(`stored ${(storedVsCeiling * 100).toFixed(0)} % of the ceiling < 40 %`)
    if (p.p99 > TARGETS.p99Ms) failures.push(`preview p99 ${p.p99} ms > 20 ms`)
    for (const [name, r] of [
      ['preview', p],
      ['stored', s],
      ['ceiling', c],
    ] as const) {
      if (r.non2xx > 0 || r.errors > 0) failures.push(`${name}: ${r.non2xx} non-2xx, ${r.errors} errors`)
    }
    constant.child.kill()

    // Durability (issue 11): stored evaluations with synchronous=FULL (production) and NORMAL, each on
    // a fresh database, alternating FULL, NORMAL, NORMAL, FULL so that drift in the load hits both alike.
    const durability: Record<'app' | 'app-normal', Run[]> = { app: [], 'app-normal': [] }
    for (const [n, kind] of (['app', 'app-normal', 'app-normal', 'app'] as const).entries()) {
      const inst = await start(kind, join(dir, `durability-${n}.sqlite`))
      children.push(inst.child)
      await check(inst.port, inst.key)
      durability[kind].push(
        await load(`http://127.0.0.1:${inst.port}/v1/points/evaluations`, 'POST', seconds, inst.key),
      )
      inst.child.kill()
    }
    const mean = (rs: Run[]) => rs.reduce((t, r) => t + r.rps, 0) / rs.length
    const full = mean(durability.app)
    const normal = mean(durability['app-normal'])
    console.log(
      `durability: stored evaluations, synchronous=FULL ${full.toFixed(0)} req/s (${durability.app.map((r) => r.rps.toFixed(0)).join(', ')}), NORMAL ${normal.toFixed(0)} req/s (${durability['app-normal'].map((r) => r.rps.toFixed(0)).join(', ')}): FULL keeps ${((full / normal) * 100).toFixed(0)} % of NORMAL's rate`,
    )
    for (const r of [...durability.app, ...durability['app-normal']])
      if (r.non2xx > 0 || r.errors > 0) failures.push(`durability: ${r.non2xx} non-2xx, ${r.errors} errors`)

    const setting = `${CONNECTIONS} connections, ${seconds} s, loopback`
    const figures = [
      fig({
        id: 'http.preview_vs_ceiling',
        label: 'POST /v1/points/preview req/s / ceiling route req/s (same run)',
        value: previewVsCeiling * 100,
        unit: '%',
        bar: { op: '>=', value: TARGETS.previewRatio * 100 },
        note:
          previewVsCeiling >= TARGETS.previewRatio
            ? `preview ${p.rps.toFixed(0)} req/s, ceiling ${c.rps.toFixed(0)} req/s; ${setting}`
            : `preview ${p.rps.toFixed(0)} req/s, ceiling ${c.rps.toFixed(0)} req/s; with scoring, hash and advice replaced by the finished answer the app reaches ${k.rps.toFixed(0)} req/s, so that work is ${((1 - p.rps / k.rps) * 100).toFixed(0)} % of a preview under load and the app's hooks the rest of the gap. Next: profile advice (it prices ~20 changes per preview) and the per-request hooks.`,
      }),
      fig({
        id: 'http.preview_p99',
        label: `preview p99 latency at ${CONNECTIONS} connections`,
        value: p.p99,
        unit: 'ms',
        bar: { op: '<=', value: TARGETS.p99Ms },
        note:
          p.p99 <= TARGETS.p99Ms
            ? `p50 ${p.p50} ms; ${setting}`
            : `p50 ${p.p50} ms; at ${CONNECTIONS} connections the mean latency is ${CONNECTIONS} / throughput ≈ ${((CONNECTIONS / p.rps) * 1000).toFixed(0)} ms, so p99 follows throughput. Next: raise preview's throughput (see the ratio above); re-run on an idle machine.`,
      }),
      fig({
        id: 'http.stored_vs_ceiling',
        label: 'POST /v1/points/evaluations (stored) req/s / ceiling route req/s (same run)',
        value: storedVsCeiling * 100,
        unit: '%',
        bar: { op: '>=', value: TARGETS.storedRatio * 100 },
        note:
          storedVsCeiling >= TARGETS.storedRatio
            ? `stored ${s.rps.toFixed(0)} req/s, ceiling ${c.rps.toFixed(0)} req/s; ${setting}`
            : `stored ${s.rps.toFixed(0)} req/s, ceiling ${c.rps.toFixed(0)} req/s. A stored evaluation also hashes the facts, writes the record, its audit entry (HMAC) and its idempotency row in a synchronous=FULL transaction (NORMAL would give ${((normal / full) * 100).toFixed(0)} % of FULL's rate, see http.durability_full_vs_normal). Next: profile a stored evaluation under load; larger group-commit batches.`,
      }),
      fig({
        id: 'http.ceiling_vs_hello',
        label: "ceiling route req/s / hello-world GET req/s: the stack's own limit",
        value: (c.rps / h.rps) * 100,
        unit: '%',
        note: `ceiling ${c.rps.toFixed(0)} req/s (zod validation + compiled serializer, no work), hello-world ${h.rps.toFixed(0)} req/s`,
      }),
      fig({ id: 'http.hello_rps', label: 'Fastify hello-world GET /', value: h.rps, unit: 'req/s' }),
      fig({ id: 'http.ceiling_rps', label: 'ceiling route', value: c.rps, unit: 'req/s' }),
      fig({ id: 'http.preview_rps', label: 'POST /v1/points/preview', value: p.rps, unit: 'req/s' }),
      fig({
        id: 'http.stored_rps',
        label: 'POST /v1/points/evaluations (SQLite, synchronous=FULL)',
        value: s.rps,
        unit: 'req/s',
      }),
      fig({
        id: 'http.stored_p99',
        label: `stored evaluation p99 at ${CONNECTIONS} connections`,
        value: s.p99,
        unit: 'ms',
      }),
      fig({
        id: 'http.preview_work_share',
        label: 'share of a preview request under load spent on scoring, facts hash and advice',
        value: (1 - p.rps / k.rps) * 100,
        unit: '%',
        note: `the app with that work replaced by its answer: ${k.rps.toFixed(0)} req/s`,
      }),
      fig({
        id: 'http.durability_full_vs_normal',
        label: 'stored evaluations, synchronous=FULL req/s / synchronous=NORMAL req/s (issue 11)',
        value: (full / normal) * 100,
        unit: '%',
        note: `FULL ${full.toFixed(0)} req/s, NORMAL ${normal.toFixed(0)} req/s (means of 2 alternating runs each, fresh databases, ${setting}); production stays FULL`,
      }),
    ]
    // written now and again after PostgreSQL, so that a PostgreSQL failure keeps the figures above
    writeFigures(figures)

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
      figures.push(
        fig({
          id: 'http.stored_pg1_rps',
          label: 'stored evaluations, PostgreSQL, 1 instance',
          value: pg1.rps,
          unit: 'req/s',
        }),
        fig({
          id: 'http.stored_pg2_rps',
          label: 'stored evaluations, PostgreSQL, 2 instances on one database (25 + 25 connections)',
          value: pg2.rps,
          unit: 'req/s',
          note: `2 instances / 1: ${(pg2.rps / pg1.rps).toFixed(2)}×; PostgreSQL 1 / SQLite: ${(pg1.rps / s.rps).toFixed(2)}×`,
        }),
      )
    } finally {
      await db.drop()
    }
    writeFigures(figures)
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
