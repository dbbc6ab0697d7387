// Hostile-body benchmark (npm run bench -- hostile): the oversized bodies answered in ≤ 200 ms and ≤ 64 KB, against a small bad request in the same run.
//
//   npm run bench -- hostile               7 rounds
//   npx tsx bench/hostile.bench.ts --rounds 11
//
// Each body goes through the real app in this process (app.inject: parsing, the size limits, zod,
// the error handler, serialisation), in alternating rounds; the median per body is reported with its
// ratio to the baseline, a small bad preview (one wrong field). The bar (issue 11) is an absolute
// 200 ms per answer and 64 KB per body; the ratio shows how much of it is the body's size rather than
// the machine. The draft-table body is bounded by the table format's array maxima (schema/table.ts):
// until they exist zod walks all 100,000 elements and that line is expected to miss the bar.

import { EXAMPLE_POINTS_REQUEST } from '../schema/api.ts'
import { buildApp } from '../src/app.ts'
import { fixedClock } from '../src/clock.ts'
import { testConfig } from '../src/config.ts'
import { loadShippedTables } from '../src/tables/shipped.ts'
import { type Figure, fig, QUICK, writeFigures } from './lib/figures.ts'

const BAR_MS = 200
const BAR_BYTES = 64 * 1024

interface Case {
  name: string
  url: string
  payload: string
  keyed: boolean
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

const withApplicant = (extra: Record<string, unknown>) =>
  JSON.stringify({ ...EXAMPLE_POINTS_REQUEST, applicant: { ...EXAMPLE_POINTS_REQUEST.applicant, ...extra } })

function cases(): Case[] {
  const zhejiang = loadShippedTables().find((t) => t.id === 'zhejiang-points-2022')
  return [
    {
      name: 'baseline: a small bad preview (one wrong field)',
      url: '/v1/points/preview',
      keyed: false,
      payload: withApplicant({ birthDate: 'x' }),
    },
    {
      name: '200 KB draft table, a 100,000-element array',
      url: '/v1/rulesets',
      keyed: true,
      payload: JSON.stringify({
        table: { ...zhejiang, id: 'hostile-table', version: 1, items: Array(100_000).fill(0) },
      }),
    },
    {
      name: 'preview: 30,000 skills (max 50)',
      url: '/v1/points/preview',
      keyed: false,
      payload: withApplicant({ skills: Array(30_000).fill(0) }),
    },
    {
      name: 'preview: 450 bad insurance periods (1,800 issues)',
      url: '/v1/points/preview',
      keyed: false,
      payload: withApplicant({ socialInsurance: Array(450).fill({ backPaid: 'no' }) }),
    },
    {
      name: 'preview: 5,000 unknown keys',
      url: '/v1/points/preview',
      keyed: false,
      payload: withApplicant(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, 0]))),
    },
    {
      name: '40,000 named dates (official evaluation)',
      url: '/v1/points/evaluations',
      keyed: true,
      payload: JSON.stringify({
        ...EXAMPLE_POINTS_REQUEST,
        dates: Object.fromEntries(Array.from({ length: 40_000 }, (_, i) => [`d${i}`, '2020-01-01'])),
      }),
    },
  ]
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--rounds')
  const rounds = i > 0 ? Number(process.argv[i + 1]) : QUICK ? 2 : 7
  // as in service: logs at warn, no response validation; no rate limit or pressure checks (they would measure the bench)
  const app = buildApp(testConfig({ logLevel: 'warn', rateLimitMax: 0 }), {
    clock: fixedClock('2026-05-15T02:00:00.000Z'),
    idHmacSecret: 'bench-only-id-hmac-secret-0123456789abcdef',
  })
  await app.ready()
  const { key } = await app.jifen
    .services()
    .keys.create('bench', ['admin', 'police'], { keyId: null, keyName: 'bench' })
  const all = cases()
  const times = new Map<string, number[]>(all.map((c) => [c.name, []]))
  const sizes = new Map<string, number>()
  const send = (c: Case) =>
    app.inject({
      method: 'POST',
      url: c.url,
      payload: c.payload,
      headers: { 'content-type': 'application/json', ...(c.keyed ? { authorization: `Bearer ${key}` } : {}) },
    })
  for (const c of all) {
    const res = await send(c) // warm-up, and the answer checked once
    if (res.statusCode !== 400) throw new Error(`${c.name}: expected 400, got ${res.statusCode}`)
    sizes.set(c.name, res.rawPayload.length)
  }
  for (let r = 0; r < rounds; r++) {
    for (const c of r % 2 === 0 ? all : [...all].reverse()) {
      const started = process.hrtime.bigint()
      await send(c)
      times.get(c.name)?.push(Number(process.hrtime.bigint() - started) / 1e6)
    }
  }
  await app.close()

  const base = median(times.get(all[0].name) ?? [])
  let missed = 0
  const figures: Figure[] = []
  console.log(`hostile bodies, ${rounds} rounds, median per answer (bar: ≤ ${BAR_MS} ms and ≤ 64 KB)\n`)
  for (const c of all) {
    const ms = median(times.get(c.name) ?? [])
    const bytes = sizes.get(c.name) ?? 0
    const ok = ms <= BAR_MS && bytes <= BAR_BYTES
    if (!ok) missed++
    const ratio = c === all[0] ? '' : `  ${(ms / base).toFixed(1)}× baseline`
    const slug = c.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_|_$/g, '')
    const why = `answer ${bytes} B (bar 64 KB), ${(ms / base).toFixed(1)}× the small bad preview; ${rounds} rounds, app.inject`
    figures.push(
      fig({
        id: `hostile.${slug}_ms`,
        label: `hostile body, time to its 400: ${c.name}`,
        value: ms,
        unit: 'ms',
        bar: { op: '<=', value: BAR_MS },
        note:
          ms <= BAR_MS
            ? why
            : `${why}. Next: bound the array or map at the schema (issue 11) so zod stops early.`,
      }),
      fig({
        id: `hostile.${slug}_bytes`,
        label: `hostile body, size of its 400: ${c.name}`,
        value: bytes,
        unit: 'B',
        bar: { op: '<=', value: BAR_BYTES },
      }),
    )
    console.log(
      `  ${ok ? 'PASS' : 'FAIL'}  ${c.name.padEnd(50)} body ${String(c.payload.length).padStart(7)} B  answer ${String(bytes).padStart(6)} B  ${ms.toFixed(2).padStart(8)} ms${ratio}`,
    )
  }
  writeFigures(figures)
  process.exitCode = missed > 0 ? 1 : 0
}

await main()
