// Rows marked provisional with a reason (`provisional: { reason }`): scoring reads the flag, results carry the reason.
import t from 'tap'
import { ApplicantSchema } from '../../schema/applicant.ts'
import { TableSchema } from '../../schema/table.ts'
import { compileTable } from '../../scoring/compile.ts'
import { contentSha256 } from '../../scoring/hash.ts'
import { evaluatePermit, evaluateSettlement } from '../../scoring/schemes.ts'

const adult = { fact: 'age', gte: 18 }
const always = { fact: 'age', gte: 0 }

const pointsDraft = (overrides: Record<string, unknown> = {}) => ({
  id: 'reason-draft',
  version: 1,
  scheme: 'points',
  jurisdiction: '330299',
  title: '带理由的暂定行',
  validFrom: '2024-01-01',
  ref: 'x',
  layers: [{ id: 'l', label: '市级', cap: 100 }],
  items: [
    {
      id: 'with_reason',
      label: '有理由',
      layer: 'l',
      kind: 'binary',
      ref: 'x',
      when: always,
      points: 10,
      provisional: { reason: '以正式发文为准' },
    },
    {
      id: 'old_mark',
      label: '旧标记',
      layer: 'l',
      kind: 'binary',
      ref: 'x',
      when: always,
      points: 5,
      provisional: true,
    },
    { id: 'plain', label: '确定', layer: 'l', kind: 'binary', ref: 'x', when: always, points: 3 },
  ],
  gates: [
    { id: 'adult', label: '年满 18 周岁', ref: 'x', when: adult, provisional: { reason: '年龄门槛待确认' } },
  ],
  deductions: [
    {
      id: 'dishonest',
      label: '失信',
      ref: 'x',
      record: 'dishonesty',
      points: 4,
      freezeMonths: 6,
      provisional: { reason: '扣分标准待确认' },
    },
  ],
  vetoes: [
    {
      id: 'crime_veto',
      label: '犯罪记录',
      ref: 'x',
      record: 'crime',
      provisional: { reason: '否决范围待确认' },
    },
  ],
  ...overrides,
})

// born 1990-01-01, as of 2026-04-30: 36 years old; one dishonesty record on 2025-01-01 (its 6-month
// freeze ended in 2025, so nothing is frozen on the as-of date)
const applicant = ApplicantSchema.parse({
  birthDate: '1990-01-01',
  records: [{ kind: 'dishonesty', date: '2025-01-01' }],
})
const ctx = { asOf: '2026-04-30' }

t.test(
  'a points draft with reasons: the flag is true, each row carries its reason, `true` rows none',
  async (t) => {
    const table = TableSchema.parse(pointsDraft())
    const r = compileTable(table).evaluatePoints(applicant, ctx)
    // 10 (with_reason) + 5 (old_mark) + 3 (plain) = 18 in layer l (cap 100); one dishonesty record: 18 − 4 = 14
    t.equal(r.total, 14)
    t.equal(r.eligible, true, 'adult (36 ≥ 18), no crime record, freeze over')
    t.equal(r.provisional, true)
    const item = (id: string) => r.items.find((i) => i.id === id)!
    t.equal(item('with_reason').provisional, true)
    t.equal(item('with_reason').provisionalReason, '以正式发文为准')
    t.equal(item('old_mark').provisional, true)
    t.notOk('provisionalReason' in item('old_mark'), 'a row marked true gives no reason: the key is absent')
    t.equal(item('plain').provisional, false)
    t.notOk('provisionalReason' in item('plain'))
    t.same(r.deductions, [
      {
        id: 'dishonest',
        label: '失信',
        recordDate: '2025-01-01',
        points: 4,
        frozenUntil: r.deductions[0].frozenUntil,
        ref: 'x',
        provisional: true,
        provisionalReason: '扣分标准待确认',
      },
    ])
    const gate = (id: string) => r.gates.find((g) => g.id === id)!
    t.equal(gate('adult').provisional, true)
    t.equal(gate('adult').provisionalReason, '年龄门槛待确认')
    t.equal(gate('crime_veto').passed, true)
    t.equal(gate('crime_veto').provisionalReason, '否决范围待确认')
    // the freeze gate cites the freezing deduction row, so it gives that row's reason
    t.equal(gate('not_frozen').provisional, true)
    t.equal(gate('not_frozen').provisionalReason, '扣分标准待确认')
    t.same(r.provisionalRows, ['with_reason', 'old_mark', 'dishonest', 'adult', 'crime_veto', 'not_frozen'])
  },
)

t.test(
  'a reason changes the table hash but not the scores: `true` and `{ reason }` score alike',
  async (t) => {
    const withReason = TableSchema.parse(pointsDraft())
    const allTrue = TableSchema.parse(
      JSON.parse(JSON.stringify(pointsDraft()).replace(/\{"reason":"[^"]*"\}/g, 'true')) as unknown,
    )
    t.not(contentSha256(withReason), contentSha256(allTrue), 'the reason is part of the table content')
    const a = compileTable(withReason).evaluatePoints(applicant, ctx)
    const b = compileTable(allTrue).evaluatePoints(applicant, ctx)
    t.equal(a.total, b.total)
    t.same(a.provisionalRows, b.provisionalRows)
    t.notOk(
      JSON.stringify(b).includes('provisionalReason'),
      'a table of `true` rows gives no reason anywhere',
    )
  },
)

t.test(
  'an item whose own row has no reason gives none, even when a provisional band decided it',
  async (t) => {
    const table = TableSchema.parse(
      pointsDraft({
        items: [
          {
            id: 'age_band',
            label: '年龄',
            layer: 'l',
            kind: 'bands',
            ref: 'x',
            fact: 'age',
            bands: [{ from: 18, to: 60, points: 7, provisional: true }],
          },
        ],
        gates: [],
        deductions: [],
        vetoes: [],
      }),
    )
    const r = compileTable(table).evaluatePoints(ApplicantSchema.parse({ birthDate: '1990-01-01' }), ctx)
    // age 36 falls in the band 18–60: 7 points, flat (perUnit 0)
    t.equal(r.total, 7)
    t.equal(r.items[0].provisional, true)
    t.notOk('provisionalReason' in r.items[0])
  },
)

t.test('settlement routes and permit entitlements carry their reasons', async (t) => {
  const settlement = compileTable(
    TableSchema.parse({
      id: 'reason-settle',
      version: 1,
      scheme: 'settlement',
      jurisdiction: '330299',
      title: '落户',
      validFrom: '2024-01-01',
      ref: 'x',
      routes: [
        {
          id: 'talent',
          label: '人才落户',
          ref: 'x',
          provisional: { reason: '通道条件待发文' },
          gates: [{ id: 'adult', label: '成年', ref: 'x', when: adult }],
        },
        {
          id: 'paused',
          label: '暂停通道',
          ref: 'x',
          unavailable: '本年度暂停',
          provisional: { reason: '暂停期限未定' },
        },
        {
          id: 'kin',
          label: '投靠',
          ref: 'x',
          gates: [{ id: 'adult2', label: '成年', ref: 'x', when: adult }],
        },
      ],
    }),
  )
  const s = evaluateSettlement(settlement, applicant, ctx, { points: null })
  const route = (id: string) => s.routes.find((x) => x.id === id)!
  t.equal(route('talent').passed, true, '36 ≥ 18')
  t.equal(route('talent').provisional, true)
  t.equal(route('talent').provisionalReason, '通道条件待发文')
  t.equal(route('paused').available, false)
  t.equal(route('paused').provisionalReason, '暂停期限未定')
  t.equal(route('kin').provisional, false)
  t.notOk('provisionalReason' in route('kin'))
  t.same(s.provisionalRows, ['talent', 'paused'])

  const permit = compileTable(
    TableSchema.parse({
      id: 'reason-permit',
      version: 1,
      scheme: 'residence-permit',
      jurisdiction: '330299',
      title: '居住证',
      validFrom: '2024-01-01',
      ref: 'x',
      entitlements: [
        {
          id: 'school',
          label: '义务教育',
          ref: 'x',
          kind: 'basic_service',
          provisional: { reason: '待教育局确认' },
        },
      ],
    }),
  )
  const p = evaluatePermit(permit, applicant, ctx)
  t.equal(p.entitlements[0].provisional, true)
  t.equal(p.entitlements[0].provisionalReason, '待教育局确认')
})
