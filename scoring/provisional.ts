// What a table-level provisional flag means for a result: only a provisional named date makes every result provisional.
import type { ProvisionalRow, Table } from '../schema/table.ts'
import { stringsUnder } from './conditions.ts'
import { type FactParameters, PARAMETER_FACTS } from './facts/parameters.ts'

type Flags = Pick<Table, 'provisional'> & Partial<Pick<Table, 'parameters'>>

/** `parameters.<name>` for each policy parameter of the table marked provisional. */
export function provisionalParameters(table: Flags): string[] {
  const out: string[] = []
  for (const [name, p] of Object.entries(table.parameters ?? {}))
    if (p?.provisional) out.push(`parameters.${name}`)
  return out
}

/**
 * The table-level fields that are provisional (`*`: a table written before the flag said which),
 * and its provisional policy parameters. A table with neither says none.
 */
export function provisionalFields(table: Flags): string[] {
  const p = table.provisional
  if (p === true) return ['*']
  return [...(p === false ? [] : p.fields), ...provisionalParameters(table)]
}

const readsProvisionalParameter = new WeakMap<object, boolean>()

/**
 * Whether the table's rules read a fact that a provisional parameter decides (the P1 cut-off for
 * `child.p1AgeOk`, …): then every result is provisional, as with a provisional named date. Worked
 * out once per table object.
 */
function readsProvisional(table: Flags): boolean {
  const names = provisionalParameters(table)
  if (names.length === 0) return false
  let reads = readsProvisionalParameter.get(table)
  if (reads === undefined) {
    const facts = stringsUnder('fact', table)
    reads = names.some((n) =>
      PARAMETER_FACTS[n.slice('parameters.'.length) as keyof FactParameters].some((f) => facts.has(f)),
    )
    readsProvisionalParameter.set(table, reads)
  }
  return reads
}

/**
 * Whether every result of the table is provisional whatever rows it used: the whole table is (the
 * old boolean form), or a named date conditions read is, or a provisional parameter they read. A provisional start or end date is not
 * enough: it decides which table is in force, not the values a result computes.
 */
export function provisionalForEveryResult(table: Flags): boolean {
  return provisionalFields(table).some((f) => f === '*' || f.startsWith('dates.')) || readsProvisional(table)
}

/** A row's provisional mark as a table gives it: `true`, or `{ reason }` saying why. */
export type RowProvisional = boolean | ProvisionalRow

/** The boolean flag scoring reads: a row with a reason is provisional. */
export function isProvisional(p: RowProvisional): boolean {
  return p !== false
}

/**
 * The row's reason, as a result field; nothing when the row gives none, so that the results of every
 * table written with `provisional: true` stay byte-identical (stored records replay against them).
 */
export function reasonOf(p: RowProvisional): { provisionalReason?: string } {
  return typeof p === 'object' ? { provisionalReason: p.reason } : {}
}
