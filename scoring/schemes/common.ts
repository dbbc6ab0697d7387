// What every scheme module shares: the scheme check and how a result marks the provisional rows it used.

import type { Table } from '../../schema/table.ts'
import type { CompiledTable } from '../compiled.ts'
import { isProvisional, provisionalForEveryResult, type RowProvisional } from '../provisional.ts'

export function expectScheme(c: CompiledTable, scheme: Table['scheme']): void {
  if (c.table.scheme !== scheme) throw new Error(`${c.table.id} is a ${c.table.scheme} table, not ${scheme}`)
}

/** The provisional rows a result used, and whether the result is provisional (a row, or the table itself). */
export function provisionalMarks(
  c: CompiledTable,
  rows: readonly { id: string; provisional: RowProvisional }[],
): { provisional: boolean; provisionalRows: string[] } {
  const provisionalRows = [...new Set(rows.filter((r) => isProvisional(r.provisional)).map((r) => r.id))]
  return { provisional: provisionalRows.length > 0 || provisionalForEveryResult(c.table), provisionalRows }
}

/**
 * The result's `references` member: the table's references, or nothing for a table stored before
 * references were data (its rows cite free text), so that the records made with it replay identical.
 */
export function referencesOf(c: CompiledTable): { references?: CompiledTable['references'] } {
  return Object.keys(c.references).length > 0 ? { references: c.references } : {}
}
