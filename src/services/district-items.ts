// District items: an applicant's districtItems checked against the district items of the tables in force, before anything is scored.
import type { FieldError } from '../../schema/errors.ts'
import { AppError, bi, joined } from '../errors.ts'
import { rulesetIdOf } from './rulesets.ts'

/** A district item as a table defines it (`districtFacts` in the table format). */
export interface DistrictItemDefinition {
  id: string
  label: string
  type: 'number' | 'boolean'
}

/** A table in force, as far as district items go. */
export interface DistrictItemsSource {
  /** `<tableId>@<version>`, named in the errors */
  ruleset: string
  districtFacts: readonly DistrictItemDefinition[]
}

/** The district items of a table, for checkDistrictItems. */
export function districtItemsOf(table: {
  id: string
  version: number
  districtFacts: readonly DistrictItemDefinition[]
}): DistrictItemsSource {
  return { ruleset: rulesetIdOf(table), districtFacts: table.districtFacts }
}

/** Edit distance, for "did you mean": ids are short, so the quadratic table is nothing. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    prev = row
  }
  return prev[b.length]
}

function describeValue(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v)
}

/**
 * What is wrong with `items` under these tables: an id none of them defines (the error names it, the
 * closest id if one is a typo away, and the items the tables do define), or a value of the wrong
 * type (a count given true, a yes-or-no item given a number). Silently scoring such values cost
 * applicants points: `{"local_honour": 3}` for `local_honours` lost 10, and `true` counted as 1.
 */
export function districtItemErrors(
  items: Readonly<Record<string, unknown>>,
  sources: readonly DistrictItemsSource[],
  path = 'body.applicant.districtItems',
): FieldError[] {
  const ids = Object.keys(items)
  if (ids.length === 0) return []
  const defined = new Map<string, { def: DistrictItemDefinition; ruleset: string }[]>()
  for (const s of sources)
    for (const def of s.districtFacts)
      defined.set(def.id, [...(defined.get(def.id) ?? []), { def, ruleset: s.ruleset }])
  const tables = sources.map((s) => s.ruleset).join(', ')
  const known = [...defined.keys()]
  const errors: FieldError[] = []
  for (const id of ids) {
    const value = items[id]
    const defs = defined.get(id)
    if (defs === undefined) {
      const near = known.filter((k) => distance(k, id) <= 2).sort((x, y) => distance(x, id) - distance(y, id))
      const hint = near.length > 0 ? ` (did you mean ${near[0]}?)` : ''
      const list =
        known.length > 0
          ? `the district items of ${tables} are ${known.join(', ')}`
          : `${tables || 'the tables in force'} define no district items`
      errors.push({ path: `${path}.${id}`, message: `unknown district item ${id}${hint}; ${list}` })
      continue
    }
    for (const { def, ruleset } of defs) {
      if (def.type === 'number' && typeof value !== 'number') {
        errors.push({
          path: `${path}.${id}`,
          message: `${id} (${def.label}) is a number in ${ruleset}; got ${describeValue(value)}`,
        })
        break
      }
      if (def.type === 'boolean' && typeof value !== 'boolean') {
        errors.push({
          path: `${path}.${id}`,
          message: `${id} (${def.label}) is true or false in ${ruleset}; got ${describeValue(value)}`,
        })
        break
      }
    }
  }
  return errors
}

/** Refuses district items the tables in force do not define or of the wrong type: a 400 naming each. */
export function checkDistrictItems(
  items: Readonly<Record<string, unknown>>,
  sources: readonly DistrictItemsSource[],
  path?: string,
): void {
  const errors = districtItemErrors(items, sources, path)
  if (errors.length > 0) {
    // the item messages name tables and ids; the Chinese text says what kind of problem it is
    const fields = errors.map((e) => ({
      path: e.path,
      message: bi(`地区事项不符合在用积分表：${e.message}`, e.message),
    }))
    throw new AppError('VALIDATION', joined(fields), fields)
  }
}
