// Every value of every zod enum in schema/ has a Chinese label, and the contract carries the labels as x-enum-descriptions.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { ENUM_LABELS, labelsFor } from '../../schema/labels.ts'
import { withEnumLabels } from '../../src/routes/openapi.ts'

const SCHEMA_DIR = join(import.meta.dirname, '..', '..', 'schema')
/** modules of schema/ that are not request or result vocabulary: the database tables */
const NOT_CONTRACT = new Set(['db.ts', 'db-pg.ts', 'labels.ts'])

interface ZodLike {
  _zod: { def: Record<string, unknown> & { type: string } }
}
const isZod = (v: unknown): v is ZodLike =>
  v !== null && typeof v === 'object' && '_zod' in v && typeof (v as ZodLike)._zod?.def?.type === 'string'

/** Every enum (its values) and string literal reachable from a zod schema, walking its definition. */
function enumsIn(root: unknown, out: Map<string, string[]>, seen = new Set<unknown>()): void {
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return
    seen.add(v)
    if (Array.isArray(v)) {
      for (const x of v) visit(x)
      return
    }
    if (isZod(v)) {
      const def = v._zod.def
      if (def.type === 'enum') {
        const values = Object.values(def.entries as Record<string, string>).map(String)
        out.set(JSON.stringify(values), values)
      } else if (def.type === 'literal') {
        const values = (def.values as unknown[]).filter((x) => typeof x === 'string') as string[]
        if (values.length > 0) out.set(JSON.stringify(values), values)
      }
      for (const x of Object.values(def)) visit(x)
      // an object's shape is a getter on the def in zod 4
      if (def.type === 'object') visit((v as unknown as { shape: unknown }).shape)
      return
    }
    for (const x of Object.values(v)) visit(x)
  }
  visit(root)
}

t.test('every value of every zod enum (and string literal) in schema/ has a Chinese label', async (t) => {
  const enums = new Map<string, string[]>()
  for (const file of readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.ts') && !NOT_CONTRACT.has(f))) {
    const mod = (await import(join(SCHEMA_DIR, file))) as Record<string, unknown>
    for (const exported of Object.values(mod)) if (isZod(exported)) enumsIn(exported, enums)
  }
  t.ok(enums.size > 30, `${enums.size} enums and literals found`)
  // the walk reaches nested fields: the applicant's organ donation, a round's outcomes, a table row's status
  const found = [...enums.keys()]
  for (const v of ['"donated"', '"gate_failed"', '"V"', '"withdrawn"', '"special_ability"'])
    t.ok(
      found.some((k) => k.includes(v)),
      `${v} found`,
    )
  const unlabelled: string[] = []
  for (const values of enums.values()) {
    const labels = labelsFor(values)
    for (const v of values)
      if (labels === undefined || !/[\u4e00-\u9fff]/.test(labels[v] ?? ''))
        unlabelled.push(`${values.join('|')}: ${v}`)
  }
  t.same(unlabelled, [], 'values without a Chinese label')
  // the education labels are the ones a reason uses
  t.equal(
    labelsFor([
      'none',
      'primary',
      'junior',
      'senior',
      'vocational_secondary',
      'junior_college',
      'bachelor',
      'master',
      'doctorate',
    ])?.junior_college,
    '大专',
  )
})

t.test(
  'the label maps: every label is Chinese, and no two maps word one value set differently',
  async (t) => {
    for (const [name, map] of Object.entries(ENUM_LABELS))
      for (const [v, label] of Object.entries(map)) t.match(label, /[\u4e00-\u9fff]/, `${name}.${v}`)
    t.equal(labelsFor(['none']), undefined, 'a lone value several maps word differently has no label')
    t.equal(labelsFor(['owned', 'dormitory'])?.owned, '自有产权住房', 'a subset of one enum takes its labels')
  },
)

t.test('the contract labels every enum it documents', async (t) => {
  const doc = JSON.parse(
    readFileSync(join(import.meta.dirname, '..', '..', 'openapi', 'openapi.json'), 'utf8'),
  ) as unknown
  const missing: string[] = []
  let labelled = 0
  const walk = (n: unknown, path: string): void => {
    if (Array.isArray(n)) {
      for (const [i, x] of n.entries()) walk(x, `${path}/${i}`)
      return
    }
    if (n === null || typeof n !== 'object') return
    const s = n as Record<string, unknown>
    const values = Array.isArray(s.enum)
      ? s.enum.filter((v) => v !== null)
      : typeof s.const === 'string'
        ? [s.const]
        : []
    if (values.length > 0) {
      const d = s['x-enum-descriptions'] as Record<string, string> | undefined
      if (d === undefined || values.some((v) => !/[\u4e00-\u9fff]/.test(d[String(v)] ?? '')))
        missing.push(path)
      else labelled++
    }
    for (const [k, v] of Object.entries(s)) walk(v, `${path}/${k}`)
  }
  walk(doc, '')
  t.ok(labelled > 100, `${labelled} enums labelled`)
  t.same(missing, [], 'enums of openapi/openapi.json without x-enum-descriptions (npm run openapi:generate)')
  // the applicant's housing kind is labelled where the request documents it
  t.match(JSON.stringify(doc), /"registered_rental":"登记备案的租赁住房"/)
})

t.test('the transform labels enums by their values, nested anywhere, and leaves others alone', async (t) => {
  const doc = withEnumLabels({
    a: { type: 'string', enum: ['owned', 'none', 'dormitory', 'public_rental', 'registered_rental'] },
    b: { anyOf: [{ type: 'string', enum: ['self', 'spouse'] }, { type: 'null' }] },
    c: { type: 'string', enum: ['unheard', 'of'] },
    d: { const: 'special_ability' },
  })
  t.same(doc.a['x-enum-descriptions' as never], {
    owned: '自有产权住房',
    none: '无住房',
    dormitory: '单位宿舍',
    public_rental: '公共租赁住房',
    registered_rental: '登记备案的租赁住房',
  })
  t.same(doc.b.anyOf[0]['x-enum-descriptions' as never], { self: '本人', spouse: '配偶' })
  t.notOk('x-enum-descriptions' in doc.c, 'no map covers it: nothing is invented')
  t.same(doc.d['x-enum-descriptions' as never], { special_ability: '专项职业能力证书' })
})
