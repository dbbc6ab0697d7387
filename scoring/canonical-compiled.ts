// Canonical JSON (RFC 8785, as `canonicalize` writes it) by a writer compiled once from a JSON Schema: the facts hash's fast path.
import canonicalizeModule from 'canonicalize'
import { z } from 'zod'
import { ApplicantSchema } from '../schema/applicant.ts'

// canonicalize is CommonJS with an ESM-style .d.ts; under NodeNext its default import types as the module.
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined

/**
 * What a value may be at one place in the schema, as a set of JSON types. Unions become one shape
 * (the object branches of a discriminated union merge their keys), so the writer dispatches on
 * `typeof` and never has to pick a branch. `any` means "write it with canonicalize".
 */
interface Shape {
  any?: true
  string?: true
  number?: true
  boolean?: true
  null?: true
  array?: Shape
  /** an object with a fixed key set (additionalProperties false or unstated) */
  object?: Map<string, Shape>
  /** an object whose keys are data (a record): every value has this shape */
  record?: Shape
}

type JsonSchema = Record<string, unknown>

const ANY: Shape = { any: true }

function merge(a: Shape, b: Shape): Shape {
  if (a.any || b.any) return ANY
  const out: Shape = { ...a }
  if (b.string) out.string = true
  if (b.number) out.number = true
  if (b.boolean) out.boolean = true
  if (b.null) out.null = true
  if (b.array) out.array = out.array ? merge(out.array, b.array) : b.array
  if (b.record) out.record = out.record ? merge(out.record, b.record) : b.record
  if (b.object) {
    const keys = new Map(out.object ?? [])
    for (const [k, s] of b.object) keys.set(k, keys.has(k) ? merge(keys.get(k) as Shape, s) : s)
    out.object = keys
  }
  // an object that is sometimes a record and sometimes fixed: let canonicalize decide
  if (out.object && out.record) return ANY
  return out
}

const TYPE_SHAPES: Record<string, Shape> = {
  string: { string: true },
  number: { number: true },
  integer: { number: true },
  boolean: { boolean: true },
  null: { null: true },
}

function typeOfConstant(v: unknown): Shape {
  if (v === null) return { null: true }
  const s = TYPE_SHAPES[typeof v]
  return s ?? ANY
}

/** The shape of a JSON Schema node; anything this does not understand is `any` (canonicalize writes it). */
function shapeOf(node: unknown, root: JsonSchema, seen: ReadonlySet<unknown>): Shape {
  if (node === true || node === undefined) return ANY
  if (node === null || typeof node !== 'object' || seen.has(node)) return ANY
  const s = node as JsonSchema
  const within = new Set(seen).add(node)
  if (typeof s.$ref === 'string') {
    const m = /^#\/\$defs\/(.+)$/.exec(s.$ref)
    const defs = root.$defs as Record<string, unknown> | undefined
    return m && defs?.[m[1]] !== undefined ? shapeOf(defs[m[1]], root, within) : ANY
  }
  if (s.allOf !== undefined || s.not !== undefined || s.if !== undefined) return ANY
  const branches = (s.anyOf ?? s.oneOf) as unknown[] | undefined
  if (Array.isArray(branches)) {
    if (branches.length === 0) return ANY
    return branches.map((b) => shapeOf(b, root, within)).reduce(merge)
  }
  if (s.const !== undefined) return typeOfConstant(s.const)
  if (Array.isArray(s.enum)) return s.enum.length === 0 ? ANY : s.enum.map(typeOfConstant).reduce(merge)
  const types = Array.isArray(s.type) ? (s.type as unknown[]) : [s.type]
  if (types.length === 0 || types[0] === undefined) return ANY
  return types
    .map((t): Shape => {
      if (t === 'array') {
        if (s.prefixItems !== undefined) return ANY
        return { array: shapeOf(s.items, root, within) }
      }
      if (t === 'object') {
        const props = s.properties as Record<string, unknown> | undefined
        const extra = s.additionalProperties
        if (props === undefined || Object.keys(props).length === 0) {
          // a record: its keys are data; `false` with no properties is the empty object
          if (extra === false) return { object: new Map() }
          return { record: s.patternProperties !== undefined ? ANY : shapeOf(extra, root, within) }
        }
        // extra keys allowed beside the named ones: canonicalize writes it
        if (extra !== undefined && extra !== false) return ANY
        return {
          object: new Map(Object.entries(props).map(([k, p]) => [k, shapeOf(p, root, within)])),
        }
      }
      return typeof t === 'string' && TYPE_SHAPES[t] !== undefined ? TYPE_SHAPES[t] : ANY
    })
    .reduce(merge)
}

/** Thrown by the fast path when a value is not of its schema's shape; the caller falls back to canonicalize. */
const MISMATCH = Symbol('not of the compiled shape')

/**
 * JavaScript source for a writer per shape. Each writer returns the canonical text of its value, or
 * throws MISMATCH for anything outside the fast path (a type the schema does not allow, an unknown
 * or undefined-valued key, a non-plain object, a hole or undefined in an array, a non-finite
 * number), so that the fast path only ever writes what canonicalize would write, byte for byte.
 */
function generate(rootShape: Shape, omit: readonly string[]): string {
  const fns: string[] = []
  let next = 0
  const emit = (shape: Shape, omitKeys: readonly string[]): string => {
    const name = `w${next++}`
    const lines: string[] = []
    if (shape.any) {
      fns.push(`function ${name}(v) { return canon(v) }`)
      return name
    }
    // JSON.stringify escapes only these (lone surrogates as \\u escapes); anything else is written as is, twice as fast
    if (shape.string)
      lines.push(`if (typeof v === 'string') return ESCAPE.test(v) ? JSON.stringify(v) : '"' + v + '"'`)
    if (shape.number) {
      // Number.prototype.toString is RFC 8785's number format (and JSON.stringify's); -0 writes "0"
      lines.push(`if (typeof v === 'number') { if (v - v !== 0) throw MISMATCH; return '' + v }`)
    }
    if (shape.boolean) lines.push(`if (v === true) return 'true'`, `if (v === false) return 'false'`)
    if (shape.null) lines.push(`if (v === null) return 'null'`)
    if (shape.array) {
      const item = emit(shape.array, [])
      lines.push(
        // canonicalize calls the array's own reduce: an array with another prototype is not plain data
        'if (Array.isArray(v) && Object.getPrototypeOf(v) === ARRAY) {',
        '  const n = v.length',
        "  let s = '['",
        `  for (let i = 0; i < n; i++) { const x = v[i]; if (x === undefined) throw MISMATCH; s += (i === 0 ? '' : ',') + ${item}(x) }`,
        "  return s + ']'",
        '}',
      )
    }
    if (shape.object || shape.record) {
      lines.push(
        "if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.getPrototypeOf(v) !== OBJECT) throw MISMATCH",
      )
    }
    if (shape.object) {
      // canonicalize's order: Object.keys(...).sort(), UTF-16 code units
      const keys = [...shape.object.keys()].filter((k) => !omitKeys.includes(k)).sort()
      lines.push("let s = '{', n = 0, x")
      for (const k of keys) {
        const w = emit(shape.object.get(k) as Shape, [])
        const key = JSON.stringify(k)
        lines.push(
          `x = v[${key}]; if (x !== undefined) s += (n++ === 0 ? ${JSON.stringify(`${key}:`)} : ${JSON.stringify(`,${key}:`)}) + ${w}(x)`,
        )
      }
      // every own key was written (or deliberately omitted), so none was left out or unknown
      const omitted = omitKeys.map((k) => ` + (hasOwn(v, ${JSON.stringify(k)}) ? 1 : 0)`).join('')
      lines.push(`let own = 0; for (const k in v) own++`, `if (own !== n${omitted}) throw MISMATCH`)
      lines.push("return s + '}'")
    } else if (shape.record) {
      const w = emit(shape.record, [])
      lines.push(
        'const keys = Object.keys(v)',
        "if (keys.length === 0) return '{}'",
        'keys.sort()',
        "let s = '{'",
        'for (let i = 0; i < keys.length; i++) {',
        '  const k = keys[i], x = v[k]',
        '  if (x === undefined) throw MISMATCH',
        `  s += (i === 0 ? '' : ',') + JSON.stringify(k) + ':' + ${w}(x)`,
        '}',
        "return s + '}'",
      )
    } else {
      lines.push('throw MISMATCH')
    }
    fns.push(`function ${name}(v) {\n  ${lines.join('\n  ')}\n}`)
    return name
  }
  const root = emit(rootShape, omit)
  return `${fns.join('\n')}\nreturn ${root}`
}

export interface CanonicalWriter {
  /** canonical JSON of `value`, byte for byte as canonicalize writes it (with `omit` left out at the top) */
  (value: unknown): string
  /** the generated source, for tests and for reading */
  readonly source: string
  /** the compiled fast path alone: undefined where it would fall back to canonicalize (tests check it is taken) */
  readonly fastPath: (value: unknown) => string | undefined
}

/**
 * Compiles a canonical-JSON writer for values of a JSON Schema. `omit` names top-level keys to leave
 * out, as `const { k, ...rest } = value` would. Values the schema does not describe still come out
 * right: the writer falls back to canonicalize for them.
 */
export function compileCanonicalWriter(schema: JsonSchema, omit: readonly string[] = []): CanonicalWriter {
  const source = generate(shapeOf(schema, schema, new Set()), omit)
  const canon = (v: unknown): string => {
    const s = canonicalize(v)
    if (s === undefined) throw MISMATCH
    return s
  }
  // the source is generated from the schema's key names, each written as a JSON string literal
  const fast = new Function('MISMATCH', 'OBJECT', 'ARRAY', 'hasOwn', 'canon', 'ESCAPE', source)(
    MISMATCH,
    Object.prototype,
    Array.prototype,
    Object.hasOwn,
    canon,
    // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters JSON.stringify escapes
    /[\u0000-\u001f"\\\ud800-\udfff]/,
  ) as (v: unknown) => string
  const slow = (value: unknown): string => {
    let v = value
    if (omit.length > 0) {
      // exactly `const { k, ...rest } = value`, which fails on null and undefined and spreads anything else
      if (v === null || v === undefined) throw new TypeError(`cannot leave ${omit.join(', ')} out of ${v}`)
      const rest: Record<string, unknown> = { ...(v as Record<string, unknown>) }
      for (const k of omit) delete rest[k]
      v = rest
    }
    const s = canonicalize(v)
    if (s === undefined) throw new Error('value cannot be canonicalised')
    return s
  }
  const writer = (value: unknown): string => {
    try {
      return fast(value)
    } catch (e) {
      if (e === MISMATCH) return slow(value)
      throw e
    }
  }
  const fastPath = (value: unknown): string | undefined => {
    try {
      return fast(value)
    } catch (e) {
      if (e === MISMATCH) return undefined
      throw e
    }
  }
  return Object.assign(writer, { source, fastPath })
}

/** The applicant's facts as the facts hash reads them: canonical JSON without the ID number. */
export const canonicalFactsJson: CanonicalWriter = compileCanonicalWriter(
  z.toJSONSchema(ApplicantSchema, { io: 'output', unrepresentable: 'any' }) as JsonSchema,
  ['idNumber'],
)
