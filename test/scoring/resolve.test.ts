// District patches: add items, re-weight base items, add layers; errors for unknown ids and bases.
import t from 'tap'
import { ApplicantSchema } from '../../schema/applicant.ts'
import { type Table, TableSchema, type TableSourceInput, TableSourceSchema } from '../../schema/table.ts'
import { compileTable } from '../../scoring/compile.ts'
import { TableCompileError } from '../../scoring/conditions.ts'
import { resolveTable } from '../../scoring/resolve.ts'

const base: Table = TableSchema.parse({
  id: 'city-base',
  version: 1,
  scheme: 'points',
  jurisdiction: '330200',
  title: '市级',
  validFrom: '2022-04-01',
  ref: 'city-ref',
  dates: { april: { month: 4, day: 30 } },
  layers: [{ id: 'city', label: '市级', cap: 150 }],
  items: [
    {
      id: 'blood',
      label: '献血',
      layer: 'city',
      kind: 'per_unit',
      ref: 'r',
      cap: 10,
      terms: [{ fact: 'city.bloodDonations', points: 2 }],
    },
    {
      id: 'shortage',
      label: '紧缺',
      layer: 'city',
      kind: 'binary',
      ref: 'r',
      when: { fact: 'city.shortageOccupation', eq: true },
      points: 10,
      cap: 10,
    },
  ],
  deductions: [
    { id: 'dishonesty', label: 'd', record: 'dishonesty', points: 10, freezeMonths: 12, ref: 'd' },
  ],
  gates: [{ id: 'permit_valid', label: 'p', ref: 'g', when: { fact: 'permit.valid', eq: true } }],
})
const tables = new Map([[base.id, base]])
const find = (id: string) => tables.get(id)

const source = (patch: TableSourceInput['patch'], more: Partial<TableSourceInput> = {}) =>
  TableSourceSchema.parse({
    id: 'district-patch',
    version: 1,
    scheme: 'points',
    jurisdiction: '330212',
    title: '区级',
    validFrom: '2022-04-01',
    ref: 'district-ref',
    extends: 'city-base',
    patch,
    ...more,
  })

function caught(fn: () => unknown): unknown {
  try {
    fn()
  } catch (e) {
    return e
  }
  return undefined
}

t.test('a table without a patch resolves to itself', async (t) => {
  const { extends: _e, ...own } = source({})
  const r = resolveTable(own, find)
  t.equal(r.id, 'district-patch')
  t.same(r.items, [])
  t.equal(r.extends, undefined)
})

t.test('patch: add items and layers', async (t) => {
  const r = resolveTable(
    source({
      layers: [{ id: 'district', label: '区级', cap: 50 }],
      add: [
        {
          id: 'brave',
          label: '见义勇为',
          layer: 'district',
          kind: 'binary',
          ref: 'x',
          when: { fact: 'city.shortageOccupation', eq: true },
          points: 10,
        },
      ],
    }),
    find,
  )
  t.equal(r.extends, 'city-base')
  t.same(
    r.layers.map((l) => l.id),
    ['city', 'district'],
  )
  t.same(
    r.items.map((i) => i.id),
    ['blood', 'shortage', 'brave'],
  )
  t.same(Object.keys(r.dates), ['april'], 'named dates are inherited')
  t.same(
    r.deductions.map((d) => d.id),
    ['dishonesty'],
    'deductions are inherited when the patch has none',
  )
  t.same(
    r.gates.map((g) => g.id),
    ['permit_valid'],
  )
  t.equal(r.jurisdiction, '330212')
  // shortage 10 (city) + brave 10 (district) = 20
  const res = compileTable(r).evaluatePoints(
    ApplicantSchema.parse({ birthDate: '1990-01-01', cityItems: { shortageOccupation: true } }),
    { asOf: '2026-04-30' },
  )
  t.equal(res.total, 20)
  t.same(
    res.layers.map((l) => [l.id, l.points]),
    [
      ['city', 10],
      ['district', 10],
    ],
  )
})

t.test('patch: re-weight a base item', async (t) => {
  const r = resolveTable(
    source({ reweight: [{ id: 'blood', terms: [{ fact: 'city.bloodDonations', points: 3 }], cap: 12 }] }),
    find,
  )
  const blood = r.items.find((i) => i.id === 'blood')!
  t.equal(blood.cap, 12)
  t.equal(blood.label, '献血', 'fields not re-weighted are kept')
  t.equal(base.items[0].cap, 10, 'the base table is not modified')
  // 5 donations × 3 = 15 → cap 12 (the base would give 5 × 2 = 10 → cap 10)
  const a = ApplicantSchema.parse({ birthDate: '1990-01-01', cityItems: { bloodDonations: 5 } })
  t.equal(compileTable(r).evaluatePoints(a, { asOf: '2026-04-30' }).total, 12)
  t.equal(compileTable(base).evaluatePoints(a, { asOf: '2026-04-30' }).total, 10)
})

t.test('own deductions and gates replace the base ones', async (t) => {
  const r = resolveTable(
    source(
      {},
      {
        deductions: [{ id: 'crime', label: 'c', record: 'crime', points: 30, ref: 'c' }],
        gates: [{ id: 'adult', label: 'a', ref: 'g', when: { fact: 'age', gte: 18 } }],
      },
    ),
    find,
  )
  t.same(
    r.deductions.map((d) => d.id),
    ['crime'],
  )
  t.same(
    r.gates.map((g) => g.id),
    ['adult'],
  )
})

t.test('errors', async (t) => {
  const unknown = caught(() => resolveTable(source({ reweight: [{ id: 'nope', cap: 5 }] }), find))
  t.ok(unknown instanceof TableCompileError, 'reweight of an unknown item')
  t.equal((unknown as TableCompileError).path, 'patch.reweight.nope')
  const noBase = caught(() => resolveTable(source({}, { extends: 'missing' }), find))
  t.ok(noBase instanceof TableCompileError, 'unknown base')
  t.equal((noBase as TableCompileError).path, 'extends')
  const otherScheme = caught(() => resolveTable(source({}, { scheme: 'settlement' }), find))
  t.ok(otherScheme instanceof TableCompileError, 'base of another scheme')
  t.match(String(otherScheme), /points table/)
  const badReweight = caught(() => resolveTable(source({ reweight: [{ id: 'blood', cap: -1 }] }), find))
  t.ok(badReweight instanceof Error, 'a re-weight that makes the item invalid is rejected')
})

t.test('a patch over a table with district facts keeps them', async (t) => {
  const district = TableSchema.parse({
    ...base,
    id: 'district-base',
    jurisdiction: '330213',
    layers: [{ id: 'district', label: '区级', cap: 50 }],
    districtFacts: [{ id: 'brave_act', label: '见义勇为', type: 'boolean' }],
    items: [
      {
        id: 'brave_act',
        label: '见义勇为',
        layer: 'district',
        kind: 'binary',
        ref: 'x',
        when: { fact: 'district.brave_act', eq: true },
        points: 10,
      },
    ],
  })
  const r = resolveTable(
    source(
      { reweight: [{ id: 'brave_act', points: 5 }] },
      { extends: 'district-base', jurisdiction: '330213' },
    ),
    (id) => (id === 'district-base' ? district : undefined),
  )
  t.same(
    r.districtFacts.map((d) => d.id),
    ['brave_act'],
  )
  const a = ApplicantSchema.parse({ birthDate: '1990-01-01', districtItems: { brave_act: true } })
  // re-weighted: 5 points instead of 10
  t.equal(compileTable(r).evaluatePoints(a, { asOf: '2026-04-30' }).total, 5)
})
