// `jifen tables list|show|diff|validate|publish`: the database's rulesets through the same service as the HTTP routes.
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import type { FastifyBaseLogger } from 'fastify'
import { pino } from 'pino'
import { type Document, isMap, isNode, isSeq, LineCounter, parseDocument } from 'yaml'
import { RULESET_STATUSES, type RulesetSummary } from '../../schema/api.ts'
import type { FieldError } from '../../schema/errors.ts'
import { SchemeSchema, type TableSource, TableSourceSchema } from '../../schema/table.ts'
import { citation } from '../../scoring/references.ts'
import { systemClock } from '../clock.ts'
import { AppError } from '../errors.ts'
import type { Storage } from '../repositories/types.ts'
import { Recorder } from '../services/recorder.ts'
import { RulesetService, rulesetIdOf } from '../services/rulesets.ts'
import { loadShippedTables } from '../tables/shipped.ts'
import { cliActor, cliAuditKey, cliConfig, DB_OPTION, openCliStorage } from './storage.ts'
import { UsageError } from './usage-error.ts'

/**
 * Runs `work` with the rulesets service over the configured database. The shipped tables are seeded
 * first, exactly as `jifen serve` does on start (idempotent, audited as the system), so that a database
 * the service has never opened reads the same as one it has.
 */
export async function withRulesets<T>(
  db: string | undefined,
  work: (rulesets: RulesetService, storage: Storage) => Promise<T>,
): Promise<T> {
  const config = cliConfig(db)
  const storage = await openCliStorage(db)
  try {
    // warnings (a shipped table edited without a new version) go to stderr, as the server logs them
    const log = pino({ level: 'warn' }, pino.destination(2)) as unknown as FastifyBaseLogger
    const rulesets = new RulesetService(
      storage.rulesets,
      new Recorder(storage, systemClock, { auditKey: await cliAuditKey(config, storage) }),
      log,
    )
    await rulesets.seed(loadShippedTables())
    await rulesets.reloadRegistry()
    return await work(rulesets, storage)
  } finally {
    await storage.close()
  }
}

/** A refusal by the service (not found, immutable, invalid): its message and fields, exit status 1. */
class Refused extends Error {
  constructor(readonly error: AppError) {
    super(error.message)
  }
}

async function refusing<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (e) {
    if (e instanceof AppError) throw new Refused(e)
    throw e
  }
}

function printRefusal(e: Refused, json: boolean | undefined): void {
  if (json)
    process.stdout.write(
      `${JSON.stringify({ error: e.error.name_, detail: e.message, errors: e.error.errors })}\n`,
    )
  else process.stderr.write(`jifen: ${e.message}\n`)
  process.exitCode = 1
}

function out(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}

/** A row's provisional mark in `tables show`: nothing, "(provisional)", or "(provisional: reason)". */
function provisionalNote(p: boolean | { reason: string } | undefined): string {
  if (p === undefined || p === false) return ''
  return p === true ? ' (provisional)' : ` (provisional: ${p.reason})`
}

function summaryLine(r: RulesetSummary): string {
  return [
    r.id,
    r.scheme,
    r.jurisdiction,
    r.status,
    `${r.validFrom}..${r.validTo ?? ''}`,
    r.provisional ? 'provisional' : '',
    r.sha256.slice(0, 12),
    r.title,
  ].join('\t')
}

// ---------------------------------------------------------------------------------------------------
// Line numbers for validation errors

/** A located problem in a YAML file; line and column are 1-based, null when the path has no node. */
export interface LocatedProblem {
  path: string
  line: number | null
  column: number | null
  message: string
}

/** `items[3].when.fact`, `items.3.when` or `patch.reweight.age` → path segments. */
function segmentsOf(path: string): string[] {
  return path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((s) => s !== '')
}

/**
 * The offset of the deepest node of the document on `path`: an index into a sequence, a key into a
 * map, or (for rows addressed by id, as the compiler names them) the row whose `id` is the segment.
 */
function offsetOf(doc: Document, segments: readonly string[]): number | null {
  let node: unknown = doc.contents
  let best: number | null = isNode(node) ? (node.range?.[0] ?? null) : null
  for (const seg of segments) {
    let next: unknown
    if (isSeq(node)) {
      next = /^\d+$/.test(seg)
        ? node.items[Number(seg)]
        : node.items.find((row) => isMap(row) && row.get('id') === seg)
    } else if (isMap(node)) next = node.get(seg, true)
    if (!isNode(next)) break
    node = next
    if (next.range) best = next.range[0]
  }
  return best
}

/**
 * Parses a draft YAML file and checks it against the table-source schema; every problem carries the
 * line of the node it is about (of the nearest enclosing node when the field is missing).
 */
export function parseDraftFile(
  text: string,
):
  | { source: TableSource; locate: (path: string) => { line: number | null; column: number | null } }
  | { problems: LocatedProblem[] } {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false })
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0])
        return { path: '(yaml)', line: pos.line, column: pos.col, message: e.message.split('\n')[0] }
      }),
    }
  }
  const locate = (path: string) => {
    const offset = offsetOf(doc, segmentsOf(path))
    if (offset === null) return { line: null, column: null }
    const pos = lineCounter.linePos(offset)
    return { line: pos.line, column: pos.col }
  }
  const parsed = TableSourceSchema.safeParse(doc.toJS())
  if (!parsed.success) {
    return {
      problems: parsed.error.issues.map((i) => {
        const path = i.path.map(String).join('.') || '(root)'
        return { path, ...locate(i.path.map(String).join('.')), message: i.message }
      }),
    }
  }
  return { source: parsed.data, locate }
}

/** Reads and validates a draft file against the database: schema, then resolution, compilation, overlap. */
async function checkDraft(
  rulesets: RulesetService,
  file: string,
): Promise<{
  source: TableSource | null
  errors: LocatedProblem[]
  warnings: LocatedProblem[]
  sha256: string | null
}> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
  const parsed = parseDraftFile(text)
  if ('problems' in parsed) return { source: null, errors: parsed.problems, warnings: [], sha256: null }
  const located = (f: FieldError): LocatedProblem => {
    const path = f.path.replace(/^body\.table\./, '').replace(/^table\./, '')
    // the compiler's messages start with their path: said once
    const message = f.message.startsWith(`${path}: `) ? f.message.slice(path.length + 2) : f.message
    return { path, ...parsed.locate(path), message }
  }
  try {
    const { sha256, warnings } = await rulesets.check(parsed.source)
    return { source: parsed.source, errors: [], warnings: warnings.map(located), sha256 }
  } catch (e) {
    if (!(e instanceof AppError)) throw e
    const fields = e.errors.length > 0 ? e.errors : [{ path: 'table', message: e.message }]
    return { source: parsed.source, errors: fields.map(located), warnings: [], sha256: null }
  }
}

function problemLines(file: string, kind: string, problems: readonly LocatedProblem[]): string[] {
  return problems.map((p) => `${file}:${p.line ?? '?'}:${p.column ?? '?'}: ${kind}: ${p.path}: ${p.message}`)
}

// ---------------------------------------------------------------------------------------------------

interface DbOpts {
  db?: string
  json?: boolean
}

export function registerTables(program: Command): void {
  const tables = program
    .command('tables')
    .description(
      'the rulesets (points and other tables) in the database: list, show, diff, validate, publish',
    )

  tables
    .command('list')
    .description('list rulesets: id, scheme, jurisdiction, status, validity, provisional, hash, title')
    .option('--scheme <scheme>', 'points, residence-permit, settlement or admission')
    .option('--jurisdiction <code>', 'a 6-digit GB/T 2260 code')
    .option('--status <status>', RULESET_STATUSES.join(', '))
    .option('--json', 'one JSON array of ruleset summaries')
    .option(...DB_OPTION)
    .action(async (opts: DbOpts & { scheme?: string; jurisdiction?: string; status?: string }) => {
      const scheme = opts.scheme === undefined ? undefined : SchemeSchema.safeParse(opts.scheme)
      if (scheme && !scheme.success) throw new UsageError(`--scheme: ${scheme.error.issues[0].message}`)
      if (opts.status !== undefined && !(RULESET_STATUSES as readonly string[]).includes(opts.status))
        throw new UsageError(`--status: one of ${RULESET_STATUSES.join(', ')}`)
      const list = await withRulesets(opts.db, (r) =>
        r.list({
          scheme: scheme?.data,
          jurisdiction: opts.jurisdiction,
          status: opts.status as (typeof RULESET_STATUSES)[number] | undefined,
        }),
      )
      if (opts.json) return out(list)
      const header = 'id\tscheme\tjurisdiction\tstatus\tvalid\tprovisional\tsha256\ttitle'
      process.stdout.write(`${[header, ...list.map(summaryLine)].join('\n')}\n`)
    })

  tables
    .command('show')
    .description('one ruleset: its summary, layers, items with their legal references, and district items')
    .argument('<id>', '<tableId>@<version>, e.g. ningbo-points-2022@1')
    .option('--json', 'the summary, references, district items and the full table as JSON')
    .option(...DB_OPTION)
    .action(async (id: string, opts: DbOpts) => {
      try {
        const detail = await withRulesets(opts.db, (r) => refusing(() => r.get(id)))
        if (opts.json) return out(detail)
        const s = detail.ruleset
        const lines = [
          `${s.id}  ${s.title}`,
          `  scheme ${s.scheme}, jurisdiction ${s.jurisdiction}, ${s.status}, valid ${s.validFrom} to ${s.validTo ?? 'open'}`,
          `  ref ${s.ref}${s.provisional ? '  (provisional)' : ''}`,
          `  sha256 ${s.sha256}`,
        ]
        if (detail.table.layers.length > 0) {
          lines.push('layers:')
          for (const l of detail.table.layers) lines.push(`  ${l.id}\t${l.label}\tcap ${l.cap}`)
        }
        if (detail.table.items.length > 0) {
          lines.push('items:')
          for (const i of detail.table.items)
            lines.push(
              `  ${i.id}\t${i.label}\tlayer ${i.layer}\tcap ${i.cap ?? '-'}\t${citation(i.ref, detail.table.references)}${provisionalNote(i.provisional)}`,
            )
        }
        if (detail.districtItems.length > 0) {
          lines.push('district items:')
          for (const d of detail.districtItems) lines.push(`  ${d.id}\t${d.type}\t${d.label}`)
        }
        process.stdout.write(`${lines.join('\n')}\n`)
      } catch (e) {
        if (e instanceof Refused) return printRefusal(e, opts.json)
        throw e
      }
    })

  tables
    .command('diff')
    .description('the differences from one ruleset to another, row by row and field by field')
    .argument('<from>', 'ruleset id, e.g. ningbo-points-2022@1')
    .argument('<to>', 'ruleset id, e.g. yinzhou-points-2022@1')
    .option('--json', 'the diff as JSON (as GET /v1/rulesets/{id}/diff/{otherId})')
    .option(...DB_OPTION)
    .action(async (from: string, to: string, opts: DbOpts) => {
      try {
        const d = await withRulesets(opts.db, (r) => refusing(() => r.diff(from, to)))
        if (opts.json) return out(d)
        const lines = [
          `${d.from.id} → ${d.to.id}: ${d.identical ? 'identical' : `${d.changes.length} changes`}`,
        ]
        for (const c of d.changes) {
          lines.push(
            `${c.change === 'added' ? '+' : c.change === 'removed' ? '-' : '~'} ${c.section}${c.id ? ` ${c.id}` : ''}`,
          )
          for (const f of c.fields)
            lines.push(
              `    ${f.path}: ${JSON.stringify(f.from) ?? '(absent)'} → ${JSON.stringify(f.to) ?? '(absent)'}`,
            )
        }
        process.stdout.write(`${lines.join('\n')}\n`)
      } catch (e) {
        if (e instanceof Refused) return printRefusal(e, opts.json)
        throw e
      }
    })

  tables
    .command('validate')
    .description(
      'check a draft YAML table as publishing it would (schema, base table, compilation, overlapping windows); errors name the file line; exit 1 if invalid',
    )
    .argument('<file>', 'the draft table, YAML')
    .option('--json', '{ file, valid, sha256, errors, warnings } as JSON')
    .option(...DB_OPTION)
    .action(async (file: string, opts: DbOpts) => {
      const r = await withRulesets(opts.db, (rulesets) => checkDraft(rulesets, file))
      const valid = r.errors.length === 0
      if (opts.json) out({ file, valid, sha256: r.sha256, errors: r.errors, warnings: r.warnings })
      else {
        const lines = [...problemLines(file, 'error', r.errors), ...problemLines(file, 'warning', r.warnings)]
        if (valid && r.source)
          lines.push(
            `${file}: ${rulesetIdOf(r.source)} is valid (sha256 ${r.sha256}), ${r.warnings.length} warnings`,
          )
        process.stdout.write(`${lines.join('\n')}\n`)
      }
      if (!valid) process.exitCode = 1
    })

  tables
    .command('publish')
    .description(
      'validate a draft YAML table, store it as a draft and publish it (audited, as POST /v1/rulesets and …/publish); exit 1 if refused',
    )
    .argument('<file>', 'the table, YAML')
    .option('--json', 'the published ruleset and warnings as JSON')
    .option(...DB_OPTION)
    .action(async (file: string, opts: DbOpts) => {
      const result = await withRulesets(opts.db, async (rulesets, storage) => {
        const checked = await checkDraft(rulesets, file)
        if (checked.source === null || checked.errors.length > 0) return { checked, published: null }
        const source = checked.source
        const id = rulesetIdOf(source)
        const ctx = { actor: cliActor(), idempotency: null }
        try {
          // a draft of the same id (made through the API, say) is replaced by the file, then published
          const existing = await storage.rulesets.get(id)
          if (existing === null) await rulesets.createDraft(source, ctx)
          else await rulesets.replaceDraft(id, source, ctx)
          return { checked, published: (await rulesets.publish(id, ctx)).body }
        } catch (e) {
          if (!(e instanceof AppError)) throw e
          const fields = e.errors.length > 0 ? e.errors : [{ path: 'table', message: e.message }]
          const errors = fields.map((f) => {
            const path = f.path.replace(/^(body|params)\.(table\.)?/, '')
            return { path, line: null, column: null, message: f.message }
          })
          return { checked: { ...checked, errors }, published: null }
        }
      })
      const { checked, published } = result
      if (opts.json) out({ file, published: published !== null, ...published, errors: checked.errors })
      else if (published === null)
        process.stderr.write(`${problemLines(file, 'error', checked.errors).join('\n')}\n`)
      else {
        const lines = problemLines(file, 'warning', checked.warnings)
        lines.push(`published ${published.ruleset.id} (sha256 ${published.ruleset.sha256})`)
        process.stdout.write(`${lines.join('\n')}\n`)
      }
      if (published === null) process.exitCode = 1
    })
}
