// The contract documents every field: a description and an example on each property of every request, response and problem (issue 15 item 6).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { z } from 'zod'
import { projectRoot } from '../../src/project-root.ts'
import { fieldGaps } from '../contract-fields.ts'

const COMMITTED = join(projectRoot, 'openapi', 'openapi.json')
/**
 * The fields not yet documented when this test was written (the table-authoring schemas, mostly), so
 * that the test can hold the line now: a field missing from this list that lacks a description or an
 * example fails, and so does an entry here that has since been documented (delete it from the list).
 */
const BASELINE = join(projectRoot, 'test', 'routes', 'field-docs.baseline.json')

/** JSON Schema of a zod schema, as the app's OpenAPI transform publishes it. */
const json = (s: z.ZodType) =>
  z.toJSONSchema(s, { target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown> & {
    properties: Record<string, Record<string, unknown>>
  }

/** A one-operation document whose request body is `root`. */
function docOf(root: object, schemas: Record<string, object> = {}) {
  return {
    paths: { '/x': { post: { requestBody: { content: { 'application/json': { schema: root } } } } } },
    components: { schemas },
  }
}

t.test(
  'the walker on a tiny schema: documented fields pass; one .meta removed names that field',
  async (tt) => {
    const documented = (withMeta: boolean) => {
      const when = z.string()
      const Inner = z
        .object({
          when: withMeta ? when.meta({ description: 'the day it happened', example: '2021-03-01' }) : when,
        })
        .meta({ description: 'an inner part', example: { when: '2021-03-01' } })
      const Branch = z.object({
        kind: z.literal('a').meta({ description: 'which branch' }),
        n: z.number().meta({ description: 'a count', example: 3 }),
      })
      const body = z.object({
        name: z.string().meta({ description: 'a name', example: '张三' }),
        inner: Inner,
        list: z.array(Inner).meta({ description: 'several parts' }),
        either: z.union([Branch, z.object({ kind: z.literal('b') })]).meta({
          description: 'one of two',
          example: { kind: 'a', n: 3 },
        }),
      })
      return { body, Inner }
    }
    const whole = documented(true)
    tt.same(fieldGaps(docOf(json(whole.body))), [
      'POST /x request (application/json).either(anyOf[1]).kind: description',
    ])
    // one .meta removed, in a part that is a component behind a $ref: named by the component, once
    const bare = documented(false)
    const root = json(bare.body)
    root.properties.inner = { $ref: '#/components/schemas/Inner' }
    root.properties.list.items = { $ref: '#/components/schemas/Inner' }
    tt.same(fieldGaps(docOf(root, { Inner: json(bare.Inner) })), [
      'Inner.when: description',
      'Inner.when: example',
      'POST /x request (application/json).either(anyOf[1]).kind: description',
    ])
    // a parameter without a description or an example is named too
    tt.same(
      fieldGaps({
        paths: {
          '/y/{id}': { get: { parameters: [{ name: 'id', in: 'path', schema: { type: 'string' } }] } },
        },
      }),
      ['GET /y/{id} path.id: description', 'GET /y/{id} path.id: example'],
    )
  },
)

t.test(
  'every field of every operation has a description and an example (beyond the baseline, which only shrinks)',
  async (tt) => {
    const doc = JSON.parse(readFileSync(COMMITTED, 'utf8'))
    const gaps = fieldGaps(doc)
    const baseline = new Set<string>(JSON.parse(readFileSync(BASELINE, 'utf8')))
    const missing = gaps.filter((g) => !baseline.has(g))
    const fixed = [...baseline].filter((g) => !gaps.includes(g))
    tt.same(
      missing,
      [],
      `fields that lack a description or an example: add .meta({ description, example }) to each:\n  ${missing.join('\n  ')}`,
    )
    tt.same(fixed, [], `documented now: delete these from ${BASELINE}:\n  ${fixed.join('\n  ')}`)
    tt.comment(`${gaps.length} field gaps left in the baseline`)
  },
)
