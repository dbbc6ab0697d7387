// One compiled serializer for every JSON response, in tests and in service: fast-json-stringify from the response's zod schema, writing declared keys only.

import fastJson from 'fast-json-stringify'
import type { FastifyInstance, FastifyReply, FastifySerializerCompiler } from 'fastify'
import { z } from 'zod'
import { ProblemSchema } from '../../schema/errors.ts'

/** A schema as a route declares it: a zod schema, or (plugins' routes) JSON Schema already. */
type RouteSchema = z.ZodType | Record<string, unknown>

/** Thrown in tests (validateResponses) when a handler's answer does not fit its declared schema. */
export class ResponseMismatchError extends Error {
  constructor(
    readonly route: string,
    readonly issues: readonly z.core.$ZodIssue[],
  ) {
    super(`the response of ${route} does not match its schema: ${z.prettifyError({ issues } as z.ZodError)}`)
    this.name = 'ResponseMismatchError'
  }
}

/**
 * The JSON Schema of what a route sends: zod's output side (defaults applied, transforms' results),
 * as the swagger transform documents it. What JSON Schema cannot say (a refinement) is left out;
 * it is still checked by zod in tests.
 */
export function responseJsonSchema(schema: RouteSchema): Record<string, unknown> {
  if (!(schema instanceof z.ZodType)) return schema
  return z.toJSONSchema(schema, { io: 'output', target: 'draft-7', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >
}

type Json = Record<string, unknown>

/** A branch of a union, through its $ref if it has one. */
function resolve(node: unknown, root: Json): Json | null {
  if (node === null || typeof node !== 'object') return null
  const n = node as Json
  if (typeof n.$ref !== 'string') return n
  const defs = (root.definitions ?? root.$defs) as Record<string, unknown> | undefined
  return resolve(defs?.[n.$ref.split('/').pop() as string], root)
}

/** True when valid values of `b` can be told from those of every other object branch by one required key. */
function identifiable(b: Json, others: Json[]): boolean {
  const props = (b.properties ?? {}) as Record<string, Json>
  return ((b.required ?? []) as string[]).some((key) =>
    others.every((o) => {
      const theirs = ((o.properties ?? {}) as Record<string, Json>)[key]
      if (theirs === undefined) return true
      return (
        props[key]?.const !== undefined && theirs.const !== undefined && props[key].const !== theirs.const
      )
    }),
  )
}

/** Every node of a JSON Schema, each once. */
function* nodes(node: unknown, seen = new Set<unknown>()): Generator<Json> {
  if (node === null || typeof node !== 'object' || seen.has(node)) return
  seen.add(node)
  if (!Array.isArray(node)) yield node as Json
  for (const child of Object.values(node)) yield* nodes(child, seen)
}

/**
 * fast-json-stringify writes an anyOf/oneOf value with the first branch that validates it, so with
 * `additionalProperties: false` a stray key anywhere inside a union member would match no branch and
 * fail the response. Its writer ignores undeclared keys whatever that keyword says: the keyword only
 * matters for picking a branch, and only where branches cannot be told apart otherwise. So it is
 * dropped everywhere except on the branches of a union whose object branches are not each
 * identifiable by a required key of their own (a discriminator's constant, or a key no other branch
 * has). The zod schemas of this service have no such union; were one added, a stray key inside it
 * would fail the response rather than leave.
 */
function relaxForUnions(root: Json): void {
  const keep = new Set<Json>()
  for (const n of nodes(root)) {
    for (const key of ['anyOf', 'oneOf'] as const) {
      const branches = n[key]
      if (!Array.isArray(branches)) continue
      const objects = branches.map((b) => resolve(b, root)).filter((b): b is Json => b?.type === 'object')
      if (
        !objects.every((b, i) =>
          identifiable(
            b,
            objects.filter((_, j) => j !== i),
          ),
        )
      )
        for (const b of objects) keep.add(b)
    }
  }
  for (const n of nodes(root))
    if (n.additionalProperties === false && !keep.has(n)) delete n.additionalProperties
}

const ANNOTATIONS = new Set(['description', 'example', 'examples', 'default', 'title', 'deprecated'])

/**
 * zod lists a `z.unknown()` property as required, yet accepts it undefined (a ruleset diff's `to`
 * when a field was removed), and JSON.stringify leaves such a key out. fast-json-stringify would
 * throw "is required" instead: a property that may be anything is not required of the writer.
 */
function optionalAnything(root: Json): void {
  for (const n of nodes(root)) {
    if (!Array.isArray(n.required) || n.properties === null || typeof n.properties !== 'object') continue
    const props = n.properties as Record<string, unknown>
    n.required = (n.required as string[]).filter((k) => {
      const p = props[k]
      return !(
        p === true ||
        (typeof p === 'object' && p !== null && Object.keys(p).every((a) => ANNOTATIONS.has(a)))
      )
    })
  }
}

/**
 * A map whose keys have a pattern (a table's `references`, by reference key): zod writes
 * `propertyNames` + `additionalProperties`; fast-json-stringify writes any key of such a map, failing
 * on a stray one whose value is not of the map's shape (and, inside a union, `propertyNames` makes
 * the branch check fail). As `patternProperties` it writes the keys of that shape only and drops any other.
 */
function patternKeyedMaps(root: Json): void {
  for (const n of nodes(root)) {
    const names = n.propertyNames as Json | undefined
    const values = n.additionalProperties
    if (typeof names?.pattern !== 'string' || values === null || typeof values !== 'object') continue
    if (n.properties !== undefined || n.patternProperties !== undefined) continue
    n.patternProperties = { [names.pattern]: values }
    delete n.additionalProperties
    // and a stray key no longer fails the branch check of a union holding the map (GET /v1/rulesets/{id})
    delete n.propertyNames
  }
}

/** Compiled once per schema: fastify asks for each route × status × content type, and most share the Problem schema. */
const compiled = new WeakMap<object, (data: unknown) => string>()

/**
 * The serializer of one schema. fast-json-stringify writes the properties the schema names and
 * nothing else (every object schema zod writes has `additionalProperties: false`), so a key a
 * handler adds by mistake, such as an ID-number hash, never reaches the wire.
 */
export function compileResponseSerializer(schema: RouteSchema): (data: unknown) => string {
  let serialize = compiled.get(schema)
  if (serialize === undefined) {
    const json = responseJsonSchema(schema)
    // zod writes a fresh object each time; a plain JSON Schema is a route's own, so it is copied first
    const own = schema instanceof z.ZodType ? json : (structuredClone(json) as Json)
    relaxForUnions(own)
    optionalAnything(own)
    patternKeyedMaps(own)
    serialize = fastJson(own as unknown as Parameters<typeof fastJson>[0]) as (data: unknown) => string
    compiled.set(schema, serialize)
  }
  return serialize
}

/**
 * The same serializer, compiled on its first call rather than now. Fastify asks for every route ×
 * status at start-up, and compiling them all (zod to JSON Schema, then fast-json-stringify's code)
 * was the largest part of the time to /readyz; most of them (a 409, an admin route) may never be
 * sent by a given instance. The bytes are those of compileResponseSerializer either way.
 */
export function lazyResponseSerializer(schema: RouteSchema): (data: unknown) => string {
  let serialize: ((data: unknown) => string) | undefined
  return (data) => {
    serialize ??= compileResponseSerializer(schema)
    return serialize(data)
  }
}

/**
 * The serializer compiler for every route. `validate` (tests) compiles each serializer at once, so
 * that a schema fast-json-stringify cannot compile fails the app's start in every test rather than
 * one request in service, and checks the answer against its zod schema first, failing on a mismatch;
 * in service each is compiled on first use. Either way the bytes come from the same compiled serializer.
 */
export function responseSerializerCompiler(validate: boolean): FastifySerializerCompiler<RouteSchema> {
  return ({ schema, method, url }) => {
    if (!validate) return lazyResponseSerializer(schema)
    const serialize = compileResponseSerializer(schema)
    if (!(schema instanceof z.ZodType)) return serialize
    const check = schema
    return (data: unknown) => {
      const result = check.safeParse(data)
      if (!result.success) throw new ResponseMismatchError(`${method} ${url}`, result.error.issues)
      return serialize(data)
    }
  }
}

/** The compiled serializer of problem+json bodies, for the answers that no route schema covers. */
export const serializeProblem = compileResponseSerializer(ProblemSchema)

/**
 * Sets the compiler, and sends every problem+json body through the Problem serializer, including
 * those no route declares: 404 and 405 from the not-found handler, framework errors before routing,
 * and a status a route does not list (fastify would fall back to JSON.stringify for them).
 */
export function registerSerialization(app: FastifyInstance, options: { validate: boolean }): void {
  app.setSerializerCompiler(responseSerializerCompiler(options.validate))
  app.addHook('preSerialization', (_req, reply: FastifyReply, payload, done) => {
    const type = reply.getHeader('content-type')
    if (typeof type === 'string' && type.startsWith('application/problem+json')) {
      if (options.validate) {
        const result = ProblemSchema.safeParse(payload)
        if (!result.success) return done(new ResponseMismatchError('problem+json', result.error.issues))
      }
      reply.serializer(serializeProblem)
    }
    done(null, payload)
  })
}
