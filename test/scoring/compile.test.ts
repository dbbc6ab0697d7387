// The table compiler: each rule shape on small inline tables, caps, groups, deductions, gates, errors.
import t, { type Test } from 'tap'
import { type ApplicantInput, ApplicantSchema } from '../../schema/applicant.ts'
import { PointsResultSchema } from '../../schema/result.ts'
import { type Table, TableSchema } from '../../schema/table.ts'
import { compileTable, EvaluationError } from '../../scoring/compile.ts'
import { TableCompileError } from '../../scoring/conditions.ts'

/** Runs `fn`, expecting it to throw an error that satisfies `pred`. */
function throwsWhere(tt: Test, fn: () => unknown, pred: (e: unknown) => boolean, what?: string): void {
  let error: unknown
  try {
    fn()
  } catch (e) {
    error = e
  }
  tt.ok(error !== undefined && pred(error), `${what ?? 'throws'}: ${String(error)}`)
}

type TableInput = Parameters<typeof TableSchema.parse>[0]
type Rec = Record<string, unknown>

/** A one-layer points table (layer `a`, cap 1000) with the given items and overrides. */
function table(items: Rec[], more: Rec = {}): Table {
  return TableSchema.parse({
    id: 'test-table',
    version: 1,
    scheme: 'points',
    jurisdiction: '330212',
    title: '测试表',
    validFrom: '2020-01-01',
    ref: '测试',
    layers: [{ id: 'a', label: 'A', cap: 1000 }],
    items,
    ...more,
  } as TableInput)
}

const item = (id: string, rest: Rec): Rec => ({ id, label: id, layer: 'a', ref: `ref-${id}`, ...rest })
const applicant = (a: Partial<ApplicantInput> = {}) =>
  ApplicantSchema.parse({ birthDate: '1990-01-01', ...a })

function run(tbl: Table, a: Partial<ApplicantInput> = {}, asOf = '2026-04-30', ctx: Rec = {}) {
  return compileTable(tbl).evaluatePoints(applicant(a), { asOf, ...ctx })
}
const byId = (r: ReturnType<typeof run>, id: string) => {
  const found = r.items.find((i) => i.id === id)
  if (!found) throw new Error(`no item ${id}`)
  return found
}

/** Residence registered in Yinzhou `months` full months before 2026-04-30. */
const residentFor = (registeredSince: string): Partial<ApplicantInput> => ({
  residence: { registeredSince, region: '330212' },
})

t.test('per_unit', async (t) => {
  t.test('whole blocks vs pro-rated', async (t) => {
    const per = (rounding: string) =>
      table([
        item('welfare', {
          kind: 'per_unit',
          rounding,
          terms: [{ fact: 'city.publicWelfareHours', points: 1, per: 20 }],
        }),
      ])
    const a = { cityItems: { publicWelfareHours: 59 } }
    // whole: floor(59 / 20) = 2 blocks × 1 = 2
    t.equal(byId(run(per('whole'), a), 'welfare').points, 2)
    // prorated: 59 × 1 / 20 = 2.95
    t.equal(byId(run(per('prorated'), a), 'welfare').points, 2.95)
    t.equal(
      byId(run(per('whole'), { cityItems: { publicWelfareHours: 19 } }), 'welfare').points,
      0,
      '19 h < 20',
    )
  })
  t.test('0.2 × 37 = 7.4 exactly', async (t) => {
    const tbl = table([
      item('residence', { kind: 'per_unit', terms: [{ fact: 'residence.months', points: 0.2 }] }),
    ])
    // registered 2023-03-30: 2023-03-30 + 37 months = 2026-04-30 → 37 months; 0.2 × 37 = 7.4
    const r = run(tbl, residentFor('2023-03-30'))
    const it = byId(r, 'residence')
    t.same(it.value, { raw: 37, label: '37 个月' })
    t.ok(it.points === 7.4, `points ${it.points} === 7.4`)
    t.equal(JSON.stringify(it.points), '7.4')
    t.ok(r.total === 7.4, `total ${r.total} === 7.4`)
    t.equal(JSON.stringify(r.total), '7.4')
    t.match(JSON.stringify(r), /"total":7\.4[,}]/)
  })
  t.test('several terms add up', async (t) => {
    const tbl = table([
      item('inv', {
        kind: 'per_unit',
        terms: [
          { fact: 'city.inventionPatents', points: 5 },
          { fact: 'city.utilityPatents', points: 2 },
        ],
      }),
    ])
    // 3 × 5 + 4 × 2 = 15 + 8 = 23
    const it = byId(run(tbl, { cityItems: { inventionPatents: 3, utilityPatents: 4 } }), 'inv')
    t.equal(it.points, 23)
    t.same(it.value, {
      raw: { 'city.inventionPatents': 3, 'city.utilityPatents': 4 },
      label: '发明专利数 3 项，实用新型或外观设计专利数 4 项',
    })
  })
  t.test('item cap', async (t) => {
    const tbl = table([
      item('blood', { kind: 'per_unit', cap: 10, terms: [{ fact: 'city.bloodDonations', points: 2 }] }),
    ])
    // 7 × 2 = 14 → cap 10
    const it = byId(run(tbl, { cityItems: { bloodDonations: 7 } }), 'blood')
    t.equal(it.pointsBeforeCap, 14)
    t.equal(it.points, 10)
    t.equal(it.cap, 10)
    t.match(it.detail, /封顶 10/)
    // 4 × 2 = 8 < 10
    t.equal(byId(run(tbl, { cityItems: { bloodDonations: 4 } }), 'blood').points, 8)
  })
  t.test('step bonuses: stacking vs highest', async (t) => {
    const steps = (mode: string) =>
      table([
        item('res', {
          kind: 'per_unit',
          cap: 40,
          terms: [{ fact: 'residence.months', points: 0.2 }],
          steps: {
            mode,
            fact: 'residence.months',
            at: [
              { atLeast: 36, bonus: 5 },
              { atLeast: 60, bonus: 8 },
              { atLeast: 84, bonus: 10 },
            ],
          },
        }),
      ])
    // registered 2021-03-30: 5 × 12 + 1 = 61 months; 0.2 × 61 = 12.2
    const a = residentFor('2021-03-30')
    // stacking: 12.2 + 5 + 8 = 25.2
    t.equal(byId(run(steps('stacking'), a), 'res').points, 25.2)
    // highest: 12.2 + 8 = 20.2
    t.equal(byId(run(steps('highest'), a), 'res').points, 20.2)
    // 35 months (registered 2023-05-30): 0.2 × 35 = 7, no step
    t.equal(byId(run(steps('stacking'), residentFor('2023-05-30')), 'res').points, 7)
    // 120 months (2016-04-30): 0.2 × 120 = 24; stacking 24 + 5 + 8 + 10 = 47 → cap 40
    const long = byId(run(steps('stacking'), residentFor('2016-04-30')), 'res')
    t.equal(long.pointsBeforeCap, 47)
    t.equal(long.points, 40)
  })
})

t.test('bands, including reverse-linear', async (t) => {
  const tbl = table([
    item('age', {
      kind: 'bands',
      fact: 'age',
      cap: 20,
      bands: [
        { from: 0, to: 17, points: 0, provisional: true },
        { from: 18, to: 40, points: 20 },
        { from: 41, to: 54, points: 19, perUnit: -1 },
        { from: 55, to: 60, points: 5 },
        { from: 61, points: 0 },
      ],
    }),
  ])
  const age = (birthDate: string) => byId(run(tbl, { birthDate }), 'age')
  // as of 2026-04-30
  t.equal(age('1985-05-01').points, 20, 'age 40 (41 tomorrow) → 20')
  t.equal(age('1985-04-30').points, 19, 'age 41 → 19')
  t.equal(age('1981-01-01').points, 15, 'age 45 → 19 − (45 − 41) = 15')
  t.equal(age('1972-01-01').points, 6, 'age 54 → 19 − (54 − 41) = 6')
  t.equal(age('1971-04-30').points, 5, 'age 55 → 5')
  t.equal(age('1965-05-01').points, 5, 'age 60 → 5')
  t.equal(age('1965-04-30').points, 0, 'age 61 → 0')
  const young = age('2010-01-01')
  t.equal(young.points, 0, 'age 16 → 0')
  t.equal(young.provisional, true, 'the under-18 band is provisional')
  const gap = table([item('age', { kind: 'bands', fact: 'age', bands: [{ from: 18, to: 35, points: 5 }] })])
  const out = byId(run(gap, { birthDate: '1980-01-01' }), 'age')
  t.equal(out.points, 0, 'age 46 lies in no band')
  t.match(out.detail, /不在计分区间/)
  const rising = table([
    item('up', { kind: 'bands', fact: 'city.bloodDonations', bands: [{ from: 1, points: 2, perUnit: 0.5 }] }),
  ])
  // 5 donations: 2 + 0.5 × (5 − 1) = 4
  t.equal(byId(run(rising, { cityItems: { bloodDonations: 5 } }), 'up').points, 4)
})

t.test('tiers: only the highest tier met counts', async (t) => {
  const tbl = table([
    item('skills', {
      kind: 'tiers',
      cap: 10,
      tiers: [
        { label: 'special', when: { fact: 'skill.specialAbility', eq: true }, points: 3, provisional: true },
        {
          label: 'level3',
          when: {
            any: [
              { fact: 'skill.level', eq: 3 },
              { fact: 'title.grade', eq: 'junior' },
            ],
          },
          points: 8,
        },
        {
          label: 'level2',
          when: {
            any: [
              { fact: 'skill.level', lte: 2 },
              { fact: 'title.grade', in: ['intermediate', 'deputy_senior', 'senior'] },
            ],
          },
          points: 10,
        },
      ],
    }),
  ])
  // special 3, level 3 → 8, intermediate title → 10: highest 10, not 3 + 8 + 10 = 21
  const all = byId(
    run(tbl, {
      skills: [
        { kind: 'special_ability' },
        { kind: 'skill_level', level: 3 },
        { kind: 'title', grade: 'intermediate' },
      ],
    }),
    'skills',
  )
  t.equal(all.points, 10)
  t.equal(all.pointsBeforeCap, 10)
  t.same(all.value, { raw: 'level2', label: 'level2' }, 'the tier matched, in the table’s own words')
  t.equal(all.provisional, false, 'the provisional tier was not the one used')
  const special = byId(run(tbl, { skills: [{ kind: 'special_ability' }] }), 'skills')
  t.equal(special.points, 3)
  t.equal(special.provisional, true, 'a provisional tier makes the row provisional')
  const none = byId(run(tbl), 'skills')
  t.equal(none.points, 0)
  t.same(none.value, { raw: null, label: '未达到任何档次' })
})

t.test('highest-only across items (highestOfGroup)', async (t) => {
  const tbl = table([
    item('x', {
      kind: 'binary',
      when: { fact: 'city.shortageOccupation', eq: true },
      points: 8,
      highestOfGroup: 'g',
    }),
    item('y', {
      kind: 'binary',
      when: { fact: 'city.bloodDonations', gte: 1 },
      points: 10,
      highestOfGroup: 'g',
    }),
    item('z', { kind: 'binary', when: { fact: 'city.bloodDonations', gte: 1 }, points: 1 }),
  ])
  const both = run(tbl, { cityItems: { shortageOccupation: true, bloodDonations: 1 } })
  t.equal(byId(both, 'x').points, 0, 'x is superseded by y')
  t.equal(byId(both, 'x').pointsBeforeCap, 8)
  t.match(byId(both, 'x').detail, /计入 y/)
  t.equal(byId(both, 'y').points, 10)
  // layer: 0 + 10 + 1 (z is in no group) = 11
  t.equal(both.total, 11)
  const onlyX = run(tbl, { cityItems: { shortageOccupation: true } })
  t.equal(byId(onlyX, 'x').points, 8, 'alone in its group, x counts')
  t.equal(onlyX.total, 8)
  const tie = table([
    item('first', {
      kind: 'binary',
      when: { fact: 'city.shortageOccupation', eq: true },
      points: 5,
      highestOfGroup: 'g',
    }),
    item('second', {
      kind: 'binary',
      when: { fact: 'city.shortageOccupation', eq: true },
      points: 5,
      highestOfGroup: 'g',
    }),
  ])
  const provisionalGroup = table([
    item('v', {
      kind: 'binary',
      when: { fact: 'city.bloodDonations', gte: 1 },
      points: 10,
      highestOfGroup: 'g',
    }),
    item('p', {
      kind: 'binary',
      when: { fact: 'city.bloodDonations', gte: 1 },
      points: 4,
      highestOfGroup: 'g',
      provisional: true,
    }),
  ])
  const outranked = run(provisionalGroup, { cityItems: { bloodDonations: 1 } })
  t.same(outranked.provisionalRows, [], 'a provisional item outranked in its group was not used')
  t.equal(byId(outranked, 'p').provisional, true, 'its row still says provisional')
  const tied = run(tie, { cityItems: { shortageOccupation: true } })
  t.equal(byId(tied, 'first').points, 5, 'on a tie the first counts')
  t.equal(byId(tied, 'second').points, 0)
  t.equal(tied.total, 5)
})

t.test('binary items with a duration condition', async (t) => {
  const tbl = table([
    item('employment', {
      kind: 'binary',
      cap: 10,
      when: { fact: 'employment.ningbo.currentRunMonths', gte: 12 },
      points: 10,
    }),
  ])
  const job = {
    employment: [{ kind: 'labour_contract' as const, from: '2025-06-01', to: null, region: '330212' }],
  }
  // 2025-06-01 … 2026-05-31 = 12 months → 10
  const yes = byId(run(tbl, job, '2026-05-31'), 'employment')
  t.equal(yes.points, 10)
  t.same(yes.value, { raw: true, label: '是' })
  // … 2026-05-30 = 11 months 30 days → 0
  const no = byId(run(tbl, job, '2026-05-30'), 'employment')
  t.equal(no.points, 0)
  t.same(no.value, { raw: false, label: '否' })
})

t.test('category: mutually exclusive values', async (t) => {
  const housing = (categories: Rec[]) =>
    table([item('housing', { kind: 'category', fact: 'housing.kind', cap: 20, categories })])
  const tbl = housing([
    { values: ['dormitory', 'public_rental', 'registered_rental'], points: 10 },
    { values: ['owned'], points: 20, provisional: true },
  ])
  const pts = (kind: string) =>
    byId(run(tbl, { housing: { kind: kind as 'owned', region: '330212', owner: 'self' } }), 'housing')
  t.equal(pts('owned').points, 20)
  t.equal(pts('owned').provisional, true)
  t.equal(pts('registered_rental').points, 10)
  t.equal(pts('registered_rental').provisional, false)
  t.equal(pts('none').points, 0)
  t.same(byId(run(tbl), 'housing').value, { raw: 'none', label: '无住房' }, 'no housing at all reads as none')
  throwsWhere(
    t,
    () =>
      compileTable(
        housing([
          { values: ['dormitory', 'owned'], points: 10 },
          { values: ['owned'], points: 20 },
        ]),
      ),
    (e: unknown) =>
      e instanceof TableCompileError &&
      e.path === 'items[0].categories[1]' &&
      /two categories/.test(e.message) &&
      // the policy officer's words: Chinese through and through, with the same path
      e.zh === 'items[0].categories[1]：“owned”出现在两个类别中；类别互斥',
    'a value in two categories is a compile error',
  )
  throwsWhere(
    t,
    () => compileTable(housing([{ values: ['castle'], points: 10 }])),
    (e: unknown) =>
      e instanceof TableCompileError &&
      e.path === 'items[0].categories[0]' &&
      e.zh === 'items[0].categories[0]：housing.kind 没有取值“castle”',
    'an unknown category value is a compile error',
  )
  throwsWhere(
    t,
    () =>
      compileTable(
        table([item('c', { kind: 'category', fact: 'age', categories: [{ values: ['x'], points: 1 }] })]),
      ),
    (e: unknown) => e instanceof TableCompileError && e.path === 'items[0].fact',
    'a category item needs an enum fact',
  )
})

t.test('item `when`', async (t) => {
  const tbl = table([
    item('residence', {
      kind: 'per_unit',
      when: { fact: 'residence.inZhejiang', eq: true },
      terms: [{ fact: 'residence.months', points: 0.25 }],
    }),
  ])
  // 37 months in Yinzhou: 0.25 × 37 = 9.25
  t.equal(byId(run(tbl, residentFor('2023-03-30')), 'residence').points, 9.25)
  // 37 months in Shanghai: not in Zhejiang → 0
  const sh = byId(run(tbl, { residence: { registeredSince: '2023-03-30', region: '310101' } }), 'residence')
  t.equal(sh.points, 0)
  t.equal(sh.pointsBeforeCap, 0)
  t.match(sh.detail, /^不计分/)
})

t.test('layer caps', async (t) => {
  const tbl = table(
    [
      item('x', { kind: 'binary', when: { fact: 'city.shortageOccupation', eq: true }, points: 8 }),
      item('y', {
        kind: 'binary',
        when: { fact: 'city.shortageOccupation', eq: true },
        points: 7,
        layer: 'b',
      }),
      item('z', {
        kind: 'binary',
        when: { fact: 'city.shortageOccupation', eq: true },
        points: 6,
        layer: 'b',
      }),
    ],
    {
      layers: [
        { id: 'a', label: 'A', cap: 100 },
        { id: 'b', label: 'B', cap: 10 },
      ],
    },
  )
  const r = run(tbl, { cityItems: { shortageOccupation: true } })
  // layer a: 8; layer b: 7 + 6 = 13 → cap 10; total 8 + 10 = 18
  t.same(
    r.layers.map((l) => [l.id, l.pointsBeforeCap, l.points, l.cap]),
    [
      ['a', 8, 8, 100],
      ['b', 13, 10, 10],
    ],
  )
  t.equal(r.total, 18)
})

t.test('deductions and freezes', async (t) => {
  const tbl = table(
    [item('x', { kind: 'binary', when: { fact: 'city.shortageOccupation', eq: true }, points: 15 })],
    {
      deductions: [
        {
          id: 'dishonesty',
          label: '违法失信',
          record: 'dishonesty',
          points: 10,
          freezeMonths: 12,
          ref: 'd',
          provisional: true,
        },
        { id: 'crime', label: '违法犯罪', record: 'crime', points: 30, freezeMonths: 36, ref: 'c' },
      ],
    },
  )
  const a = (records: { kind: 'dishonesty' | 'crime' | 'veto'; date: string }[]) => ({
    cityItems: { shortageOccupation: true },
    records,
  })
  t.test('frozen through the last day of the freeze', async (t) => {
    // record 2025-05-01 + 12 months → last frozen day 2026-04-30 = as-of date
    const r = run(tbl, a([{ kind: 'dishonesty', date: '2025-05-01' }]), '2026-04-30')
    t.equal(r.total, 5, '15 − 10 = 5')
    t.equal(r.frozenUntil, '2026-04-30')
    const gate = r.gates.find((g) => g.id === 'not_frozen')!
    t.equal(gate.passed, false)
    t.equal(r.eligible, false)
    t.same(
      r.deductions.map((d) => [d.id, d.recordDate, d.points, d.frozenUntil]),
      [['dishonesty', '2025-05-01', 10, '2026-04-30']],
    )
    t.ok(r.provisionalRows.includes('dishonesty'), 'a provisional deduction is reported')
  })
  t.test('a freeze that ended the day before the as-of date', async (t) => {
    const r = run(tbl, a([{ kind: 'dishonesty', date: '2025-05-01' }]), '2026-05-01')
    t.equal(r.frozenUntil, null)
    t.equal(r.gates.find((g) => g.id === 'not_frozen')!.passed, true)
    t.equal(r.eligible, true)
    t.equal(r.deductions.length, 1, 'the deduction itself remains')
    t.equal(r.total, 5)
  })
  t.test('several records: deductions add, the longest freeze wins', async (t) => {
    // dishonesty 2025-01-10 (frozen to 2026-01-09), crime 2024-01-01 (36 months → frozen to 2026-12-31)
    const r = run(
      tbl,
      a([
        { kind: 'dishonesty', date: '2025-01-10' },
        { kind: 'crime', date: '2024-01-01' },
        { kind: 'crime', date: '2026-05-01' },
      ]),
    )
    // 15 − 10 − 30 = −25 (the 2026-05-01 record is after the as-of date)
    t.equal(r.total, -25)
    t.equal(r.frozenUntil, '2026-12-31')
    t.equal(r.deductions.length, 2)
  })
  t.test('no records: no freeze, gate passes', async (t) => {
    const r = run(tbl, a([]))
    t.equal(r.total, 15)
    t.equal(r.frozenUntil, null)
    t.equal(r.gates.find((g) => g.id === 'not_frozen')!.passed, true)
  })
  t.test('no not_frozen gate when no deduction freezes', async (t) => {
    const plain = table([], {
      deductions: [{ id: 'dishonesty', label: 'd', record: 'dishonesty', points: 10, ref: 'd' }],
    })
    const r = run(plain, { records: [{ kind: 'dishonesty', date: '2026-01-01' }] })
    t.equal(
      r.gates.some((g) => g.id === 'not_frozen'),
      false,
    )
    t.equal(r.total, -10)
  })
})

t.test('one-vote vetoes', async (t) => {
  const tbl = table(
    [item('x', { kind: 'binary', when: { fact: 'city.shortageOccupation', eq: true }, points: 10 })],
    {
      vetoes: [{ id: 'veto', label: '一票否决', record: 'veto', ref: 'v', provisional: true }],
    },
  )
  const hit = run(tbl, {
    cityItems: { shortageOccupation: true },
    records: [{ kind: 'veto', date: '2025-01-01' }],
  })
  t.equal(hit.eligible, false)
  t.equal(hit.gates.find((g) => g.id === 'veto')!.passed, false)
  t.equal(hit.total, 10, 'a veto is not a deduction')
  t.ok(hit.provisionalRows.includes('veto'))
  const later = run(tbl, {
    cityItems: { shortageOccupation: true },
    records: [{ kind: 'veto', date: '2026-05-01' }],
  })
  t.equal(later.eligible, true, 'a record after the as-of date does not count')
})

t.test('gates evaluated as of named dates', async (t) => {
  const gated = (dates: Rec) =>
    table([], {
      dates,
      gates: [
        {
          id: 'insured_year',
          label: '连续参保满一年',
          ref: 'g',
          when: { fact: 'insurance.ningbo.currentRunMonths', gte: 12, at: 'check' },
        },
      ],
    })
  // from 2025-05: at 2026-04-30 the run is 2025-05 … 2026-04 = 12; from 2025-06 it is 11
  const may = { socialInsurance: [{ from: '2025-05', to: null, region: '330212' }] }
  const june = { socialInsurance: [{ from: '2025-06', to: null, region: '330212' }] }
  t.test('month/day in the as-of year', async (t) => {
    const tbl = gated({ check: { month: 4, day: 30 } })
    // as of 2026-06-15 the June applicant has 2025-06 … 2026-06 = 13 months, but the gate looks at 2026-04-30
    t.equal(run(tbl, may, '2026-06-15').gates[0].passed, true)
    t.equal(run(tbl, june, '2026-06-15').gates[0].passed, false)
    t.equal(run(tbl, june, '2026-06-15').eligible, false)
    t.equal(
      run(tbl, june, '2026-06-15').gates[0].at,
      '2026-04-30',
      'the gate reports the date it was read at',
    )
  })
  t.test('a fixed date', async (t) => {
    const tbl = gated({ check: { date: '2026-04-30' } })
    t.equal(run(tbl, may, '2027-01-01').gates[0].passed, true)
    t.equal(run(tbl, june, '2027-01-01').gates[0].passed, false)
  })
  t.test('a date the caller supplies', async (t) => {
    const tbl = gated({ check: { context: 'enrolmentOpens' } })
    const ctx = { dates: { enrolmentOpens: '2026-04-30' } }
    t.equal(run(tbl, may, '2026-09-01', ctx).gates[0].passed, true)
    t.equal(run(tbl, june, '2026-09-01', ctx).gates[0].passed, false)
    throwsWhere(
      t,
      () => run(tbl, may, '2026-09-01'),
      (e: unknown) => e instanceof EvaluationError && e.path === 'dates.enrolmentOpens',
      'a missing context date is the caller’s error',
    )
  })
  t.test('29 February in a common year is read as the 28th', async (t) => {
    const tbl = gated({ check: { month: 2, day: 29 } })
    // from 2025-03: at 2026-02-28 the run is 2025-03 … 2026-02 = 12; on 2026-03-01 it would be 13
    const march = { socialInsurance: [{ from: '2025-03', to: null, region: '330212' }] }
    const exactly = table([], {
      dates: { check: { month: 2, day: 29 } },
      gates: [
        {
          id: 'g',
          label: 'g',
          ref: 'g',
          when: { fact: 'insurance.ningbo.currentRunMonths', eq: 12, at: 'check' },
        },
      ],
    })
    t.equal(run(exactly, march, '2026-06-01').gates[0].passed, true)
    t.equal(run(tbl, march, '2026-06-01').gates[0].passed, true)
  })
  t.test('an unknown named date is a compile error', async (t) => {
    const tbl = table([], {
      gates: [{ id: 'g', label: 'g', ref: 'g', when: { fact: 'age', gte: 18, at: 'nowhere' } }],
    })
    throwsWhere(
      t,
      () => compileTable(tbl),
      (e: unknown) => e instanceof TableCompileError && e.path === 'gates[0].when',
    )
  })
})

t.test('compile errors name the path', async (t) => {
  const err = (tbl: Table, path: string, re: RegExp, what: string) =>
    throwsWhere(
      t,
      () => compileTable(tbl),
      (e: unknown) => e instanceof TableCompileError && e.path === path && re.test(e.message),
      what,
    )
  err(
    table([item('x', { kind: 'per_unit', terms: [{ fact: 'insurance.mars.months', points: 1 }] })]),
    'items[0].terms[0].fact',
    /unknown fact "insurance\.mars\.months"/,
    'unknown fact in a term',
  )
  err(
    table([
      item('x', {
        kind: 'tiers',
        tiers: [{ label: 'l', when: { fact: 'education', eq: 'phd' }, points: 1 }],
      }),
    ]),
    'items[0].tiers[0].when.eq',
    /phd/,
    'unknown enum value',
  )
  err(
    table([item('x', { kind: 'binary', when: { fact: 'permit.valid', eq: 1 }, points: 1 })]),
    'items[0].when.eq',
    /true or false/,
    'a number compared with a yes/no fact',
  )
  err(
    table([item('x', { kind: 'binary', when: { fact: 'age', gte: 18 }, points: 1, layer: 'nowhere' })]),
    'items[0].layer',
    /unknown layer "nowhere"/,
    'unknown layer',
  )
  err(
    table([item('x', { kind: 'binary', when: { fact: 'age', gte: 18 }, points: 5, cap: 10 })]),
    'items[0].cap',
    /cannot be reached/,
    'binary item cap above its points',
  )
  err(
    table([
      item('x', {
        kind: 'tiers',
        cap: 10,
        tiers: [
          { label: 'a', when: { fact: 'age', gte: 18 }, points: 5 },
          { label: 'b', when: { fact: 'age', gte: 30 }, points: 8 },
        ],
      }),
    ]),
    'items[0].cap',
    /at most 8/,
    'tiers cap above the highest tier',
  )
  err(
    table([
      item('x', {
        kind: 'bands',
        fact: 'age',
        cap: 20,
        bands: [{ from: 41, to: 54, points: 19, perUnit: -1 }],
      }),
    ]),
    'items[0].cap',
    /at most 19/,
    'bands cap above the highest band value',
  )
  err(
    table([
      item('x', { kind: 'binary', when: { fact: 'age', gte: 18 }, points: 1 }),
      item('x', { kind: 'binary', when: { fact: 'age', gte: 18 }, points: 1 }),
    ]),
    'items.x',
    /duplicate id/,
    'duplicate item id',
  )
  err(
    table([item('x', { kind: 'binary', when: { anyMember: { fact: 'age', gte: 18 } }, points: 1 })]),
    'items[0].when',
    /household/,
    'anyMember in a person table',
  )
})

t.test('a layer cap its items cannot reach is a warning', async (t) => {
  const c = compileTable(
    table([item('x', { kind: 'binary', when: { fact: 'age', gte: 18 }, points: 5, cap: 5 })], {
      layers: [{ id: 'a', label: 'A', cap: 50 }],
    }),
  )
  t.same(
    c.warnings.map((w) => w.path),
    ['layers[0].cap'],
  )
  t.match(c.warnings[0].message, /at most 5/)
})

t.test('provisional rows are reported', async (t) => {
  const tbl = table(
    [
      item('p_used', {
        kind: 'binary',
        when: { fact: 'city.shortageOccupation', eq: true },
        points: 5,
        provisional: true,
      }),
      item('p_zero', {
        kind: 'binary',
        when: { fact: 'city.bloodDonations', gte: 1 },
        points: 5,
        provisional: true,
      }),
      item('v_used', { kind: 'binary', when: { fact: 'city.shortageOccupation', eq: true }, points: 5 }),
      item('step', {
        kind: 'per_unit',
        terms: [{ fact: 'residence.months', points: 0.25 }],
        steps: {
          mode: 'highest',
          fact: 'residence.months',
          at: [{ atLeast: 12, bonus: 1, provisional: true }],
        },
      }),
    ],
    { gates: [{ id: 'pg', label: 'pg', ref: 'g', when: { fact: 'age', gte: 18 }, provisional: true }] },
  )
  const r = run(tbl, { cityItems: { shortageOccupation: true }, ...residentFor('2023-03-30') })
  t.equal(r.provisional, true)
  t.same([...r.provisionalRows].sort(), ['p_used', 'pg', 'step'])
  t.equal(byId(r, 'p_zero').provisional, true, 'the row still says it is provisional')
  const plain = run(table([item('v', { kind: 'binary', when: { fact: 'age', gte: 18 }, points: 5 })]))
  t.equal(plain.provisional, false)
  t.same(plain.provisionalRows, [])
})

t.test('result identity', async (t) => {
  const tbl = table([item('x', { kind: 'binary', when: { fact: 'age', gte: 18 }, points: 5 })])
  const c = compileTable(tbl)
  const r = c.evaluatePoints(applicant(), { asOf: '2026-04-30' })
  t.equal(r.jurisdiction, '330212', 'defaults to the table jurisdiction')
  t.equal(r.asOf, '2026-04-30')
  t.match(r.ruleset, {
    id: 'test-table',
    version: 1,
    sha256: c.sha256,
    scheme: 'points',
    jurisdiction: '330212',
    validFrom: '2020-01-01',
    validTo: null,
  })
  t.match(r.factsSha256, /^[0-9a-f]{64}$/)
  t.equal(
    c.evaluatePoints(applicant(), { asOf: '2026-04-30', jurisdiction: '330203' }).jurisdiction,
    '330203',
  )
})

t.test('engine: pro-rated points on fractional facts are exact', async (t) => {
  const tbl = table([
    item('w', {
      kind: 'per_unit',
      rounding: 'prorated',
      terms: [{ fact: 'city.publicWelfareHours', points: 1 }],
    }),
  ])
  // 1.13 h × 1 point = 1.13
  t.equal(byId(run(tbl, { cityItems: { publicWelfareHours: 1.13 } }), 'w').points, 1.13)
  // 1.13 h × 1 point per 20 h = 0.0565
  const per20 = table([
    item('w', {
      kind: 'per_unit',
      rounding: 'prorated',
      terms: [{ fact: 'city.publicWelfareHours', points: 1, per: 20 }],
    }),
  ])
  t.equal(byId(run(per20, { cityItems: { publicWelfareHours: 1.13 } }), 'w').points, 0.0565)
})

t.test('engine: whole blocks of a fractional `per` are exact', async (t) => {
  const tbl = table([
    item('w', { kind: 'per_unit', terms: [{ fact: 'city.publicWelfareHours', points: 1, per: 0.2 }] }),
  ])
  // 0.6 h / 0.2 = 3 whole blocks × 1 = 3
  t.equal(byId(run(tbl, { cityItems: { publicWelfareHours: 0.6 } }), 'w').points, 3)
})

t.test('rendered text survives serialisation, schema parsing and spread', async (t) => {
  const tbl = table(
    [item('blood', { kind: 'per_unit', cap: 10, terms: [{ fact: 'city.bloodDonations', points: 2 }] })],
    { gates: [{ id: 'g', label: 'g', ref: 'g', when: { fact: 'city.bloodDonations', gte: 1 } }] },
  )
  const r = run(tbl, { cityItems: { bloodDonations: 3 } })
  // 3 donations × 2 = 6 points: the detail says so, in JSON as well as when read
  const json = JSON.parse(JSON.stringify(r))
  t.match(json.items[0].detail, /无偿献血次数 3 × 2 = 6/)
  t.match(json.gates[0].reason, /^符合条件：无偿献血次数：3 次（要求不少于 1 次，符合）$/)
  const parsed = PointsResultSchema.parse(r)
  t.equal(parsed.items[0].detail, json.items[0].detail)
  t.equal(parsed.gates[0].reason, json.gates[0].reason)
  t.equal({ ...r.items[0] }.detail, json.items[0].detail, 'a spread copy keeps the detail: it is a field')
  t.equal(structuredClone(r).gates[0].reason, json.gates[0].reason)
})
