// The contract: generated OpenAPI matches the committed file, is valid 3.1, has unique ids, examples and problems.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Validator } from '@seriousme/openapi-schema-validator'
import t from 'tap'
import { z } from 'zod'
import { buildApp } from '../../src/app.ts'
import { generateOpenapi } from '../../src/cli/openapi.ts'
import { fixedClock } from '../../src/clock.ts'
import { testConfig } from '../../src/config.ts'
import { projectRoot } from '../../src/project-root.ts'
import { build, json, NOW } from '../helper.ts'

const COMMITTED = join(projectRoot, 'openapi', 'openapi.json')

t.test(
  'openapi/openapi.json is what the app generates (run `npm run openapi:generate` after changing a route)',
  async (tt) => {
    const generated = await generateOpenapi()
    tt.equal(readFileSync(COMMITTED, 'utf8'), generated, 'no drift')
  },
)

t.test('the document is a valid OpenAPI 3.1 document with no dangling $ref', async (tt) => {
  const doc = JSON.parse(readFileSync(COMMITTED, 'utf8'))
  tt.equal(doc.openapi, '3.1.0')
  const result = await new Validator().validate(doc)
  tt.equal(result.valid, true, JSON.stringify(result.errors))
  const names = new Set(Object.keys(doc.components.schemas))
  const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1])
  const dangling = [...new Set(refs)].filter(
    (r) => !r.startsWith('#/components/schemas/') || !names.has(r.slice(21)),
  )
  tt.same(dangling, [])
})

/** Every zod schema exported by the schema/ modules, and those nested in them, once. */
async function allSchemas(): Promise<z.ZodType[]> {
  const modules = await Promise.all(
    ['api', 'applicant', 'common', 'errors', 'household', 'result', 'table'].map(
      (m) => import(`../../schema/${m}.ts`),
    ),
  )
  const found = new Set<z.ZodType>()
  const visit = (v: unknown, depth: number): void => {
    if (depth > 12 || v === null || typeof v !== 'object') return
    if (v instanceof z.ZodType) {
      if (found.has(v)) return
      found.add(v)
      // biome-ignore lint/suspicious/noExplicitAny: walking zod's definition tree
      const def = (v as any)._zod.def as Record<string, unknown>
      for (const x of Object.values(def)) visit(x, depth + 1)
      return
    }
    if (Array.isArray(v)) for (const x of v) visit(x, depth + 1)
    else if (Object.getPrototypeOf(v) === Object.prototype)
      for (const x of Object.values(v)) visit(x, depth + 1)
  }
  for (const m of modules) for (const x of Object.values(m)) visit(x, 0)
  return [...found]
}

t.test('schema ids are unique: no two schemas claim one id', async (tt) => {
  // zod's registry silently keeps the last schema given an id; a duplicate shows as an id whose holder differs
  // biome-ignore lint/suspicious/noExplicitAny: the registry's id map is not public API
  const holders = (z.globalRegistry as any)._idmap as Map<string, z.ZodType>
  const dupes: string[] = []
  let withId = 0
  for (const s of await allSchemas()) {
    const id = z.globalRegistry.get(s)?.id
    if (id === undefined) continue
    withId++
    if (holders.get(id) !== s) dupes.push(id)
  }
  tt.ok(withId >= 20, `${withId} schemas with ids`)
  tt.same(dupes, [])
})

t.test(
  'every route has examples, problem responses, and a scopes declaration for the auth layer',
  async (tt) => {
    const doc = JSON.parse(readFileSync(COMMITTED, 'utf8'))
    const schemas = doc.components.schemas
    const hasExample = (s: { $ref?: string; example?: unknown } | undefined): boolean =>
      s !== undefined &&
      (s.example !== undefined || (s.$ref !== undefined && schemas[s.$ref.slice(21)]?.example !== undefined))
    for (const [path, ops] of Object.entries<Record<string, Record<string, unknown>>>(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const name = `${method.toUpperCase()} ${path}`
        const responses = op.responses as Record<
          string,
          { content?: Record<string, { schema?: { $ref?: string } }> }
        >
        const success = Object.keys(responses).find((s) => s.startsWith('2'))!
        tt.ok(
          // JSON, or another media type (the HTML notice) where a route answers one
          hasExample(
            responses[success].content?.['application/json']?.schema ??
              Object.values(responses[success].content ?? {})[0]?.schema,
          ),
          `${name}: response example`,
        )
        const body = (
          op.requestBody as { content: Record<string, { schema: { $ref?: string } }> } | undefined
        )?.content['application/json']?.schema
        const params = (op.parameters as { schema: { example?: unknown } }[] | undefined) ?? []
        tt.ok(
          body ? hasExample(body) : params.every((p) => p.schema.example !== undefined),
          `${name}: request example`,
        )
        tt.equal(
          responses['500']?.content?.['application/problem+json']?.schema?.$ref,
          '#/components/schemas/Problem',
          `${name}: problems declared`,
        )
      }
    }
    // the auth layer will enforce config.scopes; every route must declare them now
    const app = buildApp(testConfig(), { clock: fixedClock(NOW), seedTables: () => [] })
    const routes: { url: string; scopes?: readonly string[] }[] = []
    app.addHook('onRoute', (r) => {
      if (r.schema && (r.schema as { hide?: boolean }).hide && r.url.startsWith('/docs')) return
      if (r.method === 'HEAD') return
      routes.push({
        url: `${r.method} ${r.url}`,
        scopes: (r.config as { scopes?: readonly string[] } | undefined)?.scopes,
      })
    })
    await app.ready()
    tt.teardown(() => app.close())
    tt.ok(routes.length >= 14, `${routes.length} routes`)
    for (const r of routes) tt.ok(r.scopes && r.scopes.length > 0, `${r.url} declares scopes`)
  },
)

t.test('examples in the schemas satisfy the schemas', async (tt) => {
  let checked = 0
  for (const schema of await allSchemas()) {
    const meta = z.globalRegistry.get(schema) as { id?: string; example?: unknown } | undefined
    if (meta?.example === undefined) continue
    checked++
    const r = schema.safeParse(meta.example)
    tt.ok(
      r.success,
      `${meta.id ?? 'schema'} example: ${r.success ? 'ok' : JSON.stringify(r.error.issues.slice(0, 3))}`,
    )
  }
  tt.ok(checked >= 10, `${checked} examples checked`)
})

t.test(
  '/openapi.json serves the document and /docs serves the reference UI from local assets',
  async (tt) => {
    const app = await build(tt)
    const res = await app.inject({ method: 'GET', url: '/openapi.json' })
    tt.equal(res.statusCode, 200)
    tt.equal(json(res).openapi, '3.1.0')
    tt.ok(json(res).paths['/v1/points/evaluations'])
    const docs = await app.inject({ method: 'GET', url: '/docs' })
    tt.equal(docs.statusCode, 200)
    tt.match(docs.headers['content-type'], /text\/html/)
    const assets = [...docs.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1])
    tt.ok(assets.length > 0)
    for (const a of assets) {
      tt.notMatch(a, /^(https?:)?\/\//, `${a} is local`)
      const asset = await app.inject({
        method: 'GET',
        url: a.startsWith('/') ? a : `/docs/${a.replace(/^\.\//, '')}`,
      })
      tt.equal(asset.statusCode, 200, `${a} is served`)
    }
  },
)

t.test(
  'contract completeness: every operation has a unique operationId, a summary and a description; 503 wherever load shedding can answer, 429 on public routes; servers and contact',
  async (tt) => {
    const doc = JSON.parse(readFileSync(COMMITTED, 'utf8'))
    tt.ok(Array.isArray(doc.servers) && doc.servers.length > 0, 'servers')
    tt.ok(doc.info.contact?.name, 'info.contact')
    const ids = new Set<string>()
    const gaps: string[] = []
    for (const [path, ops] of Object.entries<Record<string, Record<string, unknown>>>(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const name = `${method.toUpperCase()} ${path}`
        const id = op.operationId as string | undefined
        if (!id) gaps.push(`${name}: operationId`)
        else if (ids.has(id)) gaps.push(`${name}: operationId ${id} used twice`)
        else ids.add(id)
        if (!op.summary) gaps.push(`${name}: summary`)
        if (!op.description) gaps.push(`${name}: description`)
        const responses = op.responses as Record<string, unknown>
        const probe = path === '/healthz' || path === '/readyz'
        if (!probe && responses['503'] === undefined) gaps.push(`${name}: 503`)
        const isPublic = op.security === undefined || (op.security as unknown[]).length === 0
        if (isPublic && !probe && path !== '/openapi.json' && responses['429'] === undefined)
          gaps.push(`${name}: 429 (public, rate-limited)`)
      }
    }
    tt.same(gaps, [], 'operations missing what the contract must say')
  },
)
