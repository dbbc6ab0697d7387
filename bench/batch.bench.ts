// Batch benchmark (npm run bench:batch): RSS of `jifen batch` through a large generated CSV, to show it stays flat.
//
//   npm run bench:batch                      1,000,000 rows (BENCH_QUICK=1: 20,000)
//   npm run bench:batch -- --rows 200000
//
// Writes a seeded population (test/cli/batch-rows.ts: 10,000 applicants repeated under every Ningbo
// points table, as-of 2026-04-30) to a temporary CSV, then runs the CLI on it as an operator would
// (node + tsx, its own SQLite database) and samples the child's resident set size from /proc every 250 ms (Linux). Reports the RSS at each
// tenth of the input, the peak (VmHWM), rows per second, and removes the files.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { stringify } from 'csv-stringify/sync'
import fc from 'fast-check'
import { cellsOf, HEADER, JURISDICTIONS } from '../test/cli/batch-rows.ts'
import { applicantInput } from '../test/scoring/arbitraries.ts'
import { fig, QUICK, writeFigures } from './lib/figures.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const rowsArg = process.argv.indexOf('--rows')
const ROWS = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : QUICK ? 20_000 : 1_000_000
const POOL = 10_000

const dir = mkdtempSync(join(tmpdir(), 'jifen-batch-bench-'))
try {
  const input = join(dir, 'in.csv')
  const out = createWriteStream(input)
  out.write(stringify([HEADER]))
  // 10,000 seeded applicants, written again and again under new row ids and jurisdictions: the
  // generator is slower than the batch, and repetition does not help a stream's memory
  const pool = fc.sample(applicantInput, { numRuns: POOL, seed: 13 })
  for (let start = 0; start < ROWS; start += POOL) {
    const n = Math.min(POOL, ROWS - start)
    let text = ''
    for (let i = 0; i < n; i++) {
      const k = start + i
      text += stringify([
        cellsOf(`P${k}`, JURISDICTIONS[(k + Math.floor(k / POOL)) % JURISDICTIONS.length], pool[i]),
      ])
    }
    if (!out.write(text)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
  const bytes = statSync(input).size
  process.stdout.write(`input: ${ROWS} rows, ${(bytes / 1e6).toFixed(0)} MB\n`)

  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(root, 'src/cli/main.ts'),
      'batch',
      input,
      join(dir, 'out.csv'),
      '--as-of',
      '2026-04-30',
      '--db',
      join(dir, 'jifen.sqlite'),
      '--progress-interval',
      '1000',
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
  )
  const status = () => {
    try {
      return readFileSync(`/proc/${child.pid}/status`, 'utf8')
    } catch {
      return ''
    }
  }
  const kb = (text: string, field: string) =>
    Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(text)?.[1] ?? 0)
  let peak = 0
  let rss = 0
  const sampler = setInterval(() => {
    const s = status()
    if (s === '') return
    rss = kb(s, 'VmRSS')
    peak = Math.max(peak, kb(s, 'VmHWM'))
  }, 250)
  const started = Date.now()
  let nextTenth = 1
  let err = ''
  /** RSS (kB) at each tenth of the input read, for the flatness figure */
  const tenths: number[] = []
  let lastRate = 0
  // written at every tenth, so that a run stopped at its budget still leaves what it measured
  const emit = (done: boolean, seconds: number, rowsDone: number) => {
    const later = tenths.slice(1)
    const growth = later.length > 0 ? (Math.max(...later) - tenths[0]) / 1024 : 0
    writeFigures([
      fig({
        id: 'batch.rows_per_s',
        label: `jifen batch rows per second (CSV in and out, node + tsx, ${ROWS.toLocaleString('en-US')} rows)`,
        value: done ? ROWS / seconds : lastRate,
        unit: 'rows/s',
        note: done ? 'with start-up' : `partial: ${rowsDone} rows read when last written`,
      }),
      fig({
        id: 'batch.peak_rss_mb',
        label: 'jifen batch peak RSS (VmHWM)',
        value: peak / 1024,
        unit: 'MB',
        ...(done ? {} : { note: `partial: ${rowsDone} rows read` }),
      }),
      fig({
        id: 'batch.rss_growth_mb',
        label:
          'RSS growth from the first tenth of the input to the largest later tenth (flat memory: near 0)',
        value: growth,
        unit: 'MB',
        note: `RSS at each tenth: ${tenths.map((k) => (k / 1024).toFixed(0)).join(', ')} MB`,
      }),
    ])
  }
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => {
    err += chunk
    for (const m of chunk.matchAll(/batch: (\d+) rows, \d+ failed, (\d+) rows\/s, (\d+)% read/g)) {
      const pct = Number(m[3])
      lastRate = Number(m[2])
      if (pct >= nextTenth * 10) {
        tenths.push(rss)
        emit(false, 0, Number(m[1]))
        process.stdout.write(
          `  ${m[1].padStart(8)} rows (${pct}% read): RSS ${(rss / 1024).toFixed(0)} MB, ${m[2]} rows/s\n`,
        )
        nextTenth = Math.floor(pct / 10) + 1
      }
    }
  })
  const [code] = (await once(child, 'exit')) as [number]
  clearInterval(sampler)
  const seconds = (Date.now() - started) / 1000
  process.stdout.write(
    `jifen batch: exit ${code}, ${ROWS} rows in ${seconds.toFixed(1)} s (${Math.round(ROWS / seconds)} rows/s with start-up), peak RSS ${(peak / 1024).toFixed(0)} MB\n`,
  )
  process.stdout.write(`last lines: ${err.trimEnd().split('\n').slice(-2).join(' | ')}\n`)
  process.stdout.write(`node ${process.version}\n`)
  emit(true, seconds, ROWS)
  process.exitCode = code === 0 ? 0 : 1
} finally {
  rmSync(dir, { recursive: true, force: true })
}
