// Durability's cost (issue 11): stored evaluations with the production synchronous=FULL against the same repository at synchronous=NORMAL, in process, alternating rounds.
//
//   npx tsx bench/durability.bench.ts [--rounds 7] [--n 400]     (BENCH_QUICK=1: 3 rounds of 100)
//
// Two instances of the real app in this process (app.inject: validation, scoring, the facts hash,
// the record, its audit entry and its idempotency row, through the group-commit writer), each on its
// own database file on disk. The second one's SQLite connections are opened with synchronous=NORMAL
// where connect() (src/repositories/sqlite/database.ts) asks for FULL: better-sqlite3's pragma() is
// wrapped while that app opens, in this bench process only; production stays FULL. Each round
// sends N official evaluations, 50 in flight, to each app in turn (alternating which goes first), so
// that the machine's load hits both alike; the ratio of the medians is the figure. The HTTP bench
// measures the same over sockets, where the load of a shared machine swamps it.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { EXAMPLE_POINTS_REQUEST } from '../schema/api.ts'
import { buildApp } from '../src/app.ts'
import { testConfig } from '../src/config.ts'
import { fig, QUICK, writeFigures } from './lib/figures.ts'

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : fallback
}
const ROUNDS = arg('rounds', QUICK ? 3 : 7)
const N = arg('n', QUICK ? 100 : 400)
const IN_FLIGHT = 50

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

/** An app on its own database file; with `normal`, its connections get synchronous=NORMAL. */
async function open(dbPath: string, normal: boolean) {
  const pragma = Database.prototype.pragma
  let switched = 0
  if (normal) {
    Database.prototype.pragma = function (this: Database.Database, source: string, options?: never) {
      if (/^\s*synchronous\s*=\s*FULL\s*$/i.test(source)) {
        switched++
        return pragma.call(this, 'synchronous = NORMAL', options)
      }
      return pragma.call(this, source, options)
    } as typeof pragma
  }
  try {
    const app = buildApp(testConfig({ dbPath, logLevel: 'warn', rateLimitMax: 0 }), {
      idHmacSecret: 'bench-only-id-hmac-secret-0123456789abcdef',
    })
    await app.ready()
    if (normal && switched === 0) throw new Error('no connection asked for synchronous = FULL')
    const { key } = await app.jifen
      .services()
      .keys.create('bench', ['police'], { keyId: null, keyName: 'bench' })
    return { app, key }
  } finally {
    Database.prototype.pragma = pragma
  }
}

type Instance = Awaited<ReturnType<typeof open>>

/** N stored evaluations, IN_FLIGHT at a time; returns records per second. */
async function round({ app, key }: Instance): Promise<number> {
  let next = 0
  let failed = 0
  const started = process.hrtime.bigint()
  const worker = async () => {
    while (next < N) {
      next++
      const res = await app.inject({
        method: 'POST',
        url: '/v1/points/evaluations',
        payload: EXAMPLE_POINTS_REQUEST,
        headers: { authorization: `Bearer ${key}` },
      })
      if (res.statusCode !== 201) failed++
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
  if (failed > 0) throw new Error(`${failed} of ${N} evaluations were not stored`)
  return N / (Number(process.hrtime.bigint() - started) / 1e9)
}

const dir = mkdtempSync(join(tmpdir(), 'jifen-durability-'))
try {
  const full = await open(join(dir, 'full.sqlite'), false)
  const normal = await open(join(dir, 'normal.sqlite'), true)
  await round(full) // warm-up: JIT, statement caches
  await round(normal)
  const rates = { full: [] as number[], normal: [] as number[] }
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? (['full', 'normal'] as const) : (['normal', 'full'] as const)
    for (const which of order) rates[which].push(await round(which === 'full' ? full : normal))
  }
  await full.app.close()
  await normal.app.close()
  const f = median(rates.full)
  const n = median(rates.normal)
  const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ')
  console.log(
    `durability: ${ROUNDS} alternating rounds of ${N} stored evaluations, ${IN_FLIGHT} in flight, in process`,
  )
  console.log(`  synchronous=FULL   (production) median ${f.toFixed(0)} records/s  (${list(rates.full)})`)
  console.log(`  synchronous=NORMAL               median ${n.toFixed(0)} records/s  (${list(rates.normal)})`)
  console.log(`  FULL keeps ${((f / n) * 100).toFixed(0)} % of NORMAL's rate`)
  writeFigures([
    fig({
      id: 'durability.full_vs_normal',
      label:
        'stored evaluations, synchronous=FULL rate / synchronous=NORMAL rate (in process, alternating rounds)',
      value: (f / n) * 100,
      unit: '%',
      note: `medians of ${ROUNDS} rounds of ${N}, ${IN_FLIGHT} in flight: FULL ${f.toFixed(0)}/s (${list(rates.full)}), NORMAL ${n.toFixed(0)}/s (${list(rates.normal)}); production stays FULL`,
    }),
    fig({
      id: 'durability.full_rps',
      label: 'stored evaluations, synchronous=FULL (production), in process',
      value: f,
      unit: 'records/s',
    }),
    fig({
      id: 'durability.normal_rps',
      label: 'stored evaluations, synchronous=NORMAL, in process',
      value: n,
      unit: 'records/s',
    }),
  ])
} finally {
  rmSync(dir, { recursive: true, force: true })
}
