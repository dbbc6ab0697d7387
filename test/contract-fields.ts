// Walks an OpenAPI document and names every field (schema property or parameter) that lacks a description or an example (issue 15 item 6).

type Schema = Record<string, unknown> & {
  $ref?: string
  properties?: Record<string, Schema>
  items?: Schema | Schema[]
  prefixItems?: Schema[]
  additionalProperties?: Schema | boolean
  oneOf?: Schema[]
  anyOf?: Schema[]
  allOf?: Schema[]
  description?: string
  example?: unknown
  examples?: unknown
}

type Doc = {
  paths?: Record<string, Record<string, unknown>>
  components?: { schemas?: Record<string, Schema> }
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'])
const REF = '#/components/schemas/'

const hasText = (s: unknown): boolean => typeof s === 'string' && s.trim().length > 0
const hasExample = (s: Schema): boolean =>
  s.example !== undefined ||
  (Array.isArray(s.examples) ? s.examples.length > 0 : s.examples !== undefined) ||
  // a constant is its own one example
  s.const !== undefined

/**
 * The fields of `doc` that lack a description or an example, one line each (`Applicant.birthDate: example`,
 * `GET /v1/x params.id: description`), every schema property reachable from every operation: parameters,
 * request bodies and responses of every media type, through $ref, arrays, maps and oneOf/anyOf/allOf.
 * A component is walked once and its fields are named by the component, so each gap is listed once.
 */
export function fieldGaps(input: object): string[] {
  const doc = input as Doc
  const components = doc.components?.schemas ?? {}
  const gaps = new Set<string>()
  const walked = new Set<string>()

  /** The schema a $ref names, and through a lone-allOf wrapper (how some generators attach a description to a $ref). */
  const target = (s: Schema): Schema | undefined => {
    if (s.$ref?.startsWith(REF)) return components[s.$ref.slice(REF.length)]
    if (s.allOf?.length === 1 && s.allOf[0].$ref) return target(s.allOf[0])
    return undefined
  }

  /**
   * An example can be shown for `s`: it has one, or it is an object (whose own fields carry theirs, as
   * the reference UI composes them), a list of such, null, or a choice of such. A bare scalar has none.
   */
  const shown = (s: Schema, depth: number): boolean => {
    if (hasExample(s) || s.type === 'null') return true
    if (depth > 8) return false
    const t = target(s)
    if (t !== undefined) return shown(t, depth + 1)
    if (s.properties !== undefined) return true
    if (s.items !== undefined && !Array.isArray(s.items)) return shown(s.items, depth + 1)
    const branches = s.oneOf ?? s.anyOf
    return branches?.every((b) => shown(b, depth + 1)) === true
  }

  /**
   * A field is documented where it is used (next to its $ref) or where its schema is defined: it has a
   * description, and an example that can be shown.
   */
  const field = (where: string, s: Schema): void => {
    const t = target(s)
    const described = hasText(s.description) || (t !== undefined && hasText(t.description))
    const exemplified = shown(s, 0)
    if (!described) gaps.add(`${where}: description`)
    if (!exemplified) gaps.add(`${where}: example`)
    walk(where, s)
  }

  /** The fields inside `s`, named below `where`. */
  const walk = (where: string, s: Schema | boolean | undefined): void => {
    if (s === undefined || typeof s === 'boolean') return
    if (s.$ref !== undefined) {
      const name = s.$ref.slice(REF.length)
      if (walked.has(name)) return
      walked.add(name)
      const c = components[name]
      if (c === undefined) gaps.add(`${where}: dangling $ref ${s.$ref}`)
      else walk(name, c)
      return
    }
    for (const [k, p] of Object.entries(s.properties ?? {})) field(`${where}.${k}`, p)
    if (Array.isArray(s.items)) for (const [i, it] of s.items.entries()) walk(`${where}[${i}]`, it)
    else walk(`${where}[]`, s.items)
    for (const [i, it] of (s.prefixItems ?? []).entries()) walk(`${where}[${i}]`, it)
    if (typeof s.additionalProperties === 'object') walk(`${where}{}`, s.additionalProperties)
    for (const key of ['oneOf', 'anyOf', 'allOf'] as const)
      for (const [i, b] of (s[key] ?? []).entries()) walk(b.$ref ? where : `${where}(${key}[${i}])`, b)
  }

  for (const [path, ops] of Object.entries(doc.paths ?? {})) {
    for (const [method, raw] of Object.entries(ops)) {
      if (!METHODS.has(method)) continue
      const op = raw as {
        parameters?: { name: string; in: string; description?: string; example?: unknown; schema?: Schema }[]
        requestBody?: { content?: Record<string, { schema?: Schema }> }
        responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>
      }
      const name = `${method.toUpperCase()} ${path}`
      for (const p of op.parameters ?? []) {
        const where = `${name} ${p.in}.${p.name}`
        const s = p.schema ?? {}
        if (!hasText(p.description) && !hasText(s.description)) gaps.add(`${where}: description`)
        if (p.example === undefined && !hasExample(s)) gaps.add(`${where}: example`)
        walk(where, s)
      }
      for (const [type, c] of Object.entries(op.requestBody?.content ?? {}))
        walk(`${name} request (${type})`, c.schema)
      for (const [status, r] of Object.entries(op.responses ?? {}))
        for (const [type, c] of Object.entries(r.content ?? {})) walk(`${name} ${status} (${type})`, c.schema)
    }
  }
  return [...gaps].sort()
}
