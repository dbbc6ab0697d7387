// What a table-level provisional flag means for a result: only a provisional named date makes every result provisional.
import type { Table } from '../schema/table.ts'

/** The table-level fields that are provisional (`*`: a table written before the flag said which). */
export function provisionalFields(table: Pick<Table, 'provisional'>): string[] {
  const p = table.provisional
  if (p === false) return []
  if (p === true) return ['*']
  return p.fields
}

/**
 * Whether every result of the table is provisional whatever rows it used: the whole table is (the
 * old boolean form), or a named date conditions read is. A provisional start or end date is not
 * enough: it decides which table is in force, not the values a result computes.
 */
export function provisionalForEveryResult(table: Pick<Table, 'provisional'>): boolean {
  return provisionalFields(table).some((f) => f === '*' || f.startsWith('dates.'))
}
