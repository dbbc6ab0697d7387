// BENCHMARKS.md's generated section: every figure of one `npm run bench` run, and product.md's bars with PASS or "not met".
import type { Figure } from './figures.ts'

export const START = '<!-- bench:start -->'
export const END = '<!-- bench:end -->'

export interface BenchRun {
  /** bench/<name>.bench.ts → <name> */
  name: string
  /** the command that produced its figures, as a person would type it */
  command: string
  /** `exit 1`: it wrote its figures and exited non-zero (a bar missed, or a check failed: see its output) */
  status: 'ok' | 'exit 1' | 'failed' | 'killed' | 'no figures'
  exitCode: number | null
  seconds: number
  budgetSeconds: number
  figures: Figure[]
  /** the last lines of its output when it failed or was killed */
  tail?: string
}

export interface Machine {
  cpu: string
  cores: number
  loadStart: number[]
  loadEnd: number[]
  node: string
  platform: string
}

export interface RunReport {
  /** ISO date-time of the start of the run */
  startedAt: string
  command: string
  quick: boolean
  budgetMinutes: number
  seconds: number
  machine: Machine
  runs: BenchRun[]
}

/** One row of product.md's performance table, and which figures answer it. */
export interface BarRow {
  what: string
  bar: string
  bench: string
  match: (f: Figure) => boolean
  /** the next step when it is not met and no figure's note says one */
  next: string
}

const timeUnits = new Set(['s', 'ms', 'µs', 'us', 'ns'])

/** product.md "How good it must be": each bar, and the figure ids (or shapes, for benches other helpers own) that answer it. */
export const BARS: BarRow[] = [
  {
    what: 'engine, full breakdown, vs json-rules-engine (bundle)',
    bar: '≥ 20×',
    bench: 'engine',
    match: (f) => f.id === 'engine.bundle.vs_jre',
    next: 'profile `npx tsx bench/engine.bench.ts --only=ours` with --cpu-prof; fact derivation is the larger part',
  },
  {
    what: 'engine, full breakdown, vs @gorules/zen-engine (bundle)',
    bar: '≥ 5×',
    bench: 'engine',
    match: (f) => f.id === 'engine.bundle.vs_zen',
    next: 'as for json-rules-engine',
  },
  {
    what: 'engine, score() alone on pre-derived facts, vs hand-written JS (bundle)',
    bar: '≤ 3×',
    bench: 'engine',
    match: (f) => f.id === 'engine.bundle.score_vs_reference',
    next: 'compile items and layers to straight-line code over the fact vector (the population path of issue 13)',
  },
  {
    what: 'population re-score, 1,000,000 applicants, one core',
    bar: '≤ 1.5 s',
    bench: 'population',
    match: (f) =>
      f.id.startsWith('population.') &&
      f.bar !== undefined &&
      timeUnits.has(f.unit) &&
      !/rss|mem/i.test(f.id),
    next: 'see the population bench note',
  },
  {
    what: 'population re-score, peak RSS',
    bar: '≤ 1.5 GB',
    bench: 'population',
    match: (f) => f.id.startsWith('population.') && f.bar !== undefined && /rss|mem/i.test(f.id),
    next: 'see the population bench note',
  },
  {
    what: 'simulation, 1,000,000 applicants, parse to report (issue 13)',
    bar: '≤ 10 s',
    bench: 'simulation',
    match: (f) => f.id === 'simulation.total_1m',
    next: 'see the simulation bench note: the ceiling is the stage it names',
  },
  {
    what: 'admission allocation, 100,000 applications, 300 schools, 5 preferences',
    bar: '≤ 0.25 s',
    bench: 'admission',
    match: (f) => f.id.startsWith('admission.') && f.bar !== undefined && !/bulk/i.test(f.id),
    next: 'see the admission bench note',
  },
  {
    what: 'bulk: 10,000 applications in one request, all or nothing',
    bar: '≤ 2 s',
    bench: 'admission',
    match: (f) => /bulk/i.test(f.id) && f.bar !== undefined,
    next: 'see the admission bench note',
  },
  {
    what: 'HTTP preview, throughput as a share of the same run’s ceiling route',
    bar: '≥ 60 %',
    bench: 'http',
    match: (f) => f.id === 'http.preview_vs_ceiling',
    next: 'profile a preview under load (advice prices ~20 changes per preview)',
  },
  {
    what: 'HTTP preview, p99 at 50 connections',
    bar: '≤ 20 ms',
    bench: 'http',
    match: (f) => f.id === 'http.preview_p99',
    next: 're-run on an idle machine; on a loaded one p99 measures the scheduler',
  },
  {
    what: 'HTTP official evaluation (stored), share of the same ceiling route',
    bar: '≥ 40 %',
    bench: 'http',
    match: (f) => f.id === 'http.stored_vs_ceiling',
    next: 'see the durability figures: the fsync per batch is part of it',
  },
  {
    what: 'facts hash (canonical JSON + SHA-256), bundle',
    bar: '≤ 5 µs',
    bench: 'facts-hash',
    match: (f) => f.id === 'facts-hash.bundle_us',
    next: 'the SHA-256 itself is a floor: compare with the JSON-only line',
  },
  {
    what: 'start-up, process start to /readyz 200 (bundle, fresh and restart)',
    bar: '≤ 1 s',
    bench: 'startup',
    match: (f) => f.id.startsWith('startup.bundle_'),
    next: 'profile start-up with --cpu-prof: migrations and table loading',
  },
]

/** A number as a person reads it: thousands separated, fewer decimals as it grows. */
export function num(x: number): string {
  if (!Number.isFinite(x)) return String(x)
  const a = Math.abs(x)
  const digits = a >= 1000 ? 0 : a >= 100 ? 1 : a >= 1 ? 2 : 3
  return x.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: digits })
}

const withUnit = (x: number, unit: string): string =>
  unit === '×' ? `${num(x)}×` : unit === '%' ? `${num(x)} %` : unit ? `${num(x)} ${unit}` : num(x)

const barText = (f: Figure): string => (f.bar ? `${f.bar.op} ${withUnit(f.bar.value, f.unit)}` : '')

/** Table cells cannot hold a pipe or a line break. */
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ')

export interface BarResult {
  row: BarRow
  result: 'PASS' | 'not met' | 'not measured'
  figures: Figure[]
  reason: string
}

export function judgeBars(runs: BenchRun[], bars: BarRow[] = BARS): BarResult[] {
  return bars.map((row) => {
    const run = runs.find((r) => r.name === row.bench)
    const figures = (run?.figures ?? []).filter(row.match)
    if (figures.length === 0) {
      const why =
        run === undefined
          ? `bench/${row.bench}.bench.ts was not run (not present, or not selected)`
          : run.status === 'killed'
            ? `bench/${row.bench}.bench.ts was killed at its budget (${num(run.budgetSeconds)} s) before writing this figure`
            : run.status === 'failed'
              ? `bench/${row.bench}.bench.ts failed (exit ${run.exitCode}) before writing this figure`
              : `bench/${row.bench}.bench.ts wrote no figure for this bar`
      return {
        row,
        result: 'not measured',
        figures,
        reason: `${why}. Next: \`npm run bench -- ${row.bench}\` with a larger --budget, or fix the bench.`,
      }
    }
    const missed = figures.filter((f) => f.pass === false || (f.bar === undefined && f.pass !== true))
    if (missed.length === 0) return { row, result: 'PASS', figures, reason: '' }
    const notes = [...new Set(missed.map((f) => f.note).filter((n): n is string => !!n))]
    return {
      row,
      result: 'not met',
      figures,
      reason: notes.length > 0 ? notes.join(' ') : `Next: ${row.next}.`,
    }
  })
}

function figureCell(fs: Figure[]): string {
  return fs.map((f) => `${withUnit(f.value, f.unit)} (${f.id})`).join('; ')
}

export function renderSection(r: RunReport, bars: BarRow[] = BARS): string {
  const m = r.machine
  const load = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' / ')
  const lines: string[] = [START, '']
  lines.push(
    `## Latest run: ${r.startedAt.slice(0, 10)}${r.quick ? ' (SMOKE RUN, `--quick`: small sizes, the bars are not judged by it)' : ''}`,
  )
  lines.push('')
  lines.push(
    'Generated by `bench/run-all.ts` from the figures each bench wrote; do not edit between the markers (the next run replaces it). The hand-written history follows below.',
  )
  lines.push('')
  lines.push(
    `- command: \`${r.command}\` (budget ${num(r.budgetMinutes)} min, took ${num(r.seconds / 60)} min)`,
  )
  lines.push(`- started: ${r.startedAt}`)
  lines.push(`- machine: ${m.cpu}, ${m.cores} cores, ${m.platform}`)
  lines.push(
    `- load average (1 / 5 / 15 min): ${load(m.loadStart)} at the start, ${load(m.loadEnd)} at the end`,
  )
  lines.push(`- node: ${m.node}`)
  if (r.quick)
    lines.push(
      '- **smoke run**: every bench ran with `BENCH_QUICK=1` (smaller populations, shorter loads); its PASS / not met say only that the plumbing works',
    )
  lines.push('')
  lines.push('### product.md’s bars')
  lines.push('')
  lines.push('| what | bar | figure | result | reason and next step |')
  lines.push('|---|---|---|---|---|')
  for (const b of judgeBars(r.runs, bars)) {
    lines.push(
      `| ${cell(b.row.what)} | ${cell(b.row.bar)} | ${cell(figureCell(b.figures))} | ${b.result === 'PASS' ? 'PASS' : `**${b.result}**`} | ${cell(b.reason)} |`,
    )
  }
  const matched = new Set(
    r.runs.flatMap((run) => run.figures.filter((f) => bars.some((b) => b.bench === run.name && b.match(f)))),
  )
  const others = r.runs.flatMap((run) => run.figures.filter((f) => f.bar !== undefined && !matched.has(f)))
  if (others.length > 0) {
    lines.push('')
    lines.push('Other bars the benches check (from the issues):')
    lines.push('')
    lines.push('| figure | value | bar | result | note |')
    lines.push('|---|---|---|---|---|')
    for (const f of others)
      lines.push(
        `| ${cell(f.label)} (${f.id}) | ${withUnit(f.value, f.unit)} | ${barText(f)} | ${f.pass ? 'PASS' : '**not met**'} | ${cell(f.note ?? '')} |`,
      )
  }
  lines.push('')
  lines.push('### Benches')
  lines.push('')
  lines.push('| bench | command | status | time (budget) |')
  lines.push('|---|---|---|---|')
  for (const run of r.runs) {
    const status =
      run.status === 'ok'
        ? 'ok'
        : run.status === 'exit 1'
          ? 'figures written, exit 1 (a bar missed or a check failed)'
          : run.status === 'killed'
            ? '**killed at its budget**'
            : run.status === 'failed'
              ? `**failed** (exit ${run.exitCode})`
              : '**no figures written**'
    lines.push(
      `| ${run.name} | \`${cell(run.command)}\` | ${status} | ${num(run.seconds)} s (${num(run.budgetSeconds)} s) |`,
    )
  }
  for (const run of r.runs) {
    lines.push('')
    lines.push(`### ${run.name}: \`${run.command}\``)
    lines.push('')
    if (run.figures.length === 0) {
      lines.push(`No figures (${run.status}).${run.tail ? ' Last output:' : ''}`)
      if (run.tail) lines.push('', '```', run.tail, '```')
      continue
    }
    lines.push('| figure | value | bar | result | note |')
    lines.push('|---|---|---|---|---|')
    for (const f of run.figures)
      lines.push(
        `| ${cell(f.label)} \`${f.id}\` | ${withUnit(f.value, f.unit)} | ${barText(f)} | ${f.bar ? (f.pass ? 'PASS' : '**not met**') : ''} | ${cell(f.note ?? '')} |`,
      )
    if (run.status !== 'ok' && run.tail)
      lines.push('', `Ended ${run.status}; last output:`, '', '```', run.tail, '```')
  }
  lines.push('', END)
  return lines.join('\n')
}

/** Replaces the generated section of BENCHMARKS.md, or puts it under the title when there is none yet. */
export function spliceSection(existing: string, section: string): string {
  const a = existing.indexOf(START)
  const b = existing.indexOf(END)
  if (a >= 0 && b > a) return existing.slice(0, a) + section + existing.slice(b + END.length)
  const title = /^# .*\n/m.exec(existing)
  if (title === null) return `# Benchmarks\n\n${section}\n\n${existing}`
  const at = title.index + title[0].length
  return `${existing.slice(0, at)}\n${section}\n${existing.slice(at)}`
}
