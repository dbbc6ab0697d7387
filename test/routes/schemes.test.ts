// Residence-permit and settlement eligibility routes: gates with reasons, entitlements, routes that pass or fail.
import t from 'tap'
import { authHeaders, build, json, pointsRequest } from '../helper.ts'

type Row = { id: string; passed?: boolean; granted?: boolean; available?: boolean; reason: string }
const byId = (rows: Row[]) => Object.fromEntries(rows.map((r) => [r.id, r]))

t.test(
  'POST /v1/residence-permit/eligibility: the helper applicant meets the gate and holds a valid permit',
  async (tt) => {
    const app = await build(tt)
    const auth = await authHeaders(app, ['police'])
    const res = await app.inject({
      headers: auth,
      method: 'POST',
      url: '/v1/residence-permit/eligibility',
      payload: pointsRequest(),
    })
    tt.equal(res.statusCode, 200)
    const body = json(res)
    /*
     * policy.md §2, as of 2026-04-30: registered in Yinzhou since 2019-02-20 (86 months ≥ 6) and employed in
     * Ningbo → the gate passes. Permit issued 2019-03-01, endorsed every year before its anniversary → valid,
     * unbroken since 2019-03-01, no late endorsement. A valid permit gives the 6 basic services and 7
     * conveniences; ≥ 12 months of Ningbo insurance (86) adds the child medical-insurance entitlement.
     */
    tt.equal(body.eligible, true)
    tt.ok(body.gates.every((g: Row) => g.passed))
    tt.same(body.permit, { held: true, valid: true, validSince: '2019-03-01', lateEndorsements: 0 })
    const kinds = body.entitlements.reduce(
      (m: Record<string, number>, e: { kind: string; granted: boolean }) => {
        if (e.granted) m[e.kind] = (m[e.kind] ?? 0) + 1
        return m
      },
      {},
    )
    tt.same(kinds, { basic_service: 6, convenience: 7, conditional: 1 })
    tt.equal(body.ruleset.id, 'ningbo-residence-permit-2021')
  },
)

t.test('residence permit: under 6 months of registration fails the gate with the reason', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['police'])
  const res = await app.inject({
    headers: auth,
    method: 'POST',
    url: '/v1/residence-permit/eligibility',
    payload: pointsRequest(
      {},
      { residence: { registeredSince: '2026-01-01', region: '330212', permit: null } },
    ),
  })
  const body = json(res)
  // 2026-01-01 → 2026-04-30 is 3 full months (< 6)
  tt.equal(body.eligible, false)
  const failed = body.gates.filter((g: Row) => !g.passed)
  tt.equal(failed.length, 1)
  tt.match(failed[0].reason, /3/)
  tt.same(body.permit, { held: false, valid: false, validSince: null, lateEndorsements: 0 })
})

t.test('residence permit: a late endorsement restarts the validity and is counted', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['police'])
  const permit = {
    issuedOn: '2019-03-01',
    endorsements: ['2020-02-20', '2021-05-10', '2022-05-01', '2023-05-01', '2024-05-01', '2025-05-01'],
  }
  const res = await app.inject({
    headers: auth,
    method: 'POST',
    url: '/v1/residence-permit/eligibility',
    payload: pointsRequest({}, { residence: { registeredSince: '2019-02-20', region: '330212', permit } }),
  })
  // valid to 2021-03-01 (exclusive); 2021-05-10 is late: valid again from then, a year at a time, to 2026-05-10
  tt.same(json(res).permit, { held: true, valid: true, validSince: '2021-05-10', lateEndorsements: 1 })
})

t.test('POST /v1/settlement/eligibility: every route of the period, with why it fails', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['police'])
  const res = await app.inject({
    headers: auth,
    method: 'POST',
    url: '/v1/settlement/eligibility',
    payload: pointsRequest(),
  })
  tt.equal(res.statusCode, 200)
  const body = json(res)
  /*
   * policy.md §4 from 2020-09-11: a renter with a job and 86 months of insurance, no degree record, no home,
   * no business: graduates ✗ (no graduation), employment + residence ✗ (no own home), rental ✗ (insurance in
   * the same town/street needs a 9-digit code: 0 months), investment ✗ (no business licence), elderly
   * parents: not encoded (unavailable). No route passes.
   */
  tt.equal(body.eligible, false)
  const routes = byId(body.routes)
  tt.same(Object.keys(routes), [
    'graduates',
    'employment_residence',
    'rental_housing',
    'investment_business',
    'elderly_parents',
  ])
  tt.equal(routes.employment_residence.passed, false)
  tt.match(routes.employment_residence.reason, /产权住房/)
  tt.equal(routes.elderly_parents.available, false)
  tt.equal(body.ruleset.id, 'ningbo-settlement-2020')
})

t.test('settlement: a home owner in the urban area passes the employment + residence route', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['police'])
  const res = await app.inject({
    headers: auth,
    method: 'POST',
    url: '/v1/settlement/eligibility',
    payload: pointsRequest({}, { housing: { kind: 'owned', region: '330212', owner: 'self' } }),
  })
  const body = json(res)
  tt.equal(body.eligible, true)
  tt.equal(byId(body.routes).employment_residence.passed, true)
})

t.test('settlement: a full-time bachelor passes the graduates route', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['police'])
  const res = await app.inject({
    headers: auth,
    method: 'POST',
    url: '/v1/settlement/eligibility',
    payload: pointsRequest(
      {},
      { education: 'bachelor', graduation: { level: 'bachelor', fullTime: true, graduatedOn: '2010-07-01' } },
    ),
  })
  tt.equal(byId(json(res).routes).graduates.passed, true)
})

t.test('settlement before 2019-09-15 uses that period’s rules: no rental-housing route yet', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['police'])
  const res = await app.inject({
    headers: auth,
    method: 'POST',
    url: '/v1/settlement/eligibility',
    payload: pointsRequest({ asOf: '2019-06-30' }),
  })
  const body = json(res)
  tt.equal(body.ruleset.id, 'ningbo-settlement-2018')
  tt.equal(byId(body.routes).rental_housing.available, false)
})

t.test('permit and settlement share the bad-input handling', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['police'])
  for (const url of ['/v1/residence-permit/eligibility', '/v1/settlement/eligibility']) {
    const future = await app.inject({
      headers: auth,
      method: 'POST',
      url,
      payload: pointsRequest({ asOf: '2027-01-01' }),
    })
    tt.equal(future.statusCode, 422, url)
    tt.equal(json(future).code, 'JIFEN_ERR_FUTURE_DATE')
    const none = await app.inject({
      headers: auth,
      method: 'POST',
      url,
      payload: pointsRequest({ jurisdiction: '310000' }),
    })
    tt.equal(none.statusCode, 422, url)
    tt.equal(json(none).code, 'JIFEN_ERR_NO_TABLE_IN_FORCE')
    const bad = await app.inject({
      headers: auth,
      method: 'POST',
      url,
      payload: pointsRequest({}, { birthDate: '2023-02-30' }),
    })
    tt.equal(bad.statusCode, 400, url)
    tt.same(
      json(bad).errors.map((e: { path: string }) => e.path),
      ['body.applicant.birthDate'],
    )
  }
})
