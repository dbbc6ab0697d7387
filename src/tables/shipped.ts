// Loads the shipped YAML tables from scoring/tables, validates them and resolves district patches.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { z } from 'zod'
import {
  type Reference,
  ReferenceKeySchema,
  ReferenceSchema,
  type Table,
  type TableSource,
  TableSourceSchema,
} from '../../schema/table.ts'
import { TableCompileError } from '../../scoring/conditions.ts'
import { citedRefs, keysOf } from '../../scoring/references.ts'
import { resolveTable, successorsFor } from '../../scoring/resolve.ts'
import { projectRoot } from '../project-root.ts'
import { parseYaml, readParsedCache } from './parsed-cache.ts'

export const SHIPPED_TABLES_DIR = join(projectRoot, 'scoring', 'tables')

/** The legal references the shipped tables cite, by key (one file, so each document is written once). */
export const REFERENCES_FILE = 'references.yaml'

/** Every `*.yaml` under a folder except the `*.cases.yaml` test files beside the tables and the references. */
export function listTableFiles(dir = SHIPPED_TABLES_DIR): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.yaml') && !f.endsWith('.cases.yaml') && f !== REFERENCES_FILE)
    .sort()
    .map((f) => join(dir, f))
}

export class TableFileError extends Error {}

/**
 * Parses one YAML table source; errors name the file and the field. With `cache` (the build's parsed
 * shipped tables), a text the build parsed is not parsed again; it is validated all the same.
 */
export function parseTableSource(
  text: string,
  name: string,
  cache: ReadonlyMap<string, unknown> = new Map(),
): TableSource {
  const parsed = TableSourceSchema.safeParse(parseYaml(text, cache))
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')
    throw new TableFileError(`${name}: ${issues}`)
  }
  return parsed.data
}

/**
 * Resolves sources in dependency order so that a patch finds its pinned (possibly patched) base, then
 * adds the next version of every table built on a version that a correction (`supersedes`) replaced.
 */
export function resolveAll(sources: readonly TableSource[]): Table[] {
  const byKey = new Map(sources.map((s) => [`${s.id}@${s.version}`, s]))
  const resolved = new Map<string, Table>()
  const resolving = new Set<string>()
  const resolveOne = (s: TableSource): Table => {
    const key = `${s.id}@${s.version}`
    const done = resolved.get(key)
    if (done) return done
    if (resolving.has(key)) throw new TableFileError(`${key}: patches form a cycle`)
    resolving.add(key)
    let table: Table
    try {
      table = resolveTable(s, (pinned) => {
        const base = byKey.get(pinned)
        return base ? resolveOne(base) : undefined
      })
    } catch (err) {
      if (err instanceof TableCompileError) throw new TableFileError(`${key}: ${err.message}`)
      throw err
    }
    resolved.set(key, table)
    return table
  }
  const tables = [...byKey.values()].map(resolveOne)
  for (const correction of tables.filter((t) => t.supersedes !== undefined)) {
    const { successors, conflicts } = successorsFor(correction, tables)
    if (conflicts.length > 0) throw new TableFileError(`${rulesetKey(correction)}: ${conflicts.join('; ')}`)
    tables.push(...successors)
  }
  return tables
}

const rulesetKey = (t: Table) => `${t.id}@${t.version}`

/** Reads the references file of a tables folder (none: no shared references). */
export function loadReferences(
  dir = SHIPPED_TABLES_DIR,
  cache: ReadonlyMap<string, unknown> = new Map(),
): Record<string, Reference> {
  const file = join(dir, REFERENCES_FILE)
  if (!existsSync(file)) return {}
  const parsed = z
    .record(ReferenceKeySchema, ReferenceSchema)
    .safeParse(parseYaml(readFileSync(file, 'utf8'), cache))
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')
    throw new TableFileError(`${REFERENCES_FILE}: ${issues}`)
  }
  return parsed.data
}

/**
 * A source with the shared references its own rows cite copied in (its own `references` win), so the
 * stored table carries every reference it cites and needs nothing else to be read.
 */
export function withReferences(source: TableSource, shared: Record<string, Reference>): TableSource {
  const references: Record<string, Reference> = {}
  for (const { ref } of citedRefs(source)) {
    for (const key of keysOf(ref)) {
      const r = shared[key]
      if (r !== undefined) references[key] = r
    }
  }
  return { ...source, references: { ...references, ...source.references } }
}

/**
 * The tables of a folder, validated, resolved and hashed. The shipped folder's YAML is read from the
 * build's parsed cache where the text is the one the build parsed (src/tables/parsed-cache.ts); every
 * check after parsing runs as before.
 */
export function loadShippedTables(
  dir = SHIPPED_TABLES_DIR,
  cache: ReadonlyMap<string, unknown> = dir === SHIPPED_TABLES_DIR ? readParsedCache() : new Map(),
): Table[] {
  const shared = loadReferences(dir, cache)
  const sources = listTableFiles(dir).map((file) =>
    withReferences(parseTableSource(readFileSync(file, 'utf8'), relative(dir, file), cache), shared),
  )
  return resolveAll(sources)
}
