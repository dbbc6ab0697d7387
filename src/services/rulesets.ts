// Rulesets: seeding the shipped tables, drafts (validated), publication, diffs, and the registry of tables in force.
import type { FastifyBaseLogger } from 'fastify'
import type { z } from 'zod'
import { ZodError } from 'zod'
import type {
  LegalReferenceSchema,
  RowChange,
  RulesetKey,
  RulesetSummary,
  RulesetVersions,
} from '../../schema/api.ts'
import type { FieldError } from '../../schema/errors.ts'
import type { Table, TableSource } from '../../schema/table.ts'
import { type CompiledTable, compileTable } from '../../scoring/compile.ts'
import { TableCompileError } from '../../scoring/conditions.ts'
import { contentSha256 } from '../../scoring/hash.ts'
import { isProvisional, type RowProvisional } from '../../scoring/provisional.ts'
import { citation, keysOf } from '../../scoring/references.ts'
import { TableRegistry, type WithheldTable } from '../../scoring/registry.ts'
import { resolveTable, successorsFor } from '../../scoring/resolve.ts'
import { AppError, bi, notFound } from '../errors.ts'
import type { RulesetFilter, RulesetRepository, StoredRuleset } from '../repositories/types.ts'
import { diffJson } from './json-diff.ts'
import { type Recorder, SYSTEM_ACTOR, type WriteContext, type Written } from './recorder.ts'

/** A ruleset's status as the Chinese problem text says it. */
const STATUS_ZH: Readonly<Record<string, string>> = {
  draft: '是草稿',
  published: '已发布',
  retired: '已停用',
  'no longer published': '已不再是已发布状态',
}

type LegalReference = z.output<typeof LegalReferenceSchema>

/** Sections of a table made of rows with ids; the diff and the reference list walk them by id. */
const ROW_SECTIONS = [
  'layers',
  'items',
  'deductions',
  'vetoes',
  'gates',
  'routes',
  'entitlements',
  'priorityTiers',
  'districtFacts',
] as const

export function rulesetIdOf(t: { id: string; version: number }): string {
  return `${t.id}@${t.version}`
}

/** `{ id, version, key }` of a `<tableId>@<version>` key (the table id may itself hold an `@`: the last one splits). */
export function rulesetKeyOf(key: string): RulesetKey {
  const at = key.lastIndexOf('@')
  return { id: key.slice(0, at), version: Number(key.slice(at + 1)), key }
}

export function summarize(r: StoredRuleset): RulesetSummary {
  return {
    id: r.id,
    key: r.id,
    tableId: r.tableId,
    version: r.version,
    scheme: r.scheme,
    jurisdiction: r.jurisdiction,
    title: r.table.title,
    validFrom: r.validFrom,
    validTo: r.validTo,
    status: r.status,
    sha256: r.sha256,
    ref: citation(r.table.ref, r.table.references),
    provisional: r.table.provisional !== false,
    origin: r.origin,
    createdAt: r.createdAt,
    publishedAt: r.publishedAt,
    retiredAt: r.retiredAt,
    retiredReason: r.retiredReason,
  }
}

function overlaps(
  a: { validFrom: string; validTo: string | null },
  b: { validFrom: string; validTo: string | null },
) {
  return a.validFrom <= (b.validTo ?? '9999-12-31') && b.validFrom <= (a.validTo ?? '9999-12-31')
}

type RulesetWrite = { ruleset: RulesetSummary; warnings: FieldError[]; successors?: string[] }

/** The stored form of a ruleset just written, built inside the write's transaction to answer from. */
function storedOf(
  table: Table,
  sha256: string,
  status: 'draft' | 'published',
  origin: StoredRuleset['origin'],
  createdAt: string,
  publishedAt: string | null,
): StoredRuleset {
  return {
    id: rulesetIdOf(table),
    tableId: table.id,
    version: table.version,
    scheme: table.scheme,
    jurisdiction: table.jurisdiction,
    validFrom: table.validFrom,
    validTo: table.validTo ?? null,
    status,
    sha256,
    table,
    origin,
    createdAt,
    publishedAt,
    retiredAt: null,
    retiredReason: null,
  }
}

/**
 * The 400 for a table that does not parse or compile, with each error's field under `at` (the body
 * path of the table), or undefined for any other error. Drafts for simulation use it too.
 */
export function tableInvalidError(err: unknown, at: string): AppError | undefined {
  if (err instanceof TableCompileError) {
    const message = bi(`积分表无法编译：${err.zh}`, err.message)
    return new AppError('TABLE_INVALID', message, [{ path: `${at}.${err.path}`, message }])
  }
  if (err instanceof ZodError) {
    const errors = err.issues.map((i) => ({
      path: `${at}.${i.path.map(String).join('.')}`,
      message: i.message,
    }))
    const en = errors.map((e) => `${e.path}: ${e.message}`).join('; ')
    return new AppError('TABLE_INVALID', bi(`积分表不符合格式：${en}`, en), errors)
  }
  return undefined
}

export class RulesetService {
  private registry = new TableRegistry([])
  /** the tables generation the registry was built at (storage's RulesetRepository.generation) */
  private loadedGeneration = -1
  private reloading: Promise<number> | null = null
  /** Tables compiled from stored JSON for replay, keyed by id and hash: never the registry's objects. */
  private readonly storedCompiled = new Map<string, CompiledTable>()
  /** withheld tables already logged and audited by this process (id#actual hash) */
  private readonly reported = new Set<string>()

  constructor(
    private readonly repo: RulesetRepository,
    private readonly recorder: Recorder,
    private readonly log: FastifyBaseLogger,
  ) {}

  /**
   * The tables in force: built from the published rulesets at start, and again whenever the tables
   * generation moved (a publication or retirement, through any instance); `ensureFresh` checks that
   * before each request that scores.
   */
  current(): TableRegistry {
    return this.registry
  }

  /** The generation `current()` was built at: an official record is stored only if it still holds. */
  generation(): number {
    return this.loadedGeneration
  }

  /**
   * Reloads the tables when another instance (or the CLI) changed them since they were built: a
   * cheap read on SQLite; on PostgreSQL the generation its LISTEN connection last heard.
   */
  async ensureFresh(): Promise<void> {
    if ((await this.repo.generation()) > this.loadedGeneration) await this.reloadRegistry()
  }

  /**
   * True when the tables are known to be fresh without waiting (the generation read synchronously
   * and not past the one they were built at); otherwise `ensureFresh` must be awaited. Every API
   * request asks this first: on the hot path it spares a promise per request.
   */
  freshNow(): boolean {
    const g = this.repo.generationNow()
    return g !== null && g <= this.loadedGeneration
  }

  /**
   * Seeds shipped tables that are not stored yet, as published. Idempotent: a stored id@version with
   * the same hash is left alone. A stored one with another hash is left alone too (published tables
   * never change) and reported, because its YAML was edited without a new version number.
   */
  async seed(tables: readonly Table[]): Promise<{ inserted: string[]; changedWithoutNewVersion: string[] }> {
    const inserted: string[] = []
    const changed: string[] = []
    const missing: { table: Table; sha256: string }[] = []
    for (const table of tables) {
      const compiled = compileTable(table)
      const existing = await this.repo.get(rulesetIdOf(table))
      if (existing === null) missing.push({ table, sha256: compiled.sha256 })
      else if (existing.sha256 !== compiled.sha256) changed.push(rulesetIdOf(table))
    }
    if (missing.length > 0) {
      // A table entering the database in force is an official action like a publication: audited.
      await this.recorder.audited(
        SYSTEM_ACTOR,
        async ({ tx, at, audit }) => {
          for (const { table, sha256 } of missing) {
            if (!(await tx.rulesets.insert({ table, sha256, status: 'published', origin: 'shipped', at })))
              continue
            await audit('ruleset.seeded', rulesetIdOf(table), sha256)
            inserted.push(rulesetIdOf(table))
          }
        },
        true,
      )
    }
    if (changed.length > 0) {
      this.log.warn(
        { rulesets: changed },
        'shipped tables differ from the published versions; give them a new version',
      )
    }
    return { inserted, changedWithoutNewVersion: changed }
  }

  /**
   * Rebuilds the registry from the published rulesets. The generation is read first, so the tables
   * read after it are at least that recent (a later change only makes the next check reload again).
   * `atLeast`: a generation the caller saw in the database itself (a refused record), which the
   * LISTEN connection may not have heard of yet. Concurrent calls share one reload.
   */
  reloadRegistry(atLeast = 0): Promise<number> {
    this.reloading ??= (async () => {
      try {
        const generation = Math.max(await this.repo.generation(), atLeast)
        const published = await this.repo.list({ status: 'published' })
        // every table's hash recomputed at every load: one whose content no longer matches (edited
        // in the database file) is never used, only named
        const sound: Table[] = []
        const withheld: WithheldTable[] = []
        for (const r of published) {
          const actual = contentSha256(r.table)
          if (actual === r.sha256) sound.push(r.table)
          else withheld.push(this.withhold(r, actual))
        }
        if (generation >= this.loadedGeneration) {
          this.registry = new TableRegistry(sound, withheld)
          this.loadedGeneration = generation
        }
        return published.length
      } finally {
        this.reloading = null
      }
    })()
    return this.reloading
  }

  /** Published tables withheld at the last load: their content does not match their hash. */
  withheld(): readonly WithheldTable[] {
    return this.registry.withheldTables()
  }

  /** A table that fails its hash: logged, audited once per process and content, and withheld. */
  private withhold(r: StoredRuleset, actual: string): WithheldTable {
    const reason = `its stored content hashes to ${actual.slice(0, 12)}…, not its recorded ${r.sha256.slice(0, 12)}…`
    const seen = `${r.id}#${actual}`
    if (!this.reported.has(seen)) {
      this.reported.add(seen)
      this.log.error(
        { ruleset: r.id },
        `published table ${r.id} fails its integrity check and is withheld: ${reason}`,
      )
      this.recorder
        .audited(SYSTEM_ACTOR, async ({ audit }) => audit('ruleset.integrity_failed', r.id, actual))
        .catch((e: unknown) =>
          this.log.error({ ruleset: r.id, err: e }, 'could not audit the failed integrity check'),
        )
    }
    return {
      rulesetId: r.id,
      scheme: r.scheme,
      jurisdiction: r.jurisdiction,
      validFrom: r.validFrom,
      validTo: r.validTo,
      version: r.version,
      reason,
    }
  }

  async list(filter: RulesetFilter): Promise<RulesetSummary[]> {
    return (await this.repo.list(filter)).map(summarize)
  }

  /**
   * Every version of a table id, and the one in force today: published (not retired) with a validity
   * window that covers today. A 404 when the table id has no version at all.
   */
  async versions(tableId: string, today: string): Promise<RulesetVersions> {
    const all = (await this.repo.list()).filter((r) => r.tableId === tableId)
    if (all.length === 0)
      throw new AppError('NOT_FOUND', bi(`没有积分表 ${tableId}`, `no ruleset ${tableId}`), [
        {
          path: 'params.id',
          message: bi(`任何版本中都没有积分表 ${tableId}`, `no table ${tableId} in any version`),
        },
      ])
    all.sort((a, b) => a.version - b.version)
    const inForce = all
      .filter((r) => r.status === 'published' && r.validFrom <= today && (r.validTo ?? '9999-12-31') >= today)
      .at(-1)
    return {
      id: tableId,
      today,
      inForce: inForce === undefined ? null : rulesetKeyOf(inForce.id),
      versions: all.map(summarize),
    }
  }

  private async mustGet(id: string, path = 'params.id'): Promise<StoredRuleset> {
    const r = await this.repo.get(id)
    if (r === null) throw notFound(bi(`积分表 ${id}`, `ruleset ${id}`), path)
    return r
  }

  async get(id: string): Promise<{
    ruleset: RulesetSummary
    references: LegalReference[]
    districtItems: { id: string; label: string; type: 'number' | 'boolean' }[]
    table: Table
  }> {
    const r = await this.mustGet(id)
    const references: LegalReference[] = []
    for (const section of ROW_SECTIONS) {
      for (const row of r.table[section] as {
        id: string
        label: string
        ref?: string | string[]
        provisional?: RowProvisional
      }[]) {
        if (row.ref === undefined) continue
        // a row marked `{ reason }` is provisional: the reference list keeps its boolean
        const provisional = row.provisional !== undefined && isProvisional(row.provisional)
        references.push(this.legalReference(r.table, section, row.id, row.label, row.ref, provisional))
      }
    }
    const ps = r.table.pointsSettlement
    if (ps)
      references.push(
        this.legalReference(
          r.table,
          'pointsSettlement',
          ps.id,
          ps.label,
          ps.ref,
          isProvisional(ps.provisional),
        ),
      )
    const districtItems = r.table.districtFacts.map(({ id, label, type }) => ({ id, label, type }))
    return { ruleset: summarize(r), references, districtItems, table: r.table }
  }

  /** A row's reference keys with the references they name (none for a key a table stored before references were data lacks). */
  private legalReference(
    table: Table,
    section: string,
    id: string,
    label: string,
    ref: string | string[],
    provisional = false,
  ): LegalReference {
    const cited = keysOf(ref).flatMap((key) => {
      const r = table.references?.[key]
      return r === undefined ? [] : [{ key, ...r }]
    })
    return {
      section,
      id,
      label,
      ref,
      citation: citation(ref, table.references),
      references: cited,
      provisional,
    }
  }

  async diff(id: string, otherId: string) {
    const a = await this.mustGet(id, 'params.id')
    const b = await this.mustGet(otherId, 'params.otherId')
    const changes: RowChange[] = []
    const rest = (t: Table) => {
      const copy: Record<string, unknown> = { ...t }
      for (const s of ROW_SECTIONS) delete copy[s]
      return copy
    }
    const top = diffJson(rest(a.table), rest(b.table))
    if (top.length > 0) changes.push({ section: 'table', id: null, change: 'changed', fields: top })
    for (const section of ROW_SECTIONS) {
      const rowsA = a.table[section] as { id: string }[]
      const rowsB = b.table[section] as { id: string }[]
      const byB = new Map(rowsB.map((r) => [r.id, r]))
      const inA = new Set(rowsA.map((r) => r.id))
      for (const row of rowsA) {
        const other = byB.get(row.id)
        if (other === undefined) changes.push({ section, id: row.id, change: 'removed', fields: [] })
        else {
          const fields = diffJson(row, other)
          if (fields.length > 0) changes.push({ section, id: row.id, change: 'changed', fields })
        }
      }
      for (const row of rowsB)
        if (!inA.has(row.id)) changes.push({ section, id: row.id, change: 'added', fields: [] })
    }
    return {
      from: summarize(a),
      to: summarize(b),
      identical: a.sha256 === b.sha256 && changes.length === 0,
      changes,
    }
  }

  /** Resolves and compiles a draft; every failure names the field in the request body. */
  private async validate(
    source: TableSource,
  ): Promise<{ table: Table; compiled: CompiledTable; warnings: FieldError[] }> {
    const published = await this.repo.list({ status: 'published' })
    let table: Table
    let compiled: CompiledTable
    try {
      // the base is the published version named, never the latest: a table's content is fixed once made
      table = resolveTable(source, (pinned) => published.find((r) => r.id === pinned)?.table)
      compiled = compileTable(table)
    } catch (err) {
      throw tableInvalidError(err, 'body.table') ?? err
    }
    this.checkOverlap(table, published)
    const warnings = compiled.warnings.map((w) => ({ path: `table.${w.path}`, message: w.message }))
    return { table, compiled, warnings }
  }

  /**
   * Validates a draft as creating it would (schema after resolution, compilation, overlapping
   * windows) without writing anything: `jifen tables validate`. Throws the same AppError.
   */
  async check(source: TableSource): Promise<{ table: Table; sha256: string; warnings: FieldError[] }> {
    const { table, compiled, warnings } = await this.validate(source)
    return { table, sha256: compiled.sha256, warnings }
  }

  /**
   * Two published tables of one scheme and jurisdiction may not be in force on the same day, with one
   * exception: a newer version of the same table supersedes the older from its validFrom (the registry
   * takes the latest validFrom, then the highest version), which is how provisional values get replaced.
   */
  private checkOverlap(table: Table, published: readonly StoredRuleset[]): void {
    for (const p of published) {
      if (p.scheme !== table.scheme || p.jurisdiction !== table.jurisdiction) continue
      if (p.tableId === table.id && p.version < table.version) continue
      if (p.tableId === table.id && p.version === table.version) continue
      if (!overlaps(p, table)) continue
      const message = bi(
        `${table.validFrom}–${table.validTo ?? '长期'} 与同一类别、同一地区的 ${p.id}（${p.validFrom}–${p.validTo ?? '长期'}）重叠`,
        `${table.validFrom}–${table.validTo ?? 'open'} overlaps ${p.id} (${p.validFrom}–${p.validTo ?? 'open'}) of the same scheme and jurisdiction`,
      )
      throw new AppError('RULESET_OVERLAP', message, [{ path: 'body.table.validFrom', message }])
    }
  }

  private refuseIfNotDraft(existing: StoredRuleset): void {
    if (existing.status !== 'draft') {
      throw new AppError(
        'RULESET_IMMUTABLE',
        bi(
          `${existing.id} ${STATUS_ZH[existing.status] ?? existing.status}，不能修改；请以新版本号发布`,
          `${existing.id} is ${existing.status}; publish a new version instead`,
        ),
        [
          {
            path: 'params.id',
            message: bi(
              `${existing.id} ${STATUS_ZH[existing.status] ?? existing.status}`,
              `${existing.id} is ${existing.status}`,
            ),
          },
        ],
      )
    }
  }

  async createDraft(source: TableSource, ctx: WriteContext): Promise<Written<RulesetWrite>> {
    const earlier = await this.recorder.replay<RulesetWrite>(ctx)
    if (earlier !== null) return earlier
    const id = rulesetIdOf(source)
    const existing = await this.repo.get(id)
    if (existing !== null) {
      this.refuseIfNotDraft(existing)
      throw new AppError(
        'RULESET_EXISTS',
        bi(
          `${id} 已作为草稿存在；请用 PUT /v1/rulesets/${id} 修改`,
          `${id} exists as a draft; PUT /v1/rulesets/${id} to change it`,
        ),
        [{ path: 'body.table.version', message: bi(`${id} 已存在`, `${id} exists`) }],
      )
    }
    const { table, compiled, warnings } = await this.validate(source)
    return this.recorder.record(ctx, 201, async ({ tx, at, audit }) => {
      const draft = { table, sha256: compiled.sha256, status: 'draft', origin: 'api', at } as const
      if (!(await tx.rulesets.insert(draft)))
        throw new AppError('RULESET_EXISTS', bi(`${id} 已存在`, `${id} exists`), [
          { path: 'body.table.version', message: bi(`${id} 已存在`, `${id} exists`) },
        ])
      await audit('ruleset.draft_created', id, compiled.sha256)
      return {
        body: { ruleset: summarize(storedOf(table, compiled.sha256, 'draft', 'api', at, null)), warnings },
        location: `/v1/rulesets/${id}`,
      }
    })
  }

  async replaceDraft(id: string, source: TableSource, ctx: WriteContext): Promise<RulesetWrite> {
    const existing = await this.mustGet(id)
    this.refuseIfNotDraft(existing)
    if (rulesetIdOf(source) !== id) {
      throw new AppError(
        'VALIDATION',
        bi(
          `请求体是 ${rulesetIdOf(source)}，路径是 ${id}`,
          `the body is ${rulesetIdOf(source)}, the path ${id}`,
        ),
        [
          {
            path: 'body.table.version',
            message: bi(`必须是路径中的积分表 ${id}`, `must be the ruleset in the path, ${id}`),
          },
        ],
      )
    }
    const { table, compiled, warnings } = await this.validate(source)
    const replaced = await this.recorder.audited(
      ctx.actor,
      async ({ tx, audit }) => {
        if (!(await tx.rulesets.replaceDraft(id, table, compiled.sha256))) return false
        await audit('ruleset.draft_replaced', id, compiled.sha256)
        return true
      },
      true,
    )
    // published by someone else in the meantime: say so
    if (!replaced) this.refuseIfNotDraft(await this.mustGet(id))
    const stored = storedOf(table, compiled.sha256, 'draft', existing.origin, existing.createdAt, null)
    return { ruleset: summarize(stored), warnings }
  }

  async publish(id: string, ctx: WriteContext): Promise<Written<RulesetWrite>> {
    const earlier = await this.recorder.replay<RulesetWrite>(ctx)
    if (earlier !== null) return earlier
    const existing = await this.mustGet(id)
    this.refuseIfNotDraft(existing)
    // Checked again: another table may have been published since the draft was made.
    const published = await this.repo.list({ status: 'published' })
    this.checkOverlap(existing.table, published)
    const compiled = compileTable(existing.table)
    const warnings = compiled.warnings.map((w) => ({ path: `table.${w.path}`, message: w.message }))
    const successors = this.successorsOf(existing.table, published)
    const out = await this.recorder.record(ctx, 200, async ({ tx, at, audit }) => {
      // published by someone else in the meantime: nothing written, and the 409 says why
      if (!(await tx.rulesets.publish(id, at)))
        throw new AppError(
          'RULESET_IMMUTABLE',
          bi(
            `${id} 已不是草稿；请以新版本号发布`,
            `${id} is no longer a draft; publish a new version instead`,
          ),
          [{ path: 'params.id', message: bi(`${id} 不是草稿`, `${id} is not a draft`) }],
        )
      await audit('ruleset.published', id, existing.sha256)
      // a correction carries into the tables built on what it corrects, in the same transaction
      for (const s of successors) {
        const sha256 = compileTable(s).sha256
        if (!(await tx.rulesets.insert({ table: s, sha256, status: 'published', origin: 'api', at })))
          throw new AppError('RULESET_EXISTS', bi(`${rulesetIdOf(s)} 已存在`, `${rulesetIdOf(s)} exists`), [
            {
              path: 'params.id',
              message: bi(
                `随此更正而来的 ${rulesetIdOf(s)} 已存在`,
                `${rulesetIdOf(s)}, which follows this correction, exists`,
              ),
            },
          ])
        await audit('ruleset.published', rulesetIdOf(s), sha256)
      }
      const stored = storedOf(
        existing.table,
        existing.sha256,
        'published',
        existing.origin,
        existing.createdAt,
        at,
      )
      return {
        body: {
          ruleset: summarize(stored),
          warnings,
          ...(successors.length > 0 ? { successors: successors.map(rulesetIdOf) } : {}),
        },
      }
    })
    await this.reloadRegistry()
    return out
  }

  /**
   * The next versions a correction brings with it (scoring/resolve.ts successorsFor). A table that
   * cannot follow it (it set a corrected field itself, or its next version exists) stops the
   * publication, so that no table is left on the uncorrected value without anyone deciding so.
   */
  private successorsOf(correction: Table, published: readonly StoredRuleset[]): Table[] {
    if (correction.supersedes === undefined) return []
    const { successors, conflicts } = successorsFor(
      correction,
      published.map((r) => r.table),
    )
    if (conflicts.length > 0) {
      throw new AppError(
        'TABLE_INVALID',
        bi(`此更正无法带到后续版本：${conflicts.join('; ')}`, conflicts.join('; ')),
        conflicts.map((message) => ({
          path: 'body.table.supersedes',
          message: bi(`此更正无法带到后续版本：${message}`, message),
        })),
      )
    }
    for (const s of successors) this.checkOverlap(s, published)
    return successors
  }

  /**
   * Withdraws a published ruleset: from now on no evaluation uses it, whatever its as-of date (the
   * lookup falls back as if it had never been published), while records made with it still read
   * and replay with it. Its content never changes; the reason is kept with it.
   */
  async retire(id: string, reason: string, ctx: WriteContext): Promise<Written<RulesetWrite>> {
    const earlier = await this.recorder.replay<RulesetWrite>(ctx)
    if (earlier !== null) return earlier
    const existing = await this.mustGet(id)
    const notPublished = (status: string) =>
      new AppError(
        'RULESET_NOT_PUBLISHED',
        bi(
          `${id} ${STATUS_ZH[status] ?? status}；只有已发布的积分表才能停用`,
          `${id} is ${status}; only a published ruleset can be retired`,
        ),
        [{ path: 'params.id', message: bi(`${id} ${STATUS_ZH[status] ?? status}`, `${id} is ${status}`) }],
      )
    if (existing.status !== 'published') throw notPublished(existing.status)
    const out = await this.recorder.record(ctx, 200, async ({ tx, at, audit }) => {
      // retired by someone else in the meantime: nothing written
      if (!(await tx.rulesets.retire(id, at, reason))) throw notPublished('no longer published')
      await audit('ruleset.retired', id, existing.sha256)
      const retired: StoredRuleset = { ...existing, status: 'retired', retiredAt: at, retiredReason: reason }
      return { body: { ruleset: summarize(retired), warnings: [] } }
    })
    await this.reloadRegistry()
    return out
  }

  /**
   * The table a stored record was made with, compiled from its stored JSON. Its hash is checked
   * against the one the record holds, so a replay can never silently use other rules.
   */
  async compiledForRecord(rulesetId: string, sha256: string): Promise<CompiledTable> {
    const key = `${rulesetId}#${sha256}`
    const cached = this.storedCompiled.get(key)
    if (cached) return cached
    const stored = await this.repo.get(rulesetId)
    if (stored === null || contentSha256(stored.table) !== sha256) {
      throw new AppError(
        'RECORD_CORRUPT',
        bi(
          `与此记录一同存储的积分表 ${rulesetId} 与其哈希不符`,
          `the table ${rulesetId} stored with this record does not match its hash`,
        ),
      )
    }
    const compiled = compileTable(stored.table)
    this.storedCompiled.set(key, compiled)
    return compiled
  }
}
