// Serves the OpenAPI 3.1 document generated from the routes' zod schemas, with Chinese labels on its enums.
import type { FastifyInstance } from 'fastify'
import { labelsFor } from '../../schema/labels.ts'

export function openapiRoutes(app: FastifyInstance): void {
  app.get(
    '/openapi.json',
    { schema: { hide: true }, config: { scopes: ['public'] }, logLevel: 'warn' },
    async () => app.swagger(),
  )
}

/**
 * Adds `x-enum-descriptions` (value → Chinese label, schema/labels.ts) to every enum schema of the
 * document whose values a label map covers: matched by the values themselves, so the labels reach
 * every field without each field line naming its map. Literals (`const`) are labelled the same way.
 * Works in place on the generated document and returns it (the swagger `transformObject` hook).
 */
export function withEnumLabels<T>(document: T): T {
  const seen = new Set<unknown>()
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object' || seen.has(node)) return
    seen.add(node)
    if (Array.isArray(node)) {
      for (const n of node) walk(n)
      return
    }
    const s = node as Record<string, unknown>
    const values = Array.isArray(s.enum)
      ? s.enum.filter((v) => v !== null)
      : typeof s.const === 'string'
        ? [s.const]
        : null
    if (values !== null && values.length > 0 && values.every((v) => typeof v === 'string')) {
      const labels = labelsFor(values)
      if (labels !== undefined)
        s['x-enum-descriptions'] = Object.fromEntries(values.map((v) => [v, labels[v as string]]))
    }
    for (const v of Object.values(s)) walk(v)
  }
  walk(document)
  return document
}
