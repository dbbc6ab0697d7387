// Legal references as data: rows cite keys of a references block, results carry the references, nothing internal leaks.
import t from 'tap'
import { ApplicantSchema } from '../../schema/applicant.ts'
import {
  DOCUMENT_NUMBER_NOT_FOUND,
  ReferenceSchema,
  TableSchema,
  type TableSourceInput,
  TableSourceSchema,
} from '../../schema/table.ts'
import { compileTable } from '../../scoring/compile.ts'
import { TableCompileError } from '../../scoring/conditions.ts'
import { citedRefs, keysOf } from '../../scoring/references.ts'
import { resolveTable } from '../../scoring/resolve.ts'
import { loadReferences, loadShippedTables } from '../../src/tables/shipped.ts'

const tables = loadShippedTables()
const byId = (id: string) => tables.find((x) => `${x.id}@${x.version}` === id)!

t.test('every shipped row cites keys its table defines', async (t) => {
  for (const table of tables) {
    const cited = citedRefs(table)
    t.ok(cited.length > 0, `${table.id} cites something`)
    for (const { path, ref } of cited)
      for (const key of keysOf(ref)) t.ok(table.references[key], `${table.id} ${path}: ${key}`)
  }
})

t.test('no shipped table names an internal file or working note', async (t) => {
  for (const table of tables) {
    // the route reason `unavailable` is result text kept byte-identical by the golden file; see docs/tables.md
    const { routes, ...rest } = table
    const shown = JSON.stringify({ ...rest, routes: routes.map(({ unavailable: _u, ...r }) => r) })
    t.notMatch(shown, /policy\.md|\bseeds?\s*\d|\.md\b/, `${table.id}@${table.version}`)
  }
})

t.test('a document number is one seen, or says it was not found', async (t) => {
  for (const [key, r] of Object.entries(loadReferences())) {
    t.ok(
      r.documentNumber === DOCUMENT_NUMBER_NOT_FOUND || /〔\d{4}〕\d+号|令第\d+号/.test(r.documentNumber),
      `${key}: ${r.documentNumber}`,
    )
    t.notMatch(r.title, /文号未见/, `${key}: “not found” is said by the document number, not the title`)
  }
})

t.test('a reference naming an internal file or note is refused', async (t) => {
  const ok = { title: '某文件', documentNumber: DOCUMENT_NUMBER_NOT_FOUND, status: 'V' }
  t.ok(ReferenceSchema.safeParse(ok).success)
  for (const [field, text] of [
    ['title', '见 policy.md §3'],
    ['note', '宁波市公安局介绍，seed 004'],
    ['documentNumber', 'notes.txt'],
  ] as const)
    t.notOk(ReferenceSchema.safeParse({ ...ok, [field]: text }).success, `${field}: ${text}`)
  t.notOk(ReferenceSchema.safeParse({ ...ok, status: 'maybe' }).success, 'status is V or P')
})

t.test('a row citing a key the table does not define is refused when resolved', async (t) => {
  const source = (ref: TableSourceInput['ref']): TableSourceInput => ({
    id: 'ref-test',
    version: 1,
    scheme: 'points',
    jurisdiction: '330299',
    title: 't',
    validFrom: '2024-01-01',
    ref: 'known',
    references: { known: { title: '某文件', documentNumber: DOCUMENT_NUMBER_NOT_FOUND, status: 'P' } },
    layers: [{ id: 'l', label: 'l', cap: 10 }],
    items: [
      {
        id: 'permit',
        label: 'p',
        layer: 'l',
        kind: 'binary',
        ref,
        when: { fact: 'permit.valid', eq: true },
        points: 10,
      },
    ],
  })
  t.equal(resolveTable(TableSourceSchema.parse(source(['known'])), () => undefined).id, 'ref-test')
  let err: unknown
  try {
    resolveTable(TableSourceSchema.parse(source('甬政办发〔2022〕10号')), () => undefined)
  } catch (e) {
    err = e
  }
  t.ok(err instanceof TableCompileError, 'free text is not a reference')
  t.equal((err as TableCompileError).path, 'items[0].ref')
})

t.test(
  'Fenghua and Xiangshan items cite their district rules (not found, P), not the city notice',
  async (t) => {
    for (const id of ['fenghua-points-2022@1', 'xiangshan-points-2022@1']) {
      const table = byId(id)
      const district = table.items.filter((i) => i.layer === 'district')
      t.ok(district.length >= 6, `${id} has its district items`)
      for (const item of district) {
        t.notSame(keysOf(item.ref), ['ningbo-points-notice'], `${id} ${item.id}`)
        for (const key of keysOf(item.ref))
          t.equal(table.references[key].status, 'P', `${id} ${item.id}: ${key}`)
        t.ok(item.provisional, `${id} ${item.id} is provisional`)
      }
    }
  },
)

t.test('a result carries the references its rows cite', async (t) => {
  const compiled = compileTable(byId('fenghua-points-2022@1'))
  const applicant = ApplicantSchema.parse({ birthDate: '1990-01-01', districtItems: { brave_act: true } })
  const result = compiled.evaluatePoints(applicant, { asOf: '2026-04-30' })
  const brave = result.items.find((i) => i.id === 'brave_act')!
  t.equal(brave.ref, 'fenghua-district-items')
  t.match(result.references!['fenghua-district-items'], {
    documentNumber: DOCUMENT_NUMBER_NOT_FOUND,
    status: 'P',
  })
  for (const row of [...result.items, ...result.gates, ...result.deductions])
    for (const key of keysOf(row.ref)) t.ok(result.references![key], `${row.id}: ${key}`)
  // plain data: a copy through JSON, structuredClone or spread keeps them, and a copy cannot change the table's
  t.same(structuredClone(result).references, JSON.parse(JSON.stringify(result)).references)
  t.throws(() => {
    ;(result.references!['fenghua-district-items'] as { title: string }).title = 'x'
  }, 'the shared references are frozen')
})

t.test('a table stored before references were data still compiles and scores', async (t) => {
  const legacy = TableSchema.parse({
    id: 'legacy',
    version: 1,
    scheme: 'points',
    jurisdiction: '330299',
    title: 't',
    validFrom: '2024-01-01',
    ref: '甬政办发〔2022〕10号',
    layers: [{ id: 'l', label: 'l', cap: 10 }],
    items: [
      {
        id: 'permit',
        label: 'p',
        layer: 'l',
        kind: 'binary',
        ref: '甬政办发〔2022〕10号',
        when: { fact: 'permit.valid', eq: true },
        points: 10,
      },
    ],
  })
  const r = compileTable(legacy).evaluatePoints(ApplicantSchema.parse({ birthDate: '1990-01-01' }), {
    asOf: '2026-04-30',
  })
  t.equal(r.items[0].ref, '甬政办发〔2022〕10号')
  // no references member at all: the result has the shape such a table's results were stored with
  t.notOk('references' in r)
})
