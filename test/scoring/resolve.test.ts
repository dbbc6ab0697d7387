// District patches: add items, re-weight base items, add layers; errors for unknown ids and bases.
import t from 'tap'
import { ApplicantSchema } from '../../schema/applicant.ts'
import { type Table, TableSchema, type TableSourceInput, TableSourceSchema } from '../../schema/table.ts'
import { compileTable } from '../../scoring/compile.ts'
import { TableCompileError } from '../../scoring/conditions.ts'
import { contentSha256 } from '../../scoring/hash.ts'
import { resolveTable, successorsFor } from '../../scoring/resolve.ts'

/** A reference as tables carry them (the values here are placeholders for the tests). */
const REF = { title: '测试文件', documentNumber: 'document number not found', status: 'P' } as const

const base: Table = TableSchema.parse({
  id: 'city-base',
  references: { 'city-ref': REF },
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
      ref: 'city-ref',
      cap: 10,
      terms: [{ fact: 'city.bloodDonations', points: 2 }],
    },
    {
      id: 'shortage',
      label: '紧缺',
      layer: 'city',
      kind: 'binary',
      ref: 'city-ref',
      when: { fact: 'city.shortageOccupation', eq: true },
      points: 10,
      cap: 10,
    },
  ],
  deductions: [
    { id: 'dishonesty', label: 'd', record: 'dishonesty', points: 10, freezeMonths: 12, ref: 'city-ref' },
  ],
  gates: [{ id: 'permit_valid', label: 'p', ref: 'city-ref', when: { fact: 'permit.valid', eq: true } }],
})
const tables = new Map([[`${base.id}@${base.version}`, base]])
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
    references: { 'district-ref': REF },
    extends: 'city-base@1',
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
          ref: 'city-ref',
          when: { fact: 'city.shortageOccupation', eq: true },
          points: 10,
        },
      ],
    }),
    find,
  )
  t.equal(r.extends, 'city-base@1')
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
        deductions: [{ id: 'crime', label: 'c', record: 'crime', points: 30, ref: 'city-ref' }],
        gates: [{ id: 'adult', label: 'a', ref: 'city-ref', when: { fact: 'age', gte: 18 } }],
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
  const noBase = caught(() => resolveTable(source({}, { extends: 'missing@1' }), find))
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
        ref: 'city-ref',
        when: { fact: 'district.brave_act', eq: true },
        points: 10,
      },
    ],
  })
  const r = resolveTable(
    source(
      { reweight: [{ id: 'brave_act', points: 5 }] },
      { extends: 'district-base@1', jurisdiction: '330213' },
    ),
    (pinned) => (pinned === 'district-base@1' ? district : undefined),
  )
  t.same(
    r.districtFacts.map((d) => d.id),
    ['brave_act'],
  )
  const a = ApplicantSchema.parse({ birthDate: '1990-01-01', districtItems: { brave_act: true } })
  // re-weighted: 5 points instead of 10
  t.equal(compileTable(r).evaluatePoints(a, { asOf: '2026-04-30' }).total, 5)
})

t.test('extends names a version: an unpinned base is refused when the table is read', async (t) => {
  const unpinned = TableSourceSchema.safeParse({ ...source({}), extends: 'city-base' })
  t.notOk(unpinned.success, '`extends: city-base` without @version')
  t.match(JSON.stringify(unpinned.error?.issues), /ningbo-points-2022@1/)
  const wrongVersion = caught(() => resolveTable(source({}, { extends: 'city-base@2' }), find))
  t.ok(wrongVersion instanceof TableCompileError, 'a version that does not exist')
})

t.test('the resolved table records each component with its hash', async (t) => {
  const r = resolveTable(source({}), find)
  t.same(r.components, [{ id: 'city-base', version: 1, sha256: contentSha256(base) }])
  const ref = compileTable(r).ref
  t.same(ref.components, r.components, 'and every result names them through its ruleset')
  t.equal(compileTable(base).ref.components, undefined, 'a table built on nothing lists none')
})

t.test('supersedes: a correction is the earlier version plus its patch, on the same base', async (t) => {
  const district = resolveTable(source({}), find)
  const correction = resolveTable(
    TableSourceSchema.parse({
      ...source({}),
      extends: undefined,
      id: 'district-patch',
      version: 2,
      supersedes: 'district-patch@1',
      patch: { reweight: [{ id: 'blood', cap: 12 }] },
    }),
    (pinned) => (pinned === 'district-patch@1' ? district : undefined),
  )
  t.equal(correction.version, 2)
  t.equal(correction.extends, 'city-base@1', 'the base stays the one version 1 was built on')
  t.equal(correction.supersedes, 'district-patch@1')
  t.equal(correction.items.find((i) => i.id === 'blood')?.cap, 12)
  t.same(
    correction.components?.map((c) => `${c.id}@${c.version}`),
    ['city-base@1', 'district-patch@1'],
  )
  const wrongId = TableSourceSchema.safeParse({
    ...source({}),
    extends: undefined,
    version: 2,
    supersedes: 'city-base@1',
  })
  t.notOk(wrongId.success, 'a table supersedes only its own earlier version')
  const both = TableSourceSchema.safeParse({ ...source({}), version: 2, supersedes: 'district-patch@1' })
  t.notOk(both.success, 'extends and supersedes do not go together')
})

t.test(
  'a correction of the base gives each table built on it a next version; the old ones stay',
  async (t) => {
    const d1 = resolveTable(source({}), find)
    const own = resolveTable(source({ reweight: [{ id: 'blood', cap: 8 }] }, { id: 'district-own' }), find)
    const d1Hash = contentSha256(d1)
    const cityV2 = resolveTable(
      TableSourceSchema.parse({
        ...source({}),
        id: 'city-base',
        jurisdiction: '330200',
        version: 2,
        validFrom: '2022-05-01',
        extends: undefined,
        supersedes: 'city-base@1',
        patch: { reweight: [{ id: 'blood', terms: [{ fact: 'city.bloodDonations', points: 3 }] }] },
      }),
      (pinned) => (pinned === 'city-base@1' ? base : undefined),
    )
    const { successors, conflicts } = successorsFor(cityV2, [base, d1, own])
    t.same(
      successors.map((s) => `${s.id}@${s.version}`),
      ['district-patch@2', 'district-own@2'],
    )
    t.same(conflicts, [], 'the district that re-weighted another field of the item still follows')
    t.equal(contentSha256(d1), d1Hash, 'the district version 1 is unchanged')
    t.equal(successors[1].items.find((i) => i.id === 'blood')?.cap, 8, 'its own cap is kept')
    const d2 = successors[0]
    t.equal(d2.extends, 'city-base@2')
    t.equal(d2.supersedes, 'district-patch@1')
    t.equal(d2.validFrom, '2022-05-01', 'in force from the correction')
    t.same(
      d2.components?.map((c) => `${c.id}@${c.version}`),
      ['city-base@1', 'city-base@2', 'district-patch@1'],
    )
    const a = ApplicantSchema.parse({ birthDate: '1990-01-01', cityItems: { bloodDonations: 3 } })
    // version 1: 3 donations × 2 = 6; version 2: 3 × 3 = 9 (cap 10)
    t.equal(compileTable(d1).evaluatePoints(a, { asOf: '2026-04-30' }).total, 6)
    t.equal(compileTable(d2).evaluatePoints(a, { asOf: '2026-04-30' }).total, 9)

    // a district that set the corrected field itself is not overwritten: it is reported
    const ownTerms = resolveTable(
      source(
        { reweight: [{ id: 'blood', terms: [{ fact: 'city.bloodDonations', points: 4 }] }] },
        { id: 'district-terms' },
      ),
      find,
    )
    const clash = successorsFor(cityV2, [base, ownTerms])
    t.same(clash.successors, [])
    t.match(clash.conflicts, [/district-terms@1 sets items\.blood\.terms itself/])
  },
)
