// Resolves a table source (a district patch over a pinned base, or a correction of an earlier version) into a complete table.
import {
  type Component,
  ItemSchema,
  parsePinned,
  type Table,
  type TableParameters,
  TableSchema,
  type TableSource,
} from '../schema/table.ts'
import { TableCompileError } from './conditions.ts'
import { canonicalJson, contentSha256 } from './hash.ts'
import { checkReferences } from './references.ts'

type Patch = NonNullable<TableSource['patch']>

export function pinnedOf(t: { id: string; version: number }): string {
  return `${t.id}@${t.version}`
}

/** The tables `table` was built from, then `table` itself: what a table built on it records. */
function componentsThrough(table: Table): Component[] {
  return [...(table.components ?? []), { id: table.id, version: table.version, sha256: contentSha256(table) }]
}

/** Applies a patch's re-weights and additions to a table's items and layers; `path` names the patching field. */
function patchedRows(base: Table, patch: Patch, baseName: string): Pick<Table, 'items' | 'layers'> {
  for (const rw of patch.reweight) {
    if (!base.items.some((i) => i.id === rw.id)) {
      throw new TableCompileError(
        `patch.reweight.${rw.id}`,
        `基础表“${baseName}”没有项目“${rw.id}”`,
        `base table "${baseName}" has no item "${rw.id}"`,
      )
    }
  }
  const items = base.items.map((item) => {
    const rw = patch.reweight.find((r) => r.id === item.id)
    return rw ? ItemSchema.parse({ ...item, ...rw }) : item
  })
  return { items: [...items, ...patch.add], layers: [...base.layers, ...patch.layers] }
}

/**
 * A district table is the city table plus a patch (policy.md §3): `patch.add` appends items,
 * `patch.reweight` replaces fields of base items by id, `patch.layers` adds layers. Every other
 * part (deductions, vetoes, gates, routes, entitlements, priority tiers, points settlement,
 * district facts) is the patching table's own when it declares it, else the base's.
 *
 * The base is pinned (`extends: ningbo-points-2022@1`): `findBase` is asked for exactly that version,
 * so a later version of the base never changes this table. A correction (`supersedes: id@n`) is the
 * same patch applied to version n of the table itself, keeping n's base. Either way the result lists
 * in `components` every table it was built from with its hash, and is what gets hashed, stored and
 * compiled.
 */
export function resolveTable(source: TableSource, findBase: (pinned: string) => Table | undefined): Table {
  const { patch, extends: extendsPin, supersedes, ...own } = source
  const basePin = extendsPin ?? supersedes
  if (!patch || !basePin) return checked(TableSchema.parse({ ...own }))
  const field = extendsPin ? 'extends' : 'supersedes'
  const base = findBase(basePin)
  const wanted = parsePinned(basePin)
  if (!base || base.id !== wanted.id || base.version !== wanted.version)
    throw new TableCompileError(field, `找不到基础表“${basePin}”`, `base table "${basePin}" not found`)
  if (base.scheme !== source.scheme)
    throw new TableCompileError(
      field,
      `基础表“${basePin}”属于 ${base.scheme} 方案`,
      `base table "${basePin}" is a ${base.scheme} table`,
    )
  const pick = <T>(mine: T[], theirs: T[]): T[] => (mine.length > 0 ? mine : theirs)
  return checked(
    TableSchema.parse({
      ...own,
      references: { ...base.references, ...own.references },
      ...(extendsPin ? { extends: extendsPin } : { extends: base.extends, supersedes }),
      components: componentsThrough(base),
      dates: { ...base.dates, ...own.dates },
      ...mergedParameters(base.parameters, own.parameters),
      ...patchedRows(base, patch, basePin),
      deductions: pick(own.deductions, base.deductions),
      vetoes: pick(own.vetoes, base.vetoes),
      gates: pick(own.gates, base.gates),
      routes: pick(own.routes, base.routes),
      entitlements: pick(own.entitlements, base.entitlements),
      priorityTiers: pick(own.priorityTiers, base.priorityTiers),
      districtFacts: [...base.districtFacts, ...own.districtFacts],
      pointsSettlement: own.pointsSettlement ?? base.pointsSettlement,
      household: own.household ?? base.household,
    }),
  )
}

/**
 * Policy parameters (the P1 cut-off, urban districts, YRD provinces) as named dates are: the
 * patching table's own by name, else the base's. No block on either side adds none, so that a
 * table resolved before parameters existed keeps its content and hash.
 */
function mergedParameters(
  base: TableParameters | undefined,
  own: TableParameters | undefined,
): { parameters?: TableParameters } {
  if (base === undefined && own === undefined) return {}
  return { parameters: { ...base, ...own } }
}

/** A resolved table whose every cited reference key is defined (scoring/references.ts). */
function checked(table: Table): Table {
  checkReferences(table)
  return table
}

/** A table built on the corrected version could not take the correction: it sets that field itself. */
export class SuccessorConflictError extends Error {
  constructor(
    readonly table: string,
    readonly field: string,
  ) {
    super(`${table} sets ${field} itself; give it a new version by hand`)
  }
}

/**
 * What a correction changed against the version it supersedes, as a patch: the fields of items that
 * differ (re-weights), the items and layers it added. Stored tables are resolved, so the patch is
 * read back from the two versions rather than kept.
 */
export function correctionPatch(superseded: Table, correction: Table): Patch {
  const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null)
  const reweight: Patch['reweight'] = []
  for (const before of superseded.items) {
    const after = correction.items.find((i) => i.id === before.id) as Record<string, unknown> | undefined
    if (!after)
      throw new TableCompileError(
        `items.${before.id}`,
        '更正不能删除项目',
        'a correction cannot remove an item',
      )
    const old = before as Record<string, unknown>
    const changed = Object.keys({ ...old, ...after }).filter((k) => !same(old[k], after[k]))
    if (changed.length > 0)
      reweight.push({ id: before.id, ...Object.fromEntries(changed.map((k) => [k, after[k]])) })
  }
  return {
    reweight,
    add: correction.items.filter((i) => !superseded.items.some((b) => b.id === i.id)),
    layers: correction.layers.filter((l) => !superseded.layers.some((b) => b.id === l.id)),
  }
}

/**
 * The next version of a table built on `superseded`, once `correction` (which supersedes it) is
 * published: the same table with the correction's changes applied, now built on the correction. This
 * is how one corrected city value reaches every district table without editing each by hand. The
 * dependent's own version stays as it was (pinned, same hash); the successor is version + 1, in force
 * from the later of its own start and the correction's. An item field the dependent set itself is a
 * conflict (SuccessorConflictError): its own value is policy of its own and is not overwritten.
 */
export function successorOf(dependent: Table, superseded: Table, correction: Table): Table {
  const patch = correctionPatch(superseded, correction)
  const byId = (t: Table, id: string) =>
    t.items.find((i) => i.id === id) as Record<string, unknown> | undefined
  for (const rw of patch.reweight) {
    const mine = byId(dependent, rw.id)
    const theirs = byId(superseded, rw.id)
    for (const key of Object.keys(rw)) {
      if (canonicalJson(mine?.[key] ?? null) !== canonicalJson(theirs?.[key] ?? null))
        throw new SuccessorConflictError(pinnedOf(dependent), `items.${rw.id}.${key}`)
    }
  }
  const parameters = correctedParameters(dependent, superseded, correction)
  return checked(
    TableSchema.parse({
      ...dependent,
      ...(parameters === undefined ? {} : { parameters }),
      references: { ...dependent.references, ...correction.references },
      version: dependent.version + 1,
      // ISO dates: the later one sorts last
      validFrom: [dependent.validFrom, correction.validFrom].sort()[1],
      extends: pinnedOf(correction),
      supersedes: pinnedOf(dependent),
      components: [
        ...componentsThrough(correction),
        { id: dependent.id, version: dependent.version, sha256: contentSha256(dependent) },
      ],
      ...patchedRows(dependent, patch, pinnedOf(dependent)),
    }),
  )
}

/**
 * The dependent's parameters once a correction is published: each parameter the correction changed
 * against the version it supersedes, unless the dependent set that parameter to a value of its own
 * (a conflict, as for item fields).
 */
function correctedParameters(
  dependent: Table,
  superseded: Table,
  correction: Table,
): TableParameters | undefined {
  const names = new Set([
    ...Object.keys(superseded.parameters ?? {}),
    ...Object.keys(correction.parameters ?? {}),
  ]) as Set<keyof TableParameters>
  const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null)
  let out = dependent.parameters
  for (const name of names) {
    const before = superseded.parameters?.[name]
    const after = correction.parameters?.[name]
    if (same(before, after)) continue
    if (!same(dependent.parameters?.[name], before))
      throw new SuccessorConflictError(pinnedOf(dependent), `parameters.${name}`)
    out = { ...out, [name]: after }
  }
  return out
}

/**
 * Every table that has to follow a correction: the next version of each table built on the version it
 * supersedes, and, since each of those supersedes a version in turn, of the tables built on those.
 * A table whose next version exists already, or that set a corrected field itself, is listed in
 * `conflicts` (to be given a new version by hand) instead.
 */
export function successorsFor(
  correction: Table,
  tables: readonly Table[],
): { successors: Table[]; conflicts: string[] } {
  const successors: Table[] = []
  const conflicts: string[] = []
  const all = () => [...tables, ...successors]
  const queue = [correction]
  for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
    const supersededPin = c.supersedes
    if (supersededPin === undefined) continue
    const superseded = all().find((t) => pinnedOf(t) === supersededPin)
    if (superseded === undefined) continue
    for (const dependent of all()) {
      if (dependent.extends !== supersededPin) continue
      const next = pinnedOf({ id: dependent.id, version: dependent.version + 1 })
      if (all().some((t) => pinnedOf(t) === next)) {
        conflicts.push(`${next} exists already; give it the correction of ${pinnedOf(c)} by hand`)
        continue
      }
      try {
        const successor = successorOf(dependent, superseded, c)
        successors.push(successor)
        queue.push(successor)
      } catch (err) {
        if (!(err instanceof SuccessorConflictError)) throw err
        conflicts.push(err.message)
      }
    }
  }
  return { successors, conflicts }
}
