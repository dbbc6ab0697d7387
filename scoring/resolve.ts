// Resolves a table source (possibly a district patch over a base table) into a complete table.
import { ItemSchema, type Table, TableSchema, type TableSource } from '../schema/table.ts'
import { TableCompileError } from './conditions.ts'

/**
 * A district table is the city table plus a patch (policy.md §3): `patch.add` appends items,
 * `patch.reweight` replaces fields of base items by id, `patch.layers` adds layers. Every other
 * part (deductions, vetoes, gates, routes, entitlements, priority tiers, points settlement,
 * district facts) is the patching table's own when it declares it, else the base's. The result
 * records the base id in `extends` and is what gets hashed, stored and compiled.
 */
export function resolveTable(source: TableSource, findBase: (id: string) => Table | undefined): Table {
  const { patch, extends: baseId, ...own } = source
  if (!patch || !baseId) return TableSchema.parse({ ...own })
  const base = findBase(baseId)
  if (!base) throw new TableCompileError('extends', `base table "${baseId}" not found`)
  if (base.scheme !== source.scheme)
    throw new TableCompileError('extends', `base table "${baseId}" is a ${base.scheme} table`)
  const items = base.items.map((item) => {
    const rw = patch.reweight.find((r) => r.id === item.id)
    return rw ? ItemSchema.parse({ ...item, ...rw }) : item
  })
  for (const rw of patch.reweight) {
    if (!base.items.some((i) => i.id === rw.id)) {
      throw new TableCompileError(`patch.reweight.${rw.id}`, `base table "${baseId}" has no item "${rw.id}"`)
    }
  }
  const pick = <T>(mine: T[], theirs: T[]): T[] => (mine.length > 0 ? mine : theirs)
  return TableSchema.parse({
    ...own,
    extends: baseId,
    dates: { ...base.dates, ...own.dates },
    layers: [...base.layers, ...patch.layers],
    items: [...items, ...patch.add],
    deductions: pick(own.deductions, base.deductions),
    vetoes: pick(own.vetoes, base.vetoes),
    gates: pick(own.gates, base.gates),
    routes: pick(own.routes, base.routes),
    entitlements: pick(own.entitlements, base.entitlements),
    priorityTiers: pick(own.priorityTiers, base.priorityTiers),
    districtFacts: [...base.districtFacts, ...own.districtFacts],
    pointsSettlement: own.pointsSettlement ?? base.pointsSettlement,
    household: own.household ?? base.household,
  })
}
