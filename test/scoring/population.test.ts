// Population scoring (scoring/population.ts): exact agreement with evaluate on seeded populations under every shipped points table, hand-computed cases and edges.
//
// Sizes: 100,000 seeded applicants under the Ningbo city table, 10,000 under each other shipped
// points table (100k × all 13 tables through the row-by-row `evaluate` takes minutes on the shared
// 2-core machine), and 10,000 scored under three tables from one store.
import t, { type Test } from 'tap'
import { generateApplicants, mulberry32 } from '../../bench/lib/applicants.ts'
import { type Applicant, type ApplicantInput, ApplicantSchema } from '../../schema/applicant.ts'
import { type Table, TableSchema } from '../../schema/table.ts'
import { type CompiledTable, compileTable } from '../../scoring/compile.ts'
import type { EvalContext } from '../../scoring/env.ts'
import { fromScaled } from '../../scoring/exact.ts'
import {
  breakdownOf,
  columnKey,
  columnsOf,
  compilePopulationScorer,
  derivePopulation,
  PopulationBuilder,
  type PopulationFacts,
  type PopulationScores,
  scorePopulation,
} from '../../scoring/population.ts'
import { evaluate } from '../../scoring/schemes/points/index.ts'
import { loadShippedTables } from '../../src/tables/shipped.ts'

const ASOF = '2026-04-30'

/**
 * Compares every applicant's population scores with `evaluate`: total, eligibility, provisional,
 * each layer (before and after its cap) and each item's points. Reports the first mismatches only.
 */
function agree(
  tt: Test,
  s: PopulationScores,
  applicants: readonly Applicant[],
  ctx: EvalContext,
  what: string,
) {
  const bad: string[] = []
  for (let i = 0; i < applicants.length; i++) {
    const r = evaluate(s.table, applicants[i], ctx)
    const diffs: string[] = []
    if (fromScaled(s.total[i]) !== r.total) diffs.push(`total ${fromScaled(s.total[i])} vs ${r.total}`)
    if ((s.eligible[i] === 1) !== r.eligible) diffs.push(`eligible ${s.eligible[i]} vs ${r.eligible}`)
    if ((s.provisional[i] === 1) !== r.provisional)
      diffs.push(`provisional ${s.provisional[i]} vs ${r.provisional}`)
    r.layers.forEach((l, k) => {
      const before = s.layers[k][i]
      if (
        fromScaled(before) !== l.pointsBeforeCap ||
        fromScaled(Math.min(before, s.layerCaps[k])) !== l.points
      )
        diffs.push(`layer ${l.id} ${fromScaled(before)} vs ${l.pointsBeforeCap}`)
    })
    r.items.forEach((it, k) => {
      if (fromScaled(s.items[k][i]) !== it.points)
        diffs.push(`item ${it.id} ${fromScaled(s.items[k][i])} vs ${it.points}`)
    })
    if (diffs.length > 0 && bad.length < 5) bad.push(`#${i}: ${diffs.join('; ')}`)
    if (diffs.length > 0 && bad.length >= 5) break
  }
  tt.same(bad, [], `${what}: ${applicants.length} applicants agree exactly with evaluate`)
}

t.test('agreement with evaluate across every shipped points table', async (t) => {
  const shipped = loadShippedTables().filter((tb) => tb.scheme === 'points')
  const tables = shipped.map(compileTable)
  t.ok(tables.length >= 13, `${tables.length} shipped points tables`)
  // seeded applicants, plus seeded district items for every district fact of every shipped table
  // (the generator leaves districtItems empty, which would score every district item 0)
  const districtFacts = new Map<string, 'number' | 'boolean'>()
  for (const tb of shipped)
    for (const d of tb.districtFacts) districtFacts.set(d.id, d.type as 'number' | 'boolean')
  const rnd = mulberry32(20261130)
  const applicants = generateApplicants(100_000, 20220401, ASOF).map((a) => {
    const districtItems: Record<string, number | boolean> = {}
    for (const [id, type] of districtFacts) {
      if (rnd() < 0.4) continue
      districtItems[id] = type === 'boolean' ? rnd() < 0.5 : Math.floor(rnd() * 5)
    }
    return ApplicantSchema.parse({ ...a, districtItems })
  })
  const small = applicants.slice(0, 10_000)
  for (const c of tables) {
    const group = c.table.id === 'ningbo-points-2022' ? applicants : small
    const ctx = { asOf: ASOF }
    agree(t, scorePopulation(c, derivePopulation(group, [c], ctx)), group, ctx, c.table.id)
  }

  // one store, three tables: the second and third reuse the facts (city-wide jurisdiction for all)
  const ids = ['ningbo-points-2022', 'xiangshan-points-2022', 'beilun-points-2021']
  const three = ids.map((id) => tables.find((c) => c.table.id === id)!)
  const ctx = { asOf: ASOF, jurisdiction: '330200' }
  const pop = derivePopulation(small, three, ctx)
  for (const c of three) agree(t, scorePopulation(c, pop), small, ctx, `${c.table.id} on a shared store`)
})

// ---------------------------------------------------------------- small tables, computed by hand

type Rec = Record<string, unknown>
function table(items: Rec[], more: Rec = {}): Table {
  return TableSchema.parse({
    id: 'hand-table',
    version: 1,
    scheme: 'points',
    jurisdiction: '330212',
    title: '手算表',
    validFrom: '2020-01-01',
    ref: '测试',
    layers: [
      { id: 'a', label: 'A', cap: 1000 },
      { id: 'b', label: 'B', cap: 15 },
    ],
    items,
    ...more,
  } as Parameters<typeof TableSchema.parse>[0])
}
const item = (id: string, layer: string, rest: Rec): Rec => ({
  id,
  label: id,
  layer,
  ref: `ref-${id}`,
  ...rest,
})
const person = (a: Partial<ApplicantInput>): Applicant =>
  ApplicantSchema.parse({ birthDate: '1990-01-01', ...a })

const HAND = compileTable(
  table(
    [
      item('welfare', 'a', {
        kind: 'per_unit',
        terms: [{ fact: 'city.publicWelfareHours', points: 1, per: 20 }],
      }),
      item('welfare_p', 'a', {
        kind: 'per_unit',
        rounding: 'prorated',
        terms: [{ fact: 'city.publicWelfareHours', points: 1, per: 20 }],
      }),
      item('blood', 'a', {
        kind: 'per_unit',
        terms: [{ fact: 'city.bloodDonations', points: 2 }],
        steps: {
          mode: 'stacking',
          fact: 'city.bloodDonations',
          at: [
            { atLeast: 2, bonus: 1 },
            { atLeast: 4, bonus: 3, provisional: true },
          ],
        },
      }),
      item('blood_hi', 'a', {
        kind: 'per_unit',
        terms: [{ fact: 'city.bloodDonations', points: 0 }],
        steps: {
          mode: 'highest',
          fact: 'city.bloodDonations',
          at: [
            { atLeast: 2, bonus: 1 },
            { atLeast: 4, bonus: 3 },
          ],
        },
      }),
      item('age', 'a', {
        kind: 'bands',
        fact: 'age',
        bands: [
          { from: 18, to: 40, points: 20 },
          { from: 41, to: 54, points: 19, perUnit: -1 },
          { from: 55, points: 0 },
        ],
      }),
      item('tax', 'a', {
        kind: 'tiers',
        tiers: [
          { label: '1 万', when: { fact: 'city.yearlyTaxYuan', gte: 10000 }, points: 5 },
          { label: '5 万', when: { fact: 'city.yearlyTaxYuan', gte: 50000 }, points: 10 },
          { label: '4 万', when: { fact: 'city.yearlyTaxYuan', gte: 40000 }, points: 10, provisional: true },
        ],
      }),
      item('shortage', 'b', {
        kind: 'binary',
        when: { fact: 'city.shortageOccupation', eq: true },
        points: 7,
      }),
      item('organ', 'b', {
        kind: 'category',
        fact: 'city.organDonation',
        cap: 8,
        categories: [
          { values: ['registered'], points: 5 },
          { values: ['donated'], points: 10, provisional: true },
        ],
      }),
      item('inv', 'a', {
        kind: 'per_unit',
        highestOfGroup: 'patents',
        terms: [{ fact: 'city.inventionPatents', points: 5 }],
      }),
      item('util', 'a', {
        kind: 'per_unit',
        highestOfGroup: 'patents',
        provisional: true,
        terms: [{ fact: 'city.utilityPatents', points: 2 }],
      }),
      item('hired', 'a', {
        kind: 'per_unit',
        when: { not: { fact: 'city.shortageOccupation', ne: true } },
        terms: [{ fact: 'city.insuredEmployeesHired', points: 1 }],
      }),
      item('welfare_in', 'a', {
        kind: 'binary',
        when: {
          any: [
            { fact: 'city.publicWelfareHours', in: [0.5, 20] },
            { fact: 'education', in: ['master'] },
          ],
        },
        points: 1,
      }),
    ],
    {
      deductions: [
        { id: 'dishonesty', label: '失信', record: 'dishonesty', points: 10, freezeMonths: 12, ref: '测试' },
        { id: 'crime', label: '犯罪', record: 'crime', points: 30, ref: '测试' },
      ],
      vetoes: [{ id: 'veto', label: '否决', record: 'veto', ref: '测试' }],
      gates: [
        { id: 'adult', label: '成年', ref: '测试', when: { all: [{ fact: 'age', gte: 18, lte: 200 }] } },
      ],
    },
  ),
)

const HAND_PEOPLE = [
  // A: age 35; welfare 59 h; 4 donations; tax 45,000; shortage; organ donated; 1 invention, 3 utility; 4 hired
  person({
    birthDate: '1990-05-01',
    cityItems: {
      publicWelfareHours: 59,
      bloodDonations: 4,
      yearlyTaxYuan: 45000,
      shortageOccupation: true,
      organDonation: 'donated',
      inventionPatents: 1,
      utilityPatents: 3,
      insuredEmployeesHired: 4,
    },
    records: [{ kind: 'dishonesty', date: '2025-12-01' }],
  }),
  // B: age 49 (born 1976-06-01, before its birthday in 2026); tax 60,000; a veto, a crime, a crime after the as-of date
  person({
    birthDate: '1976-06-01',
    education: 'master',
    cityItems: { yearlyTaxYuan: 60000, inventionPatents: 2, utilityPatents: 5, insuredEmployeesHired: 9 },
    records: [
      { kind: 'veto', date: '2020-01-01' },
      { kind: 'crime', date: '2024-01-01' },
      { kind: 'crime', date: '2027-01-01' },
    ],
  }),
  // C: age 16, 20 welfare hours, 2 donations
  person({
    birthDate: '2010-01-01',
    cityItems: { publicWelfareHours: 20, bloodDonations: 2, organDonation: 'registered' },
  }),
]

t.test('hand-computed population', async (t) => {
  const ctx = { asOf: ASOF }
  const s = scorePopulation(HAND, derivePopulation(HAND_PEOPLE, [HAND], ctx))
  const item = (id: string, i: number) =>
    fromScaled(s.items[HAND.table.items.findIndex((x) => x.id === id)][i])
  t.equal(s.size, 3)

  // A: welfare floor(59/20) = 2; prorated 59 × 1/20 = 2.95; blood 4 × 2 = 8 + stacking 1 + 3 = 12 (the
  // 4-step is provisional); blood_hi max(1, 3) = 3; age 35 in 18–40 = 20; tax: 4 万 and 5 万 tiers hold
  // for 45,000? no, 45,000 ≥ 40,000 only: max(5, 10) = 10 (provisional tier); shortage 7; organ donated 10
  // capped 8; patents: inv 5 < util 3 × 2 = 6, so inv is outranked (0); hired 4 (shortage holds);
  // welfare_in: 59 h not in {0.5, 20}, not a master: 0.
  // layer a = 2 + 2.95 + 12 + 3 + 20 + 10 + 0 + 6 + 4 + 0 = 59.95; layer b = 7 + 8 = 15 (cap 15)
  // total = 59.95 + 15 − 10 (dishonesty 2025-12-01) = 64.95; frozen 12 months from 2025-12-01: not eligible
  t.equal(item('welfare', 0), 2)
  t.equal(item('welfare_p', 0), 2.95)
  t.equal(item('blood', 0), 12)
  t.equal(item('blood_hi', 0), 3)
  t.equal(item('age', 0), 20)
  t.equal(item('tax', 0), 10)
  t.equal(item('organ', 0), 8)
  t.equal(item('inv', 0), 0)
  t.equal(item('util', 0), 6)
  t.equal(item('hired', 0), 4)
  t.equal(fromScaled(s.layers[0][0]), 59.95)
  t.equal(fromScaled(s.layers[1][0]), 15)
  t.equal(fromScaled(s.total[0]), 64.95)
  t.equal(s.eligible[0], 0, 'A: a freeze running on the as-of date')
  t.equal(s.provisional[0], 1, 'A: provisional step, tier, category and item')

  // B: age 49 in 41–54: 19 − 1 × (49 − 41) = 11; tax 60,000: 5 万 and 4 万 tie at 10, the first (5 万,
  // not provisional) wins; inv 2 × 5 = 10 > util 5 × 2 = 10? a tie: the first (inv) counts, util 0;
  // hired: no shortage, so `when` fails: 0 (9 hired ignored); welfare_in: a master: 1.
  // layer a = 11 + 10 + 10 + 1 = 32; layer b = 0; total = 32 − 30 (crime 2024) = 2 (the 2027 crime
  // is after the as-of date); the veto makes B ineligible. Nothing provisional counted (util outranked).
  t.equal(item('age', 1), 11)
  t.equal(item('tax', 1), 10)
  t.equal(item('inv', 1), 10)
  t.equal(item('util', 1), 0)
  t.equal(item('hired', 1), 0)
  t.equal(item('welfare_in', 1), 1)
  t.equal(fromScaled(s.total[1]), 2)
  t.equal(s.eligible[1], 0)
  t.equal(s.provisional[1], 0)

  // C: age 16: no band; welfare 20 h: 1, prorated 1, welfare_in (20 in the list) 1; blood 2 × 2 + 1 = 5,
  // blood_hi 1; organ registered 5. Layer a = 1 + 1 + 5 + 1 + 1 = 9, layer b = 5, total 14;
  // the adult gate fails (16 < 18).
  t.equal(fromScaled(s.total[2]), 14)
  t.equal(s.eligible[2], 0)
  agree(t, s, HAND_PEOPLE, ctx, 'hand table')

  // a breakdown only on request, for one applicant: the normal evaluate
  const b = breakdownOf(s, HAND_PEOPLE[0])
  t.equal(b.total, 64.95)
  t.equal(b.items.find((x) => x.id === 'inv')?.detail.includes('同组取最高'), true)
})

t.test('a table with a district patch and a named date', async (t) => {
  const tb = compileTable(
    table(
      [
        item('local_housing', 'b', {
          kind: 'binary',
          when: { fact: 'district.local_housing', eq: true },
          points: 10,
        }),
        item('local_honours', 'b', {
          kind: 'per_unit',
          terms: [{ fact: 'district.local_honours', points: 5 }],
        }),
      ],
      {
        districtFacts: [
          { id: 'local_housing', label: '本地住房', type: 'boolean' },
          { id: 'local_honours', label: '本地表彰次数', type: 'number' },
        ],
        dates: { check: { context: 'checkDay' } },
        gates: [
          {
            id: 'adult_then',
            label: '当时成年',
            ref: '测试',
            when: { fact: 'age', gt: 17, lt: 200, at: 'check' },
          },
        ],
      },
    ),
  )
  const ctx = { asOf: ASOF, dates: { checkDay: '2020-01-01' } }
  const people = [
    // housing 10 + 3 honours × 5 = 25, capped by layer b at 15; age 30 on 2020-01-01: eligible
    person({ birthDate: '1990-01-01', districtItems: { local_housing: true, local_honours: 3 } }),
    // no district items: both absent, 0; born 2005: 14 on 2020-01-01 though 21 on the as-of date
    person({ birthDate: '2005-01-01' }),
    // housing false: 0; 1 honour: 5
    person({ birthDate: '2005-01-01', districtItems: { local_housing: false, local_honours: 1 } }),
  ]
  const pop = derivePopulation(people, [tb], ctx)
  t.ok(pop.columns.has(columnKey('age', Date.UTC(2020, 0, 1) / 86_400_000)), 'age as of the named date')
  t.same([...pop.columns.keys()].sort(), [
    'age@2020-01-01',
    'district.local_honours',
    'district.local_housing',
  ])
  const s = scorePopulation(tb, pop)
  t.same([...s.total].map(fromScaled), [15, 0, 5])
  t.same([...s.layers[1]].map(fromScaled), [25, 0, 5])
  t.same([...s.eligible], [1, 0, 0])
  agree(t, s, people, ctx, 'district table')
})

t.test('edges', async (t) => {
  const ctx = { asOf: ASOF }
  t.test('empty population', async (t) => {
    const pop = derivePopulation([], [HAND], ctx)
    const s = scorePopulation(HAND, pop)
    t.equal(s.size, 0)
    t.equal(s.total.length, 0)
    t.equal(s.items.length, HAND.table.items.length)
    t.equal(pop.recordStart.length, 1)
  })

  t.test('a streamed population (any iterable) gives the same columns as an array', async (t) => {
    function* rows() {
      yield* HAND_PEOPLE
    }
    const streamed = scorePopulation(HAND, derivePopulation(rows(), [HAND], ctx))
    const listed = scorePopulation(HAND, derivePopulation(HAND_PEOPLE, [HAND], ctx))
    t.same([...streamed.total], [...listed.total])
    t.same(
      streamed.items.map((c) => [...c]),
      listed.items.map((c) => [...c]),
    )
  })

  t.test('an applicant whose facts are all zero', async (t) => {
    // a store made by hand: every column the table reads holds 0 (age 0, education `none`, organ `none`)
    const columns = new Map<string, Float64Array>()
    for (const key of columnsOf(HAND, ctx).keys()) columns.set(key, new Float64Array(1))
    const pop: PopulationFacts = {
      size: 1,
      ctx,
      asOfDay: 0,
      jurisdiction: '330212',
      columns,
      recordStart: new Int32Array(2),
      recordKind: new Uint8Array(0),
      recordDay: new Int32Array(0),
    }
    const s = scorePopulation(HAND, pop)
    // every rule gives 0: no band holds age 0, no tier holds 0 yuan, 0 ≠ true, `none` is in no
    // category, 0 hours and 0 donations give 0 blocks and no step; hired's `when` (shortage) fails
    t.same(
      s.items.map((col) => col[0]),
      HAND.table.items.map(() => 0),
    )
    t.equal(s.total[0], 0)
    t.equal(s.eligible[0], 0, 'age 0 fails the adult gate')
    t.equal(s.provisional[0], 0)
  })

  t.test('the builder grows past its capacity and its record buffer', async (t) => {
    const b = new PopulationBuilder([HAND], ctx, 1)
    const many = person({
      records: Array.from({ length: 20 }, (_, i) => ({
        kind: 'crime' as const,
        date: `2021-01-${String(i + 1).padStart(2, '0')}`,
      })),
    })
    for (let i = 0; i < 5; i++) t.equal(b.add(i % 2 === 0 ? many : HAND_PEOPLE[0]), i)
    const pop = b.finish()
    t.equal(pop.size, 5)
    t.equal(pop.recordKind.length, 3 * 20 + 2 * 1)
    const s = scorePopulation(HAND, pop)
    // `many`: age 36 → 20, then 20 crimes × 30 = 600 deducted: 20 − 600 = −580
    t.equal(fromScaled(s.total[0]), -580)
    t.equal(fromScaled(s.total[1]), 64.95)
  })

  t.test('errors', async (t) => {
    t.throws(() => new PopulationBuilder([], ctx), /at least one table/)
    const settlementLike = { ...HAND, table: { ...HAND.table, scheme: 'settlement' } } as CompiledTable
    t.throws(() => new PopulationBuilder([settlementLike], ctx), /is a settlement table/)
    t.throws(() => compilePopulationScorer(settlementLike, ctx), /is a settlement table/)
    const elsewhere = compileTable({ ...HAND.table, id: 'elsewhere', jurisdiction: '330203' })
    t.throws(() => new PopulationBuilder([HAND, elsewhere], ctx), /pass ctx.jurisdiction/)
    // with one jurisdiction for both, one store serves both
    t.doesNotThrow(() => new PopulationBuilder([HAND, elsewhere], { ...ctx, jurisdiction: '330212' }))
    const pop = derivePopulation(HAND_PEOPLE, [HAND], ctx)
    t.throws(() => scorePopulation(elsewhere, pop), /the population is as of 2026-04-30 in 330212/)
    t.throws(
      () => compilePopulationScorer(HAND, { asOf: '2025-01-01' }).score(pop),
      /scores as of 2025-01-01/,
    )
    const other = compileTable(
      table([item('edu', 'a', { kind: 'binary', when: { fact: 'skill.level', eq: 1 }, points: 1 })]),
    )
    t.throws(() => scorePopulation(other, pop), /no column skill.level/)
  })
})
