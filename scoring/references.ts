// Legal references as data: the keys rows cite, checked against the table's `references`, and their citation text.
import type { Reference, Table } from '../schema/table.ts'
import { TableCompileError } from './conditions.ts'

type Ref = string | readonly string[]

export function keysOf(ref: Ref): readonly string[] {
  return typeof ref === 'string' ? [ref] : ref
}

/** Every `ref` in a table (header, layers, rows, gates of routes and points settlement) with its path. */
export function citedRefs(table: Pick<Table, 'ref'> & Record<string, unknown>): { path: string; ref: Ref }[] {
  const out: { path: string; ref: Ref }[] = []
  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, `${path}[${i}]`)
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        // conditions and named dates hold no references; `references` is what is cited
        if (k === 'references' || k === 'when' || k === 'dates') continue
        const p = path === '' ? k : `${path}.${k}`
        if (k === 'ref' && (typeof v === 'string' || Array.isArray(v))) out.push({ path: p, ref: v as Ref })
        else walk(v, p)
      }
    }
  }
  walk(table, '')
  return out
}

/** Every key a table cites must be one of its references: a reference is data, never free text. */
export function checkReferences(table: Table): void {
  for (const { path, ref } of citedRefs(table)) {
    for (const key of keysOf(ref)) {
      if (!Object.hasOwn(table.references, key))
        throw new TableCompileError(
          path,
          `积分表的 references 中没有“${key}”`,
          `no reference "${key}" in the table’s references`,
        )
    }
  }
}

/** A frozen copy, so that results can share one object without a caller changing another's. */
export function freezeReferences(
  references: Record<string, Reference> | undefined,
): Readonly<Record<string, Reference>> {
  const copy: Record<string, Reference> = {}
  for (const [key, r] of Object.entries(references ?? {})) copy[key] = Object.freeze({ ...r })
  return Object.freeze(copy)
}

/**
 * The citation text of a ref: `title（document number）article` per reference, joined by `；`. A key
 * with no reference (a table stored before references were data) is its own free text.
 */
export function citation(ref: Ref, references: Record<string, Reference> | undefined): string {
  return keysOf(ref)
    .map((key) => {
      const r = references?.[key]
      if (r === undefined) return key
      return `${r.title}（${r.documentNumber}）${r.article ?? ''}`
    })
    .join('；')
}
