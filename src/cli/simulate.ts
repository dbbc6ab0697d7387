// `jifen simulate`: a draft table against the table in force on a population (a JSON or CSV file, or a round), through the same service, record and audit as POST /v1/simulations.
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { parse as parseCsv } from 'csv-parse/sync'
import type { FastifyBaseLogger } from 'fastify'
import { pino } from 'pino'
import type { Applicant } from '../../schema/applicant.ts'
import { safeParseApplicant } from '../../schema/applicant-fast.ts'
import type { SimulationRequest, SimulationView } from '../../schema/simulation.ts'
import { systemClock } from '../clock.ts'
import { AppError } from '../errors.ts'
import { Recorder } from '../services/recorder.ts'
import { RulesetService } from '../services/rulesets.ts'
import { SimulationService } from '../services/simulation.ts'
import { loadShippedTables } from '../tables/shipped.ts'
import { columnOfPath, mapHeaders, messageOfPath, readRow } from './batch-columns.ts'
import { applicantsOfJsonLinesFile, checkReadableAsOneString, isJsonLines } from './population-file.ts'
import { cliActor, cliAuditKey, cliConfig, DB_OPTION, openCliStorage } from './storage.ts'
import { parseDraftFile } from './tables.ts'
import { UsageError } from './usage-error.ts'

/** The CLI takes larger populations than the API's upload (which holds them in one JSON body). */
export const CLI_MAX_APPLICANTS = 1_000_000

interface SimulateOptions {
  draft: string
  jurisdiction: string
  asOf: string
  population?: string
  round?: string
  thresholds?: string
  binWidth?: string
  top?: string
  json?: boolean
  db?: string
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
}

/** Applicants of a CSV file, with the columns and cell syntax of `jifen batch` (docs/batch.md). */
export function applicantsOfCsv(text: string, file: string): Applicant[] {
  const rows = parseCsv(text, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][]
  if (rows.length === 0) throw new UsageError(`${file}: no header row`)
  const { columns, problems } = mapHeaders(rows[0])
  if (problems.length > 0) throw new UsageError(`${file}: ${problems.join('; ')}`)
  const out: Applicant[] = []
  const errors: string[] = []
  rows.slice(1).forEach((cells, i) => {
    const number = i + 2
    const byKey = new Map<string, string>()
    cells.forEach((c, k) => {
      const col = columns[k]
      if (col) byKey.set(col.key, c)
    })
    const read = readRow(byKey)
    if ('errors' in read) {
      for (const e of read.errors) errors.push(`${file}:${number}: ${e.column}: ${e.message}`)
      return
    }
    const parsed = safeParseApplicant(read.row.applicant)
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        errors.push(
          `${file}:${number}: ${columnOfPath(issue.path)}: ${messageOfPath(issue.path, issue.message)}`,
        )
      return
    }
    out.push(parsed.data)
  })
  if (errors.length > 0)
    throw new UsageError(`bad rows in the population:\n${errors.slice(0, 50).join('\n')}`)
  return out
}

/** Applicants of a JSON file: an array of applicants, or `{ "applicants": [...] }`. */
export function applicantsOfJson(text: string, file: string): Applicant[] {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    throw new UsageError(`${file}: not JSON: ${(e as Error).message}`)
  }
  const list = Array.isArray(value) ? value : (value as { applicants?: unknown })?.applicants
  if (!Array.isArray(list))
    throw new UsageError(`${file}: expected an array of applicants or { "applicants": [...] }`)
  // ApplicantSchema.array()'s verdict and issues (each prefixed with its index), item by item through the fast path
  const out: Applicant[] = new Array(list.length)
  const issues: string[] = []
  for (let k = 0; k < list.length; k++) {
    const parsed = safeParseApplicant(list[k])
    if (parsed.success) out[k] = parsed.data
    else
      for (const i of parsed.error.issues)
        if (issues.length < 50)
          issues.push(`${file}: [${[k, ...i.path].map(String).join('.')}]: ${i.message}`)
  }
  if (issues.length > 0) throw new UsageError(`bad applicants in ${file}:\n${issues.join('\n')}`)
  return out
}

function numberList(text: string, what: string): number[] {
  const xs = text.split(',').map((s) => Number(s.trim()))
  if (xs.some((x) => !Number.isFinite(x) || x < 0))
    throw new UsageError(`${what}: expected numbers like 100,120`)
  return xs
}

function positiveInt(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${what}: expected a positive integer`)
  return n
}

/** The report in words, for a terminal. */
export function reportText(s: SimulationView): string {
  const lines: string[] = []
  const i = s.inputs
  lines.push(`simulation ${s.id} (${s.state})`)
  lines.push(`  inputs sha256 ${s.inputsSha256}`)
  lines.push(
    `  draft ${i.draft.ruleset ?? `${i.draft.id}@${i.draft.version} (file)`} ${i.draft.sha256.slice(0, 12)}`,
  )
  lines.push(`  against ${i.table.ruleset} ${i.table.sha256.slice(0, 12)}, ${i.jurisdiction} on ${i.asOf}`)
  lines.push(`  population ${i.population.source}, ${i.population.count} applicants`)
  if (s.state === 'failed') {
    lines.push(`failed: ${s.failure}`)
    return `${lines.join('\n')}\n`
  }
  const r = s.report
  if (r === null) return `${lines.join('\n')}\n`
  const pts = (x: number) => String(x)
  const signed = (x: number) => (x > 0 ? `+${x}` : String(x))
  lines.push('')
  lines.push(`changed ${r.changed}, unchanged ${r.unchanged}`)
  lines.push(`mean ${pts(r.totals.meanBefore)} → ${pts(r.totals.meanAfter)}`)
  lines.push(`eligible ${r.eligibility.before} → ${r.eligibility.after}`)
  lines.push('')
  lines.push(`histogram (bins of ${r.binWidth})      before    after`)
  for (const b of r.histogram)
    lines.push(
      `  [${String(b.from).padStart(4)}, ${String(b.to).padStart(4)})   ${String(b.before).padStart(8)} ${String(b.after).padStart(8)}`,
    )
  if (r.thresholds.length > 0) {
    lines.push('')
    lines.push('thresholds        at or above before → after   up   down')
    for (const c of r.thresholds)
      lines.push(
        `  ${String(c.threshold).padStart(8)}        ${String(c.atOrAboveBefore).padStart(8)} → ${String(c.atOrAboveAfter).padEnd(8)} ${String(c.up).padStart(4)} ${String(c.down).padStart(6)}`,
      )
  }
  const changes = (title: string, xs: typeof r.gains) => {
    if (xs.length === 0) return
    lines.push('')
    lines.push(title)
    for (const g of xs)
      lines.push(
        `  ${g.key}  ${pts(g.before)} → ${pts(g.after)} (${signed(g.change)})  ${g.items
          .map((it) => `${it.id} ${pts(it.before)}→${pts(it.after)}`)
          .join(', ')}`,
      )
  }
  changes('largest gains', r.gains)
  changes('largest losses', r.losses)
  lines.push('')
  lines.push('item shares (% of all item points)    before    after   change')
  for (const it of r.items)
    if (it.pointsBefore !== 0 || it.pointsAfter !== 0)
      lines.push(
        `  ${it.id.padEnd(28)} ${it.shareBefore.toFixed(2).padStart(9)} ${it.shareAfter.toFixed(2).padStart(8)} ${signed(Number(it.shareChange.toFixed(2))).padStart(8)}`,
      )
  if (r.round !== null) {
    const c = r.round
    lines.push('')
    lines.push(
      `round: placed ${c.placedBefore} → ${c.placedAfter}; placed→not ${c.placedToNot}, not→placed ${c.notToPlaced}, school changed ${c.schoolChanged}`,
    )
    for (const u of c.cutoffs)
      lines.push(`  ${u.unit} ${u.name}: cut-off ${u.before ?? '-'} → ${u.after ?? '-'}`)
    for (const x of c.changes) lines.push(`  ${x.ref}: ${x.before ?? '-'} → ${x.after ?? '-'}`)
  }
  return `${lines.join('\n')}\n`
}

export async function simulateCommand(opts: SimulateOptions): Promise<void> {
  if ((opts.population === undefined) === (opts.round === undefined))
    throw new UsageError('give exactly one of --population FILE and --round ID')
  const parsed = parseDraftFile(readText(opts.draft))
  if ('problems' in parsed)
    throw new UsageError(
      parsed.problems
        .map((p) => `${opts.draft}:${p.line ?? '?'}:${p.column ?? '?'}: ${p.path}: ${p.message}`)
        .join('\n'),
    )
  let population: SimulationRequest['population']
  if (opts.round !== undefined) population = { source: 'round', roundId: opts.round }
  else {
    const file = opts.population as string
    let applicants: Applicant[]
    if (isJsonLines(file)) applicants = await applicantsOfJsonLinesFile(file, CLI_MAX_APPLICANTS)
    else {
      checkReadableAsOneString(file)
      const text = readText(file)
      applicants = file.toLowerCase().endsWith('.csv')
        ? applicantsOfCsv(text, file)
        : applicantsOfJson(text, file)
    }
    population = { source: 'upload', applicants }
  }
  const req: SimulationRequest = {
    draft: { table: parsed.source },
    asOf: opts.asOf,
    jurisdiction: opts.jurisdiction,
    population,
    ...(opts.thresholds === undefined ? {} : { thresholds: numberList(opts.thresholds, '--thresholds') }),
    ...(opts.binWidth === undefined ? {} : { binWidth: positiveInt(opts.binWidth, '--bin-width') }),
    ...(opts.top === undefined ? {} : { top: positiveInt(opts.top, '--top') }),
  }
  const config = cliConfig(opts.db)
  const storage = await openCliStorage(opts.db)
  try {
    const log = pino({ level: 'warn' }, pino.destination(2)) as unknown as FastifyBaseLogger
    const recorder = new Recorder(storage, systemClock, { auditKey: await cliAuditKey(config, storage) })
    const rulesets = new RulesetService(storage.rulesets, recorder, log)
    // as `jifen serve` on start: the shipped tables, then the tables in force
    await rulesets.seed(loadShippedTables())
    await rulesets.reloadRegistry()
    const service = new SimulationService(rulesets, storage, recorder, log, CLI_MAX_APPLICANTS)
    let result: SimulationView
    try {
      result = await service.run(req, { actor: cliActor(), idempotency: null })
    } catch (e) {
      if (!(e instanceof AppError)) throw e
      const where = e.errors.map((f) => `  ${f.path}: ${f.message}`).join('\n')
      if (opts.json)
        process.stdout.write(`${JSON.stringify({ error: e.name_, detail: e.message, errors: e.errors })}\n`)
      else process.stderr.write(`jifen: ${e.message}\n${where === '' ? '' : `${where}\n`}`)
      process.exitCode = 1
      return
    }
    process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : reportText(result))
    if (result.state !== 'completed') process.exitCode = 1
  } finally {
    await storage.close()
  }
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description(
      'score a population under a draft table and under the table in force, and report who gains, who loses, threshold crossings, item shares and (for a round) placements and cut-offs; stored and audited like POST /v1/simulations',
    )
    .requiredOption('--draft <file>', 'the draft points table (YAML, as `jifen tables validate` reads it)')
    .requiredOption('--jurisdiction <code>', 'whose table in force the draft is compared with')
    .requiredOption('--as-of <date>', 'as-of date both tables score on, YYYY-MM-DD')
    .option(
      '--population <file>',
      'applicants: .json (an array), .jsonl/.ndjson (one applicant per line, streamed: for populations past about 500 MB) or .csv (the columns of `jifen batch`)',
    )
    .option('--round <id>', 'the active applications of an admission round')
    .option('--thresholds <list>', 'points thresholds, comma-separated: 100,120')
    .option('--bin-width <points>', 'histogram bin width (default 10)')
    .option('--top <n>', 'how many largest gains and losses (default 10)')
    .option('--json', 'the simulation record as JSON')
    .option(...DB_OPTION)
    .action(async (opts: SimulateOptions) => simulateCommand(opts))
}
