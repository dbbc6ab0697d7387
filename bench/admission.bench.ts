// Admission benchmark: allocation of 100,000 evaluated applications (300 schools, 5 preferences each) by
// scoring/allocation.ts against a same-run baseline sort, and a bulk request of 10,000 applications.
//
//   npm run bench:admission [-- --n=100000 --schools=300 --rounds=7 --seed=20260401 --bulk=10000
//                              --tie-break=points,insuranceMonths,residenceMonths,appliedAt,lottery]
//
// Figures (the benchmark figure contract, bench/run-all.ts): printed, and written as
// {"figures":[…]} to the file BENCH_JSON_OUT names when it is set:
//   admission.allocate_100k  CPU seconds, median: product.md's bar ≤ 0.25 s
//   admission.bulk_10k       CPU seconds of one POST …/applications of 10,000 rows (validation, evaluation
//                            of every household, storage in one transaction) on SQLite in this process,
//                            median of 3: product.md's bar ≤ 2 s. Judged on CPU time like the allocation
//                            (wall time on CI's shared cores measures the neighbours); wall is in the note.
// BENCH_QUICK=1 runs smaller sizes (10,000 applications, 30 schools, 3 rounds; 1,000 rows in bulk) as a
// smoke test: the figures then carry no bar.
//
// Product.md's bar: ranking and placement ≤ 0.25 s. The baseline (a plain comparator over plain objects: no
// lottery, no placement, no outcomes) runs alternately with ours, so that a slow or busy machine shows as
// such: the ratio is the figure that travels between machines. Each run is timed in wall time and in this
// process's CPU time; the bar is judged on CPU time, because CI's two cores are shared and wall time there
// includes waiting for a core (on a quiet machine the two agree). Before timing, the result is checked
// (capacity, no justified envy, every unplaced child refused by every unit it listed, the same bytes for
// shuffled input).
//
// Exit status: 0 when every check holds and the bar is met; 1 otherwise.
import { writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { Writable } from 'node:stream'
import type { Test } from 'tap'
import {
  type AllocationApplication,
  type AllocationResult,
  type AllocationRound,
  allocate,
  DEFAULT_TIE_BREAK,
  type TieBreakKey,
} from '../scoring/allocation.ts'
import { build, bulkApplication, bulkRound, issueKey } from '../test/helper.ts'
import { mulberry32 } from './lib/applicants.ts'

const BAR_MS = 250
const BULK_BAR_S = 2
const QUICK = process.env.BENCH_QUICK === '1'

const args = new Map(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=')
    return [k, v ?? 'true'] as const
  }),
)
const N = Number(args.get('n') ?? (QUICK ? 10_000 : 100_000))
const SCHOOLS = Number(args.get('schools') ?? (QUICK ? 30 : 300))
const ROUNDS = Number(args.get('rounds') ?? (QUICK ? 3 : 7))
const BULK = Number(args.get('bulk') ?? (QUICK ? 1_000 : 10_000))
const BULK_RUNS = QUICK ? 1 : 3
/** the sizes product.md names: only then is a figure judged against its bar */
const FULL_SIZE = N === 100_000 && SCHOOLS === 300 && BULK === 10_000
const SEED = Number(args.get('seed') ?? 20260401)
const PREFERENCES = 5
/** the round's tie-break keys, e.g. --tie-break=points,lottery for a round that draws lots right after points */
const TIE_BREAK = (args.get('tie-break')?.split(',') ?? [...DEFAULT_TIE_BREAK]) as TieBreakKey[]

// ---------------------------------------------------------------- a realistic round, seeded

interface Population {
  round: AllocationRound
  applications: AllocationApplication[]
}

/**
 * A spring P1 round of one large district. Schools have classes of 45 (2–8 classes; two have none this
 * year) and a Zipf-like popularity, so the popular ones fill at once and some are never full; seats
 * cover about 70 % of the applications. Points are built from policy.md's items with their caps (age 20,
 * education 5/8/10, skills, insurance 0.5 a month ≤ 30, residence 0.25 a month ≤ 30, employment 10,
 * housing 10/20), so many households tie on points; 10 % have a priority tier, 7 % fail a gate, 2 % have
 * no points, 1 % no application time, a few list no school or an unknown one.
 */
function population(seed: number): Population {
  const rnd = mulberry32(seed)
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1))
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]

  const units = Array.from({ length: SCHOOLS }, (_, s) => ({
    id: `S${String(s + 1).padStart(3, '0')}`,
    name: `第${s + 1}小学`,
    seats: s === 17 || s === 211 ? 0 : 45 * int(2, 8),
  }))
  // popularity: weight 1/(r+1)^0.9 for a shuffled rank r
  const rankOfSchool = units.map((_, s) => s)
  for (let s = rankOfSchool.length - 1; s > 0; s--) {
    const j = Math.floor(rnd() * (s + 1))
    ;[rankOfSchool[s], rankOfSchool[j]] = [rankOfSchool[j], rankOfSchool[s]]
  }
  const cumulative: number[] = []
  let total = 0
  for (let s = 0; s < SCHOOLS; s++) {
    total += 1 / (rankOfSchool[s] + 1) ** 0.9
    cumulative.push(total)
  }
  const popularSchool = (): number => {
    const x = rnd() * total
    let lo = 0
    let hi = SCHOOLS - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (cumulative[mid] < x) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  const windowStart = Date.parse('2026-04-01T00:00:00Z')
  const refNumbers = Array.from({ length: N }, (_, i) => i + 1)
  for (let i = N - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1))
    ;[refNumbers[i], refNumbers[j]] = [refNumbers[j], refNumbers[i]]
  }
  const applications: AllocationApplication[] = refNumbers.map((k) => {
    const ref = `YZ2026P1${String(k).padStart(6, '0')}`
    const eligible = rnd() >= 0.07
    const insuranceMonths = int(0, 150)
    const residenceMonths = Math.min(150, insuranceMonths + int(-6, 30))
    const points =
      rnd() < 0.02
        ? null
        : 20 * 10_000 +
          pick([5, 5, 8, 10]) * 10_000 +
          pick([0, 0, 3, 5, 8, 10]) * 10_000 +
          Math.min(300_000, insuranceMonths * 5_000) +
          Math.min(300_000, Math.max(0, residenceMonths) * 2_500) +
          10 * 10_000 +
          pick([10, 10, 10, 20]) * 10_000
    const x = rnd()
    const tier = x < 0.06 ? 1 : x < 0.1 ? 2 : null
    const seconds = Math.floor(rnd() * 14 * 86_400)
    const appliedAt =
      rnd() < 0.01 ? null : new Date(windowStart + seconds * 1000).toISOString().replace('.000Z', '+00:00')
    const preferences: string[] = []
    const y = rnd()
    if (y >= 0.003) {
      while (preferences.length < PREFERENCES) {
        const id = units[popularSchool()].id
        if (!preferences.includes(id)) preferences.push(id)
      }
      if (y < 0.008) preferences[int(0, PREFERENCES - 1)] = 'S999'
    }
    return {
      ref,
      eligible,
      failedGate: eligible
        ? null
        : {
            id: 'permit_valid',
            label: 'valid Zhejiang residence permit',
            reason: 'no valid permit on 2026-04-30',
          },
      tier,
      points,
      insuranceMonths,
      residenceMonths: Math.max(0, residenceMonths),
      appliedAt,
      preferences,
    }
  })
  // through JSON, as the round service reads them from its store: strings built above by concatenation
  // are V8 rope strings, which compare several times slower than the flat strings JSON.parse gives
  return JSON.parse(
    JSON.stringify({
      round: {
        units,
        cutoffScope: 'school',
        tieBreak: TIE_BREAK,
        lotterySeed: 'yinzhou-2026-P1-published-seed',
      },
      applications,
    }),
  ) as Population
}

// ---------------------------------------------------------------- checks on the full-size result

function check(pop: Population, result: AllocationResult): string[] {
  const problems: string[] = []
  const unitIndex = new Map(pop.round.units.map((u, i) => [u.id, i]))
  const placed = new Array<number>(pop.round.units.length).fill(0)
  const byRef = new Map(result.applications.map((o) => [o.ref, o]))
  if (byRef.size !== pop.applications.length) problems.push('not one outcome per application')
  for (const o of result.applications) if (o.placed) placed[unitIndex.get(o.placed.unit) as number]++
  result.units.forEach((u, i) => {
    if (placed[i] !== u.placed || u.placed > u.seats || u.seatsLeft !== u.seats - u.placed)
      problems.push(`unit ${u.id}: ${placed[i]} placed, reported ${u.placed} of ${u.seats}`)
  })
  // no justified envy: a child refused by a unit it ranked above its own outcome ranks after that
  // unit's last admitted child; every unplaced ranked child found every listed unit full
  const lastRank = result.units.map((u) => u.cutoff?.rank ?? 0)
  for (const a of pop.applications) {
    const o = byRef.get(a.ref)
    if (!o || o.rank === null) continue
    const stop = o.placed ? o.placed.preferenceRank - 1 : a.preferences.length
    for (let p = 0; p < stop; p++) {
      const u = unitIndex.get(a.preferences[p])
      if (u === undefined || pop.round.units[u].seats === 0) continue
      if (result.units[u].seatsLeft > 0)
        problems.push(`${a.ref} refused by ${a.preferences[p]} with seats left`)
      if (lastRank[u] >= o.rank) problems.push(`${a.ref} (rank ${o.rank}) envies ${a.preferences[p]}`)
    }
    if (problems.length > 20) break
  }
  return problems
}

// ---------------------------------------------------------------- the baseline: a plain sort of the same keys

interface PlainKey {
  tier: number | null
  points: number | null
  insuranceMonths: number
  residenceMonths: number
  appliedAt: number | null
  ref: string
}

function plainComparator(a: PlainKey, b: PlainKey): number {
  if (a.tier !== b.tier) return a.tier === null ? 1 : b.tier === null ? -1 : a.tier - b.tier
  if (a.points !== b.points) return a.points === null ? 1 : b.points === null ? -1 : b.points - a.points
  if (a.insuranceMonths !== b.insuranceMonths) return b.insuranceMonths - a.insuranceMonths
  if (a.residenceMonths !== b.residenceMonths) return b.residenceMonths - a.residenceMonths
  if (a.appliedAt !== b.appliedAt)
    return a.appliedAt === null ? 1 : b.appliedAt === null ? -1 : a.appliedAt - b.appliedAt
  return a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0
}

// ---------------------------------------------------------------- timing

const now = () => Number(process.hrtime.bigint()) / 1e6
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

interface Figure {
  id: string
  label: string
  value: number
  unit: string
  bar?: { op: '<='; value: number }
  pass?: boolean
  note?: string
}

/** The allocation figure, or null when the result is wrong (then nothing is timed). */
function allocation(): Figure | null {
  const pop = population(SEED)
  console.log(
    `admission allocation: ${N.toLocaleString('en')} applications, ${SCHOOLS} schools, ` +
      `${PREFERENCES} preferences each, seed ${SEED}, tie-break ${pop.round.tieBreak.join(' → ')} → ref`,
  )

  const result = allocate(pop.round, pop.applications)
  const s = result.summary
  console.log(
    `  ${s.seats.toLocaleString('en')} seats; ${s.placed.toLocaleString('en')} placed, ` +
      `${s.belowCutoff.toLocaleString('en')} below every cut-off, ${s.gateFailed.toLocaleString('en')} failed a gate, ` +
      `${s.noPreferences} with no school; ${s.seatsLeft.toLocaleString('en')} seats left; ` +
      `${result.units.filter((u) => u.seatsLeft === 0 && u.seats > 0).length} schools full`,
  )
  const problems = check(pop, result)
  const shuffled = [...pop.applications].reverse()
  const rnd = mulberry32(SEED + 1)
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1))
    ;[shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]]
  }
  const json = JSON.stringify(result)
  if (JSON.stringify(allocate(pop.round, shuffled)) !== json)
    problems.push('shuffled input gave different bytes')
  if (problems.length > 0) {
    console.log('  FAIL: the result is wrong')
    for (const p of problems.slice(0, 20)) console.log(`    ${p}`)
    return null
  }
  console.log(
    `  checked: capacity, no justified envy, refusals, shuffled input byte-identical (${(json.length / 1e6).toFixed(1)} MB of JSON)`,
  )

  const keys: PlainKey[] = pop.applications.map((a) => ({
    tier: a.tier,
    points: a.points,
    insuranceMonths: a.insuranceMonths,
    residenceMonths: a.residenceMonths,
    appliedAt: a.appliedAt === null ? null : Date.parse(a.appliedAt),
    ref: a.ref,
  }))
  const time = (f: () => void): { wall: number; cpu: number } => {
    const c = process.cpuUsage()
    const t = now()
    f()
    const wall = now() - t
    const d = process.cpuUsage(c)
    return { wall, cpu: (d.user + d.system) / 1000 }
  }
  const ours: { wall: number; cpu: number }[] = []
  const baseline: { wall: number; cpu: number }[] = []
  for (let r = -2; r < ROUNDS; r++) {
    // alternate, so that both see the same machine load; the first two rounds warm up
    let sorted: PlainKey[] = []
    const b = time(() => {
      sorted = keys.slice().sort(plainComparator)
    })
    if (sorted.length !== N) throw new Error('baseline')
    let out: AllocationResult | null = null
    const o = time(() => {
      out = allocate(pop.round, pop.applications)
    })
    if ((out as AllocationResult | null)?.applications.length !== N) throw new Error('allocation')
    if (r >= 0) {
      baseline.push(b)
      ours.push(o)
    }
  }
  const stat = (xs: { wall: number; cpu: number }[], k: 'wall' | 'cpu') => {
    const v = xs.map((x) => x[k])
    return { median: median(v), min: Math.min(...v), max: Math.max(...v) }
  }
  const row = (label: string, xs: { wall: number; cpu: number }[]) => {
    const w = stat(xs, 'wall')
    const c = stat(xs, 'cpu')
    return `    ${label.padEnd(58)} ${w.median.toFixed(1).padStart(7)} ms wall (${w.min.toFixed(1)}–${w.max.toFixed(1)})  ${c.median.toFixed(1).padStart(7)} ms CPU`
  }
  const ow = stat(ours, 'wall').median
  const oc = stat(ours, 'cpu').median
  const bw = stat(baseline, 'wall').median
  const bc = stat(baseline, 'cpu').median
  console.log(`\n  median of ${ROUNDS} alternating rounds:`)
  console.log(row('allocate(): validation, ranking, placement, outcomes', ours))
  console.log(row(`baseline: plain sort of the same ${N.toLocaleString('en')} compound keys`, baseline))
  console.log(`    ratio to the baseline: ${(ow / bw).toFixed(2)}× wall, ${(oc / bc).toFixed(2)}× CPU`)
  // judged on CPU time: on a quiet machine the two agree; on a busy one wall time measures the neighbours
  const pass = oc <= BAR_MS
  console.log(
    `\n  ${pass ? 'PASS' : 'FAIL'}: ${oc.toFixed(1)} ms CPU ${pass ? '≤' : '>'} ${BAR_MS} ms (product.md)` +
      (ow > BAR_MS && pass
        ? `; wall ${ow.toFixed(1)} ms on this busy machine (load ${loadavg()[0].toFixed(1)})`
        : ''),
  )
  const load = loadavg()[0].toFixed(2)
  return {
    id: 'admission.allocate_100k',
    label: `allocate(): ${N.toLocaleString('en')} applications, ${SCHOOLS} schools, ${PREFERENCES} preferences (median CPU of ${ROUNDS})`,
    value: Number((oc / 1000).toFixed(4)),
    unit: 's',
    ...(FULL_SIZE ? { bar: { op: '<=' as const, value: BAR_MS / 1000 }, pass } : {}),
    note:
      `wall ${(ow / 1000).toFixed(3)} s; ${(oc / bc).toFixed(2)}× a plain sort of the same keys; load ${load}` +
      (FULL_SIZE
        ? pass
          ? ''
          : '; over the bar: profile rankingOrder and the placement loop'
        : '; BENCH_QUICK sizes'),
  }
}

// ---------------------------------------------------------------- bulk: one request of 10,000 applications

/** Median wall time of a bulk POST of BULK rows into a fresh round, in process, on an SQLite :memory: store. */
async function bulk(): Promise<Figure | null> {
  const sink = new Writable({ write: (_c, _e, cb) => cb() })
  const app = await build({ teardown() {} } as unknown as Test, {
    config: { rateLimitMax: 0, logLevel: 'silent' },
    logStream: sink,
  })
  try {
    const auth = { authorization: `Bearer ${await issueKey(app, ['education'], 'bench-bulk')}` }
    const payload = JSON.stringify({
      applications: Array.from({ length: BULK }, (_, n) =>
        bulkApplication(n, { preferences: ['s1', 's2'], appliedAt: '2026-05-06T09:30:00+08:00' }),
      ),
    })
    const times: number[] = []
    const cpus: number[] = []
    // one untimed run first (r = -1): compiles the code paths, as a server that has been up a while has
    for (let r = -1; r < BULK_RUNS; r++) {
      const round = await app.inject({
        method: 'POST',
        url: '/v1/admission/rounds',
        headers: auth,
        payload: bulkRound(`bench-${r}`),
      })
      const id = JSON.parse(round.body).id as string
      const t = now()
      const c = process.cpuUsage()
      const res = await app.inject({
        method: 'POST',
        url: `/v1/admission/rounds/${id}/applications`,
        headers: { ...auth, 'content-type': 'application/json' },
        payload,
      })
      const ms = now() - t
      const d = process.cpuUsage(c)
      if (res.statusCode !== 201 || JSON.parse(res.body).stored !== BULK) {
        console.log(`  FAIL: bulk answered ${res.statusCode}: ${res.body.slice(0, 300)}`)
        return null
      }
      if (r >= 0) {
        times.push(ms)
        cpus.push((d.user + d.system) / 1000)
      }
    }
    const wallMs = median(times)
    const ms = median(cpus)
    const pass = ms / 1000 <= BULK_BAR_S
    const load = loadavg()[0].toFixed(2)
    console.log(
      `\nbulk applications: ${BULK.toLocaleString('en')} rows (${(payload.length / 1e6).toFixed(1)} MB) in one request, ` +
        `median of ${BULK_RUNS}: ${(ms / 1000).toFixed(3)} s CPU (${cpus.map((x) => (x / 1000).toFixed(3)).join(', ')}), ` +
        `${(wallMs / 1000).toFixed(3)} s wall; load ${load}` +
        (FULL_SIZE
          ? `\n  ${pass ? 'PASS' : 'FAIL'}: ${(ms / 1000).toFixed(3)} s CPU ${pass ? '≤' : '>'} ${BULK_BAR_S} s (product.md)`
          : ''),
    )
    return {
      id: 'admission.bulk_10k',
      label: `POST …/applications: ${BULK.toLocaleString('en')} rows in one request, evaluation and storage included (median CPU of ${BULK_RUNS})`,
      value: Number((ms / 1000).toFixed(4)),
      unit: 's',
      ...(FULL_SIZE ? { bar: { op: '<=' as const, value: BULK_BAR_S }, pass } : {}),
      note:
        `in process (app.inject), SQLite in memory; wall ${(wallMs / 1000).toFixed(3)} s; load ${load}` +
        (FULL_SIZE
          ? pass
            ? ''
            : '; over the bar: profile row validation and evaluation in AdmissionService.addApplications'
          : '; BENCH_QUICK sizes'),
    }
  } finally {
    await app.close()
  }
}

async function main(): Promise<void> {
  const figures = [allocation(), await bulk()]
  const out = process.env.BENCH_JSON_OUT
  const good = figures.filter((f): f is Figure => f !== null)
  if (out) writeFileSync(out, `${JSON.stringify({ figures: good }, null, 2)}\n`)
  // a wrong result, or a bar missed at full size, fails the run
  process.exitCode = figures.some((f) => f === null || f.pass === false) ? 1 : 0
}

await main()
