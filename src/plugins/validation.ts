// Request validation with bounded work and output: documented size limits checked before zod walks a body, at most 100 issues kept.
import type { FastifySchemaCompiler } from 'fastify'
import { z } from 'zod'
import { MAX_PROBLEM_ERRORS } from '../../schema/errors.ts'

/** One problem found in a request part, its path relative to that part (`applicant.dates`). */
export interface Issue {
  path: readonly PropertyKey[]
  message: string
  /** the message in Chinese (zod's zh-CN locale); custom messages of our own schemas stay as written */
  messageZh?: string
}

/** zod's Chinese messages, for the second parse of a request that failed (only failures pay for it). */
const ZH = z.locales.zhCN().localeError

/**
 * A request part (body, querystring, params, headers) that fails its schema: the first issues found
 * and a count of the rest. fastify sets `validationContext` to the part; the root error handler
 * turns it into a VALIDATION problem.
 */
export class RequestValidationError extends Error {
  validationContext?: string
  constructor(
    readonly issues: readonly Issue[],
    readonly omitted: number,
  ) {
    super('the request does not match the contract')
  }
}

// ---------------------------------------------------------------- size limits from the schemas

/** The parts of a zod 4 schema's definition the limit walk reads. */
interface Def {
  type: string
  innerType?: Node
  in?: Node
  options?: readonly Node[]
  left?: Node
  right?: Node
  getter?: () => Node
  element?: Node
  shape?: Record<string, Node>
  catchall?: Node
  valueType?: Node
  checks?: readonly { _zod: { def: { check?: string; maximum?: number } } }[]
}
interface Node {
  _zod: { def: Def }
}

/** The most items an array schema allows (its `.max()`), or Infinity. */
function maxItemsOf(array: Node): number {
  let max = Number.POSITIVE_INFINITY
  for (const c of array._zod.def.checks ?? []) {
    const d = c._zod.def
    if (d.check === 'max_length' && typeof d.maximum === 'number') max = Math.min(max, d.maximum)
  }
  return max
}

/** Schema kinds that only wrap or choose between other schemas: the walk looks through them. */
const WRAPPERS = new Set([
  'optional',
  'nullable',
  'default',
  'prefault',
  'nonoptional',
  'catch',
  'readonly',
  'success',
])

const containersCache = new WeakMap<Node, readonly Node[]>()

/** The array, object and record schemas a value at this schema may be checked against. */
function containersOf(schema: Node): readonly Node[] {
  const cached = containersCache.get(schema)
  if (cached) return cached
  const out = new Set<Node>()
  const seen = new Set<Node>()
  const stack: Node[] = [schema]
  while (stack.length > 0) {
    const s = stack.pop() as Node
    if (seen.has(s)) continue
    seen.add(s)
    const def = s._zod.def
    if (WRAPPERS.has(def.type) && def.innerType) stack.push(def.innerType)
    else if (def.type === 'pipe' && def.in) stack.push(def.in)
    else if (def.type === 'lazy' && def.getter) stack.push(def.getter())
    else if (def.type === 'union' && def.options) stack.push(...def.options)
    else if (def.type === 'intersection' && def.left && def.right) stack.push(def.left, def.right)
    else if (def.type === 'array' || def.type === 'object' || def.type === 'record') out.add(s)
  }
  const list = [...out]
  containersCache.set(schema, list)
  return list
}

/** The largest number of entries a record schema documents (its `maxProperties`), or Infinity. */
function maxEntriesOf(record: Node): number {
  const meta = z.globalRegistry.get(record as unknown as z.ZodType) as { maxProperties?: unknown } | undefined
  return typeof meta?.maxProperties === 'number' ? meta.maxProperties : Number.POSITIVE_INFINITY
}

/**
 * What the schemas allow at one place in a request: the merge of every array, object and record
 * schema a value there may meet (a union's options are merged, so the walk never branches). Built
 * lazily and shared, so recursive schemas (table conditions) are walked without building forever.
 */
export class Limits {
  private static readonly byKey = new Map<string, Limits>()
  private static readonly ids = new WeakMap<Node, number>()
  private static nextId = 0

  static of(schemas: readonly Node[]): Limits | null {
    const containers = [...new Set(schemas.flatMap(containersOf))]
    if (containers.length === 0) return null
    const key = containers
      .map((c) => {
        let id = Limits.ids.get(c)
        if (id === undefined) {
          id = Limits.nextId++
          Limits.ids.set(c, id)
        }
        return id
      })
      .sort((a, b) => a - b)
      .join(',')
    let limits = Limits.byKey.get(key)
    if (limits === undefined) {
      limits = new Limits(containers)
      Limits.byKey.set(key, limits)
    }
    return limits
  }

  /** most items an array may hold here; Infinity when some array schema here sets no maximum */
  readonly maxItems: number
  /** most entries a record may hold here */
  readonly maxEntries: number
  /**
   * The properties strict objects allow here (`.strict()`: any other key is an error), or null when
   * something here takes other keys. An object with more keys than this has unknown ones for certain,
   * and is refused without zod listing thousands of them in one message.
   */
  readonly strictKeys: ReadonlySet<string> | null
  private readonly arrays: readonly Node[]
  private readonly objects: readonly Node[]
  private readonly records: readonly Node[]
  private elementLimits: Limits | null | undefined
  private valueLimits: Limits | null | undefined
  private readonly propertyLimits = new Map<string, Limits | null>()

  private constructor(containers: readonly Node[]) {
    this.arrays = containers.filter((c) => c._zod.def.type === 'array')
    this.objects = containers.filter((c) => c._zod.def.type === 'object')
    this.records = containers.filter((c) => c._zod.def.type === 'record')
    this.maxItems = Math.max(0, ...this.arrays.map(maxItemsOf))
    this.maxEntries = Math.max(0, ...this.records.map(maxEntriesOf))
    const strict =
      this.records.length === 0 &&
      this.objects.length > 0 &&
      this.objects.every((o) => o._zod.def.catchall?._zod.def.type === 'never')
    this.strictKeys = strict
      ? new Set(this.objects.flatMap((o) => Object.keys(o._zod.def.shape ?? {})))
      : null
  }

  private reaches: boolean | undefined

  /** Whether an array or record can occur here or anywhere below: if not, the walk need not go in. */
  get reachesBounds(): boolean {
    if (this.reaches === undefined) {
      const seen = new Set<Node>()
      const stack: Node[] = [...this.arrays, ...this.objects, ...this.records]
      let found = false
      while (stack.length > 0 && !found) {
        const s = stack.pop() as Node
        if (seen.has(s)) continue
        seen.add(s)
        for (const c of containersOf(s)) {
          const def = c._zod.def
          if (def.type !== 'object') found = true
          else stack.push(...Object.values(def.shape ?? {}), ...(def.catchall ? [def.catchall] : []))
        }
      }
      this.reaches = found
    }
    return this.reaches
  }

  get hasArrays(): boolean {
    return this.arrays.length > 0
  }

  get hasRecords(): boolean {
    return this.records.length > 0
  }

  element(): Limits | null {
    if (this.elementLimits === undefined)
      this.elementLimits = Limits.of(this.arrays.map((a) => a._zod.def.element as Node))
    return this.elementLimits
  }

  /** limits for the value under `key` of an object here: the object schemas' property, or a record's values */
  property(key: string): Limits | null {
    let found = this.propertyLimits.get(key)
    if (found !== undefined) return found
    if (this.valueLimits === undefined)
      this.valueLimits = Limits.of(this.records.map((r) => r._zod.def.valueType as Node))
    const own = this.objects.flatMap((o) => {
      const shape = o._zod.def.shape ?? {}
      const child = Object.hasOwn(shape, key) ? shape[key] : o._zod.def.catchall
      return child ? [child] : []
    })
    found =
      own.length === 0
        ? this.valueLimits
        : Limits.of([...own, ...this.records.map((r) => r._zod.def.valueType as Node)])
    // keys are the caller's: remember only the schemas' own property names, never every key sent
    if (this.objects.some((o) => Object.hasOwn(o._zod.def.shape ?? {}, key)))
      this.propertyLimits.set(key, found)
    return found
  }
}

/** How deep the walk goes: the nesting limit (JIFEN_BODY_MAX_DEPTH, at most 512) refuses deeper bodies first. */
const MAX_WALK_DEPTH = 512

/** An oversize value found by the walk, its path collected leaf first on the way back up. */
interface Found {
  reversedPath: PropertyKey[]
  message: string
}

function walk(value: unknown, limits: Limits | null, depth: number): Found | null {
  if (limits === null || value === null || typeof value !== 'object' || depth > MAX_WALK_DEPTH) return null
  if (Array.isArray(value)) {
    if (!limits.hasArrays || !limits.reachesBounds) return null
    if (value.length > limits.maxItems)
      return { reversedPath: [], message: `at most ${limits.maxItems} items (got ${value.length})` }
    const element = limits.element()
    if (element === null) return null
    for (let i = 0; i < value.length; i++) {
      const found = walk(value[i], element, depth + 1)
      if (found) {
        found.reversedPath.push(i)
        return found
      }
    }
    return null
  }
  const allowed = limits.strictKeys
  if (allowed === null && !limits.reachesBounds) return null
  const keys = Object.keys(value)
  if (allowed !== null && keys.length > allowed.size) {
    const unknown = keys.filter((k) => !allowed.has(k))
    const named = unknown.slice(0, 5).map((k) => JSON.stringify(k.length > 40 ? `${k.slice(0, 40)}…` : k))
    const more = unknown.length > named.length ? ` and ${unknown.length - named.length} more` : ''
    return { reversedPath: [], message: `unknown properties: ${named.join(', ')}${more}` }
  }
  if (!limits.reachesBounds) return null
  if (limits.hasRecords && keys.length > limits.maxEntries)
    return { reversedPath: [], message: `at most ${limits.maxEntries} entries (got ${keys.length})` }
  for (const key of keys) {
    const found = walk((value as Record<string, unknown>)[key], limits.property(key), depth + 1)
    if (found) {
      found.reversedPath.push(key)
      return found
    }
  }
  return null
}

/**
 * The first array or record in `value` longer than the schema's documented maximum, or null. Cost:
 * one visit of each value the schemas can hold arrays or records under, and no visit of the elements
 * of an array that is already too long, so a hostile 100,000-element array is refused after one
 * length check instead of 100,000 element validations and issues.
 */
export function oversizeIssue(value: unknown, limits: Limits | null): Issue | null {
  const found = walk(value, limits, 0)
  return found === null ? null : { path: found.reversedPath.reverse(), message: found.message }
}

/** The size limits of a schema, for oversizeIssue; null when it holds no arrays, objects or records. */
export function limitsOf(schema: z.ZodType): Limits | null {
  return Limits.of([schema as unknown as Node])
}

/**
 * Every array and record in a schema, with its documented maximum (Infinity when it has none): the
 * test that every array and map in a request body is bounded walks this.
 */
export function sizeBoundsOf(schema: z.ZodType): { path: string; kind: 'array' | 'record'; max: number }[] {
  const out: { path: string; kind: 'array' | 'record'; max: number }[] = []
  const seen = new Set<Node>()
  const walk = (s: Node, path: string) => {
    for (const c of containersOf(s)) {
      if (seen.has(c)) continue
      seen.add(c)
      const def = c._zod.def
      if (def.type === 'array') {
        out.push({ path, kind: 'array', max: maxItemsOf(c) })
        walk(def.element as Node, `${path}[]`)
      } else if (def.type === 'record') {
        out.push({ path, kind: 'record', max: maxEntriesOf(c) })
        walk(def.valueType as Node, `${path}.*`)
      } else {
        for (const [k, child] of Object.entries(def.shape ?? {}))
          walk(child, path === '' ? k : `${path}.${k}`)
        if (def.catchall) walk(def.catchall, `${path}.*`)
      }
    }
  }
  walk(schema as unknown as Node, '')
  return out
}

// ---------------------------------------------------------------- the validator compiler

/**
 * fastify's validator compiler for our zod schemas: first the size limits (cheap, stops at the first
 * oversized array or record), then zod, keeping the first MAX_PROBLEM_ERRORS issues and a count of
 * the rest. Replaces fastify-type-provider-zod's, which maps every issue and lets fastify join them
 * all into one message: a 100,000-element array of bad items made a 17.5 MB answer.
 */
export const boundedValidatorCompiler: FastifySchemaCompiler<z.ZodType> = ({ schema }) => {
  const limits = limitsOf(schema)
  return (data: unknown) => {
    const oversize = oversizeIssue(data, limits)
    if (oversize !== null) return { error: new RequestValidationError([oversize], 0) }
    const result = schema.safeParse(data)
    if (result.success) return { value: result.data }
    const all = result.error.issues
    // the same parse with zod's Chinese messages: same schema, same data, so the same issues in order
    const zh = schema.safeParse(data, { error: ZH }).error?.issues ?? []
    const issues = all.slice(0, MAX_PROBLEM_ERRORS).map((i, n) => ({
      path: i.path,
      message: i.message,
      messageZh: zh.length === all.length ? zh[n].message : i.message,
    }))
    return { error: new RequestValidationError(issues, all.length - issues.length) }
  }
}
