// `jifen batch IN OUT`: scores a CSV or XLSX of applicants row by row, streaming, with an error file and progress.
import { once } from 'node:events'
import { createReadStream, createWriteStream, readFileSync, statSync, type WriteStream } from 'node:fs'
import { extname } from 'node:path'
import { SingleBar } from 'cli-progress'
import { parse } from 'csv-parse'
import { stringify } from 'csv-stringify/sync'
import { ApplicantSchema } from '../../schema/applicant.ts'
import { DateStringSchema, JurisdictionSchema } from '../../schema/common.ts'
import type { PointsResult } from '../../schema/result.ts'
import { type CompiledTable, compileTable, EvaluationError } from '../../scoring/compile.ts'
import { TableCompileError } from '../../scoring/conditions.ts'
import { NoTableInForceError, type TableRegistry } from '../../scoring/registry.ts'
import { resolveTable } from '../../scoring/resolve.ts'
import { districtItemErrors, districtItemsOf } from '../services/district-items.ts'
import { rulesetIdOf } from '../services/rulesets.ts'
import { columnOfPath, mapHeaders, messageOfPath, readRow } from './batch-columns.ts'
import { parseDraftFile, withRulesets } from './tables.ts'
import { UsageError } from './usage-error.ts'

type Format = 'csv' | 'xlsx'

function formatOf(file: string, what: string): Format {
  const ext = extname(file).toLowerCase()
  if (ext === '.csv') return 'csv'
  if (ext === '.xlsx') return 'xlsx'
  throw new UsageError(`${what} ${file}: give a .csv or .xlsx file`)
}

// ---------------------------------------------------------------------------------------------------
// Reading rows

/** A row of the input: its number as a spreadsheet shows it (the header is row 1) and its cells as text. */
interface InputRow {
  number: number
  cells: string[]
}

/** A spreadsheet cell as text: dates typed into Excel come as Date (UTC midnight), formulas by result. */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return ''
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : v.toISOString().slice(0, 10)
  if (typeof v === 'object') {
    const o = v as { richText?: { text: string }[]; text?: unknown; result?: unknown; error?: string }
    if (o.richText) return o.richText.map((r) => r.text).join('')
    if ('result' in o) return cellText(o.result)
    if (o.text !== undefined) return cellText(o.text)
    if (o.error !== undefined) return o.error
    return ''
  }
  return String(v)
}

async function* csvRows(input: NodeJS.ReadableStream): AsyncGenerator<InputRow> {
  // blank lines are read (and counted) so that row numbers are the spreadsheet's
  const parser = input.pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: false }))
  let n = 0
  for await (const record of parser as AsyncIterable<string[]>) yield { number: ++n, cells: record }
}

/** exceljs takes long to load: only a run that reads or writes XLSX loads it (the bundle keeps it external). */
async function excel() {
  return (await import('exceljs')).default
}

async function* xlsxRows(input: NodeJS.ReadableStream): AsyncGenerator<InputRow> {
  const ExcelJS = await excel()
  // styles are read so that a date typed as a date arrives as one; only the first sheet is read
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input as never, {
    sharedStrings: 'cache',
    styles: 'cache',
    worksheets: 'emit',
    hyperlinks: 'ignore',
    entries: 'ignore',
  })
  for await (const sheet of reader) {
    for await (const row of sheet) {
      const values = row.values as unknown[]
      const cells: string[] = []
      for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]))
      yield { number: row.number, cells }
    }
    return
  }
}

// ---------------------------------------------------------------------------------------------------
// Writing rows

type Cell = string | number | boolean

interface RowWriter {
  write(values: readonly Cell[]): Promise<void>
  close(): Promise<void>
}

/** CSV through csv-stringify, with a BOM so that spreadsheet programs read the Chinese as UTF-8. */
function csvWriter(file: string): RowWriter {
  const out: WriteStream = createWriteStream(file)
  let first = true
  return {
    async write(values) {
      const text = stringify([values as Cell[]], { bom: first, cast: { boolean: (b) => String(b) } })
      first = false
      if (!out.write(text)) await once(out, 'drain')
    },
    async close() {
      out.end()
      await once(out, 'finish')
    },
  }
}

async function xlsxWriter(file: string, sheetName: string): Promise<RowWriter> {
  const ExcelJS = await excel()
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: file,
    useSharedStrings: false,
    useStyles: false,
  })
  const sheet = workbook.addWorksheet(sheetName)
  return {
    async write(values) {
      sheet.addRow(values as Cell[]).commit()
    },
    async close() {
      sheet.commit()
      await workbook.commit()
    },
  }
}

async function writerFor(file: string, sheetName: string): Promise<RowWriter> {
  return formatOf(file, 'output') === 'csv' ? csvWriter(file) : xlsxWriter(file, sheetName)
}

// ---------------------------------------------------------------------------------------------------
// Progress

/** Progress on stderr: a bar with rate and ETA on a terminal, else one plain line per interval. */
class Progress {
  private readonly started = Date.now()
  private lastLine = 0
  private bar: SingleBar | null = null
  rows = 0
  failed = 0

  constructor(
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean },
    /** bytes of the input, for the percentage and the ETA (rows are not known before the end) */
    private readonly totalBytes: number,
    private readonly bytesRead: () => number,
    private readonly intervalMs: number,
  ) {
    if (stream.isTTY) {
      this.bar = new SingleBar({
        stream,
        format:
          'batch {bar} {percentage}% | {rows} rows, {failed} failed | {rate} rows/s | ETA {eta_formatted}',
        etaBuffer: 50,
        hideCursor: true,
      })
      this.bar.start(Math.max(totalBytes, 1), 0, { rows: 0, failed: 0, rate: 0 })
    }
  }

  private rate(): number {
    const s = (Date.now() - this.started) / 1000
    return s > 0 ? Math.round(this.rows / s) : 0
  }

  tick(ok: boolean): void {
    this.rows++
    if (!ok) this.failed++
    const now = Date.now()
    if (this.bar) {
      if ((this.rows & 255) === 0 || !ok)
        this.bar.update(Math.min(this.bytesRead(), this.totalBytes), {
          rows: this.rows,
          failed: this.failed,
          rate: this.rate(),
        })
      return
    }
    if (now - this.lastLine < this.intervalMs) return
    this.lastLine = now
    const done = this.totalBytes > 0 ? Math.min(this.bytesRead() / this.totalBytes, 1) : 0
    const rate = this.rate()
    const eta = done > 0 && done < 1 ? Math.round(((now - this.started) / 1000) * (1 / done - 1)) : 0
    this.stream.write(
      `batch: ${this.rows} rows, ${this.failed} failed, ${rate} rows/s, ${Math.floor(done * 100)}% read, ETA ${eta}s\n`,
    )
  }

  finish(): void {
    if (this.bar) {
      this.bar.update(this.totalBytes, { rows: this.rows, failed: this.failed, rate: this.rate() })
      this.bar.stop()
    }
    const s = ((Date.now() - this.started) / 1000).toFixed(1)
    this.stream.write(
      `batch: done, ${this.rows} rows, ${this.rows - this.failed} scored, ${this.failed} failed, in ${s}s\n`,
    )
  }
}

// ---------------------------------------------------------------------------------------------------
// The run

/** Where the tables come from: the tables in force (from the database), or one draft for every row. */
export interface BatchTables {
  registry: TableRegistry
  draft: CompiledTable | null
}

export interface BatchOptions {
  input: string
  output: string
  /** the error file; default OUT with `.errors.csv` in place of its extension */
  errors?: string
  jurisdiction?: string
  asOf?: string
  /** a row number whose full result (or errors) is printed on `explainTo` */
  explain?: number
  progress: NodeJS.WritableStream & { isTTY?: boolean }
  explainTo: NodeJS.WritableStream
  /** plain progress lines at most this often (ms); 0 = one per row */
  progressIntervalMs?: number
}

export interface BatchSummary {
  rows: number
  scored: number
  failed: number
  errorsFile: string
}

export function errorsFileOf(output: string): string {
  return `${output.slice(0, output.length - extname(output).length)}.errors.csv`
}

interface RowError {
  column: string
  message: string
}

/** The output's fixed columns around the layers and items of the tables rows may use. */
function outputHeader(layers: readonly string[], items: readonly string[]): string[] {
  return [
    'row',
    'id',
    'jurisdiction',
    'asOf',
    'total',
    'eligible',
    'failedGates',
    'frozenUntil',
    'deductions',
    'provisional',
    ...layers.map((l) => `layer.${l}`),
    ...items.map((i) => `item.${i}`),
    'rulesetId',
    'rulesetSha256',
    'factsSha256',
  ]
}

/** Layer and item ids of these tables, in table order, each once. */
function idsOf(tables: readonly CompiledTable[]): { layers: string[]; items: string[] } {
  const layers = new Set<string>()
  const items = new Set<string>()
  for (const t of tables) {
    for (const l of t.table.layers) layers.add(l.id)
    for (const i of t.table.items) items.add(i.id)
  }
  return { layers: [...layers], items: [...items] }
}

function checkOption<T>(
  schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } },
  value: T,
  name: string,
): void {
  const r = schema.safeParse(value)
  if (!r.success) throw new UsageError(`${name}: ${r.error?.issues[0].message}`)
}

export async function runBatch(opts: BatchOptions, tables: BatchTables): Promise<BatchSummary> {
  const inFormat = formatOf(opts.input, 'input')
  if (opts.jurisdiction !== undefined) checkOption(JurisdictionSchema, opts.jurisdiction, '--jurisdiction')
  if (opts.asOf !== undefined) checkOption(DateStringSchema, opts.asOf, '--as-of')
  let size: number
  try {
    size = statSync(opts.input).size
  } catch (e) {
    throw new UsageError(
      `cannot read ${opts.input}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    )
  }
  formatOf(opts.output, 'output')
  const errorsFile = opts.errors ?? errorsFileOf(opts.output)

  const stream = createReadStream(opts.input)
  const rows = inFormat === 'csv' ? csvRows(stream) : xlsxRows(stream)
  const first = await rows.next()
  if (first.done) throw new UsageError(`${opts.input} is empty: the first row names the columns`)
  const { columns, problems } = mapHeaders(first.value.cells)
  if (problems.length > 0) {
    stream.destroy()
    throw new UsageError(`${opts.input}: ${problems.join('; ')}`)
  }
  const headerOf = new Map(
    columns.flatMap((c, i) => (c ? [[c.key, first.value.cells[i].trim()] as const] : [])),
  )
  const perRowTable = headerOf.has('jurisdiction') || headerOf.has('asOf')

  // The output's columns are known before the first row: the draft's, the one table the options
  // select, or (rows naming their own jurisdiction or date) every points table.
  let fixed: CompiledTable | null = tables.draft
  if (fixed === null && !perRowTable) {
    if (opts.jurisdiction === undefined || opts.asOf === undefined)
      throw new UsageError('give --jurisdiction and --as-of (or jurisdiction and asOf columns)')
    try {
      fixed = tables.registry.find('points', opts.jurisdiction, opts.asOf)
    } catch (e) {
      if (e instanceof NoTableInForceError) throw new UsageError(e.message)
      throw e
    }
  }
  const { layers, items } = idsOf(
    fixed !== null ? [fixed] : tables.registry.all().filter((t) => t.table.scheme === 'points'),
  )

  const out = await writerFor(opts.output, 'results')
  const errOut = csvWriter(errorsFile)
  await out.write(outputHeader(layers, items))
  await errOut.write(['row', 'column', 'message'])
  const progress = new Progress(opts.progress, size, () => stream.bytesRead, opts.progressIntervalMs ?? 1000)
  const named = (key: string) => headerOf.get(key) ?? key
  let explained = false

  const fail = async (n: number, errors: readonly RowError[]) => {
    for (const e of errors) await errOut.write([n, e.column === '' ? '' : named(e.column), e.message])
    if (opts.explain === n) {
      explained = true
      opts.explainTo.write(`${JSON.stringify({ row: n, errors }, null, 2)}\n`)
    }
    progress.tick(false)
  }

  try {
    for await (const { number, cells } of rows) {
      if (cells.every((c) => c.trim() === '')) continue
      const byKey = new Map<string, string>()
      let extra = false
      cells.forEach((c, i) => {
        const col = columns[i]
        if (col) byKey.set(col.key, c)
        else if (c.trim() !== '' && i >= columns.length) extra = true
      })
      if (extra) {
        await fail(number, [{ column: '', message: 'more cells than the header has columns' }])
        continue
      }
      const read = readRow(byKey)
      if ('errors' in read) {
        await fail(number, read.errors)
        continue
      }
      const parsed = ApplicantSchema.safeParse(read.row.applicant)
      if (!parsed.success) {
        await fail(
          number,
          parsed.error.issues.map((i) => ({
            column: columnOfPath(i.path),
            message: messageOfPath(i.path, i.message),
          })),
        )
        continue
      }
      const jurisdiction = read.row.jurisdiction ?? opts.jurisdiction ?? tables.draft?.table.jurisdiction
      const asOf = read.row.asOf ?? opts.asOf
      const contextErrors: RowError[] = []
      if (jurisdiction === undefined)
        contextErrors.push({
          column: 'jurisdiction',
          message: 'no jurisdiction: give --jurisdiction or a jurisdiction column',
        })
      else if (!JurisdictionSchema.safeParse(jurisdiction).success)
        contextErrors.push({ column: 'jurisdiction', message: 'expected a 6-digit GB/T 2260 code' })
      if (asOf === undefined)
        contextErrors.push({ column: 'asOf', message: 'no as-of date: give --as-of or an asOf column' })
      else {
        const d = DateStringSchema.safeParse(asOf)
        if (!d.success) contextErrors.push({ column: 'asOf', message: d.error.issues[0].message })
      }
      if (contextErrors.length > 0 || jurisdiction === undefined || asOf === undefined) {
        await fail(number, contextErrors)
        continue
      }
      let table: CompiledTable
      try {
        table = fixed ?? tables.registry.find('points', jurisdiction, asOf)
      } catch (e) {
        if (!(e instanceof NoTableInForceError)) throw e
        await fail(number, [{ column: headerOf.has('asOf') ? 'asOf' : 'jurisdiction', message: e.message }])
        continue
      }
      const district = districtItemErrors(
        parsed.data.districtItems,
        [districtItemsOf(table.table)],
        'districtItems',
      )
      if (district.length > 0) {
        await fail(
          number,
          district.map((d) => ({ column: 'districtItems', message: d.message })),
        )
        continue
      }
      let result: PointsResult
      try {
        result = table.evaluatePoints(parsed.data, { asOf, jurisdiction })
      } catch (e) {
        if (!(e instanceof EvaluationError)) throw e
        await fail(number, [{ column: '', message: e.message }])
        continue
      }
      await out.write(resultRow(number, read.row.ref, result, layers, items))
      if (opts.explain === number) {
        explained = true
        opts.explainTo.write(`${JSON.stringify({ row: number, result }, null, 2)}\n`)
      }
      progress.tick(true)
    }
    if (opts.explain !== undefined && !explained)
      opts.explainTo.write(
        `${JSON.stringify({ row: opts.explain, errors: [{ column: '', message: 'no such row (past the end, or blank)' }] }, null, 2)}\n`,
      )
  } finally {
    progress.finish()
    await out.close()
    await errOut.close()
  }
  return { rows: progress.rows, scored: progress.rows - progress.failed, failed: progress.failed, errorsFile }
}

function resultRow(
  n: number,
  ref: string,
  r: PointsResult,
  layers: readonly string[],
  items: readonly string[],
): Cell[] {
  const layerPoints = new Map(r.layers.map((l) => [l.id, l.points]))
  const itemPoints = new Map(r.items.map((i) => [i.id, i.points]))
  const deducted = r.deductions.reduce((s, d) => s + Math.round(d.points * 10_000), 0) / 10_000
  return [
    n,
    ref,
    r.jurisdiction,
    r.asOf,
    r.total,
    r.eligible,
    r.gates
      .filter((g) => !g.passed)
      .map((g) => g.id)
      .join(';'),
    r.frozenUntil ?? '',
    deducted,
    r.provisional,
    ...layers.map((l) => layerPoints.get(l) ?? ''),
    ...items.map((i) => itemPoints.get(i) ?? ''),
    rulesetIdOf(r.ruleset),
    r.ruleset.sha256,
    r.factsSha256,
  ]
}

// ---------------------------------------------------------------------------------------------------

/** A draft YAML table compiled for scoring; its base (for a patch) is the published version it names. */
async function draftTable(
  file: string,
  published: () => Promise<readonly { tableId: string; version: number; table: CompiledTable['table'] }[]>,
): Promise<CompiledTable> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
  const parsed = parseDraftFile(text)
  if ('problems' in parsed)
    throw new UsageError(
      `--table ${file} is not a valid table (jifen tables validate ${file}):\n${parsed.problems.map((p) => `  ${file}:${p.line ?? '?'}: ${p.path}: ${p.message}`).join('\n')}`,
    )
  if (parsed.source.scheme !== 'points')
    throw new UsageError(`--table ${file} is a ${parsed.source.scheme} table, not points`)
  const tables = await published()
  try {
    return compileTable(
      resolveTable(
        parsed.source,
        // the base is pinned (`id@version`), as the service resolves drafts
        (pinned) => tables.find((t) => `${t.tableId}@${t.version}` === pinned)?.table,
      ),
    )
  } catch (e) {
    if (e instanceof TableCompileError) throw new UsageError(`--table ${file}: ${e.message}`)
    throw e
  }
}

export interface BatchCliOptions {
  jurisdiction?: string
  asOf?: string
  table?: string
  explain?: string
  errors?: string
  progressInterval?: string
  db?: string
}

/** The `jifen batch` command's work, loaded only when the command runs (exceljs is slow to import). */
export async function batchCommand(input: string, output: string, opts: BatchCliOptions): Promise<void> {
  const explain = opts.explain === undefined ? undefined : Number(opts.explain)
  if (explain !== undefined && !(Number.isInteger(explain) && explain >= 2))
    throw new UsageError('--explain: a row number, 2 or more (row 1 is the header)')
  const interval = Number(opts.progressInterval)
  if (!(Number.isInteger(interval) && interval >= 0))
    throw new UsageError('--progress-interval: milliseconds, 0 or more')
  const summary = await withRulesets(opts.db, async (rulesets, storage) => {
    const draft =
      opts.table === undefined
        ? null
        : await draftTable(opts.table, () => storage.rulesets.list({ status: 'published' }))
    return runBatch(
      {
        input,
        output,
        errors: opts.errors,
        jurisdiction: opts.jurisdiction,
        asOf: opts.asOf,
        explain,
        progress: process.stderr,
        explainTo: process.stdout,
        progressIntervalMs: interval,
      },
      { registry: rulesets.current(), draft },
    )
  })
  if (summary.failed > 0) {
    process.stderr.write(`batch: ${summary.failed} rows failed; see ${summary.errorsFile}\n`)
    process.exitCode = 1
  }
}
