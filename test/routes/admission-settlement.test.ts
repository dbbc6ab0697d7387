// Points-settlement quota rounds through the routes (kind: settlement): one applicant per row, threshold, gates, quota.
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import type { Table } from '../../schema/table.ts'
import { authHeaders, build, json, shippedTables } from '../helper.ts'

// A 2026 Jiangbei points settlement for these tests: Jiangbei 2020's (policy.md §4: threshold, yearly quota, ranked by
// points; gates valid permit, age 18–60, insured in Ningbo this month, no crime record) on the 2022 scale, with
// threshold 100 and a yearly quota of 3. The shipped Jiangbei settlement tables are of 2020, on the old scale.
function testTable(): Table {
  const base = shippedTables().find((x) => x.id === 'jiangbei-settlement-2020-09')
  if (base?.pointsSettlement == null) throw new Error('jiangbei-settlement-2020-09 has no points settlement')
  return {
    ...base,
    id: 'test-jiangbei-settlement-2026',
    version: 1,
    validFrom: '2026-01-01',
    validTo: null,
    provisional: false,
    pointsSettlement: {
      ...base.pointsSettlement,
      threshold: 100,
      yearlyQuota: 3,
      pointsTable: 'jiangbei-points-2022',
    },
  }
}

// The applicant, scored under jiangbei-points-2022 on 2026-04-30 (the city table's items; Jiangbei's district layer is
// empty, 0 points):
//   age: born 1990 → 35 or 36 (≤ 40) → 20; education: bachelor → 10
//   social insurance ongoing from 2020-05: 72 months × 0.5 = 36 → cap 30; from 2022-05: 48 × 0.5 = 24;
//     from 2023-05: 36 × 0.5 = 18
//   residence: registered 2015-04-30 → 132 full months × 0.25 = 33 → cap 30
//   city: labour contract in Jiangbei since 2020-05-01 → 10; registered rental → 10
//   total: 20 + 10 + 30 + 30 + 20 = 110 (from 2020-05); 104 (from 2022-05); 98 (from 2023-05)
// Permit issued 2015-05-10, endorsed every 1 May 2016 … 2025 → valid to 2026-05-09: valid on 2026-04-30.
let born = 0
function applicant(insuranceFrom: string, o: { endorsedTo?: number } = {}) {
  const d = new Date(Date.UTC(1990, 0, 1 + born++))
  return {
    birthDate: d.toISOString().slice(0, 10),
    education: 'bachelor',
    socialInsurance: [{ from: insuranceFrom, to: null, region: '330205' }],
    residence: {
      registeredSince: '2015-04-30',
      region: '330205',
      permit: {
        issuedOn: '2015-05-10',
        endorsements: Array.from({ length: (o.endorsedTo ?? 2025) - 2015 }, (_, i) => `${2016 + i}-05-01`),
      },
    },
    employment: [{ kind: 'labour_contract', from: '2020-05-01', to: null, region: '330205' }],
    housing: { kind: 'registered_rental', region: '330205', owner: null },
  }
}

function roundBody(o: Record<string, unknown> = {}) {
  return {
    kind: 'settlement',
    district: '330205',
    intakeYear: 2026,
    asOf: '2026-04-30',
    window: { opens: '2026-05-01T09:00:00+08:00', closes: '2026-05-31T17:00:00+08:00' },
    units: [{ id: 'quota', name: '江北区积分落户 2026 年度名额', seats: 2 }],
    lotterySeed: 'jb-2026',
    ...o,
  }
}

async function app(tt: Parameters<typeof build>[0]): Promise<FastifyInstance> {
  return build(tt, { seedTables: () => [...shippedTables(), testTable()] })
}

t.test('a settlement quota round: below the threshold, a failed gate, the quota exhausted', async (tt) => {
  const a = await app(tt)
  const auth = await authHeaders(a, ['education'])
  const created = await a.inject({
    method: 'POST',
    url: '/v1/admission/rounds',
    headers: auth,
    payload: roundBody(),
  })
  tt.equal(created.statusCode, 201, created.body)
  const round = json(created)
  tt.equal(round.kind, 'settlement')
  tt.equal(round.grade, undefined)
  // Seats 2 (≤ the quota of 3). Threshold 100, ranked by points, insurance months, residence months, application time:
  //   S-A 110 (insured from 2020-05)                              → rank 1, placed
  //   S-B 104 (2022-05), applied 2026-05-02                        → rank 2, placed (ties S-E on points 104, insurance
  //       48 months and residence 132 months; applied a day earlier)
  //   S-E 104 (2022-05), applied 2026-05-03                        → rank 3: the quota is used up → quota_exhausted
  //   S-C  98 (2023-05): 98 < 100                                  → gate below_threshold
  //   S-D 110, permit endorsed only to 2024 → valid to 2025-05-09 → gate permit_valid fails on 2026-04-30
  const rows = [
    { applicationRef: 'S-A', applicant: applicant('2020-05'), appliedAt: '2026-05-02T09:00:00+08:00' },
    { applicationRef: 'S-B', applicant: applicant('2022-05'), appliedAt: '2026-05-02T09:00:00+08:00' },
    { applicationRef: 'S-E', applicant: applicant('2022-05'), appliedAt: '2026-05-03T09:00:00+08:00' },
    { applicationRef: 'S-C', applicant: applicant('2023-05'), appliedAt: '2026-05-02T09:00:00+08:00' },
    {
      applicationRef: 'S-D',
      applicant: applicant('2020-05', { endorsedTo: 2024 }),
      appliedAt: '2026-05-02T09:00:00+08:00',
    },
  ]
  const url = `/v1/admission/rounds/${round.id}`
  const stored = await a.inject({
    method: 'POST',
    url: `${url}/applications`,
    headers: auth,
    payload: { applications: rows },
  })
  tt.equal(stored.statusCode, 201, stored.body)
  tt.match(json(stored), { stored: 5, eligible: 3, ineligible: 2 })
  const one = json(await a.inject({ method: 'GET', url: `${url}/applications/S-C`, headers: auth }))
  tt.equal(one.evaluation.scheme, 'settlement')
  tt.equal(one.evaluation.pointsSettlement.points, 98)
  tt.same(one.preferences, ['quota'])
  await a.inject({ method: 'POST', url: `${url}/close`, headers: auth })
  const allocated = await a.inject({ method: 'POST', url: `${url}/allocate`, headers: auth })
  tt.equal(allocated.statusCode, 201, allocated.body)
  const v = json(allocated)
  tt.equal(v.result.cutoffScope, 'quota')
  // biome-ignore lint/suspicious/noExplicitAny: outcomes read loosely
  const of = (ref: string) => v.result.applications.find((x: any) => x.ref === ref)
  tt.same(
    ['S-A', 'S-B', 'S-E'].map((ref) => [ref, of(ref).rank, of(ref).outcome]),
    [
      ['S-A', 1, 'placed'],
      ['S-B', 2, 'placed'],
      ['S-E', 3, 'quota_exhausted'],
    ],
  )
  tt.equal(of('S-C').outcome, 'gate_failed')
  tt.same(of('S-C').gate, {
    id: 'below_threshold',
    label: '积分达到门槛 100',
    reason: '积分 98，门槛 100：未达到',
  })
  tt.equal(of('S-D').outcome, 'gate_failed')
  tt.equal(of('S-D').gate.id, 'permit_valid')
  // the cut-off: S-B, 104 points = 1040000 in 1/10,000
  tt.match(v.result.units[0], {
    seats: 2,
    placed: 2,
    seatsLeft: 0,
    cutoff: { ref: 'S-B', points: 1_040_000 },
  })
  tt.ok(v.rulesets.some((r: { id: string }) => r.id === 'test-jiangbei-settlement-2026@1'))
  tt.ok(v.rulesets.some((r: { id: string }) => r.id === 'jiangbei-points-2022@1'))
  // replay, publication
  const replay = await a.inject({ method: 'POST', url: `${url}/results/1/replay`, headers: auth })
  tt.equal(json(replay).identical, true)
  const pub = await a.inject({ method: 'POST', url: `${url}/publish`, headers: auth, payload: {} })
  tt.equal(pub.statusCode, 200, pub.body)
  const list = json(await a.inject({ method: 'GET', url: `${url}/results/publication` }))
  tt.equal(list.kind, 'settlement')
  tt.equal(list.grade, null)
  tt.same(
    // biome-ignore lint/suspicious/noExplicitAny: rows read loosely
    list.rows.map((r: any) => [r.applicationRef, r.outcome, r.points]),
    [
      ['S-A', 'placed', 110],
      ['S-B', 'placed', 104],
      ['S-C', 'gate_failed', 98],
      ['S-D', 'gate_failed', 110],
      ['S-E', 'quota_exhausted', 104],
    ],
  )
})

t.test('a settlement round refuses what is not a quota round', async (tt) => {
  const a = await app(tt)
  const auth = await authHeaders(a, ['education'])
  const post = (o: Record<string, unknown>) =>
    a.inject({ method: 'POST', url: '/v1/admission/rounds', headers: auth, payload: roundBody(o) })
  // the table's yearly quota is 3
  const tooMany = await post({ units: [{ id: 'quota', name: '名额', seats: 4 }] })
  tt.equal(tooMany.statusCode, 400)
  tt.match(json(tooMany).errors, [{ path: 'body.units[0].seats' }])
  const twoUnits = await post({
    units: [
      { id: 'q1', name: '名额一', seats: 1 },
      { id: 'q2', name: '名额二', seats: 1 },
    ],
  })
  tt.match(json(twoUnits).errors, [{ path: 'body.units' }])
  const notPointsFirst = await post({ tieBreak: ['insuranceMonths', 'points'] })
  tt.match(json(notPointsFirst).errors, [{ path: 'body.tieBreak' }])
  const withGrade = await post({ grade: 'P1' })
  tt.match(json(withGrade).errors, [{ path: 'body.grade' }])
  // no settlement table with points settlement in force: Yinzhou's settlement table has none
  const yinzhou = await post({ district: '330212' })
  tt.equal(yinzhou.statusCode, 400)
  tt.match(json(yinzhou).errors, [{ path: 'body.district' }])
  // an admission round still needs its grade
  const admission = await post({ kind: 'admission', district: '330212' })
  tt.equal(admission.statusCode, 400)
  tt.match(json(admission).errors, [{ path: 'body.grade' }, { path: 'body.permitCheckDate' }])
  // a household row in a settlement round is a bad row
  const ok = json(await post({}))
  const bad = await a.inject({
    method: 'POST',
    url: `/v1/admission/rounds/${ok.id}/applications`,
    headers: auth,
    payload: { applications: [{ applicationRef: 'X-1', household: {} }] },
  })
  tt.equal(bad.statusCode, 400)
  tt.match(json(bad).errors[0].message, /(row|第) 0 (行 )?\(applicationRef "X-1"\)/)
})
