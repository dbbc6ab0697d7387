// Points routes: official evaluations (201, stored, numbered), reading, replay, preview with advice.
import t from 'tap'
import { idCheckChar } from '../../schema/id-number.ts'
import { authHeaders, build, json, pointsRequest, postOfficial } from '../helper.ts'

/*
 * The helper's applicant in Yinzhou (330212) as of 2026-04-30, by hand from policy.md §3.1–3.2:
 *   age 38 (born 1988-03-02) ≤ 40                                → 20
 *   education 大专                                                →  8
 *   skill level 3 (高级工)                                        →  8
 *   insurance 2019-03..2026-04 = 7×12 + 2 = 86 months × 0.5 = 43 → capped 30
 *   residence 2019-02-20..2026-04-20 = 86 full months × 0.25      → 21.5
 *   provincial 20 + 8 + 8 + 30 + 21.5                             = 87.5
 *   city: employment ≥ 1 year continuous 10 + registered rental 10 = 20
 *   district (Yinzhou: items unknown, empty patch)                 =  0
 *   total 87.5 + 20 + 0                                            = 107.5
 */
const TOTAL = 107.5

t.test(
  'POST /v1/points/evaluations stores an official record and returns 201 with id, reference and result',
  async (tt) => {
    const app = await build(tt)
    const auth = await authHeaders(app, ['police'])
    const res = await postOfficial(app, auth, pointsRequest())
    tt.equal(res.statusCode, 201)
    const body = json(res)
    tt.match(body.id, /^[0-9a-f-]{36}$/)
    tt.equal(body.reference, 'JF-2026-000001')
    tt.equal(res.headers.location, `/v1/points/evaluations/${body.id}`)
    tt.equal(body.result.total, TOTAL)
    tt.same(
      body.result.layers.map((l: { id: string; points: number }) => [l.id, l.points]),
      [
        ['provincial', 87.5],
        ['city', 20],
        ['district', 0],
      ],
    )
    const item = (id: string) => body.result.items.find((i: { id: string }) => i.id === id)
    tt.equal(item('social_insurance').pointsBeforeCap, 43)
    tt.equal(item('social_insurance').points, 30)
    tt.equal(item('residence').points, 21.5)
    tt.equal(item('age').ref, 'ningbo-points-notice', 'each item carries its legal reference')
    tt.equal(
      body.result.references['ningbo-points-notice'].documentNumber,
      '甬政办发〔2022〕10号',
      'resolved',
    )
    tt.equal(body.rulesetId, 'yinzhou-points-2022@1')
    tt.equal(body.result.ruleset.id, 'yinzhou-points-2022')
    tt.match(body.result.ruleset.sha256, /^[0-9a-f]{64}$/)
    tt.match(body.result.factsSha256, /^[0-9a-f]{64}$/)
    tt.equal(body.result.asOf, '2026-04-30')
    tt.equal(body.result.jurisdiction, '330212')
    tt.equal(body.createdAt, '2026-05-15T02:00:00.000Z')
  },
)

t.test('reference numbers are sequential within the year', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['police'])
  const refs: string[] = []
  for (let i = 0; i < 3; i++) {
    refs.push(json(await postOfficial(app, auth, pointsRequest())).reference)
  }
  tt.same(refs, ['JF-2026-000001', 'JF-2026-000002', 'JF-2026-000003'])
})

t.test(
  'GET /v1/points/evaluations/:id reads the record back; the ID number is stored masked only',
  async (tt) => {
    const app = await build(tt)
    const auth = await authHeaders(app, ['police'])
    const first17 = '33021219880302123'
    const id = first17 + idCheckChar(first17)
    const created = json(await postOfficial(app, auth, pointsRequest({}, { idNumber: id })))
    const res = await app.inject({
      headers: auth,
      method: 'GET',
      url: `/v1/points/evaluations/${created.id}`,
    })
    tt.equal(res.statusCode, 200)
    const body = json(res)
    tt.same(body, created)
    tt.equal(body.idNumberMasked, `330212***********${id[17]}`)
    tt.notOk(res.body.includes(id), 'the full ID number never comes back')
  },
)

t.test('GET an unknown evaluation is a 404 naming the id; a malformed id is a 400', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['police'])
  const missing = await app.inject({
    headers: auth,
    method: 'GET',
    url: '/v1/points/evaluations/0b6f3c1e-6a7d-4f7e-9d1c-2a5b8e4f7c3d',
  })
  tt.equal(missing.statusCode, 404)
  tt.equal(json(missing).code, 'JIFEN_ERR_NOT_FOUND')
  tt.same(
    json(missing).errors.map((e: { path: string }) => e.path),
    ['params.id'],
  )
  const bad = await app.inject({ headers: auth, method: 'GET', url: '/v1/points/evaluations/not-a-uuid' })
  tt.equal(bad.statusCode, 400)
  tt.same(
    json(bad).errors.map((e: { path: string }) => e.path),
    ['params.id'],
  )
  const replayMissing = await app.inject({
    headers: auth,
    method: 'POST',
    url: '/v1/points/evaluations/0b6f3c1e-6a7d-4f7e-9d1c-2a5b8e4f7c3d/replay',
  })
  tt.equal(replayMissing.statusCode, 404)
})

t.test('POST …/replay recomputes with the stored table and facts and reports identical', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['police'])
  const created = json(await postOfficial(app, auth, pointsRequest()))
  const res = await app.inject({
    headers: auth,
    method: 'POST',
    url: `/v1/points/evaluations/${created.id}/replay`,
  })
  tt.equal(res.statusCode, 200)
  const body = json(res)
  tt.equal(body.identical, true)
  tt.same(body.differences, [])
  tt.equal(body.reference, created.reference)
  tt.same(body.replayed, created.result)
})

t.test('POST /v1/points/preview computes without storing and adds advice', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['police'])
  const res = await app.inject({
    headers: auth,
    method: 'POST',
    url: '/v1/points/preview',
    payload: pointsRequest(),
  })
  tt.equal(res.statusCode, 200)
  const body = json(res)
  tt.equal(body.result.total, TOTAL)
  const gains = Object.fromEntries(
    body.advice.map((a: { item: string; fact: string | null; gain: number }) => [
      `${a.item}:${a.fact ?? '-'}`,
      a.gain,
    ]),
  )
  /*
   * The changes this applicant can act on, by hand from policy.md (test/scoring/advice.test.ts has the
   * whole list and its order):
   *   shortage occupation 10; tax tier 5; invention patent 5; honours 5; donor registration 5 (all P)
   *   education 大专 8 → 本科 10 and skill 三级 8 → 二级 10          → +2 each
   *   utility patent 2, blood donation 2, insured employee 1, 20 volunteer hours 1 (P)
   *   residence: one more full month × 0.25                 → +0.25 (21.5 < cap 30)
   *   social insurance: already at its cap 30               → no advice
   */
  tt.same(gains, {
    'shortage_occupation:-': 10,
    'investment_tax:-': 5,
    'inventions:city.inventionPatents': 5,
    'honours:-': 5,
    'organ_donation:-': 5,
    'education:-': 2,
    'vocational_skills:-': 2,
    'inventions:city.utilityPatents': 2,
    'blood_donation:city.bloodDonations': 2,
    'job_creation:city.insuredEmployeesHired': 1,
    'public_welfare:city.publicWelfareHours': 1,
    'residence:residence.months': 0.25,
  })
  tt.same(
    body.advice.map((a: { gain: number }) => a.gain),
    [10, 5, 5, 5, 5, 2, 2, 2, 2, 1, 1, 0.25],
    'highest gain first',
  )
  tt.equal(body.advice.find((a: { item: string }) => a.item === 'public_welfare').more, 20)
  const education = body.advice.find((a: { kind: string }) => a.kind === 'education')
  tt.same(
    [education.action, education.change, education.ref, education.provisional],
    [
      '学历提升至大学本科',
      { set: 'education', value: 'bachelor' },
      // the legal basis in words, from the table's references
      '关于实施流动人口量化积分管理的通知（甬政办发〔2022〕10号）',
      false,
    ],
  )
  tt.equal(body.projection, null, 'no target, no projection')
  // nothing was stored: the first official record is still the year's first
  const official = json(await postOfficial(app, auth, pointsRequest()))
  tt.equal(official.reference, 'JF-2026-000001')
})

t.test(
  'advice respects the item cap: 9 blood donations (18 of 10) gives no blood-donation advice',
  async (tt) => {
    const app = await build(tt)
    const auth = await authHeaders(app, ['police'])
    const res = await app.inject({
      headers: auth,
      method: 'POST',
      url: '/v1/points/preview',
      payload: pointsRequest({}, { cityItems: { bloodDonations: 4 } }),
    })
    const body = json(res)
    // 4 donations × 2 = 8 of 10: one more gives 10, so +2; a fifth more would give nothing
    tt.equal(body.advice.find((a: { item: string }) => a.item === 'blood_donation').gain, 2)
    const capped = json(
      await app.inject({
        headers: auth,
        method: 'POST',
        url: '/v1/points/preview',
        payload: pointsRequest({}, { cityItems: { bloodDonations: 5 } }),
      }),
    )
    tt.notOk(
      capped.advice.some((a: { item: string }) => a.item === 'blood_donation'),
      '5 × 2 = 10 = cap: no advice',
    )
  },
)

t.test('a deduction and freeze show in the stored result', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['police'])
  // a dishonesty record on 2026-01-10: −10 (policy.md §3.2, P), frozen 1 year: until 2027-01-09 inclusive
  const res = await postOfficial(
    app,
    auth,
    pointsRequest({}, { records: [{ kind: 'dishonesty', date: '2026-01-10' }] }),
  )
  const body = json(res)
  tt.equal(body.result.total, TOTAL - 10)
  tt.equal(body.result.frozenUntil, '2027-01-09')
  tt.equal(body.result.eligible, false)
})

t.test('POST /v1/points/preview with a target returns the projection to it', async (tt) => {
  const app = await build(tt)
  const preview = (target: unknown) =>
    app.inject({ method: 'POST', url: '/v1/points/preview', payload: { ...pointsRequest(), target } })
  /*
   * 107.5 on 2026-04-30; only residence grows (+0.25 on each 20th): 109 on 2026-10-20, the 92nd month
   * (test/scoring/projection.test.ts). The default window: 37 dates, 2026-04-30 … 2029-04-30.
   */
  const res = await preview({ points: 109 })
  tt.equal(res.statusCode, 200)
  const p = json(res).projection
  tt.equal(p.from, '2026-04-30')
  tt.equal(p.to, '2029-04-30')
  tt.equal(p.points.length, 37)
  tt.same(p.points[1], { date: '2026-05-31', total: 107.75, eligible: true })
  tt.same(p.target, {
    points: 109,
    by: null,
    reachedOn: '2026-10-20',
    eligibleThen: true,
    short: null,
    never: false,
    reason: null,
  })
  // by 2026-09-30: 91 months, 108.75, 0.25 short
  const by = json(await preview({ points: 109, by: '2026-09-30' })).projection
  tt.equal(by.to, '2026-09-30')
  tt.equal(by.points.length, 6)
  tt.same([by.target.reachedOn, by.target.short, by.target.never], [null, 0.25, false])
  tt.equal(by.target.reason, '至 2026-09-30 仍未达到，还差 0.25 分；居住时间仍在增加')
})

t.test('a projection date must lie after asOf and within 120 months of it', async (tt) => {
  const app = await build(tt)
  for (const by of ['2026-04-30', '2026-01-01', '2036-05-01']) {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/points/preview',
      payload: { ...pointsRequest(), target: { points: 109, by } },
    })
    tt.equal(res.statusCode, 400, by)
    tt.equal(json(res).code, 'JIFEN_ERR_VALIDATION')
    tt.same(
      json(res).errors.map((e: { path: string }) => e.path),
      ['body.target.by'],
    )
  }
  const last = await app.inject({
    method: 'POST',
    url: '/v1/points/preview',
    payload: { ...pointsRequest(), target: { points: 109, by: '2036-04-30' } },
  })
  tt.equal(last.statusCode, 200, '120 months after 2026-04-30 is allowed')
  tt.equal(json(last).projection.points.length, 121)
  const typo = await app.inject({
    method: 'POST',
    url: '/v1/points/preview',
    payload: { ...pointsRequest(), target: { point: 109 } },
  })
  tt.equal(typo.statusCode, 400, 'a misspelt member is refused, not ignored')
})
