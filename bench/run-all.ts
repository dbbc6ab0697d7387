// `npm run bench`: every bench/*.bench.ts as a child in one bounded run, their figures collected into BENCHMARKS.md.
//
//   npm run bench                        every bench, budget 20 min in all
//   npm run bench -- engine http         only the benches whose file name contains one of the words
//                                        (prints the section; BENCHMARKS.md only with --write, so that
//                                        a subset does not replace a full run's figures)
//   npm run bench -- --quick             BENCH_QUICK=1 for every bench: a smoke run of the plumbing
//   npm run bench -- --budget=30         the global budget in minutes
//   npm run bench -- --no-write          print the generated section instead of writing BENCHMARKS.md
//
// Each bench runs as `node --import tsx bench/<name>.bench.ts` in its own process group, with
// BENCH_JSON_OUT naming a file for its figures (bench/lib/figures.ts). The budget is shared out by
// weight among the benches still to run, so time one leaves unused goes to the next; a bench over
// its share is killed (its whole process group) and reported as killed. BENCHMARKS.md's section
// between the bench:start / bench:end markers is replaced (bench/lib/report.ts); the hand-written
// history below it is kept.
//
// Exit status: 0 when every bench exited 0 and every bar that was measured is met; 1 otherwise.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Figure } from './lib/figures.ts'
import { type BenchRun, judgeBars, renderSection, spliceSection } from './lib/report.ts'

const benchDir = dirname(fileURLToPath(import.meta.url))
const root = join(benchDir, '..')
const argv = process.argv.slice(2)
const filters = argv.filter((a) => !a.startsWith('-'))
const quick = argv.includes('--quick')
const write = argv.includes('--write') || (filters.length === 0 && !argv.includes('--no-write'))
const budgetArg = argv.find((a) => a.startsWith('--budget='))
const budgetMinutes = budgetArg ? Number(budgetArg.slice('--budget='.length)) : 20
if (!(budgetMinutes > 0)) throw new Error(`--budget must be a number of minutes, not ${budgetArg}`)

/** Relative shares of the budget: the benches that do most work get most time. */
const WEIGHTS: Record<string, number> = {
  batch: 3,
  population: 3,
  simulation: 3,
  http: 4,
  admission: 2,
  engine: 2,
  'facts-hash': 1,
  durability: 1,
  startup: 2,
  hostile: 1,
}

const names = readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length))
  .filter((n) => filters.length === 0 || filters.some((w) => n.includes(w)))
  .sort()

if (names.length === 0) {
  console.error(`no bench/*.bench.ts file${filters.length ? ` matching ${filters.join(', ')}` : ''}`)
  process.exit(1)
}

const outDir = join(root, '.bench')
mkdirSync(outDir, { recursive: true })

let current: number | undefined
const killGroup = (pid: number, signal: NodeJS.Signals) => {
  try {
    process.kill(-pid, signal)
  } catch {
    // the group has gone already
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    if (current !== undefined) killGroup(current, 'SIGKILL')
    process.exit(130)
  })

/** Runs one bench with its share of the budget; keeps its last output lines for the report. */
function run(name: string, budgetSeconds: number): Promise<BenchRun> {
  const jsonOut = join(outDir, `${name}.figures.json`)
  rmSync(jsonOut, { force: true })
  const command = `${quick ? 'BENCH_QUICK=1 ' : ''}npx tsx bench/${name}.bench.ts`
  const started = process.hrtime.bigint()
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(benchDir, `${name}.bench.ts`)], {
      cwd: root,
      // its own process group, so that the servers and CLIs it spawns are killed with it
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BENCH_JSON_OUT: jsonOut, ...(quick ? { BENCH_QUICK: '1' } : {}) },
    })
    current = child.pid
    let tail = ''
    const keep = (chunk: Buffer, to: NodeJS.WriteStream) => {
      to.write(chunk)
      tail = (tail + String(chunk)).slice(-4000)
    }
    child.stdout.on('data', (d: Buffer) => keep(d, process.stdout))
    child.stderr.on('data', (d: Buffer) => keep(d, process.stderr))
    let killed = false
    const timer = setTimeout(() => {
      killed = true
      console.error(`\n[bench] ${name}: over its budget of ${budgetSeconds.toFixed(0)} s, killing it`)
      if (child.pid !== undefined) killGroup(child.pid, 'SIGTERM')
      setTimeout(() => child.pid !== undefined && killGroup(child.pid, 'SIGKILL'), 5000).unref()
    }, budgetSeconds * 1000)
    child.on('error', reject)
    child.on('exit', (code) => {
      clearTimeout(timer)
      current = undefined
      // anything else still in its group (a server it left behind) goes too
      if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL')
      let figures: Figure[] = []
      if (existsSync(jsonOut)) {
        try {
          figures = (JSON.parse(readFileSync(jsonOut, 'utf8')) as { figures: Figure[] }).figures
        } catch (e) {
          tail += `\n[bench] ${jsonOut} is not valid JSON: ${(e as Error).message}`
        }
      }
      const status: BenchRun['status'] = killed
        ? 'killed'
        : code !== 0 && figures.length === 0
          ? 'failed'
          : figures.length === 0
            ? 'no figures'
            : code !== 0
              ? 'exit 1'
              : 'ok'
      resolve({
        name,
        command,
        status,
        exitCode: code,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        budgetSeconds,
        figures,
        tail: tail.trimEnd().split('\n').slice(-15).join('\n'),
      })
    })
  })
}

const startedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z')
const loadStart = loadavg()
const t0 = Date.now()
const deadline = t0 + budgetMinutes * 60_000
const runs: BenchRun[] = []
for (let i = 0; i < names.length; i++) {
  const name = names[i]
  const rest = names.slice(i)
  const weightLeft = rest.reduce((s, n) => s + (WEIGHTS[n] ?? 1), 0)
  const share = Math.max(10, ((deadline - Date.now()) / 1000) * ((WEIGHTS[name] ?? 1) / weightLeft))
  console.log(`\n━━━ bench/${name}.bench.ts (budget ${share.toFixed(0)} s) ━━━`)
  runs.push(await run(name, share))
}
const loadEnd = loadavg()

const report = {
  startedAt,
  command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
  quick,
  budgetMinutes,
  seconds: (Date.now() - t0) / 1000,
  machine: {
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus().length,
    loadStart,
    loadEnd,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  },
  runs,
}
const section = renderSection(report)
const file = join(root, 'BENCHMARKS.md')
if (write) {
  writeFileSync(
    file,
    spliceSection(existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n', section),
  )
  console.log(`\n[bench] wrote the generated section of BENCHMARKS.md`)
} else {
  console.log(`\n${section}`)
}

console.log('\n━━━ summary ━━━')
for (const r of runs)
  console.log(
    `  ${r.status.padEnd(10)} ${r.name.padEnd(12)} ${r.seconds.toFixed(0).padStart(5)} s of ${r.budgetSeconds.toFixed(0)} s, ${r.figures.length} figures`,
  )
const bars = judgeBars(runs).filter((b) => names.includes(b.row.bench))
for (const b of bars) console.log(`  ${b.result.padEnd(12)} ${b.row.what} (${b.row.bar})`)
const bad = runs.some((r) => r.status !== 'ok') || bars.some((b) => b.result !== 'PASS')
process.exitCode = bad ? 1 : 0
