// Pinned table versions in the shipped loader: a new version of a base leaves every existing table's hash as it was.
import { readFileSync } from 'node:fs'
import t from 'tap'
import { parse } from 'yaml'
import { TableSourceSchema } from '../../schema/table.ts'
import { compileTable } from '../../scoring/compile.ts'
import {
  listTableFiles,
  loadReferences,
  parseTableSource,
  resolveAll,
  withReferences,
} from '../../src/tables/shipped.ts'

const shared = loadReferences()
const sources = listTableFiles().map((f) =>
  withReferences(parseTableSource(readFileSync(f, 'utf8'), f), shared),
)
const key = (x: { id: string; version: number }) => `${x.id}@${x.version}`
const hashesOf = (tables: ReturnType<typeof resolveAll>) =>
  new Map(tables.map((x) => [key(x), compileTable(x).sha256]))
const shipped = hashesOf(resolveAll(sources))
const ningboFile = listTableFiles().find((f) => f.endsWith('ningbo-points-2022.yaml'))!
const ningbo = parse(readFileSync(ningboFile, 'utf8'))

t.test('every shipped base is named with its version', async (t) => {
  for (const s of sources) if (s.extends !== undefined) t.match(s.extends, /@\d+$/, key(s))
})

t.test('a second complete version of the city table changes no other table', async (t) => {
  // the same table with blood donation at 3 points a time instead of 2
  const add = ningbo.patch.add.map((i: { id: string }) =>
    i.id === 'blood_donation' ? { ...i, terms: [{ fact: 'city.bloodDonations', points: 3 }] } : i,
  )
  const v2 = TableSourceSchema.parse({
    ...ningbo,
    version: 2,
    title: '第 2 版',
    patch: { ...ningbo.patch, add },
  })
  const after = hashesOf(resolveAll([...sources, v2]))
  t.equal(after.size, shipped.size + 1)
  for (const [id, sha256] of shipped) t.equal(after.get(id), sha256, `${id} keeps its hash`)
})

t.test(
  'a correction (supersedes + patch) adds the next version of each district, changing none',
  async (t) => {
    const correction = TableSourceSchema.parse({
      id: 'ningbo-points-2022',
      version: 2,
      scheme: 'points',
      jurisdiction: '330200',
      title: '更正',
      validFrom: '2022-04-01',
      ref: ningbo.ref,
      supersedes: 'ningbo-points-2022@1',
      patch: { reweight: [{ id: 'blood_donation', terms: [{ fact: 'city.bloodDonations', points: 3 }] }] },
    })
    const tables = resolveAll([...sources, correction])
    const after = hashesOf(tables)
    for (const [id, sha256] of shipped) t.equal(after.get(id), sha256, `${id} keeps its hash`)
    const added = [...after.keys()].filter((id) => !shipped.has(id)).sort()
    t.same(added, [
      'beilun-points-2022@2',
      'cixi-points-2022@2',
      'fenghua-points-2022@2',
      'haishu-points-2022@2',
      'jiangbei-points-2022@2',
      'ningbo-points-2022@2',
      'ninghai-points-2022@2',
      'xiangshan-points-2022@2',
      'yinzhou-points-2022@2',
      'yuyao-points-2022@2',
      'zhenhai-points-2022@2',
    ])
    const fenghua2 = tables.find((x) => key(x) === 'fenghua-points-2022@2')!
    const blood = fenghua2.items.find((i) => i.id === 'blood_donation')
    t.same(blood?.kind === 'per_unit' && blood.terms[0].points, 3, 'the corrected value reached the district')
    t.equal(fenghua2.extends, 'ningbo-points-2022@2')
  },
)
