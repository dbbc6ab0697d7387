// Structural diff of two JSON values; arrays of rows with ids are matched by id, so a reordering is no change.

export interface JsonChange {
  path: string
  from: unknown
  to: unknown
}

type Obj = Record<string, unknown>

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v)

/** Arrays whose members are all objects with distinct string ids are rows, keyed by id. */
function rowIds(a: unknown[]): string[] | null {
  const ids: string[] = []
  for (const x of a) {
    if (!isObj(x) || typeof x.id !== 'string') return null
    ids.push(x.id)
  }
  return new Set(ids).size === ids.length ? ids : null
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`
}

/** Every leaf that differs between `a` and `b`; `undefined` (absent) on the side that lacks it. */
export function diffJson(a: unknown, b: unknown, path = ''): JsonChange[] {
  if (Object.is(a, b)) return []
  if (Array.isArray(a) && Array.isArray(b)) {
    const ia = rowIds(a)
    const ib = rowIds(b)
    if (ia && ib && (a.length > 0 || b.length > 0)) {
      const out: JsonChange[] = []
      const byB = new Map(b.map((x, i) => [ib[i], x]))
      a.forEach((x, i) => {
        const p = `${path}[${ia[i]}]`
        out.push(...(byB.has(ia[i]) ? diffJson(x, byB.get(ia[i]), p) : [{ path: p, from: x, to: undefined }]))
      })
      const inA = new Set(ia)
      b.forEach((x, i) => {
        if (!inA.has(ib[i])) out.push({ path: `${path}[${ib[i]}]`, from: undefined, to: x })
      })
      return out
    }
    if (a.length !== b.length) return [{ path, from: a, to: b }]
    return a.flatMap((x, i) => diffJson(x, b[i], `${path}[${i}]`))
  }
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])]
    return keys.flatMap((k) => diffJson(a[k], b[k], join(path, k)))
  }
  return [{ path, from: a, to: b }]
}
