// TableSchema is a union by scheme: each scheme has its own sections, and another scheme's stay empty (issue 9 item 2).
import t from 'tap'
import { TableSchema } from '../../schema/table.ts'
import * as admission from '../../scoring/schemes/admission/index.ts'
import * as points from '../../scoring/schemes/points/index.ts'
import * as permit from '../../scoring/schemes/residence-permit/index.ts'
import * as settlement from '../../scoring/schemes/settlement/index.ts'

const header = {
  id: 'test-table',
  version: 1,
  jurisdiction: '330200',
  title: 'test',
  validFrom: '2024-01-01',
  ref: 'test reference',
}
const route = { id: 'r', label: 'r', ref: 'r', gates: [] }
const item = {
  id: 'i',
  label: 'i',
  ref: 'i',
  layer: 'l',
  kind: 'binary',
  when: { fact: 'age', gte: 18 },
  points: 1,
}

const issues = (input: unknown): string[] => {
  const r = TableSchema.safeParse(input)
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
}

t.test('each scheme module names its own branch of the union', async (t) => {
  for (const [m, scheme] of [
    [points, 'points'],
    [permit, 'residence-permit'],
    [settlement, 'settlement'],
    [admission, 'admission'],
  ] as const) {
    t.equal(m.SCHEME, scheme)
    t.ok(m.TableSchema.safeParse({ ...header, scheme }).success, `${scheme}: a bare header is a table`)
    for (const f of ['TableSchema', 'ResultSchema', 'compile', 'score', 'explain', 'evaluate'])
      t.ok(f in m, `${scheme} exports ${f}`)
  }
})

t.test('a table cannot carry another scheme’s sections', async (t) => {
  t.same(issues({ ...header, scheme: 'points', routes: [route] }).length > 0, true, 'points with a route')
  t.same(
    issues({ ...header, scheme: 'settlement', items: [item] }).length > 0,
    true,
    'settlement with an item',
  )
  t.same(
    issues({ ...header, scheme: 'residence-permit', household: { aggregate: 'max', entryGrades: ['P1'] } })
      .length > 0,
    true,
    'a permit table with a household section',
  )
  t.same(issues({ ...header, scheme: 'settlement', routes: [route] }), [], 'settlement with a route')
  t.same(issues({ ...header, scheme: 'lottery' }).length > 0, true, 'an unknown scheme')
})

t.test(
  'the other schemes’ sections stay in the parsed table, empty: the content hash covers them',
  async (t) => {
    const p = TableSchema.parse({ ...header, scheme: 'points' })
    t.same(
      [p.routes, p.entitlements, p.priorityTiers, p.pointsSettlement, p.household],
      [[], [], [], null, null],
    )
    const s = TableSchema.parse({ ...header, scheme: 'settlement', routes: [route] })
    t.same([s.items, s.layers, s.deductions, s.vetoes], [[], [], [], []])
  },
)
